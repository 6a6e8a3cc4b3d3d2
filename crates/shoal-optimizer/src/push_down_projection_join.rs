//! The `Join` case of [`crate::PushDownProjection`]: each input keeps the columns the parent
//! reads from it plus those of the join keys and the residual filter.

use std::collections::BTreeSet;
use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::Join;
use shoal_expr::{LogicalPlan, Transformed};

use crate::push_down_projection_union::Prune;
use crate::utils::column_indices;

/// Narrow the inputs of `join` to what the output columns `required` (positions in the join's
/// output) and the join itself read.
pub(crate) fn prune_join(
    join: Join,
    required: &BTreeSet<usize>,
    prune: Prune,
) -> Result<Transformed<LogicalPlan>> {
    let left_len = join.left.schema().len();
    let (mut left_req, mut right_req) = (BTreeSet::new(), BTreeSet::new());
    if join.join_type.outputs_both_sides() {
        for &i in required {
            if i < left_len {
                left_req.insert(i);
            } else {
                right_req.insert(i - left_len);
            }
        }
    } else if matches!(join.join_type, shoal_expr::JoinType::LeftSemi | shoal_expr::JoinType::LeftAnti) {
        left_req.extend(required.iter().copied());
    } else {
        right_req.extend(required.iter().copied());
    }
    left_req.extend(column_indices(join.on.iter().map(|(l, _)| l), join.left.schema())?);
    right_req.extend(column_indices(join.on.iter().map(|(_, r)| r), join.right.schema())?);
    if let Some(f) = &join.filter {
        let joined = join.left.schema().join(join.right.schema());
        for i in column_indices([f], &joined)? {
            if i < left_len {
                left_req.insert(i);
            } else {
                right_req.insert(i - left_len);
            }
        }
    }
    let left = prune(Arc::unwrap_or_clone(Arc::clone(&join.left)), &left_req)?;
    let right = prune(Arc::unwrap_or_clone(Arc::clone(&join.right)), &right_req)?;
    if !left.transformed && !right.transformed {
        return Ok(Transformed::no(LogicalPlan::Join(join)));
    }
    Ok(Transformed::yes(LogicalPlan::Join(join.with_new_inputs(Arc::new(left.data), Arc::new(right.data))?)))
}
