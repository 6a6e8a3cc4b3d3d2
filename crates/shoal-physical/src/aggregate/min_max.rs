//! `min(x)` / `max(x)` for fixed-width types (numbers, decimals, dates, timestamps), strings
//! and booleans. Floats compare by IEEE total order (NaN is the largest).

use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, ArrowNativeTypeOp, AsArray, BooleanArray, PrimitiveArray, StringArray,
};
use arrow::buffer::ScalarBuffer;
use arrow::compute::cast;
use arrow::datatypes::{ArrowPrimitiveType, DataType};
use shoal_common::{internal_err, Result};

use super::accumulator::{primitive_arg, state_column, validity, GroupsAccumulator};

/// Smallest (`MIN = true`) or largest value per group of a primitive type.
pub struct PrimitiveMinMax<T: ArrowPrimitiveType, const MIN: bool> {
    values: Vec<T::Native>,
    has: Vec<bool>,
    data_type: DataType,
}

impl<T: ArrowPrimitiveType, const MIN: bool> PrimitiveMinMax<T, MIN> {
    /// An accumulator of values of the primitive type `data_type`.
    pub fn new(data_type: DataType) -> Self {
        Self { values: vec![], has: vec![], data_type }
    }

    fn resize(&mut self, total_groups: usize) {
        self.values.resize(total_groups, T::Native::default());
        self.has.resize(total_groups, false);
    }

    fn fold(&mut self, array: &PrimitiveArray<T>, group_ids: &[u32]) {
        let (values, has) = (&mut self.values, &mut self.has);
        let mut one = |g: usize, v: T::Native| {
            let better = if MIN { v.is_lt(values[g]) } else { v.is_gt(values[g]) };
            if !has[g] || better {
                values[g] = v;
                has[g] = true;
            }
        };
        match array.nulls().filter(|n| n.null_count() > 0) {
            None => group_ids.iter().zip(array.values().iter()).for_each(|(&g, &v)| one(g as usize, v)),
            Some(nulls) => {
                group_ids.iter().zip(array.values().iter()).enumerate().for_each(|(i, (&g, &v))| {
                    if nulls.is_valid(i) {
                        one(g as usize, v)
                    }
                })
            }
        }
    }
}

impl<T: ArrowPrimitiveType, const MIN: bool> GroupsAccumulator for PrimitiveMinMax<T, MIN> {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.resize(total);
        let array = primitive_arg::<T>(values, if MIN { "min" } else { "max" })?;
        self.fold(&array, group_ids);
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(total_groups)?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.resize(total);
        let partial = state_column::<T>(states, 0)?.clone();
        self.fold(&partial, group_ids);
        Ok(())
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.resize(total_groups);
        let nulls = validity(&self.has);
        self.has.clear();
        let values = ScalarBuffer::from(std::mem::take(&mut self.values));
        let array = PrimitiveArray::<T>::new(values, nulls).with_data_type(self.data_type.clone());
        Ok(Arc::new(array))
    }
}

/// Smallest or largest string per group (byte-wise order); works on Utf8, LargeUtf8, Utf8View.
pub struct StringMinMax {
    is_min: bool,
    data_type: DataType,
    values: Vec<Option<String>>,
}

impl StringMinMax {
    /// `min` (when `is_min`) or `max` of strings of type `data_type`.
    pub fn new(is_min: bool, data_type: DataType) -> Self {
        Self { is_min, data_type, values: vec![] }
    }

    fn fold(&mut self, array: &ArrayRef, group_ids: &[u32]) -> Result<()> {
        let array = if array.data_type() == &DataType::Utf8 {
            Arc::clone(array)
        } else {
            cast(array, &DataType::Utf8)?
        };
        let Some(strings) = array.as_string_opt::<i32>() else {
            return internal_err!("min/max: expected strings, got {}", array.data_type());
        };
        for (i, &g) in group_ids.iter().enumerate() {
            if strings.is_null(i) {
                continue;
            }
            let v = strings.value(i);
            let slot = &mut self.values[g as usize];
            let replace = match slot {
                None => true,
                Some(cur) => {
                    if self.is_min {
                        v < cur.as_str()
                    } else {
                        v > cur.as_str()
                    }
                }
            };
            if replace {
                match slot {
                    Some(cur) => {
                        cur.clear();
                        cur.push_str(v);
                    }
                    None => *slot = Some(v.to_string()),
                }
            }
        }
        Ok(())
    }
}

impl GroupsAccumulator for StringMinMax {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.values.resize(total, None);
        let Some(array) = values.first() else {
            return internal_err!("min/max needs an argument");
        };
        self.fold(array, group_ids)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.values.resize(total_groups, None);
        let out: StringArray = std::mem::take(&mut self.values).into_iter().collect();
        Ok(vec![Arc::new(out)])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.update_batch(states, group_ids, total)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let state = self.state(total_groups)?;
        let Some(array) = state.into_iter().next() else {
            return internal_err!("min/max: empty state");
        };
        if array.data_type() == &self.data_type {
            Ok(array)
        } else {
            Ok(cast(&array, &self.data_type)?)
        }
    }
}

/// `min` (logical AND) or `max` (logical OR) of booleans per group.
pub struct BooleanMinMax {
    is_min: bool,
    values: Vec<Option<bool>>,
}

impl BooleanMinMax {
    /// `min` (when `is_min`, false < true) or `max` of booleans.
    pub fn new(is_min: bool) -> Self {
        Self { is_min, values: vec![] }
    }
}

impl GroupsAccumulator for BooleanMinMax {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.values.resize(total, None);
        let Some(array) = values.first().and_then(|a| a.as_boolean_opt()) else {
            return internal_err!("min/max: expected booleans");
        };
        for (i, &g) in group_ids.iter().enumerate() {
            if array.is_null(i) {
                continue;
            }
            let v = array.value(i);
            let slot = &mut self.values[g as usize];
            *slot = Some(match *slot {
                None => v,
                Some(cur) if self.is_min => cur && v,
                Some(cur) => cur || v,
            });
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(total_groups)?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.update_batch(states, group_ids, total)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.values.resize(total_groups, None);
        let out: BooleanArray = std::mem::take(&mut self.values).into_iter().collect();
        Ok(Arc::new(out))
    }
}

/// `min(NULL)` / `max(NULL)`: always NULL.
pub struct NullMinMax;

impl GroupsAccumulator for NullMinMax {
    fn update_batch(&mut self, _: &[ArrayRef], _: &[u32], _: usize) -> Result<()> {
        Ok(())
    }
    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![new_null_array(&DataType::Null, total_groups)])
    }
    fn merge_batch(&mut self, _: &[ArrayRef], _: &[u32], _: usize) -> Result<()> {
        Ok(())
    }
    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        Ok(new_null_array(&DataType::Null, total_groups))
    }
}
