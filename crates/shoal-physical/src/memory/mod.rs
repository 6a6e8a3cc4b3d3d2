//! The memory budget of running queries: a [`MemoryPool`] shared by every operator and thread,
//! and [`MemoryReservation`]s through which the memory-hungry operators (hash aggregate, join
//! build, sort, window, set operations) claim bytes from it.
//!
//! The pool is a pair of atomics (bytes in use, peak) and an optional limit: growing a
//! reservation is one compare-and-swap loop, with no lock. Operators grow their reservation in
//! steps of at least [`RESERVATION_CHUNK`] bytes ([`MemoryReservation::try_reserve_at_least`]) so
//! the pool is touched about once per megabyte, not once per batch. A reservation gives its
//! bytes back when it shrinks or is dropped, so the pool returns to zero after every query,
//! failed ones included. Streaming operators (scans, filters, projections) never reserve: a
//! query that only streams runs under any limit.

mod spill;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use shoal_common::{Result, ShoalError};

use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;

pub use spill::{SpillDir, SpillFile, SpillWriter};

/// Reservations grow in steps of at least this many bytes (1 MiB).
pub const RESERVATION_CHUNK: usize = 1 << 20;

/// The query-wide (by default session-wide) memory budget.
#[derive(Debug, Default)]
pub struct MemoryPool {
    /// `usize::MAX` when unbounded.
    limit: AtomicUsize,
    used: AtomicUsize,
    peak: AtomicUsize,
}

impl MemoryPool {
    /// A pool allowing `limit` bytes in total (`None`: unbounded, still tracked).
    pub fn new(limit: Option<usize>) -> Self {
        let pool = Self::default();
        pool.set_limit(limit);
        pool
    }

    /// Change the limit; reservations already made are kept even above a lower limit.
    pub fn set_limit(&self, limit: Option<usize>) {
        self.limit.store(limit.unwrap_or(usize::MAX), Ordering::Relaxed);
    }

    /// The limit in bytes, `None` when unbounded.
    pub fn limit(&self) -> Option<usize> {
        let limit = self.limit.load(Ordering::Relaxed);
        (limit != usize::MAX).then_some(limit)
    }

    /// Bytes reserved right now by all reservations.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The most bytes ever reserved at once (since the last [`MemoryPool::reset_peak`]).
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Start tracking the peak afresh (from what is in use now).
    pub fn reset_peak(&self) {
        self.peak.store(self.used(), Ordering::Relaxed);
    }

    /// Take `bytes` from the budget, or fail (taking nothing) when that would pass the limit.
    fn try_take(&self, bytes: usize, operator: &str, hint: &str) -> Result<()> {
        let limit = self.limit.load(Ordering::Relaxed);
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let wanted = used.saturating_add(bytes);
            if wanted > limit {
                return Err(ShoalError::ResourcesExhausted {
                    operator: operator.to_string(),
                    requested: bytes,
                    used,
                    limit,
                    hint: hint.to_string(),
                });
            }
            match self.used.compare_exchange_weak(used, wanted, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => {
                    self.peak.fetch_max(wanted, Ordering::Relaxed);
                    return Ok(());
                }
                Err(actual) => used = actual,
            }
        }
    }

    fn give_back(&self, bytes: usize) {
        // never below zero, even if a caller frees more than it took
        let _ =
            self.used.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| Some(u.saturating_sub(bytes)));
    }
}

/// Memory counters of one operator, shown by EXPLAIN ANALYZE: bytes reserved now and at peak
/// (summed over the operator's reservations), and what it spilled.
#[derive(Debug, Default)]
pub struct MemoryStats {
    used: AtomicUsize,
    peak: AtomicUsize,
    spill_count: AtomicU64,
    spilled_bytes: AtomicU64,
    spilled_rows: AtomicU64,
}

impl MemoryStats {
    fn grew(&self, bytes: usize) {
        let now = self.used.fetch_add(bytes, Ordering::Relaxed).saturating_add(bytes);
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
    fn shrank(&self, bytes: usize) {
        let _ =
            self.used.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| Some(u.saturating_sub(bytes)));
    }
    /// The most bytes the operator held at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
    /// Record one spill file of `bytes` bytes holding `rows` rows.
    pub fn record_spill(&self, bytes: u64, rows: u64) {
        self.spill_count.fetch_add(1, Ordering::Relaxed);
        self.spilled_bytes.fetch_add(bytes, Ordering::Relaxed);
        self.spilled_rows.fetch_add(rows, Ordering::Relaxed);
    }
    /// Number of spill files written.
    pub fn spill_count(&self) -> u64 {
        self.spill_count.load(Ordering::Relaxed)
    }
    /// Bytes written to spill files.
    pub fn spilled_bytes(&self) -> u64 {
        self.spilled_bytes.load(Ordering::Relaxed)
    }
    /// Rows written to spill files.
    pub fn spilled_rows(&self) -> u64 {
        self.spilled_rows.load(Ordering::Relaxed)
    }
    /// Clear the counters (before a new EXPLAIN ANALYZE run).
    pub fn reset(&self) {
        self.used.store(0, Ordering::Relaxed);
        self.peak.store(0, Ordering::Relaxed);
        self.spill_count.store(0, Ordering::Relaxed);
        self.spilled_bytes.store(0, Ordering::Relaxed);
        self.spilled_rows.store(0, Ordering::Relaxed);
    }
}

/// One operator's handle on the pool, from which its per-thread reservations are made.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct MemoryConsumer {
    pool: Arc<MemoryPool>,
    operator: Arc<str>,
    hint: Arc<str>,
    stats: Arc<MemoryStats>,
}

impl MemoryConsumer {
    /// A consumer named `operator` drawing on the query's pool and reporting into `metrics`;
    /// `hint` completes the out-of-memory message ("Raise memory_limit, or {hint}").
    pub fn new(ctx: &TaskContext, operator: &str, hint: &str, metrics: &OperatorMetrics) -> Self {
        Self {
            pool: Arc::clone(ctx.memory_pool()),
            operator: operator.into(),
            hint: hint.into(),
            stats: Arc::clone(metrics.memory()),
        }
    }

    /// A consumer on `pool` whose peak is not shown anywhere (tests, tools).
    pub fn detached(pool: &Arc<MemoryPool>, operator: &str) -> Self {
        Self {
            pool: Arc::clone(pool),
            operator: operator.into(),
            hint: "reduce the data the query holds at once".into(),
            stats: Arc::default(),
        }
    }

    /// The same consumer with another `hint` for its out-of-memory message.
    pub fn with_hint(mut self, hint: &str) -> Self {
        self.hint = hint.into();
        self
    }

    /// An empty reservation.
    pub fn reservation(&self) -> MemoryReservation {
        MemoryReservation { consumer: self.clone(), size: 0 }
    }

    /// The operator's counters.
    pub fn stats(&self) -> &Arc<MemoryStats> {
        &self.stats
    }

    /// The pool this consumer draws on.
    pub fn pool(&self) -> &Arc<MemoryPool> {
        &self.pool
    }
}

/// Bytes held by one operator (or one thread of it). Grows with [`MemoryReservation::try_grow`],
/// shrinks with [`MemoryReservation::shrink`], and frees everything when dropped.
#[derive(Debug)]
pub struct MemoryReservation {
    consumer: MemoryConsumer,
    size: usize,
}

impl MemoryReservation {
    /// Bytes held.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Hold `bytes` more, or fail with [`ShoalError::ResourcesExhausted`] (holding nothing more).
    pub fn try_grow(&mut self, bytes: usize) -> Result<()> {
        if bytes == 0 {
            return Ok(());
        }
        let c = &self.consumer;
        c.pool.try_take(bytes, &c.operator, &c.hint)?;
        c.stats.grew(bytes);
        self.size += bytes;
        Ok(())
    }

    /// Hold `bytes` fewer (at most what is held).
    pub fn shrink(&mut self, bytes: usize) {
        let bytes = bytes.min(self.size);
        if bytes == 0 {
            return;
        }
        self.consumer.pool.give_back(bytes);
        self.consumer.stats.shrank(bytes);
        self.size -= bytes;
    }

    /// Hold exactly `bytes`, growing (fallibly) or shrinking.
    pub fn try_resize(&mut self, bytes: usize) -> Result<()> {
        if bytes > self.size {
            self.try_grow(bytes - self.size)
        } else {
            self.shrink(self.size - bytes);
            Ok(())
        }
    }

    /// Make sure at least `bytes` are held, growing in steps of at least [`RESERVATION_CHUNK`]
    /// (so calling this after every batch touches the pool about once per megabyte). Never
    /// shrinks. When the step does not fit but `bytes` itself does, takes just `bytes`.
    pub fn try_reserve_at_least(&mut self, bytes: usize) -> Result<()> {
        if bytes <= self.size {
            return Ok(());
        }
        let needed = bytes - self.size;
        let step = needed.max(RESERVATION_CHUNK).max(self.size / 8);
        if step > needed && self.try_grow(step).is_ok() {
            return Ok(());
        }
        self.try_grow(needed)
    }

    /// Give every byte back; returns how many were held.
    pub fn free(&mut self) -> usize {
        let size = self.size;
        self.shrink(size);
        size
    }

    /// Move every byte held into a new reservation of the same consumer, leaving this one empty
    /// (to keep memory accounted after the structure owning this reservation is gone).
    pub fn take(&mut self) -> MemoryReservation {
        MemoryReservation { consumer: self.consumer.clone(), size: std::mem::take(&mut self.size) }
    }

    /// Move the bytes of `other` (a reservation of the same consumer) into this one. A
    /// reservation of another consumer is simply freed.
    pub fn merge(&mut self, mut other: MemoryReservation) {
        let same = Arc::ptr_eq(&self.consumer.pool, &other.consumer.pool)
            && Arc::ptr_eq(&self.consumer.stats, &other.consumer.stats);
        if same {
            self.size += std::mem::take(&mut other.size);
        }
    }

    /// The consumer this reservation belongs to.
    pub fn consumer(&self) -> &MemoryConsumer {
        &self.consumer
    }
}

impl Drop for MemoryReservation {
    fn drop(&mut self) {
        self.free();
    }
}

/// Bytes of the rows of `batch`: for a slice, only the sliced part of its buffers (so that
/// slices of one large batch are not each counted as the whole).
pub fn batch_memory_size(batch: &arrow::record_batch::RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|c| c.to_data().get_slice_memory_size().unwrap_or_else(|_| c.get_array_memory_size()))
        .sum()
}

/// [`batch_memory_size`] summed over `batches`.
pub fn batches_memory_size(batches: &[arrow::record_batch::RecordBatch]) -> usize {
    batches.iter().map(batch_memory_size).sum()
}

/// Estimated bytes of one group of a hash aggregate: its keys (fixed width, or 32 bytes for a
/// variable-width value), hash-table overhead, and about 16 bytes per aggregate state. Operators
/// multiply it by their group count to size their reservation without measuring the table.
pub fn estimated_group_bytes(key_types: &[arrow::datatypes::DataType], aggregates: usize) -> usize {
    let keys: usize = key_types.iter().map(|t| t.primitive_width().unwrap_or(32)).sum();
    keys + 16 + 16 * aggregates
}
