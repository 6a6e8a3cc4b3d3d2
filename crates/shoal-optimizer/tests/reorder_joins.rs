//! `reorder_joins`: a star schema written in a bad order (dimensions first, cross joins) is
//! reordered to join the fact table through its keys, most selective dimension first; a chain
//! stays connected (no cross join even when one looks cheap); an order already best is left
//! alone; unknown sizes keep the written order.

mod common;

use common::run_rule;
use shoal_expr::{col, lit, JoinType, LogicalPlan, LogicalPlanBuilder, TreeNode, TreeNodeRecursion};
use shoal_optimizer::ReorderJoins;

/// A table of `rows` rows (None: unknown) whose BIGINT columns have the given distinct counts.
fn table(name: &str, rows: Option<usize>, columns: &[(&str, f64)]) -> LogicalPlanBuilder {
    common::stats_table(name, rows, columns)
}

fn plan(b: LogicalPlanBuilder) -> LogicalPlan {
    b.build().unwrap()
}

/// The join conditions of the plan, in pre-order; panics on a join without keys.
fn joins(plan: &LogicalPlan) -> Vec<String> {
    let mut out = vec![];
    plan.apply(|node| {
        if let LogicalPlan::Join(j) = node {
            assert!(!j.on.is_empty(), "a cross join in\n{}", plan.display_indent());
            out.push(j.on.iter().map(|(l, r)| format!("{l} = {r}")).collect::<Vec<_>>().join(", "));
        }
        Ok(TreeNodeRecursion::Continue)
    })
    .unwrap();
    out
}

fn rewrite(p: LogicalPlan) -> (LogicalPlan, bool) {
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    let out = shoal_optimizer::OptimizerRule::rewrite(&ReorderJoins, p, &ctx).unwrap();
    (out.data, out.transformed)
}

/// fact(1M rows) with keys to d1 (1000 rows, filtered to one), d2 (100k rows), d3 (50 rows).
fn star(rows: Option<usize>) -> LogicalPlan {
    let fact = table("f", rows, &[("k1", 1000.0), ("k2", 100_000.0), ("k3", 50.0), ("v", 1e6)]);
    let d1 = table("d1", Some(1000), &[("a", 1000.0), ("x", 1000.0)]).filter(col("x").eq(lit(7i64))).unwrap();
    let d2 = table("d2", Some(100_000), &[("b", 100_000.0)]);
    let d3 = table("d3", Some(50), &[("c", 50.0)]);
    // written: d2 × d3 × d1, then the fact table with every condition
    let dims = d2.cross_join(plan(d3)).unwrap().cross_join(plan(d1)).unwrap();
    let on = col("k1").eq(col("a")).and(col("k2").eq(col("b"))).and(col("k3").eq(col("c")));
    plan(dims.join_on(plan(fact), JoinType::Inner, on).unwrap())
}

#[test]
fn star_schema_is_reordered_through_the_fact_table() {
    let (out, changed) = rewrite(star(Some(1_000_000)));
    assert!(changed);
    // no cross joins; the selective dimension d1 is joined to the fact table first (deepest)
    let order = joins(&out);
    assert_eq!(order.len(), 3, "{}", out.display_indent());
    assert_eq!(order.last().map(String::as_str), Some("k1 = a"), "{}", out.display_indent());
    // the output columns keep their written order
    let names: Vec<String> = out.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["b", "c", "a", "x", "k1", "k2", "k3", "v"]);
}

#[test]
fn reordered_plan_is_stable() {
    let (once, _) = rewrite(star(Some(1_000_000)));
    let (twice, changed) = rewrite(once.clone());
    assert!(!changed, "{}", twice.display_indent());
    assert_eq!(once.display_indent(), twice.display_indent());
}

#[test]
fn unknown_sizes_keep_the_written_order() {
    let (_, changed) = rewrite(star(None));
    assert!(!changed);
}

#[test]
fn chain_stays_connected() {
    // a - b - c - d: a and d are tiny, but joining them first would be a cross join
    let a = table("a", Some(10), &[("a1", 10.0)]);
    let b = table("b", Some(100_000), &[("b1", 10.0), ("b2", 1000.0)]);
    let c = table("c", Some(100_000), &[("c1", 1000.0), ("c2", 10.0)]);
    let d = table("d", Some(10), &[("d1", 10.0)]);
    let written = a
        .cross_join(plan(d))
        .unwrap()
        .cross_join(plan(b))
        .unwrap()
        .join_on(
            plan(c),
            JoinType::Inner,
            col("a1").eq(col("b1")).and(col("b2").eq(col("c1"))).and(col("c2").eq(col("d1"))),
        )
        .unwrap();
    let (out, changed) = rewrite(plan(written));
    assert!(changed);
    assert_eq!(joins(&out).len(), 3, "{}", out.display_indent());
}

#[test]
fn best_written_order_is_left_alone() {
    // (fact ⋈ small) ⋈ other, each join with its key: nothing cheaper exists
    let fact = table("f", Some(1_000_000), &[("k1", 10.0), ("k2", 1_000_000.0)]);
    let small = table("s", Some(10), &[("s1", 10.0)]).filter(col("s1").eq(lit(1i64))).unwrap();
    let other = table("o", Some(1_000_000), &[("o1", 1_000_000.0)]);
    let p = fact
        .join_on(plan(small), JoinType::Inner, col("k1").eq(col("s1")))
        .unwrap()
        .join_on(plan(other), JoinType::Inner, col("k2").eq(col("o1")))
        .unwrap();
    let (text, changed) = run_rule(&ReorderJoins, plan(p));
    assert!(!changed, "{text}");
}
