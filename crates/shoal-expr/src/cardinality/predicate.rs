//! Filter selectivity from column facts: `col = constant` keeps `1/ndv` of the rows, a range
//! comparison the part of `[min, max]` it covers, `IN (list)` `k/ndv`, `IS NULL` the NULL
//! fraction; `LIKE` a fixed guess by pattern shape (exact text as equality, one wildcard run
//! 0.1, halved per further literal segment); conjunctions multiply, disjunctions add minus the
//! overlap. Without facts, fixed guesses per shape (equality 0.1, range 0.33, ...).
//! [`apply_filter`] also narrows the filtered columns (an equality leaves one distinct value,
//! a range shrinks the bounds).

use crate::expr::{BinaryExpr, Expr, Operator};
use crate::schema::PlanSchema;

use super::{column_index, scalar_to_f64, ColumnFacts, PlanEstimate};

/// The share of groups a range test on an aggregate's value keeps (`HAVING sum(x) > 300`):
/// nothing is known of the values, and such thresholds are written to find the few groups
/// that stand out (TPC-H Q18 keeps 57 of 1.5M orders).
const AGGREGATE_RANGE_SELECTIVITY: f64 = 0.05;

/// The estimate after filtering `input` (of `schema`) with `predicate`.
pub(super) fn apply_filter(input: PlanEstimate, predicate: &Expr, schema: &PlanSchema) -> PlanEstimate {
    let selectivity = filter_selectivity(predicate, &input, schema);
    let narrowed: Vec<(usize, ColumnFacts)> =
        predicate.split_conjunction().into_iter().filter_map(|c| narrow_column(c, &input, schema)).collect();
    let mut out = PlanEstimate { rows: input.rows * selectivity, columns: input.columns };
    for (i, facts) in narrowed {
        let ndv = facts.ndv.map(|d| d.min(out.rows).max(out.rows.min(1.0)));
        out.set_column(i, ColumnFacts { ndv, null_fraction: 0.0, ..facts });
    }
    out
}

/// The fraction of `input`'s rows (columns of `schema`) for which `predicate` is true.
pub fn filter_selectivity(predicate: &Expr, input: &PlanEstimate, schema: &PlanSchema) -> f64 {
    let s = match predicate {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
            Operator::And => {
                filter_selectivity(left, input, schema) * filter_selectivity(right, input, schema)
            }
            Operator::Or => {
                let (a, b) =
                    (filter_selectivity(left, input, schema), filter_selectivity(right, input, schema));
                a + b - a * b
            }
            op if op.is_comparison() => comparison(left, *op, right, input, schema),
            _ => 0.5,
        },
        Expr::Not(e) => 1.0 - filter_selectivity(e, input, schema),
        Expr::Between(b) => {
            let inside = comparison(&b.expr, Operator::GtEq, &b.low, input, schema)
                + comparison(&b.expr, Operator::LtEq, &b.high, input, schema)
                - 1.0;
            let inside = inside.max(0.01);
            if b.negated {
                1.0 - inside
            } else {
                inside
            }
        }
        Expr::Like(l) => {
            let s = match l.pattern.as_ref() {
                Expr::Literal(v) => match v.as_str() {
                    Some(p) if !p.contains(['%', '_']) => equality(&l.expr, input, schema),
                    Some(p) => {
                        let segments = p.split(['%', '_']).filter(|s| !s.is_empty()).count();
                        0.1 * 0.5f64.powi(segments.saturating_sub(1) as i32)
                    }
                    None => 0.25,
                },
                _ => 0.25,
            };
            if l.negated {
                1.0 - s
            } else {
                s
            }
        }
        Expr::InList(i) => {
            let facts = input.expr_facts(&i.expr, schema);
            let k = i.list.len() as f64;
            let s = match facts.ndv {
                Some(d) if d > 0.0 => (k / d).min(1.0) * (1.0 - facts.null_fraction),
                _ => (0.1 * k).min(0.9),
            };
            if i.negated {
                1.0 - s
            } else {
                s
            }
        }
        Expr::IsNull(e) => null_fraction(e, input, schema).unwrap_or(0.1),
        Expr::IsNotNull(e) => 1.0 - null_fraction(e, input, schema).unwrap_or(0.1),
        Expr::Literal(v) => match v.as_bool() {
            Some(true) => 1.0,
            _ => 0.0,
        },
        Expr::Alias(a) => filter_selectivity(&a.expr, input, schema),
        _ => 0.5,
    };
    s.clamp(0.0, 1.0)
}

fn null_fraction(e: &Expr, input: &PlanEstimate, schema: &PlanSchema) -> Option<f64> {
    column_index(e, schema).map(|i| input.column_facts(i).null_fraction)
}

/// A constant expression's value as a number (a literal, possibly cast).
fn constant_value(e: &Expr) -> Option<f64> {
    match e {
        Expr::Literal(v) => scalar_to_f64(v),
        Expr::Cast(c) => match c.expr.as_ref() {
            Expr::Literal(v) => v.cast_to(&c.data_type).ok().as_ref().and_then(scalar_to_f64),
            _ => None,
        },
        Expr::Alias(a) => constant_value(&a.expr),
        _ => None,
    }
}

fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Literal(_) => true,
        Expr::Cast(c) => is_constant(&c.expr),
        Expr::TryCast(c) => is_constant(&c.expr),
        Expr::Alias(a) => is_constant(&a.expr),
        _ => false,
    }
}

/// `column = constant`: one distinct value's share of the non-NULL rows.
fn equality(column: &Expr, input: &PlanEstimate, schema: &PlanSchema) -> f64 {
    let facts = input.expr_facts(column, schema);
    match facts.ndv {
        Some(d) if d > 0.0 => (1.0 - facts.null_fraction) / d.max(1.0),
        Some(_) => 0.0,
        None => 0.1,
    }
}

/// `left op right` with `op` a comparison.
fn comparison(left: &Expr, op: Operator, right: &Expr, input: &PlanEstimate, schema: &PlanSchema) -> f64 {
    // Put the constant on the right.
    let (column, op, constant) = match (is_constant(left), is_constant(right)) {
        (false, true) => (left, op, right),
        (true, false) => match op.swap() {
            Some(swapped) => (right, swapped, left),
            None => return 0.5,
        },
        (false, false) => return column_comparison(left, op, right, input, schema),
        (true, true) => return 0.5,
    };
    let facts = input.expr_facts(column, schema);
    let non_null = 1.0 - facts.null_fraction;
    match op {
        Operator::Eq | Operator::IsNotDistinctFrom => {
            match (constant_value(constant), facts.min, facts.max) {
                (Some(v), Some(lo), Some(hi)) if v < lo || v > hi => 0.0,
                _ => equality(column, input, schema),
            }
        }
        Operator::NotEq | Operator::IsDistinctFrom => (non_null - equality(column, input, schema)).max(0.0),
        Operator::Lt | Operator::LtEq | Operator::Gt | Operator::GtEq => {
            let (Some(v), Some(lo), Some(hi)) = (constant_value(constant), facts.min, facts.max) else {
                let aggregate = column_index(column, schema).is_some_and(|i| input.is_aggregate_value(i));
                return if aggregate { AGGREGATE_RANGE_SELECTIVITY } else { 0.33 };
            };
            if hi <= lo {
                let holds = match op {
                    Operator::Lt => lo < v,
                    Operator::LtEq => lo <= v,
                    Operator::Gt => lo > v,
                    _ => lo >= v,
                };
                return if holds { non_null } else { 0.0 };
            }
            // Discrete values: `x <= v` also keeps v itself.
            let step = facts.ndv.map_or(0.0, |d| 1.0 / d.max(1.0));
            let below = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
            let fraction = match op {
                Operator::Lt => below,
                Operator::LtEq => below + step,
                Operator::Gt => 1.0 - below - step,
                _ => 1.0 - below,
            };
            fraction.clamp(0.0, 1.0) * non_null
        }
        _ => 0.5,
    }
}

/// A comparison of two columns of the same relation (`l_commitdate < l_receiptdate`).
fn column_comparison(
    left: &Expr,
    op: Operator,
    right: &Expr,
    input: &PlanEstimate,
    schema: &PlanSchema,
) -> f64 {
    match op {
        Operator::Eq | Operator::IsNotDistinctFrom => {
            let (l, r) = (input.expr_facts(left, schema), input.expr_facts(right, schema));
            match (l.ndv, r.ndv) {
                (Some(a), Some(b)) => 1.0 / a.max(b).max(1.0),
                (Some(a), None) | (None, Some(a)) => 1.0 / a.max(1.0),
                (None, None) => 0.2,
            }
        }
        Operator::NotEq | Operator::IsDistinctFrom => 0.9,
        _ => 0.33,
    }
}

/// The facts of the column a conjunct narrows (`col = c`, `col < c`, `col IN (..)`), if any.
fn narrow_column(conjunct: &Expr, input: &PlanEstimate, schema: &PlanSchema) -> Option<(usize, ColumnFacts)> {
    match conjunct {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) if op.is_comparison() => {
            let (column, op, constant) = match (is_constant(left), is_constant(right)) {
                (false, true) => (left.as_ref(), *op, right.as_ref()),
                (true, false) => (right.as_ref(), op.swap()?, left.as_ref()),
                _ => return None,
            };
            let i = column_index(column, schema)?;
            let facts = input.column_facts(i);
            let v = constant_value(constant);
            match op {
                Operator::Eq | Operator::IsNotDistinctFrom => Some((
                    i,
                    ColumnFacts { ndv: Some(1.0), min: v.or(facts.min), max: v.or(facts.max), ..facts },
                )),
                Operator::Lt | Operator::LtEq | Operator::Gt | Operator::GtEq => {
                    let v = v?;
                    let fraction = comparison(column, op, constant, input, schema);
                    let (min, max) = match op {
                        Operator::Lt | Operator::LtEq => (facts.min, Some(facts.max.map_or(v, |m| m.min(v)))),
                        _ => (Some(facts.min.map_or(v, |m| m.max(v))), facts.max),
                    };
                    Some((
                        i,
                        ColumnFacts { ndv: facts.ndv.map(|d| (d * fraction).max(1.0)), min, max, ..facts },
                    ))
                }
                _ => None,
            }
        }
        Expr::InList(l) if !l.negated => {
            let i = column_index(&l.expr, schema)?;
            let facts = input.column_facts(i);
            let k = l.list.len() as f64;
            Some((i, ColumnFacts { ndv: Some(facts.ndv.map_or(k, |d| d.min(k))), ..facts }))
        }
        _ => None,
    }
}
