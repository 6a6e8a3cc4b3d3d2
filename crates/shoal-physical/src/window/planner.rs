//! Planning a logical `Window` node: one [`WindowExec`] per distinct (PARTITION BY, ORDER BY)
//! among its calls, chained, and a projection restoring the logical column order when the
//! chain computed the calls in a different order.

use std::sync::Arc;

use arrow::compute::SortOptions;
use arrow::datatypes::{Schema, SchemaRef};
use shoal_common::{internal_err, Result};
use shoal_expr::{Expr, SortExpr, Window, WindowFunctionExpr};
use shoal_physical_expr::{create_physical_expr, ColumnExpr, PhysicalExprRef};

use super::{PhysicalWindowExpr, WindowExec};
use crate::operators::{PhysicalSortExpr, ProjectionExec};
use crate::plan::ExecutionPlan;

/// The physical plan of `window` over the already planned `input`.
pub fn plan_window(window: &Window, input: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    let in_schema = window.input.schema();
    let width = in_schema.len();
    let out_fields = window.schema.fields();
    let mut calls: Vec<(usize, WindowFunctionExpr)> = vec![];
    for (i, e) in window.window_expr.iter().enumerate() {
        let Expr::WindowFunction(call) = e.clone().unalias() else {
            return internal_err!("Window node expects window function calls, got {e}");
        };
        calls.push((i, call));
    }
    // group by (PARTITION BY, ORDER BY), in order of first appearance
    let mut groups: Vec<(Vec<Expr>, Vec<SortExpr>, Vec<usize>)> = vec![];
    for (i, call) in &calls {
        match groups.iter_mut().find(|(p, o, _)| *p == call.partition_by && *o == call.order_by) {
            Some(g) => g.2.push(*i),
            None => groups.push((call.partition_by.clone(), call.order_by.clone(), vec![*i])),
        }
    }
    let mut plan = input;
    // logical position of each physical output column after the input's
    let mut computed: Vec<usize> = vec![];
    for (partition_by, order_by, members) in &groups {
        let partition_by = partition_by
            .iter()
            .map(|e| create_physical_expr(e, in_schema))
            .collect::<Result<Vec<PhysicalExprRef>>>()?;
        let order_by = order_by
            .iter()
            .map(|s| {
                Ok(PhysicalSortExpr {
                    expr: create_physical_expr(&s.expr, in_schema)?,
                    options: SortOptions { descending: !s.asc, nulls_first: s.nulls_first },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut functions = vec![];
        let mut fields = plan.schema().fields().to_vec();
        for &i in members {
            let (Some((_, call)), Some(field)) = (calls.get(i), out_fields.get(width + i)) else {
                return internal_err!("window call {i} has no output field");
            };
            functions.push(PhysicalWindowExpr {
                func: call.func,
                args: call
                    .args
                    .iter()
                    .map(|a| create_physical_expr(a, in_schema))
                    .collect::<Result<Vec<_>>>()?,
                frame: call.frame.clone(),
                return_type: field.data_type().clone(),
                display: window
                    .window_expr
                    .get(i)
                    .map(shoal_expr::window::display_window_expr)
                    .unwrap_or_default(),
            });
            fields.push(Arc::clone(field));
            computed.push(i);
        }
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        plan = Arc::new(WindowExec::new(partition_by, order_by, functions, schema, plan));
    }
    if computed.iter().enumerate().all(|(k, &i)| k == i) {
        return Ok(plan);
    }
    // restore the logical order of the window columns
    let mut exprs: Vec<PhysicalExprRef> = vec![];
    for (i, f) in out_fields.iter().enumerate() {
        let index = if i < width {
            Some(i)
        } else {
            computed.iter().position(|&c| c == i - width).map(|k| width + k)
        };
        let Some(index) = index else {
            return internal_err!("window column {i} was not computed");
        };
        exprs.push(Arc::new(ColumnExpr::new(f.name(), index, f.data_type().clone(), f.is_nullable())));
    }
    Ok(Arc::new(ProjectionExec::new(exprs, window.schema.to_arrow(), plan)))
}
