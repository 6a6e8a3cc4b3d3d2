//! `push_down_semi_join`: a semi / anti join over a join moves onto the input holding its key
//! columns (Q18's shape), through several joins, only onto the preserved side of an outer
//! join, never when its condition reads both inputs, and only when the input is estimated no
//! larger than the join's output.

mod common;

use common::{apply, stats_table as table};
use shoal_expr::plan::Join;
use shoal_expr::{col, lit, JoinType, LogicalPlan, LogicalPlanBuilder};
use shoal_optimizer::PushDownSemiJoin;

fn customer() -> LogicalPlanBuilder {
    table("customer", Some(150), &[("c_custkey", 150.0)])
}

fn orders() -> LogicalPlanBuilder {
    table("orders", Some(1500), &[("o_orderkey", 1500.0), ("o_custkey", 100.0)])
}

fn lineitem() -> LogicalPlanBuilder {
    table("lineitem", Some(6000), &[("l_orderkey", 1500.0), ("l_quantity", 50.0)])
}

/// `SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING count(*) > 6`, as `sub`.
fn big_orders() -> LogicalPlan {
    table("sub", Some(6000), &[("s_orderkey", 1500.0)])
        .aggregate(vec![col("s_orderkey")], vec![shoal_expr::expr_fn::count_star().alias("n")])
        .unwrap()
        .filter(col("n").gt(lit(6i64)))
        .unwrap()
        .project(vec![col("s_orderkey")])
        .unwrap()
        .build()
        .unwrap()
}

fn build(b: LogicalPlanBuilder) -> LogicalPlan {
    b.build().unwrap()
}

/// `(customer ⋈ orders) ⋈ lineitem`, as Q18 writes it.
fn q18_joins() -> LogicalPlanBuilder {
    customer()
        .join_on(build(orders()), JoinType::Inner, col("c_custkey").eq(col("o_custkey")))
        .unwrap()
        .join_on(build(lineitem()), JoinType::Inner, col("o_orderkey").eq(col("l_orderkey")))
        .unwrap()
}

fn semi(input: LogicalPlanBuilder, key: &str, join_type: JoinType) -> LogicalPlan {
    build(input.join_on(big_orders(), join_type, col(key).eq(col("s_orderkey"))).unwrap())
}

#[test]
fn q18_semi_join_sinks_onto_orders() {
    assert_eq!(
        apply(&PushDownSemiJoin, semi(q18_joins(), "o_orderkey", JoinType::LeftSemi)),
        "Join: type=Inner, on=[o_orderkey = l_orderkey]
  Join: type=Inner, on=[c_custkey = o_custkey]
    TableScan: customer
    Join: type=LeftSemi, on=[o_orderkey = s_orderkey]
      TableScan: orders
      Projection: s_orderkey
        Filter: n > 6
          Aggregate: groupBy=[s_orderkey], aggr=[count(*) AS n]
            TableScan: sub
  TableScan: lineitem
"
    );
}

#[test]
fn anti_joins_sink_below_inner_joins_too() {
    let plan = apply(&PushDownSemiJoin, semi(q18_joins(), "o_orderkey", JoinType::LeftAnti));
    assert!(
        plan.contains("    Join: type=LeftAnti, on=[o_orderkey = s_orderkey]\n      TableScan: orders"),
        "{plan}"
    );
    // NOT IN (null-aware) reads only the row's key and whether the subquery holds a NULL
    let LogicalPlan::Join(j) = semi(q18_joins(), "o_orderkey", JoinType::LeftAnti) else { panic!() };
    let aware = Join::try_new(j.left, j.right, j.on, j.filter, JoinType::LeftAnti, true).unwrap();
    let plan = apply(&PushDownSemiJoin, LogicalPlan::Join(aware));
    assert!(plan.starts_with("Join: type=Inner"), "{plan}");
    assert!(
        plan.contains(
            "    Join: type=LeftAnti, on=[o_orderkey = s_orderkey], null_aware\n      TableScan: orders"
        ),
        "{plan}"
    );
}

#[test]
fn key_of_the_probe_side_stays_when_the_join_filters_it() {
    // lineitem (6000 rows) ⋈ orders filtered to one order: the join yields ~4 rows, fewer than
    // lineitem, so the semi join on l_orderkey stays above the join
    let small = orders()
        .filter(col("o_custkey").eq(lit(3i64)))
        .unwrap()
        .filter(col("o_orderkey").eq(lit(9i64)))
        .unwrap();
    let joins =
        lineitem().join_on(build(small), JoinType::Inner, col("l_orderkey").eq(col("o_orderkey"))).unwrap();
    let plan = apply(&PushDownSemiJoin, semi(joins, "l_orderkey", JoinType::LeftSemi));
    assert!(plan.starts_with("Join: type=LeftSemi"), "{plan}");
}

#[test]
fn only_the_preserved_side_of_an_outer_join() {
    // orders LEFT JOIN lineitem: a key of orders moves onto orders
    let left = || {
        orders().join_on(build(lineitem()), JoinType::Left, col("o_orderkey").eq(col("l_orderkey"))).unwrap()
    };
    let plan = apply(&PushDownSemiJoin, semi(left(), "o_orderkey", JoinType::LeftSemi));
    assert!(plan.starts_with("Join: type=Left,"), "{plan}");
    assert!(
        plan.contains("  Join: type=LeftSemi, on=[o_orderkey = s_orderkey]\n    TableScan: orders"),
        "{plan}"
    );
    // a key of the NULL-supplying lineitem stays above (rows without a line would change)
    let plan = apply(&PushDownSemiJoin, semi(left(), "l_orderkey", JoinType::LeftAnti));
    assert!(plan.starts_with("Join: type=LeftAnti"), "{plan}");
    // full joins preserve both sides: never
    let full =
        orders().join_on(build(lineitem()), JoinType::Full, col("o_orderkey").eq(col("l_orderkey"))).unwrap();
    let plan = apply(&PushDownSemiJoin, semi(full, "o_orderkey", JoinType::LeftSemi));
    assert!(plan.starts_with("Join: type=LeftSemi"), "{plan}");
}

#[test]
fn condition_reading_both_inputs_stays() {
    let on = col("o_orderkey").eq(col("s_orderkey")).and(col("l_quantity").lt(col("s_orderkey")));
    let plan = build(q18_joins().join_on(big_orders(), JoinType::LeftSemi, on).unwrap());
    let out = apply(&PushDownSemiJoin, plan);
    assert!(out.starts_with("Join: type=LeftSemi"), "{out}");
}

#[test]
fn unknown_sizes_keep_the_written_plan() {
    let joins = table("orders", None, &[("o_orderkey", 1500.0), ("o_custkey", 100.0)])
        .join_on(build(lineitem()), JoinType::Inner, col("o_orderkey").eq(col("l_orderkey")))
        .unwrap();
    let out = apply(&PushDownSemiJoin, semi(joins, "o_orderkey", JoinType::LeftSemi));
    assert!(out.starts_with("Join: type=LeftSemi"), "{out}");
}

#[test]
fn two_semi_joins_both_sink() {
    let once = q18_joins()
        .join_on(big_orders(), JoinType::LeftSemi, col("o_orderkey").eq(col("s_orderkey")))
        .unwrap();
    let others = table("other", Some(10), &[("x", 10.0)]).build().unwrap();
    let twice = build(once.join_on(others, JoinType::LeftAnti, col("o_custkey").eq(col("x"))).unwrap());
    let out = apply(&PushDownSemiJoin, twice);
    // both end on orders, the anti join above the semi join (it was written above it)
    assert!(out.starts_with("Join: type=Inner"), "{out}");
    let expected = "    Join: type=LeftAnti, on=[o_custkey = x]\n      Join: type=LeftSemi, on=[o_orderkey = s_orderkey]\n        TableScan: orders";
    assert!(out.contains(expected), "{out}");
}
