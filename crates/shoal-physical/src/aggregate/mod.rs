//! [`HashAggregateExec`]: GROUP BY with two-phase hash aggregation.
//!
//! Phase 1 (sink): every worker folds its morsels into a thread-local hash table — group keys
//! to dense ids ([`group_values`]) and one vectorised [`GroupsAccumulator`] per aggregate.
//! Phase 2 (finalize, [`merge`]): the partial tables are partitioned by key hash and the
//! partitions merged in parallel.

pub mod accumulator;
pub mod avg;
pub mod count;
pub mod distinct;
pub mod group_values;
mod merge;
pub mod min_max;
pub mod sum;
pub mod variance;

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef};
use arrow::compute::{cast, filter};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, Result};
use shoal_expr::AggregateFunction;
use shoal_physical_expr::{evaluate_predicate, PhysicalExprRef};

pub use accumulator::{create_accumulator, GroupsAccumulator};
use group_values::{new_group_values, GroupValues};

use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;
use crate::plan::{ExecutionPlan, GlobalSinkState, LocalSinkState, OperatorRole, SinkOperator};

/// One aggregate call bound to the aggregate's input.
#[derive(Debug, Clone)]
pub struct AggregateExpr {
    pub func: AggregateFunction,
    /// Index into [`HashAggregateExec`]'s argument list; `None` for `count(*)`.
    pub arg: Option<usize>,
    /// The argument's type (after coercion).
    pub arg_type: Option<DataType>,
    pub distinct: bool,
    /// `FILTER (WHERE ..)`.
    pub filter: Option<PhysicalExprRef>,
    pub return_type: DataType,
    /// Text for EXPLAIN.
    pub display: String,
}

impl AggregateExpr {
    pub fn create_accumulator(&self) -> Result<Box<dyn GroupsAccumulator>> {
        create_accumulator(self.func, self.distinct, self.arg_type.as_ref(), &self.return_type)
    }
}

/// Group-by aggregation; output = group columns, then one column per aggregate.
#[derive(Debug)]
pub struct HashAggregateExec {
    shared: Arc<AggregateShared>,
    input: Arc<dyn ExecutionPlan>,
    metrics: OperatorMetrics,
}

/// What every worker of an aggregation needs.
#[derive(Debug)]
pub(crate) struct AggregateShared {
    group_exprs: Vec<PhysicalExprRef>,
    group_types: Vec<DataType>,
    /// Distinct argument expressions, evaluated once per batch and shared by the aggregates.
    args: Vec<PhysicalExprRef>,
    aggr_exprs: Vec<AggregateExpr>,
    schema: SchemaRef,
}

impl HashAggregateExec {
    /// `schema` lists the group columns, then the aggregates; `args` are the argument
    /// expressions the aggregates refer to by index.
    pub fn try_new(
        group_exprs: Vec<PhysicalExprRef>,
        args: Vec<PhysicalExprRef>,
        aggr_exprs: Vec<AggregateExpr>,
        schema: SchemaRef,
        input: Arc<dyn ExecutionPlan>,
    ) -> Result<Self> {
        if schema.fields().len() != group_exprs.len() + aggr_exprs.len() {
            return internal_err!(
                "aggregate schema has {} fields for {} groups and {} aggregates",
                schema.fields().len(),
                group_exprs.len(),
                aggr_exprs.len()
            );
        }
        if let Some(bad) = aggr_exprs.iter().find(|a| a.arg.is_some_and(|i| i >= args.len())) {
            return internal_err!("aggregate {} refers to a missing argument", bad.display);
        }
        let group_types =
            schema.fields()[..group_exprs.len()].iter().map(|f| f.data_type().clone()).collect();
        // fail at planning time on unsupported aggregate/type combinations
        for a in &aggr_exprs {
            a.create_accumulator()?;
        }
        Ok(Self {
            shared: Arc::new(AggregateShared { group_exprs, group_types, args, aggr_exprs, schema }),
            input,
            metrics: OperatorMetrics::default(),
        })
    }

    pub fn group_exprs(&self) -> &[PhysicalExprRef] {
        &self.shared.group_exprs
    }
    pub fn aggr_exprs(&self) -> &[AggregateExpr] {
        &self.shared.aggr_exprs
    }
}

impl ExecutionPlan for HashAggregateExec {
    fn name(&self) -> &'static str {
        "HashAggregateExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.shared.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn describe(&self) -> String {
        let groups: Vec<String> = self.shared.group_exprs.iter().map(|e| e.to_string()).collect();
        let aggs: Vec<&str> = self.shared.aggr_exprs.iter().map(|a| a.display.as_str()).collect();
        format!("HashAggregateExec: groupBy=[{}], aggr=[{}]", groups.join(", "), aggs.join(", "))
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Sink(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl SinkOperator for HashAggregateExec {
    fn start(&self, _input_ordered: bool, _ctx: &TaskContext) -> Result<Box<dyn GlobalSinkState>> {
        Ok(Box::new(AggregateGlobal(Arc::clone(&self.shared))))
    }
    fn output_ordered(&self, _input_ordered: bool) -> bool {
        false
    }
}

struct AggregateGlobal(Arc<AggregateShared>);

/// Group values plus one accumulator per aggregate.
pub(crate) type HashTable = (Box<dyn GroupValues>, Vec<Box<dyn GroupsAccumulator>>);

/// One worker's hash table.
pub(crate) struct AggregateLocal {
    shared: Arc<AggregateShared>,
    groups: Box<dyn GroupValues>,
    accumulators: Vec<Box<dyn GroupsAccumulator>>,
    group_ids: Vec<u32>,
}

impl AggregateShared {
    /// An empty hash table: group values and one accumulator per aggregate.
    pub(crate) fn new_table(&self) -> Result<HashTable> {
        let groups = new_group_values(&self.group_types)?;
        let accs = self.aggr_exprs.iter().map(|a| a.create_accumulator()).collect::<Result<Vec<_>>>()?;
        Ok((groups, accs))
    }
}

impl GlobalSinkState for AggregateGlobal {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        let (groups, accumulators) = self.0.new_table()?;
        Ok(Box::new(AggregateLocal { shared: Arc::clone(&self.0), groups, accumulators, group_ids: vec![] }))
    }

    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        merge::finalize(&self.0, locals, ctx)
    }
}

fn evaluate_to_array(
    expr: &PhysicalExprRef,
    batch: &RecordBatch,
    expected: Option<&DataType>,
) -> Result<ArrayRef> {
    let array = expr.evaluate(batch)?.into_array(batch.num_rows())?;
    match expected {
        Some(t) if array.data_type() != t => Ok(cast(&array, t)?),
        _ => Ok(array),
    }
}

impl LocalSinkState for AggregateLocal {
    fn sink(&mut self, _morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        let shared = &self.shared;
        let rows = batch.num_rows();
        let keys = shared
            .group_exprs
            .iter()
            .zip(shared.group_types.iter())
            .map(|(e, t)| evaluate_to_array(e, &batch, Some(t)))
            .collect::<Result<Vec<_>>>()?;
        self.groups.intern(&keys, rows, &mut self.group_ids)?;
        let total = self.groups.num_groups();
        let args =
            shared.args.iter().map(|e| evaluate_to_array(e, &batch, None)).collect::<Result<Vec<_>>>()?;
        for (agg, acc) in shared.aggr_exprs.iter().zip(self.accumulators.iter_mut()) {
            let mut values: Vec<ArrayRef> = match agg.arg.and_then(|i| args.get(i)) {
                Some(a) => vec![Arc::clone(a)],
                None => vec![],
            };
            match &agg.filter {
                None => acc.update_batch(&values, &self.group_ids, total)?,
                Some(f) => {
                    let mask = evaluate_predicate(f.as_ref(), &batch)?;
                    let ids: Vec<u32> = self
                        .group_ids
                        .iter()
                        .zip(mask.iter())
                        .filter_map(|(&g, m)| (m == Some(true)).then_some(g))
                        .collect();
                    for v in values.iter_mut() {
                        *v = filter(v.as_ref(), &mask)?;
                    }
                    acc.update_batch(&values, &ids, total)?;
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
