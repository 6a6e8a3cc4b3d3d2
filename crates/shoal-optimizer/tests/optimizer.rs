//! Tests of the optimizer driver: rule order, switching rules off, the schema check, error
//! context, the pass limit and the EXPLAIN VERBOSE trace; and whole-pipeline plans.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{count_star, optimize, scan, TestEvaluator};
use shoal_common::{plan_err, Result, SessionConfig, ShoalError};
use shoal_expr::{col, lit, LogicalPlan, LogicalPlanBuilder, Operator, SortExpr, Transformed};
use shoal_optimizer::{Optimizer, OptimizerContext, OptimizerRule, PushDownFilter};

fn query() -> LogicalPlan {
    // SELECT a + 1 AS x, c FROM t WHERE b > 1 + 1 AND true ORDER BY x DESC LIMIT 3 OFFSET 1
    scan()
        .filter(col("b").gt(lit(1i64).binary(Operator::Plus, lit(1i64))).and(lit(true)))
        .unwrap()
        .project(vec![col("a").binary(Operator::Plus, lit(1i64)).alias("x"), col("c")])
        .unwrap()
        .sort(vec![SortExpr::new(col("x"), false, true)])
        .unwrap()
        .limit(1, Some(3))
        .unwrap()
        .build()
        .unwrap()
}

#[test]
fn default_rule_order() {
    assert_eq!(
        Optimizer::new().rule_names(),
        vec![
            "decorrelate_predicate_subquery",
            "scalar_subquery_to_join",
            "simplify_expressions",
            "eliminate_filter",
            "eliminate_limit",
            "propagate_empty_relation",
            "push_down_filter",
            "push_down_semi_join",
            "push_join_keys_into_aggregate",
            "reorder_joins",
            "push_down_projection",
            "push_down_limit",
            "sort_limit_to_topk",
            "eliminate_common_subexpressions",
        ]
    );
}

#[test]
fn whole_pipeline() {
    assert_eq!(
        optimize(query()),
        "Limit: skip=1, fetch=3\n  Sort: x DESC NULLS FIRST, fetch=4\n    Projection: a + 1 AS x, c\n      Filter: b > 2\n        TableScan: t projection=[a, b, c] filters=[t.b > 2]\n"
    );
}

#[test]
fn whole_pipeline_count_star_and_limit() {
    let plan = scan()
        .filter(col("id").is_null().or(col("a").eq(lit(4i64))))
        .unwrap()
        .aggregate(vec![], vec![count_star()])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        optimize(plan),
        "Aggregate: groupBy=[], aggr=[count(*)]\n  Filter: a = 4\n    TableScan: t projection=[a] filters=[t.a = 4]\n"
    );
    let plan = scan().project(vec![col("c"), col("a")]).unwrap().limit(0, Some(5)).unwrap().build().unwrap();
    assert_eq!(
        optimize(plan),
        "Limit: skip=0, fetch=5\n  Projection: c, a\n    TableScan: t projection=[a, c] fetch=5\n"
    );
    // An identity projection goes before the limit moves, so no Limit is left over a Limit.
    let plan = scan().project(vec![col("a"), col("b")]).unwrap().limit(2, Some(5)).unwrap().build().unwrap();
    assert_eq!(optimize(plan), "Limit: skip=2, fetch=5\n  TableScan: t projection=[a, b] fetch=7\n");
    let plan = scan()
        .filter(col("a").gt(lit(1i64)).and(lit(1i64).eq(lit(0i64))))
        .unwrap()
        .project(vec![col("a")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(optimize(plan), "EmptyRelation: rows=0\n");
}

#[test]
fn disabled_rules_do_not_run() {
    let mut config = SessionConfig::default();
    config.disabled_rules.insert("push_down_filter".into());
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let text = Optimizer::new().optimize(query(), &ctx).unwrap().display_indent();
    // No pruning hint at the scan; everything else still happened.
    assert_eq!(
        text,
        "Limit: skip=1, fetch=3\n  Sort: x DESC NULLS FIRST, fetch=4\n    Projection: a + 1 AS x, c\n      Filter: b > 2\n        TableScan: t projection=[a, b, c]\n"
    );

    let config = SessionConfig { optimizer_enabled: false, ..SessionConfig::default() };
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let plan = query();
    let before = plan.display_indent();
    let (after, trace) = Optimizer::new().optimize_with_trace(plan, &ctx).unwrap();
    assert_eq!(after.display_indent(), before);
    assert!(trace.is_empty());
}

/// A buggy rule: replaces the plan by its input, dropping the top projection.
struct DropsTopNode;

impl OptimizerRule for DropsTopNode {
    fn name(&self) -> &'static str {
        "drops_top_node"
    }
    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        match plan.inputs().first() {
            Some(input) => Ok(Transformed::yes((*input).clone())),
            None => Ok(Transformed::no(plan)),
        }
    }
}

#[test]
fn a_rule_changing_the_schema_is_caught() {
    let config = SessionConfig::default();
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let plan = scan().project(vec![col("a")]).unwrap().build().unwrap();
    let err = Optimizer::with_rules(vec![Arc::new(DropsTopNode)]).optimize(plan, &ctx).unwrap_err();
    assert!(matches!(err, ShoalError::Internal(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("'drops_top_node'"), "{text}");
    assert!(text.contains("changed the output schema"), "{text}");
}

#[test]
fn a_disabled_buggy_rule_does_not_run() {
    let mut config = SessionConfig::default();
    config.disabled_rules.insert("drops_top_node".into());
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let plan = scan().project(vec![col("a")]).unwrap().build().unwrap();
    let out = Optimizer::with_rules(vec![Arc::new(DropsTopNode)]).optimize(plan, &ctx).unwrap();
    assert_eq!(out.display_indent(), "Projection: a\n  TableScan: t\n");
}

struct Fails;

impl OptimizerRule for Fails {
    fn name(&self) -> &'static str {
        "fails"
    }
    fn rewrite(&self, _plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan_err!("something is wrong")
    }
}

#[test]
fn a_rule_error_names_the_rule() {
    let config = SessionConfig::default();
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let err =
        Optimizer::with_rules(vec![Arc::new(Fails)]).optimize(scan().build().unwrap(), &ctx).unwrap_err();
    assert_eq!(err.to_string(), "optimizer rule 'fails' failed: something is wrong");
    assert!(matches!(err.root(), ShoalError::Plan { .. }));
}

/// Claims a change every time, to check the pass limit.
struct AlwaysChanges(AtomicUsize);

impl OptimizerRule for AlwaysChanges {
    fn name(&self) -> &'static str {
        "always_changes"
    }
    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Transformed::yes(plan))
    }
}

#[test]
fn at_most_three_passes_and_stops_when_nothing_changes() {
    let config = SessionConfig::default();
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let rule = Arc::new(AlwaysChanges(AtomicUsize::new(0)));
    Optimizer::with_rules(vec![rule.clone()]).optimize(scan().build().unwrap(), &ctx).unwrap();
    assert_eq!(rule.0.load(Ordering::SeqCst), 3);

    // push_down_filter changes the plan in pass 1 only; pass 2 sees no change and stops.
    let (_, trace) = Optimizer::with_rules(vec![Arc::new(PushDownFilter)])
        .optimize_with_trace(scan().filter(col("a").gt(lit(1i64))).unwrap().build().unwrap(), &ctx)
        .unwrap();
    assert_eq!(trace.len(), 1);
}

#[test]
fn trace_lists_each_rule_that_changed_the_plan() {
    let config = SessionConfig::default();
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let (plan, trace) = Optimizer::new().optimize_with_trace(query(), &ctx).unwrap();
    let names: Vec<&str> = trace.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec!["simplify_expressions", "push_down_filter", "push_down_projection", "sort_limit_to_topk",]
    );
    assert_eq!(trace.last().map(|(_, t)| t.clone()), Some(plan.display_indent()));
    assert_eq!(
        trace[0].1,
        "Limit: skip=1, fetch=3\n  Sort: x DESC NULLS FIRST\n    Projection: a + 1 AS x, c\n      Filter: b > 2\n        TableScan: t\n"
    );
}

#[test]
fn values_and_empty_relations_pass_through() {
    let plan = LogicalPlanBuilder::values(vec![vec![lit(1i64), lit("a")], vec![lit(2i64), lit("b")]])
        .unwrap()
        .filter(col("column1").gt(lit(1i64)))
        .unwrap()
        .project(vec![col("column2")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        optimize(plan),
        "Projection: column2\n  Filter: column1 > 1\n    Values: (1, 'a'), (2, 'b')\n"
    );
}
