//! [`KeyCodec`]: how a hash join encodes its key columns, chosen from the build side's keys.
//!
//! Integer-like key columns (integers, dates, times, timestamps) are stored as their offset from
//! the build side's minimum, in as many bits as the build side's range needs; other fixed-width
//! columns of the same type on both sides (decimals, floats) keep their value bits. When the
//! widths add up to at most 64 (or 128) bits, every row's key is one `u64` (`u128`), hashed and
//! compared as one integer (see [`crate::key_packing`]). A probe value outside the build side's
//! [min, max] cannot match, so the probe drops it before hashing (a cheap "dynamic filter").
//! Anything else (strings, wider keys) goes through Arrow's row format.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::buffer::NullBuffer;
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use arrow_row::{RowConverter, Rows, SortField};
use rayon::prelude::*;
use shoal_common::{internal_err, Result};

use crate::key_packing::{pack_fixed_column, PackedKey};

/// Rows hashed per rayon task when hashing a build side.
const HASH_CHUNK: usize = 16 * 1024;

/// The hasher for row-format keys (fixed seeds: equal keys hash equally in every thread).
pub(super) fn row_hash_state() -> ahash::RandomState {
    crate::aggregate::group_values::hash_state()
}

/// A packed key a join table can hash.
pub(super) trait JoinKey: PackedKey {
    fn hash_key(self) -> u64;
}

/// Multiply and fold the 128-bit product: every input bit reaches the high and low bits.
#[inline(always)]
fn fold_mul(x: u64, m: u64) -> u64 {
    let p = u128::from(x) * u128::from(m);
    (p as u64) ^ ((p >> 64) as u64)
}

const SEED: u64 = 0x243f_6a88_85a3_08d3;
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;
const MUL2: u64 = 0xa409_3822_299f_31d1;

impl JoinKey for u64 {
    #[inline(always)]
    fn hash_key(self) -> u64 {
        fold_mul(fold_mul(self ^ SEED, MUL), MUL2)
    }
}

impl JoinKey for u128 {
    #[inline(always)]
    fn hash_key(self) -> u64 {
        let lo = fold_mul((self as u64) ^ SEED, MUL);
        fold_mul(lo ^ ((self >> 64) as u64), MUL2)
    }
}

/// How one key column is packed.
#[derive(Debug, Clone, Copy)]
pub(super) enum ColumnCode {
    /// An integer-like value as `value - min` (probe values outside `[min, min + span]` cannot
    /// match), at bit `shift`.
    Range { min: i64, span: u64, shift: u32 },
    /// The `width`-byte value bits at `shift` (the same type on both sides).
    Raw { width: usize, shift: u32 },
}

/// How a join's keys are encoded.
#[derive(Debug)]
pub(super) enum KeyCodec {
    Packed64(Vec<ColumnCode>),
    Packed128(Vec<ColumnCode>),
    /// Arrow's row format; probe columns are cast to the build types first.
    Rows {
        converter: RowConverter,
        types: Vec<DataType>,
    },
    /// No build row has a key without NULLs: nothing can match.
    Empty,
}

/// Keys of a batch, encoded.
pub(super) enum EncodedKeys {
    Packed64(Vec<u64>),
    Packed128(Vec<u128>),
    Rows { rows: Rows, hashes: Vec<u64> },
    Empty,
}

/// Encoded keys, and which rows can match (`None`: every row): no NULL key column and every
/// range-coded value within the build side's range.
pub(super) struct Encoded {
    pub(super) keys: EncodedKeys,
    pub(super) live: Option<Vec<bool>>,
}

fn is_integer_like(t: &DataType) -> bool {
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

/// Min and max of the non-NULL values of an integer-like column (`None`: all NULL or empty).
fn int_range(array: &ArrayRef) -> Result<Option<(i64, i64)>> {
    let as_i64 = cast(array, &DataType::Int64)?;
    let values = as_i64.as_primitive::<Int64Type>();
    Ok(match values.nulls().filter(|n| n.null_count() > 0) {
        None => values.values().iter().fold(None, |acc, &v| Some(widen(acc, v))),
        Some(nulls) => values
            .values()
            .iter()
            .zip(nulls.iter())
            .filter(|(_, valid)| *valid)
            .fold(None, |acc, (&v, _)| Some(widen(acc, v))),
    })
}

fn widen(acc: Option<(i64, i64)>, v: i64) -> (i64, i64) {
    match acc {
        Some((lo, hi)) => (lo.min(v), hi.max(v)),
        None => (v, v),
    }
}

impl KeyCodec {
    /// The codec for a join whose build keys are `build` and whose probe keys have `probe_types`.
    pub(super) fn for_build(build: &[ArrayRef], probe_types: &[DataType]) -> Result<Self> {
        if build.len() != probe_types.len() || build.is_empty() {
            return internal_err!("{} build keys but {} probe keys", build.len(), probe_types.len());
        }
        let mut codes = Vec::with_capacity(build.len());
        let mut bits = 0u32;
        let mut packable = true;
        for (array, probe_type) in build.iter().zip(probe_types) {
            let build_type = array.data_type();
            if is_integer_like(build_type) && is_integer_like(probe_type) {
                let Some((min, max)) = int_range(array)? else {
                    return Ok(KeyCodec::Empty);
                };
                let span = (i128::from(max) - i128::from(min)) as u64;
                codes.push(ColumnCode::Range { min, span, shift: bits });
                bits += 64 - span.leading_zeros();
            } else if build_type == probe_type && build_type.is_primitive() {
                match build_type.primitive_width() {
                    Some(width @ (1 | 2 | 4 | 8 | 16)) => {
                        codes.push(ColumnCode::Raw { width, shift: bits });
                        bits += width as u32 * 8;
                    }
                    _ => packable = false,
                }
            } else {
                packable = false;
            }
        }
        if packable && bits <= 64 {
            return Ok(KeyCodec::Packed64(codes));
        }
        if packable && bits <= 128 {
            return Ok(KeyCodec::Packed128(codes));
        }
        let types: Vec<DataType> = build.iter().map(|a| a.data_type().clone()).collect();
        let converter = RowConverter::new(types.iter().map(|t| SortField::new(t.clone())).collect())?;
        Ok(KeyCodec::Rows { converter, types })
    }

    /// Encode the key columns of `num_rows` rows (on the build side, hashing in parallel).
    pub(super) fn encode(&self, keys: &[ArrayRef], num_rows: usize) -> Result<Encoded> {
        if keys.iter().any(|k| k.len() != num_rows) {
            return internal_err!("join key columns do not have {num_rows} rows");
        }
        let mut live = null_mask(keys, num_rows);
        let keys = match self {
            KeyCodec::Packed64(codes) => EncodedKeys::Packed64(pack(codes, keys, num_rows, &mut live)?),
            KeyCodec::Packed128(codes) => EncodedKeys::Packed128(pack(codes, keys, num_rows, &mut live)?),
            KeyCodec::Rows { converter, types } => {
                let cast_keys = keys
                    .iter()
                    .zip(types)
                    .map(|(k, t)| if k.data_type() == t { Ok(ArrayRef::clone(k)) } else { cast(k, t) })
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                let rows = converter.convert_columns(&cast_keys)?;
                let state = row_hash_state();
                let mut hashes = vec![0u64; num_rows];
                hashes.par_chunks_mut(HASH_CHUNK).enumerate().for_each(|(c, chunk)| {
                    for (j, h) in chunk.iter_mut().enumerate() {
                        let i = c * HASH_CHUNK + j;
                        if i < rows.num_rows() {
                            *h = state.hash_one(rows.row(i).as_ref());
                        }
                    }
                });
                EncodedKeys::Rows { rows, hashes }
            }
            KeyCodec::Empty => EncodedKeys::Empty,
        };
        Ok(Encoded { keys, live })
    }
}

/// `Some(valid)` when some row has a NULL key column.
fn null_mask(keys: &[ArrayRef], num_rows: usize) -> Option<Vec<bool>> {
    let mut valid: Option<NullBuffer> = None;
    for k in keys {
        valid = NullBuffer::union(valid.as_ref(), k.logical_nulls().as_ref());
    }
    let valid = valid.filter(|v| v.null_count() > 0)?;
    let mut live = Vec::with_capacity(num_rows);
    live.extend(valid.iter());
    Some(live)
}

/// Pack the key columns into one `K` per row; rows with a value outside a range-coded column's
/// range are marked dead in `live`.
fn pack<K: PackedKey>(
    codes: &[ColumnCode],
    keys: &[ArrayRef],
    num_rows: usize,
    live: &mut Option<Vec<bool>>,
) -> Result<Vec<K>> {
    let mut out = vec![K::default(); num_rows];
    for (code, array) in codes.iter().zip(keys) {
        match *code {
            ColumnCode::Range { min, span, shift } => {
                let as_i64 = cast(array, &DataType::Int64)?;
                let values = as_i64.as_primitive::<Int64Type>().values();
                let mut outside = false;
                for (k, &v) in out.iter_mut().zip(values.iter()) {
                    let d = v.wrapping_sub(min) as u64;
                    outside |= d > span;
                    k.put(shift, u128::from(d & span_mask(span)));
                }
                if outside {
                    let live = live.get_or_insert_with(|| vec![true; num_rows]);
                    for (l, &v) in live.iter_mut().zip(values.iter()) {
                        if v.wrapping_sub(min) as u64 > span {
                            *l = false;
                        }
                    }
                }
            }
            ColumnCode::Raw { width, shift } => pack_fixed_column(array, width, shift, num_rows, &mut out)?,
        }
    }
    Ok(out)
}

/// The bits a range of `span` needs, as a mask (so a dead row's offset cannot spill into the
/// next column's bits).
#[inline(always)]
fn span_mask(span: u64) -> u64 {
    match span.leading_zeros() {
        0 => u64::MAX,
        z => (1u64 << (64 - z)) - 1,
    }
}
