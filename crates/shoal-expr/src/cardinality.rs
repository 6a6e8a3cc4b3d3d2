//! Row-count estimates of logical plans, for choosing join orders and build sides.
//!
//! The heuristic: a table scan has the row count its source reports (Parquet footers;
//! unknown for CSV); a filter keeps a fixed fraction per predicate shape — an equality with a
//! constant 0.1, a range comparison 0.33, `BETWEEN` 0.25, `LIKE` 0.25, `IN (list)` 0.1 per item,
//! conjunctions multiply, disjunctions add (minus the overlap); an equi-join of inputs of `l`
//! and `r` rows is guessed to produce `max(l, r)` rows (a foreign-key join), a cross join `l·r`;
//! an aggregate keeps its input's size (an upper bound), a global aggregate is one row.

use crate::expr::{BinaryExpr, Expr, Operator};
use crate::join::JoinType;
use crate::plan::LogicalPlan;

/// The estimated number of rows `plan` produces, when its leaves are known.
pub fn estimate_rows(plan: &LogicalPlan) -> Option<f64> {
    match plan {
        LogicalPlan::TableScan(s) => {
            let n = s.source.statistics().num_rows? as f64;
            Some(s.fetch.map_or(n, |f| n.min(f as f64)))
        }
        LogicalPlan::Filter(f) => Some(estimate_rows(&f.input)? * selectivity(&f.predicate)),
        LogicalPlan::Limit(l) => {
            let n = (estimate_rows(&l.input)? - l.skip as f64).max(0.0);
            Some(l.fetch.map_or(n, |f| n.min(f as f64)))
        }
        LogicalPlan::Aggregate(a) if a.group_expr.is_empty() => Some(1.0),
        LogicalPlan::Values(v) => Some(v.values.len() as f64),
        LogicalPlan::EmptyRelation(e) => Some(if e.produce_one_row { 1.0 } else { 0.0 }),
        LogicalPlan::Join(j) => {
            let (l, r) = (estimate_rows(&j.left)?, estimate_rows(&j.right)?);
            let mut n = if j.on.is_empty() { l * r } else { l.max(r) };
            if let Some(f) = &j.filter {
                n *= selectivity(f);
            }
            Some(match j.join_type {
                JoinType::Inner => n,
                JoinType::Left => n.max(l),
                JoinType::Right => n.max(r),
                JoinType::Full => n.max(l).max(r),
                JoinType::LeftSemi | JoinType::LeftAnti => l * 0.5,
                JoinType::RightSemi | JoinType::RightAnti => r * 0.5,
            })
        }
        // Projection, Sort, SubqueryAlias, grouped Aggregate, ...: the size of the inputs.
        other => {
            let inputs = other.inputs();
            if inputs.is_empty() {
                return None;
            }
            inputs.iter().map(|i| estimate_rows(i)).sum()
        }
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

/// The guessed fraction of rows for which `predicate` is true.
pub fn selectivity(predicate: &Expr) -> f64 {
    let s = match predicate {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
            Operator::And => selectivity(left) * selectivity(right),
            Operator::Or => {
                let (a, b) = (selectivity(left), selectivity(right));
                a + b - a * b
            }
            Operator::Eq | Operator::IsNotDistinctFrom => {
                if is_constant(left) || is_constant(right) {
                    0.1
                } else {
                    0.2
                }
            }
            Operator::NotEq | Operator::IsDistinctFrom => 0.9,
            Operator::Lt | Operator::LtEq | Operator::Gt | Operator::GtEq => 0.33,
            _ => 0.5,
        },
        Expr::Not(e) => 1.0 - selectivity(e),
        Expr::Between(b) => {
            if b.negated {
                0.75
            } else {
                0.25
            }
        }
        Expr::Like(l) => {
            if l.negated {
                0.75
            } else {
                0.25
            }
        }
        Expr::InList(i) => {
            let s = (0.1 * i.list.len() as f64).min(0.9);
            if i.negated {
                1.0 - s
            } else {
                s
            }
        }
        Expr::IsNull(_) => 0.1,
        Expr::IsNotNull(_) => 0.9,
        Expr::Literal(v) => match v.as_bool() {
            Some(true) => 1.0,
            _ => 0.0,
        },
        Expr::Alias(a) => selectivity(&a.expr),
        _ => 0.5,
    };
    s.clamp(0.0, 1.0)
}
