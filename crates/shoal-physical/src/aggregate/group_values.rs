//! Group keys → dense group ids: [`GroupValues`] with a specialisation for one fixed-width key
//! ([`PrimitiveGroupValues`]; [`super::direct_group_values::DirectGroupValues`] for integers
//! and dates of a small range), several integer-like keys of small ranges indexed directly
//! ([`super::multi_direct_group_values::MultiDirectGroupValues`]), keys packed into one integer
//! ([`super::packed_group_values::PackedGroupValues`]) and a general one over Arrow's row format
//! ([`RowGroupValues`]).
//!
//! Hashes use fixed seeds so the hash of a key is the same in every thread: the merge phase
//! partitions partial results by these hashes.

use std::hash::Hash;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::buffer::{NullBuffer, ScalarBuffer};
use arrow::compute::cast;
use arrow::datatypes::*;
use arrow_row::{RowConverter, Rows, SortField};
use shoal_common::{exec_err, internal_err, Result};

use super::direct_group_values::DirectGroupValues;
use super::multi_direct_group_values::MultiDirectGroupValues;
use super::packed_group_values::{packed_bits, PackedGroupValues, WideKey};

/// Keys of every group, in group-id order, with the hash of each group's key.
pub struct EmittedGroups {
    /// One array per key column; row `g` is the key of group `g`.
    pub keys: Vec<ArrayRef>,
    /// The hash of each group's key, in group-id order.
    pub hashes: Vec<u64>,
}

/// Maps the group keys of each row to a dense group id (`0..num_groups()`).
pub trait GroupValues: Send {
    /// Look up (inserting new groups) the keys of each of the `num_rows` rows of `keys`;
    /// `group_ids` is overwritten with one id per row.
    fn intern(&mut self, keys: &[ArrayRef], num_rows: usize, group_ids: &mut Vec<u32>) -> Result<()>;
    /// Number of groups seen so far.
    fn num_groups(&self) -> usize;
    /// Take every group out (the map is left empty).
    fn emit(&mut self) -> Result<EmittedGroups>;
    /// Make room for about `additional` more groups (a hint; the default ignores it).
    fn reserve(&mut self, _additional: usize) {}
}

/// The seeded hasher shared by every thread.
pub(crate) fn hash_state() -> ahash::RandomState {
    ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    )
}

pub(crate) const NULL_HASH: u64 = 0x9e37_79b9_7f4a_7c15;

/// Which of `partitions` partitions a group with hash `hash` belongs to. Uses the high bits so
/// the hash tables built per partition keep well-distributed low bits.
pub(crate) fn partition_of(hash: u64, partitions: usize) -> usize {
    ((hash >> 32) as usize) % partitions.max(1)
}

pub(crate) fn check_capacity(current: usize, incoming: usize) -> Result<()> {
    if current.saturating_add(incoming) > u32::MAX as usize {
        return exec_err!("too many groups in GROUP BY (more than {})", u32::MAX);
    }
    Ok(())
}

/// The group values for keys of `types`, picking the fastest implementation.
pub fn new_group_values(types: &[DataType]) -> Result<Box<dyn GroupValues>> {
    macro_rules! primitive {
        ($t:ty) => {
            Box::new(PrimitiveGroupValues::<$t>::new(types[0].clone()))
        };
    }
    if types.is_empty() {
        return Ok(Box::new(NoGroupValues));
    }
    if types.len() > 1 || types[0] == DataType::Float64 {
        if let Some(gv) = MultiDirectGroupValues::try_new(types) {
            return Ok(Box::new(gv));
        }
    }
    if types.len() == 1 {
        let gv: Box<dyn GroupValues> = match &types[0] {
            DataType::Int8 => primitive!(Int8Type),
            DataType::Int16 => primitive!(Int16Type),
            DataType::Int32 => Box::new(DirectGroupValues::<Int32Type>::new(types[0].clone())),
            DataType::Int64 => Box::new(DirectGroupValues::<Int64Type>::new(types[0].clone())),
            DataType::UInt8 => primitive!(UInt8Type),
            DataType::UInt16 => primitive!(UInt16Type),
            DataType::UInt32 => primitive!(UInt32Type),
            DataType::UInt64 => primitive!(UInt64Type),
            DataType::Date32 => Box::new(DirectGroupValues::<Date32Type>::new(types[0].clone())),
            DataType::Date64 => primitive!(Date64Type),
            DataType::Decimal128(_, _) => primitive!(Decimal128Type),
            DataType::Timestamp(TimeUnit::Second, _) => primitive!(TimestampSecondType),
            DataType::Timestamp(TimeUnit::Millisecond, _) => primitive!(TimestampMillisecondType),
            DataType::Timestamp(TimeUnit::Microsecond, _) => primitive!(TimestampMicrosecondType),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => primitive!(TimestampNanosecondType),
            _ => packed_or_rows(types)?,
        };
        return Ok(gv);
    }
    packed_or_rows(types)
}

/// Keys packed into a `u64` or `u128` when they fit, else the row format.
pub(crate) fn packed_or_rows(types: &[DataType]) -> Result<Box<dyn GroupValues>> {
    match packed_bits(types) {
        Some(bits) if bits <= 64 => {
            if let Some(gv) = PackedGroupValues::<u64>::try_new(types) {
                return Ok(Box::new(gv));
            }
        }
        Some(bits) if bits <= 128 => {
            if let Some(gv) = PackedGroupValues::<u128>::try_new(types) {
                return Ok(Box::new(gv));
            }
        }
        Some(bits) if bits <= 192 => {
            if let Some(gv) = PackedGroupValues::<WideKey<3>>::try_new(types) {
                return Ok(Box::new(gv));
            }
        }
        Some(bits) if bits <= 256 => {
            if let Some(gv) = PackedGroupValues::<WideKey<4>>::try_new(types) {
                return Ok(Box::new(gv));
            }
        }
        _ => {}
    }
    Ok(Box::new(RowGroupValues::try_new(types)?))
}

/// No GROUP BY: every row is in group 0, and there is always exactly one group.
pub struct NoGroupValues;

impl GroupValues for NoGroupValues {
    fn intern(&mut self, _keys: &[ArrayRef], num_rows: usize, ids: &mut Vec<u32>) -> Result<()> {
        ids.clear();
        ids.resize(num_rows, 0);
        Ok(())
    }
    fn num_groups(&self) -> usize {
        1
    }
    fn emit(&mut self) -> Result<EmittedGroups> {
        Ok(EmittedGroups { keys: vec![], hashes: vec![0] })
    }
}

/// Up to this many groups, a key is looked up by comparing it with each group's value.
const SMALL_GROUPS: usize = 8;

/// One fixed-width key column: a hash map from the native value to the group id.
pub struct PrimitiveGroupValues<T: ArrowPrimitiveType>
where
    T::Native: Hash + Eq,
{
    data_type: DataType,
    map: hashbrown::HashMap<T::Native, u32, ahash::RandomState>,
    values: Vec<T::Native>,
    null_group: Option<u32>,
}

impl<T: ArrowPrimitiveType> PrimitiveGroupValues<T>
where
    T::Native: Hash + Eq,
{
    /// Group values of one primitive key column of type `data_type` (NULL is a group too).
    pub fn new(data_type: DataType) -> Self {
        Self {
            data_type,
            map: hashbrown::HashMap::with_hasher(hash_state()),
            values: vec![],
            null_group: None,
        }
    }

    /// Group values that already hold the groups `values` (in group-id order), group
    /// `null_group` being the NULL key; new keys get the next ids.
    pub fn from_groups(data_type: DataType, values: Vec<T::Native>, null_group: Option<u32>) -> Self {
        let mut map = hashbrown::HashMap::with_capacity_and_hasher(values.len(), hash_state());
        for (id, &v) in values.iter().enumerate() {
            if Some(id as u32) != null_group {
                map.insert(v, id as u32);
            }
        }
        Self { data_type, map, values, null_group }
    }
}

impl<T: ArrowPrimitiveType> GroupValues for PrimitiveGroupValues<T>
where
    T::Native: Hash + Eq,
{
    fn intern(&mut self, keys: &[ArrayRef], _rows: usize, group_ids: &mut Vec<u32>) -> Result<()> {
        let Some(array) = keys.first().and_then(|k| k.as_primitive_opt::<T>()) else {
            return internal_err!("group key is not {}", self.data_type);
        };
        check_capacity(self.values.len(), array.len())?;
        group_ids.clear();
        group_ids.reserve(array.len());
        let Self { map, values, null_group, .. } = self;
        #[inline]
        fn lookup<N: Hash + Eq + Copy>(
            map: &mut hashbrown::HashMap<N, u32, ahash::RandomState>,
            values: &mut Vec<N>,
            v: N,
        ) -> u32 {
            let next = values.len() as u32;
            *map.entry(v).or_insert_with(|| {
                values.push(v);
                next
            })
        }
        match array.nulls().filter(|n| n.null_count() > 0) {
            // A handful of groups (and no NULL group sharing a slot): comparing with each is
            // cheaper than hashing.
            None if null_group.is_none() => group_ids.extend(array.values().iter().map(|&v| {
                let known =
                    if values.len() <= SMALL_GROUPS { values.iter().position(|&x| x == v) } else { None };
                match known {
                    Some(id) => id as u32,
                    None => lookup(map, values, v),
                }
            })),
            None => group_ids.extend(array.values().iter().map(|&v| lookup(map, values, v))),
            Some(nulls) => {
                for (i, &v) in array.values().iter().enumerate() {
                    if nulls.is_valid(i) {
                        group_ids.push(lookup(map, values, v));
                    } else {
                        let id = match *null_group {
                            Some(id) => id,
                            None => {
                                let id = values.len() as u32;
                                values.push(T::Native::default());
                                *null_group = Some(id);
                                id
                            }
                        };
                        group_ids.push(id);
                    }
                }
            }
        }
        Ok(())
    }

    fn num_groups(&self) -> usize {
        self.values.len()
    }

    fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
        self.values.reserve(additional);
    }

    fn emit(&mut self) -> Result<EmittedGroups> {
        let values = std::mem::take(&mut self.values);
        let null_group = self.null_group.take();
        self.map.clear();
        Ok(emit_primitive::<T>(&self.data_type, values, null_group))
    }
}

/// The emitted groups of one primitive key column: `values` in group-id order, group
/// `null_group` being the NULL key, each hashed as every thread hashes it.
pub(crate) fn emit_primitive<T: ArrowPrimitiveType>(
    data_type: &DataType,
    values: Vec<T::Native>,
    null_group: Option<u32>,
) -> EmittedGroups
where
    T::Native: Hash,
{
    let state = hash_state();
    let null_group = null_group.map(|g| g as usize);
    let hashes = values
        .iter()
        .enumerate()
        .map(|(i, v)| if Some(i) == null_group { NULL_HASH } else { state.hash_one(v) })
        .collect();
    let nulls = null_group.map(|g| NullBuffer::from_iter((0..values.len()).map(|i| i != g)));
    let array = PrimitiveArray::<T>::new(ScalarBuffer::from(values), nulls).with_data_type(data_type.clone());
    EmittedGroups { keys: vec![Arc::new(array)], hashes }
}

/// Any keys: rows encoded in Arrow's row format, stored back to back in one arena, found
/// through a hash table of group ids.
pub struct RowGroupValues {
    types: Vec<DataType>,
    converter: RowConverter,
    scratch: Rows,
    table: hashbrown::HashTable<u32>,
    arena: Vec<u8>,
    /// `offsets[g]..offsets[g + 1]` is group `g`'s row in `arena`.
    offsets: Vec<usize>,
    hashes: Vec<u64>,
    state: ahash::RandomState,
}

impl RowGroupValues {
    /// Group values of any key columns of `types`, compared in Arrow's row format.
    pub fn try_new(types: &[DataType]) -> Result<Self> {
        let converter = RowConverter::new(types.iter().map(|t| SortField::new(t.clone())).collect())?;
        let scratch = converter.empty_rows(0, 0);
        Ok(Self {
            types: types.to_vec(),
            converter,
            scratch,
            table: hashbrown::HashTable::new(),
            arena: vec![],
            offsets: vec![0],
            hashes: vec![],
            state: hash_state(),
        })
    }
}

impl GroupValues for RowGroupValues {
    fn intern(&mut self, keys: &[ArrayRef], rows: usize, group_ids: &mut Vec<u32>) -> Result<()> {
        check_capacity(self.hashes.len(), rows)?;
        self.scratch.clear();
        self.converter.append(&mut self.scratch, keys)?;
        group_ids.clear();
        group_ids.reserve(rows);
        let Self { scratch, table, arena, offsets, hashes, state, .. } = self;
        for row in scratch.iter() {
            let bytes = row.data();
            let hash = state.hash_one(bytes);
            let found = table.find(hash, |&g| {
                let g = g as usize;
                arena.get(offsets[g]..offsets[g + 1]) == Some(bytes)
            });
            let id = match found {
                Some(&id) => id,
                None => {
                    let id = hashes.len() as u32;
                    arena.extend_from_slice(bytes);
                    offsets.push(arena.len());
                    hashes.push(hash);
                    table.insert_unique(hash, id, |&g| hashes[g as usize]);
                    id
                }
            };
            group_ids.push(id);
        }
        Ok(())
    }

    fn num_groups(&self) -> usize {
        self.hashes.len()
    }

    fn emit(&mut self) -> Result<EmittedGroups> {
        let parser = self.converter.parser();
        let rows = self.offsets.windows(2).map(|w| parser.parse(&self.arena[w[0]..w[1]]));
        let arrays = self.converter.convert_rows(rows)?;
        let keys = arrays
            .into_iter()
            .zip(self.types.iter())
            .map(|(a, t)| if a.data_type() == t { Ok(a) } else { Ok(cast(&a, t)?) })
            .collect::<Result<Vec<_>>>()?;
        let hashes = std::mem::take(&mut self.hashes);
        self.table.clear();
        self.arena.clear();
        self.offsets.clear();
        self.offsets.push(0);
        Ok(EmittedGroups { keys, hashes })
    }
}
