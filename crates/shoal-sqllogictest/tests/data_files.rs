//! The Parquet test data under `testdata/data/`: how it is generated, and a check that the
//! committed file still holds exactly those rows.
//!
//! Regenerate with
//! `cargo test -p shoal-sqllogictest --test data_files -- --ignored write_orders_parquet`.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// Rows per row group, so the 10 rows span 3 row groups (4 + 4 + 2).
const ROW_GROUP_ROWS: usize = 4;

fn orders_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/data/orders.parquet")
}

/// Days since 1970-01-01 of a civil date.
fn days(year: i32, month: u32, day: u32) -> i32 {
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    (date - epoch).num_days() as i32
}

/// Microseconds since the epoch of a civil date and time.
fn micros(date: (i32, u32, u32), time: (u32, u32, u32), micro: u32) -> i64 {
    let dt = chrono::NaiveDate::from_ymd_opt(date.0, date.1, date.2)
        .unwrap()
        .and_hms_micro_opt(time.0, time.1, time.2, micro)
        .unwrap();
    dt.and_utc().timestamp_micros()
}

/// The ten orders of `testdata/data/orders.parquet` (see `testdata/README.md`).
fn orders_batch() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("order_id", DataType::Int64, false),
        Field::new("customer", DataType::Utf8, true),
        Field::new("amount", DataType::Decimal128(10, 2), true),
        Field::new("quantity", DataType::Int32, false),
        Field::new("price", DataType::Float64, true),
        Field::new("shipped", DataType::Boolean, true),
        Field::new("order_date", DataType::Date32, true),
        Field::new("created", DataType::Timestamp(TimeUnit::Microsecond, None), true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from((1..=10).collect::<Vec<i64>>())),
        Arc::new(StringArray::from(vec![
            Some("acme"),
            Some("globex"),
            Some("acme"),
            Some("initech"),
            None,
            Some("globex"),
            Some("acme"),
            Some("umbrella"),
            Some("initech"),
            Some("globex"),
        ])),
        Arc::new(
            Decimal128Array::from(vec![
                Some(12050),
                Some(7500),
                Some(1025),
                Some(30000),
                Some(575),
                Some(4200),
                None,
                Some(99999),
                Some(6000),
                Some(1840),
            ])
            .with_precision_and_scale(10, 2)
            .unwrap(),
        ),
        Arc::new(Int32Array::from(vec![3, 1, 10, 2, 1, 6, 4, 1, 5, 2])),
        Arc::new(Float64Array::from(vec![
            Some(12.5),
            Some(75.0),
            Some(1.25),
            Some(150.0),
            Some(5.75),
            Some(7.0),
            None,
            Some(999.99),
            Some(12.0),
            Some(9.2),
        ])),
        Arc::new(BooleanArray::from(vec![
            Some(true),
            Some(false),
            Some(true),
            None,
            Some(false),
            Some(true),
            Some(true),
            Some(false),
            Some(true),
            Some(true),
        ])),
        Arc::new(Date32Array::from(vec![
            Some(days(2024, 1, 5)),
            Some(days(2024, 1, 7)),
            Some(days(2024, 2, 1)),
            Some(days(2024, 2, 14)),
            Some(days(2024, 2, 29)),
            Some(days(2024, 3, 3)),
            Some(days(2024, 3, 15)),
            Some(days(2024, 4, 1)),
            None,
            Some(days(2024, 4, 20)),
        ])),
        Arc::new(TimestampMicrosecondArray::from(vec![
            Some(micros((2024, 1, 5), (9, 15, 0), 0)),
            Some(micros((2024, 1, 7), (14, 0, 0), 0)),
            Some(micros((2024, 2, 1), (8, 0, 0), 500_000)),
            Some(micros((2024, 2, 14), (18, 30, 0), 0)),
            Some(micros((2024, 2, 29), (23, 59, 59), 0)),
            Some(micros((2024, 3, 3), (11, 11, 11), 0)),
            Some(micros((2024, 3, 15), (7, 45, 0), 0)),
            Some(micros((2024, 4, 1), (0, 0, 0), 0)),
            None,
            Some(micros((2024, 4, 20), (16, 20, 0), 0)),
        ])),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

#[test]
#[ignore = "writes testdata/data/orders.parquet; run once after changing orders_batch()"]
fn write_orders_parquet() {
    let batch = orders_batch();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by("shoal-sqllogictest data_files test".to_string())
        .build();
    let file = File::create(orders_path()).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

#[test]
fn committed_orders_parquet_holds_the_generated_rows() {
    let file = File::open(orders_path()).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert_eq!(builder.metadata().num_row_groups(), 3);
    let batches = builder.build().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    let expected = orders_batch();
    let actual = arrow::compute::concat_batches(&expected.schema(), &batches).unwrap();
    assert_eq!(actual, expected);
}
