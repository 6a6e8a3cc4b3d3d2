//! Column statistics of sources: Parquet (metadata bounds and NULL counts, sampled distinct
//! counts), CSV (row and distinct estimates from the inference sample), memory (exact).

mod common;

use std::io::Write;
use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use common::{batch, write_parquet};
use shoal_common::ScalarValue;
use shoal_datasource::{CsvOptions, CsvTable, MemTable, ParquetOptions, ParquetTable};
use shoal_expr::TableSource;

fn int(v: &Option<ScalarValue>) -> Option<i64> {
    v.as_ref().and_then(ScalarValue::as_i64)
}

/// 100,000 rows in 10 row groups: `id` unique and sorted, `k` = id / 4 (clustered), `m` =
/// id % 37 (spread), `s` NULL on even ids.
fn parquet_table(dir: &std::path::Path) -> ParquetTable {
    let ids: Vec<i64> = (0..100_000).collect();
    let b = batch(vec![
        ("id", Arc::new(Int64Array::from(ids.clone()))),
        ("k", Arc::new(Int64Array::from(ids.iter().map(|i| i / 4).collect::<Vec<_>>()))),
        ("m", Arc::new(Int64Array::from(ids.iter().map(|i| (i * 7919) % 37).collect::<Vec<_>>()))),
        (
            "s",
            Arc::new(StringArray::from(
                ids.iter().map(|i| (i % 2 == 1).then(|| format!("v{}", i % 1000))).collect::<Vec<_>>(),
            )),
        ),
    ]);
    let path = dir.join("t.parquet");
    write_parquet(&path, &b, 10_000);
    ParquetTable::try_new(path.to_str().unwrap(), ParquetOptions::default()).unwrap()
}

fn near(actual: Option<f64>, expected: f64, tolerance: f64) {
    let a = actual.unwrap_or(f64::NAN);
    assert!((a - expected).abs() <= expected * tolerance, "{a} vs {expected}");
}

#[test]
fn parquet_bounds_nulls_and_distinct_estimates() {
    let dir = tempfile::tempdir().unwrap();
    let t = parquet_table(dir.path());
    let id = t.column_statistics(0);
    assert_eq!((int(&id.min), int(&id.max), id.null_count), (Some(0), Some(99_999), Some(0)));
    near(id.distinct_count, 100_000.0, 0.01);
    near(t.column_statistics(1).distinct_count, 25_000.0, 0.05);
    near(t.column_statistics(2).distinct_count, 37.0, 0.01);
    let s = t.column_statistics(3);
    assert_eq!(s.null_count, Some(50_000));
    // strings have no trusted bounds; 500 distinct odd-numbered values
    assert!(s.min.is_none() && s.max.is_none());
    near(s.distinct_count, 500.0, 0.2);
    // out of range: nothing known, no panic
    assert!(t.column_statistics(9).distinct_count.is_none());
}

#[test]
fn csv_estimates_rows_and_distinct_values_from_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "id,g").unwrap();
    for i in 0..50_000 {
        writeln!(f, "{:06},{}", i, i % 10).unwrap();
    }
    drop(f);
    // sampling 1000 rows of fixed width: the estimate is the row count
    let options = CsvOptions { infer_max_rows: 1000, ..CsvOptions::default() };
    let t = CsvTable::try_new(path.to_str().unwrap(), options).unwrap();
    let rows = t.statistics().num_rows.unwrap_or_default() as f64;
    near(Some(rows), 50_000.0, 0.01);
    near(t.column_statistics(0).distinct_count, 50_000.0, 0.01);
    near(t.column_statistics(1).distinct_count, 10.0, 0.01);
    // a sample of the whole file is exact, whatever the row widths
    let small = dir.path().join("small.csv");
    std::fs::write(&small, "a,b\n1,x\n22,yy\n333,\n1,zzzz\n").unwrap();
    let t = CsvTable::try_new(small.to_str().unwrap(), CsvOptions::default()).unwrap();
    assert_eq!(t.statistics().num_rows, Some(4));
    assert_eq!(t.column_statistics(0).distinct_count, Some(3.0));
    assert_eq!(t.column_statistics(1).null_count, Some(1));
}

#[test]
fn memory_statistics_are_exact() {
    let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
    let b1 = batch(vec![("x", Arc::new(Int64Array::from(vec![Some(5), None, Some(3)])))]);
    let b2 = batch(vec![("x", Arc::new(Int64Array::from(vec![Some(9), Some(3)])))]);
    let t = MemTable::try_new(schema, vec![b1, b2]).unwrap();
    let x = t.column_statistics(0);
    assert_eq!(
        (int(&x.min), int(&x.max), x.null_count, x.distinct_count),
        (Some(3), Some(9), Some(1), Some(3.0))
    );
}
