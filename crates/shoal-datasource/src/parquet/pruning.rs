//! Row-group pruning: which row groups of a Parquet file may hold rows matching the filters,
//! judged from their min/max/null-count statistics.
//!
//! A filter is first turned into a [`Predicate`] (NOT pushed down to the leaves, literals moved
//! to the right), then evaluated over the statistics of all row groups at once with Arrow
//! kernels. The result must never drop a row group that could hold a matching row, so
//! anything not understood keeps the row group, and:
//! * string and binary statistics that the writer truncated are not used;
//! * float columns are only pruned with `=` / `IN` (a NaN, which Arrow orders above every
//!   number and which statistics leave out, may satisfy `>`; a negative NaN may satisfy `<`);
//! * a cast around a column is looked through only when it preserves order (widening
//!   integers, integer or decimal to float, date to timestamp, ...); casts from or to strings
//!   change the order and are not.

use std::collections::HashMap;

use arrow::array::{Array, ArrayRef, BooleanArray, Scalar};
use arrow::compute::kernels::cmp;
use arrow::datatypes::{DataType, Schema};
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use shoal_common::ScalarValue;
use shoal_expr::{Between, BinaryExpr, Expr, InList, Operator};

/// A filter in the form the pruner evaluates.
#[derive(Debug, Clone)]
enum Predicate {
    And(Vec<Predicate>),
    Or(Vec<Predicate>),
    /// `cast*(column) op literal`.
    Compare {
        column: usize,
        casts: Vec<DataType>,
        op: Operator,
        literal: ScalarValue,
    },
    /// `column IS [NOT] NULL`.
    IsNull {
        column: usize,
        negated: bool,
    },
    /// A constant predicate.
    Constant(bool),
    /// Not understood: keeps every row group.
    Unknown,
}

impl Predicate {
    /// Can this predicate drop row groups at all?
    fn is_useful(&self) -> bool {
        match self {
            Predicate::And(v) => v.iter().any(Predicate::is_useful),
            Predicate::Or(v) => !v.is_empty() && v.iter().all(Predicate::is_useful),
            Predicate::Unknown => false,
            _ => true,
        }
    }
}

/// True when the pruner understands (at least part of) `filter`.
pub(crate) fn can_prune(filter: &Expr, schema: &Schema) -> bool {
    build(filter, false, schema).is_useful()
}

/// For each row group of the file, whether it may hold rows matching every filter.
pub(crate) fn prune_row_groups(
    filters: &[Expr],
    table_schema: &Schema,
    metadata: &ArrowReaderMetadata,
) -> Vec<bool> {
    let n = metadata.metadata().num_row_groups();
    let mut stats = StatsCache { metadata, table_schema, columns: HashMap::new() };
    let mut keep = vec![true; n];
    for filter in filters {
        let predicate = build(filter, false, table_schema);
        let k = evaluate(&predicate, &mut stats, n);
        for (a, b) in keep.iter_mut().zip(k) {
            *a &= b;
        }
    }
    keep
}

/// The table column `expr` refers to, looking through order-preserving casts (returned
/// innermost first).
fn column_ref(expr: &Expr, schema: &Schema) -> Option<(usize, Vec<DataType>)> {
    match expr {
        Expr::Column(c) => {
            let index = schema.index_of(&c.name).ok().or_else(|| {
                let mut found = schema
                    .fields()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.name().eq_ignore_ascii_case(&c.name));
                match (found.next(), found.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })?;
            Some((index, vec![]))
        }
        Expr::Alias(a) => column_ref(&a.expr, schema),
        Expr::Cast(c) => {
            let (index, mut casts) = column_ref(&c.expr, schema)?;
            let from = casts.last().cloned().unwrap_or_else(|| schema.field(index).data_type().clone());
            if !preserves_order(&from, &c.data_type) {
                return None;
            }
            casts.push(c.data_type.clone());
            Some((index, casts))
        }
        _ => None,
    }
}

/// Is `CAST(x AS to)` non-decreasing in `x` (where it succeeds)?
fn preserves_order(from: &DataType, to: &DataType) -> bool {
    use DataType::*;
    if from == to {
        return true;
    }
    let int_width = |t: &DataType| -> Option<(bool, u8)> {
        Some(match t {
            Int8 => (true, 1),
            Int16 => (true, 2),
            Int32 => (true, 4),
            Int64 => (true, 8),
            UInt8 => (false, 1),
            UInt16 => (false, 2),
            UInt32 => (false, 4),
            UInt64 => (false, 8),
            _ => return None,
        })
    };
    match (from, to) {
        (a, b) if int_width(a).is_some() && int_width(b).is_some() => {
            let ((sa, wa), (sb, wb)) = (int_width(a).unwrap_or_default(), int_width(b).unwrap_or_default());
            match (sa, sb) {
                (true, true) | (false, false) => wb >= wa,
                (false, true) => wb > wa,
                (true, false) => false,
            }
        }
        (a, Float32 | Float64) if int_width(a).is_some() => true,
        (a, Decimal128(..)) if int_width(a).is_some() => true,
        (Float32, Float64) => true,
        (Decimal128(..), Decimal128(..) | Float64) => true,
        (Date32, Date64) => true,
        (Date32 | Date64, Timestamp(_, None)) => true,
        (Timestamp(_, tz1), Timestamp(_, tz2)) => tz1 == tz2,
        _ => false,
    }
}

fn is_float(t: &DataType) -> bool {
    matches!(t, DataType::Float16 | DataType::Float32 | DataType::Float64)
}

/// `column op literal`, or `Unknown` when statistics cannot judge it safely.
fn compare(
    column: usize,
    casts: Vec<DataType>,
    op: Operator,
    literal: &ScalarValue,
    schema: &Schema,
) -> Predicate {
    if literal.is_null() {
        return Predicate::Unknown;
    }
    if !matches!(
        op,
        Operator::Eq | Operator::NotEq | Operator::Lt | Operator::LtEq | Operator::Gt | Operator::GtEq
    ) {
        return Predicate::Unknown;
    }
    let source = schema.field(column).data_type();
    // NaN and signed zeros make float ranges unsafe: see the module docs.
    if is_float(source) && op != Operator::Eq {
        return Predicate::Unknown;
    }
    if let Some(v) = literal.as_f64().filter(|_| is_float(literal.data_type())) {
        if v.is_nan() || v == 0.0 {
            return Predicate::Unknown;
        }
    }
    Predicate::Compare { column, casts, op, literal: literal.clone() }
}

/// Turn `expr` (negated when `negated`) into a [`Predicate`].
fn build(expr: &Expr, negated: bool, schema: &Schema) -> Predicate {
    match expr {
        Expr::Alias(a) => build(&a.expr, negated, schema),
        Expr::Not(e) => build(e, !negated, schema),
        Expr::Literal(v) => match v.as_bool() {
            Some(b) => Predicate::Constant(b != negated),
            None => Predicate::Unknown,
        },
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
            Operator::And | Operator::Or => {
                let parts = vec![build(left, negated, schema), build(right, negated, schema)];
                // De Morgan: NOT (a AND b) = NOT a OR NOT b.
                if (*op == Operator::And) != negated {
                    Predicate::And(parts)
                } else {
                    Predicate::Or(parts)
                }
            }
            op if op.is_comparison() => {
                let (column, literal, op) = match (left.as_ref(), right.as_ref()) {
                    (c, Expr::Literal(l)) => (c, l, *op),
                    (Expr::Literal(l), c) => match op.swap() {
                        Some(op) => (c, l, op),
                        None => return Predicate::Unknown,
                    },
                    _ => return Predicate::Unknown,
                };
                let op = if negated { op.negate() } else { Some(op) };
                match (column_ref(column, schema), op) {
                    (Some((c, casts)), Some(op)) => compare(c, casts, op, literal, schema),
                    _ => Predicate::Unknown,
                }
            }
            _ => Predicate::Unknown,
        },
        Expr::IsNull(e) | Expr::IsNotNull(e) => {
            let is_null = matches!(expr, Expr::IsNull(_));
            match null_test_column(e, schema) {
                Some(column) => Predicate::IsNull { column, negated: is_null == negated },
                None => Predicate::Unknown,
            }
        }
        Expr::Between(Between { expr: e, negated: n, low, high }) => {
            let (Expr::Literal(low), Expr::Literal(high)) = (low.as_ref(), high.as_ref()) else {
                return Predicate::Unknown;
            };
            let Some((c, casts)) = column_ref(e, schema) else {
                return Predicate::Unknown;
            };
            if negated != *n {
                Predicate::Or(vec![
                    compare(c, casts.clone(), Operator::Lt, low, schema),
                    compare(c, casts, Operator::Gt, high, schema),
                ])
            } else {
                Predicate::And(vec![
                    compare(c, casts.clone(), Operator::GtEq, low, schema),
                    compare(c, casts, Operator::LtEq, high, schema),
                ])
            }
        }
        Expr::InList(InList { expr: e, list, negated: n }) => {
            let Some((c, casts)) = column_ref(e, schema) else {
                return Predicate::Unknown;
            };
            let mut literals = vec![];
            for item in list {
                match item {
                    Expr::Literal(l) => literals.push(l),
                    _ => return Predicate::Unknown,
                }
            }
            if negated != *n {
                // NOT IN with a NULL in the list is never true; keep it simple and keep all.
                if literals.iter().any(|l| l.is_null()) {
                    return Predicate::Unknown;
                }
                Predicate::And(
                    literals
                        .into_iter()
                        .map(|l| compare(c, casts.clone(), Operator::NotEq, l, schema))
                        .collect(),
                )
            } else {
                let parts: Vec<Predicate> = literals
                    .into_iter()
                    .filter(|l| !l.is_null())
                    .map(|l| compare(c, casts.clone(), Operator::Eq, l, schema))
                    .collect();
                if parts.is_empty() {
                    Predicate::Unknown
                } else {
                    Predicate::Or(parts)
                }
            }
        }
        // A boolean column used as a predicate: `WHERE flag` / `WHERE NOT flag`.
        Expr::Column(_) => match column_ref(expr, schema) {
            Some((c, casts)) if casts.is_empty() && schema.field(c).data_type() == &DataType::Boolean => {
                compare(c, casts, Operator::Eq, &ScalarValue::boolean(Some(!negated)), schema)
            }
            _ => Predicate::Unknown,
        },
        _ => Predicate::Unknown,
    }
}

/// The column tested by `IS [NOT] NULL`: a column under any chain of (non-TRY) casts, which
/// keep NULL as NULL and non-NULL as non-NULL.
fn null_test_column(expr: &Expr, schema: &Schema) -> Option<usize> {
    match expr {
        Expr::Cast(c) => null_test_column(&c.expr, schema),
        Expr::Alias(a) => null_test_column(&a.expr, schema),
        Expr::Column(_) => column_ref(expr, schema).map(|(c, _)| c),
        _ => None,
    }
}

/// Statistics of one column over all row groups of a file.
struct ColumnStats {
    mins: Option<ArrayRef>,
    maxes: Option<ArrayRef>,
    null_counts: Vec<Option<u64>>,
    row_counts: Vec<u64>,
}

/// Per-column statistics of one file, extracted on first use.
struct StatsCache<'a> {
    metadata: &'a ArrowReaderMetadata,
    table_schema: &'a Schema,
    columns: HashMap<usize, Option<ColumnStats>>,
}

impl StatsCache<'_> {
    fn get(&mut self, column: usize) -> Option<&ColumnStats> {
        if !self.columns.contains_key(&column) {
            let stats = self.extract(column);
            self.columns.insert(column, stats);
        }
        self.columns.get(&column).and_then(Option::as_ref)
    }

    fn extract(&self, column: usize) -> Option<ColumnStats> {
        let name = self.table_schema.fields().get(column)?.name();
        let file_schema = self.metadata.schema();
        let meta = self.metadata.metadata();
        let converter = StatisticsConverter::try_new(name, file_schema, self.metadata.parquet_schema())
            .ok()?
            .with_missing_null_counts_as_zero(false);
        let row_groups = meta.row_groups();
        let mut mins = converter.row_group_mins(row_groups.iter()).ok();
        let mut maxes = converter.row_group_maxes(row_groups.iter()).ok();
        // Truncated string/binary bounds: unusable (a writer may cut them either way).
        let data_type = file_schema.field_with_name(name).ok()?.data_type();
        if matches!(
            data_type,
            DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Utf8View
                | DataType::Binary
                | DataType::LargeBinary
                | DataType::BinaryView
                | DataType::FixedSizeBinary(_)
        ) {
            let min_exact = converter.row_group_is_min_value_exact(row_groups.iter()).ok();
            let max_exact = converter.row_group_is_max_value_exact(row_groups.iter()).ok();
            mins = mins.and_then(|a| null_unless_exact(a, min_exact.as_ref()));
            maxes = maxes.and_then(|a| null_unless_exact(a, max_exact.as_ref()));
        }
        let null_counts = converter
            .row_group_null_counts(row_groups.iter())
            .ok()
            .map(|a| a.iter().collect())
            .unwrap_or_else(|| vec![None; row_groups.len()]);
        let row_counts =
            row_groups.iter().map(|rg| u64::try_from(rg.num_rows()).unwrap_or(u64::MAX)).collect();
        Some(ColumnStats { mins, maxes, null_counts, row_counts })
    }
}

/// `values` with every entry whose exactness flag is not `true` set to NULL (unknown).
fn null_unless_exact(values: ArrayRef, exact: Option<&BooleanArray>) -> Option<ArrayRef> {
    let exact = exact?;
    let inexact: BooleanArray = exact.iter().map(|e| Some(e != Some(true))).collect();
    arrow::compute::nullif(values.as_ref(), &inexact).ok()
}

/// Row group keep flags from a comparison result: NULL (unknown) keeps.
fn keep_flags(result: &BooleanArray) -> Vec<bool> {
    (0..result.len()).map(|i| result.is_null(i) || result.value(i)).collect()
}

fn evaluate(predicate: &Predicate, stats: &mut StatsCache<'_>, n: usize) -> Vec<bool> {
    match predicate {
        Predicate::And(parts) => parts.iter().fold(vec![true; n], |acc, p| {
            let k = evaluate(p, stats, n);
            acc.iter().zip(k).map(|(a, b)| *a && b).collect()
        }),
        Predicate::Or(parts) => {
            if parts.is_empty() {
                return vec![true; n];
            }
            parts.iter().fold(vec![false; n], |acc, p| {
                let k = evaluate(p, stats, n);
                acc.iter().zip(k).map(|(a, b)| *a || b).collect()
            })
        }
        Predicate::Constant(b) => vec![*b; n],
        Predicate::Unknown => vec![true; n],
        Predicate::IsNull { column, negated } => match stats.get(*column) {
            None => vec![true; n],
            Some(s) => (0..n)
                .map(|i| {
                    let nulls = s.null_counts.get(i).copied().flatten();
                    let rows = s.row_counts.get(i).copied();
                    match (nulls, rows, negated) {
                        (Some(nc), _, false) => nc > 0,
                        (Some(nc), Some(r), true) => nc < r,
                        _ => true,
                    }
                })
                .collect(),
        },
        Predicate::Compare { column, casts, op, literal } => {
            let Some(s) = stats.get(*column) else {
                return vec![true; n];
            };
            let mut keep = compare_bounds(s, casts, *op, literal).unwrap_or_else(|| vec![true; n]);
            keep.resize(n, true);
            // A row group of only NULLs has no row where a comparison is true.
            for (i, k) in keep.iter_mut().enumerate() {
                let all_null = matches!(
                    (s.null_counts.get(i).copied().flatten(), s.row_counts.get(i)),
                    (Some(nc), Some(&r)) if nc == r
                );
                if all_null {
                    *k = false;
                }
            }
            keep
        }
    }
}

/// Keep flags for `cast*(column) op literal` from the min/max bounds, or `None` when the
/// bounds cannot be compared.
fn compare_bounds(
    s: &ColumnStats,
    casts: &[DataType],
    op: Operator,
    literal: &ScalarValue,
) -> Option<Vec<bool>> {
    let cast_all = |a: &ArrayRef| -> Option<ArrayRef> {
        let mut a = a.clone();
        for t in casts {
            a = arrow::compute::cast(&a, t).ok()?;
        }
        Some(a)
    };
    let mins = s.mins.as_ref().and_then(cast_all);
    let maxes = s.maxes.as_ref().and_then(cast_all);
    let target = mins.as_ref().or(maxes.as_ref())?.data_type().clone();
    // Types match after coercion; casting the literal here could round it (unsafe).
    if literal.data_type() != &target {
        return None;
    }
    let lit = Scalar::new(literal.array().clone());
    let flags = |bound: Option<&ArrayRef>,
                 kernel: fn(
        &dyn arrow::array::Datum,
        &dyn arrow::array::Datum,
    ) -> Result<BooleanArray, arrow::error::ArrowError>|
     -> Option<Vec<bool>> {
        let bound = bound?;
        Some(keep_flags(&kernel(bound, &lit).ok()?))
    };
    let n = s.row_counts.len();
    let all = || vec![true; n];
    Some(match op {
        Operator::Lt => flags(mins.as_ref(), cmp::lt).unwrap_or_else(all),
        Operator::LtEq => flags(mins.as_ref(), cmp::lt_eq).unwrap_or_else(all),
        Operator::Gt => flags(maxes.as_ref(), cmp::gt).unwrap_or_else(all),
        Operator::GtEq => flags(maxes.as_ref(), cmp::gt_eq).unwrap_or_else(all),
        Operator::Eq => {
            let low = flags(mins.as_ref(), cmp::lt_eq).unwrap_or_else(all);
            let high = flags(maxes.as_ref(), cmp::gt_eq).unwrap_or_else(all);
            low.iter().zip(high).map(|(a, b)| *a && b).collect()
        }
        Operator::NotEq => {
            // Only a row group whose every value equals the literal is ruled out.
            let (Some(mins), Some(maxes)) = (mins.as_ref(), maxes.as_ref()) else {
                return Some(all());
            };
            let min_eq = cmp::eq(mins, &lit).ok()?;
            let max_eq = cmp::eq(maxes, &lit).ok()?;
            (0..min_eq.len())
                .map(|i| {
                    let known_equal =
                        min_eq.is_valid(i) && max_eq.is_valid(i) && min_eq.value(i) && max_eq.value(i);
                    !known_equal
                })
                .collect()
        }
        _ => all(),
    })
}
