//! Cardinality estimates: filters (equality, ranges, IN, LIKE, NULL tests), joins (key
//! distinct counts, semi / anti bounds), aggregates (group key products) and how column facts
//! scale through filters.

use std::any::Any;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use shoal_common::{Result, ScalarValue, ShoalError};
use shoal_expr::cardinality::{estimate, estimate_rows};
use shoal_expr::{
    col, lit, ColumnStatistics, Expr, JoinType, LogicalPlan, LogicalPlanBuilder, ScanSource, Statistics,
    TableSource,
};

/// A table of `rows` rows whose BIGINT columns have the given distinct counts and bounds.
#[derive(Debug)]
struct StatsTable {
    schema: SchemaRef,
    rows: usize,
    columns: Vec<(f64, i64, i64, usize)>,
}

impl TableSource for StatsTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn statistics(&self) -> Statistics {
        Statistics { num_rows: Some(self.rows), total_byte_size: None }
    }
    fn column_statistics(&self, column: usize) -> ColumnStatistics {
        match self.columns.get(column) {
            Some(&(ndv, min, max, nulls)) => ColumnStatistics {
                null_count: Some(nulls),
                min: Some(ScalarValue::int64(Some(min))),
                max: Some(ScalarValue::int64(Some(max))),
                distinct_count: Some(ndv),
            },
            None => ColumnStatistics::default(),
        }
    }
    fn description(&self) -> String {
        "stats".into()
    }
    fn scan(&self, _: Option<&[usize]>, _: &[Expr], _: Option<usize>) -> Result<Arc<dyn ScanSource>> {
        Err(ShoalError::Internal("not scannable".into()))
    }
}

/// `name(columns...)` of `rows` rows; each column `(name, ndv, min, max, nulls)`.
fn table(name: &str, rows: usize, columns: &[(&str, f64, i64, i64, usize)]) -> LogicalPlanBuilder {
    let schema = Arc::new(Schema::new(
        columns.iter().map(|c| Field::new(c.0, DataType::Int64, true)).collect::<Vec<_>>(),
    ));
    let source = StatsTable { schema, rows, columns: columns.iter().map(|c| (c.1, c.2, c.3, c.4)).collect() };
    LogicalPlanBuilder::scan(name, Arc::new(source)).unwrap()
}

fn orders() -> LogicalPlanBuilder {
    // 1000 rows: o_key unique 1..=1000, o_cust 100 values 1..=100, o_date 0..=99 with 100 NULLs
    table(
        "orders",
        1000,
        &[("o_key", 1000.0, 1, 1000, 0), ("o_cust", 100.0, 1, 100, 0), ("o_date", 100.0, 0, 99, 100)],
    )
}

fn rows(plan: LogicalPlanBuilder) -> f64 {
    estimate_rows(&plan.build().unwrap()).unwrap()
}

fn close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() <= expected.abs() * 0.02 + 1e-9, "{actual} vs {expected}");
}

#[test]
fn equality_uses_distinct_counts() {
    close(rows(orders().filter(col("o_cust").eq(lit(7i64))).unwrap()), 10.0);
    // a value outside [min, max] matches nothing
    close(rows(orders().filter(col("o_cust").eq(lit(1000i64))).unwrap()), 0.0);
    // NULLs never equal: 900 non-NULL rows over 100 values
    close(rows(orders().filter(col("o_date").eq(lit(5i64))).unwrap()), 9.0);
}

#[test]
fn ranges_use_bounds() {
    // o_key < 251 covers a quarter of [1, 1000]
    close(rows(orders().filter(col("o_key").lt(lit(251i64))).unwrap()), 250.0);
    close(rows(orders().filter(col("o_key").gt_eq(lit(751i64))).unwrap()), 250.0);
    // conjunctions multiply, disjunctions add minus the overlap
    let both = col("o_key").lt(lit(501i64)).and(col("o_cust").eq(lit(3i64)));
    close(rows(orders().filter(both).unwrap()), 5.0);
    let either = col("o_key").lt(lit(501i64)).or(col("o_key").gt_eq(lit(501i64)));
    close(rows(orders().filter(either).unwrap()), 750.0);
}

#[test]
fn in_list_like_and_null_tests() {
    let list = Expr::InList(shoal_expr::InList {
        expr: Box::new(col("o_cust")),
        list: vec![lit(1i64), lit(2i64), lit(3i64)],
        negated: false,
    });
    close(rows(orders().filter(list).unwrap()), 30.0);
    close(rows(orders().filter(col("o_date").is_null()).unwrap()), 100.0);
    close(rows(orders().filter(col("o_date").is_not_null()).unwrap()), 900.0);
}

#[test]
fn filtered_columns_narrow() {
    // after o_cust = 7, grouping by o_cust yields one group
    let plan =
        orders().filter(col("o_cust").eq(lit(7i64))).unwrap().aggregate(vec![col("o_cust")], vec![]).unwrap();
    close(rows(plan), 1.0);
    // a unique key keeps as many distinct values as rows survive
    let e = estimate(&orders().filter(col("o_cust").lt(lit(51i64))).unwrap().build().unwrap()).unwrap();
    close(e.rows, 500.0);
    close(e.column_facts(0).ndv.unwrap(), 500.0);
    // a 100-value column over 500 of 1000 rows still has (nearly) all its values
    assert!(e.column_facts(2).ndv.unwrap() > 95.0);
}

#[test]
fn aggregates_multiply_key_distinct_counts() {
    close(rows(orders().aggregate(vec![col("o_cust")], vec![]).unwrap()), 100.0);
    // 100 customers × 100 dates (+ NULL) capped by the 1000 input rows
    close(rows(orders().aggregate(vec![col("o_cust"), col("o_date")], vec![]).unwrap()), 1000.0);
    close(rows(orders().aggregate(vec![], vec![]).unwrap()), 1.0);
}

#[test]
fn range_tests_on_aggregate_values_keep_few_groups() {
    // HAVING count(*) > 5 over 100 groups: a threshold keeps 5% of them
    let grouped = || {
        orders().aggregate(vec![col("o_cust")], vec![shoal_expr::expr_fn::count_star().alias("n")]).unwrap()
    };
    close(rows(grouped().filter(col("n").gt(lit(5i64))).unwrap()), 5.0);
    // a range test on a group key still uses its bounds
    close(rows(grouped().filter(col("o_cust").lt(lit(51i64))).unwrap()), 50.0);
    // through a projection the value keeps its origin
    let projected = grouped().project(vec![col("o_cust"), col("n")]).unwrap();
    close(rows(projected.filter(col("n").lt_eq(lit(2i64))).unwrap()), 5.0);
}

fn lineitem() -> LogicalPlanBuilder {
    // 4000 rows, l_okey 1000 values (every order has lines), l_part 50 values
    table("lineitem", 4000, &[("l_okey", 1000.0, 1, 1000, 0), ("l_part", 50.0, 1, 50, 0)])
}

fn join(
    left: LogicalPlanBuilder,
    right: LogicalPlanBuilder,
    t: JoinType,
    l: &str,
    r: &str,
) -> LogicalPlanBuilder {
    left.join(right.build().unwrap(), t, (vec![col(l)], vec![col(r)]), None).unwrap()
}

#[test]
fn equi_joins_divide_by_the_larger_distinct_count() {
    // foreign-key join: every line finds its order
    close(rows(join(lineitem(), orders(), JoinType::Inner, "l_okey", "o_key")), 4000.0);
    // a filtered dimension shrinks the join in proportion
    let cheap = orders().filter(col("o_key").lt(lit(101i64))).unwrap();
    close(rows(join(lineitem(), cheap, JoinType::Inner, "l_okey", "o_key")), 400.0);
    // many-to-many on a low-cardinality key: 4000 · 1000 / 100
    let m2m = join(lineitem(), orders(), JoinType::Inner, "l_part", "o_cust");
    close(rows(m2m), 40_000.0);
    // outer joins keep at least their preserved side
    let outer = join(
        orders(),
        lineitem().filter(col("l_okey").eq(lit(1i64))).unwrap(),
        JoinType::Left,
        "o_key",
        "l_okey",
    );
    close(rows(outer), 1000.0);
}

#[test]
fn composite_keys_that_are_a_key_of_the_smaller_side_find_one_partner() {
    // (l_okey, l_part) vs (o_key, o_cust): more combinations than rows on both sides
    let both = lineitem()
        .join(
            orders().build().unwrap(),
            JoinType::Inner,
            (vec![col("l_okey"), col("l_part")], vec![col("o_key"), col("o_cust")]),
            None,
        )
        .unwrap();
    close(rows(both), 4000.0);
}

#[test]
fn semi_and_anti_joins_are_bounded_by_the_probe_side() {
    let semi = join(orders(), lineitem(), JoinType::LeftSemi, "o_key", "l_okey");
    close(rows(semi), 1000.0);
    // orders with one of the first 100 lines' keys
    let few = lineitem().filter(col("l_okey").lt(lit(101i64))).unwrap();
    let semi = join(orders(), few, JoinType::LeftSemi, "o_key", "l_okey");
    assert!(rows(semi) <= 120.0);
    let anti = join(orders(), lineitem(), JoinType::LeftAnti, "o_key", "l_okey");
    let anti = rows(anti);
    assert!(anti <= 1000.0 && anti > 0.0, "{anti}");
}

#[test]
fn unknown_leaves_give_no_estimate() {
    let plan: LogicalPlan = LogicalPlanBuilder::values(vec![vec![lit(1i64)]]).unwrap().build().unwrap();
    assert_eq!(estimate_rows(&plan), Some(1.0));
    let mock = StatsTable { schema: Arc::new(Schema::empty()), rows: 0, columns: vec![] };
    let plan = LogicalPlanBuilder::scan("e", Arc::new(mock)).unwrap().build().unwrap();
    assert_eq!(estimate_rows(&plan), Some(0.0));
}
