//! The scheduler: streaming execution, cancellation, progress, count(*) over an empty
//! projection, literal rows, and EXPLAIN / EXPLAIN ANALYZE output.

mod common;

use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::Int64Array;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_common::ShoalError;
use shoal_expr::plan::TableScan;
use shoal_expr::AggregateFunction::*;
use shoal_expr::{col, lit, LogicalPlan, LogicalPlanBuilder, SortExpr};
use shoal_physical::{collect, create_physical_plan, displayable, execute_stream, explain_analyze};

fn counting_table(batches: usize, rows: usize) -> Arc<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("g", DataType::Int64, false),
    ]));
    MemTable::new(
        (0..batches)
            .map(|b| {
                let values: Vec<i64> = (0..rows).map(|i| (b * rows + i) as i64).collect();
                let groups: Vec<i64> = values.iter().map(|v| v % 3).collect();
                RecordBatch::try_new(
                    Arc::clone(&schema),
                    vec![Arc::new(Int64Array::from(values)), Arc::new(Int64Array::from(groups))],
                )
                .unwrap()
            })
            .collect(),
    )
}

#[test]
fn stream_delivers_batches_and_stops_on_break() {
    let table = counting_table(100, 10);
    let plan = LogicalPlanBuilder::scan("t", Arc::clone(&table) as _)
        .unwrap()
        .filter(col("a").gt_eq(lit(0i64)))
        .unwrap()
        .project(vec![col("a")])
        .unwrap()
        .build()
        .unwrap();
    let ctx = ctx(4);
    let physical = create_physical_plan(&plan, ctx.config()).unwrap();
    let mut seen = 0;
    execute_stream(physical, &ctx, &mut |batch| {
        seen += batch.num_rows();
        Ok(if seen >= 30 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    })
    .unwrap();
    assert!(seen >= 30);
    assert!(table.reads() < 100, "read {} morsels", table.reads());
}

#[test]
fn stream_applies_root_limit_and_keeps_order() {
    let ctx = ctx(4);
    let limited = LogicalPlanBuilder::scan("t", counting_table(50, 10))
        .unwrap()
        .limit(3, Some(7))
        .unwrap()
        .build()
        .unwrap();
    let mut got = 0;
    let physical = create_physical_plan(&limited, ctx.config()).unwrap();
    execute_stream(physical, &ctx, &mut |b| {
        got += b.num_rows();
        Ok(ControlFlow::Continue(()))
    })
    .unwrap();
    assert_eq!(got, 7);

    let sorted = LogicalPlanBuilder::scan("t", counting_table(30, 10))
        .unwrap()
        .sort(vec![SortExpr::new(col("a"), false, true)])
        .unwrap()
        .project(vec![col("a")])
        .unwrap()
        .build()
        .unwrap();
    let physical = create_physical_plan(&sorted, ctx.config()).unwrap();
    let mut batches = vec![];
    execute_stream(physical, &ctx, &mut |b| {
        batches.push(b);
        Ok(ControlFlow::Continue(()))
    })
    .unwrap();
    let expected: Vec<String> = (0..300).rev().map(|i| i.to_string()).collect();
    assert_eq!(rows(&batches), expected);
}

#[test]
fn cancellation_stops_the_query() {
    let plan = LogicalPlanBuilder::scan("t", counting_table(20, 10))
        .unwrap()
        .aggregate(vec![col("g")], vec![agg(Count, None, false)])
        .unwrap()
        .build()
        .unwrap();
    let ctx = ctx(2);
    let physical = create_physical_plan(&plan, ctx.config()).unwrap();
    ctx.cancel();
    let err = collect(Arc::clone(&physical), &ctx).unwrap_err();
    assert!(matches!(err, ShoalError::Cancelled), "{err}");

    // cancelled from inside the consumer while streaming
    let ctx = ctx.fresh();
    let scan = LogicalPlanBuilder::scan("t", counting_table(200, 10)).unwrap().build().unwrap();
    let physical = create_physical_plan(&scan, ctx.config()).unwrap();
    let cancel = Arc::clone(ctx.cancel_flag());
    let err = execute_stream(physical, &ctx, &mut |_| {
        cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(ControlFlow::Continue(()))
    })
    .unwrap_err();
    assert!(matches!(err, ShoalError::Cancelled), "{err}");
}

#[test]
fn progress_counts_morsels() {
    let plan = LogicalPlanBuilder::scan("t", counting_table(12, 5))
        .unwrap()
        .aggregate(vec![], vec![agg(Sum, Some(col("a")), false)])
        .unwrap()
        .build()
        .unwrap();
    let ctx = ctx(3);
    let batches = collect(create_physical_plan(&plan, ctx.config()).unwrap(), &ctx).unwrap();
    assert_eq!(rows(&batches), strs(&["1770"]));
    let p = ctx.progress().snapshot();
    assert_eq!(p.morsels_done, p.morsels_total);
    assert!(p.morsels_done >= 12);
}

#[test]
fn count_star_over_an_empty_projection() {
    let table = counting_table(7, 6);
    let scan = TableScan::try_new("t", table, Some(vec![]), vec![], None).unwrap();
    let plan = LogicalPlanBuilder::from(LogicalPlan::TableScan(scan))
        .aggregate(vec![], vec![agg(Count, None, false).alias("n")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["42"]));
}

#[test]
fn literal_rows_and_empty_relations() {
    let values = LogicalPlanBuilder::values(vec![
        vec![lit(1i64), lit("a")],
        vec![lit(2i64), lit("b")],
        vec![lit(3i64), lit("c")],
    ])
    .unwrap()
    .alias("v")
    .unwrap()
    .filter(col("column1").gt(lit(1i64)))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(rows_at_1_and_4(&values, false), strs(&["2|b", "3|c"]));

    let one_row =
        LogicalPlanBuilder::empty(true).project(vec![lit(7i64).alias("x")]).unwrap().build().unwrap();
    assert_eq!(rows_at_1_and_4(&one_row, false), strs(&["7"]));
    let no_rows =
        LogicalPlanBuilder::empty(false).project(vec![lit(7i64).alias("x")]).unwrap().build().unwrap();
    assert!(rows_at_1_and_4(&no_rows, false).is_empty());
}

#[test]
fn explain_and_explain_analyze() {
    let plan = LogicalPlanBuilder::scan("t", counting_table(8, 10))
        .unwrap()
        .filter(col("a").gt(lit(5i64)))
        .unwrap()
        .aggregate(vec![col("g")], vec![agg(Count, None, false)])
        .unwrap()
        .sort(vec![SortExpr::new(col("g"), true, false)])
        .unwrap()
        .limit(0, Some(2))
        .unwrap()
        .build()
        .unwrap();
    let ctx = ctx(2);
    let physical = create_physical_plan(&plan, ctx.config()).unwrap();
    let text = displayable(physical.as_ref());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("LimitExec: skip=0, fetch=2"), "{text}");
    assert!(lines[1].starts_with("  SortExec: TopK(fetch=2)"), "{text}");
    assert!(lines[2].starts_with("    HashAggregateExec: groupBy=["), "{text}");
    // the filter runs inside the scan
    assert_eq!(lines[3], "      ScanExec: t memory: 8 batches, predicate=a@0 > 5", "{text}");

    let analyzed = explain_analyze(physical, &ctx).unwrap();
    let lines: Vec<&str> = analyzed.lines().collect();
    assert!(lines[0].contains("metrics=[rows=2,"), "{analyzed}");
    assert!(lines[2].contains("metrics=[rows=3,"), "{analyzed}");
    assert!(lines[3].contains("rows_decoded=80, metrics=[rows=74,"), "{analyzed}");
    assert!(lines[4].starts_with("Total: rows=2"), "{analyzed}");
}

/// The `threads=` of every operator line of an EXPLAIN ANALYZE text, top to bottom.
fn operator_threads(analyzed: &str) -> Vec<usize> {
    analyzed
        .lines()
        .filter(|l| !l.starts_with("Total:"))
        .map(|l| {
            let (_, rest) = l.split_once("threads=").unwrap_or_else(|| panic!("no threads= in {l:?}"));
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        })
        .collect()
}

#[test]
fn explain_analyze_counts_the_threads_that_worked_on_each_operator() {
    let plan = |batches| {
        LogicalPlanBuilder::scan("t", counting_table(batches, 1000))
            .unwrap()
            .filter(col("a").gt(lit(5i64)))
            .unwrap()
            .aggregate(vec![col("g")], vec![agg(Count, None, false)])
            .unwrap()
            .build()
            .unwrap()
    };
    // One thread: every operator ran on it.
    let ctx1 = ctx(1);
    let analyzed = explain_analyze(create_physical_plan(&plan(64), ctx1.config()).unwrap(), &ctx1).unwrap();
    let threads = operator_threads(&analyzed);
    assert!(!threads.is_empty() && threads.iter().all(|&t| t == 1), "{analyzed}");
    assert!(analyzed.lines().last().unwrap().ends_with("threads=1"), "{analyzed}");

    // Four threads, but a scan of one batch is one morsel: one worker read it.
    let ctx4 = ctx(4);
    let analyzed = explain_analyze(create_physical_plan(&plan(1), ctx4.config()).unwrap(), &ctx4).unwrap();
    assert_eq!(operator_threads(&analyzed).last(), Some(&1), "{analyzed}");
    assert!(analyzed.lines().last().unwrap().ends_with("threads=4"), "{analyzed}");

    // Many morsels at four threads: between one and four workers on each operator (how many
    // picked up work is up to the scheduler), never more than the pool has.
    let analyzed = explain_analyze(create_physical_plan(&plan(256), ctx4.config()).unwrap(), &ctx4).unwrap();
    assert!(operator_threads(&analyzed).iter().all(|&t| (1..=4).contains(&t)), "{analyzed}");
}
