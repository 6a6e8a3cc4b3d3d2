//! Running and completing test files: [`run_file`], [`complete_file`], [`collect_test_files`].

use std::fmt;
use std::future::{ready, Ready};
use std::path::{Path, PathBuf};

use shoal::{SessionConfig, ShoalError};
use sqllogictest::{
    default_normalizer, default_validator, strict_column_validator, Normalizer, Record, Runner,
};

use crate::column_type::{lenient_column_validator, ShoalColumnType};
use crate::db::ShoalDb;
use crate::render::ValueStyle;

/// How to run a test file: the session settings every connection of the file gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Worker threads of each session.
    pub threads: usize,
    /// When false, no optimizer rule runs.
    pub optimizer_enabled: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { threads: 4, optimizer_enabled: true }
    }
}

impl RunOptions {
    /// The session settings of these options.
    pub fn session_config(&self) -> SessionConfig {
        SessionConfig {
            optimizer_enabled: self.optimizer_enabled,
            ..SessionConfig::default().with_threads(self.threads)
        }
    }

    /// A short label for test names: `threads=4`, `threads=4, no optimizer`.
    pub fn label(&self) -> String {
        if self.optimizer_enabled {
            format!("threads={}", self.threads)
        } else {
            format!("threads={}, no optimizer", self.threads)
        }
    }
}

/// Why a file did not pass.
#[derive(Debug)]
pub enum SltError {
    /// A record failed (wrong result, unexpected error, ...) or the file did not parse.
    Test(Box<sqllogictest::TestError>),
    /// The file could not be rewritten by [`complete_file`].
    Complete(String),
}

impl fmt::Display for SltError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SltError::Test(e) => write!(f, "{}", e.display(false)),
            SltError::Complete(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for SltError {}

type MakeShoalDb = Box<dyn FnMut() -> Ready<Result<ShoalDb, ShoalError>> + Send>;

/// A runner whose connections are fresh shoal sessions configured by `options`, printing values
/// in the convention of `path`'s extension.
pub fn runner_for(path: &Path, options: &RunOptions) -> Runner<ShoalDb, MakeShoalDb> {
    let config = options.session_config();
    let style = ValueStyle::for_path(path);
    let make: MakeShoalDb = Box::new(move || ready(Ok(ShoalDb::new(config.clone(), style))));
    let mut runner = Runner::new(make);
    runner.with_column_validator(lenient_column_validator);
    if style == ValueStyle::Sqlite {
        runner.with_validator(value_wise_validator);
    }
    runner
}

/// SQLite's files list results one value per line: compare the values in row-major order,
/// regardless of how they are laid out in lines.
fn value_wise_validator(normalizer: Normalizer, actual: &[Vec<String>], expected: &[String]) -> bool {
    let actual_values = actual.iter().flatten().map(normalizer);
    let expected_values = expected.iter().map(normalizer);
    actual_values.eq(expected_values)
}

/// Run every record of the file at `path`; the error describes the first failure.
pub fn run_file(path: &Path, options: &RunOptions) -> Result<(), SltError> {
    let mut runner = runner_for(path, options);
    let result = runner.run_file(path);
    runner.shutdown();
    result.map_err(|e| SltError::Test(Box::new(e)))
}

/// Run every record of the file at `path`, continuing past failures; returns every failure (empty
/// when the file passes). Stops at a `halt` record.
pub fn run_file_keep_going(path: &Path, options: &RunOptions) -> Vec<SltError> {
    let records = match sqllogictest::parse_file::<ShoalColumnType>(path) {
        Ok(records) => records,
        Err(e) => return vec![SltError::Test(Box::new(e.into()))],
    };
    let mut runner = runner_for(path, options);
    let mut failures = Vec::new();
    for record in records {
        if let Record::Halt { .. } = record {
            break;
        }
        if let Err(e) = runner.run(record) {
            failures.push(SltError::Test(Box::new(e)));
        }
    }
    runner.shutdown();
    failures
}

/// Rewrite the expected output of every record of the file at `path` with what shoal returns
/// (types, rows and error messages). Only for shoal's own `.slt` files: review the diff.
pub fn complete_file(path: &Path, options: &RunOptions) -> Result<(), SltError> {
    if ValueStyle::for_path(path) != ValueStyle::Shoal {
        return Err(SltError::Complete(format!(
            "{}: --complete only rewrites shoal's own .slt files",
            path.display()
        )));
    }
    let mut runner = runner_for(path, options);
    let result = futures::executor::block_on(runner.update_test_file(
        path,
        " ",
        default_validator,
        default_normalizer,
        strict_column_validator,
    ));
    runner.shutdown();
    result.map_err(|e| SltError::Complete(format!("{}: {e}", path.display())))
}

/// Is `path` a sqllogictest file (`.slt` or `.test`)?
pub fn is_test_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("slt" | "test"))
}

/// The test files named by `paths`: files as given, directories searched recursively for
/// `.slt`/`.test` files; sorted within each directory.
pub fn collect_test_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_dir(path, &mut files)?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{}: no such file or directory", path.display()),
            ));
        }
    }
    Ok(files)
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries =
        std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_dir(&entry, files)?;
        } else if is_test_file(&entry) {
            files.push(entry);
        }
    }
    Ok(())
}
