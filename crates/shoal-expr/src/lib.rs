//! Expressions, logical plans, the plan builder and the tree-rewrite API.
//!
//! Both front ends (SQL in `shoal-sql`, the DataFrame API in `shoal`) build plans only through
//! [`LogicalPlanBuilder`], which type-checks and coerces every expression as it is added, so a
//! mistake is reported at the call (or SQL position) that caused it.

#![warn(missing_docs)]

pub mod aggregate_signature;
pub mod builder;
pub mod cardinality;
pub mod display;
pub mod expr;
pub mod expr_fn;
pub mod expr_schema;
pub mod function;
pub mod grouping_set;
pub mod join;
pub mod plan;
pub mod schema;
pub mod set_plan;
pub mod table;
pub mod tree_node;
pub mod type_coercion;
pub mod udaf;
pub mod window;

pub use builder::LogicalPlanBuilder;
pub use expr::{
    col, lit, AggregateFunctionExpr, Alias, Between, BinaryExpr, Case, Cast, Exists, Expr, InList,
    InSubquery, Like, Operator, ScalarFunctionExpr, SortExpr, Subquery, TryCast,
};
pub use function::{AggregateFunction, ColumnarValue, ScalarFunction};
pub use grouping_set::{grouping_value, GroupingSet, GROUPING_ID_COLUMN};
pub use join::{Join, JoinType};
pub use plan::LogicalPlan;
pub use schema::{Column, PlanSchema, PlanSchemaRef};
pub use set_plan::{RecursiveQuery, SetOpKind, SetOperation, Union, WorkTableScan};
pub use table::{ColumnStatistics, ScanFilter, ScanSource, Statistics, TableSource};
pub use tree_node::{Transformed, TreeNode, TreeNodeRecursion};
pub use udaf::{Accumulator, AggregateUdf, AggregateUdfRef};
pub use window::{
    Window, WindowFrame, WindowFrameBound, WindowFrameUnits, WindowFunction, WindowFunctionExpr,
};
