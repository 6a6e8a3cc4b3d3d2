//! Three-valued logic: AND / OR / NOT truth tables with NULLs, short-circuiting, comparisons,
//! IS [NOT] DISTINCT FROM, IS [NOT] NULL, BETWEEN.

mod common;

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Int64Array, StringArray};
use common::*;
use shoal_common::ScalarValue;
use shoal_expr::{col, lit, Between, Expr, Operator};

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const N: Option<bool> = None;

/// Every pair of (true, false, NULL).
fn truth_batch() -> arrow::record_batch::RecordBatch {
    let vals = [T, F, N];
    let (mut l, mut r) = (vec![], vec![]);
    for a in vals {
        for b in vals {
            l.push(a);
            r.push(b);
        }
    }
    batch(vec![
        ("l", Arc::new(BooleanArray::from(l)) as ArrayRef),
        ("r", Arc::new(BooleanArray::from(r)) as ArrayRef),
    ])
}

#[test]
fn and_truth_table() {
    let got = eval_bools(col("l").and(col("r")), &truth_batch());
    //            TT TF TN FT FF FN NT NF NN
    assert_eq!(got, vec![T, F, N, F, F, F, N, F, N]);
}

#[test]
fn or_truth_table() {
    let got = eval_bools(col("l").or(col("r")), &truth_batch());
    //            TT TF TN FT FF FN NT NF NN
    assert_eq!(got, vec![T, T, T, T, F, N, T, N, N]);
}

#[test]
fn not_truth_table() {
    let got = eval_bools(Expr::Not(Box::new(col("l"))), &truth_batch());
    assert_eq!(got, vec![F, F, F, T, T, T, N, N, N]);
}

#[test]
fn logic_with_scalar_operands() {
    let b = truth_batch();
    let null = Expr::Literal(ScalarValue::boolean(None));
    assert_eq!(eval_bools(null.clone().and(col("r")), &b), vec![N, F, N, N, F, N, N, F, N]);
    assert_eq!(eval_bools(null.or(col("r")), &b), vec![T, N, N, T, N, N, T, N, N]);
    assert_eq!(eval_bools(lit(true).and(col("r")), &b), vec![T, F, N, T, F, N, T, F, N]);
    assert_eq!(eval_bools(col("r").or(lit(true)), &b), vec![T; 9]);
    assert_eq!(eval_bools(lit(false).or(col("l")), &b), vec![T, T, T, F, F, F, N, N, N]);
}

#[test]
fn and_short_circuits_when_left_is_all_false() {
    // the right side would divide by zero, but no row needs it
    let b = batch(vec![
        ("a", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
        ("z", Arc::new(Int64Array::from(vec![0, 0])) as ArrayRef),
    ]);
    let rhs = lit(1i64).binary(Operator::Divide, col("z")).eq(lit(1i64));
    assert_eq!(eval_bools(col("a").gt(lit(5i64)).and(rhs.clone()), &b), vec![F, F]);
    assert_eq!(eval_bools(col("a").lt(lit(5i64)).or(rhs.clone()), &b), vec![T, T]);
    // when the left does not decide every row, the right side runs (and fails)
    let msg = eval_err(col("a").gt(lit(1i64)).and(rhs), &b);
    assert_eq!(msg, "division by zero in 1 / z");
}

#[test]
fn comparisons_with_nulls() {
    let b = batch(vec![
        ("a", Arc::new(Int64Array::from(vec![Some(1), Some(2), None])) as ArrayRef),
        ("b", Arc::new(Int64Array::from(vec![Some(2), Some(2), Some(2)])) as ArrayRef),
    ]);
    assert_eq!(eval_bools(col("a").eq(col("b")), &b), vec![F, T, N]);
    assert_eq!(eval_bools(col("a").not_eq(col("b")), &b), vec![T, F, N]);
    assert_eq!(eval_bools(col("a").lt(col("b")), &b), vec![T, F, N]);
    assert_eq!(eval_bools(col("a").lt_eq(lit(1i64)), &b), vec![T, F, N]);
    assert_eq!(eval_bools(col("a").gt(lit(1i64)), &b), vec![F, T, N]);
    assert_eq!(eval_bools(col("a").gt_eq(lit(1i64)), &b), vec![T, T, N]);
    assert_eq!(eval_bools(col("a").binary(Operator::IsDistinctFrom, col("b")), &b), vec![T, F, T]);
    assert_eq!(eval_bools(col("a").binary(Operator::IsNotDistinctFrom, col("b")), &b), vec![F, T, F]);
    let null = Expr::Literal(ScalarValue::int64(None));
    assert_eq!(eval_bools(col("a").binary(Operator::IsNotDistinctFrom, null.clone()), &b), vec![F, F, T]);
    assert_eq!(eval_bools(col("a").eq(null), &b), vec![N, N, N]);
    assert_eq!(eval_bools(col("a").is_null(), &b), vec![F, F, T]);
    assert_eq!(eval_bools(col("a").is_not_null(), &b), vec![T, T, F]);
}

#[test]
fn string_comparisons_with_coerced_literals() {
    let b =
        batch(vec![("s", Arc::new(StringArray::from(vec![Some("apple"), Some("pear"), None])) as ArrayRef)]);
    assert_eq!(eval_bools(col("s").eq(lit("pear")), &b), vec![F, T, N]);
    assert_eq!(eval_bools(col("s").lt(lit("b")), &b), vec![T, F, N]);
    let cat = col("s").binary(Operator::StringConcat, lit("!"));
    let out = eval_array(cat, &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["'apple!'", "'pear!'", "NULL"]);
    let cat = lit(">").binary(Operator::StringConcat, col("s"));
    let out = eval_array(cat, &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["'>apple'", "'>pear'", "NULL"]);
    let cat = col("s").binary(Operator::StringConcat, col("s"));
    let out = eval_array(cat, &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["'appleapple'", "'pearpear'", "NULL"]);
}

fn between(e: Expr, negated: bool, low: Expr, high: Expr) -> Expr {
    Expr::Between(Between { expr: Box::new(e), negated, low: Box::new(low), high: Box::new(high) })
}

#[test]
fn between_and_not_between() {
    let b = batch(vec![
        ("a", Arc::new(Int64Array::from(vec![Some(0), Some(1), Some(5), Some(9), None])) as ArrayRef),
        ("h", Arc::new(Int64Array::from(vec![Some(5), Some(5), None, None, Some(5)])) as ArrayRef),
    ]);
    assert_eq!(eval_bools(between(col("a"), false, lit(1i64), lit(5i64)), &b), vec![F, T, T, F, N]);
    assert_eq!(eval_bools(between(col("a"), true, lit(1i64), lit(5i64)), &b), vec![T, F, F, T, N]);
    // a NULL bound: unknown unless the other bound decides
    assert_eq!(eval_bools(between(col("a"), false, lit(1i64), col("h")), &b), vec![F, T, N, N, N]);
    assert_eq!(eval_bools(between(col("a"), true, lit(1i64), col("h")), &b), vec![T, F, N, N, N]);
}
