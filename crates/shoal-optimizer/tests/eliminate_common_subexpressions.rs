//! `eliminate_common_subexpressions`: repeated expressions in aggregates, projections and
//! filters are computed once below the node; conditional-only repeats, volatile functions and
//! single occurrences are left alone; output names never change.

mod common;

use common::{apply, optimize, random, run_rule, scan, sum};
use shoal_expr::{col, lit, Expr, Operator};
use shoal_optimizer::EliminateCommonSubexpressions;

fn price() -> Expr {
    // a * (1 - b), as TPC-H Q1's l_extendedprice * (1 - l_discount)
    col("a").binary(Operator::Multiply, lit(1i64).binary(Operator::Minus, col("b")))
}

#[test]
fn repeated_aggregate_argument_is_computed_once() {
    let plan = scan()
        .aggregate(
            vec![col("c")],
            vec![
                sum(price()),
                sum(price().binary(Operator::Multiply, lit(1i64).binary(Operator::Plus, col("id")))),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&EliminateCommonSubexpressions, plan),
        "Aggregate: groupBy=[c], aggr=[sum(__common_expr_1) AS sum(a * (1 - b)), \
         sum(__common_expr_1 * (1 + id)) AS sum(a * (1 - b) * (1 + id))]\n  \
         Projection: t.a, t.b, t.c, t.id, a * (1 - b) AS __common_expr_1\n    TableScan: t\n"
    );
}

#[test]
fn repeated_projection_expression_keeps_output_names() {
    let plan = scan()
        .project(vec![price(), price().binary(Operator::Plus, col("id")).alias("y")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&EliminateCommonSubexpressions, plan),
        "Projection: __common_expr_1 AS a * (1 - b), __common_expr_1 + id AS y\n  \
         Projection: t.a, t.b, t.c, t.id, a * (1 - b) AS __common_expr_1\n    TableScan: t\n"
    );
}

#[test]
fn repeated_filter_expression_is_computed_once() {
    let pred = price().gt(lit(10i64)).and(price().lt(lit(20i64)));
    let plan = scan().filter(pred).unwrap().build().unwrap();
    let text = apply(&EliminateCommonSubexpressions, plan);
    assert_eq!(
        text,
        "Projection: t.a, t.b, t.c, t.id\n  Filter: __common_expr_1 > 10 AND __common_expr_1 < 20\n    \
         Projection: t.a, t.b, t.c, t.id, a * (1 - b) AS __common_expr_1\n      TableScan: t\n"
    );
}

#[test]
fn whole_optimizer_keeps_the_extraction() {
    let pred = price().gt(lit(10i64)).and(price().lt(lit(20i64)));
    let plan = scan().filter(pred).unwrap().project(vec![col("c")]).unwrap().build().unwrap();
    let text = optimize(plan);
    assert_eq!(text.matches("__common_expr_1 > 10").count(), 1, "{text}");
    assert_eq!(text.matches("AS __common_expr_1").count(), 1, "{text}");
}

#[test]
fn conditional_only_and_volatile_repeats_stay() {
    // both occurrences under CASE: evaluating either for every row could fail where the
    // query would not
    let case = |e: Expr| {
        Expr::Case(shoal_expr::Case {
            expr: None,
            when_then: vec![(col("b").gt(lit(0i64)), e)],
            else_expr: None,
        })
    };
    let div = || col("a").binary(Operator::Divide, col("b"));
    let plan = scan()
        .project(vec![case(div()), case(div().binary(Operator::Plus, lit(1i64))).alias("z")])
        .unwrap()
        .build()
        .unwrap();
    let (_, changed) = run_rule(&EliminateCommonSubexpressions, plan);
    assert!(!changed);
    // random() differs per call
    let r = || random().binary(Operator::Plus, col("a"));
    let plan = scan().project(vec![r(), r().alias("z")]).unwrap().build().unwrap();
    let (_, changed) = run_rule(&EliminateCommonSubexpressions, plan);
    assert!(!changed);
    // a single occurrence
    let plan = scan().project(vec![price()]).unwrap().build().unwrap();
    let (_, changed) = run_rule(&EliminateCommonSubexpressions, plan);
    assert!(!changed);
}
