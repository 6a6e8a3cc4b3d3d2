//! Resolving DSL expressions against a DataFrame's columns and the session's registry, the way
//! the SQL planner resolves identifiers and function names, so both build the same plans.

use shoal_common::error::suggest;
use shoal_common::{plan_err, Result};
use shoal_expr::expr_fn::{check_window_call, UnresolvedFunction};
use shoal_expr::{AggregateFunction, Column, Expr, PlanSchema, ScalarFunctionExpr, Transformed, TreeNode};
use shoal_sql::ContextProvider;

use crate::provider::SessionContextProvider;
use crate::session::Session;

/// `expr` over `schema`: columns spelled as the fields they resolve to (an unknown column is an
/// error with a "did you mean"; `"t.a"` may name column `a` of relation `t`), function calls
/// made by name looked up in the registry, and window calls checked.
pub(crate) fn resolve_expr(session: &Session, expr: Expr, schema: &PlanSchema) -> Result<Expr> {
    let provider = SessionContextProvider::new(session);
    let out = expr.transform_up(|e| match e {
        Expr::Column(c) => Ok(Transformed::yes(Expr::Column(resolve_column(c, schema)?))),
        Expr::ScalarFunction(f) => match UnresolvedFunction::of(f.func.as_ref()) {
            None => Ok(Transformed::no(Expr::ScalarFunction(f))),
            Some((name, error)) => {
                // A user-defined aggregate registered on the session answers to `call`/`agg`.
                if let Some(func) = provider.get_aggregate_function(name) {
                    return Ok(Transformed::yes(Expr::aggregate(func, f.args)));
                }
                if let Some(error) = error {
                    return plan_err!("{error}");
                }
                let func = lookup_scalar(&provider, name)?;
                Ok(Transformed::yes(Expr::ScalarFunction(ScalarFunctionExpr { func, args: f.args })))
            }
        },
        Expr::WindowFunction(w) => {
            check_window_call(&w)?;
            Ok(Transformed::no(Expr::WindowFunction(w)))
        }
        e => Ok(Transformed::no(e)),
    })?;
    Ok(out.data)
}

/// The column `c` refers to in `schema`, as SQL resolves an identifier: the qualifier as
/// written, the name as the field spells it.
fn resolve_column(c: Column, schema: &PlanSchema) -> Result<Column> {
    if let Some(i) = schema.maybe_index_of_column(&c)? {
        let resolved = schema.column(i);
        return Ok(Column { relation: c.relation.and(resolved.relation), name: resolved.name });
    }
    if c.relation.is_none() {
        if let Some((relation, name)) = c.name.split_once('.') {
            let qualified = Column::new(Some(relation), name);
            if let Some(i) = schema.maybe_index_of_column(&qualified)? {
                return Ok(Column { relation: qualified.relation, name: schema.column(i).name });
            }
        }
    }
    Err(schema.unknown_column_error(&c))
}

fn lookup_scalar(
    provider: &SessionContextProvider<'_>,
    name: &str,
) -> Result<std::sync::Arc<dyn shoal_expr::ScalarFunction>> {
    if let Some(func) = provider.get_scalar_function(name) {
        return Ok(func);
    }
    let mut names = provider.function_names();
    names.extend(AggregateFunction::ALL.iter().map(|a| a.name().to_string()));
    let mut message = format!("unknown function '{name}'");
    if let Some(s) = suggest(name, names.iter().map(String::as_str)) {
        message.push_str(&format!("; did you mean '{s}'?"));
    }
    plan_err!("{message}")
}

pub(crate) use shoal_sql::normalize_columns as normalize;
