//! The examples in `examples/` run (their library functions, over small generated data) and
//! give the expected rows.

use shoal::prelude::*;
use shoal_datagen::{taxi, tpch, FileFormat};

#[allow(dead_code)]
#[path = "../examples/taxi_report.rs"]
mod taxi_report;

#[allow(dead_code)]
#[path = "../examples/join_sources.rs"]
mod join_sources;

#[allow(dead_code)]
#[path = "../examples/stream_to_parquet.rs"]
mod stream_to_parquet;

fn total(batches: &[arrow::record_batch::RecordBatch], column: usize) -> i64 {
    shoal::rows_to_strings(batches)
        .expect("rows")
        .iter()
        .map(|r| r.split(", ").nth(column).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
        .sum()
}

#[test]
fn taxi_report_counts_every_trip() {
    let dir = tempfile::tempdir().expect("dir");
    taxi::write_taxi(dir.path(), 5_000, 2, FileFormat::Parquet).expect("taxi");
    let sections = taxi_report::report(&Session::new(), dir.path()).expect("report");
    assert_eq!(sections.len(), 6);
    assert_eq!(total(&sections[0].1, 1), 5_000, "trips per vendor add up to all trips");
    let zone_rows: usize = sections[3].1.iter().map(|b| b.num_rows()).sum();
    assert_eq!(zone_rows, 10);
    let summary = shoal::rows_to_strings(&sections[5].1).expect("rows");
    assert!(summary[0].starts_with("count, 5000, 5000, 5000"), "{}", summary[0]);
}

#[test]
fn join_sources_covers_every_order() {
    let dir = tempfile::tempdir().expect("dir");
    let (p, c) = (dir.path().join("p"), dir.path().join("c"));
    tpch::write_tpch(&p, 0.01, FileFormat::Parquet).expect("parquet");
    tpch::write_tpch(&c, 0.01, FileFormat::Csv).expect("csv");
    let batches = join_sources::segment_revenue(&Session::new(), &p, &c).expect("join");
    // every order has a customer: the per-group counts add up to all 15,000 orders
    assert_eq!(total(&batches, 2), 15_000);
    let first = shoal::rows_to_strings(&batches).expect("rows").into_iter().next().unwrap_or_default();
    assert!(first.starts_with("AUTOMOBILE, 1992, "), "{first}");
}

#[test]
fn stream_to_parquet_writes_every_row() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("in");
    taxi::write_taxi(&input, 4_000, 1, FileFormat::Parquet).expect("taxi");
    let output = dir.path().join("out.parquet");
    let session = Session::new();
    let written = stream_to_parquet::enrich(&session, &input, &output).expect("enrich");
    let expected = session
        .read_parquet(&format!("{}/*.parquet", input.display()), ParquetOptions::default())
        .and_then(|d| d.filter(col("total_amount").gt(lit(0i64))))
        .and_then(|d| d.count())
        .expect("count");
    assert_eq!(written, expected);
    let back =
        session.read_parquet(output.to_str().unwrap_or_default(), ParquetOptions::default()).expect("read");
    assert_eq!(back.count().expect("count"), written);
    assert_eq!(back.schema().fields().len(), taxi::taxi_schema().fields().len() + 2);
}
