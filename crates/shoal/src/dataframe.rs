//! [`DataFrame`]: a session plus a logical plan; nothing runs until `collect`.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;

/// A lazy query: a session plus a logical plan.
#[derive(Clone)]
pub struct DataFrame {}

impl DataFrame {
    /// The schema of the result.
    pub fn schema(&self) -> SchemaRef {
        todo!()
    }
    /// Optimize, plan and run the query on the session's pool; all result batches.
    pub fn collect(&self) -> Result<Vec<RecordBatch>> {
        todo!()
    }
    /// The optimized logical plan and the physical plan, as text.
    pub fn explain(&self) -> Result<String> {
        todo!()
    }
}
