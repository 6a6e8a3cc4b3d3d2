//! [`FilterExec`]: keeps the rows for which the predicate is true (not false, not NULL).

use std::any::Any;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_physical_expr::{evaluate_filter, PhysicalExprRef};

use crate::metrics::OperatorMetrics;
use crate::plan::{ExecutionPlan, OperatorRole, StreamingOperator};

/// A streaming filter.
#[derive(Debug)]
pub struct FilterExec {
    predicate: PhysicalExprRef,
    input: Arc<dyn ExecutionPlan>,
    metrics: OperatorMetrics,
}

impl FilterExec {
    /// Keep the rows of `input` where `predicate` is true (not false, not NULL).
    pub fn new(predicate: PhysicalExprRef, input: Arc<dyn ExecutionPlan>) -> Self {
        Self { predicate, input, metrics: OperatorMetrics::default() }
    }
    /// The boolean predicate.
    pub fn predicate(&self) -> &PhysicalExprRef {
        &self.predicate
    }
}

impl ExecutionPlan for FilterExec {
    fn name(&self) -> &'static str {
        "FilterExec"
    }
    fn schema(&self) -> SchemaRef {
        self.input.schema()
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn describe(&self) -> String {
        format!("FilterExec: {}", self.predicate)
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Streaming(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl StreamingOperator for FilterExec {
    fn process(&self, batch: RecordBatch) -> Result<RecordBatch> {
        evaluate_filter(self.predicate.as_ref(), &batch)
    }
}
