//! [`MultiDirectGroupValues`]: group keys of integer-like columns (and floats holding whole
//! numbers, such as `round(x)`) whose value ranges multiply to a small number — passenger
//! count × year × rounded distance — found by direct indexing: each column's value becomes a
//! code (`0` for NULL, `1 + value − base` otherwise), the codes are combined into one slot
//! index (`Σ code × stride`), and the slot holds the group id. No hashing, no probing.
//!
//! The ranges grow as batches need (the groups seen so far are re-indexed); once the slots
//! would exceed [`MULTI_DIRECT_MAX_SLOTS`], or a value has no whole-number code (a float with
//! a fraction, `-0.0`, NaN, an unsigned value past `i64::MAX`), every group moves to the
//! general implementation ([`packed_or_rows`]) keeping its id, and later batches go there.
//! Emitting goes through that implementation too, so every thread hashes a key the same way
//! whichever path it took.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::*;
use shoal_common::{internal_err, Result};

use super::group_values::{check_capacity, packed_or_rows, EmittedGroups, GroupValues};

/// The most slots (product of every column's codes) indexed directly: 256 KiB of `u32`.
pub const MULTI_DIRECT_MAX_SLOTS: u64 = 1 << 16;

/// A slot with no group yet.
const EMPTY: u32 = u32::MAX;

/// A native key value with a whole-number `i64` code.
trait DirectKey: Copy {
    /// The value's code, or `None` when it has none (the column cannot be indexed directly).
    fn to_code(self) -> Option<i64>;
    /// The value back from its code.
    fn from_code(code: i64) -> Self;
}

macro_rules! direct_key_lossless {
    ($($t:ty),*) => {$(
        impl DirectKey for $t {
            #[inline(always)]
            fn to_code(self) -> Option<i64> {
                Some(i64::from(self))
            }
            #[inline(always)]
            fn from_code(code: i64) -> Self {
                // codes come from values of this type, so they fit
                code as $t
            }
        }
    )*};
}
direct_key_lossless!(i8, i16, i32, i64, u8, u16, u32);

impl DirectKey for u64 {
    #[inline(always)]
    fn to_code(self) -> Option<i64> {
        i64::try_from(self).ok()
    }
    #[inline(always)]
    fn from_code(code: i64) -> Self {
        code as u64
    }
}

impl DirectKey for f64 {
    /// Only values that come back bit for bit: whole numbers, not `-0.0` (a group apart from
    /// `0.0`), not NaN or infinities.
    #[inline(always)]
    fn to_code(self) -> Option<i64> {
        let code = self as i64;
        ((code as f64).to_bits() == self.to_bits()).then_some(code)
    }
    #[inline(always)]
    fn from_code(code: i64) -> Self {
        code as f64
    }
}

/// Call `$f::<ArrowType>($($arg),*)` for the arrow type of `$dt`, or evaluate `$other`.
macro_rules! dispatch {
    ($dt:expr, $f:ident, ($($arg:expr),*), $other:expr) => {
        match $dt {
            DataType::Int8 => $f::<Int8Type>($($arg),*),
            DataType::Int16 => $f::<Int16Type>($($arg),*),
            DataType::Int32 => $f::<Int32Type>($($arg),*),
            DataType::Int64 => $f::<Int64Type>($($arg),*),
            DataType::UInt8 => $f::<UInt8Type>($($arg),*),
            DataType::UInt16 => $f::<UInt16Type>($($arg),*),
            DataType::UInt32 => $f::<UInt32Type>($($arg),*),
            DataType::UInt64 => $f::<UInt64Type>($($arg),*),
            DataType::Date32 => $f::<Date32Type>($($arg),*),
            DataType::Date64 => $f::<Date64Type>($($arg),*),
            DataType::Timestamp(TimeUnit::Second, _) => $f::<TimestampSecondType>($($arg),*),
            DataType::Timestamp(TimeUnit::Millisecond, _) => $f::<TimestampMillisecondType>($($arg),*),
            DataType::Timestamp(TimeUnit::Microsecond, _) => $f::<TimestampMicrosecondType>($($arg),*),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => $f::<TimestampNanosecondType>($($arg),*),
            DataType::Float64 => $f::<Float64Type>($($arg),*),
            _ => $other,
        }
    };
}

/// Whether a key of type `t` can be indexed directly (the types [`dispatch`] knows).
pub fn is_direct_key_type(t: &DataType) -> bool {
    use DataType::*;
    matches!(
        t,
        Int8 | Int16
            | Int32
            | Int64
            | UInt8
            | UInt16
            | UInt32
            | UInt64
            | Date32
            | Date64
            | Timestamp(_, _)
            | Float64
    )
}

/// The codes one column covers: `1..=len` for `base..base + len`, `0` for NULL.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CodeRange {
    base: i64,
    len: u64,
}

impl CodeRange {
    /// Codes per column, NULL included.
    fn codes(self) -> u64 {
        self.len.saturating_add(1)
    }
    fn contains(self, lo: i64, hi: i64) -> bool {
        let end = i128::from(self.base) + i128::from(self.len);
        i128::from(lo) >= i128::from(self.base) && i128::from(hi) < end
    }
}

/// What one batch of a column holds: no code for some value, only NULLs, or this range.
enum BatchRange {
    NotDirect,
    AllNull,
    Range(i64, i64),
}

/// The smallest and largest code of the valid values of `a`.
fn batch_range<T: ArrowPrimitiveType>(a: &ArrayRef) -> BatchRange
where
    T::Native: DirectKey,
{
    let Some(a) = a.as_primitive_opt::<T>() else {
        return BatchRange::NotDirect;
    };
    let (mut lo, mut hi, mut ok) = (i64::MAX, i64::MIN, true);
    let mut see = |v: T::Native| match v.to_code() {
        Some(c) => {
            lo = lo.min(c);
            hi = hi.max(c);
        }
        None => ok = false,
    };
    match a.nulls().filter(|n| n.null_count() > 0) {
        None => a.values().iter().for_each(|&v| see(v)),
        Some(nulls) => for_each_chunk(a.values(), nulls, |values, mask| match mask {
            u64::MAX => values.iter().for_each(|&v| see(v)),
            mask => values.iter().enumerate().filter(|(j, _)| mask >> j & 1 == 1).for_each(|(_, &v)| see(v)),
        }),
    }
    match (ok, lo <= hi) {
        (false, _) => BatchRange::NotDirect,
        (true, false) => BatchRange::AllNull,
        (true, true) => BatchRange::Range(lo, hi),
    }
}

/// Add each row's code of column `a` (`range`), times `stride`, to `index`.
fn add_codes<T: ArrowPrimitiveType>(a: &ArrayRef, range: CodeRange, stride: u32, index: &mut [u32])
where
    T::Native: DirectKey,
{
    let Some(a) = a.as_primitive_opt::<T>() else {
        return;
    };
    // a value's code is 1 + value − base; NULL slots may hold anything, so their code is
    // multiplied by 0 (wrapping arithmetic: nothing is out of range for them)
    let code =
        |v: T::Native| v.to_code().unwrap_or(range.base).wrapping_sub(range.base).wrapping_add(1) as u32;
    match a.nulls().filter(|n| n.null_count() > 0) {
        None => {
            for (x, &v) in index.iter_mut().zip(a.values().iter()) {
                *x = x.wrapping_add(code(v).wrapping_mul(stride));
            }
        }
        Some(nulls) => {
            let mut start = 0;
            for_each_chunk(a.values(), nulls, |values, mask| {
                let Some(index) = index.get_mut(start..start + values.len()) else {
                    return;
                };
                start += values.len();
                if mask == u64::MAX {
                    for (x, &v) in index.iter_mut().zip(values.iter()) {
                        *x = x.wrapping_add(code(v).wrapping_mul(stride));
                    }
                } else {
                    for (j, (x, &v)) in index.iter_mut().zip(values.iter()).enumerate() {
                        let valid = (mask >> j & 1) as u32;
                        *x = x.wrapping_add(code(v).wrapping_mul(stride * valid));
                    }
                }
            });
        }
    }
}

/// Call `f(values, mask)` for each run of up to 64 `values` with the validity bits of
/// `nulls` for them (bit `j` set: `values[j]` is valid), so runs without NULLs take a
/// plain loop.
fn for_each_chunk<N>(values: &[N], nulls: &NullBuffer, mut f: impl FnMut(&[N], u64)) {
    let chunks = nulls.inner().bit_chunks();
    let mut start = 0;
    for mask in chunks.iter() {
        let Some(run) = values.get(start..start + 64) else {
            return;
        };
        f(run, mask);
        start += 64;
    }
    if let Some(rest) = values.get(start..).filter(|r| !r.is_empty()) {
        f(rest, chunks.remainder_bits());
    }
}

/// The key column of type `t` holding `codes` (`None` = NULL).
fn build_column<T: ArrowPrimitiveType>(t: &DataType, codes: &[Option<i64>]) -> Result<ArrayRef>
where
    T::Native: DirectKey,
{
    let values: Vec<T::Native> = codes.iter().map(|c| T::Native::from_code(c.unwrap_or_default())).collect();
    let nulls =
        codes.iter().any(Option::is_none).then(|| NullBuffer::from_iter(codes.iter().map(Option::is_some)));
    Ok(Arc::new(PrimitiveArray::<T>::new(values.into(), nulls).with_data_type(t.clone())))
}

/// Keys of integer-like columns indexed directly while their ranges stay small; see the
/// module docs.
pub struct MultiDirectGroupValues {
    types: Vec<DataType>,
    /// Each column's codes; empty until the first batch with a value.
    ranges: Vec<CodeRange>,
    /// Slot index = Σ code × stride.
    strides: Vec<u32>,
    /// `slots[index]`: the group id, or [`EMPTY`].
    slots: Vec<u32>,
    /// Each group's slot index, in group-id order.
    groups: Vec<u32>,
    /// Scratch: this batch's slot indexes.
    index: Vec<u32>,
    /// Set once the keys no longer index directly; every later batch goes here.
    general: Option<Box<dyn GroupValues>>,
}

impl MultiDirectGroupValues {
    /// Group values of key columns of `types`; `None` if some type cannot be indexed directly.
    pub fn try_new(types: &[DataType]) -> Option<Self> {
        if types.is_empty() || !types.iter().all(is_direct_key_type) {
            return None;
        }
        Some(Self {
            types: types.to_vec(),
            ranges: vec![],
            strides: vec![],
            slots: vec![],
            groups: vec![],
            index: vec![],
            general: None,
        })
    }

    /// Each group's key, column by column (`None` = NULL), in group-id order.
    fn group_codes(&self) -> Vec<Vec<Option<i64>>> {
        let mut columns = vec![Vec::with_capacity(self.groups.len()); self.types.len()];
        for &index in &self.groups {
            for ((column, range), &stride) in columns.iter_mut().zip(&self.ranges).zip(&self.strides) {
                let code = u64::from(index / stride.max(1)) % range.codes();
                column.push((code != 0).then(|| range.base.wrapping_add(code as i64 - 1)));
            }
        }
        columns
    }

    /// Each group's key as arrays, in group-id order.
    fn group_keys(&self) -> Result<Vec<ArrayRef>> {
        let codes = self.group_codes();
        self.types
            .iter()
            .zip(codes.iter())
            .map(|(t, c)| {
                dispatch!(t, build_column, (t, c), internal_err!("group key type {t} is not direct"))
            })
            .collect()
    }

    /// Lay the slots out for `ranges`, re-indexing the groups seen so far; `false` (nothing
    /// changed) when they would need more than [`MULTI_DIRECT_MAX_SLOTS`].
    fn relayout(&mut self, ranges: Vec<CodeRange>) -> bool {
        let mut strides = Vec::with_capacity(ranges.len());
        let mut total = 1u64;
        for r in &ranges {
            strides.push(total as u32);
            total = total.saturating_mul(r.codes());
            if total > MULTI_DIRECT_MAX_SLOTS {
                return false;
            }
        }
        let codes = self.group_codes();
        let mut slots = vec![EMPTY; total as usize];
        let mut groups = Vec::with_capacity(self.groups.len());
        for g in 0..self.groups.len() {
            let mut index = 0u64;
            for ((column, r), &stride) in codes.iter().zip(&ranges).zip(&strides) {
                let code = match column.get(g).copied().flatten() {
                    Some(v) => (i128::from(v) - i128::from(r.base) + 1) as u64,
                    None => 0,
                };
                index += code * u64::from(stride);
            }
            if let Some(slot) = slots.get_mut(index as usize) {
                *slot = g as u32;
            }
            groups.push(index as u32);
        }
        self.ranges = ranges;
        self.strides = strides;
        self.slots = slots;
        self.groups = groups;
        true
    }

    /// The general implementation holding every group seen so far under its id; the direct
    /// state is left empty.
    fn take_general(&mut self) -> Result<Box<dyn GroupValues>> {
        let mut general = packed_or_rows(&self.types)?;
        if !self.groups.is_empty() {
            let keys = self.group_keys()?;
            let mut ids = vec![];
            general.intern(&keys, self.groups.len(), &mut ids)?;
        }
        self.slots = vec![];
        self.groups = vec![];
        self.ranges = vec![];
        self.strides = vec![];
        Ok(general)
    }

    /// Make the ranges cover this batch's values (with room to grow), or return `false` when
    /// they cannot.
    fn cover(&mut self, keys: &[ArrayRef]) -> bool {
        let mut exact = Vec::with_capacity(keys.len());
        let mut roomy = Vec::with_capacity(keys.len());
        let mut changed = self.ranges.is_empty();
        for (c, (array, t)) in keys.iter().zip(&self.types).enumerate() {
            let current = self.ranges.get(c).copied().filter(|r| r.len > 0);
            let (e, r) = match (dispatch!(t, batch_range, (array), BatchRange::NotDirect), current) {
                (BatchRange::NotDirect, _) => return false,
                (BatchRange::AllNull, None) => (CodeRange { base: 0, len: 0 }, CodeRange { base: 0, len: 0 }),
                (BatchRange::AllNull, Some(r)) => (r, r),
                (BatchRange::Range(lo, hi), Some(r)) if r.contains(lo, hi) => (r, r),
                (BatchRange::Range(lo, hi), None) => {
                    changed = true;
                    let range = span(i128::from(lo), i128::from(hi));
                    (range, range)
                }
                (BatchRange::Range(lo, hi), Some(r)) => {
                    changed = true;
                    let (base, end) = (i128::from(r.base), i128::from(r.base) + i128::from(r.len) - 1);
                    let (lo, hi) = (i128::from(lo).min(base), i128::from(hi).max(end));
                    // grow by half again on each side that grows, so values rising batch by
                    // batch do not re-index every time
                    let slack = i128::from(r.len / 2);
                    let roomy_lo = if lo < base { lo - slack } else { lo };
                    let roomy_hi = if hi > end { hi + slack } else { hi };
                    (span(lo, hi), span(roomy_lo, roomy_hi))
                }
            };
            exact.push(e);
            roomy.push(r);
        }
        !changed || self.relayout(roomy) || self.relayout(exact)
    }
}

/// The codes of `lo..=hi`, clamped to `i64` and to a width that can never fit the slots
/// anyway.
fn span(lo: i128, hi: i128) -> CodeRange {
    let lo = lo.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    let hi = hi.clamp(lo, i128::from(i64::MAX));
    CodeRange { base: lo as i64, len: (hi - lo + 1).min(i128::from(u32::MAX)) as u64 }
}

impl GroupValues for MultiDirectGroupValues {
    fn intern(&mut self, keys: &[ArrayRef], rows: usize, group_ids: &mut Vec<u32>) -> Result<()> {
        if let Some(general) = self.general.as_mut() {
            return general.intern(keys, rows, group_ids);
        }
        if keys.len() != self.types.len() || keys.iter().any(|k| k.len() != rows) {
            return internal_err!("expected {} group key columns of {rows} rows", self.types.len());
        }
        if !self.cover(keys) {
            let general = self.take_general()?;
            return self.general.insert(general).intern(keys, rows, group_ids);
        }
        check_capacity(self.groups.len(), rows)?;
        self.index.clear();
        self.index.resize(rows, 0);
        for (((array, t), &range), &stride) in
            keys.iter().zip(&self.types).zip(&self.ranges).zip(&self.strides)
        {
            dispatch!(t, add_codes, (array, range, stride, &mut self.index), ())
        }
        group_ids.clear();
        group_ids.reserve(rows);
        let Self { slots, groups, index, .. } = self;
        for &i in index.iter() {
            let Some(slot) = slots.get_mut(i as usize) else {
                return internal_err!("group key outside the direct-index range");
            };
            if *slot == EMPTY {
                *slot = groups.len() as u32;
                groups.push(i);
            }
            group_ids.push(*slot);
        }
        Ok(())
    }

    fn num_groups(&self) -> usize {
        match &self.general {
            Some(general) => general.num_groups(),
            None => self.groups.len(),
        }
    }

    fn emit(&mut self) -> Result<EmittedGroups> {
        // the general implementation emits, so keys hash as in every other thread
        let mut general = match self.general.take() {
            Some(general) => general,
            None => self.take_general()?,
        };
        general.emit()
    }
}
