//! `memory_limit` end to end: SET / SessionConfig, ResourcesExhausted from GROUP BY, ORDER BY
//! spilling at 1 and 4 threads, streaming queries under a tiny limit, EXPLAIN ANALYZE.

use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch, StringArray};
use shoal::{rows_to_strings, Session, SessionConfig, ShoalError};

/// 60,000 rows: a = a scrambled number below 30,000, s = 'v' || (a % 101).
fn session(threads: usize) -> Session {
    let session =
        Session::with_config(SessionConfig { threads, batch_size: 2048, ..SessionConfig::default() });
    let batches = (0..30)
        .map(|b| {
            let a: Vec<i64> = (0..2000).map(|i| ((b * 2000 + i) * 7_919) % 30_000).collect();
            let s: Vec<String> = a.iter().map(|v| format!("v{}", v % 101)).collect();
            RecordBatch::try_from_iter([
                ("a", Arc::new(Int64Array::from(a)) as _),
                ("s", Arc::new(StringArray::from(s)) as _),
            ])
            .unwrap()
        })
        .collect();
    session.register_batches("t", batches).unwrap();
    session
}

fn query(session: &Session, sql: &str) -> Result<Vec<String>, ShoalError> {
    let out = session.sql(sql)?.collect();
    assert_eq!(session.memory_pool().used(), 0, "memory still reserved after: {sql}");
    rows_to_strings(&out?)
}

#[test]
fn set_memory_limit_parses_sizes_and_rejects_bad_ones() {
    let session = session(1);
    session.sql("SET memory_limit = '2GiB'").unwrap();
    assert_eq!(session.config().memory_limit, Some(2 << 30));
    assert_eq!(session.memory_pool().limit(), Some(2 << 30));
    session.sql("SET memory_limit = '512MB'").unwrap();
    assert_eq!(session.memory_pool().limit(), Some(512_000_000));
    let err = session.sql("SET memory_limit = 'lots'").err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(err, "invalid size 'lots': expected a number first; expected e.g. '512MB', '2GiB' or '75%'");
    let err = session.sql("SET memory_limit = '3 parsecs'").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("unknown unit 'parsecs'"), "{err}");
    assert_eq!(session.config().memory_limit, Some(512_000_000), "a bad SET changed the limit");
    session.sql("SET memory_limit = 'none'").unwrap();
    assert_eq!(session.memory_pool().limit(), None);
    session.sql("SET spill_path = '/tmp'").unwrap();
    assert_eq!(session.config().spill_path.as_deref(), Some(std::path::Path::new("/tmp")));
}

#[test]
fn group_by_fails_under_a_tiny_limit_and_works_under_a_generous_one() {
    let sql = "SELECT a, count(*) AS n FROM t GROUP BY a ORDER BY a LIMIT 3";
    for threads in [1, 4] {
        let session = session(threads);
        session.set_memory_limit(Some(32 * 1024)).unwrap();
        let err = query(&session, sql).unwrap_err();
        assert!(
            matches!(err.root(), ShoalError::ResourcesExhausted { operator, .. } if operator == "HashAggregateExec")
        );
        assert!(err.to_string().contains("Raise memory_limit"), "{err}");
        session.sql("SET memory_limit = '1GB'").unwrap();
        assert_eq!(query(&session, sql).unwrap(), ["0, 2", "1, 2", "2, 2"]);
    }
}

#[test]
fn order_by_spills_and_returns_the_same_rows_as_without_a_limit() {
    let sql = "SELECT s, a FROM t ORDER BY s DESC, a";
    let expected = query(&session(2), sql).unwrap();
    assert_eq!(expected.len(), 60_000);
    assert_eq!(expected.first().map(String::as_str), Some("v99, 99"));
    for threads in [1, 4] {
        let session = session(threads);
        session.sql("SET memory_limit = '100KB'").unwrap();
        assert_eq!(query(&session, sql).unwrap(), expected, "at {threads} threads");
        let plan = query(&session, &format!("EXPLAIN ANALYZE {sql}")).unwrap().join("\n");
        let sort = plan.lines().find(|l| l.contains("SortExec")).unwrap_or_default();
        assert!(sort.contains("spills=") && sort.contains("mem="), "{plan}");
    }
}

#[test]
fn streaming_queries_need_no_budget() {
    let session = session(4);
    session.sql("SET memory_limit = '1KB'").unwrap();
    assert_eq!(query(&session, "SELECT count(*) FROM t").unwrap(), ["60000"]);
    assert_eq!(query(&session, "SELECT count(*) FROM t WHERE a < 5").unwrap(), ["10"]);
    assert_eq!(query(&session, "SELECT s FROM t WHERE a = 7 LIMIT 1").unwrap(), ["v7"]);
}

#[test]
fn tables_made_by_create_table_hold_memory_until_dropped() {
    let session = session(2);
    session.sql("CREATE TABLE small AS SELECT a FROM t WHERE a < 100").unwrap();
    let held = session.memory_pool().used();
    assert!(held > 0, "CREATE TABLE reserved nothing");
    session.sql("INSERT INTO small SELECT a FROM t WHERE a < 10").unwrap();
    assert!(session.memory_pool().used() > held);
    assert_eq!(
        rows_to_strings(&session.sql("SELECT count(*) FROM small").unwrap().collect().unwrap()).unwrap(),
        ["220"]
    );
    session.sql("DROP TABLE small").unwrap();
    assert_eq!(session.memory_pool().used(), 0);
    session.sql("SET memory_limit = '4KB'").unwrap();
    let err =
        session.sql("CREATE TABLE big AS SELECT * FROM t").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.starts_with("table 'big' ran out of memory"), "{err}");
    assert!(err.contains("DROP TABLE"), "{err}");
    assert_eq!(session.memory_pool().used(), 0);
    assert!(session.sql("SELECT * FROM big").is_err(), "a table that did not fit was created");
}
