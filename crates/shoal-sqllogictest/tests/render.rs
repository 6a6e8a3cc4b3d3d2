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
use shoal_sqllogictest::render::{
    column_type, render_batches, render_column, render_f64, render_sqlite_batches, render_sqlite_column,
    round_decimal_text, sqlite_fixed3, sqlite_g15,
};
use shoal_sqllogictest::{ShoalColumnType, ValueStyle};

const SHOAL: ValueStyle = ValueStyle::Shoal;
const SQLITE: ValueStyle = ValueStyle::Sqlite;
const DATAFUSION: ValueStyle = ValueStyle::DataFusion;

fn texts(array: ArrayRef, style: ValueStyle) -> Vec<String> {
    render_column(array.as_ref(), style).unwrap()
}

#[test]
fn style_follows_the_file_extension() {
    assert_eq!(ValueStyle::for_path(Path::new("a/b.slt")), SHOAL);
    assert_eq!(ValueStyle::for_path(Path::new("select1.test")), SQLITE);
    assert_eq!(ValueStyle::for_path(Path::new("noext")), SHOAL);
    assert_eq!(ValueStyle::for_path(Path::new("datafusion/sqllogictest/test_files/a.slt")), DATAFUSION);
    assert_eq!(ValueStyle::for_path(Path::new("testdata/DataFusion/a.slt")), DATAFUSION);
    // a directory named datafusion, not a file or a directory merely containing the word
    assert_eq!(ValueStyle::for_path(Path::new("testdata/datafusion.slt")), SHOAL);
    assert_eq!(ValueStyle::for_path(Path::new("datafusion-ports/a.slt")), SHOAL);
    // .test files are SQLite's wherever they are
    assert_eq!(ValueStyle::for_path(Path::new("datafusion/a.test")), SQLITE);
    for style in [SHOAL, SQLITE, DATAFUSION] {
        assert_eq!(ValueStyle::from_name(style.name()), Some(style));
    }
    assert_eq!(ValueStyle::from_name("DataFusion"), Some(DATAFUSION));
    assert_eq!(ValueStyle::from_name("duckdb"), None);
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

#[test]
fn datafusion_floats_round_to_twelve_places() {
    let f: ArrayRef = Arc::new(Float64Array::from(vec![
        Some(1.0),
        Some(0.1 + 0.2),
        Some(2.0 / 3.0),
        Some(-0.0),
        Some(1e20),
        Some(1.5e-8),
        Some(1e-13),
        Some(-1e-13),
        Some(f64::NAN),
        Some(f64::INFINITY),
        Some(f64::NEG_INFINITY),
        None,
    ]));
    assert_eq!(
        texts(f, DATAFUSION),
        [
            "1",
            "0.3",
            "0.666666666667",
            "0",
            "100000000000000000000",
            "0.000000015",
            "0",
            "0",
            "NaN",
            "Infinity",
            "-Infinity",
            "NULL"
        ]
    );
    let f32s: ArrayRef = Arc::new(Float32Array::from(vec![1.1f32, 3.0]));
    assert_eq!(texts(f32s, DATAFUSION), ["1.1", "3"]);
    assert_eq!(render_f64(12.345678, DATAFUSION), "12.345678");
    assert_eq!(column_type(&DataType::Float64, DATAFUSION), ShoalColumnType::Float);
}

#[test]
fn datafusion_decimals_trim_trailing_zeros() {
    let d: ArrayRef = Arc::new(
        Decimal128Array::from(vec![Some(350), Some(-5), Some(0), Some(-12300), None])
            .with_precision_and_scale(10, 2)
            .unwrap(),
    );
    assert_eq!(texts(d, DATAFUSION), ["3.5", "-0.05", "0", "-123", "NULL"]);
    let fine: ArrayRef = Arc::new(
        Decimal128Array::from(vec![10_i128.pow(13) + 11, 15, 5, 25])
            .with_precision_and_scale(20, 13)
            .unwrap(),
    );
    // rounded to 12 places, half to even
    assert_eq!(texts(fine, DATAFUSION), ["1.000000000001", "0.000000000002", "0", "0.000000000002"]);
}

#[test]
fn rounding_decimal_text() {
    assert_eq!(round_decimal_text("0.30000000000000004", 12), "0.3");
    assert_eq!(round_decimal_text("-0.0000000000001", 12), "0");
    assert_eq!(round_decimal_text("9.9999999999999", 12), "10");
    assert_eq!(round_decimal_text("-9.9999999999995", 12), "-10");
    assert_eq!(round_decimal_text("0.0000000000025", 12), "0.000000000002");
    assert_eq!(round_decimal_text("0.00000000000250001", 12), "0.000000000003");
    assert_eq!(round_decimal_text("100", 12), "100");
    assert_eq!(round_decimal_text("-1.50", 12), "-1.5");
    assert_eq!(round_decimal_text("2.5", 0), "2");
    assert_eq!(round_decimal_text("3.5", 0), "4");
    assert_eq!(round_decimal_text("abc", 12), "abc");
}

#[test]
fn datafusion_other_values() {
    let b: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), Some(false), None]));
    assert_eq!(texts(b, DATAFUSION), ["true", "false", "NULL"]);
    let s: ArrayRef = Arc::new(StringArray::from(vec![Some(""), Some("a\n\n"), Some("x\u{0}y"), None]));
    assert_eq!(texts(s, DATAFUSION), ["(empty)", "a", "x\\0y", "NULL"]);
    let base = 1_709_210_096; // 2024-02-29T12:34:56
    let us: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
        Some(base * 1_000_000),
        Some(base * 1_000_000 + 500_000),
        None,
    ]));
    assert_eq!(texts(us.clone(), DATAFUSION), ["2024-02-29T12:34:56", "2024-02-29T12:34:56.500", "NULL"]);
    let d: ArrayRef = Arc::new(Date32Array::from(vec![19782]));
    assert_eq!(texts(d.clone(), DATAFUSION), ["2024-02-29"]);
    assert_eq!(column_type(us.data_type(), DATAFUSION), ShoalColumnType::Other('P'));
    assert_eq!(column_type(d.data_type(), DATAFUSION), ShoalColumnType::Other('D'));
    assert_eq!(column_type(&DataType::Boolean, DATAFUSION), ShoalColumnType::Boolean);
    assert_eq!(column_type(&DataType::Utf8View, DATAFUSION), ShoalColumnType::Text);
    assert_eq!(column_type(&DataType::Null, DATAFUSION), ShoalColumnType::Other('?'));
    let dict: DictionaryArray<Int32Type> = vec![Some("x"), None, Some("")].into_iter().collect();
    let dict: ArrayRef = Arc::new(dict);
    assert_eq!(texts(dict.clone(), DATAFUSION), ["x", "NULL", "(empty)"]);
    assert_eq!(column_type(dict.data_type(), DATAFUSION), ShoalColumnType::Text);
}

#[test]
fn datafusion_splits_a_multi_line_last_cell_into_rows() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("plan_type", DataType::Utf8, false),
        Field::new("plan", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec!["logical_plan"])),
            Arc::new(StringArray::from(vec!["Sort: a\n  Projection: a"])),
        ],
    )
    .unwrap();
    let rows = render_batches(std::slice::from_ref(&batch), DATAFUSION).unwrap();
    assert_eq!(
        rows,
        vec![
            vec!["logical_plan".to_string()],
            vec!["01)Sort: a".to_string()],
            vec!["02)--Projection: a".to_string()]
        ]
    );
    assert_eq!(render_batches(&[batch], SHOAL).unwrap().len(), 1);
}

#[test]
fn sqlite_formats_by_the_type_letter() {
    use ShoalColumnType::{Float as R, Integer as I, Text as T};
    let f: ArrayRef =
        Arc::new(Float64Array::from(vec![Some(-2.7), Some(2.999), Some(1e30), None, Some(f64::NAN)]));
    assert_eq!(
        render_sqlite_column(f.as_ref(), I).unwrap(),
        ["-2", "2", "9223372036854775807", "NULL", "NaN"]
    );
    assert_eq!(
        render_sqlite_column(f.as_ref(), R).unwrap(),
        ["-2.700", "2.999", "1000000000000000019884624838656.000", "NULL", "NaN"]
    );
    assert_eq!(render_sqlite_column(f.as_ref(), T).unwrap(), ["-2.7", "2.999", "1.0e+30", "NULL", "NaN"]);
    let i: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None]));
    assert_eq!(render_sqlite_column(i.as_ref(), R).unwrap(), ["7.000", "NULL"]);
    assert_eq!(render_sqlite_column(i.as_ref(), T).unwrap(), ["7", "NULL"]);
    let d: ArrayRef = Arc::new(
        Decimal128Array::from(vec![Some(350), Some(-799), Some(-50)])
            .with_precision_and_scale(10, 2)
            .unwrap(),
    );
    assert_eq!(render_sqlite_column(d.as_ref(), I).unwrap(), ["3", "-7", "0"]);
    assert_eq!(render_sqlite_column(d.as_ref(), R).unwrap(), ["3.500", "-7.990", "-0.500"]);
    assert_eq!(render_sqlite_column(d.as_ref(), T).unwrap(), ["3.5", "-7.99", "-0.5"]);
    let s: ArrayRef =
        Arc::new(StringArray::from(vec![Some("12ab"), Some(""), Some(" -3.5e1x"), Some("x\ty")]));
    assert_eq!(render_sqlite_column(s.as_ref(), I).unwrap(), ["12", "0", "-3", "0"]);
    assert_eq!(render_sqlite_column(s.as_ref(), R).unwrap(), ["12.000", "0.000", "-35.000", "0.000"]);
    assert_eq!(render_sqlite_column(s.as_ref(), T).unwrap(), ["12ab", "(empty)", " -3.5e1x", "x@y"]);
    let b: ArrayRef = Arc::new(BooleanArray::from(vec![true, false]));
    assert_eq!(render_sqlite_column(b.as_ref(), R).unwrap(), ["1.000", "0.000"]);
    assert_eq!(render_sqlite_column(b.as_ref(), T).unwrap(), ["1", "0"]);

    // batches: letters per column; a column without a letter gets its type's
    let schema = Arc::new(Schema::new(vec![
        Field::new("i", DataType::Int64, true),
        Field::new("f", DataType::Float64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![Arc::new(Int64Array::from(vec![3])), Arc::new(Float64Array::from(vec![0.5]))],
    )
    .unwrap();
    assert_eq!(
        render_sqlite_batches(std::slice::from_ref(&batch), &[R, I]).unwrap(),
        vec![vec!["3.000", "0"]]
    );
    assert_eq!(render_sqlite_batches(&[batch], &[T]).unwrap(), vec![vec!["3", "0.500"]]);
}

#[test]
fn sqlite_printf() {
    // %.3f rounds half away from zero on the exact binary value
    assert_eq!(sqlite_fixed3(0.0625), "0.063");
    assert_eq!(sqlite_fixed3(-0.0625), "-0.063");
    assert_eq!(sqlite_fixed3(1.0005), "1.000"); // 1.00049999999999994...
    assert_eq!(sqlite_fixed3(2.6745), "2.675"); // 2.67450000000000009...
    assert_eq!(sqlite_fixed3(1.2345), "1.234"); // 1.23449999999999993...
    assert_eq!(sqlite_fixed3(9.9996), "10.000");
    assert_eq!(sqlite_fixed3(-0.0), "0.000");
    assert_eq!(sqlite_fixed3(-0.0001), "-0.000");
    assert_eq!(sqlite_fixed3(f64::INFINITY), "Inf");
    assert_eq!(sqlite_fixed3(f64::NEG_INFINITY), "-Inf");
    // %!.15g
    assert_eq!(sqlite_g15(2.0), "2.0");
    assert_eq!(sqlite_g15(-1.5), "-1.5");
    assert_eq!(sqlite_g15(0.1 + 0.2), "0.3");
    assert_eq!(sqlite_g15(1e20), "1.0e+20");
    assert_eq!(sqlite_g15(1.5e-5), "1.5e-05");
    assert_eq!(sqlite_g15(0.0001), "0.0001");
    assert_eq!(sqlite_g15(123456789012345.0), "123456789012345.0");
    assert_eq!(sqlite_g15(1234567890123456.0), "1.23456789012346e+15");
    assert_eq!(sqlite_g15(0.0), "0.0");
}
