//! Small helpers shared by the expression nodes: Datum views of columnar values, wrapping
//! kernel results back into scalars, and boolean-array access.

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Datum};
use arrow::datatypes::DataType;
use shoal_common::{internal_err, Result, ScalarValue};
use shoal_expr::ColumnarValue;

/// A borrowed [`ColumnarValue`] as an Arrow [`Datum`]: scalars are broadcast by the kernels,
/// never expanded to arrays.
pub(crate) struct DatumView<'a> {
    array: &'a dyn Array,
    is_scalar: bool,
}

impl Datum for DatumView<'_> {
    fn get(&self) -> (&dyn Array, bool) {
        (self.array, self.is_scalar)
    }
}

pub(crate) fn datum(value: &ColumnarValue) -> DatumView<'_> {
    match value {
        ColumnarValue::Array(a) => DatumView { array: a.as_ref(), is_scalar: false },
        ColumnarValue::Scalar(s) => DatumView { array: s.array().as_ref(), is_scalar: true },
    }
}

/// True when the value is a scalar.
pub(crate) fn is_scalar(value: &ColumnarValue) -> bool {
    matches!(value, ColumnarValue::Scalar(_))
}

/// The array behind a value: the column itself, or the scalar's one-row array.
pub(crate) fn inner_array(value: &ColumnarValue) -> &ArrayRef {
    match value {
        ColumnarValue::Array(a) => a,
        ColumnarValue::Scalar(s) => s.array(),
    }
}

/// Wrap a kernel result: a scalar when every input was a scalar, else an array.
pub(crate) fn wrap(result: ArrayRef, scalar: bool) -> Result<ColumnarValue> {
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(result)?))
    } else {
        Ok(ColumnarValue::Array(result))
    }
}

/// The value as a boolean array (a scalar gives its one-row array).
pub(crate) fn as_boolean<'a>(
    value: &'a ColumnarValue,
    what: &dyn std::fmt::Display,
) -> Result<&'a BooleanArray> {
    let array = inner_array(value);
    match array.as_boolean_opt() {
        Some(b) => Ok(b),
        None => internal_err!("{what} must produce booleans, but produced {}", array.data_type()),
    }
}

/// The value materialised as a boolean array of `num_rows` rows (NULL-typed values become
/// all-NULL booleans).
pub(crate) fn into_boolean_array(
    value: ColumnarValue,
    num_rows: usize,
    what: &dyn std::fmt::Display,
) -> Result<BooleanArray> {
    let array = match value {
        ColumnarValue::Scalar(s) if s.data_type() == &DataType::Null => {
            return Ok(BooleanArray::new_null(num_rows))
        }
        v => v.into_array(num_rows)?,
    };
    if array.data_type() == &DataType::Null {
        return Ok(BooleanArray::new_null(array.len()));
    }
    match array.as_boolean_opt() {
        Some(b) => Ok(b.clone()),
        None => internal_err!("{what} must produce booleans, but produced {}", array.data_type()),
    }
}

/// A boolean scalar value.
pub(crate) fn bool_scalar(v: Option<bool>) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::boolean(v))
}
