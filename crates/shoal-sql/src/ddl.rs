//! In-memory tables and exports: `CREATE [OR REPLACE] TABLE .. AS query`,
//! `CREATE TABLE name (col type, ..)`, `INSERT INTO`, `DROP TABLE` and `COPY .. TO 'file'`.

use std::sync::Arc;

use arrow::datatypes::Field;
use shoal_common::Result;
use shoal_expr::plan::EmptyRelation;
use shoal_expr::type_coercion::{cast_to, comparison_coercion};
use shoal_expr::{Column, Expr, LogicalPlan, LogicalPlanBuilder, PlanSchema};
use sqlparser::ast::{
    ColumnOption, CopyOption, CopySource, CopyTarget, CreateTable, Insert, ObjectName, Spanned, Statement,
    TableFactor, TableObject,
};

use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::statement::{object_name, PlannedStatement};
use crate::types::sql_type_to_arrow;
use crate::SqlPlanner;

/// The file format of `COPY .. TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    Parquet,
    Csv,
}

/// The options of `COPY .. TO 'path' (FORMAT csv, HEADER true, DELIMITER ';')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    pub format: CopyFormat,
    /// CSV: write a header line (default true).
    pub header: bool,
    /// CSV: the field separator (default `,`).
    pub delimiter: u8,
}

impl SqlPlanner<'_> {
    /// `CREATE TABLE`: with `AS query` the query's rows, else no rows of the declared columns.
    pub(crate) fn plan_create_table(&self, create: &CreateTable) -> Result<PlannedStatement> {
        let span = create.name.span();
        if create.external
            || create.like.is_some()
            || create.clone.is_some()
            || !create.constraints.is_empty()
            || create.location.is_some()
        {
            return Err(not_supported_at(span, "EXTERNAL, LIKE, CLONE, LOCATION and table constraints"));
        }
        let name = object_name(&create.name)?;
        let plan = match (&create.query, create.columns.is_empty()) {
            (Some(query), true) => self.plan_query(query)?,
            (Some(_), false) => {
                return Err(not_supported_at(span, "a column list together with AS query in CREATE TABLE"))
            }
            (None, true) => {
                return Err(plan_error_at(span, format!("CREATE TABLE {name} needs columns or AS query")))
            }
            (None, false) => {
                let mut fields = Vec::with_capacity(create.columns.len());
                for column in &create.columns {
                    let col_span = column.name.span;
                    let data_type = sql_type_to_arrow(&column.data_type).at(col_span)?;
                    let mut nullable = true;
                    for option in &column.options {
                        match option.option {
                            ColumnOption::Null => nullable = true,
                            ColumnOption::NotNull => nullable = false,
                            _ => {
                                return Err(not_supported_at(
                                    col_span,
                                    format!("the column option {}", option.option),
                                ))
                            }
                        }
                    }
                    if fields.iter().any(|f: &Arc<Field>| f.name().eq_ignore_ascii_case(&column.name.value)) {
                        return Err(plan_error_at(
                            col_span,
                            format!("column '{}' is declared twice", column.name.value),
                        ));
                    }
                    fields.push(Arc::new(Field::new(&column.name.value, data_type, nullable)));
                }
                let width = fields.len();
                let schema = Arc::new(PlanSchema::new(fields, vec![None; width])?);
                LogicalPlan::EmptyRelation(EmptyRelation { produce_one_row: false, schema })
            }
        };
        Ok(PlannedStatement::CreateTable {
            name,
            or_replace: create.or_replace,
            if_not_exists: create.if_not_exists,
            plan,
        })
    }

    /// `INSERT INTO name [(cols)] query`: the query's rows cast to the table's columns, in the
    /// table's order; columns not listed are NULL.
    pub(crate) fn plan_insert(&self, insert: &Insert) -> Result<PlannedStatement> {
        let TableObject::TableName(table_name) = &insert.table else {
            return Err(not_supported_at(insert.table.span(), "INSERT INTO a table function"));
        };
        let span = table_name.span();
        if insert.or.is_some()
            || insert.ignore
            || insert.overwrite
            || !insert.assignments.is_empty()
            || insert.partitioned.is_some()
            || insert.on.is_some()
            || insert.returning.is_some()
            || insert.replace_into
        {
            return Err(not_supported_at(span, "this form of INSERT"));
        }
        let Some(source) = &insert.source else {
            return Err(not_supported_at(span, "INSERT without VALUES or a query"));
        };
        let name = object_name(table_name)?;
        let Some(table) = self.ctx.get_table(&name).at(span)? else {
            return Err(plan_error_at(span, format!("table '{name}' does not exist")));
        };
        let target = table.schema();
        // Position in the source of each table column (None: not listed, NULL).
        let positions: Vec<Option<usize>> = if insert.columns.is_empty() {
            (0..target.fields().len()).map(Some).collect()
        } else {
            let mut positions = vec![None; target.fields().len()];
            for (i, c) in insert.columns.iter().enumerate() {
                let col = c.to_string();
                let col = col.trim_matches('"');
                let Some(t) = target.fields().iter().position(|f| f.name().eq_ignore_ascii_case(col)) else {
                    return Err(plan_error_at(c.span(), format!("table '{name}' has no column '{col}'")));
                };
                if positions[t].is_some() {
                    return Err(plan_error_at(c.span(), format!("column '{col}' is listed twice")));
                }
                positions[t] = Some(i);
            }
            positions
        };
        let expected = positions.iter().flatten().count();
        let plan = self.plan_query(source)?;
        let schema = Arc::clone(plan.schema());
        if schema.len() != expected {
            let which = if schema.len() > expected { "more" } else { "fewer" };
            return Err(plan_error_at(
                source.span(),
                format!("INSERT has {which} expressions ({}) than target columns ({expected})", schema.len()),
            ));
        }
        let mut exprs = Vec::with_capacity(target.fields().len());
        for (field, position) in target.fields().iter().zip(&positions) {
            let to = field.data_type();
            let expr = match position {
                None => Ok(Expr::Literal(shoal_common::ScalarValue::null(to))),
                Some(i) => {
                    let from = schema.field(*i).data_type();
                    if comparison_coercion(to, from).is_none() {
                        return Err(plan_error_at(
                            source.span(),
                            format!(
                                "column '{}' is of type {} but the inserted value is of type {}",
                                field.name(),
                                shoal_expr::display::sql_type_name(to),
                                shoal_expr::display::sql_type_name(from)
                            ),
                        ));
                    }
                    cast_to(Expr::Column(schema.column(*i)), from, to)
                }
            }
            .at(source.span())?;
            exprs.push(expr.alias(field.name()));
        }
        let plan = LogicalPlanBuilder::from(plan).project(exprs).at(source.span())?.build()?;
        Ok(PlannedStatement::Insert { table: name, plan })
    }

    /// `DROP TABLE [IF EXISTS] name`.
    pub(crate) fn plan_drop_table(
        &self,
        stmt: &Statement,
        names: &[ObjectName],
        if_exists: bool,
    ) -> Result<PlannedStatement> {
        match names {
            [name] => Ok(PlannedStatement::DropTable { name: object_name(name)?, if_exists }),
            _ => Err(not_supported_at(stmt.span(), "dropping several tables in one statement")),
        }
    }

    /// `COPY (query) TO 'path' [(options)]` / `COPY table [(cols)] TO 'path' [(options)]`.
    pub(crate) fn plan_copy(
        &self,
        stmt: &Statement,
        source: &CopySource,
        to: bool,
        target: &CopyTarget,
        options: &[CopyOption],
        legacy: bool,
    ) -> Result<PlannedStatement> {
        let span = stmt.span();
        if !to {
            return Err(not_supported_at(span, "COPY FROM (read files with FROM 'path' or read_csv(..))"));
        }
        if legacy {
            return Err(not_supported_at(span, "COPY's legacy options; use (FORMAT csv, HEADER true)"));
        }
        let CopyTarget::File { filename } = target else {
            return Err(not_supported_at(span, format!("COPY TO {target}")));
        };
        let plan = match source {
            CopySource::Query(q) => self.plan_query(q)?,
            CopySource::Table { table_name, columns } => {
                let scan = self.plan_table_factor(&TableFactor::Table {
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
                if columns.is_empty() {
                    scan
                } else {
                    let exprs = columns.iter().map(|c| Expr::Column(Column::from_name(&c.value)));
                    LogicalPlanBuilder::from(scan).project(exprs).at(span)?.build()?
                }
            }
        };
        let options = copy_options(filename, options).at(span)?;
        Ok(PlannedStatement::Copy { plan, path: filename.clone(), options })
    }
}

/// The options of COPY TO: FORMAT (else from the file extension), HEADER, DELIMITER.
fn copy_options(path: &str, options: &[CopyOption]) -> Result<CopyOptions> {
    let lower = path.to_ascii_lowercase();
    let mut format = if lower.ends_with(".parquet") {
        Some(CopyFormat::Parquet)
    } else if lower.ends_with(".csv") || lower.ends_with(".tsv") || lower.ends_with(".txt") {
        Some(CopyFormat::Csv)
    } else {
        None
    };
    let mut header = true;
    let mut delimiter = if lower.ends_with(".tsv") { b'\t' } else { b',' };
    for option in options {
        match option {
            CopyOption::Format(f) => {
                format = Some(match f.value.to_ascii_lowercase().as_str() {
                    "parquet" => CopyFormat::Parquet,
                    "csv" => CopyFormat::Csv,
                    other => {
                        return shoal_common::plan_err!(
                            "COPY TO: unknown FORMAT '{other}' (use parquet or csv)"
                        )
                    }
                })
            }
            CopyOption::Header(h) => header = *h,
            CopyOption::Delimiter(c) => {
                delimiter = match u8::try_from(*c) {
                    Ok(b) if b.is_ascii() => b,
                    _ => {
                        return shoal_common::plan_err!("COPY TO: the delimiter must be one ASCII character")
                    }
                }
            }
            other => return shoal_common::not_supported!("the COPY option {other}"),
        }
    }
    let Some(format) = format else {
        return shoal_common::plan_err!(
            "COPY TO '{path}': cannot tell the format from the file name; add (FORMAT parquet) or (FORMAT csv)"
        );
    };
    Ok(CopyOptions { format, header, delimiter })
}
