//! Function interfaces: [`ScalarFunction`] (implemented in `shoal-functions`) and the
//! [`AggregateFunction`] set (accumulators live in `shoal-physical`).

use std::fmt;

use arrow::array::ArrayRef;
use arrow::datatypes::{DataType, DECIMAL128_MAX_PRECISION, DECIMAL128_MAX_SCALE};
use shoal_common::{plan_err, Result, ScalarValue};

use crate::udaf::AggregateUdfRef;

/// The value of an expression over a batch: a whole column, or one value for every row.
#[derive(Debug, Clone)]
pub enum ColumnarValue {
    /// One value per row of the batch.
    Array(ArrayRef),
    /// The same value for every row (a literal, or a function of literals).
    Scalar(ScalarValue),
}

impl ColumnarValue {
    /// The Arrow type of the value.
    pub fn data_type(&self) -> DataType {
        match self {
            ColumnarValue::Array(a) => a.data_type().clone(),
            ColumnarValue::Scalar(s) => s.data_type().clone(),
        }
    }
    /// Materialise as an array of `num_rows` rows.
    pub fn into_array(self, num_rows: usize) -> Result<ArrayRef> {
        match self {
            ColumnarValue::Array(a) => Ok(a),
            ColumnarValue::Scalar(s) => s.to_array(num_rows),
        }
    }
}

/// A scalar (row-wise) function, vectorised over Arrow arrays.
///
/// The builder calls [`ScalarFunction::coerce_types`] to insert casts on the arguments and
/// [`ScalarFunction::return_type`] to type the call, so type errors surface at planning time.
/// (`Any` lets the DataFrame API recognise its placeholder for calls resolved by name.)
pub trait ScalarFunction: Send + Sync + fmt::Debug + std::any::Any {
    /// The canonical lower-case name.
    fn name(&self) -> &str;
    /// Other names the function answers to.
    fn aliases(&self) -> &[&'static str] {
        &[]
    }
    /// One line for `\help` and `SHOW FUNCTIONS`, e.g. `lower(string) -> string: lower-cases`.
    fn description(&self) -> &str;
    /// The types the arguments must be cast to, or a plan error explaining the mismatch.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>>;
    /// The result type for arguments of (already coerced) `arg_types`.
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType>;
    /// The result type when the value of a literal argument matters, as for
    /// `date_part('epoch', ts)` (Float64) against `date_part('year', ts)` (Int64): `literals[i]`
    /// is the value of argument `i` when it is a literal. Defaults to
    /// [`ScalarFunction::return_type`]; planners that know literal arguments should call this.
    fn return_type_with_literals(
        &self,
        arg_types: &[DataType],
        literals: &[Option<&ScalarValue>],
    ) -> Result<DataType> {
        let _ = literals;
        self.return_type(arg_types)
    }
    /// Evaluate over `args`, all of `num_rows` rows (or scalars).
    fn invoke(&self, args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue>;
    /// False for functions like `random()` whose calls must not be folded or merged.
    fn is_deterministic(&self) -> bool {
        true
    }
}

/// The aggregate functions shoal knows. Group accumulators live in `shoal-physical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateFunction {
    /// `count(*)`: rows; `count(x)`: non-NULL values. `Int64`, never NULL (0 for no rows).
    Count,
    /// `sum(x)`: sum of the non-NULL values; NULL when there are none. Signed integers sum to
    /// `Int64`, unsigned to `UInt64`, floats to `Float64`; decimals gain 10 digits of precision.
    Sum,
    /// `avg(x)`: mean of the non-NULL values (`Float64`, or a decimal for decimals); NULL when
    /// there are none.
    Avg,
    /// `min(x)`: smallest non-NULL value, of `x`'s type; NULL when there are none.
    Min,
    /// `max(x)`: largest non-NULL value, of `x`'s type; NULL when there are none.
    Max,
    /// `stddev(x)` / `stddev_samp(x)`: sample standard deviation (`Float64`); NULL for fewer
    /// than two values.
    StddevSamp,
    /// `stddev_pop(x)`: population standard deviation (`Float64`); NULL when there are no values.
    StddevPop,
    /// `variance(x)` / `var_samp(x)`: sample variance (`Float64`); NULL for fewer than two values.
    VarSamp,
    /// `var_pop(x)`: population variance (`Float64`); NULL when there are no values.
    VarPop,
    /// `string_agg(x, sep)`: the non-null values joined by `sep` (a constant).
    StringAgg,
    /// `array_agg(x)`: every value (NULLs included) as a list.
    ArrayAgg,
    /// `median(x)`: the exact interpolated median.
    Median,
    /// `quantile_cont(x, q)` / `percentile_cont(q) WITHIN GROUP (ORDER BY x)`: exact.
    QuantileCont,
    /// `approx_quantile(x, q)`: from a mergeable t-digest.
    ApproxQuantile,
    /// `approx_count_distinct(x)`: from a mergeable HyperLogLog sketch.
    ApproxCountDistinct,
    /// `bool_and(x)`: true when every non-NULL value is true; NULL when there are none.
    BoolAnd,
    /// `bool_or(x)`: true when some non-NULL value is true; NULL when there are none.
    BoolOr,
    /// `count_if(cond)`: rows where `cond` is true.
    CountIf,
    /// A user-defined aggregate (see [`crate::udaf::AggregateUdf`]), found by name in the
    /// session's function registry.
    UserDefined(AggregateUdfRef),
}

impl AggregateFunction {
    /// All aggregates, for the function registry and help.
    pub const ALL: [AggregateFunction; 18] = [
        AggregateFunction::Count,
        AggregateFunction::Sum,
        AggregateFunction::Avg,
        AggregateFunction::Min,
        AggregateFunction::Max,
        AggregateFunction::StddevSamp,
        AggregateFunction::StddevPop,
        AggregateFunction::VarSamp,
        AggregateFunction::VarPop,
        AggregateFunction::StringAgg,
        AggregateFunction::ArrayAgg,
        AggregateFunction::Median,
        AggregateFunction::QuantileCont,
        AggregateFunction::ApproxQuantile,
        AggregateFunction::ApproxCountDistinct,
        AggregateFunction::BoolAnd,
        AggregateFunction::BoolOr,
        AggregateFunction::CountIf,
    ];

    /// The canonical lower-case name (a user-defined aggregate's own name).
    pub fn name(self) -> &'static str {
        match self {
            AggregateFunction::Count => "count",
            AggregateFunction::Sum => "sum",
            AggregateFunction::Avg => "avg",
            AggregateFunction::Min => "min",
            AggregateFunction::Max => "max",
            AggregateFunction::StddevSamp => "stddev",
            AggregateFunction::StddevPop => "stddev_pop",
            AggregateFunction::VarSamp => "variance",
            AggregateFunction::VarPop => "var_pop",
            AggregateFunction::StringAgg => "string_agg",
            AggregateFunction::ArrayAgg => "array_agg",
            AggregateFunction::Median => "median",
            AggregateFunction::QuantileCont => "quantile_cont",
            AggregateFunction::ApproxQuantile => "approx_quantile",
            AggregateFunction::ApproxCountDistinct => "approx_count_distinct",
            AggregateFunction::BoolAnd => "bool_and",
            AggregateFunction::BoolOr => "bool_or",
            AggregateFunction::CountIf => "count_if",
            AggregateFunction::UserDefined(u) => u.name(),
        }
    }

    /// Look up by name or alias (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "count" => AggregateFunction::Count,
            "sum" => AggregateFunction::Sum,
            "avg" | "mean" => AggregateFunction::Avg,
            "min" => AggregateFunction::Min,
            "max" => AggregateFunction::Max,
            "stddev" | "stddev_samp" | "std" => AggregateFunction::StddevSamp,
            "stddev_pop" => AggregateFunction::StddevPop,
            "variance" | "var_samp" | "var" => AggregateFunction::VarSamp,
            "var_pop" => AggregateFunction::VarPop,
            "string_agg" | "group_concat" | "listagg" => AggregateFunction::StringAgg,
            "array_agg" | "list" => AggregateFunction::ArrayAgg,
            "median" => AggregateFunction::Median,
            "quantile_cont" | "percentile_cont" | "quantile" => AggregateFunction::QuantileCont,
            "approx_quantile" | "approx_percentile_cont" | "approx_percentile" => {
                AggregateFunction::ApproxQuantile
            }
            "approx_count_distinct" | "approx_distinct" => AggregateFunction::ApproxCountDistinct,
            "bool_and" | "every" => AggregateFunction::BoolAnd,
            "bool_or" => AggregateFunction::BoolOr,
            "count_if" => AggregateFunction::CountIf,
            _ => return None,
        })
    }

    /// One line for `\help` and `SHOW FUNCTIONS`: signature, result type and meaning.
    pub fn description(self) -> &'static str {
        match self {
            AggregateFunction::Count => "count(*) | count([DISTINCT] x) -> bigint: rows, or non-null values",
            AggregateFunction::Sum => "sum(x) -> number: sum of non-null values (NULL if none)",
            AggregateFunction::Avg => "avg(x) -> double|decimal: mean of non-null values",
            AggregateFunction::Min => "min(x) -> same type: smallest non-null value",
            AggregateFunction::Max => "max(x) -> same type: largest non-null value",
            AggregateFunction::StddevSamp => "stddev(x) -> double: sample standard deviation",
            AggregateFunction::StddevPop => "stddev_pop(x) -> double: population standard deviation",
            AggregateFunction::VarSamp => "variance(x) -> double: sample variance",
            AggregateFunction::VarPop => "var_pop(x) -> double: population variance",
            AggregateFunction::StringAgg => {
                "string_agg(x, sep [ORDER BY ..]) -> string: non-null values joined by sep \
                 (aliases group_concat, listagg)"
            }
            AggregateFunction::ArrayAgg => {
                "array_agg(x [ORDER BY ..]) -> list: every value, NULLs included (alias list)"
            }
            AggregateFunction::Median => "median(x) -> double: exact median (interpolated)",
            AggregateFunction::QuantileCont => {
                "quantile_cont(x, q) | percentile_cont(q) WITHIN GROUP (ORDER BY x) -> double: \
                 exact interpolated quantile"
            }
            AggregateFunction::ApproxQuantile => {
                "approx_quantile(x, q) -> double: approximate quantile from a t-digest \
                 (alias approx_percentile_cont)"
            }
            AggregateFunction::ApproxCountDistinct => {
                "approx_count_distinct(x) -> bigint: distinct non-null values, HyperLogLog \
                 estimate (about 1% error)"
            }
            AggregateFunction::BoolAnd => "bool_and(b) -> boolean: true if every value is true",
            AggregateFunction::BoolOr => "bool_or(b) -> boolean: true if any value is true",
            AggregateFunction::CountIf => "count_if(b) -> bigint: rows where b is true",
            AggregateFunction::UserDefined(u) => u.udaf().description(),
        }
    }

    /// The types the arguments must be cast to before accumulation.
    pub fn coerce_types(self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        use AggregateFunction::*;
        if let UserDefined(u) = self {
            return u.udaf().coerce_types(arg_types);
        }
        if let Some(types) = self.coerce_types_ext(arg_types) {
            return types;
        }
        match (self, arg_types) {
            (Count, []) => Ok(vec![]),
            (Count, [t]) => Ok(vec![t.clone()]),
            (_, [t]) => {
                let t = if matches!(t, DataType::Dictionary(_, _)) {
                    match t {
                        DataType::Dictionary(_, v) => v.as_ref().clone(),
                        _ => unreachable!(),
                    }
                } else {
                    t.clone()
                };
                match self {
                    Min | Max => Ok(vec![t]),
                    Sum | Avg if t.is_numeric() || t == DataType::Null => Ok(vec![match t {
                        DataType::Null => DataType::Int64,
                        t => t,
                    }]),
                    StddevSamp | StddevPop | VarSamp | VarPop if t.is_numeric() || t == DataType::Null => {
                        Ok(vec![DataType::Float64])
                    }
                    _ => plan_err!("{}() needs a numeric argument, got {t}", self.name()),
                }
            }
            (Count, _) => plan_err!("count() takes one argument or *, got {}", arg_types.len()),
            _ => plan_err!("{}() takes exactly one argument, got {}", self.name(), arg_types.len()),
        }
    }

    /// The result type for (coerced) argument types.
    pub fn return_type(self, arg_types: &[DataType]) -> Result<DataType> {
        use AggregateFunction::*;
        if let UserDefined(u) = self {
            return u.udaf().return_type(arg_types);
        }
        if let Some(t) = self.return_type_ext(arg_types) {
            return t;
        }
        let arg = arg_types.first();
        Ok(match (self, arg) {
            (Count, _) => DataType::Int64,
            (Min | Max, Some(t)) => t.clone(),
            (Sum, Some(t)) => match t {
                DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => DataType::Int64,
                DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => DataType::UInt64,
                DataType::Float16 | DataType::Float32 | DataType::Float64 => DataType::Float64,
                DataType::Decimal128(p, s) => DataType::Decimal128(DECIMAL128_MAX_PRECISION.min(p + 10), *s),
                other => return plan_err!("sum() of {other} is not supported"),
            },
            (Avg, Some(t)) => match t {
                DataType::Decimal128(p, s) => {
                    DataType::Decimal128(DECIMAL128_MAX_PRECISION.min(p + 4), DECIMAL128_MAX_SCALE.min(s + 4))
                }
                t if t.is_numeric() => DataType::Float64,
                other => return plan_err!("avg() of {other} is not supported"),
            },
            (StddevSamp | StddevPop | VarSamp | VarPop, Some(_)) => DataType::Float64,
            (_, None) => return plan_err!("{}() needs an argument", self.name()),
            (_, Some(t)) => return plan_err!("{}() of {t} is not supported", self.name()),
        })
    }

    /// Can the result be NULL? (Only count never is.)
    pub fn nullable(self) -> bool {
        !matches!(
            self,
            AggregateFunction::Count | AggregateFunction::CountIf | AggregateFunction::ApproxCountDistinct
        )
    }
}

impl fmt::Display for AggregateFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
