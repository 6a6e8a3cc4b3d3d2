//! Statements other than plain queries, and splitting a script into statements.

mod common;

use common::plan_statement;
use shoal_sql::{split_statements, PlannedStatement};

fn planned(sql: &str) -> PlannedStatement {
    match plan_statement(sql) {
        Ok(p) => p,
        Err(e) => panic!("{}", e.render(sql)),
    }
}

#[test]
fn explain_and_describe() {
    let PlannedStatement::Explain { analyze, verbose, plan } = planned("EXPLAIN ANALYZE SELECT a FROM t")
    else {
        panic!("expected EXPLAIN")
    };
    assert!(analyze && !verbose);
    assert_eq!(plan.display_indent(), "Projection: a\n  SubqueryAlias: t\n    TableScan: t\n");
    assert!(matches!(
        planned("EXPLAIN VERBOSE SELECT 1"),
        PlannedStatement::Explain { analyze: false, verbose: true, .. }
    ));
    let PlannedStatement::Describe { plan } = planned("DESCRIBE lineitem") else {
        panic!("expected DESCRIBE")
    };
    assert_eq!(plan.schema().len(), 7);
    let PlannedStatement::Describe { plan } = planned("DESCRIBE SELECT a, b AS bee FROM t") else {
        panic!("expected DESCRIBE")
    };
    assert_eq!(plan.schema().field(1).name(), "bee");
    let PlannedStatement::Describe { plan } = planned("DESCRIBE 'data/trips.parquet'") else {
        panic!("expected DESCRIBE")
    };
    assert_eq!(plan.schema().field(0).name(), "passenger_count");
}

#[test]
fn views() {
    let PlannedStatement::CreateView { name, or_replace, plan } =
        planned("CREATE OR REPLACE VIEW big AS SELECT a FROM t WHERE a > 10")
    else {
        panic!("expected CREATE VIEW")
    };
    assert_eq!((name.as_str(), or_replace), ("big", true));
    assert_eq!(
        plan.display_indent(),
        "Projection: a\n  Filter: a > 10\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    let PlannedStatement::CreateView { plan, .. } = planned("CREATE VIEW w (x, y) AS SELECT a, b FROM t")
    else {
        panic!("expected CREATE VIEW")
    };
    assert_eq!(
        plan.display_indent(),
        "Projection: t.a AS x, t.b AS y\n  Projection: a, b\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    assert!(matches!(
        planned("DROP VIEW IF EXISTS big"),
        PlannedStatement::DropView { name, if_exists: true } if name == "big"
    ));
    assert!(matches!(planned("DROP VIEW big"), PlannedStatement::DropView { if_exists: false, .. }));
    assert!(matches!(
        planned("DROP TABLE IF EXISTS t"),
        PlannedStatement::DropTable { name, if_exists: true } if name == "t"
    ));
}

#[test]
fn settings_and_show() {
    let set = |sql: &str| match planned(sql) {
        PlannedStatement::SetVariable { name, value } => (name, value),
        other => panic!("expected SET, got {other:?}"),
    };
    assert_eq!(set("SET threads = 4"), ("threads".into(), "4".into()));
    assert_eq!(
        set("SET shoal.optimizer.disable TO 'push_down_filter'"),
        ("shoal.optimizer.disable".into(), "push_down_filter".into())
    );
    assert_eq!(set("SET optimizer_enabled = false"), ("optimizer_enabled".into(), "false".into()));
    assert_eq!(set("SET timezone = UTC"), ("timezone".into(), "UTC".into()));
    assert!(matches!(planned("SHOW TABLES"), PlannedStatement::ShowTables));
    assert!(matches!(planned("SHOW FUNCTIONS"), PlannedStatement::ShowFunctions));
}

#[test]
fn split_statements_keeps_each_source_text() {
    let sql = "SELECT 1;\n-- comment\nSELECT a\n  FROM t;;  SET threads = 2";
    let stmts = split_statements(sql).unwrap();
    let texts: Vec<&str> = stmts.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts, vec!["SELECT 1", "SELECT a\n  FROM t", "SET threads = 2"]);
    assert_eq!(stmts[2].1.to_string(), "SET threads = 2");
    let e = split_statements("SELECT 1; SELEC 2").unwrap_err();
    assert_eq!(e.span().map(|s| (s.start_line, s.start_column)), Some((1, 11)));
}
