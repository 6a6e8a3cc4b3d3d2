//! Column statistics of a Parquet table: NULL counts and min/max from the row-group metadata,
//! distinct counts from the `distinct_count` statistic when every row group has one, else from
//! a sample (the first rows of a few row groups spread over the table, see
//! [`crate::statistics::estimate_distinct`]). Computed on the optimizer's first request for a
//! column and cached by the table.

use std::cmp::Ordering;
use std::fs::File;

use arrow::array::{Array, ArrayRef};
use arrow::datatypes::{DataType, Schema};
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use shoal_common::ScalarValue;
use shoal_expr::ColumnStatistics;

use super::ParquetFile;
use crate::statistics::estimate_distinct;

/// Row groups sampled for a distinct estimate.
const SAMPLE_ROW_GROUPS: usize = 4;
/// Rows read from the start of each sampled row group.
const SAMPLE_ROWS_PER_GROUP: usize = 16_384;

/// Statistics of `column` (an index into `schema`) over all `files`.
pub(super) fn column_statistics(files: &[ParquetFile], schema: &Schema, column: usize) -> ColumnStatistics {
    let Some(field) = schema.fields().get(column) else {
        return ColumnStatistics::default();
    };
    let total_rows: i64 = files.iter().map(|f| f.metadata.metadata().file_metadata().num_rows()).sum();
    let mut stats = ColumnStatistics::default();
    let mut bounds = Bounds::default();
    let mut null_count = Some(0usize);
    let mut metadata_distinct = Some(vec![]);
    for file in files {
        let meta = file.metadata.metadata();
        let Ok(converter) = StatisticsConverter::try_new(
            field.name(),
            file.metadata.schema(),
            file.metadata.parquet_schema(),
        ) else {
            return stats;
        };
        let converter = converter.with_missing_null_counts_as_zero(false);
        let groups = meta.row_groups();
        let nulls = converter.row_group_null_counts(groups.iter()).ok();
        null_count = match (null_count, nulls) {
            (Some(n), Some(a)) if a.null_count() == 0 => {
                Some(n + a.values().iter().map(|&v| usize::try_from(v).unwrap_or(usize::MAX)).sum::<usize>())
            }
            _ => None,
        };
        if has_exact_bounds(field.data_type()) {
            bounds.add(
                converter.row_group_mins(groups.iter()).ok(),
                converter.row_group_maxes(groups.iter()).ok(),
            );
        } else {
            bounds.unknown = true;
        }
        let leaf = converter.parquet_column_index();
        for group in groups {
            let distinct = leaf
                .and_then(|l| group.columns().get(l))
                .and_then(|c| c.statistics())
                .and_then(|s| s.distinct_count_opt());
            match (&mut metadata_distinct, distinct) {
                (Some(all), Some(d)) => all.push(d as f64),
                _ => metadata_distinct = None,
            }
        }
    }
    stats.null_count = null_count;
    let (min, max) = bounds.finish();
    stats.distinct_count = match metadata_distinct.filter(|d| !d.is_empty()) {
        // One value per row group: exact for one group; a column sorted across groups (disjoint
        // ranges) has their sum; otherwise values repeat across groups, so take the largest.
        Some(per_group) if per_group.len() == 1 || bounds.disjoint => Some(per_group.iter().sum()),
        Some(per_group) => per_group.iter().copied().reduce(f64::max),
        None => sample_distinct(files, column, total_rows as f64),
    };
    if let (Some(d), Some(range)) = (stats.distinct_count, integer_range(min.as_ref(), max.as_ref())) {
        stats.distinct_count = Some(d.min(range));
    }
    stats.min = min;
    stats.max = max;
    stats
}

/// Types whose row-group bounds are exact and comparable (strings may be truncated, floats
/// may hide NaNs).
fn has_exact_bounds(t: &DataType) -> bool {
    t.is_integer()
        || matches!(
            t,
            DataType::Date32 | DataType::Date64 | DataType::Decimal128(..) | DataType::Timestamp(..)
        )
}

/// The overall min/max over row groups, and whether the groups' ranges are disjoint.
#[derive(Default)]
struct Bounds {
    min: Option<ScalarValue>,
    max: Option<ScalarValue>,
    ranges: Vec<(ScalarValue, ScalarValue)>,
    unknown: bool,
    disjoint: bool,
}

impl Bounds {
    fn add(&mut self, mins: Option<ArrayRef>, maxes: Option<ArrayRef>) {
        let (Some(mins), Some(maxes)) = (mins, maxes) else {
            self.unknown = true;
            return;
        };
        for i in 0..mins.len().min(maxes.len()) {
            if mins.is_null(i) || maxes.is_null(i) {
                self.unknown = true;
                return;
            }
            let (lo, hi) = (ScalarValue::from_array_row(&mins, i), ScalarValue::from_array_row(&maxes, i));
            self.ranges.push((lo, hi));
        }
    }

    fn finish(&mut self) -> (Option<ScalarValue>, Option<ScalarValue>) {
        if self.unknown || self.ranges.is_empty() {
            return (None, None);
        }
        let less = |a: &ScalarValue, b: &ScalarValue| a.partial_cmp_value(b) == Some(Ordering::Less);
        let mut sorted = self.ranges.clone();
        sorted.sort_by(|a, b| a.0.partial_cmp_value(&b.0).unwrap_or(Ordering::Equal));
        self.disjoint = sorted.windows(2).all(|w| less(&w[0].1, &w[1].0));
        for (lo, hi) in &self.ranges {
            if self.min.as_ref().is_none_or(|m| less(lo, m)) {
                self.min = Some(lo.clone());
            }
            if self.max.as_ref().is_none_or(|m| less(m, hi)) {
                self.max = Some(hi.clone());
            }
        }
        (self.min.clone(), self.max.clone())
    }
}

/// `max − min + 1` for integer and date bounds: no more distinct values can exist.
fn integer_range(min: Option<&ScalarValue>, max: Option<&ScalarValue>) -> Option<f64> {
    let as_int = |v: &ScalarValue| match v.data_type() {
        DataType::Date32 => v.cast_to(&DataType::Int32).ok().and_then(|i| i.as_i64()),
        t if t.is_integer() => v.as_i64(),
        _ => None,
    };
    let (lo, hi) = (as_int(min?)?, as_int(max?)?);
    Some((hi as f64 - lo as f64 + 1.0).max(0.0))
}

/// A distinct estimate from the first rows of a few row groups spread over the table.
fn sample_distinct(files: &[ParquetFile], column: usize, total_rows: f64) -> Option<f64> {
    let groups: Vec<(usize, usize)> = files
        .iter()
        .enumerate()
        .flat_map(|(f, file)| (0..file.metadata.metadata().num_row_groups()).map(move |g| (f, g)))
        .collect();
    let picks = SAMPLE_ROW_GROUPS.min(groups.len());
    let mut chunks = vec![];
    for k in 0..picks {
        let &(f, g) = groups.get(k * groups.len() / picks)?;
        let file = files.get(f)?;
        let handle = File::open(&file.path).ok()?;
        let mask = ProjectionMask::roots(file.metadata.parquet_schema(), [column]);
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(handle, file.metadata.clone())
            .with_row_groups(vec![g])
            .with_projection(mask)
            .with_batch_size(SAMPLE_ROWS_PER_GROUP)
            .with_limit(SAMPLE_ROWS_PER_GROUP)
            .build()
            .ok()?;
        for batch in reader {
            chunks.push(std::sync::Arc::clone(batch.ok()?.columns().first()?));
        }
    }
    estimate_distinct(&chunks, total_rows)
}
