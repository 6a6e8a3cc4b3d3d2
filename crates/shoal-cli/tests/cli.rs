//! End-to-end tests of the `shoal` binary: output formats, exit codes, error rendering.

use std::path::PathBuf;
use std::process::{Command, Output};

fn shoal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shoal"))
        .args(args)
        .env("SHOAL_CACHE_DIR", std::env::temp_dir().join("shoal-cli-test-cache"))
        .output()
        .expect("the shoal binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn write_csv(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn csv_output_of_a_query() {
    let o = shoal(&["--format", "csv", "-c", "SELECT 1 + 1 AS two, 'x' AS s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "two,s\n2,x\n");
}

#[test]
fn markdown_and_json_output() {
    let o = shoal(&["--format", "markdown", "-c", "SELECT 7 AS n, NULL AS z"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "| n | z |\n| ---: | --- |\n| 7 | NULL |\n");
    let o = shoal(&["--format", "json", "-c", "SELECT 7 AS n, 'a' AS s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), r#"[{"n":7,"s":"a"}]"#);
}

#[test]
fn table_output_has_types_and_row_count() {
    let o = shoal(&["-c", "SELECT 42 AS answer"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("answer"), "{out}");
    assert!(out.contains("bigint"), "{out}");
    assert!(out.contains("42"), "{out}");
    assert!(out.trim_end().ends_with("1 row"), "{out}");
}

#[test]
fn registered_table_and_file_of_statements() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(&dir, "people.csv", "name,age\nann,31\nbob,\ncid,45\n");
    let sql = dir.path().join("q.sql");
    std::fs::write(&sql, "CREATE VIEW adults AS SELECT * FROM p WHERE age >= 18;\nSELECT count(*) AS n, sum(age) AS s FROM adults;\n").unwrap();
    let table = format!("p={}", csv.display());
    let o = shoal(&["--format", "csv", "--threads", "2", "--table", &table, "-f", sql.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "n,s\n2,76\n");
}

#[test]
fn syntax_error_exits_1_with_caret() {
    let o = shoal(&["-c", "SELECT 1 +* FROM"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("SQL syntax error"), "{err}");
    assert!(err.contains("^"), "{err}");
}

#[test]
fn unknown_column_suggests_and_points() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(&dir, "t.csv", "fare_amount,tip\n1.5,2\n");
    let q = format!("SELECT fare_amout FROM '{}'", csv.display());
    let o = shoal(&["-c", &q]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("did you mean 'fare_amount'"), "{err}");
    assert!(err.contains("line 1, column 8"), "{err}");
}

#[test]
fn bad_usage_exits_2() {
    let o = shoal(&["--format", "yaml", "-c", "SELECT 1"]);
    assert_eq!(o.status.code(), Some(2));
    let o = shoal(&["--threads", "0", "-c", "SELECT 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be at least 1"));
}

#[test]
fn missing_file_is_a_clear_error() {
    let o = shoal(&["-c", "SELECT * FROM 'no/such/file.parquet'"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such/file.parquet"), "{}", stderr(&o));
}

#[test]
fn piped_tables_show_every_row_unless_max_rows_cuts_them() {
    let sql = "WITH RECURSIVE t(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM t WHERE x < 100) \
               SELECT x * 1000 AS x FROM t ORDER BY x";
    let cell = |out: &str, n: u32| out.lines().any(|l| l.split_whitespace().any(|w| w == n.to_string()));
    let o = shoal(&["-c", sql]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!((1..=100).all(|i| cell(&out, i * 1000) || out.contains(&format!("{},000", i))), "{out}");
    assert!(out.contains("100 rows") && !out.contains("shown"), "{out}");
    let o = shoal(&["--max-rows", "10", "-c", sql]);
    let out = stdout(&o);
    assert!(out.contains("100 rows (10 shown)"), "{out}");
    assert!(!out.contains("50,000") && !cell(&out, 50_000), "{out}");
}
