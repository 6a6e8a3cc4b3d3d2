//! Argument coercion and result types of the aggregates beyond the SQL-92 set: `string_agg`,
//! `array_agg`, `median`, quantiles, `approx_count_distinct`, `bool_and`/`bool_or`, `count_if`.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field};
use shoal_common::{plan_err, Result};

use crate::function::AggregateFunction;

/// The value type behind a dictionary.
fn unwrap_dictionary(t: &DataType) -> DataType {
    match t {
        DataType::Dictionary(_, v) => v.as_ref().clone(),
        t => t.clone(),
    }
}

fn numeric(f: AggregateFunction, t: &DataType) -> Result<DataType> {
    let t = unwrap_dictionary(t);
    if t.is_numeric() || t == DataType::Null {
        Ok(DataType::Float64)
    } else {
        plan_err!("{}() needs a numeric argument, got {t}", f.name())
    }
}

fn boolean(f: AggregateFunction, t: &DataType) -> Result<DataType> {
    match t {
        DataType::Boolean | DataType::Null => Ok(DataType::Boolean),
        t => plan_err!("{}() needs a boolean argument, got {t}", f.name()),
    }
}

/// The quantile argument: a number, cast to double (its value is checked when planned).
fn fraction(f: AggregateFunction, t: &DataType) -> Result<DataType> {
    if t.is_numeric() {
        Ok(DataType::Float64)
    } else {
        plan_err!("{}(): the quantile must be a number between 0 and 1, got {t}", f.name())
    }
}

fn arity_error(f: AggregateFunction, expected: &str, got: usize) -> Result<Vec<DataType>> {
    plan_err!("{}() takes {expected}, got {got}", f.name())
}

impl AggregateFunction {
    /// [`AggregateFunction::coerce_types`] for the functions of this module; `None` for others.
    pub(crate) fn coerce_types_ext(self, arg_types: &[DataType]) -> Option<Result<Vec<DataType>>> {
        use AggregateFunction::*;
        let n = arg_types.len();
        Some(match (self, arg_types) {
            (StringAgg, [_] | [_, _]) => {
                let sep = match arg_types.get(1).map(unwrap_dictionary) {
                    None => None,
                    Some(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null) => {
                        Some(DataType::Utf8)
                    }
                    Some(t) => {
                        return Some(plan_err!("string_agg(): the separator must be a string, got {t}"))
                    }
                };
                Ok(std::iter::once(DataType::Utf8).chain(sep).collect())
            }
            (StringAgg, _) => arity_error(self, "one or two arguments (value, separator)", n),
            (ArrayAgg, [t]) => Ok(vec![match unwrap_dictionary(t) {
                DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
                t => t,
            }]),
            (Median, [t]) => numeric(self, t).map(|t| vec![t]),
            (QuantileCont | ApproxQuantile, [t, q]) => {
                numeric(self, t).and_then(|t| Ok(vec![t, fraction(self, q)?]))
            }
            (QuantileCont | ApproxQuantile, _) => arity_error(self, "two arguments (value, quantile)", n),
            (ApproxCountDistinct, [t]) => Ok(vec![unwrap_dictionary(t)]),
            (BoolAnd | BoolOr | CountIf, [t]) => boolean(self, t).map(|t| vec![t]),
            (ArrayAgg | Median | ApproxCountDistinct | BoolAnd | BoolOr | CountIf, _) => {
                arity_error(self, "exactly one argument", n)
            }
            _ => return None,
        })
    }

    /// [`AggregateFunction::return_type`] for the functions of this module; `None` for others.
    pub(crate) fn return_type_ext(self, arg_types: &[DataType]) -> Option<Result<DataType>> {
        use AggregateFunction::*;
        Some(Ok(match self {
            StringAgg => DataType::Utf8,
            ArrayAgg => match arg_types.first() {
                Some(t) => DataType::List(Arc::new(Field::new_list_field(t.clone(), true))),
                None => return Some(plan_err!("array_agg() needs an argument")),
            },
            Median | QuantileCont | ApproxQuantile => DataType::Float64,
            ApproxCountDistinct | CountIf => DataType::Int64,
            BoolAnd | BoolOr => DataType::Boolean,
            Count | Sum | Avg | Min | Max | StddevSamp | StddevPop | VarSamp | VarPop | UserDefined(_) => {
                return None
            }
        }))
    }

    /// True for aggregates whose result depends on the order of their input, so that
    /// `agg(x ORDER BY y)` is meaningful.
    pub fn is_order_sensitive(self) -> bool {
        matches!(self, AggregateFunction::StringAgg | AggregateFunction::ArrayAgg)
    }
}
