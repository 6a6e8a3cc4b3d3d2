//! `push_join_keys_into_aggregate`: an aggregate joined on its group key to a small input
//! groups only the rows whose keys that input holds (TPC-H Q17's shape); the keys come from
//! the smallest input inside a join holding them; nothing changes when the aggregate is on
//! the preserved side of an outer join, when the join key is an aggregate value, when the
//! other input is not much smaller, or when the rule already ran.

mod common;

use common::{apply, stats_table as table};
use shoal_expr::expr_fn::agg;
use shoal_expr::{col, lit, JoinType, LogicalPlan, LogicalPlanBuilder};
use shoal_optimizer::PushJoinKeysIntoAggregate;

fn build(b: LogicalPlanBuilder) -> LogicalPlan {
    b.build().unwrap()
}

/// `SELECT avg(q) AS avg_q, pk AS corr FROM lineitem GROUP BY pk` (a decorrelated subquery).
fn per_part() -> LogicalPlanBuilder {
    table("lineitem", Some(60_000), &[("pk", 2000.0), ("q", 50.0)])
        .aggregate(vec![col("pk")], vec![agg("avg", [col("q")]).alias("avg_q")])
        .unwrap()
        .project(vec![col("avg_q"), col("pk").alias("corr")])
        .unwrap()
}

/// 2000 parts, filtered to a few.
fn parts() -> LogicalPlanBuilder {
    table("part", Some(2000), &[("p_partkey", 2000.0), ("p_brand", 25.0)])
        .filter(col("p_brand").eq(lit(3i64)))
        .unwrap()
}

#[test]
fn q17_aggregate_groups_only_the_keys_of_the_filtered_parts() {
    let plan =
        build(parts().join_on(build(per_part()), JoinType::Inner, col("p_partkey").eq(col("corr"))).unwrap());
    assert_eq!(
        apply(&PushJoinKeysIntoAggregate, plan),
        "Join: type=Inner, on=[p_partkey = corr]
  Filter: p_brand = 3
    TableScan: part
  Projection: avg_q, pk AS corr
    Aggregate: groupBy=[pk], aggr=[avg(q) AS avg_q]
      Join: type=LeftSemi, on=[pk = __agg_key_0]
        TableScan: lineitem
        Projection: p_partkey AS __agg_key_0
          Filter: p_brand = 3
            TableScan: part
"
    );
}

#[test]
fn keys_come_from_the_small_input_inside_a_join() {
    // (orders ⋈ filtered parts) ⋈ per_part: the keys are read from the filtered parts alone
    let orders = table("orders", Some(50_000), &[("o_partkey", 2000.0)]);
    let outer =
        orders.join_on(build(parts()), JoinType::Inner, col("o_partkey").eq(col("p_partkey"))).unwrap();
    let plan =
        build(outer.join_on(build(per_part()), JoinType::Inner, col("p_partkey").eq(col("corr"))).unwrap());
    let out = apply(&PushJoinKeysIntoAggregate, plan);
    let expected = "      Join: type=LeftSemi, on=[pk = __agg_key_0]
        TableScan: lineitem
        Projection: p_partkey AS __agg_key_0
          Filter: p_brand = 3
            TableScan: part
";
    assert!(out.ends_with(expected), "{out}");
    // a second run leaves it alone
    let plan = build(
        table("orders", Some(50_000), &[("o_partkey", 2000.0)])
            .join_on(build(parts()), JoinType::Inner, col("o_partkey").eq(col("p_partkey")))
            .unwrap()
            .join_on(build(per_part()), JoinType::Inner, col("p_partkey").eq(col("corr")))
            .unwrap(),
    );
    let config = shoal_common::SessionConfig::default();
    let ctx = shoal_optimizer::OptimizerContext::new(&config, &common::TestEvaluator);
    let once = shoal_optimizer::OptimizerRule::rewrite(&PushJoinKeysIntoAggregate, plan, &ctx).unwrap();
    assert!(once.transformed);
    let twice = shoal_optimizer::OptimizerRule::rewrite(&PushJoinKeysIntoAggregate, once.data, &ctx).unwrap();
    assert!(!twice.transformed, "{}", twice.data.display_indent());
}

#[test]
fn scalar_subquery_left_join_filters_its_aggregate() {
    // parts LEFT JOIN per_part: the aggregate supplies NULLs; its unmatched groups never show
    let plan =
        build(parts().join_on(build(per_part()), JoinType::Left, col("p_partkey").eq(col("corr"))).unwrap());
    let out = apply(&PushJoinKeysIntoAggregate, plan);
    assert!(out.contains("Join: type=LeftSemi, on=[pk = __agg_key_0]"), "{out}");
    // per_part LEFT JOIN parts: every group is kept, so nothing may be filtered
    let plan =
        build(per_part().join_on(build(parts()), JoinType::Left, col("corr").eq(col("p_partkey"))).unwrap());
    let out = apply(&PushJoinKeysIntoAggregate, plan);
    assert!(!out.contains("LeftSemi"), "{out}");
}

#[test]
fn aggregate_values_and_large_inputs_are_left_alone() {
    // joined on the aggregate's value, not its group key
    let plan = build(
        parts().join_on(build(per_part()), JoinType::Inner, col("p_partkey").eq(col("avg_q"))).unwrap(),
    );
    assert!(!apply(&PushJoinKeysIntoAggregate, plan).contains("LeftSemi"));
    // the other input holds every part: filtering would keep all groups
    let all_parts = table("part", Some(2000), &[("p_partkey", 2000.0)]);
    let plan = build(
        all_parts.join_on(build(per_part()), JoinType::Inner, col("p_partkey").eq(col("corr"))).unwrap(),
    );
    assert!(!apply(&PushJoinKeysIntoAggregate, plan).contains("LeftSemi"));
    // unknown sizes
    let unknown = table("part", None, &[("p_partkey", 2000.0)]);
    let plan =
        build(unknown.join_on(build(per_part()), JoinType::Inner, col("p_partkey").eq(col("corr"))).unwrap());
    assert!(!apply(&PushJoinKeysIntoAggregate, plan).contains("LeftSemi"));
}
