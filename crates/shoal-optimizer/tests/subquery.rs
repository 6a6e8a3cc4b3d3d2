//! Tests of `DecorrelatePredicateSubquery` and `ScalarSubqueryToJoin`: EXISTS / IN / NOT IN to
//! semi and anti joins, correlated predicates pulled into join keys and filters, scalar
//! subqueries to cross and left joins (grouped by the correlation keys, count bug fixed),
//! and the mark-join fallback under OR.

mod common;

use std::sync::Arc;

use arrow::datatypes::DataType;
use common::{apply, count_star, scan, sum, table};
use shoal_expr::{col, lit, Column, Exists, Expr, InSubquery, LogicalPlan, LogicalPlanBuilder, Subquery};
use shoal_optimizer::{DecorrelatePredicateSubquery, OptimizerRule, ScalarSubqueryToJoin};

fn qcol(relation: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(relation), name))
}

fn outer(name: &str) -> Expr {
    Expr::OuterReferenceColumn(DataType::Int64, Column::new(Some("t"), name))
}

fn scan_u() -> LogicalPlanBuilder {
    LogicalPlanBuilder::scan("u", table()).unwrap()
}

fn subquery(plan: LogicalPlan, outer_refs: Vec<Expr>) -> Subquery {
    Subquery { plan: Arc::new(plan), outer_refs }
}

fn exists(plan: LogicalPlan, outer_refs: Vec<Expr>, negated: bool) -> Expr {
    Expr::Exists(Exists { subquery: subquery(plan, outer_refs), negated })
}

fn in_subquery(x: Expr, plan: LogicalPlan, outer_refs: Vec<Expr>, negated: bool) -> Expr {
    Expr::InSubquery(InSubquery { expr: Box::new(x), subquery: subquery(plan, outer_refs), negated })
}

fn scalar(plan: LogicalPlan, outer_refs: Vec<Expr>) -> Expr {
    Expr::ScalarSubquery(subquery(plan, outer_refs))
}

/// `SELECT u.id FROM u WHERE u.a = t.a AND u.b > 1`
fn correlated_ids() -> LogicalPlan {
    scan_u()
        .filter(qcol("u", "a").eq(outer("a")).and(qcol("u", "b").gt(lit(1i64))))
        .unwrap()
        .project(vec![qcol("u", "id")])
        .unwrap()
        .build()
        .unwrap()
}

#[test]
fn correlated_exists_becomes_semi_join_on_the_correlation_key() {
    let plan = scan().filter(exists(correlated_ids(), vec![outer("a")], false)).unwrap().build().unwrap();
    assert_eq!(
        apply(&DecorrelatePredicateSubquery, plan),
        "Join: type=LeftSemi, on=[t.a = __correlated_sq_1.a]\n  TableScan: t\n  SubqueryAlias: __correlated_sq_1\n    Projection: u.id, u.a\n      Filter: u.b > 1\n        TableScan: u\n"
    );
}

#[test]
fn not_exists_with_non_equality_correlation_uses_the_join_filter() {
    let sub = scan_u().filter(qcol("u", "a").eq(outer("a")).and(qcol("u", "b").not_eq(outer("b")))).unwrap();
    let sub = sub.project(vec![qcol("u", "id")]).unwrap().build().unwrap();
    let plan = scan().filter(exists(sub, vec![outer("a"), outer("b")], true)).unwrap().build().unwrap();
    assert_eq!(
        apply(&DecorrelatePredicateSubquery, plan),
        "Join: type=LeftAnti, on=[t.a = __correlated_sq_1.a], filter=__correlated_sq_1.b <> t.b\n  TableScan: t\n  SubqueryAlias: __correlated_sq_1\n    Projection: u.id, u.a, u.b\n      TableScan: u\n"
    );
}

#[test]
fn in_becomes_semi_join_and_not_in_a_null_aware_anti_join() {
    let ids = scan_u().project(vec![qcol("u", "id")]).unwrap().build().unwrap();
    let plan = scan()
        .filter(in_subquery(col("a"), ids.clone(), vec![], false).and(col("b").gt(lit(0i64))))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&DecorrelatePredicateSubquery, plan),
        "Filter: t.b > 0\n  Join: type=LeftSemi, on=[t.a = __correlated_sq_1.id]\n    TableScan: t\n    SubqueryAlias: __correlated_sq_1\n      Projection: u.id\n        TableScan: u\n"
    );
    let plan = scan().filter(in_subquery(col("a"), ids, vec![], true)).unwrap().build().unwrap();
    assert_eq!(
        apply(&DecorrelatePredicateSubquery, plan),
        "Join: type=LeftAnti, on=[t.a = __correlated_sq_1.id], null_aware\n  TableScan: t\n  SubqueryAlias: __correlated_sq_1\n    Projection: u.id\n      TableScan: u\n"
    );
}

#[test]
fn correlated_not_in_checks_unknown_comparisons_per_key() {
    let plan = scan().filter(in_subquery(col("b"), correlated_ids(), vec![outer("a")], true)).unwrap();
    assert_eq!(
        apply(&DecorrelatePredicateSubquery, plan.build().unwrap()),
        "Join: type=LeftAnti, on=[t.a = __correlated_sq_1.a], filter=t.b = __correlated_sq_1.id IS DISTINCT FROM false\n  TableScan: t\n  SubqueryAlias: __correlated_sq_1\n    Projection: u.id, u.a\n      Filter: u.b > 1\n        TableScan: u\n"
    );
}

#[test]
fn exists_under_or_is_a_left_join_against_distinct_keys() {
    let plan = scan()
        .filter(exists(correlated_ids(), vec![outer("a")], false).or(col("b").eq(lit(7i64))))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&DecorrelatePredicateSubquery, plan),
        "Projection: t.a, t.b, t.c, t.id\n  Filter: __exists_sq_1.__exists IS NOT NULL OR t.b = 7\n    Join: type=Left, on=[t.a = __exists_sq_1.__key_0]\n      TableScan: t\n      SubqueryAlias: __exists_sq_1\n        Projection: u.a AS __key_0, true AS __exists\n          Aggregate: groupBy=[u.a], aggr=[]\n            Projection: u.id, u.a\n              Filter: u.b > 1\n                TableScan: u\n"
    );
}

#[test]
fn uncorrelated_scalar_subquery_is_cross_joined_as_one_checked_row() {
    let sub = scan_u().project(vec![qcol("u", "b")]).unwrap().build().unwrap();
    let plan = scan().filter(col("a").gt(scalar(sub, vec![]))).unwrap().build().unwrap();
    assert_eq!(
        apply(&ScalarSubqueryToJoin, plan),
        "Projection: t.a, t.b, t.c, t.id\n  Filter: t.a > __scalar_sq_1.b\n    CrossJoin\n      TableScan: t\n      SubqueryAlias: __scalar_sq_1\n        Projection: __scalar_subquery_value(__rows, __value) AS b\n          Aggregate: groupBy=[], aggr=[count(*) AS __rows, max(u.b) AS __value]\n            Projection: u.b\n              TableScan: u\n"
    );
}

#[test]
fn uncorrelated_aggregate_needs_no_row_check() {
    let sub = scan_u().aggregate(vec![], vec![sum(qcol("u", "b"))]).unwrap().build().unwrap();
    let plan = scan().filter(col("a").gt(scalar(sub, vec![]))).unwrap().build().unwrap();
    assert_eq!(
        apply(&ScalarSubqueryToJoin, plan),
        "Projection: t.a, t.b, t.c, t.id\n  Filter: t.a > __scalar_sq_1.sum(u.b)\n    CrossJoin\n      TableScan: t\n      SubqueryAlias: __scalar_sq_1\n        Aggregate: groupBy=[], aggr=[sum(u.b)]\n          TableScan: u\n"
    );
}

#[test]
fn correlated_aggregate_is_grouped_by_the_key_and_inner_joined_in_a_comparison() {
    let sub = scan_u()
        .filter(qcol("u", "a").eq(outer("a")))
        .unwrap()
        .aggregate(vec![], vec![sum(qcol("u", "b"))])
        .unwrap()
        .build()
        .unwrap();
    let plan = scan().filter(col("b").lt(scalar(sub, vec![outer("a")]))).unwrap().build().unwrap();
    assert_eq!(
        apply(&ScalarSubqueryToJoin, plan),
        "Projection: t.a, t.b, t.c, t.id\n  Filter: t.b < __scalar_sq_1.sum(u.b)\n    Join: type=Inner, on=[t.a = __scalar_sq_1.__corr_key_0]\n      TableScan: t\n      SubqueryAlias: __scalar_sq_1\n        Projection: sum(u.b), u.a AS __corr_key_0\n          Aggregate: groupBy=[u.a], aggr=[sum(u.b)]\n            TableScan: u\n"
    );
}

#[test]
fn correlated_count_keeps_zero_for_keys_without_rows() {
    let sub = scan_u()
        .filter(qcol("u", "a").eq(outer("a")))
        .unwrap()
        .aggregate(vec![], vec![count_star()])
        .unwrap()
        .build()
        .unwrap();
    let plan =
        scan().project(vec![col("a"), scalar(sub, vec![outer("a")]).alias("n")]).unwrap().build().unwrap();
    assert_eq!(
        apply(&ScalarSubqueryToJoin, plan),
        "Projection: t.a, CASE WHEN __scalar_sq_1.__always_true IS NULL THEN 0 ELSE __scalar_sq_1.count(*) END AS n\n  Join: type=Left, on=[t.a = __scalar_sq_1.__corr_key_0]\n    TableScan: t\n    SubqueryAlias: __scalar_sq_1\n      Projection: count(*), __corr_key_0, true AS __always_true\n        Projection: count(*), u.a AS __corr_key_0\n          Aggregate: groupBy=[u.a], aggr=[count(*)]\n            TableScan: u\n"
    );
}

#[test]
fn correlated_scalar_without_aggregate_is_checked_per_key() {
    let sub = scan_u().filter(qcol("u", "a").eq(outer("a"))).unwrap().project(vec![qcol("u", "c")]).unwrap();
    let plan = scan().project(vec![col("a"), scalar(sub.build().unwrap(), vec![outer("a")]).alias("c2")]);
    let text = apply(&ScalarSubqueryToJoin, plan.unwrap().build().unwrap());
    assert!(text.contains("Join: type=Left, on=[t.a = __scalar_sq_1.__key_0]"), "{text}");
    assert!(text.contains("__scalar_subquery_value(__rows, __value) AS c"), "{text}");
    assert!(
        text.contains("Aggregate: groupBy=[u.a], aggr=[count(*) AS __rows, max(u.c) AS __value]"),
        "{text}"
    );
}

#[test]
fn correlated_exists_ignores_limit() {
    let sub = scan_u().filter(qcol("u", "a").eq(outer("a"))).unwrap().limit(0, Some(1)).unwrap();
    let sub = sub.project(vec![qcol("u", "c")]).unwrap().build().unwrap();
    let plan = scan().filter(exists(sub, vec![outer("a")], false)).unwrap().build().unwrap();
    assert_eq!(
        apply(&DecorrelatePredicateSubquery, plan),
        "Join: type=LeftSemi, on=[t.a = __correlated_sq_1.a]\n  TableScan: t\n  SubqueryAlias: __correlated_sq_1\n    Projection: u.c, u.a\n      TableScan: u\n"
    );
}

#[test]
fn correlated_limit_in_an_in_subquery_is_not_supported() {
    let sub = scan_u().filter(qcol("u", "a").eq(outer("a"))).unwrap().limit(0, Some(1)).unwrap();
    let sub = sub.project(vec![qcol("u", "c")]).unwrap().build().unwrap();
    let plan = scan().filter(in_subquery(col("c"), sub, vec![outer("a")], false)).unwrap().build().unwrap();
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    let err = DecorrelatePredicateSubquery.rewrite(plan, &ctx).unwrap_err().to_string();
    assert!(err.contains("not supported") && err.contains("Limit"), "{err}");
}
