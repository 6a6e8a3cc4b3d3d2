//! [`NegativeExpr`]: unary minus, checked (`-(-9223372036854775808)` is an overflow error).

use std::any::Any;
use std::fmt;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::ColumnarValue;

use crate::arithmetic::negate;
use crate::{PhysicalExpr, PhysicalExprRef};

/// `-expr`.
#[derive(Debug)]
pub struct NegativeExpr {
    expr: PhysicalExprRef,
    /// The expression as the user wrote it, for error messages.
    sql_text: Option<String>,
}

impl NegativeExpr {
    pub fn new(expr: PhysicalExprRef) -> Self {
        Self { expr, sql_text: None }
    }
    /// Name the expression in error messages by its SQL text (e.g. `-a`).
    pub fn with_sql_text(mut self, text: impl Into<String>) -> Self {
        self.sql_text = Some(text.into());
        self
    }
    pub fn expr(&self) -> &PhysicalExprRef {
        &self.expr
    }
}

impl fmt::Display for NegativeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expr.as_any().downcast_ref::<crate::BinaryExpr>() {
            Some(_) => write!(f, "-({})", self.expr),
            None => write!(f, "-{}", self.expr),
        }
    }
}

impl PhysicalExpr for NegativeExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        self.expr.data_type()
    }
    fn nullable(&self) -> bool {
        self.expr.nullable()
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.expr]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        match &self.sql_text {
            Some(text) => negate(&value, text),
            None => negate(&value, self),
        }
    }
}
