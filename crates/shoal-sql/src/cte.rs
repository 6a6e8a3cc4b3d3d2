//! Common table expressions: `WITH name [(columns)] AS (query), ...` and `WITH RECURSIVE`.
//!
//! A CTE is planned once, where it is defined, and every reference to it gets a copy of that
//! plan. A recursive CTE `name AS (static UNION [ALL] recursive)` whose recursive term refers
//! to `name` becomes a [`RecursiveQuery`]: inside the recursive term `name` is a
//! [`WorkTableScan`] (the rows of the previous iteration).

use std::cell::RefCell;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field};
use shoal_common::Result;
use shoal_expr::plan::{RecursiveQuery, WorkTableScan};
use shoal_expr::set_plan::cast_plan;
use shoal_expr::type_coercion::comparison_coercion;
use shoal_expr::{Expr, LogicalPlan, LogicalPlanBuilder, PlanSchema, TreeNode, TreeNodeRecursion};
use sqlparser::ast::{Cte, SetExpr, SetOperator, SetQuantifier, Spanned, TableAlias, With};
use sqlparser::tokenizer::Span;

use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

/// The CTEs visible while planning, innermost WITH last.
#[derive(Debug, Default)]
pub(crate) struct CteScopes {
    frames: RefCell<Vec<Vec<(String, LogicalPlan)>>>,
}

impl CteScopes {
    /// The plan of the CTE called `name` (case-insensitive), innermost definition first.
    pub(crate) fn lookup(&self, name: &str) -> Option<LogicalPlan> {
        let frames = self.frames.borrow();
        frames
            .iter()
            .rev()
            .flat_map(|f| f.iter().rev())
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, p)| p.clone())
    }

    fn push_frame(&self) {
        self.frames.borrow_mut().push(vec![]);
    }

    fn pop_frame(&self) {
        self.frames.borrow_mut().pop();
    }

    fn define(&self, name: &str, plan: LogicalPlan) {
        if let Some(frame) = self.frames.borrow_mut().last_mut() {
            frame.push((name.to_string(), plan));
        }
    }

    /// Remove the most recent definition (a recursive CTE's work table, replaced by the whole
    /// recursive query once it is planned).
    fn undefine_last(&self) {
        if let Some(frame) = self.frames.borrow_mut().last_mut() {
            frame.pop();
        }
    }
}

impl SqlPlanner<'_> {
    /// Run `plan_body` with the CTEs of `with` in scope (they go out of scope afterwards).
    pub(crate) fn with_ctes(
        &self,
        with: &With,
        plan_body: impl FnOnce() -> Result<LogicalPlan>,
    ) -> Result<LogicalPlan> {
        self.ctes.push_frame();
        let out = self.define_ctes(with).and_then(|()| plan_body());
        self.ctes.pop_frame();
        out
    }

    fn define_ctes(&self, with: &With) -> Result<()> {
        for cte in &with.cte_tables {
            if cte.from.is_some() || cte.materialized.is_some() {
                return Err(not_supported_at(cte.alias.span(), "MATERIALIZED and FROM in a CTE"));
            }
            let name = cte.alias.name.value.clone();
            let plan = match recursive_parts(with, cte) {
                Some((left, right, all)) => self.plan_recursive_cte(cte, &name, left, right, all)?,
                None => {
                    let plan = self.plan_query(&cte.query)?;
                    rename_columns(plan, &cte.alias)?
                }
            };
            self.ctes.define(&name, plan);
        }
        Ok(())
    }

    /// `name(cols) AS (left UNION [ALL] right)`: a recursive query if `right` reads `name`,
    /// otherwise a plain union.
    fn plan_recursive_cte(
        &self,
        cte: &Cte,
        name: &str,
        left: &SetExpr,
        right: &SetExpr,
        all: bool,
    ) -> Result<LogicalPlan> {
        let span = cte.query.body.span();
        let query = &cte.query;
        if query.order_by.is_some() || query.limit_clause.is_some() || query.with.is_some() {
            return Err(not_supported_at(span, "ORDER BY, LIMIT and WITH in a recursive CTE"));
        }
        let static_term = rename_columns(self.plan_set_expr(left)?, &cte.alias)?;
        let fields = static_term
            .schema()
            .fields()
            .iter()
            .map(|f| Arc::new(Field::new(f.name(), f.data_type().clone(), true)))
            .collect::<Vec<_>>();
        let width = fields.len();
        let work_schema = Arc::new(PlanSchema::new(fields, vec![None; width])?);
        let work_table =
            LogicalPlan::WorkTableScan(WorkTableScan { name: name.to_string(), schema: work_schema });
        self.ctes.define(name, work_table);
        let recursive = self.plan_set_expr(right);
        self.ctes.undefine_last();
        let recursive = recursive?;
        if !reads_work_table(&recursive, name) {
            // Not actually recursive: an ordinary union.
            let union = LogicalPlanBuilder::union_all_of(vec![static_term, recursive]).at(span)?;
            return if all { union.build() } else { union.distinct()?.build() };
        }
        let types: Vec<DataType> =
            static_term.schema().fields().iter().map(|f| f.data_type().clone()).collect();
        let recursive = cast_recursive_term(recursive, &types, name, right.span())?;
        let plan =
            RecursiveQuery::try_new(name, Arc::new(static_term), Arc::new(recursive), !all).at(span)?;
        Ok(LogicalPlan::RecursiveQuery(plan))
    }
}

/// For a CTE of `WITH RECURSIVE` whose body is `left UNION [ALL] right`: (left, right, all).
fn recursive_parts<'q>(with: &With, cte: &'q Cte) -> Option<(&'q SetExpr, &'q SetExpr, bool)> {
    if !with.recursive {
        return None;
    }
    match cte.query.body.as_ref() {
        SetExpr::SetOperation { op: SetOperator::Union, set_quantifier, left, right } => {
            let all = match set_quantifier {
                SetQuantifier::All => true,
                SetQuantifier::Distinct | SetQuantifier::None => false,
                _ => return None,
            };
            Some((left, right, all))
        }
        _ => None,
    }
}

/// True when `plan` contains a work table scan of `name`.
fn reads_work_table(plan: &LogicalPlan, name: &str) -> bool {
    let mut found = false;
    let _ = plan.apply(|p| {
        if let LogicalPlan::WorkTableScan(w) = p {
            if w.name.eq_ignore_ascii_case(name) {
                found = true;
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// The recursive term with its columns cast to the static term's types; an error when a
/// column would need a wider type than the static term gives it (as in PostgreSQL).
fn cast_recursive_term(plan: LogicalPlan, types: &[DataType], name: &str, span: Span) -> Result<LogicalPlan> {
    let schema = Arc::clone(plan.schema());
    if schema.len() != types.len() {
        return Err(plan_error_at(
            span,
            format!(
                "each UNION query must have the same number of columns: {} vs {} (in recursive query '{name}')",
                types.len(),
                schema.len()
            ),
        ));
    }
    for (i, t) in types.iter().enumerate() {
        let other = schema.field(i).data_type();
        if comparison_coercion(t, other).as_ref() != Some(t) {
            return Err(plan_error_at(
                span,
                format!(
                    "recursive query '{name}' column {} has type {} in the non-recursive term but {} in the recursive term",
                    i + 1,
                    shoal_expr::display::sql_type_name(t),
                    shoal_expr::display::sql_type_name(other)
                ),
            ));
        }
    }
    cast_plan(plan, types).at(span)
}

/// `WITH t(a, b) AS (..)`: rename the query's first columns.
fn rename_columns(plan: LogicalPlan, alias: &TableAlias) -> Result<LogicalPlan> {
    if alias.columns.is_empty() {
        return Ok(plan);
    }
    let span = alias.span();
    let schema = Arc::clone(plan.schema());
    if alias.columns.len() > schema.len() {
        return Err(plan_error_at(
            span,
            format!(
                "WITH query '{}' names {} columns, but its query has only {}",
                alias.name.value,
                alias.columns.len(),
                schema.len()
            ),
        ));
    }
    if alias.columns.iter().any(|c| c.data_type.is_some()) {
        return Err(not_supported_at(span, "column types in a WITH alias"));
    }
    let exprs: Vec<Expr> = schema
        .columns()
        .into_iter()
        .enumerate()
        .map(|(i, c)| match alias.columns.get(i) {
            Some(new) => Expr::Column(c).alias(&new.name.value),
            None => Expr::Column(c),
        })
        .collect();
    LogicalPlanBuilder::from(plan).project(exprs).at(span)?.build()
}
