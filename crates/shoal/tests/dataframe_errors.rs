//! Bad input to the DataFrame API: each mistake is an error at the call that made it, with a
//! clear message — never a panic, never a failure deferred to `collect`.

use shoal::prelude::*;

fn people() -> DataFrame {
    let s = Session::new();
    s.sql("SELECT * FROM (VALUES (1, 'ann', 30), (2, 'bob', NULL)) AS p(id, name, age)").expect("people")
}

fn message(r: Result<DataFrame>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_column_suggests_the_closest_name() {
    let df = people();
    assert_eq!(message(df.filter(col("nme").eq(lit("ann")))), "column 'nme' not found; did you mean 'name'?");
    assert_eq!(message(df.select([col("agee")])), "column 'agee' not found; did you mean 'age'?");
    assert_eq!(message(df.sort([col("idd").asc()])), "column 'idd' not found; did you mean 'id'?");
    assert!(message(df.drop(["nam"])).contains("did you mean 'name'?"));
}

#[test]
fn aggregate_in_a_filter() {
    let err = message(people().filter(col("age").sum().gt(lit(10i64))));
    assert!(err.starts_with("aggregate functions are not allowed in filter(): sum(age) > 10"), "{err}");
}

#[test]
fn window_in_a_filter() {
    let err = message(people().filter(row_number().over(Window::new()).eq(lit(1i64))));
    assert!(err.contains("window functions are not allowed in filter()"), "{err}");
}

#[test]
fn join_on_mismatched_types() {
    let s = Session::new();
    let a = s.sql("SELECT DATE '2024-01-01' AS d").expect("a");
    let b = s.sql("SELECT true AS flag").expect("b");
    let err = message(a.join(&b, JoinType::Inner, [col("d")], [col("flag")]));
    assert_eq!(err, "cannot join on d = flag: Date32 and Boolean are not comparable");
}

#[test]
fn join_key_on_the_wrong_side() {
    let s = Session::new();
    let a = s.sql("SELECT 1 AS x").expect("a");
    let b = s.sql("SELECT 1 AS y").expect("b");
    let err = message(a.join(&b, JoinType::Inner, [col("y")], [col("x")]));
    assert_eq!(err, "column 'y' not found; did you mean 'x'?");
}

#[test]
fn union_of_different_arity() {
    let s = Session::new();
    let a = s.sql("SELECT 1 AS x").expect("a");
    let b = s.sql("SELECT 1 AS x, 2 AS y").expect("b");
    assert_eq!(message(a.union(&b)), "each UNION query must have the same number of columns: 1 vs 2");
    assert_eq!(
        message(a.union_distinct(&b)),
        "each UNION query must have the same number of columns: 1 vs 2"
    );
}

#[test]
fn unknown_functions_suggest_the_closest_name() {
    let df = people();
    assert_eq!(
        message(df.select([call("lowr", [col("name")])])),
        "unknown function 'lowr'; did you mean 'lower'?"
    );
    assert_eq!(
        message(df.select([agg("summ", [col("age")])])),
        "unknown aggregate function 'summ'; did you mean 'sum'?"
    );
}

#[test]
fn function_argument_type_errors() {
    let err = message(people().select([col("age").str().lower()]));
    assert_eq!(err, "lower(): expected lower(string) -> string, got arguments (Int64)");
}

#[test]
fn ungrouped_column_in_an_aggregation() {
    let err = message(people().group_by([col("id")]).and_then(|g| g.agg([col("name")])));
    assert_eq!(err, "column 'name' must be a grouping key or be used in an aggregate function");
    let err = message(people().select([col("name"), col("age").sum()]));
    assert_eq!(err, "column 'name' must be a grouping key or be used in an aggregate function");
}

#[test]
fn over_on_a_plain_column_and_bad_frames() {
    let df = people();
    assert_eq!(
        message(df.select([col("age").over(Window::new())])),
        "over() applies to aggregate and window functions, not to age"
    );
    let bad = Window::new().order_by([col("id").asc()]).rows_between(current_row(), preceding(1i64));
    assert_eq!(
        message(df.select([col("age").sum().over(bad)])),
        "a window frame cannot start at CURRENT ROW and end at 1 PRECEDING"
    );
}

#[test]
fn nested_aggregates() {
    let err = message(people().select([col("age").sum().max()]));
    assert_eq!(err, "aggregate function calls cannot be nested: max(sum(age))");
}

#[test]
fn unknown_tables_and_files() {
    let s = Session::new();
    s.register("people", &people()).expect("register");
    assert_eq!(message(s.table("peple")), "table 'peple' not found; did you mean 'people'?");
    assert!(s.read_parquet("/nonexistent/dir/*.parquet", ParquetOptions::default()).is_err());
    assert!(s.read_csv("/nonexistent/file.csv", CsvOptions::default()).is_err());
}

#[test]
fn describe_and_show_work_on_every_type() {
    let df = people();
    let summary =
        shoal::rows_to_strings(&df.describe().and_then(|d| d.collect()).expect("describe")).expect("rows");
    assert_eq!(summary.len(), 7);
    assert_eq!(summary[0], "count, 2, 2, 1");
    assert_eq!(summary[5], "max, 2, bob, 30");
    assert_eq!(summary[3], "std, 0.7071067811865476, NULL, NULL");
    let text = df.sort([col("id").asc()]).and_then(|d| d.to_table_string(1)).expect("table");
    assert_eq!(text, "+----+------+-----+\n| id | name | age |\n+----+------+-----+\n| 1  | ann  | 30  |\n+----+------+-----+");
}

#[test]
fn writing_to_a_directory_fails_cleanly() {
    let dir = tempfile::tempdir().expect("dir");
    let err = people().write_parquet(dir.path()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("is a directory"), "{err}");
    let file = dir.path().join("p.csv");
    assert_eq!(people().write_csv(&file).expect("csv"), 2);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "id,name,age\n1,ann,30\n2,bob,\n");
}

fn group_message(r: Result<shoal::GroupBy>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn grouping_sets_need_at_least_one_set_or_key() {
    let df = people();
    let none: Vec<Vec<Expr>> = vec![];
    assert_eq!(
        group_message(df.grouping_sets(none)),
        "grouping_sets() needs at least one set (an empty set is the grand total)"
    );
    assert_eq!(group_message(df.rollup([])), "rollup() needs at least one key");
    assert_eq!(group_message(df.cube([])), "cube() needs at least one key");
}

#[test]
fn grouping_sets_with_an_unknown_column_suggest_the_closest_name() {
    let df = people();
    assert_eq!(group_message(df.rollup([col("nme")])), "column 'nme' not found; did you mean 'name'?");
    assert_eq!(
        group_message(df.cube([col("id"), col("agee")])),
        "column 'agee' not found; did you mean 'age'?"
    );
    assert_eq!(
        group_message(df.grouping_sets(vec![vec![col("id")], vec![col("idd")]])),
        "column 'idd' not found; did you mean 'id'?"
    );
}

#[test]
fn grouping_sets_reject_bad_keys_and_aggregates() {
    let df = people();
    let err = message(df.rollup([col("age").sum()]).and_then(|g| g.agg([count_star()])));
    assert_eq!(err, "grouping keys cannot contain aggregate or window functions: sum(age)");
    let err = message(df.cube([col("id")]).and_then(|g| g.agg([col("name")])));
    assert_eq!(err, "column 'name' must be a grouping key or be used in an aggregate function");
    let keys = (0..13).map(|i| (col("id") + lit(i as i64)).alias(format!("k{i}")));
    assert_eq!(group_message(df.cube(keys)), "CUBE takes at most 12 expressions, got 13");
}

#[test]
fn grouping_outside_its_place() {
    let df = people();
    let err = message(df.rollup([col("id")]).and_then(|g| g.agg([grouping(col("name"))])));
    assert_eq!(err, "the argument of grouping() must be a grouping key, name is not");
    let err = message(df.select([grouping(col("id"))]));
    assert!(err.contains("grouping() is only allowed among the aggregates of group_by()"), "{err}");
    let err = message(df.rollup([col("id")]).and_then(|g| g.agg([grouping(col("id")).sum()])));
    assert!(err.contains("grouping() is only allowed among the aggregates"), "{err}");
}

#[test]
fn rollup_rows_have_null_keys_and_grouping_bits() {
    let df = people();
    let out = df
        .rollup([col("name")])
        .and_then(|g| g.agg([count_star().alias("n"), grouping(col("name")).alias("g")]))
        .and_then(|d| d.sort([col("g").asc(), col("name").asc()]))
        .and_then(|d| d.collect())
        .expect("rollup runs");
    assert_eq!(shoal::rows_to_strings(&out).expect("rows"), vec!["ann, 1, 0", "bob, 1, 0", "NULL, 2, 1"]);
}
