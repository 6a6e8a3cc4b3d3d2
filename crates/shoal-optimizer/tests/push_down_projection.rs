//! Tests of `PushDownProjection`: narrowing scans, dropping unused expressions, removing
//! identity projections, through aggregates, sorts, filters, limits and aliases.

mod common;

use common::{apply, count_star, run_rule, scan, sum};
use shoal_expr::plan::TableScan;
use shoal_expr::{col, lit, Column, Expr, LogicalPlan, LogicalPlanBuilder, Operator, SortExpr};
use shoal_optimizer::PushDownProjection;

#[test]
fn count_star_reads_no_columns() {
    let plan = scan().aggregate(vec![], vec![count_star()]).unwrap().build().unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Aggregate: groupBy=[], aggr=[count(*)]\n  TableScan: t projection=[]\n"
    );
}

#[test]
fn count_star_over_a_projection_drops_it() {
    let plan = scan()
        .project(vec![col("a").binary(Operator::Plus, lit(1i64)).alias("x")])
        .unwrap()
        .aggregate(vec![], vec![count_star()])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Aggregate: groupBy=[], aggr=[count(*)]\n  TableScan: t projection=[]\n"
    );
}

#[test]
fn identity_projection_disappears() {
    let plan = scan().project(vec![col("a"), col("b")]).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownProjection, plan), "TableScan: t projection=[a, b]\n");
}

#[test]
fn reordering_or_renaming_projection_stays() {
    let plan = scan().project(vec![col("b"), col("a")]).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownProjection, plan), "Projection: b, a\n  TableScan: t projection=[a, b]\n");
    let plan = scan().project(vec![col("a").alias("z")]).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownProjection, plan), "Projection: a AS z\n  TableScan: t projection=[a]\n");
}

#[test]
fn filter_columns_are_read_too() {
    let plan =
        scan().filter(col("b").gt(lit(1i64))).unwrap().project(vec![col("a")]).unwrap().build().unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Projection: a\n  Filter: b > 1\n    TableScan: t projection=[a, b]\n"
    );
}

#[test]
fn scan_pruning_filter_columns_are_kept() {
    let LogicalPlan::TableScan(s) = scan().build().unwrap() else { unreachable!() };
    let hint = Expr::Column(Column::new(Some("t"), "id")).gt(lit(1i64));
    let with_hint = TableScan::try_new(s.table_name, s.source, None, vec![hint], None).unwrap();
    let plan = LogicalPlanBuilder::from(LogicalPlan::TableScan(with_hint))
        .project(vec![col("a")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Projection: a\n  TableScan: t projection=[a, id] filters=[t.id > 1]\n"
    );
}

#[test]
fn unused_inner_expressions_are_dropped() {
    let plan = scan()
        .project(vec![col("a").binary(Operator::Plus, lit(1i64)).alias("x"), col("b"), col("c")])
        .unwrap()
        .project(vec![col("x")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        // The outer projection passes `x` through unchanged: it is an identity and goes.
        "Projection: a + 1 AS x\n  TableScan: t projection=[a]\n"
    );
}

#[test]
fn aggregate_reads_group_and_argument_columns() {
    let plan = scan().aggregate(vec![col("c")], vec![sum(col("a"))]).unwrap().build().unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Aggregate: groupBy=[c], aggr=[sum(a)]\n  TableScan: t projection=[a, c]\n"
    );
}

#[test]
fn unused_aggregates_are_dropped() {
    let plan = scan()
        .aggregate(vec![col("c")], vec![sum(col("a")), count_star()])
        .unwrap()
        .project(vec![col("c"), col("count(*)")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Aggregate: groupBy=[c], aggr=[count(*)]\n  TableScan: t projection=[c]\n"
    );
}

#[test]
fn global_aggregate_keeps_one_aggregate() {
    let plan = scan()
        .aggregate(vec![], vec![sum(col("a")), count_star()])
        .unwrap()
        .project(vec![lit(1i64).alias("one")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Projection: 1 AS one\n  Aggregate: groupBy=[], aggr=[sum(a)]\n    TableScan: t projection=[a]\n"
    );
}

#[test]
fn sort_keys_are_read() {
    let plan = scan()
        .sort(vec![SortExpr::new(col("b"), true, false)])
        .unwrap()
        .project(vec![col("a")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Projection: a\n  Sort: b ASC NULLS LAST\n    TableScan: t projection=[a, b]\n"
    );
}

#[test]
fn through_limit_and_alias() {
    let plan = scan()
        .limit(2, Some(3))
        .unwrap()
        .alias("s")
        .unwrap()
        .project(vec![Expr::Column(Column::new(Some("s"), "c"))])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        // `s.c` is all the alias yields once the scan is narrowed: the projection goes.
        "SubqueryAlias: s\n  Limit: skip=2, fetch=3\n    TableScan: t projection=[c]\n"
    );
}

#[test]
fn root_schema_kept_and_second_run_changes_nothing() {
    let plan = scan().filter(col("b").gt(lit(1i64))).unwrap().build().unwrap();
    let (text, changed) = run_rule(&PushDownProjection, plan);
    assert_eq!(text, "Filter: b > 1\n  TableScan: t\n");
    assert!(!changed);

    let plan = scan()
        .project(vec![col("c"), col("a").binary(Operator::Multiply, col("b")).alias("ab")])
        .unwrap()
        .build()
        .unwrap();
    let once = apply(&PushDownProjection, plan.clone());
    assert_eq!(once, "Projection: c, a * b AS ab\n  TableScan: t projection=[a, b, c]\n");
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    use shoal_optimizer::OptimizerRule;
    let once = PushDownProjection.rewrite(plan, &ctx).unwrap();
    assert!(once.transformed);
    let (text, changed) = run_rule(&PushDownProjection, once.data);
    assert!(!changed);
    assert_eq!(text, "Projection: c, a * b AS ab\n  TableScan: t projection=[a, b, c]\n");
}
