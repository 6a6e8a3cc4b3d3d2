//! CASE: both forms, NULL conditions as false, missing ELSE, and lazy branch evaluation.

mod common;

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Int64Array, StringArray};
use arrow::datatypes::Int64Type;
use common::*;
use shoal_common::ScalarValue;
use shoal_expr::{col, lit, Case, Expr, Operator};

fn case(operand: Option<Expr>, when_then: Vec<(Expr, Expr)>, else_expr: Option<Expr>) -> Expr {
    Expr::Case(Case { expr: operand.map(Box::new), when_then, else_expr: else_expr.map(Box::new) })
}

fn ints(a: &ArrayRef) -> Vec<Option<i64>> {
    a.as_primitive::<Int64Type>().iter().collect()
}

fn x_batch() -> arrow::record_batch::RecordBatch {
    batch(vec![
        ("s", Arc::new(StringArray::from(vec!["p", "q", "r", "s", "t"])) as ArrayRef),
        ("x", Arc::new(Int64Array::from(vec![Some(2), Some(0), None, Some(-5), Some(10)])) as ArrayRef),
    ])
}

#[test]
fn then_branch_runs_only_on_matching_rows() {
    let b = x_batch();
    let e =
        case(None, vec![(col("x").not_eq(lit(0i64)), lit(10i64).binary(Operator::Divide, col("x")))], None);
    let out = eval_array(e, &b).unwrap();
    assert_eq!(ints(&out), vec![Some(5), None, None, Some(-2), Some(1)]);
}

#[test]
fn later_when_runs_only_on_unmatched_rows() {
    let b = x_batch();
    // the second condition divides by x; the first WHEN has already taken the x = 0 row
    let e = case(
        None,
        vec![
            (col("x").eq(lit(0i64)), lit(0i64)),
            (lit(10i64).binary(Operator::Divide, col("x")).gt(lit(1i64)), lit(1i64)),
        ],
        Some(lit(2i64)),
    );
    let out = eval_array(e, &b).unwrap();
    // x: 2 → 10/2=5>1 → 1; 0 → 0; NULL → condition NULL → ELSE 2; -5 → -2 → 2; 10 → 1 → 2
    assert_eq!(ints(&out), vec![Some(1), Some(0), Some(2), Some(2), Some(2)]);
}

#[test]
fn else_branch_runs_only_on_remaining_rows() {
    let b = x_batch();
    let e = case(
        None,
        vec![(col("x").eq(lit(0i64)).or(col("x").is_null()), lit(-1i64))],
        Some(lit(100i64).binary(Operator::Divide, col("x"))),
    );
    let out = eval_array(e, &b).unwrap();
    assert_eq!(ints(&out), vec![Some(50), Some(-1), Some(-1), Some(-20), Some(10)]);
}

#[test]
fn null_condition_counts_as_false_and_missing_else_is_null() {
    let b = x_batch();
    let e = case(None, vec![(col("x").gt(lit(1i64)), col("s"))], None);
    let out = eval_array(e, &b).unwrap();
    assert_eq!(sql_values(out.as_ref()), vec!["'p'", "NULL", "NULL", "NULL", "'t'"]);
}

#[test]
fn simple_case_form() {
    let b = x_batch();
    let e = case(
        Some(col("x")),
        vec![(lit(0i64), lit("zero")), (lit(2i64), lit("two")), (lit(10i64), col("s"))],
        Some(lit("other")),
    );
    let out = eval_array(e, &b).unwrap();
    // a NULL operand matches no WHEN
    assert_eq!(sql_values(out.as_ref()), vec!["'two'", "'zero'", "'other'", "'other'", "'t'"]);
}

#[test]
fn all_rows_in_one_branch_and_constant_case() {
    let b = x_batch();
    let e = case(None, vec![(lit(true), lit(7i64))], Some(col("x")));
    let out = eval_array(e, &b).unwrap();
    assert_eq!(ints(&out), vec![Some(7); 5]);
    let e = case(None, vec![(col("x").gt(lit(1000i64)), lit(1i64))], Some(col("x")));
    let out = eval_array(e, &b).unwrap();
    assert_eq!(ints(&out), vec![Some(2), Some(0), None, Some(-5), Some(10)]);
    let e = case(None, vec![(Expr::Literal(ScalarValue::boolean(None)), lit(1i64))], None);
    let out = eval_array(e, &b).unwrap();
    assert_eq!(ints(&out), vec![None; 5]);
}

#[test]
fn case_is_bound_to_the_columns_it_reads() {
    // the CASE reads only column 1 of three; results must still line up
    let b = batch(vec![
        ("u", Arc::new(StringArray::from(vec!["a", "b", "c"])) as ArrayRef),
        ("x", Arc::new(Int64Array::from(vec![Some(1), Some(0), Some(4)])) as ArrayRef),
        ("w", Arc::new(Int64Array::from(vec![9, 9, 9])) as ArrayRef),
    ]);
    let e = case(None, vec![(col("x").gt(lit(0i64)), lit(8i64).binary(Operator::Divide, col("x")))], None);
    let bound = bind(e.clone(), &b).unwrap();
    assert_eq!(bound.to_string(), "CASE WHEN x@0 > 0 THEN 8 / x@0 END");
    assert_eq!(ints(&eval_array(e, &b).unwrap()), vec![Some(8), None, Some(2)]);
}
