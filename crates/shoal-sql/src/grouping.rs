//! GROUP BY: plain items (expressions, ordinals, select aliases), `GROUP BY ALL` (every select
//! item without an aggregate), and grouping sets — `ROLLUP`, `CUBE`, `GROUPING SETS`, and their
//! combinations (`GROUP BY a, ROLLUP (b, c)` is the cross product) — planned as one
//! [`GroupingSet`]; plus `GROUPING(..)`, rewritten over the aggregate's grouping id.

use std::sync::Arc;

use arrow::datatypes::DataType;
use shoal_common::{plan_err, Result};
use shoal_expr::{lit, ColumnarValue, Expr, GroupingSet, PlanSchema, ScalarFunction, ScalarFunctionExpr};
use sqlparser::ast::{Expr as SqlExpr, GroupByExpr, GroupByWithModifier, Spanned};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::aggregate::normalize;
use crate::expr::ExprScope;
use crate::query::ordinal;
use crate::select::SelectExpr;
use crate::span::{not_supported_at, plan_error_at};
use crate::SqlPlanner;

/// At most this many grouping sets after expanding a GROUP BY.
const MAX_SETS: usize = 4096;

/// One GROUP BY item as the list of sets it contributes (a plain item: one set of one).
type Sets = Vec<Vec<Expr>>;

impl SqlPlanner<'_> {
    /// The group expressions of a SELECT: plain expressions (duplicates removed), or a single
    /// [`Expr::GroupingSet`].
    pub(crate) fn plan_group_by(
        &self,
        group_by: &GroupByExpr,
        items: &[SelectExpr],
        scope: &ExprScope,
    ) -> Result<Vec<Expr>> {
        let span = group_by.span();
        let (per_item, modifiers): (Vec<(Sets, bool)>, &[GroupByWithModifier]) = match group_by {
            GroupByExpr::All(modifiers) => {
                let all = items
                    .iter()
                    .filter(|i| !i.expr.contains_aggregate() && !i.expr.contains_window())
                    .map(|i| (vec![vec![i.expr.clone()]], false))
                    .collect();
                (all, modifiers)
            }
            GroupByExpr::Expressions(exprs, modifiers) => {
                let planned =
                    exprs.iter().map(|g| self.group_by_item(g, items, scope)).collect::<Result<Vec<_>>>()?;
                (planned, modifiers)
            }
        };
        let schema = scope.schema;
        let any_sets = per_item.iter().any(|(_, is_set)| *is_set);
        match modifiers {
            [] if !any_sets => {
                let mut out: Vec<Expr> = vec![];
                for (sets, _) in per_item {
                    for e in sets.into_iter().flatten() {
                        let n = normalize(&e, schema);
                        if !out.iter().any(|x| normalize(x, schema) == n) {
                            out.push(e);
                        }
                    }
                }
                Ok(out)
            }
            [] => {
                // a lone ROLLUP/CUBE of single expressions keeps its name (for EXPLAIN)
                if let (GroupByExpr::Expressions(exprs, _), [(sets, _)]) = (group_by, per_item.as_slice()) {
                    if let [g @ (SqlExpr::Rollup(elements) | SqlExpr::Cube(elements))] = exprs.as_slice() {
                        let full = dedupe(sets.first().cloned().unwrap_or_default(), schema);
                        if elements.iter().all(|e| e.len() == 1) && full.len() == elements.len() {
                            return Ok(vec![Expr::GroupingSet(match g {
                                SqlExpr::Rollup(_) => GroupingSet::Rollup(full),
                                _ => GroupingSet::Cube(full),
                            })]);
                        }
                    }
                }
                Ok(vec![Expr::GroupingSet(combine(per_item, schema, span)?)])
            }
            [modifier @ (GroupByWithModifier::Rollup | GroupByWithModifier::Cube)] if !any_sets => {
                let exprs: Vec<Expr> =
                    per_item.into_iter().flat_map(|(s, _)| s.into_iter().flatten()).collect();
                let exprs = dedupe(exprs, schema);
                Ok(vec![Expr::GroupingSet(match modifier {
                    GroupByWithModifier::Rollup => GroupingSet::Rollup(exprs),
                    _ => GroupingSet::Cube(exprs),
                })])
            }
            _ => Err(not_supported_at(span, format!("{group_by}"))),
        }
    }

    /// One GROUP BY item: its sets, and whether it is a grouping construct.
    fn group_by_item(&self, g: &SqlExpr, items: &[SelectExpr], scope: &ExprScope) -> Result<(Sets, bool)> {
        let plain = |e: &SqlExpr| self.group_expr(e, items, scope);
        let element = |list: &[SqlExpr]| list.iter().map(plain).collect::<Result<Vec<_>>>();
        Ok(match g {
            SqlExpr::Rollup(elements) => {
                let elements = elements.iter().map(|e| element(e)).collect::<Result<Vec<_>>>()?;
                let sets = (0..=elements.len()).rev().map(|k| elements[..k].concat()).collect();
                (sets, true)
            }
            SqlExpr::Cube(elements) => {
                let elements = elements.iter().map(|e| element(e)).collect::<Result<Vec<_>>>()?;
                if elements.len() > 12 {
                    return Err(plan_error_at(g.span(), "CUBE takes at most 12 elements"));
                }
                let masks =
                    GroupingSet::Cube((0..elements.len()).map(|i| lit(i as i64)).collect()).expand()?;
                let sets = masks
                    .iter()
                    .map(|m| {
                        elements
                            .iter()
                            .zip(m)
                            .filter(|(_, &keep)| keep)
                            .flat_map(|(e, _)| e.clone())
                            .collect()
                    })
                    .collect();
                (sets, true)
            }
            SqlExpr::GroupingSets(sets) => {
                let sets = sets.iter().map(|s| element(s)).collect::<Result<Vec<_>>>()?;
                (sets, true)
            }
            other => (vec![vec![plain(other)?]], false),
        })
    }

    /// A plain group expression: an ordinal or select alias refers to the select list.
    fn group_expr(&self, g: &SqlExpr, items: &[SelectExpr], scope: &ExprScope) -> Result<Expr> {
        if matches!(g, SqlExpr::Rollup(_) | SqlExpr::Cube(_) | SqlExpr::GroupingSets(_)) {
            return Err(not_supported_at(g.span(), "nested ROLLUP, CUBE or GROUPING SETS"));
        }
        let expr = match ordinal(g, items.len(), "GROUP BY")? {
            Some(i) => items[i].expr.clone(),
            None => self.sql_to_expr(g, scope)?,
        };
        if expr.contains_aggregate() {
            return Err(plan_error_at(
                g.span(),
                format!("aggregate functions are not allowed in GROUP BY: {g}"),
            ));
        }
        Ok(expr)
    }
}

/// Drop repeated expressions (compared with columns resolved), keeping the first.
fn dedupe(exprs: Vec<Expr>, schema: &PlanSchema) -> Vec<Expr> {
    let mut out: Vec<Expr> = vec![];
    for e in exprs {
        let n = normalize(&e, schema);
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// The grouping set of a whole GROUP BY: the cross product of the items' sets. A lone
/// ROLLUP/CUBE of single expressions keeps its name (for EXPLAIN).
fn combine(per_item: Vec<(Sets, bool)>, schema: &PlanSchema, span: SqlSpan) -> Result<GroupingSet> {
    let total = per_item.iter().try_fold(1usize, |acc, (s, _)| acc.checked_mul(s.len().max(1)));
    if total.is_none_or(|t| t > MAX_SETS) {
        return Err(plan_error_at(span, format!("GROUP BY expands to more than {MAX_SETS} grouping sets")));
    }
    let mut product: Sets = vec![vec![]];
    for (sets, _) in per_item {
        product = product
            .iter()
            .flat_map(|prefix| sets.iter().map(move |s| prefix.iter().chain(s).cloned().collect::<Vec<_>>()))
            .collect();
    }
    Ok(GroupingSet::GroupingSets(product.into_iter().map(|s| dedupe(s, schema)).collect()))
}

/// `GROUPING(..)` before aggregation: a placeholder the aggregate rewriter replaces by bits of
/// the grouping id. It never runs.
#[derive(Debug)]
pub(crate) struct GroupingFunction;

impl ScalarFunction for GroupingFunction {
    fn name(&self) -> &str {
        "grouping"
    }
    fn description(&self) -> &str {
        "grouping(x, ..) -> integer: bit i is 1 when argument i is not grouped in the row's grouping set"
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.is_empty() {
            return plan_err!("grouping() needs at least one argument");
        }
        Ok(arg_types.to_vec())
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }
    fn invoke(&self, _args: &[ColumnarValue], _num_rows: usize) -> Result<ColumnarValue> {
        plan_err!("grouping() is only allowed in a query with GROUP BY")
    }
}

/// `grouping(args)` as a call of the placeholder.
pub(crate) fn grouping_call(args: Vec<Expr>) -> Expr {
    Expr::ScalarFunction(ScalarFunctionExpr { func: Arc::new(GroupingFunction), args })
}

/// The arguments of a `grouping(..)` call, if `e` is one.
pub(crate) fn as_grouping_call(e: &Expr) -> Option<&[Expr]> {
    match e {
        Expr::ScalarFunction(f) if f.func.name() == "grouping" => Some(&f.args),
        _ => None,
    }
}
