//! Tests of the small rules: `EliminateLimit`, `EliminateFilter`, `PropagateEmptyRelation`.

mod common;

use common::{apply, count_star, run_rule, scan, sum};
use shoal_common::ScalarValue;
use shoal_expr::{col, lit, Expr, LogicalPlanBuilder, SortExpr};
use shoal_optimizer::{EliminateFilter, EliminateLimit, PropagateEmptyRelation};

#[test]
fn limit_zero_becomes_empty_with_the_same_schema() {
    let plan = scan().project(vec![col("a")]).unwrap().limit(3, Some(0)).unwrap().build().unwrap();
    let before = plan.schema().clone();
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    use shoal_optimizer::OptimizerRule;
    let out = EliminateLimit.rewrite(plan, &ctx).unwrap();
    assert!(out.transformed);
    assert_eq!(out.data.display_indent(), "EmptyRelation: rows=0\n");
    assert_eq!(out.data.schema(), &before);
}

#[test]
fn limit_that_keeps_everything_goes() {
    let plan = scan().limit(0, None).unwrap().build().unwrap();
    assert_eq!(apply(&EliminateLimit, plan), "TableScan: t\n");
    let plan = scan().limit(1, Some(2)).unwrap().build().unwrap();
    let (text, changed) = run_rule(&EliminateLimit, plan);
    assert!(!changed);
    assert_eq!(text, "Limit: skip=1, fetch=2\n  TableScan: t\n");
}

#[test]
fn constant_filters() {
    let filtered = |p: Expr| scan().filter(p).unwrap().build().unwrap();
    assert_eq!(apply(&EliminateFilter, filtered(lit(true))), "TableScan: t\n");
    assert_eq!(apply(&EliminateFilter, filtered(lit(false))), "EmptyRelation: rows=0\n");
    assert_eq!(
        apply(&EliminateFilter, filtered(Expr::Literal(ScalarValue::boolean(None)))),
        "EmptyRelation: rows=0\n"
    );
    let (text, changed) = run_rule(&EliminateFilter, filtered(col("a").gt(lit(1i64))));
    assert!(!changed);
    assert_eq!(text, "Filter: a > 1\n  TableScan: t\n");
}

#[test]
fn select_one_where_false_has_no_row() {
    let plan = LogicalPlanBuilder::empty(true)
        .filter(lit(false))
        .unwrap()
        .project(vec![lit(1i64).alias("one")])
        .unwrap()
        .build()
        .unwrap();
    let text = apply(&EliminateFilter, plan);
    assert_eq!(text, "Projection: 1 AS one\n  EmptyRelation: rows=0\n");
}

#[test]
fn empty_input_empties_the_nodes_above() {
    let plan = scan()
        .filter(lit(false))
        .unwrap()
        .sort(vec![SortExpr::new(col("a"), true, false)])
        .unwrap()
        .aggregate(vec![col("c")], vec![sum(col("a"))])
        .unwrap()
        .project(vec![col("c")])
        .unwrap()
        .build()
        .unwrap();
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    use shoal_optimizer::OptimizerRule;
    let plan = EliminateFilter.rewrite(plan, &ctx).unwrap().data;
    assert_eq!(
        plan.display_indent(),
        "Projection: c\n  Aggregate: groupBy=[c], aggr=[sum(a)]\n    Sort: a ASC NULLS LAST\n      EmptyRelation: rows=0\n"
    );
    assert_eq!(apply(&PropagateEmptyRelation, plan), "EmptyRelation: rows=0\n");
}

#[test]
fn global_aggregate_over_empty_input_keeps_its_row() {
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    use shoal_optimizer::OptimizerRule;
    let plan =
        scan().filter(lit(false)).unwrap().aggregate(vec![], vec![count_star()]).unwrap().build().unwrap();
    let plan = EliminateFilter.rewrite(plan, &ctx).unwrap().data;
    let (text, changed) = run_rule(&PropagateEmptyRelation, plan);
    assert!(!changed);
    assert_eq!(text, "Aggregate: groupBy=[], aggr=[count(*)]\n  EmptyRelation: rows=0\n");
}
