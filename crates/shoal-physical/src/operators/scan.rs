//! [`ScanExec`]: reads a table through the [`ScanSource`] its `TableSource` planned, optionally
//! keeping only the rows a predicate accepts (see [`ScanPredicate`]).

use std::any::Any;
use std::sync::Arc;

use std::ops::ControlFlow;

use arrow::datatypes::SchemaRef;
use shoal_common::Result;
use shoal_expr::{ScanFilter, ScanSource};

use super::scan_filter::ScanPredicate;
use crate::metrics::OperatorMetrics;
use crate::plan::{EmitBatch, ExecutionPlan, MorselSource, OperatorRole};

/// Reads the morsels of a planned scan (row groups, CSV byte ranges, in-memory batches).
#[derive(Debug)]
pub struct ScanExec {
    table_name: String,
    source: Arc<dyn ScanSource>,
    /// Rows failing it are dropped inside the scan.
    filter: Option<Arc<ScanPredicate>>,
    metrics: OperatorMetrics,
}

impl ScanExec {
    /// A scan of every row of `source` (named `table_name` in EXPLAIN).
    pub fn new(table_name: impl Into<String>, source: Arc<dyn ScanSource>) -> Self {
        Self { table_name: table_name.into(), source, filter: None, metrics: OperatorMetrics::default() }
    }
    /// A scan that keeps only the rows `filter` accepts; the source evaluates it while reading
    /// when it can (Parquet decodes the other columns only for surviving rows).
    pub fn with_filter(mut self, filter: ScanPredicate) -> Self {
        self.filter = Some(Arc::new(filter));
        self
    }
    /// The predicate evaluated inside the scan, if any.
    pub fn filter(&self) -> Option<&ScanPredicate> {
        self.filter.as_deref()
    }
    /// The planned scan of the table, split into morsels.
    pub fn source(&self) -> &Arc<dyn ScanSource> {
        &self.source
    }
    /// The table's name.
    pub fn table_name(&self) -> &str {
        &self.table_name
    }
}

impl ExecutionPlan for ScanExec {
    fn name(&self) -> &'static str {
        "ScanExec"
    }
    fn schema(&self) -> SchemaRef {
        self.source.schema()
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }
    fn describe(&self) -> String {
        let mut text = format!("ScanExec: {} {}", self.table_name, self.source.describe());
        if let Some(filter) = &self.filter {
            text.push_str(&format!(", predicate={}", filter.predicate()));
            let schema = self.source.schema();
            let only: Vec<&str> =
                filter.placeholder_columns().iter().map(|&i| schema.field(i).name().as_str()).collect();
            if !only.is_empty() {
                text.push_str(&format!(", predicate_only=[{}]", only.join(", ")));
            }
            let (decoded, _) = filter.counts();
            if decoded > 0 {
                text.push_str(&format!(", rows_decoded={decoded}"));
            }
        }
        text
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Source(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl MorselSource for ScanExec {
    fn morsel_count(&self) -> usize {
        self.source.morsel_count()
    }
    fn read_morsel(&self, index: usize, emit: &mut EmitBatch<'_>) -> Result<()> {
        let Some(filter) = &self.filter else {
            return self.source.read_morsel(index, emit);
        };
        let as_scan_filter: Arc<dyn ScanFilter> = Arc::clone(filter) as _;
        let filtered_by_source = self
            .source
            .read_morsel_filtered(index, &as_scan_filter, &mut |batch| emit(filter.pad(batch)?))?;
        if filtered_by_source {
            return Ok(());
        }
        self.source.read_morsel(index, &mut |batch| {
            let out = filter.apply(&batch)?;
            if out.num_rows() == 0 {
                return Ok(ControlFlow::Continue(()));
            }
            emit(out)
        })
    }
    fn morsel_bytes(&self, index: usize) -> Option<u64> {
        self.source.morsel_bytes(index)
    }
}
