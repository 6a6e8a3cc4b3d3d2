//! Shared machinery of the subquery rules: pulling correlated predicates (those that read
//! [`Expr::OuterReferenceColumn`]s) out of a subquery's plan so it can be joined once with the
//! outer query instead of being run per outer row.
//!
//! [`pull_up_correlation`] walks the subquery's plan from the root and lifts every predicate
//! that mentions an outer column to the top, rewritten over the root's output columns:
//! through filters, projections (which pass the needed inner columns through), aliases, inner
//! joins and aggregates (an equality `inner = outer` below an aggregate becomes a group key, so
//! the aggregate computes one row per correlation key). What cannot be lifted (a correlated
//! LIMIT, a correlation under an outer join, ...) is reported as not supported.

use std::sync::Arc;

use shoal_common::{not_supported, Result};
use shoal_expr::join::{split_join_condition, Join, JoinType};
use shoal_expr::plan::{Aggregate, Filter, Projection, SubqueryAlias};
use shoal_expr::type_coercion::coerce_expr;
use shoal_expr::{
    BinaryExpr, Column, Expr, LogicalPlan, Operator, PlanSchema, Transformed, TreeNode, TreeNodeRecursion,
};

use crate::utils::split_conjunction_owned;

/// How the enclosing expression consumes the subquery's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Consumer {
    /// `EXISTS`: only whether a row exists matters.
    Exists,
    /// `IN`: only which values exist matters, not how often or in which order.
    Set,
    /// A scalar subquery: the value of its one row.
    Scalar,
}

/// A subquery plan with its correlated predicates lifted out.
#[derive(Debug)]
pub(crate) struct PulledUp {
    /// The plan, free of references to the outer query being decorrelated. Its first
    /// columns are those of the original plan; columns the predicates need come after.
    pub plan: LogicalPlan,
    /// The correlated predicates over `plan`'s output columns and outer references.
    pub predicates: Vec<Expr>,
    /// An aggregate without GROUP BY (one row, even over no input) now groups by the
    /// correlation keys (one row per key that has input rows): the "count bug" applies.
    pub keyed_ungrouped_aggregate: bool,
}

/// True when `expr` reads a column of an enclosing query.
pub(crate) fn has_outer_ref(expr: &Expr) -> bool {
    let mut found = false;
    let _ = expr.apply(|e| {
        if matches!(e, Expr::OuterReferenceColumn(..)) {
            found = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// True when some node of `plan` reads a column of an enclosing query.
pub(crate) fn plan_has_outer_ref(plan: &LogicalPlan) -> bool {
    let mut found = false;
    let _ = plan.apply(|node| {
        if node.expressions().into_iter().any(has_outer_ref) {
            found = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// Lift the correlated predicates of `plan` (a subquery's plan, its own subqueries already
/// decorrelated) to its root.
pub(crate) fn pull_up_correlation(plan: &LogicalPlan, consumer: Consumer) -> Result<PulledUp> {
    let mut puller = Puller { consumer, keyed_ungrouped_aggregate: false, fresh: 0 };
    let (plan, predicates) = puller.pull(plan)?;
    Ok(PulledUp { plan, predicates, keyed_ungrouped_aggregate: puller.keyed_ungrouped_aggregate })
}

struct Puller {
    consumer: Consumer,
    keyed_ungrouped_aggregate: bool,
    /// Counter for the names of passed-through columns.
    fresh: usize,
}

impl Puller {
    fn pull(&mut self, plan: &LogicalPlan) -> Result<(LogicalPlan, Vec<Expr>)> {
        if !plan_has_outer_ref(plan) {
            return Ok((plan.clone(), vec![]));
        }
        match plan {
            LogicalPlan::Filter(f) => {
                let (input, mut preds) = self.pull(&f.input)?;
                let mut kept = vec![];
                for part in split_conjunction_owned(f.predicate.clone()) {
                    if has_outer_ref(&part) {
                        if part.contains_subquery() {
                            return not_supported!(
                                "a correlated subquery whose condition {part} holds a subquery"
                            );
                        }
                        preds.push(part);
                    } else {
                        kept.push(part);
                    }
                }
                let plan = match Expr::conjunction(kept) {
                    Some(p) => LogicalPlan::Filter(Filter::try_new(p, Arc::new(input))?),
                    None => input,
                };
                Ok((plan, preds))
            }
            LogicalPlan::Projection(p) => {
                if p.exprs.iter().any(has_outer_ref) {
                    return not_supported!(
                        "a correlated subquery whose select list reads a column of the outer query"
                    );
                }
                let (input, preds) = self.pull(&p.input)?;
                let mut exprs = p.exprs.clone();
                let preds = self.pass_through(&mut exprs, input.schema(), preds)?;
                let plan = LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(input))?);
                Ok((plan, preds))
            }
            LogicalPlan::SubqueryAlias(s) => {
                let (input, preds) = self.pull(&s.input)?;
                let plan = LogicalPlan::SubqueryAlias(SubqueryAlias::try_new(Arc::new(input), &s.alias)?);
                let (from, to) = (plan.inputs()[0].schema().clone(), plan.schema().clone());
                let preds =
                    preds.into_iter().map(|e| requalify(e, &from, &to)).collect::<Result<Vec<_>>>()?;
                Ok((plan, preds))
            }
            LogicalPlan::Aggregate(a) => self.pull_aggregate(a),
            LogicalPlan::Limit(l)
                if self.consumer == Consumer::Exists && l.skip == 0 && l.fetch != Some(0) =>
            {
                // a row exists within the limit exactly when one exists at all
                self.pull(&l.input)
            }
            LogicalPlan::Sort(s)
                if s.fetch.is_none() || (self.consumer == Consumer::Exists && s.fetch != Some(0)) =>
            {
                // order does not matter for a set, and a scalar subquery has one row
                self.pull(&s.input)
            }
            LogicalPlan::Join(j) => self.pull_join(j),
            other => not_supported!(
                "a correlated subquery with {} between the outer reference and the subquery's \
                 result",
                other.node_description()
            ),
        }
    }

    /// Make `exprs` (a projection over `schema`) also output every inner column `preds` reads,
    /// and rewrite `preds` over the projection's output.
    fn pass_through(
        &mut self,
        exprs: &mut Vec<Expr>,
        schema: &PlanSchema,
        preds: Vec<Expr>,
    ) -> Result<Vec<Expr>> {
        let mut map: Vec<(Column, Column)> = vec![];
        for pred in &preds {
            for c in pred.column_refs() {
                if map.iter().any(|(from, _)| *from == c) {
                    continue;
                }
                let i = schema.index_of_column(&c)?;
                let resolved = schema.column(i);
                let existing = exprs.iter().position(|e| matches!(e, Expr::Column(x) if *x == resolved));
                let clashes = || exprs.iter().any(|e| e.name().eq_ignore_ascii_case(&resolved.name));
                let to = match existing {
                    Some(_) => resolved,
                    None if !clashes() => {
                        exprs.push(Expr::Column(resolved.clone()));
                        resolved
                    }
                    None => {
                        let name = format!("__corr_col_{}", self.fresh);
                        self.fresh += 1;
                        exprs.push(Expr::Column(resolved).alias(&name));
                        Column::from_name(name)
                    }
                };
                map.push((c, to));
            }
        }
        preds
            .into_iter()
            .map(|e| {
                let t = e.transform_up(|e| match e {
                    Expr::Column(c) => match map.iter().find(|(from, _)| *from == c) {
                        Some((_, to)) => Ok(Transformed::yes(Expr::Column(to.clone()))),
                        None => Ok(Transformed::no(Expr::Column(c))),
                    },
                    e => Ok(Transformed::no(e)),
                })?;
                Ok(t.data)
            })
            .collect()
    }

    /// Correlation below an aggregate: each `inner = outer` equality becomes a group key.
    fn pull_aggregate(&mut self, a: &Aggregate) -> Result<(LogicalPlan, Vec<Expr>)> {
        if a.group_expr.iter().chain(a.aggr_expr.iter()).any(has_outer_ref) {
            return not_supported!(
                "a correlated subquery whose aggregate or GROUP BY reads a column of the outer query"
            );
        }
        let (input, preds) = self.pull(&a.input)?;
        if a.group_expr.is_empty() && self.consumer != Consumer::Scalar {
            return not_supported!("a correlated EXISTS / IN subquery over an aggregate without GROUP BY");
        }
        let mut group_expr = a.group_expr.clone();
        // (index of the group key, outer side of the equality)
        let mut keys: Vec<(usize, Expr)> = vec![];
        for pred in preds {
            let Some((inner, outer)) = correlation_equality(&pred) else {
                return not_supported!(
                    "the correlated condition {pred} below an aggregate (only equalities \
                     between a column of the subquery and one of the outer query are supported)"
                );
            };
            let index = match group_expr.iter().position(|g| *g == inner) {
                Some(i) => i,
                None => {
                    group_expr.push(inner);
                    group_expr.len() - 1
                }
            };
            keys.push((index, outer));
        }
        if a.group_expr.is_empty() {
            self.keyed_ungrouped_aggregate = true;
        }
        // The added keys go after the original groups, so the aggregate's columns move; a
        // projection puts them back in place (as the parent expects) and the keys last.
        let n_groups = a.group_expr.len();
        let aggregate = Aggregate::try_new(Arc::new(input), group_expr, a.aggr_expr.clone())?;
        let schema = aggregate.schema.clone();
        let n_keys = schema.len() - a.aggr_expr.len();
        let mut exprs: Vec<Expr> =
            (0..n_groups).chain(n_keys..schema.len()).map(|i| Expr::Column(schema.column(i))).collect();
        let mut preds = vec![];
        let mut key_names: Vec<(usize, Column)> = vec![];
        for (index, outer) in keys {
            let column = if index < n_groups {
                schema.column(index)
            } else if let Some((_, c)) = key_names.iter().find(|(i, _)| *i == index) {
                c.clone()
            } else {
                let name = format!("__corr_key_{}", self.fresh);
                self.fresh += 1;
                exprs.push(Expr::Column(schema.column(index)).alias(&name));
                key_names.push((index, Column::from_name(&name)));
                Column::from_name(name)
            };
            preds.push(Expr::Column(column).eq(outer));
        }
        let plan =
            LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(LogicalPlan::Aggregate(aggregate)))?);
        Ok((plan, preds))
    }

    /// Correlation inside a join: through inner joins; a semi join becomes an inner join
    /// when only the existence of rows matters.
    fn pull_join(&mut self, j: &Join) -> Result<(LogicalPlan, Vec<Expr>)> {
        let join_type = match j.join_type {
            JoinType::Inner => JoinType::Inner,
            JoinType::LeftSemi if self.consumer != Consumer::Scalar => JoinType::Inner,
            other => return not_supported!("a correlated subquery with a correlation under a {other} join"),
        };
        if j.on.iter().any(|(l, r)| has_outer_ref(l) || has_outer_ref(r)) {
            return not_supported!("a correlated join key in a subquery");
        }
        let (left, mut preds) = self.pull(&j.left)?;
        let (right, right_preds) = self.pull(&j.right)?;
        preds.extend(right_preds);
        let mut kept = vec![];
        for part in j.filter.clone().map(split_conjunction_owned).unwrap_or_default() {
            if has_outer_ref(&part) {
                preds.push(part);
            } else {
                kept.push(part);
            }
        }
        let join = Join::try_new(
            Arc::new(left),
            Arc::new(right),
            j.on.clone(),
            Expr::conjunction(kept),
            join_type,
            false,
        )?;
        Ok((LogicalPlan::Join(join), preds))
    }
}

/// `inner = outer` (either order) where `inner` reads only subquery columns and `outer` only
/// outer references: `(inner, outer)`.
pub(crate) fn correlation_equality(pred: &Expr) -> Option<(Expr, Expr)> {
    let Expr::BinaryExpr(BinaryExpr { left, op: Operator::Eq, right }) = pred else {
        return None;
    };
    let only_outer = |e: &Expr| has_outer_ref(e) && e.column_refs().is_empty();
    let only_inner = |e: &Expr| !has_outer_ref(e) && !e.column_refs().is_empty();
    if only_inner(left) && only_outer(right) {
        Some((left.as_ref().clone(), right.as_ref().clone()))
    } else if only_outer(left) && only_inner(right) {
        Some((right.as_ref().clone(), left.as_ref().clone()))
    } else {
        None
    }
}

/// `expr`'s columns, resolved in `from`, renamed to the same positions of `to`.
fn requalify(expr: Expr, from: &PlanSchema, to: &PlanSchema) -> Result<Expr> {
    Ok(expr
        .transform_up(|e| match e {
            Expr::Column(c) => {
                let i = from.index_of_column(&c)?;
                Ok(Transformed::yes(Expr::Column(to.column(i))))
            }
            e => Ok(Transformed::no(e)),
        })?
        .data)
}

/// Wrap `plan` in an alias `<prefix>_<n>` with the first `n` not used as a qualifier anywhere
/// in `context` (the outer plan it is joined with), and rewrite `preds` (over `plan`'s columns)
/// to the aliased columns (by position).
pub(crate) fn alias_subquery(
    plan: LogicalPlan,
    preds: Vec<Expr>,
    prefix: &str,
    context: &LogicalPlan,
) -> Result<(LogicalPlan, Vec<Expr>)> {
    let mut used = 0usize;
    let _ = context.apply(|node| {
        for q in node.schema().qualifiers().iter().flatten() {
            if let Some(n) = q
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('_'))
                .and_then(|n| n.parse::<usize>().ok())
            {
                used = used.max(n);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    let alias = format!("{prefix}_{}", used + 1);
    let from = plan.schema().clone();
    // An unqualified column of the outer side (an aggregate's output, say) would match a
    // same-named column of the subquery too: rename those.
    let outer = context.schema();
    let clashes = |name: &str| {
        (0..outer.len())
            .any(|i| outer.qualifier(i).is_none() && outer.field(i).name().eq_ignore_ascii_case(name))
    };
    let plan = if from.fields().iter().any(|f| clashes(f.name())) {
        let exprs = (0..from.len())
            .map(|i| {
                let c = Expr::Column(from.column(i));
                if clashes(from.field(i).name()) {
                    c.alias(format!("__sq_col_{i}"))
                } else {
                    c
                }
            })
            .collect();
        LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(plan))?)
    } else {
        plan
    };
    let aliased = LogicalPlan::SubqueryAlias(SubqueryAlias::try_new(Arc::new(plan), alias)?);
    let to = aliased.schema().clone();
    let preds = preds.into_iter().map(|p| requalify(p, &from, &to)).collect::<Result<Vec<_>>>()?;
    Ok((aliased, preds))
}

/// Replace the outer references of `expr` that resolve in `outer` (the input of the node
/// being decorrelated) by plain columns; references to queries further out stay.
pub(crate) fn resolve_outer_refs(expr: Expr, outer: &PlanSchema) -> Result<Expr> {
    Ok(expr
        .transform_up(|e| match e {
            Expr::OuterReferenceColumn(t, c) => match outer.maybe_index_of_column(&c)? {
                Some(i) => Ok(Transformed::yes(Expr::Column(outer.column(i)))),
                None => Ok(Transformed::no(Expr::OuterReferenceColumn(t, c))),
            },
            e => Ok(Transformed::no(e)),
        })?
        .data)
}

/// Join `left` (the outer input) with `right` (the aliased subquery) on the correlated
/// predicates `preds` (over the right columns and outer references) plus `extra` conditions
/// (over both sides, already resolved). Equalities between the sides become hash keys.
pub(crate) fn join_on_predicates(
    left: LogicalPlan,
    right: LogicalPlan,
    preds: Vec<Expr>,
    extra: Vec<Expr>,
    join_type: JoinType,
) -> Result<LogicalPlan> {
    let mut resolved = vec![];
    let mut unresolved = vec![];
    for p in preds {
        let p = resolve_outer_refs(p, left.schema())?;
        if has_outer_ref(&p) {
            unresolved.push(p);
        } else {
            resolved.push(p);
        }
    }
    resolved.extend(extra);
    let joined = left.schema().join(right.schema());
    let (on, filter) = match Expr::conjunction(resolved) {
        Some(cond) => {
            let cond = coerce_expr(cond, &joined)?;
            split_join_condition(cond, left.schema(), right.schema())?
        }
        None => (vec![], None),
    };
    let filter = Expr::conjunction(filter.into_iter().chain(unresolved));
    Ok(LogicalPlan::Join(Join::try_new(Arc::new(left), Arc::new(right), on, filter, join_type, false)?))
}

/// A projection of `plan` back to the columns of `schema` (after a join added columns).
pub(crate) fn project_to(plan: LogicalPlan, schema: &PlanSchema) -> Result<LogicalPlan> {
    let exprs = schema.columns().into_iter().map(Expr::Column).collect();
    Ok(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(plan))?))
}

/// `expr` (over `schema`) with every column reference spelled as the field it resolves to
/// (qualified), so it stays unambiguous once the subquery's columns are joined in.
pub(crate) fn qualify_columns(expr: Expr, schema: &PlanSchema) -> Result<Expr> {
    Ok(expr
        .transform_up(|e| match e {
            Expr::Column(c) => {
                let i = schema.index_of_column(&c)?;
                Ok(Transformed::yes(Expr::Column(schema.column(i))))
            }
            e => Ok(Transformed::no(e)),
        })?
        .data)
}
