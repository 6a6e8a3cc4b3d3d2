//! Aggregation: collect the aggregate calls of SELECT, HAVING and ORDER BY, build the
//! `Aggregate` (group expressions first, then the calls), and rewrite those clauses to refer
//! to its output columns.

use shoal_common::{internal_err, Result};
use shoal_expr::{Column, Expr, LogicalPlan, LogicalPlanBuilder, PlanSchema};
use shoal_expr::{Transformed, TreeNode, TreeNodeRecursion};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::select::{SelectExpr, SortKey, SortTarget};
use crate::span::{plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

/// `expr` with every column reference spelled as the field it resolves to in `schema`
/// (qualified, exact case), so that `a`, `t.a` and `T.A` compare equal.
pub(crate) fn normalize(expr: &Expr, schema: &PlanSchema) -> Expr {
    let out = expr.clone().transform_up(|e| match &e {
        Expr::Column(c) => match schema.maybe_index_of_column(c) {
            Ok(Some(i)) => Ok(Transformed::yes(Expr::Column(schema.column(i)))),
            _ => Ok(Transformed::no(e)),
        },
        _ => Ok(Transformed::no(e)),
    });
    match out {
        Ok(t) => t.data,
        Err(_) => expr.clone(),
    }
}

/// The aggregate calls in `expr`, added to `out` unless already there.
fn collect_aggregates(expr: &Expr, schema: &PlanSchema, out: &mut Vec<(Expr, Expr)>) {
    let _ = expr.apply(|e| {
        if let Expr::AggregateFunction(_) = e {
            let n = normalize(e, schema);
            if !out.iter().any(|(_, x)| *x == n) {
                out.push((e.clone(), n));
            }
            return Ok(TreeNodeRecursion::Jump);
        }
        Ok(TreeNodeRecursion::Continue)
    });
}

impl SqlPlanner<'_> {
    /// Build the `Aggregate` (and the HAVING filter over it) and rewrite the select list and
    /// ORDER BY expressions to refer to its output.
    pub(crate) fn plan_aggregation(
        &self,
        input: LogicalPlan,
        group_by: Vec<Expr>,
        items: Vec<SelectExpr>,
        having: Option<(Expr, SqlSpan)>,
        sort_keys: Vec<SortKey>,
    ) -> Result<(LogicalPlan, Vec<SelectExpr>, Vec<SortKey>)> {
        let in_schema = input.schema().clone();
        let mut aggregates: Vec<(Expr, Expr)> = vec![];
        for item in &items {
            collect_aggregates(&item.expr, &in_schema, &mut aggregates);
        }
        if let Some((h, _)) = &having {
            collect_aggregates(h, &in_schema, &mut aggregates);
        }
        for key in &sort_keys {
            if let SortTarget::Expr(e) = &key.target {
                collect_aggregates(e, &in_schema, &mut aggregates);
            }
        }
        let groups: Vec<Expr> = group_by.iter().map(|g| normalize(g, &in_schema)).collect();
        let (aggr_exprs, aggr_normalized): (Vec<Expr>, Vec<Expr>) = aggregates.into_iter().unzip();
        let first_span = items.first().map_or(SqlSpan::empty(), |i| i.span);
        let aggregate = LogicalPlanBuilder::from(input).aggregate(group_by, aggr_exprs).at(first_span)?;
        let agg_schema = aggregate.schema().clone();
        let rewriter = AggregateRewriter {
            planner: self,
            in_schema: &in_schema,
            groups: &groups,
            aggregates: &aggr_normalized,
            agg_schema: &agg_schema,
        };

        let mut builder = aggregate;
        if let Some((h, span)) = having {
            let predicate = rewriter.rewrite(h, span)?;
            builder = builder.filter(predicate).at(span)?;
        }
        let items = items
            .into_iter()
            .map(|item| Ok(SelectExpr { expr: rewriter.rewrite(item.expr, item.span)?, ..item }))
            .collect::<Result<Vec<_>>>()?;
        let sort_keys = sort_keys
            .into_iter()
            .map(|key| {
                let target = match key.target {
                    SortTarget::Expr(e) => SortTarget::Expr(rewriter.rewrite(e, key.span)?),
                    t => t,
                };
                Ok(SortKey { target, ..key })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((builder.build()?, items, sort_keys))
    }
}

/// Rewrites expressions over the aggregate's input into expressions over its output.
struct AggregateRewriter<'a, 'p> {
    planner: &'a SqlPlanner<'p>,
    in_schema: &'a PlanSchema,
    /// Normalized group expressions; group `i` is output column `i`.
    groups: &'a [Expr],
    /// Normalized aggregate calls; call `j` is output column `groups.len() + j`.
    aggregates: &'a [Expr],
    agg_schema: &'a PlanSchema,
}

impl AggregateRewriter<'_, '_> {
    /// Replace each sub-expression equal to a group expression or aggregate call by the
    /// output column holding it; any other column reference is an error.
    fn rewrite(&self, expr: Expr, span: SqlSpan) -> Result<Expr> {
        let out = expr.transform_down(|e| {
            let n = normalize(&e, self.in_schema);
            if let Some(i) = self.groups.iter().position(|g| *g == n) {
                return Ok(Transformed::yes(Expr::Column(self.agg_schema.column(i))));
            }
            if let Some(j) = self.aggregates.iter().position(|a| *a == n) {
                let i = self.groups.len() + j;
                return Ok(Transformed::yes(Expr::Column(self.agg_schema.column(i))));
            }
            match (&e, &n) {
                (Expr::Column(written), Expr::Column(resolved)) => {
                    Err(self.ungrouped_column_error(written, resolved, span))
                }
                (Expr::AggregateFunction(_), _) => {
                    internal_err!("aggregate call {e} was not collected")
                }
                _ => Ok(Transformed::no(e)),
            }
        })?;
        Ok(out.data)
    }

    fn ungrouped_column_error(
        &self,
        written: &Column,
        resolved: &Column,
        fallback: SqlSpan,
    ) -> shoal_common::ShoalError {
        let span = self.planner.column_span(resolved, fallback).unwrap_or(fallback);
        plan_error_at(
            span,
            format!(
                "column '{}' must appear in the GROUP BY clause or be used in an aggregate function",
                written.flat_name()
            ),
        )
    }
}
