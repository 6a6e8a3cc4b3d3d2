//! TPC-H writer tests: one file per table, determinism, schema and row counts.

use std::fs;

use arrow::compute::{cast, concat_batches};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use shoal_datagen::{tpch, FileFormat};
use tpchgen::generators::OrderGenerator;
use tpchgen_arrow::OrderArrow;

#[test]
fn writes_every_table_with_expected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let paths = tpch::write_tpch(dir.path(), 0.01, FileFormat::Parquet).unwrap();
    let names: Vec<String> =
        paths.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        [
            "lineitem.parquet",
            "orders.parquet",
            "customer.parquet",
            "part.parquet",
            "partsupp.parquet",
            "supplier.parquet",
            "nation.parquet",
            "region.parquet"
        ]
    );
    let expected_rows = [60_175, 15_000, 1_500, 2_000, 8_000, 100, 25, 5];
    for (path, rows) in paths.iter().zip(expected_rows) {
        let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), rows, "{}", path.display());
    }
    let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&paths[0]).unwrap()).unwrap();
    let schema = reader.schema().clone();
    assert_eq!(schema.field(4).name(), "l_quantity");
    assert_eq!(schema.field(4).data_type(), &DataType::Decimal128(15, 2));
    assert_eq!(schema.field(8).data_type(), &DataType::Utf8);
    assert_eq!(schema.field(10).data_type(), &DataType::Date32);
}

#[test]
fn csv_is_deterministic_and_readable() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let pa = tpch::write_tpch(a.path(), 0.01, FileFormat::Csv).unwrap();
    let pb = tpch::write_tpch(b.path(), 0.01, FileFormat::Csv).unwrap();
    for (x, y) in pa.iter().zip(&pb) {
        assert_eq!(fs::read(x).unwrap(), fs::read(y).unwrap());
    }
    let region = fs::read_to_string(a.path().join("region.csv")).unwrap();
    let mut lines = region.lines();
    assert_eq!(lines.next(), Some("r_regionkey,r_name,r_comment"));
    assert!(lines.next().unwrap().starts_with("0,AFRICA,"));
    let lineitem = fs::read_to_string(a.path().join("lineitem.csv")).unwrap();
    let first = lineitem.lines().nth(1).unwrap();
    assert!(first.starts_with("1,1552,93,1,17.00,24710.35,0.04,0.02,N,O,1996-03-13,"), "{first}");
}

#[test]
fn parts_concatenate_to_the_single_part_output() {
    // Orders at SF 0.4 (600k rows) are generated in two parts.
    let schema = tpch::table_schema("orders").unwrap();
    assert_eq!(schema.field(2).data_type(), &DataType::Utf8);
    let parted: Vec<RecordBatch> =
        tpch::generate_table("orders", 0.4).unwrap().collect::<Result<_, _>>().unwrap();
    let parted = concat_batches(&schema, &parted).unwrap();
    let single: Vec<RecordBatch> = OrderArrow::new(OrderGenerator::new(0.4, 1, 1)).collect();
    let single = concat_batches(single[0].schema_ref(), &single).unwrap();
    assert_eq!(parted.num_rows(), 600_000);
    assert_eq!(parted.num_rows(), single.num_rows());
    for (i, field) in schema.fields().iter().enumerate() {
        let expected = cast(single.column(i), field.data_type()).unwrap();
        assert_eq!(parted.column(i), &expected, "column {}", field.name());
    }
}

#[test]
fn bad_arguments_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(tpch::table_schema("nope").is_err());
    assert!(tpch::generate_table("nope", 1.0).is_err());
    let err = tpch::write_tpch(dir.path(), 0.0, FileFormat::Csv).unwrap_err();
    assert!(err.to_string().contains("scale factor"), "{err}");
}
