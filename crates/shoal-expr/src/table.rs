//! The boundary between plans and data: [`TableSource`] (a table the planner can scan) and
//! [`ScanSource`] (one planned scan, split into morsels that workers read in parallel).

use std::any::Any;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::{Result, ScalarValue};

use crate::expr::Expr;

/// What is known about a table's size before reading it. Per-column statistics are asked for
/// one column at a time ([`TableSource::column_statistics`]), as some sources compute them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statistics {
    /// Rows in the table (exact when known from metadata, e.g. Parquet footers).
    pub num_rows: Option<usize>,
    /// Bytes of the table's data: file sizes for files, Arrow memory for in-memory batches.
    pub total_byte_size: Option<usize>,
}

/// What is known about one column before reading it; `None` where unknown.
#[derive(Debug, Clone, Default)]
pub struct ColumnStatistics {
    /// NULLs in the column.
    pub null_count: Option<usize>,
    /// The smallest and largest non-NULL values (exact bounds, never truncated ones).
    pub min: Option<ScalarValue>,
    /// The largest non-NULL value (an exact bound, like `min`).
    pub max: Option<ScalarValue>,
    /// The number of distinct non-NULL values: exact for in-memory tables, an estimate from
    /// metadata or a sample for files.
    pub distinct_count: Option<f64>,
}

/// A table the planner can scan: Parquet or CSV files, an in-memory table, a view's result.
pub trait TableSource: Send + Sync + fmt::Debug {
    /// The source as `Any`, so a physical planner can downcast to the concrete table type.
    fn as_any(&self) -> &dyn Any;
    /// The full schema of the table.
    fn schema(&self) -> SchemaRef;
    /// Table-level statistics; unknown by default.
    fn statistics(&self) -> Statistics {
        Statistics::default()
    }
    /// Statistics of column `column` (an index into [`TableSource::schema`]). Sources that
    /// compute them (sampling) do so on first request and cache the result, so the optimizer
    /// asks only about the columns it needs (join keys, filtered and grouped columns).
    fn column_statistics(&self, _column: usize) -> ColumnStatistics {
        ColumnStatistics::default()
    }
    /// A short description for EXPLAIN, e.g. `parquet: 12 files`.
    fn description(&self) -> String;
    /// Can the source use `filter` to skip data (row groups, files)? Such filters are passed to
    /// [`TableSource::scan`] but are only hints: the plan keeps its `Filter` above the scan.
    fn can_prune_with(&self, _filter: &Expr) -> bool {
        false
    }
    /// Plan a scan of the columns `projection` (all when `None`), skipping data that `filters`
    /// rule out, stopping after `limit` rows when the plan allows it.
    fn scan(
        &self,
        projection: Option<&[usize]>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>>;
}

/// One planned scan, split into morsels (Parquet row groups, CSV byte ranges, batches).
///
/// Workers call [`ScanSource::read_morsel`] concurrently for different morsels.
pub trait ScanSource: Send + Sync + fmt::Debug {
    /// The schema of the batches produced (the projected columns).
    fn schema(&self) -> SchemaRef;
    /// How many morsels there are; morsels are numbered `0..morsel_count()`.
    fn morsel_count(&self) -> usize;
    /// Read morsel `index`, handing each batch to `emit`; stop early when `emit` returns
    /// `Break` (a satisfied LIMIT, a cancelled query).
    fn read_morsel(
        &self,
        index: usize,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<()>;
    /// Bytes the scan will read in total, for progress reporting.
    fn total_bytes(&self) -> Option<u64> {
        None
    }
    /// Bytes of morsel `index`, for progress reporting.
    fn morsel_bytes(&self, _index: usize) -> Option<u64> {
        None
    }
    /// What the scan will do, for EXPLAIN (files, row groups kept/pruned, projection).
    fn describe(&self) -> String;
    /// Read morsel `index` keeping only the rows `filter` accepts, and only the columns
    /// [`ScanFilter::output_columns`] (in that order), so a source can decode the predicate's
    /// columns first and the others only for surviving rows. Returns `Ok(false)`, having read
    /// nothing, when the source cannot filter while reading (the caller then filters).
    fn read_morsel_filtered(
        &self,
        _index: usize,
        _filter: &Arc<dyn ScanFilter>,
        _emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<bool> {
        Ok(false)
    }
}

/// A predicate a scan evaluates while it reads (see [`ScanSource::read_morsel_filtered`]).
/// Column numbers are positions in the [`ScanSource::schema`].
pub trait ScanFilter: Send + Sync + fmt::Debug {
    /// The columns the predicate reads, ascending.
    fn predicate_columns(&self) -> &[usize];
    /// The columns wanted in the filtered output, ascending (they may overlap the predicate's).
    fn output_columns(&self) -> &[usize];
    /// Evaluate the predicate on `columns` (the [`ScanFilter::predicate_columns`], in order) of
    /// `rows` rows: true keeps a row, false and NULL drop it.
    fn evaluate(&self, columns: &[ArrayRef], rows: usize) -> Result<BooleanArray>;
    /// Does what the filter has kept so far suggest that decoding the other columns only for
    /// the rows it keeps pays (few rows kept, in long runs, so whole runs are skipped)? A
    /// source that filters while reading does so only then.
    fn prefers_late_materialization(&self) -> bool;
    /// Utf8 predicate columns outside the output (ascending) that [`ScanFilter::evaluate`]
    /// also accepts as Utf8View, so a source may decode them as views (no string copies).
    fn string_view_columns(&self) -> &[usize] {
        &[]
    }
}
