//! Hash aggregation: NULL keys, string keys, DISTINCT, overflow, decimals, statistics, FILTER,
//! empty input and many groups, each at 1 and 4 threads.

mod common;

use std::sync::Arc;

use arrow::array::{
    BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, StringArray,
};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use shoal_common::ShoalError;
use shoal_expr::AggregateFunction::*;
use shoal_expr::{col, lit, LogicalPlanBuilder};

fn int_kv(keys: &[Option<i32>], values: &[Option<i64>]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int32, true),
        Field::new("v", DataType::Int64, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![Arc::new(Int32Array::from(keys.to_vec())), Arc::new(Int64Array::from(values.to_vec()))],
    )
    .unwrap()
}

fn kv_table() -> Arc<MemTable> {
    MemTable::new(vec![
        int_kv(&[Some(1), None, Some(1)], &[Some(10), Some(20), Some(30)]),
        int_kv(&[Some(2), None], &[Some(40), None]),
        int_kv(&[Some(1), Some(2), None], &[None, Some(5), Some(1)]),
    ])
}

#[test]
fn group_by_with_null_keys() {
    let plan = LogicalPlanBuilder::scan("t", kv_table())
        .unwrap()
        .aggregate(
            vec![col("k")],
            vec![
                agg(Count, None, false),
                agg(Count, Some(col("v")), false),
                agg(Sum, Some(col("v")), false),
                agg(Min, Some(col("v")), false),
                agg(Max, Some(col("v")), false),
                agg(Avg, Some(col("v")), false),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        rows_at_1_and_4(&plan, true),
        strs(&["1|3|2|40|10|30|20.0", "2|2|2|45|5|40|22.5", "NULL|3|2|21|1|20|10.5",])
    );
}

fn strings_batch(a: &[&str], b: &[Option<&str>], v: &[i64]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Utf8, false),
        Field::new("b", DataType::Utf8, true),
        Field::new("v", DataType::Int64, false),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(a.to_vec())),
            Arc::new(StringArray::from(b.to_vec())),
            Arc::new(Int64Array::from(v.to_vec())),
        ],
    )
    .unwrap()
}

#[test]
fn multi_key_group_by_with_strings() {
    let table = MemTable::new(vec![
        strings_batch(&["x", "x", "y"], &[Some("p"), None, Some("p")], &[1, 2, 3]),
        strings_batch(&["x", "y", "y"], &[Some("p"), Some("p"), None], &[4, 5, 6]),
        strings_batch(&["y", "x"], &[None, None], &[7, 8]),
    ]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(
            vec![col("a"), col("b")],
            vec![
                agg(Count, None, false),
                agg(Sum, Some(col("v")), false),
                agg(Min, Some(col("b")), false),
                agg(Max, Some(col("a")), false),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        rows_at_1_and_4(&plan, true),
        strs(&["x|NULL|2|10|NULL|x", "x|p|2|5|p|x", "y|NULL|2|13|NULL|y", "y|p|2|8|p|y",])
    );
}

#[test]
fn distinct_aggregates() {
    let table = MemTable::new(vec![
        int_kv(&[Some(1), Some(1), Some(2)], &[Some(5), Some(5), Some(7)]),
        int_kv(&[Some(1), Some(2), Some(2)], &[Some(6), Some(7), None]),
        int_kv(&[Some(1), Some(2), Some(3)], &[Some(5), Some(8), None]),
    ]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(
            vec![col("k")],
            vec![
                agg(Count, Some(col("v")), true),
                agg(Sum, Some(col("v")), true),
                agg(Avg, Some(col("v")), true),
                agg(Max, Some(col("v")), true),
                agg(Count, Some(col("v")), false),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        rows_at_1_and_4(&plan, true),
        strs(&["1|2|11|5.5|6|4", "2|2|15|7.5|8|3", "3|0|NULL|NULL|NULL|0"])
    );
    // DISTINCT without GROUP BY
    let table = MemTable::new(vec![
        int_kv(&[Some(1), Some(1)], &[Some(5), Some(5)]),
        int_kv(&[Some(1), Some(2)], &[Some(6), None]),
    ]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(vec![], vec![agg(Count, Some(col("v")), true)])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["2"]));
}

#[test]
fn sum_overflow_is_an_error() {
    let table =
        MemTable::new(vec![int_kv(&[Some(1)], &[Some(i64::MAX - 1)]), int_kv(&[Some(1)], &[Some(5)])]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(vec![col("k")], vec![agg(Sum, Some(col("v")), false)])
        .unwrap()
        .build()
        .unwrap();
    for threads in [1, 4] {
        let err = run(&plan, threads).unwrap_err();
        assert!(matches!(err.root(), ShoalError::Execution(m) if m.contains("overflow")), "{err}");
    }
}

fn decimal_batch(values: &[Option<i128>]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![Field::new("d", DataType::Decimal128(10, 2), true)]));
    let array = Decimal128Array::from(values.to_vec()).with_precision_and_scale(10, 2).unwrap();
    RecordBatch::try_new(schema, vec![Arc::new(array)]).unwrap()
}

#[test]
fn sum_and_avg_of_decimals() {
    // 1.00 + 2.00 + 2.00 = 5.00; avg = 1.666666.. → 1.666667 (scale 6)
    // -1.00 - 2.00 → avg -1.5; half away from zero checked in unit tests
    let table =
        MemTable::new(vec![decimal_batch(&[Some(100), Some(200)]), decimal_batch(&[Some(200), None])]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(
            vec![],
            vec![
                agg(Sum, Some(col("d")), false),
                agg(Avg, Some(col("d")), false),
                agg(Min, Some(col("d")), false),
                agg(Max, Some(col("d")), false),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["5.00|1.666667|1.00|2.00"]));
    let batches = run(&plan, 4).unwrap();
    let schema = batches[0].schema();
    assert_eq!(schema.field(0).data_type(), &DataType::Decimal128(20, 2));
    assert_eq!(schema.field(1).data_type(), &DataType::Decimal128(14, 6));

    // rounding half away from zero on negative values: avg(-0.01, -0.02, -0.02) ... use 2/3
    let table = MemTable::new(vec![decimal_batch(&[Some(-1), Some(-1), Some(0)])]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(vec![], vec![agg(Avg, Some(col("d")), false)])
        .unwrap()
        .build()
        .unwrap();
    // -0.02 / 3 = -0.006666.. → -0.006667
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["-0.006667"]));
}

#[test]
fn variance_and_stddev() {
    let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
    let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
    let batches: Vec<RecordBatch> = values
        .chunks(3)
        .map(|c| {
            RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(Float64Array::from(c.to_vec()))]).unwrap()
        })
        .collect();
    let plan = LogicalPlanBuilder::scan("t", MemTable::new(batches))
        .unwrap()
        .aggregate(
            vec![],
            vec![
                agg(StddevPop, Some(col("x")), false),
                agg(VarPop, Some(col("x")), false),
                agg(VarSamp, Some(col("x")), false),
                agg(StddevSamp, Some(col("x")), false),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    for threads in [1, 4] {
        let batches = run(&plan, threads).unwrap();
        let got: Vec<f64> = (0..4)
            .map(|i| batches[0].column(i).as_any().downcast_ref::<Float64Array>().unwrap().value(0))
            .collect();
        let expected = [2.0, 4.0, 32.0 / 7.0, (32.0f64 / 7.0).sqrt()];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{got:?} vs {expected:?}");
        }
    }
    // one value: sample variance is NULL, population variance 0
    let one = RecordBatch::try_new(schema, vec![Arc::new(Float64Array::from(vec![3.0]))]).unwrap();
    let plan = LogicalPlanBuilder::scan("t", MemTable::new(vec![one]))
        .unwrap()
        .aggregate(vec![], vec![agg(VarSamp, Some(col("x")), false), agg(VarPop, Some(col("x")), false)])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["NULL|0.0"]));
}

#[test]
fn aggregates_on_empty_input() {
    let schema = shoal_expr::TableSource::schema(kv_table().as_ref());
    let no_groups = LogicalPlanBuilder::scan("t", MemTable::empty(Arc::clone(&schema)))
        .unwrap()
        .aggregate(
            vec![],
            vec![
                agg(Count, None, false),
                agg(Sum, Some(col("v")), false),
                agg(Avg, Some(col("v")), false),
                agg(Count, Some(col("v")), true),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&no_groups, false), strs(&["0|NULL|NULL|0"]));

    let grouped = LogicalPlanBuilder::scan("t", MemTable::empty(schema))
        .unwrap()
        .aggregate(vec![col("k")], vec![agg(Count, None, false)])
        .unwrap()
        .build()
        .unwrap();
    assert!(rows_at_1_and_4(&grouped, false).is_empty());

    // every row filtered out before the aggregate
    let filtered = LogicalPlanBuilder::scan("t", kv_table())
        .unwrap()
        .filter(col("v").gt(lit(1000i64)))
        .unwrap()
        .aggregate(vec![], vec![agg(Count, None, false), agg(Max, Some(col("v")), false)])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&filtered, false), strs(&["0|NULL"]));
}

#[test]
fn filter_clause_and_expression_arguments() {
    let plan = LogicalPlanBuilder::scan("t", kv_table())
        .unwrap()
        .aggregate(
            vec![col("k").is_null()],
            vec![
                agg_filtered(Count, None, col("v").gt(lit(9i64))),
                agg_filtered(Sum, Some(col("v")), col("k").eq(lit(1i32))),
                agg(Sum, Some(col("v").binary(shoal_expr::Operator::Multiply, lit(2i64))), false),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, true), strs(&["false|3|40|170", "true|1|NULL|42"]));
}

#[test]
fn many_groups_use_the_partitioned_merge() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("s", DataType::Utf8, false),
    ]));
    let batches: Vec<RecordBatch> = (0..20)
        .map(|b| {
            let keys: Vec<i64> = (0..5000).map(|i| (b * 5000 + i) % 40_000).collect();
            let strings: Vec<String> = keys.iter().map(|k| format!("s{}", k % 35_000)).collect();
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![Arc::new(Int64Array::from(keys)), Arc::new(StringArray::from(strings))],
            )
            .unwrap()
        })
        .collect();
    let table = MemTable::new(batches);
    let by_int = LogicalPlanBuilder::scan("t", Arc::clone(&table) as _)
        .unwrap()
        .aggregate(vec![col("k")], vec![agg(Count, None, false), agg(Sum, Some(col("k")), false)])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&by_int, true);
    assert_eq!(rows.len(), 40_000);
    assert!(rows.contains(&"39999|2|79998".to_string()));
    // 100 000 rows over 40 000 keys: keys below 20 000 occur three times, the rest twice
    assert!(rows.contains(&"19999|3|59997".to_string()));
    let total: usize = rows.iter().map(|r| r.split('|').nth(1).unwrap().parse::<usize>().unwrap()).sum();
    assert_eq!(total, 100_000);

    let by_string = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(vec![col("s")], vec![agg(Count, None, false)])
        .unwrap()
        .build()
        .unwrap();
    let rows = rows_at_1_and_4(&by_string, true);
    assert_eq!(rows.len(), 35_000);
    assert!(rows.contains(&"s0|5".to_string()));
    assert!(rows.contains(&"s34999|2".to_string()));
}

#[test]
fn min_max_of_dates_booleans_and_strings() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("d", DataType::Date32, true),
        Field::new("b", DataType::Boolean, true),
        Field::new("s", DataType::Utf8, true),
    ]));
    let batch = |d: Vec<Option<i32>>, b: Vec<Option<bool>>, s: Vec<Option<&str>>| {
        RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Date32Array::from(d)),
                Arc::new(BooleanArray::from(b)),
                Arc::new(StringArray::from(s)),
            ],
        )
        .unwrap()
    };
    let table = MemTable::new(vec![
        batch(vec![Some(10), None], vec![Some(true), None], vec![Some("pear"), None]),
        batch(vec![Some(3), Some(20)], vec![Some(false), Some(true)], vec![Some("apple"), Some("zoo")]),
    ]);
    let plan = LogicalPlanBuilder::scan("t", table)
        .unwrap()
        .aggregate(
            vec![],
            vec![
                agg(Min, Some(col("d")), false),
                agg(Max, Some(col("d")), false),
                agg(Min, Some(col("b")), false),
                agg(Max, Some(col("b")), false),
                agg(Min, Some(col("s")), false),
                agg(Max, Some(col("s")), false),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(rows_at_1_and_4(&plan, false), strs(&["1970-01-04|1970-01-21|false|true|apple|zoo"]));
}
