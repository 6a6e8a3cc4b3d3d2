//! The `Window` case of [`crate::PushDownProjection`]: window functions whose column the parent
//! does not use are dropped, and the input keeps only the columns the parent and the remaining
//! window functions (arguments, PARTITION BY, ORDER BY) read.

use std::collections::BTreeSet;
use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::{LogicalPlan, Transformed, Window};

use crate::push_down_projection_union::Prune;
use crate::utils::column_indices;

/// Narrow `w` to the output columns `required` (positions in the window's output).
pub(crate) fn prune_window(
    w: Window,
    required: &BTreeSet<usize>,
    prune: Prune,
) -> Result<Transformed<LogicalPlan>> {
    let width = w.input.schema().len();
    let window_expr: Vec<_> = w
        .window_expr
        .iter()
        .enumerate()
        .filter(|(i, _)| required.contains(&(width + i)))
        .map(|(_, e)| e.clone())
        .collect();
    let dropped = window_expr.len() != w.window_expr.len();
    let mut child: BTreeSet<usize> = required.iter().copied().filter(|&i| i < width).collect();
    child.extend(column_indices(&window_expr, w.input.schema())?);
    let input = prune(Arc::unwrap_or_clone(w.input), &child)?;
    if window_expr.is_empty() {
        // No window column is used: the input alone gives the parent what it reads.
        return Ok(Transformed::yes(input.data));
    }
    if !dropped && !input.transformed {
        return Ok(Transformed::no(LogicalPlan::Window(Window {
            input: Arc::new(input.data),
            window_expr,
            schema: w.schema,
        })));
    }
    Ok(Transformed::yes(LogicalPlan::Window(Window::try_new(Arc::new(input.data), window_expr)?)))
}
