//! Window functions: the [`WindowFunctionExpr`] call (`f(..) OVER (..)`), its [`WindowFrame`],
//! and the [`Window`] plan node that computes a list of them over its input.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use shoal_common::{internal_err, not_supported, plan_err, Result, ScalarValue};

use crate::expr::{Expr, SortExpr};
use crate::function::AggregateFunction;
use crate::plan::LogicalPlan;
use crate::schema::{PlanSchema, PlanSchemaRef};
use crate::type_coercion::{cast_to, comparison_coercion};

/// The functions that can be computed over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowFunction {
    /// Any aggregate, computed over the frame of each row.
    Aggregate(AggregateFunction),
    /// `row_number()`: 1, 2, 3.. in partition order (ties broken arbitrarily); `Int64`.
    RowNumber,
    /// `rank()`: 1 + the number of rows before the row's peers (gaps after ties); `Int64`.
    Rank,
    /// `dense_rank()`: the number of distinct ORDER BY values up to the row's (no gaps); `Int64`.
    DenseRank,
    /// `percent_rank()`: `(rank - 1) / (rows - 1)`, 0 for a partition of one row; `Float64`.
    PercentRank,
    /// `cume_dist()`: rows up to and including the row's last peer, divided by the rows of the
    /// partition; `Float64` in (0, 1].
    CumeDist,
    /// `ntile(n)`: bucket 1..n of the row, the partition split as evenly as possible (earlier
    /// buckets get the extra rows); `Int64`.
    Ntile,
    /// `lag(x[, offset[, default]])`: `x` of the row `offset` (default 1) rows before, or
    /// `default` (default NULL) when there is no such row.
    Lag,
    /// `lead(x[, offset[, default]])`: `x` of the row `offset` (default 1) rows after, or
    /// `default` (default NULL) when there is no such row.
    Lead,
    /// `first_value(x)`: `x` of the first row of the frame (NULL for an empty frame).
    FirstValue,
    /// `last_value(x)`: `x` of the last row of the frame (NULL for an empty frame).
    LastValue,
    /// `nth_value(x, n)`: `x` of the `n`-th (1-based) row of the frame, NULL when the frame is
    /// shorter.
    NthValue,
}

impl WindowFunction {
    /// The window-only functions (aggregates come from [`AggregateFunction::ALL`]).
    pub const BUILTIN: [WindowFunction; 11] = [
        WindowFunction::RowNumber,
        WindowFunction::Rank,
        WindowFunction::DenseRank,
        WindowFunction::PercentRank,
        WindowFunction::CumeDist,
        WindowFunction::Ntile,
        WindowFunction::Lag,
        WindowFunction::Lead,
        WindowFunction::FirstValue,
        WindowFunction::LastValue,
        WindowFunction::NthValue,
    ];

    /// The canonical lower-case name, as in SQL.
    pub fn name(self) -> &'static str {
        match self {
            WindowFunction::Aggregate(a) => a.name(),
            WindowFunction::RowNumber => "row_number",
            WindowFunction::Rank => "rank",
            WindowFunction::DenseRank => "dense_rank",
            WindowFunction::PercentRank => "percent_rank",
            WindowFunction::CumeDist => "cume_dist",
            WindowFunction::Ntile => "ntile",
            WindowFunction::Lag => "lag",
            WindowFunction::Lead => "lead",
            WindowFunction::FirstValue => "first_value",
            WindowFunction::LastValue => "last_value",
            WindowFunction::NthValue => "nth_value",
        }
    }

    /// A window-only function by name (case-insensitive); aggregates are not included.
    pub fn builtin_from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        Self::BUILTIN.into_iter().find(|f| f.name() == lower)
    }

    /// A window function or aggregate by name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::builtin_from_name(name)
            .or_else(|| AggregateFunction::from_name(name).map(WindowFunction::Aggregate))
    }

    /// One line for help: signature and meaning.
    pub fn description(self) -> &'static str {
        match self {
            WindowFunction::Aggregate(a) => a.description(),
            WindowFunction::RowNumber => "row_number() -> bigint: 1, 2, 3.. within the partition",
            WindowFunction::Rank => "rank() -> bigint: rank with gaps (peers share a rank)",
            WindowFunction::DenseRank => "dense_rank() -> bigint: rank without gaps",
            WindowFunction::PercentRank => "percent_rank() -> double: (rank - 1) / (rows - 1)",
            WindowFunction::CumeDist => "cume_dist() -> double: rows up to the last peer / rows",
            WindowFunction::Ntile => "ntile(n) -> bigint: bucket 1..n of the partition",
            WindowFunction::Lag => "lag(x[, offset[, default]]): x of the row offset rows before",
            WindowFunction::Lead => "lead(x[, offset[, default]]): x of the row offset rows after",
            WindowFunction::FirstValue => "first_value(x): x of the first row of the frame",
            WindowFunction::LastValue => "last_value(x): x of the last row of the frame",
            WindowFunction::NthValue => "nth_value(x, n): x of the n-th row of the frame",
        }
    }

    /// The types the arguments must be cast to, or a plan error on a wrong call.
    pub fn coerce_types(self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        use WindowFunction::*;
        let name = self.name();
        let int_arg = |t: &DataType, what: &str| -> Result<DataType> {
            if t.is_integer() || *t == DataType::Null {
                Ok(DataType::Int64)
            } else {
                plan_err!("{name}(): the {what} must be an integer, got {t}")
            }
        };
        match (self, arg_types) {
            (Aggregate(a), _) => {
                use AggregateFunction as A;
                match a {
                    A::StringAgg
                    | A::ArrayAgg
                    | A::Median
                    | A::QuantileCont
                    | A::ApproxQuantile
                    | A::ApproxCountDistinct
                    | A::UserDefined(_) => {
                        not_supported!("{a}() is not supported as a window function yet")
                    }
                    _ => a.coerce_types(arg_types),
                }
            }
            (RowNumber | Rank | DenseRank | PercentRank | CumeDist, []) => Ok(vec![]),
            (RowNumber | Rank | DenseRank | PercentRank | CumeDist, _) => {
                plan_err!("{name}() takes no arguments, got {}", arg_types.len())
            }
            (Ntile, [n]) => Ok(vec![int_arg(n, "bucket count")?]),
            (Ntile, _) => plan_err!("ntile() takes one argument, got {}", arg_types.len()),
            (FirstValue | LastValue, [t]) => Ok(vec![t.clone()]),
            (FirstValue | LastValue, _) => {
                plan_err!("{name}() takes one argument, got {}", arg_types.len())
            }
            (NthValue, [t, n]) => Ok(vec![t.clone(), int_arg(n, "row number")?]),
            (NthValue, _) => plan_err!("nth_value() takes two arguments, got {}", arg_types.len()),
            (Lag | Lead, [t]) => Ok(vec![t.clone()]),
            (Lag | Lead, [t, o]) => Ok(vec![t.clone(), int_arg(o, "offset")?]),
            (Lag | Lead, [t, o, d]) => {
                let Some(common) = comparison_coercion(t, d) else {
                    return plan_err!("{name}(): the default of type {d} does not match {t}");
                };
                Ok(vec![common.clone(), int_arg(o, "offset")?, common])
            }
            (Lag | Lead, _) => {
                plan_err!("{name}() takes one to three arguments, got {}", arg_types.len())
            }
        }
    }

    /// The result type for (coerced) argument types.
    pub fn return_type(self, arg_types: &[DataType]) -> Result<DataType> {
        use WindowFunction::*;
        Ok(match self {
            Aggregate(a) => a.return_type(arg_types)?,
            RowNumber | Rank | DenseRank | Ntile => DataType::Int64,
            PercentRank | CumeDist => DataType::Float64,
            Lag | Lead | FirstValue | LastValue | NthValue => match arg_types.first() {
                Some(t) => t.clone(),
                None => return plan_err!("{}() needs an argument", self.name()),
            },
        })
    }

    /// Can the result be NULL?
    pub fn nullable(self) -> bool {
        use WindowFunction::*;
        match self {
            Aggregate(a) => a.nullable(),
            RowNumber | Rank | DenseRank | PercentRank | CumeDist => false,
            Ntile | Lag | Lead | FirstValue | LastValue | NthValue => true,
        }
    }
}

impl fmt::Display for WindowFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a frame counts rows or compares ORDER BY values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowFrameUnits {
    /// `ROWS`: offsets count physical rows.
    Rows,
    /// `RANGE`: offsets are distances on the (single) ORDER BY value; peers are always together.
    Range,
}

/// One end of a frame. Offsets are non-negative: a row count for ROWS (Int64), a value of the
/// ORDER BY key's type (or an interval for dates and timestamps) for RANGE.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowFrameBound {
    /// `UNBOUNDED PRECEDING`: the first row of the partition.
    UnboundedPreceding,
    /// `n PRECEDING`: `n` rows (ROWS) or the value distance `n` (RANGE) before the current row.
    Preceding(ScalarValue),
    /// `CURRENT ROW`: the row itself (ROWS), or its first/last peer (RANGE).
    CurrentRow,
    /// `n FOLLOWING`: `n` rows (ROWS) or the value distance `n` (RANGE) after the current row.
    Following(ScalarValue),
    /// `UNBOUNDED FOLLOWING`: the last row of the partition.
    UnboundedFollowing,
}

impl WindowFrameBound {
    /// Position on a line from UNBOUNDED PRECEDING (0) to UNBOUNDED FOLLOWING (4), for checks.
    fn rank(&self) -> u8 {
        match self {
            WindowFrameBound::UnboundedPreceding => 0,
            WindowFrameBound::Preceding(_) => 1,
            WindowFrameBound::CurrentRow => 2,
            WindowFrameBound::Following(_) => 3,
            WindowFrameBound::UnboundedFollowing => 4,
        }
    }
}

impl fmt::Display for WindowFrameBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowFrameBound::UnboundedPreceding => f.write_str("UNBOUNDED PRECEDING"),
            WindowFrameBound::Preceding(v) => write!(f, "{v} PRECEDING"),
            WindowFrameBound::CurrentRow => f.write_str("CURRENT ROW"),
            WindowFrameBound::Following(v) => write!(f, "{v} FOLLOWING"),
            WindowFrameBound::UnboundedFollowing => f.write_str("UNBOUNDED FOLLOWING"),
        }
    }
}

/// `ROWS|RANGE BETWEEN start AND end`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFrame {
    /// Whether the bounds count rows or value distances.
    pub units: WindowFrameUnits,
    /// The first row of the frame (never `UNBOUNDED FOLLOWING`).
    pub start: WindowFrameBound,
    /// The last row of the frame (never `UNBOUNDED PRECEDING`, never before `start`).
    pub end: WindowFrameBound,
}

impl WindowFrame {
    /// The SQL default: with ORDER BY, `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`
    /// (the current row and its peers); without, the whole partition.
    pub fn default_for(has_order_by: bool) -> Self {
        Self {
            units: WindowFrameUnits::Range,
            start: WindowFrameBound::UnboundedPreceding,
            end: if has_order_by {
                WindowFrameBound::CurrentRow
            } else {
                WindowFrameBound::UnboundedFollowing
            },
        }
    }

    /// A validated frame: the start may not come after the end, offsets must be non-negative.
    pub fn try_new(units: WindowFrameUnits, start: WindowFrameBound, end: WindowFrameBound) -> Result<Self> {
        if start == WindowFrameBound::UnboundedFollowing {
            return plan_err!("a window frame cannot start at UNBOUNDED FOLLOWING");
        }
        if end == WindowFrameBound::UnboundedPreceding {
            return plan_err!("a window frame cannot end at UNBOUNDED PRECEDING");
        }
        if start.rank() > end.rank() {
            return plan_err!("a window frame cannot start at {start} and end at {end}");
        }
        for b in [&start, &end] {
            if let WindowFrameBound::Preceding(v) | WindowFrameBound::Following(v) = b {
                if v.is_null() {
                    return plan_err!("a window frame offset cannot be NULL");
                }
                let negative = match v.as_f64() {
                    Some(x) => x < 0.0,
                    None => v.as_i64().is_some_and(|x| x < 0),
                };
                if negative {
                    return plan_err!("a window frame offset must not be negative, got {v}");
                }
                if units == WindowFrameUnits::Rows && v.as_i64().is_none() {
                    return plan_err!("a ROWS frame offset must be an integer, got {v}");
                }
            }
        }
        Ok(Self { units, start, end })
    }

    /// True for the frame that is the default with or without ORDER BY (not printed).
    pub fn is_default(&self, has_order_by: bool) -> bool {
        *self == Self::default_for(has_order_by)
    }
}

impl fmt::Display for WindowFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = match self.units {
            WindowFrameUnits::Rows => "ROWS",
            WindowFrameUnits::Range => "RANGE",
        };
        write!(f, "{units} BETWEEN {} AND {}", self.start, self.end)
    }
}

/// `func(args) OVER (PARTITION BY .. ORDER BY .. frame)`; only valid inside a [`Window`] node.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFunctionExpr {
    /// The function computed.
    pub func: WindowFunction,
    /// Its arguments, evaluated per row of the input.
    pub args: Vec<Expr>,
    /// `PARTITION BY`: rows with equal values (NULLs equal) form a partition; empty = one
    /// partition of all rows.
    pub partition_by: Vec<Expr>,
    /// `ORDER BY` within each partition; empty = no order (every row is a peer of every other).
    pub order_by: Vec<SortExpr>,
    /// The rows an aggregate or `first_value`/`last_value`/`nth_value` sees for each row.
    pub frame: WindowFrame,
}

impl fmt::Display for WindowFunctionExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.func.name())?;
        if self.args.is_empty() && self.func == WindowFunction::Aggregate(AggregateFunction::Count) {
            f.write_str("*")?;
        }
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(") OVER (")?;
        let mut sep = "";
        if !self.partition_by.is_empty() {
            f.write_str("PARTITION BY ")?;
            for (i, p) in self.partition_by.iter().enumerate() {
                write!(f, "{}{p}", if i > 0 { ", " } else { "" })?;
            }
            sep = " ";
        }
        if !self.order_by.is_empty() {
            write!(f, "{sep}ORDER BY ")?;
            for (i, o) in self.order_by.iter().enumerate() {
                write!(f, "{}{o}", if i > 0 { ", " } else { "" })?;
            }
            sep = " ";
        }
        if !self.frame.is_default(!self.order_by.is_empty()) {
            write!(f, "{sep}{}", self.frame)?;
        }
        f.write_str(")")
    }
}

/// A window call as text, with its alias only when the alias differs from the call's text.
pub fn display_window_expr(e: &Expr) -> String {
    match e {
        Expr::Alias(a) if a.expr.to_string() == a.name => a.name.clone(),
        e => e.to_string(),
    }
}

impl Expr {
    /// True if the expression contains a window function call.
    pub fn contains_window(&self) -> bool {
        use crate::tree_node::{TreeNode, TreeNodeRecursion};
        let mut found = false;
        let _ = self.apply(|e| {
            if matches!(e, Expr::WindowFunction(_)) {
                found = true;
                return Ok(TreeNodeRecursion::Stop);
            }
            Ok(TreeNodeRecursion::Continue)
        });
        found
    }
}

/// Compute `window_expr` (window function calls, optionally aliased) for every input row.
/// Output = the input columns, then one column per window expression.
#[derive(Debug, Clone)]
pub struct Window {
    /// The plan whose rows get the window columns.
    pub input: Arc<LogicalPlan>,
    /// Window function calls ([`Expr::WindowFunction`], possibly aliased), one output column
    /// each.
    pub window_expr: Vec<Expr>,
    /// Output schema: the input's columns, then one column per window expression.
    pub schema: PlanSchemaRef,
}

impl Window {
    /// A window node over `input`; errors if an expression is not a window call or does not
    /// type-check.
    pub fn try_new(input: Arc<LogicalPlan>, window_expr: Vec<Expr>) -> Result<Self> {
        let in_schema = input.schema();
        let mut fields: Vec<_> = in_schema.fields().to_vec();
        let mut qualifiers: Vec<Option<String>> =
            (0..in_schema.len()).map(|i| in_schema.qualifier(i).map(str::to_string)).collect();
        for w in &window_expr {
            let Expr::WindowFunction(call) = w.clone().unalias() else {
                return internal_err!("Window node expects window function calls, got {w}");
            };
            for e in
                call.args.iter().chain(call.partition_by.iter()).chain(call.order_by.iter().map(|o| &o.expr))
            {
                if e.contains_window() {
                    return plan_err!("window function calls cannot be nested: {e} inside {w}");
                }
                if e.contains_aggregate() {
                    return plan_err!(
                        "aggregate {e} in a window function must be computed by GROUP BY first"
                    );
                }
            }
            let (_, f) = w.to_field(in_schema)?;
            qualifiers.push(None);
            fields.push(Arc::new(f));
        }
        let schema = Arc::new(PlanSchema::new(fields, qualifiers)?);
        Ok(Self { input, window_expr, schema })
    }
}

/// Insert the casts a window call needs (arguments, lag/lead default) and check its frame
/// against the ORDER BY key: a RANGE frame with an offset needs exactly one numeric, date or
/// timestamp key; the offset is cast to the key's type (an interval for dates and timestamps,
/// where an integer offset counts days).
pub fn coerce_window_call(w: WindowFunctionExpr, schema: &PlanSchema) -> Result<Expr> {
    let types = w.args.iter().map(|a| a.get_type(schema)).collect::<Result<Vec<_>>>()?;
    let wanted = w.func.coerce_types(&types)?;
    if wanted.len() != w.args.len() {
        return internal_err!("{}: coerce_types returned the wrong arity", w.func);
    }
    let args = w
        .args
        .into_iter()
        .zip(types.iter().zip(wanted.iter()))
        .map(|(a, (from, to))| cast_to(a, from, to))
        .collect::<Result<Vec<_>>>()?;
    let frame = coerce_frame(w.frame, &w.order_by, schema)?;
    Ok(Expr::WindowFunction(WindowFunctionExpr {
        func: w.func,
        args,
        partition_by: w.partition_by,
        order_by: w.order_by,
        frame,
    }))
}

fn coerce_frame(frame: WindowFrame, order_by: &[SortExpr], schema: &PlanSchema) -> Result<WindowFrame> {
    let has_offset =
        |b: &WindowFrameBound| matches!(b, WindowFrameBound::Preceding(_) | WindowFrameBound::Following(_));
    if frame.units == WindowFrameUnits::Rows || !(has_offset(&frame.start) || has_offset(&frame.end)) {
        return Ok(frame);
    }
    let [key] = order_by else {
        return plan_err!(
            "a RANGE frame with an offset needs exactly one ORDER BY key, got {}",
            order_by.len()
        );
    };
    let key_type = key.expr.get_type(schema)?;
    let offset_type = |v: &ScalarValue| -> Result<ScalarValue> {
        let vt = v.data_type();
        match &key_type {
            t if t.is_numeric() && vt.is_numeric() => {
                let c = v.cast_to(t).ok().filter(|c| c.as_f64().zip(v.as_f64()).is_some_and(|(a, b)| a == b));
                match c {
                    Some(c) => Ok(c),
                    None => plan_err!("RANGE offset {v} does not fit the ORDER BY key type {t}"),
                }
            }
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => match vt {
                DataType::Interval(_) => {
                    let c = v.cast_to(&DataType::Interval(arrow::datatypes::IntervalUnit::MonthDayNano))?;
                    let arr = c.array();
                    let iv = arr
                        .as_any()
                        .downcast_ref::<arrow::array::IntervalMonthDayNanoArray>()
                        .map(|a| a.value(0));
                    match iv {
                        Some(i) if i.months < 0 || i.days < 0 || i.nanoseconds < 0 => {
                            plan_err!("a window frame offset must not be negative, got {v}")
                        }
                        Some(_) => Ok(c),
                        None => internal_err!("interval cast produced {}", c.data_type()),
                    }
                }
                t if t.is_integer() => match v.as_i64().and_then(|d| i32::try_from(d).ok()) {
                    Some(days) => Ok(ScalarValue::interval(0, days, 0)),
                    None => plan_err!("RANGE offset {v} is out of range"),
                },
                _ => plan_err!("a RANGE offset over {key_type} must be an interval, got {vt}"),
            },
            t => plan_err!(
                "a RANGE frame with an offset needs a numeric, date or timestamp ORDER BY key, got {t}"
            ),
        }
    };
    let bound = |b: WindowFrameBound| -> Result<WindowFrameBound> {
        Ok(match b {
            WindowFrameBound::Preceding(v) => WindowFrameBound::Preceding(offset_type(&v)?),
            WindowFrameBound::Following(v) => WindowFrameBound::Following(offset_type(&v)?),
            b => b,
        })
    };
    WindowFrame::try_new(frame.units, bound(frame.start)?, bound(frame.end)?)
}

impl crate::builder::LogicalPlanBuilder {
    /// Compute the window function calls `window_expr` (optionally aliased) for every row; the
    /// output is the input columns followed by one column per call.
    pub fn window(self, window_expr: Vec<Expr>) -> Result<Self> {
        let window_expr = window_expr.into_iter().map(|e| self.coerce(e)).collect::<Result<Vec<_>>>()?;
        let input = Arc::new(self.build()?);
        Ok(Self::from(LogicalPlan::Window(Window::try_new(input, window_expr)?)))
    }
}
