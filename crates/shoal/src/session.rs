//! [`Session`]: configuration, catalog, function registry and the thread pool of one user.

use std::path::Path;
use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use shoal_common::{Result, SessionConfig};
use shoal_expr::TableSource;

use crate::dataframe::DataFrame;

/// One user's engine: settings, registered tables and views, functions, and a rayon pool.
/// Cheap to clone (shared state).
#[derive(Clone)]
pub struct Session {}

/// The outcome of one SQL statement run by [`Session::execute_sql`].
#[derive(Debug, Clone)]
pub struct StatementResult {
    /// The statement's SQL text.
    pub sql: String,
    /// The result rows (empty for DDL such as CREATE VIEW).
    pub batches: Vec<RecordBatch>,
    /// The schema of the result.
    pub schema: arrow::datatypes::SchemaRef,
}

impl Session {
    /// A session with default settings (threads = all cores).
    pub fn new() -> Self {
        todo!()
    }
    pub fn with_config(_config: SessionConfig) -> Self {
        todo!()
    }
    pub fn config(&self) -> SessionConfig {
        todo!()
    }
    /// Register a table under `name`.
    pub fn register_table(&self, _name: &str, _source: Arc<dyn TableSource>) -> Result<()> {
        todo!()
    }
    /// Register Parquet file(s) (a file, glob or directory) as table `name`.
    pub fn register_parquet(&self, _name: &str, _path: impl AsRef<Path>) -> Result<()> {
        todo!()
    }
    /// Register CSV file(s) with a header row and `,` delimiter (schema inferred) as table `name`.
    pub fn register_csv(&self, _name: &str, _path: impl AsRef<Path>) -> Result<()> {
        todo!()
    }
    /// Register in-memory batches as table `name`.
    pub fn register_batches(&self, _name: &str, _batches: Vec<RecordBatch>) -> Result<()> {
        todo!()
    }
    /// Plan one SQL query (SELECT / VALUES / EXPLAIN) as a lazy [`DataFrame`].
    pub fn sql(&self, _sql: &str) -> Result<DataFrame> {
        todo!()
    }
    /// Run every `;`-separated statement of `sql` in order (DDL included), returning each result.
    pub fn execute_sql(&self, _sql: &str) -> Result<Vec<StatementResult>> {
        todo!()
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}
