//! Aggregation planning shared by `select` (a global aggregate), `group_by().agg()` and the
//! grouping-set forms (`rollup`, `cube`, `grouping_sets`): one `Aggregate` of the keys and the
//! aggregate calls found in the items, and the items rewritten over its output — the shapes the
//! SQL planner builds for `SELECT .. GROUP BY`, including `grouping(key)`.

use shoal_common::{plan_err, Result};
use shoal_expr::expr_fn::GroupingFunction;
use shoal_expr::{
    grouping_value, Expr, GroupingSet, LogicalPlan, LogicalPlanBuilder, PlanSchema, Transformed, TreeNode,
    TreeNodeRecursion, GROUPING_ID_COLUMN,
};

use super::resolve::normalize;
use super::select::Item;

/// What an aggregation groups by.
#[derive(Debug, Clone)]
pub(crate) enum Grouping {
    /// Plain keys (`group_by`; empty for a global aggregate).
    Keys(Vec<Expr>),
    /// One grouping set over resolved keys (`rollup`, `cube`, `grouping_sets`).
    Set(GroupingSet),
}

/// The aggregate calls in `expr`, added to `out` (call, normalized call) unless already there.
fn collect_aggregates(expr: &Expr, schema: &PlanSchema, out: &mut Vec<(Expr, Expr)>) -> Result<()> {
    let mut nested = None;
    let _ = expr.apply(|e| {
        if let Expr::AggregateFunction(a) = e {
            if a.args.iter().any(Expr::contains_aggregate) {
                nested = Some(e.clone());
                return Ok(TreeNodeRecursion::Stop);
            }
            let n = normalize(e, schema);
            if !out.iter().any(|(_, x)| *x == n) {
                out.push((e.clone(), n));
            }
            return Ok(TreeNodeRecursion::Jump);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    match nested {
        Some(e) => plan_err!("aggregate function calls cannot be nested: {e}"),
        None => Ok(()),
    }
}

/// The group expressions of `grouping` for the builder, and the distinct normalized keys
/// (key `i` is output column `i` of the aggregate).
fn group_exprs(grouping: Grouping, schema: &PlanSchema) -> Result<(Vec<Expr>, Vec<Expr>)> {
    let keys: Vec<Expr> = match &grouping {
        Grouping::Keys(keys) => keys.clone(),
        Grouping::Set(set) => set.distinct_exprs().into_iter().cloned().collect(),
    };
    for g in &keys {
        if g.contains_aggregate() || g.contains_window() {
            return plan_err!("grouping keys cannot contain aggregate or window functions: {g}");
        }
    }
    match grouping {
        Grouping::Keys(keys) => {
            let mut unique: Vec<Expr> = vec![];
            let mut normalized: Vec<Expr> = vec![];
            for g in keys {
                let n = normalize(&g, schema);
                if !normalized.contains(&n) {
                    normalized.push(n);
                    unique.push(g);
                }
            }
            Ok((unique, normalized))
        }
        Grouping::Set(set) => {
            let set = set.map_exprs(|e| Ok(normalize(&e, schema)))?;
            let normalized = set.distinct_exprs().into_iter().cloned().collect();
            Ok((vec![Expr::GroupingSet(set)], normalized))
        }
    }
}

/// The `Aggregate` of `grouping` and the items' aggregate calls, and the items rewritten to
/// refer to its output columns (`grouping(key)` to bits of the grouping id).
pub(crate) fn plan_aggregation(
    input: LogicalPlan,
    grouping: Grouping,
    items: Vec<Item>,
) -> Result<(LogicalPlan, Vec<Item>)> {
    let in_schema = input.schema().clone();
    let is_set = matches!(grouping, Grouping::Set(_));
    let (group_by, keys) = group_exprs(grouping, &in_schema)?;
    let mut aggregates = vec![];
    for item in &items {
        collect_aggregates(&item.expr, &in_schema, &mut aggregates)?;
    }
    let (aggr_exprs, aggr_normalized): (Vec<Expr>, Vec<Expr>) = aggregates.into_iter().unzip();
    // with a grouping set: the keys, then the grouping id, then the aggregate calls
    let offset = keys.len() + usize::from(is_set);
    let aggregate = LogicalPlanBuilder::from(input).aggregate(group_by, aggr_exprs)?.build()?;
    let agg_schema = aggregate.schema().clone();
    let rewrite = |expr: Expr| -> Result<Expr> {
        let out = expr.transform_down(|e| {
            if let Expr::ScalarFunction(f) = &e {
                if GroupingFunction::is(f.func.as_ref()) {
                    let positions = grouping_positions(&f.args, &keys, &in_schema)?;
                    return Ok(Transformed::yes(grouping_value(&positions, keys.len(), is_set)));
                }
            }
            if matches!(&e, Expr::Column(c) if c.relation.is_none() && c.name == GROUPING_ID_COLUMN) {
                // read by a rewritten grouping(..) call
                return Ok(Transformed::no(e));
            }
            let n = normalize(&e, &in_schema);
            if let Some(i) = keys.iter().position(|g| *g == n) {
                return Ok(Transformed::yes(Expr::Column(agg_schema.column(i))));
            }
            if let Some(j) = aggr_normalized.iter().position(|a| *a == n) {
                return Ok(Transformed::yes(Expr::Column(agg_schema.column(offset + j))));
            }
            match &e {
                Expr::Column(c) => plan_err!(
                    "column '{}' must be a grouping key or be used in an aggregate function",
                    c.flat_name()
                ),
                _ => Ok(Transformed::no(e)),
            }
        })?;
        Ok(out.data)
    };
    let items = items
        .into_iter()
        .map(|item| Ok(Item { expr: rewrite(item.expr)?, name: item.name }))
        .collect::<Result<Vec<_>>>()?;
    Ok((aggregate, items))
}

/// The position among `keys` of each argument of a `grouping(..)` call.
fn grouping_positions(args: &[Expr], keys: &[Expr], schema: &PlanSchema) -> Result<Vec<usize>> {
    if args.is_empty() || args.len() > 31 {
        return plan_err!("grouping() takes 1 to 31 arguments, got {}", args.len());
    }
    args.iter()
        .map(|a| {
            let n = normalize(a, schema);
            match keys.iter().position(|k| *k == n) {
                Some(p) => Ok(p),
                None => plan_err!("the argument of grouping() must be a grouping key, {a} is not"),
            }
        })
        .collect()
}
