//! Queries: the body (SELECT, VALUES, a parenthesized query), ORDER BY over the output of
//! non-SELECT bodies, and LIMIT / OFFSET.

use shoal_common::Result;
use shoal_expr::type_coercion::coerce_expr;
use shoal_expr::{Expr, LogicalPlan, LogicalPlanBuilder, Operator, PlanSchema, SortExpr};
use sqlparser::ast::{
    Expr as SqlExpr, LimitClause, OrderByExpr, OrderByKind, Query, SetExpr, Spanned, Value, ValueWithSpan,
    Values,
};

use crate::expr::ExprScope;
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

impl SqlPlanner<'_> {
    /// Plan a whole query: body, ORDER BY, LIMIT / OFFSET.
    pub(crate) fn plan_query(&self, q: &Query) -> Result<LogicalPlan> {
        if let Some(with) = &q.with {
            let mut body = q.clone();
            body.with = None;
            return self.with_ctes(with, || self.plan_query(&body));
        }
        if q.fetch.is_some()
            || !q.locks.is_empty()
            || q.for_clause.is_some()
            || q.settings.is_some()
            || q.format_clause.is_some()
            || !q.pipe_operators.is_empty()
        {
            return Err(not_supported_at(q.span(), "FETCH, FOR, SETTINGS, FORMAT and pipe operators"));
        }
        let order_by: &[OrderByExpr] = match &q.order_by {
            None => &[],
            Some(ob) => match &ob.kind {
                OrderByKind::Expressions(items) if ob.interpolate.is_none() => items,
                _ => return Err(not_supported_at(ob.span(), "ORDER BY ALL and INTERPOLATE")),
            },
        };
        let plan = match q.body.as_ref() {
            SetExpr::Select(select) => self.plan_select(select, order_by)?,
            body => {
                let plan = self.plan_set_expr(body)?;
                self.order_by_output(plan, order_by)?
            }
        };
        self.plan_limit(plan, q.limit_clause.as_ref())
    }

    /// A query body on its own.
    pub(crate) fn plan_set_expr(&self, body: &SetExpr) -> Result<LogicalPlan> {
        match body {
            SetExpr::Select(select) => self.plan_select(select, &[]),
            SetExpr::Query(q) => self.plan_query(q),
            SetExpr::Values(values) => self.plan_values(values),
            SetExpr::SetOperation { op, set_quantifier, left, right } => {
                self.plan_set_operation(body, *op, *set_quantifier, left, right)
            }
            other => Err(not_supported_at(other.span(), format!("the query body {other}"))),
        }
    }

    /// `VALUES (1, 'a'), (2, 'b')`: columns `column1`, `column2`, ...
    fn plan_values(&self, values: &Values) -> Result<LogicalPlan> {
        let empty = PlanSchema::empty();
        let scope = ExprScope::new(&empty);
        let rows = values
            .rows
            .iter()
            .map(|row| row.content.iter().map(|e| self.sql_to_expr(e, &scope)).collect::<Result<Vec<_>>>())
            .collect::<Result<Vec<_>>>()?;
        LogicalPlanBuilder::values(rows).and_then(LogicalPlanBuilder::build).at_with(|| values.span())
    }

    /// ORDER BY for bodies other than SELECT: keys are output columns or ordinals.
    fn order_by_output(&self, plan: LogicalPlan, order_by: &[OrderByExpr]) -> Result<LogicalPlan> {
        if order_by.is_empty() {
            return Ok(plan);
        }
        let schema = plan.schema().clone();
        let scope = ExprScope::new(&schema);
        let mut keys = vec![];
        for o in order_by {
            let (asc, nulls_first) = sort_options(o)?;
            let expr = match ordinal(&o.expr, schema.len(), "ORDER BY")? {
                Some(i) => Expr::Column(schema.column(i)),
                None => self.sql_to_expr(&o.expr, &scope)?,
            };
            if expr.contains_aggregate() {
                return Err(plan_error_at(
                    o.expr.span(),
                    "aggregate functions are not allowed in this ORDER BY",
                ));
            }
            keys.push(SortExpr::new(expr, asc, nulls_first));
        }
        LogicalPlanBuilder::from(plan).sort(keys)?.build()
    }

    /// `LIMIT n OFFSET m` (constant non-negative integers; `LIMIT NULL` means no limit).
    fn plan_limit(&self, plan: LogicalPlan, clause: Option<&LimitClause>) -> Result<LogicalPlan> {
        let (limit, offset) = match clause {
            None => return Ok(plan),
            Some(LimitClause::LimitOffset { limit, offset, limit_by }) => {
                if let Some(e) = limit_by.first() {
                    return Err(not_supported_at(e.span(), "LIMIT BY"));
                }
                (limit.as_ref(), offset.as_ref().map(|o| &o.value))
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => (Some(limit), Some(offset)),
        };
        let fetch = match limit {
            Some(e) => self.constant_count(e, "LIMIT")?,
            None => None,
        };
        let skip = match offset {
            Some(e) => self.constant_count(e, "OFFSET")?.unwrap_or(0),
            None => 0,
        };
        if skip == 0 && fetch.is_none() {
            return Ok(plan);
        }
        LogicalPlanBuilder::from(plan).limit(skip, fetch)?.build()
    }

    /// A constant non-negative integer (NULL → `None`).
    fn constant_count(&self, e: &SqlExpr, what: &str) -> Result<Option<usize>> {
        let empty = PlanSchema::empty();
        let planned = self
            .sql_to_expr(e, &ExprScope::new(&empty))
            .and_then(|x| coerce_expr(x, &empty))
            .map_err(|_| plan_error_at(e.span(), format!("{what} must be a constant integer, got {e}")))?;
        if let Expr::Literal(v) = &planned {
            // (a NULL of type Null has no validity buffer, so check the type too)
            if v.is_null() || v.data_type() == &arrow::datatypes::DataType::Null {
                return Ok(None);
            }
        }
        match fold_integer(&planned) {
            Some(n) if n >= 0 => Ok(Some(n as usize)),
            Some(n) => Err(plan_error_at(e.span(), format!("{what} must not be negative, got {n}"))),
            None => Err(plan_error_at(e.span(), format!("{what} must be a constant integer, got {e}"))),
        }
    }
}

/// The value of a constant integer expression (`10`, `2 * 5`, `-1`), if it is one.
fn fold_integer(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(v) => v.as_i64(),
        Expr::Negative(x) => fold_integer(x)?.checked_neg(),
        Expr::BinaryExpr(b) => {
            let (l, r) = (fold_integer(&b.left)?, fold_integer(&b.right)?);
            match b.op {
                Operator::Plus => l.checked_add(r),
                Operator::Minus => l.checked_sub(r),
                Operator::Multiply => l.checked_mul(r),
                Operator::Divide => l.checked_div(r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `(ascending, nulls_first)` of an ORDER BY item; PostgreSQL defaults (NULLs are largest).
pub(crate) fn sort_options(o: &OrderByExpr) -> Result<(bool, bool)> {
    if o.with_fill.is_some() {
        return Err(not_supported_at(o.span(), "ORDER BY .. WITH FILL"));
    }
    let asc = o.options.asc.unwrap_or(true);
    Ok((asc, o.options.nulls_first.unwrap_or(!asc)))
}

/// For `GROUP BY 2` / `ORDER BY 2`: the 0-based position, checked against `count` columns.
/// `None` when `e` is not an integer literal.
pub(crate) fn ordinal(e: &SqlExpr, count: usize, clause: &str) -> Result<Option<usize>> {
    let SqlExpr::Value(ValueWithSpan { value: Value::Number(n, _), span }) = e else {
        return Ok(None);
    };
    if n.contains(['.', 'e', 'E']) {
        return Ok(None);
    }
    match n.parse::<usize>() {
        Ok(i) if i >= 1 && i <= count => Ok(Some(i - 1)),
        _ => Err(plan_error_at(
            *span,
            format!("{clause} position {n} is not in the select list (it has {count} columns)"),
        )),
    }
}
