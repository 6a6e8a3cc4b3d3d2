//! The shoal engine: [`Session`], [`DataFrame`], and the glue from SQL text to result batches.
//!
//! Layers (each a crate; dependencies flow one way):
//! `shoal-common` → `shoal-expr` (Expr, LogicalPlan, builder) → `shoal-sql` / `shoal-optimizer` /
//! `shoal-functions` / `shoal-datasource` / `shoal-physical-expr` → `shoal-physical` → `shoal`.
//!
//! ```no_run
//! use shoal::Session;
//! let session = Session::new();
//! let df = session.sql("SELECT 1 + 1 AS two").unwrap();
//! let batches = df.collect().unwrap();
//! assert_eq!(batches[0].num_rows(), 1);
//! ```

#![warn(missing_docs)]

mod catalog;
pub mod copy;
mod dataframe;
mod provider;
mod session;
mod stream;
mod tables;
mod to_sql;
pub mod udf;

pub use dataframe::{rows_to_strings, DataFrame, GroupBy};
pub use session::{Session, StatementResult};
pub use shoal_common::byte_size::{format_bytes, parse_byte_size};
pub use shoal_common::{Result, SessionConfig, ShoalError};
pub use shoal_datasource::{CsvOptions, ParquetOptions};
pub use shoal_expr::{col, display, lit, Expr, JoinType, LogicalPlan, SortExpr};
pub use stream::StatementSink;

/// Everything a DataFrame program needs: `use shoal::prelude::*;`.
///
/// The [`expr_fn`](shoal_expr::expr_fn) DSL (`col`, `lit`, `when`, aggregates, window
/// functions, `Window`, `call`, ...), [`Session`], [`DataFrame`], [`JoinType`], the read options
/// and the error type.
pub mod prelude {
    pub use crate::{
        CsvOptions, DataFrame, JoinType, ParquetOptions, Result, Session, SessionConfig, ShoalError,
    };
    pub use arrow::datatypes::DataType;
    pub use shoal_expr::expr_fn::*;
    pub use shoal_expr::{Expr, SortExpr};
}
pub use shoal_physical::ProgressSnapshot;
