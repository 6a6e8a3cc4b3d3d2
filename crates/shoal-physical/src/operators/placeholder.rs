//! [`placeholder_column`]: a cheap stand-in for a column nobody reads, of the column's type
//! and length, so an operator can skip gathering it while keeping its output schema.

use std::sync::Arc;

use arrow::array::{make_array, new_null_array, ArrayData, ArrayRef, BinaryArray, BooleanArray, StringArray};
use arrow::buffer::{BooleanBuffer, Buffer, MutableBuffer, OffsetBuffer};
use arrow::datatypes::{DataType, Field};

/// `rows` values of `field`'s type that nobody will read: NULLs where the field allows them,
/// else empty strings, `false`s or zeros; `None` for types without a cheap stand-in.
pub(crate) fn placeholder_column(field: &Field, rows: usize) -> Option<ArrayRef> {
    let data_type = field.data_type();
    if field.is_nullable() {
        return Some(new_null_array(data_type, rows));
    }
    Some(match data_type {
        DataType::Utf8 => {
            Arc::new(StringArray::new(OffsetBuffer::new_zeroed(rows), Buffer::from(Vec::<u8>::new()), None))
        }
        DataType::Binary => {
            Arc::new(BinaryArray::new(OffsetBuffer::new_zeroed(rows), Buffer::from(Vec::<u8>::new()), None))
        }
        DataType::Boolean => Arc::new(BooleanArray::new(BooleanBuffer::new_unset(rows), None)),
        t if t.is_primitive() => {
            let width = t.primitive_width()?;
            let zeros = Buffer::from(MutableBuffer::from_len_zeroed(rows.checked_mul(width)?));
            make_array(ArrayData::builder(t.clone()).len(rows).add_buffer(zeros).build().ok()?)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use arrow::array::Array;
    use arrow::datatypes::{DataType, Field};

    use super::placeholder_column;

    #[test]
    fn stand_ins_have_the_type_length_and_nullability() {
        for (t, nullable) in [
            (DataType::Int64, false),
            (DataType::Decimal128(15, 2), false),
            (DataType::Date32, false),
            (DataType::Utf8, false),
            (DataType::Boolean, false),
            (DataType::Utf8View, true),
        ] {
            let Some(a) = placeholder_column(&Field::new("c", t.clone(), nullable), 5) else {
                panic!("no placeholder for {t}");
            };
            assert_eq!((a.data_type(), a.len()), (&t, 5));
            assert_eq!(a.null_count(), if nullable { 5 } else { 0 });
        }
        assert!(placeholder_column(&Field::new("c", DataType::Utf8View, false), 5).is_none());
    }
}
