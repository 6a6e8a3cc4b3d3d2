//! [`GroupRows`]: the rows of every group kept as they came (columns plus group ids), for the
//! aggregates that need all values of a group: `array_agg`, exact quantiles, and the ordered
//! form `agg(x ORDER BY y)`. The partial state is one list per column, one entry per group.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, ListArray, UInt32Array};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::compute::{concat, take};
use arrow::datatypes::{DataType, Field};
use shoal_common::{exec_err, internal_err, Result};

/// Buffered rows of some columns, each tagged with its group id.
pub struct GroupRows {
    types: Vec<DataType>,
    /// Batches of columns, in arrival order.
    chunks: Vec<Vec<ArrayRef>>,
    group_ids: Vec<u32>,
}

/// Rows sorted by group: `columns` hold the rows of group `g` at `offsets[g]..offsets[g + 1]`.
pub struct SortedRows {
    /// One array per column, the rows ordered by group.
    pub columns: Vec<ArrayRef>,
    /// Group boundaries: one more entry than groups, starting at 0.
    pub offsets: Vec<usize>,
}

impl GroupRows {
    /// No rows yet, for columns of `types`.
    pub fn new(types: Vec<DataType>) -> Self {
        Self { types, chunks: vec![], group_ids: vec![] }
    }

    /// Keep the rows of `columns` (all of `group_ids.len()` rows).
    pub fn push(&mut self, columns: &[ArrayRef], group_ids: &[u32]) -> Result<()> {
        if columns.len() != self.types.len() {
            return internal_err!("expected {} columns, got {}", self.types.len(), columns.len());
        }
        if group_ids.is_empty() {
            return Ok(());
        }
        if columns.iter().any(|c| c.len() != group_ids.len()) {
            return internal_err!("row columns and group ids differ in length");
        }
        self.chunks.push(columns.to_vec());
        self.group_ids.extend_from_slice(group_ids);
        Ok(())
    }

    /// Keep the rows of partial states (one list column per buffered column; list `i` holds
    /// rows of group `group_ids[i]`).
    pub fn push_lists(&mut self, states: &[ArrayRef], group_ids: &[u32]) -> Result<()> {
        let lists = states
            .iter()
            .map(|s| {
                s.as_list_opt::<i32>().ok_or_else(|| {
                    shoal_common::ShoalError::Internal("group rows: state is not a list".into())
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let Some(first) = lists.first() else {
            return internal_err!("group rows: no state columns");
        };
        let offsets = first.value_offsets();
        let (Some(&start), Some(&end)) = (offsets.first(), offsets.last()) else {
            return Ok(());
        };
        let mut expanded = Vec::with_capacity((end - start).max(0) as usize);
        for (w, &g) in offsets.windows(2).zip(group_ids.iter()) {
            expanded.extend(std::iter::repeat_n(g, (w[1] - w[0]).max(0) as usize));
        }
        let columns: Vec<ArrayRef> =
            lists.iter().map(|l| l.values().slice(start as usize, (end - start) as usize)).collect();
        self.push(&columns, &expanded)
    }

    /// Take every row out, concatenated in arrival order, with the group ids.
    pub fn take_unsorted(&mut self) -> Result<(Vec<ArrayRef>, Vec<u32>)> {
        let chunks = std::mem::take(&mut self.chunks);
        let group_ids = std::mem::take(&mut self.group_ids);
        let mut columns = Vec::with_capacity(self.types.len());
        for (c, t) in self.types.iter().enumerate() {
            let parts: Vec<&dyn Array> =
                chunks.iter().filter_map(|ch| ch.get(c)).map(|a| a.as_ref()).collect();
            columns.push(if parts.is_empty() { arrow::array::new_empty_array(t) } else { concat(&parts)? });
        }
        Ok((columns, group_ids))
    }

    /// Take every row out, stably sorted by group (a counting sort): rows of one group stay in
    /// arrival order.
    pub fn take_sorted(&mut self, total_groups: usize) -> Result<SortedRows> {
        let (columns, group_ids) = self.take_unsorted()?;
        let mut offsets = vec![0usize; total_groups + 1];
        for &g in &group_ids {
            let Some(slot) = offsets.get_mut(g as usize + 1) else {
                return internal_err!("group id {g} out of range");
            };
            *slot += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut order = vec![0u32; group_ids.len()];
        for (row, &g) in group_ids.iter().enumerate() {
            let pos = &mut next[g as usize];
            order[*pos] = row as u32;
            *pos += 1;
        }
        let order = UInt32Array::from(order);
        let columns =
            columns.iter().map(|c| Ok(take(c.as_ref(), &order, None)?)).collect::<Result<Vec<_>>>()?;
        Ok(SortedRows { columns, offsets })
    }

    /// The partial state: one list column per buffered column, `total_groups` lists each.
    pub fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let sorted = self.take_sorted(total_groups)?;
        sorted.columns.into_iter().map(|c| to_list(c, &sorted.offsets, false)).collect()
    }
}

/// `values` cut into lists at `offsets`; with `empty_is_null`, a group without rows is NULL.
pub fn to_list(values: ArrayRef, offsets: &[usize], empty_is_null: bool) -> Result<ArrayRef> {
    let mut list_offsets = Vec::with_capacity(offsets.len());
    for &o in offsets {
        let Ok(o) = i32::try_from(o) else {
            return exec_err!("too many values in one aggregate list (more than {})", i32::MAX);
        };
        list_offsets.push(o);
    }
    let nulls = if empty_is_null && offsets.windows(2).any(|w| w[0] == w[1]) {
        Some(NullBuffer::from(offsets.windows(2).map(|w| w[0] != w[1]).collect::<Vec<_>>()))
    } else {
        None
    };
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    Ok(Arc::new(ListArray::try_new(field, OffsetBuffer::new(list_offsets.into()), values, nulls)?))
}
