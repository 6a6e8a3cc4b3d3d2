//! `string_agg(x, sep)`: the non-null values of a group joined by a constant separator, in
//! input order (or in the order of `ORDER BY`, see [`super::ordered`]); NULL when there are none.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use shoal_common::{internal_err, Result};

use super::accumulator::GroupsAccumulator;

/// `string_agg(x, sep)`: the non-NULL strings of each group joined by `sep` (NULL when none).
pub struct StringAggAccumulator {
    separator: String,
    values: Vec<Option<String>>,
}

impl StringAggAccumulator {
    /// An accumulator joining values with `separator`.
    pub fn new(separator: String) -> Self {
        Self { separator, values: vec![] }
    }

    fn append(&mut self, array: &ArrayRef, group_ids: &[u32], total: usize) -> Result<()> {
        self.values.resize(total, None);
        let array = match array.data_type() {
            DataType::Utf8 => Arc::clone(array),
            _ => cast(array, &DataType::Utf8)?,
        };
        let Some(strings) = array.as_string_opt::<i32>() else {
            return internal_err!("string_agg(): expected strings, got {}", array.data_type());
        };
        for (i, &g) in group_ids.iter().enumerate() {
            if strings.is_null(i) {
                continue;
            }
            let Some(slot) = self.values.get_mut(g as usize) else {
                return internal_err!("string_agg(): group id {g} out of range");
            };
            let v = strings.value(i);
            match slot {
                None => *slot = Some(v.to_string()),
                Some(s) => {
                    s.push_str(&self.separator);
                    s.push_str(v);
                }
            }
        }
        Ok(())
    }
}

impl GroupsAccumulator for StringAggAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        match values.first() {
            Some(v) => self.append(v, group_ids, total),
            None => internal_err!("string_agg() needs an argument column"),
        }
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(total_groups)?])
    }

    /// A partial result is the joined string of its rows: joining partials with the separator
    /// gives the join of all rows.
    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.update_batch(states, group_ids, total)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.values.resize(total_groups, None);
        let out: StringArray = std::mem::take(&mut self.values).into_iter().collect();
        Ok(Arc::new(out))
    }
}
