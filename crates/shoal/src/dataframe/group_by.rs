//! [`GroupBy`]: `df.group_by(keys).agg(aggregates)`, planned as SQL plans
//! `SELECT keys, aggregates .. GROUP BY keys`; and its grouping-set forms `df.rollup(keys)`,
//! `df.cube(keys)` and `df.grouping_sets(sets)`, planned as `GROUP BY ROLLUP (..)`,
//! `CUBE (..)` and `GROUPING SETS (..)`.

use shoal_common::{plan_err, Result};
use shoal_expr::{Expr, GroupingSet};

use super::aggregate::Grouping;
use super::resolve::normalize;
use super::select::{plan_items, Item};
use super::DataFrame;

/// A DataFrame grouped by key expressions, waiting for its aggregates
/// ([`DataFrame::group_by`], [`DataFrame::rollup`], [`DataFrame::cube`],
/// [`DataFrame::grouping_sets`]).
#[derive(Clone)]
pub struct GroupBy {
    df: DataFrame,
    /// The distinct keys, in order of first appearance: the leading output columns.
    keys: Vec<Item>,
    shape: Shape,
}

/// How the keys are grouped.
#[derive(Debug, Clone)]
enum Shape {
    /// One group per distinct value of all keys.
    Plain,
    /// `ROLLUP (keys)`.
    Rollup,
    /// `CUBE (keys)`.
    Cube,
    /// `GROUPING SETS`: each set as indexes into the keys.
    Sets(Vec<Vec<usize>>),
}

impl DataFrame {
    /// Group the rows by `keys` (columns or expressions, optionally aliased); finish with
    /// [`GroupBy::agg`].
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES ('a', 1), ('b', 2), ('a', 3)) AS t(k, v)")?;
    /// let out = df.group_by([col("k")])?.agg([col("v").sum().alias("total"), count_star().alias("n")])?;
    /// let rows = out.sort([col("k").asc()])?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["a, 4, 2", "b, 2, 1"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn group_by(&self, keys: impl IntoIterator<Item = Expr>) -> Result<GroupBy> {
        Ok(GroupBy { df: self.clone(), keys: self.items(keys)?, shape: Shape::Plain })
    }

    /// Group by every prefix of `keys` (SQL `GROUP BY ROLLUP (keys)`): for keys `(a, b)` the
    /// groups of `(a, b)`, the subtotals of `(a)` and the grand total `()`. In a subtotal row
    /// the keys rolled up are NULL; [`grouping`](shoal_expr::expr_fn::grouping) tells them
    /// from real NULLs. At least one key; finish with [`GroupBy::agg`].
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES ('a', 'x', 1), ('a', 'y', 2), ('b', 'x', 4)) AS t(k, j, v)")?;
    /// let out = df.rollup([col("k"), col("j")])?.agg([col("v").sum().alias("total"), grouping(col("k")).alias("gk")])?;
    /// let rows = out.sort([col("k").asc(), col("j").asc()])?.collect()?;
    /// assert_eq!(
    ///     shoal::rows_to_strings(&rows)?,
    ///     vec!["a, x, 1, 0", "a, y, 2, 0", "a, NULL, 3, 0", "b, x, 4, 0", "b, NULL, 4, 0", "NULL, NULL, 7, 1"]
    /// );
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn rollup(&self, keys: impl IntoIterator<Item = Expr>) -> Result<GroupBy> {
        self.grouped_by_set("rollup", keys, Shape::Rollup)
    }

    /// Group by every subset of `keys` (SQL `GROUP BY CUBE (keys)`): for keys `(a, b)` the
    /// groups of `(a, b)`, `(a)`, `(b)` and `()`, the keys left out being NULL. Between 1 and 12
    /// keys; finish with [`GroupBy::agg`].
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES ('a', 'x', 1), ('b', 'y', 2)) AS t(k, j, v)")?;
    /// let out = df.cube([col("k"), col("j")])?.agg([col("v").sum().alias("total")])?;
    /// // 2 groups of (k, j), 2 of (k), 2 of (j), 1 grand total
    /// assert_eq!(out.count()?, 7);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn cube(&self, keys: impl IntoIterator<Item = Expr>) -> Result<GroupBy> {
        self.grouped_by_set("cube", keys, Shape::Cube)
    }

    /// Group by each of `sets` in turn (SQL `GROUP BY GROUPING SETS ((..), (..))`): the output
    /// has one column per distinct key of all the sets, NULL in the rows of a set that does not
    /// group by it; an empty set is the grand total. At least one set; finish with
    /// [`GroupBy::agg`].
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES ('a', 'x', 1), ('a', 'y', 2)) AS t(k, j, v)")?;
    /// let out = df.grouping_sets(vec![vec![col("k")], vec![col("j")], vec![]])?.agg([col("v").sum().alias("total")])?;
    /// let rows = out.sort([col("k").asc(), col("j").asc()])?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["a, NULL, 3", "NULL, x, 1", "NULL, y, 2", "NULL, NULL, 3"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn grouping_sets<S>(&self, sets: impl IntoIterator<Item = S>) -> Result<GroupBy>
    where
        S: IntoIterator<Item = Expr>,
    {
        let schema = self.plan.schema();
        let mut keys: Vec<Item> = vec![];
        let mut normalized: Vec<Expr> = vec![];
        let mut indexes = vec![];
        for set in sets {
            let mut members: Vec<usize> = vec![];
            for item in self.items(set)? {
                let n = normalize(&item.expr, schema);
                let i = match normalized.iter().position(|k| *k == n) {
                    Some(i) => i,
                    None => {
                        normalized.push(n);
                        keys.push(item);
                        keys.len() - 1
                    }
                };
                if !members.contains(&i) {
                    members.push(i);
                }
            }
            indexes.push(members);
        }
        if indexes.is_empty() {
            return plan_err!("grouping_sets() needs at least one set (an empty set is the grand total)");
        }
        GroupBy { df: self.clone(), keys, shape: Shape::Sets(indexes) }.validated()
    }

    /// `keys` resolved and deduplicated, grouped as `shape`.
    fn grouped_by_set(
        &self,
        what: &str,
        keys: impl IntoIterator<Item = Expr>,
        shape: Shape,
    ) -> Result<GroupBy> {
        let schema = self.plan.schema();
        let mut unique: Vec<Item> = vec![];
        let mut normalized: Vec<Expr> = vec![];
        for item in self.items(keys)? {
            let n = normalize(&item.expr, schema);
            if !normalized.contains(&n) {
                normalized.push(n);
                unique.push(item);
            }
        }
        if unique.is_empty() {
            return plan_err!("{what}() needs at least one key");
        }
        GroupBy { df: self.clone(), keys: unique, shape }.validated()
    }
}

impl GroupBy {
    /// What the aggregation groups by: the keys, or the grouping set over them.
    fn grouping(&self) -> Grouping {
        let exprs: Vec<Expr> = self.keys.iter().map(|k| k.expr.clone()).collect();
        match &self.shape {
            Shape::Plain => Grouping::Keys(exprs),
            Shape::Rollup => Grouping::Set(GroupingSet::Rollup(exprs)),
            Shape::Cube => Grouping::Set(GroupingSet::Cube(exprs)),
            Shape::Sets(sets) => Grouping::Set(GroupingSet::GroupingSets(
                sets.iter().map(|set| set.iter().filter_map(|&i| exprs.get(i).cloned()).collect()).collect(),
            )),
        }
    }

    /// `self`, unless its grouping set has too many keys or sets (the limits of SQL's).
    fn validated(self) -> Result<GroupBy> {
        if let Grouping::Set(set) = self.grouping() {
            set.expand()?;
        }
        Ok(self)
    }

    /// One row per group: the keys, then `aggregates` — aggregate calls or expressions over
    /// them (`col("a").sum() / col("b").sum()`), named by their aliases. Under
    /// [`DataFrame::rollup`], [`DataFrame::cube`] and [`DataFrame::grouping_sets`] one row per
    /// group of each set, and `grouping(key)` may be among the aggregates.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1, 2), (1, 4), (2, 1)) AS t(k, x)")?;
    /// let out = df.group_by([col("k")])?.agg([(col("x").sum() / count_star()).alias("mean")])?;
    /// let rows = out.sort([col("k").asc()])?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["1, 3", "2, 1"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn agg(&self, aggregates: impl IntoIterator<Item = Expr>) -> Result<DataFrame> {
        let grouping = self.grouping();
        let mut items = self.keys.clone();
        items.extend(self.df.items(aggregates)?);
        let plan = plan_items(self.df.plan.clone(), Some(grouping), items)?;
        Ok(self.df.with_plan(plan))
    }
}
