//! SQL front end: parses text with `sqlparser` and plans statements through the
//! [`shoal_expr::LogicalPlanBuilder`], seeing the catalog only through [`ContextProvider`].

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::{LogicalPlan, ScalarFunction, TableSource};

/// An argument of a table function call such as `read_csv('x.csv', header => true)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableFunctionArg {
    /// `Some("header")` for named arguments (`header => true` or `header = true`).
    pub name: Option<String>,
    pub value: shoal_common::ScalarValue,
}

/// What the planner needs to know about the session: tables, views, files and functions.
pub trait ContextProvider {
    /// A registered table (or in-memory table) by name; `Ok(None)` when there is none.
    fn get_table(&self, name: &str) -> Result<Option<Arc<dyn TableSource>>>;
    /// A view's plan by name.
    fn get_view(&self, name: &str) -> Option<LogicalPlan>;
    /// Names of all tables and views, for "did you mean" suggestions.
    fn table_names(&self) -> Vec<String>;
    /// `FROM 'path/or/glob.parquet'`: a table over the file(s) at `path`.
    fn table_from_path(&self, path: &str) -> Result<Arc<dyn TableSource>>;
    /// `FROM read_parquet(...)`, `FROM read_csv(...)`.
    fn table_function(&self, name: &str, args: &[TableFunctionArg])
        -> Result<Arc<dyn TableSource>>;
    /// A scalar function by name (case-insensitive).
    fn get_scalar_function(&self, name: &str) -> Option<Arc<dyn ScalarFunction>>;
    /// Every function name, for "did you mean" suggestions.
    fn function_names(&self) -> Vec<String>;
}
