//! The clauses of an aggregate call beyond its arguments: `agg(x ORDER BY y)`,
//! `group_concat(x SEPARATOR ';')`, and `WITHIN GROUP (ORDER BY x)` (ordered-set aggregates:
//! `percentile_cont(q) WITHIN GROUP (ORDER BY x)` is `quantile_cont(x, q)`;
//! `listagg(x, sep) WITHIN GROUP (ORDER BY y)` is `string_agg(x, sep ORDER BY y)`).

use shoal_common::Result;
use shoal_expr::{lit, AggregateFunction, Expr, Operator, SortExpr};
use sqlparser::ast::{Function, FunctionArgumentClause, FunctionArguments, OrderByExpr, Spanned};

use crate::expr::ExprScope;
use crate::literal::value_to_scalar;
use crate::query::sort_options;
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

impl SqlPlanner<'_> {
    /// Apply the clauses of the aggregate call `f` to its planned `args`; returns its ORDER BY.
    pub(crate) fn aggregate_clauses(
        &self,
        func: AggregateFunction,
        args: &mut Vec<Expr>,
        f: &Function,
        scope: &ExprScope,
    ) -> Result<Vec<SortExpr>> {
        let span = f.span();
        let mut order_by: Vec<SortExpr> = vec![];
        if let FunctionArguments::List(list) = &f.args {
            for clause in &list.clauses {
                match clause {
                    FunctionArgumentClause::OrderBy(keys) => order_by = self.sort_exprs(keys, scope)?,
                    FunctionArgumentClause::Separator(v)
                        if func == AggregateFunction::StringAgg && args.len() == 1 =>
                    {
                        args.push(Expr::Literal(value_to_scalar(&v.value).at(v.span)?));
                    }
                    other => return Err(not_supported_at(span, format!("{other} in an aggregate call"))),
                }
            }
        }
        if !f.within_group.is_empty() {
            if !order_by.is_empty() {
                return Err(plan_error_at(span, "ORDER BY given both inside the call and in WITHIN GROUP"));
            }
            let keys = self.sort_exprs(&f.within_group, scope)?;
            match (func, args.as_slice(), keys.as_slice()) {
                // percentile_cont(q) WITHIN GROUP (ORDER BY x [DESC])
                (AggregateFunction::QuantileCont, [q], [key]) => {
                    let q = q.clone();
                    // descending order: the fraction counts from the other end
                    let q = match (&q, key.asc) {
                        (_, true) => q,
                        (Expr::Literal(v), false) if v.as_f64().is_some() => {
                            lit(1.0 - v.as_f64().unwrap_or(0.0))
                        }
                        (_, false) => lit(1.0f64).binary(Operator::Minus, q),
                    };
                    *args = vec![key.expr.clone(), q];
                }
                (AggregateFunction::QuantileCont, _, _) => {
                    return Err(plan_error_at(
                        span,
                        "percentile_cont takes one fraction and one WITHIN GROUP (ORDER BY ..) key",
                    ))
                }
                (func, _, _) if func.is_order_sensitive() => order_by = keys,
                (func, _, _) => {
                    return Err(plan_error_at(
                        span,
                        format!("{func}() does not take WITHIN GROUP (ORDER BY ..)"),
                    ))
                }
            }
        }
        for key in &order_by {
            if key.expr.contains_aggregate() {
                return Err(plan_error_at(
                    span,
                    "aggregate functions are not allowed in an aggregate's ORDER BY",
                ));
            }
        }
        Ok(order_by)
    }

    fn sort_exprs(&self, keys: &[OrderByExpr], scope: &ExprScope) -> Result<Vec<SortExpr>> {
        keys.iter()
            .map(|o| {
                let (asc, nulls_first) = sort_options(o)?;
                Ok(SortExpr::new(self.sql_to_expr(&o.expr, scope)?, asc, nulls_first))
            })
            .collect()
    }
}
