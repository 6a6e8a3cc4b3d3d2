//! Planning of set operations, CTEs, in-memory table statements and COPY.

mod common;

use common::{plan, plan_error, plan_statement, position};
use shoal_common::ShoalError;
use shoal_sql::ddl::CopyFormat;
use shoal_sql::PlannedStatement;

#[test]
fn union_chains_become_one_node_and_casts_are_inserted() {
    assert_eq!(
        plan("SELECT a FROM t UNION ALL SELECT VendorID FROM t UNION ALL SELECT 1"),
        "Union\n  Projection: a\n    SubqueryAlias: t\n      TableScan: t\n  \
         Projection: CAST(t.VendorID AS BIGINT) AS VendorID\n    Projection: VendorID\n      SubqueryAlias: t\n        TableScan: t\n  \
         Projection: 1\n    EmptyRelation: rows=1\n"
    );
    assert_eq!(
        plan("SELECT a FROM t UNION SELECT a FROM t"),
        "Aggregate: groupBy=[a], aggr=[]\n  Union\n    Projection: a\n      SubqueryAlias: t\n        TableScan: t\n    \
         Projection: a\n      SubqueryAlias: t\n        TableScan: t\n"
    );
    assert!(plan("SELECT a FROM t INTERSECT ALL SELECT a FROM t").starts_with("INTERSECT ALL\n"));
    assert!(plan("SELECT a FROM t EXCEPT SELECT a FROM t").starts_with("EXCEPT\n"));
}

#[test]
fn set_operation_errors_point_at_the_operation() {
    let e = plan_error("SELECT a, b FROM t UNION SELECT a FROM t");
    assert_eq!(e.to_string(), "each UNION query must have the same number of columns: 2 vs 1");
    assert_eq!(position(&e), Some((1, 1)));
    let e = plan_error("SELECT a FROM t INTERSECT SELECT flag FROM t");
    assert_eq!(e.to_string(), "INTERSECT types BIGINT and BOOLEAN cannot be matched (column 1 'a')");
    let e = plan_error("SELECT 1 AS x UNION BY NAME SELECT 2 AS x");
    assert!(matches!(e, ShoalError::NotSupported { .. }), "{e:?}");
    assert_eq!(e.to_string(), "not supported: UNION BY NAME");
}

#[test]
fn ctes_and_recursive_ctes() {
    assert_eq!(
        plan("WITH q(x) AS (SELECT a FROM t) SELECT x FROM q"),
        "Projection: x\n  SubqueryAlias: q\n    Projection: t.a AS x\n      Projection: a\n        SubqueryAlias: t\n          TableScan: t\n"
    );
    let p =
        plan("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r");
    assert!(p.contains("RecursiveQuery: r (UNION ALL)"), "{p}");
    assert!(p.contains("WorkTableScan: r"), "{p}");
    // WITH RECURSIVE without a self reference is a plain union
    let p = plan("WITH RECURSIVE r AS (SELECT 1 UNION SELECT 2) SELECT * FROM r");
    assert!(!p.contains("RecursiveQuery") && p.contains("Union"), "{p}");
    let e = plan_error("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1.5 FROM r) SELECT n FROM r");
    assert!(e.to_string().contains("recursive query 'r' column 1 has type BIGINT"), "{e}");
}

#[test]
fn table_statements() {
    let Ok(PlannedStatement::CreateTable { name, or_replace: true, if_not_exists: false, plan }) =
        plan_statement("CREATE OR REPLACE TABLE x AS SELECT a FROM t")
    else {
        panic!("expected CreateTable");
    };
    assert_eq!((name.as_str(), plan.schema().len()), ("x", 1));
    let Ok(PlannedStatement::CreateTable { plan, .. }) =
        plan_statement("CREATE TABLE y (a INT NOT NULL, b TEXT)")
    else {
        panic!("expected CreateTable");
    };
    let fields = plan.schema().fields().to_vec();
    assert_eq!(fields.len(), 2);
    assert!(!fields[0].is_nullable() && fields[1].is_nullable());
    let e = plan_error("CREATE TABLE z (a INT UNIQUE)");
    assert_eq!(e.to_string(), "not supported: the column option UNIQUE");
    assert_eq!(position(&e), Some((1, 17)));
    // INSERT into the table's columns, cast and in table order
    let Ok(PlannedStatement::Insert { table, plan }) =
        plan_statement("INSERT INTO t (VendorID, a) VALUES (1, 2)")
    else {
        panic!("expected Insert");
    };
    assert_eq!(table, "t");
    assert_eq!(plan.schema().len(), 7);
    let e = plan_error("INSERT INTO t (a) VALUES (1, 2)");
    assert_eq!(e.to_string(), "INSERT has more expressions (2) than target columns (1)");
    let e = plan_error("INSERT INTO t (flag) VALUES (DATE '2024-01-01')");
    assert_eq!(e.to_string(), "column 'flag' is of type BOOLEAN but the inserted value is of type DATE");
}

#[test]
fn copy_statements() {
    let Ok(PlannedStatement::Copy { path, options, .. }) = plan_statement("COPY t TO 'out.parquet'") else {
        panic!("expected Copy");
    };
    assert_eq!((path.as_str(), options.format), ("out.parquet", CopyFormat::Parquet));
    let Ok(PlannedStatement::Copy { options, plan, .. }) =
        plan_statement("COPY (SELECT a FROM t) TO 'out.dat' (FORMAT csv, HEADER false, DELIMITER '|')")
    else {
        panic!("expected Copy");
    };
    assert_eq!((options.format, options.header, options.delimiter), (CopyFormat::Csv, false, b'|'));
    assert_eq!(plan.schema().len(), 1);
    let e = plan_error("COPY t TO 'out.xyz'");
    assert!(e.to_string().contains("cannot tell the format from the file name"), "{e}");
}
