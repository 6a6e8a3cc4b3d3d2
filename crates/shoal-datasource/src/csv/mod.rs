//! [`CsvTable`]: one or more CSV files (plain or gzip) with one header; the schema is given or
//! inferred from a sample.
//!
//! Morsels: an uncompressed file larger than `morsel_bytes` is split into byte ranges that
//! start at line starts, so one file is read by many workers. A file that may hold line breaks
//! inside quoted values (seen in the sample, or declared with `newlines_in_values`) cannot be
//! split at newlines and is read as one morsel, as is every gzip file. If a split file turns out
//! to have such a value beyond the sample, the scan fails with an error saying so.

mod infer;
mod io;
mod locate;
mod plain;
mod scan;
mod statistics;
mod temporal;

use std::any::Any;
use std::collections::HashSet;
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};
use rayon::prelude::*;
use shoal_common::{plan_err, Result, ShoalError};
use shoal_expr::{ColumnStatistics, Expr, ScanSource, Statistics, TableSource};

use crate::{display_path, list_files, listing::has_extension, project_schema};
use infer::TypeVotes;
use io::{record_reader, CsvFile};
use locate::data_error;
use scan::{CsvMorsel, CsvScan};
use statistics::{CsvStatistics, SampleStatistics};

/// How CSV files are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvCompression {
    /// Gzip when the file name ends with `.gz`, else uncompressed.
    #[default]
    Auto,
    /// Plain text, whatever the file name; large files are split into byte-range morsels.
    Uncompressed,
    /// Gzip, whatever the file name; each file is read as one morsel.
    Gzip,
}

/// How CSV files are read.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// The first line holds the column names.
    pub has_header: bool,
    /// The byte separating values (default `,`).
    pub delimiter: u8,
    /// The byte quoting a value that contains delimiters or quotes (default `"`); a quote
    /// inside a quoted value is written twice.
    pub quote: u8,
    /// A character that escapes a quote inside a quoted value (besides doubling it).
    pub escape: Option<u8>,
    /// The schema to read with; inferred from a sample when `None`.
    pub schema: Option<SchemaRef>,
    /// Data rows sampled to infer the schema.
    pub infer_max_rows: usize,
    /// Target size of one byte-range morsel of an uncompressed file.
    pub morsel_bytes: usize,
    /// How the files are compressed (default: by file name).
    pub compression: CsvCompression,
    /// Quoted values may contain line breaks: read every file as one morsel.
    pub newlines_in_values: bool,
    /// Rows per batch.
    pub batch_size: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            has_header: true,
            delimiter: b',',
            quote: b'"',
            escape: None,
            schema: None,
            infer_max_rows: 10_000,
            morsel_bytes: 16 * 1024 * 1024,
            compression: CsvCompression::Auto,
            newlines_in_values: false,
            batch_size: 8192,
        }
    }
}

/// A table over CSV files (a file, a directory or a glob) that share one header.
#[derive(Debug)]
pub struct CsvTable {
    path: String,
    schema: SchemaRef,
    files: Arc<Vec<CsvFile>>,
    options: CsvOptions,
    /// Was the schema inferred?
    inferred: bool,
    /// May quoted values hold line breaks (so files are not split)?
    multiline: bool,
    /// Row and distinct-count estimates from the inference sample.
    statistics: CsvStatistics,
}

impl CsvTable {
    /// Open `path_or_glob`, check that all files share the header and infer the schema (unless
    /// `options.schema` is given).
    pub fn try_new(path_or_glob: &str, options: CsvOptions) -> Result<Self> {
        let paths = list_files(path_or_glob, &["csv", "csv.gz", "tsv", "tsv.gz"])?;
        let files: Vec<CsvFile> = paths
            .into_iter()
            .map(|p| {
                let gzip = match options.compression {
                    CsvCompression::Auto => has_extension(&p, &["gz"]),
                    CsvCompression::Uncompressed => false,
                    CsvCompression::Gzip => true,
                };
                CsvFile::open_meta(p, gzip)
            })
            .collect::<Result<_>>()?;
        let first_records: Vec<Option<Vec<String>>> =
            files.par_iter().map(|f| first_record(f, &options)).collect::<Result<_>>()?;
        let header = check_headers(&files, &first_records, &options)?;
        let names = column_names(header.as_deref().unwrap_or_default(), options.has_header);
        let sample = sample_files(&files, &options, names.len())?;
        let (schema, inferred) = match &options.schema {
            Some(schema) => {
                if header.is_some() && schema.fields().len() != names.len() {
                    return plan_err!(
                        "the schema given for '{path_or_glob}' has {} columns but the file '{}' has {}",
                        schema.fields().len(),
                        files.first().map(CsvFile::name).unwrap_or_default(),
                        names.len()
                    );
                }
                (Arc::clone(schema), false)
            }
            None => {
                let fields: Vec<Field> = names
                    .iter()
                    .zip(&sample.votes)
                    .map(|(n, v)| Field::new(n, v.data_type(), true))
                    .collect();
                (Arc::new(Schema::new(fields)), true)
            }
        };
        let multiline = options.newlines_in_values || sample.newlines_in_values;
        Ok(Self {
            path: path_or_glob.to_string(),
            schema,
            files: Arc::new(files),
            options,
            inferred,
            multiline,
            statistics: sample.statistics,
        })
    }

    /// The files of the table, in reading order.
    pub fn files(&self) -> Vec<std::path::PathBuf> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }

    /// The options the table reads with.
    pub fn options(&self) -> &CsvOptions {
        &self.options
    }

    /// The morsels of a scan: byte ranges of uncompressed files, whole gzip files.
    fn plan_morsels(&self) -> Vec<CsvMorsel> {
        let step = self.options.morsel_bytes.max(1) as u64;
        let mut morsels = vec![];
        for (f, file) in self.files.iter().enumerate() {
            let whole = file.gzip || self.multiline || file.size <= step;
            if whole {
                if file.size > file.data_start {
                    morsels.push(CsvMorsel { file: f, start: file.data_start, end: file.size, split: false });
                }
                continue;
            }
            let mut start = 0;
            while start < file.size {
                let end = (start + step).min(file.size);
                morsels.push(CsvMorsel { file: f, start: start.max(file.data_start), end, split: true });
                start = end;
            }
        }
        morsels
    }
}

impl TableSource for CsvTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn statistics(&self) -> Statistics {
        Statistics {
            num_rows: self.statistics.num_rows,
            total_byte_size: usize::try_from(self.files.iter().map(|f| f.size).sum::<u64>()).ok(),
        }
    }
    fn column_statistics(&self, column: usize) -> ColumnStatistics {
        self.statistics.columns.get(column).cloned().unwrap_or_default()
    }
    fn description(&self) -> String {
        match self.files.len() {
            1 => format!("csv: {}", self.path),
            n => format!("csv: {} ({n} files)", self.path),
        }
    }
    fn scan(
        &self,
        projection: Option<&[usize]>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>> {
        let schema = project_schema(&self.schema, projection)?;
        let columns = match projection {
            Some(p) => p.to_vec(),
            None => (0..self.schema.fields().len()).collect(),
        };
        Ok(Arc::new(CsvScan {
            files: Arc::clone(&self.files),
            table_schema: Arc::clone(&self.schema),
            schema,
            columns,
            options: self.options.clone(),
            inferred: self.inferred,
            morsels: self.plan_morsels(),
            row_limit: limit.filter(|_| filters.is_empty()),
        }))
    }
}

/// The first record of a file (its header when it has one), or `None` for an empty file.
fn first_record(file: &CsvFile, options: &CsvOptions) -> Result<Option<Vec<String>>> {
    let mut csv = record_reader(options, file.open_stream()?);
    let mut record = ::csv::ByteRecord::new();
    let more = csv
        .read_byte_record(&mut record)
        .map_err(|e| data_error(file, Some(1), None, format!("cannot read CSV: {e}")))?;
    if !more {
        return Ok(None);
    }
    let fields = record
        .iter()
        .map(|f| {
            std::str::from_utf8(f)
                .map(str::to_string)
                .map_err(|_| data_error(file, Some(1), None, "invalid UTF-8 in the header".into()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(fields))
}

/// The header (or first record) shared by every file; files must agree.
fn check_headers(
    files: &[CsvFile],
    first_records: &[Option<Vec<String>>],
    options: &CsvOptions,
) -> Result<Option<Vec<String>>> {
    let mut reference: Option<(&CsvFile, &Vec<String>)> = None;
    for (file, record) in files.iter().zip(first_records) {
        let Some(record) = record else { continue };
        let Some((first_file, first)) = reference else {
            reference = Some((file, record));
            continue;
        };
        let mismatch = if options.has_header { record != first } else { record.len() != first.len() };
        if mismatch {
            let what = if options.has_header {
                format!("header [{}] differs from [{}]", record.join(", "), first.join(", "))
            } else {
                format!("{} columns differ from {}", record.len(), first.len())
            };
            return Err(ShoalError::Plan {
                message: format!(
                    "'{}' does not match '{}': its {what}",
                    display_path(&file.path),
                    display_path(&first_file.path)
                ),
                span: None,
            });
        }
    }
    Ok(reference.map(|(_, r)| r.clone()))
}

/// Column names from the header (blank names become `column_N`, duplicates get `_2`, `_3`,
/// ...), or `column_1..` without a header.
fn column_names(header: &[String], has_header: bool) -> Vec<String> {
    let mut seen = HashSet::new();
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let base =
                if has_header && !h.trim().is_empty() { h.clone() } else { format!("column_{}", i + 1) };
            let mut name = base.clone();
            let mut k = 2;
            while !seen.insert(name.to_lowercase()) {
                name = format!("{base}_{k}");
                k += 1;
            }
            name
        })
        .collect()
}

/// What the sample taught.
struct Sample {
    votes: Vec<TypeVotes>,
    /// A quoted value in the sample holds a line break.
    newlines_in_values: bool,
    /// Row and distinct-count estimates.
    statistics: CsvStatistics,
}

/// Read up to `options.infer_max_rows` data records from the files in order.
fn sample_files(files: &[CsvFile], options: &CsvOptions, ncols: usize) -> Result<Sample> {
    let mut sample = Sample {
        votes: vec![TypeVotes::default(); ncols],
        newlines_in_values: false,
        statistics: CsvStatistics::default(),
    };
    let mut stats = SampleStatistics::new(ncols);
    let mut rows = 0usize;
    let mut files_read = 0;
    for file in files {
        if rows >= options.infer_max_rows {
            break;
        }
        files_read += 1;
        let mut at_end = false;
        let mut csv = record_reader(options, file.open_stream()?);
        let mut record = ::csv::ByteRecord::new();
        let mut first = true;
        while rows < options.infer_max_rows {
            let more = csv
                .read_byte_record(&mut record)
                .map_err(|e| data_error(file, None, None, format!("cannot read CSV: {e}")))?;
            if !more {
                at_end = true;
                break;
            }
            if std::mem::take(&mut first) && options.has_header {
                continue;
            }
            // Computed only on error: it reads the file again.
            let line = || record.position().map(|p| locate::record_start_line(file, None, p));
            if record.len() != ncols {
                return Err(data_error(
                    file,
                    line(),
                    None,
                    format!("expected {ncols} fields but found {}", record.len()),
                ));
            }
            for (field, votes) in record.iter().zip(sample.votes.iter_mut()) {
                if field.contains(&b'\n') {
                    sample.newlines_in_values = true;
                }
                if field.is_empty() {
                    continue;
                }
                let text = std::str::from_utf8(field)
                    .map_err(|_| data_error(file, line(), None, "invalid UTF-8".into()))?;
                votes.add(text);
            }
            stats.add_record(&record);
            rows += 1;
        }
        stats.finish_file(csv.position().byte(), at_end);
    }
    sample.statistics = stats.finish(files, files_read == files.len());
    Ok(sample)
}
