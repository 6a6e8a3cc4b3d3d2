//! [`LogicalPlanBuilder`]: the one way plans are built, by SQL and by the DataFrame API alike.
//!
//! Every method type-checks and coerces the expressions it is given against its input, so an
//! unknown column or a type mismatch is reported by the call that introduced it.

use std::sync::Arc;

use shoal_common::{plan_err, Result};

use crate::expr::{Expr, SortExpr};
use crate::join::{split_join_condition, Join, JoinType};
use crate::plan::{
    Aggregate, EmptyRelation, Filter, Limit, LogicalPlan, Projection, Sort, SubqueryAlias, TableScan, Values,
};
use crate::schema::{PlanSchema, PlanSchemaRef};
use crate::table::TableSource;
use crate::type_coercion::coerce_expr;

/// Builds a [`LogicalPlan`] one operator at a time.
///
/// ```
/// use shoal_expr::{col, lit, LogicalPlanBuilder};
/// let plan = LogicalPlanBuilder::values(vec![vec![lit(1i64), lit("a")], vec![lit(2i64), lit("b")]])
///     .unwrap()
///     .filter(col("column1").gt(lit(1i64)))
///     .unwrap()
///     .project(vec![col("column2")])
///     .unwrap()
///     .build()
///     .unwrap();
/// assert_eq!(plan.schema().field(0).name(), "column2");
/// ```
#[derive(Debug, Clone)]
pub struct LogicalPlanBuilder {
    plan: LogicalPlan,
}

impl LogicalPlanBuilder {
    /// A builder that continues from `plan`.
    pub fn from(plan: LogicalPlan) -> Self {
        Self { plan }
    }

    /// Scan a whole table under `table_name`.
    pub fn scan(table_name: impl Into<String>, source: Arc<dyn TableSource>) -> Result<Self> {
        Ok(Self::from(LogicalPlan::TableScan(TableScan::try_new(table_name, source, None, vec![], None)?)))
    }

    /// No input rows (`produce_one_row = false`) or a single row with no columns.
    pub fn empty(produce_one_row: bool) -> Self {
        Self::from(LogicalPlan::EmptyRelation(EmptyRelation {
            produce_one_row,
            schema: Arc::new(PlanSchema::empty()),
        }))
    }

    /// Literal rows; columns are named `column1`, `column2`, ...
    pub fn values(rows: Vec<Vec<Expr>>) -> Result<Self> {
        Ok(Self::from(LogicalPlan::Values(Values::try_new(rows)?)))
    }

    /// The schema of the plan built so far.
    pub fn schema(&self) -> &PlanSchemaRef {
        self.plan.schema()
    }

    /// Coerce `expr` against the current output schema (for callers building expressions).
    pub fn coerce(&self, expr: Expr) -> Result<Expr> {
        coerce_expr(expr, self.plan.schema())
    }

    /// Expand `*` / `t.*` into the columns of the current schema.
    pub fn expand_wildcard(&self, qualifier: Option<&str>) -> Result<Vec<Expr>> {
        let schema = self.plan.schema();
        let cols: Vec<Expr> = (0..schema.len())
            .filter(|&i| match qualifier {
                None => true,
                Some(q) => schema.qualifier(i).is_some_and(|s| s.eq_ignore_ascii_case(q)),
            })
            .map(|i| Expr::Column(schema.column(i)))
            .collect();
        if cols.is_empty() {
            if let Some(q) = qualifier {
                return plan_err!("'{q}.*' matches no columns: there is no table or alias '{q}' in FROM");
            }
        }
        Ok(cols)
    }

    /// Compute `exprs` from each row (wildcards are expanded).
    pub fn project(self, exprs: impl IntoIterator<Item = Expr>) -> Result<Self> {
        let mut out = vec![];
        for e in exprs {
            match e {
                Expr::Wildcard { qualifier } => out.extend(self.expand_wildcard(qualifier.as_deref())?),
                e => out.push(self.coerce(e)?),
            }
        }
        Ok(Self::from(LogicalPlan::Projection(Projection::try_new(out, Arc::new(self.plan))?)))
    }

    /// Keep the rows where `predicate` is true.
    pub fn filter(self, predicate: Expr) -> Result<Self> {
        let predicate = self.coerce(predicate)?;
        Ok(Self::from(LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(self.plan))?)))
    }

    /// Group by `group_expr`, computing the aggregate calls `aggr_expr` (optionally aliased).
    pub fn aggregate(self, group_expr: Vec<Expr>, aggr_expr: Vec<Expr>) -> Result<Self> {
        let group_expr = group_expr.into_iter().map(|e| self.coerce(e)).collect::<Result<Vec<_>>>()?;
        let aggr_expr = aggr_expr.into_iter().map(|e| self.coerce(e)).collect::<Result<Vec<_>>>()?;
        for a in &aggr_expr {
            if !matches!(a.clone().unalias(), Expr::AggregateFunction(_)) {
                return plan_err!("{a} is not an aggregate function call");
            }
        }
        Ok(Self::from(LogicalPlan::Aggregate(Aggregate::try_new(
            Arc::new(self.plan),
            group_expr,
            aggr_expr,
        )?)))
    }

    /// Order by `exprs`.
    pub fn sort(self, exprs: Vec<SortExpr>) -> Result<Self> {
        let exprs = exprs
            .into_iter()
            .map(|s| Ok(SortExpr { expr: self.coerce(s.expr)?, ..s }))
            .collect::<Result<Vec<_>>>()?;
        for s in &exprs {
            if s.expr.contains_aggregate() {
                return plan_err!("aggregate function {} is not allowed in ORDER BY here", s.expr);
            }
        }
        Ok(Self::from(LogicalPlan::Sort(Sort { exprs, input: Arc::new(self.plan), fetch: None })))
    }

    /// Skip `skip` rows, then keep at most `fetch`.
    pub fn limit(self, skip: usize, fetch: Option<usize>) -> Result<Self> {
        Ok(Self::from(LogicalPlan::Limit(Limit { skip, fetch, input: Arc::new(self.plan) })))
    }

    /// Remove duplicate rows (a group-by on every column).
    pub fn distinct(self) -> Result<Self> {
        let cols: Vec<Expr> = self.plan.schema().columns().into_iter().map(Expr::Column).collect();
        Ok(Self::from(LogicalPlan::Aggregate(Aggregate::try_new(Arc::new(self.plan), cols, vec![])?)))
    }

    /// Give the relation a new name (`AS alias`).
    pub fn alias(self, alias: impl Into<String>) -> Result<Self> {
        Ok(Self::from(LogicalPlan::SubqueryAlias(SubqueryAlias::try_new(Arc::new(self.plan), alias)?)))
    }

    /// Join with `right` on the key pairs `on` (left expressions over this plan, right ones
    /// over `right`) and an optional residual `filter` over the joined columns.
    pub fn join(
        self,
        right: LogicalPlan,
        join_type: JoinType,
        on: (Vec<Expr>, Vec<Expr>),
        filter: Option<Expr>,
    ) -> Result<Self> {
        let (l, r) = on;
        if l.len() != r.len() {
            return plan_err!(
                "join keys differ in number: {} on the left, {} on the right",
                l.len(),
                r.len()
            );
        }
        Ok(Self::from(LogicalPlan::Join(Join::try_new(
            Arc::new(self.plan),
            Arc::new(right),
            l.into_iter().zip(r).collect(),
            filter,
            join_type,
            false,
        )?)))
    }

    /// Join with `right` where `condition` holds: equalities between a left-only and a
    /// right-only expression become hash keys, the rest the residual filter.
    pub fn join_on(self, right: LogicalPlan, join_type: JoinType, condition: Expr) -> Result<Self> {
        let joined = self.plan.schema().join(right.schema());
        let condition = coerce_expr(condition, &joined)?;
        let (on, filter) = split_join_condition(condition, self.plan.schema(), right.schema())?;
        Ok(Self::from(LogicalPlan::Join(Join::try_new(
            Arc::new(self.plan),
            Arc::new(right),
            on,
            filter,
            join_type,
            false,
        )?)))
    }

    /// Every row of this plan paired with every row of `right`.
    pub fn cross_join(self, right: LogicalPlan) -> Result<Self> {
        Ok(Self::from(LogicalPlan::Join(Join::try_new(
            Arc::new(self.plan),
            Arc::new(right),
            vec![],
            None,
            JoinType::Inner,
            false,
        )?)))
    }

    /// The plan built so far.
    pub fn build(self) -> Result<LogicalPlan> {
        Ok(self.plan)
    }
}
