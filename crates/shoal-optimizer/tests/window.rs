//! Rules over `Window` nodes: filters move below a window only on columns every window call
//! partitions by; projection pushdown drops unused window calls and keeps the columns the
//! remaining calls read.

mod common;

use common::{apply, scan};
use shoal_expr::{
    col, lit, AggregateFunction, Expr, LogicalPlan, SortExpr, WindowFrame, WindowFunction, WindowFunctionExpr,
};
use shoal_optimizer::{PushDownFilter, PushDownProjection};

fn window_call(func: WindowFunction, args: Vec<Expr>, partition_by: Vec<Expr>, order_by: &str) -> Expr {
    Expr::WindowFunction(WindowFunctionExpr {
        func,
        args,
        partition_by,
        order_by: vec![SortExpr::new(col(order_by), true, false)],
        frame: WindowFrame::default_for(true),
    })
}

/// `SELECT .. FROM t` with `rn = row_number() OVER (PARTITION BY c ORDER BY id)` and
/// `s = sum(a) OVER (PARTITION BY c, b ORDER BY id)`.
fn windowed() -> shoal_expr::LogicalPlanBuilder {
    scan()
        .window(vec![
            window_call(WindowFunction::RowNumber, vec![], vec![col("c")], "id").alias("rn"),
            window_call(
                WindowFunction::Aggregate(AggregateFunction::Sum),
                vec![col("a")],
                vec![col("c"), col("b")],
                "id",
            )
            .alias("s"),
        ])
        .unwrap()
}

#[test]
fn filter_on_a_common_partition_column_moves_below_the_window() {
    let plan: LogicalPlan = windowed()
        .filter(col("c").eq(lit("x")).and(col("b").gt(lit(1i64))).and(col("rn").eq(lit(1i64))))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        apply(&PushDownFilter, plan),
        "Filter: b > 1 AND rn = 1\n  \
         Window: row_number() OVER (PARTITION BY c ORDER BY id ASC NULLS LAST) AS rn, \
         sum(a) OVER (PARTITION BY c, b ORDER BY id ASC NULLS LAST) AS s\n    \
         Filter: t.c = 'x'\n      TableScan: t filters=[t.c = 'x']\n"
    );
}

#[test]
fn filter_on_an_ordering_column_stays_above() {
    let plan = windowed().filter(col("id").gt(lit(3i64))).unwrap().build().unwrap();
    let text = apply(&PushDownFilter, plan);
    assert!(text.starts_with("Filter: id > 3\n  Window:"), "{text}");
}

#[test]
fn unused_window_calls_are_dropped() {
    let plan = windowed().project(vec![col("id"), col("rn")]).unwrap().build().unwrap();
    assert_eq!(
        apply(&PushDownProjection, plan),
        "Projection: id, rn\n  \
         Window: row_number() OVER (PARTITION BY c ORDER BY id ASC NULLS LAST) AS rn\n    \
         TableScan: t projection=[c, id]\n"
    );
    let plan = windowed().project(vec![col("id")]).unwrap().build().unwrap();
    assert_eq!(apply(&PushDownProjection, plan), "TableScan: t projection=[id]\n");
}
