//! Tests of `PushDownFilter`: through projections, aliases, sorts and aggregates; never through
//! limits; pruning hints at scans with the filter kept.

mod common;

use common::{apply, random, run_rule, scan, sum};
use shoal_expr::plan::TableScan;
use shoal_expr::{col, lit, Column, Expr, LogicalPlan, LogicalPlanBuilder, Operator, SortExpr};
use shoal_optimizer::PushDownFilter;

fn qcol(relation: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(relation), name))
}

#[test]
fn scan_gets_pruning_hints_and_keeps_the_filter() {
    let plan = scan().filter(col("a").gt(lit(5i64)).and(col("b").lt(col("a")))).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownFilter, plan), "Filter: a > 5 AND b < a\n  TableScan: t filters=[t.a > 5]\n");
}

#[test]
fn second_run_changes_nothing() {
    let plan = scan()
        .project(vec![col("a").binary(Operator::Plus, lit(1i64)).alias("x"), col("c")])
        .unwrap()
        .filter(col("x").gt(lit(5i64)))
        .unwrap()
        .build()
        .unwrap();
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    use shoal_optimizer::OptimizerRule;
    let once = PushDownFilter.rewrite(plan, &ctx).unwrap();
    assert!(once.transformed);
    let (text, changed) = run_rule(&PushDownFilter, once.data);
    assert!(!changed);
    assert_eq!(text, "Projection: a + 1 AS x, c\n  Filter: a + 1 > 5\n    TableScan: t\n");
}

#[test]
fn through_projection_onto_its_expressions() {
    let plan = scan()
        .project(vec![col("a").binary(Operator::Plus, lit(1i64)).alias("x"), col("c")])
        .unwrap()
        .filter(col("x").gt(lit(5i64)).and(col("c").eq(lit("z"))))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Projection: a + 1 AS x, c\n  Filter: a + 1 > 5 AND c = 'z'\n    TableScan: t filters=[t.c = 'z']\n"
    );
}

#[test]
fn not_through_non_deterministic_projection_expressions() {
    let plan = scan()
        .project(vec![random().alias("r"), col("a")])
        .unwrap()
        .filter(col("r").lt(lit(0.5f64)).and(col("a").gt(lit(1i64))))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Filter: r < 0.5\n  Projection: random() AS r, a\n    Filter: a > 1\n      TableScan: t filters=[t.a > 1]\n"
    );
}

#[test]
fn non_deterministic_parts_stay_where_they_are() {
    let plan =
        scan().project(vec![col("a")]).unwrap().filter(random().lt(lit(0.5f64))).unwrap().build().unwrap();
    let (text, changed) = run_rule(&PushDownFilter, plan);
    assert_eq!(text, "Filter: random() < 0.5\n  Projection: a\n    TableScan: t\n");
    assert!(!changed);
}

#[test]
fn through_subquery_alias_requalified() {
    let plan = scan().alias("s").unwrap().filter(qcol("s", "a").gt(lit(1i64))).unwrap().build().unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "SubqueryAlias: s\n  Filter: t.a > 1\n    TableScan: t filters=[t.a > 1]\n"
    );
}

#[test]
fn through_sort_but_not_through_top_k_or_limit() {
    let sort = || scan().sort(vec![SortExpr::new(col("b"), true, false)]).unwrap();
    let plan = sort().filter(col("a").gt(lit(1i64))).unwrap().build().unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Sort: b ASC NULLS LAST\n  Filter: a > 1\n    TableScan: t filters=[t.a > 1]\n"
    );

    let LogicalPlan::Sort(mut topk) = sort().build().unwrap() else { unreachable!() };
    topk.fetch = Some(3);
    let plan = LogicalPlanBuilder::from(LogicalPlan::Sort(topk))
        .filter(col("a").gt(lit(1i64)))
        .unwrap()
        .build()
        .unwrap();
    let (text, changed) = run_rule(&PushDownFilter, plan);
    assert_eq!(text, "Filter: a > 1\n  Sort: b ASC NULLS LAST, fetch=3\n    TableScan: t\n");
    assert!(!changed);

    let plan = scan().limit(0, Some(10)).unwrap().filter(col("a").gt(lit(1i64))).unwrap().build().unwrap();
    let (text, changed) = run_rule(&PushDownFilter, plan);
    assert_eq!(text, "Filter: a > 1\n  Limit: skip=0, fetch=10\n    TableScan: t\n");
    assert!(!changed);
}

#[test]
fn below_aggregate_only_on_group_columns() {
    let plan = scan()
        .aggregate(vec![col("a")], vec![sum(col("b"))])
        .unwrap()
        .filter(col("a").gt(lit(1i64)).and(col("sum(b)").gt(lit(10i64))))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Filter: sum(b) > 10\n  Aggregate: groupBy=[a], aggr=[sum(b)]\n    Filter: a > 1\n      TableScan: t filters=[t.a > 1]\n"
    );
}

#[test]
fn below_aggregate_onto_group_expressions() {
    let plan = scan()
        .aggregate(vec![col("a").binary(Operator::Plus, col("b")).alias("k")], vec![sum(col("b"))])
        .unwrap()
        .filter(col("k").eq(lit(3i64)))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Aggregate: groupBy=[a + b AS k], aggr=[sum(b)]\n  Filter: a + b = 3\n    TableScan: t\n"
    );
}

#[test]
fn not_below_a_global_aggregate() {
    // `HAVING false` on a global aggregate removes its one row; below it would yield a row.
    let plan = scan()
        .aggregate(vec![], vec![sum(col("b"))])
        .unwrap()
        .filter(col("sum(b)").gt(lit(1i64)))
        .unwrap()
        .build()
        .unwrap();
    let (text, changed) = run_rule(&PushDownFilter, plan);
    assert_eq!(text, "Filter: sum(b) > 1\n  Aggregate: groupBy=[], aggr=[sum(b)]\n    TableScan: t\n");
    assert!(!changed);
}

#[test]
fn below_distinct() {
    let plan = scan()
        .project(vec![col("a"), col("c")])
        .unwrap()
        .distinct()
        .unwrap()
        .filter(col("c").eq(lit("x")))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Aggregate: groupBy=[t.a, t.c], aggr=[]\n  Projection: a, c\n    Filter: c = 'x'\n      TableScan: t filters=[t.c = 'x']\n"
    );
}

#[test]
fn merges_adjacent_filters_without_duplicates() {
    let plan = scan()
        .filter(col("b").gt(lit(2i64)).and(col("a").gt(lit(1i64))))
        .unwrap()
        .filter(col("a").gt(lit(1i64)).and(col("c").is_null()))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Filter: b > 2 AND a > 1 AND c IS NULL\n  TableScan: t filters=[t.b > 2, t.a > 1]\n"
    );
}

#[test]
fn no_hints_for_a_scan_with_a_fetch() {
    let LogicalPlan::TableScan(s) = scan().build().unwrap() else { unreachable!() };
    let limited = TableScan::try_new(s.table_name, s.source, None, vec![], Some(5)).unwrap();
    let plan = LogicalPlanBuilder::from(LogicalPlan::TableScan(limited))
        .filter(col("a").gt(lit(1i64)))
        .unwrap()
        .build()
        .unwrap();
    let (text, changed) = run_rule(&PushDownFilter, plan);
    assert_eq!(text, "Filter: a > 1\n  TableScan: t fetch=5\n");
    assert!(!changed);
}

#[test]
fn all_the_way_down_in_one_pass() {
    let plan = scan()
        .project(vec![col("a"), col("b")])
        .unwrap()
        .alias("s")
        .unwrap()
        .sort(vec![SortExpr::new(qcol("s", "b"), false, true)])
        .unwrap()
        .filter(qcol("s", "a").lt_eq(lit(7i64)))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Sort: s.b DESC NULLS FIRST\n  SubqueryAlias: s\n    Projection: a, b\n      Filter: a <= 7\n        TableScan: t filters=[t.a <= 7]\n"
    );
}
