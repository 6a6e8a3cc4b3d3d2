//! [`IsNotNullExpr`]: `expr IS NOT NULL` (never NULL itself).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::ColumnarValue;

use crate::util::{inner_array, is_scalar, wrap};
use crate::{PhysicalExpr, PhysicalExprRef};

/// `expr IS NOT NULL`.
#[derive(Debug)]
pub struct IsNotNullExpr {
    expr: PhysicalExprRef,
}

impl IsNotNullExpr {
    pub fn new(expr: PhysicalExprRef) -> Self {
        Self { expr }
    }
    pub fn expr(&self) -> &PhysicalExprRef {
        &self.expr
    }
}

impl fmt::Display for IsNotNullExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} IS NOT NULL", self.expr)
    }
}

impl PhysicalExpr for IsNotNullExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &DataType::Boolean
    }
    fn nullable(&self) -> bool {
        false
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.expr]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        let out = arrow::compute::is_not_null(inner_array(&value).as_ref())?;
        wrap(Arc::new(out), is_scalar(&value))
    }
}
