//! Joins: [`HashJoinExec`] for joins with equality keys, [`NestedLoopJoinExec`] for the rest,
//! and [`plan_join`], which picks the operator and the build side (the smaller input by
//! estimated rows).

mod build;
mod hash_join;
mod hash_table;
mod key_bitmap;
mod key_codec;
mod nested_loop_join;
mod output;

use std::sync::Arc;

use shoal_common::{Result, SessionConfig};
use shoal_expr::cardinality::{describe_rows, estimate_rows};
use shoal_expr::plan::Join;
use shoal_expr::{Expr, PlanSchema};
use shoal_physical_expr::create_physical_expr;

pub use hash_join::{HashJoinExec, JoinSpec};
pub use nested_loop_join::NestedLoopJoinExec;
pub use output::{BuildSide, JoinFilter};

use crate::plan::ExecutionPlan;

/// The side to build: the one with fewer estimated rows (the right one on a tie or when
/// nothing is known); NOT IN (null-aware) joins always build the subquery side. Every join
/// type can build either side (the operators track matched build rows for outer, semi and
/// anti joins), so no join type needs swapping.
fn choose_build_side(join: &Join, left: Option<f64>, right: Option<f64>) -> BuildSide {
    if join.null_aware {
        return BuildSide::Right;
    }
    match (left, right) {
        (Some(l), Some(r)) if l < r => BuildSide::Left,
        _ => BuildSide::Right,
    }
}

/// The estimated rows of a join's inputs and output, for EXPLAIN: `left=6.0M right=1.5M out=6.0M`.
fn describe_estimates(left: Option<f64>, right: Option<f64>, output: Option<f64>) -> String {
    format!("left={} right={} out={}", describe_rows(left), describe_rows(right), describe_rows(output))
}

/// Bind a join's residual condition to the columns it reads. The candidate pairs it sees hold
/// no NULL-extended rows: the columns keep the inputs' nullability.
fn bind_filter(filter: &Expr, join: &Join) -> Result<JoinFilter> {
    let joined = join.left.schema().join(join.right.schema());
    let display = create_physical_expr(filter, &joined)?.to_string();
    let mut columns =
        filter.column_refs().iter().map(|c| joined.index_of_column(c)).collect::<Result<Vec<usize>>>()?;
    columns.sort_unstable();
    columns.dedup();
    let narrow = PlanSchema::new(
        columns.iter().filter_map(|&i| joined.fields().get(i).cloned()).collect(),
        columns.iter().map(|&i| joined.qualifier(i).map(str::to_string)).collect(),
    )?;
    Ok(JoinFilter {
        expr: create_physical_expr(filter, &narrow)?,
        columns,
        schema: narrow.to_arrow(),
        left_columns: join.left.schema().len(),
        display,
    })
}

/// The operator computing `join`, over the already planned inputs.
pub fn plan_join(
    join: &Join,
    left: Arc<dyn ExecutionPlan>,
    right: Arc<dyn ExecutionPlan>,
    _config: &SessionConfig,
) -> Result<Arc<dyn ExecutionPlan>> {
    let filter = match &join.filter {
        Some(f) => Some(bind_filter(f, join)?),
        None => None,
    };
    let (left_rows, right_rows) = (estimate_rows(&join.left), estimate_rows(&join.right));
    let output_rows = shoal_expr::cardinality::estimate_rows(&shoal_expr::LogicalPlan::Join(join.clone()));
    let spec = JoinSpec {
        join_type: join.join_type,
        filter,
        schema: join.schema.to_arrow(),
        build_side: choose_build_side(join, left_rows, right_rows),
        unread_columns: crate::scan_columns::needed_join_columns(join)
            .map(|needed| needed.iter().map(|n| !n).collect())
            .unwrap_or_default(),
        estimated_rows: describe_estimates(left_rows, right_rows, output_rows),
    };
    if join.on.is_empty() {
        if join.null_aware {
            return shoal_common::not_supported!("NOT IN without an equality");
        }
        return Ok(Arc::new(NestedLoopJoinExec::new(left, right, spec)));
    }
    let on = join
        .on
        .iter()
        .map(|(l, r)| {
            Ok((create_physical_expr(l, join.left.schema())?, create_physical_expr(r, join.right.schema())?))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(HashJoinExec::try_new(left, right, on, spec, join.null_aware)?))
}
