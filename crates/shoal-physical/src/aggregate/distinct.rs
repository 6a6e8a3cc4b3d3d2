//! `agg(DISTINCT x)`: a set of distinct (group, value) pairs per hash table, fed to the plain
//! accumulator when the final value is computed. The partial state is one list of distinct
//! values per group.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, ListArray, UInt32Array};
use arrow::buffer::OffsetBuffer;
use arrow::compute::{filter, sort_to_indices, take};
use arrow::datatypes::{DataType, Field};
use shoal_common::{exec_err, internal_err, Result};

use super::accumulator::GroupsAccumulator;
use super::group_values::{GroupValues, RowGroupValues};

/// Deduplicates (group, value) pairs, then runs `inner` over them.
pub struct DistinctAccumulator {
    value_type: DataType,
    pairs: RowGroupValues,
    inner: Box<dyn GroupsAccumulator>,
    scratch: Vec<u32>,
}

impl DistinctAccumulator {
    /// `agg(DISTINCT x)` for values of `value_type`: `inner` sees each (group, value) once.
    pub fn try_new(value_type: DataType, inner: Box<dyn GroupsAccumulator>) -> Result<Self> {
        let pairs = RowGroupValues::try_new(&[DataType::UInt32, value_type.clone()])?;
        Ok(Self { value_type, pairs, inner, scratch: vec![] })
    }

    /// Insert the pairs (group_ids[i], values[i]) for the non-null values.
    fn insert(&mut self, values: &ArrayRef, group_ids: Vec<u32>) -> Result<()> {
        let gids: ArrayRef = Arc::new(UInt32Array::from(group_ids));
        let (gids, values) = match values.logical_nulls().filter(|n| n.null_count() > 0) {
            None => (gids, Arc::clone(values)),
            Some(nulls) => {
                let mask = arrow::array::BooleanArray::new(nulls.into_inner(), None);
                (filter(&gids, &mask)?, filter(values, &mask)?)
            }
        };
        let rows = gids.len();
        self.pairs.intern(&[gids, values], rows, &mut self.scratch)
    }

    /// The distinct pairs as (group ids, values), sorted by group.
    fn take_pairs(&mut self) -> Result<(UInt32Array, ArrayRef)> {
        let emitted = self.pairs.emit()?;
        let mut keys = emitted.keys.into_iter();
        let (Some(gids), Some(values)) = (keys.next(), keys.next()) else {
            return internal_err!("distinct: missing pair columns");
        };
        let order = sort_to_indices(&gids, None, None)?;
        let gids = take(&gids, &order, None)?;
        let values = take(&values, &order, None)?;
        let Some(gids) = gids.as_primitive_opt::<arrow::datatypes::UInt32Type>() else {
            return internal_err!("distinct: group ids are not UInt32");
        };
        Ok((gids.clone(), values))
    }
}

impl GroupsAccumulator for DistinctAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        let Some(values) = values.first() else {
            return internal_err!("DISTINCT aggregate needs an argument");
        };
        // keeps every group known to the inner accumulator
        self.inner.update_batch(&[values.slice(0, 0)], &[], total)?;
        self.insert(values, group_ids.to_vec())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let (gids, values) = self.take_pairs()?;
        let mut offsets = Vec::with_capacity(total_groups + 1);
        offsets.push(0i32);
        let mut pos = 0usize;
        for g in 0..total_groups as u32 {
            while pos < gids.len() && gids.value(pos) == g {
                pos += 1;
            }
            let Ok(offset) = i32::try_from(pos) else {
                return exec_err!("too many distinct values in one DISTINCT aggregate");
            };
            offsets.push(offset);
        }
        let field = Arc::new(Field::new_list_field(self.value_type.clone(), true));
        let list = ListArray::try_new(field, OffsetBuffer::new(offsets.into()), values, None)?;
        Ok(vec![Arc::new(list)])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        let Some(list) = states.first().and_then(|s| s.as_list_opt::<i32>()) else {
            return internal_err!("distinct: state is not a list");
        };
        self.inner.update_batch(&[list.values().slice(0, 0)], &[], total)?;
        let offsets = list.value_offsets();
        let (Some(&first), Some(&last)) = (offsets.first(), offsets.last()) else {
            return Ok(());
        };
        let mut expanded = Vec::with_capacity((last - first) as usize);
        for (w, &g) in offsets.windows(2).zip(group_ids.iter()) {
            expanded.extend(std::iter::repeat_n(g, (w[1] - w[0]) as usize));
        }
        let values = list.values().slice(first as usize, (last - first) as usize);
        self.insert(&values, expanded)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let (gids, values) = self.take_pairs()?;
        self.inner.update_batch(&[values], gids.values(), total_groups)?;
        self.inner.evaluate(total_groups)
    }
}
