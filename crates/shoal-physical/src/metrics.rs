//! [`OperatorMetrics`]: per-operator counters filled while a plan runs (EXPLAIN ANALYZE).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use shoal_common::byte_size::format_bytes;

use crate::memory::MemoryStats;

const THREAD_WORDS: usize = 4;

/// Rows produced, time spent (summed over threads) and which workers ran an operator.
#[derive(Debug, Default)]
pub struct OperatorMetrics {
    rows_out: AtomicU64,
    batches_out: AtomicU64,
    elapsed_ns: AtomicU64,
    /// One bit per worker index (indexes beyond the bitmap share the last bit); the caller
    /// thread (not a pool worker) is the highest bit.
    threads: [AtomicU64; THREAD_WORDS],
    /// Peak memory reserved and bytes spilled (operators that reserve memory).
    memory: Arc<MemoryStats>,
}

impl OperatorMetrics {
    /// Record `rows` rows in `batches` batches produced after `elapsed` of work on this thread.
    pub fn record(&self, rows: usize, batches: usize, elapsed: Duration) {
        self.rows_out.fetch_add(rows as u64, Ordering::Relaxed);
        self.batches_out.fetch_add(batches as u64, Ordering::Relaxed);
        self.add_time(elapsed);
    }

    /// Record work time only (and mark the current thread).
    pub fn add_time(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.elapsed_ns.fetch_add(nanos, Ordering::Relaxed);
        let bits = THREAD_WORDS * 64;
        let index = rayon::current_thread_index().unwrap_or(bits - 1).min(bits - 1);
        if let Some(word) = self.threads.get(index / 64) {
            word.fetch_or(1 << (index % 64), Ordering::Relaxed);
        }
    }

    /// Rows output so far.
    pub fn rows_out(&self) -> u64 {
        self.rows_out.load(Ordering::Relaxed)
    }
    /// Batches output so far.
    pub fn batches_out(&self) -> u64 {
        self.batches_out.load(Ordering::Relaxed)
    }
    /// Time spent in this operator, summed over all threads.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.elapsed_ns.load(Ordering::Relaxed))
    }
    /// How many distinct threads worked on this operator.
    pub fn thread_count(&self) -> u32 {
        self.threads.iter().map(|w| w.load(Ordering::Relaxed).count_ones()).sum()
    }

    /// Memory counters (peak reservation, spills), shared with the operator's reservations.
    pub fn memory(&self) -> &Arc<MemoryStats> {
        &self.memory
    }

    /// Clear every counter (before a new EXPLAIN ANALYZE run).
    pub fn reset(&self) {
        self.memory.reset();
        self.rows_out.store(0, Ordering::Relaxed);
        self.batches_out.store(0, Ordering::Relaxed);
        self.elapsed_ns.store(0, Ordering::Relaxed);
        for w in &self.threads {
            w.store(0, Ordering::Relaxed);
        }
    }

    /// `rows=.., batches=.., time=.., threads=..` for EXPLAIN ANALYZE, then `mem=..` (peak
    /// reservation) and `spills=.., spilled=..` for operators that reserved or spilled.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "rows={}, batches={}, time={}, threads={}",
            self.rows_out(),
            self.batches_out(),
            format_duration(self.elapsed()),
            self.thread_count()
        );
        if self.memory.peak() > 0 {
            text.push_str(&format!(", mem={}", format_bytes(self.memory.peak())));
        }
        if self.memory.spill_count() > 0 {
            let bytes = usize::try_from(self.memory.spilled_bytes()).unwrap_or(usize::MAX);
            text.push_str(&format!(
                ", spills={}, spilled={} ({} rows)",
                self.memory.spill_count(),
                format_bytes(bytes),
                self.memory.spilled_rows()
            ));
        }
        text
    }
}

/// A duration in the most readable unit (`812µs`, `12.3ms`, `1.20s`).
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos < 1_000_000 {
        format!("{}µs", nanos / 1_000)
    } else if nanos < 1_000_000_000 {
        format!("{:.1}ms", nanos as f64 / 1e6)
    } else {
        format!("{:.2}s", nanos as f64 / 1e9)
    }
}
