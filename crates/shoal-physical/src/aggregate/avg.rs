//! `avg(x)` of decimals: an exact i128 sum and a count per group, divided at the end with four
//! more digits of scale, rounding half away from zero. Floats and integers average as Float64
//! through [`super::float_sum::FloatAvgAccumulator`].

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, ArrowNativeTypeOp, Decimal128Array, PrimitiveArray, UInt64Array};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{ArrowPrimitiveType, UInt64Type};
use shoal_common::{exec_err, Result, ShoalError};

use super::accumulator::{primitive_arg, state_column, GroupsAccumulator};

/// How the final division is done.
enum AvgKind {
    Decimal {
        /// `10^(out_scale - in_scale)`
        multiplier: i128,
        out_precision: u8,
        out_scale: i8,
    },
}

/// Running sum (native type `T`) and count per group.
pub struct AvgAccumulator<T: ArrowPrimitiveType> {
    sums: Vec<T::Native>,
    counts: Vec<u64>,
    kind: AvgKind,
}

impl AvgAccumulator<arrow::datatypes::Decimal128Type> {
    /// Average of a decimal with scale `in_scale` into `Decimal128(out_precision, out_scale)`.
    pub fn decimal(in_scale: i8, out_precision: u8, out_scale: i8) -> Result<Self> {
        let shift = i32::from(out_scale) - i32::from(in_scale);
        let multiplier = u32::try_from(shift).ok().and_then(|s| 10i128.checked_pow(s)).ok_or_else(|| {
            ShoalError::Internal(format!("avg(): bad decimal scales {in_scale} → {out_scale}"))
        })?;
        Ok(Self {
            sums: vec![],
            counts: vec![],
            kind: AvgKind::Decimal { multiplier, out_precision, out_scale },
        })
    }
}

impl<T: ArrowPrimitiveType> AvgAccumulator<T> {
    fn resize(&mut self, total_groups: usize) {
        self.sums.resize(total_groups, T::Native::ZERO);
        self.counts.resize(total_groups, 0);
    }

    /// Add `array` (skipping NULLs) to the groups `group_ids`; `counts` are per-row counts of
    /// partial states (each row counts once when absent).
    fn add(&mut self, array: &PrimitiveArray<T>, counts: Option<&[u64]>, group_ids: &[u32]) -> Result<()> {
        let values = array.values();
        let mut overflowed = false;
        let (sums, group_counts) = (&mut self.sums, &mut self.counts);
        match (array.nulls().filter(|n| n.null_count() > 0), counts) {
            (None, None) => {
                for (&g, &v) in group_ids.iter().zip(values.iter()) {
                    let g = g as usize;
                    match sums[g].add_checked(v) {
                        Ok(s) => sums[g] = s,
                        Err(_) => overflowed = true,
                    }
                    group_counts[g] += 1;
                }
            }
            (nulls, counts) => {
                for (i, (&g, &v)) in group_ids.iter().zip(values.iter()).enumerate() {
                    if nulls.is_some_and(|n| n.is_null(i)) {
                        continue;
                    }
                    let g = g as usize;
                    match sums[g].add_checked(v) {
                        Ok(s) => sums[g] = s,
                        Err(_) => overflowed = true,
                    }
                    group_counts[g] += counts.map_or(1, |c| c.get(i).copied().unwrap_or(0));
                }
            }
        }
        if overflowed {
            return exec_err!("avg(): the running sum overflowed");
        }
        Ok(())
    }
}

impl<T: ArrowPrimitiveType> GroupsAccumulator for AvgAccumulator<T>
where
    T::Native: AvgNative,
{
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        self.resize(total_groups);
        let array = primitive_arg::<T>(values, "avg")?;
        self.add(&array, None, group_ids)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.resize(total_groups);
        let sums = PrimitiveArray::<T>::new(ScalarBuffer::from(std::mem::take(&mut self.sums)), None);
        let counts = UInt64Array::from(std::mem::take(&mut self.counts));
        Ok(vec![Arc::new(sums), Arc::new(counts)])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        self.resize(total_groups);
        let sums = state_column::<T>(states, 0)?.clone();
        let counts = state_column::<UInt64Type>(states, 1)?;
        self.add(&sums, Some(counts.values()), group_ids)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.resize(total_groups);
        let sums = std::mem::take(&mut self.sums);
        let counts = std::mem::take(&mut self.counts);
        match self.kind {
            AvgKind::Decimal { multiplier, out_precision, out_scale } => {
                let mut out = Vec::with_capacity(sums.len());
                for (s, &c) in sums.iter().zip(counts.iter()) {
                    if c == 0 {
                        out.push(None);
                        continue;
                    }
                    let sum = s.as_i128();
                    let Some(scaled) = sum.checked_mul(multiplier) else {
                        return exec_err!("avg(): the decimal sum is too large to divide");
                    };
                    out.push(Some(div_round_half_away(scaled, i128::from(c))));
                }
                let array = Decimal128Array::from(out).with_precision_and_scale(out_precision, out_scale)?;
                if array.validate_decimal_precision(out_precision).is_err() {
                    return exec_err!("avg() result does not fit DECIMAL({out_precision}, {out_scale})");
                }
                Ok(Arc::new(array))
            }
        }
    }
}

/// `n / d` rounded half away from zero (`d > 0`).
fn div_round_half_away(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r.unsigned_abs() * 2 >= d.unsigned_abs() {
        q + n.signum()
    } else {
        q
    }
}

/// Native sums the average can divide: i128 (decimals).
pub trait AvgNative {
    /// The sum as an unscaled integer.
    fn as_i128(&self) -> i128;
}

impl AvgNative for i128 {
    fn as_i128(&self) -> i128 {
        *self
    }
}

#[cfg(test)]
mod tests {
    use super::div_round_half_away;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(div_round_half_away(5, 2), 3);
        assert_eq!(div_round_half_away(-5, 2), -3);
        assert_eq!(div_round_half_away(4, 3), 1);
        assert_eq!(div_round_half_away(-4, 3), -1);
        assert_eq!(div_round_half_away(7, 7), 1);
    }
}
