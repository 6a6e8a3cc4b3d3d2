//! [`JoinHashTable`]: the build side's keys → build row ids, partitioned by key hash so the
//! partitions are built in parallel, with a fast path for one integer-like key.
//!
//! Each partition maps a distinct key to a group, and stores the build rows of every group
//! contiguously (`offsets`/`rows`, like a CSR matrix), so a probe finds all its matches as one
//! slice. Rows with a NULL key are never inserted: NULL never equals anything.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::buffer::NullBuffer;
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use arrow_row::{RowConverter, Rows, SortField};
use hashbrown::HashTable;
use rayon::prelude::*;
use shoal_common::{exec_err, Result, ShoalError};

/// Below this many build rows the table is one partition, built by one thread.
const PARALLEL_BUILD_MIN_ROWS: usize = 64 * 1024;
/// Rows hashed per rayon task.
const HASH_CHUNK: usize = 16 * 1024;

/// The hasher shared by build and probe (fixed seeds: equal keys hash equally in every
/// thread); the one hash aggregation uses.
fn hash_state() -> ahash::RandomState {
    crate::aggregate::group_values::hash_state()
}

/// How keys are compared: one integer-like column as `i64`, or Arrow's row format.
#[derive(Debug)]
enum KeyCodec {
    Int64,
    Rows(RowConverter),
}

/// Keys of a batch, encoded for hashing and comparison.
pub(super) struct EncodedKeys {
    hashes: Vec<u64>,
    values: KeyValues,
    /// Row `i` has a key when no key column is NULL there.
    valid: Option<NullBuffer>,
}

enum KeyValues {
    Int64(Vec<i64>),
    Rows(Rows),
}

impl EncodedKeys {
    pub(super) fn len(&self) -> usize {
        self.hashes.len()
    }
    /// Is row `i`'s key non-NULL?
    pub(super) fn is_valid(&self, i: usize) -> bool {
        self.valid.as_ref().is_none_or(|v| v.is_valid(i))
    }
    /// Does some row have a NULL key?
    pub(super) fn has_null(&self) -> bool {
        self.valid.as_ref().is_some_and(|v| v.null_count() > 0)
    }
}

fn is_int64_like(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(_, _)
            | DataType::Time32(_)
            | DataType::Time64(_)
            | DataType::Duration(_)
    )
}

impl KeyCodec {
    fn try_new(types: &[DataType]) -> Result<Self> {
        if let [t] = types {
            if is_int64_like(t) {
                return Ok(KeyCodec::Int64);
            }
        }
        let fields = types.iter().map(|t| SortField::new(t.clone())).collect();
        Ok(KeyCodec::Rows(RowConverter::new(fields)?))
    }

    /// Encode and hash the key columns of `num_rows` rows.
    fn encode(&self, keys: &[ArrayRef], num_rows: usize) -> Result<EncodedKeys> {
        let mut valid: Option<NullBuffer> = None;
        for k in keys {
            valid = NullBuffer::union(valid.as_ref(), k.logical_nulls().as_ref());
        }
        let state = hash_state();
        let hash_chunks = |n: usize, f: &(dyn Fn(usize) -> u64 + Sync)| -> Vec<u64> {
            let mut hashes = vec![0u64; n];
            hashes.par_chunks_mut(HASH_CHUNK).enumerate().for_each(|(c, chunk)| {
                let base = c * HASH_CHUNK;
                for (j, h) in chunk.iter_mut().enumerate() {
                    *h = f(base + j);
                }
            });
            hashes
        };
        let (hashes, values) = match self {
            KeyCodec::Int64 => {
                let [key] = keys else {
                    return exec_err!("a single-column join key expected, got {}", keys.len());
                };
                let as_i64 = cast(key, &DataType::Int64)?;
                let values: Vec<i64> = as_i64.as_primitive::<Int64Type>().values().to_vec();
                let hashes = hash_chunks(values.len(), &|i| values.get(i).map_or(0, |v| state.hash_one(v)));
                (hashes, KeyValues::Int64(values))
            }
            KeyCodec::Rows(converter) => {
                let rows = converter.convert_columns(keys)?;
                let hashes = hash_chunks(rows.num_rows(), &|i| state.hash_one(rows.row(i).as_ref()));
                (hashes, KeyValues::Rows(rows))
            }
        };
        if hashes.len() != num_rows {
            return exec_err!("join keys have {} rows, expected {num_rows}", hashes.len());
        }
        Ok(EncodedKeys { hashes, values, valid })
    }
}

/// One partition: distinct keys → groups, and each group's build rows.
struct Partition {
    /// (key as `i64` bits or the key's hash, group)
    map: HashTable<(u64, u32)>,
    /// Group `g`'s rows are `rows[offsets[g]..offsets[g + 1]]`.
    offsets: Vec<u32>,
    rows: Vec<u32>,
}

/// The finished build side of a hash join: read-only, shared by every probing worker.
pub(super) struct JoinHashTable {
    codec: KeyCodec,
    build_keys: EncodedKeys,
    partitions: Vec<Partition>,
}

impl std::fmt::Debug for JoinHashTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinHashTable")
            .field("rows", &self.build_keys.len())
            .field("partitions", &self.partitions.len())
            .finish()
    }
}

/// Is key `a` of `values` equal to key `b` of `other`?
fn keys_equal(values: &KeyValues, a: usize, other: &KeyValues, b: usize) -> bool {
    match (values, other) {
        (KeyValues::Int64(x), KeyValues::Int64(y)) => x.get(a) == y.get(b),
        (KeyValues::Rows(x), KeyValues::Rows(y)) => {
            a < x.num_rows() && b < y.num_rows() && x.row(a) == y.row(b)
        }
        _ => false,
    }
}

fn partition_of(hash: u64, partitions: usize) -> usize {
    ((hash >> 32) as usize) % partitions.max(1)
}

impl JoinHashTable {
    /// Build the table over the key columns of every build row (`threads` partitions for
    /// large inputs, built in parallel on the current pool).
    pub(super) fn try_new(
        types: &[DataType],
        keys: &[ArrayRef],
        num_rows: usize,
        threads: usize,
    ) -> Result<Self> {
        if num_rows >= u32::MAX as usize {
            return exec_err!("the build side of a join has too many rows ({num_rows})");
        }
        let codec = KeyCodec::try_new(types)?;
        let build_keys = codec.encode(keys, num_rows)?;
        let parts = if num_rows < PARALLEL_BUILD_MIN_ROWS { 1 } else { threads.max(1) };
        let partitions = (0..parts)
            .into_par_iter()
            .map(|p| build_partition(&build_keys, p, parts))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { codec, build_keys, partitions })
    }

    /// Does some build row have a NULL key?
    pub(super) fn build_has_null_key(&self) -> bool {
        self.build_keys.has_null()
    }

    /// Encode probe-side key columns the way the build keys were encoded.
    pub(super) fn encode_probe(&self, keys: &[ArrayRef], num_rows: usize) -> Result<EncodedKeys> {
        self.codec.encode(keys, num_rows)
    }

    /// The build rows whose key equals probe row `i`'s (empty for a NULL key).
    #[inline]
    pub(super) fn matches(&self, probe: &EncodedKeys, i: usize) -> &[u32] {
        if !probe.is_valid(i) {
            return &[];
        }
        let Some(&hash) = probe.hashes.get(i) else {
            return &[];
        };
        let Some(part) = self.partitions.get(partition_of(hash, self.partitions.len())) else {
            return &[];
        };
        let found = match &probe.values {
            KeyValues::Int64(v) => {
                let Some(&key) = v.get(i) else { return &[] };
                part.map.find(hash, |e| e.0 == key as u64)
            }
            KeyValues::Rows(_) => part.map.find(hash, |e| {
                e.0 == hash
                    && group_first_row(part, e.1)
                        .is_some_and(|r| keys_equal(&self.build_keys.values, r, &probe.values, i))
            }),
        };
        match found {
            Some(&(_, g)) => group_rows(part, g),
            None => &[],
        }
    }
}

fn group_rows(part: &Partition, g: u32) -> &[u32] {
    let g = g as usize;
    match (part.offsets.get(g), part.offsets.get(g + 1)) {
        (Some(&s), Some(&e)) => part.rows.get(s as usize..e as usize).unwrap_or(&[]),
        _ => &[],
    }
}

fn group_first_row(part: &Partition, g: u32) -> Option<usize> {
    group_rows(part, g).first().map(|&r| r as usize)
}

/// Build partition `p` of `parts` from the build rows whose key hashes into it.
fn build_partition(keys: &EncodedKeys, p: usize, parts: usize) -> Result<Partition> {
    let state = hash_state();
    let mut map: HashTable<(u64, u32)> = HashTable::new();
    let mut group_of_row: Vec<(u32, u32)> = vec![]; // (build row, group)
    let mut counts: Vec<u32> = vec![];
    // Keys seen first at this row, per group (to compare row-format keys).
    let mut first_row: Vec<u32> = vec![];
    for (row, &hash) in keys.hashes.iter().enumerate() {
        if parts > 1 && partition_of(hash, parts) != p {
            continue;
        }
        if !keys.is_valid(row) {
            continue;
        }
        let row32 = u32::try_from(row).map_err(|_| ShoalError::Internal("build row id overflow".into()))?;
        let group = match &keys.values {
            KeyValues::Int64(v) => {
                let key = v.get(row).copied().unwrap_or_default() as u64;
                let next = counts.len() as u32;
                match map.entry(hash, |e| e.0 == key, |e| state.hash_one(e.0 as i64)) {
                    hashbrown::hash_table::Entry::Occupied(o) => o.get().1,
                    hashbrown::hash_table::Entry::Vacant(v) => {
                        v.insert((key, next));
                        counts.push(0);
                        first_row.push(row32);
                        next
                    }
                }
            }
            KeyValues::Rows(_) => {
                let next = counts.len() as u32;
                let found = map.find(hash, |e| {
                    e.0 == hash
                        && first_row
                            .get(e.1 as usize)
                            .is_some_and(|&r| keys_equal(&keys.values, r as usize, &keys.values, row))
                });
                match found {
                    Some(&(_, g)) => g,
                    None => {
                        map.insert_unique(hash, (hash, next), |e| e.0);
                        counts.push(0);
                        first_row.push(row32);
                        next
                    }
                }
            }
        };
        if let Some(c) = counts.get_mut(group as usize) {
            *c += 1;
        }
        group_of_row.push((row32, group));
    }
    // Lay the rows out group by group, in build order within a group.
    let mut offsets = Vec::with_capacity(counts.len() + 1);
    let mut total = 0u32;
    offsets.push(0);
    for c in &counts {
        total += c;
        offsets.push(total);
    }
    let mut cursor: Vec<u32> = offsets.iter().take(counts.len()).copied().collect();
    let mut rows = vec![0u32; total as usize];
    for (row, group) in group_of_row {
        if let Some(c) = cursor.get_mut(group as usize) {
            if let Some(slot) = rows.get_mut(*c as usize) {
                *slot = row;
            }
            *c += 1;
        }
    }
    Ok(Partition { map, offsets, rows })
}
