//! Value rendering under shoal's (`.slt`) and SQLite's (`.test`) conventions.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float32Array, Float64Array,
    Int32Array, Int64Array, NullArray, StringArray, StringViewArray, TimestampMicrosecondArray,
    TimestampNanosecondArray, TimestampSecondArray, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use arrow::record_batch::RecordBatch;
use shoal_sqllogictest::render::{column_type, render_batches, render_column, render_f64};
use shoal_sqllogictest::{ShoalColumnType, ValueStyle};

const SHOAL: ValueStyle = ValueStyle::Shoal;
const SQLITE: ValueStyle = ValueStyle::Sqlite;

fn texts(array: ArrayRef, style: ValueStyle) -> Vec<String> {
    render_column(array.as_ref(), style).unwrap()
}

#[test]
fn style_follows_the_file_extension() {
    assert_eq!(ValueStyle::for_path(Path::new("a/b.slt")), SHOAL);
    assert_eq!(ValueStyle::for_path(Path::new("select1.test")), SQLITE);
    assert_eq!(ValueStyle::for_path(Path::new("noext")), SHOAL);
}

#[test]
fn nulls_and_empty_strings() {
    let strings: ArrayRef = Arc::new(StringArray::from(vec![Some("a b"), Some(""), None]));
    assert_eq!(texts(strings, SHOAL), ["a b", "(empty)", "NULL"]);
    let views: ArrayRef = Arc::new(StringViewArray::from(vec![Some(""), None, Some("x")]));
    assert_eq!(texts(views, SHOAL), ["(empty)", "NULL", "x"]);
    let nulls: ArrayRef = Arc::new(NullArray::new(2));
    assert_eq!(texts(nulls, SHOAL), ["NULL", "NULL"]);
}

#[test]
fn booleans_follow_the_style() {
    let b: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), Some(false), None]));
    assert_eq!(texts(b.clone(), SHOAL), ["true", "false", "NULL"]);
    assert_eq!(texts(b, SQLITE), ["1", "0", "NULL"]);
    assert_eq!(column_type(&DataType::Boolean, SHOAL), ShoalColumnType::Boolean);
    assert_eq!(column_type(&DataType::Boolean, SQLITE), ShoalColumnType::Integer);
}

#[test]
fn integers_print_plain() {
    let i: ArrayRef = Arc::new(Int64Array::from(vec![Some(-42), Some(i64::MAX), None]));
    assert_eq!(texts(i, SHOAL), ["-42", "9223372036854775807", "NULL"]);
    let u: ArrayRef = Arc::new(UInt64Array::from(vec![u64::MAX]));
    assert_eq!(texts(u, SQLITE), ["18446744073709551615"]);
    assert_eq!(column_type(&DataType::Int32, SHOAL), ShoalColumnType::Integer);
    assert_eq!(column_type(&DataType::UInt8, SQLITE), ShoalColumnType::Integer);
}

#[test]
fn floats_print_shortest_round_trip_text() {
    let f: ArrayRef = Arc::new(Float64Array::from(vec![
        Some(1.0),
        Some(2.5),
        Some(0.1 + 0.2),
        Some(-0.0),
        Some(f64::NAN),
        Some(f64::INFINITY),
        Some(f64::NEG_INFINITY),
        Some(1e16),
        Some(1.5e-8),
        Some(123456789012345.6),
        None,
    ]));
    assert_eq!(
        texts(f, SHOAL),
        [
            "1",
            "2.5",
            "0.30000000000000004",
            "-0",
            "NaN",
            "Infinity",
            "-Infinity",
            "1e16",
            "1.5e-8",
            "123456789012345.6",
            "NULL"
        ]
    );
    let f32s: ArrayRef = Arc::new(Float32Array::from(vec![1.1f32, 3.0]));
    assert_eq!(texts(f32s, SHOAL), ["1.1", "3"]);
    assert_eq!(column_type(&DataType::Float32, SHOAL), ShoalColumnType::Float);
}

#[test]
fn floats_under_sqlite_print_three_decimals() {
    let f: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.0), Some(-2.0 / 3.0), None]));
    assert_eq!(texts(f, SQLITE), ["1.000", "-0.667", "NULL"]);
    assert_eq!(render_f64(f64::NAN, SQLITE), "NaN");
}

#[test]
fn decimals_print_exactly_at_their_scale() {
    let d: ArrayRef = Arc::new(
        Decimal128Array::from(vec![Some(350), Some(-5), Some(0), None])
            .with_precision_and_scale(10, 2)
            .unwrap(),
    );
    assert_eq!(texts(d.clone(), SHOAL), ["3.50", "-0.05", "0.00", "NULL"]);
    assert_eq!(texts(d, SQLITE), ["3.500", "-0.050", "0.000", "NULL"]);
    assert_eq!(column_type(&DataType::Decimal128(10, 2), SHOAL), ShoalColumnType::Float);
}

#[test]
fn dates_and_timestamps() {
    // 2024-02-29 is day 19782 since the epoch.
    let d: ArrayRef = Arc::new(Date32Array::from(vec![Some(19782), Some(-1), None]));
    assert_eq!(texts(d, SHOAL), ["2024-02-29", "1969-12-31", "NULL"]);
    let base = 1_709_210_096; // 2024-02-29T12:34:56
    let s: ArrayRef = Arc::new(TimestampSecondArray::from(vec![Some(base), None]));
    assert_eq!(texts(s, SHOAL), ["2024-02-29T12:34:56", "NULL"]);
    let us: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
        base * 1_000_000,
        base * 1_000_000 + 500_000,
        base * 1_000_000 + 7,
    ]));
    assert_eq!(
        texts(us, SHOAL),
        ["2024-02-29T12:34:56", "2024-02-29T12:34:56.500000", "2024-02-29T12:34:56.000007"]
    );
    let ns: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![base * 1_000_000_000 + 1]));
    assert_eq!(texts(ns, SHOAL), ["2024-02-29T12:34:56.000000001"]);
    let utc: ArrayRef = Arc::new(TimestampSecondArray::from(vec![base]).with_timezone("+00:00".to_string()));
    assert_eq!(texts(utc, SHOAL), ["2024-02-29T12:34:56Z"]);
    let plus_two: ArrayRef =
        Arc::new(TimestampSecondArray::from(vec![base]).with_timezone("+02:00".to_string()));
    assert_eq!(texts(plus_two, SHOAL), ["2024-02-29T14:34:56+02:00"]);
    assert_eq!(column_type(&DataType::Date32, SHOAL), ShoalColumnType::Text);
}

#[test]
fn dictionaries_render_their_values() {
    let dict: DictionaryArray<Int32Type> = vec![Some("x"), None, Some("")].into_iter().collect();
    let dict: ArrayRef = Arc::new(dict);
    assert_eq!(texts(dict.clone(), SHOAL), ["x", "NULL", "(empty)"]);
    assert_eq!(column_type(dict.data_type(), SHOAL), ShoalColumnType::Text);
}

#[test]
fn sqlite_strings_mask_unprintable_bytes() {
    let s: ArrayRef = Arc::new(StringArray::from(vec!["a\tb", "é"]));
    assert_eq!(texts(s.clone(), SQLITE), ["a@b", "@@"]);
    assert_eq!(texts(s, SHOAL), ["a\tb", "é"]);
}

#[test]
fn batches_become_rows() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int32, false),
        Field::new("name", DataType::Utf8, true),
    ]));
    let batch = |ids: Vec<i32>, names: Vec<Option<&str>>| {
        RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(Int32Array::from(ids)), Arc::new(StringArray::from(names))],
        )
        .unwrap()
    };
    let rows =
        render_batches(&[batch(vec![1, 2], vec![Some("a"), None]), batch(vec![3], vec![Some("")])], SHOAL)
            .unwrap();
    assert_eq!(
        rows,
        vec![
            vec!["1".to_string(), "a".to_string()],
            vec!["2".to_string(), "NULL".to_string()],
            vec!["3".to_string(), "(empty)".to_string()],
        ]
    );
}
