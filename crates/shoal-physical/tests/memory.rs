//! The memory budget: reservations, ResourcesExhausted from a hash aggregate, sort spilling to
//! disk, streaming queries under a tiny limit, EXPLAIN ANALYZE memory counters, and the pool
//! returning to zero after every query.

mod common;

use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_common::{Result, SessionConfig, ShoalError};
use shoal_expr::{col, lit, AggregateFunction, LogicalPlan, LogicalPlanBuilder, SortExpr};
use shoal_physical::memory::{MemoryConsumer, MemoryPool};
use shoal_physical::{collect, create_physical_plan, explain_analyze, TaskContext};

/// `batches` batches of `rows` rows: a = a scrambled number below 50,000, b = 'k' || (a % 997).
fn table(batches: usize, rows: usize) -> Arc<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Utf8, false),
    ]));
    MemTable::new(
        (0..batches)
            .map(|batch| {
                let a: Vec<i64> = (0..rows).map(|i| (((batch * rows + i) as i64) * 7_919) % 50_000).collect();
                let b: Vec<String> = a.iter().map(|v| format!("k{}", v % 997)).collect();
                RecordBatch::try_new(
                    Arc::clone(&schema),
                    vec![Arc::new(Int64Array::from(a)), Arc::new(StringArray::from(b))],
                )
                .unwrap()
            })
            .collect(),
    )
}

fn context(threads: usize, limit: Option<usize>) -> TaskContext {
    let config = SessionConfig { memory_limit: limit, ..SessionConfig::default() }
        .with_threads(threads)
        .with_batch_size(1024);
    TaskContext::try_new(config).unwrap()
}

fn run_with(plan: &LogicalPlan, ctx: &TaskContext) -> Result<Vec<RecordBatch>> {
    let physical = create_physical_plan(plan, ctx.config())?;
    let out = collect(physical, ctx);
    assert_eq!(ctx.memory_pool().used(), 0, "memory still reserved after the query");
    out
}

fn group_by_a() -> LogicalPlan {
    LogicalPlanBuilder::scan("t", table(50, 2000))
        .unwrap()
        .aggregate(vec![col("a")], vec![agg(AggregateFunction::Count, None, false)])
        .unwrap()
        .build()
        .unwrap()
}

fn order_by_b_then_a_desc(batches: usize) -> LogicalPlan {
    LogicalPlanBuilder::scan("t", table(batches, 1000))
        .unwrap()
        .sort(vec![SortExpr::new(col("b"), true, false), SortExpr::new(col("a"), false, false)])
        .unwrap()
        .build()
        .unwrap()
}

#[test]
fn reservations_grow_shrink_and_free_on_drop() {
    let pool = Arc::new(MemoryPool::new(Some(1000)));
    let consumer = MemoryConsumer::detached(&pool, "TestExec");
    let mut first = consumer.reservation();
    first.try_grow(600).unwrap();
    let mut second = consumer.reservation();
    let err = second.try_grow(500).unwrap_err();
    match &err {
        ShoalError::ResourcesExhausted { operator, requested, used, limit, .. } => {
            assert_eq!((operator.as_str(), *requested, *used, *limit), ("TestExec", 500, 600, 1000));
        }
        other => panic!("expected ResourcesExhausted, got {other:?}"),
    }
    assert!(err.to_string().contains("Raise memory_limit"), "{err}");
    assert_eq!(second.size(), 0);
    second.try_grow(400).unwrap();
    assert_eq!(pool.used(), 1000);
    first.shrink(100);
    assert_eq!((first.size(), pool.used()), (500, 900));
    drop(first);
    assert_eq!(pool.used(), 400);
    second.try_resize(50).unwrap();
    assert_eq!(pool.used(), 50);
    drop(second);
    assert_eq!((pool.used(), pool.peak()), (0, 1000));
}

#[test]
fn chunked_growth_takes_a_step_but_falls_back_to_what_is_needed() {
    let unbounded = Arc::new(MemoryPool::new(None));
    let mut r = MemoryConsumer::detached(&unbounded, "TestExec").reservation();
    r.try_reserve_at_least(10).unwrap();
    assert_eq!(r.size(), shoal_physical::memory::RESERVATION_CHUNK);
    r.try_reserve_at_least(100).unwrap();
    assert_eq!(unbounded.used(), shoal_physical::memory::RESERVATION_CHUNK);
    let small = Arc::new(MemoryPool::new(Some(5000)));
    let mut r = MemoryConsumer::detached(&small, "TestExec").reservation();
    r.try_reserve_at_least(4000).unwrap();
    assert_eq!(r.size(), 4000);
    assert!(r.try_reserve_at_least(6000).is_err());
    assert_eq!(small.used(), 4000);
}

#[test]
fn group_by_many_groups_under_tiny_limit_names_the_aggregate() {
    for threads in [1, 4] {
        let ctx = context(threads, Some(64 * 1024));
        let err = run_with(&group_by_a(), &ctx).unwrap_err();
        match err.root() {
            ShoalError::ResourcesExhausted { operator, limit, hint, .. } => {
                assert_eq!(operator, "HashAggregateExec");
                assert_eq!(*limit, 64 * 1024);
                assert!(hint.contains("number of groups"), "{hint}");
            }
            other => panic!("expected ResourcesExhausted, got {other:?}"),
        }
        let message = err.to_string();
        assert!(message.contains("HashAggregateExec ran out of memory"), "{message}");
        assert!(message.contains("64.0KiB memory limit"), "{message}");
    }
}

#[test]
fn group_by_under_generous_limit_gives_the_right_rows() {
    let expected = {
        let mut counts = std::collections::BTreeMap::<i64, u64>::new();
        for i in 0..100_000i64 {
            *counts.entry((i * 7_919) % 50_000).or_default() += 1;
        }
        counts.into_iter().map(|(a, n)| format!("{a}|{n}")).collect::<Vec<_>>()
    };
    for threads in [1, 4] {
        let ctx = context(threads, Some(512 << 20));
        let mut got = rows(&run_with(&group_by_a(), &ctx).unwrap());
        got.sort_by_key(|r| r.split('|').next().and_then(|a| a.parse::<i64>().ok()));
        assert_eq!(got, expected);
        assert!(ctx.memory_pool().peak() > 0, "the aggregate reserved nothing");
    }
}

#[test]
fn order_by_larger_than_the_limit_spills_and_matches_the_unlimited_result() {
    let plan = order_by_b_then_a_desc(40);
    let unlimited = rows(&run_with(&plan, &context(1, None)).unwrap());
    let mut expected: Vec<(String, i64)> =
        (0..40_000i64).map(|i| (i * 7_919) % 50_000).map(|a| (format!("k{}", a % 997), a)).collect();
    expected.sort_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
    let expected: Vec<String> = expected.into_iter().map(|(b, a)| format!("{a}|{b}")).collect();
    assert_eq!(unlimited, expected);
    for threads in [1, 4] {
        let ctx = context(threads, Some(128 * 1024));
        let physical = create_physical_plan(&plan, ctx.config()).unwrap();
        let got = rows(&collect(Arc::clone(&physical), &ctx).unwrap());
        assert_eq!(ctx.memory_pool().used(), 0);
        assert_eq!(got, expected, "at {threads} threads");
        let memory = physical.metrics().memory();
        assert!(memory.spill_count() > 0, "nothing spilled at {threads} threads");
        assert_eq!(memory.spilled_rows() as usize, 40_000);
        assert!(memory.peak() <= 128 * 1024);
    }
}

#[test]
fn sort_with_more_runs_than_one_merge_pass_takes() {
    // a 1-byte limit spills every batch as its own run: 100 runs, merged in two passes
    let plan = order_by_b_then_a_desc(100);
    let expected = rows(&run_with(&plan, &context(2, None)).unwrap());
    let ctx = context(2, Some(1));
    let physical = create_physical_plan(&plan, ctx.config()).unwrap();
    let got = rows(&collect(Arc::clone(&physical), &ctx).unwrap());
    assert_eq!(got.len(), 100_000);
    assert_eq!(got, expected);
    assert!(physical.metrics().memory().spill_count() >= 100);
    assert_eq!(ctx.memory_pool().used(), 0);
}

#[test]
fn streaming_queries_run_over_data_larger_than_the_limit() {
    let ctx = context(4, Some(1024));
    let count = LogicalPlanBuilder::scan("t", table(50, 2000))
        .unwrap()
        .aggregate(vec![], vec![agg(AggregateFunction::Count, None, false)])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows(&run_with(&count, &ctx).unwrap()), strs(&["100000"]));
    let filtered = LogicalPlanBuilder::scan("t", table(50, 2000))
        .unwrap()
        .filter(col("a").lt(lit(10i64)))
        .unwrap()
        .project(vec![col("b")])
        .unwrap()
        .build()
        .unwrap();
    let got = run_with(&filtered, &ctx).unwrap();
    assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 20);
    assert!(rows(&got).iter().all(|b| b.starts_with('k')));
}

#[test]
fn explain_analyze_shows_peak_memory_and_spills() {
    let ctx = context(2, Some(64 * 1024));
    let physical = create_physical_plan(&order_by_b_then_a_desc(10), ctx.config()).unwrap();
    let text = explain_analyze(physical, &ctx).unwrap();
    let sort_line = text.lines().find(|l| l.contains("SortExec")).unwrap_or_default();
    assert!(sort_line.contains("mem="), "{text}");
    assert!(sort_line.contains("spills="), "{text}");
    let ctx = context(2, None);
    let text = explain_analyze(create_physical_plan(&group_by_a(), ctx.config()).unwrap(), &ctx).unwrap();
    let agg_line = text.lines().find(|l| l.contains("HashAggregateExec")).unwrap_or_default();
    assert!(agg_line.contains("mem="), "{text}");
    assert!(!agg_line.contains("spills="), "{text}");
    assert_eq!(ctx.memory_pool().used(), 0);
}
