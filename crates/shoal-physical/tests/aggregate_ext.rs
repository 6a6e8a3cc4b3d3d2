//! The aggregates beyond SQL-92 and grouping sets, each at 1 and 4 threads: HyperLogLog and
//! t-digest states merged across threads, exact quantiles, ordered `string_agg`/`array_agg`,
//! and ROLLUP with NULL keys.

mod common;

use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::AggregateFunction::*;
use shoal_expr::{
    col, lit, AggregateFunction, AggregateFunctionExpr, Expr, GroupingSet, LogicalPlanBuilder, SortExpr,
};

/// 40 batches of 2 500 rows: `k` = row % 4, `v` = row (0 .. 100 000, all distinct).
fn table() -> Arc<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("v", DataType::Int64, false),
    ]));
    let batches = (0..40i64)
        .map(|b| {
            let v: Vec<i64> = (b * 2500..(b + 1) * 2500).collect();
            let k: Vec<i64> = v.iter().map(|x| x % 4).collect();
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![Arc::new(Int64Array::from(k)), Arc::new(Int64Array::from(v))],
            )
            .unwrap()
        })
        .collect();
    MemTable::new(batches)
}

fn call(func: AggregateFunction, args: Vec<Expr>, order_by: Vec<SortExpr>) -> Expr {
    Expr::AggregateFunction(AggregateFunctionExpr { func, args, distinct: false, filter: None, order_by })
}

fn field(row: &str, i: usize) -> f64 {
    row.split('|').nth(i).unwrap().parse().unwrap()
}

#[test]
fn approximate_aggregates_merge_across_threads() {
    let plan = LogicalPlanBuilder::scan("t", table())
        .unwrap()
        .aggregate(
            vec![],
            vec![
                call(ApproxCountDistinct, vec![col("v")], vec![]),
                call(ApproxQuantile, vec![col("v"), lit(0.5)], vec![]),
                call(ApproxQuantile, vec![col("v"), lit(0.99)], vec![]),
                call(Median, vec![col("v")], vec![]),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    // the HyperLogLog estimate is the same however the rows are split; t-digests may differ
    // slightly, so compare each run with the truth
    let mut estimates = vec![];
    for threads in [1, 4] {
        let rows = rows(&run(&plan, threads).unwrap());
        let row = &rows[0];
        let distinct = field(row, 0);
        assert!((distinct - 100_000.0).abs() <= 2_000.0, "{row}");
        assert!((field(row, 1) - 49_999.5).abs() <= 500.0, "{row}");
        assert!((field(row, 2) - 98_999.01).abs() <= 500.0, "{row}");
        assert_eq!(field(row, 3), 49_999.5, "{row}");
        estimates.push(distinct);
    }
    assert_eq!(estimates[0], estimates[1]);
}

#[test]
fn approximate_aggregates_per_group() {
    let plan = LogicalPlanBuilder::scan("t", table())
        .unwrap()
        .aggregate(
            vec![col("k")],
            vec![
                call(ApproxCountDistinct, vec![col("v")], vec![]),
                call(QuantileCont, vec![col("v"), lit(0.25)], vec![]),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    assert_eq!(rows.len(), 4);
    for (k, row) in rows.iter().enumerate() {
        assert!((field(row, 1) - 25_000.0).abs() <= 750.0, "{row}");
        // values k, k+4, ..: the 25% rank of 25 000 values is 6 249.75 → k + 4 * 6 249.75
        assert_eq!(field(row, 2), k as f64 + 24_999.0, "{row}");
    }
}

#[test]
fn ordered_string_agg_and_array_agg() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("s", DataType::Utf8, true),
        Field::new("o", DataType::Int64, false),
    ]));
    let batch = |g: Vec<i64>, s: Vec<Option<&str>>, o: Vec<i64>| {
        RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int64Array::from(g)),
                Arc::new(StringArray::from(s)),
                Arc::new(Int64Array::from(o)),
            ],
        )
        .unwrap()
    };
    let table = MemTable::new(vec![
        batch(vec![1, 1, 2], vec![Some("c"), None, Some("x")], vec![3, 9, 1]),
        batch(vec![1, 2, 1], vec![Some("a"), Some("y"), Some("b")], vec![1, 2, 2]),
    ]);
    let desc = vec![SortExpr::new(col("o"), false, true)];
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(
            vec![col("g")],
            vec![
                call(StringAgg, vec![col("s"), lit(";")], desc.clone()),
                call(ArrayAgg, vec![col("s")], vec![SortExpr::new(col("o"), true, false)]),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, true), strs(&["1|c;b;a|[a, b, c, NULL]", "2|y;x|[x, y]"]));
}

#[test]
fn rollup_separates_null_data_from_grouping_nulls() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, true),
        Field::new("v", DataType::Int64, false),
    ]));
    let table = MemTable::new(vec![
        RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(Int64Array::from(vec![Some(1), None])), Arc::new(Int64Array::from(vec![10, 20]))],
        )
        .unwrap(),
        RecordBatch::try_new(
            schema,
            vec![Arc::new(Int64Array::from(vec![Some(1)])), Arc::new(Int64Array::from(vec![5]))],
        )
        .unwrap(),
    ]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(
            vec![Expr::GroupingSet(GroupingSet::Rollup(vec![col("a")]))],
            vec![agg(Sum, Some(col("v")), false)],
        )
        .unwrap()
        .build()
        .unwrap();
    // a, __grouping_id, sum
    assert_eq!(rows_at_1_and_4(&plan, true), strs(&["1|0|15", "NULL|0|20", "NULL|1|35"]));
}
