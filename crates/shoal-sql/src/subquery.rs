//! Subquery expressions: `(SELECT ..)`, `x [NOT] IN (SELECT ..)` and `[NOT] EXISTS (SELECT ..)`,
//! uncorrelated or correlated.
//!
//! A subquery is planned like any query, with the schemas of the enclosing queries kept on a
//! stack: a name that does not resolve in the subquery's own scope is looked up in the
//! enclosing queries, innermost first, and becomes an [`Expr::OuterReferenceColumn`]. Each
//! subquery records the outer references used at any depth inside it (a reference to the
//! outermost query from a subquery two levels down is an outer reference of both subqueries).
//! The optimizer's decorrelation rules turn the subquery expressions into joins.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::{Column, Exists, Expr, InSubquery, PlanSchema, Subquery};
use sqlparser::ast::{Expr as SqlExpr, Query, Spanned};

use crate::expr::ExprScope;
use crate::span::{plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

/// An enclosing query while one of its subqueries is planned.
#[derive(Debug)]
pub(crate) struct OuterScope {
    /// The columns the enclosing query's expressions are planned over.
    schema: PlanSchema,
    /// Outer references (to this scope or any scope further out) made inside the subquery.
    used: Vec<Expr>,
}

impl SqlPlanner<'_> {
    /// Plan a subquery expression `e` appearing in an expression over `scope`.
    pub(crate) fn subquery_expr(&self, e: &SqlExpr, scope: &ExprScope) -> Result<Expr> {
        Ok(match e {
            SqlExpr::Subquery(q) => {
                let subquery = self.plan_subquery(q, scope.schema)?;
                let width = subquery.plan.schema().len();
                if width != 1 {
                    return Err(plan_error_at(
                        e.span(),
                        format!("a scalar subquery must return exactly one column, this one returns {width}"),
                    ));
                }
                Expr::ScalarSubquery(subquery)
            }
            SqlExpr::Exists { subquery, negated } => Expr::Exists(Exists {
                subquery: self.plan_subquery(subquery, scope.schema)?,
                negated: *negated,
            }),
            SqlExpr::InSubquery { expr, subquery, negated } => {
                let expr = self.sql_to_expr(expr, scope)?;
                let subquery = self.plan_subquery(subquery, scope.schema)?;
                let width = subquery.plan.schema().len();
                if width != 1 {
                    return Err(plan_error_at(
                        e.span(),
                        format!(
                            "the subquery of IN must return exactly one column, this one returns {width}"
                        ),
                    ));
                }
                Expr::InSubquery(InSubquery { expr: Box::new(expr), subquery, negated: *negated })
            }
            other => {
                return shoal_common::internal_err!("subquery_expr called on {other}").at(e.span());
            }
        })
    }

    /// Plan `query` as a subquery of a query whose expressions are planned over `outer`.
    fn plan_subquery(&self, query: &Query, outer: &PlanSchema) -> Result<Subquery> {
        self.outer_scopes.borrow_mut().push(OuterScope { schema: outer.clone(), used: vec![] });
        let plan = self.plan_query(query);
        let scope = self.outer_scopes.borrow_mut().pop();
        let plan = plan?;
        let outer_refs = scope.map(|s| s.used).unwrap_or_default();
        Ok(Subquery { plan: Arc::new(plan), outer_refs })
    }

    /// Resolve `column`, not found in the current scope, against the enclosing queries
    /// (innermost first); `None` when no enclosing query has it either.
    pub(crate) fn resolve_outer_column(&self, column: &Column) -> Result<Option<Expr>> {
        let mut scopes = self.outer_scopes.borrow_mut();
        for level in (0..scopes.len()).rev() {
            let schema = &scopes[level].schema;
            let Some(i) = schema.maybe_index_of_column(column)? else {
                continue;
            };
            let resolved = schema.column(i);
            let expr = Expr::OuterReferenceColumn(schema.field(i).data_type().clone(), resolved);
            // an outer reference of every subquery between that scope and here
            for scope in scopes[level..].iter_mut() {
                if !scope.used.contains(&expr) {
                    scope.used.push(expr.clone());
                }
            }
            return Ok(Some(expr));
        }
        Ok(None)
    }
}
