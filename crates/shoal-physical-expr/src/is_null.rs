//! [`IsNullExpr`]: `expr IS NULL` and `expr IS NOT NULL` (never NULL themselves).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::ColumnarValue;

use crate::util::{inner_array, is_scalar, wrap};
use crate::{PhysicalExpr, PhysicalExprRef};

/// `expr IS NULL`, or `expr IS NOT NULL` when `negated`.
#[derive(Debug)]
pub struct IsNullExpr {
    expr: PhysicalExprRef,
    negated: bool,
}

impl IsNullExpr {
    /// `expr IS NULL`.
    pub fn new(expr: PhysicalExprRef) -> Self {
        Self { expr, negated: false }
    }
    /// `expr IS NOT NULL`.
    pub fn not_null(expr: PhysicalExprRef) -> Self {
        Self { expr, negated: true }
    }
    pub fn negated(&self) -> bool {
        self.negated
    }
    pub fn expr(&self) -> &PhysicalExprRef {
        &self.expr
    }
}

impl fmt::Display for IsNullExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} IS {}NULL", self.expr, if self.negated { "NOT " } else { "" })
    }
}

impl PhysicalExpr for IsNullExpr {
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
        let array = inner_array(&value);
        let out = if self.negated {
            arrow::compute::is_not_null(array.as_ref())?
        } else {
            arrow::compute::is_null(array.as_ref())?
        };
        wrap(Arc::new(out), is_scalar(&value))
    }
}
