//! CAST (errors naming the value) and TRY_CAST (NULL on failure).

mod common;

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Float64Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Int64Type, Int8Type, TimeUnit};
use common::*;
use shoal_expr::{col, Cast, Expr, TryCast};

fn cast(e: Expr, t: DataType) -> Expr {
    Expr::Cast(Cast { expr: Box::new(e), data_type: t })
}

fn try_cast(e: Expr, t: DataType) -> Expr {
    Expr::TryCast(TryCast { expr: Box::new(e), data_type: t })
}

fn strings() -> arrow::record_batch::RecordBatch {
    batch(vec![(
        "s",
        Arc::new(StringArray::from(vec![Some("12"), Some("abc"), None, Some("-3")])) as ArrayRef,
    )])
}

#[test]
fn cast_string_to_int_names_the_bad_value() {
    let msg = eval_err(cast(col("s"), DataType::Int64), &strings());
    assert_eq!(msg, "cannot cast 'abc' to BIGINT");
}

#[test]
fn try_cast_gives_null_on_failure() {
    let out = eval_array(try_cast(col("s"), DataType::Int64), &strings()).unwrap();
    let v: Vec<Option<i64>> = out.as_primitive::<Int64Type>().iter().collect();
    assert_eq!(v, vec![Some(12), None, None, Some(-3)]);
}

#[test]
fn cast_good_values() {
    let b = batch(vec![("s", Arc::new(StringArray::from(vec![Some("12"), None])) as ArrayRef)]);
    let out = eval_array(cast(col("s"), DataType::Int64), &b).unwrap();
    let v: Vec<Option<i64>> = out.as_primitive::<Int64Type>().iter().collect();
    assert_eq!(v, vec![Some(12), None]);
    let b = batch(vec![("s", Arc::new(StringArray::from(vec![Some("2024-02-29")])) as ArrayRef)]);
    let out = eval_array(cast(col("s"), DataType::Date32), &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["DATE '2024-02-29'"]);
    let out = eval_array(cast(col("s"), DataType::Timestamp(TimeUnit::Microsecond, None)), &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["TIMESTAMP '2024-02-29T00:00:00'"]);
}

#[test]
fn cast_bad_dates_and_overflow() {
    let b = batch(vec![("s", Arc::new(StringArray::from(vec![Some("2024-02-30")])) as ArrayRef)]);
    assert_eq!(eval_err(cast(col("s"), DataType::Date32), &b), "cannot cast '2024-02-30' to DATE");
    let out = eval_array(try_cast(col("s"), DataType::Date32), &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["NULL"]);

    let b = batch(vec![("a", Arc::new(Int64Array::from(vec![1, 300])) as ArrayRef)]);
    assert_eq!(eval_err(cast(col("a"), DataType::Int8), &b), "cannot cast 300 to TINYINT");
    let out = eval_array(try_cast(col("a"), DataType::Int8), &b).unwrap();
    let v: Vec<Option<i8>> = out.as_primitive::<Int8Type>().iter().collect();
    assert_eq!(v, vec![Some(1), None]);
}

#[test]
fn cast_float_to_decimal_and_int() {
    let b = batch(vec![("x", Arc::new(Float64Array::from(vec![1.25, -2.5])) as ArrayRef)]);
    let out = eval_array(cast(col("x"), DataType::Decimal128(10, 2)), &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["1.25", "-2.50"]);
    let b = batch(vec![("x", Arc::new(Float64Array::from(vec![1e300])) as ArrayRef)]);
    assert_eq!(eval_err(cast(col("x"), DataType::Int64), &b), "cannot cast 1e300 to BIGINT");
}
