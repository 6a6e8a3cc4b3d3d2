//! Joins (`join` on key columns, `join_on` any condition, `cross_join`) and unions
//! (`union`, `union_distinct`, `union_by_name`).

use shoal_common::{plan_err, Result};
use shoal_expr::{lit, Expr, JoinType, LogicalPlanBuilder};

use super::resolve::resolve_expr;
use super::DataFrame;

impl DataFrame {
    /// Join with `right` where each `left_on` key (over this DataFrame) equals the
    /// `right_on` key at the same position (over `right`); NULL keys never match. Every
    /// [`JoinType`] works: inner, left/right/full outer, and the semi / anti joins that keep
    /// only one side's columns. Keys of types that cannot be compared are an error here.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let people = s.sql("SELECT * FROM (VALUES (1, 'ann'), (2, 'bob')) AS p(id, name)")?;
    /// let pets = s.sql("SELECT * FROM (VALUES (1, 'cat'), (1, 'dog')) AS q(owner, pet)")?;
    /// let both = people.join(&pets, JoinType::Inner, [col("id")], [col("owner")])?;
    /// assert_eq!(both.count()?, 2);
    /// let lonely = people.join(&pets, JoinType::LeftAnti, [col("id")], [col("owner")])?;
    /// assert_eq!(shoal::rows_to_strings(&lonely.collect()?)?, vec!["2, bob"]);
    ///
    /// // every join type: people 1 and 2; pets of owners 1, 1 and 3
    /// let pets = s.sql("SELECT * FROM (VALUES (1, 'cat'), (1, 'dog'), (3, 'fish')) AS q(owner, pet)")?;
    /// let rows = |how| people.join(&pets, how, [col("id")], [col("owner")])?.count();
    /// assert_eq!(rows(JoinType::Inner)?, 2); // ann-cat, ann-dog
    /// assert_eq!(rows(JoinType::Left)?, 3); // + bob with a NULL pet
    /// assert_eq!(rows(JoinType::Right)?, 3); // + fish with a NULL owner
    /// assert_eq!(rows(JoinType::Full)?, 4);
    /// assert_eq!(rows(JoinType::LeftSemi)?, 1); // ann
    /// assert_eq!(rows(JoinType::LeftAnti)?, 1); // bob
    /// assert_eq!(rows(JoinType::RightSemi)?, 2); // cat, dog
    /// assert_eq!(rows(JoinType::RightAnti)?, 1); // fish
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn join(
        &self,
        right: &DataFrame,
        how: JoinType,
        left_on: impl IntoIterator<Item = Expr>,
        right_on: impl IntoIterator<Item = Expr>,
    ) -> Result<DataFrame> {
        let left_keys = left_on.into_iter().map(|e| self.resolve(e)).collect::<Result<Vec<_>>>()?;
        let right_keys = right_on.into_iter().map(|e| right.resolve(e)).collect::<Result<Vec<_>>>()?;
        if left_keys.is_empty() {
            return plan_err!("join() needs at least one key pair (use cross_join for none)");
        }
        for k in left_keys.iter().chain(&right_keys) {
            if k.contains_aggregate() || k.contains_window() {
                return plan_err!("join keys cannot contain aggregate or window functions: {k}");
            }
        }
        let plan = self.builder().join(right.plan.clone(), how, (left_keys, right_keys), None)?.build()?;
        Ok(self.with_plan(plan))
    }

    /// Join with `right` where `condition` (over the columns of both) is true: equalities
    /// between a left and a right expression become hash keys, the rest a filter (so
    /// non-equi joins work too), as SQL's `JOIN .. ON`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let a = s.sql("SELECT * FROM (VALUES (1), (5)) AS a(x)")?;
    /// let b = s.sql("SELECT * FROM (VALUES (3)) AS b(y)")?;
    /// let out = a.join_on(&b, JoinType::Inner, col("x").lt(col("y")))?;
    /// assert_eq!(shoal::rows_to_strings(&out.collect()?)?, vec!["1, 3"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn join_on(&self, right: &DataFrame, how: JoinType, condition: Expr) -> Result<DataFrame> {
        let joined = self.plan.schema().join(right.plan.schema());
        let condition = resolve_expr(&self.session, condition, &joined)?;
        if condition.contains_aggregate() || condition.contains_window() {
            return plan_err!(
                "aggregate and window functions are not allowed in a join condition: {condition}"
            );
        }
        let plan = self.builder().join_on(right.plan.clone(), how, condition)?.build()?;
        Ok(self.with_plan(plan))
    }

    /// Every row of this DataFrame paired with every row of `right`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let sizes = s.sql("SELECT * FROM (VALUES ('S'), ('M')) AS a(size)")?;
    /// let colours = s.sql("SELECT * FROM (VALUES ('red'), ('blue'), ('green')) AS b(colour)")?;
    /// assert_eq!(sizes.cross_join(&colours)?.count()?, 6);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn cross_join(&self, right: &DataFrame) -> Result<DataFrame> {
        Ok(self.with_plan(self.builder().cross_join(right.plan.clone())?.build()?))
    }

    /// The rows of both (SQL `UNION ALL`): columns match by position and are cast to common
    /// types; names come from this DataFrame. Different column counts are an error.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let a = s.sql("SELECT 1 AS x")?;
    /// assert_eq!(a.union(&a)?.count()?, 2);
    /// assert_eq!(a.union_distinct(&a)?.count()?, 1);
    /// let err = a.union(&s.sql("SELECT 1, 2")?).err().map(|e| e.to_string());
    /// assert_eq!(err.as_deref(), Some("each UNION query must have the same number of columns: 1 vs 2"));
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn union(&self, other: &DataFrame) -> Result<DataFrame> {
        Ok(self.with_plan(self.builder().union(other.plan.clone())?.build()?))
    }

    /// The distinct rows of both (SQL `UNION`); columns are matched as in [`DataFrame::union`].
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let a = s.sql("SELECT * FROM (VALUES (1), (2), (2)) AS t(x)")?;
    /// let b = s.sql("SELECT * FROM (VALUES (2), (3)) AS t(x)")?;
    /// let rows = a.union_distinct(&b)?.sort([col("x").asc()])?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["1", "2", "3"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn union_distinct(&self, other: &DataFrame) -> Result<DataFrame> {
        Ok(self.with_plan(self.builder().union_distinct(other.plan.clone())?.build()?))
    }

    /// The rows of both with columns matched by name (DuckDB's `UNION ALL BY NAME`): the
    /// output has this DataFrame's columns, then the other's new ones; a column missing on one
    /// side is NULL there.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let a = s.sql("SELECT 1 AS x, 'a' AS y")?;
    /// let b = s.sql("SELECT 'b' AS y, 2.5 AS z")?;
    /// let out = a.union_by_name(&b)?;
    /// assert_eq!(shoal::rows_to_strings(&out.collect()?)?, vec!["1, a, NULL", "NULL, b, 2.5"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn union_by_name(&self, other: &DataFrame) -> Result<DataFrame> {
        let mut names: Vec<String> = vec![];
        for f in self.schema().fields().iter().chain(other.schema().fields().iter()) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(f.name())) {
                names.push(f.name().clone());
            }
        }
        let side = |df: &DataFrame| -> Result<DataFrame> {
            let schema = df.plan.schema();
            let exprs = names.iter().map(|name| {
                let found = schema.fields().iter().position(|f| f.name().eq_ignore_ascii_case(name));
                match found {
                    Some(i) => Expr::Column(schema.column(i)).alias(name),
                    None => {
                        lit(shoal_common::ScalarValue::null(&arrow::datatypes::DataType::Null)).alias(name)
                    }
                }
            });
            Ok(df.with_plan(LogicalPlanBuilder::from(df.plan.clone()).project(exprs)?.build()?))
        };
        side(self)?.union(&side(other)?)
    }
}
