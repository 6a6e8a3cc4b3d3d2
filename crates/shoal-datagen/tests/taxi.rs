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

#[test]
fn schema_types_match_tlc() {
    let ts = DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None);
    let expected = [
        ("VendorID", DataType::Int32, false),
        ("tpep_pickup_datetime", ts.clone(), false),
        ("tpep_dropoff_datetime", ts, false),
        ("passenger_count", DataType::Int64, true),
        ("trip_distance", DataType::Float64, false),
        ("RatecodeID", DataType::Int64, true),
        ("store_and_fwd_flag", DataType::Utf8, true),
        ("PULocationID", DataType::Int32, false),
        ("DOLocationID", DataType::Int32, false),
        ("payment_type", DataType::Int64, false),
        ("fare_amount", DataType::Float64, false),
        ("extra", DataType::Float64, false),
        ("mta_tax", DataType::Float64, false),
        ("tip_amount", DataType::Float64, false),
        ("tolls_amount", DataType::Float64, false),
        ("improvement_surcharge", DataType::Float64, false),
        ("total_amount", DataType::Float64, false),
        ("congestion_surcharge", DataType::Float64, true),
        ("Airport_fee", DataType::Float64, true),
    ];
    let schema = taxi::taxi_schema();
    let actual: Vec<(&str, DataType, bool)> =
        schema.fields().iter().map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable())).collect();
    assert_eq!(actual, expected);
    // The Parquet files carry the same schema.
    let dir = tempfile::tempdir().unwrap();
    let paths = taxi::write_taxi(dir.path(), 100, 1, FileFormat::Parquet).unwrap();
    let (batches, _) = read_parquet(&paths[0]);
    assert_eq!(batches[0].schema(), schema);
}

/// Every data line of the CSV files, in file order, without their header lines.
fn csv_body(paths: &[std::path::PathBuf]) -> Vec<String> {
    let mut lines = vec![];
    for p in paths {
        let text = fs::read_to_string(p).unwrap();
        lines.extend(text.lines().skip(1).map(str::to_string));
    }
    lines
}

#[test]
fn splitting_into_files_keeps_the_rows() {
    // 50,001 rows do not divide evenly by 3: the first files take the extra rows.
    let rows = 50_001;
    let one = tempfile::tempdir().unwrap();
    let three = tempfile::tempdir().unwrap();
    let three_again = tempfile::tempdir().unwrap();
    let single = taxi::write_taxi(one.path(), rows, 1, FileFormat::Parquet).unwrap();
    let split = taxi::write_taxi(three.path(), rows, 3, FileFormat::Parquet).unwrap();
    let split_again = taxi::write_taxi(three_again.path(), rows, 3, FileFormat::Parquet).unwrap();
    for (a, b) in split.iter().zip(&split_again) {
        assert_eq!(fs::read(a).unwrap(), fs::read(b).unwrap(), "{}", a.display());
    }
    let whole = arrow::compute::concat_batches(&taxi::taxi_schema(), &read_parquet(&single[0]).0).unwrap();
    let mut offset = 0;
    for (path, expected_rows) in split.iter().zip([16_667, 16_667, 16_667]) {
        let part = arrow::compute::concat_batches(&taxi::taxi_schema(), &read_parquet(path).0).unwrap();
        assert_eq!(part.num_rows(), expected_rows, "{}", path.display());
        assert_eq!(part, whole.slice(offset, expected_rows), "{}", path.display());
        offset += expected_rows;
    }
    assert_eq!(offset, whole.num_rows());

    // CSV: the data lines of the split files, in order, are those of the single file.
    let one = tempfile::tempdir().unwrap();
    let three = tempfile::tempdir().unwrap();
    let single = taxi::write_taxi(one.path(), 10_000, 1, FileFormat::Csv).unwrap();
    let split = taxi::write_taxi(three.path(), 10_000, 3, FileFormat::Csv).unwrap();
    assert_eq!(split.len(), 3);
    let (whole, parts) = (csv_body(&single), csv_body(&split));
    assert_eq!(whole.len(), 10_000);
    assert!(whole == parts, "split CSV rows differ from the single file's");
}

#[test]
fn distances_counts_and_codes_are_in_range() {
    let batch = taxi::generate_rows(taxi::DEFAULT_SEED, 0, 30_000).unwrap();
    let distance = batch.column(4).as_primitive::<Float64Type>();
    assert_eq!(distance.null_count(), 0);
    assert!(distance.values().iter().all(|d| d.is_finite() && *d >= 0.0));
    assert!(distance.values().contains(&0.0), "some trips have no distance");
    assert!(distance.values().iter().any(|d| *d > 10.0), "some trips are long");

    let passengers = batch.column(3).as_primitive::<Int64Type>();
    assert!(passengers.null_count() > 0);
    assert!(passengers.iter().flatten().all(|p| (0..=9).contains(&p)));
    let payment = batch.column(9).as_primitive::<Int64Type>();
    // NULL passenger counts come from the "unknown" feed, whose payment type is 0.
    for i in 0..batch.num_rows() {
        assert_eq!(passengers.is_null(i), payment.value(i) == 0, "row {i}");
        assert!((0..=6).contains(&payment.value(i)), "row {i}");
    }
    let ratecode = batch.column(5).as_primitive::<Int64Type>();
    assert!(ratecode.iter().flatten().all(|r| [1, 2, 3, 4, 5, 6, 99].contains(&r)));
    let vendor = batch.column(0).as_primitive::<Int32Type>();
    assert!(vendor.values().iter().all(|v| [1, 2, 6, 7].contains(v)), "VendorID codes of the TLC dictionary");
    let pickup = batch.column(1).as_primitive::<TimestampMicrosecondType>();
    let dropoff = batch.column(2).as_primitive::<TimestampMicrosecondType>();
    assert!(pickup.values().iter().zip(dropoff.values()).all(|(p, d)| d >= p));
    let total = batch.column(16).as_primitive::<Float64Type>();
    let fare = batch.column(10).as_primitive::<Float64Type>();
    assert!(total.values().iter().zip(fare.values()).all(|(t, f)| t >= f), "total includes the fare");
}
