//! FROM: registered tables, views, quoted file paths, table functions (`read_csv(..)`),
//! subqueries, and table / column aliases. Joins are planned in `join.rs`.

use std::sync::Arc;

use shoal_common::error::suggest;
use shoal_common::Result;
use shoal_expr::type_coercion::coerce_expr;
use shoal_expr::{Expr, LogicalPlan, LogicalPlanBuilder, PlanSchema, TableSource};
use sqlparser::ast::{
    FunctionArg, FunctionArgExpr, ObjectName, ObjectNamePart, Spanned, TableAlias, TableFactor,
    TableFunctionArgs, TableWithJoins,
};

use crate::expr::ExprScope;
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::{SqlPlanner, TableFunctionArg};

impl SqlPlanner<'_> {
    /// The relation of a FROM clause (one row with no columns when there is none).
    pub(crate) fn plan_from(&self, from: &[TableWithJoins]) -> Result<LogicalPlan> {
        // several relations and JOIN clauses: see join.rs
        self.plan_from_list(from)
    }

    /// One relation of FROM, wrapped in a `SubqueryAlias` naming it.
    pub(crate) fn plan_table_factor(&self, factor: &TableFactor) -> Result<LogicalPlan> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                with_ordinality,
                partitions,
                json_path,
                sample,
                index_hints,
            } => {
                if !with_hints.is_empty()
                    || version.is_some()
                    || *with_ordinality
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || sample.is_some()
                    || !index_hints.is_empty()
                {
                    return Err(not_supported_at(factor.span(), format!("the table reference {factor}")));
                }
                let (plan, default_name) = match args {
                    Some(args) => self.table_function_scan(name, args)?,
                    None => self.named_relation(name)?,
                };
                apply_alias(plan, alias.as_ref(), Some(default_name))
            }
            TableFactor::Derived { lateral, subquery, alias, sample } => {
                if *lateral || sample.is_some() {
                    return Err(not_supported_at(factor.span(), "LATERAL and TABLESAMPLE subqueries"));
                }
                let plan = self.plan_query(subquery)?;
                apply_alias(plan, alias.as_ref(), None)
            }
            TableFactor::NestedJoin { table_with_joins, alias } => {
                let plan = self.plan_table_with_joins(table_with_joins)?;
                apply_alias(plan, alias.as_ref(), None)
            }
            other => Err(not_supported_at(other.span(), format!("the table reference {other}"))),
        }
    }

    /// A table, a view or a quoted file path, and the name it is known by in the query.
    fn named_relation(&self, name: &ObjectName) -> Result<(LogicalPlan, String)> {
        let span = name.span();
        let mut parts = vec![];
        for part in &name.0 {
            match part {
                ObjectNamePart::Identifier(id) => parts.push(id),
                ObjectNamePart::Function(_) => {
                    return Err(not_supported_at(span, format!("the table name {name}")))
                }
            }
        }
        // FROM 'data/*.parquet'
        if let [id] = parts.as_slice() {
            if id.quote_style == Some('\'') {
                let source = self.ctx.table_from_path(&id.value).at(span)?;
                return Ok((scan(&id.value, source)?, path_qualifier(&id.value)));
            }
        }
        // WITH name AS (..): a CTE hides a table of the same name
        if let [id] = parts.as_slice() {
            if let Some(plan) = self.ctes.lookup(&id.value) {
                return Ok((plan, id.value.clone()));
            }
        }
        let full: Vec<&str> = parts.iter().map(|id| id.value.as_str()).collect();
        let full = full.join(".");
        if let Some(plan) = self.lookup_relation(&full).at(span)? {
            return Ok((plan, full));
        }
        let names = self.ctx.table_names();
        if let Some(other) = names.iter().find(|n| n.eq_ignore_ascii_case(&full)) {
            if let Some(plan) = self.lookup_relation(other).at(span)? {
                return Ok((plan, other.clone()));
            }
        }
        // FROM "data.csv": a double-quoted name that looks like a file
        if let [id] = parts.as_slice() {
            if id.quote_style == Some('"') && id.value.contains(['.', '/']) {
                let source = self.ctx.table_from_path(&id.value).at(span)?;
                return Ok((scan(&id.value, source)?, path_qualifier(&id.value)));
            }
        }
        let mut message = format!("table '{full}' not found");
        match suggest(&full, names.iter().map(String::as_str)) {
            Some(s) => message.push_str(&format!("; did you mean '{s}'?")),
            None if full.contains(['.', '/']) => message
                .push_str(&format!("; to read a file, quote its path with single quotes: FROM '{full}'")),
            None => {}
        }
        Err(plan_error_at(span, message))
    }

    /// A registered table or view called exactly `name`.
    fn lookup_relation(&self, name: &str) -> Result<Option<LogicalPlan>> {
        if let Some(source) = self.ctx.get_table(name)? {
            return Ok(Some(scan(name, source)?));
        }
        Ok(self.ctx.get_view(name))
    }

    /// `read_csv('x.csv', header => true)`: constant arguments handed to the session.
    fn table_function_scan(
        &self,
        name: &ObjectName,
        args: &TableFunctionArgs,
    ) -> Result<(LogicalPlan, String)> {
        let span = name.span();
        if args.settings.is_some() {
            return Err(not_supported_at(span, "SETTINGS in table functions"));
        }
        let function = name.to_string().to_lowercase();
        let empty = PlanSchema::empty();
        let scope = ExprScope::new(&empty);
        let mut values = vec![];
        for arg in &args.args {
            let (arg_name, value) = match arg {
                FunctionArg::Named { name, arg, .. } => (Some(name.value.clone()), arg),
                FunctionArg::ExprNamed { name, arg, .. } => (Some(name.to_string()), arg),
                FunctionArg::Unnamed(arg) => (None, arg),
            };
            let FunctionArgExpr::Expr(value) = value else {
                return Err(plan_error_at(arg.span(), format!("invalid argument {arg} of {function}()")));
            };
            let planned = coerce_expr(self.sql_to_expr(value, &scope)?, &empty).at(value.span())?;
            let Expr::Literal(value) = planned else {
                return Err(plan_error_at(
                    value.span(),
                    format!("arguments of {function}() must be constants"),
                ));
            };
            values.push(TableFunctionArg { name: arg_name, value });
        }
        let source = self.ctx.table_function(&function, &values).at(span)?;
        let text: Vec<String> = args.args.iter().map(ToString::to_string).collect();
        let table_name = format!("{function}({})", text.join(", "));
        let qualifier = values
            .iter()
            .find(|a| a.name.is_none())
            .and_then(|a| a.value.as_str().map(path_qualifier))
            .unwrap_or_else(|| function.clone());
        Ok((scan(&table_name, source)?, qualifier))
    }
}

fn scan(name: &str, source: Arc<dyn TableSource>) -> Result<LogicalPlan> {
    LogicalPlanBuilder::scan(name, source)?.build()
}

/// Name the relation: `AS t` / `AS t(a, b)`, else `default_name` (the table name or file stem).
fn apply_alias(
    plan: LogicalPlan,
    alias: Option<&TableAlias>,
    default_name: Option<String>,
) -> Result<LogicalPlan> {
    let Some(alias) = alias else {
        return match default_name {
            Some(name) => LogicalPlanBuilder::from(plan).alias(name)?.build(),
            None => Ok(plan),
        };
    };
    let span = alias.span();
    if alias.at.is_some() || alias.columns.iter().any(|c| c.data_type.is_some()) {
        return Err(not_supported_at(span, format!("the alias {alias}")));
    }
    let mut builder = LogicalPlanBuilder::from(plan);
    if !alias.columns.is_empty() {
        let schema = builder.schema().clone();
        if alias.columns.len() > schema.len() {
            return Err(plan_error_at(
                span,
                format!(
                    "the alias {alias} names {} columns, but the relation has only {}",
                    alias.columns.len(),
                    schema.len()
                ),
            ));
        }
        let exprs: Vec<Expr> = schema
            .columns()
            .into_iter()
            .enumerate()
            .map(|(i, c)| match alias.columns.get(i) {
                Some(new) => Expr::Column(c).alias(&new.name.value),
                None => Expr::Column(c),
            })
            .collect();
        builder = builder.project(exprs).at(span)?;
    }
    builder.alias(&alias.name.value)?.build()
}

/// The name a file relation is known by: its file stem (`data/trips.parquet` → `trips`), or
/// the directory of a glob (`taxi/*.parquet` → `taxi`).
pub fn path_qualifier(path: &str) -> String {
    let is_glob = |s: &str| s.contains(['*', '?', '[', '{']);
    let trimmed = path.trim_end_matches(['/', '\\']);
    let mut components = trimmed.rsplit(['/', '\\']);
    let file = components.next().unwrap_or(trimmed);
    let stem = file.split('.').next().unwrap_or(file);
    if !stem.is_empty() && !is_glob(stem) {
        return stem.to_string();
    }
    match components.next() {
        Some(dir) if !dir.is_empty() && !is_glob(dir) && dir != "." && dir != ".." => dir.to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::path_qualifier;

    #[test]
    fn qualifiers_of_paths() {
        assert_eq!(path_qualifier("data/trips.parquet"), "trips");
        assert_eq!(path_qualifier("trips.csv.gz"), "trips");
        assert_eq!(path_qualifier("taxi/*.parquet"), "taxi");
        assert_eq!(path_qualifier("*.parquet"), "*.parquet");
        assert_eq!(path_qualifier("s3://bucket/year=2024/x.parquet"), "x");
    }
}
