//! Tests of `SimplifyExpressions`: constant folding, boolean simplification, NULL handling.

mod common;

use arrow::datatypes::DataType;
use common::{apply, count_star, random, run_rule, scan, sum};
use shoal_common::ScalarValue;
use shoal_expr::{col, lit, Between, Expr, LogicalPlan};
use shoal_optimizer::SimplifyExpressions;

fn filtered(predicate: Expr) -> LogicalPlan {
    scan().filter(predicate).unwrap().build().unwrap()
}

fn simplified_filter(predicate: Expr) -> String {
    apply(&SimplifyExpressions, filtered(predicate))
}

fn null_bool() -> Expr {
    Expr::Literal(ScalarValue::boolean(None))
}

fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

#[test]
fn folds_constants_and_keeps_output_names() {
    let plan = scan()
        .project(vec![
            lit(1i64)
                .binary(
                    shoal_expr::Operator::Plus,
                    lit(2i64).binary(shoal_expr::Operator::Multiply, lit(3i64)),
                )
                .alias("x"),
            col("a")
                .binary(shoal_expr::Operator::Plus, lit(2i64).binary(shoal_expr::Operator::Plus, lit(3i64))),
        ])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&SimplifyExpressions, plan),
        "Projection: 7 AS x, a + 5 AS a + (2 + 3)\n  TableScan: t\n"
    );
}

#[test]
fn leaves_failing_constants_for_run_time() {
    let one_over_zero = lit(1i64).binary(shoal_expr::Operator::Divide, lit(0i64));
    let (text, changed) = run_rule(&SimplifyExpressions, filtered(col("a").gt(one_over_zero)));
    assert_eq!(text, "Filter: a > 1 / 0\n  TableScan: t\n");
    assert!(!changed);
}

#[test]
fn folds_around_a_failing_subtree_only_what_evaluates() {
    // `1 / 0 + (2 + 3)`: the sum folds, the division stays.
    let e = lit(1i64)
        .binary(shoal_expr::Operator::Divide, lit(0i64))
        .binary(shoal_expr::Operator::Plus, lit(2i64).binary(shoal_expr::Operator::Plus, lit(3i64)));
    assert_eq!(simplified_filter(col("a").gt(e)), "Filter: a > 1 / 0 + 5\n  TableScan: t\n");
}

#[test]
fn and_or_with_boolean_literals() {
    let p = || col("a").gt(lit(1i64));
    assert_eq!(simplified_filter(p().and(lit(true))), "Filter: a > 1\n  TableScan: t\n");
    assert_eq!(simplified_filter(lit(true).and(p())), "Filter: a > 1\n  TableScan: t\n");
    assert_eq!(simplified_filter(p().and(lit(false))), "Filter: false\n  TableScan: t\n");
    assert_eq!(simplified_filter(lit(false).and(p())), "Filter: false\n  TableScan: t\n");
    assert_eq!(simplified_filter(p().or(lit(true))), "Filter: true\n  TableScan: t\n");
    assert_eq!(simplified_filter(lit(true).or(p())), "Filter: true\n  TableScan: t\n");
    assert_eq!(simplified_filter(p().or(lit(false))), "Filter: a > 1\n  TableScan: t\n");
    assert_eq!(simplified_filter(lit(false).or(p())), "Filter: a > 1\n  TableScan: t\n");
}

#[test]
fn null_and_or_keep_three_valued_semantics() {
    // `x AND NULL` is false or NULL depending on x: it must stay.
    let p = || col("a").gt(lit(1i64));
    let (text, changed) = run_rule(&SimplifyExpressions, filtered(p().and(null_bool())));
    assert_eq!(text, "Filter: a > 1 AND NULL\n  TableScan: t\n");
    assert!(!changed);
    let (text, changed) = run_rule(&SimplifyExpressions, filtered(null_bool().or(p())));
    assert_eq!(text, "Filter: NULL OR a > 1\n  TableScan: t\n");
    assert!(!changed);
    // ... but NULL AND false is false, NULL OR true is true.
    assert_eq!(simplified_filter(null_bool().and(lit(false))), "Filter: false\n  TableScan: t\n");
    assert_eq!(simplified_filter(null_bool().or(lit(true))), "Filter: true\n  TableScan: t\n");
    // A comparison with NULL is NULL.
    assert_eq!(
        simplified_filter(col("a").eq(Expr::Literal(ScalarValue::int64(None)))),
        "Filter: NULL\n  TableScan: t\n"
    );
}

#[test]
fn negations() {
    assert_eq!(simplified_filter(not(not(col("a").gt(lit(1i64))))), "Filter: a > 1\n  TableScan: t\n");
    assert_eq!(simplified_filter(not(col("a").eq(col("b")))), "Filter: a <> b\n  TableScan: t\n");
    assert_eq!(simplified_filter(not(col("a").lt(lit(1i64)))), "Filter: a >= 1\n  TableScan: t\n");
    assert_eq!(
        simplified_filter(not(col("a").binary(shoal_expr::Operator::IsDistinctFrom, col("b")))),
        "Filter: a IS NOT DISTINCT FROM b\n  TableScan: t\n"
    );
    assert_eq!(simplified_filter(not(col("a").is_null())), "Filter: a IS NOT NULL\n  TableScan: t\n");
    // NOT NOT (a = b) → a = b, through a <> b.
    assert_eq!(simplified_filter(not(not(col("a").eq(col("b"))))), "Filter: a = b\n  TableScan: t\n");
}

#[test]
fn is_null_uses_nullability_of_the_input() {
    assert_eq!(simplified_filter(col("id").is_null()), "Filter: false\n  TableScan: t\n");
    assert_eq!(simplified_filter(col("id").is_not_null()), "Filter: true\n  TableScan: t\n");
    let (text, changed) = run_rule(&SimplifyExpressions, filtered(col("a").is_null()));
    assert_eq!(text, "Filter: a IS NULL\n  TableScan: t\n");
    assert!(!changed);
}

#[test]
fn keeps_between_and_folds_its_bounds() {
    let e = Expr::Between(Between {
        expr: Box::new(col("a")),
        negated: false,
        low: Box::new(lit(1i64)),
        high: Box::new(lit(2i64).binary(shoal_expr::Operator::Plus, lit(3i64))),
    });
    assert_eq!(simplified_filter(e), "Filter: a BETWEEN 1 AND 5\n  TableScan: t\n");
}

#[test]
fn never_folds_non_deterministic_functions() {
    let plan = filtered(random().lt(lit(0.5f64)));
    let (text, changed) = run_rule(&SimplifyExpressions, plan);
    assert_eq!(text, "Filter: random() < 0.5\n  TableScan: t\n");
    assert!(!changed);
}

#[test]
fn never_folds_aggregates_but_simplifies_their_arguments() {
    let plan = scan()
        .aggregate(
            vec![col("c")],
            vec![
                count_star(),
                sum(col("a").binary(
                    shoal_expr::Operator::Plus,
                    lit(1i64).binary(shoal_expr::Operator::Plus, lit(1i64)),
                )),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    let text = apply(&SimplifyExpressions, plan);
    assert_eq!(
        text,
        "Aggregate: groupBy=[c], aggr=[count(*), sum(a + 2) AS sum(a + (1 + 1))]\n  TableScan: t\n"
    );
}

#[test]
fn folded_value_keeps_the_expression_type() {
    let plan = scan()
        .project(vec![lit(2i64)
            .binary(shoal_expr::Operator::Plus, lit(3i64))
            .cast_to(DataType::Int32)
            .alias("x")])
        .unwrap()
        .build()
        .unwrap();
    // The test evaluator cannot evaluate a cast: the expression stays, its inner sum folds.
    assert_eq!(apply(&SimplifyExpressions, plan), "Projection: CAST(5 AS INTEGER) AS x\n  TableScan: t\n");
}

#[test]
fn unchanged_plan_reports_no_change() {
    let plan = scan()
        .filter(col("a").gt(lit(1i64)).and(col("b").lt(col("a"))))
        .unwrap()
        .project(vec![col("a"), col("c")])
        .unwrap()
        .build()
        .unwrap();
    let (_, changed) = run_rule(&SimplifyExpressions, plan);
    assert!(!changed);
}
