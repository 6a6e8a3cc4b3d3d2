//! High-cardinality GROUP BY: workers skipping partial aggregation (and not skipping it), NULL
//! keys, one and several key columns, 1 and 4 threads, and cancellation during the merge.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use common::*;
use shoal_common::ShoalError;
use shoal_expr::AggregateFunction::{self, Count, Min, Sum};
use shoal_expr::TableSource;
use shoal_physical::aggregate::partial_skip::PartialSkip;
use shoal_physical::aggregate::AggregateParams;
use shoal_physical::plan::SinkOperator;
use shoal_physical::{collect, AggregateExpr, ExecutionPlan, HashAggregateExec, ScanExec};
use shoal_physical_expr::{ColumnExpr, PhysicalExprRef};

const BATCHES: usize = 16;
const BATCH_ROWS: usize = 500;

/// Skip as soon as a worker has seen 600 rows with more than half of them new groups.
const EAGER: PartialSkip = PartialSkip { probe_rows: 600, min_ratio: 0.5 };
const NEVER: PartialSkip = PartialSkip { probe_rows: usize::MAX, min_ratio: 0.5 };

/// Columns `k` (Int64, NULL every 97th row), `s` (Utf8, NULL every 13th row), `v` (Int64).
/// Row `i` has key `i % modulus`, so keys repeat across batches when `modulus` is small.
fn table(modulus: usize) -> Arc<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new("v", DataType::Int64, true),
    ]));
    let batches = (0..BATCHES)
        .map(|b| {
            let rows = (b * BATCH_ROWS)..((b + 1) * BATCH_ROWS);
            let k: Int64Array = rows.clone().map(|i| (i % 97 != 0).then_some((i % modulus) as i64)).collect();
            let s: StringArray = rows.clone().map(|i| (i % 13 != 0).then(|| format!("s{}", i % 3))).collect();
            let v: Int64Array = rows.map(|i| (i % 5 != 0).then_some(i as i64)).collect();
            RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(k), Arc::new(s), Arc::new(v)]).unwrap()
        })
        .collect();
    MemTable::new(batches)
}

fn column(name: &str, index: usize, data_type: DataType) -> PhysicalExprRef {
    Arc::new(ColumnExpr::new(name, index, data_type, true))
}

fn aggregate(func: AggregateFunction, arg: Option<usize>, display: &str) -> AggregateExpr {
    AggregateExpr {
        func,
        arg,
        arg_type: arg.map(|_| DataType::Int64),
        extra_args: vec![],
        distinct: false,
        filter: None,
        return_type: DataType::Int64,
        params: AggregateParams::default(),
        order_by: vec![],
        display: display.into(),
    }
}

/// `SELECT k[, s], count(*), sum(v), min(v) FROM t GROUP BY k[, s]`.
fn group_by(table: &Arc<MemTable>, with_s: bool, skip: PartialSkip) -> HashAggregateExec {
    let source = table.scan(None, &[], None).unwrap();
    let input: Arc<dyn ExecutionPlan> = Arc::new(ScanExec::new("t", source));
    let mut groups = vec![column("k", 0, DataType::Int64)];
    let mut fields = vec![Field::new("k", DataType::Int64, true)];
    if with_s {
        groups.push(column("s", 1, DataType::Utf8));
        fields.push(Field::new("s", DataType::Utf8, true));
    }
    fields.push(Field::new("n", DataType::Int64, false));
    fields.push(Field::new("total", DataType::Int64, true));
    fields.push(Field::new("least", DataType::Int64, true));
    let aggs = vec![
        aggregate(Count, None, "count(*)"),
        aggregate(Sum, Some(0), "sum(v)"),
        aggregate(Min, Some(0), "min(v)"),
    ];
    let args = vec![column("v", 2, DataType::Int64)];
    HashAggregateExec::try_new(groups, args, aggs, Arc::new(Schema::new(fields)), input)
        .unwrap()
        .with_partial_skip(skip)
}

/// The expected rows of [`group_by`], computed directly, sorted.
fn expected(modulus: usize, with_s: bool) -> Vec<String> {
    let show = |v: Option<i64>| v.map_or("NULL".to_string(), |v| v.to_string());
    let mut groups: BTreeMap<String, (i64, Option<i64>, Option<i64>)> = BTreeMap::new();
    for i in 0..BATCHES * BATCH_ROWS {
        let k = (i % 97 != 0).then_some((i % modulus) as i64);
        let mut key = show(k);
        if with_s {
            let s = (i % 13 != 0).then(|| format!("s{}", i % 3));
            key = format!("{key}|{}", s.unwrap_or_else(|| "NULL".into()));
        }
        let v = (i % 5 != 0).then_some(i as i64);
        let entry = groups.entry(key).or_insert((0, None, None));
        entry.0 += 1;
        if let Some(v) = v {
            entry.1 = Some(entry.1.unwrap_or(0) + v);
            entry.2 = Some(entry.2.map_or(v, |m: i64| m.min(v)));
        }
    }
    let mut out: Vec<String> = groups
        .into_iter()
        .map(|(key, (n, total, least))| format!("{key}|{n}|{}|{}", show(total), show(least)))
        .collect();
    out.sort();
    out
}

/// Run at `threads`; the sorted rows and how many rows skipped the partial tables.
fn run_exec(exec: HashAggregateExec, threads: usize) -> (Vec<String>, u64) {
    let exec = Arc::new(exec);
    let plan: Arc<dyn ExecutionPlan> = Arc::clone(&exec) as Arc<dyn ExecutionPlan>;
    let ctx = ctx(threads);
    let mut out = rows(&collect(plan, &ctx).unwrap());
    out.sort();
    assert_eq!(ctx.memory_pool().used(), 0, "memory still reserved after the query");
    (out, exec.skipped_partial_rows())
}

#[test]
fn unique_keys_skip_partial_aggregation_and_give_the_same_rows() {
    let modulus = 6000; // 8000 rows, 6000 keys: keys repeat across batches
    let table = table(modulus);
    for threads in [1, 4] {
        let (skipped_rows, skipped) = run_exec(group_by(&table, false, EAGER), threads);
        let (partial_rows, not_skipped) = run_exec(group_by(&table, false, NEVER), threads);
        assert!(skipped > 0, "{threads} threads: partial aggregation was not skipped");
        assert_eq!(not_skipped, 0);
        assert_eq!(skipped_rows, expected(modulus, false), "{threads} threads");
        assert_eq!(partial_rows, skipped_rows, "{threads} threads");
    }
}

#[test]
fn two_key_columns_with_nulls_skip_through_the_row_format() {
    let modulus = 5000;
    let table = table(modulus);
    for threads in [1, 4] {
        let (got, skipped) = run_exec(group_by(&table, true, EAGER), threads);
        assert!(skipped > 0, "{threads} threads: partial aggregation was not skipped");
        assert_eq!(got, expected(modulus, true), "{threads} threads");
        assert!(got.iter().any(|r| r.starts_with("NULL|")), "no NULL key group");
    }
}

#[test]
fn few_groups_keep_partial_aggregation() {
    let modulus = 10;
    let table = table(modulus);
    for threads in [1, 4] {
        let (got, skipped) = run_exec(group_by(&table, false, EAGER), threads);
        assert_eq!(skipped, 0, "{threads} threads: a reducing table was skipped");
        assert_eq!(got, expected(modulus, false), "{threads} threads");
        assert_eq!(got.len(), 11); // ten keys and NULL
    }
}

#[test]
fn default_thresholds_keep_small_inputs_partial() {
    let table = table(6000);
    let (got, skipped) = run_exec(group_by(&table, false, PartialSkip::default()), 1);
    assert_eq!(skipped, 0, "8000 rows are below the default probe");
    assert_eq!(got, expected(6000, false));
}

#[test]
fn cancelling_during_the_merge_fails_with_cancelled_and_frees_memory() {
    let table = table(6000);
    for skip in [EAGER, NEVER] {
        let exec = group_by(&table, false, skip);
        let ctx = ctx(2);
        let global = exec.start(false, &ctx).unwrap();
        let mut locals = vec![global.create_local().unwrap(), global.create_local().unwrap()];
        let source = table.scan(None, &[], None).unwrap();
        for morsel in 0..source.morsel_count() {
            let local = &mut locals[morsel % 2];
            source
                .read_morsel(morsel, &mut |batch| {
                    let flow = local.sink(morsel, batch)?;
                    Ok(flow)
                })
                .unwrap();
        }
        assert!(ctx.memory_pool().used() > 0, "the partial tables reserved nothing");
        ctx.cancel();
        let result = global.finalize(locals, &ctx);
        assert!(matches!(result, Err(ShoalError::Cancelled)), "{skip:?}: {result:?}");
        assert_eq!(ctx.memory_pool().used(), 0, "{skip:?}: memory still reserved after cancelling");
    }
}
