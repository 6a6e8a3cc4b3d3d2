//! Joins in FROM: `a, b` (a cross join, turned into an inner join later by predicate
//! pushdown), `[INNER] JOIN .. ON`, `LEFT/RIGHT/FULL [OUTER] JOIN`, `CROSS JOIN`, `NATURAL`,
//! `USING (..)`, and DuckDB's `SEMI JOIN` / `ANTI JOIN`.
//!
//! `USING` and `NATURAL` output each join column once, first (PostgreSQL's order): the left
//! input's value for inner and left joins, the right's for right joins, and
//! `coalesce(left, right)` for full joins. The column keeps the qualifier of the side it comes
//! from (none for full joins), so `t1.k` still resolves after `t1 JOIN t2 USING (k)`.

use shoal_common::Result;
use shoal_expr::{Case, Column, Expr, JoinType, LogicalPlan, LogicalPlanBuilder};
use sqlparser::ast::{
    Join, JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, Spanned, TableWithJoins,
};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::expr::ExprScope;
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

impl SqlPlanner<'_> {
    /// A FROM list: the relations cross-joined, left to right.
    pub(crate) fn plan_from_list(&self, from: &[TableWithJoins]) -> Result<LogicalPlan> {
        let mut plan: Option<LogicalPlan> = None;
        for twj in from {
            let right = self.plan_table_with_joins(twj)?;
            plan = Some(match plan {
                None => right,
                Some(left) => LogicalPlanBuilder::from(left)
                    .cross_join(right)
                    .and_then(LogicalPlanBuilder::build)
                    .at(twj.span())?,
            });
        }
        match plan {
            Some(p) => Ok(p),
            None => LogicalPlanBuilder::empty(true).build(),
        }
    }

    /// `relation [JOIN relation ...]`, joined left-deep in the written order.
    pub(crate) fn plan_table_with_joins(&self, twj: &TableWithJoins) -> Result<LogicalPlan> {
        let mut plan = self.plan_table_factor(&twj.relation)?;
        for join in &twj.joins {
            plan = self.plan_join(plan, join)?;
        }
        Ok(plan)
    }

    fn plan_join(&self, left: LogicalPlan, join: &Join) -> Result<LogicalPlan> {
        let span = join.span();
        let right = self.plan_table_factor(&join.relation)?;
        let (join_type, constraint) = match &join.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinType::Inner, c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinType::Left, c),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinType::Right, c),
            JoinOperator::FullOuter(c) => (JoinType::Full, c),
            JoinOperator::CrossJoin(c) => (JoinType::Inner, c),
            JoinOperator::Semi(c) | JoinOperator::LeftSemi(c) => (JoinType::LeftSemi, c),
            JoinOperator::Anti(c) | JoinOperator::LeftAnti(c) => (JoinType::LeftAnti, c),
            JoinOperator::RightSemi(c) => (JoinType::RightSemi, c),
            JoinOperator::RightAnti(c) => (JoinType::RightAnti, c),
            other => return Err(not_supported_at(span, format!("the join {other:?}"))),
        };
        if join.global {
            return Err(not_supported_at(span, "GLOBAL joins"));
        }
        match constraint {
            JoinConstraint::None => {
                if !matches!(join_type, JoinType::Inner) {
                    return Err(plan_error_at(
                        span,
                        format!("a {join_type} join needs an ON or USING condition"),
                    ));
                }
                LogicalPlanBuilder::from(left).cross_join(right).and_then(LogicalPlanBuilder::build).at(span)
            }
            JoinConstraint::On(on) => {
                let joined = left.schema().join(right.schema());
                let condition = self.sql_to_expr(on, &ExprScope::new(&joined))?;
                if condition.contains_aggregate() {
                    return Err(plan_error_at(
                        on.span(),
                        "aggregate functions are not allowed in JOIN conditions",
                    ));
                }
                LogicalPlanBuilder::from(left)
                    .join_on(right, join_type, condition)
                    .and_then(LogicalPlanBuilder::build)
                    .at(on.span())
            }
            JoinConstraint::Using(names) => {
                let columns = names.iter().map(using_column).collect::<Result<Vec<_>>>()?;
                join_using(left, right, join_type, &columns, span)
            }
            JoinConstraint::Natural => {
                let (ls, rs) = (left.schema(), right.schema());
                let mut columns: Vec<(String, SqlSpan)> = vec![];
                for f in ls.fields() {
                    let name = f.name();
                    let in_right = rs.fields().iter().any(|r| r.name() == name);
                    if in_right && !columns.iter().any(|(c, _)| c == name) {
                        columns.push((name.clone(), span));
                    }
                }
                if columns.is_empty() {
                    return LogicalPlanBuilder::from(left)
                        .cross_join(right)
                        .and_then(LogicalPlanBuilder::build)
                        .at(span);
                }
                join_using(left, right, join_type, &columns, span)
            }
        }
    }
}

fn using_column(name: &ObjectName) -> Result<(String, SqlSpan)> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Ok((id.value.clone(), id.span)),
        _ => Err(plan_error_at(name.span(), format!("USING needs plain column names, got {name}"))),
    }
}

/// The column `name` of one join input (unqualified lookup; ambiguity is an error).
fn side_column(plan: &LogicalPlan, name: &str, side: &str, span: SqlSpan) -> Result<Column> {
    let schema = plan.schema();
    match schema.maybe_index_of_column(&Column::from_name(name)).at(span)? {
        Some(i) => Ok(schema.column(i)),
        None => Err(plan_error_at(
            span,
            format!("column '{name}' in USING is not in the {side} input of the join"),
        )),
    }
}

/// `left JOIN right USING (columns)`: equi-join on the columns, then output each once.
fn join_using(
    left: LogicalPlan,
    right: LogicalPlan,
    join_type: JoinType,
    columns: &[(String, SqlSpan)],
    span: SqlSpan,
) -> Result<LogicalPlan> {
    let mut pairs = vec![];
    for (name, col_span) in columns {
        let l = side_column(&left, name, "left", *col_span)?;
        let r = side_column(&right, name, "right", *col_span)?;
        pairs.push((l, r));
    }
    let (lkeys, rkeys): (Vec<Expr>, Vec<Expr>) =
        pairs.iter().map(|(l, r)| (Expr::Column(l.clone()), Expr::Column(r.clone()))).unzip();
    let (left_len, right_len) = (left.schema().len(), right.schema().len());
    let joined = LogicalPlanBuilder::from(left).join(right, join_type, (lkeys, rkeys), None).at(span)?;
    if !join_type.outputs_both_sides() {
        return joined.build();
    }
    // Join columns first (once), then the other left columns, then the other right columns.
    let schema = joined.schema().clone();
    let mut exprs = vec![];
    let mut used = vec![false; schema.len()];
    for (l, r) in &pairs {
        let li = position_in(&schema, 0..left_len, l).at(span)?;
        let ri = position_in(&schema, left_len..left_len + right_len, r).at(span)?;
        if let Some(u) = used.get_mut(li) {
            *u = true;
        }
        if let Some(u) = used.get_mut(ri) {
            *u = true;
        }
        let (lc, rc) = (Expr::Column(schema.column(li)), Expr::Column(schema.column(ri)));
        exprs.push(match join_type {
            JoinType::Right => rc,
            JoinType::Full => Expr::Case(Case {
                expr: None,
                when_then: vec![(lc.clone().is_not_null(), lc)],
                else_expr: Some(Box::new(rc)),
            })
            .alias(&l.name),
            _ => lc,
        });
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            exprs.push(Expr::Column(schema.column(i)));
        }
    }
    joined.project(exprs).and_then(LogicalPlanBuilder::build).at(span)
}

/// The index of `column` among the fields `range` of a joined schema.
fn position_in(
    schema: &shoal_expr::PlanSchema,
    mut range: std::ops::Range<usize>,
    column: &Column,
) -> Result<usize> {
    range
        .find(|&i| {
            let c = schema.column(i);
            c.name == column.name && c.relation == column.relation
        })
        .ok_or_else(|| shoal_common::ShoalError::Internal(format!("USING column {column} lost in the join")))
}
