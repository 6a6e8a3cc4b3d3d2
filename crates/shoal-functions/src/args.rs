//! Run-time helpers shared by the implementations: reading arguments that may be arrays or
//! scalars, building results row by row, and returning a scalar when every input was one.

use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BooleanBuilder, Datum, PrimitiveArray, PrimitiveBuilder,
    StringArray, StringBuilder,
};
use arrow::datatypes::{ArrowPrimitiveType, DataType};
use shoal_common::{internal_err, Result, ScalarValue};
use shoal_expr::ColumnarValue;

/// How many rows to compute, and whether the result is a scalar (every argument was one).
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub rows: usize,
    pub scalar: bool,
}

impl Shape {
    /// One row when every argument is a scalar, else `num_rows`.
    pub fn of(args: &[ColumnarValue], num_rows: usize) -> Self {
        let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        Shape { rows: if scalar { 1 } else { num_rows }, scalar }
    }

    /// Wrap a computed array (of `self.rows` rows) as the function's result.
    pub fn finish(self, array: ArrayRef) -> Result<ColumnarValue> {
        if self.scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(array)?))
        } else {
            Ok(ColumnarValue::Array(array))
        }
    }

    /// An all-NULL result of type `data_type`.
    pub fn null(self, data_type: &DataType) -> ColumnarValue {
        if self.scalar {
            ColumnarValue::Scalar(ScalarValue::null(data_type))
        } else {
            ColumnarValue::Array(new_null_array(data_type, self.rows))
        }
    }
}

/// Argument `i`, or an internal error (the builder checked the arity).
pub fn arg(args: &[ColumnarValue], i: usize) -> Result<&ColumnarValue> {
    match args.get(i) {
        Some(a) => Ok(a),
        None => internal_err!("function called with {} arguments, needs {}", args.len(), i + 1),
    }
}

/// True if any argument is a NULL scalar (so a strict function's result is all NULL).
pub fn any_null_scalar(args: &[ColumnarValue]) -> bool {
    args.iter().any(|a| matches!(a, ColumnarValue::Scalar(s) if s.is_null()))
}

/// The one-row array of a scalar, or the array itself.
pub fn as_array(v: &ColumnarValue) -> &ArrayRef {
    match v {
        ColumnarValue::Array(a) => a,
        ColumnarValue::Scalar(s) => s.array(),
    }
}

/// The argument as an arrow `Datum` (a scalar stays a scalar, so kernels broadcast it).
pub fn datum(v: &ColumnarValue) -> Box<dyn Datum> {
    match v {
        ColumnarValue::Array(a) => Box::new(Arc::clone(a)),
        ColumnarValue::Scalar(s) => Box::new(s.as_datum()),
    }
}

/// The argument as an array of `rows` rows (scalars are repeated).
pub fn to_rows(v: &ColumnarValue, rows: usize) -> Result<ArrayRef> {
    match v {
        ColumnarValue::Array(a) => Ok(Arc::clone(a)),
        ColumnarValue::Scalar(s) => s.to_array(rows),
    }
}

/// Apply `f` to the array (or to the one-row array of a scalar) and wrap the result alike.
pub fn map_columnar(
    v: &ColumnarValue,
    f: impl FnOnce(&ArrayRef) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    match v {
        ColumnarValue::Array(a) => Ok(ColumnarValue::Array(f(a)?)),
        ColumnarValue::Scalar(s) => Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(f(s.array())?)?)),
    }
}

/// A Utf8 argument: a whole column or one value for every row.
#[derive(Debug, Clone, Copy)]
pub enum StrArg<'a> {
    Scalar(Option<&'a str>),
    Array(&'a StringArray),
}

impl<'a> StrArg<'a> {
    pub fn new(v: &'a ColumnarValue) -> Result<Self> {
        match v {
            ColumnarValue::Scalar(s) => match s.data_type() {
                DataType::Utf8 | DataType::Null => {
                    Ok(StrArg::Scalar(s.array().as_string_opt::<i32>().and_then(|a| {
                        if a.is_null(0) {
                            None
                        } else {
                            Some(a.value(0))
                        }
                    })))
                }
                t => internal_err!("expected a Utf8 argument, got {t}"),
            },
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Utf8 => Ok(StrArg::Array(a.as_string::<i32>())),
                DataType::Null => Ok(StrArg::Scalar(None)),
                t => internal_err!("expected a Utf8 argument, got {t}"),
            },
        }
    }

    /// The value at row `i` (the scalar for every row).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            StrArg::Scalar(v) => *v,
            StrArg::Array(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

/// A primitive argument (already cast to `T`): a whole column or one value for every row.
#[derive(Debug, Clone, Copy)]
pub enum PrimArg<'a, T: ArrowPrimitiveType> {
    Scalar(Option<T::Native>),
    Array(&'a PrimitiveArray<T>),
}

impl<'a, T: ArrowPrimitiveType> PrimArg<'a, T> {
    pub fn new(v: &'a ColumnarValue) -> Result<Self> {
        let array = as_array(v);
        if array.data_type() == &DataType::Null {
            return Ok(PrimArg::Scalar(None));
        }
        let Some(p) = array.as_primitive_opt::<T>() else {
            return internal_err!("expected a {} argument, got {}", T::DATA_TYPE, array.data_type());
        };
        match v {
            ColumnarValue::Scalar(_) => Ok(PrimArg::Scalar((!p.is_null(0)).then(|| p.value(0)))),
            ColumnarValue::Array(_) => Ok(PrimArg::Array(p)),
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<T::Native> {
        match self {
            PrimArg::Scalar(v) => *v,
            PrimArg::Array(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

/// Build a Utf8 array of `rows` rows; `f(i, buf)` writes row `i` into the cleared `buf` and
/// returns false for NULL.
pub fn collect_strings(
    rows: usize,
    mut f: impl FnMut(usize, &mut String) -> Result<bool>,
) -> Result<ArrayRef> {
    let mut builder = StringBuilder::with_capacity(rows, rows * 8);
    let mut buf = String::new();
    for i in 0..rows {
        buf.clear();
        if f(i, &mut buf)? {
            builder.append_value(&buf);
        } else {
            builder.append_null();
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// Build a primitive array of `rows` rows from `f(i)`.
pub fn collect_primitive<T: ArrowPrimitiveType>(
    rows: usize,
    mut f: impl FnMut(usize) -> Result<Option<T::Native>>,
) -> Result<PrimitiveArray<T>> {
    let mut builder = PrimitiveBuilder::<T>::with_capacity(rows);
    for i in 0..rows {
        builder.append_option(f(i)?);
    }
    Ok(builder.finish())
}

/// Build a boolean array of `rows` rows from `f(i)`.
pub fn collect_bools(rows: usize, mut f: impl FnMut(usize) -> Result<Option<bool>>) -> Result<ArrayRef> {
    let mut builder = BooleanBuilder::with_capacity(rows);
    for i in 0..rows {
        builder.append_option(f(i)?);
    }
    Ok(Arc::new(builder.finish()))
}
