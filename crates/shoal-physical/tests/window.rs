//! `WindowExec`: ranking, value and frame aggregates checked row by row against a naive
//! computation, on inputs small and large enough to be split into many hash buckets, with
//! NULL partition keys and empty input, each at 1 and 4 threads.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::Int64Array;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_common::ScalarValue;
use shoal_expr::{
    col, lit, AggregateFunction, Expr, LogicalPlan, LogicalPlanBuilder, SortExpr, WindowFrame,
    WindowFrameBound, WindowFrameUnits, WindowFunction, WindowFunctionExpr,
};

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("i", DataType::Int64, false),
        Field::new("k", DataType::Int64, true),
        Field::new("v", DataType::Int64, true),
    ]))
}

/// Rows `(i, k, v)` in batches of `per_batch`.
fn table(rows: &[(i64, Option<i64>, Option<i64>)], per_batch: usize) -> Arc<MemTable> {
    let batches = rows
        .chunks(per_batch.max(1))
        .map(|c| {
            RecordBatch::try_new(
                schema(),
                vec![
                    Arc::new(Int64Array::from(c.iter().map(|r| r.0).collect::<Vec<_>>())),
                    Arc::new(Int64Array::from(c.iter().map(|r| r.1).collect::<Vec<_>>())),
                    Arc::new(Int64Array::from(c.iter().map(|r| r.2).collect::<Vec<_>>())),
                ],
            )
            .unwrap()
        })
        .collect();
    MemTable::new(batches)
}

fn call(
    func: WindowFunction,
    args: Vec<Expr>,
    by_k: bool,
    order: Vec<SortExpr>,
    frame: Option<WindowFrame>,
) -> Expr {
    let frame = frame.unwrap_or_else(|| WindowFrame::default_for(!order.is_empty()));
    Expr::WindowFunction(WindowFunctionExpr {
        func,
        args,
        partition_by: if by_k { vec![col("k")] } else { vec![] },
        order_by: order,
        frame,
    })
}

fn asc(name: &str) -> SortExpr {
    SortExpr::new(col(name), true, false)
}

fn rows_frame(start: WindowFrameBound, end: WindowFrameBound) -> Option<WindowFrame> {
    Some(WindowFrame::try_new(WindowFrameUnits::Rows, start, end).unwrap())
}

fn window_plan(table: Arc<MemTable>, exprs: Vec<Expr>) -> LogicalPlan {
    let named: Vec<Expr> = exprs.into_iter().enumerate().map(|(n, e)| e.alias(format!("w{n}"))).collect();
    LogicalPlanBuilder::scan("t", table).unwrap().window(named).unwrap().build().unwrap()
}

fn fmt(v: Option<i64>) -> String {
    v.map_or("NULL".into(), |v| v.to_string())
}

#[test]
fn ranking_and_running_sum_with_null_partition() {
    let data = [
        (1, Some(1), Some(10)),
        (2, Some(1), Some(20)),
        (3, Some(1), Some(20)),
        (4, None, Some(5)),
        (5, None, None),
        (6, Some(2), Some(7)),
    ];
    let order = vec![SortExpr::new(col("v"), true, false)];
    let plan = window_plan(
        table(&data, 2),
        vec![
            call(WindowFunction::RowNumber, vec![], true, vec![asc("i")], None),
            call(WindowFunction::Rank, vec![], true, order.clone(), None),
            call(WindowFunction::Aggregate(AggregateFunction::Sum), vec![col("v")], true, order, None),
        ],
    );
    assert_eq!(
        rows_at_1_and_4(&plan, true),
        strs(&[
            "1|1|10|1|1|10",
            "2|1|20|2|2|50",
            "3|1|20|3|2|50",
            "4|NULL|5|1|1|5",
            "5|NULL|NULL|2|2|5",
            "6|2|7|1|1|7",
        ])
    );
}

#[test]
fn empty_input_gives_no_rows() {
    let plan = window_plan(
        MemTable::empty(schema()),
        vec![call(WindowFunction::RowNumber, vec![], true, vec![asc("i")], None)],
    );
    assert!(rows_at_1_and_4(&plan, true).is_empty());
}

/// 20,000 rows in 37 partitions (one of them NULL), many hash buckets at 4 threads.
fn large() -> Vec<(i64, Option<i64>, Option<i64>)> {
    (0..20_000i64)
        .map(|i| {
            let k = if i % 37 == 0 { None } else { Some(i % 37) };
            let v = if i % 11 == 0 { None } else { Some((i * 7919) % 1000) };
            (i, k, v)
        })
        .collect()
}

#[test]
fn large_input_matches_naive_computation() {
    let data = large();
    let sum = WindowFunction::Aggregate(AggregateFunction::Sum);
    let min = WindowFunction::Aggregate(AggregateFunction::Min);
    let sliding = rows_frame(
        WindowFrameBound::Preceding(ScalarValue::int64(Some(3))),
        WindowFrameBound::Following(ScalarValue::int64(Some(1))),
    );
    let range = Some(
        WindowFrame::try_new(
            WindowFrameUnits::Range,
            WindowFrameBound::Preceding(ScalarValue::int64(Some(5))),
            WindowFrameBound::Following(ScalarValue::int64(Some(5))),
        )
        .unwrap(),
    );
    let plan = window_plan(
        table(&data, 1000),
        vec![
            call(WindowFunction::RowNumber, vec![], true, vec![asc("i")], None),
            call(sum, vec![col("v")], true, vec![asc("i")], None),
            call(sum, vec![col("v")], true, vec![asc("i")], sliding.clone()),
            call(min, vec![col("v")], true, vec![asc("i")], sliding),
            call(WindowFunction::Lag, vec![col("v"), lit(2i64), lit(-1i64)], true, vec![asc("i")], None),
            call(WindowFunction::Aggregate(AggregateFunction::Count), vec![], true, vec![asc("v")], range),
        ],
    );
    let got = rows_at_1_and_4(&plan, true);

    // naive: per partition, rows in order of i (the input is already in that order)
    let mut parts: BTreeMap<Option<i64>, Vec<(i64, Option<i64>)>> = BTreeMap::new();
    for &(i, k, v) in &data {
        parts.entry(k).or_default().push((i, v));
    }
    let mut expected = vec![];
    for (k, rows) in &parts {
        let mut running = None::<i64>;
        for (pos, &(i, v)) in rows.iter().enumerate() {
            if let Some(v) = v {
                running = Some(running.unwrap_or(0) + v);
            }
            let frame = &rows[pos.saturating_sub(3)..(pos + 2).min(rows.len())];
            let values: Vec<i64> = frame.iter().filter_map(|r| r.1).collect();
            let sliding_sum = (!values.is_empty()).then(|| values.iter().sum::<i64>());
            let sliding_min = values.iter().min().copied();
            let lag = if pos >= 2 { rows[pos - 2].1 } else { Some(-1) };
            let in_range = match v {
                Some(v) => rows.iter().filter(|r| r.1.is_some_and(|w| (v - 5..=v + 5).contains(&w))).count(),
                None => rows.iter().filter(|r| r.1.is_none()).count(),
            };
            expected.push(format!(
                "{i}|{}|{}|{}|{}|{}|{}|{}|{in_range}",
                fmt(*k),
                fmt(v),
                pos + 1,
                fmt(running),
                fmt(sliding_sum),
                fmt(sliding_min),
                fmt(lag),
            ));
        }
    }
    expected.sort();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(expected.iter()) {
        assert_eq!(g, e);
    }
}

#[test]
fn windows_with_different_orders_keep_the_logical_column_order() {
    let data = [(1, Some(1), Some(3)), (2, Some(1), Some(1)), (3, Some(2), Some(2))];
    let desc = vec![SortExpr::new(col("i"), false, true)];
    let plan = window_plan(
        table(&data, 1),
        vec![
            call(WindowFunction::RowNumber, vec![], false, vec![asc("i")], None),
            call(WindowFunction::RowNumber, vec![], false, desc.clone(), None),
            call(WindowFunction::Lead, vec![col("v")], false, vec![asc("i")], None),
            call(WindowFunction::FirstValue, vec![col("v")], false, desc, None),
        ],
    );
    assert_eq!(rows_at_1_and_4(&plan, true), strs(&["1|1|3|1|3|1|2", "2|1|1|2|2|2|2", "3|2|2|3|1|NULL|2"]));
}
