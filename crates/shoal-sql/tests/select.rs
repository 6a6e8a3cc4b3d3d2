//! SELECT planning: select lists, WHERE, DISTINCT, ORDER BY, LIMIT, VALUES and FROM.

mod common;

use common::{plan, MockContext};
use shoal_sql::{parse_sql, PlannedStatement, SqlPlanner};

#[test]
fn columns_and_filter() {
    assert_eq!(
        plan("SELECT a, b FROM t WHERE a > 1 AND b = 'x'"),
        "Projection: a, b\n  Filter: a > 1 AND b = 'x'\n    SubqueryAlias: t\n      TableScan: t\n"
    );
}

#[test]
fn wildcards_and_exclude() {
    assert_eq!(
        plan("SELECT t.*, a + 1 AS a1 FROM t"),
        "Projection: t.a, t.b, t.c, t.d, t.ts, t.VendorID, t.flag, a + 1 AS a1\n  SubqueryAlias: t\n    TableScan: t\n"
    );
    assert_eq!(
        plan("SELECT * EXCLUDE (b, C) FROM t"),
        "Projection: t.a, t.d, t.ts, t.VendorID, t.flag\n  SubqueryAlias: t\n    TableScan: t\n"
    );
    // DuckDB's FROM-first syntax
    assert_eq!(plan("FROM t SELECT a"), "Projection: a\n  SubqueryAlias: t\n    TableScan: t\n");
}

#[test]
fn identifiers_resolve_case_insensitively_but_keep_source_spelling() {
    assert_eq!(
        plan("SELECT vendorid, T.A FROM T"),
        "Projection: VendorID, t.a\n  SubqueryAlias: t\n    TableScan: t\n"
    );
}

#[test]
fn select_without_from() {
    assert_eq!(
        plan("SELECT 1 + 2 AS three, 'x'"),
        "Projection: 1 + 2 AS three, 'x'\n  EmptyRelation: rows=1\n"
    );
}

#[test]
fn order_by_output_names_ordinals_and_hidden_columns() {
    assert_eq!(
        plan("SELECT a AS x FROM t ORDER BY x, 1 DESC"),
        "Sort: x ASC NULLS LAST, x DESC NULLS FIRST\n  Projection: a AS x\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    // a key not in the select list is carried by the projection and dropped after the sort
    assert_eq!(
        plan("SELECT a AS x FROM t ORDER BY x, b"),
        "Projection: x\n  Sort: x ASC NULLS LAST, t.b ASC NULLS LAST\n    Projection: a AS x, t.b\n      SubqueryAlias: t\n        TableScan: t\n"
    );
    // an expression over a selected column sorts by the output column
    assert_eq!(
        plan("SELECT a FROM t ORDER BY a + 1 DESC NULLS LAST"),
        "Sort: t.a + 1 DESC NULLS LAST\n  Projection: a\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    // output names win over input columns (PostgreSQL)
    assert_eq!(
        plan("SELECT a AS b, b AS a FROM t ORDER BY a"),
        "Sort: a ASC NULLS LAST\n  Projection: a AS b, b AS a\n    SubqueryAlias: t\n      TableScan: t\n"
    );
}

#[test]
fn order_by_hidden_column_that_clashes_with_an_output_name() {
    assert_eq!(
        plan("SELECT column2 AS column1 FROM (VALUES (1, 2)) ORDER BY column1 + 1"),
        "Projection: column1\n  Sort: __sort_key_0 + 1 ASC NULLS LAST\n    Projection: column2 AS column1, column1 AS __sort_key_0\n      Values: (1, 2)\n"
    );
}

#[test]
fn distinct() {
    assert_eq!(
        plan("SELECT DISTINCT a, b FROM t ORDER BY b"),
        "Sort: t.b ASC NULLS LAST\n  Aggregate: groupBy=[t.a, t.b], aggr=[]\n    Projection: a, b\n      SubqueryAlias: t\n        TableScan: t\n"
    );
}

#[test]
fn limit_and_offset() {
    assert_eq!(
        plan("SELECT a FROM t LIMIT 10 OFFSET 5"),
        "Limit: skip=5, fetch=10\n  Projection: a\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    assert_eq!(
        plan("SELECT a FROM t OFFSET 2 * 3"),
        "Limit: skip=6, fetch=None\n  Projection: a\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    assert_eq!(plan("SELECT a FROM t LIMIT NULL"), "Projection: a\n  SubqueryAlias: t\n    TableScan: t\n");
}

#[test]
fn values_and_subqueries() {
    assert_eq!(
        plan("VALUES (1, 'a'), (2, 'b') ORDER BY 1 LIMIT 1"),
        "Limit: skip=0, fetch=1\n  Sort: column1 ASC NULLS LAST\n    Values: (1, 'a'), (2, 'b')\n"
    );
    assert_eq!(
        plan("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(x, y) ORDER BY x DESC"),
        "Sort: v.x DESC NULLS FIRST\n  Projection: v.x, v.y\n    SubqueryAlias: v\n      Projection: column1 AS x, column2 AS y\n        Values: (1, 'a'), (2, 'b')\n"
    );
    assert_eq!(
        plan("SELECT s.a FROM (SELECT a FROM t) AS s"),
        "Projection: s.a\n  SubqueryAlias: s\n    Projection: a\n      SubqueryAlias: t\n        TableScan: t\n"
    );
    assert_eq!(
        plan("(SELECT a FROM t) ORDER BY a LIMIT 2"),
        "Limit: skip=0, fetch=2\n  Sort: a ASC NULLS LAST\n    Projection: a\n      SubqueryAlias: t\n        TableScan: t\n"
    );
}

#[test]
fn file_paths_are_named_after_their_stem() {
    assert_eq!(
        plan("SELECT trips.fare_amount FROM 'data/trips.parquet'"),
        "Projection: trips.fare_amount\n  SubqueryAlias: trips\n    TableScan: data/trips.parquet\n"
    );
    assert_eq!(
        plan("SELECT passenger_count FROM 'taxi/*.parquet' AS x"),
        "Projection: passenger_count\n  SubqueryAlias: x\n    TableScan: taxi/*.parquet\n"
    );
    // a double-quoted name that is not a table but looks like a file
    assert_eq!(
        plan("SELECT fare_amount FROM \"data/trips.csv\""),
        "Projection: fare_amount\n  SubqueryAlias: trips\n    TableScan: data/trips.csv\n"
    );
}

#[test]
fn table_functions_get_constant_arguments() {
    let ctx = MockContext::new();
    let sql = "SELECT x.fare_amount FROM read_csv('data/x.csv', header => true, delim = ',', skip = -1)";
    let stmt = &parse_sql(sql).unwrap()[0];
    let PlannedStatement::Query(p) = SqlPlanner::new(&ctx).plan_statement(stmt).unwrap() else {
        panic!("expected a query")
    };
    assert_eq!(
        p.display_indent(),
        "Projection: x.fare_amount\n  SubqueryAlias: x\n    TableScan: read_csv('data/x.csv', header => true, delim = ',', skip = -1)\n"
    );
    let calls = ctx.table_function_calls.borrow();
    let (name, args) = &calls[0];
    assert_eq!(name, "read_csv");
    let rendered: Vec<(Option<&str>, String)> =
        args.iter().map(|a| (a.name.as_deref(), a.value.to_string())).collect();
    assert_eq!(
        rendered,
        vec![
            (None, "'data/x.csv'".to_string()),
            (Some("header"), "true".to_string()),
            (Some("delim"), "','".to_string()),
            (Some("skip"), "-1".to_string()),
        ]
    );
}

#[test]
fn views_and_column_aliases() {
    assert_eq!(
        plan("SELECT x.a, x.bb FROM v AS x(a, bb)"),
        "Projection: x.a, x.bb\n  SubqueryAlias: x\n    Projection: t.a AS a, t.b AS bb\n      Projection: a, b\n        TableScan: t\n"
    );
    assert_eq!(
        plan("SELECT v.b FROM V"),
        "Projection: v.b\n  SubqueryAlias: v\n    Projection: a, b\n      TableScan: t\n"
    );
}
