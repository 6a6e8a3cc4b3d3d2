//! User-defined functions: [`create_udf`] (a scalar function from a closure over Arrow arrays),
//! [`create_udaf`] (an aggregate from an [`Accumulator`] factory), and the [`Session`] methods
//! that register them so SQL and the DataFrame API can call them by name.
//!
//! A user-defined function may not take the name of a built-in function (a plan error says
//! so); registering a user-defined function again under the same name replaces it.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
//! use arrow::datatypes::{DataType, Float64Type};
//! use shoal::udf::{create_udf, Volatility};
//! use shoal::Session;
//!
//! let add_one = create_udf("add_one", vec![DataType::Float64], DataType::Float64, Volatility::Immutable, |args: &[ArrayRef]| {
//!     let x = args[0].as_primitive::<Float64Type>();
//!     Ok(Arc::new(x.unary::<_, Float64Type>(|v| v + 1.0)) as ArrayRef)
//! });
//! let session = Session::new();
//! session.register_udf(add_one).unwrap();
//! let batches = session.sql("SELECT add_one(41) AS x").unwrap().collect().unwrap();
//! let x = batches[0].column(0).as_primitive::<Float64Type>();
//! assert_eq!(x.value(0), 42.0);
//! ```

use std::fmt;
use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use shoal_common::{exec_err, plan_err, Result};
use shoal_expr::type_coercion::numeric_coercion;
use shoal_expr::{AggregateFunction, Expr, ScalarFunctionExpr};
use shoal_functions::FunctionRegistry;

pub use shoal_expr::{Accumulator, AggregateUdf, ColumnarValue, ScalarFunction};

use crate::session::{poisoned, Session};

/// Whether a function's result depends only on its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volatility {
    /// Same arguments, same result: calls on constants may be folded at planning time.
    Immutable,
    /// Same result within one query (e.g. the current time).
    Stable,
    /// May differ on every call (e.g. random numbers): never folded or merged.
    Volatile,
}

/// The body of a user-defined scalar function: one array per argument (scalars already
/// broadcast to the batch's length) in, one array of the same length out.
pub type ScalarFunctionBody = dyn Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync;

/// The accumulator factory of a user-defined aggregate: a fresh state for one group.
pub type AccumulatorFactory = dyn Fn() -> Result<Box<dyn Accumulator>> + Send + Sync;

/// A scalar function named `name` taking arguments of `arg_types` (arguments of other types
/// are cast when the cast widens, e.g. an integer to a double; otherwise the call is a plan
/// error) and returning `return_type`. The result of `fun` is checked: an array of the wrong
/// length or type is an execution error.
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, AsArray, StringArray};
/// use shoal::prelude::*;
/// use shoal::udf::{create_udf, Volatility};
/// // shout(s TEXT) -> TEXT: upper case with an exclamation mark (NULL stays NULL).
/// let shout = create_udf("shout", vec![DataType::Utf8], DataType::Utf8, Volatility::Immutable, |args: &[ArrayRef]| {
///     let Some(s) = args.first().and_then(|a| a.as_string_opt::<i32>()) else {
///         return Err(ShoalError::Execution("shout: expected one TEXT argument".into()));
///     };
///     let out: StringArray = s.iter().map(|v| v.map(|v| format!("{}!", v.to_uppercase()))).collect();
///     Ok(Arc::new(out) as ArrayRef)
/// });
/// let s = Session::new();
/// s.register_udf(shout)?;
/// let rows = s.sql("SELECT shout(name) FROM (VALUES ('hi'), (NULL)) AS t(name)")?.collect()?;
/// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["HI!", "NULL"]);
/// // Arguments are checked against the declared types when the query is planned.
/// assert!(s.sql("SELECT shout(1, 2)").is_err());
/// # Ok::<(), ShoalError>(())
/// ```
pub fn create_udf(
    name: &str,
    arg_types: Vec<DataType>,
    return_type: DataType,
    volatility: Volatility,
    fun: impl Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync + 'static,
) -> Arc<dyn ScalarFunction> {
    let name = name.to_ascii_lowercase();
    let description = format!("{}: user-defined", signature(&name, &arg_types, &return_type));
    Arc::new(SimpleScalarUdf { name, description, arg_types, return_type, volatility, fun: Box::new(fun) })
}

/// An aggregate named `name` over arguments of `input_types`, returning `return_type`, whose
/// partial state has fields of `state_types`; `accumulator` makes the state of one group.
/// Arguments are coerced as for [`create_udf`].
///
/// ```
/// use arrow::array::{ArrayRef, AsArray};
/// use arrow::datatypes::Int64Type;
/// use shoal::prelude::*;
/// use shoal::udf::{create_udaf, Accumulator};
/// use shoal_common::ScalarValue;
///
/// /// product(x BIGINT) -> BIGINT over the non-null values (1 for none).
/// #[derive(Debug)]
/// struct Product(i64);
///
/// impl Product {
///     fn fold(&mut self, array: Option<&ArrayRef>) -> Result<()> {
///         match array.and_then(|a| a.as_primitive_opt::<Int64Type>()) {
///             Some(values) => {
///                 values.iter().flatten().for_each(|v| self.0 = self.0.wrapping_mul(v));
///                 Ok(())
///             }
///             None => Err(ShoalError::Execution("product: expected BIGINT".into())),
///         }
///     }
/// }
///
/// impl Accumulator for Product {
///     fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
///         self.fold(values.first())
///     }
///     fn state(&mut self) -> Result<Vec<ScalarValue>> {
///         Ok(vec![ScalarValue::int64(Some(self.0))])
///     }
///     fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
///         self.fold(states.first())
///     }
///     fn evaluate(&mut self) -> Result<ScalarValue> {
///         Ok(ScalarValue::int64(Some(self.0)))
///     }
/// }
///
/// let s = Session::new();
/// s.register_udaf(create_udaf("product", vec![DataType::Int64], DataType::Int64, vec![DataType::Int64], || {
///     Ok(Box::new(Product(1)))
/// }))?;
/// let sql = "SELECT k, product(x) FROM (VALUES ('a', 2), ('a', 3), ('b', 4), ('b', NULL)) AS t(k, x) GROUP BY k ORDER BY k";
/// assert_eq!(shoal::rows_to_strings(&s.sql(sql)?.collect()?)?, vec!["a, 6", "b, 4"]);
/// # Ok::<(), ShoalError>(())
/// ```
pub fn create_udaf(
    name: &str,
    input_types: Vec<DataType>,
    return_type: DataType,
    state_types: Vec<DataType>,
    accumulator: impl Fn() -> Result<Box<dyn Accumulator>> + Send + Sync + 'static,
) -> Arc<dyn AggregateUdf> {
    let name = name.to_ascii_lowercase();
    let description = format!("{}: user-defined aggregate", signature(&name, &input_types, &return_type));
    Arc::new(SimpleAggregateUdf {
        name,
        description,
        input_types,
        return_type,
        state_types,
        accumulator: Box::new(accumulator),
    })
}

fn signature(name: &str, arg_types: &[DataType], return_type: &DataType) -> String {
    format!("{name}({}) -> {return_type}", type_list(arg_types))
}

fn type_list(types: &[DataType]) -> String {
    types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}

/// The argument types after coercion to the declared `wanted` types, or a plan error.
fn coerce_to_declared(name: &str, got: &[DataType], wanted: &[DataType]) -> Result<Vec<DataType>> {
    if wanted.is_empty() {
        return plan_err!("user-defined function {name}() must declare at least one argument");
    }
    if got.len() != wanted.len() {
        return plan_err!("{name}() takes {} argument(s), got {}", wanted.len(), got.len());
    }
    for (i, (from, to)) in got.iter().zip(wanted).enumerate() {
        if !coercible(from, to) {
            return plan_err!(
                "{name}(): argument {} must be {to}, got {from} (declared {name}({}))",
                i + 1,
                type_list(wanted)
            );
        }
    }
    Ok(wanted.to_vec())
}

/// Can a value of `from` be passed where `to` is declared without losing information?
fn coercible(from: &DataType, to: &DataType) -> bool {
    let is_string = |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    match from {
        DataType::Dictionary(_, v) => coercible(v, to),
        f if f == to || *f == DataType::Null => true,
        f if f.is_numeric() && to.is_numeric() => numeric_coercion(f, to).as_ref() == Some(to),
        f => is_string(f) && is_string(to),
    }
}

struct SimpleScalarUdf {
    name: String,
    description: String,
    arg_types: Vec<DataType>,
    return_type: DataType,
    volatility: Volatility,
    fun: Box<ScalarFunctionBody>,
}

impl fmt::Debug for SimpleScalarUdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScalarUdf({})", self.description)
    }
}

impl ScalarFunction for SimpleScalarUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn description(&self) -> &str {
        &self.description
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_to_declared(&self.name, arg_types, &self.arg_types)
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.return_type.clone())
    }
    fn invoke(&self, args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
        let arrays = args.iter().map(|a| a.clone().into_array(num_rows)).collect::<Result<Vec<_>>>()?;
        let out = (self.fun)(&arrays)?;
        if out.len() != num_rows {
            return exec_err!(
                "user-defined function {}() returned {} rows for {num_rows} input rows",
                self.name,
                out.len()
            );
        }
        if out.data_type() != &self.return_type {
            return exec_err!(
                "user-defined function {}() returned {}, but declared {}",
                self.name,
                out.data_type(),
                self.return_type
            );
        }
        Ok(ColumnarValue::Array(out))
    }
    fn is_deterministic(&self) -> bool {
        self.volatility != Volatility::Volatile
    }
}

struct SimpleAggregateUdf {
    name: String,
    description: String,
    input_types: Vec<DataType>,
    return_type: DataType,
    state_types: Vec<DataType>,
    accumulator: Box<AccumulatorFactory>,
}

impl fmt::Debug for SimpleAggregateUdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AggregateUdf({})", self.description)
    }
}

impl AggregateUdf for SimpleAggregateUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn description(&self) -> &str {
        &self.description
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_to_declared(&self.name, arg_types, &self.input_types)
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.return_type.clone())
    }
    fn state_types(&self, _arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(self.state_types.clone())
    }
    fn accumulator(&self, _arg_types: &[DataType]) -> Result<Box<dyn Accumulator>> {
        (self.accumulator)()
    }
}

/// A registered scalar function, for building calls in the DataFrame API.
#[derive(Debug, Clone)]
pub struct ScalarUdf {
    func: Arc<dyn ScalarFunction>,
}

impl ScalarUdf {
    /// The expression `name(args)`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let upper = s.udf("upper")?;
    /// let df = s.sql("SELECT * FROM (VALUES ('ann')) AS t(name)")?.select([upper.call([col("name")]).alias("up")])?;
    /// assert_eq!(shoal::rows_to_strings(&df.collect()?)?, vec!["ANN"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn call(&self, args: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::ScalarFunction(ScalarFunctionExpr {
            func: Arc::clone(&self.func),
            args: args.into_iter().collect(),
        })
    }
}

/// A registered aggregate (user-defined or built-in), for building calls in the DataFrame API.
#[derive(Debug, Clone, Copy)]
pub struct AggregateUdfHandle {
    func: AggregateFunction,
}

impl AggregateUdfHandle {
    /// The aggregate call `name(args)`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let max = s.udaf("max")?;
    /// let df = s.sql("SELECT * FROM (VALUES (3), (7), (5)) AS t(x)")?;
    /// let out = df.group_by(Vec::<Expr>::new())?.agg([max.call([col("x")]).alias("m")])?;
    /// assert_eq!(shoal::rows_to_strings(&out.collect()?)?, vec!["7"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn call(&self, args: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::aggregate(self.func, args.into_iter().collect())
    }
}

impl Session {
    /// Swap in a copy of the registry changed by `change` (queries being planned keep the
    /// snapshot they started with).
    fn update_registry(&self, change: impl FnOnce(&mut FunctionRegistry) -> Result<()>) -> Result<()> {
        let mut guard = self.state.registry.write().map_err(|_| poisoned())?;
        let mut next = FunctionRegistry::clone(&guard);
        change(&mut next)?;
        *guard = Arc::new(next);
        Ok(())
    }

    /// Register a scalar function (e.g. from [`create_udf`]) under its name and aliases, for
    /// SQL and the DataFrame API. A built-in's name is a plan error; a user-defined function of
    /// the same name is replaced.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::ArrayRef;
    /// use shoal::prelude::*;
    /// use shoal::udf::{create_udf, Volatility};
    /// let identity = |args: &[ArrayRef]| match args.first() {
    ///     Some(a) => Ok(Arc::clone(a)),
    ///     None => Err(ShoalError::Execution("same: one argument expected".into())),
    /// };
    /// let s = Session::new();
    /// s.register_udf(create_udf("same", vec![DataType::Int64], DataType::Int64, Volatility::Immutable, identity))?;
    /// assert_eq!(shoal::rows_to_strings(&s.sql("SELECT same(7)")?.collect()?)?, vec!["7"]);
    /// // A built-in's name is taken.
    /// let err = s.register_udf(create_udf("upper", vec![DataType::Utf8], DataType::Utf8, Volatility::Immutable, identity));
    /// assert!(err.is_err());
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn register_udf(&self, func: Arc<dyn ScalarFunction>) -> Result<()> {
        self.update_registry(|r| r.register_user_scalar(func))
    }

    /// Register an aggregate (e.g. from [`create_udaf`]); names as for [`Session::register_udf`].
    /// A complete aggregate is shown at [`create_udaf`].
    ///
    /// ```
    /// use shoal::prelude::*;
    /// use shoal::udf::{create_udaf, Accumulator};
    /// // A built-in's name is a plan error (the factory is never called).
    /// let fake = create_udaf("sum", vec![DataType::Int64], DataType::Int64, vec![DataType::Int64], || {
    ///     Err::<Box<dyn Accumulator>, _>(ShoalError::Execution("unused".into()))
    /// });
    /// assert!(matches!(Session::new().register_udaf(fake), Err(ShoalError::Plan { .. })));
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn register_udaf(&self, udaf: Arc<dyn AggregateUdf>) -> Result<()> {
        self.update_registry(|r| r.register_user_aggregate(udaf))
    }

    /// The scalar function `name` (built-in or registered), to call from the DataFrame API;
    /// an unknown name is a plan error.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let length = s.udf("length")?;
    /// let df = s.sql("SELECT * FROM (VALUES ('abc')) AS t(w)")?.select([length.call([col("w")])])?;
    /// assert_eq!(shoal::rows_to_strings(&df.collect()?)?, vec!["3"]);
    /// assert_eq!(s.udf("no_such").err().map(|e| e.to_string()).as_deref(), Some("unknown scalar function 'no_such'"));
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn udf(&self, name: &str) -> Result<ScalarUdf> {
        match self.functions().scalar(name) {
            Some(func) => Ok(ScalarUdf { func }),
            None => plan_err!("unknown scalar function '{name}'"),
        }
    }

    /// The aggregate `name` (built-in or registered), to call from the DataFrame API; an
    /// unknown name is a plan error.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let df = s.sql("SELECT * FROM (VALUES ('a', 1), ('a', 2), ('b', 5)) AS t(k, x)")?;
    /// let out = df.group_by([col("k")])?.agg([s.udaf("sum")?.call([col("x")]).alias("total")])?;
    /// assert_eq!(shoal::rows_to_strings(&out.sort([col("k").asc()])?.collect()?)?, vec!["a, 3", "b, 5"]);
    /// assert!(s.udaf("no_such").is_err());
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn udaf(&self, name: &str) -> Result<AggregateUdfHandle> {
        match self.functions().aggregate(name) {
            Some(func) => Ok(AggregateUdfHandle { func }),
            None => plan_err!("unknown aggregate function '{name}'"),
        }
    }
}
