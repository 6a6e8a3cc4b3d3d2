//! User-defined scalar and aggregate functions called from SQL and from the DataFrame API, at 1
//! and 4 threads over several morsels, with NULLs and error cases.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema};
use shoal::prelude::{agg, call};
use shoal::udf::{create_udaf, create_udf, Accumulator, Volatility};
use shoal::{col, lit, Result, Session, SessionConfig, ShoalError};
use shoal_common::ScalarValue;

/// `add_one(x DOUBLE) -> DOUBLE` (NULL stays NULL).
fn add_one() -> Arc<dyn shoal::udf::ScalarFunction> {
    create_udf(
        "add_one",
        vec![DataType::Float64],
        DataType::Float64,
        Volatility::Immutable,
        |args: &[ArrayRef]| {
            let x = args[0].as_primitive::<Float64Type>();
            Ok(Arc::new(x.unary::<_, Float64Type>(|v| v + 1.0)) as ArrayRef)
        },
    )
}

/// The second largest non-null value of a group (NULL with fewer than two values). The state
/// is the two largest values.
#[derive(Debug, Default)]
struct SecondLargest {
    top: Vec<i64>,
}

impl SecondLargest {
    fn push(&mut self, v: i64) {
        self.top.push(v);
        self.top.sort_unstable_by(|a, b| b.cmp(a));
        self.top.truncate(2);
    }
    fn fold(&mut self, array: &ArrayRef) -> Result<()> {
        let Some(values) = array.as_primitive_opt::<Int64Type>() else {
            return Err(ShoalError::Execution(format!(
                "second_largest: expected BIGINT, got {}",
                array.data_type()
            )));
        };
        values.iter().flatten().for_each(|v| self.push(v));
        Ok(())
    }
}

impl Accumulator for SecondLargest {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.fold(&values[0])
    }
    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::int64(self.top.first().copied()), ScalarValue::int64(self.top.get(1).copied())])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for s in states {
            self.fold(s)?;
        }
        Ok(())
    }
    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::int64(self.top.get(1).copied()))
    }
}

/// `weighted_avg(value DOUBLE, weight DOUBLE) -> DOUBLE`: two argument columns.
#[derive(Debug, Default)]
struct WeightedAvg {
    sum: f64,
    weight: f64,
}

impl Accumulator for WeightedAvg {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let (v, w) = (values[0].as_primitive::<Float64Type>(), values[1].as_primitive::<Float64Type>());
        for (v, w) in v.iter().zip(w.iter()) {
            if let (Some(v), Some(w)) = (v, w) {
                self.sum += v * w;
                self.weight += w;
            }
        }
        Ok(())
    }
    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::float64(Some(self.sum)), ScalarValue::float64(Some(self.weight))])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (s, w) = (states[0].as_primitive::<Float64Type>(), states[1].as_primitive::<Float64Type>());
        self.sum += s.iter().flatten().sum::<f64>();
        self.weight += w.iter().flatten().sum::<f64>();
        Ok(())
    }
    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::float64((self.weight > 0.0).then(|| self.sum / self.weight)))
    }
}

fn session(threads: usize) -> Session {
    let session = Session::with_config(SessionConfig { threads, ..SessionConfig::default() });
    session.register_udf(add_one()).unwrap();
    let second = create_udaf(
        "second_largest",
        vec![DataType::Int64],
        DataType::Int64,
        vec![DataType::Int64; 2],
        || Ok(Box::new(SecondLargest::default())),
    );
    session.register_udaf(second).unwrap();
    let weighted = create_udaf(
        "weighted_avg",
        vec![DataType::Float64; 2],
        DataType::Float64,
        vec![DataType::Float64; 2],
        || Ok(Box::new(WeightedAvg::default())),
    );
    session.register_udaf(weighted).unwrap();
    // 8 batches of 50 rows: k = i % 3, v = i (NULL when i % 10 == 0), w = 1 or 2
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("v", DataType::Int64, true),
        Field::new("w", DataType::Float64, false),
    ]));
    let batches = (0..8)
        .map(|b| {
            let rows = (b * 50)..(b * 50 + 50);
            let k: StringArray = rows.clone().map(|i| Some(["a", "b", "c"][i % 3])).collect();
            let v: Int64Array = rows.clone().map(|i| (i % 10 != 0).then_some(i as i64)).collect();
            let w: Float64Array = rows.map(|i| Some(1.0 + (i % 2) as f64)).collect();
            RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(k), Arc::new(v), Arc::new(w)]).unwrap()
        })
        .collect();
    session.register_batches("t", batches).unwrap();
    session
}

/// The rows of a result as `Vec<Vec<String>>`, sorted.
fn rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let options = arrow::util::display::FormatOptions::default().with_null("NULL");
    let mut out = vec![];
    for b in batches {
        for r in 0..b.num_rows() {
            out.push(
                b.columns()
                    .iter()
                    .map(|c| {
                        arrow::util::display::ArrayFormatter::try_new(c.as_ref(), &options)
                            .unwrap()
                            .value(r)
                            .to_string()
                    })
                    .collect(),
            );
        }
    }
    out.sort();
    out
}

fn sql_rows(session: &Session, sql: &str) -> Vec<Vec<String>> {
    rows(&session.sql(sql).unwrap().collect().unwrap())
}

fn expected_second_largest(k: Option<usize>) -> i64 {
    let mut values: Vec<i64> =
        (0..400usize).filter(|i| i % 10 != 0 && k.is_none_or(|k| i % 3 == k)).map(|i| i as i64).collect();
    values.sort_unstable();
    values[values.len() - 2]
}

#[test]
fn scalar_udf_from_sql_and_dataframe() {
    for threads in [1, 4] {
        let s = session(threads);
        let got = sql_rows(&s, "SELECT add_one(v) AS x FROM t WHERE v < 3 OR v IS NULL");
        // 0 is NULL (i % 10 == 0), so the rows are v = 1, 2 and the 40 NULLs
        let mut expected = vec![vec!["2.0".to_string()], vec!["3.0".to_string()]];
        expected.extend(std::iter::repeat_n(vec!["NULL".to_string()], 40));
        expected.sort();
        assert_eq!(got, expected, "threads = {threads}");
        // an integer argument is widened to the declared DOUBLE; constants are broadcast
        assert_eq!(sql_rows(&s, "SELECT add_one(41) AS x"), vec![vec!["42.0".to_string()]]);
        // from the DataFrame API: a handle from the session, or a call by name
        let df = s.table("t").unwrap().filter(col("v").eq(lit(7i64))).unwrap();
        let by_handle = df.select([s.udf("add_one").unwrap().call([col("v")]).alias("y")]).unwrap();
        assert_eq!(rows(&by_handle.collect().unwrap()), vec![vec!["8.0".to_string()]]);
        let by_name = df.select([shoal_expr::expr_fn::call("add_one", [col("v")]).alias("y")]).unwrap();
        assert_eq!(rows(&by_name.collect().unwrap()), vec![vec!["8.0".to_string()]]);
    }
}

#[test]
fn aggregate_udf_with_and_without_group_by() {
    for threads in [1, 4] {
        let s = session(threads);
        let got = sql_rows(&s, "SELECT k, second_largest(v) AS s FROM t GROUP BY k");
        let expected: Vec<Vec<String>> = ["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(i, k)| vec![k.to_string(), expected_second_largest(Some(i)).to_string()])
            .collect();
        assert_eq!(got, expected, "threads = {threads}");
        let got = sql_rows(&s, "SELECT second_largest(v) FROM t");
        assert_eq!(got, vec![vec![expected_second_largest(None).to_string()]]);
        // a group with one value, and a group of only NULLs, give NULL
        let got = sql_rows(&s, "SELECT k, second_largest(v) FROM t WHERE v = 1 OR v IS NULL GROUP BY k");
        assert_eq!(got.iter().filter(|r| r[1] == "NULL").count(), 3, "{got:?}");
        // two argument columns, FILTER, and a mix with built-in aggregates
        let got = sql_rows(
            &s,
            "SELECT weighted_avg(v, w) FILTER (WHERE v < 5) AS wa, count(*) AS n, second_largest(v) FROM t WHERE k = 'a'",
        );
        // k = 'a': i = 0, 3 (v < 5, i = 0 is NULL) → weighted average of 3 (weight 2) = 3
        assert_eq!(
            got,
            vec![vec!["3.0".to_string(), "134".to_string(), expected_second_largest(Some(0)).to_string()]]
        );
    }
}

#[test]
fn aggregate_udf_from_the_dataframe_api() {
    let s = session(4);
    let df = s.table("t").unwrap();
    let second = s.udaf("second_largest").unwrap();
    let grouped = df.group_by([col("k")]).unwrap().agg([second.call([col("v")]).alias("s")]).unwrap();
    let expected: Vec<Vec<String>> = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(i, k)| vec![k.to_string(), expected_second_largest(Some(i)).to_string()])
        .collect();
    assert_eq!(rows(&grouped.collect().unwrap()), expected);
    // by name, through the DSL's `agg` and `call`, the same
    for by_name in [agg("second_largest", [col("v")]), call("second_largest", [col("v")])] {
        let df = s.table("t").unwrap().group_by([col("k")]).unwrap().agg([by_name.alias("s")]).unwrap();
        assert_eq!(rows(&df.collect().unwrap()), expected);
    }
    // the DataFrame written as SQL runs to the same rows
    let sql = grouped.to_sql().unwrap();
    assert_eq!(rows(&s.sql(&sql).unwrap().collect().unwrap()), expected);
}

#[test]
fn udfs_show_up_in_show_functions_and_can_be_replaced() {
    let s = session(1);
    let names = sql_rows(&s, "SHOW FUNCTIONS");
    assert!(names.iter().any(|r| r[0] == "add_one" && r[1].contains("add_one(Float64) -> Float64")));
    assert!(names.iter().any(|r| r[0] == "second_largest"));
    // a user-defined function may be registered again (replaced); a built-in name may not
    s.register_udf(add_one()).unwrap();
    let err = s
        .register_udf(create_udf("lower", vec![DataType::Utf8], DataType::Utf8, Volatility::Immutable, |a| {
            Ok(Arc::clone(&a[0]))
        }))
        .unwrap_err();
    assert!(err.to_string().contains("'lower' is a built-in function"), "{err}");
    let err = s
        .register_udaf(create_udaf("sum", vec![DataType::Int64], DataType::Int64, vec![], || {
            Ok(Box::new(SecondLargest::default()))
        }))
        .unwrap_err();
    assert!(err.to_string().contains("'sum' is a built-in function"), "{err}");
}

#[test]
fn wrong_argument_types_are_plan_errors() {
    let s = session(1);
    let err = s.sql("SELECT add_one(k) FROM t").err().unwrap();
    assert!(matches!(err.root(), ShoalError::Plan { .. }), "{err:?}");
    assert!(err.to_string().contains("add_one(): argument 1 must be Float64, got Utf8"), "{err}");
    let err = s.sql("SELECT add_one(v, v) FROM t").err().unwrap();
    assert!(err.to_string().contains("add_one() takes 1 argument(s), got 2"), "{err}");
    let err = s.sql("SELECT second_largest(k) FROM t").err().unwrap();
    assert!(err.to_string().contains("second_largest(): argument 1 must be Int64, got Utf8"), "{err}");
}

#[test]
fn misbehaving_udfs_are_execution_errors() {
    let s = session(4);
    let short = create_udf("short", vec![DataType::Int64], DataType::Int64, Volatility::Immutable, |a| {
        Ok(a[0].slice(0, 1))
    });
    let wrong_type =
        create_udf("wrong_type", vec![DataType::Int64], DataType::Utf8, Volatility::Immutable, |a| {
            Ok(Arc::clone(&a[0]))
        });
    let bad_agg =
        create_udaf("bad_agg", vec![DataType::Int64], DataType::Utf8, vec![DataType::Int64; 2], || {
            Ok(Box::new(SecondLargest::default()))
        });
    s.register_udf(short).unwrap();
    s.register_udf(wrong_type).unwrap();
    s.register_udaf(bad_agg).unwrap();
    for (sql, message) in [
        ("SELECT short(v) FROM t", "returned 1 rows for 50 input rows"),
        ("SELECT wrong_type(v) FROM t", "returned Int64, but declared Utf8"),
        ("SELECT k, bad_agg(v) FROM t GROUP BY k", "returned a result of type Int64, but declared Utf8"),
    ] {
        let err = s.sql(sql).unwrap().collect().unwrap_err();
        assert!(matches!(err.root(), ShoalError::Execution(_)), "{sql}: {err:?}");
        assert!(err.to_string().contains(message), "{sql}: {err}");
    }
}
