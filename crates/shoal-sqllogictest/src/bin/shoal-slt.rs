//! `shoal-slt`: run sqllogictest files (`.slt`, `.test`) or directories of them against shoal.
//!
//! ```text
//! shoal-slt [--threads N] [--no-optimizer] [--style shoal|sqlite|datafusion] [--keep-going] [--complete] PATH...
//! ```
//!
//! Each file runs in its engine's convention: `.test` files in SQLite's, `.slt` files in a
//! directory named `datafusion` in DataFusion's, other `.slt` files in shoal's; `--style` picks
//! one for every file.
//!
//! Relative data paths in the files (`FROM 'testdata/data/x.csv'`) resolve against the current
//! directory: run it from the repository root.
//!
//! Exit codes: 0 every file passed, 1 a file failed, 2 bad command line.

use std::path::PathBuf;
use std::process::ExitCode;

use shoal_sqllogictest::{
    collect_test_files, complete_file, run_file, run_file_keep_going, RunOptions, ValueStyle,
};

const USAGE: &str =
    "usage: shoal-slt [--threads N] [--no-optimizer] [--style STYLE] [--keep-going] [--complete] PATH...

Runs sqllogictest files or directories of them, each in its engine's conventions: .test files
in SQLite's, .slt files under a directory named datafusion in DataFusion's, other .slt in shoal's.
  --threads N      worker threads per session (default 4)
  --no-optimizer   run with every optimizer rule switched off
  --style STYLE    shoal, sqlite or datafusion: the conventions of every file, whatever its path
  --keep-going     report every failing record of a file, not just the first
  --complete       rewrite the expected output of shoal-style .slt files with shoal's results
                   (review the diff!)
  -h, --help       show this help";

/// The command line, parsed.
#[derive(Debug)]
struct Args {
    options: RunOptions,
    complete: bool,
    keep_going: bool,
    paths: Vec<PathBuf>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed =
        Args { options: RunOptions::default(), complete: false, keep_going: false, paths: Vec::new() };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--no-optimizer" => parsed.options.optimizer_enabled = false,
            "--complete" => parsed.complete = true,
            "--keep-going" => parsed.keep_going = true,
            "--threads" => {
                let value = args.next().ok_or("--threads needs a number")?;
                parsed.options.threads = parse_threads(&value)?;
            }
            other if other.starts_with("--threads=") => {
                parsed.options.threads = parse_threads(other.trim_start_matches("--threads="))?;
            }
            "--style" => {
                let value = args.next().ok_or("--style needs shoal, sqlite or datafusion")?;
                parsed.options.style = Some(parse_style(&value)?);
            }
            other if other.starts_with("--style=") => {
                parsed.options.style = Some(parse_style(other.trim_start_matches("--style="))?);
            }
            other if other.starts_with('-') => return Err(format!("unknown option '{other}'")),
            path => parsed.paths.push(PathBuf::from(path)),
        }
    }
    if parsed.paths.is_empty() {
        return Err("no test files given".to_string());
    }
    Ok(Some(parsed))
}

fn parse_threads(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("--threads needs a positive number, got '{value}'")),
    }
}

fn parse_style(value: &str) -> Result<ValueStyle, String> {
    ValueStyle::from_name(value)
        .ok_or_else(|| format!("--style needs shoal, sqlite or datafusion, got '{value}'"))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("shoal-slt: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let files = match collect_test_files(&args.paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("shoal-slt: {e}");
            return ExitCode::from(2);
        }
    };

    let mut failed = 0usize;
    for file in &files {
        let failures = if args.complete {
            complete_file(file, &args.options).err().into_iter().collect()
        } else if args.keep_going {
            run_file_keep_going(file, &args.options)
        } else {
            run_file(file, &args.options).err().into_iter().collect::<Vec<_>>()
        };
        if failures.is_empty() {
            let verb = if args.complete { "completed" } else { "ok" };
            println!("{verb:>9}  {}", file.display());
        } else {
            failed += 1;
            println!("{:>9}  {}", "FAILED", file.display());
            for failure in failures {
                println!("{failure}");
            }
        }
    }
    println!(
        "\n{} file(s), {} passed, {failed} failed ({})",
        files.len(),
        files.len() - failed,
        args.options.label()
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
