//! Running and completing test files: [`ShoalRunner`], [`run_file`], [`complete_file`],
//! [`collect_test_files`].

use std::fmt;
use std::future::{ready, Ready};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use shoal::{Session, SessionConfig, ShoalError};
use sqllogictest::{
    default_normalizer, default_validator, strict_column_validator, Normalizer, QueryExpect, Record, Runner,
};

use crate::column_type::{
    datafusion_column_validator, lenient_column_validator, sqlite_column_validator, ShoalColumnType,
};
use crate::db::{RecordContext, ShoalDb};
use crate::render::ValueStyle;

/// How to run a test file: the session settings every connection of the file gets, and the
/// value convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Worker threads of each session.
    pub threads: usize,
    /// When false, no optimizer rule runs.
    pub optimizer_enabled: bool,
    /// The convention values print in; `None`: chosen by the file's path
    /// ([`ValueStyle::for_path`]).
    pub style: Option<ValueStyle>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { threads: 4, optimizer_enabled: true, style: None }
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

    /// The convention a file at `path` runs in under these options.
    pub fn style_for(&self, path: &Path) -> ValueStyle {
        self.style.unwrap_or_else(|| ValueStyle::for_path(path))
    }

    /// A short label for test names: `threads=4`, `threads=4, no optimizer`.
    pub fn label(&self) -> String {
        let mut label = format!("threads={}", self.threads);
        if !self.optimizer_enabled {
            label.push_str(", no optimizer");
        }
        if let Some(style) = self.style {
            label.push_str(&format!(", {} style", style.name()));
        }
        label
    }
}

/// Why a file did not pass.
#[derive(Debug)]
pub enum SltError {
    /// A record failed (wrong result, unexpected error, ...) or the file did not parse.
    Test(Box<sqllogictest::TestError>),
    /// shoal panicked while running a record: a failure whatever the record expected (a
    /// `statement error` record does not pass on a panic).
    Panic {
        /// Where the record is (`file:line`).
        location: String,
        /// The record's SQL.
        sql: String,
        /// The panic's message.
        message: String,
    },
    /// The file could not be rewritten by [`complete_file`].
    Complete(String),
}

impl fmt::Display for SltError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SltError::Test(e) => write!(f, "{}", e.display(false)),
            SltError::Panic { location, sql, message } => write!(
                f,
                "shoal panicked (a bug; a panic never counts as an expected error): {message}\n[SQL] {sql}\nat {location}\n"
            ),
            SltError::Complete(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for SltError {}

type MakeShoalDb = Box<dyn FnMut() -> Ready<Result<ShoalDb, ShoalError>> + Send>;

/// Runs the records of one file (or script) against fresh shoal sessions, in one value
/// convention. This is what `shoal-slt` and the `slt` test run.
///
/// Each record is run by the `sqllogictest` crate's runner, with three additions: the record's
/// type letters are handed to the connections first (SQLite's convention formats values by
/// them), a panic caught in shoal while running the record fails it unconditionally, and the
/// validators follow the convention:
///
/// | convention | type letters | result comparison |
/// |---|---|---|
/// | shoal | not checked | the crate's default: rows as text, whitespace runs equal |
/// | SQLite | one per column; they choose the formatting | value by value, however they are laid out in lines |
/// | DataFusion | checked strictly, DataFusion's letters | as DataFusion's runner: a row's values joined by a space, trailing whitespace ignored (`<slt:ignore>` as in the crate) |
pub struct ShoalRunner {
    runner: Runner<ShoalDb, MakeShoalDb>,
    context: Arc<RecordContext>,
    style: ValueStyle,
}

impl ShoalRunner {
    /// A runner whose connections are fresh sessions configured by `options`, printing values in
    /// `style`.
    pub fn new(style: ValueStyle, options: &RunOptions) -> Self {
        let config = options.session_config();
        let context = Arc::new(RecordContext::default());
        let shared = Arc::clone(&context);
        let make: MakeShoalDb =
            Box::new(move || ready(Ok(ShoalDb::with_context(config.clone(), style, Arc::clone(&shared)))));
        let mut runner = Runner::new(make);
        match style {
            ValueStyle::Shoal => runner.with_column_validator(lenient_column_validator),
            ValueStyle::Sqlite => {
                runner.with_column_validator(sqlite_column_validator);
                runner.with_validator(value_wise_validator);
            }
            ValueStyle::DataFusion => {
                runner.with_column_validator(datafusion_column_validator);
                runner.with_normalizer(datafusion_normalizer);
                runner.with_validator(datafusion_validator);
            }
        }
        Self { runner, context, style }
    }

    /// A runner for the file at `path`: its convention is `options.style`, else the path's.
    pub fn for_path(path: &Path, options: &RunOptions) -> Self {
        Self::new(options.style_for(path), options)
    }

    /// The convention values print in.
    pub fn style(&self) -> ValueStyle {
        self.style
    }

    /// Run `setup` on every session this runner creates, before its first record (e.g. to
    /// register user-defined functions). Call it before running any record.
    pub fn on_session(&mut self, setup: impl Fn(&Session) + Send + Sync + 'static) {
        self.context.set_setup(Arc::new(setup));
    }

    /// Run one record.
    pub fn run_record(&mut self, record: Record<ShoalColumnType>) -> Result<(), SltError> {
        let letters = match &record {
            Record::Query { expected: QueryExpect::Results { types, .. }, .. } => Some(types.clone()),
            _ => None,
        };
        let origin = match &record {
            Record::Statement { loc, sql, .. } | Record::Query { loc, sql, .. } => {
                Some((loc.to_string(), sql.clone()))
            }
            _ => None,
        };
        self.context.set_letters(letters);
        // A panic left over from outside any record (there should be none) is not this record's.
        let _ = self.context.take_panic();
        let result = self.runner.run(record);
        self.context.set_letters(None);
        if let Some(message) = self.context.take_panic() {
            let (location, sql) = origin.unwrap_or_default();
            return Err(SltError::Panic { location, sql, message });
        }
        result.map(|_| ()).map_err(|e| SltError::Test(Box::new(e)))
    }

    /// Run `records` up to a `halt` record: until the first failure (returned alone), or every
    /// record when `keep_going` (every failure returned). Empty when they pass.
    pub fn run_records(
        &mut self,
        records: impl IntoIterator<Item = Record<ShoalColumnType>>,
        keep_going: bool,
    ) -> Vec<SltError> {
        let mut failures = Vec::new();
        for record in records {
            if let Record::Halt { .. } = record {
                break;
            }
            if let Err(e) = self.run_record(record) {
                failures.push(e);
                if !keep_going {
                    break;
                }
            }
        }
        failures
    }

    /// Run a script as if it were a file named `name`; the first failure.
    pub fn run_script(&mut self, name: &str, script: &str) -> Result<(), SltError> {
        let records = sqllogictest::parse_with_name::<ShoalColumnType>(script, name)
            .map_err(|e| SltError::Test(Box::new(e.into())))?;
        self.run_records(records, false).into_iter().next().map_or(Ok(()), Err)
    }

    /// Close every connection.
    pub fn shutdown(mut self) {
        self.runner.shutdown();
    }
}

/// A runner for the file at `path` (see [`ShoalRunner::for_path`]).
pub fn runner_for(path: &Path, options: &RunOptions) -> ShoalRunner {
    ShoalRunner::for_path(path, options)
}

/// SQLite's files list results one value per line: compare the values in row-major order,
/// regardless of how they are laid out in lines.
fn value_wise_validator(normalizer: Normalizer, actual: &[Vec<String>], expected: &[String]) -> bool {
    let actual_values = actual.iter().flatten().map(normalizer);
    let expected_values = expected.iter().map(normalizer);
    actual_values.eq(expected_values)
}

/// DataFusion's normalizer: trailing whitespace is dropped, nothing else.
#[allow(clippy::ptr_arg)] // the signature is fixed by `sqllogictest::Normalizer`
fn datafusion_normalizer(s: &String) -> String {
    s.trim_end().to_string()
}

/// DataFusion's validator: each row's values joined by one space, trailing whitespace dropped,
/// equal to the expected line (with `<slt:ignore>` markers matched as the crate does).
fn datafusion_validator(normalizer: Normalizer, actual: &[Vec<String>], expected: &[String]) -> bool {
    if expected.iter().any(|line| line.contains("<slt:ignore>")) {
        return default_validator(normalizer, actual, expected);
    }
    let actual_lines = actual.iter().map(|row| row.join(" ").trim_end().to_string());
    let expected_lines = expected.iter().map(normalizer);
    actual_lines.eq(expected_lines)
}

fn parse(path: &Path) -> Result<Vec<Record<ShoalColumnType>>, SltError> {
    sqllogictest::parse_file::<ShoalColumnType>(path).map_err(|e| SltError::Test(Box::new(e.into())))
}

/// Run every record of the file at `path`; the error describes the first failure.
pub fn run_file(path: &Path, options: &RunOptions) -> Result<(), SltError> {
    let records = parse(path)?;
    let mut runner = ShoalRunner::for_path(path, options);
    let failures = runner.run_records(records, false);
    runner.shutdown();
    failures.into_iter().next().map_or(Ok(()), Err)
}

/// Run every record of the file at `path`, continuing past failures; returns every failure (empty
/// when the file passes). Stops at a `halt` record.
pub fn run_file_keep_going(path: &Path, options: &RunOptions) -> Vec<SltError> {
    let records = match parse(path) {
        Ok(records) => records,
        Err(e) => return vec![e],
    };
    let mut runner = ShoalRunner::for_path(path, options);
    let failures = runner.run_records(records, true);
    runner.shutdown();
    failures
}

/// Rewrite the expected output of every record of the file at `path` with what shoal returns
/// (types, rows and error messages). Only for shoal's own `.slt` files: review the diff. A file
/// during which shoal panicked is left as it was (a panic is not an expected error).
pub fn complete_file(path: &Path, options: &RunOptions) -> Result<(), SltError> {
    if options.style_for(path) != ValueStyle::Shoal {
        return Err(SltError::Complete(format!(
            "{}: --complete only rewrites shoal's own .slt files",
            path.display()
        )));
    }
    let original = std::fs::read_to_string(path)
        .map_err(|e| SltError::Complete(format!("{}: cannot read: {e}", path.display())))?;
    let mut runner = ShoalRunner::for_path(path, options);
    let result = futures::executor::block_on(runner.runner.update_test_file(
        path,
        " ",
        default_validator,
        default_normalizer,
        strict_column_validator,
    ));
    let panic = runner.context.take_panic();
    runner.shutdown();
    if let Some(message) = panic {
        std::fs::write(path, original)
            .map_err(|e| SltError::Complete(format!("{}: cannot restore: {e}", path.display())))?;
        return Err(SltError::Complete(format!(
            "{}: shoal panicked ({message}); the file was left as it was",
            path.display()
        )));
    }
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
