//! [`LiteralExpr`]: a constant, evaluated as a scalar (never expanded to an array).

use std::any::Any;
use std::fmt;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::{Result, ScalarValue};
use shoal_expr::ColumnarValue;

use crate::PhysicalExpr;

/// A constant value; displayed as SQL (`'abc'`, `1`, `NULL`).
#[derive(Debug, Clone)]
pub struct LiteralExpr {
    value: ScalarValue,
}

impl LiteralExpr {
    pub fn new(value: ScalarValue) -> Self {
        Self { value }
    }
    pub fn value(&self) -> &ScalarValue {
        &self.value
    }
}

impl fmt::Display for LiteralExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

impl PhysicalExpr for LiteralExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        self.value.data_type()
    }
    fn nullable(&self) -> bool {
        self.value.is_null()
    }
    fn evaluate(&self, _batch: &RecordBatch) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(self.value.clone()))
    }
}
