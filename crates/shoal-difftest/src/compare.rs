//! Comparing two normalised results, with numeric tolerance, as multisets or in order.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::{self, Write as _};

use crate::value::{ResultSet, Row, Value};

/// How two results are compared.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    /// Compare rows position by position (the query's ORDER BY is total); otherwise the two
    /// results are compared as multisets of rows.
    pub ordered: bool,
    /// Relative tolerance for floats and decimals.
    pub rel_tol: f64,
    /// Absolute tolerance for floats and decimals (a decimal also matches within one unit of
    /// its last digit).
    pub abs_tol: f64,
    /// At most this many differing rows are shown in a [`Mismatch`].
    pub max_shown: usize,
    /// Name of the engine producing the actual result (shown in diffs).
    pub actual_label: String,
    /// Name of the engine producing the expected result (shown in diffs).
    pub expected_label: String,
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self {
            ordered: false,
            rel_tol: 1e-6,
            abs_tol: 1e-9,
            max_shown: 10,
            actual_label: "shoal".into(),
            expected_label: "expected".into(),
        }
    }
}

impl CompareOptions {
    /// Compare in order (or as multisets when `ordered` is false).
    pub fn with_ordered(mut self, ordered: bool) -> Self {
        self.ordered = ordered;
        self
    }

    /// Name the two sides in diffs.
    pub fn with_labels(mut self, actual: &str, expected: &str) -> Self {
        self.actual_label = actual.into();
        self.expected_label = expected.into();
        self
    }
}

/// Why two results differ, with the first differing rows; `Display` prints a readable diff.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub message: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Mismatch {}

fn floats_close(a: f64, b: f64, abs_tol: f64, opts: &CompareOptions) -> bool {
    if a == b || (a.is_nan() && b.is_nan()) {
        return true;
    }
    let diff = (a - b).abs();
    diff <= abs_tol || diff <= opts.rel_tol * a.abs().max(b.abs())
}

/// One unit of a decimal's last digit (with a little room for float noise), 0 for others.
fn decimal_unit(v: &Value) -> f64 {
    match v {
        Value::Decimal(_, scale) => 1.01 * 10f64.powi(-i32::from(*scale)),
        _ => 0.0,
    }
}

/// Do two values mean the same thing (numbers within tolerance, NULL equal to NULL)?
pub fn values_match(a: &Value, b: &Value, opts: &CompareOptions) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) | (Value::Other(x), Value::Other(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => {
                let abs_tol = opts.abs_tol.max(decimal_unit(a)).max(decimal_unit(b));
                floats_close(x, y, abs_tol, opts)
            }
            _ => match (a.as_instant(), b.as_instant()) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            },
        },
    }
}

fn rows_match(a: &Row, b: &Row, opts: &CompareOptions) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_match(x, y, opts))
}

/// Rank of a value's kind in the sort order used to align multisets (NULL first).
fn kind_rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) | Value::Float(_) | Value::Decimal(_, _) => 2,
        Value::Str(_) => 3,
        Value::Date(_) | Value::Timestamp(_) => 4,
        Value::Other(_) => 5,
    }
}

/// A total order on values that agrees with [`values_match`] up to tolerance.
fn cmp_values(a: &Value, b: &Value) -> Ordering {
    kind_rank(a).cmp(&kind_rank(b)).then_with(|| match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) | (Value::Other(x), Value::Other(y)) => x.cmp(y),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.as_instant().cmp(&b.as_instant()),
        },
    })
}

fn cmp_rows(a: &Row, b: &Row) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| cmp_values(x, y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// The exactly-compared part of a row (numbers are left out: they match within tolerance),
/// used to bucket rows that could match.
fn exact_key(row: &Row) -> String {
    let mut key = String::new();
    for v in row {
        match v {
            Value::Int(_) | Value::Float(_) | Value::Decimal(_, _) => key.push('#'),
            Value::Date(_) | Value::Timestamp(_) => {
                let _ = write!(key, "@{}", v.as_instant().unwrap_or_default());
            }
            other => {
                let _ = write!(key, "{other:?}");
            }
        }
        key.push('\u{1}');
    }
    key
}

fn format_row(row: &Row) -> String {
    let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
    format!("[{}]", cells.join(", "))
}

fn header(actual: &ResultSet, expected: &ResultSet, opts: &CompareOptions) -> String {
    format!(
        "columns: {} ({}) / {} ({})\n",
        actual.columns.join(", "),
        opts.actual_label,
        expected.columns.join(", "),
        opts.expected_label
    )
}

/// Compare `actual` with `expected`. Column names are not compared (engines name expressions
/// differently); the column count, the row count and every value are.
pub fn compare(actual: &ResultSet, expected: &ResultSet, opts: &CompareOptions) -> Result<(), Mismatch> {
    if actual.columns.len() != expected.columns.len() {
        return Err(Mismatch {
            message: format!(
                "column count differs: {} has {}, {} has {}\n{}",
                opts.actual_label,
                actual.columns.len(),
                opts.expected_label,
                expected.columns.len(),
                header(actual, expected, opts)
            ),
        });
    }
    if opts.ordered {
        compare_ordered(actual, expected, opts)
    } else {
        compare_unordered(actual, expected, opts)
    }
}

fn compare_ordered(actual: &ResultSet, expected: &ResultSet, opts: &CompareOptions) -> Result<(), Mismatch> {
    let first_diff = actual.rows.iter().zip(&expected.rows).position(|(a, e)| !rows_match(a, e, opts));
    let Some(i) = first_diff.or_else(|| {
        (actual.rows.len() != expected.rows.len()).then_some(actual.rows.len().min(expected.rows.len()))
    }) else {
        return Ok(());
    };
    let mut msg = format!(
        "ordered results differ from row {i} on ({} has {} rows, {} has {})\n",
        opts.actual_label,
        actual.rows.len(),
        opts.expected_label,
        expected.rows.len()
    );
    msg.push_str(&header(actual, expected, opts));
    if let (Some(a), Some(e)) = (actual.rows.get(i), expected.rows.get(i)) {
        let cols: Vec<&str> = a
            .iter()
            .zip(e)
            .enumerate()
            .filter(|(_, (x, y))| !values_match(x, y, opts))
            .map(|(c, _)| actual.columns.get(c).map_or("?", String::as_str))
            .collect();
        let _ = writeln!(msg, "differing columns in row {i}: {}", cols.join(", "));
    }
    let width = opts.actual_label.len().max(opts.expected_label.len());
    for r in i..(i + opts.max_shown).min(actual.rows.len().max(expected.rows.len())) {
        let show = |row: Option<&Row>| row.map_or("(no row)".to_string(), format_row);
        let _ = writeln!(
            msg,
            "row {r}:\n  - {:width$} {}\n  + {:width$} {}",
            opts.expected_label,
            show(expected.rows.get(r)),
            opts.actual_label,
            show(actual.rows.get(r)),
        );
    }
    Err(Mismatch { message: msg })
}

fn compare_unordered(
    actual: &ResultSet,
    expected: &ResultSet,
    opts: &CompareOptions,
) -> Result<(), Mismatch> {
    let mut a: Vec<&Row> = actual.rows.iter().collect();
    let mut e: Vec<&Row> = expected.rows.iter().collect();
    a.sort_by(|x, y| cmp_rows(x, y));
    e.sort_by(|x, y| cmp_rows(x, y));

    // Merge pass over the sorted rows pairs almost everything; rows whose float keys sort
    // differently within tolerance are left over and matched by bucket below.
    let (mut i, mut j) = (0, 0);
    let mut left_a = Vec::new();
    let mut left_e = Vec::new();
    while i < a.len() && j < e.len() {
        if rows_match(a[i], e[j], opts) {
            i += 1;
            j += 1;
        } else if cmp_rows(a[i], e[j]).is_lt() {
            left_a.push(a[i]);
            i += 1;
        } else {
            left_e.push(e[j]);
            j += 1;
        }
    }
    left_a.extend_from_slice(&a[i..]);
    left_e.extend_from_slice(&e[j..]);

    let mut buckets: HashMap<String, Vec<&Row>> = HashMap::new();
    for row in left_e {
        buckets.entry(exact_key(row)).or_default().push(row);
    }
    let mut only_actual = Vec::new();
    for row in left_a {
        let bucket = buckets.get_mut(&exact_key(row));
        let found = bucket.and_then(|b| {
            let pos = b.iter().position(|cand| rows_match(row, cand, opts))?;
            Some(b.swap_remove(pos))
        });
        if found.is_none() {
            only_actual.push(row);
        }
    }
    let mut only_expected: Vec<&Row> = buckets.into_values().flatten().collect();
    if only_actual.is_empty() && only_expected.is_empty() {
        return Ok(());
    }
    only_expected.sort_by(|x, y| cmp_rows(x, y));
    let mut msg = format!(
        "results differ (compared as multisets): {} rows only in {}, {} rows only in {} \
         ({} has {} rows, {} has {})\n",
        only_actual.len(),
        opts.actual_label,
        only_expected.len(),
        opts.expected_label,
        opts.actual_label,
        actual.rows.len(),
        opts.expected_label,
        expected.rows.len()
    );
    msg.push_str(&header(actual, expected, opts));
    for row in only_expected.iter().take(opts.max_shown) {
        let _ = writeln!(msg, "  - {} {}", opts.expected_label, format_row(row));
    }
    for row in only_actual.iter().take(opts.max_shown) {
        let _ = writeln!(msg, "  + {} {}", opts.actual_label, format_row(row));
    }
    Err(Mismatch { message: msg })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(rows: Vec<Row>) -> ResultSet {
        let n = rows.first().map_or(0, Vec::len);
        ResultSet { columns: (0..n).map(|i| format!("c{i}")).collect(), rows }
    }

    #[test]
    fn numbers_compare_with_tolerance_across_types() {
        let o = CompareOptions::default();
        assert!(values_match(&Value::Int(3), &Value::Float(3.0), &o));
        assert!(values_match(&Value::Float(1e9), &Value::Float(1e9 + 0.5), &o));
        assert!(!values_match(&Value::Float(1.0), &Value::Float(1.001), &o));
        assert!(values_match(&Value::Float(0.0), &Value::Float(1e-10), &o));
        assert!(values_match(&Value::Float(f64::NAN), &Value::Float(f64::NAN), &o));
        assert!(!values_match(&Value::Null, &Value::Int(0), &o));
        assert!(values_match(&Value::Null, &Value::Null, &o));
        assert!(values_match(&Value::Date(1), &Value::Timestamp(86_400_000_000_000), &o));
        assert!(!values_match(&Value::Str("a".into()), &Value::Str("A".into()), &o));
        // avg(decimal) truncated by one engine and rounded by the other.
        assert!(values_match(&Value::Decimal(0.047758, 6), &Value::Decimal(0.047759, 6), &o));
        assert!(values_match(&Value::Decimal(0.047759, 6), &Value::Float(0.0477586), &o));
        assert!(!values_match(&Value::Decimal(0.047757, 6), &Value::Decimal(0.047759, 6), &o));
    }

    #[test]
    fn unordered_ignores_row_order_but_counts_duplicates() {
        let o = CompareOptions::default();
        let a = rs(vec![vec![Value::Int(1)], vec![Value::Int(2)], vec![Value::Int(2)]]);
        let b = rs(vec![vec![Value::Float(2.0)], vec![Value::Int(1)], vec![Value::Int(2)]]);
        assert!(compare(&a, &b, &o).is_ok());
        let c = rs(vec![vec![Value::Int(1)], vec![Value::Int(1)], vec![Value::Int(2)]]);
        let err = compare(&a, &c, &o).unwrap_err().to_string();
        assert!(err.contains("1 rows only in shoal"), "{err}");
        assert!(err.contains("+ shoal [2]"), "{err}");
        assert!(err.contains("- expected [1]"), "{err}");
    }

    #[test]
    fn unordered_matches_rows_whose_floats_sort_differently() {
        let o = CompareOptions::default();
        let a = rs(vec![
            vec![Value::Float(1.0), Value::Str("x".into())],
            vec![Value::Float(1.0 + 1e-12), Value::Str("a".into())],
        ]);
        let b = rs(vec![
            vec![Value::Float(1.0 + 1e-12), Value::Str("x".into())],
            vec![Value::Float(1.0), Value::Str("a".into())],
        ]);
        assert!(compare(&a, &b, &o).is_ok());
    }

    #[test]
    fn ordered_reports_first_difference_and_column() {
        let o = CompareOptions::default().with_ordered(true).with_labels("shoal", "datafusion");
        let a = rs(vec![
            vec![Value::Int(1), Value::Str("a".into())],
            vec![Value::Int(2), Value::Str("b".into())],
        ]);
        let b = rs(vec![
            vec![Value::Int(2), Value::Str("b".into())],
            vec![Value::Int(1), Value::Str("a".into())],
        ]);
        let err = compare(&a, &b, &o).unwrap_err().to_string();
        assert!(err.starts_with("ordered results differ from row 0"), "{err}");
        assert!(err.contains("differing columns in row 0: c0, c1"), "{err}");
        assert!(err.contains("- datafusion [2, 'b']"), "{err}");
        assert!(compare(&a, &a, &o).is_ok());
        let short = rs(vec![vec![Value::Int(1), Value::Str("a".into())]]);
        let err = compare(&short, &a, &o).unwrap_err().to_string();
        assert!(err.contains("from row 1"), "{err}");
        assert!(err.contains("(no row)"), "{err}");
    }

    #[test]
    fn column_count_mismatch_is_reported() {
        let a = rs(vec![vec![Value::Int(1)]]);
        let b = rs(vec![vec![Value::Int(1), Value::Int(2)]]);
        let err = compare(&a, &b, &CompareOptions::default()).unwrap_err();
        assert!(err.to_string().starts_with("column count differs"));
    }
}
