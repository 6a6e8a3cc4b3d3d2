//! ORDER BY (multi-key, NULLS FIRST/LAST), top-k, LIMIT/OFFSET and early stopping.

mod common;

use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::{col, LogicalPlanBuilder, SortExpr};
use shoal_physical::{create_physical_plan, displayable};

fn ab_batch(a: &[Option<i64>], b: &[Option<&str>]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, true),
        Field::new("b", DataType::Utf8, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![Arc::new(Int64Array::from(a.to_vec())), Arc::new(StringArray::from(b.to_vec()))],
    )
    .unwrap()
}

fn ab_table() -> Arc<MemTable> {
    MemTable::new(vec![
        ab_batch(&[Some(3), None], &[Some("x"), Some("y")]),
        ab_batch(&[Some(1), Some(3)], &[None, Some("a")]),
        ab_batch(&[Some(2), None], &[Some("b"), Some("z")]),
    ])
}

/// A table of `batches` batches of `rows` rows: a = 0, 1, 2, ...
fn counting_table(batches: usize, rows: usize) -> Arc<MemTable> {
    let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, false)]));
    MemTable::new(
        (0..batches)
            .map(|b| {
                let values: Vec<i64> = (0..rows).map(|i| (b * rows + i) as i64).collect();
                RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(Int64Array::from(values))]).unwrap()
            })
            .collect(),
    )
}

#[test]
fn multi_key_sort_with_null_placement() {
    let plan = LogicalPlanBuilder::scan("t", ab_table())
        .unwrap()
        .sort(vec![SortExpr::new(col("a"), true, true), SortExpr::new(col("b"), false, false)])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["NULL|z", "NULL|y", "1|NULL", "2|b", "3|x", "3|a"]));
    let plan = LogicalPlanBuilder::scan("t", ab_table())
        .unwrap()
        .sort(vec![SortExpr::new(col("a"), false, false), SortExpr::new(col("b"), true, true)])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["3|a", "3|x", "2|b", "1|NULL", "NULL|y", "NULL|z"]));
}

#[test]
fn top_k_with_offset_through_a_projection() {
    let plan = LogicalPlanBuilder::scan("t", counting_table(25, 8))
        .unwrap()
        .sort(vec![SortExpr::new(col("a"), false, true)])
        .unwrap()
        .project(vec![col("a")])
        .unwrap()
        .limit(2, Some(3))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["197", "196", "195"]));
    let text = displayable(create_physical_plan(&plan, &Default::default()).unwrap().as_ref());
    assert!(text.contains("SortExec: TopK(fetch=5)"), "{text}");
}

#[test]
fn large_sort_merges_runs_in_order() {
    let plan = LogicalPlanBuilder::scan("t", counting_table(40, 50))
        .unwrap()
        .sort(vec![SortExpr::new(col("a"), false, true)])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, false);
    let expected: Vec<String> = (0..2000).rev().map(|i| i.to_string()).collect();
    assert_eq!(rows, expected);
}

#[test]
fn limit_and_offset_without_order() {
    let plan = LogicalPlanBuilder::scan("t", counting_table(10, 10))
        .unwrap()
        .limit(95, Some(20))
        .unwrap()
        .build()
        .unwrap();
    for threads in [1, 4] {
        let got = rows(&run(&plan, threads).unwrap());
        assert_eq!(got.len(), 5);
    }
    let plan = LogicalPlanBuilder::scan("t", counting_table(10, 10))
        .unwrap()
        .limit(0, Some(0))
        .unwrap()
        .build()
        .unwrap();
    assert!(rows_at_1_and_4(&plan, false).is_empty());
}

#[test]
fn limit_stops_the_scan_early() {
    for threads in [1, 4] {
        let table = counting_table(200, 10);
        let plan = LogicalPlanBuilder::scan("t", Arc::clone(&table) as _)
            .unwrap()
            .filter(col("a").gt_eq(shoal_expr::lit(0i64)))
            .unwrap()
            .limit(0, Some(15))
            .unwrap()
            .build()
            .unwrap();
        let got = run(&plan, threads).unwrap();
        assert_eq!(rows(&got).len(), 15);
        assert!(table.reads() <= 2 * threads + 2, "{} morsels read at {threads} threads", table.reads());
    }
}

#[test]
fn sorting_empty_input() {
    let schema = shoal_expr::TableSource::schema(ab_table().as_ref());
    let plan = LogicalPlanBuilder::scan("t", MemTable::empty(schema))
        .unwrap()
        .sort(vec![SortExpr::new(col("a"), true, false)])
        .unwrap()
        .limit(0, Some(3))
        .unwrap()
        .build()
        .unwrap();
    assert!(rows_at_1_and_4(&plan, false).is_empty());
}
