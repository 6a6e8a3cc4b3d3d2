//! The set-operation cases of [`crate::PropagateEmptyRelation`]: empty inputs of a `Union` are
//! dropped (the union is empty when all are), and `INTERSECT` with an empty right input is empty.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Projection, SetOpKind, Union};
use shoal_expr::{Expr, LogicalPlan, PlanSchema, Transformed};

use crate::utils::{empty_like, is_empty_relation};

/// `Some(rewritten)` when an empty input lets `node` (a Union or SetOperation) be simplified.
pub(crate) fn simplify_set_operation(node: &LogicalPlan) -> Result<Option<Transformed<LogicalPlan>>> {
    match node {
        LogicalPlan::SetOperation(s) if s.op == SetOpKind::Intersect && is_empty_relation(&s.right) => {
            Ok(Some(Transformed::yes(empty_like(node))))
        }
        LogicalPlan::Union(u) => {
            let kept: Vec<&Arc<LogicalPlan>> = u.inputs.iter().filter(|i| !is_empty_relation(i)).collect();
            if kept.len() == u.inputs.len() {
                return Ok(None);
            }
            let plan = match kept.as_slice() {
                [] => empty_like(node),
                [only] => renamed_to(only, &u.schema)?,
                [first, rest @ ..] => {
                    let mut inputs = vec![Arc::new(renamed_to(first, &u.schema)?)];
                    inputs.extend(rest.iter().map(|i| Arc::clone(i)));
                    LogicalPlan::Union(Union::try_new(inputs)?)
                }
            };
            Ok(Some(Transformed::yes(plan)))
        }
        _ => Ok(None),
    }
}

/// `input` with its columns named (unqualified) as in `schema`, which has the same width.
fn renamed_to(input: &LogicalPlan, schema: &PlanSchema) -> Result<LogicalPlan> {
    let in_schema = input.schema();
    let same = (0..schema.len())
        .all(|i| in_schema.field(i).name() == schema.field(i).name() && in_schema.qualifier(i).is_none());
    if same {
        return Ok(input.clone());
    }
    let exprs = (0..schema.len())
        .map(|i| Expr::Column(in_schema.column(i)).alias(schema.field(i).name()))
        .collect::<Vec<_>>();
    Ok(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(input.clone()))?))
}
