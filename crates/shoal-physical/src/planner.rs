//! [`create_physical_plan`]: maps each logical node to its operator, binding column references
//! to input indices.

use std::sync::Arc;

use arrow::compute::SortOptions;
use shoal_common::{Result, SessionConfig};
use shoal_expr::plan::{Aggregate, Filter, Sort};
use shoal_expr::{Expr, LogicalPlan, PlanSchema};
use shoal_physical_expr::{create_physical_expr, PhysicalExprRef};

use crate::operators::{
    FilterExec, LimitExec, PhysicalSortExpr, ProjectionExec, ScanExec, ScanPredicate, SortExec, ValuesExec,
};
use crate::plan::ExecutionPlan;

/// The physical plan that computes `plan`.
pub fn create_physical_plan(plan: &LogicalPlan, config: &SessionConfig) -> Result<Arc<dyn ExecutionPlan>> {
    let _analysis = crate::scan_columns::analyze_root(plan);
    Ok(match plan {
        LogicalPlan::TableScan(scan) => {
            let source = scan.source.scan(scan.projection.as_deref(), &scan.filters, scan.fetch)?;
            Arc::new(ScanExec::new(&scan.table_name, source))
        }
        LogicalPlan::Projection(p) => {
            let input = create_physical_plan(&p.input, config)?;
            let exprs = bind_all(&p.exprs, p.input.schema())?;
            Arc::new(ProjectionExec::new(exprs, p.schema.to_arrow(), input))
        }
        LogicalPlan::Filter(f) if matches!(f.input.as_ref(), LogicalPlan::TableScan(_)) => {
            plan_filtered_scan(f)?
        }
        LogicalPlan::Filter(f) => {
            let input = create_physical_plan(&f.input, config)?;
            let predicate = create_physical_expr(&f.predicate, f.input.schema())?;
            Arc::new(FilterExec::new(predicate, input))
        }
        LogicalPlan::Aggregate(a) => plan_aggregate(a, config)?,
        LogicalPlan::Sort(s) => plan_sort(s, s.fetch, config)?,
        LogicalPlan::Limit(l) => {
            let input = match l.fetch {
                Some(fetch) => plan_with_fetch(&l.input, l.skip.saturating_add(fetch), config)?,
                None => create_physical_plan(&l.input, config)?,
            };
            Arc::new(LimitExec::new(l.skip, l.fetch, input))
        }
        LogicalPlan::SubqueryAlias(s) => create_physical_plan(&s.input, config)?,
        LogicalPlan::Union(u) => crate::setops::planner::plan_union(u, config)?,
        LogicalPlan::SetOperation(op) => crate::setops::planner::plan_set_operation(op, config)?,
        LogicalPlan::RecursiveQuery(r) => crate::setops::planner::plan_recursive_query(r, config)?,
        LogicalPlan::WorkTableScan(w) => crate::setops::planner::plan_work_table_scan(w),
        LogicalPlan::Window(w) => crate::window::plan_window(w, create_physical_plan(&w.input, config)?)?,
        LogicalPlan::Join(j) => {
            let left = create_physical_plan(&j.left, config)?;
            let right = create_physical_plan(&j.right, config)?;
            crate::joins::plan_join(j, left, right, config)?
        }
        LogicalPlan::EmptyRelation(e) => Arc::new(ValuesExec::empty(e.schema.to_arrow(), e.produce_one_row)?),
        LogicalPlan::Values(v) => {
            let empty = PlanSchema::empty();
            let rows = v.values.iter().map(|row| bind_all(row, &empty)).collect::<Result<Vec<_>>>()?;
            Arc::new(ValuesExec::try_new(v.schema.to_arrow(), &rows)?)
        }
    })
}

/// A filter right above a table scan is evaluated inside the scan ([`ScanPredicate`]): the
/// source filters while it reads, and columns that only the predicate reads are never copied.
fn plan_filtered_scan(filter: &Filter) -> Result<Arc<dyn ExecutionPlan>> {
    let LogicalPlan::TableScan(scan) = filter.input.as_ref() else {
        return shoal_common::internal_err!("plan_filtered_scan needs a filter over a table scan");
    };
    let source = scan.source.scan(scan.projection.as_deref(), &scan.filters, scan.fetch)?;
    let needed = crate::scan_columns::needed_columns(filter);
    let predicate = ScanPredicate::try_new(&filter.predicate, &scan.schema, needed.as_deref())?;
    Ok(Arc::new(ScanExec::new(&scan.table_name, source).with_filter(predicate)))
}

fn bind_all(exprs: &[Expr], schema: &PlanSchema) -> Result<Vec<PhysicalExprRef>> {
    exprs.iter().map(|e| create_physical_expr(e, schema)).collect()
}

/// Plan `plan` knowing only its first `fetch` rows will be read: a sort below (through
/// projections and aliases) becomes a top-k.
fn plan_with_fetch(
    plan: &LogicalPlan,
    fetch: usize,
    config: &SessionConfig,
) -> Result<Arc<dyn ExecutionPlan>> {
    match plan {
        LogicalPlan::Sort(s) => {
            let fetch = s.fetch.map_or(fetch, |f| f.min(fetch));
            plan_sort(s, Some(fetch), config)
        }
        LogicalPlan::Projection(p) => {
            let input = plan_with_fetch(&p.input, fetch, config)?;
            let exprs = bind_all(&p.exprs, p.input.schema())?;
            Ok(Arc::new(ProjectionExec::new(exprs, p.schema.to_arrow(), input)))
        }
        LogicalPlan::SubqueryAlias(s) => plan_with_fetch(&s.input, fetch, config),
        other => create_physical_plan(other, config),
    }
}

fn plan_sort(sort: &Sort, fetch: Option<usize>, config: &SessionConfig) -> Result<Arc<dyn ExecutionPlan>> {
    let input = create_physical_plan(&sort.input, config)?;
    let exprs = sort
        .exprs
        .iter()
        .map(|s| {
            Ok(PhysicalSortExpr {
                expr: create_physical_expr(&s.expr, sort.input.schema())?,
                options: SortOptions { descending: !s.asc, nulls_first: s.nulls_first },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(SortExec::new(exprs, fetch, input)))
}

fn plan_aggregate(agg: &Aggregate, config: &SessionConfig) -> Result<Arc<dyn ExecutionPlan>> {
    let input = create_physical_plan(&agg.input, config)?;
    crate::aggregate::planner::plan_aggregate(agg, input)
}
