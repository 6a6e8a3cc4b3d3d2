//! Physical planning of UNION ALL, INTERSECT / EXCEPT and recursive queries.

use std::sync::Arc;

use shoal_common::{Result, SessionConfig};
use shoal_expr::plan::{RecursiveQuery, SetOperation, Union, WorkTableScan};

use crate::plan::{visit_plan, ExecutionPlan};
use crate::planner::create_physical_plan;
use crate::setops::{RecursiveQueryExec, SetOpExec, UnionExec, WorkTable, WorkTableExec};

pub(crate) fn plan_union(union: &Union, config: &SessionConfig) -> Result<Arc<dyn ExecutionPlan>> {
    let inputs = union.inputs.iter().map(|i| create_physical_plan(i, config)).collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(UnionExec::new(inputs, union.schema.to_arrow())))
}

pub(crate) fn plan_set_operation(
    op: &SetOperation,
    config: &SessionConfig,
) -> Result<Arc<dyn ExecutionPlan>> {
    let left = create_physical_plan(&op.left, config)?;
    let right = create_physical_plan(&op.right, config)?;
    Ok(Arc::new(SetOpExec::new(op.op, op.all, left, right, op.schema.to_arrow())))
}

/// The recursive term is planned once; every [`WorkTableExec`] in it named after the query (and
/// not already bound by an inner recursive query of the same name) reads the shared work table.
pub(crate) fn plan_recursive_query(
    query: &RecursiveQuery,
    config: &SessionConfig,
) -> Result<Arc<dyn ExecutionPlan>> {
    let static_term = create_physical_plan(&query.static_term, config)?;
    let recursive_term = create_physical_plan(&query.recursive_term, config)?;
    let work_table = Arc::new(WorkTable::default());
    visit_plan(recursive_term.as_ref(), &mut |node, _| {
        if let Some(scan) = node.as_any().downcast_ref::<WorkTableExec>() {
            if scan.name().eq_ignore_ascii_case(&query.name) {
                scan.bind(&work_table);
            }
        }
    });
    Ok(Arc::new(RecursiveQueryExec::new(
        &query.name,
        static_term,
        recursive_term,
        work_table,
        query.is_distinct,
        query.schema.to_arrow(),
    )))
}

pub(crate) fn plan_work_table_scan(scan: &WorkTableScan) -> Arc<dyn ExecutionPlan> {
    Arc::new(WorkTableExec::new(&scan.name, scan.schema.to_arrow()))
}
