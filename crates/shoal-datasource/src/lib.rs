//! Data sources: Parquet and CSV files, globs and directories, split into morsels.
//!
//! Every source implements [`shoal_expr::TableSource`] (what the planner sees: schema,
//! statistics, which filters can prune) and hands out a [`shoal_expr::ScanSource`] per planned
//! scan, split into morsels that workers read in parallel:
//! * [`ParquetTable`]: one morsel per (file, row group) that survives row-group pruning;
//! * [`CsvTable`]: one morsel per byte range of an uncompressed file (split at line starts), one
//!   per gzip file;
//! * [`MemTable`]: one morsel per slice of at most 8192 rows of an in-memory batch.
//!
//! [`table_from_path`] picks the format from a path's extension.

#![warn(missing_docs)]

mod csv;
mod listing;
mod mem;
mod parquet;
mod path;
mod statistics;

use std::sync::Arc;

use arrow::datatypes::{Schema, SchemaRef};
use shoal_common::{internal_err, Result};

pub use crate::csv::{CsvCompression, CsvOptions, CsvTable};
pub use crate::listing::list_files;
pub use crate::mem::MemTable;
pub use crate::parquet::{ParquetOptions, ParquetTable};
pub use crate::path::table_from_path;

/// The schema of `projection` (all columns when `None`) of `schema`.
pub(crate) fn project_schema(schema: &SchemaRef, projection: Option<&[usize]>) -> Result<SchemaRef> {
    let Some(projection) = projection else {
        return Ok(Arc::clone(schema));
    };
    if let Some(bad) = projection.iter().find(|&&i| i >= schema.fields().len()) {
        return internal_err!(
            "projection index {bad} out of range for a table of {} columns",
            schema.fields().len()
        );
    }
    Ok(Arc::new(schema.project(projection)?))
}

/// The display form of a file path in messages.
pub(crate) fn display_path(path: &std::path::Path) -> String {
    path.display().to_string()
}

/// Column names of `schema`, comma-separated, for `describe()`.
pub(crate) fn column_list(schema: &Schema) -> String {
    schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
}
