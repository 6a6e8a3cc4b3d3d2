//! Direct-index group values for one `INT`/`BIGINT`/`DATE` key: the same ids, keys and hashes
//! as the hashed implementation over batches whose values widen the range up and down, NULL
//! keys, the fall back to hashing when the range grows too wide, and end to end at 1 and 4
//! threads.

mod common;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Date32Array, Int32Array, Int64Array};
use arrow::datatypes::{DataType, Date32Type, Field, Int32Type, Int64Type, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::AggregateFunction::*;
use shoal_expr::{col, LogicalPlanBuilder};
use shoal_physical::aggregate::direct_group_values::{DirectGroupValues, DIRECT_MAX_RANGE};
use shoal_physical::aggregate::group_values::{GroupValues, PrimitiveGroupValues};

/// Intern every batch, returning all ids, the emitted key column and the emitted hashes.
fn intern_all(gv: &mut dyn GroupValues, batches: &[ArrayRef]) -> (Vec<u32>, ArrayRef, Vec<u64>) {
    let mut all = vec![];
    let mut ids = vec![];
    for keys in batches {
        gv.intern(std::slice::from_ref(keys), keys.len(), &mut ids).unwrap();
        assert_eq!(ids.len(), keys.len());
        all.extend_from_slice(&ids);
    }
    let groups = gv.num_groups();
    let emitted = gv.emit().unwrap();
    assert_eq!(emitted.hashes.len(), groups);
    assert_eq!(gv.num_groups(), 0, "emit leaves the map empty");
    (all, Arc::clone(&emitted.keys[0]), emitted.hashes)
}

/// `direct` gives the same ids, keys and hashes as the hashed implementation `oracle`, twice
/// (the map is reusable after emit); returns the ids and the emitted keys.
fn assert_same(
    direct: &mut dyn GroupValues,
    oracle: &mut dyn GroupValues,
    batches: &[ArrayRef],
) -> (Vec<u32>, ArrayRef) {
    let (ids, keys, hashes) = intern_all(direct, batches);
    let (want_ids, want_keys, want_hashes) = intern_all(oracle, batches);
    assert_eq!(ids, want_ids);
    assert_eq!(keys.to_data(), want_keys.to_data());
    assert_eq!(hashes, want_hashes);
    let (again, _, _) = intern_all(direct, batches);
    assert_eq!(again, want_ids);
    (ids, keys)
}

#[test]
fn dates_widening_up_and_down_with_nulls() {
    // 19_000.., then earlier days, then later ones, then a batch with NULLs across the whole
    // range, then one of NULLs only.
    let batches: Vec<ArrayRef> = vec![
        Arc::new(Date32Array::from(vec![19_005, 19_000, 19_005, 19_003])),
        Arc::new(Date32Array::from(vec![18_990, 19_000, 18_000])),
        Arc::new(Date32Array::from(vec![19_100, 20_000, 19_003, 25_000])),
        Arc::new(Date32Array::from(vec![None, Some(18_000), None, Some(25_001), Some(-3)])),
        Arc::new(Date32Array::from(vec![None, None])),
    ];
    let mut direct = DirectGroupValues::<Date32Type>::new(DataType::Date32);
    let mut oracle = PrimitiveGroupValues::<Date32Type>::new(DataType::Date32);
    let (ids, keys) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 0, 2, 3, 1, 4, 5, 6, 2, 7, 8, 4, 8, 9, 10, 8, 8]);
    let want = Date32Array::from(vec![
        Some(19_005),
        Some(19_000),
        Some(19_003),
        Some(18_990),
        Some(18_000),
        Some(19_100),
        Some(20_000),
        Some(25_000),
        None,
        Some(25_001),
        Some(-3),
    ]);
    assert_eq!(keys.as_ref(), &want as &dyn Array);
}

#[test]
fn integers_falling_back_to_hashing_keep_their_ids() {
    // Int32: a NULL group and a few values, then a value past the direct range.
    let wide = DIRECT_MAX_RANGE as i32;
    let batches: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(vec![Some(5), None, Some(-7), Some(5)])),
        Arc::new(Int32Array::from(vec![Some(100), Some(5)])),
        Arc::new(Int32Array::from(vec![Some(-7), Some(wide + 10), None, Some(100), Some(i32::MIN)])),
        Arc::new(Int32Array::from(vec![Some(i32::MAX), Some(5), Some(wide + 10)])),
    ];
    let mut direct = DirectGroupValues::<Int32Type>::new(DataType::Int32);
    let mut oracle = PrimitiveGroupValues::<Int32Type>::new(DataType::Int32);
    let (ids, _) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 2, 0, 3, 0, 2, 4, 1, 3, 5, 6, 0, 4]);

    // Int64: the extremes of the type in the first batch, with no overflow.
    let batches: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![Some(i64::MIN), Some(i64::MAX), None, Some(0)])),
        Arc::new(Int64Array::from(vec![Some(0), Some(i64::MAX)])),
    ];
    let mut direct = DirectGroupValues::<Int64Type>::new(DataType::Int64);
    let mut oracle = PrimitiveGroupValues::<Int64Type>::new(DataType::Int64);
    let (ids, _) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 2, 3, 3, 1]);
}

#[test]
fn range_just_within_the_limit_stays_direct_and_matches() {
    // Exactly DIRECT_MAX_RANGE values wide, reached a step at a time over many batches.
    let top = DIRECT_MAX_RANGE as i64 - 1;
    let batches: Vec<ArrayRef> = (0..40)
        .map(|b| {
            let values: Vec<Option<i64>> = (0..1_000)
                .map(|i| {
                    let v = (b * 1_637 + i * 13) % (top + 1);
                    (i % 97 != 0).then_some(if b % 2 == 0 { v } else { top - v })
                })
                .collect();
            Arc::new(Int64Array::from(values)) as ArrayRef
        })
        .collect();
    let mut direct = DirectGroupValues::<Int64Type>::new(DataType::Int64);
    let mut oracle = PrimitiveGroupValues::<Int64Type>::new(DataType::Int64);
    assert_same(&mut direct, &mut oracle, &batches);
}

#[test]
fn date_key_end_to_end_at_1_and_4_threads() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("d", DataType::Date32, true),
        Field::new("v", DataType::Int64, false),
    ]));
    // 8 batches of 3_000 rows; row i of batch b has day 18_000 + (i + 7b) % 1_096 (batch 5
    // also jumps 200_000 days ahead, so some threads fall back to hashing), every 50th NULL.
    let batches: Vec<RecordBatch> = (0..8)
        .map(|b| {
            let days: Vec<Option<i32>> = (0..3_000)
                .map(|i| {
                    let jump = if b == 5 && i == 10 { 200_000 } else { 0 };
                    (i % 50 != 0).then_some(18_000 + (i + 7 * b) % 1_096 + jump)
                })
                .collect();
            let v: Vec<i64> = (0..3_000).map(|i| i as i64).collect();
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![Arc::new(Date32Array::from(days)), Arc::new(Int64Array::from(v))],
            )
            .unwrap()
        })
        .collect();
    let plan = LogicalPlanBuilder::scan("t", MemTable::new(batches))
        .unwrap()
        .aggregate(vec![col("d")], vec![agg(Count, None, false), agg(Sum, Some(col("v")), false)])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    assert_eq!(rows.len(), 1_096 + 2, "1096 days, the jumped day and NULL");
    let count: i64 = rows.iter().map(|r| r.split('|').nth(1).unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(count, 24_000);
    // NULL: rows 0, 50, .., 2950 of each batch; 60 per batch.
    let null_row = format!("NULL|480|{}", 8 * (0..3_000).step_by(50).sum::<i64>());
    assert!(rows.contains(&null_row), "missing {null_row}");
    // 2019-04-14 (day 18_000 + 0) comes from rows i ≡ −7b (mod 1096) of each batch.
    let day0: Vec<i64> =
        (0..8).flat_map(|b| (0..3_000i64).filter(move |i| i % 50 != 0 && (i + 7 * b) % 1_096 == 0)).collect();
    let want = format!("2019-04-14|{}|{}", day0.len(), day0.iter().sum::<i64>());
    assert!(rows.contains(&want), "missing {want}");
    // Day 18_000 + 45 + 200_000, from row 10 of batch 5 alone.
    assert!(rows.contains(&"2566-12-27|1|10".to_string()), "the jumped day is a group");
}
