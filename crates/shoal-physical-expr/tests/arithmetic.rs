//! Arithmetic: checked integer overflow, division by zero (integer, decimal, float), decimals,
//! date/timestamp ± interval, negation, scalar results for scalar inputs.

mod common;

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array,
};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use common::*;
use shoal_common::ScalarValue;
use shoal_expr::{col, lit, Expr, Operator};

fn ints(v: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(Int64Array::from(v))
}

#[test]
fn integer_arithmetic_values() {
    let b =
        batch(vec![("a", ints(vec![Some(7), None, Some(-7)])), ("b", ints(vec![Some(2), Some(3), Some(2)]))]);
    let get = |op: Operator| -> Vec<Option<i64>> {
        let a = eval_array(col("a").binary(op, col("b")), &b).unwrap();
        a.as_primitive::<Int64Type>().iter().collect()
    };
    assert_eq!(get(Operator::Plus), vec![Some(9), None, Some(-5)]);
    assert_eq!(get(Operator::Minus), vec![Some(5), None, Some(-9)]);
    assert_eq!(get(Operator::Multiply), vec![Some(14), None, Some(-14)]);
    // integer division truncates toward zero; the remainder takes the dividend's sign
    assert_eq!(get(Operator::Divide), vec![Some(3), None, Some(-3)]);
    assert_eq!(get(Operator::Modulo), vec![Some(1), None, Some(-1)]);
}

#[test]
fn integer_overflow_is_an_error() {
    let b = batch(vec![("a", ints(vec![Some(1), Some(i64::MAX)]))]);
    let msg = eval_err(col("a").binary(Operator::Plus, lit(1i64)), &b);
    assert_eq!(msg, "integer overflow in a + 1");
    let msg = eval_err(col("a").binary(Operator::Multiply, lit(2i64)), &b);
    assert_eq!(msg, "integer overflow in a * 2");
    let b = batch(vec![("a", ints(vec![Some(i64::MIN)]))]);
    assert_eq!(eval_err(col("a").binary(Operator::Divide, lit(-1i64)), &b), "integer overflow in a / -1");
    assert_eq!(eval_err(Expr::Negative(Box::new(col("a"))), &b), "integer overflow in -a");
}

#[test]
fn int32_overflow_stays_in_int32() {
    let b = batch(vec![("a", Arc::new(Int32Array::from(vec![i32::MAX])) as ArrayRef)]);
    let two = Expr::Literal(ScalarValue::int64(Some(2)).cast_to(&DataType::Int32).unwrap());
    assert_eq!(eval_err(col("a").binary(Operator::Plus, two), &b), "integer overflow in a + 2");
}

#[test]
fn integer_division_by_zero_is_an_error() {
    let b = batch(vec![("a", ints(vec![Some(10), Some(20)])), ("b", ints(vec![Some(5), Some(0)]))]);
    assert_eq!(eval_err(col("a").binary(Operator::Divide, col("b")), &b), "division by zero in a / b");
    assert_eq!(eval_err(col("a").binary(Operator::Modulo, col("b")), &b), "division by zero in a % b");
    assert_eq!(eval_err(col("a").binary(Operator::Divide, lit(0i64)), &b), "division by zero in a / 0");
}

#[test]
fn null_divided_by_zero_is_null() {
    let b = batch(vec![("a", ints(vec![None, None])), ("b", ints(vec![Some(0), Some(0)]))]);
    let out = eval_array(col("a").binary(Operator::Divide, col("b")), &b).unwrap();
    assert_eq!(out.null_count(), 2);
    let f = batch(vec![
        ("x", Arc::new(Float64Array::from(vec![None, Some(1.0)])) as ArrayRef),
        ("y", Arc::new(Float64Array::from(vec![Some(0.0), None])) as ArrayRef),
    ]);
    let out = eval_array(col("x").binary(Operator::Divide, col("y")), &f).unwrap();
    assert_eq!(out.null_count(), 2);
}

#[test]
fn float_division_by_zero_is_an_error() {
    let b = batch(vec![
        ("x", Arc::new(Float64Array::from(vec![1.0, 2.0])) as ArrayRef),
        ("y", Arc::new(Float64Array::from(vec![0.5, 0.0])) as ArrayRef),
    ]);
    assert_eq!(eval_err(col("x").binary(Operator::Divide, col("y")), &b), "division by zero in x / y");
    assert_eq!(eval_err(col("x").binary(Operator::Modulo, col("y")), &b), "division by zero in x % y");
    assert_eq!(eval_err(col("x").binary(Operator::Divide, lit(0.0)), &b), "division by zero in x / 0.0");
    let ok = eval_array(col("x").binary(Operator::Divide, lit(4.0)), &b).unwrap();
    let v: Vec<f64> = ok.as_primitive::<Float64Type>().values().to_vec();
    assert_eq!(v, vec![0.25, 0.5]);
}

#[test]
fn decimal_arithmetic_values_and_types() {
    let price =
        Decimal128Array::from(vec![Some(1050), Some(-25), None]).with_precision_and_scale(10, 2).unwrap();
    let qty = Decimal128Array::from(vec![Some(3), Some(4), Some(1)]).with_precision_and_scale(5, 0).unwrap();
    let b = batch(vec![("price", Arc::new(price) as ArrayRef), ("qty", Arc::new(qty) as ArrayRef)]);

    let e = col("price").binary(Operator::Multiply, col("qty"));
    let out = eval_array(e.clone(), &b).unwrap();
    let planned = bind(e, &b).unwrap();
    assert_eq!(out.data_type(), planned.data_type());
    assert_eq!(out.data_type(), &DataType::Decimal128(16, 2));
    assert_eq!(sql_values(out.as_ref()), vec!["31.50", "-1.00", "NULL"]);

    let out = eval_array(col("price").binary(Operator::Plus, col("qty")), &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["13.50", "3.75", "NULL"]);

    // decimal + integer literal
    let out = eval_array(col("price").binary(Operator::Minus, lit(1i64)), &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["9.50", "-1.25", "NULL"]);

    let msg = eval_err(col("price").binary(Operator::Divide, lit(0i64)), &b);
    assert_eq!(msg, "division by zero in price / 0");
}

#[test]
fn date_plus_interval() {
    // 2024-01-31 + 1 month = 2024-02-29; + 1 day = 2024-02-01
    let d = Date32Array::from(vec![Some(19753), None]);
    let b = batch(vec![("d", Arc::new(d) as ArrayRef)]);
    let month = Expr::Literal(ScalarValue::interval(1, 0, 0));
    let out = eval_array(col("d").binary(Operator::Plus, month), &b).unwrap();
    assert_eq!(out.data_type(), &DataType::Date32);
    assert_eq!(sql_values(out.as_ref()), vec!["DATE '2024-02-29'", "NULL"]);
    let day = Expr::Literal(ScalarValue::interval(0, 1, 0));
    let out = eval_array(col("d").binary(Operator::Minus, day), &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["DATE '2024-01-30'", "NULL"]);
}

#[test]
fn timestamp_plus_interval() {
    let ts = ScalarValue::timestamp_micros(Some(0));
    let hour = ScalarValue::interval(0, 0, 3_600_000_000_000);
    let e = Expr::Literal(ts).binary(Operator::Plus, Expr::Literal(hour));
    let v = eval(e, &one_row()).unwrap();
    let shoal_expr::ColumnarValue::Scalar(s) = v else { panic!("expected a scalar") };
    assert_eq!(s.to_sql_string(), "TIMESTAMP '1970-01-01T01:00:00'");
}

#[test]
fn scalar_inputs_give_a_scalar() {
    let b = batch(vec![("a", ints(vec![Some(1), Some(2), Some(3)]))]);
    let v = eval(lit(2i64).binary(Operator::Multiply, lit(21i64)), &b).unwrap();
    match v {
        shoal_expr::ColumnarValue::Scalar(s) => assert_eq!(s.as_i64(), Some(42)),
        other => panic!("expected a scalar, got {other:?}"),
    }
    let v = eval(col("a").binary(Operator::Plus, lit(1i64)), &b).unwrap();
    assert!(matches!(v, shoal_expr::ColumnarValue::Array(ref a) if a.len() == 3));
}

#[test]
fn negation() {
    let b = batch(vec![("a", ints(vec![Some(1), None, Some(-3)]))]);
    let out = eval_array(Expr::Negative(Box::new(col("a"))), &b).unwrap();
    assert_eq!(out.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(), vec![Some(-1), None, Some(3)]);
}
