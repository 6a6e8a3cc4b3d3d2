//! Parity of the DataFrame API with SQL: each query written both ways must give the same rows,
//! and — where the two spell the same query — the same optimized plan. Over small generated
//! taxi data and TPC-H at SF 0.01.

use std::path::PathBuf;
use std::sync::OnceLock;

use shoal::prelude::*;
use shoal_datagen::FileFormat;

/// Generated data, shared by the tests of this file (written once).
struct Data {
    _dir: tempfile::TempDir,
    taxi: PathBuf,
    tpch: PathBuf,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let taxi = dir.path().join("taxi");
        let tpch = dir.path().join("tpch");
        shoal_datagen::taxi::write_taxi(&taxi, 20_000, 2, FileFormat::Parquet).expect("taxi data");
        shoal_datagen::tpch::write_tpch(&tpch, 0.01, FileFormat::Parquet).expect("tpch data");
        Data { _dir: dir, taxi, tpch }
    })
}

/// One thread, so float sums add up in the same order both ways.
fn session() -> Session {
    let session = Session::with_config(SessionConfig::default().with_threads(1));
    let d = data();
    session.register_parquet("trips", &d.taxi).expect("trips");
    for t in ["lineitem", "orders", "customer", "nation", "region", "supplier"] {
        session.register_parquet(t, d.tpch.join(format!("{t}.parquet"))).expect("tpch table");
    }
    session
}

fn query_file(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[derive(Clone, Copy, PartialEq)]
enum Plan {
    /// The same query both ways: the optimized plans must be identical.
    Same,
    /// Written differently (e.g. comma joins in SQL, explicit joins here): rows only.
    RowsOnly,
}

/// Assert `sql` and `df` give the same rows (in order when `ordered`), and the same optimized
/// plan when `plan` is [`Plan::Same`].
fn check(session: &Session, sql: &str, df: Result<DataFrame>, ordered: bool, plan: Plan) {
    let df = df.unwrap_or_else(|e| panic!("DataFrame for {sql}: {e}"));
    let sql_df = session.sql(sql).unwrap_or_else(|e| panic!("{}", e.render(sql)));
    let mut expected = shoal::rows_to_strings(&sql_df.collect().expect("sql runs")).expect("rows");
    let mut actual = shoal::rows_to_strings(&df.collect().expect("dataframe runs")).expect("rows");
    assert!(!expected.is_empty(), "the SQL query returns no rows: {sql}");
    if !ordered {
        expected.sort();
        actual.sort();
    }
    assert_eq!(actual, expected, "rows differ for {sql}");
    let names = |s: arrow::datatypes::SchemaRef| -> Vec<String> {
        s.fields().iter().map(|f| f.name().clone()).collect()
    };
    assert_eq!(names(df.schema()), names(sql_df.schema()), "column names differ for {sql}");
    if plan == Plan::Same {
        let a = df.optimized_plan().expect("plan").display_indent();
        let e = sql_df.optimized_plan().expect("plan").display_indent();
        assert_eq!(a, e, "optimized plans differ for {sql}");
    }
}

fn trips(s: &Session) -> DataFrame {
    s.table("trips").expect("trips")
}

#[test]
fn taxi_q1_count_by_vendor() {
    let s = session();
    let df = trips(&s).group_by([col("VendorID")]).and_then(|g| g.agg([count_star()]));
    let df = df.and_then(|d| d.sort([col("VendorID").asc()]));
    check(&s, &query_file("queries/taxi/q1_count_by_vendor.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q2_avg_total_by_passengers() {
    let s = session();
    let df = trips(&s)
        .group_by([col("passenger_count")])
        .and_then(|g| g.agg([col("total_amount").avg()]))
        .and_then(|d| d.sort([col("passenger_count").asc()]));
    check(&s, &query_file("queries/taxi/q2_avg_total_by_passengers.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q3_count_by_passengers_year() {
    let s = session();
    let df = trips(&s)
        .group_by([col("passenger_count"), col("tpep_pickup_datetime").dt().year().alias("year")])
        .and_then(|g| g.agg([count_star().alias("trips")]))
        .and_then(|d| d.sort([col("passenger_count").asc(), col("year").asc()]));
    check(&s, &query_file("queries/taxi/q3_count_by_passengers_year.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q4_count_by_passengers_year_distance() {
    let s = session();
    let df = trips(&s)
        .group_by([
            col("passenger_count"),
            col("tpep_pickup_datetime").dt().year().alias("year"),
            call("round", [col("trip_distance")]).alias("distance"),
        ])
        .and_then(|g| g.agg([count_star().alias("trips")]))
        .and_then(|d| {
            d.sort([
                col("year").asc(),
                col("trips").desc(),
                col("passenger_count").asc(),
                col("distance").asc(),
            ])
        });
    check(&s, &query_file("queries/taxi/q4_count_by_passengers_year_distance.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q5_tip_share_by_hour() {
    let s = session();
    let df = trips(&s)
        .filter(col("payment_type").eq(lit(1i64)).and(col("fare_amount").gt(lit(0i64))))
        .and_then(|d| d.group_by([col("tpep_pickup_datetime").dt().hour().alias("hour")]))
        .and_then(|g| {
            g.agg([
                count_star().alias("trips"),
                (col("tip_amount").sum() / col("fare_amount").sum()).alias("tip_share"),
                col("tip_amount").avg().alias("avg_tip"),
            ])
        })
        .and_then(|d| d.sort([col("hour").asc()]));
    check(&s, &query_file("queries/taxi/q5_tip_share_by_hour.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q6_top_zone_pairs() {
    let s = session();
    let df = trips(&s)
        .group_by([col("PULocationID"), col("DOLocationID")])
        .and_then(|g| g.agg([count_star().alias("trips"), col("trip_distance").avg().alias("avg_distance")]))
        .and_then(|d| d.sort([col("trips").desc(), col("PULocationID").asc(), col("DOLocationID").asc()]))
        .and_then(|d| d.limit(10));
    check(&s, &query_file("queries/taxi/q6_top_zone_pairs.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q7_daily_revenue() {
    let s = session();
    let df = trips(&s)
        .group_by([col("tpep_pickup_datetime").cast(DataType::Date32).alias("day")])
        .and_then(|g| g.agg([count_star().alias("trips"), col("total_amount").sum().alias("revenue")]))
        .and_then(|d| d.sort([col("day").asc()]));
    check(&s, &query_file("queries/taxi/q7_daily_revenue.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q8_fare_per_mile_by_payment() {
    let s = session();
    let df = trips(&s)
        .filter(col("trip_distance").gt(lit(0i64)))
        .and_then(|d| d.group_by([col("payment_type")]))
        .and_then(|g| {
            g.agg([
                count_star().alias("trips"),
                (col("fare_amount").sum() / col("trip_distance").sum()).alias("fare_per_mile"),
                (col("fare_amount") / col("trip_distance")).avg().alias("avg_fare_per_mile"),
            ])
        })
        .and_then(|d| d.sort([col("payment_type").asc()]));
    check(&s, &query_file("queries/taxi/q8_fare_per_mile_by_payment.sql"), df, true, Plan::Same);
}

#[test]
fn taxi_q9_daily_revenue_moving_avg() {
    let s = session();
    let week = Window::new().order_by([col("day").asc()]).rows_between(preceding(6i64), current_row());
    let df = trips(&s)
        .group_by([col("tpep_pickup_datetime").cast(DataType::Date32).alias("day")])
        .and_then(|g| g.agg([col("total_amount").sum().alias("revenue")]))
        .and_then(|d| d.alias("daily"))
        .and_then(|d| {
            d.select([col("day"), col("revenue"), col("revenue").avg().over(week).alias("revenue_7d_avg")])
        })
        .and_then(|d| d.sort([col("day").asc()]));
    check(&s, &query_file("queries/taxi/q9_daily_revenue_moving_avg.sql"), df, true, Plan::Same);
}

/// `1 - l_discount` and friends, as the TPC-H queries write them.
fn disc_price() -> Expr {
    col("l_extendedprice") * (lit(1i64) - col("l_discount"))
}

#[test]
fn tpch_q1() {
    let s = session();
    let df = s
        .table("lineitem")
        .and_then(|d| d.filter(col("l_shipdate").lt_eq(lit_date("1998-12-01") - interval(0, 90, 0))))
        .and_then(|d| d.group_by([col("l_returnflag"), col("l_linestatus")]))
        .and_then(|g| {
            g.agg([
                col("l_quantity").sum().alias("sum_qty"),
                col("l_extendedprice").sum().alias("sum_base_price"),
                disc_price().sum().alias("sum_disc_price"),
                (disc_price() * (lit(1i64) + col("l_tax"))).sum().alias("sum_charge"),
                col("l_quantity").avg().alias("avg_qty"),
                col("l_extendedprice").avg().alias("avg_price"),
                col("l_discount").avg().alias("avg_disc"),
                count_star().alias("count_order"),
            ])
        })
        .and_then(|d| d.sort([col("l_returnflag").asc(), col("l_linestatus").asc()]));
    check(&s, &query_file("queries/tpch/q1.sql"), df, true, Plan::Same);
}

#[test]
fn tpch_q6() {
    let s = session();
    let year_start = lit_date("1994-01-01");
    let df = s
        .table("lineitem")
        .and_then(|d| {
            d.filter(
                col("l_shipdate")
                    .gt_eq(year_start.clone())
                    .and(col("l_shipdate").lt(year_start + interval(12, 0, 0)))
                    .and(col("l_discount").between(
                        lit_decimal("0.06") - lit_decimal("0.01"),
                        lit_decimal("0.06") + lit_decimal("0.01"),
                    ))
                    .and(col("l_quantity").lt(lit(24i64))),
            )
        })
        .and_then(|d| d.select([(col("l_extendedprice") * col("l_discount")).sum().alias("revenue")]));
    check(&s, &query_file("queries/tpch/q6.sql"), df, true, Plan::Same);
}

#[test]
fn tpch_q3() {
    let s = session();
    let t = |name: &str| s.table(name).expect("table");
    let customer = t("customer").filter(col("c_mktsegment").eq(lit("BUILDING"))).expect("filter");
    let orders = t("orders").filter(col("o_orderdate").lt(lit_date("1995-03-15"))).expect("filter");
    let lineitem = t("lineitem").filter(col("l_shipdate").gt(lit_date("1995-03-15"))).expect("filter");
    let df = customer
        .join(&orders, JoinType::Inner, [col("c_custkey")], [col("o_custkey")])
        .and_then(|d| d.join(&lineitem, JoinType::Inner, [col("o_orderkey")], [col("l_orderkey")]))
        .and_then(|d| d.group_by([col("l_orderkey"), col("o_orderdate"), col("o_shippriority")]))
        .and_then(|g| g.agg([disc_price().sum().alias("revenue")]))
        .and_then(|d| {
            d.select([col("l_orderkey"), col("revenue"), col("o_orderdate"), col("o_shippriority")])
        })
        .and_then(|d| d.sort([col("revenue").desc(), col("o_orderdate").asc()]))
        .and_then(|d| d.limit(10));
    check(&s, &query_file("queries/tpch/q3.sql"), df, true, Plan::RowsOnly);
}

#[test]
fn tpch_q5() {
    let s = session();
    let t = |name: &str| s.table(name).expect("table");
    let start = lit_date("1994-01-01");
    let orders = t("orders")
        .filter(
            col("o_orderdate").gt_eq(start.clone()).and(col("o_orderdate").lt(start + interval(12, 0, 0))),
        )
        .expect("filter");
    let region = t("region").filter(col("r_name").eq(lit("ASIA"))).expect("filter");
    let df = t("customer")
        .join(&orders, JoinType::Inner, [col("c_custkey")], [col("o_custkey")])
        .and_then(|d| d.join(&t("lineitem"), JoinType::Inner, [col("o_orderkey")], [col("l_orderkey")]))
        .and_then(|d| {
            d.join(
                &t("supplier"),
                JoinType::Inner,
                [col("l_suppkey"), col("c_nationkey")],
                [col("s_suppkey"), col("s_nationkey")],
            )
        })
        .and_then(|d| d.join(&t("nation"), JoinType::Inner, [col("s_nationkey")], [col("n_nationkey")]))
        .and_then(|d| d.join(&region, JoinType::Inner, [col("n_regionkey")], [col("r_regionkey")]))
        .and_then(|d| d.group_by([col("n_name")]))
        .and_then(|g| g.agg([disc_price().sum().alias("revenue")]))
        .and_then(|d| d.sort([col("revenue").desc()]));
    check(&s, &query_file("queries/tpch/q5.sql"), df, true, Plan::RowsOnly);
}

#[test]
fn tpch_q10() {
    let s = session();
    let t = |name: &str| s.table(name).expect("table");
    let start = lit_date("1993-10-01");
    let orders = t("orders")
        .filter(col("o_orderdate").gt_eq(start.clone()).and(col("o_orderdate").lt(start + interval(3, 0, 0))))
        .expect("filter");
    let lineitem = t("lineitem").filter(col("l_returnflag").eq(lit("R"))).expect("filter");
    let keys = ["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"];
    let df = t("customer")
        .join(&orders, JoinType::Inner, [col("c_custkey")], [col("o_custkey")])
        .and_then(|d| d.join(&lineitem, JoinType::Inner, [col("o_orderkey")], [col("l_orderkey")]))
        .and_then(|d| d.join(&t("nation"), JoinType::Inner, [col("c_nationkey")], [col("n_nationkey")]))
        .and_then(|d| d.group_by(keys.map(col)))
        .and_then(|g| g.agg([disc_price().sum().alias("revenue")]))
        .and_then(|d| {
            d.select(
                [
                    "c_custkey",
                    "c_name",
                    "revenue",
                    "c_acctbal",
                    "n_name",
                    "c_address",
                    "c_phone",
                    "c_comment",
                ]
                .map(col),
            )
        })
        .and_then(|d| d.sort([col("revenue").desc(), col("c_custkey").asc()]))
        .and_then(|d| d.limit(20));
    // (ties on revenue are broken by c_custkey on both sides)
    let sql = query_file("queries/tpch/q10.sql").replace("revenue desc", "revenue desc, c_custkey");
    check(&s, &sql, df, true, Plan::RowsOnly);
}

#[test]
fn explicit_joins_have_the_same_plan_as_join_on() {
    let s = session();
    let orders = s.table("orders").expect("orders");
    let df = s
        .table("customer")
        .and_then(|c| c.join(&orders, JoinType::Inner, [col("c_custkey")], [col("o_custkey")]))
        .and_then(|d| d.group_by([col("c_mktsegment")]))
        .and_then(|g| g.agg([col("o_totalprice").sum().alias("total"), count_star().alias("n")]))
        .and_then(|d| d.sort([col("c_mktsegment").asc()]));
    let sql = "SELECT c_mktsegment, sum(o_totalprice) AS total, count(*) AS n \
               FROM customer JOIN orders ON c_custkey = o_custkey GROUP BY c_mktsegment ORDER BY c_mktsegment";
    check(&s, sql, df, true, Plan::Same);
}

#[test]
fn semi_and_anti_joins() {
    let s = session();
    let orders = s.table("orders").expect("orders");
    let customers = s.table("customer").expect("customer");
    let semi = customers
        .join(&orders, JoinType::LeftSemi, [col("c_custkey")], [col("o_custkey")])
        .and_then(|d| d.select([col("c_custkey")]));
    check(
        &s,
        "SELECT c_custkey FROM customer SEMI JOIN orders ON c_custkey = o_custkey",
        semi,
        false,
        Plan::Same,
    );
    let anti = customers
        .join(&orders, JoinType::LeftAnti, [col("c_custkey")], [col("o_custkey")])
        .and_then(|d| d.select([col("c_custkey")]));
    check(
        &s,
        "SELECT c_custkey FROM customer ANTI JOIN orders ON c_custkey = o_custkey",
        anti,
        false,
        Plan::Same,
    );
}

#[test]
fn left_join_with_a_non_equi_condition() {
    let s = session();
    let nation = s.table("nation").expect("nation");
    let region = s.table("region").expect("region");
    let df = nation
        .join_on(
            &region,
            JoinType::Left,
            col("n_regionkey").eq(col("r_regionkey")).and(col("r_name").not_eq(lit("ASIA"))),
        )
        .and_then(|d| d.select([col("n_name"), col("r_name")]));
    let sql = "SELECT n_name, r_name FROM nation LEFT JOIN region ON n_regionkey = r_regionkey AND r_name <> 'ASIA'";
    check(&s, sql, df, false, Plan::Same);
}

#[test]
fn window_rank_case_in_list_and_strings() {
    let s = session();
    let w = Window::new().partition_by([col("n_regionkey")]).order_by([col("n_name").asc()]);
    let df = s.table("nation").and_then(|d| {
        d.select([
            col("n_name").str().lower().alias("name"),
            rank().over(w).alias("r"),
            when(col("n_regionkey").is_in([lit(1i64), lit(2i64)]), lit("americas-asia"))
                .otherwise(lit("other"))
                .alias("zone"),
            col("n_name").str().substr(1, 3).alias("prefix"),
        ])
    });
    let sql = "SELECT lower(n_name) AS name, rank() OVER (PARTITION BY n_regionkey ORDER BY n_name) AS r, \
               CASE WHEN n_regionkey IN (1, 2) THEN 'americas-asia' ELSE 'other' END AS zone, \
               substr(n_name, 1, 3) AS prefix FROM nation";
    check(&s, sql, df, false, Plan::Same);
}

#[test]
fn union_distinct_and_slice() {
    let s = session();
    let n = s.table("nation").expect("nation");
    let a =
        n.filter(col("n_regionkey").lt(lit(2i64))).and_then(|d| d.select([col("n_regionkey")])).expect("a");
    let b =
        n.filter(col("n_regionkey").gt(lit(0i64))).and_then(|d| d.select([col("n_regionkey")])).expect("b");
    let df =
        a.union_distinct(&b).and_then(|d| d.sort([col("n_regionkey").asc()])).and_then(|d| d.slice(1, 3));
    let sql = "SELECT n_regionkey FROM nation WHERE n_regionkey < 2 UNION \
               SELECT n_regionkey FROM nation WHERE n_regionkey > 0 ORDER BY n_regionkey LIMIT 3 OFFSET 1";
    check(&s, sql, df, true, Plan::Same);
    let all = a.union(&b).and_then(|d| d.distinct());
    let sql = "SELECT DISTINCT * FROM (SELECT n_regionkey FROM nation WHERE n_regionkey < 2 UNION ALL \
               SELECT n_regionkey FROM nation WHERE n_regionkey > 0)";
    check(&s, sql, all, false, Plan::RowsOnly);
}

#[test]
fn with_column_and_global_aggregate() {
    let s = session();
    let df = s
        .table("orders")
        .and_then(|d| d.with_column("year", col("o_orderdate").dt().year()))
        .and_then(|d| d.filter(col("year").eq(lit(1995i64))))
        .and_then(|d| d.select([count_star().alias("n"), col("o_totalprice").max().alias("top")]));
    let sql = "SELECT count(*) AS n, max(o_totalprice) AS top FROM \
               (SELECT *, date_part('year', o_orderdate) AS year FROM orders) WHERE year = 1995";
    check(&s, sql, df, true, Plan::RowsOnly);
}

#[test]
fn views_registered_from_dataframes_are_usable_from_sql() {
    let s = session();
    let big =
        s.table("orders").and_then(|d| d.filter(col("o_totalprice").gt(lit(300000i64)))).expect("big orders");
    s.register("big_orders", &big).expect("register");
    let df = s.table("big_orders").and_then(|d| d.select([count_star()]));
    check(&s, "SELECT count(*) FROM big_orders", df, true, Plan::Same);
}

#[test]
fn rollup_with_grouping() {
    let s = session();
    let df = s.table("lineitem").and_then(|d| d.rollup([col("l_returnflag"), col("l_linestatus")])).and_then(
        |g| {
            g.agg([
                col("l_quantity").sum().alias("qty"),
                count_star().alias("n"),
                grouping(col("l_linestatus")).alias("g"),
            ])
        },
    );
    let sql = "SELECT l_returnflag, l_linestatus, sum(l_quantity) AS qty, count(*) AS n, \
               grouping(l_linestatus) AS g FROM lineitem GROUP BY ROLLUP (l_returnflag, l_linestatus)";
    check(&s, sql, df, false, Plan::Same);
}

#[test]
fn cube_of_two_keys() {
    let s = session();
    let df = s
        .table("orders")
        .and_then(|d| d.cube([col("o_orderstatus"), col("o_orderpriority")]))
        .and_then(|g| g.agg([col("o_totalprice").max().alias("top"), grouping(col("o_orderstatus"))]));
    let sql = "SELECT o_orderstatus, o_orderpriority, max(o_totalprice) AS top, grouping(o_orderstatus) \
               FROM orders GROUP BY CUBE (o_orderstatus, o_orderpriority)";
    check(&s, sql, df, false, Plan::Same);
}

#[test]
fn grouping_sets_with_a_grand_total() {
    let s = session();
    let df = s
        .table("nation")
        .and_then(|d| d.grouping_sets(vec![vec![col("n_regionkey")], vec![col("n_name")], vec![]]))
        .and_then(|g| g.agg([count_star().alias("n"), grouping(col("n_name")).alias("by_region")]));
    let sql = "SELECT n_regionkey, n_name, count(*) AS n, grouping(n_name) AS by_region FROM nation \
               GROUP BY GROUPING SETS ((n_regionkey), (n_name), ())";
    check(&s, sql, df, false, Plan::Same);
}

#[test]
fn grouping_under_a_plain_group_by_is_zero() {
    let s = session();
    let df = s
        .table("region")
        .and_then(|d| d.group_by([col("r_name")]))
        .and_then(|g| g.agg([count_star().alias("n"), grouping(col("r_name")).alias("g")]));
    let sql = "SELECT r_name, count(*) AS n, grouping(r_name) AS g FROM region GROUP BY r_name";
    check(&s, sql, df, false, Plan::Same);
}
