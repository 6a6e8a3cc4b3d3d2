//! Set operations, CTEs and in-memory tables through the Session, checking actual rows at one
//! and several threads.

use arrow::array::{Array, Int64Array};
use arrow::record_batch::RecordBatch;
use shoal::{Session, SessionConfig};

/// The first column of the result of `sql` as integers (NULL as None), in result order.
fn ints(session: &Session, sql: &str) -> Vec<Option<i64>> {
    let batches: Vec<RecordBatch> =
        session.sql(sql).unwrap_or_else(|e| panic!("{sql}: {e}")).collect().unwrap();
    let mut out = vec![];
    for b in &batches {
        let a =
            b.column(0).as_any().downcast_ref::<Int64Array>().unwrap_or_else(|| panic!("{sql}: not Int64"));
        out.extend((0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i))));
    }
    out
}

fn sorted(mut v: Vec<Option<i64>>) -> Vec<Option<i64>> {
    v.sort();
    v
}

fn sessions() -> Vec<Session> {
    [1, 4]
        .into_iter()
        .map(|threads| {
            let s = Session::with_config(SessionConfig { threads, batch_size: 7, ..SessionConfig::default() });
            s.execute_sql(
                "CREATE TABLE big AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) \
                 SELECT n, n % 10 AS m FROM r",
            )
            .unwrap();
            s
        })
        .collect()
}

#[test]
fn union_all_keeps_every_row_across_morsels() {
    for s in sessions() {
        let rows =
            ints(&s, "SELECT count(*) FROM (SELECT n FROM big UNION ALL SELECT n FROM big WHERE m = 0) AS u");
        assert_eq!(rows, vec![Some(1100)]);
        let rows = ints(&s, "SELECT sum(n) FROM (SELECT n FROM big UNION ALL SELECT m FROM big) AS u");
        assert_eq!(rows, vec![Some(500_500 + 4500)]);
    }
}

#[test]
fn union_distinct_and_ordering() {
    for s in sessions() {
        let rows = ints(&s, "SELECT m FROM big UNION SELECT m + 5 FROM big ORDER BY 1 DESC LIMIT 3");
        assert_eq!(rows, vec![Some(14), Some(13), Some(12)]);
    }
}

#[test]
fn intersect_and_except_count_duplicates() {
    for s in sessions() {
        // m = 3 occurs 100 times on the left, 3 times on the right
        let rows =
            ints(&s, "SELECT m FROM big INTERSECT ALL SELECT * FROM (VALUES (3), (3), (3), (NULL)) AS v(x)");
        assert_eq!(rows, vec![Some(3), Some(3), Some(3)]);
        let rows = ints(
            &s,
            "SELECT count(*) FROM (SELECT m FROM big EXCEPT ALL SELECT m FROM big WHERE n <= 500) AS e",
        );
        assert_eq!(rows, vec![Some(500)]);
        let rows = sorted(ints(&s, "SELECT m FROM big EXCEPT SELECT m FROM big WHERE m > 2"));
        assert_eq!(rows, vec![Some(0), Some(1), Some(2)]);
        let rows = sorted(ints(&s, "SELECT NULL::BIGINT INTERSECT SELECT NULL::BIGINT"));
        assert_eq!(rows, vec![None]);
    }
}

#[test]
fn recursive_query_iterates_to_a_fixpoint() {
    for s in sessions() {
        let rows = ints(&s, "SELECT count(*) FROM big");
        assert_eq!(rows, vec![Some(1000)]);
        // Collatz steps from 27 (111 steps to reach 1)
        let rows = ints(
            &s,
            "WITH RECURSIVE c(x, steps) AS (SELECT 27, 0 UNION ALL \
             SELECT CASE WHEN x % 2 = 0 THEN x / 2 ELSE 3 * x + 1 END, steps + 1 FROM c WHERE x <> 1) \
             SELECT max(steps) FROM c",
        );
        assert_eq!(rows, vec![Some(111)]);
    }
}

#[test]
fn insert_appends_rows() {
    for s in sessions() {
        s.execute_sql("CREATE TABLE t (a BIGINT)").unwrap();
        s.execute_sql("INSERT INTO t SELECT n FROM big WHERE n <= 10").unwrap();
        s.execute_sql("INSERT INTO t VALUES (100), (NULL)").unwrap();
        assert_eq!(ints(&s, "SELECT sum(a) FROM t"), vec![Some(155)]);
        assert_eq!(ints(&s, "SELECT count(*) FROM t WHERE a IS NULL"), vec![Some(1)]);
    }
}
