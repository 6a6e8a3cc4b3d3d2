//! The expression DSL of the DataFrame API: `col`, `lit`, operators (`+ - * / % -x !x`),
//! `when(..).otherwise(..)`, the `str()` / `dt()` namespaces, aggregates, window functions and
//! `call("name", args)` for any registry function.
//!
//! Scalar functions are called by name and looked up in the session's registry by the
//! DataFrame method that receives the expression, so an unknown name fails at that call (with a
//! "did you mean"). Mistakes the DSL cannot report at once (e.g. `over()` on a plain column) are
//! carried the same way and reported by that call.
//!
//! ```
//! use shoal_expr::expr_fn::*;
//! let e = (col("fare") + col("tip")).alias("total");
//! assert_eq!(e.to_string(), "fare + tip AS total");
//! let s = col("name").str().lower();
//! assert_eq!(s.to_string(), "lower(name)");
//! let w = col("x").sum().over(Window::new().partition_by([col("k")]).order_by([col("t").asc()]));
//! assert_eq!(w.to_string(), "sum(x) OVER (PARTITION BY k ORDER BY t ASC NULLS LAST)");
//! ```

use std::any::Any;
use std::ops;

use arrow::datatypes::{DataType, TimeUnit};
use shoal_common::{internal_err, plan_err, Result, ScalarValue};

pub use crate::expr::{col, lit};
use crate::expr::{AggregateFunctionExpr, Between, Case, Cast, Expr, InList, Like, Operator};
use crate::expr::{ScalarFunctionExpr, SortExpr, TryCast};
use crate::function::{AggregateFunction, ColumnarValue, ScalarFunction};
use crate::window::{WindowFrame, WindowFrameBound, WindowFrameUnits, WindowFunction, WindowFunctionExpr};

/// A scalar function call that is looked up by name when a DataFrame method receives it, or a
/// DSL mistake to report there. Planning it any other way is a plan error.
#[derive(Debug)]
pub struct UnresolvedFunction {
    name: String,
    /// Set when the expression is invalid: the message to report.
    error: Option<String>,
}

impl UnresolvedFunction {
    /// The function name and, for an invalid expression, its error, if `func` is a
    /// placeholder made by this DSL.
    ///
    /// ```
    /// use shoal_expr::expr_fn::{call, col};
    /// use shoal_expr::expr_fn::UnresolvedFunction;
    /// use shoal_expr::Expr;
    /// let Expr::ScalarFunction(f) = call("Lower", [col("s")]) else { unreachable!("a scalar call") };
    /// assert_eq!(UnresolvedFunction::of(f.func.as_ref()), Some(("lower", None)));
    /// ```
    pub fn of(func: &dyn ScalarFunction) -> Option<(&str, Option<&str>)> {
        let any: &dyn Any = func;
        any.downcast_ref::<Self>().map(|u| (u.name.as_str(), u.error.as_deref()))
    }

    fn not_resolved(&self) -> shoal_common::ShoalError {
        let message = match &self.error {
            Some(e) => e.clone(),
            None => format!(
                "function '{}' is called by name and must be resolved against a session's registry \
                 (pass the expression to a DataFrame method)",
                self.name
            ),
        };
        shoal_common::ShoalError::Plan { message, span: None }
    }
}

impl ScalarFunction for UnresolvedFunction {
    fn name(&self) -> &str {
        &self.name
    }
    fn description(&self) -> &str {
        "a function call not yet looked up in the registry"
    }
    fn coerce_types(&self, _arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Err(self.not_resolved())
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(self.not_resolved())
    }
    fn invoke(&self, _args: &[ColumnarValue], _num_rows: usize) -> Result<ColumnarValue> {
        internal_err!("unresolved function '{}' reached execution", self.name)
    }
}

fn placeholder(name: &str, args: Vec<Expr>, error: Option<String>) -> Expr {
    let func = std::sync::Arc::new(UnresolvedFunction { name: name.to_ascii_lowercase(), error });
    Expr::ScalarFunction(ScalarFunctionExpr { func, args })
}

/// An expression that fails with `message` when a DataFrame method receives it.
fn invalid(what: &str, message: String, args: Vec<Expr>) -> Expr {
    placeholder(what, args, Some(message))
}

/// A call of the function `name`: an aggregate (`sum`, `avg`, ...), a window function
/// (`row_number`, `lag`, ...) or a scalar function of the session's registry (looked up when a
/// DataFrame method receives the expression).
///
/// ```
/// use shoal_expr::expr_fn::{call, col, lit};
/// assert_eq!(call("round", [col("x"), lit(2i64)]).to_string(), "round(x, 2)");
/// ```
pub fn call(name: &str, args: impl IntoIterator<Item = Expr>) -> Expr {
    let args: Vec<Expr> = args.into_iter().collect();
    if let Some(func) = AggregateFunction::from_name(name) {
        return aggregate(func, args);
    }
    if let Some(func) = WindowFunction::builtin_from_name(name) {
        return window_call(func, args);
    }
    placeholder(name, args, None)
}

/// A call of the aggregate `name` (`agg("stddev", [col("x")])`); an unknown name is reported
/// by the DataFrame method that receives it.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(agg("stddev", [col("x")]).to_string(), "stddev(x)");
/// // An unknown aggregate is reported by the DataFrame method that receives it.
/// assert!(agg("summ", [col("x")]).to_string().starts_with("summ("));
/// ```
pub fn agg(name: &str, args: impl IntoIterator<Item = Expr>) -> Expr {
    let args: Vec<Expr> = args.into_iter().collect();
    match AggregateFunction::from_name(name) {
        Some(func) => aggregate(func, args),
        None => {
            let names = AggregateFunction::ALL.iter().map(|a| a.name());
            let mut message = format!("unknown aggregate function '{name}'");
            if let Some(s) = shoal_common::error::suggest(name, names) {
                message.push_str(&format!("; did you mean '{s}'?"));
            }
            invalid(name, message, args)
        }
    }
}

fn aggregate(func: AggregateFunction, args: Vec<Expr>) -> Expr {
    Expr::aggregate(func, args)
}

fn window_call(func: WindowFunction, args: Vec<Expr>) -> Expr {
    Expr::WindowFunction(WindowFunctionExpr {
        func,
        args,
        partition_by: vec![],
        order_by: vec![],
        frame: WindowFrame::default_for(false),
    })
}

/// `count(*)`: the number of rows.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(count_star().to_string(), "count(*)");
/// ```
pub fn count_star() -> Expr {
    aggregate(AggregateFunction::Count, vec![])
}

macro_rules! aggregate_fns {
    ($($(#[$doc:meta])* $name:ident => $func:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(e: Expr) -> Expr {
                aggregate(AggregateFunction::$func, vec![e])
            }
        )*
        impl Expr {
            $(
                $(#[$doc])*
                pub fn $name(self) -> Expr {
                    aggregate(AggregateFunction::$func, vec![self])
                }
            )*
        }
    };
}

aggregate_fns! {
    /// `sum(x)`: the sum of the non-null values.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(sum(col("x")).to_string(), "sum(x)");
    /// assert_eq!(col("x").sum().to_string(), "sum(x)");
    /// ```
    sum => Sum;
    /// `avg(x)`: the mean of the non-null values.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(avg(col("x")).to_string(), "avg(x)");
    /// assert_eq!(col("x").avg().to_string(), "avg(x)");
    /// ```
    avg => Avg;
    /// `avg(x)` under its Polars name.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(mean(col("x")).to_string(), "avg(x)");
    /// assert_eq!(col("x").mean().to_string(), "avg(x)");
    /// ```
    mean => Avg;
    /// `min(x)`: the smallest non-null value.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(min(col("x")).to_string(), "min(x)");
    /// assert_eq!(col("x").min().to_string(), "min(x)");
    /// ```
    min => Min;
    /// `max(x)`: the largest non-null value.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(max(col("x")).to_string(), "max(x)");
    /// assert_eq!(col("x").max().to_string(), "max(x)");
    /// ```
    max => Max;
    /// `count(x)`: the number of non-null values.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(count(col("x")).to_string(), "count(x)");
    /// assert_eq!(col("x").count().to_string(), "count(x)");
    /// ```
    count => Count;
    /// `median(x)`: the exact (interpolated) median.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(median(col("x")).to_string(), "median(x)");
    /// assert_eq!(col("x").median().to_string(), "median(x)");
    /// ```
    median => Median;
    /// `stddev(x)`: the sample standard deviation.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(stddev(col("x")).to_string(), "stddev(x)");
    /// assert_eq!(col("x").stddev().to_string(), "stddev(x)");
    /// ```
    stddev => StddevSamp;
    /// `stddev_pop(x)`: the population standard deviation.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(stddev_pop(col("x")).to_string(), "stddev_pop(x)");
    /// assert_eq!(col("x").stddev_pop().to_string(), "stddev_pop(x)");
    /// ```
    stddev_pop => StddevPop;
    /// `variance(x)`: the sample variance.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(var(col("x")).to_string(), "variance(x)");
    /// assert_eq!(col("x").var().to_string(), "variance(x)");
    /// ```
    var => VarSamp;
    /// `var_pop(x)`: the population variance.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(var_pop(col("x")).to_string(), "var_pop(x)");
    /// assert_eq!(col("x").var_pop().to_string(), "var_pop(x)");
    /// ```
    var_pop => VarPop;
    /// `array_agg(x)`: every value as a list.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(array_agg(col("x")).to_string(), "array_agg(x)");
    /// assert_eq!(col("x").array_agg().to_string(), "array_agg(x)");
    /// ```
    array_agg => ArrayAgg;
    /// `approx_count_distinct(x)`: a HyperLogLog estimate of the distinct values.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(approx_count_distinct(col("x")).to_string(), "approx_count_distinct(x)");
    /// assert_eq!(col("x").approx_count_distinct().to_string(), "approx_count_distinct(x)");
    /// ```
    approx_count_distinct => ApproxCountDistinct;
    /// `bool_and(b)`: true if every value is true.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(bool_and(col("x")).to_string(), "bool_and(x)");
    /// assert_eq!(col("x").bool_and().to_string(), "bool_and(x)");
    /// ```
    bool_and => BoolAnd;
    /// `bool_or(b)`: true if any value is true.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(bool_or(col("x")).to_string(), "bool_or(x)");
    /// assert_eq!(col("x").bool_or().to_string(), "bool_or(x)");
    /// ```
    bool_or => BoolOr;
    /// `count_if(b)`: the rows where `b` is true.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(count_if(col("x")).to_string(), "count_if(x)");
    /// assert_eq!(col("x").count_if().to_string(), "count_if(x)");
    /// ```
    count_if => CountIf;
}

/// `count(DISTINCT x)`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(count_distinct(col("x")).to_string(), "count(DISTINCT x)");
/// ```
pub fn count_distinct(e: Expr) -> Expr {
    e.count_distinct()
}

/// `quantile_cont(x, q)`: the exact interpolated quantile `q` (0..1).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(quantile(col("x"), 0.9).to_string(), "quantile_cont(x, 0.9)");
/// ```
pub fn quantile(e: Expr, q: f64) -> Expr {
    e.quantile(q)
}

/// `string_agg(x, sep)`: the non-null values joined by `sep`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(string_agg(col("name"), ", ").to_string(), "string_agg(name, ', ')");
/// ```
pub fn string_agg(e: Expr, sep: &str) -> Expr {
    e.string_agg(sep)
}

/// `grouping(key)` in the aggregates of a grouped DataFrame: 1 (`Int32`) on a row where `key`
/// is not grouped by — a subtotal row of `rollup`/`cube`/`grouping_sets`, where `key` is NULL
/// because it was aggregated away — and 0 where it is (so it tells a subtotal from a group
/// whose key is a real NULL). Always 0 under a plain `group_by`. `key` must be one of the
/// grouping keys; anywhere else the call is a plan error.
///
/// ```
/// use shoal_expr::expr_fn::{col, grouping};
/// assert_eq!(grouping(col("k")).to_string(), "grouping(k)");
/// ```
pub fn grouping(key: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunctionExpr { func: std::sync::Arc::new(GroupingFunction), args: vec![key] })
}

/// The function of a [`grouping`] call: a placeholder that the DataFrame's aggregation
/// planning replaces by bits of the aggregate's grouping id. It cannot be typed or evaluated
/// on its own (both are plan errors).
#[derive(Debug)]
pub struct GroupingFunction;

impl GroupingFunction {
    /// True when `func` is the [`grouping`] placeholder.
    ///
    /// ```
    /// use shoal_expr::expr_fn::{col, grouping, GroupingFunction};
    /// use shoal_expr::Expr;
    /// let Expr::ScalarFunction(f) = grouping(col("k")) else { unreachable!("a scalar call") };
    /// assert!(GroupingFunction::is(f.func.as_ref()));
    /// ```
    pub fn is(func: &dyn ScalarFunction) -> bool {
        let any: &dyn Any = func;
        any.is::<Self>()
    }

    fn misplaced() -> shoal_common::ShoalError {
        shoal_common::ShoalError::Plan {
            message: "grouping() is only allowed among the aggregates of group_by(), rollup(), cube() or \
                      grouping_sets() .agg(..), over one of their keys"
                .to_string(),
            span: None,
        }
    }
}

impl ScalarFunction for GroupingFunction {
    fn name(&self) -> &str {
        "grouping"
    }
    fn description(&self) -> &str {
        "grouping(key) -> integer: 1 when key is not grouped in the row's grouping set"
    }
    fn coerce_types(&self, _arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Err(Self::misplaced())
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(Self::misplaced())
    }
    fn invoke(&self, _args: &[ColumnarValue], _num_rows: usize) -> Result<ColumnarValue> {
        Err(Self::misplaced())
    }
}

/// `row_number()`: 1, 2, 3.. within the partition (give it a window with `over`).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// let e = row_number().over(Window::new().partition_by([col("k")]).order_by([col("t").asc()]));
/// assert_eq!(e.to_string(), "row_number() OVER (PARTITION BY k ORDER BY t ASC NULLS LAST)");
/// ```
pub fn row_number() -> Expr {
    window_call(WindowFunction::RowNumber, vec![])
}
/// `rank()`: rank with gaps.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(rank().over(Window::new().order_by([col("score").desc()])).to_string(), "rank() OVER (ORDER BY score DESC NULLS FIRST)");
/// ```
pub fn rank() -> Expr {
    window_call(WindowFunction::Rank, vec![])
}
/// `dense_rank()`: rank without gaps.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(dense_rank().over(Window::new().order_by([col("x").asc()])).to_string(), "dense_rank() OVER (ORDER BY x ASC NULLS LAST)");
/// ```
pub fn dense_rank() -> Expr {
    window_call(WindowFunction::DenseRank, vec![])
}
/// `percent_rank()`: `(rank - 1) / (rows - 1)`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(percent_rank().over(Window::new().order_by([col("x").asc()])).to_string(), "percent_rank() OVER (ORDER BY x ASC NULLS LAST)");
/// ```
pub fn percent_rank() -> Expr {
    window_call(WindowFunction::PercentRank, vec![])
}
/// `cume_dist()`: rows up to the last peer / rows.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(cume_dist().over(Window::new().order_by([col("x").asc()])).to_string(), "cume_dist() OVER (ORDER BY x ASC NULLS LAST)");
/// ```
pub fn cume_dist() -> Expr {
    window_call(WindowFunction::CumeDist, vec![])
}
/// `ntile(n)`: bucket 1..n of the partition.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(ntile(4).over(Window::new().order_by([col("x").asc()])).to_string(), "ntile(4) OVER (ORDER BY x ASC NULLS LAST)");
/// ```
pub fn ntile(n: i64) -> Expr {
    window_call(WindowFunction::Ntile, vec![lit(n)])
}
/// `lag(e, n)`: `e` of the row `n` rows before (NULL when there is none).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(lag(col("x"), 1).over(Window::new().order_by([col("t").asc()])).to_string(), "lag(x, 1) OVER (ORDER BY t ASC NULLS LAST)");
/// ```
pub fn lag(e: Expr, n: i64) -> Expr {
    window_call(WindowFunction::Lag, vec![e, lit(n)])
}
/// `lead(e, n)`: `e` of the row `n` rows after (NULL when there is none).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(lead(col("x"), 2).over(Window::new().order_by([col("t").asc()])).to_string(), "lead(x, 2) OVER (ORDER BY t ASC NULLS LAST)");
/// ```
pub fn lead(e: Expr, n: i64) -> Expr {
    window_call(WindowFunction::Lead, vec![e, lit(n)])
}
/// `lag(e, n, default)`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(lag_or(col("x"), 1, lit(0i64)).over(Window::new().order_by([col("t").asc()])).to_string(), "lag(x, 1, 0) OVER (ORDER BY t ASC NULLS LAST)");
/// ```
pub fn lag_or(e: Expr, n: i64, default: Expr) -> Expr {
    window_call(WindowFunction::Lag, vec![e, lit(n), default])
}
/// `lead(e, n, default)`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(lead_or(col("x"), 1, lit(0i64)).over(Window::new().order_by([col("t").asc()])).to_string(), "lead(x, 1, 0) OVER (ORDER BY t ASC NULLS LAST)");
/// ```
pub fn lead_or(e: Expr, n: i64, default: Expr) -> Expr {
    window_call(WindowFunction::Lead, vec![e, lit(n), default])
}
/// `first_value(e)`: `e` of the first row of the frame.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(first_value(col("x")).over(Window::new().partition_by([col("k")])).to_string(), "first_value(x) OVER (PARTITION BY k)");
/// ```
pub fn first_value(e: Expr) -> Expr {
    window_call(WindowFunction::FirstValue, vec![e])
}
/// `last_value(e)`: `e` of the last row of the frame.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(last_value(col("x")).over(Window::new().partition_by([col("k")])).to_string(), "last_value(x) OVER (PARTITION BY k)");
/// ```
pub fn last_value(e: Expr) -> Expr {
    window_call(WindowFunction::LastValue, vec![e])
}
/// `nth_value(e, n)`: `e` of the n-th row of the frame.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(nth_value(col("x"), 2).over(Window::new().partition_by([col("k")])).to_string(), "nth_value(x, 2) OVER (PARTITION BY k)");
/// ```
pub fn nth_value(e: Expr, n: i64) -> Expr {
    window_call(WindowFunction::NthValue, vec![e, lit(n)])
}

/// `NOT e`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(not(col("done")).to_string(), "NOT done");
/// ```
pub fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}
/// `a AND b`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(and(col("a"), col("b")).to_string(), "a AND b");
/// ```
pub fn and(a: Expr, b: Expr) -> Expr {
    a.and(b)
}
/// `a OR b`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(or(col("a"), col("b")).to_string(), "a OR b");
/// ```
pub fn or(a: Expr, b: Expr) -> Expr {
    a.or(b)
}
/// `CAST(e AS t)`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// use arrow::datatypes::DataType;
/// assert_eq!(cast(col("x"), DataType::Float64).to_string(), "CAST(x AS DOUBLE)");
/// ```
pub fn cast(e: Expr, data_type: DataType) -> Expr {
    e.cast_to(data_type)
}
/// `coalesce(args..)`: the first non-null argument.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(coalesce([col("a"), col("b"), lit(0i64)]).to_string(), "coalesce(a, b, 0)");
/// ```
pub fn coalesce(args: impl IntoIterator<Item = Expr>) -> Expr {
    call("coalesce", args)
}
/// `concat(args..)`: the arguments as text, joined.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(concat([col("first"), lit(" "), col("last")]).to_string(), "concat(first, ' ', last)");
/// ```
pub fn concat(args: impl IntoIterator<Item = Expr>) -> Expr {
    call("concat", args)
}

/// A DATE literal from `YYYY-MM-DD` text (checked when the plan is built).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(lit_date("2024-02-29").to_string(), "CAST('2024-02-29' AS DATE)");
/// ```
pub fn lit_date(text: &str) -> Expr {
    lit(text).cast_to(DataType::Date32)
}
/// A TIMESTAMP literal (microseconds, no time zone) from `YYYY-MM-DD HH:MM:SS[.f]` text.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(lit_timestamp("2024-02-29 12:30:00").to_string(), "CAST('2024-02-29 12:30:00' AS TIMESTAMP)");
/// ```
pub fn lit_timestamp(text: &str) -> Expr {
    lit(text).cast_to(DataType::Timestamp(TimeUnit::Microsecond, None))
}
/// An exact decimal literal from its text, typed as SQL types `0.06` (DECIMAL(2,2)).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// assert_eq!(lit_decimal("0.06").to_string(), "CAST('0.06' AS DECIMAL(2,2))");
/// assert_eq!(lit_decimal("-12.5").to_string(), "CAST('-12.5' AS DECIMAL(3,1))");
/// ```
pub fn lit_decimal(text: &str) -> Expr {
    let body = text.trim().trim_start_matches(['-', '+']);
    let (int_part, frac) = body.split_once('.').unwrap_or((body, ""));
    let scale = frac.len();
    let precision = (int_part.trim_start_matches('0').len() + scale).max(1);
    match (u8::try_from(precision), i8::try_from(scale)) {
        (Ok(p), Ok(s)) if p <= 38 => lit(text.trim()).cast_to(DataType::Decimal128(p, s)),
        _ => invalid("decimal", format!("the decimal literal {text} has more than 38 digits"), vec![]),
    }
}
/// An interval literal of `months`, `days` and `nanoseconds` (`interval(12, 0, 0)` = 1 year).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// let e = col("d") + interval(1, 0, 0);
/// assert!(e.to_string().starts_with("d + "), "{e}");
/// ```
pub fn interval(months: i32, days: i32, nanoseconds: i64) -> Expr {
    lit(ScalarValue::interval(months, days, nanoseconds))
}

/// Frame bound `n PRECEDING` (rows, or a value for RANGE frames).
///
/// ```
/// use shoal_expr::expr_fn::*;
/// let w = Window::new().order_by([col("t").asc()]).rows_between(preceding(2i64), current_row());
/// assert_eq!(col("x").sum().over(w).to_string(), "sum(x) OVER (ORDER BY t ASC NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)");
/// ```
pub fn preceding(n: impl Into<ScalarValue>) -> WindowFrameBound {
    WindowFrameBound::Preceding(n.into())
}
/// Frame bound `n FOLLOWING`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// let w = Window::new().order_by([col("t").asc()]).rows_between(current_row(), following(1i64));
/// assert_eq!(col("x").avg().over(w).to_string(), "avg(x) OVER (ORDER BY t ASC NULLS LAST ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING)");
/// ```
pub fn following(n: impl Into<ScalarValue>) -> WindowFrameBound {
    WindowFrameBound::Following(n.into())
}
/// Frame bound `CURRENT ROW`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// let w = Window::new().order_by([col("t").asc()]).rows_between(unbounded_preceding(), current_row());
/// assert_eq!(col("x").sum().over(w).to_string(), "sum(x) OVER (ORDER BY t ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
/// ```
pub fn current_row() -> WindowFrameBound {
    WindowFrameBound::CurrentRow
}
/// Frame bound `UNBOUNDED PRECEDING`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// let w = Window::new().rows_between(unbounded_preceding(), unbounded_following());
/// assert_eq!(col("x").max().over(w).to_string(), "max(x) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)");
/// ```
pub fn unbounded_preceding() -> WindowFrameBound {
    WindowFrameBound::UnboundedPreceding
}
/// Frame bound `UNBOUNDED FOLLOWING`.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// let w = Window::new().order_by([col("t").asc()]).rows_between(current_row(), unbounded_following());
/// assert_eq!(col("x").min().over(w).to_string(), "min(x) OVER (ORDER BY t ASC NULLS LAST ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)");
/// ```
pub fn unbounded_following() -> WindowFrameBound {
    WindowFrameBound::UnboundedFollowing
}

/// A window: `PARTITION BY .. ORDER BY .. frame`, for [`Expr::over`]. Without a frame, the SQL
/// default applies (the partition up to the current row's peers with ORDER BY, else all of it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    partition_by: Vec<Expr>,
    order_by: Vec<SortExpr>,
    frame: Option<WindowFrame>,
}

impl Window {
    /// The whole input as one partition, unordered.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").sum().over(Window::new()).to_string(), "sum(x) OVER ()");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
    /// Partition by `exprs`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").sum().over(Window::new().partition_by([col("k")])).to_string(), "sum(x) OVER (PARTITION BY k)");
    /// ```
    pub fn partition_by(mut self, exprs: impl IntoIterator<Item = Expr>) -> Self {
        self.partition_by = exprs.into_iter().collect();
        self
    }
    /// Order each partition by `keys`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// let w = Window::new().order_by([col("t").asc(), col("id").desc()]);
    /// assert_eq!(row_number().over(w).to_string(), "row_number() OVER (ORDER BY t ASC NULLS LAST, id DESC NULLS FIRST)");
    /// ```
    pub fn order_by(mut self, keys: impl IntoIterator<Item = SortExpr>) -> Self {
        self.order_by = keys.into_iter().collect();
        self
    }
    /// `ROWS BETWEEN start AND end` (checked when the plan is built).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// let w = Window::new().order_by([col("t").asc()]).rows_between(preceding(6i64), current_row());
    /// assert_eq!(col("x").avg().over(w).to_string(), "avg(x) OVER (ORDER BY t ASC NULLS LAST ROWS BETWEEN 6 PRECEDING AND CURRENT ROW)");
    /// ```
    pub fn rows_between(mut self, start: WindowFrameBound, end: WindowFrameBound) -> Self {
        self.frame = Some(WindowFrame { units: WindowFrameUnits::Rows, start, end });
        self
    }
    /// `RANGE BETWEEN start AND end` (checked when the plan is built).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// let w = Window::new().order_by([col("t").asc()]).range_between(preceding(10i64), current_row());
    /// assert_eq!(col("x").sum().over(w).to_string(), "sum(x) OVER (ORDER BY t ASC NULLS LAST RANGE BETWEEN 10 PRECEDING AND CURRENT ROW)");
    /// ```
    pub fn range_between(mut self, start: WindowFrameBound, end: WindowFrameBound) -> Self {
        self.frame = Some(WindowFrame { units: WindowFrameUnits::Range, start, end });
        self
    }
}

/// `CASE WHEN .. THEN .. [WHEN ..] ELSE .. END`, built by [`when`].
#[derive(Debug, Clone)]
pub struct CaseBuilder {
    when_then: Vec<(Expr, Expr)>,
}

/// `CASE WHEN cond THEN value ..`: continue with `.when(..)`, finish with `.otherwise(..)` or
/// `.end()` (NULL when no condition holds).
///
/// ```
/// use shoal_expr::expr_fn::{col, lit, when};
/// let e = when(col("x").gt(lit(0i64)), lit("pos")).otherwise(lit("other"));
/// assert_eq!(e.to_string(), "CASE WHEN x > 0 THEN 'pos' ELSE 'other' END");
/// ```
pub fn when(condition: Expr, value: Expr) -> CaseBuilder {
    CaseBuilder { when_then: vec![(condition, value)] }
}

impl CaseBuilder {
    /// Another `WHEN cond THEN value`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// let e = when(col("x").lt(lit(0i64)), lit("neg")).when(col("x").eq(lit(0i64)), lit("zero")).otherwise(lit("pos"));
    /// assert_eq!(e.to_string(), "CASE WHEN x < 0 THEN 'neg' WHEN x = 0 THEN 'zero' ELSE 'pos' END");
    /// ```
    pub fn when(mut self, condition: Expr, value: Expr) -> Self {
        self.when_then.push((condition, value));
        self
    }
    /// `ELSE value END`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(when(col("ok"), lit(1i64)).otherwise(lit(0i64)).to_string(), "CASE WHEN ok THEN 1 ELSE 0 END");
    /// ```
    pub fn otherwise(self, value: Expr) -> Expr {
        Expr::Case(Case { expr: None, when_then: self.when_then, else_expr: Some(Box::new(value)) })
    }
    /// `END` without ELSE: NULL when no condition holds.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(when(col("ok"), lit(1i64)).end().to_string(), "CASE WHEN ok THEN 1 END");
    /// ```
    pub fn end(self) -> Expr {
        Expr::Case(Case { expr: None, when_then: self.when_then, else_expr: None })
    }
}

impl SortExpr {
    /// Put NULLs first.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").asc().nulls_first().to_string(), "x ASC NULLS FIRST");
    /// ```
    pub fn nulls_first(mut self) -> Self {
        self.nulls_first = true;
        self
    }
    /// Put NULLs last.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").desc().nulls_last().to_string(), "x DESC NULLS LAST");
    /// ```
    pub fn nulls_last(mut self) -> Self {
        self.nulls_first = false;
        self
    }
}

impl Expr {
    /// `NOT self`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("done").not().to_string(), "NOT done");
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
    /// `self IN (list)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").is_in([lit(1i64), lit(2i64)]).to_string(), "x IN (1, 2)");
    /// ```
    pub fn is_in(self, list: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::InList(InList { expr: Box::new(self), list: list.into_iter().collect(), negated: false })
    }
    /// `self NOT IN (list)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").is_not_in([lit(1i64), lit(2i64)]).to_string(), "x NOT IN (1, 2)");
    /// ```
    pub fn is_not_in(self, list: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::InList(InList { expr: Box::new(self), list: list.into_iter().collect(), negated: true })
    }
    /// `self BETWEEN low AND high` (inclusive).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").between(lit(1i64), lit(9i64)).to_string(), "x BETWEEN 1 AND 9");
    /// ```
    pub fn between(self, low: Expr, high: Expr) -> Expr {
        Expr::Between(Between {
            expr: Box::new(self),
            negated: false,
            low: Box::new(low),
            high: Box::new(high),
        })
    }
    /// `self NOT BETWEEN low AND high`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").not_between(lit(1i64), lit(9i64)).to_string(), "x NOT BETWEEN 1 AND 9");
    /// ```
    pub fn not_between(self, low: Expr, high: Expr) -> Expr {
        Expr::Between(Between {
            expr: Box::new(self),
            negated: true,
            low: Box::new(low),
            high: Box::new(high),
        })
    }
    /// `self LIKE pattern` (`%` any text, `_` one character).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("name").like(lit("a%")).to_string(), "name LIKE 'a%'");
    /// ```
    pub fn like(self, pattern: Expr) -> Expr {
        Expr::Like(Like {
            negated: false,
            expr: Box::new(self),
            pattern: Box::new(pattern),
            escape_char: None,
            case_insensitive: false,
        })
    }
    /// `self ILIKE pattern` (case-insensitive LIKE).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("name").ilike(lit("a%")).to_string(), "name ILIKE 'a%'");
    /// ```
    pub fn ilike(self, pattern: Expr) -> Expr {
        Expr::Like(Like {
            negated: false,
            expr: Box::new(self),
            pattern: Box::new(pattern),
            escape_char: None,
            case_insensitive: true,
        })
    }
    /// `CAST(self AS data_type)`: an error on values that do not convert.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// use arrow::datatypes::DataType;
    /// assert_eq!(col("x").cast(DataType::Int64).to_string(), "CAST(x AS BIGINT)");
    /// ```
    pub fn cast(self, data_type: DataType) -> Expr {
        Expr::Cast(Cast { expr: Box::new(self), data_type })
    }
    /// `TRY_CAST(self AS data_type)`: NULL for values that do not convert.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// use arrow::datatypes::DataType;
    /// assert_eq!(col("s").try_cast(DataType::Int64).to_string(), "TRY_CAST(s AS BIGINT)");
    /// ```
    pub fn try_cast(self, data_type: DataType) -> Expr {
        Expr::TryCast(TryCast { expr: Box::new(self), data_type })
    }
    /// `self IS DISTINCT FROM other` (NULL-safe inequality).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("a").is_distinct_from(col("b")).to_string(), "a IS DISTINCT FROM b");
    /// ```
    pub fn is_distinct_from(self, other: Expr) -> Expr {
        self.binary(Operator::IsDistinctFrom, other)
    }
    /// `self || other` (string concatenation).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("a").concat(lit("!")).to_string(), "a || '!'");
    /// ```
    pub fn concat(self, other: Expr) -> Expr {
        self.binary(Operator::StringConcat, other)
    }
    /// `count(DISTINCT self)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").count_distinct().to_string(), "count(DISTINCT x)");
    /// ```
    pub fn count_distinct(self) -> Expr {
        Expr::AggregateFunction(AggregateFunctionExpr {
            func: AggregateFunction::Count,
            args: vec![self],
            distinct: true,
            filter: None,
            order_by: vec![],
        })
    }
    /// `quantile_cont(self, q)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").quantile(0.5).to_string(), "quantile_cont(x, 0.5)");
    /// ```
    pub fn quantile(self, q: f64) -> Expr {
        aggregate(AggregateFunction::QuantileCont, vec![self, lit(q)])
    }
    /// `approx_quantile(self, q)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").approx_quantile(0.99).to_string(), "approx_quantile(x, 0.99)");
    /// ```
    pub fn approx_quantile(self, q: f64) -> Expr {
        aggregate(AggregateFunction::ApproxQuantile, vec![self, lit(q)])
    }
    /// `string_agg(self, sep)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("name").string_agg("|").to_string(), "string_agg(name, '|')");
    /// ```
    pub fn string_agg(self, sep: &str) -> Expr {
        aggregate(AggregateFunction::StringAgg, vec![self, lit(sep)])
    }
    /// An aggregate call restricted to rows where `condition` holds (`FILTER (WHERE ..)`).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// let e = col("x").sum().agg_filter(col("x").gt(lit(0i64)));
    /// assert_eq!(e.to_string(), "sum(x) FILTER (WHERE x > 0)");
    /// ```
    pub fn agg_filter(self, condition: Expr) -> Expr {
        match self {
            Expr::AggregateFunction(mut a) => {
                a.filter = Some(Box::new(condition));
                Expr::AggregateFunction(a)
            }
            Expr::Alias(a) => a.expr.agg_filter(condition).alias(a.name),
            other => invalid(
                "agg_filter",
                format!("agg_filter() applies to aggregate calls, not to {other}"),
                vec![other],
            ),
        }
    }
    /// Compute this aggregate or window function over `window` (`f(..) OVER (..)`).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// let e = col("x").sum().alias("running").over(Window::new().order_by([col("t").asc()]));
    /// assert_eq!(e.to_string(), "sum(x) OVER (ORDER BY t ASC NULLS LAST) AS running");
    /// ```
    pub fn over(self, window: Window) -> Expr {
        let (func, args) = match self {
            Expr::Alias(a) => return a.expr.over(window).alias(a.name),
            Expr::AggregateFunction(a) if a.distinct || a.filter.is_some() || !a.order_by.is_empty() => {
                let text = Expr::AggregateFunction(a.clone()).to_string();
                return invalid(
                    "over",
                    format!("DISTINCT, FILTER and ORDER BY are not supported in a window aggregate: {text}"),
                    a.args,
                );
            }
            Expr::AggregateFunction(a) => (WindowFunction::Aggregate(a.func), a.args),
            Expr::WindowFunction(w) => (w.func, w.args),
            other => {
                return invalid(
                    "over",
                    format!("over() applies to aggregate and window functions, not to {other}"),
                    vec![other],
                )
            }
        };
        let has_order_by = !window.order_by.is_empty();
        let frame = window.frame.unwrap_or_else(|| WindowFrame::default_for(has_order_by));
        Expr::WindowFunction(WindowFunctionExpr {
            func,
            args,
            partition_by: window.partition_by,
            order_by: window.order_by,
            frame,
        })
    }
    /// Sort ascending, NULLs last.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").asc().to_string(), "x ASC NULLS LAST");
    /// ```
    pub fn asc(self) -> SortExpr {
        SortExpr::new(self, true, false)
    }
    /// Sort descending, NULLs first (PostgreSQL's default: NULLs are largest).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").desc().to_string(), "x DESC NULLS FIRST");
    /// ```
    pub fn desc(self) -> SortExpr {
        SortExpr::new(self, false, true)
    }
    /// Sort with explicit direction and NULL placement.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("x").sort(false, false).to_string(), "x DESC NULLS LAST");
    /// ```
    pub fn sort(self, asc: bool, nulls_first: bool) -> SortExpr {
        SortExpr::new(self, asc, nulls_first)
    }
    /// String functions: `col("s").str().lower()`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().trim().to_string(), "trim(s)");
    /// ```
    pub fn str(self) -> StrNamespace {
        StrNamespace(self)
    }
    /// Date and time functions: `col("ts").dt().year()`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().year().to_string(), "date_part('year', ts)");
    /// ```
    pub fn dt(self) -> DtNamespace {
        DtNamespace(self)
    }
}

/// String functions of an expression (see [`Expr::str`]); each calls the registry function
/// of the same name.
#[derive(Debug, Clone)]
pub struct StrNamespace(Expr);

impl StrNamespace {
    /// `lower(s)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().lower().to_string(), "lower(s)");
    /// ```
    pub fn lower(self) -> Expr {
        call("lower", [self.0])
    }
    /// `upper(s)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().upper().to_string(), "upper(s)");
    /// ```
    pub fn upper(self) -> Expr {
        call("upper", [self.0])
    }
    /// `length(s)`: characters.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().len().to_string(), "length(s)");
    /// ```
    pub fn len(self) -> Expr {
        call("length", [self.0])
    }
    /// `contains(s, needle)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().contains("ab").to_string(), "contains(s, 'ab')");
    /// ```
    pub fn contains(self, needle: &str) -> Expr {
        call("contains", [self.0, lit(needle)])
    }
    /// `starts_with(s, prefix)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().starts_with("ab").to_string(), "starts_with(s, 'ab')");
    /// ```
    pub fn starts_with(self, prefix: &str) -> Expr {
        call("starts_with", [self.0, lit(prefix)])
    }
    /// `ends_with(s, suffix)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().ends_with("ab").to_string(), "ends_with(s, 'ab')");
    /// ```
    pub fn ends_with(self, suffix: &str) -> Expr {
        call("ends_with", [self.0, lit(suffix)])
    }
    /// `replace(s, from, to)`: every occurrence.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().replace("a", "b").to_string(), "replace(s, 'a', 'b')");
    /// ```
    pub fn replace(self, from: &str, to: &str) -> Expr {
        call("replace", [self.0, lit(from), lit(to)])
    }
    /// `substr(s, start, length)` (1-based start).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().substr(2, 3).to_string(), "substr(s, 2, 3)");
    /// ```
    pub fn substr(self, start: i64, length: i64) -> Expr {
        call("substr", [self.0, lit(start), lit(length)])
    }
    /// `trim(s)`: spaces removed from both ends.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().trim().to_string(), "trim(s)");
    /// ```
    pub fn trim(self) -> Expr {
        call("trim", [self.0])
    }
    /// `ltrim(s)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().trim_start().to_string(), "ltrim(s)");
    /// ```
    pub fn trim_start(self) -> Expr {
        call("ltrim", [self.0])
    }
    /// `rtrim(s)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().trim_end().to_string(), "rtrim(s)");
    /// ```
    pub fn trim_end(self) -> Expr {
        call("rtrim", [self.0])
    }
    /// `s LIKE pattern`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("s").str().like("a%").to_string(), "s LIKE 'a%'");
    /// ```
    pub fn like(self, pattern: &str) -> Expr {
        self.0.like(lit(pattern))
    }
}

/// Date and time functions of an expression (see [`Expr::dt`]): `date_part` and `date_trunc`
/// of the registry.
#[derive(Debug, Clone)]
pub struct DtNamespace(Expr);

impl DtNamespace {
    /// `date_part(part, x)`, as SQL's `EXTRACT(part FROM x)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().date_part("Quarter").to_string(), "date_part('quarter', ts)");
    /// ```
    pub fn date_part(self, part: &str) -> Expr {
        call("date_part", [lit(part.to_ascii_lowercase()), self.0])
    }
    /// `date_trunc(unit, x)`: `x` truncated to the start of its `unit` ("day", "month", ...).
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().truncate("Month").to_string(), "date_trunc('month', ts)");
    /// ```
    pub fn truncate(self, unit: &str) -> Expr {
        call("date_trunc", [lit(unit.to_ascii_lowercase()), self.0])
    }
    /// `EXTRACT(year FROM x)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().year().to_string(), "date_part('year', ts)");
    /// ```
    pub fn year(self) -> Expr {
        self.date_part("year")
    }
    /// `EXTRACT(month FROM x)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().month().to_string(), "date_part('month', ts)");
    /// ```
    pub fn month(self) -> Expr {
        self.date_part("month")
    }
    /// `EXTRACT(day FROM x)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().day().to_string(), "date_part('day', ts)");
    /// ```
    pub fn day(self) -> Expr {
        self.date_part("day")
    }
    /// `EXTRACT(hour FROM x)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().hour().to_string(), "date_part('hour', ts)");
    /// ```
    pub fn hour(self) -> Expr {
        self.date_part("hour")
    }
    /// `EXTRACT(minute FROM x)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().minute().to_string(), "date_part('minute', ts)");
    /// ```
    pub fn minute(self) -> Expr {
        self.date_part("minute")
    }
    /// `EXTRACT(dow FROM x)`: 0 = Sunday.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().weekday().to_string(), "date_part('dow', ts)");
    /// ```
    pub fn weekday(self) -> Expr {
        self.date_part("dow")
    }
    /// `CAST(x AS DATE)`.
    ///
    /// ```
    /// use shoal_expr::expr_fn::*;
    /// assert_eq!(col("ts").dt().date().to_string(), "CAST(ts AS DATE)");
    /// ```
    pub fn date(self) -> Expr {
        self.0.cast_to(DataType::Date32)
    }
}

macro_rules! binary_ops {
    ($($trait:ident $method:ident => $op:ident;)*) => {
        $(
            impl ops::$trait for Expr {
                type Output = Expr;
                fn $method(self, rhs: Expr) -> Expr {
                    self.binary(Operator::$op, rhs)
                }
            }
        )*
    };
}

binary_ops! {
    Add add => Plus;
    Sub sub => Minus;
    Mul mul => Multiply;
    Div div => Divide;
    Rem rem => Modulo;
}

impl ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr::Negative(Box::new(self))
    }
}

impl ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
}

/// Check a window call built by the DSL the way SQL checks `f(..) OVER (..)`: a valid frame
/// and constant arguments where the window operator needs them.
///
/// ```
/// use shoal_expr::expr_fn::*;
/// use shoal_expr::Expr;
/// let window_call = |e: Expr| match e {
///     Expr::WindowFunction(w) => Some(w),
///     _ => None,
/// };
/// let ok = col("x").sum().over(Window::new().rows_between(preceding(6i64), current_row()));
/// assert!(window_call(ok).is_some_and(|w| check_window_call(&w).is_ok()));
/// let bad = ntile(0).over(Window::new().order_by([col("x").asc()]));
/// let err = window_call(bad).map(|w| check_window_call(&w).map_err(|e| e.to_string()));
/// assert_eq!(err, Some(Err("ntile(): the bucket count must be a positive integer constant, got 0".into())));
/// ```
pub fn check_window_call(w: &WindowFunctionExpr) -> Result<()> {
    WindowFrame::try_new(w.frame.units, w.frame.start.clone(), w.frame.end.clone())?;
    let name = w.func.name();
    let positive = |e: &Expr, what: &str| -> Result<()> {
        match e {
            Expr::Literal(v) if v.as_i64().is_some_and(|n| n > 0) => Ok(()),
            _ => plan_err!("{name}(): the {what} must be a positive integer constant, got {e}"),
        }
    };
    match (&w.func, w.args.as_slice()) {
        (WindowFunction::Ntile, [n]) => positive(n, "bucket count"),
        (WindowFunction::NthValue, [_, n]) => positive(n, "row number"),
        (WindowFunction::Lag | WindowFunction::Lead, [_, o, ..]) => match o {
            Expr::Literal(v) if v.as_i64().is_some() => Ok(()),
            _ => plan_err!("{name}(): the offset must be an integer constant, got {o}"),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_build_binary_expressions() {
        let e = (col("a") + col("b")) * lit(2i64) - -col("c") / col("d") % col("e");
        assert_eq!(e.to_string(), "(a + b) * 2 - -c / d % e");
        assert_eq!((!col("p")).to_string(), "NOT p");
    }

    #[test]
    fn calls_resolve_aggregates_and_defer_scalars() {
        assert!(matches!(call("SUM", [col("x")]), Expr::AggregateFunction(_)));
        assert!(matches!(call("lag", [col("x")]), Expr::WindowFunction(_)));
        let Expr::ScalarFunction(f) = call("Lower", [col("s")]) else { panic!("not a scalar call") };
        assert_eq!(UnresolvedFunction::of(f.func.as_ref()), Some(("lower", None)));
        let Expr::ScalarFunction(f) = agg("summ", [col("x")]) else { panic!("not a placeholder") };
        let (_, error) = UnresolvedFunction::of(f.func.as_ref()).unwrap_or(("", None));
        assert_eq!(error, Some("unknown aggregate function 'summ'; did you mean 'sum'?"));
    }

    #[test]
    fn over_on_a_column_is_an_error_to_report_later() {
        let Expr::ScalarFunction(f) = col("x").over(Window::new()) else { panic!("not a placeholder") };
        let (_, error) = UnresolvedFunction::of(f.func.as_ref()).unwrap_or(("", None));
        assert_eq!(error, Some("over() applies to aggregate and window functions, not to x"));
    }

    #[test]
    fn window_frames_and_constants_are_checked() {
        let w = |e: Expr| match e {
            Expr::WindowFunction(w) => w,
            other => panic!("not a window call: {other}"),
        };
        let ok = col("x").sum().over(Window::new().rows_between(preceding(6i64), current_row()));
        assert!(check_window_call(&w(ok)).is_ok());
        let bad = col("x").sum().over(Window::new().rows_between(following(1i64), preceding(1i64)));
        let err = check_window_call(&w(bad)).map_err(|e| e.to_string());
        assert_eq!(err, Err("a window frame cannot start at 1 FOLLOWING and end at 1 PRECEDING".into()));
        let lag_col = window_call(WindowFunction::Lag, vec![col("x"), col("y")]);
        assert!(check_window_call(&w(lag_col)).is_err());
    }

    #[test]
    fn decimal_literals_are_typed_like_sql() {
        assert_eq!(lit_decimal("0.06").to_string(), "CAST('0.06' AS DECIMAL(2,2))");
        assert_eq!(lit_decimal("12.5").to_string(), "CAST('12.5' AS DECIMAL(3,1))");
    }
}
