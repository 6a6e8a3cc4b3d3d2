//! [`PushDownFilter`]: move filter conjuncts as close to the scans as results allow.
//!
//! A `Filter`'s predicate is split at `AND`; adjacent filters are merged (duplicates dropped).
//! Each deterministic part then moves:
//! * through a `Projection`, rewritten onto the projection's expressions, when the expressions it
//!   reads are deterministic (and not ones `eliminate_common_subexpressions` computes once);
//! * through a `SubqueryAlias`, re-qualified to the inner schema;
//! * through a `Sort` without a fetch (a top-k's output depends on what reaches it);
//! * below an `Aggregate` with group keys, when it reads group columns only (rewritten onto the
//!   group expressions); never below a global aggregate, which yields a row even for no input;
//! * never through a `Limit`;
//! * into the inputs of a `Join`, or into its condition (see `push_down_filter_join.rs`);
//! * into every input of a `Union` / `SetOperation` (see `push_down_filter_union.rs`).
//!
//! At a `TableScan` (without a fetch) the parts the source can prune with are copied into
//! `TableScan.filters` as hints, and the `Filter` stays: sources skip data but do not filter rows.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Aggregate, Filter, Projection, Sort, SubqueryAlias, TableScan};
use shoal_expr::{Column, Expr, LogicalPlan, PlanSchema, Transformed, TreeNode};

use crate::eliminate_common_subexpressions::COMMON_EXPR_PREFIX;
use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::{is_deterministic, replace_columns, split_conjunction_owned};

/// Pushes filters towards the scans and hands pruning hints to the sources.
#[derive(Debug, Default, Clone, Copy)]
pub struct PushDownFilter;

impl OptimizerRule for PushDownFilter {
    fn name(&self) -> &'static str {
        "push_down_filter"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        // Top-down: a filter pushed one level is visited again as the child of what it crossed.
        plan.transform_down(|node| match node {
            LogicalPlan::Filter(filter) => push_filter(filter),
            LogicalPlan::Join(join) => crate::push_down_filter_join::push_join_condition(join),
            other => Ok(Transformed::no(other)),
        })
    }
}

/// The parts of a predicate that moved below a node, and those that stay above it.
struct Pushed {
    input: LogicalPlan,
    remaining: Vec<Expr>,
    changed: bool,
}

fn push_filter(filter: Filter) -> Result<Transformed<LogicalPlan>> {
    let original = filter.clone();
    let mut parts = split_conjunction_owned(filter.predicate);
    let mut input = Arc::unwrap_or_clone(filter.input);
    let mut merged = false;
    // Merge the filters directly below into this one; the inner predicate comes first.
    while let LogicalPlan::Filter(child) = input {
        let mut inner = split_conjunction_owned(child.predicate);
        for p in parts {
            if !(is_deterministic(&p) && inner.contains(&p)) {
                inner.push(p);
            }
        }
        parts = inner;
        input = Arc::unwrap_or_clone(child.input);
        merged = true;
    }
    let pushed = match input {
        LogicalPlan::Projection(p) => through_projection(parts, p)?,
        LogicalPlan::SubqueryAlias(s) => through_alias(parts, s)?,
        LogicalPlan::Sort(s) if s.fetch.is_none() => through_sort(parts, s)?,
        // not below grouping sets: there a grouping column is also NULL in rows of other sets
        LogicalPlan::Aggregate(a) if !a.group_expr.is_empty() && a.grouping_set().is_none() => {
            below_aggregate(parts, a)?
        }
        LogicalPlan::TableScan(s) if s.fetch.is_none() => into_scan(parts, s)?,
        LogicalPlan::Window(w) => {
            let (input, remaining, changed) = crate::push_down_filter_window::below_window(parts, w)?;
            Pushed { input, remaining, changed }
        }
        LogicalPlan::Join(j) => {
            let (input, remaining, changed) = crate::push_down_filter_join::through_join(parts, j)?;
            Pushed { input, remaining, changed }
        }
        LogicalPlan::Union(u) => {
            let (input, remaining, changed) = crate::push_down_filter_union::through_union(parts, u)?;
            Pushed { input, remaining, changed }
        }
        LogicalPlan::SetOperation(so) => {
            let (input, remaining, changed) =
                crate::push_down_filter_union::through_set_operation(parts, so)?;
            Pushed { input, remaining, changed }
        }
        other => Pushed { input: other, remaining: parts, changed: false },
    };
    if !merged && !pushed.changed {
        return Ok(Transformed::no(LogicalPlan::Filter(original)));
    }
    Ok(Transformed::yes(filter_over(pushed.remaining, pushed.input)?))
}

/// `input` filtered by the conjunction of `parts` (just `input` when there are none).
fn filter_over(parts: Vec<Expr>, input: LogicalPlan) -> Result<LogicalPlan> {
    Ok(match Expr::conjunction(parts) {
        Some(predicate) => LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(input))?),
        None => input,
    })
}

/// The field of `schema` a column refers to, when it is found unambiguously.
fn resolve(schema: &PlanSchema, column: &Column) -> Option<usize> {
    schema.maybe_index_of_column(column).ok().flatten()
}

/// Split `parts` into those `rewrite` can express below the node (rewritten) and the rest.
fn partition_parts(
    parts: Vec<Expr>,
    mut rewrite: impl FnMut(&Column) -> Option<Expr>,
) -> Result<(Vec<Expr>, Vec<Expr>)> {
    let mut below = vec![];
    let mut above = vec![];
    for part in parts {
        if !is_deterministic(&part) {
            above.push(part);
            continue;
        }
        match replace_columns(part.clone(), |c| Ok(rewrite(c)))? {
            Some(rewritten) => below.push(rewritten),
            None => above.push(part),
        }
    }
    Ok((below, above))
}

fn through_projection(parts: Vec<Expr>, p: Projection) -> Result<Pushed> {
    let (below, above) = partition_parts(parts, |c| {
        let e = p.exprs.get(resolve(&p.schema, c)?)?;
        // A column computed once by eliminate_common_subexpressions stays computed once.
        let common = matches!(e, Expr::Alias(a) if a.name.starts_with(COMMON_EXPR_PREFIX));
        (is_deterministic(e) && !common).then(|| e.clone().unalias())
    })?;
    let changed = !below.is_empty();
    let input = if changed {
        let inner = filter_over(below, Arc::unwrap_or_clone(p.input))?;
        LogicalPlan::Projection(Projection::try_new(p.exprs, Arc::new(inner))?)
    } else {
        LogicalPlan::Projection(p)
    };
    Ok(Pushed { input, remaining: above, changed })
}

fn through_alias(parts: Vec<Expr>, s: SubqueryAlias) -> Result<Pushed> {
    let inner_schema = Arc::clone(s.input.schema());
    let (below, above) = partition_parts(parts, |c| {
        let i = resolve(&s.schema, c)?;
        let inner = inner_schema.column(i);
        // The inner name must lead back to the same field.
        (resolve(&inner_schema, &inner) == Some(i)).then_some(Expr::Column(inner))
    })?;
    let changed = !below.is_empty();
    let input = if changed {
        let inner = filter_over(below, Arc::unwrap_or_clone(s.input))?;
        LogicalPlan::SubqueryAlias(SubqueryAlias::try_new(Arc::new(inner), s.alias)?)
    } else {
        LogicalPlan::SubqueryAlias(s)
    };
    Ok(Pushed { input, remaining: above, changed })
}

fn through_sort(parts: Vec<Expr>, s: Sort) -> Result<Pushed> {
    let (below, above) = partition_parts(parts, |c| Some(Expr::Column(c.clone())))?;
    let changed = !below.is_empty();
    let input = if changed {
        let inner = filter_over(below, Arc::unwrap_or_clone(s.input))?;
        LogicalPlan::Sort(Sort { input: Arc::new(inner), ..s })
    } else {
        LogicalPlan::Sort(s)
    };
    Ok(Pushed { input, remaining: above, changed })
}

fn below_aggregate(parts: Vec<Expr>, a: Aggregate) -> Result<Pushed> {
    let (below, above) = partition_parts(parts, |c| {
        let g = a.group_expr.get(resolve(&a.schema, c)?)?;
        is_deterministic(g).then(|| g.clone().unalias())
    })?;
    let changed = !below.is_empty();
    let input = if changed {
        let inner = filter_over(below, Arc::unwrap_or_clone(a.input))?;
        LogicalPlan::Aggregate(Aggregate::try_new(Arc::new(inner), a.group_expr, a.aggr_expr)?)
    } else {
        LogicalPlan::Aggregate(a)
    };
    Ok(Pushed { input, remaining: above, changed })
}

fn into_scan(parts: Vec<Expr>, mut scan: TableScan) -> Result<Pushed> {
    let mut changed = false;
    for part in &parts {
        if !is_deterministic(part) {
            continue;
        }
        // Name every column exactly as the scan's field (qualified by the table).
        let normalized = replace_columns(part.clone(), |c| {
            Ok(resolve(&scan.schema, c).map(|i| Expr::Column(scan.schema.column(i))))
        })?;
        if let Some(hint) = normalized {
            if !scan.filters.contains(&hint) && scan.source.can_prune_with(&hint) {
                scan.filters.push(hint);
                changed = true;
            }
        }
    }
    Ok(Pushed { input: LogicalPlan::TableScan(scan), remaining: parts, changed })
}
