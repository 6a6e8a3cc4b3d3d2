//! Streaming a query result larger than memory into a Parquet file: the DataFrame's rows go
//! batch by batch through the writer (atomically: a temporary file renamed when complete), so
//! memory stays bounded however many rows there are.
//!
//! `cargo run --release -p shoal --example stream_to_parquet [ROWS]` generates ROWS taxi trips
//! (default 300,000; try 200000000 for a result of several GB) as Parquet, then writes every
//! trip with a computed column to `trips_enriched.parquet` next to them.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use shoal::prelude::*;
use shoal_datagen::{taxi, FileFormat};

/// Enrich every trip under `input` and stream the result to `output`; returns the rows written.
pub fn enrich(session: &Session, input: &Path, output: &Path) -> Result<usize> {
    let trips = session.read_parquet(&format!("{}/*.parquet", input.display()), ParquetOptions::default())?;
    trips
        .with_columns([
            (col("tip_amount") / col("total_amount")).alias("tip_ratio"),
            col("tpep_pickup_datetime").dt().hour().alias("hour"),
        ])?
        .filter(col("total_amount").gt(lit(0i64)))?
        .write_parquet(output)
}

fn main() -> std::result::Result<(), Box<dyn Error>> {
    let rows: u64 = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|e| format!("ROWS must be a whole number, got {n}: {e}"))?,
        None => 300_000,
    };
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("trips");
    let files = (rows / 5_000_000).clamp(1, 64) as usize;
    taxi::write_taxi(&input, rows, files, FileFormat::Parquet)?;
    let output = dir.path().join("trips_enriched.parquet");
    let start = Instant::now();
    let written = enrich(&Session::new(), &input, &output)?;
    let bytes = std::fs::metadata(&output)?.len();
    println!(
        "wrote {written} rows ({:.1} MB) to {} in {:.2?}",
        bytes as f64 / 1e6,
        output.display(),
        start.elapsed()
    );
    Ok(())
}
