//! Tests of `PushDownLimit`: merging limits, copies below projections, scan fetch.

mod common;

use common::{apply, run_rule, scan};
use shoal_expr::{col, lit, SortExpr};
use shoal_optimizer::PushDownLimit;

#[test]
fn scan_fetches_skip_plus_fetch_and_the_limit_stays() {
    let plan = scan().limit(2, Some(3)).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownLimit, plan), "Limit: skip=2, fetch=3\n  TableScan: t fetch=5\n");
}

#[test]
fn through_projection_into_scan() {
    let plan = scan().project(vec![col("a")]).unwrap().limit(2, Some(3)).unwrap().build().unwrap();
    let once = apply(&PushDownLimit, plan.clone());
    assert_eq!(once, "Limit: skip=2, fetch=3\n  Projection: a\n    TableScan: t fetch=5\n");
}

#[test]
fn second_run_changes_nothing() {
    let plan = scan()
        .project(vec![col("a")])
        .unwrap()
        .alias("s")
        .unwrap()
        .limit(0, Some(4))
        .unwrap()
        .build()
        .unwrap();
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    use shoal_optimizer::OptimizerRule;
    let once = PushDownLimit.rewrite(plan, &ctx).unwrap();
    assert!(once.transformed);
    let (text, changed) = run_rule(&PushDownLimit, once.data);
    assert!(!changed);
    assert_eq!(
        text,
        "Limit: skip=0, fetch=4\n  SubqueryAlias: s\n    Projection: a\n      TableScan: t fetch=4\n"
    );
}

#[test]
fn merges_stacked_limits() {
    // rows 1..=10 of the input, then skip 2 of those and take 3: rows 3, 4, 5.
    let plan = scan().limit(1, Some(10)).unwrap().limit(2, Some(3)).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownLimit, plan), "Limit: skip=3, fetch=3\n  TableScan: t fetch=6\n");
    // The inner limit runs out first.
    let plan = scan().limit(0, Some(4)).unwrap().limit(3, Some(10)).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownLimit, plan), "Limit: skip=3, fetch=1\n  TableScan: t fetch=4\n");
    // An OFFSET below a LIMIT.
    let plan = scan().limit(5, None).unwrap().limit(0, Some(10)).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownLimit, plan), "Limit: skip=5, fetch=10\n  TableScan: t fetch=15\n");
}

#[test]
fn never_through_filter_sort_or_without_fetch() {
    let unchanged = |plan| {
        let (text, changed) = run_rule(&PushDownLimit, plan);
        assert!(!changed, "changed: {text}");
        text
    };
    let plan = scan().filter(col("a").gt(lit(1i64))).unwrap().limit(0, Some(3)).unwrap().build().unwrap();
    assert_eq!(unchanged(plan), "Limit: skip=0, fetch=3\n  Filter: a > 1\n    TableScan: t\n");
    let plan = scan()
        .sort(vec![SortExpr::new(col("a"), true, false)])
        .unwrap()
        .limit(0, Some(3))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(unchanged(plan), "Limit: skip=0, fetch=3\n  Sort: a ASC NULLS LAST\n    TableScan: t\n");
    let plan = scan().limit(7, None).unwrap().build().unwrap();
    assert_eq!(unchanged(plan), "Limit: skip=7, fetch=None\n  TableScan: t\n");
}

#[test]
fn copy_below_projections_over_a_filter() {
    let plan = scan()
        .filter(col("a").gt(lit(1i64)))
        .unwrap()
        .project(vec![col("a"), col("c")])
        .unwrap()
        .alias("s")
        .unwrap()
        .limit(1, Some(2))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownLimit, plan),
        "Limit: skip=1, fetch=2\n  SubqueryAlias: s\n    Projection: a, c\n      Limit: skip=0, fetch=3\n        Filter: a > 1\n          TableScan: t\n"
    );
}

#[test]
fn tightens_a_limit_below_projections() {
    let plan = scan()
        .filter(col("a").gt(lit(1i64)))
        .unwrap()
        .limit(0, Some(100))
        .unwrap()
        .project(vec![col("a")])
        .unwrap()
        .limit(0, Some(10))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownLimit, plan),
        "Limit: skip=0, fetch=10\n  Projection: a\n    Limit: skip=0, fetch=10\n      Filter: a > 1\n        TableScan: t\n"
    );
}
