//! The function registry: scalar functions over Arrow arrays, and the list of aggregates.
//!
//! Functions are values: each has a name, aliases, a one-line description, argument coercion, a
//! return type and a vectorised implementation. [`FunctionRegistry::default`] holds them all;
//! `SHOW FUNCTIONS` and the REPL's help read from it.

pub mod args;
pub mod builtin;
pub mod conditional;
pub mod datetime;
pub mod datetime_diff;
pub mod datetime_format;
pub mod math;
pub mod regexp;
pub mod regexp_extract;
pub mod rounding;
pub mod string;
pub mod string_slice;

use std::collections::BTreeMap;
use std::sync::Arc;

use shoal_common::{plan_err, Result};
use shoal_expr::{AggregateFunction, ScalarFunction};

/// Every function shoal knows, by lower-case name (aliases included).
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{Array, AsArray, StringArray};
/// use shoal_expr::ColumnarValue;
/// use shoal_functions::FunctionRegistry;
///
/// let registry = FunctionRegistry::default();
/// let lower = registry.scalar("LOWER").unwrap();
/// assert_eq!(lower.description(), "lower(string) -> string: lower-cases");
/// let names = Arc::new(StringArray::from(vec![Some("Ada"), None]));
/// let ColumnarValue::Array(out) = lower.invoke(&[ColumnarValue::Array(names)], 2).unwrap() else {
///     panic!("an array in, an array out")
/// };
/// assert_eq!(out.as_string::<i32>().value(0), "ada");
/// assert!(out.is_null(1));
/// ```
#[derive(Debug, Clone)]
pub struct FunctionRegistry {
    scalars: BTreeMap<String, Arc<dyn ScalarFunction>>,
}

impl Default for FunctionRegistry {
    /// Every built-in scalar function (plus the aggregates, which are always known).
    fn default() -> Self {
        let mut registry = Self::empty();
        for func in builtin_functions() {
            if let Err(e) = registry.register_scalar(func) {
                // the built-in names are fixed; `tests/registry.rs` checks they are unique
                debug_assert!(false, "duplicate built-in function: {e}");
            }
        }
        registry
    }
}

/// Every built-in scalar function, one entry per function (aliases are inside each).
pub fn builtin_functions() -> Vec<Arc<dyn ScalarFunction>> {
    [
        string::functions(),
        string_slice::functions(),
        regexp::functions(),
        conditional::functions(),
        math::functions(),
        rounding::functions(),
        datetime::functions(),
        datetime_format::functions(),
        datetime_diff::functions(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

impl FunctionRegistry {
    /// An empty registry (see [`FunctionRegistry::default`] for the built-ins).
    pub fn empty() -> Self {
        Self { scalars: BTreeMap::new() }
    }

    /// Add a scalar function under its name and aliases; a name already taken is an error.
    pub fn register_scalar(&mut self, func: Arc<dyn ScalarFunction>) -> Result<()> {
        let names =
            std::iter::once(func.name().to_string()).chain(func.aliases().iter().map(|a| a.to_string()));
        for name in names {
            let key = name.to_ascii_lowercase();
            if self.scalars.contains_key(&key) || AggregateFunction::from_name(&key).is_some() {
                return plan_err!("a function named '{key}' is already registered");
            }
            self.scalars.insert(key, Arc::clone(&func));
        }
        Ok(())
    }

    /// The scalar function called `name` (case-insensitive).
    pub fn scalar(&self, name: &str) -> Option<Arc<dyn ScalarFunction>> {
        self.scalars.get(&name.to_ascii_lowercase()).cloned()
    }

    /// The aggregate called `name` (case-insensitive).
    pub fn aggregate(&self, name: &str) -> Option<AggregateFunction> {
        AggregateFunction::from_name(name)
    }

    /// Every callable name (scalars, aliases and aggregates), sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.scalars.keys().cloned().collect();
        v.extend(AggregateFunction::ALL.iter().map(|a| a.name().to_string()));
        v.sort();
        v.dedup();
        v
    }

    /// `(name, description)` of each function once (aliases folded), sorted by name.
    pub fn describe_all(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .scalars
            .iter()
            .filter(|(k, f)| f.name() == k.as_str())
            .map(|(k, f)| (k.clone(), f.description().to_string()))
            .collect();
        v.extend(AggregateFunction::ALL.iter().map(|a| (a.name().to_string(), a.description().to_string())));
        v.sort();
        v
    }
}
