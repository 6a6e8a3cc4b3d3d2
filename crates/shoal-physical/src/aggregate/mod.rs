//! [`HashAggregateExec`]: GROUP BY with two-phase hash aggregation.
//!
//! Phase 1 (sink): every worker folds its morsels into a thread-local hash table — group keys
//! to dense ids ([`group_values`]) and one vectorised [`GroupsAccumulator`] per aggregate.
//! Phase 2 (finalize, `merge`): the partial tables are partitioned by key hash and the
//! partitions merged in parallel.
//! A worker whose table is not reducing rows (about one group per row after a probe, see
//! [`partial_skip`]) stops interning and hands its rows, split by key hash, to the merge.
//!
//! With grouping sets (`ROLLUP`, `CUBE`, `GROUPING SETS`) every batch is interned once per set:
//! the group columns outside the set are NULL and a last key column holds the set's grouping id,
//! so a NULL produced by a set never meets a NULL of the data.

pub mod accumulator;
pub mod array_agg;
pub mod avg;
pub mod count;
pub mod count_if;
pub mod direct_group_values;
pub mod distinct;
pub mod float_sum;
pub mod group_rows;
pub mod group_values;
pub mod hll;
mod merge;
pub mod min_max;
pub mod multi_direct_group_values;
pub mod ordered;
pub mod packed_group_values;
pub mod partial_skip;
pub mod planner;
pub mod quantile;
pub mod string_agg;
pub mod string_interner;
pub mod sum;
pub mod tdigest;
pub mod udaf;
pub mod variance;

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray, UInt64Array};
use arrow::compute::{cast, filter, SortOptions};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, Result};
use shoal_expr::AggregateFunction;
use shoal_physical_expr::{evaluate_predicate, PhysicalExprRef};

pub use accumulator::{create_accumulator, create_accumulator_with, AggregateParams, GroupsAccumulator};
use group_values::{new_group_values, GroupValues};
use partial_skip::{skip_partitions, PartialSkip, RawPartitions};

use crate::context::TaskContext;
use crate::memory::{estimated_group_bytes, MemoryConsumer, MemoryReservation};
use crate::metrics::OperatorMetrics;
use crate::plan::{ExecutionPlan, GlobalSinkState, LocalSinkState, OperatorRole, SinkOperator};

/// One aggregate call bound to the aggregate's input.
#[derive(Debug, Clone)]
pub struct AggregateExpr {
    /// The aggregate function.
    pub func: AggregateFunction,
    /// Index into [`HashAggregateExec`]'s argument list; `None` for `count(*)`.
    pub arg: Option<usize>,
    /// The argument's type (after coercion).
    pub arg_type: Option<DataType>,
    /// Further value arguments of a user-defined aggregate taking several columns:
    /// (index into the argument list, type).
    pub extra_args: Vec<(usize, DataType)>,
    /// `agg(DISTINCT x)`: each distinct value counted once per group.
    pub distinct: bool,
    /// `FILTER (WHERE ..)`.
    pub filter: Option<PhysicalExprRef>,
    /// The type of the result column.
    pub return_type: DataType,
    /// Constant arguments (separator, quantile).
    pub params: AggregateParams,
    /// `agg(x ORDER BY ..)`: each key as (index into the argument list, its type, order).
    pub order_by: Vec<(usize, DataType, SortOptions)>,
    /// Text for EXPLAIN.
    pub display: String,
}

impl AggregateExpr {
    /// A fresh accumulator for this call, holding the state of every group.
    pub fn create_accumulator(&self) -> Result<Box<dyn GroupsAccumulator>> {
        if !self.extra_args.is_empty() {
            return udaf::multi_arg_accumulator(self);
        }
        let inner = create_accumulator_with(
            self.func,
            self.distinct,
            self.arg_type.as_ref(),
            &self.return_type,
            &self.params,
        )?;
        if self.order_by.is_empty() {
            return Ok(inner);
        }
        let Some(arg_type) = &self.arg_type else {
            return internal_err!("{}: ORDER BY needs an argument", self.display);
        };
        let types = std::iter::once(arg_type.clone()).chain(self.order_by.iter().map(|(_, t, _)| t.clone()));
        let options = self.order_by.iter().map(|(_, _, o)| *o).collect();
        Ok(Box::new(ordered::OrderedAccumulator::new(types.collect(), options, inner)))
    }
}

/// One grouping set of a [`HashAggregateExec`]: which group columns it keeps, and its id.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupingSetKeys {
    /// `grouped[i]`: group column `i` is part of this set (otherwise NULL in its rows).
    pub grouped: Vec<bool>,
    /// The grouping id written to the rows of this set (bit set = column not grouped).
    pub id: u64,
}

/// Group-by aggregation; output = group columns, then one column per aggregate.
#[derive(Debug)]
pub struct HashAggregateExec {
    shared: Arc<AggregateShared>,
    input: Arc<dyn ExecutionPlan>,
    metrics: OperatorMetrics,
    /// When workers give up partial aggregation.
    skip: PartialSkip,
    /// Rows that bypassed the partial tables (went straight to the merge).
    skipped_rows: Arc<AtomicU64>,
}

/// What every worker of an aggregation needs.
#[derive(Debug)]
pub(crate) struct AggregateShared {
    group_exprs: Vec<PhysicalExprRef>,
    /// Types of the key columns: the group columns, then (with grouping sets) the grouping id.
    group_types: Vec<DataType>,
    /// Empty for a plain GROUP BY.
    grouping_sets: Vec<GroupingSetKeys>,
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
        Self::try_new_with_grouping_sets(group_exprs, vec![], args, aggr_exprs, schema, input)
    }

    /// [`HashAggregateExec::try_new`] grouping by each of `grouping_sets` (none: a plain
    /// GROUP BY); then `schema` has the grouping id (UInt64) after the group columns.
    pub fn try_new_with_grouping_sets(
        group_exprs: Vec<PhysicalExprRef>,
        grouping_sets: Vec<GroupingSetKeys>,
        args: Vec<PhysicalExprRef>,
        aggr_exprs: Vec<AggregateExpr>,
        schema: SchemaRef,
        input: Arc<dyn ExecutionPlan>,
    ) -> Result<Self> {
        let keys = group_exprs.len() + usize::from(!grouping_sets.is_empty());
        if schema.fields().len() != keys + aggr_exprs.len() {
            return internal_err!(
                "aggregate schema has {} fields for {} group keys and {} aggregates",
                schema.fields().len(),
                keys,
                aggr_exprs.len()
            );
        }
        if grouping_sets.iter().any(|s| s.grouped.len() != group_exprs.len()) {
            return internal_err!("grouping set masks do not match the group expressions");
        }
        let out_of_range = |a: &AggregateExpr| {
            a.arg.is_some_and(|i| i >= args.len())
                || a.extra_args.iter().any(|(i, _)| *i >= args.len())
                || a.order_by.iter().any(|(i, _, _)| *i >= args.len())
        };
        if let Some(bad) = aggr_exprs.iter().find(|a| out_of_range(a)) {
            return internal_err!("aggregate {} refers to a missing argument", bad.display);
        }
        let group_types = schema.fields()[..keys].iter().map(|f| f.data_type().clone()).collect();
        // fail at planning time on unsupported aggregate/type combinations
        for a in &aggr_exprs {
            a.create_accumulator()?;
        }
        Ok(Self {
            shared: Arc::new(AggregateShared {
                group_exprs,
                group_types,
                grouping_sets,
                args,
                aggr_exprs,
                schema,
            }),
            input,
            metrics: OperatorMetrics::default(),
            skip: PartialSkip::default(),
            skipped_rows: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Use `skip` to decide when workers give up partial aggregation (default:
    /// [`PartialSkip::default`]).
    pub fn with_partial_skip(mut self, skip: PartialSkip) -> Self {
        self.skip = skip;
        self
    }

    /// Rows that bypassed the workers' partial tables in the last run (partial aggregation
    /// skipped because it was not reducing rows).
    pub fn skipped_partial_rows(&self) -> u64 {
        self.skipped_rows.load(Ordering::Relaxed)
    }

    /// The group expressions, evaluated over the input.
    pub fn group_exprs(&self) -> &[PhysicalExprRef] {
        &self.shared.group_exprs
    }
    /// The aggregate calls, one output column each.
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
        let sets = if self.shared.grouping_sets.is_empty() {
            String::new()
        } else {
            let sets: Vec<String> = self
                .shared
                .grouping_sets
                .iter()
                .map(|s| {
                    let kept: Vec<&str> = s
                        .grouped
                        .iter()
                        .zip(groups.iter())
                        .filter(|(g, _)| **g)
                        .map(|(_, e)| e.as_str())
                        .collect();
                    format!("({})", kept.join(", "))
                })
                .collect();
            format!(", groupingSets=[{}]", sets.join(", "))
        };
        format!("HashAggregateExec: groupBy=[{}]{sets}, aggr=[{}]", groups.join(", "), aggs.join(", "))
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
    fn start(&self, _input_ordered: bool, ctx: &TaskContext) -> Result<Box<dyn GlobalSinkState>> {
        let hint = "reduce the number of groups (fewer GROUP BY keys, or filter first)";
        let memory = MemoryConsumer::new(ctx, "HashAggregateExec", hint, &self.metrics);
        self.skipped_rows.store(0, Ordering::Relaxed);
        let shared = &self.shared;
        let can_skip = !shared.group_exprs.is_empty()
            && shared.grouping_sets.is_empty()
            && shared.aggr_exprs.iter().all(|a| a.filter.is_none());
        Ok(Box::new(AggregateGlobal {
            shared: Arc::clone(shared),
            memory,
            skip: can_skip.then_some(self.skip),
            skip_partitions: skip_partitions(ctx.threads()),
            skipped_rows: Arc::clone(&self.skipped_rows),
        }))
    }
    fn output_ordered(&self, _input_ordered: bool) -> bool {
        false
    }
}

struct AggregateGlobal {
    shared: Arc<AggregateShared>,
    memory: MemoryConsumer,
    /// `None`: this aggregation always aggregates partially (grouping sets, FILTER, no keys).
    skip: Option<PartialSkip>,
    /// Merge partitions of the rows that bypass the partial tables.
    skip_partitions: usize,
    skipped_rows: Arc<AtomicU64>,
}

/// Group values plus one accumulator per aggregate.
pub(crate) type HashTable = (Box<dyn GroupValues>, Vec<Box<dyn GroupsAccumulator>>);

/// One worker's hash table.
pub(crate) struct AggregateLocal {
    shared: Arc<AggregateShared>,
    groups: Box<dyn GroupValues>,
    accumulators: Vec<Box<dyn GroupsAccumulator>>,
    group_ids: Vec<u32>,
    /// The table's memory, grown with its group count.
    reservation: MemoryReservation,
    group_bytes: usize,
    /// Still to decide whether partial aggregation pays (`None` once decided).
    skip: Option<PartialSkip>,
    /// Rows interned so far.
    rows_seen: usize,
    /// Set once partial aggregation was given up: the rows since, by merge partition.
    raw: Option<RawPartitions>,
    skip_partitions: usize,
    skipped_rows: Arc<AtomicU64>,
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
        let (groups, accumulators) = self.shared.new_table()?;
        let group_bytes = estimated_group_bytes(&self.shared.group_types, self.shared.aggr_exprs.len());
        let reservation = self.memory.reservation();
        let shared = Arc::clone(&self.shared);
        Ok(Box::new(AggregateLocal {
            shared,
            groups,
            accumulators,
            group_ids: vec![],
            reservation,
            group_bytes,
            skip: self.skip,
            rows_seen: 0,
            raw: None,
            skip_partitions: self.skip_partitions,
            skipped_rows: Arc::clone(&self.skipped_rows),
        }))
    }

    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        merge::finalize(&self.shared, locals, self.skip_partitions, ctx)
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

impl AggregateLocal {
    /// Intern `keys` and fold each aggregate's `inputs` (values, FILTER mask) into its groups.
    fn update(
        &mut self,
        keys: &[ArrayRef],
        rows: usize,
        inputs: &[(Vec<ArrayRef>, Option<BooleanArray>)],
    ) -> Result<()> {
        self.groups.intern(keys, rows, &mut self.group_ids)?;
        let total = self.groups.num_groups();
        self.reservation.try_reserve_at_least(total.saturating_mul(self.group_bytes))?;
        for ((values, mask), acc) in inputs.iter().zip(self.accumulators.iter_mut()) {
            match mask {
                None => acc.update_batch(values, &self.group_ids, total)?,
                Some(mask) => {
                    let ids: Vec<u32> = self
                        .group_ids
                        .iter()
                        .zip(mask.iter())
                        .filter_map(|(&g, m)| (m == Some(true)).then_some(g))
                        .collect();
                    acc.update_batch(values, &ids, total)?;
                }
            }
        }
        Ok(())
    }
}

impl LocalSinkState for AggregateLocal {
    fn sink(&mut self, _morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        let shared = Arc::clone(&self.shared);
        let rows = batch.num_rows();
        let keys = shared
            .group_exprs
            .iter()
            .zip(shared.group_types.iter())
            .map(|(e, t)| evaluate_to_array(e, &batch, Some(t)))
            .collect::<Result<Vec<_>>>()?;
        let args =
            shared.args.iter().map(|e| evaluate_to_array(e, &batch, None)).collect::<Result<Vec<_>>>()?;
        if let Some(raw) = &mut self.raw {
            // partial aggregation given up: buffer the rows for the merge
            let key_count = keys.len();
            let columns: Vec<ArrayRef> = keys.into_iter().chain(args).collect();
            let bytes = raw.push(&columns, key_count, rows)?;
            self.reservation.try_grow(bytes)?;
            self.skipped_rows.fetch_add(rows as u64, Ordering::Relaxed);
            return Ok(ControlFlow::Continue(()));
        }
        // each aggregate's input columns (FILTER applied) and the mask of the rows it keeps
        let inputs = shared
            .aggr_exprs
            .iter()
            .map(|agg| {
                let columns = agg
                    .arg
                    .iter()
                    .chain(agg.extra_args.iter().map(|(i, _)| i))
                    .chain(agg.order_by.iter().map(|(i, _, _)| i));
                let mut values = columns
                    .map(|&i| {
                        args.get(i).cloned().ok_or_else(|| {
                            shoal_common::ShoalError::Internal("missing aggregate argument".into())
                        })
                    })
                    .collect::<Result<Vec<ArrayRef>>>()?;
                let Some(f) = &agg.filter else {
                    return Ok((values, None));
                };
                let mask = evaluate_predicate(f.as_ref(), &batch)?;
                for v in values.iter_mut() {
                    *v = filter(v.as_ref(), &mask)?;
                }
                Ok((values, Some(mask)))
            })
            .collect::<Result<Vec<_>>>()?;
        if shared.grouping_sets.is_empty() {
            self.update(&keys, rows, &inputs)?;
            self.rows_seen += rows;
            if let Some(skip) = self.skip.filter(|s| self.rows_seen >= s.probe_rows) {
                self.skip = None;
                if skip.should_skip(self.groups.num_groups(), self.rows_seen) {
                    self.raw = Some(RawPartitions::new(self.skip_partitions));
                }
            }
            return Ok(ControlFlow::Continue(()));
        }
        for set in &shared.grouping_sets {
            let mut set_keys: Vec<ArrayRef> = keys
                .iter()
                .zip(set.grouped.iter())
                .map(
                    |(k, &grouped)| if grouped { Arc::clone(k) } else { new_null_array(k.data_type(), rows) },
                )
                .collect();
            set_keys.push(Arc::new(UInt64Array::from_value(set.id, rows)));
            self.update(&set_keys, rows, &inputs)?;
        }
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
