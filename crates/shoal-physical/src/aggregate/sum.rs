//! `sum(x)`: checked addition per group (integer overflow is an error, never a wrap); decimal
//! sums are checked against the result precision.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, ArrowNativeTypeOp, PrimitiveArray};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{ArrowPrimitiveType, DataType, Decimal128Type};
use shoal_common::{exec_err, Result, ShoalError};

use super::accumulator::{primitive_arg, state_column, validity, GroupsAccumulator};

/// Sums in the result's native type `T` (Int64, UInt64, Float64, Decimal128).
pub struct SumAccumulator<T: ArrowPrimitiveType> {
    sums: Vec<T::Native>,
    has: Vec<bool>,
    return_type: DataType,
}

impl<T: ArrowPrimitiveType> SumAccumulator<T> {
    /// An accumulator producing sums of type `return_type` (NULL for groups with no values).
    pub fn new(return_type: DataType) -> Self {
        Self { sums: vec![], has: vec![], return_type }
    }

    fn resize(&mut self, total_groups: usize) {
        self.sums.resize(total_groups, T::Native::ZERO);
        self.has.resize(total_groups, false);
    }

    fn overflow(&self) -> ShoalError {
        ShoalError::Execution(format!("sum() overflowed the range of {}", self.return_type))
    }

    fn add(&mut self, array: &PrimitiveArray<T>, group_ids: &[u32]) -> Result<()> {
        let values = array.values();
        let mut overflowed = false;
        {
            let (sums, has) = (&mut self.sums, &mut self.has);
            let mut add_one = |g: usize, v: T::Native| match sums[g].add_checked(v) {
                Ok(s) => {
                    sums[g] = s;
                    has[g] = true;
                }
                Err(_) => overflowed = true,
            };
            match array.nulls().filter(|n| n.null_count() > 0) {
                None => {
                    for (&g, &v) in group_ids.iter().zip(values.iter()) {
                        add_one(g as usize, v);
                    }
                }
                Some(nulls) => {
                    for (i, (&g, &v)) in group_ids.iter().zip(values.iter()).enumerate() {
                        if nulls.is_valid(i) {
                            add_one(g as usize, v);
                        }
                    }
                }
            }
        }
        if overflowed {
            return Err(self.overflow());
        }
        Ok(())
    }
}

impl<T: ArrowPrimitiveType> GroupsAccumulator for SumAccumulator<T> {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        self.resize(total_groups);
        let array = primitive_arg::<T>(values, "sum")?;
        self.add(&array, group_ids)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.resize(total_groups);
        let nulls = validity(&self.has);
        self.has.clear();
        let sums = std::mem::take(&mut self.sums);
        let array = PrimitiveArray::<T>::new(ScalarBuffer::from(sums), nulls);
        Ok(vec![Arc::new(array)])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        self.resize(total_groups);
        let partial = state_column::<T>(states, 0)?.clone();
        self.add(&partial, group_ids)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let state = self.state(total_groups)?;
        let array = state_column::<T>(&state, 0)?.clone();
        if let DataType::Decimal128(p, s) = self.return_type {
            let Some(dec) = array.as_any().downcast_ref::<PrimitiveArray<Decimal128Type>>() else {
                return exec_err!("sum(): expected decimal state");
            };
            let dec = dec.clone().with_precision_and_scale(p, s)?;
            if dec.validate_decimal_precision(p).is_err() {
                return Err(self.overflow());
            }
            return Ok(Arc::new(dec));
        }
        Ok(Arc::new(array.with_data_type(self.return_type.clone())))
    }
}
