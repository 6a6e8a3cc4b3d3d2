//! [`NotExpr`]: three-valued `NOT` (`NOT NULL` is NULL).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::ColumnarValue;

use crate::util::{as_boolean, bool_scalar, is_scalar, wrap};
use crate::{PhysicalExpr, PhysicalExprRef};

/// `NOT expr`.
#[derive(Debug)]
pub struct NotExpr {
    expr: PhysicalExprRef,
}

impl NotExpr {
    pub fn new(expr: PhysicalExprRef) -> Self {
        Self { expr }
    }
    pub fn expr(&self) -> &PhysicalExprRef {
        &self.expr
    }
}

impl fmt::Display for NotExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NOT {}", self.expr)
    }
}

impl PhysicalExpr for NotExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &DataType::Boolean
    }
    fn nullable(&self) -> bool {
        self.expr.nullable()
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.expr]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        if value.data_type() == DataType::Null {
            return Ok(match value {
                ColumnarValue::Scalar(_) => bool_scalar(None),
                ColumnarValue::Array(a) => {
                    ColumnarValue::Array(Arc::new(arrow::array::BooleanArray::new_null(a.len())))
                }
            });
        }
        let out = arrow::compute::not(as_boolean(&value, self)?)?;
        wrap(Arc::new(out), is_scalar(&value))
    }
}
