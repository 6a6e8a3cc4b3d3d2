//! Helpers shared by the integration tests: build batches, coerce and bind logical
//! expressions, evaluate them.
#![allow(dead_code)]

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use arrow::datatypes::{Field, Schema};
use arrow::record_batch::RecordBatch;
use shoal_common::{Result, ScalarValue, ShoalError};
use shoal_expr::type_coercion::coerce_expr;
use shoal_expr::{ColumnarValue, Expr, PlanSchema};
use shoal_physical_expr::{create_physical_expr, PhysicalExprRef};

/// A batch of nullable columns.
pub fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> =
        columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

/// Coerce `expr` against the batch's schema and bind it.
pub fn bind(expr: Expr, batch: &RecordBatch) -> Result<PhysicalExprRef> {
    let schema = PlanSchema::from_arrow(batch.schema().as_ref(), None);
    let coerced = coerce_expr(expr, &schema)?;
    create_physical_expr(&coerced, &schema)
}

/// Evaluate `expr` over `batch`.
pub fn eval(expr: Expr, batch: &RecordBatch) -> Result<ColumnarValue> {
    bind(expr, batch)?.evaluate(batch)
}

/// Evaluate `expr` over `batch` as an array of every row.
pub fn eval_array(expr: Expr, batch: &RecordBatch) -> Result<ArrayRef> {
    eval(expr, batch)?.into_array(batch.num_rows())
}

/// Evaluate a boolean expression as `Option<bool>` per row.
pub fn eval_bools(expr: Expr, batch: &RecordBatch) -> Vec<Option<bool>> {
    let a = eval_array(expr, batch).unwrap();
    let b: &BooleanArray = a.as_boolean();
    b.iter().collect()
}

/// The error message of a failed evaluation.
pub fn eval_err(expr: Expr, batch: &RecordBatch) -> String {
    match eval(expr, batch) {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e @ ShoalError::Execution(_)) => e.to_string(),
        Err(e) => panic!("expected an execution error, got {e:?}"),
    }
}

/// Row `i` of an array as SQL text (`NULL`, `'a'`, `1.50`, ...).
pub fn sql_values(array: &dyn Array) -> Vec<String> {
    (0..array.len()).map(|i| ScalarValue::from_array_row(array, i).to_sql_string()).collect()
}

/// A one-row batch with no columns, for expressions over literals only.
pub fn one_row() -> RecordBatch {
    let options = arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(1));
    RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options).unwrap()
}
