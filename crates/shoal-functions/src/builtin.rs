//! [`Builtin`]: a scalar function described by a name, a [`Signature`], a result rule and a
//! plain `fn` implementation, so most functions are one table entry.

use std::sync::Arc;

use arrow::compute::can_cast_types;
use arrow::datatypes::DataType;
use shoal_common::{plan_err, Result};
use shoal_expr::{ColumnarValue, ScalarFunction};

/// What one argument position accepts, and the type it is cast to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// Any string type (or NULL), cast to Utf8.
    Str,
    /// Any integer type (or NULL), cast to Int64.
    Int,
    /// Any numeric type (or NULL), cast to Float64.
    Float,
    /// Any type that can be cast to Utf8 (used by `concat`).
    AnyAsStr,
}

impl Arg {
    /// The type an argument of type `t` is cast to, or `None` if it is not accepted.
    pub fn coerce(self, t: &DataType) -> Option<DataType> {
        let t = match t {
            DataType::Dictionary(_, v) => v.as_ref(),
            t => t,
        };
        match self {
            Arg::Str if is_string(t) || *t == DataType::Null => Some(DataType::Utf8),
            Arg::Int if t.is_integer() || *t == DataType::Null => Some(DataType::Int64),
            Arg::Float if t.is_numeric() || *t == DataType::Null => Some(DataType::Float64),
            Arg::AnyAsStr if can_cast_types(t, &DataType::Utf8) => Some(DataType::Utf8),
            _ => None,
        }
    }
}

/// True for Utf8, LargeUtf8 and Utf8View.
pub fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// How a function's arguments are checked and coerced.
#[derive(Debug, Clone)]
pub enum Signature {
    /// Fixed positions; the last `optional` of them may be left out.
    Fixed { args: &'static [Arg], optional: usize },
    /// At least `min` arguments, all of one kind.
    Variadic { arg: Arg, min: usize },
    /// A hand-written rule.
    Custom(fn(&[DataType]) -> Result<Vec<DataType>>),
}

/// How the result type follows from the (coerced) argument types.
#[derive(Debug, Clone)]
pub enum Returns {
    Fixed(DataType),
    /// The type of the first argument.
    FirstArg,
    Custom(fn(&[DataType]) -> Result<DataType>),
}

/// The implementation: evaluate over arguments of `num_rows` rows.
pub type InvokeFn = fn(&[ColumnarValue], usize) -> Result<ColumnarValue>;

/// A scalar function made of a signature, a result rule and an [`InvokeFn`].
#[derive(Debug, Clone)]
pub struct Builtin {
    name: &'static str,
    aliases: &'static [&'static str],
    description: &'static str,
    signature: Signature,
    returns: Returns,
    invoke: InvokeFn,
    deterministic: bool,
}

impl Builtin {
    pub fn new(
        name: &'static str,
        description: &'static str,
        signature: Signature,
        returns: Returns,
        invoke: InvokeFn,
    ) -> Self {
        Self { name, aliases: &[], description, signature, returns, invoke, deterministic: true }
    }

    /// Fixed positions, all required.
    pub fn fixed(
        name: &'static str,
        description: &'static str,
        args: &'static [Arg],
        returns: Returns,
        invoke: InvokeFn,
    ) -> Self {
        Self::new(name, description, Signature::Fixed { args, optional: 0 }, returns, invoke)
    }

    pub fn with_aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    /// Mark as non-deterministic (never folded or merged).
    pub fn volatile(mut self) -> Self {
        self.deterministic = false;
        self
    }

    /// As a registry entry.
    pub fn into_arc(self) -> Arc<dyn ScalarFunction> {
        Arc::new(self)
    }
}

/// The part of a description before `": "`, i.e. the usage line `f(a, b) -> t`.
pub fn usage(description: &str) -> &str {
    description.split(": ").next().unwrap_or(description)
}

/// `(Int64, Utf8)`: argument types as a list, for error messages.
pub fn type_list(types: &[DataType]) -> String {
    let names: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    format!("({})", names.join(", "))
}

/// A plan error saying the call does not match the usage in `description`.
pub fn signature_error<T>(description: &str, types: &[DataType]) -> Result<T> {
    plan_err!("expected {}, got arguments {}", usage(description), type_list(types))
}

/// Coerce `types` by `signature`, or explain the mismatch using `description`.
pub fn coerce_signature(
    signature: &Signature,
    description: &str,
    types: &[DataType],
) -> Result<Vec<DataType>> {
    match signature {
        Signature::Fixed { args, optional } => {
            if types.len() > args.len() || types.len() + optional < args.len() {
                return signature_error(description, types);
            }
            let mut out = Vec::with_capacity(types.len());
            for (arg, t) in args.iter().zip(types) {
                match arg.coerce(t) {
                    Some(c) => out.push(c),
                    None => return signature_error(description, types),
                }
            }
            Ok(out)
        }
        Signature::Variadic { arg, min } => {
            if types.len() < *min {
                return signature_error(description, types);
            }
            let mut out = Vec::with_capacity(types.len());
            for t in types {
                match arg.coerce(t) {
                    Some(c) => out.push(c),
                    None => return signature_error(description, types),
                }
            }
            Ok(out)
        }
        Signature::Custom(f) => f(types),
    }
}

impl ScalarFunction for Builtin {
    fn name(&self) -> &str {
        self.name
    }
    fn aliases(&self) -> &[&'static str] {
        self.aliases
    }
    fn description(&self) -> &str {
        self.description
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_signature(&self.signature, self.description, arg_types)
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match &self.returns {
            Returns::Fixed(t) => Ok(t.clone()),
            Returns::FirstArg => match arg_types.first() {
                Some(t) => Ok(t.clone()),
                None => signature_error(self.description, arg_types),
            },
            Returns::Custom(f) => f(arg_types),
        }
    }
    fn invoke(&self, args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
        (self.invoke)(args, num_rows)
    }
    fn is_deterministic(&self) -> bool {
        self.deterministic
    }
}
