//! Logical plan → SQL text that shoal parses and runs to the same rows: [`plan_to_sql`] and
//! [`expr_to_sql`].
//!
//! The plan is written bottom-up into SELECT blocks ([`Select`]): a node joins the block of its
//! input when SQL's clause order allows (FROM → WHERE → GROUP BY → HAVING → window functions →
//! SELECT list → ORDER BY → LIMIT), and otherwise the block is closed into a derived table
//! `(SELECT ..) AS tN`. Every derived table gets a fresh alias and unique column names, and a
//! column is written as the SQL text of its position in the input (`t3."l_orderkey"`), so table
//! qualifiers, subquery aliases and duplicate names of the plan never need to be reproduced.
//! Joins of a left-deep tree stay one flat FROM clause, which keeps the parser's nesting shallow.

mod expr;
mod select;

use std::sync::Arc;

use shoal_common::{internal_err, Result};
use shoal_expr::{Column, Expr, LogicalPlan, PlanSchema};

pub(crate) use expr::Scope;
use select::Select;

/// SQL text for `plan`, with the plan's output column names.
///
/// ```
/// use shoal_expr::{col, lit, LogicalPlanBuilder};
///
/// let plan = LogicalPlanBuilder::values(vec![vec![lit(1i64)], vec![lit(2i64)]]).unwrap()
///     .filter(col("column1").gt(lit(1i64))).unwrap()
///     .build().unwrap();
/// let sql = shoal_sql::unparser::plan_to_sql(&plan).unwrap();
/// assert_eq!(
///     sql,
///     r#"SELECT t1."column1" AS "column1" FROM (VALUES (1), (2)) AS t1 WHERE (t1."column1" > 1)"#
/// );
/// ```
pub fn plan_to_sql(plan: &LogicalPlan) -> Result<String> {
    let mut unparser = Unparser::default();
    let select = unparser.plan(plan)?;
    let names: Vec<String> = plan.schema().fields().iter().map(|f| f.name().clone()).collect();
    unparser.select_text(select, &names)
}

/// SQL text for `expr` over `schema`, with columns written as quoted (qualified) names.
///
/// ```
/// use shoal_expr::{col, lit, PlanSchema};
/// let sql = shoal_sql::unparser::expr_to_sql(&col("x").gt(lit(1.5f64)), &PlanSchema::empty());
/// assert!(sql.is_err()); // x is not a column of the empty schema
/// ```
pub fn expr_to_sql(expr: &Expr, schema: &PlanSchema) -> Result<String> {
    let columns = schema
        .columns()
        .into_iter()
        .map(|c| match &c.relation {
            Some(r) => format!("{}.{}", expr::quote(r), expr::quote(&c.name)),
            None => expr::quote(&c.name),
        })
        .collect();
    let scope = Scope { schema: Arc::new(schema.clone()), columns };
    Unparser::default().expr(expr, &scope)
}

/// The state of one conversion: the next alias number and the scopes of enclosing queries.
#[derive(Default)]
pub(crate) struct Unparser {
    next_alias: usize,
    /// The scopes of the queries enclosing the subquery being written, innermost last.
    outer: Vec<Scope>,
}

impl Unparser {
    /// A fresh table alias.
    fn alias(&mut self) -> String {
        self.next_alias += 1;
        format!("t{}", self.next_alias)
    }

    /// A subquery of an expression over `scope`, as a complete query.
    fn subquery(&mut self, plan: &LogicalPlan, scope: &Scope) -> Result<String> {
        self.outer.push(scope.clone());
        let result = self.query(plan);
        self.outer.pop();
        result
    }

    /// `plan` as a complete query whose columns have unique names.
    fn query(&mut self, plan: &LogicalPlan) -> Result<String> {
        let select = self.plan(plan)?;
        let names = unique_names(plan.schema());
        self.select_text(select, &names)
    }

    /// A column of an enclosing query.
    fn outer_column(&self, c: &Column) -> Result<String> {
        for scope in self.outer.iter().rev() {
            if let Some(i) = scope.schema.maybe_index_of_column(c)? {
                if let Some(text) = scope.columns.get(i) {
                    return Ok(text.clone());
                }
            }
        }
        internal_err!("unparser: the outer column {c} is not in any enclosing query")
    }
}

/// The schema's column names, made unique (case-insensitively) by suffixes.
fn unique_names(schema: &PlanSchema) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(schema.len());
    for (i, f) in schema.fields().iter().enumerate() {
        let mut name = f.name().clone();
        let mut n = i;
        while !seen.insert(name.to_lowercase()) {
            name = format!("{}_{n}", f.name());
            n += 1;
        }
        out.push(name);
    }
    out
}

/// The SQL text of each column of a derived table `alias` with columns `names`.
fn qualified(alias: &str, names: &[String]) -> Vec<String> {
    names.iter().map(|n| format!("{alias}.{}", expr::quote(n))).collect()
}

impl Select {
    /// A block reading `from`, whose columns are written `columns`.
    fn over(from: Option<String>, columns: Vec<String>, schema: Arc<PlanSchema>) -> Self {
        Select { from, columns, schema, ..Select::default() }
    }
}
