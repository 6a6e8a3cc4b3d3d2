//! The function registry: scalar functions over Arrow arrays, and the list of aggregates.
//!
//! Functions are values: each has a name, aliases, a one-line description, argument coercion, a
//! return type and a vectorised implementation. [`FunctionRegistry::default`] holds them all;
//! `SHOW FUNCTIONS` and the REPL's help read from it.

pub mod args;
pub mod builtin;
pub mod conditional;
mod date_part_fast;
pub mod datetime;
pub mod datetime_diff;
pub mod datetime_format;
pub mod math;
pub mod regexp;
pub mod regexp_extract;
pub mod rounding;
pub mod string;
pub mod string_slice;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use shoal_common::{plan_err, Result};
use shoal_expr::{AggregateFunction, AggregateUdf, AggregateUdfRef, ScalarFunction};

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
    /// User-defined aggregates by lower-case name.
    aggregates: BTreeMap<String, AggregateUdfRef>,
    /// The names (lower-case) of user-defined functions, which a new definition may replace.
    user_defined: BTreeSet<String>,
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
        Self { scalars: BTreeMap::new(), aggregates: BTreeMap::new(), user_defined: BTreeSet::new() }
    }

    /// Add a scalar function under its name and aliases; a name already taken is an error.
    pub fn register_scalar(&mut self, func: Arc<dyn ScalarFunction>) -> Result<()> {
        let names =
            std::iter::once(func.name().to_string()).chain(func.aliases().iter().map(|a| a.to_string()));
        for name in names {
            let key = name.to_ascii_lowercase();
            if self.is_taken(&key) {
                return plan_err!("a function named '{key}' is already registered");
            }
            self.scalars.insert(key, Arc::clone(&func));
        }
        Ok(())
    }

    /// Is `key` (lower-case) the name of any function?
    fn is_taken(&self, key: &str) -> bool {
        self.scalars.contains_key(key)
            || self.aggregates.contains_key(key)
            || AggregateFunction::from_name(key).is_some()
    }

    /// Check that a user-defined function may take `name`: it must be a plain identifier, and
    /// not the name of a built-in function (a user-defined one is replaced).
    fn check_user_name(&self, name: &str) -> Result<String> {
        let key = name.to_ascii_lowercase();
        let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            return plan_err!(
                "'{name}' is not a valid function name: use letters, digits and '_', starting with a letter"
            );
        }
        if self.is_taken(&key) && !self.user_defined.contains(&key) {
            return plan_err!("'{key}' is a built-in function; a user-defined function needs another name");
        }
        Ok(key)
    }

    /// Forget the user-defined function `key`, under every name it had.
    fn remove_user_defined(&mut self, key: &str) {
        if let Some(old) = self.scalars.get(key).cloned() {
            self.scalars.retain(|_, f| !Arc::ptr_eq(f, &old));
        }
        self.aggregates.remove(key);
    }

    /// Add a user-defined scalar function under its name and aliases. A name of a built-in
    /// function is an error; a user-defined function of the same name is replaced.
    pub fn register_user_scalar(&mut self, func: Arc<dyn ScalarFunction>) -> Result<()> {
        let names = std::iter::once(func.name()).chain(func.aliases().iter().copied());
        let keys = names.map(|n| self.check_user_name(n)).collect::<Result<Vec<_>>>()?;
        for key in &keys {
            self.remove_user_defined(key);
        }
        for key in keys {
            self.scalars.insert(key.clone(), Arc::clone(&func));
            self.user_defined.insert(key);
        }
        Ok(())
    }

    /// Add a user-defined aggregate. A name of a built-in function is an error; a user-defined
    /// function of the same name is replaced.
    pub fn register_user_aggregate(&mut self, udaf: Arc<dyn AggregateUdf>) -> Result<()> {
        let key = self.check_user_name(udaf.name())?;
        if udaf.name() != key {
            return plan_err!(
                "the name of a user-defined aggregate must be lower-case, got '{}'",
                udaf.name()
            );
        }
        self.remove_user_defined(&key);
        self.aggregates.insert(key.clone(), AggregateUdfRef::new(udaf));
        self.user_defined.insert(key);
        Ok(())
    }

    /// The scalar function called `name` (case-insensitive).
    pub fn scalar(&self, name: &str) -> Option<Arc<dyn ScalarFunction>> {
        self.scalars.get(&name.to_ascii_lowercase()).cloned()
    }

    /// The aggregate called `name` (case-insensitive): a built-in, or a user-defined one.
    pub fn aggregate(&self, name: &str) -> Option<AggregateFunction> {
        AggregateFunction::from_name(name).or_else(|| {
            self.aggregates.get(&name.to_ascii_lowercase()).map(|u| AggregateFunction::UserDefined(*u))
        })
    }

    /// Every callable name (scalars, aliases and aggregates), sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.scalars.keys().chain(self.aggregates.keys()).cloned().collect();
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
        v.extend(self.aggregates.iter().map(|(k, u)| (k.clone(), u.udaf().description().to_string())));
        v.sort();
        v
    }
}
