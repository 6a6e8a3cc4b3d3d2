//! The `Window` case of [`crate::PushDownFilter`]: a conjunct that reads only columns every
//! window function of the node partitions by may move below the `Window` (it removes whole
//! partitions, which does not change the results of the others); any other conjunct stays
//! above, since removing rows changes ranks, frames and neighbours.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::{Expr, LogicalPlan, Window};

use crate::utils::{is_deterministic, replace_columns};

/// Returns the new input, the conjuncts that stay above it, and whether anything moved.
pub(crate) fn below_window(parts: Vec<Expr>, w: Window) -> Result<(LogicalPlan, Vec<Expr>, bool)> {
    let in_schema = Arc::clone(w.input.schema());
    // Input positions of the plain columns every window function partitions by.
    let mut common: Option<Vec<usize>> = None;
    for e in &w.window_expr {
        let Expr::WindowFunction(call) = e.clone().unalias() else {
            return Ok((LogicalPlan::Window(w), parts, false));
        };
        let cols: Vec<usize> = call
            .partition_by
            .iter()
            .filter_map(|p| match p {
                Expr::Column(c) => in_schema.maybe_index_of_column(c).ok().flatten(),
                _ => None,
            })
            .collect();
        common = Some(match common {
            None => cols,
            Some(prev) => prev.into_iter().filter(|i| cols.contains(i)).collect(),
        });
    }
    let common = common.unwrap_or_default();
    let mut below = vec![];
    let mut above = vec![];
    for part in parts {
        if !is_deterministic(&part) || part.contains_window() {
            above.push(part);
            continue;
        }
        let rewritten = replace_columns(part.clone(), |c| {
            Ok(match w.schema.maybe_index_of_column(c).ok().flatten() {
                Some(i) if common.contains(&i) => Some(Expr::Column(in_schema.column(i))),
                _ => None,
            })
        })?;
        match rewritten {
            Some(e) => below.push(e),
            None => above.push(part),
        }
    }
    if below.is_empty() {
        return Ok((LogicalPlan::Window(w), above, false));
    }
    let predicate = Expr::conjunction(below).unwrap_or_else(|| Expr::Literal(true.into()));
    let filtered = LogicalPlan::Filter(shoal_expr::plan::Filter::try_new(predicate, w.input)?);
    let window = Window::try_new(Arc::new(filtered), w.window_expr)?;
    Ok((LogicalPlan::Window(window), above, true))
}
