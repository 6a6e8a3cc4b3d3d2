//! Packing fixed-width key columns into one integer per row ([`PackedKey`]: `u64`, `u128`),
//! shared by hash aggregation (`aggregate/packed_group_values.rs`) and hash joins
//! (`joins/hash_table.rs`): each column takes its own bits at a fixed shift, so equal keys pack
//! to equal integers and are compared and hashed as one value.

use std::hash::Hash;

use arrow::array::{Array, ArrayRef};
use shoal_common::{internal_err, Result};

/// A packed key: `u64`, `u128` or a wider key of several words.
pub trait PackedKey: Copy + Eq + Hash + Default + Send + Sync + 'static {
    /// Width of the key in bits.
    const BITS: u32;
    /// OR in `code` (of at most 128 bits, fitting the key from `shift` on) at bit `shift`.
    fn put(&mut self, shift: u32, code: u128);
    /// The `bits` bits at `shift`.
    fn get(&self, shift: u32, bits: u32) -> u128;
    /// Zero the `bits` bits at `shift`.
    fn clear(&mut self, shift: u32, bits: u32);
}

impl PackedKey for u64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn put(&mut self, shift: u32, code: u128) {
        *self |= (code as u64).wrapping_shl(shift);
    }
    #[inline(always)]
    fn get(&self, shift: u32, bits: u32) -> u128 {
        u128::from(self.wrapping_shr(shift)) & field_mask(bits)
    }
    fn clear(&mut self, shift: u32, bits: u32) {
        *self &= !(field_mask(bits) as u64).wrapping_shl(shift);
    }
}

impl PackedKey for u128 {
    const BITS: u32 = 128;
    #[inline(always)]
    fn put(&mut self, shift: u32, code: u128) {
        *self |= code.wrapping_shl(shift);
    }
    #[inline(always)]
    fn get(&self, shift: u32, bits: u32) -> u128 {
        self.wrapping_shr(shift) & field_mask(bits)
    }
    fn clear(&mut self, shift: u32, bits: u32) {
        *self &= !field_mask(bits).wrapping_shl(shift);
    }
}

/// A mask of the low `bits` bits.
pub fn field_mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// OR the `width`-byte little-endian values in `bytes` into `keys` at `shift`.
pub fn pack_fixed<K: PackedKey>(bytes: &[u8], width: usize, shift: u32, keys: &mut [K]) {
    macro_rules! pack {
        ($n:literal, $t:ty) => {
            for (k, chunk) in keys.iter_mut().zip(bytes.chunks_exact($n)) {
                let mut b = [0u8; $n];
                b.copy_from_slice(chunk);
                k.put(shift, u128::from(<$t>::from_le_bytes(b)));
            }
        };
    }
    match width {
        1 => pack!(1, u8),
        2 => pack!(2, u16),
        4 => pack!(4, u32),
        8 => pack!(8, u64),
        _ => pack!(16, u128),
    }
}

/// OR the values of the fixed-width primitive column `array` (`width` bytes each, `rows`
/// rows) into `keys` at `shift`; the slots of NULLs hold whatever the values buffer holds.
pub fn pack_fixed_column<K: PackedKey>(
    array: &ArrayRef,
    width: usize,
    shift: u32,
    rows: usize,
    keys: &mut [K],
) -> Result<()> {
    if array.len() != rows {
        return internal_err!("key column has {} rows, expected {rows}", array.len());
    }
    let data = array.to_data();
    let Some(buffer) = data.buffers().first() else {
        return internal_err!("key column of type {} has no values", array.data_type());
    };
    let start = data.offset() * width;
    let Some(bytes) = buffer.as_slice().get(start..start + rows * width) else {
        return internal_err!("key column is shorter than its length");
    };
    pack_fixed(bytes, width, shift, keys);
    Ok(())
}
