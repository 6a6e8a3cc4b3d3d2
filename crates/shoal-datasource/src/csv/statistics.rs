//! Statistics of a CSV table from its inference sample: the row count estimated as the data
//! bytes over the sampled bytes per row (exact when the sample read every file to its end;
//! gzip files are guessed to hold four times their size), and each column's distinct count
//! estimated from the sampled texts ([`crate::statistics::estimate_distinct`]).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StringBuilder};
use shoal_expr::ColumnStatistics;

use super::io::CsvFile;
use crate::statistics::estimate_distinct;

/// A guess of how much a gzip CSV file shrank.
const GZIP_RATIO: f64 = 4.0;

/// The sampled values of every column, and how many bytes the sampled rows took.
pub(super) struct SampleStatistics {
    columns: Vec<StringBuilder>,
    rows: usize,
    bytes: u64,
    /// Every file was read to its end: the sample is the whole table.
    complete: bool,
}

impl SampleStatistics {
    pub(super) fn new(ncols: usize) -> Self {
        Self {
            columns: (0..ncols).map(|_| StringBuilder::new()).collect(),
            rows: 0,
            bytes: 0,
            complete: true,
        }
    }

    /// Account for one data record (empty fields are NULL).
    pub(super) fn add_record(&mut self, record: &::csv::ByteRecord) {
        for (field, column) in record.iter().zip(self.columns.iter_mut()) {
            match std::str::from_utf8(field) {
                Ok(text) if !field.is_empty() => column.append_value(text),
                _ => column.append_null(),
            }
        }
        self.rows += 1;
    }

    /// A file's sampling ended after `bytes` bytes of its (decompressed) text; `at_end` when
    /// it was read to the end.
    pub(super) fn finish_file(&mut self, bytes: u64, at_end: bool) {
        self.bytes += bytes;
        self.complete &= at_end;
    }

    /// The statistics of the table over `files`, read unless `complete` (sampling stopped
    /// before some file was read to its end or was opened at all).
    pub(super) fn finish(mut self, files: &[CsvFile], complete: bool) -> CsvStatistics {
        let complete = self.complete && complete;
        let num_rows = if complete {
            Some(self.rows as f64)
        } else if self.rows > 0 && self.bytes > 0 {
            let per_row = self.bytes as f64 / self.rows as f64;
            let data: f64 = files.iter().map(|f| f.size as f64 * if f.gzip { GZIP_RATIO } else { 1.0 }).sum();
            Some((data / per_row).max(self.rows as f64))
        } else {
            None
        };
        let columns = self
            .columns
            .iter_mut()
            .map(|b| {
                let values: ArrayRef = Arc::new(b.finish());
                let null_fraction =
                    if values.is_empty() { 0.0 } else { values.null_count() as f64 / values.len() as f64 };
                ColumnStatistics {
                    null_count: num_rows.map(|n| (n * null_fraction).round() as usize),
                    distinct_count: num_rows.and_then(|n| estimate_distinct(&[values], n)),
                    ..ColumnStatistics::default()
                }
            })
            .collect();
        CsvStatistics { num_rows: num_rows.map(|n| n.round() as usize), columns }
    }
}

/// What the sample tells about the table's size and columns.
#[derive(Debug, Clone, Default)]
pub(super) struct CsvStatistics {
    pub(super) num_rows: Option<usize>,
    pub(super) columns: Vec<ColumnStatistics>,
}
