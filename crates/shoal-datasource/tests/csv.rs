//! CSV tables: schema inference, byte-range morsels, gzip, and located data errors.

mod common;

use std::io::Write;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Field, Float64Type, Schema, TimeUnit, TimestampMicrosecondType,
};
use common::{collect, i64_column, open_csv as open, row_count, str_column, write_text as write};
use shoal_common::{DataLocation, ShoalError};
use shoal_datasource::{CsvOptions, CsvTable};
use shoal_expr::TableSource;

/// The data error of a failing full scan.
fn scan_error(table: &CsvTable) -> ShoalError {
    let scan = table.scan(None, &[], None).unwrap();
    collect(scan.as_ref()).unwrap_err()
}

fn location(err: &ShoalError) -> (&DataLocation, &str) {
    match err {
        ShoalError::Data { location, message } => (location, message.as_str()),
        other => panic!("expected a data error, got {other}"),
    }
}

#[test]
fn infers_each_type() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        "b,i,f,d,ts,s,e,mixed\n\
         true,1,1.5,2024-01-02,2024-01-02 03:04:05,x,,1\n\
         FALSE,-2,2,2024-02-29,2024-01-02T03:04:05.123456,y,,2.5\n\
         ,3,,2024-03-01,2024-01-03,z,,\n",
    );
    let t = open(&path, CsvOptions::default());
    let types: Vec<DataType> = t.schema().fields().iter().map(|f| f.data_type().clone()).collect();
    assert_eq!(
        types,
        [
            DataType::Boolean,
            DataType::Int64,
            DataType::Float64,
            DataType::Date32,
            DataType::Timestamp(TimeUnit::Microsecond, None),
            DataType::Utf8,
            DataType::Utf8,
            DataType::Float64,
        ]
    );
    let batches = collect(t.scan(None, &[], None).unwrap().as_ref()).unwrap();
    assert_eq!(row_count(&batches), 3);
    let b = &batches[0];
    assert_eq!(i64_column(&batches, 1), [Some(1), Some(-2), Some(3)]);
    assert!(b.column(0).is_null(2));
    assert_eq!(b.column(2).as_primitive::<Float64Type>().value(0), 1.5);
    assert_eq!(b.column(3).as_primitive::<Date32Type>().value(0), 19724);
    let ts = b.column(4).as_primitive::<TimestampMicrosecondType>();
    assert_eq!(ts.value(0), 1_704_164_645_000_000);
    assert_eq!(ts.value(1), 1_704_164_645_123_456);
    assert_eq!(ts.value(2), 1_704_240_000_000_000);
    assert_eq!(b.column(6).null_count(), 3);
}

#[test]
fn inference_never_loses_digits() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        "big,nanos,datetime_in_date,odd\n\
         123456789012345678901234,2024-01-02 03:04:05.1234567,2024-01-02,2024-01-0é 00:00:00\n",
    );
    let t = open(&path, CsvOptions::default());
    let types: Vec<DataType> = t.schema().fields().iter().map(|f| f.data_type().clone()).collect();
    assert_eq!(types, [DataType::Utf8, DataType::Utf8, DataType::Date32, DataType::Utf8]);
}

#[test]
fn value_beyond_the_sample_is_an_error_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,amount\n");
    for i in 0..20 {
        let amount = if i == 15 { "abc".to_string() } else { i.to_string() };
        text.push_str(&format!("{i},{amount}\n"));
    }
    let path = write(dir.path(), "late.csv", &text);
    let t = open(&path, CsvOptions { infer_max_rows: 10, ..CsvOptions::default() });
    assert_eq!(t.schema().field(1).data_type(), &DataType::Int64);
    let err = scan_error(&t);
    let (loc, message) = location(&err);
    assert!(loc.file.ends_with("late.csv"));
    assert_eq!(loc.line, Some(17));
    assert_eq!(loc.column.as_deref(), Some("amount"));
    assert_eq!(
        message,
        "value 'abc' does not fit inferred type BIGINT; pass an explicit schema or a larger inference sample"
    );
    // not read when the column is not projected
    let scan = t.scan(Some(&[0]), &[], None).unwrap();
    assert_eq!(row_count(&collect(scan.as_ref()).unwrap()), 20);
}

#[test]
fn date_with_time_beyond_the_sample_is_not_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "d.csv", "d\n2024-01-01\n2024-01-02\n2024-01-03 10:00:00\n");
    let t = open(&path, CsvOptions { infer_max_rows: 2, ..CsvOptions::default() });
    let err = scan_error(&t);
    let (loc, message) = location(&err);
    assert_eq!((loc.line, loc.column.as_deref()), (Some(4), Some("d")));
    assert!(message.contains("'2024-01-03 10:00:00' does not fit inferred type DATE"), "{message}");
}

#[test]
fn malformed_rows_are_located() {
    let dir = tempfile::tempdir().unwrap();
    // wrong field count beyond the sample
    let path = write(dir.path(), "m.csv", "a,b\n1,2\n3,4\n5\n7,8\n");
    let t = open(&path, CsvOptions { infer_max_rows: 1, ..CsvOptions::default() });
    let err = scan_error(&t);
    let (loc, message) = location(&err);
    assert_eq!(loc.line, Some(4));
    assert_eq!(message, "expected 2 fields but found 1");

    // within the sample: reported when the table is opened
    let err = CsvTable::try_new(path.to_str().unwrap(), CsvOptions::default()).unwrap_err();
    assert_eq!(location(&err).0.line, Some(4));

    // an unclosed quote in a file split into ranges swallows lines: reported
    let mut text = String::from("a,b\n");
    for i in 0..50 {
        text.push_str(&format!("{i},v{i}\n"));
    }
    text.push_str("50,\"open\n");
    for i in 51..60 {
        text.push_str(&format!("{i},v{i}\n"));
    }
    let path = write(dir.path(), "q.csv", &text);
    let t = open(&path, CsvOptions { infer_max_rows: 5, morsel_bytes: 64, ..CsvOptions::default() });
    let err = scan_error(&t);
    let (loc, message) = location(&err);
    assert_eq!(loc.line, Some(52));
    assert!(message.contains("quote is not closed"), "{message}");
}

#[test]
fn one_file_in_many_byte_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,s,x\n");
    for i in 0..500 {
        let s = "w".repeat((i * 7) % 23);
        text.push_str(&format!("{i},{s},{}\n", i as f64 / 4.0));
    }
    let path = write(dir.path(), "big.csv", &text);
    let whole = open(&path, CsvOptions::default());
    let whole_scan = whole.scan(None, &[], None).unwrap();
    assert_eq!(whole_scan.morsel_count(), 1);
    let expected = collect(whole_scan.as_ref()).unwrap();

    for morsel_bytes in [1, 7, 50, 333] {
        let split = open(&path, CsvOptions { morsel_bytes, ..CsvOptions::default() });
        let scan = split.scan(None, &[], None).unwrap();
        assert!(scan.morsel_count() > 10);
        let got = collect(scan.as_ref()).unwrap();
        assert_eq!(i64_column(&got, 0), i64_column(&expected, 0));
        assert_eq!(str_column(&got, 1), str_column(&expected, 1));
    }

    // a bad value in a middle range gets its absolute line
    let mut bad = text.clone();
    bad = bad.replacen("\n300,", "\n300x,", 1);
    let path = write(dir.path(), "bad.csv", &bad);
    let t = open(&path, CsvOptions { morsel_bytes: 100, infer_max_rows: 100, ..CsvOptions::default() });
    let err = scan_error(&t);
    let (loc, _) = location(&err);
    assert_eq!((loc.line, loc.column.as_deref()), (Some(302), Some("id")));
}

#[test]
fn quoted_newlines_in_the_sample_keep_files_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,note\n1,\"two\nlines\"\n");
    for i in 2..200 {
        text.push_str(&format!("{i},\"n,{i}\"\n"));
    }
    let path = write(dir.path(), "nl.csv", &text);
    let t = open(&path, CsvOptions { morsel_bytes: 64, ..CsvOptions::default() });
    let scan = t.scan(None, &[], None).unwrap();
    assert_eq!(scan.morsel_count(), 1);
    let batches = collect(scan.as_ref()).unwrap();
    assert_eq!(row_count(&batches), 199);
    assert_eq!(str_column(&batches, 1)[0].as_deref(), Some("two\nlines"));
    assert_eq!(str_column(&batches, 1)[1].as_deref(), Some("n,2"));
}

#[test]
fn gzip_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.csv.gz");
    let mut enc =
        flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::default());
    let mut text = String::from("k,v\n");
    for i in 0..100 {
        text.push_str(&format!("{i},{}\n", i * 2));
    }
    text.push_str("100,oops\n");
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let t = open(&path, CsvOptions { infer_max_rows: 50, morsel_bytes: 16, ..CsvOptions::default() });
    let scan = t.scan(Some(&[0]), &[], None).unwrap();
    assert_eq!(scan.morsel_count(), 1);
    let batches = collect(scan.as_ref()).unwrap();
    assert_eq!(row_count(&batches), 101);
    assert_eq!(i64_column(&batches, 0)[100], Some(100));
    let err = scan_error(&t);
    let (loc, message) = location(&err);
    assert_eq!((loc.line, loc.column.as_deref()), (Some(102), Some("v")));
    assert!(message.starts_with("value 'oops'"), "{message}");
}

#[test]
fn glob_with_different_headers_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", "x,y\n1,2\n");
    write(dir.path(), "b.csv", "x,y\n3,4\n");
    let glob = format!("{}/*.csv", dir.path().display());
    let t = CsvTable::try_new(&glob, CsvOptions::default()).unwrap();
    let batches = collect(t.scan(None, &[], None).unwrap().as_ref()).unwrap();
    assert_eq!(i64_column(&batches, 0), [Some(1), Some(3)]);

    write(dir.path(), "c.csv", "x,z\n5,6\n");
    let err = CsvTable::try_new(&glob, CsvOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("c.csv") && text.contains("header"), "{text}");
}

#[test]
fn options_header_delimiter_schema_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.tsv", "1\t\"a\tb\"\n2\tc\n3\td\n");
    let t = open(&path, CsvOptions { has_header: false, delimiter: b'\t', ..CsvOptions::default() });
    assert_eq!(t.schema().field(0).name(), "column_1");
    let batches = collect(t.scan(Some(&[1]), &[], None).unwrap().as_ref()).unwrap();
    assert_eq!(str_column(&batches, 0)[0].as_deref(), Some("a\tb"));

    let schema = std::sync::Arc::new(Schema::new(vec![
        Field::new("n", DataType::Int32, true),
        Field::new("s", DataType::Utf8, true),
    ]));
    let t = open(
        &path,
        CsvOptions { has_header: false, delimiter: b'\t', schema: Some(schema), ..CsvOptions::default() },
    );
    assert_eq!(t.schema().field(0).data_type(), &DataType::Int32);
    let scan = t.scan(Some(&[]), &[], Some(2)).unwrap();
    let batches = collect(scan.as_ref()).unwrap();
    assert_eq!(row_count(&batches), 2);
    assert_eq!(batches[0].num_columns(), 0);
}

#[test]
fn byte_order_mark_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bom.csv", "\u{feff}a,b\r\n1,x\r\n2,y\r\n");
    let t = open(&path, CsvOptions::default());
    assert_eq!(t.schema().field(0).name(), "a");
    let batches = collect(t.scan(None, &[], None).unwrap().as_ref()).unwrap();
    assert_eq!(i64_column(&batches, 0), [Some(1), Some(2)]);
    assert_eq!(str_column(&batches, 1), [Some("x".into()), Some("y".into())]);
}
