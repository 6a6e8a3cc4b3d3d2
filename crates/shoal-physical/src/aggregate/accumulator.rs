//! [`GroupsAccumulator`]: the vectorised per-group state of one aggregate call, and
//! [`create_accumulator`], which picks the implementation for a function and argument type.

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::compute::cast;
use arrow::datatypes::*;
use shoal_common::{internal_err, not_supported, Result, ShoalError};
use shoal_expr::AggregateFunction;

use super::array_agg::ArrayAggAccumulator;
use super::avg::AvgAccumulator;
use super::count::CountAccumulator;
use super::count_if::CountIfAccumulator;
use super::distinct::DistinctAccumulator;
use super::float_sum::{FloatAvgAccumulator, FloatSumAccumulator};
use super::hll::ApproxDistinctAccumulator;
use super::min_max::{BooleanMinMax, NullMinMax, PrimitiveMinMax, StringMinMax};
use super::quantile::QuantileAccumulator;
use super::string_agg::StringAggAccumulator;
use super::sum::SumAccumulator;
use super::tdigest::ApproxQuantileAccumulator;
use super::udaf::UdafGroupsAccumulator;
use super::variance::{VarianceAccumulator, VarianceKind};

/// The state of one aggregate for every group of one hash table.
///
/// Group ids are dense: `0..total_groups`; every method first grows the state to `total_groups`.
pub trait GroupsAccumulator: Send {
    /// Fold the argument columns `values` (none for `count(*)`) of rows whose groups are
    /// `group_ids` into the state.
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()>;
    /// The partial state as arrays of `total_groups` rows each; the accumulator is left empty.
    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>>;
    /// Fold partial states (as produced by [`GroupsAccumulator::state`]) into the groups
    /// `group_ids`.
    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()>;
    /// The final value of every group; the accumulator is left empty.
    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef>;
}

/// The accumulator for `func([DISTINCT] arg)` where the argument has type `arg_type` (`None`
/// for `count(*)`) and the result must be `return_type`.
pub fn create_accumulator(
    func: AggregateFunction,
    distinct: bool,
    arg_type: Option<&DataType>,
    return_type: &DataType,
) -> Result<Box<dyn GroupsAccumulator>> {
    create_accumulator_with(func, distinct, arg_type, return_type, &AggregateParams::default())
}

/// Constant arguments of an aggregate call beyond its value column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateParams {
    /// `string_agg`'s separator (default `,`).
    pub separator: Option<String>,
    /// The quantile of `quantile_cont` / `approx_quantile` (default 0.5; `median` is 0.5).
    pub quantile: Option<f64>,
}

/// [`create_accumulator`] with the call's constant arguments.
pub fn create_accumulator_with(
    func: AggregateFunction,
    distinct: bool,
    arg_type: Option<&DataType>,
    return_type: &DataType,
    params: &AggregateParams,
) -> Result<Box<dyn GroupsAccumulator>> {
    use AggregateFunction::*;
    let Some(arg_type) = arg_type else {
        return match func {
            Count => Ok(Box::new(CountAccumulator::new())),
            UserDefined(u) => Ok(Box::new(UdafGroupsAccumulator::try_new(u, vec![], return_type)?)),
            other => internal_err!("{other}() needs an argument"),
        };
    };
    if distinct && !matches!(func, Min | Max | BoolAnd | BoolOr | ApproxCountDistinct) {
        let inner = create_accumulator_with(func, false, Some(arg_type), return_type, params)?;
        return Ok(Box::new(DistinctAccumulator::try_new(arg_type.clone(), inner)?));
    }
    Ok(match func {
        Count => Box::new(CountAccumulator::new()),
        Sum => match return_type {
            DataType::Int64 => Box::new(SumAccumulator::<Int64Type>::new(return_type.clone())),
            DataType::UInt64 => Box::new(SumAccumulator::<UInt64Type>::new(return_type.clone())),
            DataType::Float64 => Box::new(FloatSumAccumulator::default()),
            DataType::Decimal128(_, _) => {
                Box::new(SumAccumulator::<Decimal128Type>::new(return_type.clone()))
            }
            other => return not_supported!("sum() returning {other}"),
        },
        Avg => match (arg_type, return_type) {
            (DataType::Decimal128(_, s), DataType::Decimal128(p2, s2)) => {
                Box::new(AvgAccumulator::<Decimal128Type>::decimal(*s, *p2, *s2)?)
            }
            (_, DataType::Float64) => Box::new(FloatAvgAccumulator::default()),
            (a, r) => return not_supported!("avg() of {a} returning {r}"),
        },
        Min | Max => min_max_accumulator(func == Min, arg_type)?,
        StddevSamp => Box::new(VarianceAccumulator::new(VarianceKind::StddevSamp)),
        StddevPop => Box::new(VarianceAccumulator::new(VarianceKind::StddevPop)),
        VarSamp => Box::new(VarianceAccumulator::new(VarianceKind::VarSamp)),
        VarPop => Box::new(VarianceAccumulator::new(VarianceKind::VarPop)),
        StringAgg => {
            Box::new(StringAggAccumulator::new(params.separator.clone().unwrap_or_else(|| ",".into())))
        }
        ArrayAgg => Box::new(ArrayAggAccumulator::new(arg_type.clone())),
        Median => Box::new(QuantileAccumulator::new(0.5)),
        QuantileCont => Box::new(QuantileAccumulator::new(params.quantile.unwrap_or(0.5))),
        ApproxQuantile => Box::new(ApproxQuantileAccumulator::new(params.quantile.unwrap_or(0.5))),
        ApproxCountDistinct => Box::new(ApproxDistinctAccumulator::default()),
        BoolAnd => Box::new(BooleanMinMax::new(true)),
        BoolOr => Box::new(BooleanMinMax::new(false)),
        CountIf => Box::new(CountIfAccumulator::default()),
        UserDefined(u) => Box::new(UdafGroupsAccumulator::try_new(u, vec![arg_type.clone()], return_type)?),
    })
}

fn min_max_accumulator(is_min: bool, t: &DataType) -> Result<Box<dyn GroupsAccumulator>> {
    macro_rules! primitive {
        ($ty:ty) => {
            if is_min {
                Box::new(PrimitiveMinMax::<$ty, true>::new(t.clone())) as Box<dyn GroupsAccumulator>
            } else {
                Box::new(PrimitiveMinMax::<$ty, false>::new(t.clone()))
            }
        };
    }
    Ok(match t {
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Float16 => primitive!(Float16Type),
        DataType::Float32 => primitive!(Float32Type),
        DataType::Float64 => primitive!(Float64Type),
        DataType::Decimal128(_, _) => primitive!(Decimal128Type),
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
        DataType::Duration(TimeUnit::Second) => primitive!(DurationSecondType),
        DataType::Duration(TimeUnit::Millisecond) => primitive!(DurationMillisecondType),
        DataType::Duration(TimeUnit::Microsecond) => primitive!(DurationMicrosecondType),
        DataType::Duration(TimeUnit::Nanosecond) => primitive!(DurationNanosecondType),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            Box::new(StringMinMax::new(is_min, t.clone()))
        }
        DataType::Boolean => Box::new(BooleanMinMax::new(is_min)),
        DataType::Null => Box::new(NullMinMax),
        other => return not_supported!("{}() of {other}", if is_min { "min" } else { "max" }),
    })
}

/// The first argument column as a `PrimitiveArray<T>`, cast when its type differs
/// (e.g. Int32 → Int64 for sum); decimals are reinterpreted without a cast.
pub(crate) fn primitive_arg<T: ArrowPrimitiveType>(
    values: &[ArrayRef],
    what: &str,
) -> Result<PrimitiveArray<T>> {
    let Some(array) = values.first() else {
        return internal_err!("{what}() needs an argument column");
    };
    if let Some(p) = array.as_primitive_opt::<T>() {
        return Ok(p.clone());
    }
    let target = match T::DATA_TYPE {
        DataType::Decimal128(_, _) => {
            return internal_err!("{what}(): expected a decimal, got {}", array.data_type())
        }
        t => t,
    };
    let casted = cast(array, &target)?;
    match casted.as_primitive_opt::<T>() {
        Some(p) => Ok(p.clone()),
        None => internal_err!("{what}(): cannot use {} as {target}", array.data_type()),
    }
}

/// A typed state column of a partial result.
pub(crate) fn state_column<T: ArrowPrimitiveType>(
    states: &[ArrayRef],
    index: usize,
) -> Result<&PrimitiveArray<T>> {
    states
        .get(index)
        .and_then(|a| a.as_primitive_opt::<T>())
        .ok_or_else(|| ShoalError::Internal(format!("bad aggregate state column {index}")))
}

/// Validity of each group as a null buffer (`None` when every group is valid).
pub(crate) fn validity(has: &[bool]) -> Option<arrow::buffer::NullBuffer> {
    if has.iter().all(|&h| h) {
        None
    } else {
        Some(arrow::buffer::NullBuffer::from(has.to_vec()))
    }
}

/// Call `f(row, group)` for every non-null row of `array`.
#[inline]
pub(crate) fn for_each_valid(array: &dyn Array, group_ids: &[u32], mut f: impl FnMut(usize, usize)) {
    match array.logical_nulls().filter(|n| n.null_count() > 0) {
        None => group_ids.iter().enumerate().for_each(|(i, &g)| f(i, g as usize)),
        Some(nulls) => group_ids.iter().enumerate().for_each(|(i, &g)| {
            if nulls.is_valid(i) {
                f(i, g as usize)
            }
        }),
    }
}
