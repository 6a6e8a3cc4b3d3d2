//! [`CastExpr`]: `CAST(expr AS type)`; a value that does not convert is an error naming it
//! (`cannot cast 'abc' to BIGINT`), as in PostgreSQL.

use std::any::Any;
use std::fmt;

use arrow::array::{Array, ArrayRef};

use arrow::datatypes::DataType;
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use shoal_common::{Result, ScalarValue, ShoalError};
use shoal_expr::display::sql_type_name;
use shoal_expr::ColumnarValue;

use crate::util::{inner_array, is_scalar, wrap};
use crate::{PhysicalExpr, PhysicalExprRef};

/// `CAST(expr AS data_type)`.
#[derive(Debug)]
pub struct CastExpr {
    expr: PhysicalExprRef,
    data_type: DataType,
}

impl CastExpr {
    pub fn new(expr: PhysicalExprRef, data_type: DataType) -> Self {
        Self { expr, data_type }
    }
    pub fn expr(&self) -> &PhysicalExprRef {
        &self.expr
    }
}

/// Cast `value` to `to`; with `safe`, values that do not convert become NULL, otherwise they
/// are an execution error naming the first such value.
pub(crate) fn cast_value(value: &ColumnarValue, to: &DataType, safe: bool) -> Result<ColumnarValue> {
    let array = inner_array(value);
    if array.data_type() == to {
        return Ok(value.clone());
    }
    // SQL rounding rules for float/decimal → integer live in shoal_common::cast.
    match shoal_common::cast::sql_cast(array, to, safe) {
        Ok(out) => wrap(out, is_scalar(value)),
        Err(ShoalError::Arrow(e)) => Err(cast_error(array, to, e)),
        Err(e) => Err(e),
    }
}

/// Find the value that failed (the first row that a safe cast turns into NULL) and name it.
fn cast_error(array: &ArrayRef, to: &DataType, error: ArrowError) -> ShoalError {
    let target = sql_type_name(to);

    if let Ok(lenient) = shoal_common::cast::sql_cast(array, to, true) {
        let bad = (0..array.len()).find(|&i| array.is_valid(i) && lenient.is_null(i));
        if let Some(i) = bad {
            let value = ScalarValue::from_array_row(array.as_ref(), i);
            return ShoalError::Execution(format!("cannot cast {value} to {target}"));
        }
    }
    ShoalError::Execution(format!("cannot cast {} to {target}: {error}", sql_type_name(array.data_type())))
}

impl fmt::Display for CastExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CAST({} AS {})", self.expr, sql_type_name(&self.data_type))
    }
}

impl PhysicalExpr for CastExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &self.data_type
    }
    fn nullable(&self) -> bool {
        self.expr.nullable()
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.expr]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        cast_value(&value, &self.data_type, false)
    }
}
