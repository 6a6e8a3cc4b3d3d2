//! [`ValuesExec`]: literal rows (`VALUES (..), (..)`, `SELECT 1` without FROM) as one morsel.

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::{new_empty_array, ArrayRef};
use arrow::compute::{cast, concat};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{internal_err, Result};
use shoal_physical_expr::PhysicalExprRef;

use crate::metrics::OperatorMetrics;
use crate::plan::{EmitBatch, ExecutionPlan, MorselSource, OperatorRole};

/// Produces a fixed set of rows, computed once at planning time.
#[derive(Debug)]
pub struct ValuesExec {
    batch: RecordBatch,
    metrics: OperatorMetrics,
}

impl ValuesExec {
    /// Rows of literal expressions (each evaluated over one empty row), cast to `schema`.
    pub fn try_new(schema: SchemaRef, rows: &[Vec<PhysicalExprRef>]) -> Result<Self> {
        let one_row = RecordBatch::try_new_with_options(
            Arc::new(arrow::datatypes::Schema::empty()),
            vec![],
            &RecordBatchOptions::new().with_row_count(Some(1)),
        )?;
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for (i, field) in schema.fields().iter().enumerate() {
            let mut parts = Vec::with_capacity(rows.len());
            for row in rows {
                let Some(expr) = row.get(i) else {
                    return internal_err!("VALUES row has fewer than {} columns", i + 1);
                };
                let array = expr.evaluate(&one_row)?.into_array(1)?;
                let array = if array.data_type() == field.data_type() {
                    array
                } else {
                    cast(&array, field.data_type())?
                };
                parts.push(array);
            }
            let refs: Vec<&dyn arrow::array::Array> = parts.iter().map(|a| a.as_ref()).collect();
            columns.push(if refs.is_empty() { new_empty_array(field.data_type()) } else { concat(&refs)? });
        }
        let batch = RecordBatch::try_new_with_options(
            schema,
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows.len())),
        )?;
        Ok(Self::from_batch(batch))
    }

    /// No columns and zero rows, or one row (`EmptyRelation`).
    pub fn empty(schema: SchemaRef, produce_one_row: bool) -> Result<Self> {
        let columns = schema
            .fields()
            .iter()
            .map(|f| arrow::array::new_null_array(f.data_type(), usize::from(produce_one_row)))
            .collect();
        let batch = RecordBatch::try_new_with_options(
            schema,
            columns,
            &RecordBatchOptions::new().with_row_count(Some(usize::from(produce_one_row))),
        )?;
        Ok(Self::from_batch(batch))
    }

    /// Rows already in a batch.
    pub fn from_batch(batch: RecordBatch) -> Self {
        Self { batch, metrics: OperatorMetrics::default() }
    }
}

impl ExecutionPlan for ValuesExec {
    fn name(&self) -> &'static str {
        "ValuesExec"
    }
    fn schema(&self) -> SchemaRef {
        self.batch.schema()
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }
    fn describe(&self) -> String {
        format!("ValuesExec: rows={}, columns={}", self.batch.num_rows(), self.batch.num_columns())
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

impl MorselSource for ValuesExec {
    fn morsel_count(&self) -> usize {
        1
    }
    fn read_morsel(&self, _index: usize, emit: &mut EmitBatch<'_>) -> Result<()> {
        if self.batch.num_rows() > 0 {
            let _: ControlFlow<()> = emit(self.batch.clone())?;
        }
        Ok(())
    }
    fn ordered(&self) -> bool {
        true
    }
}
