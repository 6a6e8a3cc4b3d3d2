//! The runner against the real engine: record kinds, conditions, hashing, the three value
//! conventions (with fixture files written in SQLite's and DataFusion's conventions), panics, and
//! completion of expected output.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use shoal::udf::{create_udf, Volatility};
use shoal_sqllogictest::{
    complete_file, run_file, run_file_keep_going, runner_for, RunOptions, ShoalRunner, SltError, ValueStyle,
};

fn run_script(file_name: &str, script: &str) -> Result<(), String> {
    let mut runner = runner_for(Path::new(file_name), &RunOptions::default());
    let result = runner.run_script(file_name, script).map_err(|e| e.to_string());
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

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

const SQLITE_FIXTURE: &str = "sqlite_style.test";
const DATAFUSION_FIXTURE: &str = "datafusion/datafusion_style.slt";

#[test]
fn fixture_styles_follow_their_paths() {
    assert_eq!(RunOptions::default().style_for(&fixture(SQLITE_FIXTURE)), ValueStyle::Sqlite);
    assert_eq!(RunOptions::default().style_for(&fixture(DATAFUSION_FIXTURE)), ValueStyle::DataFusion);
}

/// The fixtures run through `run_file`, what `shoal-slt` calls, with the style their paths give.
#[test]
fn sqlite_and_datafusion_fixtures_pass_in_their_conventions() {
    for name in [SQLITE_FIXTURE, DATAFUSION_FIXTURE] {
        for options in [RunOptions::default(), RunOptions { threads: 1, ..RunOptions::default() }] {
            if let Err(e) = run_file(&fixture(name), &options) {
                panic!("{name} [{}]: {e}", options.label());
            }
        }
    }
}

/// The same files fail in another convention: the conventions are really applied.
#[test]
fn fixtures_fail_in_shoal_convention() {
    for name in [SQLITE_FIXTURE, DATAFUSION_FIXTURE] {
        let options = RunOptions { style: Some(ValueStyle::Shoal), ..RunOptions::default() };
        let failures = run_file_keep_going(&fixture(name), &options);
        assert!(failures.len() >= 5, "{name}: only {} failures in shoal's convention", failures.len());
    }
}

/// Copy a fixture with one expected value changed (`from` must occur in it) into `dir` and run it.
fn run_mutated(fixture_name: &str, dir: &Path, from: &str, to: &str) -> Result<(), SltError> {
    let text = std::fs::read_to_string(fixture(fixture_name)).unwrap();
    assert!(text.contains(from), "{fixture_name} has no {from:?}");
    let file_name = Path::new(fixture_name).file_name().unwrap();
    let path = dir.join(file_name);
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    run_file(&path, &RunOptions::default())
}

#[test]
fn a_wrong_expected_value_fails_the_sqlite_fixture() {
    let dir = tempfile_dir("sqlite_negative");
    for (from, to) in [
        // half to even (Rust's "{:.3}") would print 0.062; SQLite rounds half away from zero
        ("0.063\n-0.063", "0.062\n-0.063"),
        ("----\n109\n", "----\n109.250\n"),
        ("----\n-2\n7\n2\n", "----\n-3\n8\n3\n"),
        ("1.5\n1.0e+20", "1.5\n1e20"),
        ("----\n(empty)\nNULL", "----\nNULL\nNULL"),
        ("42db0d64c461e339dcdb31b275395a95", "42db0d64c461e339dcdb31b275395a96"),
        ("----\n10\n100\n9\n", "----\n9\n10\n100\n"),
    ] {
        let error = run_mutated(SQLITE_FIXTURE, &dir, from, to).expect_err(to).to_string();
        assert!(error.contains("query result mismatch"), "{to:?}: {error}");
    }
    // one letter per column: a missing letter fails
    let error = run_mutated(SQLITE_FIXTURE, &dir, "query II\nSELECT 1 < 2", "query I\nSELECT 1 < 2")
        .unwrap_err()
        .to_string();
    assert!(error.contains("columns mismatch"), "{error}");
}

#[test]
fn a_wrong_expected_value_fails_the_datafusion_fixture() {
    // keep a directory named datafusion so the copy runs in DataFusion's convention
    let dir = tempfile_dir("datafusion_negative").join("datafusion");
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in [
        ("0.3 0.666666666667", "0.30000000000000004 0.666666666667"),
        ("1 a 0.1 3.5 true", "1 a 0.1 3.50 true"),
        ("0.000000000002 0 -12.345", "0.0000000000015 0 -12.345"),
        ("1 100000000000000000000", "1 1e20"),
        ("2024-02-29T12:34:56.500", "2024-02-29T12:34:56.500000"),
        ("9bd9381d949861156d04fa33d55da44f", "9bd9381d949861156d04fa33d55da44e"),
    ] {
        let error = run_mutated(DATAFUSION_FIXTURE, &dir, from, to).expect_err(to).to_string();
        assert!(error.contains("query result mismatch"), "{to:?}: {error}");
    }
    // type letters are checked strictly, as DataFusion's runner does
    let error = run_mutated(DATAFUSION_FIXTURE, &dir, "query DP?", "query TP?").unwrap_err().to_string();
    assert!(error.contains("columns mismatch"), "{error}");
}

/// The `shoal-slt` binary itself: the fixtures directory passes; a DataFusion-style file outside
/// a `datafusion` directory needs `--style datafusion`.
#[test]
fn shoal_slt_runs_fixtures_and_honours_style() {
    let binary = env!("CARGO_BIN_EXE_shoal-slt");
    let run = |dir: &Path, args: &[&str]| {
        let output = Command::new(binary).current_dir(dir).args(args).output().unwrap();
        (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let fixtures = fixture("");
    let (ok, stdout) = run(&fixtures, &["--threads", "2", "."]);
    assert!(ok, "{stdout}");
    assert!(stdout.contains("2 file(s), 2 passed, 0 failed"), "{stdout}");

    let dir = tempfile_dir("style_flag");
    std::fs::copy(fixture(DATAFUSION_FIXTURE), dir.join("copy.slt")).unwrap();
    let (ok, stdout) = run(&dir, &["copy.slt"]);
    assert!(!ok, "passed in shoal's convention: {stdout}");
    let (ok, stdout) = run(&dir, &["--style", "datafusion", "copy.slt"]);
    assert!(ok, "{stdout}");
    let (ok, stdout) = run(&dir, &["--style=sqlite", "copy.slt"]);
    assert!(!ok, "passed in SQLite's convention: {stdout}");
    let output =
        Command::new(binary).current_dir(&dir).args(["--style", "mysql", "copy.slt"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// A runner whose sessions have `boom(x)`, a function that panics, as a stand-in for a bug in
/// shoal (the engine itself has no deliberate panic to trigger).
fn runner_with_a_panicking_function(file_name: &str) -> ShoalRunner {
    let mut runner = runner_for(Path::new(file_name), &RunOptions::default());
    runner.on_session(|session| {
        let boom = create_udf(
            "boom",
            vec![DataType::Int64],
            DataType::Int64,
            Volatility::Volatile,
            |_: &[ArrayRef]| panic!("boom went off"),
        );
        session.register_udf(boom).unwrap();
    });
    runner
}

#[test]
fn a_panic_never_counts_as_an_expected_error() {
    for (file_name, script) in [
        ("panic.slt", "statement error\nSELECT boom(1)\n"),
        ("panic.slt", "statement error (?i)panic\nSELECT boom(1)\n"),
        ("panic.slt", "query error boom went off\nSELECT boom(x) FROM (VALUES (1), (2)) AS v(x)\n"),
        ("panic.slt", "query I\nSELECT boom(1)\n----\n1\n"),
        ("panic.test", "statement error\nSELECT boom(1)\n"),
        ("datafusion/panic.slt", "query error\nSELECT boom(1)\n"),
    ] {
        let mut runner = runner_with_a_panicking_function(file_name);
        let error = runner.run_script(file_name, script).expect_err(script);
        runner.shutdown();
        assert!(matches!(error, SltError::Panic { .. }), "{script}: {error}");
        let text = error.to_string();
        assert!(text.contains("shoal panicked") && text.contains("boom went off"), "{text}");
        assert!(text.contains("SELECT boom(") && text.contains(&format!("{file_name}:")), "{text}");
    }
}

#[test]
fn after_a_panic_the_file_goes_on_and_ordinary_errors_still_pass() {
    let dir = tempfile_dir("panic_keep_going");
    let path = dir.join("panic.slt");
    std::fs::write(
        &path,
        "statement error\nSELECT boom(1)\n\nstatement error (?i)division by zero\nSELECT 1 / 0\n\n\
         query I\nSELECT 2\n----\n2\n\nquery I\nSELECT 3\n----\n4\n",
    )
    .unwrap();
    let records = sqllogictest::parse_file(&path).unwrap();
    let mut runner = runner_with_a_panicking_function("panic.slt");
    let failures = runner.run_records(records, true);
    runner.shutdown();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(matches!(failures[0], SltError::Panic { .. }), "{}", failures[0]);
    assert!(failures[1].to_string().contains("SELECT 3"), "{}", failures[1]);
}

#[test]
fn sessions_get_the_setup_of_the_runner() {
    let mut runner = runner_for(Path::new("setup.slt"), &RunOptions::default());
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    runner.on_session(move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    runner
        .run_script(
            "setup.slt",
            "query I\nSELECT 1\n----\n1\n\nconnection other\nquery I\nSELECT 2\n----\n2\n",
        )
        .unwrap();
    runner.shutdown();
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}

/// A fresh directory under the target's temporary directory.
fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shoal-sqllogictest-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
