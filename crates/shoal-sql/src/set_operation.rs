//! Set operations: `UNION [ALL]`, `INTERSECT [ALL]`, `EXCEPT [ALL]`. Inputs must have the same
//! number of columns; each column is cast to a common type; output names come from the left.

use shoal_common::Result;
use shoal_expr::{LogicalPlan, LogicalPlanBuilder, SetOpKind};
use sqlparser::ast::{SetExpr, SetOperator, SetQuantifier, Spanned};

use crate::span::{not_supported_at, WithSqlSpan};
use crate::SqlPlanner;

impl SqlPlanner<'_> {
    /// `left <op> right`.
    pub(crate) fn plan_set_operation(
        &self,
        body: &SetExpr,
        op: SetOperator,
        quantifier: SetQuantifier,
        left: &SetExpr,
        right: &SetExpr,
    ) -> Result<LogicalPlan> {
        let span = body.span();
        let all = is_all(quantifier).ok_or_else(|| not_supported_at(span, format!("{op} {quantifier}")))?;
        match op {
            SetOperator::Union => {
                // A chain `a UNION b UNION c` with one quantifier becomes a single n-ary union.
                let mut terms = vec![right];
                let mut rest = left;
                while let SetExpr::SetOperation { op: SetOperator::Union, set_quantifier, left, right } = rest
                {
                    if is_all(*set_quantifier) != Some(all) {
                        break;
                    }
                    terms.push(right);
                    rest = left;
                }
                terms.push(rest);
                terms.reverse();
                let plans = terms.into_iter().map(|t| self.plan_set_expr(t)).collect::<Result<Vec<_>>>()?;
                let union = LogicalPlanBuilder::union_all_of(plans).at(span)?;
                if all {
                    union.build()
                } else {
                    union.distinct().at(span)?.build()
                }
            }
            SetOperator::Intersect | SetOperator::Except | SetOperator::Minus => {
                let kind =
                    if op == SetOperator::Intersect { SetOpKind::Intersect } else { SetOpKind::Except };
                let left = self.plan_set_expr(left)?;
                let right = self.plan_set_expr(right)?;
                LogicalPlanBuilder::from(left).set_operation(kind, all, right).at(span)?.build()
            }
        }
    }
}

/// `Some(true)` for ALL, `Some(false)` for DISTINCT (the default), `None` for BY NAME.
fn is_all(quantifier: SetQuantifier) -> Option<bool> {
    match quantifier {
        SetQuantifier::All => Some(true),
        SetQuantifier::Distinct | SetQuantifier::None => Some(false),
        SetQuantifier::ByName | SetQuantifier::AllByName | SetQuantifier::DistinctByName => None,
    }
}
