//! The set-operation cases of [`crate::PushDownFilter`]: a filter over `UNION ALL`,
//! `INTERSECT [ALL]` or `EXCEPT [ALL]` filters every input instead. This keeps results exact
//! because a row's presence and count in the output depend only on rows with the same values,
//! and a deterministic predicate gives all of those the same answer.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Filter, SetOperation, Union};
use shoal_expr::{Expr, LogicalPlan, PlanSchema};

use crate::utils::{is_deterministic, replace_columns};

/// `(new node, parts that stay above it, changed)`.
type Pushed = (LogicalPlan, Vec<Expr>, bool);

/// Rewrite `part` (over the set operation's output) onto `input`'s columns, by position.
fn onto_input(part: &Expr, out_schema: &PlanSchema, input: &LogicalPlan) -> Result<Option<Expr>> {
    let in_schema = input.schema();
    replace_columns(part.clone(), |c| {
        let Some(i) = out_schema.maybe_index_of_column(c).ok().flatten() else {
            return Ok(None);
        };
        let inner = in_schema.column(i);
        // The input's name must lead back to the same field.
        Ok((in_schema.maybe_index_of_column(&inner).ok().flatten() == Some(i)).then_some(Expr::Column(inner)))
    })
}

/// Push the parts that can be expressed over every input into all of them.
fn push_into_inputs(
    parts: Vec<Expr>,
    out_schema: &PlanSchema,
    inputs: &[&LogicalPlan],
) -> Result<(Vec<Vec<Expr>>, Vec<Expr>)> {
    let mut per_input: Vec<Vec<Expr>> = vec![vec![]; inputs.len()];
    let mut above = vec![];
    'parts: for part in parts {
        if !is_deterministic(&part) {
            above.push(part);
            continue;
        }
        let mut rewritten = Vec::with_capacity(inputs.len());
        for input in inputs {
            match onto_input(&part, out_schema, input)? {
                Some(e) => rewritten.push(e),
                None => {
                    above.push(part);
                    continue 'parts;
                }
            }
        }
        for (list, e) in per_input.iter_mut().zip(rewritten) {
            list.push(e);
        }
    }
    Ok((per_input, above))
}

fn filtered(input: &LogicalPlan, parts: Vec<Expr>) -> Result<Arc<LogicalPlan>> {
    Ok(Arc::new(match Expr::conjunction(parts) {
        Some(predicate) => LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(input.clone()))?),
        None => input.clone(),
    }))
}

pub(crate) fn through_union(parts: Vec<Expr>, u: Union) -> Result<Pushed> {
    let inputs: Vec<&LogicalPlan> = u.inputs.iter().map(|i| i.as_ref()).collect();
    let (per_input, above) = push_into_inputs(parts, &u.schema, &inputs)?;
    if per_input.iter().all(Vec::is_empty) {
        return Ok((LogicalPlan::Union(u), above, false));
    }
    let new_inputs = inputs.iter().zip(per_input).map(|(i, p)| filtered(i, p)).collect::<Result<Vec<_>>>()?;
    Ok((LogicalPlan::Union(Union::try_new(new_inputs)?), above, true))
}

pub(crate) fn through_set_operation(parts: Vec<Expr>, s: SetOperation) -> Result<Pushed> {
    let (per_input, above) = push_into_inputs(parts, &s.schema, &[&s.left, &s.right])?;
    if per_input.iter().all(Vec::is_empty) {
        return Ok((LogicalPlan::SetOperation(s), above, false));
    }
    let mut per_input = per_input.into_iter();
    let left = filtered(&s.left, per_input.next().unwrap_or_default())?;
    let right = filtered(&s.right, per_input.next().unwrap_or_default())?;
    Ok((LogicalPlan::SetOperation(SetOperation::try_new(s.op, s.all, left, right)?), above, true))
}
