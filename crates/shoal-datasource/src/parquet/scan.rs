//! [`ParquetScan`]: a planned Parquet scan; each morsel is one row group of one file. A scan
//! filter is evaluated on its own columns first when it is selective (late materialization);
//! Utf8 columns only the filter reads are decoded as Utf8View when the filter accepts that.

use std::fs::File;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use arrow::array::{ArrayRef, BooleanArray};
use arrow::compute::FilterBuilder;
use arrow::datatypes::{DataType, FieldRef, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use parquet::arrow::arrow_reader::{
    ArrowPredicate, ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowFilter,
};
use parquet::arrow::ProjectionMask;
use shoal_common::{internal_err, Result, ShoalError};
use shoal_expr::{ScanFilter, ScanSource};

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

impl ParquetScan {
    /// The table columns of the output positions `positions`.
    fn table_columns(&self, positions: &[usize]) -> Result<Vec<usize>> {
        positions
            .iter()
            .map(|&p| match self.output_order.get(p).and_then(|&r| self.read_columns.get(r)) {
                Some(&c) => Ok(c),
                None => internal_err!("scan filter column {p} out of range"),
            })
            .collect()
    }
}

/// For columns listed in `table_columns`, their positions in a batch that holds them in table
/// order (how the Parquet reader returns them).
fn sorted_positions(table_columns: &[usize]) -> Vec<usize> {
    let mut sorted = table_columns.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    table_columns.iter().map(|c| sorted.binary_search(c).unwrap_or_default()).collect()
}

/// The scan's filter as a Parquet row filter: evaluated on the predicate columns before the
/// other columns are decoded, which are then decoded only for the rows it keeps.
struct LatePredicate {
    filter: Arc<dyn ScanFilter>,
    mask: ProjectionMask,
    /// For each predicate column, its position in the batches the reader hands over.
    order: Vec<usize>,
    /// The error the predicate raised, returned instead of the reader's wrapped one.
    failure: Arc<Mutex<Option<ShoalError>>>,
}

impl ArrowPredicate for LatePredicate {
    fn projection(&self) -> &ProjectionMask {
        &self.mask
    }

    fn evaluate(&mut self, batch: RecordBatch) -> std::result::Result<BooleanArray, ArrowError> {
        let columns = self.order.iter().map(|&p| batch.columns().get(p).cloned()).collect::<Option<Vec<_>>>();
        let Some(columns) = columns else {
            return Err(ArrowError::InvalidArgumentError("predicate columns missing".into()));
        };
        self.filter.evaluate(&columns, batch.num_rows()).map_err(|e| {
            let message = e.to_string();
            if let Ok(mut slot) = self.failure.lock() {
                slot.get_or_insert(e);
            }
            ArrowError::ComputeError(message)
        })
    }
}

/// The table columns a filtered read evaluates the predicate on and returns.
#[derive(Clone, Copy)]
struct FilteredColumns<'a> {
    predicate: &'a [usize],
    output: &'a [usize],
}

impl ParquetScan {
    /// Decode the predicate and output columns of all rows of a morsel (some predicate-only
    /// strings as views, per `metadata`), evaluate the filter and emit the output columns of
    /// the rows it keeps.
    fn read_filtered_eagerly(
        &self,
        file: &ParquetFile,
        morsel: &ParquetMorsel,
        metadata: ArrowReaderMetadata,
        columns: FilteredColumns<'_>,
        filter: &Arc<dyn ScanFilter>,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let out_schema = Arc::new(self.schema.project(filter.output_columns())?);
        let mut read: Vec<usize> = columns.predicate.iter().chain(columns.output).copied().collect();
        read.sort_unstable();
        read.dedup();
        let positions =
            |wanted: &[usize]| wanted.iter().map(|c| read.binary_search(c).ok()).collect::<Option<Vec<_>>>();
        let (Some(predicate_order), Some(output_order)) =
            (positions(columns.predicate), positions(columns.output))
        else {
            return internal_err!("filtered scan columns out of range");
        };
        let handle = File::open(&file.path).map_err(|e| ShoalError::Io { path: file.name(), source: e })?;
        let mask = ProjectionMask::roots(metadata.parquet_schema(), read.iter().copied());
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(handle, metadata)
            .with_row_groups(vec![morsel.row_group])
            .with_projection(mask)
            .with_batch_size(self.batch_size)
            .build()
            .map_err(|e| {
                data_error(&file.path, format!("cannot read row group {}: {e}", morsel.row_group))
            })?;
        let pick = |batch: &RecordBatch, order: &[usize]| {
            order.iter().map(|&p| batch.columns().get(p).cloned()).collect::<Option<Vec<ArrayRef>>>()
        };
        for batch in reader {
            let batch = batch.map_err(|e| {
                data_error(&file.path, format!("cannot decode row group {}: {e}", morsel.row_group))
            })?;
            let (Some(predicate_columns), Some(mut output)) =
                (pick(&batch, &predicate_order), pick(&batch, &output_order))
            else {
                return internal_err!("Parquet reader returned too few columns");
            };
            let selection = filter.evaluate(&predicate_columns, batch.num_rows())?;
            let kept = selection.true_count();
            if kept == 0 {
                continue;
            }
            if kept < batch.num_rows() {
                let selection = FilterBuilder::new(&selection).optimize().build();
                output = output.iter().map(|c| selection.filter(c)).collect::<std::result::Result<_, _>>()?;
            }
            let out = RecordBatch::try_new_with_options(
                Arc::clone(&out_schema),
                output,
                &RecordBatchOptions::new().with_row_count(Some(kept)),
            )
            .map_err(|e| data_error(&file.path, format!("unexpected column data: {e}")))?;
            if emit(out)?.is_break() {
                break;
            }
        }
        Ok(())
    }
}

/// The file's reader metadata with its table columns `views` (Utf8 ones) decoded as Utf8View.
fn view_metadata(file: &ParquetFile, views: &[usize]) -> Result<ArrowReaderMetadata> {
    let schema = file.metadata.schema();
    let fields: Vec<FieldRef> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| match views.contains(&i) && f.data_type() == &DataType::Utf8 {
            true => Arc::new(f.as_ref().clone().with_data_type(DataType::Utf8View)),
            false => Arc::clone(f),
        })
        .collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let options = ArrowReaderOptions::new().with_schema(schema);
    ArrowReaderMetadata::try_new(Arc::clone(file.metadata.metadata()), options)
        .map_err(|e| data_error(&file.path, format!("cannot read strings as views: {e}")))
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

    fn read_morsel_filtered(
        &self,
        index: usize,
        filter: &Arc<dyn ScanFilter>,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<bool> {
        if self.row_limit.is_some() || filter.output_columns().is_empty() {
            return Ok(false);
        }
        let late = filter.prefers_late_materialization();
        let view_columns = self.table_columns(filter.string_view_columns())?;
        if !late && view_columns.is_empty() {
            return Ok(false);
        }
        let Some(morsel) = self.morsels.get(index) else {
            return internal_err!("Parquet morsel {index} out of range");
        };
        let Some(file) = self.files.get(morsel.file) else {
            return internal_err!("Parquet file {} out of range", morsel.file);
        };
        let metadata = match view_columns.is_empty() {
            true => file.metadata.clone(),
            false => view_metadata(file, &view_columns)?,
        };
        let predicate_columns = self.table_columns(filter.predicate_columns())?;
        let output_columns = self.table_columns(filter.output_columns())?;
        if !late {
            let columns = FilteredColumns { predicate: &predicate_columns, output: &output_columns };
            self.read_filtered_eagerly(file, morsel, metadata, columns, filter, emit)?;
            return Ok(true);
        }
        let out_schema = Arc::new(self.schema.project(filter.output_columns())?);
        let schema = metadata.parquet_schema();
        let failure: Arc<Mutex<Option<ShoalError>>> = Arc::default();
        let predicate = LatePredicate {
            filter: Arc::clone(filter),
            mask: ProjectionMask::roots(schema, predicate_columns.iter().copied()),
            order: sorted_positions(&predicate_columns),
            failure: Arc::clone(&failure),
        };
        let handle = File::open(&file.path).map_err(|e| ShoalError::Io { path: file.name(), source: e })?;
        let output_mask = ProjectionMask::roots(schema, output_columns.iter().copied());
        let built = ParquetRecordBatchReaderBuilder::new_with_metadata(handle, metadata)
            .with_row_groups(vec![morsel.row_group])
            .with_projection(output_mask)
            .with_row_filter(RowFilter::new(vec![Box::new(predicate)]))
            .with_batch_size(self.batch_size)
            .build();
        let take_failure = || failure.lock().ok().and_then(|mut f| f.take());
        let reader = match built {
            Ok(reader) => reader,
            Err(e) => {
                return Err(take_failure().unwrap_or_else(|| {
                    data_error(&file.path, format!("cannot read row group {}: {e}", morsel.row_group))
                }))
            }
        };
        let order = sorted_positions(&output_columns);
        for batch in reader {
            let batch = batch.map_err(|e| {
                take_failure().unwrap_or_else(|| {
                    data_error(&file.path, format!("cannot decode row group {}: {e}", morsel.row_group))
                })
            })?;
            let columns = order.iter().map(|&p| batch.columns().get(p).cloned()).collect::<Option<Vec<_>>>();
            let Some(columns) = columns else {
                return internal_err!("Parquet reader returned too few columns");
            };
            let out = RecordBatch::try_new_with_options(
                Arc::clone(&out_schema),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
            )
            .map_err(|e| data_error(&file.path, format!("unexpected column data: {e}")))?;
            if emit(out)?.is_break() {
                break;
            }
        }
        Ok(true)
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
