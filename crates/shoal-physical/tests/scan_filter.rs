//! Filters evaluated inside the scan (`ScanExec` with a predicate): rows, NULLs, several
//! batches, 1 vs 4 threads, and columns read only by the predicate (placeholders).

mod common;

use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::AggregateFunction::*;
use shoal_expr::{col, lit, Column, Expr, JoinType, LogicalPlanBuilder};
use shoal_physical::{create_physical_plan, displayable, ScanExec};

/// The column `name` of relation `relation`.
fn qcol(relation: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(relation), name))
}

/// `batches` batches of `rows` rows: id, mode (string, NULL every 5th row), qty (nullable
/// int, NULL every 7th row).
fn orders(batches: usize, rows: usize) -> Arc<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("mode", DataType::Utf8, true),
        Field::new("qty", DataType::Int64, true),
        Field::new("note", DataType::Utf8, false),
    ]));
    MemTable::new(
        (0..batches)
            .map(|b| {
                let ids: Vec<i64> = (0..rows).map(|i| (b * rows + i) as i64).collect();
                let modes: Vec<Option<&str>> = ids
                    .iter()
                    .map(|i| (i % 5 != 0).then_some(["AIR", "MAIL", "SHIP"][*i as usize % 3]))
                    .collect();
                let qty: Vec<Option<i64>> = ids.iter().map(|i| (i % 7 != 0).then_some(i % 10)).collect();
                let notes: Vec<String> = ids.iter().map(|i| format!("note {i}")).collect();
                RecordBatch::try_new(
                    Arc::clone(&schema),
                    vec![
                        Arc::new(Int64Array::from(ids)),
                        Arc::new(StringArray::from(modes)),
                        Arc::new(Int64Array::from(qty)),
                        Arc::new(StringArray::from(notes)),
                    ],
                )
                .unwrap()
            })
            .collect(),
    )
}

/// The ids of `orders(6, 10)` where `keep(id)`.
fn ids_where(keep: impl Fn(i64) -> bool) -> Vec<String> {
    let mut ids: Vec<i64> = (0..60).filter(|&i| keep(i)).collect();
    ids.sort_unstable();
    ids.iter().map(|i| i.to_string()).collect()
}

fn mode_of(i: i64) -> Option<&'static str> {
    (i % 5 != 0).then_some(["AIR", "MAIL", "SHIP"][i as usize % 3])
}

#[test]
fn filter_runs_in_the_scan_and_keeps_true_rows_only() {
    // mode = 'AIR' AND qty > 3: NULL modes and NULL quantities are dropped
    let plan = LogicalPlanBuilder::scan("t", orders(6, 10))
        .unwrap()
        .filter(col("mode").eq(lit("AIR")).and(col("qty").gt(lit(3i64))))
        .unwrap()
        .project(vec![col("id")])
        .unwrap()
        .build()
        .unwrap();
    let expected = ids_where(|i| mode_of(i) == Some("AIR") && i % 7 != 0 && i % 10 > 3);
    assert!(!expected.is_empty());
    let mut rows = rows_at_1_and_4(&plan, true);
    rows.sort_by_key(|r| r.parse::<i64>().unwrap());
    assert_eq!(rows, expected);

    let physical = create_physical_plan(&plan, &Default::default()).unwrap();
    let text = displayable(physical.as_ref());
    assert!(!text.contains("FilterExec"), "{text}");
    // mode is read only by the predicate (a placeholder); qty is an int but nullable
    assert!(
        text.contains("predicate=mode@1 = 'AIR' AND qty@2 > 3, predicate_only=[mode, qty, note]"),
        "{text}"
    );
}

#[test]
fn columns_used_above_the_filter_are_real() {
    // the predicate reads mode, the projection reads mode too: it must not be a placeholder
    let plan = LogicalPlanBuilder::scan("t", orders(6, 10))
        .unwrap()
        .filter(col("mode").eq(lit("SHIP")).or(col("mode").is_null()))
        .unwrap()
        .project(vec![col("id"), col("mode"), col("note")])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    let mut expected: Vec<(i64, String)> = (0..60)
        .filter(|&i| matches!(mode_of(i), Some("SHIP") | None))
        .map(|i| (i, format!("{i}|{}|note {i}", mode_of(i).unwrap_or("NULL"))))
        .collect();
    expected.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(rows, expected.into_iter().map(|e| e.1).collect::<Vec<_>>());
}

#[test]
fn aggregate_and_join_above_a_filtered_scan() {
    // count rows per qty of the filtered scan joined to itself on id
    let left = LogicalPlanBuilder::scan("l", orders(6, 10))
        .unwrap()
        .filter(col("mode").eq(lit("MAIL")))
        .unwrap()
        .alias("l")
        .unwrap();
    let right = LogicalPlanBuilder::scan("r", orders(6, 10))
        .unwrap()
        .filter(col("note").like(lit("note 1%")))
        .unwrap()
        .alias("r")
        .unwrap()
        .build()
        .unwrap();
    let plan = left
        .join(right, JoinType::Inner, (vec![qcol("l", "id")], vec![qcol("r", "id")]), None)
        .unwrap()
        .aggregate(vec![qcol("l", "qty")], vec![agg(Count, None, false)])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    let kept: Vec<i64> = (0..60)
        .filter(|&i| mode_of(i) == Some("MAIL") && format!("note {i}").starts_with("note 1"))
        .collect();
    assert!(!kept.is_empty());
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for i in kept {
        let qty = if i % 7 == 0 { "NULL".to_string() } else { (i % 10).to_string() };
        *counts.entry(qty).or_default() += 1;
    }
    let mut expected: Vec<String> = counts.iter().map(|(q, c)| format!("{q}|{c}")).collect();
    expected.sort();
    assert_eq!(rows, expected);
}

#[test]
fn semi_join_keeps_left_filter_columns_it_needs() {
    // LEFT SEMI: only left columns come out; the right side's filter column is filter-only
    let right = LogicalPlanBuilder::scan("r", orders(6, 10))
        .unwrap()
        .filter(col("mode").eq(lit("AIR")))
        .unwrap()
        .alias("r")
        .unwrap()
        .build()
        .unwrap();
    let plan = LogicalPlanBuilder::scan("l", orders(6, 10))
        .unwrap()
        .filter(col("qty").lt(lit(2i64)))
        .unwrap()
        .alias("l")
        .unwrap()
        .join(right, JoinType::LeftSemi, (vec![qcol("l", "id")], vec![qcol("r", "id")]), None)
        .unwrap()
        .project(vec![qcol("l", "id"), qcol("l", "qty")])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    let mut expected: Vec<String> = (0..60)
        .filter(|&i| i % 7 != 0 && i % 10 < 2 && mode_of(i) == Some("AIR"))
        .map(|i| format!("{i}|{}", i % 10))
        .collect();
    expected.sort();
    assert_eq!(rows, expected);
}

#[test]
fn filter_without_projection_outputs_every_column() {
    let plan = LogicalPlanBuilder::scan("t", orders(3, 4))
        .unwrap()
        .filter(col("id").gt(lit(8i64)))
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    assert_eq!(rows, strs(&["10|NULL|0|note 10", "11|SHIP|1|note 11", "9|AIR|9|note 9"]));
    let physical = create_physical_plan(&plan, &Default::default()).unwrap();
    let scan = physical.as_any().downcast_ref::<ScanExec>().expect("the filter is fused into the scan");
    assert!(scan.filter().is_some_and(|f| f.placeholder_columns().is_empty()));
}
