//! Operators that combine whole relations: [`UnionExec`] (UNION ALL), [`SetOpExec`]
//! (INTERSECT / EXCEPT, with or without ALL) and the recursive CTE pair [`RecursiveQueryExec`] /
//! [`WorkTableExec`], plus their physical planning.

pub mod planner;
pub mod recursive;
pub mod set_op;
pub mod union;

pub use recursive::{RecursiveQueryExec, WorkTable, WorkTableExec};
pub use set_op::SetOpExec;
pub use union::UnionExec;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::Result;

/// `batch`'s columns under `schema` (same types; names and nullability may differ).
pub(crate) fn with_schema(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema_ref() == schema {
        return Ok(batch.clone());
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(RecordBatch::try_new_with_options(schema.clone(), batch.columns().to_vec(), &options)?)
}
