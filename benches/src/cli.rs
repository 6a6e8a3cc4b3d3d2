//! Command-line flags (clap), validated into a plain [`BenchConfig`].

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Parser, ValueEnum};
use shoal_datagen::FileFormat;

/// Whole-query benchmark of shoal against DataFusion on generated data.
#[derive(Debug, Parser)]
#[command(name = "shoal-bench", version)]
pub struct Args {
    /// Query suite.
    #[arg(long, value_enum, default_value_t = Suite::Tpch)]
    pub suite: Suite,
    /// TPC-H scale factor.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Number of taxi trips.
    #[arg(long, default_value_t = 20_000_000)]
    pub rows: u64,
    /// Worker threads for each engine.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Timed runs per query and engine (after one warm-up run); the median is reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// File format of the generated data.
    #[arg(long, value_enum, default_value_t = Format::Parquet)]
    pub format: Format,
    /// Comma-separated query names (file stems, e.g. q1,q6); default: all of the suite.
    #[arg(long, value_delimiter = ',')]
    pub queries: Vec<String>,
    /// Comma-separated engines to run.
    #[arg(long, value_delimiter = ',', default_values_t = [Engine::Shoal, Engine::Datafusion])]
    pub engines: Vec<Engine>,
    /// Compare the results of the two engines.
    #[arg(long)]
    pub check: bool,
    /// Where generated data is cached (default: <target>/bench-data).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    Tpch,
    Taxi,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Parquet,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Shoal,
    Datafusion,
    /// shoal through the DataFrame API (the queries that have a DataFrame version), in the
    /// `shoal` columns; not together with `shoal`.
    ShoalDf,
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::Shoal => "shoal",
            Engine::Datafusion => "datafusion",
            Engine::ShoalDf => "shoal-df",
        })
    }
}

/// A validated benchmark configuration.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    pub suite: Suite,
    pub scale: f64,
    pub rows: u64,
    pub threads: usize,
    pub runs: usize,
    pub format: FileFormat,
    pub queries: Vec<String>,
    pub run_shoal: bool,
    pub run_datafusion: bool,
    /// Run the shoal side through the DataFrame API (`--engines shoal-df`).
    pub run_shoal_df: bool,
    pub check: bool,
    pub data_root: PathBuf,
}

/// The workspace's target directory: `$CARGO_TARGET_DIR` or `<workspace>/target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

impl Args {
    /// Check the flags and build the configuration.
    pub fn validate(self) -> Result<BenchConfig> {
        if !(self.scale.is_finite() && self.scale > 0.0) {
            bail!("--scale must be a positive number, got {}", self.scale);
        }
        if self.rows == 0 {
            bail!("--rows must be at least 1");
        }
        if self.threads == 0 || self.runs == 0 {
            bail!("--threads and --runs must be at least 1");
        }
        let run_shoal = self.engines.contains(&Engine::Shoal);
        let run_datafusion = self.engines.contains(&Engine::Datafusion);
        let run_shoal_df = self.engines.contains(&Engine::ShoalDf);
        if run_shoal && run_shoal_df {
            bail!("--engines: shoal and shoal-df share the shoal columns; pick one");
        }
        if self.check && !((run_shoal || run_shoal_df) && run_datafusion) {
            bail!("--check needs both engines (--engines shoal,datafusion or shoal-df,datafusion)");
        }
        Ok(BenchConfig {
            suite: self.suite,
            scale: self.scale,
            rows: self.rows,
            threads: self.threads,
            runs: self.runs,
            format: match self.format {
                Format::Parquet => FileFormat::Parquet,
                Format::Csv => FileFormat::Csv,
            },
            queries: self.queries.into_iter().filter(|q| !q.is_empty()).collect(),
            run_shoal,
            run_datafusion,
            run_shoal_df,
            check: self.check,
            data_root: self.data_dir.unwrap_or_else(|| target_dir().join("bench-data")),
        })
    }
}
