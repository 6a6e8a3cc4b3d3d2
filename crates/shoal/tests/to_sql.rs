//! Round trips of `DataFrame::to_sql`: SQL → DataFrame → SQL text → run, with the same rows as
//! the original, over TPC-H SF0.01, generated taxi data and a list of tricky constructs.

use std::path::Path;

use arrow::array::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use shoal::{Session, SessionConfig};

/// Every row as text, sorted (row order is only compared through ORDER BY + LIMIT results
/// being the same set). Floats are written to 10 significant digits: the two runs may add a
/// float sum up in a different order across threads, so the last bits can differ.
fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let options = FormatOptions::default().with_null("NULL");
    let mut out = vec![];
    for b in batches {
        let b = cast_floats(b);
        let formatters: Vec<ArrayFormatter> =
            b.columns().iter().map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap()).collect();
        for r in 0..b.num_rows() {
            let cells: Vec<String> = formatters.iter().map(|f| f.value(r).to_string()).collect();
            out.push(cells.join(" | "));
        }
    }
    out.sort();
    out
}

/// `batch` with every float column replaced by its values as text to 10 significant digits.
fn cast_floats(batch: &RecordBatch) -> RecordBatch {
    use arrow::array::{Array, ArrayRef, AsArray, StringArray};
    use arrow::datatypes::{DataType, Field, Float64Type, Schema};
    let mut fields = vec![];
    let mut columns: Vec<ArrayRef> = vec![];
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if !matches!(field.data_type(), DataType::Float32 | DataType::Float64) {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
            continue;
        }
        let values = arrow::compute::cast(column, &DataType::Float64).unwrap();
        let values = values.as_primitive::<Float64Type>();
        let text: StringArray = (0..values.len())
            .map(|i| values.is_valid(i).then(|| format!("{:.9e}", values.value(i))))
            .collect();
        fields.push(Field::new(field.name(), DataType::Utf8, true));
        columns.push(std::sync::Arc::new(text));
    }
    RecordBatch::try_new(std::sync::Arc::new(Schema::new(fields)), columns).unwrap()
}

/// Plan `sql`, write it back as SQL, run both, and compare names, types and rows.
fn round_trip(session: &Session, sql: &str) {
    let df = session.sql(sql).unwrap_or_else(|e| panic!("planning {sql}: {e}"));
    let text = df.to_sql().unwrap_or_else(|e| panic!("to_sql of {sql}: {e}"));
    if std::env::var_os("SHOAL_PRINT_SQL").is_some() {
        eprintln!("{sql}\n  => {text}\n");
    }
    let again = session
        .sql(&text)
        .unwrap_or_else(|e| panic!("planning the SQL of\n{sql}\nwritten as\n{text}\n: {e}"));
    let (a, b) = (df.schema(), again.schema());
    let names = |s: &arrow::datatypes::SchemaRef| -> Vec<(String, arrow::datatypes::DataType)> {
        s.fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect()
    };
    assert_eq!(names(&a), names(&b), "schema differs for\n{sql}\nwritten as\n{text}");
    let expected = rows(&df.collect().unwrap_or_else(|e| panic!("running {sql}: {e}")));
    let got = rows(&again.collect().unwrap_or_else(|e| panic!("running\n{text}\n: {e}")));
    assert_eq!(expected, got, "rows differ for\n{sql}\nwritten as\n{text}");
}

fn session(threads: usize) -> Session {
    Session::with_config(SessionConfig { threads, ..SessionConfig::default() })
}

fn tpch_session() -> Session {
    let session = session(4);
    for table in shoal_datagen::tpch::TABLES {
        let batches: Vec<RecordBatch> =
            shoal_datagen::tpch::generate_table(table, 0.01).unwrap().collect::<Result<_, _>>().unwrap();
        session.register_batches(table, batches).unwrap();
    }
    session
}

fn queries(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn tpch_queries_round_trip() {
    let session = tpch_session();
    let all: Vec<_> =
        queries("queries/tpch").into_iter().filter(|(p, _)| !p.ends_with(".oracle.sql")).collect();
    assert_eq!(all.len(), 22);
    for (_, sql) in all {
        round_trip(&session, sql.trim().trim_end_matches(';'));
    }
}

#[test]
fn taxi_queries_round_trip() {
    let session = session(4);
    let batches =
        (0..4).map(|i| shoal_datagen::taxi::generate_rows(7, i * 2_000, 2_000).unwrap()).collect::<Vec<_>>();
    session.register_batches("trips", batches).unwrap();
    let all = queries("queries/taxi");
    assert!(all.len() >= 9);
    for (_, sql) in all {
        round_trip(&session, sql.trim().trim_end_matches(';'));
    }
}

const TRICKY: &[&str] = &[
    "SELECT a, b, a + b AS s FROM l WHERE a > 1 ORDER BY a DESC NULLS FIRST",
    "SELECT a AS x, a AS y FROM l",
    "SELECT * FROM l JOIN r ON l.a = r.a",
    "SELECT * FROM l LEFT JOIN r ON l.a = r.a AND r.c > 'b'",
    "SELECT * FROM l RIGHT JOIN r ON l.a = r.a",
    "SELECT * FROM l FULL JOIN r ON l.a = r.a",
    "SELECT * FROM l CROSS JOIN r",
    "SELECT * FROM l JOIN r USING (a)",
    "SELECT * FROM l NATURAL JOIN r",
    "SELECT * FROM l SEMI JOIN r ON l.a = r.a",
    "SELECT * FROM l ANTI JOIN r ON l.a = r.a",
    "SELECT * FROM l WHERE a IN (SELECT a FROM r)",
    "SELECT * FROM l WHERE a NOT IN (SELECT a FROM r WHERE a IS NOT NULL)",
    "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.a = l.a AND r.c <> 'x')",
    "SELECT * FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.a = l.a)",
    "SELECT a, (SELECT max(c) FROM r WHERE r.a = l.a) AS m FROM l",
    "SELECT a, count(*), sum(b) FILTER (WHERE b > 1), count(DISTINCT b) FROM l GROUP BY a HAVING count(*) > 0",
    "SELECT a, b, sum(b) FROM l GROUP BY ROLLUP (a, b)",
    "SELECT a, b, count(*), grouping(a, b) FROM l GROUP BY CUBE (a, b)",
    "SELECT a, sum(b) FROM l GROUP BY GROUPING SETS ((a), ())",
    "SELECT DISTINCT a FROM l",
    "SELECT a FROM l UNION SELECT a FROM r",
    "SELECT a FROM l UNION ALL SELECT a FROM r",
    "SELECT a FROM l INTERSECT SELECT a FROM r",
    "SELECT a FROM l EXCEPT ALL SELECT a FROM r",
    "SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY b) AS rn, sum(b) OVER (ORDER BY b ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM l",
    "SELECT a, rank() OVER (ORDER BY sum(b) DESC) FROM l GROUP BY a",
    "SELECT * FROM (SELECT a, row_number() OVER (ORDER BY b) AS rn FROM l) AS x WHERE rn <= 2",
    "SELECT * FROM (VALUES (1, 'x'), (2, NULL)) AS v(n, s)",
    "SELECT 1 + 2 AS three, 'it''s' AS s, 1.5 AS d, 2.5e0 AS f, DATE '2024-02-29' AS day, NULL AS n",
    "SELECT CAST(a AS INTEGER) AS i, TRY_CAST(b AS VARCHAR) AS t, CASE WHEN a > 2 THEN 'big' WHEN a IS NULL THEN 'none' ELSE 'small' END AS k FROM l",
    "SELECT a FROM l WHERE a BETWEEN 1 AND 3 AND b NOT IN (7, 8) OR b IS NULL",
    "SELECT c FROM r WHERE c LIKE 'a%' OR c ILIKE 'B_' OR c NOT LIKE '%z'",
    "SELECT a, b FROM l ORDER BY b DESC, a LIMIT 3 OFFSET 1",
    "SELECT a FROM l ORDER BY b LIMIT 2",
    "SELECT x.a, y.a FROM l AS x JOIN l AS y ON x.a = y.b",
    "WITH t AS (SELECT a, sum(b) AS s FROM l GROUP BY a) SELECT * FROM t WHERE s > 1",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n",
    "SELECT string_agg(c, ',' ORDER BY c) AS s, quantile_cont(b, 0.5) AS q, median(b) AS m FROM l JOIN r ON l.a = r.a",
    "SELECT upper(c), substr(c, 1, 1), left(c, 1), date_part('year', DATE '2020-01-05') FROM r",
    "SELECT DATE '2020-01-01' + INTERVAL '3 days' AS d, a % 2 AS odd, -a AS neg FROM l",
    "SELECT sum(b) FROM l",
    "SELECT count(*) FROM l WHERE a IS NOT DISTINCT FROM NULL",
];

#[test]
fn tricky_constructs_round_trip() {
    let session = session(2);
    session
        .execute_sql(
            "CREATE TABLE l AS SELECT * FROM (VALUES (1, 5), (2, 6), (2, 7), (3, NULL), (NULL, 9)) AS t(a, b);
             CREATE TABLE r AS SELECT * FROM (VALUES (1, 'abc'), (2, 'Bx'), (4, 'z'), (NULL, NULL)) AS t(a, c);",
        )
        .unwrap();
    for sql in TRICKY {
        round_trip(&session, sql);
    }
}
