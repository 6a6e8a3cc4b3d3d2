//! HashJoinExec and NestedLoopJoinExec: every join type with NULL keys and duplicates, both
//! build sides, string and multi-column keys, NOT IN semantics, and a large parallel build —
//! each at 1 and 4 threads.

mod common;

use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_expr::plan::Join;
use shoal_expr::{col, Expr, JoinType, LogicalPlan, LogicalPlanBuilder};

fn batch(names: [&str; 2], keys: Vec<Option<i64>>, values: Vec<Option<&str>>) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new(names[0], DataType::Int64, true),
        Field::new(names[1], DataType::Utf8, true),
    ]));
    RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(keys)), Arc::new(StringArray::from(values))])
        .unwrap()
}

/// `l(k, x)` and `r(j, y)`; `left_rows` / `right_rows` are the sizes reported to the planner.
fn tables(left_rows: usize, right_rows: usize) -> (LogicalPlan, LogicalPlan) {
    let l = MemTable::new(vec![
        batch(["k", "x"], vec![Some(1), Some(2), Some(2)], vec![Some("a"), Some("b"), Some("b2")]),
        batch(["k", "x"], vec![None, Some(4)], vec![Some("n"), Some("d")]),
    ]);
    let r = MemTable::new(vec![
        batch(["j", "y"], vec![Some(2), Some(2)], vec![Some("p"), Some("q")]),
        batch(["j", "y"], vec![Some(3), None], vec![Some("s"), Some("t")]),
    ]);
    let scan = |name: &str, t: Arc<MemTable>, rows: usize| {
        LogicalPlanBuilder::scan(name, Arc::new(Sized(t, rows))).unwrap().build().unwrap()
    };
    (scan("l", l, left_rows), scan("r", r, right_rows))
}

fn join(join_type: JoinType, filter: Option<Expr>, build_left: bool) -> LogicalPlan {
    let (l, r) = if build_left { tables(1, 100) } else { tables(100, 1) };
    LogicalPlanBuilder::from(l)
        .join(r, join_type, (vec![col("k")], vec![col("j")]), filter)
        .unwrap()
        .build()
        .unwrap()
}

/// Rows at 1 and 4 threads, building either side: all four must agree.
fn check(join_type: JoinType, filter: Option<Expr>, expected: &[&str]) {
    for build_left in [false, true] {
        let plan = join(join_type, filter.clone(), build_left);
        assert_eq!(rows_at_1_and_4(&plan, true), strs(expected), "{join_type} build_left={build_left}");
    }
}

#[test]
fn inner_join_skips_null_keys_and_multiplies_duplicates() {
    check(JoinType::Inner, None, &["2|b2|2|p", "2|b2|2|q", "2|b|2|p", "2|b|2|q"]);
}

#[test]
fn outer_joins_pad_with_nulls() {
    let matched = ["2|b2|2|p", "2|b2|2|q", "2|b|2|p", "2|b|2|q"];
    let left_only = ["1|a|NULL|NULL", "4|d|NULL|NULL", "NULL|n|NULL|NULL"];
    let right_only = ["NULL|NULL|3|s", "NULL|NULL|NULL|t"];
    fn sorted(parts: &[&[&'static str]]) -> Vec<&'static str> {
        let mut v: Vec<&str> = parts.iter().flat_map(|p| p.iter().copied()).collect();
        v.sort();
        v
    }
    check(JoinType::Left, None, &sorted(&[&left_only, &matched]));
    check(JoinType::Right, None, &sorted(&[&right_only, &matched]));
    check(JoinType::Full, None, &sorted(&[&left_only, &right_only, &matched]));
}

#[test]
fn semi_and_anti_joins_output_one_side_once() {
    check(JoinType::LeftSemi, None, &["2|b", "2|b2"]);
    check(JoinType::LeftAnti, None, &["1|a", "4|d", "NULL|n"]);
    check(JoinType::RightSemi, None, &["2|p", "2|q"]);
    check(JoinType::RightAnti, None, &["3|s", "NULL|t"]);
}

#[test]
fn residual_filter_decides_matches() {
    let f = Some(col("y").eq(shoal_expr::lit("q")));
    check(JoinType::Inner, f.clone(), &["2|b2|2|q", "2|b|2|q"]);
    check(
        JoinType::Left,
        f.clone(),
        &["1|a|NULL|NULL", "2|b2|2|q", "2|b|2|q", "4|d|NULL|NULL", "NULL|n|NULL|NULL"],
    );
    check(
        JoinType::Right,
        f.clone(),
        &["2|b2|2|q", "2|b|2|q", "NULL|NULL|2|p", "NULL|NULL|3|s", "NULL|NULL|NULL|t"],
    );
    let g = Some(col("x").eq(shoal_expr::lit("b")).and(col("y").eq(shoal_expr::lit("p"))));
    check(JoinType::LeftAnti, g.clone(), &["1|a", "2|b2", "4|d", "NULL|n"]);
    check(JoinType::RightSemi, g, &["2|p"]);
}

#[test]
fn nested_loop_join_without_keys() {
    for build_left in [false, true] {
        let (l, r) = if build_left { tables(1, 100) } else { tables(100, 1) };
        let cross = LogicalPlanBuilder::from(l.clone()).cross_join(r.clone()).unwrap().build().unwrap();
        assert_eq!(rows_at_1_and_4(&cross, true).len(), 20);
        let less = LogicalPlanBuilder::from(l)
            .join_on(r, JoinType::Left, col("k").gt(col("j")))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            rows_at_1_and_4(&less, true),
            strs(&[
                "1|a|NULL|NULL",
                "2|b2|NULL|NULL",
                "2|b|NULL|NULL",
                "4|d|2|p",
                "4|d|2|q",
                "4|d|3|s",
                "NULL|n|NULL|NULL"
            ])
        );
    }
}

#[test]
fn not_in_semantics_with_null_aware_anti_join() {
    let (l, r) = tables(100, 1);
    let plan = |r: LogicalPlan| {
        LogicalPlan::Join(
            Join::try_new(
                Arc::new(l.clone()),
                Arc::new(r),
                vec![(col("k"), col("j"))],
                None,
                JoinType::LeftAnti,
                true,
            )
            .unwrap(),
        )
    };
    // the right side has a NULL key: nothing is NOT IN it
    assert_eq!(rows_at_1_and_4(&plan(r.clone()), true), Vec::<String>::new());
    // without the NULL: rows with a NULL key are dropped too
    let no_null =
        LogicalPlanBuilder::from(r.clone()).filter(col("j").is_not_null()).unwrap().build().unwrap();
    assert_eq!(rows_at_1_and_4(&plan(no_null), true), strs(&["1|a", "4|d"]));
    // an empty right side: every row, NULL keys included
    let empty =
        LogicalPlanBuilder::from(r).filter(col("j").gt(shoal_expr::lit(100i64))).unwrap().build().unwrap();
    assert_eq!(rows_at_1_and_4(&plan(empty), true), strs(&["1|a", "2|b", "2|b2", "4|d", "NULL|n"]));
}

#[test]
fn string_and_multi_column_keys() {
    for build_left in [false, true] {
        let (l, r) = if build_left { tables(1, 100) } else { tables(100, 1) };
        let l2 = LogicalPlanBuilder::from(l).build().unwrap();
        let on_strings = LogicalPlanBuilder::from(l2.clone())
            .join(r.clone(), JoinType::Inner, (vec![col("x")], vec![col("y")]), None)
            .unwrap()
            .build()
            .unwrap();
        assert!(rows_at_1_and_4(&on_strings, true).is_empty());
        let two_keys = LogicalPlanBuilder::from(l2)
            .join(r, JoinType::Full, (vec![col("k"), col("x")], vec![col("j"), col("y")]), None)
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(rows_at_1_and_4(&two_keys, true).len(), 9);
    }
}

#[test]
fn large_build_is_partitioned_and_parallel() {
    // 100k distinct build keys (several partitions at 4 threads), 3 probe rows per key
    let n = 100_000i64;
    let build: Vec<RecordBatch> = (0..10)
        .map(|b| {
            let keys: Vec<Option<i64>> = (b * n / 10..(b + 1) * n / 10).map(Some).collect();
            let vals: Vec<Option<&str>> = keys.iter().map(|_| Some("v")).collect();
            batch(["j", "y"], keys, vals)
        })
        .collect();
    let probe: Vec<RecordBatch> = (0..30)
        .map(|b| {
            let keys: Vec<Option<i64>> = (0..n / 10).map(|i| Some((i * 7 + b) % (n + 1000))).collect();
            let vals: Vec<Option<&str>> = keys.iter().map(|_| Some("w")).collect();
            batch(["k", "x"], keys, vals)
        })
        .collect();
    let probe_rows: usize = probe.iter().map(|b| b.num_rows()).sum();
    let l = LogicalPlanBuilder::scan("l", Arc::new(Sized(MemTable::new(probe), probe_rows)))
        .unwrap()
        .build()
        .unwrap();
    let r = LogicalPlanBuilder::scan("r", Arc::new(Sized(MemTable::new(build), n as usize)))
        .unwrap()
        .build()
        .unwrap();
    let count = |jt: JoinType| {
        let plan = LogicalPlanBuilder::from(l.clone())
            .join(r.clone(), jt, (vec![col("k")], vec![col("j")]), None)
            .unwrap()
            .build()
            .unwrap();
        let at = |threads| run(&plan, threads).unwrap().iter().map(|b| b.num_rows()).sum::<usize>();
        let one = at(1);
        assert_eq!(one, at(4), "{jt}");
        one
    };
    let matched: usize =
        (0..30i64).map(|b| (0..n / 10).filter(|i| (i * 7 + b) % (n + 1000) < n).count()).sum();
    assert_eq!(count(JoinType::Inner), matched);
    assert_eq!(count(JoinType::LeftSemi), matched);
    assert_eq!(count(JoinType::LeftAnti), probe_rows - matched);
    assert_eq!(count(JoinType::Left), probe_rows);
    let unmatched_build = {
        let mut seen = vec![false; n as usize];
        for b in 0..30i64 {
            for i in 0..n / 10 {
                let k = (i * 7 + b) % (n + 1000);
                if k < n {
                    seen[k as usize] = true;
                }
            }
        }
        seen.iter().filter(|s| !**s).count()
    };
    assert_eq!(count(JoinType::Full), probe_rows + unmatched_build);
    assert_eq!(count(JoinType::RightAnti), unmatched_build);
}
