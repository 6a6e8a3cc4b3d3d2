//! Session settings: thread count, batch size, optimizer switches.

use std::collections::BTreeSet;

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
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            batch_size: 8192,
            optimizer_enabled: true,
            disabled_rules: BTreeSet::new(),
            csv_morsel_bytes: 16 * 1024 * 1024,
        }
    }
}

impl SessionConfig {
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Is the optimizer rule `name` enabled?
    pub fn rule_enabled(&self, name: &str) -> bool {
        self.optimizer_enabled && !self.disabled_rules.contains(name)
    }
}
