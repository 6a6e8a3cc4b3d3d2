//! [`ScalarFunctionCallExpr`]: a call of a registry function over evaluated arguments.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, Result, ScalarValue};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::{PhysicalExpr, PhysicalExprRef};

/// `func(args...)`; arguments are evaluated first, then handed to [`ScalarFunction::invoke`].
#[derive(Debug)]
pub struct ScalarFunctionCallExpr {
    func: Arc<dyn ScalarFunction>,
    args: Vec<PhysicalExprRef>,
    return_type: DataType,
}

impl ScalarFunctionCallExpr {
    /// Bind a call; the argument types must already be coerced.
    pub fn try_new(func: Arc<dyn ScalarFunction>, args: Vec<PhysicalExprRef>) -> Result<Self> {
        let types: Vec<DataType> = args.iter().map(|a| a.data_type().clone()).collect();
        // Some result types depend on a literal argument (`date_part('epoch', ts)`).
        let literals: Vec<Option<&ScalarValue>> =
            args.iter().map(|a| a.as_any().downcast_ref::<crate::LiteralExpr>().map(|l| l.value())).collect();
        let return_type = func.return_type_with_literals(&types, &literals)?;
        Ok(Self { func, args, return_type })
    }
    pub fn func(&self) -> &Arc<dyn ScalarFunction> {
        &self.func
    }
    pub fn args(&self) -> &[PhysicalExprRef] {
        &self.args
    }
}

impl fmt::Display for ScalarFunctionCallExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.func.name())?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")
    }
}

impl PhysicalExpr for ScalarFunctionCallExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &self.return_type
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        self.args.iter().collect()
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let args = self.args.iter().map(|a| a.evaluate(batch)).collect::<Result<Vec<_>>>()?;
        let all_scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let out = match self.func.invoke(&args, batch.num_rows())? {
            // a one-row answer to scalar arguments is a scalar
            ColumnarValue::Array(a) if all_scalar && a.len() == 1 => {
                ColumnarValue::Scalar(ScalarValue::try_from_array(a)?)
            }
            out => out,
        };
        let rows = match &out {
            ColumnarValue::Array(a) => a.len(),
            ColumnarValue::Scalar(_) => batch.num_rows(),
        };
        if rows != batch.num_rows() {
            return internal_err!(
                "{}() returned {rows} rows for a batch of {}",
                self.func.name(),
                batch.num_rows()
            );
        }
        Ok(out)
    }
}
