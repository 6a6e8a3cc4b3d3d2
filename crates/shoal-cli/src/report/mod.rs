//! `shoal report`: run every `.sql` file of a folder over the taxi data (table `trips`), with
//! `${name}` parameters substituted, and print the results or write one file per query plus an
//! index with charts into a folder.
//!
//! Everything that can be checked is checked before the first query runs: the query files are
//! read, their parameters substituted (a missing or unknown one is an error) and their syntax
//! checked; the output folder is created and found writable; the data path exists. Every file
//! is written atomically, so a failed query leaves no partial result, and the index is written
//! last.

mod chart;
mod index;
mod params;
mod query;
mod writer;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal::Session;

pub use params::parse_param_arg;

use self::index::{Entry, Status, Summary};
use self::query::{QueryText, ReportQuery};
use crate::args::{Format, ReportArgs, ReportFormat};
use crate::{cache_dir, output, Failure};

/// Rows of the built-in sample taxi data set.
const SAMPLE_ROWS: u64 = 1_000_000;

/// The bundled taxi queries (the repository's `queries/taxi`), compiled into the binary so an
/// installed `shoal` runs its report without the source tree.
const BUNDLED_QUERIES: &[(&str, &str)] = &[
    ("q1_count_by_vendor.sql", include_str!("../../../../queries/taxi/q1_count_by_vendor.sql")),
    (
        "q2_avg_total_by_passengers.sql",
        include_str!("../../../../queries/taxi/q2_avg_total_by_passengers.sql"),
    ),
    (
        "q3_count_by_passengers_year.sql",
        include_str!("../../../../queries/taxi/q3_count_by_passengers_year.sql"),
    ),
    (
        "q4_count_by_passengers_year_distance.sql",
        include_str!("../../../../queries/taxi/q4_count_by_passengers_year_distance.sql"),
    ),
    ("q5_tip_share_by_hour.sql", include_str!("../../../../queries/taxi/q5_tip_share_by_hour.sql")),
    ("q6_top_zone_pairs.sql", include_str!("../../../../queries/taxi/q6_top_zone_pairs.sql")),
    ("q7_daily_revenue.sql", include_str!("../../../../queries/taxi/q7_daily_revenue.sql")),
    (
        "q8_fare_per_mile_by_payment.sql",
        include_str!("../../../../queries/taxi/q8_fare_per_mile_by_payment.sql"),
    ),
    (
        "q9_daily_revenue_moving_avg.sql",
        include_str!("../../../../queries/taxi/q9_daily_revenue_moving_avg.sql"),
    ),
];

/// The bundled taxi queries: the repository's `queries/taxi` when the binary runs beside its
/// source tree, else the copy compiled in, written once into the cache folder.
fn default_queries() -> Result<PathBuf, Failure> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries/taxi");
    if dir.is_dir() {
        return Ok(dir.canonicalize().unwrap_or(dir));
    }
    let dir = cache_dir().join(concat!("queries-taxi-", env!("CARGO_PKG_VERSION")));
    for (name, text) in BUNDLED_QUERIES {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(*text) {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure(format!("Error: cannot create {}: {e}", dir.display())))?;
            writer::write_text(&path, text).map_err(|e| error(format!("{}: {e}", path.display())))?;
        }
    }
    Ok(dir)
}

/// The sample taxi data, generated once into the cache folder.
fn sample_data() -> Result<PathBuf, Failure> {
    let dir = cache_dir().join(format!("sample-taxi-{SAMPLE_ROWS}"));
    let done = dir.join("_SUCCESS");
    if !done.exists() {
        eprintln!("generating {SAMPLE_ROWS} sample taxi trips into {} (once) ...", dir.display());
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure(format!("Error: cannot create {}: {e}", dir.display())))?;
        shoal_datagen::taxi::write_taxi(&dir, SAMPLE_ROWS, 2, shoal_datagen::FileFormat::Parquet)?;
        std::fs::write(&done, b"")
            .map_err(|e| Failure(format!("Error: cannot write {}: {e}", done.display())))?;
    }
    Ok(dir)
}

/// The `.sql` files named, or inside the folders named, sorted per folder.
fn query_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = vec![];
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| Failure(format!("Error: cannot read {}: {e}", p.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "sql"))
                .collect();
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(Failure(format!("Error: no such query file or folder: {}", p.display())));
        }
    }
    if files.is_empty() {
        return Err(Failure("Error: no .sql files to run".into()));
    }
    Ok(files)
}

/// Read every query, check the parameters (all `--param` names used somewhere; every
/// placeholder given a value), substitute them and check the syntax.
fn prepare_queries(files: &[PathBuf], given: &[(String, String)]) -> Result<Vec<ReportQuery>, Failure> {
    let texts = files.iter().map(|f| QueryText::read(f)).collect::<Result<Vec<_>, _>>().map_err(error)?;
    let used: BTreeSet<&str> = texts.iter().flat_map(|t| t.references.iter().map(String::as_str)).collect();
    for (name, _) in given {
        if !used.contains(name.as_str()) {
            let known = if used.is_empty() {
                "the queries have no parameters".to_string()
            } else {
                format!("parameters used: {}", used.iter().copied().collect::<Vec<_>>().join(", "))
            };
            return Err(error(format!("unknown parameter '{name}': no query uses ${{{name}}} ({known})")));
        }
    }
    let given: BTreeMap<String, String> = given.iter().cloned().collect();
    let queries = texts.iter().map(|t| t.prepare(&given)).collect::<Result<Vec<_>, _>>().map_err(error)?;
    let mut stems = BTreeSet::new();
    for q in &queries {
        if !stems.insert(q.stem.as_str()) {
            return Err(error(format!(
                "two query files are named {}.sql; their results would overwrite each other",
                q.stem
            )));
        }
    }
    Ok(queries)
}

fn error(message: impl std::fmt::Display) -> Failure {
    Failure(format!("Error: {message}"))
}

/// Create the output folder and check a file can be created in it.
fn prepare_out_dir(out: &Path, queries: &[ReportQuery]) -> Result<(), Failure> {
    if let Some(q) = queries.iter().find(|q| q.stem == "index") {
        return Err(error(format!(
            "{}: a query named 'index' would overwrite the report index",
            q.path.display()
        )));
    }
    let unwritable =
        |e: &dyn std::fmt::Display| error(format!("cannot write to output folder {}: {e}", out.display()));
    std::fs::create_dir_all(out).map_err(|e| unwritable(&e))?;
    writer::write_text(&out.join(".shoal-report-write-check"), "").map_err(|e| unwritable(&e))?;
    let _ = std::fs::remove_file(out.join(".shoal-report-write-check"));
    Ok(())
}

/// Register `--data` (or the sample data) as table `trips`; returns how to name it.
fn register_data(session: &Session, data: Option<&Path>) -> Result<String, Failure> {
    let data = match data {
        Some(d) => {
            let is_glob = d.to_string_lossy().contains(['*', '?', '[']);
            if !is_glob && !d.exists() {
                return Err(error(format!("--data {}: no such file or folder", d.display())));
            }
            d.to_path_buf()
        }
        None => sample_data()?,
    };
    session.register_path("trips", &data).map_err(|e| error(format!("--data {}: {e}", data.display())))?;
    Ok(data.display().to_string())
}

/// The result of a query file: its last statement that returns columns.
fn final_result(results: Vec<shoal::StatementResult>) -> Option<(SchemaRef, Vec<RecordBatch>)> {
    results.into_iter().rev().find(|r| !r.schema.fields().is_empty()).map(|r| (r.schema, r.batches))
}

/// Run the report described by `args`; `terminal_format` is the global `--format`, used when
/// printing to standard output without a `--format` of the report's own.
pub fn run_report(session: &Session, args: ReportArgs, terminal_format: Format) -> Result<(), Failure> {
    let format = match (args.format, &args.out) {
        (Some(f), _) => f,
        (None, Some(_)) => ReportFormat::Markdown,
        (None, None) => ReportFormat::from(terminal_format),
    };
    if format == ReportFormat::Parquet && args.out.is_none() {
        return Err(error("--format parquet writes files: add --out DIR"));
    }
    let roots = if args.queries.is_empty() { vec![default_queries()?] } else { args.queries.clone() };
    let queries = prepare_queries(&query_files(&roots)?, &args.params)?;
    if let Some(out) = &args.out {
        prepare_out_dir(out, &queries)?;
    }
    let data = register_data(session, args.data.as_deref())?;

    let mut entries: Vec<Entry> = vec![];
    let mut failed: Vec<String> = vec![];
    for q in &queries {
        if !failed.is_empty() && !args.keep_going {
            entries.push(Entry { query: q, elapsed: None, status: Status::NotRun });
            continue;
        }
        let start = Instant::now();
        let executed = session.execute_sql(&q.sql);
        let elapsed = start.elapsed();
        let status = match executed {
            Ok(results) => {
                let result = final_result(results);
                let outcome = match &args.out {
                    Some(out) => write_outputs(out, q, result.as_ref(), format),
                    None => print_result(q, result.as_ref(), elapsed, format),
                };
                match outcome {
                    Ok(status) => status,
                    Err(message) => Status::Failed(message),
                }
            }
            Err(e) => Status::Failed(format!("Error in {}:\n{}", q.path.display(), e.render(&q.sql))),
        };
        if let Status::Failed(message) = &status {
            eprintln!("{message}");
            failed.push(q.path.display().to_string());
            if let Some(out) = &args.out {
                remove_stale_outputs(out, q, format);
            }
        }
        entries.push(Entry { query: q, elapsed: Some(elapsed), status });
    }
    if let Some(out) = &args.out {
        for e in entries.iter().filter(|e| matches!(e.status, Status::NotRun)) {
            remove_stale_outputs(out, e.query, format);
        }
        let summary = Summary { data: &data, entries: &entries };
        let (name, text) = match format {
            ReportFormat::Html => ("index.html", index::html_index(&summary)),
            _ => ("index.md", index::markdown_index(&summary)),
        };
        let path = out.join(name);
        writer::write_text(&path, &text)
            .map_err(|e| error(format!("cannot write {}: {e}", path.display())))?;
        eprintln!(
            "wrote {} quer{} to {}",
            queries.len(),
            if queries.len() == 1 { "y" } else { "ies" },
            path.display()
        );
    }
    match failed.len() {
        0 => Ok(()),
        1 if !args.keep_going => Err(error(format!(
            "report query {} failed; stopped there (--keep-going runs the rest)",
            failed[0]
        ))),
        n => Err(error(format!(
            "{n} report quer{} failed:\n  {}",
            if n == 1 { "y" } else { "ies" },
            failed.join("\n  ")
        ))),
    }
}

/// Print one query's result to standard output.
fn print_result(
    q: &ReportQuery,
    result: Option<&(SchemaRef, Vec<RecordBatch>)>,
    elapsed: std::time::Duration,
    format: ReportFormat,
) -> Result<Status, String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let failed = |e: &dyn std::fmt::Display| format!("Error: cannot write output: {e}");
    writeln!(out, "-- {} ({:.3}s)", q.path.display(), elapsed.as_secs_f64()).map_err(|e| failed(&e))?;
    let rows = result.map_or(0, |(_, b)| b.iter().map(|b| b.num_rows()).sum());
    if let Some((schema, batches)) = result {
        match format {
            ReportFormat::Html => {
                let table = writer::html_table(schema, batches).map_err(|e| failed(&e))?;
                out.write_all(table.as_bytes()).map_err(|e| failed(&e))?;
            }
            other => {
                let printed = match other {
                    ReportFormat::Markdown => Format::Markdown,
                    ReportFormat::Csv => Format::Csv,
                    ReportFormat::Json => Format::Json,
                    _ => Format::Table,
                };
                output::print_batches(&mut out, schema, batches, printed).map_err(|e| failed(&e))?;
            }
        }
    }
    out.flush().map_err(|e| failed(&e))?;
    Ok(Status::Done { rows, result_file: None, chart_file: None })
}

/// Write one query's result file and chart into `out`.
fn write_outputs(
    out: &Path,
    q: &ReportQuery,
    result: Option<&(SchemaRef, Vec<RecordBatch>)>,
    format: ReportFormat,
) -> Result<Status, String> {
    let Some((schema, batches)) = result else {
        remove_stale_outputs(out, q, format);
        return Ok(Status::Done { rows: 0, result_file: None, chart_file: None });
    };
    let rows = batches.iter().map(|b| b.num_rows()).sum();
    let result_file = format!("{}.{}", q.stem, writer::extension(format));
    writer::write_result(&out.join(&result_file), &q.title, schema, batches, format)
        .map_err(|e| format!("Error: {}: cannot write {result_file}: {e}", q.path.display()))?;
    let chart_file = format!("{}.svg", q.stem);
    let chart_path = out.join(&chart_file);
    let chart_file = match chart::chart_svg(&q.title, schema, batches) {
        Ok(Some(svg)) => {
            writer::write_text(&chart_path, &svg)
                .map_err(|e| format!("Error: {}: cannot write {chart_file}: {e}", q.path.display()))?;
            Some(chart_file)
        }
        Ok(None) => {
            let _ = std::fs::remove_file(&chart_path);
            None
        }
        Err(e) => {
            eprintln!("warning: {}: no chart: {e}", q.path.display());
            let _ = std::fs::remove_file(&chart_path);
            None
        }
    };
    Ok(Status::Done { rows, result_file: Some(result_file), chart_file })
}

/// Remove a previous run's result and chart of `q`, so the folder matches the index.
fn remove_stale_outputs(out: &Path, q: &ReportQuery, format: ReportFormat) {
    let _ = std::fs::remove_file(out.join(format!("{}.{}", q.stem, writer::extension(format))));
    let _ = std::fs::remove_file(out.join(format!("{}.svg", q.stem)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_queries_are_exactly_queries_taxi() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries/taxi");
        let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
            .expect("queries/taxi")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .map(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                (name, std::fs::read_to_string(&p).expect("query file"))
            })
            .collect();
        on_disk.sort();
        let bundled: Vec<(String, String)> =
            BUNDLED_QUERIES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        assert_eq!(bundled, on_disk, "add new queries/taxi files to BUNDLED_QUERIES");
    }
}
