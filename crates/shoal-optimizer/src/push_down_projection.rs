//! [`PushDownProjection`]: read and compute only the columns the query uses.
//!
//! Walking down from the root, each node works out which columns it needs from its input:
//! * `Projection`: the columns of the expressions its parent uses (the others are dropped; a
//!   projection whose parent uses nothing is removed, and one that passes its input through
//!   unchanged — same columns, order, names and qualifiers — disappears);
//! * `Aggregate`: its group keys and the arguments/filters of the aggregates its parent uses
//!   (unused aggregates are dropped, but a global aggregate keeps at least one);
//! * `Filter` / `Sort`: what the parent uses plus the predicate / sort keys;
//! * `Limit` / `SubqueryAlias`: what the parent uses;
//! * `Join`: per input, what the parent uses from it plus the keys and the residual filter;
//! * `TableScan`: `projection` is narrowed to those columns (plus columns of its pruning
//!   filters) — possibly `Some(vec![])` for `SELECT count(*)`.
//!
//! The root needs all its columns, so the plan's output schema never changes. Below the root a
//! node may keep more columns than its parent needs; parents refer to columns by name, and every
//! parent is rebuilt with `with_new_inputs` so its schema is recomputed.
//!
//! The needed columns flow from parent to child, so the walk is top-down through
//! [`TreeNode::map_children`] with a per-node requirement, as in DataFusion's
//! `optimize_projections`.

use std::collections::BTreeSet;
use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Aggregate, Projection, TableScan};
use shoal_expr::{Expr, LogicalPlan, PlanSchema, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::column_indices;

/// Narrows scans and projections to the columns that are used.
#[derive(Debug, Default, Clone, Copy)]
pub struct PushDownProjection;

impl OptimizerRule for PushDownProjection {
    fn name(&self) -> &'static str {
        "push_down_projection"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        let all: BTreeSet<usize> = (0..plan.schema().len()).collect();
        prune(plan, &all)
    }
}

/// Rewrite `plan` so it computes at least the output columns `required` (indices into its
/// current schema), under the same names and qualifiers.
fn prune(plan: LogicalPlan, required: &BTreeSet<usize>) -> Result<Transformed<LogicalPlan>> {
    match plan {
        LogicalPlan::Projection(p) => prune_projection(p, required),
        LogicalPlan::Aggregate(a) => prune_aggregate(a, required),
        LogicalPlan::TableScan(s) => prune_scan(s, required),
        LogicalPlan::Filter(_) | LogicalPlan::Sort(_) => {
            // Same schema as the input, plus the columns of their own expressions.
            let own = column_indices(plan.expressions(), plan.schema())?;
            let child: BTreeSet<usize> = required.union(&own).copied().collect();
            plan.map_children(|c| prune(c, &child))
        }
        // Same columns at the same positions as the input.
        LogicalPlan::Limit(_) | LogicalPlan::SubqueryAlias(_) => plan.map_children(|c| prune(c, required)),
        LogicalPlan::EmptyRelation(_) | LogicalPlan::Values(_) => Ok(Transformed::no(plan)),
        LogicalPlan::Union(u) => crate::push_down_projection_union::prune_union(u, required, prune),
        // Set operations compare whole rows, and a recursive query's terms must keep the work
        // table's columns: every input column is needed.
        LogicalPlan::SetOperation(_) | LogicalPlan::RecursiveQuery(_) => plan.map_children(|c| {
            let all: BTreeSet<usize> = (0..c.schema().len()).collect();
            prune(c, &all)
        }),
        LogicalPlan::WorkTableScan(_) => Ok(Transformed::no(plan)),
        LogicalPlan::Window(w) => crate::push_down_projection_window::prune_window(w, required, prune),
        LogicalPlan::Join(j) => crate::push_down_projection_join::prune_join(j, required, prune),
    }
}

fn prune_projection(p: Projection, required: &BTreeSet<usize>) -> Result<Transformed<LogicalPlan>> {
    let total = p.exprs.len();
    if required.is_empty() {
        // The parent uses no column (e.g. `count(*)`): only the row count matters.
        let input = Arc::unwrap_or_clone(p.input);
        let out = prune(input, &BTreeSet::new())?;
        return Ok(Transformed::yes(out.data));
    }
    let exprs: Vec<Expr> =
        p.exprs.iter().enumerate().filter(|(i, _)| required.contains(i)).map(|(_, e)| e.clone()).collect();
    let mut changed = exprs.len() != total;
    let child_required = column_indices(&exprs, p.input.schema())?;
    let input = prune(Arc::unwrap_or_clone(p.input), &child_required)?;
    changed |= input.transformed;
    let input = input.data;
    if is_identity(&exprs, &input)? {
        return Ok(Transformed::yes(input));
    }
    let plan = if changed {
        LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(input))?)
    } else {
        // Nothing changed: keep the node as it was (its schema Arc included).
        LogicalPlan::Projection(Projection { exprs, input: Arc::new(input), schema: p.schema })
    };
    Ok(Transformed::new(plan, changed))
}

/// True when `exprs` over `input` pass every input column through, in order, under the same
/// names and qualifiers.
fn is_identity(exprs: &[Expr], input: &LogicalPlan) -> Result<bool> {
    let schema = input.schema();
    if exprs.len() != schema.len() {
        return Ok(false);
    }
    for (i, e) in exprs.iter().enumerate() {
        let Expr::Column(c) = e else {
            return Ok(false);
        };
        if schema.maybe_index_of_column(c).ok().flatten() != Some(i) {
            return Ok(false);
        }
        let (qualifier, field) = e.to_field(schema)?;
        if field.name() != schema.field(i).name() || qualifier.as_deref() != schema.qualifier(i) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn prune_aggregate(a: Aggregate, required: &BTreeSet<usize>) -> Result<Transformed<LogicalPlan>> {
    let groups = a.group_output_len();
    let mut aggr_expr: Vec<Expr> = a
        .aggr_expr
        .iter()
        .enumerate()
        .filter(|(i, _)| required.contains(&(groups + i)))
        .map(|(_, e)| e.clone())
        .collect();
    // A global aggregate always yields one row; keep one aggregate so it has a column.
    if groups == 0 && aggr_expr.is_empty() {
        aggr_expr.extend(a.aggr_expr.first().cloned());
    }
    let changed = aggr_expr.len() != a.aggr_expr.len();
    let child_required = column_indices(a.group_expr.iter().chain(&aggr_expr), a.input.schema())?;
    let input = prune(Arc::unwrap_or_clone(a.input), &child_required)?;
    if !changed && !input.transformed {
        return Ok(Transformed::no(LogicalPlan::Aggregate(Aggregate {
            input: Arc::new(input.data),
            aggr_expr,
            ..a
        })));
    }
    let plan = Aggregate::try_new(Arc::new(input.data), a.group_expr, aggr_expr)?;
    Ok(Transformed::yes(LogicalPlan::Aggregate(plan)))
}

fn prune_scan(scan: TableScan, required: &BTreeSet<usize>) -> Result<Transformed<LogicalPlan>> {
    let table = scan.source.schema();
    // Table indices currently read, in output order.
    let current: Vec<usize> = match &scan.projection {
        Some(p) => p.clone(),
        None => (0..table.fields().len()).collect(),
    };
    // Columns the pruning filters read, as positions in the current output.
    let full = PlanSchema::from_arrow(&table, Some(&scan.table_name));
    let filter_cols = column_indices(&scan.filters, &full)?;
    let keep: Vec<usize> = current
        .iter()
        .enumerate()
        .filter(|(pos, table_index)| required.contains(pos) || filter_cols.contains(table_index))
        .map(|(_, &table_index)| table_index)
        .collect();
    if keep.len() == current.len() {
        return Ok(Transformed::no(LogicalPlan::TableScan(scan)));
    }
    let TableScan { table_name, source, filters, fetch, .. } = scan;
    let narrowed = TableScan::try_new(table_name, source, Some(keep), filters, fetch)?;
    Ok(Transformed::yes(LogicalPlan::TableScan(narrowed)))
}
