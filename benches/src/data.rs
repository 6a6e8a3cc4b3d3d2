//! Benchmark data: generated once into a cache directory and reused while complete.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use shoal_datagen::{taxi, tpch};

use crate::cli::{BenchConfig, Suite};

/// Marker written after every file of a data set is in place.
const COMPLETE_MARKER: &str = "_COMPLETE";
/// Taxi trips per file (about one month of real TLC data).
const TAXI_ROWS_PER_FILE: u64 = 5_000_000;

/// A table to register: its name and path (a file, or a directory of files).
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub path: PathBuf,
}

/// `<suite>-<size>-<format>`, e.g. `tpch-sf1-parquet` or `taxi-20000000-csv`.
fn data_set_name(config: &BenchConfig) -> String {
    match config.suite {
        Suite::Tpch => format!("tpch-sf{}-{}", config.scale, config.format),
        Suite::Taxi => format!("taxi-{}-{}", config.rows, config.format),
    }
}

/// The tables of the configured suite, generating them first unless already cached.
pub fn prepare(config: &BenchConfig) -> Result<Vec<Table>> {
    let dir = config.data_root.join(data_set_name(config));
    let marker = dir.join(COMPLETE_MARKER);
    if !marker.exists() {
        generate(config, &dir)?;
        fs::write(&marker, b"").with_context(|| format!("writing {}", marker.display()))?;
    } else {
        eprintln!("using cached data in {}", dir.display());
    }
    Ok(match config.suite {
        Suite::Tpch => tpch::TABLES
            .iter()
            .map(|t| Table {
                name: t.to_string(),
                path: dir.join(format!("{t}.{}", config.format.extension())),
            })
            .collect(),
        Suite::Taxi => vec![Table { name: taxi::TABLE_NAME.to_string(), path: dir }],
    })
}

fn generate(config: &BenchConfig, dir: &Path) -> Result<()> {
    if dir.exists() {
        // An incomplete earlier attempt: start over.
        fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    eprintln!("generating {} ...", dir.display());
    let start = Instant::now();
    match config.suite {
        Suite::Tpch => {
            tpch::write_tpch(dir, config.scale, config.format)?;
        }
        Suite::Taxi => {
            let files = config.rows.div_ceil(TAXI_ROWS_PER_FILE).max(1) as usize;
            taxi::write_taxi(dir, config.rows, files, config.format)?;
        }
    }
    eprintln!("generated in {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}
