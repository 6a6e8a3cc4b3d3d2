//! The REPL's boxed table: column types under the names, right-aligned numbers with thousands
//! separators, and long or wide results cut to fit (first and last rows, outer columns).

use std::ops::Range;

use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use unicode_width::UnicodeWidthStr;

/// How much of a result to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableLimits {
    /// Rows shown before the middle is cut (0: every row).
    pub max_rows: usize,
    /// Characters per line (None: no limit).
    pub max_width: Option<usize>,
}

/// A rendered table and what was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedTable {
    /// The table, ending with a newline.
    pub text: String,
    pub total_rows: usize,
    pub shown_rows: usize,
    /// Names of the columns left out to fit the width.
    pub hidden_columns: Vec<String>,
}

/// The marker put in place of hidden rows and columns.
const ELLIPSIS: &str = "…";

/// Render `batches` as a boxed table within `limits`.
pub fn render_table(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    limits: TableLimits,
) -> anyhow::Result<RenderedTable> {
    let total_rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let (head, tail) = shown_row_ranges(total_rows, limits.max_rows);
    let head_rows = format_rows(batches, head)?;
    let tail_rows = format_rows(batches, tail)?;
    render_rows(schema, head_rows, tail_rows, total_rows, limits.max_width)
}

/// Render a result already cut to its first rows `head` and last rows `tail` (a `…` row
/// between them when `tail` has rows) out of `total_rows`, within `max_width`: the table of a
/// streamed result (see [`super::head_tail::HeadTail`]).
pub fn render_cut_table(
    schema: &SchemaRef,
    head: &[RecordBatch],
    tail: &[RecordBatch],
    total_rows: usize,
    max_width: Option<usize>,
) -> anyhow::Result<RenderedTable> {
    let rows = |batches: &[RecordBatch]| batches.iter().map(|b| b.num_rows()).sum::<usize>();
    let head_rows = format_rows(head, 0..rows(head))?;
    let tail_rows = format_rows(tail, 0..rows(tail))?;
    render_rows(schema, head_rows, tail_rows, total_rows, max_width)
}

/// The boxed table of formatted `head_rows`, then (after a `…` row) `tail_rows`.
fn render_rows(
    schema: &SchemaRef,
    head_rows: Vec<Vec<String>>,
    tail_rows: Vec<Vec<String>>,
    total_rows: usize,
    max_width: Option<usize>,
) -> anyhow::Result<RenderedTable> {
    let shown_rows = head_rows.len() + tail_rows.len();
    let fields = schema.fields();
    let numeric: Vec<bool> = fields.iter().map(|f| is_number(f.data_type())).collect();
    let mut columns: Vec<Vec<String>> = vec![Vec::with_capacity(shown_rows); fields.len()];
    for row in head_rows.iter().chain(&tail_rows) {
        for (c, cell) in row.iter().enumerate() {
            if let Some(col) = columns.get_mut(c) {
                col.push(cell.clone());
            }
        }
    }
    for (col, &is_num) in columns.iter_mut().zip(&numeric) {
        if is_num && col.iter().any(|v| integer_digits(v) > 4) {
            col.iter_mut().for_each(|v| *v = group_thousands(v));
        }
    }
    let mut headers: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.name().clone(), shoal::display::sql_type_name(f.data_type()).to_lowercase()))
        .collect();
    let natural: Vec<usize> = headers
        .iter()
        .zip(&columns)
        .map(|((name, ty), col)| {
            col.iter().map(|v| text_width(v)).chain([text_width(name), text_width(ty)]).max().unwrap_or(1)
        })
        .collect();
    let widths = match max_width {
        Some(max_width) => shrink_widths(&natural, max_width),
        None => natural.clone(),
    };
    for (c, (&w, &n)) in widths.iter().zip(&natural).enumerate() {
        if w < n {
            if let Some(col) = columns.get_mut(c) {
                col.iter_mut().for_each(|v| *v = shorten(v, w));
            }
            if let Some((name, _)) = headers.get_mut(c) {
                *name = shorten(name, w);
            }
        }
    }
    let (left, right) = fitting_columns(&widths, max_width);
    let shown_cols: Vec<usize> = left.clone().chain(right.clone()).collect();
    let cut_cols = left.end < right.start;
    let hidden_columns =
        (left.end..right.start).filter_map(|i| fields.get(i).map(|f| f.name().clone())).collect();

    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    let mut header: Vec<String> = Vec::new();
    let mut aligns: Vec<bool> = Vec::new();
    for (pos, &c) in shown_cols.iter().enumerate() {
        if cut_cols && pos == left.len() {
            header.push(format!("{ELLIPSIS}\n"));
            aligns.push(false);
        }
        if let Some((name, ty)) = headers.get(c) {
            header.push(format!("{name}\n{ty}"));
            aligns.push(numeric.get(c).copied().unwrap_or(false));
        }
    }
    if cut_cols && left.len() == shown_cols.len() {
        header.push(format!("{ELLIPSIS}\n"));
        aligns.push(false);
    }
    table.set_header(header);
    let row_of = |r: usize| -> Vec<String> {
        let mut row = Vec::with_capacity(shown_cols.len() + 1);
        for (pos, &c) in shown_cols.iter().enumerate() {
            if cut_cols && pos == left.len() {
                row.push(ELLIPSIS.to_string());
            }
            row.push(columns.get(c).and_then(|col| col.get(r)).cloned().unwrap_or_default());
        }
        if cut_cols && left.len() == shown_cols.len() {
            row.push(ELLIPSIS.to_string());
        }
        row
    };
    for r in 0..head_rows.len() {
        table.add_row(row_of(r));
    }
    if !tail_rows.is_empty() {
        table.add_row(vec![ELLIPSIS.to_string(); aligns.len()]);
        for r in head_rows.len()..shown_rows {
            table.add_row(row_of(r));
        }
    }
    for (i, &right_aligned) in aligns.iter().enumerate() {
        if right_aligned {
            if let Some(col) = table.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    Ok(RenderedTable { text: format!("{table}\n"), total_rows, shown_rows, hidden_columns })
}

/// The rows to show of `total`: all of them, or the first and the last `max_rows / 2`.
pub fn shown_row_ranges(total: usize, max_rows: usize) -> (Range<usize>, Range<usize>) {
    if max_rows == 0 || total <= max_rows {
        return (0..total, total..total);
    }
    let head = max_rows.div_ceil(2);
    let tail = max_rows / 2;
    (0..head, total - tail..total)
}

/// The columns that fit in `max_width`: a run from the left and a run from the right, taken
/// alternately; when some are left out, room is kept for a `…` column between the runs.
pub fn fitting_columns(widths: &[usize], max_width: Option<usize>) -> (Range<usize>, Range<usize>) {
    let n = widths.len();
    let cost = |w: usize| w + 3; // padding on both sides and a border
    let all: usize = widths.iter().map(|&w| cost(w)).sum::<usize>() + 1;
    let Some(max_width) = max_width else { return (0..n, n..n) };
    if all <= max_width || n == 0 {
        return (0..n, n..n);
    }
    let mut used = 1 + cost(1); // the left border and the `…` column
    let (mut left, mut right) = (0, n);
    let mut from_left = true;
    while left < right {
        let next = if from_left { left } else { right - 1 };
        let w = widths.get(next).copied().unwrap_or(0);
        if used + cost(w) > max_width {
            break;
        }
        used += cost(w);
        if from_left {
            left += 1;
        } else {
            right -= 1;
        }
        from_left = !from_left;
    }
    if left == 0 && right == n {
        // Not even one column fits: show the first one anyway (its cells are already shortened).
        left = 1;
    }
    (0..left, right..n)
}

/// Narrower columns so that the table fits in `max_width` if it can: the widest columns are cut
/// first, down to [`MIN_CUT_WIDTH`] (or to the width that fits on their own); columns that still
/// do not fit are left out by [`fitting_columns`].
pub fn shrink_widths(widths: &[usize], max_width: usize) -> Vec<usize> {
    let mut out = widths.to_vec();
    let total = |w: &[usize]| w.iter().map(|&x| x + 3).sum::<usize>() + 1;
    let single = max_width.saturating_sub(4).max(1);
    for w in &mut out {
        *w = (*w).min(single);
    }
    loop {
        let excess = total(&out).saturating_sub(max_width);
        if excess == 0 {
            return out;
        }
        let Some((widest, &w)) = out.iter().enumerate().max_by_key(|&(_, &w)| w) else { return out };
        if w <= MIN_CUT_WIDTH {
            return out;
        }
        let second = out.iter().enumerate().filter(|&(i, _)| i != widest).map(|(_, &w)| w).max().unwrap_or(0);
        let target = w.saturating_sub(excess).max(second).max(MIN_CUT_WIDTH);
        // Cut at least one column per step so the loop ends.
        if let Some(slot) = out.get_mut(widest) {
            *slot = if target < w { target } else { w - 1 };
        }
    }
}

/// Columns are not cut narrower than this to make room; beyond, columns are left out.
const MIN_CUT_WIDTH: usize = 24;

/// `1234567.5` → `1,234,567.5`; text that is not a plain decimal number is returned unchanged.
pub fn group_thousands(value: &str) -> String {
    let (sign, rest) = match value.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", value),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()));
    if !plain || int.len() <= 3 {
        return value.to_string();
    }
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Digits before the decimal point of a plain number (0 for anything else).
fn integer_digits(value: &str) -> usize {
    let rest = value.strip_prefix('-').unwrap_or(value);
    let int = rest.split_once('.').map_or(rest, |(i, _)| i);
    if int.bytes().all(|b| b.is_ascii_digit()) {
        int.len()
    } else {
        0
    }
}

/// Widest line of `text`, in terminal columns.
fn text_width(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// `text` cut to `max` terminal columns per line, ending in `…` where cut.
fn shorten(text: &str, max: usize) -> String {
    if text_width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut width = 0;
        let mut cut = false;
        for ch in line.chars() {
            let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
            if width + w > max.saturating_sub(1) {
                cut = true;
                break;
            }
            width += w;
            out.push(ch);
        }
        if cut {
            out.push_str(ELLIPSIS);
        }
    }
    out
}

fn is_number(t: &DataType) -> bool {
    t.is_numeric()
}

/// The cells of global rows `range` (NULL as `NULL`).
/// Timestamps as people write them (`2024-01-28 13:15:49`, fractions only when there are some),
/// not ISO 8601's `T`.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";
const TIMESTAMP_TZ_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f%:z";

fn format_rows(batches: &[RecordBatch], range: Range<usize>) -> anyhow::Result<Vec<Vec<String>>> {
    let options = FormatOptions::default()
        .with_null("NULL")
        .with_timestamp_format(Some(TIMESTAMP_FORMAT))
        .with_timestamp_tz_format(Some(TIMESTAMP_TZ_FORMAT));
    let mut rows = Vec::with_capacity(range.len());
    let mut offset = 0;
    for batch in batches {
        let batch_range = offset..offset + batch.num_rows();
        offset = batch_range.end;
        let start = range.start.max(batch_range.start);
        let end = range.end.min(batch_range.end);
        if start >= end {
            continue;
        }
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for r in start - batch_range.start..end - batch_range.start {
            rows.push(formatters.iter().map(|f| f.value(r).to_string()).collect());
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{Field, Schema, TimeUnit};

    use super::*;

    #[test]
    fn timestamps_show_a_space_and_fractions_only_when_present() {
        let ts = TimestampMicrosecondArray::from(vec![
            Some(1_706_447_749_000_000),
            Some(1_706_447_749_500_000),
            None,
        ]);
        let zoned = ts.clone().with_timezone("+00:00");
        let schema = Arc::new(Schema::new(vec![
            Field::new("t", DataType::Timestamp(TimeUnit::Microsecond, None), true),
            Field::new("z", DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())), true),
        ]));
        let batch = RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(ts), Arc::new(zoned)]).unwrap();
        let rows = format_rows(&[batch], 0..3).unwrap();
        assert_eq!(rows[0], ["2024-01-28 13:15:49", "2024-01-28 13:15:49+00:00"]);
        assert_eq!(rows[1], ["2024-01-28 13:15:49.500", "2024-01-28 13:15:49.500+00:00"]);
        assert_eq!(rows[2], ["NULL", "NULL"]);
    }

    #[test]
    fn long_results_keep_first_and_last_rows() {
        assert_eq!(shown_row_ranges(10, 40), (0..10, 10..10));
        assert_eq!(shown_row_ranges(100, 0), (0..100, 100..100));
        assert_eq!(shown_row_ranges(100, 40), (0..20, 80..100));
        assert_eq!(shown_row_ranges(100, 5), (0..3, 98..100));
    }

    #[test]
    fn wide_results_keep_outer_columns() {
        assert_eq!(fitting_columns(&[5, 5, 5], None), (0..3, 3..3));
        assert_eq!(fitting_columns(&[5, 5, 5], Some(25)), (0..3, 3..3));
        // 1 + (1+3) for the ellipsis leaves 15: two columns of 8.
        assert_eq!(fitting_columns(&[5, 5, 5, 5], Some(21)), (0..1, 3..4));
        assert_eq!(fitting_columns(&[50, 5], Some(20)), (0..1, 2..2));
    }

    #[test]
    fn widest_columns_are_cut_first() {
        assert_eq!(shrink_widths(&[10, 200], 100), vec![10, 83]);
        assert_eq!(shrink_widths(&[10, 20], 100), vec![10, 20]);
        assert_eq!(shrink_widths(&[60, 60, 60], 100), vec![30, 30, 30]);
        assert_eq!(shrink_widths(&[60, 60, 60, 60, 60], 50), vec![24; 5]);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands("1234567"), "1,234,567");
        assert_eq!(group_thousands("-1234.50"), "-1,234.50");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("1e10"), "1e10");
        assert_eq!(group_thousands("NULL"), "NULL");
        assert_eq!(group_thousands("inf"), "inf");
    }

    #[test]
    fn table_is_cut_in_both_directions() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("wide_text_column", DataType::Utf8, false),
            Field::new("n", DataType::Int64, false),
        ]));
        let ids: Vec<i64> = (0..100).collect();
        let texts: Vec<String> = (0..100).map(|i| format!("row number {i} with some text")).collect();
        let ns: Vec<i64> = (0..100).map(|i| i * 1000).collect();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(ids)),
                Arc::new(StringArray::from(texts)),
                Arc::new(Int64Array::from(ns)),
            ],
        )
        .unwrap();
        let out = render_table(
            &schema,
            std::slice::from_ref(&batch),
            TableLimits { max_rows: 4, max_width: Some(30) },
        )
        .unwrap();
        assert_eq!((out.total_rows, out.shown_rows), (100, 4));
        assert_eq!(out.hidden_columns, vec!["wide_text_column".to_string()]);
        assert!(out.text.contains("99,000"), "{}", out.text);
        assert!(!out.text.contains("2,000"), "{}", out.text);
        assert!(out.text.contains("│      1 ┆ … ┆  1,000 │"), "{}", out.text);
        assert!(out.text.lines().all(|l| l.chars().count() <= 30), "{}", out.text);
        let all = render_table(&schema, &[batch], TableLimits { max_rows: 0, max_width: None }).unwrap();
        assert_eq!(all.shown_rows, 100);
        assert!(all.hidden_columns.is_empty());
        assert!(all.text.contains("row number 57 with some text"));
    }
}
