//! HashJoinExec with sparse build keys (a small build side spread over a wide key range, so
//! hashed rather than directly indexed): probes that mostly miss, NULL keys, duplicate build
//! keys, probe keys beyond the build's range, and a key range too wide for the key bitmap —
//! each at 1 and 4 threads, building either side.

mod common;

use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::{col, Column, Expr, JoinType, LogicalPlan, LogicalPlanBuilder};

fn batch(names: [&str; 2], keys: Vec<Option<i64>>, tag: &str) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new(names[0], DataType::Int64, true),
        Field::new(names[1], DataType::Utf8, true),
    ]));
    let values: Vec<String> = keys.iter().map(|k| format!("{tag}{}", k.unwrap_or(-1))).collect();
    let columns = vec![
        Arc::new(Int64Array::from(keys)) as Arc<dyn arrow::array::Array>,
        Arc::new(StringArray::from(values)) as Arc<dyn arrow::array::Array>,
    ];
    match RecordBatch::try_new(schema, columns) {
        Ok(b) => b,
        Err(e) => panic!("test batch: {e}"),
    }
}

fn scan(name: &str, batches: Vec<RecordBatch>, rows: usize) -> LogicalPlan {
    let table = Arc::new(Sized(MemTable::new(batches), rows));
    match LogicalPlanBuilder::scan(name, table).and_then(|b| b.build()) {
        Ok(p) => p,
        Err(e) => panic!("scan {name}: {e}"),
    }
}

/// Build keys `spacing * i` for `i` in `0..count` (the first twice), plus a NULL key, in three
/// batches; probe keys `0..probe_rows` (every tenth NULL) in batches of 1000.
fn sides(spacing: i64, count: i64, probe_rows: i64) -> (Vec<RecordBatch>, Vec<RecordBatch>) {
    let mut build_keys: Vec<Option<i64>> = (0..count).map(|i| Some(i * spacing)).collect();
    build_keys.push(Some(0));
    build_keys.push(None);
    let third = build_keys.len().div_ceil(3);
    let build = build_keys.chunks(third).map(|c| batch(["j", "y"], c.to_vec(), "b")).collect();
    let probe_keys: Vec<Option<i64>> = (0..probe_rows).map(|k| (k % 10 != 3).then_some(k)).collect();
    let probe = probe_keys.chunks(1000).map(|c| batch(["k", "x"], c.to_vec(), "p")).collect();
    (build, probe)
}

/// Join probe `l(k, x)` with build `r(j, y)` on `k = j`; the sizes told to the planner pick
/// the build side.
fn joined(spacing: i64, count: i64, probe_rows: i64, join_type: JoinType, build_left: bool) -> Vec<String> {
    let (build, probe) = sides(spacing, count, probe_rows);
    let (l_rows, r_rows) = if build_left { (1, 1_000_000) } else { (1_000_000, 1) };
    let plan = LogicalPlanBuilder::from(scan("l", probe, l_rows))
        .join(scan("r", build, r_rows), join_type, (vec![col("k")], vec![col("j")]), None)
        .and_then(|b| b.build());
    match plan {
        Ok(p) => rows_at_1_and_4(&p, true),
        Err(e) => panic!("join plan: {e}"),
    }
}

/// The expected rows, computed naively.
fn expected(spacing: i64, count: i64, probe_rows: i64, join_type: JoinType) -> Vec<String> {
    let matches = |k: i64| -> usize {
        if k % spacing != 0 || k / spacing >= count {
            0
        } else if k == 0 {
            2
        } else {
            1
        }
    };
    let mut out = vec![];
    for k in (0..probe_rows).filter(|k| k % 10 != 3) {
        let n = matches(k);
        match join_type {
            JoinType::Inner => out.extend((0..n).map(|_| format!("{k}|p{k}|{k}|b{k}"))),
            JoinType::LeftSemi if n > 0 => out.push(format!("{k}|p{k}")),
            JoinType::LeftAnti if n == 0 => out.push(format!("{k}|p{k}")),
            _ => {}
        }
    }
    if join_type == JoinType::LeftAnti {
        out.extend((0..probe_rows).filter(|k| k % 10 == 3).map(|_| "NULL|p-1".to_string()));
    }
    out.sort();
    out
}

fn check(spacing: i64, count: i64, probe_rows: i64) {
    for join_type in [JoinType::Inner, JoinType::LeftSemi, JoinType::LeftAnti] {
        let want = expected(spacing, count, probe_rows, join_type);
        assert!(!want.is_empty());
        for build_left in [false, true] {
            let got = joined(spacing, count, probe_rows, join_type, build_left);
            assert_eq!(got, want, "{join_type} spacing={spacing} build_left={build_left}");
        }
    }
}

#[test]
fn sparse_build_keys_mostly_missed_by_the_probe() {
    // 500 build keys over a range of 200k: hashed, with a key bitmap; most probes miss, and
    // probe keys past the last build key fall outside the bitmap
    check(397, 500, 220_000);
}

#[test]
fn build_key_range_too_wide_for_a_bitmap() {
    // 40 build keys spaced 2^22 apart: a range beyond any bitmap
    let spacing = 1 << 22;
    let (build, _) = sides(spacing, 40, 0);
    let probe_keys: Vec<Option<i64>> = (0..3000).map(|i| Some((i % 60) * spacing + i % 2)).collect();
    let probe: Vec<RecordBatch> =
        probe_keys.chunks(1000).map(|c| batch(["k", "x"], c.to_vec(), "p")).collect();
    let plan = LogicalPlanBuilder::from(scan("l", probe, 3000))
        .join(scan("r", build, 1), JoinType::LeftSemi, (vec![col("k")], vec![col("j")]), None)
        .and_then(|b| b.build());
    let got = match plan {
        Ok(p) => rows_at_1_and_4(&p, true),
        Err(e) => panic!("join plan: {e}"),
    };
    // even i with i % 60 < 40 match: i % 2 == 0 and (i % 60) < 40
    let mut want: Vec<String> = (0..3000i64)
        .filter(|i| i % 2 == 0 && i % 60 < 40)
        .map(|i| {
            let k = (i % 60) * spacing;
            format!("{k}|p{k}")
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn residual_filter_on_one_build_column() {
    // the filter reads only `j` (the right side's first column): candidate pairs gather just it
    let (spacing, count, probe_rows) = (397, 500, 20_000);
    for join_type in [JoinType::Inner, JoinType::LeftSemi, JoinType::LeftAnti] {
        let all = expected(spacing, count, probe_rows, join_type);
        for build_left in [false, true] {
            let (build, probe) = sides(spacing, count, probe_rows);
            let (l_rows, r_rows) = if build_left { (1, 1_000_000) } else { (1_000_000, 1) };
            let filter = Some(col("j").gt(shoal_expr::lit(5000i64)));
            let plan = LogicalPlanBuilder::from(scan("l", probe, l_rows))
                .join(scan("r", build, r_rows), join_type, (vec![col("k")], vec![col("j")]), filter)
                .and_then(|b| b.build());
            let got = match plan {
                Ok(p) => rows_at_1_and_4(&p, true),
                Err(e) => panic!("join plan: {e}"),
            };
            let key = |row: &String| row.split('|').next().and_then(|k| k.parse::<i64>().ok());
            let mut want: Vec<String> = match join_type {
                JoinType::LeftAnti => {
                    let semi = expected(spacing, count, probe_rows, JoinType::LeftSemi);
                    let passing: Vec<&String> =
                        semi.iter().filter(|r| key(r).is_some_and(|k| k > 5000)).collect();
                    all.iter().chain(semi.iter().filter(|r| !passing.contains(r))).cloned().collect()
                }
                _ => all.iter().filter(|r| key(r).is_some_and(|k| k > 5000)).cloned().collect(),
            };
            want.sort();
            assert!(!want.is_empty());
            assert_eq!(got, want, "{join_type} build_left={build_left}");
        }
    }
}

/// Column `name` of relation `relation`.
fn qcol(relation: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(relation), name))
}

#[test]
fn join_chain_reading_few_columns() {
    // (l ⋈ r) ⋈ r2 projected to two columns: the lower join's unread columns become
    // placeholders, its key `j` is still read by the upper join
    let (spacing, count, probe_rows) = (397, 500, 5_000);
    for build_left in [false, true] {
        let (build, probe) = sides(spacing, count, probe_rows);
        let (build2, _) = sides(spacing * 2, count, 0);
        let (l_rows, r_rows) = if build_left { (1, 1_000_000) } else { (1_000_000, 1) };
        let r2 = match LogicalPlanBuilder::scan("r2", Arc::new(Sized(MemTable::new(build2), 1)))
            .and_then(|b| b.alias("r2"))
            .and_then(|b| b.build())
        {
            Ok(p) => p,
            Err(e) => panic!("scan r2: {e}"),
        };
        let plan = LogicalPlanBuilder::from(scan("l", probe, l_rows))
            .join(scan("r", build, r_rows), JoinType::Inner, (vec![col("k")], vec![col("j")]), None)
            .and_then(|b| b.join(r2, JoinType::Inner, (vec![qcol("r", "j")], vec![qcol("r2", "j")]), None))
            .and_then(|b| b.project(vec![qcol("l", "x"), qcol("r2", "y")]))
            .and_then(|b| b.build());
        let got = match plan {
            Ok(p) => rows_at_1_and_4(&p, true),
            Err(e) => panic!("join plan: {e}"),
        };
        // keys that are multiples of 2 * spacing below the first build's range; key 0 appears
        // twice on each build side
        let mut want = vec![];
        for k in (0..probe_rows).filter(|k| k % 10 != 3 && k % (2 * spacing) == 0 && k / spacing < count) {
            let times = if k == 0 { 4 } else { 1 };
            want.extend((0..times).map(|_| format!("p{k}|b{k}")));
        }
        want.sort();
        assert!(want.len() > 3);
        assert_eq!(got, want, "build_left={build_left}");
    }
}
