//! Finding the exact place of a problem in a CSV morsel: when the fast Arrow decoder fails (or
//! a check after it does), the morsel is read again record by record with the `csv` crate to
//! name the file, the physical line and the column, and to say what is wrong.
//!
//! This runs only on the error path, so it favours precision over speed.

use std::io::Read;

use arrow::datatypes::Schema;
use shoal_common::{DataLocation, Result, ShoalError};

use super::infer::{sql_type_name, value_fits};
use super::io::{record_reader, CsvFile};
use super::CsvOptions;

/// What is being read, for error reports.
pub(crate) struct LocateContext<'a> {
    pub(crate) file: &'a CsvFile,
    pub(crate) options: &'a CsvOptions,
    /// The table schema.
    pub(crate) schema: &'a Schema,
    /// Table columns whose values are parsed (the projection).
    pub(crate) columns: &'a [usize],
    /// Was the schema inferred (rather than given)?
    pub(crate) inferred: bool,
    /// Is the file split into byte ranges (so a record must not span lines)?
    pub(crate) split: bool,
}

/// A data error at `line` of `file`.
pub(crate) fn data_error(
    file: &CsvFile,
    line: Option<u64>,
    column: Option<String>,
    message: String,
) -> ShoalError {
    ShoalError::Data { location: DataLocation { file: file.name(), line, column }, message }
}

/// Shorten a value for a message.
fn quote_value(v: &str) -> String {
    const MAX: usize = 120;
    if v.chars().count() <= MAX {
        return format!("'{v}'");
    }
    let short: String = v.chars().take(MAX).collect();
    format!("'{short}...'")
}

impl LocateContext<'_> {
    /// Read bytes `[start, end)` of the file (or the whole stream when `start` is `None`, for
    /// gzip files) and return the first problem found; `header` says whether the first record
    /// is the header.
    pub(crate) fn locate(&self, range: Option<(u64, u64)>, header: bool) -> Result<Option<ShoalError>> {
        let (reader, line_offset) = match range {
            Some((start, end)) => (self.file.open_range(start, end)?, self.file.lines_before(start)?),
            None => (self.file.open_stream()?, 0),
        };
        let ncols = self.schema.fields().len();
        let mut csv = record_reader(self.options, reader);
        let mut record = ::csv::ByteRecord::new();
        let mut first = true;
        loop {
            let more = csv
                .read_byte_record(&mut record)
                .map_err(|e| data_error(self.file, None, None, format!("cannot read CSV: {e}")))?;
            if !more {
                return Ok(None);
            }
            if std::mem::take(&mut first) && header {
                continue;
            }
            if let Some(problem) = self.check_record(&record, ncols) {
                let line = match record.position() {
                    Some(p) => line_offset + record_start_line(self.file, range, p),
                    None => line_offset + 1,
                };
                return Ok(Some(data_error(self.file, Some(line), problem.column, problem.message)));
            }
        }
    }

    /// The first problem of `record`, not yet placed on a line.
    fn check_record(&self, record: &::csv::ByteRecord, ncols: usize) -> Option<Problem> {
        if self.split && record.iter().any(|f| f.contains(&b'\n')) {
            return Some(Problem::new(
                None,
                "a quoted value spans several lines, or a quote is not closed; if the file \
                 has line breaks inside quoted values, read it with newlines_in_values = true"
                    .into(),
            ));
        }
        if record.len() != ncols {
            return Some(Problem::new(None, format!("expected {ncols} fields but found {}", record.len())));
        }
        for (i, field) in record.iter().enumerate() {
            let name = || self.schema.fields().get(i).map(|f| f.name().clone());
            let Ok(text) = std::str::from_utf8(field) else {
                return Some(Problem::new(name(), "invalid UTF-8".into()));
            };
            if !self.columns.contains(&i) {
                continue;
            }
            let field_def = self.schema.field(i);
            if text.is_empty() {
                if !field_def.is_nullable() {
                    return Some(Problem::new(name(), "empty value (NULL) in a NOT NULL column".into()));
                }
                continue;
            }
            if !value_fits(text, field_def.data_type()) {
                let type_name = sql_type_name(field_def.data_type());
                let message = if self.inferred {
                    format!(
                        "value {} does not fit inferred type {type_name}; pass an explicit \
                         schema or a larger inference sample",
                        quote_value(text)
                    )
                } else {
                    format!("value {} does not fit column type {type_name}", quote_value(text))
                };
                return Some(Problem::new(name(), message));
            }
        }
        None
    }
}

/// A problem found in a record, before its line is known.
pub(crate) struct Problem {
    column: Option<String>,
    message: String,
}

impl Problem {
    fn new(column: Option<String>, message: String) -> Self {
        Self { column, message }
    }
}

/// The line a record starts on. The `csv` crate places a record just past the previous one,
/// before any blank lines it skipped, so count the line breaks between there and the record.
pub(crate) fn record_start_line(
    file: &CsvFile,
    range: Option<(u64, u64)>,
    position: &::csv::Position,
) -> u64 {
    let blank_lines = || -> Result<u64> {
        let mut reader = match range {
            Some((start, end)) => file.open_range(start, end)?,
            None => file.open_stream()?,
        };
        std::io::copy(&mut (&mut reader).take(position.byte()), &mut std::io::sink())
            .map_err(|e| file.io_error(e))?;
        let mut count = 0;
        for byte in reader.bytes() {
            match byte.map_err(|e| file.io_error(e))? {
                b'\n' => count += 1,
                b'\r' => {}
                _ => break,
            }
        }
        Ok(count)
    };
    position.line() + blank_lines().unwrap_or(0)
}
