//! Distinct-value estimates from samples, and a per-table cache of column statistics.
//!
//! A sample is a few chunks of consecutive values of one column (the first rows of a few row
//! groups spread over a Parquet table, the CSV inference sample, all batches of a memory table).
//! [`estimate_distinct`] counts the values' frequencies and scales them to the whole table:
//! * the whole table was sampled: the exact count;
//! * most repeated values sit next to each other and the chunks see different values (a sorted
//!   or clustered column such as `l_orderkey`, where a chunk sees each value several times and
//!   the next chunk sees new ones): distinct values grow in proportion to rows, `d · N / n`.
//!   When most values recur in several chunks (a low-cardinality column such as `l_returnflag`,
//!   whose runs come from the table's sort order) the column is not scaled;
//! * otherwise (values spread at random): the bias-corrected Chao1 estimator
//!   `d + f1·(f1 − 1) / (2·(f2 + 1))`, where `f1` and `f2` count the values seen once and twice.
//!
//! The estimate is at least the distinct count of the sample and at most the table's non-NULL
//! rows.

use std::collections::HashMap;
use std::sync::Mutex;

use arrow::array::{Array, ArrayRef};
use arrow::row::{RowConverter, SortField};
use shoal_common::ScalarValue;
use shoal_expr::ColumnStatistics;

/// The distinct non-NULL values of a column of `total_rows` rows (NULLs included), estimated from
/// `chunks`, each a run of consecutive values of the column. `None` when the values cannot be
/// compared (an unsupported type) or `chunks` is empty.
pub(crate) fn estimate_distinct(chunks: &[ArrayRef], total_rows: f64) -> Option<f64> {
    let first = chunks.first()?;
    let converter = RowConverter::new(vec![SortField::new(first.data_type().clone())]).ok()?;
    let rows: Vec<_> = chunks
        .iter()
        .map(|c| converter.convert_columns(std::slice::from_ref(c)).ok())
        .collect::<Option<_>>()?;
    // Per value: how often it was seen, the first chunk that saw it, and whether another did.
    let mut counts: hashbrown::HashMap<&[u8], (u32, usize, bool)> = hashbrown::HashMap::new();
    let (mut sampled, mut non_null, mut adjacent_repeats) = (0usize, 0usize, 0usize);
    for (index, (chunk, rows)) in chunks.iter().zip(&rows).enumerate() {
        sampled += chunk.len();
        let mut previous: Option<&[u8]> = None;
        for i in 0..chunk.len() {
            if chunk.is_null(i) {
                previous = None;
                continue;
            }
            non_null += 1;
            let key = rows.row(i).data();
            if previous == Some(key) {
                adjacent_repeats += 1;
            }
            previous = Some(key);
            let entry = counts.entry(key).or_insert((0, index, false));
            entry.0 += 1;
            entry.2 |= entry.1 != index;
        }
    }
    let d = counts.len() as f64;
    if sampled as f64 >= total_rows || non_null == 0 {
        return Some(d);
    }
    let n = non_null as f64;
    // The non-NULL rows of the table, assuming the sample's NULL fraction.
    let population = total_rows * n / sampled as f64;
    let repeats = n - d;
    let shared = counts.values().filter(|&&(_, _, shared)| shared).count() as f64;
    let recurring = chunks.len() > 1 && shared >= 0.5 * d;
    let estimate = if repeats > 0.0 && adjacent_repeats as f64 >= 0.5 * repeats && !recurring {
        d * population / n
    } else {
        let f1 = counts.values().filter(|&&(c, _, _)| c == 1).count() as f64;
        let f2 = counts.values().filter(|&&(c, _, _)| c == 2).count() as f64;
        d + f1 * (f1 - 1.0).max(0.0) / (2.0 * (f2 + 1.0))
    };
    Some(estimate.min(population).max(d))
}

/// Exact statistics of a column held as `chunks` (an in-memory table).
pub(crate) fn exact_column_statistics(chunks: &[ArrayRef]) -> ColumnStatistics {
    let rows: usize = chunks.iter().map(|c| c.len()).sum();
    let mut stats = ColumnStatistics {
        null_count: Some(chunks.iter().map(|c| c.null_count()).sum()),
        distinct_count: estimate_distinct(chunks, rows as f64),
        ..ColumnStatistics::default()
    };
    // The byte-comparable row format orders values as the type does.
    let Some(first) = chunks.first() else { return stats };
    let Ok(converter) = RowConverter::new(vec![SortField::new(first.data_type().clone())]) else {
        return stats;
    };
    let (mut min, mut max) = (None, None);
    for chunk in chunks {
        let Ok(converted) = converter.convert_columns(std::slice::from_ref(chunk)) else {
            return stats;
        };
        for i in (0..chunk.len()).filter(|&i| chunk.is_valid(i)) {
            let row = converted.row(i);
            if min.as_ref().is_none_or(|m: &arrow::row::OwnedRow| row < m.row()) {
                min = Some(row.owned());
            }
            if max.as_ref().is_none_or(|m: &arrow::row::OwnedRow| row > m.row()) {
                max = Some(row.owned());
            }
        }
    }
    let value = |r: Option<arrow::row::OwnedRow>| {
        let r = r?;
        let arrays = converter.convert_rows([r.row()]).ok()?;
        ScalarValue::try_from_array(arrays.into_iter().next()?).ok()
    };
    stats.min = value(min);
    stats.max = value(max);
    stats
}

/// Column statistics computed on first request, kept for the table's lifetime.
#[derive(Debug, Default)]
pub(crate) struct ColumnStatisticsCache {
    columns: Mutex<HashMap<usize, ColumnStatistics>>,
}

impl ColumnStatisticsCache {
    /// The statistics of `column`, computing them with `compute` the first time.
    pub(crate) fn get_or_compute(
        &self,
        column: usize,
        compute: impl FnOnce() -> ColumnStatistics,
    ) -> ColumnStatistics {
        if let Ok(cache) = self.columns.lock() {
            if let Some(s) = cache.get(&column) {
                return s.clone();
            }
        }
        let stats = compute();
        if let Ok(mut cache) = self.columns.lock() {
            cache.insert(column, stats.clone());
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::Int64Array;

    use super::*;

    fn chunk(values: impl IntoIterator<Item = i64>) -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(values))
    }

    #[test]
    fn whole_table_sampled_is_exact() {
        let a: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None, Some(1), Some(3)]));
        assert_eq!(estimate_distinct(&[a], 4.0), Some(2.0));
    }

    #[test]
    fn unique_column_scales_to_the_table() {
        let est = estimate_distinct(&[chunk(0..1000), chunk(50_000..51_000)], 100_000.0);
        assert_eq!(est, Some(100_000.0));
    }

    #[test]
    fn clustered_column_scales_in_proportion() {
        // every key four times in a row: a quarter as many keys as rows
        let est = estimate_distinct(&[chunk((0..4000).map(|i| i / 4))], 400_000.0);
        assert_eq!(est, Some(100_000.0));
    }

    #[test]
    fn low_cardinality_column_saturates() {
        let est = estimate_distinct(&[chunk((0..10_000).map(|i| (i * 7919) % 25))], 1_000_000.0);
        assert_eq!(est, Some(25.0));
    }

    #[test]
    fn low_cardinality_runs_in_every_chunk_are_not_scaled() {
        // like l_returnflag in a table sorted by order key: long runs, the same few values in
        // every chunk
        let runs = |start: i64| (0..1000).map(move |i| (start + i / 100) % 3);
        let chunks = [chunk(runs(0)), chunk(runs(1)), chunk(runs(2))];
        assert_eq!(estimate_distinct(&chunks, 6_000_000.0), Some(3.0));
    }

    #[test]
    fn random_column_uses_chao() {
        // 20,000 rows drawn at random (xorshift) from 50,000 keys of a 1,000,000-row table
        let mut x: u64 = 88_172_645_463_325_252;
        let values = (0..20_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 50_000) as i64
        });
        let est = estimate_distinct(&[chunk(values)], 1e6).unwrap_or_default();
        assert!((40_000.0..=60_000.0).contains(&est), "{est}");
    }
}
