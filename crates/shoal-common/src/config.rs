//! Session settings: thread count, batch size, optimizer switches, memory limit and spill path.

use std::collections::BTreeSet;
use std::path::PathBuf;

/// Settings of one session. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Worker threads of the session's rayon pool (default: all cores).
    pub threads: usize,
    /// Target number of rows per record batch produced by sources and operators.
    pub batch_size: usize,
    /// When false, no optimizer rule runs (used to check rules do not change results).
    pub optimizer_enabled: bool,
    /// Optimizer rules switched off by name (e.g. `push_down_filter`).
    pub disabled_rules: BTreeSet<String>,
    /// Target size of a CSV morsel (a byte range of one file) in bytes.
    pub csv_morsel_bytes: usize,
    /// Bytes that the memory-hungry operators of all running queries (hash aggregates, join
    /// build sides, sorts, windows, set operations) may reserve together; `None` (the default)
    /// means unbounded (still tracked). Sorts spill to `spill_path` instead of failing.
    pub memory_limit: Option<usize>,
    /// Directory for spill files (default: the OS temp dir). Each spilling operator makes its
    /// own temporary directory inside it, removed when the operator is done.
    pub spill_path: Option<PathBuf>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            batch_size: 8192,
            optimizer_enabled: true,
            disabled_rules: BTreeSet::new(),
            csv_morsel_bytes: 16 * 1024 * 1024,
            memory_limit: None,
            spill_path: None,
        }
    }
}

impl SessionConfig {
    /// Use `threads` worker threads (at least 1).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Aim for `batch_size` rows per batch (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Limit the memory of queries to `bytes` (see [`SessionConfig::memory_limit`]); sizes in
    /// text are read by [`crate::byte_size::parse_byte_size`].
    ///
    /// ```
    /// use shoal_common::{byte_size::parse_byte_size, SessionConfig};
    /// let config = SessionConfig::default().with_memory_limit(parse_byte_size("512MB")?);
    /// assert_eq!(config.memory_limit, Some(512_000_000));
    /// # Ok::<(), shoal_common::ShoalError>(())
    /// ```
    pub fn with_memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes.max(1));
        self
    }

    /// Write spill files under `dir` instead of the OS temp dir.
    pub fn with_spill_path(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spill_path = Some(dir.into());
        self
    }

    /// Is the optimizer rule `name` enabled?
    pub fn rule_enabled(&self, name: &str) -> bool {
        self.optimizer_enabled && !self.disabled_rules.contains(name)
    }
}
