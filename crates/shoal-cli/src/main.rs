//! The `shoal` command: run SQL from the command line or files, an interactive shell (REPL),
//! reports, and data generators.
//!
//! Exit codes: 0 success; 1 a query, data or I/O error (message on stderr, with a caret under
//! the SQL position when there is one); 2 bad command-line usage.

mod args;
mod output;
mod repl;
mod report;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use shoal::{Session, SessionConfig, ShoalError};

use crate::args::{parse_table_arg, table_name_for, Cli, Command, Format, GenCommand};

/// An error that already knows how to present itself.
pub struct Failure(pub String);

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure(format!("Error: {e:#}"))
    }
}

impl From<ShoalError> for Failure {
    fn from(e: ShoalError) -> Self {
        Failure(format!("Error: {e}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let mut config = SessionConfig::default();
    if let Some(n) = cli.threads {
        config = config.with_threads(n);
    }
    if let Some(size) = &cli.memory_limit {
        let bytes =
            shoal::parse_byte_size(size).map_err(|e| Failure(format!("Error: --memory-limit: {e}")))?;
        config = config.with_memory_limit(bytes);
    }
    if let Some(dir) = &cli.spill_path {
        config = config.with_spill_path(dir);
    }
    let session = Session::with_config(config);
    for t in &cli.tables {
        let t = parse_table_arg(t).map_err(Failure)?;
        session.register_path(&t.name, &t.path)?;
    }
    for p in &cli.paths {
        session.register_path(&table_name_for(p), p)?;
    }
    match cli.command {
        Some(Command::Report(args)) => return report::run_report(&session, args, cli.format),
        Some(Command::Gen { what }) => return generate(what),
        None => {}
    }
    let max_rows = cli.max_rows.unwrap_or_else(|| {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            repl::DEFAULT_MAX_ROWS
        } else {
            0
        }
    });
    let mut ran = false;
    for sql in &cli.commands {
        run_sql(&session, sql, cli.format, max_rows)?;
        ran = true;
    }
    for file in &cli.files {
        let sql = std::fs::read_to_string(file)
            .map_err(|e| Failure(format!("Error: cannot read {}: {e}", file.display())))?;
        run_sql(&session, &sql, cli.format, max_rows)
            .map_err(|Failure(m)| Failure(format!("{m}\n  in {}", file.display())))?;
        ran = true;
    }
    if !ran {
        // No statements: read them from standard input when it is piped, else open the REPL.
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            return repl::run(&session, repl::ReplOptions { format: cli.format, no_rc: cli.no_rc });
        }
        let mut sql = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut sql)
            .map_err(|e| Failure(format!("Error: cannot read standard input: {e}")))?;
        run_sql(&session, &sql, cli.format, max_rows)?;
    }
    Ok(())
}

/// Run `;`-separated statements, printing each result as it streams in: a table shows the first
/// and last rows of at most `max_rows` (0: all), the other formats every row; errors show the
/// SQL position.
pub fn run_sql(session: &Session, sql: &str, format: Format, max_rows: usize) -> Result<(), Failure> {
    use repl::result_sink::{ShellSink, Shown, SinkMode};
    let mode = output::stream::RowFormat::of(format).map_or(SinkMode::Table { max_rows }, SinkMode::Rows);
    let printing = std::sync::atomic::AtomicBool::new(false);
    let mut sink = ShellSink::new(mode, None, 0, &printing);
    let result = repl::progress::run_watched_printing(session, None, &printing, || {
        session.execute_sql_stream(sql, &mut sink)
    });
    let width = repl::pager::terminal_size().map(|(w, _)| w);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for finished in std::mem::take(&mut sink.finished) {
        if let Shown::Table { schema, head, tail, total_rows } = finished.shown {
            let rendered = output::table::render_cut_table(&schema, &head, &tail, total_rows, width)?;
            out.write_all(repl::with_footer(rendered, None).as_bytes())
                .map_err(|e| Failure(format!("Error: cannot write output: {e}")))?;
        }
    }
    out.flush().map_err(|e| Failure(format!("Error: cannot write output: {e}")))?;
    result.map_err(|e| Failure(e.render(sql)))
}

fn generate(what: GenCommand) -> Result<(), Failure> {
    let start = Instant::now();
    let (files, label) = match what {
        GenCommand::Taxi { rows, out, format, files } => (
            shoal_datagen::taxi::write_taxi(&out, rows, files, file_format(format))?,
            format!("{rows} taxi trips"),
        ),
        GenCommand::Tpch { scale, out, format } => {
            (shoal_datagen::tpch::write_tpch(&out, scale, file_format(format))?, format!("TPC-H SF{scale}"))
        }
    };
    eprintln!("wrote {label} to {} file(s) in {:.1}s", files.len(), start.elapsed().as_secs_f64());
    for f in files {
        println!("{}", f.display());
    }
    Ok(())
}

fn file_format(f: args::FileFormatArg) -> shoal_datagen::FileFormat {
    match f {
        args::FileFormatArg::Parquet => shoal_datagen::FileFormat::Parquet,
        args::FileFormatArg::Csv => shoal_datagen::FileFormat::Csv,
    }
}

/// Where cached sample data lives: `$SHOAL_CACHE_DIR`, else `$XDG_CACHE_HOME/shoal`, else
/// `~/.cache/shoal`, else `.shoal-cache` in the working directory.
pub fn cache_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("SHOAL_CACHE_DIR") {
        return d.into();
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Path::new(&d).join("shoal");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return Path::new(&h).join(".cache").join("shoal");
    }
    ".shoal-cache".into()
}
