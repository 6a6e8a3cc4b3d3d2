//! SQL front end: parses text with `sqlparser` and plans statements through the
//! [`shoal_expr::LogicalPlanBuilder`], seeing the catalog only through [`ContextProvider`].
//!
//! ```
//! # use std::sync::Arc;
//! # use shoal_common::Result;
//! # use shoal_expr::{LogicalPlan, ScalarFunction, TableSource};
//! # use shoal_sql::{ContextProvider, TableFunctionArg};
//! struct NoCatalog;
//! impl ContextProvider for NoCatalog {
//!     fn get_table(&self, _: &str) -> Result<Option<Arc<dyn TableSource>>> { Ok(None) }
//!     fn get_view(&self, _: &str) -> Option<LogicalPlan> { None }
//!     fn table_names(&self) -> Vec<String> { vec![] }
//!     fn table_from_path(&self, p: &str) -> Result<Arc<dyn TableSource>> {
//!         shoal_common::plan_err!("no file {p}")
//!     }
//!     fn table_function(&self, n: &str, _: &[TableFunctionArg]) -> Result<Arc<dyn TableSource>> {
//!         shoal_common::plan_err!("no function {n}")
//!     }
//!     fn get_scalar_function(&self, _: &str) -> Option<Arc<dyn ScalarFunction>> { None }
//!     fn function_names(&self) -> Vec<String> { vec![] }
//! }
//! let stmt = &shoal_sql::parse_sql("SELECT 1 + 2 AS three")?[0];
//! let planned = shoal_sql::SqlPlanner::new(&NoCatalog).plan_statement(stmt)?;
//! let shoal_sql::PlannedStatement::Query(plan) = planned else { unreachable!() };
//! assert_eq!(plan.display_indent(), "Projection: 1 + 2 AS three\n  EmptyRelation: rows=1\n");
//! # Ok::<(), shoal_common::ShoalError>(())
//! ```
//!
//! Files follow SQL constructs: [`statement`](crate::statement) (statements),
//! `query.rs` (ORDER BY, LIMIT, VALUES), `select.rs`, `aggregate.rs`, `relation.rs` (FROM),
//! `expr.rs` / `function.rs` / `literal.rs` (expressions) and `types.rs` (type names).

use std::cell::RefCell;
use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::{Column, LogicalPlan, ScalarFunction, TableSource};

mod aggregate;
mod aggregate_clauses;
mod cte;
pub mod ddl;
mod expr;
mod function;
mod grouping;
mod join;
mod literal;
mod parser;
mod query;
mod relation;
mod select;
mod set_operation;
mod span;
pub mod statement;
mod subquery;
mod types;
pub mod unparser;
mod window;

pub use aggregate::normalize as normalize_columns;
pub use parser::{parse_sql, split_statements};
pub use relation::path_qualifier;
pub use statement::PlannedStatement;
pub use types::sql_type_to_arrow;

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
    fn table_function(&self, name: &str, args: &[TableFunctionArg]) -> Result<Arc<dyn TableSource>>;
    /// A scalar function by name (case-insensitive).
    fn get_scalar_function(&self, name: &str) -> Option<Arc<dyn ScalarFunction>>;
    /// Every function name, for "did you mean" suggestions.
    fn function_names(&self) -> Vec<String>;
    /// An aggregate by name (case-insensitive): the built-ins, plus any user-defined ones the
    /// provider knows.
    fn get_aggregate_function(&self, name: &str) -> Option<shoal_expr::AggregateFunction> {
        shoal_expr::AggregateFunction::from_name(name)
    }
}

/// Turns sqlparser statements into [`PlannedStatement`]s, resolving names through a
/// [`ContextProvider`].
pub struct SqlPlanner<'a> {
    ctx: &'a dyn ContextProvider,
    /// Where each resolved column reference was written, for errors found after resolution
    /// (e.g. a column that is neither grouped nor aggregated).
    column_spans: RefCell<Vec<(Column, sqlparser::tokenizer::Span)>>,
    /// The common table expressions in scope; see `cte.rs`.
    ctes: cte::CteScopes,
    /// The schemas of the queries enclosing the subquery being planned (outermost first), for
    /// correlated column references; see `subquery.rs`.
    outer_scopes: RefCell<Vec<subquery::OuterScope>>,
    /// The `WINDOW name AS (..)` definitions of the SELECTs being planned, innermost last.
    named_windows: RefCell<Vec<Vec<sqlparser::ast::NamedWindowDefinition>>>,
}

impl<'a> SqlPlanner<'a> {
    pub fn new(ctx: &'a dyn ContextProvider) -> Self {
        Self {
            ctx,
            column_spans: RefCell::new(vec![]),
            ctes: cte::CteScopes::default(),
            outer_scopes: RefCell::new(vec![]),
            named_windows: RefCell::new(vec![]),
        }
    }

    /// Remember that `column` (resolved) was written at `span`.
    fn record_column_span(&self, column: Column, span: sqlparser::tokenizer::Span) {
        let mut spans = self.column_spans.borrow_mut();
        if !spans.iter().any(|(c, s)| c == &column && *s == span) {
            spans.push((column, span));
        }
    }

    /// Where `column` (resolved) was written inside `within`, if known.
    fn column_span(
        &self,
        column: &Column,
        within: sqlparser::tokenizer::Span,
    ) -> Option<sqlparser::tokenizer::Span> {
        let pos = |l: sqlparser::tokenizer::Location| (l.line, l.column);
        self.column_spans
            .borrow()
            .iter()
            .find(|(c, s)| c == column && pos(s.start) >= pos(within.start) && pos(s.end) <= pos(within.end))
            .map(|(_, s)| *s)
    }
}
