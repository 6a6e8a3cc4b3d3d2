//! [`Join`]: the logical join node — equi-join keys, a residual filter, and the join type that
//! decides which rows survive and which side's columns are output.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field};
use shoal_common::{internal_err, plan_err, Result};

use crate::expr::{BinaryExpr, Expr, Operator};
use crate::plan::LogicalPlan;
use crate::schema::{PlanSchema, PlanSchemaRef};
use crate::type_coercion::{cast_to, coerce_expr, comparison_coercion};

/// Which rows a join outputs.
///
/// Inner/Left/Right/Full output the left columns followed by the right columns; the semi and
/// anti joins output only the columns of their side (`LeftSemi`: left rows with at least one
/// match; `LeftAnti`: left rows without any match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinType {
    /// Matching pairs only.
    Inner,
    /// Matching pairs, plus each unmatched left row with NULLs for the right columns.
    Left,
    /// Matching pairs, plus each unmatched right row with NULLs for the left columns.
    Right,
    /// Matching pairs, plus the unmatched rows of both sides padded with NULLs.
    Full,
    /// Each left row with at least one match, once; left columns only.
    LeftSemi,
    /// Each left row without any match; left columns only.
    LeftAnti,
    /// Each right row with at least one match, once; right columns only.
    RightSemi,
    /// Each right row without any match; right columns only.
    RightAnti,
}

impl JoinType {
    /// The same join with its inputs swapped (`a LEFT JOIN b` == `b RIGHT JOIN a`, up to the
    /// column order).
    pub fn swap(self) -> JoinType {
        match self {
            JoinType::Inner => JoinType::Inner,
            JoinType::Left => JoinType::Right,
            JoinType::Right => JoinType::Left,
            JoinType::Full => JoinType::Full,
            JoinType::LeftSemi => JoinType::RightSemi,
            JoinType::LeftAnti => JoinType::RightAnti,
            JoinType::RightSemi => JoinType::LeftSemi,
            JoinType::RightAnti => JoinType::LeftAnti,
        }
    }
    /// True when the output holds the columns of both sides.
    pub fn outputs_both_sides(self) -> bool {
        matches!(self, JoinType::Inner | JoinType::Left | JoinType::Right | JoinType::Full)
    }
    /// Are unmatched left rows kept (with NULLs for the right columns)?
    pub fn preserves_left(self) -> bool {
        matches!(self, JoinType::Left | JoinType::Full)
    }
    /// Are unmatched right rows kept (with NULLs for the left columns)?
    pub fn preserves_right(self) -> bool {
        matches!(self, JoinType::Right | JoinType::Full)
    }
}

impl fmt::Display for JoinType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JoinType::Inner => "Inner",
            JoinType::Left => "Left",
            JoinType::Right => "Right",
            JoinType::Full => "Full",
            JoinType::LeftSemi => "LeftSemi",
            JoinType::LeftAnti => "LeftAnti",
            JoinType::RightSemi => "RightSemi",
            JoinType::RightAnti => "RightAnti",
        })
    }
}

/// Join `left` and `right`: a pair of rows matches when every key pair of `on` is equal (NULL
/// keys never match) and `filter` is true on the joined row. No keys and no filter is a cross
/// join.
#[derive(Debug, Clone)]
pub struct Join {
    /// The left input (its columns come first in the output).
    pub left: Arc<LogicalPlan>,
    /// The right input.
    pub right: Arc<LogicalPlan>,
    /// Equi-join key pairs: left expression over the left schema, right over the right schema,
    /// of the same type.
    pub on: Vec<(Expr, Expr)>,
    /// Residual condition over the joined schema (left columns then right columns).
    pub filter: Option<Expr>,
    /// Which rows are output, and which columns.
    pub join_type: JoinType,
    /// `NOT IN` semantics for an anti join: if the right side has a NULL key the result is
    /// empty, and left rows with a NULL key are dropped.
    pub null_aware: bool,
    /// Output schema: see [`Join::joined_schema`] (columns of the outer side's partner become
    /// nullable).
    pub schema: PlanSchemaRef,
}

impl Join {
    /// Validate and type the join: key pairs are coerced to a common type, the filter must be
    /// boolean over the joined schema.
    pub fn try_new(
        left: Arc<LogicalPlan>,
        right: Arc<LogicalPlan>,
        on: Vec<(Expr, Expr)>,
        filter: Option<Expr>,
        join_type: JoinType,
        null_aware: bool,
    ) -> Result<Self> {
        let (ls, rs) = (left.schema(), right.schema());
        let mut keys = Vec::with_capacity(on.len());
        for (l, r) in on {
            let l = coerce_expr(l, ls)?;
            let r = coerce_expr(r, rs)?;
            let (lt, rt) = (l.get_type(ls)?, r.get_type(rs)?);
            if lt == rt {
                keys.push((l, r));
                continue;
            }
            let Some(t) = comparison_coercion(&lt, &rt) else {
                return plan_err!("cannot join on {l} = {r}: {lt} and {rt} are not comparable");
            };
            keys.push((cast_to(l, &lt, &t)?, cast_to(r, &rt, &t)?));
        }
        let joined = Arc::new(Self::joined_schema(ls, rs, JoinType::Inner));
        let filter = match filter {
            Some(f) => {
                let f = coerce_expr(f, &joined)?;
                let t = f.get_type(&joined)?;
                if !matches!(t, DataType::Boolean | DataType::Null) {
                    return plan_err!("a join condition must be boolean, but {f} is {t}");
                }
                if f.contains_aggregate() {
                    return plan_err!("aggregate functions are not allowed in a join condition");
                }
                Some(f)
            }
            None => None,
        };
        if null_aware && !matches!(join_type, JoinType::LeftAnti) {
            return internal_err!("null-aware joins must be LeftAnti, got {join_type}");
        }
        let schema = Arc::new(Self::joined_schema(ls, rs, join_type));
        Ok(Self { left, right, on: keys, filter, join_type, null_aware, schema })
    }

    /// The output schema of a join of `left` and `right` of type `join_type`.
    pub fn joined_schema(left: &PlanSchema, right: &PlanSchema, join_type: JoinType) -> PlanSchema {
        let nullable = |s: &PlanSchema| {
            let fields = s.fields().iter().map(|f| Arc::new(Field::clone(f).with_nullable(true))).collect();
            // Same length by construction.
            PlanSchema::new(fields, s.qualifiers().to_vec()).unwrap_or_else(|_| s.clone())
        };
        match join_type {
            JoinType::Inner => left.join(right),
            JoinType::Left => left.join(&nullable(right)),
            JoinType::Right => nullable(left).join(right),
            JoinType::Full => nullable(left).join(&nullable(right)),
            JoinType::LeftSemi | JoinType::LeftAnti => left.clone(),
            JoinType::RightSemi | JoinType::RightAnti => right.clone(),
        }
    }

    /// The equality condition of the keys and the filter as one predicate (`None` for a cross
    /// join).
    pub fn condition(&self) -> Option<Expr> {
        let eqs = self.on.iter().map(|(l, r)| l.clone().eq(r.clone()));
        Expr::conjunction(eqs.chain(self.filter.clone()))
    }

    /// The same join over new inputs (types and schema recomputed).
    pub fn with_new_inputs(&self, left: Arc<LogicalPlan>, right: Arc<LogicalPlan>) -> Result<Self> {
        Self::try_new(left, right, self.on.clone(), self.filter.clone(), self.join_type, self.null_aware)
    }

    /// One line for EXPLAIN.
    pub fn description(&self) -> String {
        let mut out = if self.on.is_empty() && self.filter.is_none() {
            if self.join_type == JoinType::Inner {
                return "CrossJoin".to_string();
            }
            format!("Join: type={}", self.join_type)
        } else {
            format!("Join: type={}", self.join_type)
        };
        if !self.on.is_empty() {
            let keys: Vec<String> = self.on.iter().map(|(l, r)| format!("{l} = {r}")).collect();
            out.push_str(&format!(", on=[{}]", keys.join(", ")));
        }
        if let Some(f) = &self.filter {
            out.push_str(&format!(", filter={f}"));
        }
        if self.null_aware {
            out.push_str(", null_aware");
        }
        out
    }
}

/// Equi-join key pairs and the residual filter of a join condition.
pub type SplitCondition = (Vec<(Expr, Expr)>, Option<Expr>);

/// Split a join condition into equi-join key pairs (an equality between an expression over only
/// the left columns and one over only the right columns) and the residual filter.
pub fn split_join_condition(
    condition: Expr,
    left: &PlanSchema,
    right: &PlanSchema,
) -> Result<SplitCondition> {
    let mut on = vec![];
    let mut rest = vec![];
    for part in split_owned(condition) {
        if let Expr::BinaryExpr(BinaryExpr { left: l, op: Operator::Eq, right: r }) = &part {
            match (side_of(l, left, right)?, side_of(r, left, right)?) {
                (Side::Left, Side::Right) => {
                    on.push((l.as_ref().clone(), r.as_ref().clone()));
                    continue;
                }
                (Side::Right, Side::Left) => {
                    on.push((r.as_ref().clone(), l.as_ref().clone()));
                    continue;
                }
                _ => {}
            }
        }
        rest.push(part);
    }
    Ok((on, Expr::conjunction(rest)))
}

fn split_owned(expr: Expr) -> Vec<Expr> {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::And, right }) => {
            let mut v = split_owned(*left);
            v.extend(split_owned(*right));
            v
        }
        e => vec![e],
    }
}

/// Which input an expression's columns come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// No columns (a constant).
    Neither,
    /// Only columns of the left input.
    Left,
    /// Only columns of the right input.
    Right,
    /// Columns of both inputs.
    Both,
}

/// Which input `expr`'s columns resolve in. A column found on both sides is ambiguous and
/// reported as an error.
pub fn side_of(expr: &Expr, left: &PlanSchema, right: &PlanSchema) -> Result<Side> {
    let mut side = Side::Neither;
    for c in expr.column_refs() {
        let in_left = left.maybe_index_of_column(&c)?.is_some();
        let in_right = right.maybe_index_of_column(&c)?.is_some();
        let s = match (in_left, in_right) {
            (true, false) => Side::Left,
            (false, true) => Side::Right,
            (true, true) => {
                return plan_err!(
                    "column reference '{}' is ambiguous: it is in both join inputs",
                    c.flat_name()
                )
            }
            (false, false) => return Err(left.join(right).unknown_column_error(&c)),
        };
        side = match (side, s) {
            (Side::Neither, s) => s,
            (a, b) if a == b => a,
            _ => Side::Both,
        };
    }
    Ok(side)
}
