//! [`ProjectionExec`]: computes one expression per output column.

use std::any::Any;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::Result;
use shoal_physical_expr::PhysicalExprRef;

use crate::metrics::OperatorMetrics;
use crate::plan::{ExecutionPlan, OperatorRole, StreamingOperator};

/// A streaming projection.
#[derive(Debug)]
pub struct ProjectionExec {
    exprs: Vec<PhysicalExprRef>,
    schema: SchemaRef,
    input: Arc<dyn ExecutionPlan>,
    metrics: OperatorMetrics,
}

impl ProjectionExec {
    /// `schema` names and types the outputs of `exprs`, in order.
    pub fn new(exprs: Vec<PhysicalExprRef>, schema: SchemaRef, input: Arc<dyn ExecutionPlan>) -> Self {
        Self { exprs, schema, input, metrics: OperatorMetrics::default() }
    }
    /// The projected input.
    pub fn input(&self) -> &Arc<dyn ExecutionPlan> {
        &self.input
    }
}

impl ExecutionPlan for ProjectionExec {
    fn name(&self) -> &'static str {
        "ProjectionExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn describe(&self) -> String {
        let items: Vec<String> = self
            .exprs
            .iter()
            .zip(self.schema.fields())
            .map(|(e, f)| {
                let text = e.to_string();
                if &text == f.name() {
                    text
                } else {
                    format!("{text} AS {}", f.name())
                }
            })
            .collect();
        format!("ProjectionExec: {}", items.join(", "))
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

impl StreamingOperator for ProjectionExec {
    fn process(&self, batch: RecordBatch) -> Result<RecordBatch> {
        let rows = batch.num_rows();
        let columns =
            self.exprs.iter().map(|e| e.evaluate(&batch)?.into_array(rows)).collect::<Result<Vec<_>>>()?;
        Ok(RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?)
    }
}
