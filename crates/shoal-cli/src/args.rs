//! Command-line arguments (the only module that knows clap), validated into a plain [`Config`].

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// shoal: a parallel SQL engine for Parquet and CSV files.
///
/// Exit codes: 0 success, 1 a query or data error, 2 bad command-line usage.
#[derive(Debug, Parser)]
#[command(name = "shoal", version, about, long_about = None)]
pub struct Cli {
    /// Run these SQL statements (`;`-separated; repeatable) and exit.
    #[arg(short = 'c', long = "command", value_name = "SQL")]
    pub commands: Vec<String>,
    /// Run the statements in this file and exit.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// How to print results.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Worker threads, at least 1 (default: all cores).
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Rows of a `--format table` result printed by `-c`/`-f`: the first and last of at most N
    /// (0: all). Default: 40 when standard output is a terminal, else all.
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    /// Memory that queries may use for hash tables, sorts and join builds, e.g. 4GB, 512MiB or
    /// 75% (of physical memory); sorts spill to disk beyond it (default: no limit).
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<String>,
    /// Directory for spill files (default: the OS temp dir).
    #[arg(long, value_name = "DIR")]
    pub spill_path: Option<PathBuf>,
    /// Register a table: NAME=PATH (a file, glob or directory of Parquet/CSV files; repeatable).
    #[arg(long = "table", value_name = "NAME=PATH")]
    pub tables: Vec<String>,
    /// Files or directories to register as tables named after them (file stem).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Interactive mode: do not run the statements of ~/.shoalrc (or $SHOALRC) at start.
    #[arg(long)]
    pub no_rc: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--threads`: a positive number (0 is bad usage, exit code 2).
fn parse_threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every .sql file of a folder as a report over the taxi data (built-in sample by default).
    Report(ReportArgs),
    /// Generate data sets.
    Gen {
        #[command(subcommand)]
        what: GenCommand,
    },
}

/// `shoal report`: see `crates/shoal-cli/src/report/mod.rs`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Query files or folders (default: the bundled queries/taxi).
    pub queries: Vec<PathBuf>,
    /// Taxi data (file, glob or directory), registered as table `trips`.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Write one result file per query, charts and an index (index.md or index.html) here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Result format (default: markdown with --out, else the global --format).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Set a parameter: `${NAME}` in the queries becomes VALUE, as SQL text (repeatable).
    /// A `-- param: NAME=DEFAULT` line in a query file gives a default.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = crate::report::parse_param_arg)]
    pub params: Vec<(String, String)>,
    /// Run every query even after one fails (failures are listed at the end and in the index).
    #[arg(long)]
    pub keep_going: bool,
}

/// The formats of report results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Markdown,
    Html,
    Csv,
    Json,
    Parquet,
}

impl From<Format> for ReportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Table => ReportFormat::Table,
            Format::Csv => ReportFormat::Csv,
            Format::Json => ReportFormat::Json,
            Format::Markdown => ReportFormat::Markdown,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// NYC yellow-taxi-like trips with the TLC schema.
    Taxi {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = FileFormatArg::Parquet)]
        format: FileFormatArg,
        #[arg(long, default_value_t = 1)]
        files: usize,
    },
    /// TPC-H tables.
    Tpch {
        #[arg(long, default_value_t = 0.1)]
        scale: f64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = FileFormatArg::Parquet)]
        format: FileFormatArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormatArg {
    Parquet,
    Csv,
}

/// A table to register: name and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableArg {
    pub name: String,
    pub path: PathBuf,
}

/// Parse `NAME=PATH`.
pub fn parse_table_arg(s: &str) -> Result<TableArg, String> {
    match s.split_once('=') {
        Some((name, path)) if !name.trim().is_empty() && !path.trim().is_empty() => {
            Ok(TableArg { name: name.trim().to_string(), path: PathBuf::from(path.trim()) })
        }
        _ => Err(format!("--table expects NAME=PATH, got '{s}'")),
    }
}

/// A table name from a path: the file name up to its first dot (`trips.csv.gz` → `trips`).
pub fn table_name_for(path: &std::path::Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("t");
    let stem = name.split('.').next().unwrap_or(name);
    let cleaned: String =
        stem.chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if cleaned.is_empty() {
        "t".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_args_parse() {
        assert_eq!(
            parse_table_arg("trips=data/*.parquet"),
            Ok(TableArg { name: "trips".into(), path: "data/*.parquet".into() })
        );
        assert!(parse_table_arg("nopath").is_err());
        assert_eq!(table_name_for(std::path::Path::new("x/yellow-2023.csv.gz")), "yellow_2023");
    }
}
