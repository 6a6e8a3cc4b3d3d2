//! [`SingleRowCheck`]: the run-time check that a scalar subquery produced at most one row.
//!
//! The decorrelation rules aggregate a scalar subquery's rows (per correlation key) into
//! `count(*)` and `max(value)`; `__scalar_subquery_value(count, value)` returns the value, or
//! fails the query when the count is above one ("scalar subquery returned more than one row"),
//! as PostgreSQL does. With one row, `max` is that row's value; with none, NULL.

use std::sync::Arc;

use arrow::array::AsArray;
use arrow::datatypes::{DataType, Int64Type};
use shoal_common::{exec_err, internal_err, Result};
use shoal_expr::{ColumnarValue, Expr, ScalarFunction, ScalarFunctionExpr};

/// `__scalar_subquery_value(rows BIGINT, value T) -> T`.
#[derive(Debug)]
pub(crate) struct SingleRowCheck;

pub(crate) const SINGLE_ROW_CHECK: &str = "__scalar_subquery_value";

/// `__scalar_subquery_value(rows, value)`.
pub(crate) fn single_row_check(rows: Expr, value: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunctionExpr { func: Arc::new(SingleRowCheck), args: vec![rows, value] })
}

impl ScalarFunction for SingleRowCheck {
    fn name(&self) -> &str {
        SINGLE_ROW_CHECK
    }
    fn description(&self) -> &str {
        "__scalar_subquery_value(rows, value) -> value: fails when a scalar subquery has more \
         than one row (internal)"
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [_, t] => Ok(vec![DataType::Int64, t.clone()]),
            _ => internal_err!("{SINGLE_ROW_CHECK} takes two arguments"),
        }
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [_, t] => Ok(t.clone()),
            _ => internal_err!("{SINGLE_ROW_CHECK} takes two arguments"),
        }
    }
    fn invoke(&self, args: &[ColumnarValue], _num_rows: usize) -> Result<ColumnarValue> {
        let [rows, value] = args else {
            return internal_err!("{SINGLE_ROW_CHECK} takes two arguments");
        };
        let too_many = match rows {
            ColumnarValue::Scalar(s) => s.as_i64().is_some_and(|n| n > 1),
            ColumnarValue::Array(a) => {
                let Some(counts) = a.as_primitive_opt::<Int64Type>() else {
                    return internal_err!("{SINGLE_ROW_CHECK}: row counts must be BIGINT");
                };
                counts.iter().any(|n| n.is_some_and(|n| n > 1))
            }
        };
        if too_many {
            return exec_err!("scalar subquery returned more than one row");
        }
        Ok(value.clone())
    }
    fn is_deterministic(&self) -> bool {
        // never folded: the check must run on the real counts
        false
    }
}
