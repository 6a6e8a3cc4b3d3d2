//! `count_if(b)`: rows per group where `b` is true.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::datatypes::Int64Type;
use shoal_common::{internal_err, Result};

use super::accumulator::{state_column, GroupsAccumulator};

#[derive(Default)]
/// `count_if(cond)`: rows of each group where `cond` is true (not false, not NULL).
pub struct CountIfAccumulator {
    counts: Vec<i64>,
}

impl GroupsAccumulator for CountIfAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.counts.resize(total, 0);
        let Some(b) = values.first().and_then(|a| a.as_boolean_opt()) else {
            return internal_err!("count_if(): expected booleans");
        };
        for (i, &g) in group_ids.iter().enumerate() {
            if b.is_valid(i) && b.value(i) {
                if let Some(c) = self.counts.get_mut(g as usize) {
                    *c += 1;
                }
            }
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(total_groups)?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.counts.resize(total, 0);
        let partial = state_column::<Int64Type>(states, 0)?;
        for (&g, &c) in group_ids.iter().zip(partial.values().iter()) {
            if let Some(slot) = self.counts.get_mut(g as usize) {
                *slot += c;
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.counts.resize(total_groups, 0);
        Ok(Arc::new(Int64Array::from(std::mem::take(&mut self.counts))))
    }
}
