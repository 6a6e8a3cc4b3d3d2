//! Physical expressions: [`PhysicalExpr`] trees bound to column indices, evaluated over record batches.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::ColumnarValue;

/// An expression bound to an input schema (columns by index), evaluated a batch at a time.
pub trait PhysicalExpr: Send + Sync + fmt::Debug + fmt::Display {
    fn as_any(&self) -> &dyn Any;
    /// The type of the values produced.
    fn data_type(&self) -> &DataType;
    /// Evaluate over every row of `batch`.
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue>;
}

pub type PhysicalExprRef = Arc<dyn PhysicalExpr>;
