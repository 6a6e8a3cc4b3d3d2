//! Physical expressions: [`PhysicalExpr`] trees bound to column indices, evaluated over record batches.
//!
//! [`create_physical_expr`] binds an already type-coerced logical [`shoal_expr::Expr`] to a tree
//! of nodes (one file each, names ending in `Expr`). Every node evaluates a whole batch at a time
//! with Arrow kernels; when all its inputs are scalars the result stays a scalar.
//!
//! Semantics follow PostgreSQL: integer overflow and division by zero (integer, decimal and
//! float) are errors, `AND`/`OR`/`NOT` use three-valued logic, `CASE` evaluates a branch only
//! on the rows that reach it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::ColumnarValue;

mod arithmetic;
mod between;
mod binary;
mod case;
mod cast;
mod column;
mod decimal_arithmetic;
mod evaluate;
mod in_list;
mod in_list_set;
mod is_null;
mod like;
mod literal;
mod negative;
mod not;
mod planner;
mod scalar_function;
mod try_cast;
mod util;

pub use between::BetweenExpr;
pub use binary::BinaryExpr;
pub use case::CaseExpr;
pub use cast::CastExpr;
pub use column::ColumnExpr;
pub use evaluate::{evaluate_constant, evaluate_filter, evaluate_predicate};
pub use in_list::InListExpr;
pub use is_null::IsNullExpr;
pub use like::LikeExpr;
pub use literal::LiteralExpr;
pub use negative::NegativeExpr;
pub use not::NotExpr;
pub use planner::{create_physical_expr, create_physical_exprs};
pub use scalar_function::ScalarFunctionCallExpr;
pub use try_cast::TryCastExpr;

/// An expression bound to an input schema (columns by index), evaluated a batch at a time.
pub trait PhysicalExpr: Send + Sync + fmt::Debug + fmt::Display {
    fn as_any(&self) -> &dyn Any;
    /// The type of the values produced.
    fn data_type(&self) -> &DataType;
    /// Evaluate over every row of `batch`.
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue>;
    /// Can the result be NULL? Conservative: `true` when unsure.
    fn nullable(&self) -> bool {
        true
    }
    /// The direct sub-expressions, in evaluation order.
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![]
    }
}

pub type PhysicalExprRef = Arc<dyn PhysicalExpr>;
