//! End-to-end tests of `shoal report`: result files in every format, the index, charts,
//! parameters, failures (exit codes, no partial files, --keep-going) and bad input, run with the
//! real binary over 20,000 generated taxi trips.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const TRIPS: u64 = 20_000;

fn shoal(args: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_shoal"))
        .args(args)
        .env("SHOAL_CACHE_DIR", cache.path())
        .output()
        .expect("the shoal binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The taxi data of these tests, generated once per test run with `shoal gen taxi`.
fn data() -> &'static Path {
    static DATA: OnceLock<PathBuf> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report-taxi-{TRIPS}"));
        let o = shoal(&["gen", "taxi", "--rows", &TRIPS.to_string(), "--out", s(&dir), "--files", "2"]);
        assert!(o.status.success(), "{}", stderr(&o));
        dir
    })
}

fn taxi_queries() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries/taxi")
}

/// A folder of query files.
fn queries(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, sql) in files {
        fs::write(dir.path().join(name), sql).unwrap();
    }
    dir
}

/// The names of the files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The data rows of a Markdown table: cells of each `| .. |` line after the separator.
fn markdown_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect()
}

/// `SELECT ...` over the test data through `shoal -c`, as CSV lines without the header.
fn direct(sql: &str) -> Vec<String> {
    let table = format!("trips={}", s(data()));
    let o = shoal(&["--table", &table, "--format", "csv", "-c", sql]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).lines().skip(1).map(str::to_string).collect()
}

#[test]
fn markdown_report_writes_results_charts_and_index() {
    let out = tempfile::tempdir().unwrap();
    let o = shoal(&["report", "--data", s(data()), "--out", s(out.path())]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stems = [
        "q1_count_by_vendor",
        "q2_avg_total_by_passengers",
        "q3_count_by_passengers_year",
        "q4_count_by_passengers_year_distance",
        "q5_tip_share_by_hour",
        "q6_top_zone_pairs",
        "q7_daily_revenue",
        "q8_fare_per_mile_by_payment",
        "q9_daily_revenue_moving_avg",
    ];
    for stem in stems {
        assert!(out.path().join(format!("{stem}.md")).exists(), "{stem}.md");
    }
    // Results: trips per vendor add up to all trips, and match the query run directly.
    let q1 = fs::read_to_string(out.path().join("q1_count_by_vendor.md")).unwrap();
    assert!(q1.starts_with("# Billion taxi rides Q1: trips per vendor.\n"), "{q1}");
    let rows = markdown_rows(&q1);
    let total: u64 = rows.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total, TRIPS);
    let expected: Vec<String> = direct(r#"SELECT "VendorID", count(*) FROM trips GROUP BY 1 ORDER BY 1"#);
    assert_eq!(rows.iter().map(|r| r.join(",")).collect::<Vec<_>>(), expected);

    // Index: titles, files, row counts, ordering notes and charts.
    let index = fs::read_to_string(out.path().join("index.md")).unwrap();
    assert!(index.contains("9 queries, 0 failed"), "{index}");
    assert!(index.contains("## q1_count_by_vendor: Billion taxi rides Q1: trips per vendor."), "{index}");
    assert!(index.contains(&format!("- rows: {}\n", rows.len())), "{index}");
    assert!(index.contains("- result: [q1_count_by_vendor.md](q1_count_by_vendor.md)"), "{index}");
    assert!(index.contains("- row order: guaranteed by the top-level ORDER BY"), "{index}");
    assert!(
        index.contains(
            "-- compare: ordered\nSELECT \"VendorID\", count(*) FROM trips GROUP BY 1 ORDER BY 1;\n```"
        ),
        "{index}"
    );
    assert!(index.contains("](q1_count_by_vendor.svg)"), "{index}");
    // Charted: per vendor (bars) and per hour (line); not: more than 50 days, repeated labels.
    for charted in ["q1_count_by_vendor", "q5_tip_share_by_hour", "q8_fare_per_mile_by_payment"] {
        let svg = fs::read_to_string(out.path().join(format!("{charted}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{charted}");
        assert!(svg.contains("<text"), "{charted}");
    }
    let q1_svg = fs::read_to_string(out.path().join("q1_count_by_vendor.svg")).unwrap();
    assert!(q1_svg.contains("<rect"), "bar chart");
    let q5_svg = fs::read_to_string(out.path().join("q5_tip_share_by_hour.svg")).unwrap();
    assert!(q5_svg.contains("<polyline"), "line chart");
    for not_charted in ["q3_count_by_passengers_year", "q7_daily_revenue"] {
        assert!(!out.path().join(format!("{not_charted}.svg")).exists(), "{not_charted}");
    }
    // Nothing else: no temporary files left behind.
    let charts: Vec<String> = listing(out.path()).into_iter().filter(|f| f.ends_with(".svg")).collect();
    assert_eq!(
        charts,
        [
            "q1_count_by_vendor.svg",
            "q2_avg_total_by_passengers.svg",
            "q5_tip_share_by_hour.svg",
            "q8_fare_per_mile_by_payment.svg"
        ]
    );
    assert_eq!(listing(out.path()).len(), 1 + 9 + 4, "{:?}", listing(out.path()));
}

#[test]
fn csv_json_and_parquet_results() {
    let q1 = taxi_queries().join("q1_count_by_vendor.sql");
    let expected = direct(r#"SELECT "VendorID", count(*) FROM trips GROUP BY 1 ORDER BY 1"#);
    for format in ["csv", "json", "parquet"] {
        let out = tempfile::tempdir().unwrap();
        let o = shoal(&["report", s(&q1), "--data", s(data()), "--out", s(out.path()), "--format", format]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert_eq!(
            listing(out.path()),
            [
                "index.md".to_string(),
                format!("q1_count_by_vendor.{format}"),
                "q1_count_by_vendor.svg".to_string()
            ]
        );
        let path = out.path().join(format!("q1_count_by_vendor.{format}"));
        let rows: Vec<String> = match format {
            "csv" => fs::read_to_string(&path).unwrap().lines().skip(1).map(str::to_string).collect(),
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
                v.as_array().unwrap().iter().map(|r| format!("{},{}", r["VendorID"], r["count(*)"])).collect()
            }
            _ => {
                let bytes = fs::read(&path).unwrap();
                assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
                let table = format!("r={}", s(&path));
                let o = shoal(&["--table", &table, "--format", "csv", "-c", "SELECT * FROM r"]);
                assert!(o.status.success(), "{}", stderr(&o));
                stdout(&o).lines().skip(1).map(str::to_string).collect()
            }
        };
        assert_eq!(rows, expected, "{format}");
    }
}

#[test]
fn html_report_embeds_charts() {
    let out = tempfile::tempdir().unwrap();
    let q5 = taxi_queries().join("q5_tip_share_by_hour.sql");
    let q3 = taxi_queries().join("q3_count_by_passengers_year.sql");
    let o =
        shoal(&["report", s(&q5), s(&q3), "--data", s(data()), "--out", s(out.path()), "--format", "html"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let index = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(index.starts_with("<!DOCTYPE html>") && index.contains("</html>"), "{index}");
    assert!(index.contains("<img src=\"q5_tip_share_by_hour.svg\""), "{index}");
    assert!(index.contains("<a href=\"q3_count_by_passengers_year.html\">"), "{index}");
    assert!(!out.path().join("index.md").exists());
    let q5_page = fs::read_to_string(out.path().join("q5_tip_share_by_hour.html")).unwrap();
    assert!(q5_page.contains("<th>hour</th><th>trips</th>"), "{q5_page}");
    // 24 hours, one table row each (plus the header row).
    assert_eq!(q5_page.matches("<tr>").count(), 25, "{q5_page}");
}

#[test]
fn parameters_come_from_the_command_line_or_the_file() {
    let dir = queries(&[(
        "long.sql",
        "-- Trips over ${n} miles\n-- param: n=5\nSELECT count(*) AS trips, '$${n}' AS raw FROM trips WHERE trip_distance > ${n}",
    )]);
    let run = |extra: &[&str]| {
        let out = tempfile::tempdir().unwrap();
        let mut args =
            vec!["report", s(dir.path()), "--data", s(data()), "--out", s(out.path()), "--format", "csv"];
        args.extend_from_slice(extra);
        let o = shoal(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let result = fs::read_to_string(out.path().join("long.csv")).unwrap();
        let index = fs::read_to_string(out.path().join("index.md")).unwrap();
        (result, index)
    };
    let over = |n: &str| direct(&format!("SELECT count(*) FROM trips WHERE trip_distance > {n}"))[0].clone();
    let (result, index) = run(&[]);
    assert_eq!(result, format!("trips,raw\n{},${{n}}\n", over("5")));
    assert!(index.contains("## long: Trips over 5 miles"), "{index}");
    assert!(index.contains("- parameters: `n=5`"), "{index}");
    let (result, index) = run(&["--param", "n=1.5"]);
    assert_eq!(result, format!("trips,raw\n{},${{n}}\n", over("1.5")));
    assert!(index.contains("WHERE trip_distance > 1.5"), "{index}");

    // The bundled parameterised example runs with its default and with a chosen value.
    let out = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries/taxi-params");
    let o = shoal(&[
        "report",
        s(&example),
        "--data",
        s(data()),
        "--out",
        s(out.path()),
        "--param",
        "min_distance=3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let index = fs::read_to_string(out.path().join("index.md")).unwrap();
    assert!(
        index.contains("trips longer than 3 miles") && index.contains("- parameters: `min_distance=3`"),
        "{index}"
    );
}

#[test]
fn missing_unknown_and_malformed_parameters_fail_before_anything_runs() {
    let dir = queries(&[("a.sql", "SELECT 1 AS one"), ("b.sql", "SELECT ${x} AS x")]);
    let out = tempfile::tempdir().unwrap();
    let o = shoal(&["report", s(dir.path()), "--data", s(data()), "--out", s(out.path())]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("b.sql") && err.contains("${x}") && err.contains("--param x="), "{err}");
    assert!(listing(out.path()).is_empty(), "nothing ran: {:?}", listing(out.path()));

    let o = shoal(&["report", s(dir.path()), "--data", s(data()), "--param", "x=1", "--param", "y=2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown parameter 'y'"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing ran: {}", stdout(&o));

    let o = shoal(&["report", s(dir.path()), "--param", "no-value"]);
    assert_eq!(o.status.code(), Some(2), "bad usage: {}", stderr(&o));
    assert!(stderr(&o).contains("NAME=VALUE"), "{}", stderr(&o));
}

#[test]
fn a_failing_query_stops_the_report_unless_keep_going() {
    // b fails while running (integer division by zero for VendorID 1), not while planning.
    let dir = queries(&[
        ("a_ok.sql", "-- All trips\nSELECT count(*) AS n FROM trips"),
        ("b_fail.sql", "SELECT \"VendorID\", 10 / (\"VendorID\" - 1) AS x FROM trips"),
        ("c_ok.sql", "SELECT 42 AS answer"),
    ]);
    let out = tempfile::tempdir().unwrap();
    // A stale result of b from an earlier run must not survive next to an index saying it failed.
    fs::write(out.path().join("b_fail.csv"), "stale").unwrap();
    let o = shoal(&["report", s(dir.path()), "--data", s(data()), "--out", s(out.path()), "--format", "csv"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("b_fail.sql") && err.contains("--keep-going"), "{err}");
    assert_eq!(listing(out.path()), ["a_ok.csv", "index.md"]);
    assert_eq!(fs::read_to_string(out.path().join("a_ok.csv")).unwrap(), format!("n\n{TRIPS}\n"));
    let index = fs::read_to_string(out.path().join("index.md")).unwrap();
    assert!(index.contains("3 queries, 1 failed, 1 not run"), "{index}");
    assert!(index.contains("**FAILED**") && index.contains("**not run**"), "{index}");

    let o = shoal(&[
        "report",
        s(dir.path()),
        "--data",
        s(data()),
        "--out",
        s(out.path()),
        "--format",
        "csv",
        "--keep-going",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("1 report query failed:") && err.contains("b_fail.sql"), "{err}");
    assert_eq!(listing(out.path()), ["a_ok.csv", "c_ok.csv", "index.md"]);
    assert_eq!(fs::read_to_string(out.path().join("c_ok.csv")).unwrap(), "answer\n42\n");
    let index = fs::read_to_string(out.path().join("index.md")).unwrap();
    assert!(index.contains("3 queries, 1 failed.") && index.contains("**FAILED**"), "{index}");
    assert!(index.contains("| b_fail | b_fail | failed |"), "{index}");
}

#[test]
fn a_syntax_error_names_the_file_and_position_before_anything_runs() {
    let dir =
        queries(&[("good.sql", "SELECT 1 AS one"), ("worse.sql", "SELECT count(*)\nFROM trips\nWHERE")]);
    let out = tempfile::tempdir().unwrap();
    let o = shoal(&["report", s(dir.path()), "--data", s(data()), "--out", s(out.path())]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("worse.sql"), "{err}");
    assert!(err.contains('^'), "the SQL position is shown: {err}");
    assert!(listing(out.path()).is_empty(), "{:?}", listing(out.path()));
}

#[test]
fn bad_data_and_output_paths_are_clear_errors() {
    let q1 = taxi_queries().join("q1_count_by_vendor.sql");
    let o = shoal(&["report", s(&q1), "--data", "/no/such/taxi/data"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--data /no/such/taxi/data: no such file or folder"), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let o = shoal(&["report", s(&q1), "--data", s(data()), "--out", s(&file.join("out"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot write to output folder"), "{}", stderr(&o));

    let o = shoal(&["report", s(&q1), "--data", s(data()), "--format", "parquet"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("add --out DIR"), "{}", stderr(&o));

    let o = shoal(&["report", "/no/such/queries", "--data", s(data())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no such query file or folder"), "{}", stderr(&o));
}

#[test]
fn without_out_results_go_to_stdout() {
    let q1 = taxi_queries().join("q1_count_by_vendor.sql");
    let o = shoal(&["report", s(&q1), "--data", s(data())]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("-- ") && out.contains("q1_count_by_vendor.sql"), "{out}");
    assert!(out.contains("VendorID") && out.contains(" rows\n"), "{out}");
    let o = shoal(&["--format", "csv", "report", s(&q1), "--data", s(data())]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = direct(r#"SELECT "VendorID", count(*) FROM trips GROUP BY 1 ORDER BY 1"#);
    assert_eq!(stdout(&o).lines().skip(2).map(str::to_string).collect::<Vec<_>>(), expected);
}

/// The README's first command: `shoal report` with no arguments generates the sample data once
/// into the cache folder and runs every bundled query over it, from any working directory.
#[test]
fn bare_report_runs_the_bundled_queries_over_cached_sample_data() {
    let cache = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_shoal"))
            .args(["--format", "csv", "report"])
            .current_dir(elsewhere.path())
            .env("SHOAL_CACHE_DIR", cache.path())
            .output()
            .expect("the shoal binary runs")
    };
    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("generating 1000000 sample taxi trips"), "{}", stderr(&first));
    let out = stdout(&first);
    let mut bundled: Vec<String> = fs::read_dir(taxi_queries())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    bundled.sort();
    assert!(bundled.len() >= 8);
    for name in &bundled {
        assert!(out.contains(name.as_str()), "{name} missing from\n{out}");
    }
    // the four vendors' trip counts add up to the sample's 1,000,000 rows
    let q1 = out.split("-- ").find(|section| section.contains("q1_count_by_vendor.sql")).unwrap();
    let total: u64 =
        q1.lines().skip(2).filter_map(|l| l.rsplit(',').next()?.trim().parse::<u64>().ok()).sum();
    assert_eq!(total, 1_000_000, "{q1}");
    let second = run();
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(!stderr(&second).contains("generating"), "the sample is generated once: {}", stderr(&second));
    assert_eq!(stdout(&second).lines().count(), out.lines().count());
}

/// Every result file of the taxi report is the same, byte for byte, at 1 and at 4 threads (float
/// sums and averages are exact, so no last-bit differences; every query orders its rows).
#[test]
fn results_are_identical_at_one_and_four_threads() {
    let (one, four) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (threads, out) in [("1", &one), ("4", &four)] {
        let args =
            ["--threads", threads, "report", "--data", s(data()), "--out", s(out.path()), "--format", "csv"];
        let o = shoal(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let results: Vec<String> = listing(one.path()).into_iter().filter(|n| n.ends_with(".csv")).collect();
    assert!(results.len() >= 8, "{results:?}");
    assert_eq!(results, listing(four.path()).into_iter().filter(|n| n.ends_with(".csv")).collect::<Vec<_>>());
    for name in &results {
        let (a, b) = (fs::read(one.path().join(name)).unwrap(), fs::read(four.path().join(name)).unwrap());
        assert!(a.len() > 20, "{name} has rows");
        assert!(a == b, "{name} differs between 1 and 4 threads");
    }
}
