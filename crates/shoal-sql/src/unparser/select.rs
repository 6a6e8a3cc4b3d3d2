//! [`Select`]: one SELECT block being written, and how each plan node joins the block of its
//! input or closes it into a derived table.

use std::sync::Arc;

use shoal_common::{internal_err, not_supported, Result};
use shoal_expr::plan::{Aggregate, TableScan};
use shoal_expr::{
    Expr, Join, JoinType, LogicalPlan, PlanSchema, PlanSchemaRef, SetOpKind, TreeNode, TreeNodeRecursion,
};

use super::expr::{literal, order, quote, string_literal, Scope};
use super::{qualified, unique_names, Unparser};

/// One SELECT block. `columns` is the SQL text of each output column of the plan node written
/// so far, valid inside this block (over its FROM clause).
#[derive(Debug, Clone)]
pub(crate) struct Select {
    pub from: Option<String>,
    /// The FROM clause is a chain of joins (so it cannot be the right side of another join).
    pub from_is_join: bool,
    pub columns: Vec<String>,
    pub schema: PlanSchemaRef,
    pub filters: Vec<String>,
    /// `Some` once aggregated: the GROUP BY list (empty for a global aggregate).
    pub group_by: Option<String>,
    pub having: Vec<String>,
    pub windowed: bool,
    pub projected: bool,
    pub order_by: Vec<String>,
    pub limit: Option<usize>,
    pub offset: usize,
}

impl Default for Select {
    fn default() -> Self {
        Select {
            from: None,
            from_is_join: false,
            columns: vec![],
            schema: Arc::new(PlanSchema::empty()),
            filters: vec![],
            group_by: None,
            having: vec![],
            windowed: false,
            projected: false,
            order_by: vec![],
            limit: None,
            offset: 0,
        }
    }
}

impl Select {
    fn scope(&self) -> Scope {
        Scope { schema: Arc::clone(&self.schema), columns: self.columns.clone() }
    }
    fn ordered_or_limited(&self) -> bool {
        !self.order_by.is_empty() || self.limit.is_some() || self.offset > 0
    }
    /// Only a FROM clause (and columns): it can take any clause, or be joined.
    fn is_plain(&self) -> bool {
        self.filters.is_empty()
            && self.group_by.is_none()
            && self.having.is_empty()
            && !self.windowed
            && !self.projected
            && !self.ordered_or_limited()
    }
}

fn has_subquery(exprs: &[Expr]) -> bool {
    exprs.iter().any(|e| {
        let mut found = false;
        let _ = e.apply(|x| {
            found |= matches!(x, Expr::ScalarSubquery(_) | Expr::InSubquery(_) | Expr::Exists(_));
            Ok(if found { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
        });
        found
    })
}

impl Unparser {
    /// The SELECT block computing `plan`.
    pub(crate) fn plan(&mut self, plan: &LogicalPlan) -> Result<Select> {
        match plan {
            LogicalPlan::TableScan(scan) => Ok(self.table_scan(scan)),
            LogicalPlan::Projection(p) => {
                let mut s = self.plan(&p.input)?;
                let aggregated_subquery = (s.group_by.is_some() || s.windowed) && has_subquery(&p.exprs);
                if s.projected || s.ordered_or_limited() || aggregated_subquery {
                    s = self.wrap(s)?;
                }
                let scope = s.scope();
                s.columns = p.exprs.iter().map(|e| self.expr(e, &scope)).collect::<Result<Vec<_>>>()?;
                s.schema = Arc::clone(&p.schema);
                s.projected = true;
                Ok(s)
            }
            LogicalPlan::Filter(f) => {
                let mut s = self.plan(&f.input)?;
                let subquery_over_groups =
                    s.group_by.is_some() && has_subquery(std::slice::from_ref(&f.predicate));
                if s.projected || s.windowed || s.ordered_or_limited() || subquery_over_groups {
                    s = self.wrap(s)?;
                }
                let predicate = self.expr(&f.predicate, &s.scope())?;
                if s.group_by.is_some() {
                    s.having.push(predicate);
                } else {
                    s.filters.push(predicate);
                }
                Ok(s)
            }
            LogicalPlan::Aggregate(a) => self.aggregate(a),
            LogicalPlan::Window(w) => {
                let mut s = self.plan(&w.input)?;
                if s.windowed || s.projected || s.ordered_or_limited() {
                    s = self.wrap(s)?;
                }
                let scope = s.scope();
                for e in &w.window_expr {
                    let text = self.expr(e, &scope)?;
                    s.columns.push(text);
                }
                s.schema = Arc::clone(&w.schema);
                s.windowed = true;
                Ok(s)
            }
            LogicalPlan::Sort(sort) => {
                let mut s = self.plan(&sort.input)?;
                let all_columns = sort.exprs.iter().all(|k| matches!(k.expr, Expr::Column(_)));
                if s.ordered_or_limited() || (s.projected && !all_columns) {
                    s = self.wrap(s)?;
                }
                let scope = s.scope();
                for k in &sort.exprs {
                    // a column of the block's output by its position, anything else as text
                    let key = match &k.expr {
                        Expr::Column(c) => format!("{}", s.schema.index_of_column(c)? + 1),
                        e => self.expr(e, &scope)?,
                    };
                    s.order_by.push(format!("{key}{}", order(k)));
                }
                s.limit = sort.fetch;
                Ok(s)
            }
            LogicalPlan::Limit(l) => {
                let mut s = self.plan(&l.input)?;
                if s.limit.is_some() || s.offset > 0 {
                    s = self.wrap(s)?;
                }
                s.limit = l.fetch;
                s.offset = l.skip;
                Ok(s)
            }
            LogicalPlan::SubqueryAlias(a) => {
                let mut s = self.plan(&a.input)?;
                s.schema = Arc::clone(&a.schema);
                Ok(s)
            }
            LogicalPlan::EmptyRelation(e) => {
                let columns = e
                    .schema
                    .fields()
                    .iter()
                    .map(|f| literal(&shoal_common::ScalarValue::null(f.data_type())))
                    .collect::<Result<Vec<_>>>()?;
                let mut s = Select::over(None, columns, Arc::clone(&e.schema));
                if !e.produce_one_row {
                    let alias = self.alias();
                    s.from = Some(format!("(SELECT 1 AS \"one\") AS {alias}"));
                    s.filters.push("FALSE".into());
                }
                Ok(s)
            }
            LogicalPlan::Values(v) => {
                let empty = Scope { schema: Arc::new(PlanSchema::empty()), columns: vec![] };
                let rows = v
                    .values
                    .iter()
                    .map(|row| Ok(format!("({})", self.exprs(row, &empty)?)))
                    .collect::<Result<Vec<_>>>()?;
                let alias = self.alias();
                let names: Vec<String> = v.schema.fields().iter().map(|f| f.name().clone()).collect();
                let from = format!("(VALUES {}) AS {alias}", rows.join(", "));
                Ok(Select::over(Some(from), qualified(&alias, &names), Arc::clone(&v.schema)))
            }
            LogicalPlan::Union(u) => {
                let names = unique_names(&u.schema);
                let parts = u.inputs.iter().map(|i| self.operand(i, &names)).collect::<Result<Vec<_>>>()?;
                Ok(self.derived(parts.join(" UNION ALL "), &names, Arc::clone(&u.schema)))
            }
            LogicalPlan::SetOperation(op) => {
                let names = unique_names(&op.schema);
                let keyword = match op.op {
                    SetOpKind::Intersect => "INTERSECT",
                    SetOpKind::Except => "EXCEPT",
                };
                let all = if op.all { " ALL" } else { "" };
                let sql = format!(
                    "{} {keyword}{all} {}",
                    self.operand(&op.left, &names)?,
                    self.operand(&op.right, &names)?
                );
                Ok(self.derived(sql, &names, Arc::clone(&op.schema)))
            }
            LogicalPlan::RecursiveQuery(r) => {
                let names = unique_names(&r.schema);
                let columns: Vec<String> = names.iter().map(|n| quote(n)).collect();
                let sql = format!(
                    "WITH RECURSIVE {} ({}) AS ({} UNION{} {}) SELECT * FROM {}",
                    quote(&r.name),
                    columns.join(", "),
                    self.operand(&r.static_term, &names)?,
                    if r.is_distinct { "" } else { " ALL" },
                    self.operand(&r.recursive_term, &names)?,
                    quote(&r.name)
                );
                Ok(self.derived(sql, &names, Arc::clone(&r.schema)))
            }
            LogicalPlan::WorkTableScan(w) => {
                let alias = self.alias();
                let names: Vec<String> = w.schema.fields().iter().map(|f| f.name().clone()).collect();
                let from = format!("{} AS {alias}", quote(&w.name));
                Ok(Select::over(Some(from), qualified(&alias, &names), Arc::clone(&w.schema)))
            }
            LogicalPlan::Join(j) => self.join(j),
        }
    }

    fn table_scan(&mut self, scan: &TableScan) -> Select {
        let alias = self.alias();
        let name = &scan.table_name;
        let lower = name.to_ascii_lowercase();
        let table = if (lower.starts_with("read_") || lower.ends_with("_scan(") || lower.contains("_scan("))
            && name.ends_with(')')
        {
            // a table function call, as written
            name.clone()
        } else if name.contains('/')
            || [".parquet", ".csv", ".tsv", ".gz", ".txt"].iter().any(|ext| lower.ends_with(ext))
        {
            string_literal(name)
        } else {
            quote(name)
        };
        let names: Vec<String> = scan.schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut s = Select::over(
            Some(format!("{table} AS {alias}")),
            qualified(&alias, &names),
            Arc::clone(&scan.schema),
        );
        s.limit = scan.fetch;
        s
    }

    fn aggregate(&mut self, a: &Aggregate) -> Result<Select> {
        let mut s = self.plan(&a.input)?;
        if !s.filters.is_empty() && s.is_plain_but_filtered() {
            // WHERE then GROUP BY in one block
        } else if !s.is_plain() {
            s = self.wrap(s)?;
        }
        let scope = s.scope();
        let mut columns = vec![];
        let group_by = match a.group_expr.as_slice() {
            [Expr::GroupingSet(g)] => {
                let distinct: Vec<String> = g
                    .distinct_exprs()
                    .into_iter()
                    .map(|e| self.expr(e, &scope))
                    .collect::<Result<Vec<_>>>()?;
                columns.extend(distinct.iter().cloned());
                // the grouping id, as grouping() of every grouping column
                columns.push(format!("CAST(\"grouping\"({}) AS UBIGINT)", distinct.join(", ")));
                self.expr(&a.group_expr[0], &scope)?
            }
            exprs => {
                let texts = exprs.iter().map(|e| self.expr(e, &scope)).collect::<Result<Vec<_>>>()?;
                columns.extend(texts.iter().cloned());
                texts.join(", ")
            }
        };
        for e in &a.aggr_expr {
            let text = self.expr(e, &scope)?;
            columns.push(text);
        }
        s.columns = columns;
        s.group_by = Some(group_by);
        s.schema = Arc::clone(&a.schema);
        Ok(s)
    }

    fn join(&mut self, j: &Join) -> Result<Select> {
        let mut left = self.plan(&j.left)?;
        if !left.is_plain() || left.from.is_none() {
            left = self.wrap(left)?;
        }
        let mut right = self.plan(&j.right)?;
        if !right.is_plain() || right.from.is_none() || right.from_is_join {
            right = self.wrap(right)?;
        }
        let (ls, rs) = (j.left.schema(), j.right.schema());
        let left_scope = left.scope();
        let right_scope = right.scope();
        let mut conditions = vec![];
        for (l, r) in &j.on {
            conditions.push(format!("({} = {})", self.expr(l, &left_scope)?, self.expr(r, &right_scope)?));
        }
        let both = Scope {
            schema: Arc::new(ls.join(rs)),
            columns: left.columns.iter().chain(right.columns.iter()).cloned().collect(),
        };
        if let Some(f) = &j.filter {
            conditions.push(self.expr(f, &both)?);
        }
        let (Some(left_from), Some(right_from)) = (left.from.take(), right.from.take()) else {
            return internal_err!("unparser: a join input without a FROM clause");
        };
        if j.null_aware {
            return self.null_aware_anti_join(j, left, left_from, right, right_from);
        }
        let keyword = match j.join_type {
            JoinType::Inner if conditions.is_empty() => "CROSS JOIN",
            JoinType::Inner => "JOIN",
            JoinType::Left => "LEFT JOIN",
            JoinType::Right => "RIGHT JOIN",
            JoinType::Full => "FULL JOIN",
            JoinType::LeftSemi => "SEMI JOIN",
            JoinType::LeftAnti => "ANTI JOIN",
            JoinType::RightSemi => "RIGHT SEMI JOIN",
            JoinType::RightAnti => "RIGHT ANTI JOIN",
        };
        let on = if keyword == "CROSS JOIN" {
            String::new()
        } else if conditions.is_empty() {
            " ON TRUE".to_string()
        } else {
            format!(" ON {}", conditions.join(" AND "))
        };
        let from = format!("{left_from} {keyword} {right_from}{on}");
        let columns = match j.join_type {
            t if t.outputs_both_sides() => both.columns,
            JoinType::LeftSemi | JoinType::LeftAnti => left.columns,
            _ => right.columns,
        };
        let mut s = Select::over(Some(from), columns, Arc::clone(&j.schema));
        s.from_is_join = true;
        Ok(s)
    }

    /// `NOT IN` semantics: `left.key NOT IN (SELECT right.key FROM right)`.
    fn null_aware_anti_join(
        &mut self,
        j: &Join,
        left: Select,
        left_from: String,
        right: Select,
        right_from: String,
    ) -> Result<Select> {
        let ([(l, r)], None, JoinType::LeftAnti) = (j.on.as_slice(), &j.filter, j.join_type) else {
            return not_supported!("writing a null-aware join other than a one-key anti join as SQL");
        };
        let l = self.expr(l, &left.scope())?;
        let r = self.expr(r, &right.scope())?;
        let mut s = Select::over(Some(left_from), left.columns, Arc::clone(&j.schema));
        s.filters.push(format!("({l} NOT IN (SELECT {r} FROM {right_from}))"));
        Ok(s)
    }

    /// An operand of a set operation: `plan` as a parenthesised query with columns `names`.
    fn operand(&mut self, plan: &LogicalPlan, names: &[String]) -> Result<String> {
        let select = self.plan(plan)?;
        Ok(format!("({})", self.select_text(select, names)?))
    }

    /// A block reading the derived table `(sql) AS tN` with columns `names`.
    fn derived(&mut self, sql: String, names: &[String], schema: PlanSchemaRef) -> Select {
        let alias = self.alias();
        Select::over(Some(format!("({sql}) AS {alias}")), qualified(&alias, names), schema)
    }

    /// Close `s` into a derived table and start a new block over it.
    pub(crate) fn wrap(&mut self, s: Select) -> Result<Select> {
        let names = unique_names(&s.schema);
        let schema = Arc::clone(&s.schema);
        let sql = self.select_text(s, &names)?;
        Ok(self.derived(sql, &names, schema))
    }

    /// The block as a SELECT statement whose columns are called `names`.
    pub(crate) fn select_text(&mut self, s: Select, names: &[String]) -> Result<String> {
        if s.columns.len() != names.len() {
            return internal_err!("unparser: {} columns for {} names", s.columns.len(), names.len());
        }
        let mut items: Vec<String> =
            s.columns.iter().zip(names).map(|(c, n)| format!("{c} AS {}", quote(n))).collect();
        if items.is_empty() {
            items.push("NULL AS \"__no_columns\"".into());
        }
        let mut sql = format!("SELECT {}", items.join(", "));
        if let Some(from) = &s.from {
            sql.push_str(&format!(" FROM {from}"));
        }
        if !s.filters.is_empty() {
            sql.push_str(&format!(" WHERE {}", s.filters.join(" AND ")));
        }
        if let Some(g) = &s.group_by {
            if !g.is_empty() {
                sql.push_str(&format!(" GROUP BY {g}"));
            }
        }
        if !s.having.is_empty() {
            sql.push_str(&format!(" HAVING {}", s.having.join(" AND ")));
        }
        if !s.order_by.is_empty() {
            sql.push_str(&format!(" ORDER BY {}", s.order_by.join(", ")));
        }
        if let Some(n) = s.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        if s.offset > 0 {
            sql.push_str(&format!(" OFFSET {}", s.offset));
        }
        Ok(sql)
    }
}

impl Select {
    /// Only a FROM clause and WHERE filters.
    fn is_plain_but_filtered(&self) -> bool {
        Select { filters: vec![], ..self.clone() }.is_plain()
    }
}
