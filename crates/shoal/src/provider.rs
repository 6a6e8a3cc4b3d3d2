//! The session seen by the SQL planner ([`ContextProvider`]) and by the optimizer
//! ([`ConstEvaluator`]).

use std::sync::Arc;

use shoal_common::{plan_err, Result, ScalarValue};
use shoal_datasource::{CsvOptions, CsvTable, ParquetOptions, ParquetTable};
use shoal_expr::{AggregateFunction, Expr, LogicalPlan, ScalarFunction, TableSource};
use shoal_optimizer::ConstEvaluator;
use shoal_sql::{ContextProvider, TableFunctionArg};

use crate::session::Session;

/// Adapts a [`Session`] to the planner's [`ContextProvider`].
pub(crate) struct SessionContextProvider<'a> {
    session: &'a Session,
}

impl<'a> SessionContextProvider<'a> {
    pub fn new(session: &'a Session) -> Self {
        Self { session }
    }
}

impl ContextProvider for SessionContextProvider<'_> {
    fn get_table(&self, name: &str) -> Result<Option<Arc<dyn TableSource>>> {
        Ok(self.session.state.catalog.read().ok().and_then(|c| c.table(name)))
    }

    fn get_view(&self, name: &str) -> Option<LogicalPlan> {
        self.session.state.catalog.read().ok().and_then(|c| c.view(name))
    }

    fn table_names(&self) -> Vec<String> {
        self.session.table_names()
    }

    fn table_from_path(&self, path: &str) -> Result<Arc<dyn TableSource>> {
        shoal_datasource::table_from_path(path)
    }

    fn table_function(&self, name: &str, args: &[TableFunctionArg]) -> Result<Arc<dyn TableSource>> {
        let lname = name.to_ascii_lowercase();
        let (path, named) = split_args(&lname, args)?;
        match lname.as_str() {
            "read_parquet" | "parquet_scan" => {
                if let Some(a) = named.first() {
                    return plan_err!("read_parquet() has no option '{}'", a.0);
                }
                Ok(Arc::new(ParquetTable::try_new(&path, ParquetOptions::default())?))
            }
            "read_csv" | "read_csv_auto" | "csv_scan" => {
                let options = csv_options(self.session.csv_defaults(), &named)?;
                Ok(Arc::new(CsvTable::try_new(&path, options)?))
            }
            _ => plan_err!("unknown table function '{name}'; table functions are read_parquet and read_csv"),
        }
    }

    fn get_scalar_function(&self, name: &str) -> Option<Arc<dyn ScalarFunction>> {
        self.session.functions().scalar(name)
    }

    fn function_names(&self) -> Vec<String> {
        self.session.functions().names()
    }

    fn get_aggregate_function(&self, name: &str) -> Option<AggregateFunction> {
        self.session.functions().aggregate(name)
    }
}

/// The path (first positional argument) and the named options of a table function call.
fn split_args(name: &str, args: &[TableFunctionArg]) -> Result<(String, Vec<(String, ScalarValue)>)> {
    let mut positional = args.iter().filter(|a| a.name.is_none());
    let Some(path) = positional.next() else {
        return plan_err!("{name}() needs a file path or glob as its first argument");
    };
    if positional.next().is_some() {
        return plan_err!("{name}() takes one path; give options by name, e.g. header => true");
    }
    let Some(path) = path.value.as_str() else {
        return plan_err!("{name}(): the path must be a string, got {}", path.value);
    };
    let named = args
        .iter()
        .filter_map(|a| a.name.as_ref().map(|n| (n.to_ascii_lowercase(), a.value.clone())))
        .collect();
    Ok((path.to_string(), named))
}

fn single_byte(option: &str, value: &ScalarValue) -> Result<u8> {
    match value.as_str() {
        Some("\\t") => Ok(b'\t'),
        Some(s) if s.len() == 1 => Ok(s.as_bytes()[0]),
        _ => plan_err!("read_csv(): {option} must be a single character, got {value}"),
    }
}

/// Map `read_csv` named arguments onto [`CsvOptions`].
fn csv_options(mut options: CsvOptions, named: &[(String, ScalarValue)]) -> Result<CsvOptions> {
    for (key, value) in named {
        match key.as_str() {
            "header" | "has_header" => match value.as_bool() {
                Some(b) => options.has_header = b,
                None => return plan_err!("read_csv(): header must be true or false, got {value}"),
            },
            "delim" | "delimiter" | "sep" => options.delimiter = single_byte(key, value)?,
            "quote" => options.quote = single_byte(key, value)?,
            "escape" => options.escape = Some(single_byte(key, value)?),
            "sample_size" | "infer_max_rows" => match value.as_i64() {
                Some(n) if n > 0 => options.infer_max_rows = n as usize,
                _ => return plan_err!("read_csv(): {key} must be a positive integer, got {value}"),
            },
            other => {
                return plan_err!(
                "read_csv() has no option '{other}'; options are header, delim, quote, escape, sample_size"
            )
            }
        }
    }
    Ok(options)
}

/// Constant folding backed by the physical expression evaluator.
pub(crate) struct PhysicalConstEvaluator;

impl ConstEvaluator for PhysicalConstEvaluator {
    fn evaluate(&self, expr: &Expr) -> Result<ScalarValue> {
        shoal_physical_expr::evaluate_constant(expr)
    }
}
