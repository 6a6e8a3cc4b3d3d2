//! Deterministic data generators: NYC-taxi-like trips and TPC-H, written as Parquet or CSV.
//!
//! * [`taxi`]: synthetic NYC yellow-taxi trips with the real TLC schema, generated from a seed
//!   chunk by chunk (any row range can be generated alone, so data streams in bounded memory and
//!   chunks are generated in parallel).
//! * [`tpch`]: the eight TPC-H tables at any scale factor, via `tpchgen`.
//!
//! Every file is written under a temporary name and renamed when complete, so a reader never
//! sees a half-written file.
//!
//! ```no_run
//! use shoal_datagen::{taxi, FileFormat};
//! let files = taxi::write_taxi(std::path::Path::new("/tmp/taxi"), 100_000, 2, FileFormat::Parquet)?;
//! assert_eq!(files.len(), 2);
//! # Ok::<(), shoal_common::ShoalError>(())
//! ```

pub mod rng;
pub mod taxi;
pub mod tpch;
mod writer;

use std::fmt;
use std::str::FromStr;

use shoal_common::ShoalError;

pub use writer::{WriteOptions, DEFAULT_ROW_GROUP_ROWS};

/// The file format data is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// Parquet, snappy-compressed.
    Parquet,
    /// CSV with a header row and `,` delimiter; timestamps as `YYYY-MM-DD HH:MM:SS`.
    Csv,
}

impl FileFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Csv => "csv",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for FileFormat {
    type Err = ShoalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "parquet" => Ok(FileFormat::Parquet),
            "csv" => Ok(FileFormat::Csv),
            other => shoal_common::plan_err!("unknown file format '{other}': expected 'parquet' or 'csv'"),
        }
    }
}
