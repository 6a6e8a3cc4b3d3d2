//! The runner against the real engine: record kinds, conditions, hashing, both value conventions,
//! and completion of expected output.

use std::path::Path;

use shoal_sqllogictest::{complete_file, run_file, run_file_keep_going, runner_for, RunOptions};

fn run_script(file_name: &str, script: &str) -> Result<(), String> {
    let mut runner = runner_for(Path::new(file_name), &RunOptions::default());
    let result = runner.run_script_with_name(script, file_name).map_err(|e| e.display(false).to_string());
    runner.shutdown();
    result
}

#[test]
fn statements_queries_and_errors() {
    let script = r#"
statement ok
CREATE VIEW t AS SELECT * FROM (VALUES (1, 'a', true), (2, '', NULL)) AS v(id, s, b)

query ITB rowsort
SELECT id, s, b FROM t
----
1 a true
2 (empty) NULL

query R
SELECT avg(id) FROM t
----
1.5

statement error column 'nme' not found
SELECT nme FROM t

query error (?i)division by zero
SELECT 1 / 0

statement ok
SELECT 1
"#;
    run_script("plumbing.slt", script).unwrap();
}

#[test]
fn a_wrong_result_fails_with_a_diff() {
    let script = "query I\nSELECT 1 + 1\n----\n3\n";
    let error = run_script("wrong.slt", script).unwrap_err();
    assert!(error.contains("query result mismatch"), "{error}");
    assert!(error.contains("SELECT 1 + 1"), "{error}");
}

#[test]
fn engine_name_is_shoal_for_conditions() {
    let script = r#"
skipif shoal
query I
SELECT 1
----
999

onlyif sqlite
query I
SELECT 1
----
999

onlyif shoal
query I
SELECT 2
----
2
"#;
    run_script("conditions.slt", script).unwrap();
}

#[test]
fn large_results_compare_by_hash() {
    // md5 of "1\n2\n3\n4\n"
    let script = r#"
hash-threshold 3

query I valuesort
SELECT x FROM (VALUES (3), (1), (4), (2)) AS v(x)
----
4 values hashing to 302c28003d487124d97c242de94da856

halt

query I
SELECT 1
----
999
"#;
    run_script("hashing.slt", script).unwrap();
}

#[test]
fn sqlite_convention_for_test_files() {
    // one value per line, floats with three decimals, booleans as integers
    let script = r#"
query IRI
SELECT 1, CAST(2.5 AS DOUBLE) * 1, 1 < 2
----
1
2.500
1

query T
SELECT ''
----
(empty)
"#;
    run_script("sqlite_style.test", script).unwrap();
}

#[test]
fn run_file_reports_the_first_failure_and_keep_going_all() {
    let dir = tempfile_dir("keep_going");
    let path = dir.join("two_failures.slt");
    std::fs::write(
        &path,
        "query I\nSELECT 1\n----\n2\n\nquery I\nSELECT 2\n----\n2\n\nquery I\nSELECT 3\n----\n4\n",
    )
    .unwrap();
    let first = run_file(&path, &RunOptions::default()).unwrap_err().to_string();
    assert!(first.contains("SELECT 1"), "{first}");
    let all = run_file_keep_going(&path, &RunOptions::default());
    assert_eq!(all.len(), 2);
    assert!(all[1].to_string().contains("SELECT 3"));
}

#[test]
fn complete_rewrites_expected_output() {
    let dir = tempfile_dir("complete");
    let path = dir.join("new.slt");
    std::fs::write(
        &path,
        "query T\nSELECT 40 + 2, 'x'\n----\n\nstatement ok\nSELECT nope\n\nquery I\nSELECT 1\n----\n1\n",
    )
    .unwrap();
    complete_file(&path, &RunOptions::default()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "query IT\nSELECT 40 + 2, 'x'\n----\n42 x\n\n\
         statement error column 'nope' not found\nSELECT nope\n\n\
         query I\nSELECT 1\n----\n1\n"
    );
    run_file(&path, &RunOptions::default()).unwrap();
    let sqlite = dir.join("theirs.test");
    std::fs::write(&sqlite, "query I\nSELECT 1\n----\n1\n").unwrap();
    assert!(complete_file(&sqlite, &RunOptions::default()).is_err());
}

/// A fresh directory under the target's temporary directory.
fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shoal-sqllogictest-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
