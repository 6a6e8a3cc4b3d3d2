//! A mock catalog for planner tests: fixed tables, one view, files, table functions and a few
//! scalar functions (none of them can run: scans and calls return errors).

#![allow(dead_code)]

use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use shoal_common::{internal_err, plan_err, Result, ShoalError};
use shoal_expr::{
    col, ColumnarValue, Expr, LogicalPlan, LogicalPlanBuilder, ScalarFunction, ScanSource, TableSource,
};
use shoal_sql::{parse_sql, ContextProvider, PlannedStatement, SqlPlanner, TableFunctionArg};

/// A table with a fixed schema that cannot be read.
#[derive(Debug)]
pub struct MockTable {
    pub schema: SchemaRef,
}

impl TableSource for MockTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn description(&self) -> String {
        "mock".into()
    }
    fn scan(
        &self,
        _projection: Option<&[usize]>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>> {
        internal_err!("mock tables cannot be scanned")
    }
}

fn table(fields: Vec<Field>) -> Arc<dyn TableSource> {
    Arc::new(MockTable { schema: Arc::new(Schema::new(fields)) })
}

/// `t(a BIGINT, b VARCHAR, c DOUBLE, d DATE, ts TIMESTAMP, VendorID INTEGER, flag BOOLEAN)`.
pub fn t_table() -> Arc<dyn TableSource> {
    table(vec![
        Field::new("a", DataType::Int64, true),
        Field::new("b", DataType::Utf8, true),
        Field::new("c", DataType::Float64, true),
        Field::new("d", DataType::Date32, true),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        Field::new("VendorID", DataType::Int32, true),
        Field::new("flag", DataType::Boolean, true),
    ])
}

/// A slice of TPC-H lineitem.
pub fn lineitem_table() -> Arc<dyn TableSource> {
    table(vec![
        Field::new("l_orderkey", DataType::Int64, false),
        Field::new("l_quantity", DataType::Decimal128(15, 2), false),
        Field::new("l_extendedprice", DataType::Decimal128(15, 2), false),
        Field::new("l_discount", DataType::Decimal128(15, 2), false),
        Field::new("l_returnflag", DataType::Utf8, false),
        Field::new("l_linestatus", DataType::Utf8, false),
        Field::new("l_shipdate", DataType::Date32, false),
    ])
}

/// What a file path or table function reads: taxi trips.
pub fn trips_table() -> Arc<dyn TableSource> {
    table(vec![
        Field::new("passenger_count", DataType::Int64, true),
        Field::new("fare_amount", DataType::Float64, true),
        Field::new("tip_amount", DataType::Float64, true),
    ])
}

/// A scalar function with fixed argument types (`None` = any) and result type (`None` = the
/// first argument's).
#[derive(Debug)]
pub struct MockFunction {
    pub name: &'static str,
    pub args: Vec<Option<DataType>>,
    pub min_args: usize,
    pub ret: Option<DataType>,
}

impl ScalarFunction for MockFunction {
    fn name(&self) -> &str {
        self.name
    }
    fn description(&self) -> &str {
        "mock"
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() < self.min_args || arg_types.len() > self.args.len() {
            return plan_err!("takes {} arguments, got {}", self.args.len(), arg_types.len());
        }
        Ok(arg_types
            .iter()
            .zip(&self.args)
            .map(|(t, want)| want.clone().unwrap_or_else(|| t.clone()))
            .collect())
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match (&self.ret, arg_types.first()) {
            (Some(t), _) => Ok(t.clone()),
            (None, Some(t)) => Ok(t.clone()),
            (None, None) => plan_err!("needs an argument"),
        }
    }
    fn invoke(&self, _args: &[ColumnarValue], _num_rows: usize) -> Result<ColumnarValue> {
        Err(ShoalError::Internal("mock functions cannot run".into()))
    }
}

fn function(
    name: &'static str,
    args: Vec<Option<DataType>>,
    min_args: usize,
    ret: Option<DataType>,
) -> Arc<dyn ScalarFunction> {
    Arc::new(MockFunction { name, args, min_args, ret })
}

/// The catalog: tables `t`, `lineitem`, view `v` (= `SELECT a, b FROM t`), any path or
/// `read_*` call reads [`trips_table`], and some functions.
pub struct MockContext {
    pub functions: Vec<Arc<dyn ScalarFunction>>,
    /// Table function calls seen, for assertions.
    pub table_function_calls: RefCell<Vec<(String, Vec<TableFunctionArg>)>>,
    pub paths: RefCell<Vec<String>>,
}

impl MockContext {
    pub fn new() -> Self {
        use DataType::*;
        let utf8 = Some(Utf8);
        let functions = vec![
            function("lower", vec![utf8.clone()], 1, Some(Utf8)),
            function("upper", vec![utf8.clone()], 1, Some(Utf8)),
            function("substr", vec![utf8.clone(), Some(Int64), Some(Int64)], 2, Some(Utf8)),
            function("strpos", vec![utf8.clone(), utf8.clone()], 2, Some(Int64)),
            function("btrim", vec![utf8.clone(), utf8.clone()], 1, Some(Utf8)),
            function("ltrim", vec![utf8.clone(), utf8.clone()], 1, Some(Utf8)),
            function("rtrim", vec![utf8.clone(), utf8.clone()], 1, Some(Utf8)),
            function("date_part", vec![utf8.clone(), None], 2, Some(Int64)),
            function("abs", vec![None], 1, None),
            function("ceil", vec![None], 1, None),
            function("now", vec![], 0, Some(Timestamp(TimeUnit::Microsecond, Some("UTC".into())))),
            function("current_date", vec![], 0, Some(Date32)),
        ];
        Self { functions, table_function_calls: RefCell::new(vec![]), paths: RefCell::new(vec![]) }
    }
}

impl ContextProvider for MockContext {
    fn get_table(&self, name: &str) -> Result<Option<Arc<dyn TableSource>>> {
        Ok(match name {
            "t" => Some(t_table()),
            "lineitem" => Some(lineitem_table()),
            _ => None,
        })
    }
    fn get_view(&self, name: &str) -> Option<LogicalPlan> {
        if name != "v" {
            return None;
        }
        LogicalPlanBuilder::scan("t", t_table())
            .and_then(|b| b.project(vec![col("a"), col("b")]))
            .and_then(|b| b.build())
            .ok()
    }
    fn table_names(&self) -> Vec<String> {
        vec!["t".into(), "lineitem".into(), "v".into()]
    }
    fn table_from_path(&self, path: &str) -> Result<Arc<dyn TableSource>> {
        if path.contains("missing") {
            return Err(ShoalError::Io {
                path: path.into(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        self.paths.borrow_mut().push(path.into());
        Ok(trips_table())
    }
    fn table_function(&self, name: &str, args: &[TableFunctionArg]) -> Result<Arc<dyn TableSource>> {
        if !name.starts_with("read_") {
            return plan_err!("unknown table function '{name}'");
        }
        self.table_function_calls.borrow_mut().push((name.into(), args.to_vec()));
        Ok(trips_table())
    }
    fn get_scalar_function(&self, name: &str) -> Option<Arc<dyn ScalarFunction>> {
        self.functions.iter().find(|f| f.name().eq_ignore_ascii_case(name)).cloned()
    }
    fn function_names(&self) -> Vec<String> {
        self.functions.iter().map(|f| f.name().to_string()).collect()
    }
}

/// Plan one statement against a fresh [`MockContext`].
pub fn plan_statement(sql: &str) -> Result<PlannedStatement> {
    let ctx = MockContext::new();
    let stmts = parse_sql(sql)?;
    let [stmt] = stmts.as_slice() else {
        return plan_err!("expected one statement, got {}", stmts.len());
    };
    SqlPlanner::new(&ctx).plan_statement(stmt)
}

/// The indented plan of a query.
pub fn plan(sql: &str) -> String {
    match plan_statement(sql) {
        Ok(PlannedStatement::Query(p)) => p.display_indent(),
        Ok(other) => panic!("expected a query, got {other:?}"),
        Err(e) => panic!("planning {sql} failed: {}", e.render(sql)),
    }
}

/// The error of planning `sql`.
pub fn plan_error(sql: &str) -> ShoalError {
    match plan_statement(sql) {
        Ok(p) => panic!("expected {sql} to fail, got {p:?}"),
        Err(e) => e,
    }
}

/// `(line, column)` where an error points.
pub fn position(e: &ShoalError) -> Option<(u64, u64)> {
    e.span().map(|s| (s.start_line, s.start_column))
}
