//! [`DirectGroupValues`]: one integer-like key (`INT`, `BIGINT`, `DATE`) whose values span a
//! small range — days of a few years, small codes — found by direct indexing (`value − base`
//! is the slot holding the group id) instead of hashing; it falls back to
//! [`PrimitiveGroupValues`] once the range grows too wide.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::{max, min};
use arrow::datatypes::{ArrowPrimitiveType, DataType};
use shoal_common::{internal_err, Result};

use super::group_values::{check_capacity, emit_primitive, EmittedGroups, GroupValues, PrimitiveGroupValues};

/// The widest range of key values (`max − min + 1`) indexed directly: a slot array of 256 KiB.
pub const DIRECT_MAX_RANGE: i128 = 1 << 16;

/// A slot with no group yet.
const EMPTY: u32 = u32::MAX;

/// One integer-like key column, looked up by direct indexing while its values span at most
/// [`DIRECT_MAX_RANGE`], hashed after that. Ids, emitted keys and hashes are the same as
/// [`PrimitiveGroupValues`]'s, so both can meet in the partitioned merge.
pub struct DirectGroupValues<T: ArrowPrimitiveType>
where
    T::Native: Into<i64> + std::hash::Hash + Eq,
{
    data_type: DataType,
    /// The key value of `slots[0]`.
    base: i64,
    /// `slots[v − base]`: the group id of value `v`, or [`EMPTY`].
    slots: Vec<u32>,
    /// Each group's key, in group-id order (the NULL group's slot holds a default value).
    values: Vec<T::Native>,
    null_group: Option<u32>,
    /// Set once the range grew too wide; every later batch goes here.
    hashed: Option<PrimitiveGroupValues<T>>,
}

impl<T: ArrowPrimitiveType> DirectGroupValues<T>
where
    T::Native: Into<i64> + std::hash::Hash + Eq,
{
    /// Group values of one key column of type `data_type` (NULL is a group too).
    pub fn new(data_type: DataType) -> Self {
        Self { data_type, base: 0, slots: vec![], values: vec![], null_group: None, hashed: None }
    }

    /// Make the slots cover `lo..=hi` (with some room to grow), or return `false` when the
    /// range they would need is wider than [`DIRECT_MAX_RANGE`].
    fn cover(&mut self, lo: i64, hi: i64) -> bool {
        let (lo, hi) = (i128::from(lo), i128::from(hi));
        let (start, end) = if self.slots.is_empty() {
            (lo, hi + 1)
        } else {
            let base = i128::from(self.base);
            let end = base + self.slots.len() as i128;
            if lo >= base && hi < end {
                return true;
            }
            // Leave room for half as many values again on each side that grows, so values
            // rising batch by batch (sorted dates) do not copy the slots every time.
            let slack = (end - base) / 2;
            let start = if lo < base { (lo - slack).max(end - DIRECT_MAX_RANGE).min(lo) } else { base };
            let end =
                if hi >= end { (hi + 1 + slack).min(start + DIRECT_MAX_RANGE).max(hi + 1) } else { end };
            (start, end)
        };
        if end - start > DIRECT_MAX_RANGE {
            return false;
        }
        let (Ok(start), Ok(len)) = (i64::try_from(start), usize::try_from(end - start)) else {
            return false;
        };
        let mut slots = vec![EMPTY; len];
        if !self.slots.is_empty() {
            let offset = (i128::from(self.base) - i128::from(start)) as usize;
            if let Some(dst) = slots.get_mut(offset..offset + self.slots.len()) {
                dst.copy_from_slice(&self.slots);
            }
        }
        self.slots = slots;
        self.base = start;
        true
    }

    /// Hand every group seen so far to a hash map, keeping their ids.
    fn fall_back(&mut self) -> &mut PrimitiveGroupValues<T> {
        let values = std::mem::take(&mut self.values);
        let null_group = self.null_group.take();
        self.slots = vec![];
        self.hashed.get_or_insert_with(|| {
            PrimitiveGroupValues::from_groups(self.data_type.clone(), values, null_group)
        })
    }
}

impl<T: ArrowPrimitiveType> GroupValues for DirectGroupValues<T>
where
    T::Native: Into<i64> + std::hash::Hash + Eq,
{
    fn intern(&mut self, keys: &[ArrayRef], rows: usize, group_ids: &mut Vec<u32>) -> Result<()> {
        if let Some(hashed) = self.hashed.as_mut() {
            return hashed.intern(keys, rows, group_ids);
        }
        let Some(array) = keys.first().and_then(|k| k.as_primitive_opt::<T>()) else {
            return internal_err!("group key is not {}", self.data_type);
        };
        if let (Some(lo), Some(hi)) = (min(array), max(array)) {
            if !self.cover(lo.into(), hi.into()) {
                return self.fall_back().intern(keys, rows, group_ids);
            }
        }
        check_capacity(self.values.len(), array.len())?;
        group_ids.clear();
        group_ids.reserve(array.len());
        let Self { base, slots, values, null_group, .. } = self;
        let base = *base;
        // `cover` made the slots span every valid value of this batch.
        #[inline]
        fn lookup<N: Into<i64> + Copy>(
            slots: &mut [u32],
            values: &mut Vec<N>,
            base: i64,
            v: N,
        ) -> Option<u32> {
            let slot = slots.get_mut(v.into().wrapping_sub(base) as usize)?;
            if *slot == EMPTY {
                *slot = values.len() as u32;
                values.push(v);
            }
            Some(*slot)
        }
        match array.nulls().filter(|n| n.null_count() > 0) {
            None => {
                for &v in array.values().iter() {
                    let Some(id) = lookup(slots, values, base, v) else {
                        return internal_err!("group key outside the direct-index range");
                    };
                    group_ids.push(id);
                }
            }
            Some(nulls) => {
                for (i, &v) in array.values().iter().enumerate() {
                    let id = if nulls.is_valid(i) {
                        lookup(slots, values, base, v)
                    } else {
                        Some(*null_group.get_or_insert_with(|| {
                            values.push(T::Native::default());
                            (values.len() - 1) as u32
                        }))
                    };
                    let Some(id) = id else {
                        return internal_err!("group key outside the direct-index range");
                    };
                    group_ids.push(id);
                }
            }
        }
        Ok(())
    }

    fn num_groups(&self) -> usize {
        match &self.hashed {
            Some(hashed) => hashed.num_groups(),
            None => self.values.len(),
        }
    }

    fn emit(&mut self) -> Result<EmittedGroups> {
        if let Some(mut hashed) = self.hashed.take() {
            return hashed.emit();
        }
        self.slots = vec![];
        let values = std::mem::take(&mut self.values);
        let null_group = self.null_group.take();
        Ok(emit_primitive::<T>(&self.data_type, values, null_group))
    }
}
