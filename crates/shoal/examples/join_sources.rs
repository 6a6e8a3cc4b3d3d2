//! A join of a Parquet source and a CSV source with the DataFrame API: TPC-H orders (Parquet)
//! joined with customers (CSV), revenue per market segment and order year.
//!
//! `cargo run -p shoal --example join_sources [SCALE]` generates TPC-H at SCALE (default 0.01)
//! into a temporary directory.

use std::error::Error;
use std::path::Path;

use arrow::record_batch::RecordBatch;
use shoal::prelude::*;
use shoal_datagen::{tpch, FileFormat};

/// Revenue per market segment and year: `orders.parquet` in `parquet_dir` joined with
/// `customer.csv` in `csv_dir`.
pub fn segment_revenue(session: &Session, parquet_dir: &Path, csv_dir: &Path) -> Result<Vec<RecordBatch>> {
    let orders = session
        .read_parquet(&format!("{}/orders.parquet", parquet_dir.display()), ParquetOptions::default())?;
    let customers =
        session.read_csv(&format!("{}/customer.csv", csv_dir.display()), CsvOptions::default())?;
    orders
        .join(&customers, JoinType::Inner, [col("o_custkey")], [col("c_custkey")])?
        .group_by([col("c_mktsegment"), col("o_orderdate").dt().year().alias("year")])?
        .agg([count_star().alias("orders"), col("o_totalprice").sum().alias("revenue")])?
        .sort([col("c_mktsegment").asc(), col("year").asc()])?
        .collect()
}

fn main() -> std::result::Result<(), Box<dyn Error>> {
    let scale: f64 = match std::env::args().nth(1) {
        Some(s) => s.parse().map_err(|e| format!("SCALE must be a number, got {s}: {e}"))?,
        None => 0.01,
    };
    let dir = tempfile::tempdir()?;
    let (parquet_dir, csv_dir) = (dir.path().join("parquet"), dir.path().join("csv"));
    tpch::write_tpch(&parquet_dir, scale, FileFormat::Parquet)?;
    tpch::write_tpch(&csv_dir, scale, FileFormat::Csv)?;
    let batches = segment_revenue(&Session::new(), &parquet_dir, &csv_dir)?;
    println!("{}", arrow::util::pretty::pretty_format_batches(&batches)?);
    Ok(())
}
