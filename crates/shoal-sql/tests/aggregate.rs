//! Aggregation planning: group expressions, aggregate calls in SELECT / HAVING / ORDER BY,
//! ordinals and aliases in GROUP BY, and the rewrite onto the Aggregate's output columns.

mod common;

use common::{plan, plan_error, position};

#[test]
fn tpch_q1() {
    let sql = "SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, \
               sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, avg(l_quantity), \
               count(*) AS count_order \
               FROM lineitem \
               WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY (3) \
               GROUP BY l_returnflag, l_linestatus \
               ORDER BY l_returnflag, l_linestatus";
    assert_eq!(
        plan(sql),
        "Sort: lineitem.l_returnflag ASC NULLS LAST, lineitem.l_linestatus ASC NULLS LAST\n\
         \x20 Projection: lineitem.l_returnflag, lineitem.l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, avg(l_quantity), count(*) AS count_order\n\
         \x20   Aggregate: groupBy=[l_returnflag, l_linestatus], aggr=[sum(l_quantity), sum(l_extendedprice * (1 - l_discount)), avg(l_quantity), count(*)]\n\
         \x20     Filter: l_shipdate <= DATE '1998-12-01' - INTERVAL '90 days'\n\
         \x20       SubqueryAlias: lineitem\n\
         \x20         TableScan: lineitem\n"
    );
}

#[test]
fn ordinals_in_group_by_and_order_by() {
    assert_eq!(
        plan("SELECT passenger_count, avg(fare_amount) FROM 'taxi/*.parquet' WHERE tip_amount > 1 GROUP BY 1 ORDER BY 2 DESC LIMIT 3"),
        "Limit: skip=0, fetch=3\n  Sort: avg(fare_amount) DESC NULLS FIRST\n    Projection: taxi.passenger_count, avg(fare_amount)\n      Aggregate: groupBy=[passenger_count], aggr=[avg(fare_amount)]\n        Filter: tip_amount > 1.0\n          SubqueryAlias: taxi\n            TableScan: taxi/*.parquet\n"
    );
}

#[test]
fn no_group_by_is_one_group() {
    assert_eq!(
        plan("SELECT count(*) FROM t"),
        "Projection: count(*)\n  Aggregate: groupBy=[], aggr=[count(*)]\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    assert_eq!(
        plan("SELECT sum(a) FROM t HAVING sum(a) > 0"),
        "Projection: sum(a)\n  Filter: sum(a) > 0\n    Aggregate: groupBy=[], aggr=[sum(a)]\n      SubqueryAlias: t\n        TableScan: t\n"
    );
}

#[test]
fn distinct_filter_and_having_alias() {
    assert_eq!(
        plan("SELECT b, count(DISTINCT a) FILTER (WHERE c > 1) AS n FROM t GROUP BY b HAVING n > 2 ORDER BY n"),
        "Sort: n ASC NULLS LAST\n  Projection: t.b, count(DISTINCT a) FILTER (WHERE c > 1.0) AS n\n    Filter: count(DISTINCT a) FILTER (WHERE c > 1.0) > 2\n      Aggregate: groupBy=[b], aggr=[count(DISTINCT a) FILTER (WHERE c > 1.0)]\n        SubqueryAlias: t\n          TableScan: t\n"
    );
}

#[test]
fn group_by_expressions_aliases_and_ordinals() {
    assert_eq!(
        plan("SELECT a + 1 AS x, count(*) FROM t GROUP BY x"),
        "Projection: a + 1 AS x, count(*)\n  Aggregate: groupBy=[a + 1], aggr=[count(*)]\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    assert_eq!(
        plan("SELECT a + 1, count(*) FROM t GROUP BY a + 1 ORDER BY 1"),
        "Sort: a + 1 ASC NULLS LAST\n  Projection: a + 1, count(*)\n    Aggregate: groupBy=[a + 1], aggr=[count(*)]\n      SubqueryAlias: t\n        TableScan: t\n"
    );
    // an expression over a group column keeps its own output name
    assert_eq!(
        plan("SELECT a + 1 FROM t GROUP BY A"),
        "Projection: t.a + 1 AS a + 1\n  Aggregate: groupBy=[a], aggr=[]\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    // `t.a` and `a` are the same group
    assert_eq!(
        plan("SELECT t.a, max(c) FROM t GROUP BY a, t.a"),
        "Projection: t.a, max(c)\n  Aggregate: groupBy=[a], aggr=[max(c)]\n    SubqueryAlias: t\n      TableScan: t\n"
    );
}

#[test]
fn aggregates_only_in_order_by_are_computed_and_dropped() {
    assert_eq!(
        plan("SELECT a, count(*) FROM t GROUP BY a ORDER BY sum(c) DESC, count(*)"),
        "Projection: t.a, count(*)\n  Sort: sum(c) DESC NULLS FIRST, count(*) ASC NULLS LAST\n    Projection: t.a, count(*), sum(c)\n      Aggregate: groupBy=[a], aggr=[count(*), sum(c)]\n        SubqueryAlias: t\n          TableScan: t\n"
    );
}

#[test]
fn ungrouped_columns_are_errors_with_their_position() {
    let e = plan_error("SELECT b FROM t GROUP BY a");
    assert_eq!(
        e.to_string(),
        "column 'b' must appear in the GROUP BY clause or be used in an aggregate function"
    );
    assert_eq!(position(&e), Some((1, 8)));

    let e = plan_error("SELECT b, count(*)\nFROM t GROUP BY b HAVING a > 1");
    assert_eq!(
        e.to_string(),
        "column 'a' must appear in the GROUP BY clause or be used in an aggregate function"
    );
    assert_eq!(position(&e), Some((2, 26)));

    let e = plan_error("SELECT a FROM t WHERE c > 0 GROUP BY a ORDER BY lower(b), c");
    assert!(e.to_string().starts_with("column 'b' must appear"), "{e}");
    assert_eq!(position(&e), Some((1, 55)));

    // HAVING alone makes the query an aggregation (PostgreSQL)
    let e = plan_error("SELECT a FROM t HAVING count(*) > 1");
    assert!(e.to_string().starts_with("column 'a' must appear"), "{e}");
}

#[test]
fn aggregates_in_where_and_group_by_are_errors() {
    let e = plan_error("SELECT a FROM t WHERE sum(a) > 1");
    assert_eq!(e.to_string(), "aggregate functions are not allowed in WHERE (use HAVING)");
    assert_eq!(position(&e), Some((1, 23)));
    let e = plan_error("SELECT sum(a) FROM t GROUP BY 1");
    assert!(e.to_string().starts_with("aggregate functions are not allowed in GROUP BY"), "{e}");
    let e = plan_error("SELECT sum(sum(a)) FROM t");
    assert_eq!(e.to_string(), "aggregate function calls cannot be nested: sum(sum(a))");
    let e = plan_error("SELECT sum(*) FROM t");
    assert_eq!(e.to_string(), "'*' is only allowed in count(*), not in sum(*)");
}
