//! [`PackedGroupValues`]: group keys packed column by column into one `u64` or `u128` per row.
//!
//! Every key column becomes a fixed number of bits: a fixed-width value its own bits (floats
//! and decimals too: equal bits, same group, as in the row format), a boolean one bit, and a
//! string the dense id its [`StringInterner`] gives it. When the widths add up to at most 256
//! bits the packed key (`u64`, `u128`, or 3 or 4 words) is looked up in a hash map of plain integers — no row encoding, no byte
//! comparisons. A row with a NULL key column is looked up with its NULL mask in a second map
//! (the NULL column's bits are zero), so the widths need no NULL bits.
//!
//! Interned string ids differ from thread to thread, so [`GroupValues::emit`] hashes each group
//! from its values (string bytes, not ids): every thread gives one key one hash.

use std::hash::Hash;
use std::sync::Arc;

use arrow::array::{make_array, Array, ArrayData, ArrayRef, AsArray, BooleanArray, StringArray};
use arrow::array::{LargeStringArray, StringViewArray};
use arrow::buffer::{BooleanBuffer, Buffer, MutableBuffer, NullBuffer};
use arrow::datatypes::DataType;
use shoal_common::{internal_err, Result};

pub use crate::key_packing::PackedKey;
use crate::key_packing::{field_mask, pack_fixed_column};

use super::group_values::{check_capacity, hash_state, EmittedGroups, GroupValues, NULL_HASH};
use super::string_interner::StringInterner;

/// At most this many key columns (one bit each in a row's NULL mask).
const MAX_COLUMNS: usize = 32;

/// A key of `N` 64-bit words, for keys wider than 128 bits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct WideKey<const N: usize>([u64; N]);

impl<const N: usize> Hash for WideKey<N> {
    /// The words folded into one `u64` first: one hasher write instead of `N + 1`.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let folded =
            self.0.iter().fold(0u64, |h, &w| (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29));
        state.write_u64(folded);
    }
}

impl<const N: usize> Default for WideKey<N> {
    fn default() -> Self {
        Self([0; N])
    }
}

impl<const N: usize> PackedKey for WideKey<N> {
    const BITS: u32 = 64 * N as u32;
    #[inline(always)]
    fn put(&mut self, shift: u32, code: u128) {
        let (mut code, mut at) = (code, shift as usize);
        while code != 0 {
            let (word, offset) = (at / 64, at % 64);
            if let Some(w) = self.0.get_mut(word) {
                *w |= (code << offset) as u64;
            }
            let taken = 64 - offset;
            code = code.checked_shr(taken as u32).unwrap_or(0);
            at += taken;
        }
    }
    #[inline(always)]
    fn get(&self, shift: u32, bits: u32) -> u128 {
        let (mut out, mut got, mut at) = (0u128, 0u32, shift as usize);
        while got < bits {
            let (word, offset) = (at / 64, at % 64);
            let w = self.0.get(word).copied().unwrap_or(0) >> offset;
            let n = (64 - offset as u32).min(bits - got);
            out |= (u128::from(w) & field_mask(n)) << got;
            got += n;
            at += n as usize;
        }
        out
    }
    fn clear(&mut self, shift: u32, bits: u32) {
        let mut mask = Self::default();
        mask.put(shift, field_mask(bits));
        for (w, m) in self.0.iter_mut().zip(mask.0.iter()) {
            *w &= !m;
        }
    }
}

/// How one key column is packed.
enum KeyColumn {
    /// A fixed-width primitive column of `width` bytes: its little-endian bits.
    Fixed {
        width: usize,
    },
    Boolean,
    Strings(StringInterner),
}

impl KeyColumn {
    fn for_type(t: &DataType) -> Option<Self> {
        match t {
            DataType::Boolean => Some(Self::Boolean),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                Some(Self::Strings(StringInterner::default()))
            }
            t if t.is_primitive() => match t.primitive_width() {
                Some(width @ (1 | 2 | 4 | 8 | 16)) => Some(Self::Fixed { width }),
                _ => None,
            },
            _ => None,
        }
    }

    fn bits(&self) -> u32 {
        match self {
            Self::Fixed { width } => *width as u32 * 8,
            Self::Boolean => 1,
            Self::Strings(_) => 32,
        }
    }
}

/// The widths of `types` packed, if every type can be packed and there are at most
/// [`MAX_COLUMNS`] of them.
pub(crate) fn packed_bits(types: &[DataType]) -> Option<u32> {
    if types.is_empty() || types.len() > MAX_COLUMNS {
        return None;
    }
    types.iter().map(|t| KeyColumn::for_type(t).map(|c| c.bits())).sum()
}

/// Group keys packed into `K`; see the module docs.
pub struct PackedGroupValues<K: PackedKey> {
    types: Vec<DataType>,
    columns: Vec<KeyColumn>,
    /// Bit position of each column in the key.
    shifts: Vec<u32>,
    /// Rows without NULL keys.
    map: hashbrown::HashMap<K, u32, ahash::RandomState>,
    /// Rows with a NULL key column, by (NULL mask, key).
    null_map: hashbrown::HashMap<(u32, K), u32, ahash::RandomState>,
    /// Each group's packed key and NULL mask.
    keys: Vec<K>,
    masks: Vec<u32>,
    /// Scratch: this batch's packed keys and NULL masks.
    batch_keys: Vec<K>,
    batch_masks: Vec<u32>,
}

impl<K: PackedKey> PackedGroupValues<K> {
    /// `None` when `types` do not fit in `K`.
    pub fn try_new(types: &[DataType]) -> Option<Self> {
        let columns = types.iter().map(KeyColumn::for_type).collect::<Option<Vec<_>>>()?;
        if types.len() > MAX_COLUMNS {
            return None;
        }
        let mut shifts = Vec::with_capacity(columns.len());
        let mut bits = 0u32;
        for c in &columns {
            shifts.push(bits);
            bits += c.bits();
        }
        if bits > K::BITS {
            return None;
        }
        Some(Self {
            types: types.to_vec(),
            columns,
            shifts,
            map: hashbrown::HashMap::with_hasher(hash_state()),
            null_map: hashbrown::HashMap::with_hasher(hash_state()),
            keys: vec![],
            masks: vec![],
            batch_keys: vec![],
            batch_masks: vec![],
        })
    }

    /// OR column `c`'s codes into the batch keys, and its NULLs into the batch masks.
    fn pack_column(&mut self, c: usize, array: &ArrayRef, rows: usize) -> Result<()> {
        let (Some(column), Some(&shift)) = (self.columns.get_mut(c), self.shifts.get(c)) else {
            return internal_err!("group key column {c} out of range");
        };
        if array.len() != rows {
            return internal_err!("group key column {c} has {} rows, expected {rows}", array.len());
        }
        let keys = &mut self.batch_keys;
        match column {
            KeyColumn::Fixed { width } => {
                pack_fixed_column(array, *width, shift, rows, keys)?;
            }
            KeyColumn::Boolean => {
                let Some(bools) = array.as_boolean_opt() else {
                    return internal_err!("group key column {c} is not boolean");
                };
                for (k, v) in keys.iter_mut().zip(bools.values().iter()) {
                    k.put(shift, u128::from(v));
                }
            }
            KeyColumn::Strings(interner) => {
                let nulls = array.logical_nulls();
                let nulls = nulls.as_ref().filter(|n| n.null_count() > 0);
                let mut put = |i: usize, k: &mut K, s: &[u8]| {
                    if nulls.is_none_or(|n| n.is_valid(i)) {
                        k.put(shift, u128::from(interner.intern(s)));
                    }
                };
                if let Some(a) = array.as_any().downcast_ref::<StringArray>() {
                    for (i, k) in keys.iter_mut().enumerate() {
                        put(i, k, a.value(i).as_bytes());
                    }
                } else if let Some(a) = array.as_any().downcast_ref::<LargeStringArray>() {
                    for (i, k) in keys.iter_mut().enumerate() {
                        put(i, k, a.value(i).as_bytes());
                    }
                } else if let Some(a) = array.as_any().downcast_ref::<StringViewArray>() {
                    for (i, k) in keys.iter_mut().enumerate() {
                        put(i, k, a.value(i).as_bytes());
                    }
                } else {
                    return internal_err!("group key column {c} is not a string column");
                }
            }
        }
        if let Some(nulls) = array.logical_nulls().filter(|n| n.null_count() > 0) {
            if self.batch_masks.is_empty() {
                self.batch_masks.resize(rows, 0);
            }
            let bit = 1u32 << c;
            // a NULL's bits are zeroed so equal keys pack equally whatever the slot held
            let bits = column.bits();
            for (i, (m, k)) in self.batch_masks.iter_mut().zip(self.batch_keys.iter_mut()).enumerate() {
                if nulls.is_null(i) {
                    *m |= bit;
                    k.clear(shift, bits);
                }
            }
        }
        Ok(())
    }
}

impl<K: PackedKey> GroupValues for PackedGroupValues<K> {
    fn intern(&mut self, keys: &[ArrayRef], rows: usize, group_ids: &mut Vec<u32>) -> Result<()> {
        if keys.len() != self.columns.len() {
            return internal_err!("expected {} group key columns, got {}", self.columns.len(), keys.len());
        }
        check_capacity(self.keys.len(), rows)?;
        self.batch_keys.clear();
        self.batch_keys.resize(rows, K::default());
        self.batch_masks.clear();
        for (c, array) in keys.iter().enumerate() {
            self.pack_column(c, array, rows)?;
        }
        group_ids.clear();
        group_ids.reserve(rows);
        let Self { map, null_map, keys: group_keys, masks, batch_keys, batch_masks, .. } = self;
        if batch_masks.is_empty() {
            group_ids.extend(batch_keys.iter().map(|&k| {
                let next = group_keys.len() as u32;
                *map.entry(k).or_insert_with(|| {
                    group_keys.push(k);
                    masks.push(0);
                    next
                })
            }));
            return Ok(());
        }
        group_ids.extend(batch_keys.iter().zip(batch_masks.iter()).map(|(&k, &m)| {
            let next = group_keys.len() as u32;
            let mut insert = || {
                group_keys.push(k);
                masks.push(m);
                next
            };
            if m == 0 {
                *map.entry(k).or_insert_with(insert)
            } else {
                *null_map.entry((m, k)).or_insert_with(&mut insert)
            }
        }));
        Ok(())
    }

    fn num_groups(&self) -> usize {
        self.keys.len()
    }

    fn emit(&mut self) -> Result<EmittedGroups> {
        let keys = std::mem::take(&mut self.keys);
        let masks = std::mem::take(&mut self.masks);
        self.map.clear();
        self.null_map.clear();
        let state = hash_state();
        let mut hashes = vec![0u64; keys.len()];
        let mut arrays = Vec::with_capacity(self.columns.len());
        for (c, (column, t)) in self.columns.iter().zip(self.types.iter()).enumerate() {
            let shift = self.shifts.get(c).copied().unwrap_or_default();
            let bits = column.bits();
            let code = |k: K| k.get(shift, bits);
            let bit = 1u32 << c;
            let nulls = masks
                .iter()
                .any(|m| m & bit != 0)
                .then(|| NullBuffer::from_iter(masks.iter().map(|m| m & bit == 0)));
            // each group's hash folds in this column's value (string bytes, not ids)
            for ((h, &k), &m) in hashes.iter_mut().zip(keys.iter()).zip(masks.iter()) {
                let value = if m & bit != 0 {
                    u128::from(NULL_HASH)
                } else if let KeyColumn::Strings(interner) = column {
                    u128::from(interner.hash(code(k) as u32).unwrap_or_default())
                } else {
                    code(k)
                };
                *h = state.hash_one((*h, value));
            }
            let array = match column {
                KeyColumn::Fixed { width } => {
                    let mut bytes = MutableBuffer::with_capacity(keys.len() * width);
                    for &k in &keys {
                        bytes.extend_from_slice(code(k).to_le_bytes().get(..*width).unwrap_or_default());
                    }
                    let data = ArrayData::builder(t.clone())
                        .len(keys.len())
                        .add_buffer(Buffer::from(bytes))
                        .nulls(nulls)
                        .build()?;
                    make_array(data)
                }
                KeyColumn::Boolean => {
                    let values: BooleanBuffer = keys.iter().map(|&k| code(k) != 0).collect();
                    Arc::new(BooleanArray::new(values, nulls)) as ArrayRef
                }
                KeyColumn::Strings(interner) => {
                    let mut texts = Vec::with_capacity(keys.len());
                    for (&k, &m) in keys.iter().zip(masks.iter()) {
                        if m & bit != 0 {
                            texts.push(None);
                            continue;
                        }
                        let Some(bytes) = interner.value(code(k) as u32) else {
                            return internal_err!("group key string id out of range");
                        };
                        match std::str::from_utf8(bytes) {
                            Ok(text) => texts.push(Some(text)),
                            Err(e) => return internal_err!("group key string is not UTF-8: {e}"),
                        }
                    }
                    match t {
                        DataType::LargeUtf8 => Arc::new(LargeStringArray::from(texts)) as ArrayRef,
                        DataType::Utf8View => Arc::new(StringViewArray::from(texts)),
                        _ => Arc::new(StringArray::from(texts)),
                    }
                }
            };
            arrays.push(array);
        }
        for column in self.columns.iter_mut() {
            if let KeyColumn::Strings(interner) = column {
                interner.clear();
            }
        }
        Ok(EmittedGroups { keys: arrays, hashes })
    }
}
