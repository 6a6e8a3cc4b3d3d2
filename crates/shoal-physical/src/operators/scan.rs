//! [`ScanExec`]: reads a table through the [`ScanSource`] its `TableSource` planned.

use std::any::Any;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use shoal_common::Result;
use shoal_expr::ScanSource;

use crate::metrics::OperatorMetrics;
use crate::plan::{EmitBatch, ExecutionPlan, MorselSource, OperatorRole};

/// Reads the morsels of a planned scan (row groups, CSV byte ranges, in-memory batches).
#[derive(Debug)]
pub struct ScanExec {
    table_name: String,
    source: Arc<dyn ScanSource>,
    metrics: OperatorMetrics,
}

impl ScanExec {
    pub fn new(table_name: impl Into<String>, source: Arc<dyn ScanSource>) -> Self {
        Self { table_name: table_name.into(), source, metrics: OperatorMetrics::default() }
    }
    pub fn source(&self) -> &Arc<dyn ScanSource> {
        &self.source
    }
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
        format!("ScanExec: {} {}", self.table_name, self.source.describe())
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
        self.source.read_morsel(index, emit)
    }
    fn morsel_bytes(&self, index: usize) -> Option<u64> {
        self.source.morsel_bytes(index)
    }
}
