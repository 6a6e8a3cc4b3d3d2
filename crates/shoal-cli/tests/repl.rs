//! End-to-end tests of the interactive shell: the real `shoal` binary on a pseudo-terminal made
//! by tmux (keys are typed, the screen is read back), plus the non-terminal cases.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// A `shoal` REPL running in a tmux pane of its own tmux server.
struct Term {
    socket: String,
}

fn have_tmux() -> bool {
    let ok = Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("tmux is not installed: skipping the terminal tests");
    }
    ok
}

impl Term {
    /// Start `shoal ARGS` with HOME (history, rc) in `home` and no pager unless `env` sets one.
    fn start(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Term {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let socket =
            format!("shoal-repl-test-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let mut cmd = Command::new("tmux");
        cmd.args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "200",
            "-y",
            "50",
            "--",
            "env",
        ]);
        cmd.arg(format!("HOME={}", home.display()));
        cmd.arg(format!("SHOAL_HISTORY={}", home.join("history").display()));
        cmd.arg("TERM=xterm-256color");
        if !env.iter().any(|(k, _)| *k == "PAGER") {
            cmd.arg("PAGER=");
        }
        for (k, v) in env {
            cmd.arg(format!("{k}={v}"));
        }
        cmd.arg(env!("CARGO_BIN_EXE_shoal")).args(args);
        let status = cmd.status().expect("tmux starts");
        assert!(status.success(), "tmux new-session failed");
        let term = Term { socket };
        term.wait_for("shoal>");
        term
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux runs")
    }

    /// Type `text` literally (tmux would read a trailing `;` as its own separator, so `;` is
    /// sent as a hex key).
    fn type_text(&self, text: &str) {
        for (i, part) in text.split(';').enumerate() {
            if i > 0 {
                self.tmux(&["send-keys", "-t", "0", "-H", "3b"]);
            }
            if !part.is_empty() {
                self.tmux(&["send-keys", "-t", "0", "-l", part]);
            }
        }
    }

    /// Type `text` and press Enter.
    fn line(&self, text: &str) {
        self.type_text(text);
        self.key("Enter");
    }

    /// Type a complete input, press Enter and wait for the next prompt (keys sent while the
    /// line editor is still handling the previous Enter could be read with it and lost).
    fn run(&self, text: &str) -> String {
        let prompts = self.screen().matches("shoal>").count();
        self.line(text);
        self.wait_for_n("shoal>", prompts + 1)
    }

    fn key(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "0", key]);
    }

    /// The screen and the scroll-back.
    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "0", "-S", "-500"]).stdout)
            .to_string()
    }

    /// Wait until the screen contains `needle` `count` times; the screen then.
    fn wait_for_n(&self, needle: &str, count: usize) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.matches(needle).count() >= count {
                return screen;
            }
            assert!(start.elapsed() < WAIT, "timed out waiting for {needle:?} (x{count}); screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_for_n(needle, 1)
    }

    /// Wait for the program to end (its tmux session goes away).
    fn wait_exit(&self) {
        let start = Instant::now();
        while self.tmux(&["has-session"]).status.success() {
            assert!(start.elapsed() < WAIT, "shoal did not exit; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

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
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 70_000);
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[]);
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
    // Ctrl-C at the prompt drops the line; Ctrl-D quits.
    t.type_text("SELECT broken garbage");
    let prompts = t.screen().matches("shoal>").count();
    t.key("C-c");
    t.wait_for_n("shoal>", prompts + 1);
    t.run("SELECT 5 AS five;");
    let screen = t.wait_for("│      5 │");
    assert_eq!(screen.matches("Error:").count(), 1, "{screen}");
    t.key("C-d");
    t.wait_exit();
}

#[test]
fn tab_completes_table_and_column_names() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 10);
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[]);
    t.type_text("SELECT fare_am");
    t.key("Tab");
    t.type_text(" FROM tri");
    t.key("Tab");
    t.run(" WHERE id = 3;");
    let screen = t.wait_for("1 row");
    assert!(screen.contains("shoal> SELECT fare_amount FROM trips WHERE id = 3;"), "{screen}");
    assert!(screen.contains("3.5"), "{screen}");
}

#[test]
fn history_is_kept_across_sessions() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Term::start(dir.path(), &[], &[]);
    t.line("SELECT 40");
    t.run("  + 2 AS answer;");
    t.wait_for("│     42 │");
    t.line("\\q");
    t.wait_exit();
    drop(t);
    let history = std::fs::read_to_string(dir.path().join("history")).unwrap();
    assert!(history.contains("SELECT 40\\n  + 2 AS answer;"), "{history}");

    let t = Term::start(dir.path(), &[], &[]);
    t.key("Up"); // \q
    t.key("Up");
    t.key("Enter");
    let screen = t.wait_for("│     42 │");
    assert!(screen.contains("shoal> SELECT 40\n  + 2 AS answer;"), "{screen}");
}

#[test]
fn ctrl_c_cancels_a_long_query_and_the_session_goes_on() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 200_000);
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[("SHOAL_PROGRESS_DELAY_MS", "200")]);
    // 4·10¹⁰ pairs: minutes of work.
    t.line("SELECT count(*) FROM trips a, trips b WHERE a.fare_amount > b.tip_amount + 100;");
    // The progress bar, on a terminal.
    let screen = t.wait_for(" chunks, ");
    assert!(screen.contains("rows/s, ETA"), "{screen}");
    t.key("C-c");
    t.wait_for("Query cancelled after");
    t.run("SELECT count(*) AS n FROM trips;");
    let screen = t.wait_for("200,000");
    assert!(screen.contains("1 row"), "{screen}");
}

#[test]
fn meta_commands() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = trips_csv(dir.path(), 100);
    let script = dir.path().join("script.sql");
    std::fs::write(&script, "\\format csv\nCREATE VIEW big AS\n  SELECT * FROM trips WHERE id >= 98;\nSELECT id FROM big ORDER BY id;\n").unwrap();
    let out = dir.path().join("out.csv");
    let t = Term::start(dir.path(), &[csv.to_str().unwrap()], &[]);

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
    t.run("SELECT 'a' AS c1, 1 AS c2;");
    t.wait_for("1 row, ");
    t.line("\\q");
    t.wait_exit();
}

#[test]
fn wide_and_long_results_are_cut_and_paged() {
    if !have_tmux() {
        return;
    }
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
    assert!(screen.lines().all(|l| l.chars().count() <= 200), "{screen}");
    // 100 rows do not fit on 50 lines: through the pager.
    t.run("\\maxrows 0");
    t.run("SELECT id FROM trips;");
    let screen = t.wait_for("PAGED:100 rows");
    assert!(screen.contains("PAGED:│     57 │"), "{screen}");
}

#[test]
fn rc_file_runs_at_start_and_its_errors_are_not_fatal() {
    if !have_tmux() {
        return;
    }
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
