//! The one error type of shoal, classified by who is at fault.
//!
//! * the query: [`ShoalError::Sql`], [`ShoalError::Plan`], [`ShoalError::NotSupported`] carry
//!   the position in the SQL text when there is one;
//! * the data: [`ShoalError::Data`] names the file, line and column;
//! * the environment: [`ShoalError::Io`] names the path;
//! * the running query: [`ShoalError::Execution`] (overflow, division by zero, ...);
//! * shoal itself: [`ShoalError::Internal`] says it is a bug.

use std::fmt;

use arrow::error::ArrowError;

/// Result alias used throughout shoal.
pub type Result<T, E = ShoalError> = std::result::Result<T, E>;

/// A position range in SQL text; lines and columns are 1-based (0 means unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Line of the first character (1-based; 0 when unknown).
    pub start_line: u64,
    /// Column of the first character (1-based, in characters).
    pub start_column: u64,
    /// Line of the last character (1-based).
    pub end_line: u64,
    /// Column just after the last character (1-based, in characters).
    pub end_column: u64,
}

impl Span {
    /// The span from (`start_line`, `start_column`) to (`end_line`, `end_column`).
    pub fn new(start_line: u64, start_column: u64, end_line: u64, end_column: u64) -> Self {
        Self { start_line, start_column, end_line, end_column }
    }

    /// True when the span carries no position.
    pub fn is_empty(&self) -> bool {
        self.start_line == 0
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.start_line, self.start_column)
    }
}

/// Where in a data file a bad value was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataLocation {
    /// The path of the file, as displayed in messages.
    pub file: String,
    /// 1-based line (CSV) or row number, when known.
    pub line: Option<u64>,
    /// Column name, when known.
    pub column: Option<String>,
}

impl fmt::Display for DataLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column '{column}'")?;
        }
        Ok(())
    }
}

/// The error type of every fallible shoal operation.
#[derive(Debug, thiserror::Error)]
pub enum ShoalError {
    /// The SQL text could not be parsed.
    #[error("SQL syntax error: {message}")]
    Sql {
        /// The parser's message.
        message: String,
        /// Where in the SQL text, when known.
        span: Option<Span>,
    },
    /// The query is well-formed but wrong: unknown column, type mismatch, ...
    #[error("{message}")]
    Plan {
        /// What is wrong, with a "did you mean" for a misspelt name.
        message: String,
        /// Where in the SQL text, when the query came from SQL.
        span: Option<Span>,
    },
    /// The query uses something shoal does not support (yet).
    #[error("not supported: {message}")]
    NotSupported {
        /// The feature that is missing.
        message: String,
        /// Where in the SQL text, when the query came from SQL.
        span: Option<Span>,
    },
    /// A value in a data file is malformed or does not fit its column.
    #[error("bad data in {location}: {message}")]
    Data {
        /// The file, line and column of the bad value.
        location: DataLocation,
        /// What is wrong with it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An error raised by an Arrow kernel.
    #[error("{0}")]
    Arrow(#[from] ArrowError),
    /// The query failed while running: overflow, division by zero, invalid cast, ...
    #[error("{0}")]
    Execution(String),
    /// The query needed more memory than `memory_limit` allows and the operator cannot spill.
    #[error(
        "{operator} ran out of memory: it needed {} more with {} of the {} memory limit in use. \
         Raise memory_limit (SET memory_limit = '8GB', or --memory-limit), or {hint}",
        crate::byte_size::format_bytes(*.requested),
        crate::byte_size::format_bytes(*.used),
        crate::byte_size::format_bytes(*.limit)
    )]
    ResourcesExhausted {
        /// The operator that asked, e.g. `HashAggregateExec`.
        operator: String,
        /// Bytes it asked for.
        requested: usize,
        /// Bytes reserved by the whole query (all operators) when it asked.
        used: usize,
        /// The limit in bytes.
        limit: usize,
        /// What else the user can do, e.g. "reduce the number of groups".
        hint: String,
    },
    /// The query was cancelled by the user.
    #[error("query cancelled")]
    Cancelled,
    /// A bug in shoal.
    #[error("internal error: {0} (this is a bug in shoal; please report it)")]
    Internal(String),
    /// Another error with context added on the way up.
    #[error("{context}: {source}")]
    Context {
        /// What was being done, e.g. the file being read.
        context: String,
        /// The underlying error.
        source: Box<ShoalError>,
    },
}

impl ShoalError {
    /// The SQL position this error points at, if any.
    pub fn span(&self) -> Option<Span> {
        match self {
            ShoalError::Sql { span, .. }
            | ShoalError::Plan { span, .. }
            | ShoalError::NotSupported { span, .. } => span.filter(|s| !s.is_empty()),
            ShoalError::Context { source, .. } => source.span(),
            _ => None,
        }
    }

    /// Attach a SQL position if the error has none yet.
    pub fn with_span(self, new: Span) -> Self {
        if new.is_empty() {
            return self;
        }
        match self {
            ShoalError::Sql { message, span: None } => ShoalError::Sql { message, span: Some(new) },
            ShoalError::Plan { message, span: None } => ShoalError::Plan { message, span: Some(new) },
            ShoalError::NotSupported { message, span: None } => {
                ShoalError::NotSupported { message, span: Some(new) }
            }
            other => other,
        }
    }

    /// Wrap the error with a sentence of context.
    pub fn context(self, context: impl Into<String>) -> Self {
        ShoalError::Context { context: context.into(), source: Box::new(self) }
    }

    /// The innermost error, past every [`ShoalError::Context`].
    pub fn root(&self) -> &ShoalError {
        match self {
            ShoalError::Context { source, .. } => source.root(),
            other => other,
        }
    }

    /// Render the error with the offending SQL line and a caret under the position.
    pub fn render(&self, sql: &str) -> String {
        let mut out = format!("Error: {self}");
        if let Some(span) = self.span() {
            if let Some(line) = sql.lines().nth(span.start_line.saturating_sub(1) as usize) {
                let col = span.start_column.max(1) as usize;
                let width = if span.end_line == span.start_line && span.end_column > span.start_column {
                    (span.end_column - span.start_column) as usize
                } else {
                    1
                };
                out.push_str(&format!(
                    "\n  at {span}\n  {line}\n  {}{}",
                    " ".repeat(col - 1),
                    "^".repeat(width.max(1))
                ));
            }
        }
        out
    }
}

impl From<std::fmt::Error> for ShoalError {
    fn from(e: std::fmt::Error) -> Self {
        ShoalError::Internal(format!("formatting failed: {e}"))
    }
}

/// Return early with a [`ShoalError::Plan`] built from a format string.
#[macro_export]
macro_rules! plan_err {
    ($($arg:tt)*) => { Err($crate::error::ShoalError::Plan { message: format!($($arg)*), span: None }) };
}

/// Return early with a [`ShoalError::Execution`] built from a format string.
#[macro_export]
macro_rules! exec_err {
    ($($arg:tt)*) => { Err($crate::error::ShoalError::Execution(format!($($arg)*))) };
}

/// Return early with a [`ShoalError::Internal`] built from a format string.
#[macro_export]
macro_rules! internal_err {
    ($($arg:tt)*) => { Err($crate::error::ShoalError::Internal(format!($($arg)*))) };
}

/// Return early with a [`ShoalError::NotSupported`] built from a format string.
#[macro_export]
macro_rules! not_supported {
    ($($arg:tt)*) => { Err($crate::error::ShoalError::NotSupported { message: format!($($arg)*), span: None }) };
}

/// Edit distance counting insertions, deletions, substitutions and swaps of neighbouring
/// characters (optimal string alignment), for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `name` (case-insensitive), if it is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_puts_caret_under_position() {
        let err = ShoalError::Plan { message: "no column x".into(), span: Some(Span::new(1, 8, 1, 9)) };
        let text = err.render("SELECT x FROM t");
        assert_eq!(text, "Error: no column x\n  at line 1, column 8\n  SELECT x FROM t\n         ^");
    }

    #[test]
    fn suggestion_finds_typo() {
        assert_eq!(suggest("fare_amout", ["fare_amount", "tip_amount"]), Some("fare_amount"));
        assert_eq!(suggest("zzz", ["fare_amount"]), None);
        assert_eq!(suggest("coutn", ["count", "sum"]), Some("count"));
    }
}
