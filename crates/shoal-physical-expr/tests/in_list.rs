//! IN / NOT IN: hash-set path for literal lists of each specialised type, the OR-of-equalities
//! path for non-literal lists, and NULL semantics on both.

mod common;

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, StringArray};
use common::*;
use shoal_common::ScalarValue;
use shoal_expr::{col, lit, Expr, InList};
use shoal_physical_expr::InListExpr;

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const N: Option<bool> = None;

fn in_list(e: Expr, list: Vec<Expr>, negated: bool) -> Expr {
    Expr::InList(InList { expr: Box::new(e), list, negated })
}

fn null_int() -> Expr {
    Expr::Literal(ScalarValue::int64(None))
}

fn int_batch() -> arrow::record_batch::RecordBatch {
    batch(vec![
        ("a", Arc::new(Int64Array::from(vec![Some(1), Some(2), None])) as ArrayRef),
        ("b", Arc::new(Int64Array::from(vec![Some(1), Some(5), Some(5)])) as ArrayRef),
    ])
}

#[test]
fn integer_literal_list_uses_a_hash_set() {
    let b = int_batch();
    let e = in_list(col("a"), vec![lit(1i64), lit(3i64)], false);
    let bound = bind(e.clone(), &b).unwrap();
    assert!(bound.as_any().downcast_ref::<InListExpr>().is_some());
    assert_eq!(bound.to_string(), "a@0 IN (1, 3)");
    assert_eq!(eval_bools(e, &b), vec![T, F, N]);
    assert_eq!(eval_bools(in_list(col("a"), vec![lit(1i64), lit(3i64)], true), &b), vec![F, T, N]);
}

#[test]
fn null_in_the_list() {
    let b = int_batch();
    // 1 IN (1, NULL) is true; 2 IN (1, NULL) is unknown
    assert_eq!(eval_bools(in_list(col("a"), vec![lit(1i64), null_int()], false), &b), vec![T, N, N]);
    // 1 NOT IN (1, NULL) is false; 2 NOT IN (1, NULL) is unknown
    assert_eq!(eval_bools(in_list(col("a"), vec![lit(1i64), null_int()], true), &b), vec![F, N, N]);
}

#[test]
fn non_literal_list_uses_equalities() {
    let b = int_batch();
    assert_eq!(eval_bools(in_list(col("a"), vec![col("b"), lit(7i64)], false), &b), vec![T, F, N]);
    assert_eq!(eval_bools(in_list(col("a"), vec![col("b"), lit(7i64)], true), &b), vec![F, T, N]);
    assert_eq!(eval_bools(in_list(col("a"), vec![col("b"), null_int()], false), &b), vec![T, N, N]);
    assert_eq!(eval_bools(in_list(col("a"), vec![col("b"), null_int()], true), &b), vec![F, N, N]);
}

#[test]
fn int32_column_with_int64_literals() {
    let b = batch(vec![("a", Arc::new(Int32Array::from(vec![Some(1), Some(4), None])) as ArrayRef)]);
    assert_eq!(eval_bools(in_list(col("a"), vec![lit(4i64), lit(9i64)], false), &b), vec![F, T, N]);
}

#[test]
fn float_list_normalises_zero_and_nan() {
    let b = batch(vec![(
        "x",
        Arc::new(Float64Array::from(vec![Some(-0.0), Some(f64::NAN), Some(1.5), Some(2.0), None]))
            as ArrayRef,
    )]);
    let e = in_list(col("x"), vec![lit(0.0), lit(f64::NAN), lit(1.5)], false);
    assert_eq!(eval_bools(e, &b), vec![T, T, T, F, N]);
}

#[test]
fn string_and_date_lists() {
    let b = batch(vec![
        ("s", Arc::new(StringArray::from(vec![Some("a"), Some("b"), None])) as ArrayRef),
        ("d", Arc::new(Date32Array::from(vec![Some(19000), Some(19001), None])) as ArrayRef),
    ]);
    assert_eq!(eval_bools(in_list(col("s"), vec![lit("b"), lit("c")], false), &b), vec![F, T, N]);
    assert_eq!(eval_bools(in_list(col("s"), vec![lit("b"), lit("c")], true), &b), vec![T, F, N]);
    let day = |d| Expr::Literal(ScalarValue::date32(Some(d)));
    assert_eq!(eval_bools(in_list(col("d"), vec![day(19001)], false), &b), vec![F, T, N]);
    // string literals compared with a date column are coerced to dates
    assert_eq!(eval_bools(in_list(col("d"), vec![lit("2022-01-09")], false), &b), vec![F, T, N]);
}

#[test]
fn string_lists_of_views_and_offsets() {
    let strings = vec![
        Some("AIR"),
        Some("AIR REG"),
        Some("AIRX"),
        None,
        Some("DELIVER IN PERSON"),
        Some("DELIVER IN PERSOX"),
        Some(""),
        Some("exactly12chr"),
    ];
    let arrays: [ArrayRef; 3] = [
        Arc::new(arrow::array::StringViewArray::from(strings.clone())),
        Arc::new(StringArray::from(strings.clone())),
        Arc::new(arrow::array::LargeStringArray::from(strings)),
    ];
    for array in arrays {
        let t = array.data_type().clone();
        let b = batch(vec![("s", array)]);
        let short = vec![lit("AIR"), lit("AIR REG")];
        assert_eq!(
            eval_bools(in_list(col("s"), short.clone(), false), &b),
            vec![T, T, F, N, F, F, F, F],
            "{t}"
        );
        assert_eq!(eval_bools(in_list(col("s"), short, true), &b), vec![F, F, T, N, T, T, T, T], "{t}");
        let long = vec![lit("DELIVER IN PERSON"), lit(""), lit("exactly12chr")];
        assert_eq!(eval_bools(in_list(col("s"), long, false), &b), vec![F, F, F, N, T, F, T, T], "{t}");
        // more values than a linear scan takes: hashed
        let many: Vec<Expr> = ["a", "b", "c", "d", "e", "AIRX", "AIR"].into_iter().map(lit).collect();
        assert_eq!(eval_bools(in_list(col("s"), many, false), &b), vec![T, F, T, N, F, F, F, F], "{t}");
    }
}

#[test]
fn boolean_list() {
    let b = batch(vec![("f", Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])) as ArrayRef)]);
    assert_eq!(eval_bools(in_list(col("f"), vec![lit(false)], false), &b), vec![F, T, N]);
}

#[test]
fn scalar_value_in_list_gives_a_scalar() {
    let b = int_batch();
    let v = eval(in_list(lit(3i64), vec![lit(1i64), lit(3i64)], false), &b).unwrap();
    match v {
        shoal_expr::ColumnarValue::Scalar(s) => assert_eq!(s.as_bool(), Some(true)),
        other => panic!("expected a scalar, got {other:?}"),
    }
}
