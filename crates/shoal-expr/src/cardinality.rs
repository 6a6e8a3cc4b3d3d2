//! Row-count and distinct-value estimates of logical plans, for choosing join orders and build
//! sides.
//!
//! [`estimate`] walks a plan bottom-up into a [`PlanEstimate`]: its rows and, per output column,
//! where the column's values come from. Column facts ([`ColumnFacts`]: distinct count, numeric
//! bounds, NULL fraction) are looked up only when a predicate, join key or group key needs them
//! (a table's [`TableSource::column_statistics`], which Parquet sources compute by sampling), and
//! scaled to the rows at that point: a column whose relation kept a fraction of its rows keeps
//! `ndv·(1 − (1 − kept)^(rows/ndv))` distinct values (Cardenas), never more than its rows.
//! * scans: the source's row count (Parquet footers, CSV size / sampled row width, memory);
//! * filters: the selectivity of the predicate ([`filter_selectivity`]);
//! * aggregates: the product of the group keys' distinct counts, capped by the input rows; a
//!   range test on an aggregate's value (`HAVING sum(x) > 300`) keeps a small fixed share;
//! * equi-joins: `|L|·|R| / max(ndv_l, ndv_r)`, composite keys by their distinct combinations
//!   ([`join_key_selectivity`]); an unknown distinct count takes the other side's, or
//!   `max(|L|, |R|)` rows when both are unknown (a foreign-key join); semi / anti joins are
//!   bounded by their probe side.

mod predicate;

use std::sync::Arc;

use shoal_common::ScalarValue;

use crate::expr::Expr;
use crate::join::JoinType;
use crate::plan::LogicalPlan;
use crate::schema::PlanSchema;
use crate::table::TableSource;

pub use predicate::filter_selectivity;

/// What is known about one column at one point of a plan.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ColumnFacts {
    /// Distinct non-NULL values.
    pub ndv: Option<f64>,
    /// Bounds of the values as numbers (dates as days), for range selectivity.
    pub min: Option<f64>,
    /// The upper bound, in the same units as `min`.
    pub max: Option<f64>,
    /// Fraction of the rows that are NULL.
    pub null_fraction: f64,
}

/// Where a column's values come from.
#[derive(Debug, Clone)]
enum Origin {
    /// Column `column` of a table: facts asked for on use.
    Table {
        source: Arc<dyn TableSource>,
        column: usize,
    },
    /// Facts already worked out (a filtered column, a group key).
    Known(ColumnFacts),
    /// The value of an aggregate function (`sum(x)`): nothing known, but a range test on it
    /// (`HAVING sum(x) > 300`) is a threshold that usually keeps few groups.
    AggregateValue,
    Unknown,
}

/// One output column of an estimate: its origin, and the rows of the relation its facts
/// describe (to scale the distinct count to the rows at this point).
#[derive(Debug, Clone)]
struct ColumnEstimate {
    origin: Origin,
    origin_rows: f64,
}

impl ColumnEstimate {
    fn unknown() -> Self {
        Self { origin: Origin::Unknown, origin_rows: 0.0 }
    }

    fn known(facts: ColumnFacts, rows: f64) -> Self {
        Self { origin: Origin::Known(facts), origin_rows: rows }
    }
}

/// The estimated output of a plan: rows, and per output column where its values come from.
#[derive(Debug, Clone)]
pub struct PlanEstimate {
    /// Estimated output rows (not rounded; at least 0).
    pub rows: f64,
    columns: Vec<ColumnEstimate>,
}

impl PlanEstimate {
    /// Facts of output column `index`, scaled to [`PlanEstimate::rows`].
    pub fn column_facts(&self, index: usize) -> ColumnFacts {
        let Some(c) = self.columns.get(index) else { return ColumnFacts::default() };
        let base = match &c.origin {
            Origin::Unknown | Origin::AggregateValue => return ColumnFacts::default(),
            Origin::Known(f) => *f,
            Origin::Table { source, column } => {
                let s = source.column_statistics(*column);
                ColumnFacts {
                    ndv: s.distinct_count,
                    min: s.min.as_ref().and_then(scalar_to_f64),
                    max: s.max.as_ref().and_then(scalar_to_f64),
                    null_fraction: match s.null_count {
                        Some(n) if c.origin_rows > 0.0 => (n as f64 / c.origin_rows).min(1.0),
                        _ => 0.0,
                    },
                }
            }
        };
        ColumnFacts { ndv: base.ndv.map(|d| scale_distinct(d, c.origin_rows, self.rows)), ..base }
    }

    /// Facts of `expr` over this estimate's columns (`schema`): a column, possibly cast or
    /// aliased, or a constant.
    pub fn expr_facts(&self, expr: &Expr, schema: &PlanSchema) -> ColumnFacts {
        match expr {
            Expr::Literal(v) => {
                let x = scalar_to_f64(v);
                ColumnFacts { ndv: Some(1.0), min: x, max: x, null_fraction: 0.0 }
            }
            _ => match column_index(expr, schema) {
                Some(i) => self.column_facts(i),
                None => ColumnFacts::default(),
            },
        }
    }

    /// The columns of `parts` side by side (as in a join), with `rows` rows; facts keep the
    /// scale of their own relation.
    pub fn side_by_side(parts: &[&PlanEstimate], rows: f64) -> PlanEstimate {
        PlanEstimate { rows, columns: parts.iter().flat_map(|p| p.columns.iter().cloned()).collect() }
    }

    /// True when output column `index` is the value of an aggregate function.
    pub(crate) fn is_aggregate_value(&self, index: usize) -> bool {
        self.columns.get(index).is_some_and(|c| matches!(c.origin, Origin::AggregateValue))
    }

    /// Replace the facts of column `index` (after a filter narrowed it).
    fn set_column(&mut self, index: usize, facts: ColumnFacts) {
        if let Some(c) = self.columns.get_mut(index) {
            *c = ColumnEstimate::known(facts, self.rows);
        }
    }
}

/// `ndv` distinct values among `origin_rows` rows, of which `rows` are kept (Cardenas).
fn scale_distinct(ndv: f64, origin_rows: f64, rows: f64) -> f64 {
    if ndv <= 0.0 || origin_rows <= 0.0 || rows >= origin_rows {
        return ndv.min(rows.max(0.0)).max(0.0);
    }
    let kept = (rows / origin_rows).clamp(0.0, 1.0);
    let scaled = ndv * (1.0 - (1.0 - kept).powf(origin_rows / ndv));
    scaled.min(rows).max(rows.min(1.0))
}

/// The index of the column `expr` reads, looking through casts and aliases.
pub(crate) fn column_index(expr: &Expr, schema: &PlanSchema) -> Option<usize> {
    match expr {
        Expr::Column(c) => schema.maybe_index_of_column(c).ok().flatten(),
        Expr::Cast(c) => column_index(&c.expr, schema),
        Expr::TryCast(c) => column_index(&c.expr, schema),
        Expr::Alias(a) => column_index(&a.expr, schema),
        _ => None,
    }
}

/// A value as a number on its type's scale (dates as days, timestamps in their unit).
pub(crate) fn scalar_to_f64(v: &ScalarValue) -> Option<f64> {
    use arrow::datatypes::DataType;
    match v.data_type() {
        DataType::Date32 => v.cast_to(&DataType::Int32).ok()?.as_i64().map(|d| d as f64),
        DataType::Date64 | DataType::Timestamp(..) => {
            v.cast_to(&DataType::Int64).ok()?.as_i64().map(|d| d as f64)
        }
        t if t.is_numeric() => v.as_f64(),
        _ => None,
    }
}

/// The estimated number of rows `plan` produces, when its leaves are known.
pub fn estimate_rows(plan: &LogicalPlan) -> Option<f64> {
    estimate(plan).map(|e| e.rows)
}

/// The estimated output of `plan`; `None` when a leaf's size is unknown.
pub fn estimate(plan: &LogicalPlan) -> Option<PlanEstimate> {
    Some(match plan {
        LogicalPlan::TableScan(s) => {
            let n = s.source.statistics().num_rows? as f64;
            let columns: Vec<usize> = match &s.projection {
                Some(p) => p.clone(),
                None => (0..s.source.schema().fields().len()).collect(),
            };
            let columns = columns
                .into_iter()
                .map(|column| ColumnEstimate {
                    origin: Origin::Table { source: Arc::clone(&s.source), column },
                    origin_rows: n,
                })
                .collect();
            PlanEstimate { rows: s.fetch.map_or(n, |f| n.min(f as f64)), columns }
        }
        LogicalPlan::Filter(f) => {
            predicate::apply_filter(estimate(&f.input)?, &f.predicate, f.input.schema())
        }
        LogicalPlan::Projection(p) => {
            let input = estimate(&p.input)?;
            let columns = p.exprs.iter().map(|e| project(e, &input, p.input.schema())).collect();
            PlanEstimate { rows: input.rows, columns }
        }
        LogicalPlan::Limit(l) => {
            let mut e = estimate(&l.input)?;
            let n = (e.rows - l.skip as f64).max(0.0);
            e.rows = l.fetch.map_or(n, |f| n.min(f as f64));
            e
        }
        LogicalPlan::Sort(s) => {
            let mut e = estimate(&s.input)?;
            if let Some(f) = s.fetch {
                e.rows = e.rows.min(f as f64);
            }
            e
        }
        LogicalPlan::SubqueryAlias(s) => estimate(&s.input)?,
        LogicalPlan::Aggregate(a) => {
            let input = estimate(&a.input)?;
            let schema = a.input.schema();
            if a.group_expr.is_empty() {
                return Some(unknown_columns(1.0, a.schema.len()));
            }
            if a.group_expr.iter().any(|e| matches!(e, Expr::GroupingSet(_))) {
                return Some(unknown_columns(input.rows, a.schema.len()));
            }
            let keys: Vec<ColumnFacts> = a.group_expr.iter().map(|e| input.expr_facts(e, schema)).collect();
            let groups = keys
                .iter()
                .map(|k| k.ndv.map(|d| d + if k.null_fraction > 0.0 { 1.0 } else { 0.0 }))
                .try_fold(1.0f64, |acc, d| d.map(|d| acc * d.max(1.0)))
                .unwrap_or(input.rows)
                .min(input.rows);
            let mut columns: Vec<ColumnEstimate> = keys
                .into_iter()
                .map(|k| {
                    ColumnEstimate::known(ColumnFacts { ndv: k.ndv.map(|d| d.min(groups)), ..k }, groups)
                })
                .collect();
            columns.resize(
                a.schema.len(),
                ColumnEstimate { origin: Origin::AggregateValue, origin_rows: groups },
            );
            PlanEstimate { rows: groups, columns }
        }
        LogicalPlan::Window(w) => {
            let mut e = estimate(&w.input)?;
            e.columns.resize(w.schema.len(), ColumnEstimate::unknown());
            e
        }
        LogicalPlan::Join(j) => estimate_join(j)?,
        LogicalPlan::Values(v) => unknown_columns(v.values.len() as f64, v.schema.len()),
        LogicalPlan::EmptyRelation(e) => {
            unknown_columns(if e.produce_one_row { 1.0 } else { 0.0 }, e.schema.len())
        }
        LogicalPlan::Union(u) => {
            let rows = u.inputs.iter().map(|i| estimate(i).map(|e| e.rows)).sum::<Option<f64>>()?;
            unknown_columns(rows, u.schema.len())
        }
        LogicalPlan::SetOperation(s) => estimate(&s.left)?,
        LogicalPlan::RecursiveQuery(_) | LogicalPlan::WorkTableScan(_) => return None,
    })
}

fn unknown_columns(rows: f64, n: usize) -> PlanEstimate {
    PlanEstimate { rows, columns: vec![ColumnEstimate::unknown(); n] }
}

/// The estimate of one projected expression.
fn project(expr: &Expr, input: &PlanEstimate, schema: &PlanSchema) -> ColumnEstimate {
    match expr {
        Expr::Literal(_) => ColumnEstimate::known(input.expr_facts(expr, schema), input.rows),
        _ => match column_index(expr, schema).and_then(|i| input.columns.get(i)) {
            Some(c) => c.clone(),
            None => ColumnEstimate::unknown(),
        },
    }
}

/// The fraction of `|L|·|R|` pairs an equi-join on `keys` (facts of left and right key) keeps.
///
/// One key: `1 / max(ndv_l, ndv_r)` (an unknown count takes the other side's; both unknown:
/// `1 / min(|L|, |R|)`, a foreign-key join). Several keys: per side, the distinct combinations
/// are the product of the keys' counts, at most the side's rows; `1 / max` of the two, unless
/// the products exceed the rows on both sides — then the keys are most likely a key of the
/// smaller side (`l_partkey, l_suppkey` → `partsupp`), and `1 / min` (each row of the larger
/// side finds about one partner).
pub fn join_key_selectivity(keys: &[(ColumnFacts, ColumnFacts)], left_rows: f64, right_rows: f64) -> f64 {
    let non_null: f64 = keys.iter().map(|(l, r)| (1.0 - l.null_fraction) * (1.0 - r.null_fraction)).product();
    let distinct = match keys {
        [] => return 1.0,
        [(l, r)] => match (l.ndv, r.ndv) {
            (Some(a), Some(b)) => a.max(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => left_rows.min(right_rows),
        },
        _ => {
            // (combinations, whether the product reached the rows)
            let side = |ndvs: Vec<Option<f64>>, rows: f64| -> (f64, bool) {
                match ndvs.into_iter().try_fold(1.0f64, |acc, d| d.map(|d| acc * d.max(1.0))) {
                    Some(p) if p < rows => (p, false),
                    _ => (rows, true),
                }
            };
            let (l, l_capped) = side(keys.iter().map(|(l, _)| l.ndv).collect(), left_rows);
            let (r, r_capped) = side(keys.iter().map(|(_, r)| r.ndv).collect(), right_rows);
            if l_capped && r_capped {
                l.min(r)
            } else {
                l.max(r)
            }
        }
    };
    (non_null / distinct.max(1.0)).min(1.0)
}

fn estimate_join(j: &crate::join::Join) -> Option<PlanEstimate> {
    let (left, right) = (estimate(&j.left)?, estimate(&j.right)?);
    let (ls, rs) = (j.left.schema(), j.right.schema());
    let keys: Vec<(ColumnFacts, ColumnFacts)> =
        j.on.iter().map(|(l, r)| (left.expr_facts(l, ls), right.expr_facts(r, rs))).collect();
    let pairs = left.rows * right.rows;
    let mut inner =
        if keys.is_empty() { pairs } else { pairs * join_key_selectivity(&keys, left.rows, right.rows) };
    // The residual filter over the joined columns.
    let mut joined =
        PlanEstimate { rows: inner, columns: [left.columns.clone(), right.columns.clone()].concat() };
    if let Some(f) = &j.filter {
        let schema = ls.join(rs);
        inner *= filter_selectivity(f, &joined, &schema);
        joined.rows = inner;
    }
    // Probe-side fraction with a match, for semi / anti joins: the key containment.
    let matched = |probe: &PlanEstimate, keys: &[(ColumnFacts, ColumnFacts)], left_probe: bool| -> f64 {
        let f = keys
            .iter()
            .map(|(l, r)| {
                let (p, b) = if left_probe { (l, r) } else { (r, l) };
                match (p.ndv, b.ndv) {
                    (Some(p), Some(b)) if p > 0.0 => (b / p).min(1.0),
                    _ => 0.5,
                }
            })
            .fold(1.0, f64::min);
        if keys.is_empty() {
            (inner / probe.rows.max(1.0)).min(1.0)
        } else {
            f
        }
    };
    let keyed_rows = |e: &PlanEstimate, fraction: f64| PlanEstimate {
        rows: e.rows * fraction,
        columns: e.columns.clone(),
    };
    Some(match j.join_type {
        JoinType::Inner => joined,
        JoinType::Left => PlanEstimate { rows: inner.max(left.rows), ..joined },
        JoinType::Right => PlanEstimate { rows: inner.max(right.rows), ..joined },
        JoinType::Full => PlanEstimate { rows: inner.max(left.rows).max(right.rows), ..joined },
        JoinType::LeftSemi => keyed_rows(&left, matched(&left, &keys, true)),
        JoinType::LeftAnti => keyed_rows(&left, (1.0 - matched(&left, &keys, true)).max(0.1)),
        JoinType::RightSemi => keyed_rows(&right, matched(&right, &keys, false)),
        JoinType::RightAnti => keyed_rows(&right, (1.0 - matched(&right, &keys, false)).max(0.1)),
    })
}

/// A short text of the estimated rows of `plan`, for EXPLAIN (`~1.2M rows`).
pub fn describe_rows(rows: Option<f64>) -> String {
    match rows {
        None => "unknown".into(),
        Some(r) if r >= 1e9 => format!("{:.1}G", r / 1e9),
        Some(r) if r >= 1e6 => format!("{:.1}M", r / 1e6),
        Some(r) if r >= 1e4 => format!("{:.0}K", r / 1e3),
        Some(r) => format!("{:.0}", r),
    }
}
