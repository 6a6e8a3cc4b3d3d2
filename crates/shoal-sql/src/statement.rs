//! Statements: queries, EXPLAIN, CREATE / DROP VIEW, SET, SHOW, DESCRIBE; in-memory tables and
//! COPY are planned in `ddl.rs`.

use shoal_common::Result;
use shoal_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use sqlparser::ast::{
    DescribeAlias, Expr as SqlExpr, ObjectName, ObjectNamePart, ObjectType, Set, Spanned, Statement,
    TableFactor, Value,
};

use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

/// A statement ready for the session to execute.
#[derive(Debug, Clone)]
pub enum PlannedStatement {
    /// A query whose rows are the result.
    Query(LogicalPlan),
    /// `EXPLAIN [ANALYZE] [VERBOSE] query`.
    Explain { analyze: bool, verbose: bool, plan: LogicalPlan },
    /// `CREATE [OR REPLACE] VIEW name AS query`.
    CreateView { name: String, or_replace: bool, plan: LogicalPlan },
    /// `DROP VIEW [IF EXISTS] name`.
    DropView { name: String, if_exists: bool },
    /// `SET name = value` / `SET name TO value`: the name lower-cased, the value as text
    /// (strings unquoted).
    SetVariable { name: String, value: String },
    /// `SHOW TABLES`.
    ShowTables,
    /// `SHOW FUNCTIONS`.
    ShowFunctions,
    /// `DESCRIBE name` / `DESCRIBE query`: the columns of `plan`.
    Describe { plan: LogicalPlan },
    /// `CREATE [OR REPLACE] TABLE name [IF NOT EXISTS] AS query` / `CREATE TABLE name (col type,
    /// ..)`: an in-memory table holding the rows of `plan` (no rows for a column list).
    CreateTable { name: String, or_replace: bool, if_not_exists: bool, plan: LogicalPlan },
    /// `INSERT INTO name ..`: append the rows of `plan`, already in the table's column order
    /// and types.
    Insert { table: String, plan: LogicalPlan },
    /// `DROP TABLE [IF EXISTS] name`.
    DropTable { name: String, if_exists: bool },
    /// `COPY (query) TO 'path'` / `COPY table TO 'path'`: write the rows of `plan` to a file.
    Copy { plan: LogicalPlan, path: String, options: crate::ddl::CopyOptions },
}

impl SqlPlanner<'_> {
    /// Plan one parsed statement.
    pub fn plan_statement(&self, stmt: &Statement) -> Result<PlannedStatement> {
        match stmt {
            Statement::Query(q) => Ok(PlannedStatement::Query(self.plan_query(q)?)),
            Statement::Explain {
                describe_alias,
                analyze,
                verbose,
                query_plan,
                estimate,
                statement,
                format,
                options,
            } => {
                if *query_plan || *estimate || format.is_some() || options.is_some() {
                    return Err(not_supported_at(stmt.span(), "these EXPLAIN options"));
                }
                let Statement::Query(q) = statement.as_ref() else {
                    return Err(not_supported_at(
                        statement.span(),
                        "EXPLAIN or DESCRIBE of anything but a query",
                    ));
                };
                let plan = self.plan_query(q)?;
                let describe = matches!(describe_alias, DescribeAlias::Describe | DescribeAlias::Desc);
                if describe && !*analyze && !*verbose {
                    return Ok(PlannedStatement::Describe { plan });
                }
                Ok(PlannedStatement::Explain { analyze: *analyze, verbose: *verbose, plan })
            }
            Statement::ExplainTable { table_name, hive_format, .. } => {
                if hive_format.is_some() {
                    return Err(not_supported_at(stmt.span(), "DESCRIBE EXTENDED / FORMATTED"));
                }
                let plan = self.plan_table_factor(&TableFactor::Table {
                    name: table_name.clone(),
                    alias: None,
                    args: None,
                    with_hints: vec![],
                    version: None,
                    with_ordinality: false,
                    partitions: vec![],
                    json_path: None,
                    sample: None,
                    index_hints: vec![],
                })?;
                Ok(PlannedStatement::Describe { plan })
            }
            Statement::CreateView(view) => {
                if view.materialized
                    || view.or_alter
                    || view.if_not_exists
                    || view.to.is_some()
                    || view.params.is_some()
                {
                    return Err(not_supported_at(
                        view.name.span(),
                        "MATERIALIZED, OR ALTER, IF NOT EXISTS and TO in CREATE VIEW",
                    ));
                }
                let name = object_name(&view.name)?;
                let mut plan = self.plan_query(&view.query)?;
                if !view.columns.is_empty() {
                    plan = rename_columns(plan, &view.columns, view.name.span())?;
                }
                Ok(PlannedStatement::CreateView { name, or_replace: view.or_replace, plan })
            }
            Statement::Drop { object_type: ObjectType::View, if_exists, names, cascade: false, .. } => {
                match names.as_slice() {
                    [name] => {
                        Ok(PlannedStatement::DropView { name: object_name(name)?, if_exists: *if_exists })
                    }
                    _ => Err(not_supported_at(stmt.span(), "dropping several views in one statement")),
                }
            }
            Statement::Set(Set::SingleAssignment { scope: None, hivevar: false, variable, values }) => {
                // setting names are case-insensitive
                let name = variable.to_string().to_lowercase();
                match values.as_slice() {
                    [value] => Ok(PlannedStatement::SetVariable { name, value: setting_value(value)? }),
                    _ => Err(plan_error_at(stmt.span(), format!("SET {name} takes exactly one value"))),
                }
            }
            Statement::ShowTables {
                terse: false,
                history: false,
                extended: false,
                full: false,
                external: false,
                show_options,
            } if show_options.show_in.is_none()
                && show_options.starts_with.is_none()
                && show_options.limit.is_none()
                && show_options.filter_position.is_none() =>
            {
                Ok(PlannedStatement::ShowTables)
            }
            Statement::ShowFunctions { filter: None } => Ok(PlannedStatement::ShowFunctions),
            Statement::CreateTable(create) => self.plan_create_table(create),
            Statement::Insert(insert) => self.plan_insert(insert),
            Statement::Drop { object_type: ObjectType::Table, if_exists, names, cascade: false, .. } => {
                self.plan_drop_table(stmt, names, *if_exists)
            }
            Statement::Copy { source, to, target, options, legacy_options, values } if values.is_empty() => {
                self.plan_copy(stmt, source, *to, target, options, !legacy_options.is_empty())
            }
            other => {
                Err(not_supported_at(other.span(), format!("the statement {}", statement_keyword(other))))
            }
        }
    }
}

/// A view or table name (one identifier).
pub(crate) fn object_name(name: &ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Ok(id.value.clone()),
        _ => Err(not_supported_at(name.span(), format!("the qualified name {name}"))),
    }
}

/// `CREATE VIEW v(a, b) AS ..`: rename the first output columns.
fn rename_columns(
    plan: LogicalPlan,
    columns: &[sqlparser::ast::ViewColumnDef],
    span: sqlparser::tokenizer::Span,
) -> Result<LogicalPlan> {
    let schema = plan.schema().clone();
    if columns.len() > schema.len() {
        return Err(plan_error_at(
            span,
            format!("the view names {} columns, but its query has only {}", columns.len(), schema.len()),
        ));
    }
    let exprs: Vec<Expr> = schema
        .columns()
        .into_iter()
        .enumerate()
        .map(|(i, c)| match columns.get(i) {
            Some(def) => Expr::Column(c).alias(&def.name.value),
            None => Expr::Column(c),
        })
        .collect();
    LogicalPlanBuilder::from(plan).project(exprs).at(span)?.build()
}

/// The text of a SET value: strings unquoted, numbers and words as written.
fn setting_value(value: &SqlExpr) -> Result<String> {
    match value {
        SqlExpr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Ok(s.clone()),
            Value::Number(n, _) => Ok(n.clone()),
            Value::Boolean(b) => Ok(b.to_string()),
            Value::Null => Ok("null".into()),
            other => Err(plan_error_at(v.span, format!("invalid setting value {other}"))),
        },
        SqlExpr::Identifier(id) => Ok(id.value.clone()),
        SqlExpr::UnaryOp { .. } => Ok(value.to_string()),
        other => Err(plan_error_at(other.span(), format!("a setting must be a constant, got {other}"))),
    }
}

/// The first words of a statement, for "not supported" messages (`INSERT`, `CREATE TABLE`).
fn statement_keyword(stmt: &Statement) -> String {
    let text = stmt.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    match words.as_slice() {
        [first, second] if matches!(*first, "CREATE" | "DROP" | "ALTER" | "SHOW") => {
            format!("{first} {second}")
        }
        [first, ..] => first.to_string(),
        [] => "(empty)".into(),
    }
}
