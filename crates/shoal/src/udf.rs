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
    pub fn register_udf(&self, func: Arc<dyn ScalarFunction>) -> Result<()> {
        self.update_registry(|r| r.register_user_scalar(func))
    }

    /// Register an aggregate (e.g. from [`create_udaf`]); names as for [`Session::register_udf`].
    pub fn register_udaf(&self, udaf: Arc<dyn AggregateUdf>) -> Result<()> {
        self.update_registry(|r| r.register_user_aggregate(udaf))
    }

    /// The scalar function `name` (built-in or registered), to call from the DataFrame API.
    pub fn udf(&self, name: &str) -> Result<ScalarUdf> {
        match self.functions().scalar(name) {
            Some(func) => Ok(ScalarUdf { func }),
            None => plan_err!("unknown scalar function '{name}'"),
        }
    }

    /// The aggregate `name` (built-in or registered), to call from the DataFrame API.
    pub fn udaf(&self, name: &str) -> Result<AggregateUdfHandle> {
        match self.functions().aggregate(name) {
            Some(func) => Ok(AggregateUdfHandle { func }),
            None => plan_err!("unknown aggregate function '{name}'"),
        }
    }
}
