//! [`sql_cast`]: Arrow's cast with SQL (PostgreSQL) semantics where they differ.
//!
//! Arrow truncates when casting floats and decimals to integers; PostgreSQL rounds: floats
//! to the nearest integer with ties to even (`rint`), decimals half away from zero. Every cast
//! in shoal — literal folding at plan time and `CAST` at run time — goes through here.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Float64Type};

use crate::error::Result;

/// Cast `array` to `to`. With `safe`, values that do not convert become NULL (TRY_CAST);
/// without it they are an error (CAST).
pub fn sql_cast(array: &ArrayRef, to: &DataType, safe: bool) -> Result<ArrayRef> {
    let options = CastOptions { safe, ..Default::default() };
    let from = array.data_type();
    if to.is_integer() {
        match from {
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                let f = cast_with_options(array, &DataType::Float64, &options)?;
                let rounded = f.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::round_ties_even);
                return Ok(cast_with_options(&(Arc::new(rounded) as ArrayRef), to, &options)?);
            }
            DataType::Decimal128(p, s) if *s > 0 => {
                let whole = cast_with_options(array, &DataType::Decimal128(*p, 0), &options)?;
                return Ok(cast_with_options(&whole, to, &options)?);
            }
            DataType::Decimal256(p, s) if *s > 0 => {
                let whole = cast_with_options(array, &DataType::Decimal256(*p, 0), &options)?;
                return Ok(cast_with_options(&whole, to, &options)?);
            }
            _ => {}
        }
    }
    Ok(cast_with_options(array, to, &options)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Decimal128Array, Float64Array, Int32Array};

    #[test]
    fn floats_round_to_even_decimals_half_away() {
        let f: ArrayRef =
            Arc::new(Float64Array::from(vec![Some(3.7), Some(-3.7), Some(2.5), Some(3.5), None]));
        let out = sql_cast(&f, &DataType::Int32, false).unwrap();
        assert_eq!(
            out.as_ref(),
            &Int32Array::from(vec![Some(4), Some(-4), Some(2), Some(4), None]) as &dyn Array
        );
        let d: ArrayRef =
            Arc::new(Decimal128Array::from(vec![250, -250, 249]).with_precision_and_scale(5, 2).unwrap());
        let out = sql_cast(&d, &DataType::Int64, false).unwrap();
        assert_eq!(out.as_ref(), &arrow::array::Int64Array::from(vec![3, -3, 2]) as &dyn Array);
    }

    #[test]
    fn out_of_range_is_an_error_or_null() {
        let f: ArrayRef = Arc::new(Float64Array::from(vec![1e20]));
        assert!(sql_cast(&f, &DataType::Int32, false).is_err());
        assert!(sql_cast(&f, &DataType::Int32, true).unwrap().is_null(0));
    }
}
