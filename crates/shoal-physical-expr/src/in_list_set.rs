//! Hash sets of IN-list literals, specialised by type, answering "is each row's value in the
//! list?" for a whole array at once.
//!
//! Integers, dates, times, timestamps and decimals hash their native values; floats hash their
//! bit pattern after normalising `-0.0` to `0.0` and every NaN to one NaN (so, as in
//! PostgreSQL, `NaN IN (NaN)` and `-0.0 IN (0.0)` are true); strings hash their text.

use std::hash::Hash;

use arrow::array::{Array, ArrowPrimitiveType, AsArray, BooleanBufferBuilder, PrimitiveArray};
use arrow::buffer::BooleanBuffer;
use arrow::datatypes::*;
use hashbrown::HashSet;
use shoal_common::{internal_err, Result, ScalarValue};

type FastSet<T> = HashSet<T, ahash::RandomState>;

/// The non-NULL literals of an IN list, ready to probe. Results at NULL rows are unspecified.
pub(crate) trait InSet: Send + Sync + std::fmt::Debug {
    fn contains(&self, array: &dyn Array) -> Result<BooleanBuffer>;
}

/// A set for values of `data_type`, or `None` when the type has no specialised set.
/// `values` are the list's non-NULL literals, already of `data_type`.
pub(crate) fn make_set(data_type: &DataType, values: &[ScalarValue]) -> Result<Option<Box<dyn InSet>>> {
    macro_rules! primitive {
        ($t:ty) => {
            Some(Box::new(PrimitiveSet::<$t>::try_new(values)?) as Box<dyn InSet>)
        };
    }
    Ok(match data_type {
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Date32 => primitive!(Date32Type),
        DataType::Date64 => primitive!(Date64Type),
        DataType::Time32(TimeUnit::Second) => primitive!(Time32SecondType),
        DataType::Time32(TimeUnit::Millisecond) => primitive!(Time32MillisecondType),
        DataType::Time64(TimeUnit::Microsecond) => primitive!(Time64MicrosecondType),
        DataType::Time64(TimeUnit::Nanosecond) => primitive!(Time64NanosecondType),
        DataType::Timestamp(TimeUnit::Second, _) => primitive!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => primitive!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => primitive!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => primitive!(TimestampNanosecondType),
        DataType::Decimal128(_, _) => primitive!(Decimal128Type),
        DataType::Float32 => Some(Box::new(FloatSet::<Float32Type>::try_new(values)?) as Box<dyn InSet>),
        DataType::Float64 => Some(Box::new(FloatSet::<Float64Type>::try_new(values)?) as Box<dyn InSet>),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            Some(Box::new(StringSet::try_new(values)?) as Box<dyn InSet>)
        }
        DataType::Boolean => Some(Box::new(BooleanSet::try_new(values)?) as Box<dyn InSet>),
        _ => None,
    })
}

fn native<T: ArrowPrimitiveType>(s: &ScalarValue) -> Result<T::Native> {
    match s.array().as_primitive_opt::<T>() {
        Some(a) if a.len() == 1 => Ok(a.value(0)),
        _ => internal_err!("IN list value {s} is not of type {}", T::DATA_TYPE),
    }
}

fn primitive<T: ArrowPrimitiveType>(array: &dyn Array) -> Result<&PrimitiveArray<T>> {
    match array.as_primitive_opt::<T>() {
        Some(a) => Ok(a),
        None => internal_err!("IN list probe of {} with a set of {}", array.data_type(), T::DATA_TYPE),
    }
}

struct PrimitiveSet<T: ArrowPrimitiveType> {
    set: FastSet<T::Native>,
    /// Short lists are probed by a linear scan, which beats hashing.
    small: Option<Vec<T::Native>>,
}

/// Lists up to this long are scanned rather than hashed.
const SMALL_LIST: usize = 4;

impl<T: ArrowPrimitiveType> std::fmt::Debug for PrimitiveSet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrimitiveSet<{}>({} values)", T::DATA_TYPE, self.set.len())
    }
}

impl<T: ArrowPrimitiveType> PrimitiveSet<T>
where
    T::Native: Hash + Eq,
{
    fn try_new(values: &[ScalarValue]) -> Result<Self> {
        let mut set = FastSet::with_capacity_and_hasher(values.len(), ahash::RandomState::new());
        for v in values {
            set.insert(native::<T>(v)?);
        }
        let small = (set.len() <= SMALL_LIST).then(|| set.iter().copied().collect());
        Ok(Self { set, small })
    }
}

impl<T: ArrowPrimitiveType> InSet for PrimitiveSet<T>
where
    T::Native: Hash + Eq,
{
    fn contains(&self, array: &dyn Array) -> Result<BooleanBuffer> {
        let values = primitive::<T>(array)?.values();
        if let Some(small) = &self.small {
            return Ok(BooleanBuffer::collect_bool(values.len(), |i| {
                let v = values[i];
                small.iter().any(|s| s.is_eq(v))
            }));
        }
        Ok(BooleanBuffer::collect_bool(values.len(), |i| self.set.contains(&values[i])))
    }
}

/// Bit patterns of floats, with `-0.0` folded into `0.0` and all NaNs into one.
trait FloatKey: ArrowPrimitiveType {
    fn key(v: Self::Native) -> u64;
}

impl FloatKey for Float32Type {
    fn key(v: f32) -> u64 {
        if v.is_nan() {
            u64::from(f32::NAN.to_bits())
        } else if v == 0.0 {
            0
        } else {
            u64::from(v.to_bits())
        }
    }
}

impl FloatKey for Float64Type {
    fn key(v: f64) -> u64 {
        if v.is_nan() {
            f64::NAN.to_bits()
        } else if v == 0.0 {
            0
        } else {
            v.to_bits()
        }
    }
}

struct FloatSet<T: FloatKey> {
    set: FastSet<u64>,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<T: FloatKey> std::fmt::Debug for FloatSet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FloatSet<{}>({} values)", T::DATA_TYPE, self.set.len())
    }
}

impl<T: FloatKey> FloatSet<T> {
    fn try_new(values: &[ScalarValue]) -> Result<Self> {
        let mut set = FastSet::with_capacity_and_hasher(values.len(), ahash::RandomState::new());
        for v in values {
            set.insert(T::key(native::<T>(v)?));
        }
        Ok(Self { set, _type: std::marker::PhantomData })
    }
}

impl<T: FloatKey> InSet for FloatSet<T> {
    fn contains(&self, array: &dyn Array) -> Result<BooleanBuffer> {
        let values = primitive::<T>(array)?.values();
        Ok(BooleanBuffer::collect_bool(values.len(), |i| self.set.contains(&T::key(values[i]))))
    }
}

#[derive(Debug)]
struct StringSet {
    set: FastSet<Box<str>>,
    /// Short lists are scanned (length first, then bytes) rather than hashed.
    small: Option<Vec<Box<[u8]>>>,
    /// The list as Utf8View views: a string view array is probed by comparing views.
    views: ViewSet,
}

/// Strings of an IN list as Utf8View views. A string of at most 12 bytes lies entirely in its
/// view (length, bytes, zero padding), so two such strings are equal exactly when their views
/// are; a longer one is compared by length and 4-byte prefix first, then by its bytes.
#[derive(Debug)]
struct ViewSet {
    inline: FastSet<u128>,
    /// Short lists are scanned rather than hashed.
    inline_small: Option<Vec<u128>>,
    /// Longer strings: the low 64 bits of their view (length and prefix), and their bytes.
    long: Vec<(u64, Box<[u8]>)>,
}

/// Bytes a Utf8View view holds inline.
const MAX_INLINE_VIEW_LEN: u32 = 12;

impl ViewSet {
    fn new<'a>(strings: impl Iterator<Item = &'a str>) -> Self {
        let (mut inline, mut long) = (FastSet::default(), vec![]);
        for s in strings {
            let view = arrow::array::builder::make_view(s.as_bytes(), 0, 0);
            if s.len() <= MAX_INLINE_VIEW_LEN as usize {
                inline.insert(view);
            } else {
                long.push((view as u64, Box::from(s.as_bytes())));
            }
        }
        let inline_small = (inline.len() <= SMALL_LIST).then(|| inline.iter().copied().collect());
        Self { inline, inline_small, long }
    }

    fn probe(&self, array: &arrow::array::StringViewArray) -> BooleanBuffer {
        let views = array.views();
        BooleanBuffer::collect_bool(views.len(), |i| {
            let view = views[i];
            if view as u32 <= MAX_INLINE_VIEW_LEN {
                return match &self.inline_small {
                    Some(small) => small.contains(&view),
                    None => self.inline.contains(&view),
                };
            }
            self.long.iter().any(|(head, bytes)| {
                *head == view as u64 && array.is_valid(i) && array.value(i).as_bytes() == bytes.as_ref()
            })
        })
    }
}

impl StringSet {
    fn try_new(values: &[ScalarValue]) -> Result<Self> {
        let mut set: FastSet<Box<str>> =
            FastSet::with_capacity_and_hasher(values.len(), ahash::RandomState::new());
        for v in values {
            match v.as_str() {
                Some(s) => set.insert(Box::from(s)),
                None => return internal_err!("IN list value {v} is not a string"),
            };
        }
        let views = ViewSet::new(set.iter().map(|s| &**s));
        let small = (set.len() <= SMALL_LIST).then(|| set.iter().map(|s| Box::from(s.as_bytes())).collect());
        Ok(Self { set, small, views })
    }

    /// Probe a Utf8 or LargeUtf8 array through its offsets and bytes.
    fn probe_offsets<O: arrow::array::OffsetSizeTrait>(
        &self,
        array: &arrow::array::GenericStringArray<O>,
    ) -> BooleanBuffer {
        let Some(small) = &self.small else {
            return self.probe(array.len(), array.iter());
        };
        let (offsets, bytes) = (array.value_offsets(), array.value_data());
        BooleanBuffer::collect_bool(array.len(), |i| {
            let range = offsets.get(i).zip(offsets.get(i + 1)).map(|(a, b)| a.as_usize()..b.as_usize());
            let Some(value) = range.and_then(|r| bytes.get(r)) else {
                return false;
            };
            small.iter().any(|s| s.len() == value.len() && s.as_ref() == value)
        })
    }

    fn probe<'a>(&self, len: usize, strings: impl Iterator<Item = Option<&'a str>>) -> BooleanBuffer {
        let mut out = BooleanBufferBuilder::new(len);
        for s in strings {
            out.append(s.is_some_and(|s| self.set.contains(s)));
        }
        out.finish()
    }
}

impl InSet for StringSet {
    fn contains(&self, array: &dyn Array) -> Result<BooleanBuffer> {
        match array.data_type() {
            DataType::Utf8 => Ok(self.probe_offsets(array.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(self.probe_offsets(array.as_string::<i64>())),
            DataType::Utf8View => Ok(self.views.probe(array.as_string_view())),
            other => internal_err!("IN list probe of {other} with a set of strings"),
        }
    }
}

#[derive(Debug)]
struct BooleanSet {
    has_true: bool,
    has_false: bool,
}

impl BooleanSet {
    fn try_new(values: &[ScalarValue]) -> Result<Self> {
        let (mut has_true, mut has_false) = (false, false);
        for v in values {
            match v.as_bool() {
                Some(true) => has_true = true,
                Some(false) => has_false = true,
                None => return internal_err!("IN list value {v} is not a boolean"),
            }
        }
        Ok(Self { has_true, has_false })
    }
}

impl InSet for BooleanSet {
    fn contains(&self, array: &dyn Array) -> Result<BooleanBuffer> {
        let Some(b) = array.as_boolean_opt() else {
            return internal_err!("IN list probe of {} with a set of booleans", array.data_type());
        };
        let values = b.values();
        Ok(match (self.has_true, self.has_false) {
            (true, true) => BooleanBuffer::new_set(values.len()),
            (false, false) => BooleanBuffer::new_unset(values.len()),
            (true, false) => values.clone(),
            (false, true) => !values,
        })
    }
}
