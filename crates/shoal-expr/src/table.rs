//! The boundary between plans and data: [`TableSource`] (a table the planner can scan) and
//! [`ScanSource`] (one planned scan, split into morsels that workers read in parallel).

use std::any::Any;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::{Result, ScalarValue};

use crate::expr::Expr;

/// What is known about a table's size before reading it. Per-column statistics are asked for
/// one column at a time ([`TableSource::column_statistics`]), as some sources compute them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statistics {
    pub num_rows: Option<usize>,
    pub total_byte_size: Option<usize>,
}

/// What is known about one column before reading it; `None` where unknown.
#[derive(Debug, Clone, Default)]
pub struct ColumnStatistics {
    /// NULLs in the column.
    pub null_count: Option<usize>,
    /// The smallest and largest non-NULL values (exact bounds, never truncated ones).
    pub min: Option<ScalarValue>,
    pub max: Option<ScalarValue>,
    /// The number of distinct non-NULL values: exact for in-memory tables, an estimate from
    /// metadata or a sample for files.
    pub distinct_count: Option<f64>,
}

/// A table the planner can scan: Parquet or CSV files, an in-memory table, a view's result.
pub trait TableSource: Send + Sync + fmt::Debug {
    fn as_any(&self) -> &dyn Any;
    /// The full schema of the table.
    fn schema(&self) -> SchemaRef;
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
}
