//! [`TaskContext`]: what a running query needs — the session's rayon pool, its settings, its
//! memory pool, a cancel flag and progress counters.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use shoal_common::{Result, SessionConfig, ShoalError};

use crate::memory::MemoryPool;

/// Counters of work done and known so far, updated by workers; read them from any thread to
/// draw a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    morsels_total: AtomicU64,
    morsels_done: AtomicU64,
    bytes_total: AtomicU64,
    bytes_done: AtomicU64,
    rows_read: AtomicU64,
}

/// A consistent-enough copy of [`Progress`] at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProgressSnapshot {
    /// Morsels planned by the sources started so far.
    pub morsels_total: u64,
    /// Morsels fully read.
    pub morsels_done: u64,
    /// Bytes of the planned morsels, where the source knows them.
    pub bytes_total: u64,
    /// Bytes of the morsels fully read.
    pub bytes_done: u64,
    /// Rows read by the sources so far (grows batch by batch, inside a morsel too).
    pub rows_read: u64,
}

impl Progress {
    /// A pipeline with `morsels` morsels (and `bytes` bytes, when known) was started.
    pub fn add_total(&self, morsels: u64, bytes: u64) {
        self.morsels_total.fetch_add(morsels, Ordering::Relaxed);
        self.bytes_total.fetch_add(bytes, Ordering::Relaxed);
    }

    /// One morsel of `bytes` bytes was finished.
    pub fn add_done(&self, bytes: u64) {
        self.morsels_done.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
    }

    /// A source read a batch of `rows` rows.
    pub fn add_rows(&self, rows: u64) {
        self.rows_read.fetch_add(rows, Ordering::Relaxed);
    }

    /// The counters now (each read atomically, not all at the same instant).
    pub fn snapshot(&self) -> ProgressSnapshot {
        ProgressSnapshot {
            morsels_total: self.morsels_total.load(Ordering::Relaxed),
            morsels_done: self.morsels_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total.load(Ordering::Relaxed),
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            rows_read: self.rows_read.load(Ordering::Relaxed),
        }
    }

    /// Morsels finished so far.
    pub fn morsels_done(&self) -> u64 {
        self.morsels_done.load(Ordering::Relaxed)
    }
}

/// Everything a query needs while it runs. Cheap to clone (all shared parts are `Arc`s).
#[derive(Debug, Clone)]
pub struct TaskContext {
    pool: Arc<rayon::ThreadPool>,
    config: SessionConfig,
    cancel: Arc<AtomicBool>,
    progress: Arc<Progress>,
    memory: Arc<MemoryPool>,
}

impl TaskContext {
    /// A context with its own pool of `config.threads` workers (named `shoal-worker-N`).
    pub fn try_new(config: SessionConfig) -> Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.threads.max(1))
            .thread_name(|i| format!("shoal-worker-{i}"))
            .build()
            .map_err(|e| ShoalError::Internal(format!("cannot start the worker pool: {e}")))?;
        Ok(Self::with_pool(Arc::new(pool), config))
    }

    /// A context over an existing pool (the session's), with a memory pool of its own limited
    /// by `config.memory_limit` (share the session's with [`TaskContext::with_memory_pool`]).
    pub fn with_pool(pool: Arc<rayon::ThreadPool>, config: SessionConfig) -> Self {
        Self {
            pool,
            memory: Arc::new(MemoryPool::new(config.memory_limit)),
            config,
            cancel: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(Progress::default()),
        }
    }

    /// The same pool, settings and memory pool with a fresh cancel flag and fresh progress
    /// counters.
    pub fn fresh(&self) -> Self {
        Self::with_pool(Arc::clone(&self.pool), self.config.clone())
            .with_memory_pool(Arc::clone(&self.memory))
    }

    /// Draw memory from `memory` (e.g. the session's pool, shared by its queries).
    pub fn with_memory_pool(mut self, memory: Arc<MemoryPool>) -> Self {
        self.memory = memory;
        self
    }

    /// The memory budget the query's operators reserve from.
    pub fn memory_pool(&self) -> &Arc<MemoryPool> {
        &self.memory
    }

    /// The session's rayon pool, on which every operator runs.
    pub fn pool(&self) -> &Arc<rayon::ThreadPool> {
        &self.pool
    }
    /// The session settings the query runs with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }
    /// Number of workers of the pool.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads().max(1)
    }
    /// Target rows per batch (at least 1).
    pub fn batch_size(&self) -> usize {
        self.config.batch_size.max(1)
    }
    /// The flag that cancels the query when set (share it with a Ctrl-C handler).
    pub fn cancel_flag(&self) -> &Arc<AtomicBool> {
        &self.cancel
    }
    /// Ask the running query to stop; it fails with [`ShoalError::Cancelled`].
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
    /// True once the query was cancelled; operators check it between batches.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    /// `Err(Cancelled)` once the query has been cancelled.
    pub fn check_cancelled(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(ShoalError::Cancelled)
        } else {
            Ok(())
        }
    }
    /// The progress counters of this query.
    pub fn progress(&self) -> &Arc<Progress> {
        &self.progress
    }
}
