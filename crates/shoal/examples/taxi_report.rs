//! The NYC-taxi report written with the DataFrame API, over generated sample data.
//!
//! `cargo run -p shoal --example taxi_report [ROWS]` writes ROWS (default 200,000) synthetic
//! trips as Parquet into a temporary directory, then prints each section of the report.

use std::error::Error;
use std::path::Path;

use arrow::record_batch::RecordBatch;
use shoal::prelude::*;
use shoal_datagen::{taxi, FileFormat};

/// The report over the trips in `dir`: (section title, result rows).
pub fn report(session: &Session, dir: &Path) -> Result<Vec<(&'static str, Vec<RecordBatch>)>> {
    let glob = format!("{}/*.parquet", dir.display());
    let trips = session.read_parquet(&glob, ParquetOptions::default())?;
    let pickup = || col("tpep_pickup_datetime");

    let by_vendor = trips
        .group_by([col("VendorID")])?
        .agg([count_star().alias("trips")])?
        .sort([col("VendorID").asc()])?;
    let by_passengers = trips
        .group_by([col("passenger_count")])?
        .agg([col("total_amount").avg().alias("avg_total")])?
        .sort([col("passenger_count").asc()])?;
    let tip_share = trips
        .filter(col("payment_type").eq(lit(1i64)).and(col("fare_amount").gt(lit(0i64))))?
        .group_by([pickup().dt().hour().alias("hour")])?
        .agg([
            count_star().alias("trips"),
            (col("tip_amount").sum() / col("fare_amount").sum()).alias("tip_share"),
        ])?
        .sort([col("hour").asc()])?;
    let zone_pairs = trips
        .group_by([col("PULocationID"), col("DOLocationID")])?
        .agg([count_star().alias("trips"), col("trip_distance").avg().alias("avg_distance")])?
        .sort([col("trips").desc(), col("PULocationID").asc(), col("DOLocationID").asc()])?
        .limit(10)?;
    let week = Window::new().order_by([col("day").asc()]).rows_between(preceding(6i64), current_row());
    let daily = trips
        .group_by([pickup().dt().date().alias("day")])?
        .agg([col("total_amount").sum().alias("revenue")])?
        .with_column("revenue_7d_avg", col("revenue").avg().over(week))?
        .sort([col("day").asc()])?
        .limit(14)?;
    let summary = trips.select([col("trip_distance"), col("fare_amount"), col("tip_amount")])?.describe()?;

    Ok(vec![
        ("Trips per vendor", by_vendor.collect()?),
        ("Average total by passenger count", by_passengers.collect()?),
        ("Tip share of the fare by hour (card payments)", tip_share.collect()?),
        ("The 10 busiest pickup -> dropoff zone pairs", zone_pairs.collect()?),
        ("Daily revenue with a 7-day moving average (first two weeks)", daily.collect()?),
        ("Distance, fare and tip summary", summary.collect()?),
    ])
}

fn main() -> std::result::Result<(), Box<dyn Error>> {
    let rows: u64 = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|e| format!("ROWS must be a whole number, got {n}: {e}"))?,
        None => 200_000,
    };
    let dir = tempfile::tempdir()?;
    taxi::write_taxi(dir.path(), rows, 2, FileFormat::Parquet)?;
    let session = Session::new();
    for (title, batches) in report(&session, dir.path())? {
        println!("{title}\n{}\n", arrow::util::pretty::pretty_format_batches(&batches)?);
    }
    Ok(())
}
