//! [`TryCastExpr`]: `TRY_CAST(expr AS type)`; values that do not convert become NULL.

use std::any::Any;
use std::fmt;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::display::sql_type_name;
use shoal_expr::ColumnarValue;

use crate::cast::cast_value;
use crate::{PhysicalExpr, PhysicalExprRef};

/// `TRY_CAST(expr AS data_type)`.
#[derive(Debug)]
pub struct TryCastExpr {
    expr: PhysicalExprRef,
    data_type: DataType,
}

impl TryCastExpr {
    pub fn new(expr: PhysicalExprRef, data_type: DataType) -> Self {
        Self { expr, data_type }
    }
    pub fn expr(&self) -> &PhysicalExprRef {
        &self.expr
    }
}

impl fmt::Display for TryCastExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TRY_CAST({} AS {})", self.expr, sql_type_name(&self.data_type))
    }
}

impl PhysicalExpr for TryCastExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &self.data_type
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.expr]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        cast_value(&value, &self.data_type, true)
    }
}
