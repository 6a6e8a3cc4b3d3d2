//! [`UnionExec`]: UNION ALL. It does no work itself: the scheduler turns the pipelines of its
//! inputs into one pipeline with several sources, so the rows of every input stream into the
//! parent without being materialised.

use std::any::Any;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;

use crate::metrics::OperatorMetrics;
use crate::plan::{ExecutionPlan, OperatorRole};

/// The rows of every input, in input order (the inputs' rows keep their own order).
#[derive(Debug)]
pub struct UnionExec {
    inputs: Vec<Arc<dyn ExecutionPlan>>,
    schema: SchemaRef,
    metrics: OperatorMetrics,
}

impl UnionExec {
    /// `schema` names the output columns; every input has the same column types.
    pub fn new(inputs: Vec<Arc<dyn ExecutionPlan>>, schema: SchemaRef) -> Self {
        Self { inputs, schema, metrics: OperatorMetrics::default() }
    }
}

impl ExecutionPlan for UnionExec {
    fn name(&self) -> &'static str {
        "UnionExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        self.inputs.iter().collect()
    }
    fn describe(&self) -> String {
        format!("UnionExec: inputs={}", self.inputs.len())
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Union
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
