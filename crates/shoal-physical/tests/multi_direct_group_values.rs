//! Direct-index group values for several integer-like keys (and floats holding whole numbers):
//! the same ids, keys and hashes as the packed implementation over batches that widen the
//! ranges up and down, NULL keys in each column, `-0.0`/NaN/fractions and too-wide ranges
//! falling back to hashing with the same ids, and end to end at 1 and 4 threads.

mod common;

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, TimestampMicrosecondArray, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::AggregateFunction::*;
use shoal_expr::{col, LogicalPlanBuilder};
use shoal_physical::aggregate::group_values::{new_group_values, GroupValues};
use shoal_physical::aggregate::multi_direct_group_values::{MultiDirectGroupValues, MULTI_DIRECT_MAX_SLOTS};
use shoal_physical::aggregate::packed_group_values::{PackedGroupValues, WideKey};

/// Intern every batch, returning all ids, the emitted keys and the emitted hashes.
fn intern_all(gv: &mut dyn GroupValues, batches: &[Vec<ArrayRef>]) -> (Vec<u32>, Vec<ArrayRef>, Vec<u64>) {
    let mut all = vec![];
    let mut ids = vec![];
    for keys in batches {
        let rows = keys[0].len();
        gv.intern(keys, rows, &mut ids).unwrap();
        assert_eq!(ids.len(), rows);
        all.extend_from_slice(&ids);
    }
    let groups = gv.num_groups();
    let emitted = gv.emit().unwrap();
    assert_eq!(emitted.hashes.len(), groups);
    assert_eq!(gv.num_groups(), 0, "emit leaves the map empty");
    (all, emitted.keys, emitted.hashes)
}

/// `direct` gives the same ids, keys and hashes as the packed implementation `oracle`, twice
/// (reusable after emit); returns the ids and the emitted keys.
fn assert_same(
    direct: &mut dyn GroupValues,
    oracle: &mut dyn GroupValues,
    batches: &[Vec<ArrayRef>],
) -> (Vec<u32>, Vec<ArrayRef>) {
    let (ids, keys, hashes) = intern_all(direct, batches);
    let (want_ids, want_keys, want_hashes) = intern_all(oracle, batches);
    assert_eq!(ids, want_ids);
    assert_eq!(keys.len(), want_keys.len());
    for (k, w) in keys.iter().zip(want_keys.iter()) {
        assert_eq!(k.to_data(), w.to_data());
    }
    assert_eq!(hashes, want_hashes);
    let (again, _, _) = intern_all(direct, batches);
    assert_eq!(again, want_ids);
    (ids, keys)
}

fn ints(v: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(Int64Array::from(v))
}
fn floats(v: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}

#[test]
fn three_keys_widening_with_nulls_in_every_column() {
    let types = [DataType::Int64, DataType::Int32, DataType::Float64];
    let years = |v: Vec<Option<i32>>| Arc::new(Int32Array::from(v)) as ArrayRef;
    let batches: Vec<Vec<ArrayRef>> = vec![
        vec![
            ints(vec![Some(1), Some(2), Some(1), None]),
            years(vec![Some(2023), Some(2023), Some(2023), Some(2024)]),
            floats(vec![Some(3.0), Some(3.0), Some(3.0), Some(0.0)]),
        ],
        // wider below and above in each column
        vec![
            ints(vec![Some(-5), Some(9), Some(1), Some(2)]),
            years(vec![Some(2001), None, Some(2023), Some(2030)]),
            floats(vec![Some(-7.0), Some(120.0), Some(3.0), None]),
        ],
        // one column all NULL
        vec![
            ints(vec![None, None, None]),
            years(vec![Some(2023), Some(2001), Some(2024)]),
            floats(vec![Some(3.0), Some(-7.0), Some(0.0)]),
        ],
        vec![
            ints(vec![Some(1), None, Some(-5)]),
            years(vec![Some(2023), Some(2024), Some(2001)]),
            floats(vec![Some(3.0), Some(0.0), Some(-7.0)]),
        ],
    ];
    let mut direct = MultiDirectGroupValues::try_new(&types).unwrap();
    let mut oracle = PackedGroupValues::<WideKey<3>>::try_new(&types).unwrap();
    let (ids, keys) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 0, 2, 3, 4, 0, 5, 6, 7, 2, 0, 2, 3]);
    assert_eq!(
        keys[0].as_ref(),
        ints(vec![Some(1), Some(2), None, Some(-5), Some(9), Some(2), None, None]).as_ref()
    );
    let want_d =
        floats(vec![Some(3.0), Some(3.0), Some(0.0), Some(-7.0), Some(120.0), None, Some(3.0), Some(-7.0)]);
    assert_eq!(keys[2].as_ref(), want_d.as_ref());
}

#[test]
fn negative_zero_nan_and_fractions_fall_back_keeping_ids() {
    let types = [DataType::Int64, DataType::Float64];
    let batches: Vec<Vec<ArrayRef>> = vec![
        vec![ints(vec![Some(1), Some(1), None]), floats(vec![Some(0.0), Some(2.0), Some(2.0)])],
        // -0.0 is a group apart from 0.0, as the packed (bitwise) key has it
        vec![ints(vec![Some(1), Some(1), Some(1)]), floats(vec![Some(-0.0), Some(0.0), Some(-0.0)])],
        vec![
            ints(vec![Some(1), Some(1), Some(1), Some(1)]),
            floats(vec![Some(f64::NAN), Some(2.5), Some(f64::NAN), Some(2.0)]),
        ],
    ];
    let mut direct = MultiDirectGroupValues::try_new(&types).unwrap();
    let mut oracle = PackedGroupValues::<u128>::try_new(&types).unwrap();
    let (ids, keys) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 2, 3, 0, 3, 4, 5, 4, 1]);
    let d = keys[1].as_any().downcast_ref::<Float64Array>().unwrap();
    assert_eq!(d.value(3).to_bits(), (-0.0f64).to_bits());
    assert!(d.value(4).is_nan());

    // the same values through `new_group_values`, which picks the direct implementation
    let mut picked = new_group_values(&types).unwrap();
    let mut oracle = PackedGroupValues::<u128>::try_new(&types).unwrap();
    assert_same(picked.as_mut(), &mut oracle, &batches);
}

#[test]
fn too_wide_ranges_fall_back_keeping_ids() {
    let types = [DataType::Int64, DataType::Int64];
    let side = (MULTI_DIRECT_MAX_SLOTS as f64).sqrt() as i64;
    let batches: Vec<Vec<ArrayRef>> = vec![
        vec![ints(vec![Some(0), Some(5), None]), ints(vec![Some(7), Some(7), Some(0)])],
        // still fits: about side × side slots
        vec![ints(vec![Some(side - 3), Some(0)]), ints(vec![Some(side - 3), Some(7)])],
        // no longer fits
        vec![
            ints(vec![Some(side * 4), Some(5), Some(i64::MIN)]),
            ints(vec![Some(side * 4), Some(7), Some(i64::MAX)]),
        ],
        vec![ints(vec![Some(0), Some(side * 4)]), ints(vec![Some(7), Some(side * 4)])],
    ];
    let mut direct = MultiDirectGroupValues::try_new(&types).unwrap();
    let mut oracle = PackedGroupValues::<u128>::try_new(&types).unwrap();
    let (ids, _) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 2, 3, 0, 4, 1, 5, 0, 4]);

    // an unsigned value past i64::MAX has no code
    let types = [DataType::UInt64, DataType::Int64];
    let big = |v: Vec<u64>| Arc::new(UInt64Array::from(v)) as ArrayRef;
    let batches: Vec<Vec<ArrayRef>> = vec![
        vec![big(vec![1, 2]), ints(vec![Some(1), Some(1)])],
        vec![big(vec![u64::MAX, 2]), ints(vec![Some(1), Some(1)])],
    ];
    let mut direct = MultiDirectGroupValues::try_new(&types).unwrap();
    let mut oracle = PackedGroupValues::<u128>::try_new(&types).unwrap();
    let (ids, _) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 2, 1]);
}

#[test]
fn timestamps_with_a_zone_keep_their_type_and_strings_are_not_direct() {
    let types = [DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), DataType::Int64];
    let stamps: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![10, 20, 10]).with_timezone("UTC"));
    let batches = vec![vec![stamps, ints(vec![Some(1), Some(1), Some(1)])]];
    let mut direct = MultiDirectGroupValues::try_new(&types).unwrap();
    let mut oracle = PackedGroupValues::<u128>::try_new(&types).unwrap();
    let (ids, keys) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(ids, vec![0, 1, 0]);
    assert_eq!(keys[0].data_type(), &types[0]);
    assert!(MultiDirectGroupValues::try_new(&[DataType::Int64, DataType::Utf8]).is_none());
    assert!(MultiDirectGroupValues::try_new(&[]).is_none());
}

#[test]
fn many_batches_match_the_packed_keys() {
    // 30 batches of 2_000 rows over ~7 × 4 × 100 groups, every 13th passenger count NULL,
    // ranges growing batch by batch
    let types = [DataType::Int64, DataType::Int64, DataType::Float64];
    let batches: Vec<Vec<ArrayRef>> = (0..30i64)
        .map(|b| {
            let p = (0..2_000i64).map(|i| (i % 13 != 0).then_some((i * 7 + b) % 7)).collect();
            let y = (0..2_000i64).map(|i| Some(2020 + (i + b) % 4)).collect();
            let d = (0..2_000i64).map(|i| Some(((i * 31 + b * 3) % (b * 4 + 5)) as f64)).collect();
            vec![ints(p), ints(y), floats(d)]
        })
        .collect();
    let mut direct = MultiDirectGroupValues::try_new(&types).unwrap();
    let mut oracle = PackedGroupValues::<WideKey<3>>::try_new(&types).unwrap();
    assert_same(&mut direct, &mut oracle, &batches);
}

#[test]
fn sliced_keys_with_nulls_match_the_packed_keys() {
    // slices starting off a 64-row boundary: the validity bits and values stay aligned
    let types = [DataType::Int64, DataType::Float64];
    let p = ints((0..700i64).map(|i| (i % 5 != 0 && i % 64 != 3).then_some(i % 9)).collect());
    let d = floats((0..700i64).map(|i| (i % 7 != 0).then_some((i % 11) as f64)).collect());
    let batches: Vec<Vec<ArrayRef>> = [(37, 300), (0, 700), (101, 64), (650, 50)]
        .iter()
        .map(|&(offset, len)| vec![p.slice(offset, len), d.slice(offset, len)])
        .collect();
    let mut direct = MultiDirectGroupValues::try_new(&types).unwrap();
    let mut oracle = PackedGroupValues::<u128>::try_new(&types).unwrap();
    let (_, keys) = assert_same(&mut direct, &mut oracle, &batches);
    assert_eq!(keys[0].len(), 10 * 12, "9 counts and NULL × 11 distances and NULL");
}

#[test]
fn three_keys_end_to_end_at_1_and_4_threads() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("p", DataType::Int64, true),
        Field::new("y", DataType::Int32, false),
        Field::new("d", DataType::Float64, false),
    ]));
    // 8 batches of 3_000 rows: p = i % 7 (every 10th NULL), y = 2022 + i % 3, d = i % 5;
    // batch 6 also holds d = 0.5 once (its thread falls back to hashing)
    let batches: Vec<RecordBatch> = (0..8)
        .map(|b| {
            let p: Vec<Option<i64>> = (0..3_000).map(|i| (i % 10 != 0).then_some(i % 7)).collect();
            let y: Vec<i32> = (0..3_000).map(|i| 2022 + i % 3).collect();
            let d: Vec<f64> =
                (0..3_000).map(|i| if b == 6 && i == 1 { 0.5 } else { (i % 5) as f64 }).collect();
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![
                    Arc::new(Int64Array::from(p)),
                    Arc::new(Int32Array::from(y)),
                    Arc::new(Float64Array::from(d)),
                ],
            )
            .unwrap()
        })
        .collect();
    let plan = LogicalPlanBuilder::scan("t", MemTable::new(batches))
        .unwrap()
        .aggregate(vec![col("p"), col("y"), col("d")], vec![agg(Count, None, false)])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    // i mod 210 fixes (p, y, d) and the NULL: 8 × 3_000 rows, every combination of
    // (i % 7 or NULL, i % 3, i % 5) that occurs, plus the one 0.5 row
    let mut want = std::collections::BTreeMap::new();
    for b in 0..8 {
        for i in 0..3_000i64 {
            let p = if i % 10 != 0 { (i % 7).to_string() } else { "NULL".into() };
            let d = if b == 6 && i == 1 { "0.5".to_string() } else { format!("{:.1}", (i % 5) as f64) };
            *want.entry(format!("{p}|{}|{d}", 2022 + i % 3)).or_insert(0) += 1;
        }
    }
    let mut want: Vec<String> = want.into_iter().map(|(k, n)| format!("{k}|{n}")).collect();
    want.sort();
    assert_eq!(rows, want);
}
