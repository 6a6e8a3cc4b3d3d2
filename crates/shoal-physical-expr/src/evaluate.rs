//! Whole-expression helpers: constant folding ([`evaluate_constant`]) and filtering a batch by
//! a predicate ([`evaluate_filter`], [`evaluate_predicate`]).

use std::sync::Arc;

use arrow::array::{Array, BooleanArray};
use arrow::compute::filter_record_batch;
use arrow::datatypes::{DataType, Schema};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{internal_err, Result, ScalarValue};
use shoal_expr::{ColumnarValue, Expr, PlanSchema};

use crate::util::into_boolean_array;
use crate::{create_physical_expr, PhysicalExpr};

/// Evaluate an expression without column references (for constant folding), over one row of
/// no columns. Errors (overflow, division by zero, bad casts) are returned, not folded away.
pub fn evaluate_constant(expr: &Expr) -> Result<ScalarValue> {
    let physical = create_physical_expr(expr, &PlanSchema::empty())?;
    let options = RecordBatchOptions::new().with_row_count(Some(1));
    let batch = RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options)?;
    match physical.evaluate(&batch)? {
        ColumnarValue::Scalar(s) => Ok(s),
        ColumnarValue::Array(a) if a.len() == 1 => ScalarValue::try_from_array(a),
        ColumnarValue::Array(a) => internal_err!("constant {expr} produced {} rows instead of 1", a.len()),
    }
}

/// Evaluate a boolean predicate over `batch`: one value per row (NULL where unknown).
pub fn evaluate_predicate(expr: &dyn PhysicalExpr, batch: &RecordBatch) -> Result<BooleanArray> {
    if !matches!(expr.data_type(), DataType::Boolean | DataType::Null) {
        return internal_err!("filter predicate {expr} is {}, not boolean", expr.data_type());
    }
    into_boolean_array(expr.evaluate(batch)?, batch.num_rows(), &expr)
}

/// Keep the rows of `batch` where `expr` is true (false and NULL rows are dropped).
pub fn evaluate_filter(expr: &dyn PhysicalExpr, batch: &RecordBatch) -> Result<RecordBatch> {
    if !matches!(expr.data_type(), DataType::Boolean | DataType::Null) {
        return internal_err!("filter predicate {expr} is {}, not boolean", expr.data_type());
    }
    let mask = match expr.evaluate(batch)? {
        ColumnarValue::Scalar(s) => {
            return Ok(if s.as_bool() == Some(true) { batch.clone() } else { batch.slice(0, 0) })
        }
        ColumnarValue::Array(a) => into_boolean_array(ColumnarValue::Array(a), batch.num_rows(), &expr)?,
    };
    if mask.len() != batch.num_rows() {
        return internal_err!(
            "filter predicate {expr} gave {} values for {} rows",
            mask.len(),
            batch.num_rows()
        );
    }
    let selected = mask.true_count();
    if selected == batch.num_rows() {
        return Ok(batch.clone());
    }
    if selected == 0 {
        return Ok(batch.slice(0, 0));
    }
    // NULLs in the mask count as false
    Ok(filter_record_batch(batch, &mask)?)
}
