//! [`EliminateCommonSubexpressions`]: compute an expression repeated within one node once.
//!
//! In a `Projection`, an `Aggregate` (the arguments of its aggregate calls) or a `Filter`, every
//! non-trivial sub-expression (not a column, a cast of one or a constant; deterministic; no aggregate, window or
//! subquery) that occurs at least twice is computed once, as `__common_expr_N`, by a projection
//! inserted below the node, and the node refers to that column instead — as TPC-H Q1's
//! `l_extendedprice * (1 - l_discount)`, which appears in two sums. The largest repeated
//! expressions are taken (a repeated expression's own parts are not extracted separately).
//!
//! Only expressions that the node evaluates for every row at least once qualify: an occurrence
//! under `CASE`, the right side of `AND` / `OR` (evaluated only when the left does not decide)
//! or an aggregate with `FILTER` may be skipped at run time, so computing it for every row
//! could raise an error (division by zero) the query would not raise; such occurrences count
//! only when the expression also appears unconditionally.
//!
//! Output names do not change: a rewritten projection or aggregate expression keeps its name
//! by an alias, and a filter gets a projection on top that drops the extra column.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Aggregate, Filter, Projection};
use shoal_expr::{BinaryExpr, Column, Expr, LogicalPlan, Operator, Transformed, TreeNode, TreeNodeRecursion};

use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::is_deterministic;

/// The name prefix of the extracted columns; `push_down_filter` does not push a filter through
/// a projection computing them (it would inline the expression again).
pub(crate) const COMMON_EXPR_PREFIX: &str = "__common_expr_";

/// Computes repeated expressions once, in a projection below the node.
#[derive(Debug, Default, Clone, Copy)]
pub struct EliminateCommonSubexpressions;

impl OptimizerRule for EliminateCommonSubexpressions {
    fn name(&self) -> &'static str {
        "eliminate_common_subexpressions"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| match node {
            LogicalPlan::Projection(p) => rewrite_projection(p),
            LogicalPlan::Aggregate(a) => rewrite_aggregate(a),
            LogicalPlan::Filter(f) => rewrite_filter(f),
            other => Ok(Transformed::no(other)),
        })
    }
}

/// Occurrence counts of candidate expressions: (expression, all, unconditional).
#[derive(Default)]
struct Occurrences(Vec<(Expr, usize, usize)>);

impl Occurrences {
    fn add(&mut self, e: &Expr, unconditional: bool) {
        let u = usize::from(unconditional);
        match self.0.iter_mut().find(|(x, _, _)| x == e) {
            Some((_, n, k)) => {
                *n += 1;
                *k += u;
            }
            None => self.0.push((e.clone(), 1, u)),
        }
    }

    /// Count the candidates in `expr`; `unconditional` when the node evaluates it for every row.
    fn visit(&mut self, expr: &Expr, unconditional: bool) {
        if is_candidate(expr) {
            self.add(expr, unconditional);
        }
        match expr {
            Expr::Case(_) => {
                let _ = expr.apply_children(|c| {
                    self.visit(c, false);
                    Ok(TreeNodeRecursion::Continue)
                });
            }
            Expr::BinaryExpr(BinaryExpr { left, op: Operator::And | Operator::Or, right }) => {
                self.visit(left, unconditional);
                self.visit(right, false);
            }
            Expr::AggregateFunction(a) => {
                let args_unconditional = unconditional && a.filter.is_none();
                for arg in &a.args {
                    self.visit(arg, args_unconditional);
                }
                if let Some(f) = &a.filter {
                    self.visit(f, unconditional);
                }
            }
            _ => {
                let _ = expr.apply_children(|c| {
                    self.visit(c, unconditional);
                    Ok(TreeNodeRecursion::Continue)
                });
            }
        }
    }

    /// The largest expression to extract, if any.
    fn largest_common(self) -> Option<Expr> {
        self.0.into_iter().filter(|(_, n, k)| *n >= 2 && *k >= 1).map(|(e, _, _)| e).max_by_key(size)
    }
}

/// An extracted expression and the column that now holds its value.
type Extracted = (Expr, Column);

/// Repeatedly take the largest repeated expression of `exprs` (counted by `visit`) and replace
/// it by a new column, until none is left: the parts of an extracted expression are counted
/// only where they still occur outside it. Returns the rewritten expressions and the extracted
/// ones with their columns; none when nothing repeats.
fn extract_common(
    mut exprs: Vec<Expr>,
    input: &LogicalPlan,
    visit: impl Fn(&mut Occurrences, &[Expr]),
) -> Result<(Vec<Expr>, Vec<Extracted>)> {
    let schema = input.schema();
    let mut pairs: Vec<Extracted> = vec![];
    let mut n = 1;
    loop {
        let mut occurrences = Occurrences::default();
        visit(&mut occurrences, &exprs);
        // Expressions over an extracted column cannot be computed below the node.
        occurrences.0.retain(|(e, _, _)| {
            !e.column_refs()
                .iter()
                .any(|c| pairs.iter().any(|(_, p)| p.name == c.name && c.relation.is_none()))
        });
        let Some(common) = occurrences.largest_common() else { break };
        let name = loop {
            let name = format!("{COMMON_EXPR_PREFIX}{n}");
            n += 1;
            if schema.maybe_index_of_column(&Column::from_name(name.clone())).ok().flatten().is_none() {
                break name;
            }
        };
        let column = Column::from_name(name);
        let pair = [(common, column)];
        exprs = exprs.into_iter().map(|e| replace(e, &pair)).collect::<Result<_>>()?;
        let [pair] = pair;
        pairs.push(pair);
    }
    Ok((exprs, pairs))
}

fn size(e: &Expr) -> usize {
    let mut n = 0;
    let _ = e.apply(|_| {
        n += 1;
        Ok(TreeNodeRecursion::Continue)
    });
    n
}

/// A non-trivial, deterministic expression over columns that may be computed in a projection.
fn is_candidate(e: &Expr) -> bool {
    if matches!(
        e,
        Expr::Column(_)
            | Expr::Literal(_)
            | Expr::Alias(_)
            | Expr::OuterReferenceColumn(..)
            | Expr::Wildcard { .. }
            | Expr::AggregateFunction(_)
            | Expr::WindowFunction(_)
            | Expr::GroupingSet(_)
    ) {
        return false;
    }
    // A cast of a column is cheap, and keeping it in place keeps the column visible to pruning.
    if let Expr::Cast(shoal_expr::Cast { expr, .. }) | Expr::TryCast(shoal_expr::TryCast { expr, .. }) = e {
        if matches!(expr.as_ref(), Expr::Column(_)) {
            return false;
        }
    }
    !e.column_refs().is_empty()
        && !e.contains_aggregate()
        && !e.contains_window()
        && !e.contains_subquery()
        && !has_outer_reference(e)
        && is_deterministic(e)
}

fn has_outer_reference(e: &Expr) -> bool {
    let mut found = false;
    let _ = e.apply(|x| {
        found |= matches!(x, Expr::OuterReferenceColumn(..));
        Ok(if found { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    });
    found
}

/// Replace every occurrence of `common[i]` in `expr` (largest first) by its column.
fn replace(expr: Expr, common: &[Extracted]) -> Result<Expr> {
    Ok(expr
        .transform_down(|e| match common.iter().find(|(c, _)| *c == e) {
            Some((_, column)) => Ok(Transformed::yes(Expr::Column(column.clone()))),
            None => Ok(Transformed::no(e)),
        })?
        .data)
}

/// The projection below a node: every input column, then the extracted expressions.
fn projection_below(pairs: Vec<Extracted>, input: Arc<LogicalPlan>) -> Result<LogicalPlan> {
    let mut exprs: Vec<Expr> = input.schema().columns().into_iter().map(Expr::Column).collect();
    exprs.extend(pairs.into_iter().map(|(e, c)| e.alias(c.name)));
    Ok(LogicalPlan::Projection(Projection::try_new(exprs, input)?))
}

/// `new` under the output name of `old`.
fn keep_name(new: Expr, old: &Expr) -> Expr {
    let name = old.name();
    match new {
        Expr::Alias(a) if a.name == name => Expr::Alias(a),
        other if other.name() == name => other,
        other => other.unalias().alias(name),
    }
}

/// Count every expression of a projection or an aggregate list: all evaluated for every row.
fn visit_all(occurrences: &mut Occurrences, exprs: &[Expr]) {
    exprs.iter().for_each(|e| occurrences.visit(e, true));
}

fn rewrite_projection(p: Projection) -> Result<Transformed<LogicalPlan>> {
    let (exprs, pairs) = extract_common(p.exprs.clone(), &p.input, visit_all)?;
    if pairs.is_empty() {
        return Ok(Transformed::no(LogicalPlan::Projection(p)));
    }
    let below = projection_below(pairs, p.input)?;
    let exprs = exprs.into_iter().zip(&p.exprs).map(|(new, old)| keep_name(new, old)).collect();
    Ok(Transformed::yes(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(below))?)))
}

fn rewrite_aggregate(a: Aggregate) -> Result<Transformed<LogicalPlan>> {
    // Group keys are not rewritten (their names are the output's); aggregate arguments are.
    let (exprs, pairs) = extract_common(a.aggr_expr.clone(), &a.input, visit_all)?;
    if pairs.is_empty() {
        return Ok(Transformed::no(LogicalPlan::Aggregate(a)));
    }
    let below = projection_below(pairs, a.input)?;
    let aggr_expr = exprs.into_iter().zip(&a.aggr_expr).map(|(new, old)| keep_name(new, old)).collect();
    Ok(Transformed::yes(LogicalPlan::Aggregate(Aggregate::try_new(
        Arc::new(below),
        a.group_expr,
        aggr_expr,
    )?)))
}

fn rewrite_filter(f: Filter) -> Result<Transformed<LogicalPlan>> {
    let (mut exprs, pairs) = extract_common(vec![f.predicate.clone()], &f.input, visit_all)?;
    let (Some(predicate), false) = (exprs.pop(), pairs.is_empty()) else {
        return Ok(Transformed::no(LogicalPlan::Filter(f)));
    };
    let original: Vec<Expr> = f.input.schema().columns().into_iter().map(Expr::Column).collect();
    let below = projection_below(pairs, f.input)?;
    let filtered = LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(below))?);
    Ok(Transformed::yes(LogicalPlan::Projection(Projection::try_new(original, Arc::new(filtered))?)))
}
