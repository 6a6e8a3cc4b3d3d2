//! [`CsvScan`]: a planned CSV scan; each morsel is a byte range of a file (or a whole file).
//!
//! A range `[start, end)` begins just past the first newline at or after `start - 1` (at the
//! data start for the first range) and holds every record that starts before `end`, so
//! neighbouring ranges meet exactly at a line start. Records are decoded by Arrow's columnar
//! CSV decoder; DATE and TIMESTAMP columns are decoded as text and converted here with strict
//! parsers, because Arrow would silently drop a time of day or extra fractional digits. Any
//! failure is handed to the locator, which names the file, the line and the column.

use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::timezone::Tz;
use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray, StringArray};
use arrow::csv::reader::Decoder;
use arrow::csv::ReaderBuilder;
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Field, Schema, SchemaRef, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{internal_err, Result, ShoalError};
use shoal_expr::ScanSource;

use super::io::{count_newlines, CsvFile};
use super::locate::{data_error, LocateContext};
use super::plain::{plain_text, supports_type, FieldSplitter, MAX_PLAIN_BYTES};
use super::temporal::{parse_date32, parse_timestamp};
use super::CsvOptions;
use crate::column_list;

/// One byte range of one file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CsvMorsel {
    pub(crate) file: usize,
    pub(crate) start: u64,
    pub(crate) end: u64,
    /// Is the file split into several ranges?
    pub(crate) split: bool,
}

/// A planned scan of CSV files.
#[derive(Debug)]
pub(crate) struct CsvScan {
    pub(crate) files: Arc<Vec<CsvFile>>,
    pub(crate) table_schema: SchemaRef,
    /// The output schema (the projected columns).
    pub(crate) schema: SchemaRef,
    /// Table column of each output column.
    pub(crate) columns: Vec<usize>,
    pub(crate) options: CsvOptions,
    pub(crate) inferred: bool,
    pub(crate) morsels: Vec<CsvMorsel>,
    /// At most this many rows are needed from any one morsel.
    pub(crate) row_limit: Option<usize>,
}

/// Where a morsel's records are, once its range is resolved to line starts.
struct ResolvedRange {
    /// `[start, end)` of an uncompressed file; `None` for a whole gzip stream.
    bytes: Option<(u64, u64)>,
    /// Does the range begin with the header?
    header: bool,
}

/// Is `t` decoded as text and converted by [`convert_temporal`]?
fn is_strict_temporal(t: &DataType) -> bool {
    matches!(t, DataType::Date32 | DataType::Timestamp(_, _))
}

impl CsvScan {
    fn locate_context<'a>(&'a self, file: &'a CsvFile, split: bool) -> LocateContext<'a> {
        LocateContext {
            file,
            options: &self.options,
            schema: &self.table_schema,
            columns: &self.columns,
            inferred: self.inferred,
            split,
        }
    }

    /// The error to report for a failure in `range`: the located problem, else `fallback`.
    fn locate(
        &self,
        file: &CsvFile,
        morsel: &CsvMorsel,
        range: &ResolvedRange,
        fallback: String,
    ) -> ShoalError {
        match self.locate_context(file, morsel.split).locate(range.bytes, range.header) {
            Ok(Some(e)) => e,
            Ok(None) => {
                let line = range.bytes.and_then(|(start, _)| file.lines_before(start).ok()).map(|l| l + 1);
                let message = match line {
                    Some(l) => format!("{fallback} (in the part of the file from line {l})"),
                    None => fallback,
                };
                data_error(file, None, None, message)
            }
            Err(e) => e,
        }
    }

    /// The Arrow decoder: every column nullable (NOT NULL is checked after), DATE and
    /// TIMESTAMP columns as text.
    fn decoder(&self, header: bool) -> Decoder {
        let fields: Vec<Field> = self
            .table_schema
            .fields()
            .iter()
            .map(|f| {
                let t =
                    if is_strict_temporal(f.data_type()) { DataType::Utf8 } else { f.data_type().clone() };
                Field::new(f.name(), t, true)
            })
            .collect();
        let batch_size =
            self.row_limit.map_or(self.options.batch_size, |l| l.min(self.options.batch_size)).max(1);
        let mut builder = ReaderBuilder::new(Arc::new(Schema::new(fields)))
            .with_header(header)
            .with_delimiter(self.options.delimiter)
            .with_quote(self.options.quote)
            .with_batch_size(batch_size)
            .with_projection(self.columns.clone());
        if let Some(escape) = self.options.escape {
            builder = builder.with_escape(escape);
        }
        builder.build_decoder()
    }

    fn resolve(&self, file: &CsvFile, morsel: &CsvMorsel) -> Result<ResolvedRange> {
        if file.gzip {
            return Ok(ResolvedRange { bytes: None, header: self.options.has_header });
        }
        let start = file.next_line_start(morsel.start)?;
        let end = if morsel.end >= file.size { file.size } else { file.next_line_start(morsel.end)? };
        Ok(ResolvedRange {
            bytes: Some((start, end.max(start))),
            header: self.options.has_header && start == file.data_start,
        })
    }

    /// Can [`Self::read_plain`] convert every projected column?
    fn plain_types(&self) -> bool {
        self.schema.fields().iter().all(|f| supports_type(f.data_type()))
    }

    /// Read a plain range (see `plain.rs`): split the fields of a batch of rows, convert the
    /// projected ones.
    fn read_plain(
        &self,
        text: &str,
        file: &CsvFile,
        morsel: &CsvMorsel,
        range: &ResolvedRange,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let mut splitter =
            FieldSplitter::new(self.options.delimiter, self.options.quote, self.table_schema.fields().len());
        let failed = |message: String| self.locate(file, morsel, range, message);
        if range.header {
            splitter.split(text, 1).map_err(failed)?;
        }
        let mut remaining = self.row_limit.unwrap_or(usize::MAX);
        while remaining > 0 && !splitter.at_end(text) {
            let rows = splitter.split(text, remaining.min(self.options.batch_size.max(1))).map_err(failed)?;
            if rows == 0 {
                break;
            }
            remaining -= rows;
            let columns = self
                .columns
                .iter()
                .zip(self.schema.fields())
                .map(|(&c, f)| splitter.column(text, c, f.data_type()))
                .collect::<std::result::Result<Vec<_>, String>>()
                .map_err(failed)?;
            let batch = RecordBatch::try_new_with_options(
                Arc::clone(&self.schema),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(rows)),
            )
            .map_err(|e| failed(e.to_string()))?;
            if emit(batch)?.is_break() {
                break;
            }
        }
        Ok(())
    }

    /// Convert the text columns of DATE / TIMESTAMP columns and apply the output schema.
    fn finish_batch(&self, batch: RecordBatch) -> std::result::Result<RecordBatch, String> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
        for (array, field) in batch.columns().iter().zip(self.schema.fields()) {
            if is_strict_temporal(field.data_type()) {
                columns.push(convert_temporal(array, field.data_type())?);
            } else {
                columns.push(Arc::clone(array));
            }
        }
        RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
        )
        .map_err(|e| e.to_string())
    }
}

/// Strictly convert a text column to DATE or TIMESTAMP; `Err` names the first bad value.
fn convert_temporal(array: &ArrayRef, t: &DataType) -> std::result::Result<ArrayRef, String> {
    let Some(text) = array.as_string_opt::<i32>() else {
        return Err(format!("expected text for a {t} column"));
    };
    match t {
        DataType::Date32 => Ok(Arc::new(parse_column::<Date32Type>(text, t, parse_date32)?)),
        DataType::Timestamp(unit, tz) => {
            let zone = match tz.as_deref() {
                Some(name) => Some(name.parse::<Tz>().map_err(|e| format!("bad time zone '{name}': {e}"))?),
                None => None,
            };
            let parse = |s: &str| parse_timestamp(s, *unit, zone.as_ref());
            let array: ArrayRef = match unit {
                TimeUnit::Second => Arc::new(
                    parse_column::<TimestampSecondType>(text, t, parse)?.with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Millisecond => Arc::new(
                    parse_column::<TimestampMillisecondType>(text, t, parse)?.with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Microsecond => Arc::new(
                    parse_column::<TimestampMicrosecondType>(text, t, parse)?.with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Nanosecond => Arc::new(
                    parse_column::<TimestampNanosecondType>(text, t, parse)?.with_timezone_opt(tz.clone()),
                ),
            };
            Ok(array)
        }
        other => Err(format!("{other} is not a date or timestamp type")),
    }
}

/// Parse every non-null text with `parse`, keeping the nulls; `Err` names the first bad value.
fn parse_column<T: ArrowPrimitiveType>(
    text: &StringArray,
    t: &DataType,
    parse: impl Fn(&str) -> Option<T::Native>,
) -> std::result::Result<PrimitiveArray<T>, String> {
    let mut values = Vec::with_capacity(text.len());
    for i in 0..text.len() {
        if text.is_null(i) {
            values.push(T::Native::default());
            continue;
        }
        let s = text.value(i);
        match parse(s) {
            Some(v) => values.push(v),
            None => return Err(format!("value '{s}' does not fit type {t}")),
        }
    }
    Ok(PrimitiveArray::<T>::new(values.into(), text.nulls().cloned()))
}

/// Lines counted while decoding a split range, to detect records spanning lines.
#[derive(Default)]
struct LineCount {
    newlines: u64,
    last_byte: Option<u8>,
}

impl LineCount {
    fn add(&mut self, bytes: &[u8]) {
        self.newlines += count_newlines(bytes);
        if let Some(&b) = bytes.last() {
            self.last_byte = Some(b);
        }
    }
    /// Lines in the range (a last line without a newline counts).
    fn lines(&self) -> u64 {
        self.newlines + u64::from(matches!(self.last_byte, Some(b) if b != b'\n'))
    }
}

impl ScanSource for CsvScan {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn morsel_count(&self) -> usize {
        self.morsels.len()
    }

    fn read_morsel(
        &self,
        index: usize,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let Some(morsel) = self.morsels.get(index) else {
            return internal_err!("CSV morsel {index} out of range");
        };
        let Some(file) = self.files.get(morsel.file) else {
            return internal_err!("CSV file {} out of range", morsel.file);
        };
        let range = self.resolve(file, morsel)?;
        let mut reader: Box<dyn BufRead + Send> = match range.bytes {
            Some((start, end)) => {
                if start >= end {
                    return Ok(());
                }
                if self.plain_types() && end - start <= MAX_PLAIN_BYTES {
                    let bytes = file.read_range(start, end)?;
                    if let Some(text) =
                        plain_text(&bytes, self.options.delimiter, self.options.quote, self.options.escape)
                    {
                        return self.read_plain(text, file, morsel, &range, emit);
                    }
                    Box::new(std::io::Cursor::new(bytes))
                } else {
                    file.open_range(start, end)?
                }
            }
            None => file.open_stream()?,
        };
        let mut decoder = self.decoder(range.header);
        let mut lines = LineCount::default();
        let mut rows = 0usize;
        loop {
            loop {
                let buf = reader.fill_buf().map_err(|e| file.io_error(e))?;
                let decoded =
                    decoder.decode(buf).map_err(|e| self.locate(file, morsel, &range, e.to_string()))?;
                if morsel.split {
                    lines.add(&buf[..decoded]);
                }
                reader.consume(decoded);
                if decoded == 0 || decoder.capacity() == 0 {
                    break;
                }
            }
            let batch = decoder.flush().map_err(|e| self.locate(file, morsel, &range, e.to_string()))?;
            let Some(batch) = batch else { break };
            let mut batch = self.finish_batch(batch).map_err(|e| self.locate(file, morsel, &range, e))?;
            rows += batch.num_rows();
            if let Some(limit) = self.row_limit {
                if rows >= limit {
                    let keep = batch.num_rows() - (rows - limit);
                    batch = batch.slice(0, keep);
                    let _ = emit(batch)?;
                    return Ok(());
                }
            }
            if emit(batch)?.is_break() {
                return Ok(());
            }
        }
        // A split range whose records are fewer than its lines had a record spanning lines:
        // a line break in a quoted value or an unclosed quote (or just blank lines).
        let records = rows as u64 + u64::from(range.header);
        if morsel.split && records < lines.lines() {
            if let Some(e) = self.locate_context(file, true).locate(range.bytes, range.header)? {
                return Err(e);
            }
        }
        Ok(())
    }

    fn total_bytes(&self) -> Option<u64> {
        Some(self.morsels.iter().map(|m| m.end - m.start).sum())
    }

    fn morsel_bytes(&self, index: usize) -> Option<u64> {
        self.morsels.get(index).map(|m| m.end - m.start)
    }

    fn describe(&self) -> String {
        let mut text = format!(
            "csv: {} files, {} morsels, columns=[{}]",
            self.files.len(),
            self.morsels.len(),
            column_list(&self.schema)
        );
        if let Some(limit) = self.row_limit {
            text.push_str(&format!(", limit={limit}"));
        }
        text
    }
}
