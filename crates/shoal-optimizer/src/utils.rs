//! Small helpers shared by the rules: splitting conjunctions, determinism checks, rewriting
//! column references, and the empty relation that replaces a node.

use std::collections::BTreeSet;
use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::EmptyRelation;
use shoal_expr::{
    BinaryExpr, Column, Expr, LogicalPlan, Operator, PlanSchema, Transformed, TreeNode, TreeNodeRecursion,
};

/// Split `a AND b AND c` into owned `[a, b, c]`.
pub(crate) fn split_conjunction_owned(expr: Expr) -> Vec<Expr> {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::And, right }) => {
            let mut parts = split_conjunction_owned(*left);
            parts.extend(split_conjunction_owned(*right));
            parts
        }
        Expr::Alias(a) => split_conjunction_owned(*a.expr),
        e => vec![e],
    }
}

/// True when `expr` calls no non-deterministic function (so it may be folded, moved or merged).
pub(crate) fn is_deterministic(expr: &Expr) -> bool {
    let mut deterministic = true;
    let _ = expr.apply(|e| {
        if let Expr::ScalarFunction(f) = e {
            if !f.func.is_deterministic() {
                deterministic = false;
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    deterministic
}

/// Replace every column reference of `expr` by `map(column)`; `None` when some column has no
/// replacement (the expression cannot be rewritten).
pub(crate) fn replace_columns(
    expr: Expr,
    mut map: impl FnMut(&Column) -> Result<Option<Expr>>,
) -> Result<Option<Expr>> {
    let mut complete = true;
    // Bottom-up, so a replacement is never itself rewritten again.
    let out = expr.transform_up(|e| match e {
        Expr::Column(c) => match map(&c)? {
            Some(new) => Ok(Transformed::yes(new)),
            None => {
                complete = false;
                Ok(Transformed::no(Expr::Column(c)))
            }
        },
        e => Ok(Transformed::no(e)),
    })?;
    Ok(complete.then_some(out.data))
}

/// The indices in `schema` of every column `exprs` refer to.
pub(crate) fn column_indices<'a>(
    exprs: impl IntoIterator<Item = &'a Expr>,
    schema: &PlanSchema,
) -> Result<BTreeSet<usize>> {
    let mut out = BTreeSet::new();
    for e in exprs {
        for c in e.column_refs() {
            out.insert(schema.index_of_column(&c)?);
        }
    }
    Ok(out)
}

/// A relation with no rows and the schema of `plan`.
pub(crate) fn empty_like(plan: &LogicalPlan) -> LogicalPlan {
    LogicalPlan::EmptyRelation(EmptyRelation { produce_one_row: false, schema: Arc::clone(plan.schema()) })
}

/// True for an `EmptyRelation` that produces no rows.
pub(crate) fn is_empty_relation(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::EmptyRelation(e) if !e.produce_one_row)
}
