//! Taxi generator tests: determinism, schema, value ranges and the CSV layout.

use std::fs;
use std::path::Path;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use shoal_datagen::taxi::{self, TaxiOptions};
use shoal_datagen::FileFormat;

fn read_parquet(path: &Path) -> (Vec<RecordBatch>, usize) {
    let file = fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let row_groups = builder.metadata().num_row_groups();
    let batches = builder.build().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    (batches, row_groups)
}

#[test]
fn same_seed_gives_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for format in [FileFormat::Parquet, FileFormat::Csv] {
        let pa = taxi::write_taxi(a.path(), 30_000, 2, format).unwrap();
        let pb = taxi::write_taxi(b.path(), 30_000, 2, format).unwrap();
        assert_eq!(pa.len(), 2);
        for (x, y) in pa.iter().zip(&pb) {
            assert_eq!(fs::read(x).unwrap(), fs::read(y).unwrap(), "{}", x.display());
        }
    }
}

#[test]
fn different_seed_gives_different_rows() {
    let a = taxi::generate_rows(1, 0, 100).unwrap();
    let b = taxi::generate_rows(2, 0, 100).unwrap();
    assert_ne!(a, b);
}

#[test]
fn rows_do_not_depend_on_chunking() {
    let whole = taxi::generate_rows(7, 0, 1000).unwrap();
    let tail = taxi::generate_rows(7, 600, 400).unwrap();
    assert_eq!(whole.slice(600, 400), tail);
    let chunk1 = taxi::generate_chunk(7, 1, 70_000).unwrap();
    assert_eq!(chunk1.num_rows(), 70_000 - taxi::CHUNK_ROWS);
    assert_eq!(chunk1, taxi::generate_rows(7, taxi::CHUNK_ROWS as u64, chunk1.num_rows()).unwrap());
}

#[test]
fn schema_matches_tlc() {
    let schema = taxi::taxi_schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "VendorID",
            "tpep_pickup_datetime",
            "tpep_dropoff_datetime",
            "passenger_count",
            "trip_distance",
            "RatecodeID",
            "store_and_fwd_flag",
            "PULocationID",
            "DOLocationID",
            "payment_type",
            "fare_amount",
            "extra",
            "mta_tax",
            "tip_amount",
            "tolls_amount",
            "improvement_surcharge",
            "total_amount",
            "congestion_surcharge",
            "Airport_fee"
        ]
    );
    assert_eq!(schema.field(0).data_type(), &DataType::Int32);
    assert_eq!(schema.field(3).data_type(), &DataType::Int64);
    assert!(schema.field(3).is_nullable());
    assert_eq!(schema.field(6).data_type(), &DataType::Utf8);
}

#[test]
fn parquet_values_are_in_range() {
    let dir = tempfile::tempdir().unwrap();
    let options = TaxiOptions::new(FileFormat::Parquet).with_row_group_rows(10_000);
    let paths = taxi::write_taxi_with(dir.path(), 40_000, 1, &options).unwrap();
    let (batches, row_groups) = read_parquet(&paths[0]);
    assert_eq!(row_groups, 4);
    let batch = arrow::compute::concat_batches(&taxi::taxi_schema(), &batches).unwrap();
    assert_eq!(batch.num_rows(), 40_000);
    assert_eq!(batch.schema(), taxi::taxi_schema());

    // 2022-01-01 00:00:00 and 2025-01-01 00:00:00 in microseconds.
    let (lo, hi) = (1_640_995_200_000_000i64, 1_735_689_600_000_000i64);
    let pickup = batch.column(1).as_primitive::<TimestampMicrosecondType>();
    let dropoff = batch.column(2).as_primitive::<TimestampMicrosecondType>();
    for i in 0..batch.num_rows() {
        assert!((lo..hi).contains(&pickup.value(i)));
        assert!(dropoff.value(i) > pickup.value(i));
    }
    for col in [7, 8] {
        let zones = batch.column(col).as_primitive::<Int32Type>();
        assert!(zones.iter().all(|z| z.is_some_and(|z| (1..=265).contains(&z))));
    }
    // Popular zones are much busier than the average zone.
    let pu = batch.column(7).as_primitive::<Int32Type>();
    let midtown = pu.iter().filter(|z| *z == Some(161)).count();
    assert!(midtown > 40_000 / 265 * 5, "{midtown}");

    for col in [3, 5, 6, 17, 18] {
        let nulls = batch.column(col).null_count() as f64 / 40_000.0;
        assert!((0.02..0.03).contains(&nulls), "column {col}: {nulls}");
    }
    for col in 10..19 {
        let money = batch.column(col).as_primitive::<Float64Type>();
        for v in money.iter().flatten() {
            assert!(((v * 100.0).round() - v * 100.0).abs() < 1e-6, "{v} not in cents");
            assert!(v >= 0.0);
        }
    }
    let fare = batch.column(10).as_primitive::<Float64Type>();
    assert!(fare.iter().all(|f| f.is_some_and(|f| f >= 3.0)));

    // Tips are recorded for card payments, never for cash.
    let payment = batch.column(9).as_primitive::<Int64Type>();
    let tip = batch.column(13).as_primitive::<Float64Type>();
    let (mut card, mut card_tipped) = (0, 0);
    for i in 0..batch.num_rows() {
        match payment.value(i) {
            1 => {
                card += 1;
                card_tipped += usize::from(tip.value(i) > 0.0);
            }
            2 => assert_eq!(tip.value(i), 0.0),
            _ => {}
        }
    }
    let share = card_tipped as f64 / card as f64;
    assert!((0.8..0.9).contains(&share), "{share}");
    let flags = batch.column(6).as_string::<i32>();
    assert!(flags.iter().flatten().all(|f| f == "Y" || f == "N"));
}

#[test]
fn csv_has_header_and_plain_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let paths = taxi::write_taxi(dir.path(), 1_000, 1, FileFormat::Csv).unwrap();
    assert!(paths[0].ends_with("trips-00000.csv"));
    let text = fs::read_to_string(&paths[0]).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,\
             RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,fare_amount,\
             extra,mta_tax,tip_amount,tolls_amount,improvement_surcharge,total_amount,\
             congestion_surcharge,Airport_fee"
        )
    );
    assert_eq!(lines.clone().count(), 1_000);
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first.len(), 19);
    let ts = first[1].as_bytes();
    assert_eq!(ts.len(), "2023-05-01 12:34:56".len(), "{}", first[1]);
    assert_eq!((ts[4], ts[7], ts[10], ts[13], ts[16]), (b'-', b'-', b' ', b':', b':'));
    // No temporary file is left behind.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn zero_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = taxi::write_taxi(dir.path(), 10, 0, FileFormat::Csv).unwrap_err();
    assert!(err.to_string().contains("at least 1"), "{err}");
}
