//! [`GroupBy`]: `df.group_by(keys).agg(aggregates)`, planned as SQL plans
//! `SELECT keys, aggregates .. GROUP BY keys`.

use shoal_common::Result;
use shoal_expr::Expr;

use super::select::{plan_items, Item};
use super::DataFrame;

/// A DataFrame grouped by key expressions, waiting for its aggregates
/// ([`DataFrame::group_by`]).
#[derive(Clone)]
pub struct GroupBy {
    df: DataFrame,
    keys: Vec<Item>,
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
        Ok(GroupBy { df: self.clone(), keys: self.items(keys)? })
    }
}

impl GroupBy {
    /// One row per group: the keys, then `aggregates` — aggregate calls or expressions over
    /// them (`col("a").sum() / col("b").sum()`), named by their aliases.
    pub fn agg(&self, aggregates: impl IntoIterator<Item = Expr>) -> Result<DataFrame> {
        let groups: Vec<Expr> = self.keys.iter().map(|k| k.expr.clone()).collect();
        let mut items = self.keys.clone();
        items.extend(self.df.items(aggregates)?);
        let plan = plan_items(self.df.plan.clone(), Some(groups), items)?;
        Ok(self.df.with_plan(plan))
    }
}
