//! User-defined aggregates: the [`AggregateUdf`] trait (name, types, accumulator factory), the
//! row-group [`Accumulator`] it creates, and [`AggregateUdfRef`], the handle the
//! [`AggregateFunction::UserDefined`](crate::AggregateFunction::UserDefined) variant carries.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use shoal_common::{Result, ScalarValue};

/// The running state of a user-defined aggregate for one group.
///
/// Aggregation is two-phase: every worker feeds its rows to its own accumulators
/// ([`Accumulator::update_batch`]), then the partial results are exported
/// ([`Accumulator::state`]) and folded into one accumulator per group
/// ([`Accumulator::merge_batch`]) before [`Accumulator::evaluate`].
pub trait Accumulator: Send + fmt::Debug {
    /// Fold rows into the state: one array per argument, all of the same length (NULLs
    /// included; skipping them is up to the aggregate).
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()>;
    /// The partial state, one value per state field (see [`AggregateUdf::state_types`]).
    fn state(&mut self) -> Result<Vec<ScalarValue>>;
    /// Fold partial states: one array per state field, each row one earlier [`Accumulator::state`].
    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()>;
    /// The final value (of the aggregate's return type, or a NULL).
    fn evaluate(&mut self) -> Result<ScalarValue>;
}

/// A user-defined aggregate function: its name, types and accumulator factory.
pub trait AggregateUdf: Send + Sync + fmt::Debug {
    /// The lower-case name it is called by.
    fn name(&self) -> &str;
    /// One line for `SHOW FUNCTIONS`.
    fn description(&self) -> &str {
        "user-defined aggregate"
    }
    /// The types the arguments must be cast to, or a plan error explaining the mismatch.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>>;
    /// The result type for (coerced) argument types.
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType>;
    /// The types of the partial state's fields for (coerced) argument types.
    fn state_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>>;
    /// A fresh accumulator for one group.
    fn accumulator(&self, arg_types: &[DataType]) -> Result<Box<dyn Accumulator>>;
}

/// A registered user-defined aggregate, as [`crate::AggregateFunction`] holds it.
///
/// [`crate::AggregateFunction`] is `Copy` (it is passed by value all through the planner and
/// the operators), so the aggregate is kept behind a `'static` reference: [`AggregateUdfRef::new`]
/// leaks the `Arc` once, at registration. Registering an aggregate therefore keeps its (small)
/// definition alive for the rest of the process. Two handles are equal when their names are.
#[derive(Clone, Copy)]
pub struct AggregateUdfRef(&'static dyn AggregateUdf);

impl AggregateUdfRef {
    /// Keep `udaf` for the rest of the process and return its handle.
    pub fn new(udaf: Arc<dyn AggregateUdf>) -> Self {
        let leaked: &'static Arc<dyn AggregateUdf> = Box::leak(Box::new(udaf));
        Self(leaked.as_ref())
    }
    /// The aggregate's definition.
    pub fn udaf(self) -> &'static dyn AggregateUdf {
        self.0
    }
    /// The aggregate's name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl fmt::Debug for AggregateUdfRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AggregateUdf({})", self.0.name())
    }
}

impl PartialEq for AggregateUdfRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.name() == other.0.name()
    }
}

impl Eq for AggregateUdfRef {}

impl Hash for AggregateUdfRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name().hash(state)
    }
}
