//! Projections: `select`, `with_column(s)`, `drop`, `rename`, `unique`; and the planning they
//! share with `group_by().agg()`: aggregate → window nodes → projection, in the shapes the SQL
//! planner builds for a SELECT list (aggregate calls collected into one `Aggregate`, window calls
//! grouped into one `Window` per PARTITION BY / ORDER BY, output names from aliases).

use shoal_common::{internal_err, Result};
use shoal_expr::expr_fn::{row_number, Window};
use shoal_expr::{
    col, lit, Column, Expr, LogicalPlan, LogicalPlanBuilder, SortExpr, Transformed, TreeNode,
    TreeNodeRecursion,
};

use super::aggregate::{plan_aggregation, Grouping};
use super::resolve::normalize;
use super::DataFrame;

/// One output column: the expression (without alias) and its name.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub expr: Expr,
    pub name: String,
}

impl DataFrame {
    /// Resolve `exprs` into output columns (`*` expands to every column).
    pub(crate) fn items(&self, exprs: impl IntoIterator<Item = Expr>) -> Result<Vec<Item>> {
        let mut items = vec![];
        for e in exprs {
            match e {
                Expr::Wildcard { qualifier } => {
                    for c in self.builder().expand_wildcard(qualifier.as_deref())? {
                        items.push(Item { name: c.name(), expr: c });
                    }
                }
                Expr::Alias(a) => items.push(Item { expr: self.resolve(*a.expr)?, name: a.name }),
                e => {
                    let expr = self.resolve(e)?;
                    items.push(Item { name: expr.name(), expr });
                }
            }
        }
        Ok(items)
    }

    /// The current columns as output items.
    fn column_items(&self) -> Vec<Item> {
        let schema = self.plan.schema();
        (0..schema.len())
            .map(|i| Item { expr: Expr::Column(schema.column(i)), name: schema.field(i).name().clone() })
            .collect()
    }

    /// Compute `exprs` from each row (SQL `SELECT exprs`). Aggregates without
    /// [`DataFrame::group_by`] aggregate the whole input into one row; window expressions
    /// (`.over(..)`) are computed as in SQL.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1, 10), (2, 20)) AS t(a, b)")?;
    /// let out = df.select([(col("a") + col("b")).alias("s"), col("b").sum().over(Window::new()).alias("total")])?;
    /// assert_eq!(shoal::rows_to_strings(&out.collect()?)?, vec!["11, 30", "22, 30"]);
    /// let one = df.select([col("b").max()])?;
    /// assert_eq!(shoal::rows_to_strings(&one.collect()?)?, vec!["20"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn select(&self, exprs: impl IntoIterator<Item = Expr>) -> Result<DataFrame> {
        let items = self.items(exprs)?;
        Ok(self.with_plan(plan_items(self.plan.clone(), None, items)?))
    }

    /// Add the column `name` computed by `expr`, or replace the column of that name in place.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS t(a, s)")?;
    /// let out = df.with_column("a", col("a") * lit(10i64))?.with_column("n", row_number().over(Window::new().order_by([col("a").desc()])))?;
    /// assert_eq!(shoal::rows_to_strings(&out.sort([col("n").asc()])?.collect()?)?, vec!["20, y, 1", "10, x, 2"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn with_column(&self, name: &str, expr: Expr) -> Result<DataFrame> {
        self.with_columns([expr.alias(name)])
    }

    /// [`DataFrame::with_column`] for several expressions at once, each named by its alias
    /// (or its text); all are computed from the input columns.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1, 2)) AS t(a, b)")?;
    /// let out = df.with_columns([(col("a") + col("b")).alias("s"), (col("a") * lit(10i64)).alias("a")])?;
    /// // `a` is replaced in place, `s` is appended; both read the original `a`
    /// assert_eq!(shoal::rows_to_strings(&out.collect()?)?, vec!["10, 2, 3"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn with_columns(&self, exprs: impl IntoIterator<Item = Expr>) -> Result<DataFrame> {
        let mut items = self.column_items();
        for new in self.items(exprs)? {
            match items.iter_mut().find(|i| i.name == new.name) {
                Some(existing) => *existing = new,
                None => items.push(new),
            }
        }
        Ok(self.with_plan(plan_items(self.plan.clone(), None, items)?))
    }

    /// Remove the named columns; an unknown name is an error.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT 1 AS a, 2 AS b, 3 AS c")?;
    /// assert_eq!(df.drop(["b"])?.schema().fields().len(), 2);
    /// assert!(df.drop(["d"]).is_err());
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn drop<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Result<DataFrame> {
        let schema = self.plan.schema().clone();
        let mut dropped = vec![];
        for name in names {
            let column = super::resolve::resolve_expr(&self.session, col(name), &schema)?;
            let Expr::Column(c) = column else {
                return internal_err!("drop(): {name} did not resolve to a column");
            };
            dropped.push(schema.index_of_column(&c)?);
        }
        let items = self.column_items().into_iter().enumerate().filter(|(i, _)| !dropped.contains(i));
        Ok(self.with_plan(plan_items(self.plan.clone(), None, items.map(|(_, item)| item).collect())?))
    }

    /// Rename column `old` to `new`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT 1 AS a")?.rename("a", "b")?;
    /// assert_eq!(df.schema().field(0).name(), "b");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn rename(&self, old: &str, new: &str) -> Result<DataFrame> {
        let Expr::Column(c) = self.resolve(col(old))? else {
            return internal_err!("rename(): {old} did not resolve to a column");
        };
        let index = self.plan.schema().index_of_column(&c)?;
        let mut items = self.column_items();
        if let Some(item) = items.get_mut(index) {
            item.name = new.to_string();
        }
        Ok(self.with_plan(plan_items(self.plan.clone(), None, items)?))
    }

    /// One row per distinct value of the `subset` columns (any one of the rows that share
    /// it), or per distinct row when `subset` is empty.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1, 'a'), (1, 'b'), (2, 'c')) AS t(k, v)")?;
    /// assert_eq!(df.unique([col("k")])?.count()?, 2);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn unique(&self, subset: impl IntoIterator<Item = Expr>) -> Result<DataFrame> {
        let subset = subset.into_iter().map(|e| self.resolve(e)).collect::<Result<Vec<_>>>()?;
        if subset.is_empty() {
            return self.distinct();
        }
        const ROW: &str = "__shoal_unique_row";
        let columns: Vec<Expr> = self.plan.schema().columns().into_iter().map(Expr::Column).collect();
        let numbered = row_number().over(Window::new().partition_by(subset)).alias(ROW);
        let plan = self
            .builder()
            .window(vec![numbered])?
            .filter(col(ROW).eq(lit(1i64)))?
            .project(columns)?
            .build()?;
        Ok(self.with_plan(plan))
    }
}

/// Plan output `items` over `input`: an aggregate when grouping (`grouping` is `Some`) or when an
/// item calls an aggregate, then the window nodes, then the projection.
pub(crate) fn plan_items(
    input: LogicalPlan,
    grouping: Option<Grouping>,
    items: Vec<Item>,
) -> Result<LogicalPlan> {
    let aggregating = grouping.is_some() || items.iter().any(|i| i.expr.contains_aggregate());
    let (base, items) = if aggregating {
        plan_aggregation(input, grouping.unwrap_or(Grouping::Keys(vec![])), items)?
    } else {
        (input, items)
    };
    let (base, items) = plan_windows(base, items)?;
    let builder = LogicalPlanBuilder::from(base);
    let mut exprs = vec![];
    for item in items {
        let coerced = builder.coerce(item.expr)?;
        exprs.push(if coerced.name() == item.name { coerced } else { coerced.alias(&item.name) });
    }
    builder.project(exprs)?.build()
}

/// One `Window` node per distinct (PARTITION BY, ORDER BY) of the items' window calls, in order
/// of appearance, and the items rewritten to refer to the window columns.
fn plan_windows(base: LogicalPlan, items: Vec<Item>) -> Result<(LogicalPlan, Vec<Item>)> {
    let schema = base.schema().clone();
    // (call, normalized call, output column name)
    let mut calls: Vec<(Expr, Expr, String)> = vec![];
    for item in &items {
        let _ = item.expr.apply(|n| {
            if let Expr::WindowFunction(_) = n {
                let norm = normalize(n, &schema);
                if !calls.iter().any(|(_, x, _)| *x == norm) {
                    let mut name = n.name();
                    if calls.iter().any(|(_, _, used)| *used == name) {
                        name = format!("{name} #{}", calls.len() + 1);
                    }
                    calls.push((n.clone(), norm, name));
                }
                return Ok(TreeNodeRecursion::Jump);
            }
            Ok(TreeNodeRecursion::Continue)
        });
    }
    if calls.is_empty() {
        return Ok((base, items));
    }
    let key_of = |e: &Expr| -> Option<(Vec<Expr>, Vec<SortExpr>)> {
        match e {
            Expr::WindowFunction(w) => Some((w.partition_by.clone(), w.order_by.clone())),
            _ => None,
        }
    };
    let mut builder = LogicalPlanBuilder::from(base);
    let mut done = vec![false; calls.len()];
    for i in 0..calls.len() {
        if done[i] {
            continue;
        }
        let key = key_of(&calls[i].1);
        let mut exprs = vec![];
        for j in i..calls.len() {
            if !done[j] && key_of(&calls[j].1) == key {
                done[j] = true;
                exprs.push(calls[j].0.clone().alias(&calls[j].2));
            }
        }
        builder = builder.window(exprs)?;
    }
    let items = items
        .into_iter()
        .map(|item| {
            let expr = item.expr.transform_down(|n| {
                if let Expr::WindowFunction(_) = &n {
                    let norm = normalize(&n, &schema);
                    if let Some((_, _, name)) = calls.iter().find(|(_, x, _)| *x == norm) {
                        return Ok(Transformed::yes(Expr::Column(Column::from_name(name))));
                    }
                }
                Ok(Transformed::no(n))
            })?;
            Ok(Item { expr: expr.data, name: item.name })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((builder.build()?, items))
}
