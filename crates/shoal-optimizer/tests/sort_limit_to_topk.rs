//! Tests of `SortLimitToTopK`: a limit over a sort (directly or through projections) makes the
//! sort a top-k.

mod common;

use common::{apply, run_rule, scan};
use shoal_expr::{col, lit, SortExpr};
use shoal_optimizer::SortLimitToTopK;

fn sorted() -> shoal_expr::LogicalPlanBuilder {
    scan().sort(vec![SortExpr::new(col("b"), false, true)]).unwrap()
}

#[test]
fn limit_over_sort_sets_fetch_and_stays() {
    let plan = sorted().limit(2, Some(3)).unwrap().build().unwrap();
    assert_eq!(
        apply(&SortLimitToTopK, plan),
        "Limit: skip=2, fetch=3\n  Sort: b DESC NULLS FIRST, fetch=5\n    TableScan: t\n"
    );
}

#[test]
fn through_projections_and_aliases() {
    let plan = sorted()
        .project(vec![col("a"), col("b")])
        .unwrap()
        .alias("s")
        .unwrap()
        .project(vec![col("a")])
        .unwrap()
        .limit(0, Some(10))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&SortLimitToTopK, plan),
        "Limit: skip=0, fetch=10\n  Projection: a\n    SubqueryAlias: s\n      Projection: a, b\n        Sort: b DESC NULLS FIRST, fetch=10\n          TableScan: t\n"
    );
}

#[test]
fn keeps_a_tighter_fetch_and_is_idempotent() {
    let plan = sorted().limit(0, Some(3)).unwrap().limit(0, Some(8)).unwrap().build().unwrap();
    // The inner limit sets the fetch; the outer one does not reach the sort.
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    use shoal_optimizer::OptimizerRule;
    let once = SortLimitToTopK.rewrite(plan, &ctx).unwrap();
    assert!(once.transformed);
    let (text, changed) = run_rule(&SortLimitToTopK, once.data);
    assert!(!changed);
    assert_eq!(
        text,
        "Limit: skip=0, fetch=8\n  Limit: skip=0, fetch=3\n    Sort: b DESC NULLS FIRST, fetch=3\n      TableScan: t\n"
    );
}

#[test]
fn nothing_without_fetch_or_across_a_filter() {
    let plan = sorted().limit(4, None).unwrap().build().unwrap();
    let (text, changed) = run_rule(&SortLimitToTopK, plan);
    assert!(!changed);
    assert_eq!(text, "Limit: skip=4, fetch=None\n  Sort: b DESC NULLS FIRST\n    TableScan: t\n");

    let plan = sorted().filter(col("a").gt(lit(1i64))).unwrap().limit(0, Some(4)).unwrap().build().unwrap();
    let (text, changed) = run_rule(&SortLimitToTopK, plan);
    assert!(!changed);
    assert_eq!(
        text,
        "Limit: skip=0, fetch=4\n  Filter: a > 1\n    Sort: b DESC NULLS FIRST\n      TableScan: t\n"
    );
}
