//! End-to-end tests of the interactive shell: the real `shoal` binary on a pseudo-terminal
//! (`common::Term`: keys are typed, the screen is read back), plus the non-terminal cases.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use common::{Term, CTRL_C, CTRL_D, CTRL_R, ENTER, TAB, UP};

/// A CSV of `rows` rows: id, fare_amount, tip_amount, zone (`z0`..`z6`).
fn trips_csv(dir: &Path, rows: usize) -> PathBuf {
    let mut text = String::from("id,fare_amount,tip_amount,zone\n");
    for i in 0..rows {
        text.push_str(&format!("{i},{}.5,{}.25,z{}\n", i % 50, i % 10, i % 7));
    }
    let path = dir.join("trips.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn query_result_and_multi_line_statement() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 70_000);
    let mut t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[]);
    t.line("SELECT zone, count(*) AS n, sum(id) AS total");
    t.line("FROM trips GROUP BY zone");
    t.run("ORDER BY zone;");
    let screen = t.wait_for("7 rows");
    assert!(screen.contains("│ z0      ┆ 10,000 ┆"), "{screen}");
    assert!(screen.contains("varchar ┆ bigint ┆"), "{screen}");
    // Errors show the caret and the session goes on.
    t.run("SELECT nope FROM trips;");
    t.wait_for("^^^^");
    t.run("SELECT 6 * 7 AS answer;");
    let screen = t.wait_for("1 row");
    assert!(screen.contains("│     42 │"), "{screen}");
    // Ctrl-C at the prompt drops the line; Ctrl-D at an empty prompt quits with status 0.
    t.key("SELECT broken garbage");
    let prompts = t.screen().matches("shoal>").count();
    t.key(CTRL_C);
    t.wait_for_n("shoal>", prompts + 1);
    t.run("SELECT 5 AS five;");
    let screen = t.wait_for("│      5 │");
    assert_eq!(screen.matches("Error:").count(), 1, "{screen}");
    t.key(CTRL_D);
    let status = t.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn tab_completes_table_and_column_names() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 10);
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[]);
    t.key("SELECT fare_am");
    t.key(TAB);
    t.key(" FROM tri");
    t.key(TAB);
    t.run(" WHERE id = 3;");
    let screen = t.wait_for("1 row");
    assert!(screen.contains("shoal> SELECT fare_amount FROM trips WHERE id = 3;"), "{screen}");
    assert!(screen.contains("3.5"), "{screen}");
}

#[test]
fn history_is_kept_across_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::start(dir.path(), &[], &[]);
    t.line("SELECT 40");
    t.run("  + 2 AS answer;");
    t.wait_for("│     42 │");
    t.line("\\q");
    assert!(t.wait_exit().success());
    drop(t);
    let history = std::fs::read_to_string(dir.path().join("history")).unwrap();
    assert!(history.contains("SELECT 40\\n  + 2 AS answer;"), "{history}");

    let t = Term::start(dir.path(), &[], &[]);
    t.key(UP); // \q
    t.key(UP);
    t.key(ENTER);
    let screen = t.wait_for("│     42 │");
    assert!(screen.contains("shoal> SELECT 40\n  + 2 AS answer;"), "{screen}");
}

#[test]
fn up_recalls_a_multi_line_entry_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let t = Term::start(dir.path(), &[], &[]);
    t.line("SELECT 40");
    t.run("  + 2 AS answer;");
    t.run("SELECT 1 AS one;");
    t.key(UP); // SELECT 1 AS one;
    t.key(UP);
    let screen = t.run("");
    assert_eq!(screen.matches("shoal> SELECT 40\n  + 2 AS answer;").count(), 2, "{screen}");
    assert_eq!(screen.matches("│     42 │").count(), 2, "{screen}");
    assert!(!screen.contains("Error"), "{screen}");
}

#[test]
fn ctrl_r_finds_an_earlier_multi_line_entry_and_runs_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let t = Term::start(dir.path(), &[], &[]);
    t.line("SELECT 40");
    t.run("  + 2 AS answer;");
    t.run("SELECT 'later' AS word;");
    // The search text is on the entry's second line; the whole entry runs.
    t.key(CTRL_R);
    t.key("+ 2 AS");
    t.wait_for("(reverse-i-search)");
    // Enter redraws the entry after `shoal>` before it runs: wait for its result, not a prompt.
    t.run("");
    let screen = t.wait_for_n("│     42 │", 2);
    t.wait_for_n("shoal>", screen.matches("shoal>").count());
    assert!(!screen.contains("Error"), "{screen}");
}

#[test]
fn tab_completes_function_names_and_quoted_file_paths() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    trips_csv(&data, 12);
    let t = Term::start(dir.path(), &[], &[]);
    t.key("SELECT starts_w");
    t.key(TAB);
    let screen = t.run("('shoal', 'sh') AS s;");
    assert!(screen.contains("shoal> SELECT starts_with('shoal', 'sh') AS s;"), "{screen}");
    assert!(screen.contains("│ true    │"), "{screen}");

    t.key(&format!("SELECT count(*) AS n FROM '{}/tr", data.display()));
    t.key(TAB);
    t.wait_for("trips.csv");
    let screen = t.run("';");
    let typed = format!("shoal> SELECT count(*) AS n FROM '{}';", data.join("trips.csv").display());
    assert!(screen.contains(&typed), "{screen}");
    assert!(screen.contains("│     12 │"), "{screen}");
}

#[test]
fn ctrl_c_cancels_a_long_query_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 200_000);
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[("SHOAL_PROGRESS_DELAY_MS", "200")]);
    // 4·10¹⁰ pairs: minutes of work.
    t.line("SELECT count(*) FROM trips a, trips b WHERE a.fare_amount > b.tip_amount + 100;");
    // The progress bar, on a terminal.
    let screen = t.wait_for(" chunks, ");
    assert!(screen.contains("rows/s, ETA"), "{screen}");
    let sent = Instant::now();
    t.key(CTRL_C);
    t.wait_for("Query cancelled after");
    eprintln!("Ctrl-C to \"Query cancelled\" on the screen: {:.1} ms", sent.elapsed().as_secs_f64() * 1e3);
    t.run("SELECT count(*) AS n FROM trips;");
    let screen = t.wait_for("200,000");
    assert!(screen.contains("1 row"), "{screen}");
}

#[test]
fn meta_commands() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 100);
    let script = dir.path().join("script.sql");
    std::fs::write(&script, "\\format csv\nCREATE VIEW big AS\n  SELECT * FROM trips WHERE id >= 98;\nSELECT id FROM big ORDER BY id;\n").unwrap();
    let out = dir.path().join("out.csv");
    let mut t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[]);

    t.run("\\d");
    let screen = t.wait_for("│ trips   ┆ table   ┆       4 │");
    assert!(screen.contains("name    ┆ kind    ┆ columns"), "{screen}");
    t.run("\\d trips");
    t.wait_for("│ fare_amount ┆ DOUBLE      ┆ YES     │");

    t.run("\\maxrows 4");
    t.run("SELECT id FROM trips ORDER BY id;");
    let screen = t.wait_for("100 rows (4 shown)");
    assert!(screen.contains("│     99 │") && !screen.contains("│     50 │"), "{screen}");

    t.run("\\timing");
    t.wait_for("Timing is off.");
    let screen = t.run("SELECT 3 AS three;");
    assert!(screen.lines().any(|l| l == "1 row"), "no time when timing is off:\n{screen}");
    t.run("\\format csv");
    t.wait_for("Output format is csv.");
    t.run("SELECT zone, count(*) AS n FROM trips GROUP BY zone ORDER BY zone LIMIT 2;");
    let screen = t.wait_for("z1,15");
    assert!(screen.contains("zone,n\nz0,15\nz1,15"), "{screen}");

    t.run(&format!("\\o {}", out.display()));
    t.wait_for("Results go to");
    t.run("SELECT 1 AS one;");
    t.run("\\o");
    t.wait_for("Results go to the terminal.");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "one\n1\n");

    t.run(&format!("\\i {}", script.display()));
    let screen = t.wait_for("id\n98\n99");
    assert!(!screen.contains("Error"), "{screen}");

    t.run("\\xyz");
    t.wait_for("unknown command \\xyz; try \\help");
    t.run("\\help");
    t.wait_for("\\maxrows N");
    t.run("\\format table");
    t.run("\\explain SELECT count(*) FROM trips");
    t.wait_for("== physical plan ==");
    t.run("\\help functions");
    let screen = t.wait_for("│ abs ");
    assert!(!screen.contains("column hidden"), "{screen}");
    t.run("\\timing on");
    t.run("\\threads 2");
    t.wait_for("Using 2 threads.");
    let screen = t.run("SELECT 'a' AS c1, 1 AS c2;");
    let footer = screen.lines().rfind(|l| l.starts_with("1 row, ")).unwrap_or_default();
    let seconds = footer.strip_prefix("1 row, ").and_then(|t| t.strip_suffix(" s"));
    assert!(seconds.is_some_and(|s| s.parse::<f64>().is_ok_and(|s| s >= 0.0)), "{screen}");
    t.run("\\format csv");
    let screen = t.run("SELECT 2 AS two;");
    assert!(screen.contains("two\n2\nTime: "), "{screen}");
    t.line("\\q");
    assert!(t.wait_exit().success());
}

#[test]
fn wide_and_long_results_are_cut_and_paged() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 100);
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[("PAGER", "sed s/^/PAGED:/")]);
    let wide: Vec<String> = (0..10).map(|i| format!("'{}' AS col{i}", "x".repeat(30))).collect();
    t.run(&format!("SELECT {};", wide.join(", ")));
    let screen = t.wait_for("columns hidden");
    let header = screen.lines().find(|l| l.starts_with("│ col0")).unwrap_or_default();
    assert!(header.contains("┆ … ┆") && header.contains("col9") && !header.contains("col5"), "{screen}");
    // Cells are cut to 24 characters before columns are left out.
    assert!(screen.contains("3 columns hidden to fit the terminal: col4, col5, col6"), "{screen}");
    assert!(screen.contains(&format!("│ {}… ┆", "x".repeat(23))), "{screen}");
    // (The screen comes back with wrapped lines whole: only the typed statement is longer.)
    assert!(
        screen.lines().filter(|l| !l.starts_with("shoal> ")).all(|l| l.chars().count() <= 200),
        "{screen}"
    );
    // 100 rows do not fit on 50 lines: through the pager.
    t.run("\\maxrows 0");
    t.run("SELECT id FROM trips;");
    let screen = t.wait_for("PAGED:100 rows");
    assert!(screen.contains("PAGED:│     57 │"), "{screen}");
}

#[test]
fn rc_file_runs_at_start_and_its_errors_are_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("rc.sql");
    std::fs::write(&rc, "\\format csv\nSELECT nope;\nCREATE VIEW seven AS SELECT 7 AS n;\n").unwrap();
    let t = Term::start(dir.path(), &[], &[("SHOALRC", rc.to_str().unwrap())]);
    let screen = t.wait_for("shoal>");
    assert!(screen.contains(&format!("in {}", rc.display())), "{screen}");
    t.run("SELECT n FROM seven;");
    t.wait_for("n\n7");
    drop(t);
    // --no-rc skips it.
    let t = Term::start(dir.path(), &["--no-rc"], &[("SHOALRC", rc.to_str().unwrap())]);
    t.run("SELECT n FROM seven;");
    t.wait_for("not found");
}

fn shoal_piped(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shoal"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shoal runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 3_000);
    let table = format!("t={}", csv.display());
    let o = shoal_piped(
        &["--format", "csv", "--table", &table, "-c", "SELECT count(*) AS n FROM t a, t b WHERE a.id < b.id"],
        "",
        &[("SHOAL_PROGRESS_DELAY_MS", "0")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "n\n4498500\n");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
}

#[test]
fn piped_statements_still_run_without_the_repl() {
    let o = shoal_piped(&["--format", "csv"], "SELECT 1 AS a;\nSELECT 2 AS b;\n", &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "a\n1\nb\n2\n");
}

#[test]
fn big_result_shows_first_and_last_rows_with_the_total_and_last_shows_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 200_000);
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[]);
    // Streamed: only the first and the last 20 rows are kept, the footer counts them all.
    t.run("SELECT id, zone FROM trips ORDER BY id;");
    let screen = t.wait_for("200,000 rows (40 shown)");
    for shown in
        ["│       0 ┆ z0      │", "│      19 ┆ z5      │", "│ 199,980 ┆ z4      │", "│ 199,999 ┆ z2      │"]
    {
        assert!(screen.contains(shown), "{shown} in\n{screen}");
    }
    for cut in ["│      20 ┆", "│ 100,000 ┆", "│ 199,979 ┆"] {
        assert!(!screen.contains(cut), "{cut} in\n{screen}");
    }
    assert_eq!(screen.matches("│       … ┆ …       │").count(), 1, "one row marks the cut:\n{screen}");

    // A cut result of 100 rows, then \last: every row, with no cut.
    t.run("\\maxrows 4");
    t.run("SELECT id FROM trips WHERE id < 100 ORDER BY id;");
    let screen = t.wait_for("100 rows (4 shown)");
    assert!(!screen.contains("│     50 │"), "{screen}");
    t.run("\\last");
    let screen = t.wait_for("│     99 │\n└");
    let last = screen.rsplit("\\last").next().unwrap_or_default();
    for id in 0..100 {
        assert!(last.contains(&format!("│ {id:>6} │")), "row {id} missing from \\last:\n{last}");
    }
    assert!(!last.contains('…'), "{last}");
}

#[test]
fn ctrl_c_at_an_empty_prompt_keeps_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::start(dir.path(), &[], &[]);
    let before = t.screen();
    let prompts = before.matches("shoal>").count();
    t.key(CTRL_C);
    let screen = t.wait_for_n("shoal>", prompts + 1);
    // A fresh prompt on the next line, and nothing else: no error, no "cancelled", no exit.
    let after = screen.strip_prefix(before.trim_end()).unwrap_or(&screen);
    assert_eq!(after.trim(), "shoal>", "{screen}");
    t.key(CTRL_C);
    t.wait_for_n("shoal>", prompts + 2);
    t.run("SELECT 6 * 7 AS answer;");
    let screen = t.wait_for("│     42 │");
    assert!(!screen.contains("Error") && !screen.contains("cancelled"), "{screen}");
    t.key(CTRL_D);
    assert!(t.wait_exit().success());
}

#[test]
fn a_folder_given_at_start_is_one_table_and_keywords_complete() {
    let dir = tempfile::tempdir().unwrap();
    let yellow = dir.path().join("yellow");
    let gen = Command::new(env!("CARGO_BIN_EXE_shoal"))
        .args(["gen", "taxi", "--rows", "1000", "--files", "3", "--out", yellow.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", String::from_utf8_lossy(&gen.stderr));
    let t = Term::start(dir.path(), &[yellow.to_str().unwrap()], &[]);
    let screen = t.run("\\d");
    let row = screen.lines().find(|l| l.starts_with("│ yellow ")).unwrap_or_default();
    let cells: Vec<&str> = row.trim_matches('│').split('┆').map(str::trim).collect();
    assert_eq!(cells, ["yellow", "table", "19"], "{screen}");
    // `sel` completes to the keyword in the case it was typed in; the table name completes too.
    t.key("sel");
    t.key(TAB);
    t.key(" count(*) AS n, count(DISTINCT VendorID) AS v FROM yel");
    t.key(TAB);
    let screen = t.run(";");
    assert!(
        screen.contains("shoal> select count(*) AS n, count(DISTINCT VendorID) AS v FROM yellow;"),
        "{screen}"
    );
    assert!(screen.contains("│   1000 ┆      3 │"), "{screen}");
}
