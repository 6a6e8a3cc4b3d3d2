//! Skipping partial aggregation: when a worker's hash table stops reducing rows (nearly one
//! group per row, e.g. GROUP BY a timestamp), the worker stops interning and buffers its rows,
//! split by key hash into the merge phase's partitions, which aggregate them directly.
//!
//! Rows are partitioned by [`key_hashes`], which every worker (and the merge, for the groups
//! the partial tables collected before the switch) computes the same way.

use arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use arrow::compute::take;
use arrow::datatypes::*;
use arrow_row::{RowConverter, SortField};
use shoal_common::Result;

use super::group_values::{hash_state, partition_of, NULL_HASH};

/// Rows a worker interns before it decides whether partial aggregation pays.
pub const DEFAULT_PROBE_ROWS: usize = 100_000;
/// Partial aggregation is skipped when groups / rows exceeds this after the probe.
pub const DEFAULT_MIN_RATIO: f64 = 0.8;
/// Merge partitions per worker thread once partial aggregation is skipped: small partitions
/// keep each partition's hash table close to the cache.
const PARTITIONS_PER_THREAD: usize = 32;

/// When a worker gives up partial aggregation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartialSkip {
    /// Rows interned before the decision (`usize::MAX`: never skip).
    pub probe_rows: usize,
    /// Skip when groups / rows is above this.
    pub min_ratio: f64,
}

impl Default for PartialSkip {
    fn default() -> Self {
        Self { probe_rows: DEFAULT_PROBE_ROWS, min_ratio: DEFAULT_MIN_RATIO }
    }
}

impl PartialSkip {
    /// True when a table of `groups` groups built from `rows` rows is not reducing enough.
    pub(crate) fn should_skip(&self, groups: usize, rows: usize) -> bool {
        rows >= self.probe_rows && rows > 0 && groups as f64 > self.min_ratio * rows as f64
    }
}

/// The number of merge partitions used when partial aggregation is skipped.
pub(crate) fn skip_partitions(threads: usize) -> usize {
    threads.max(1) * PARTITIONS_PER_THREAD
}

/// One hash per row of `keys`, the same for equal keys in every worker.
pub(crate) fn key_hashes(keys: &[ArrayRef], rows: usize) -> Result<Vec<u64>> {
    if let [key] = keys {
        macro_rules! primitive {
            ($t:ty) => {
                return Ok(primitive_hashes(key.as_primitive::<$t>()))
            };
        }
        match key.data_type() {
            DataType::Int8 => primitive!(Int8Type),
            DataType::Int16 => primitive!(Int16Type),
            DataType::Int32 => primitive!(Int32Type),
            DataType::Int64 => primitive!(Int64Type),
            DataType::UInt8 => primitive!(UInt8Type),
            DataType::UInt16 => primitive!(UInt16Type),
            DataType::UInt32 => primitive!(UInt32Type),
            DataType::UInt64 => primitive!(UInt64Type),
            DataType::Date32 => primitive!(Date32Type),
            DataType::Date64 => primitive!(Date64Type),
            DataType::Decimal128(_, _) => primitive!(Decimal128Type),
            DataType::Timestamp(TimeUnit::Second, _) => primitive!(TimestampSecondType),
            DataType::Timestamp(TimeUnit::Millisecond, _) => primitive!(TimestampMillisecondType),
            DataType::Timestamp(TimeUnit::Microsecond, _) => primitive!(TimestampMicrosecondType),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => primitive!(TimestampNanosecondType),
            _ => {}
        }
    }
    let converter = RowConverter::new(keys.iter().map(|k| SortField::new(k.data_type().clone())).collect())?;
    let encoded = converter.convert_columns(keys)?;
    let state = hash_state();
    let mut hashes = Vec::with_capacity(rows);
    hashes.extend(encoded.iter().map(|row| state.hash_one(row.data())));
    Ok(hashes)
}

fn primitive_hashes<T: ArrowPrimitiveType>(array: &arrow::array::PrimitiveArray<T>) -> Vec<u64>
where
    T::Native: std::hash::Hash,
{
    let state = hash_state();
    match array.nulls().filter(|n| n.null_count() > 0) {
        None => array.values().iter().map(|v| state.hash_one(v)).collect(),
        Some(nulls) => array
            .values()
            .iter()
            .enumerate()
            .map(|(i, v)| if nulls.is_valid(i) { state.hash_one(v) } else { NULL_HASH })
            .collect(),
    }
}

/// For each of `partitions` partitions, the rows (in order) whose hash falls into it.
pub(crate) fn partition_indices(hashes: &[u64], partitions: usize) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = (0..partitions).map(|_| vec![]).collect();
    for (i, &h) in hashes.iter().enumerate() {
        if let Some(part) = out.get_mut(partition_of(h, partitions)) {
            part.push(i as u32);
        }
    }
    out
}

/// A worker's buffered rows: for each merge partition, batches of columns (the group keys,
/// then the aggregates' argument columns).
#[derive(Default)]
pub(crate) struct RawPartitions {
    pub(crate) parts: Vec<Vec<Vec<ArrayRef>>>,
}

impl RawPartitions {
    /// Empty buffers for `partitions` partitions.
    pub(crate) fn new(partitions: usize) -> Self {
        Self { parts: (0..partitions).map(|_| vec![]).collect() }
    }

    /// Split `columns` (keys first, `key_count` of them) by key hash into the partitions;
    /// returns the bytes now buffered.
    pub(crate) fn push(&mut self, columns: &[ArrayRef], key_count: usize, rows: usize) -> Result<usize> {
        let keys = columns.get(..key_count).unwrap_or(columns);
        let hashes = key_hashes(keys, rows)?;
        let mut bytes = 0;
        for (indices, part) in
            partition_indices(&hashes, self.parts.len()).into_iter().zip(self.parts.iter_mut())
        {
            if indices.is_empty() {
                continue;
            }
            let indices = UInt32Array::from(indices);
            let taken =
                columns.iter().map(|c| Ok(take(c.as_ref(), &indices, None)?)).collect::<Result<Vec<_>>>()?;
            bytes += taken.iter().map(|a| a.get_array_memory_size()).sum::<usize>();
            part.push(taken);
        }
        Ok(bytes)
    }
}
