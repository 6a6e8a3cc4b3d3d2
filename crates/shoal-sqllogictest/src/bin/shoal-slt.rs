//! `shoal-slt`: run sqllogictest files (`.slt`, `.test`) or directories of them against shoal.
//!
//! ```text
//! shoal-slt [--threads N] [--no-optimizer] [--keep-going] [--complete] PATH...
//! ```
//!
//! Relative data paths in the files (`FROM 'testdata/data/x.csv'`) resolve against the current
//! directory: run it from the repository root.
//!
//! Exit codes: 0 every file passed, 1 a file failed, 2 bad command line.

use std::path::PathBuf;
use std::process::ExitCode;

use shoal_sqllogictest::{collect_test_files, complete_file, run_file, run_file_keep_going, RunOptions};

const USAGE: &str = "usage: shoal-slt [--threads N] [--no-optimizer] [--keep-going] [--complete] PATH...

Runs sqllogictest files (.slt: shoal's conventions, .test: SQLite's) or directories of them.
  --threads N      worker threads per session (default 4)
  --no-optimizer   run with every optimizer rule switched off
  --keep-going     report every failing record of a file, not just the first
  --complete       rewrite the expected output of .slt files with shoal's results (review the diff!)
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
