//! [`ParquetScan`]: a planned Parquet scan; each morsel is one row group of one file.

use std::fs::File;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use shoal_common::{internal_err, Result, ShoalError};
use shoal_expr::ScanSource;

use super::{data_error, ParquetFile};
use crate::column_list;

/// One row group of one file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParquetMorsel {
    pub(crate) file: usize,
    pub(crate) row_group: usize,
    pub(crate) rows: usize,
    pub(crate) bytes: u64,
}

/// A planned scan over the row groups that survived pruning.
#[derive(Debug)]
pub(crate) struct ParquetScan {
    pub(crate) files: Arc<Vec<ParquetFile>>,
    /// The output schema (the projected columns, in projection order).
    pub(crate) schema: SchemaRef,
    /// Table columns to decode, sorted and unique (the reader returns them in file order).
    pub(crate) read_columns: Vec<usize>,
    /// For each output column, its position in `read_columns`.
    pub(crate) output_order: Vec<usize>,
    pub(crate) morsels: Vec<ParquetMorsel>,
    /// At most this many rows are needed from any one morsel.
    pub(crate) row_limit: Option<usize>,
    pub(crate) batch_size: usize,
    pub(crate) total_row_groups: usize,
    pub(crate) pruned_row_groups: usize,
}

impl ParquetScan {
    /// Emit row counts only: nothing is decoded when no column is needed.
    fn emit_row_counts(
        &self,
        rows: usize,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let mut left = rows;
        while left > 0 {
            let n = left.min(self.batch_size);
            let batch = RecordBatch::try_new_with_options(
                Arc::clone(&self.schema),
                vec![],
                &RecordBatchOptions::new().with_row_count(Some(n)),
            )?;
            if emit(batch)?.is_break() {
                return Ok(());
            }
            left -= n;
        }
        Ok(())
    }
}

impl ScanSource for ParquetScan {
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
            return internal_err!("Parquet morsel {index} out of range");
        };
        let Some(file) = self.files.get(morsel.file) else {
            return internal_err!("Parquet file {} out of range", morsel.file);
        };
        let rows = self.row_limit.map_or(morsel.rows, |l| l.min(morsel.rows));
        if self.read_columns.is_empty() {
            return self.emit_row_counts(rows, emit);
        }
        let handle = File::open(&file.path).map_err(|e| ShoalError::Io { path: file.name(), source: e })?;
        let mask = ProjectionMask::roots(file.metadata.parquet_schema(), self.read_columns.iter().copied());
        let mut builder = ParquetRecordBatchReaderBuilder::new_with_metadata(handle, file.metadata.clone())
            .with_row_groups(vec![morsel.row_group])
            .with_projection(mask)
            .with_batch_size(self.batch_size);
        if let Some(limit) = self.row_limit {
            builder = builder.with_limit(limit);
        }
        let reader = builder.build().map_err(|e| {
            data_error(&file.path, format!("cannot read row group {}: {e}", morsel.row_group))
        })?;
        for batch in reader {
            let batch = batch.map_err(|e| {
                data_error(&file.path, format!("cannot decode row group {}: {e}", morsel.row_group))
            })?;
            let mut columns = Vec::with_capacity(self.output_order.len());
            for &p in &self.output_order {
                match batch.columns().get(p) {
                    Some(c) => columns.push(Arc::clone(c)),
                    None => return internal_err!("Parquet reader returned too few columns"),
                }
            }
            let out = RecordBatch::try_new_with_options(
                Arc::clone(&self.schema),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
            )
            .map_err(|e| data_error(&file.path, format!("unexpected column data: {e}")))?;
            if emit(out)?.is_break() {
                return Ok(());
            }
        }
        Ok(())
    }

    fn total_bytes(&self) -> Option<u64> {
        Some(self.morsels.iter().map(|m| m.bytes).sum())
    }

    fn morsel_bytes(&self, index: usize) -> Option<u64> {
        self.morsels.get(index).map(|m| m.bytes)
    }

    fn describe(&self) -> String {
        let mut text = format!(
            "parquet: {} files, {}/{} row groups ({} pruned), columns=[{}]",
            self.files.len(),
            self.morsels.len(),
            self.total_row_groups,
            self.pruned_row_groups,
            column_list(&self.schema)
        );
        if let Some(limit) = self.row_limit {
            text.push_str(&format!(", limit={limit}"));
        }
        text
    }
}
