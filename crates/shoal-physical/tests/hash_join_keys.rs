//! Hash join key encodings (packed `u64`/`u128` keys with range coding, raw decimal bits, row
//! format fallback) checked against a nested-loop reference: NULLs in one of two keys, probe
//! values outside the build range, many duplicates, several batches, a partitioned build, every
//! join type, both build sides, at 1 and 4 threads.

mod common;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array};
use arrow::datatypes::{Field, Schema};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use common::*;
use shoal_expr::{col, Expr, JoinType, LogicalPlan, LogicalPlanBuilder};

/// A table: an `id` column (named `id_name`) and key columns, split into `batches` batches.
struct Table {
    id_name: &'static str,
    key_names: Vec<&'static str>,
    ids: Vec<i64>,
    keys: Vec<ArrayRef>,
}

impl Table {
    fn plan(&self, name: &str, reported_rows: usize, batches: usize) -> LogicalPlan {
        let mut fields = vec![Field::new(self.id_name, arrow::datatypes::DataType::Int64, false)];
        for (n, k) in self.key_names.iter().zip(&self.keys) {
            fields.push(Field::new(*n, k.data_type().clone(), true));
        }
        let schema = Arc::new(Schema::new(fields));
        let rows = self.ids.len();
        let mut columns: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(self.ids.clone()))];
        columns.extend(self.keys.iter().cloned());
        let whole = RecordBatch::try_new(schema, columns).unwrap();
        let step = rows.div_ceil(batches.max(1)).max(1);
        let parts = (0..rows).step_by(step).map(|s| whole.slice(s, step.min(rows - s))).collect();
        let table = Sized(MemTable::new(parts), reported_rows);
        LogicalPlanBuilder::scan(name, Arc::new(table)).unwrap().build().unwrap()
    }

    /// Row `i`'s key as text (`None` when a key column is NULL).
    fn key(&self, i: usize) -> Option<String> {
        let options = FormatOptions::default();
        let mut parts = vec![];
        for k in &self.keys {
            if k.is_null(i) {
                return None;
            }
            parts.push(ArrayFormatter::try_new(k.as_ref(), &options).unwrap().value(i).to_string());
        }
        Some(parts.join(","))
    }
}

/// The expected `lid|rid` rows of `l JOIN r` (a reference join over the keys as text).
fn expected(l: &Table, r: &Table, join_type: JoinType) -> Vec<String> {
    let mut by_key: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for j in 0..r.ids.len() {
        if let Some(k) = r.key(j) {
            by_key.entry(k).or_default().push(j);
        }
    }
    let mut out = vec![];
    let mut r_matched = vec![false; r.ids.len()];
    for i in 0..l.ids.len() {
        let matches: &[usize] = l.key(i).and_then(|k| by_key.get(&k)).map_or(&[], |v| v.as_slice());
        for &j in matches {
            r_matched[j] = true;
            if matches!(join_type, JoinType::Inner | JoinType::Left | JoinType::Right | JoinType::Full) {
                out.push(format!("{}|{}", l.ids[i], r.ids[j]));
            }
        }
        let any = !matches.is_empty();
        match join_type {
            JoinType::Left | JoinType::Full if !any => out.push(format!("{}|NULL", l.ids[i])),
            JoinType::LeftSemi if any => out.push(l.ids[i].to_string()),
            JoinType::LeftAnti if !any => out.push(l.ids[i].to_string()),
            _ => {}
        }
    }
    for (j, m) in r_matched.iter().enumerate() {
        match join_type {
            JoinType::Right | JoinType::Full if !m => out.push(format!("NULL|{}", r.ids[j])),
            JoinType::RightSemi if *m => out.push(r.ids[j].to_string()),
            JoinType::RightAnti if !m => out.push(r.ids[j].to_string()),
            _ => {}
        }
    }
    out.sort();
    out
}

const ALL_TYPES: [JoinType; 8] = [
    JoinType::Inner,
    JoinType::Left,
    JoinType::Right,
    JoinType::Full,
    JoinType::LeftSemi,
    JoinType::LeftAnti,
    JoinType::RightSemi,
    JoinType::RightAnti,
];

/// Join `l` and `r` on their keys with every join type, building either side, in `batches`
/// batches, and compare with the nested-loop reference (at 1 and 4 threads).
fn check_all(l: &Table, r: &Table, batches: usize) {
    for build_left in [false, true] {
        let (lrows, rrows) = if build_left { (1, 1000) } else { (1000, 1) };
        for jt in ALL_TYPES {
            let on: (Vec<Expr>, Vec<Expr>) = (
                l.key_names.iter().map(|n| col(*n)).collect(),
                r.key_names.iter().map(|n| col(*n)).collect(),
            );
            let join = LogicalPlanBuilder::from(l.plan("l", lrows, batches))
                .join(r.plan("r", rrows, batches), jt, on, None)
                .unwrap();
            let projected = match jt {
                JoinType::LeftSemi | JoinType::LeftAnti => vec![col(l.id_name)],
                JoinType::RightSemi | JoinType::RightAnti => vec![col(r.id_name)],
                _ => vec![col(l.id_name), col(r.id_name)],
            };
            let plan = join.project(projected).unwrap().build().unwrap();
            assert_eq!(rows_at_1_and_4(&plan, true), expected(l, r, jt), "{jt} build_left={build_left}");
        }
    }
}

fn ids(n: usize, base: i64) -> Vec<i64> {
    (0..n as i64).map(|i| base + i).collect()
}

#[test]
fn two_integer_keys_with_nulls_in_one_key_and_duplicates() {
    // a cycles 0..5, b cycles 0..3 with every 7th NULL: many duplicate build keys
    let l = Table {
        id_name: "lid",
        key_names: vec!["la", "lb"],
        ids: ids(40, 0),
        keys: vec![
            Arc::new(Int64Array::from_iter((0..40).map(|i| Some(i % 5)))),
            Arc::new(Int64Array::from_iter((0..40).map(|i| (i % 7 != 0).then_some(i % 3)))),
        ],
    };
    let r = Table {
        id_name: "rid",
        key_names: vec!["ra", "rb"],
        ids: ids(30, 100),
        keys: vec![
            Arc::new(Int64Array::from_iter((0..30).map(|i| (i % 11 != 3).then_some(i % 6 - 1)))),
            Arc::new(Int64Array::from_iter((0..30).map(|i| Some(i % 4)))),
        ],
    };
    check_all(&l, &r, 3);
}

#[test]
fn mixed_width_integer_and_date_keys_with_probe_values_out_of_range() {
    // Int32 against Int64, and dates; the probe side's values reach below and above the build's
    let l = Table {
        id_name: "lid",
        key_names: vec!["la", "ld"],
        ids: ids(25, 0),
        keys: vec![
            Arc::new(Int32Array::from_iter((0..25).map(|i| Some(i - 10)))),
            Arc::new(Date32Array::from_iter((0..25).map(|i| (i != 4).then_some(19_000 + i % 2)))),
        ],
    };
    let r = Table {
        id_name: "rid",
        key_names: vec!["ra", "rd"],
        ids: ids(12, 100),
        keys: vec![
            Arc::new(Int64Array::from_iter((0..12).map(|i| Some(i - 3)))),
            Arc::new(Date32Array::from_iter((0..12).map(|i| Some(19_000 + i % 3)))),
        ],
    };
    check_all(&l, &r, 2);
}

#[test]
fn extreme_integer_keys_need_the_full_width() {
    // a build range of i64::MIN..=i64::MAX needs all 64 bits; with a second key, 128
    let values = [i64::MIN, -1, 0, 1, i64::MAX, i64::MIN + 1, i64::MAX - 1];
    let l = Table {
        id_name: "lid",
        key_names: vec!["la", "lb"],
        ids: ids(14, 0),
        keys: vec![
            Arc::new(Int64Array::from_iter((0..14).map(|i| Some(values[i % 7])))),
            Arc::new(Int64Array::from_iter((0..14).map(|i| Some((i % 2) as i64)))),
        ],
    };
    let r = Table {
        id_name: "rid",
        key_names: vec!["ra", "rb"],
        ids: ids(7, 100),
        keys: vec![
            Arc::new(Int64Array::from_iter((0..7).map(|i| Some(values[(i * 3) % 7])))),
            Arc::new(Int64Array::from_iter((0..7).map(|i| (i != 2).then_some((i % 2) as i64)))),
        ],
    };
    check_all(&l, &r, 2);
    // and as a single key
    let single = |t: &Table, name: &'static str| Table {
        id_name: t.id_name,
        key_names: vec![name],
        ids: t.ids.clone(),
        keys: vec![Arc::clone(&t.keys[0])],
    };
    check_all(&single(&l, "la"), &single(&r, "ra"), 3);
}

#[test]
fn decimal_and_float_keys_pack_their_bits() {
    let dec = |n: usize, f: &dyn Fn(usize) -> Option<i128>| -> ArrayRef {
        Arc::new(Decimal128Array::from_iter((0..n).map(f)).with_precision_and_scale(12, 2).unwrap())
    };
    let l = Table {
        id_name: "lid",
        key_names: vec!["ld", "lf"],
        ids: ids(20, 0),
        keys: vec![
            dec(20, &|i| (i != 5).then_some((i % 4) as i128 * 125)),
            Arc::new(Float64Array::from_iter((0..20).map(|i| Some((i % 3) as f64 * 0.5)))),
        ],
    };
    let r = Table {
        id_name: "rid",
        key_names: vec!["rd", "rf"],
        ids: ids(10, 100),
        keys: vec![
            dec(10, &|i| Some((i % 5) as i128 * 125)),
            Arc::new(Float64Array::from_iter((0..10).map(|i| (i != 7).then_some((i % 2) as f64 * 0.5)))),
        ],
    };
    check_all(&l, &r, 2);
    // a decimal with a wide integer key: 128 + 64 bits, the row format
    let wide = |t: &Table, ints: ArrayRef, name: &'static str| Table {
        id_name: t.id_name,
        key_names: vec![t.key_names[0], name],
        ids: t.ids.clone(),
        keys: vec![Arc::clone(&t.keys[0]), ints],
    };
    let li: ArrayRef = Arc::new(Int64Array::from_iter((0..20).map(|i| Some(((i % 2) as i64) << 62))));
    let ri: ArrayRef = Arc::new(Int64Array::from_iter((0..10).map(|i| Some((((i / 2) % 2) as i64) << 62))));
    check_all(&wide(&l, li, "li"), &wide(&r, ri, "ri"), 2);
}

#[test]
fn large_build_with_many_duplicates_dense_keys() {
    // dense keys: the packed key indexes an array directly
    large_build_with_many_duplicates(1);
}

#[test]
fn large_partitioned_build_with_many_duplicates_sparse_keys() {
    // sparse keys: a hash table, partitioned at 4 threads
    large_build_with_many_duplicates(1_000_003);
}

/// 80k build rows, each (a * stride, b) key 4 times, every 13th b NULL.
fn large_build_with_many_duplicates(stride: i64) {
    let n = 80_000usize;
    let build = Table {
        id_name: "rid",
        key_names: vec!["ra", "rb"],
        ids: ids(n, 1_000_000),
        keys: vec![
            Arc::new(Int64Array::from_iter((0..n).map(|i| Some((i / 4 % 5000) as i64 * stride)))),
            Arc::new(Int64Array::from_iter((0..n).map(|i| (i % 13 != 0).then_some((i / 20_000) as i64)))),
        ],
    };
    let probe = Table {
        id_name: "lid",
        key_names: vec!["la", "lb"],
        ids: ids(3000, 0),
        keys: vec![
            Arc::new(Int64Array::from_iter((0..3000).map(|i| Some((i * 7 % 6000) as i64 * stride)))),
            Arc::new(Int64Array::from_iter((0..3000).map(|i| Some((i % 5) as i64)))),
        ],
    };
    for jt in [JoinType::Inner, JoinType::Left, JoinType::Full, JoinType::RightSemi, JoinType::LeftAnti] {
        let on = (vec![col("la"), col("lb")], vec![col("ra"), col("rb")]);
        let join = LogicalPlanBuilder::from(probe.plan("l", 1_000_000, 4))
            .join(build.plan("r", n, 8), jt, on, None)
            .unwrap();
        let projected = match jt {
            JoinType::LeftAnti => vec![col("lid")],
            JoinType::RightSemi => vec![col("rid")],
            _ => vec![col("lid"), col("rid")],
        };
        let plan = join.project(projected).unwrap().build().unwrap();
        let mut one = rows(&run(&plan, 1).unwrap());
        let mut four = rows(&run(&plan, 4).unwrap());
        one.sort();
        four.sort();
        assert_eq!(one, four, "{jt}");
        assert_eq!(one, expected(&probe, &build, jt), "{jt}");
    }
}
