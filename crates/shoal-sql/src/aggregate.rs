//! Aggregation: collect the aggregate calls of SELECT, HAVING and ORDER BY, build the
//! `Aggregate` (group expressions first, then the calls), and rewrite those clauses to refer
//! to its output columns.

use shoal_common::{internal_err, Result};
use shoal_expr::{Column, Expr, LogicalPlan, LogicalPlanBuilder, PlanSchema, GROUPING_ID_COLUMN};
use shoal_expr::{Transformed, TreeNode, TreeNodeRecursion};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::grouping::as_grouping_call;
use crate::select::{SelectExpr, SortKey, SortTarget};
use crate::span::{plan_error_at, WithSqlSpan};
use crate::SqlPlanner;
use shoal_expr::grouping_value;

/// `expr` with every column reference spelled as the field it resolves to in `schema`
/// (qualified, exact case), so that `a`, `t.a` and `T.A` compare equal. The DataFrame API
/// normalizes with it too, so both front ends match expressions the same way.
pub fn normalize(expr: &Expr, schema: &PlanSchema) -> Expr {
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
        // with a grouping set: its distinct expressions, then the grouping id, then the calls
        let grouping_set = matches!(group_by.as_slice(), [Expr::GroupingSet(_)]);
        let groups: Vec<Expr> = shoal_expr::grouping_set::output_group_exprs(&group_by)
            .at(first_group_span(&items))?
            .into_iter()
            .map(|g| normalize(g, &in_schema))
            .collect();
        let aggr_offset = groups.len() + usize::from(grouping_set);
        let (aggr_exprs, aggr_normalized): (Vec<Expr>, Vec<Expr>) = aggregates.into_iter().unzip();
        let first_span = items.first().map_or(SqlSpan::empty(), |i| i.span);
        let aggregate = LogicalPlanBuilder::from(input).aggregate(group_by, aggr_exprs).at(first_span)?;
        let agg_schema = aggregate.schema().clone();
        let rewriter = AggregateRewriter {
            planner: self,
            in_schema: &in_schema,
            groups: &groups,
            aggr_offset,
            grouping_set,
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
    /// Output column of the first aggregate call (after the grouping id, if any).
    aggr_offset: usize,
    /// Grouped by a grouping set (so `grouping(..)` reads the grouping id).
    grouping_set: bool,
    /// Normalized aggregate calls; call `j` is output column `aggr_offset + j`.
    aggregates: &'a [Expr],
    agg_schema: &'a PlanSchema,
}

impl AggregateRewriter<'_, '_> {
    /// Replace each sub-expression equal to a group expression or aggregate call by the
    /// output column holding it; any other column reference is an error.
    fn rewrite(&self, expr: Expr, span: SqlSpan) -> Result<Expr> {
        let out = expr.transform_down(|e| {
            if let Some(args) = as_grouping_call(&e) {
                return Ok(Transformed::yes(self.grouping(args, span)?));
            }
            if matches!(&e, Expr::Column(c) if c.relation.is_none() && c.name == GROUPING_ID_COLUMN) {
                return Ok(Transformed::no(e));
            }
            let n = normalize(&e, self.in_schema);
            if let Some(i) = self.groups.iter().position(|g| *g == n) {
                return Ok(Transformed::yes(Expr::Column(self.agg_schema.column(i))));
            }
            if let Some(j) = self.aggregates.iter().position(|a| *a == n) {
                let i = self.aggr_offset + j;
                return Ok(Transformed::yes(Expr::Column(self.agg_schema.column(i))));
            }
            match (&e, &n) {
                (Expr::Column(written), Expr::Column(resolved)) => {
                    Err(self.ungrouped_column_error(written, resolved, span))
                }
                (Expr::AggregateFunction(_), _) => {
                    internal_err!("aggregate call {e} was not collected")
                }
                (Expr::ScalarSubquery(sq), _)
                | (Expr::InSubquery(shoal_expr::InSubquery { subquery: sq, .. }), _)
                | (Expr::Exists(shoal_expr::Exists { subquery: sq, .. }), _) => {
                    self.check_grouped_outer_refs(sq, span)?;
                    Ok(Transformed::no(e))
                }
                _ => Ok(Transformed::no(e)),
            }
        })?;
        Ok(out.data)
    }

    /// A subquery over the aggregate's output may refer to this query's grouped columns only
    /// (they keep their names through the aggregate).
    fn check_grouped_outer_refs(&self, subquery: &shoal_expr::Subquery, span: SqlSpan) -> Result<()> {
        for r in &subquery.outer_refs {
            let Expr::OuterReferenceColumn(_, c) = r else { continue };
            let column = Expr::Column(c.clone());
            let n = normalize(&column, self.in_schema);
            let Expr::Column(resolved) = &n else { continue };
            if !matches!(self.in_schema.maybe_index_of_column(resolved), Ok(Some(_))) {
                continue; // a column of a query further out
            }
            if !self.groups.contains(&n) {
                return Err(self.ungrouped_column_error(c, resolved, span));
            }
        }
        Ok(())
    }

    /// `grouping(args)`: each argument must be a group expression.
    fn grouping(&self, args: &[Expr], span: SqlSpan) -> Result<Expr> {
        if args.is_empty() || args.len() > 31 {
            return Err(plan_error_at(span, "grouping() takes 1 to 31 arguments"));
        }
        let positions = args
            .iter()
            .map(|a| {
                let n = normalize(a, self.in_schema);
                self.groups.iter().position(|g| *g == n).ok_or_else(|| {
                    plan_error_at(
                        span,
                        format!("the arguments of grouping() must be GROUP BY expressions, {a} is not"),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(grouping_value(&positions, self.groups.len(), self.grouping_set))
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

/// The span to blame for a bad GROUP BY: the first select item's.
fn first_group_span(items: &[SelectExpr]) -> SqlSpan {
    items.first().map_or(SqlSpan::empty(), |i| i.span)
}
