//! Group values: the packed implementation (keys packed into u64/u128) checked against the
//! row-format one as an oracle — same ids, same emitted keys — for every key type it packs,
//! NULL keys, many groups over several batches, and end to end at 1 and 4 threads.

mod common;

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int16Array, Int32Array,
    Int64Array, Int8Array, LargeStringArray, StringArray, StringViewArray, TimestampMicrosecondArray,
    UInt16Array, UInt64Array, UInt8Array,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::AggregateFunction::*;
use shoal_expr::{col, LogicalPlanBuilder};
use shoal_physical::aggregate::group_values::{new_group_values, GroupValues, RowGroupValues};
use shoal_physical::aggregate::packed_group_values::{PackedGroupValues, PackedKey, WideKey};

/// A small deterministic pseudo-random sequence.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, modulo: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % modulo
    }
    /// `None` about one time in `one_in`.
    fn maybe(&mut self, one_in: u64) -> bool {
        self.next(one_in) != 0
    }
}

/// Intern every batch into `gv`, returning all ids and the emitted keys.
fn run_group_values(gv: &mut dyn GroupValues, batches: &[Vec<ArrayRef>]) -> (Vec<u32>, Vec<ArrayRef>, usize) {
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
    (all, emitted.keys, groups)
}

/// The packed group values agree with the row-format oracle on `batches` of key columns.
fn assert_matches_rows(batches: &[Vec<ArrayRef>]) -> usize {
    let types: Vec<DataType> = batches[0].iter().map(|a| a.data_type().clone()).collect();
    let mut packed: Box<dyn GroupValues> = if let Some(gv) = PackedGroupValues::<u64>::try_new(&types) {
        Box::new(gv)
    } else if let Some(gv) = PackedGroupValues::<u128>::try_new(&types) {
        Box::new(gv)
    } else if let Some(gv) = PackedGroupValues::<WideKey<3>>::try_new(&types) {
        Box::new(gv)
    } else {
        Box::new(PackedGroupValues::<WideKey<4>>::try_new(&types).expect("keys fit 256 bits"))
    };
    let mut oracle = RowGroupValues::try_new(&types).unwrap();
    let (ids, keys, groups) = run_group_values(packed.as_mut(), batches);
    let (want_ids, want_keys, want_groups) = run_group_values(&mut oracle, batches);
    assert_eq!(groups, want_groups, "group count for {types:?}");
    assert_eq!(ids, want_ids, "group ids for {types:?}");
    for (k, w) in keys.iter().zip(want_keys.iter()) {
        assert_eq!(k.data_type(), w.data_type());
        assert_eq!(k.to_data(), w.to_data(), "emitted keys for {types:?}");
    }
    // the map is reusable after emit
    let (again, _, _) = run_group_values(packed.as_mut(), batches);
    assert_eq!(again, want_ids);
    groups
}

#[test]
fn two_short_strings_like_tpch_q1() {
    let flags = |v: &[Option<&str>]| Arc::new(StringArray::from(v.to_vec())) as ArrayRef;
    let batches = vec![
        vec![
            flags(&[Some("N"), Some("R"), Some("N"), None]),
            flags(&[Some("O"), Some("F"), Some("O"), Some("F")]),
        ],
        vec![flags(&[Some("A"), Some("N"), None, Some("")]), flags(&[Some("F"), Some("F"), Some("F"), None])],
    ];
    assert_eq!(assert_matches_rows(&batches), 6);
}

#[test]
fn every_fixed_width_type_with_nulls() {
    let mut rng = Lcg(7);
    let mut batches = vec![];
    for _ in 0..3 {
        let n = 500;
        let mut v = |m: u64| (0..n).map(|_| rng.maybe(9).then(|| rng.next(m))).collect::<Vec<_>>();
        let (a, b, c, d) = (v(3), v(4), v(5), v(3));
        batches.push(vec![
            Arc::new(Int8Array::from_iter(a.iter().map(|x| x.map(|x| x as i8 - 1)))) as ArrayRef,
            Arc::new(UInt16Array::from_iter(b.iter().map(|x| x.map(|x| x as u16 * 1000)))),
            Arc::new(Date32Array::from_iter(c.iter().map(|x| x.map(|x| x as i32 - 2)))),
            Arc::new(BooleanArray::from_iter(d.iter().map(|x| x.map(|x| x == 1)))),
        ]);
    }
    let groups = assert_matches_rows(&batches);
    assert!(groups > 100, "{groups} groups");
}

#[test]
fn wide_keys_pack_into_u128() {
    let mut rng = Lcg(11);
    let batches: Vec<Vec<ArrayRef>> = (0..2)
        .map(|_| {
            let a: Vec<Option<i64>> =
                (0..800).map(|_| rng.maybe(20).then(|| rng.next(40) as i64 - 20)).collect();
            let b: Vec<Option<i64>> = (0..800).map(|_| Some(rng.next(30) as i64 * -1_000_000_007)).collect();
            vec![Arc::new(Int64Array::from(a)) as ArrayRef, Arc::new(Int64Array::from(b))]
        })
        .collect();
    let types = [DataType::Int64, DataType::Int64];
    assert!(PackedGroupValues::<u64>::try_new(&types).is_none());
    assert!(PackedGroupValues::<u128>::try_new(&types).is_some());
    assert!(assert_matches_rows(&batches) > 500);
    // a lone 16-byte decimal fills a u128
    let dec = |v: Vec<Option<i128>>| {
        Arc::new(Decimal128Array::from(v).with_precision_and_scale(38, 2).unwrap()) as ArrayRef
    };
    let batches = vec![vec![dec(vec![Some(-1), Some(i128::MAX), None, Some(-1), Some(i128::MIN), None])]];
    assert_eq!(assert_matches_rows(&batches), 4);
}

/// Like taxi Q4 (BIGINT, BIGINT, DOUBLE: 192 bits) and wider, with fields across word edges.
#[test]
fn keys_wider_than_128_bits_use_words() {
    let mut rng = Lcg(5);
    let batches: Vec<Vec<ArrayRef>> = (0..3)
        .map(|_| {
            let n = 3000;
            let a: Vec<Option<i64>> = (0..n).map(|_| rng.maybe(10).then(|| rng.next(9) as i64)).collect();
            let y: Vec<i64> = (0..n).map(|_| 2019 + rng.next(3) as i64).collect();
            let d: Vec<f64> = (0..n).map(|_| (rng.next(60) as f64 - 3.0).round()).collect();
            let s: Vec<Option<&str>> =
                (0..n).map(|_| ["N", "Y", "maybe"].get(rng.next(4) as usize).copied()).collect();
            let b: Vec<bool> = (0..n).map(|_| rng.next(2) == 0).collect();
            vec![
                Arc::new(Int64Array::from(a)) as ArrayRef,
                Arc::new(Int64Array::from(y)),
                Arc::new(Float64Array::from(d)),
                Arc::new(StringArray::from(s)),
                Arc::new(BooleanArray::from(b)),
            ]
        })
        .collect();
    let three: Vec<Vec<ArrayRef>> = batches.iter().map(|b| b[..3].to_vec()).collect();
    assert!(PackedGroupValues::<WideKey<3>>::try_new(&[DataType::Int64, DataType::Int64, DataType::Float64])
        .is_some());
    assert!(assert_matches_rows(&three) > 1000);
    // 64 + 64 + 64 + 32 + 1 bits: four words
    assert!(assert_matches_rows(&batches) > 1000);
    // a 128-bit field straddling three words
    let mut key = WideKey::<4>::default();
    key.put(1, 1);
    key.put(40, u128::MAX - 5);
    key.put(168, 0xabc);
    assert_eq!(
        (key.get(0, 1), key.get(1, 1), key.get(40, 128), key.get(168, 12)),
        (0, 1, u128::MAX - 5, 0xabc)
    );
    key.clear(40, 128);
    assert_eq!((key.get(1, 1), key.get(40, 128), key.get(168, 12)), (1, 0, 0xabc));
}

#[test]
fn floats_group_by_their_bits() {
    let floats = Arc::new(Float64Array::from(vec![
        Some(1.5),
        Some(-0.0),
        Some(0.0),
        Some(f64::NAN),
        None,
        Some(1.5),
        Some(f64::NAN),
        Some(f64::INFINITY),
    ])) as ArrayRef;
    let words = Arc::new(StringViewArray::from(vec![
        Some("x"),
        Some("a longer string than twelve bytes"),
        Some("x"),
        None,
        Some("y"),
        Some("x"),
        Some("z"),
        Some("a longer string than twelve bytes"),
    ])) as ArrayRef;
    assert_eq!(assert_matches_rows(&[vec![Arc::clone(&floats)]]), 6);
    assert_eq!(assert_matches_rows(&[vec![floats, words]]), 7);
}

#[test]
fn many_groups_grow_the_tables() {
    let mut rng = Lcg(3);
    let batches: Vec<Vec<ArrayRef>> = (0..4)
        .map(|_| {
            let ids: Vec<u64> = (0..6000).map(|_| rng.next(20_000)).collect();
            let text: Vec<Option<String>> =
                ids.iter().map(|i| (i % 97 != 0).then(|| format!("customer#{}", i / 3))).collect();
            let small: Vec<u8> = ids.iter().map(|i| (i % 3) as u8).collect();
            vec![
                Arc::new(LargeStringArray::from(text)) as ArrayRef,
                Arc::new(UInt8Array::from(small)),
                Arc::new(UInt64Array::from(ids)),
            ]
        })
        .collect();
    let groups = assert_matches_rows(&batches);
    assert!(groups > 10_000, "{groups} groups");
}

#[test]
fn sliced_arrays_are_read_from_their_offset() {
    let a = Arc::new(Int16Array::from(vec![1, 2, 3, 4, 5, 6])) as ArrayRef;
    let b = Arc::new(StringArray::from(vec!["p", "q", "r", "s", "t", "u"])) as ArrayRef;
    let (mut gv, mut ids) = (new_group_values(&[DataType::Int16, DataType::Utf8]).unwrap(), vec![]);
    gv.intern(&[a.slice(2, 3), b.slice(2, 3)], 3, &mut ids).unwrap();
    assert_eq!(ids, vec![0, 1, 2]);
    let keys = gv.emit().unwrap().keys;
    assert_eq!(keys[0].as_ref(), &Int16Array::from(vec![3, 4, 5]) as &dyn Array);
    assert_eq!(keys[1].as_ref(), &StringArray::from(vec!["r", "s", "t"]) as &dyn Array);
}

#[test]
fn mismatched_key_columns_are_an_error_not_a_panic() {
    let mut gv = new_group_values(&[DataType::Int32, DataType::Utf8]).unwrap();
    let a = Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef;
    let mut ids = vec![];
    assert!(gv.intern(&[Arc::clone(&a)], 2, &mut ids).is_err());
    assert!(gv.intern(&[Arc::clone(&a), Arc::clone(&a)], 2, &mut ids).is_err());
}

/// String and integer keys with more groups than the single-threaded merge handles, so the
/// partials are merged by hash partition: every thread must hash a key alike.
#[test]
fn partitioned_merge_with_string_keys_at_1_and_4_threads() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("s", DataType::Utf8, true),
        Field::new("t", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
        Field::new("v", DataType::Int64, false),
    ]));
    // every batch holds each key 0..40_000 once, in an order of its own, so each thread
    // interns the strings in a different order
    let batches: Vec<RecordBatch> = (0..4)
        .map(|b| {
            let keys: Vec<i64> = (0..40_000).map(|i| (i * 7 + b * 1_234) % 40_000).collect();
            let s: Vec<Option<String>> =
                keys.iter().map(|k| (k % 1_000 != 0).then(|| format!("s{}", k % 5_000))).collect();
            let t: Vec<i64> = keys.iter().map(|k| k / 5_000 * 1_000_000).collect();
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![
                    Arc::new(StringArray::from(s)),
                    Arc::new(TimestampMicrosecondArray::from(t).with_timezone("UTC")),
                    Arc::new(Int64Array::from(keys)),
                ],
            )
            .unwrap()
        })
        .collect();
    let plan = LogicalPlanBuilder::scan("t", MemTable::new(batches))
        .unwrap()
        .aggregate(vec![col("s"), col("t")], vec![agg(Count, None, false), agg(Sum, Some(col("v")), false)])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&plan, true);
    // (s, t) = ('s' || k % 5000, k / 5000 seconds) is one group per key, except that the
    // keys k % 1000 = 0 have a NULL s: 5 keys in each of the 8 seconds
    assert_eq!(rows.len(), 40_000 - 40 + 8);
    let total: i64 = rows.iter().map(|r| r.split('|').nth(2).unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(total, 160_000);
    for want in [
        "s1234|1970-01-01T00:00:00Z|4|4936",
        "s1234|1970-01-01T00:00:01Z|4|24936",
        "NULL|1970-01-01T00:00:07Z|20|740000",
    ] {
        assert!(rows.iter().any(|r| r == want), "missing {want}");
    }
}

#[test]
fn single_integer_key_matches_the_oracle_across_the_small_group_limit() {
    // A few groups first (looked up by comparison), then more than eight (hashed), then a
    // batch with NULLs; the ids must match the row-format oracle throughout.
    let mut rng = Lcg(7);
    let mut batches: Vec<Vec<ArrayRef>> = vec![];
    for (distinct, nulls) in [(3u64, false), (3, false), (5, false), (40, false), (12, true), (2, false)] {
        let values: Int64Array =
            (0..500).map(|_| (!nulls || rng.maybe(5)).then(|| rng.next(distinct) as i64 * 10)).collect();
        batches.push(vec![Arc::new(values)]);
    }
    let mut primitive = new_group_values(&[DataType::Int64]).unwrap();
    let mut oracle = RowGroupValues::try_new(&[DataType::Int64]).unwrap();
    let (ids, keys, groups) = run_group_values(primitive.as_mut(), &batches);
    let (want_ids, want_keys, want_groups) = run_group_values(&mut oracle, &batches);
    assert_eq!(groups, want_groups);
    assert_eq!(groups, 41, "40 values and NULL");
    assert_eq!(ids, want_ids);
    assert_eq!(keys[0].to_data(), want_keys[0].to_data());
    // the first batch saw three groups: ids 0, 1, 2 in order of first appearance
    assert!(ids[..500].iter().all(|&g| g < 3));
}
