//! Expressions → SQL text: every compound expression parenthesised, literals typed exactly
//! (`CAST('1.5' AS DOUBLE)`, never a bare `1.5`, which shoal reads as a DECIMAL), function names
//! quoted (so `"left"(s, 2)` is a call, not a keyword), and columns resolved through a [`Scope`].

use arrow::array::AsArray;
use arrow::datatypes::{DataType, IntervalMonthDayNanoType};
use shoal_common::{internal_err, not_supported, Result, ScalarValue};
use shoal_expr::display::sql_type_name;
use shoal_expr::{
    AggregateFunctionExpr, Expr, GroupingSet, Operator, PlanSchemaRef, SortExpr, WindowFrameBound,
    WindowFrameUnits, WindowFunctionExpr,
};

use super::Unparser;

/// The columns an expression may refer to: the input schema, and the SQL text of each of its
/// columns in the SELECT being written.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub schema: PlanSchemaRef,
    pub columns: Vec<String>,
}

/// `name` as a double-quoted SQL identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as a single-quoted SQL string.
pub(crate) fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl Unparser {
    /// `e` as SQL over `scope`.
    pub(crate) fn expr(&mut self, e: &Expr, scope: &Scope) -> Result<String> {
        Ok(match e {
            Expr::Column(c) => {
                let i = scope.schema.index_of_column(c)?;
                match scope.columns.get(i) {
                    Some(text) => text.clone(),
                    None => return internal_err!("unparser: no SQL for column {c}"),
                }
            }
            Expr::OuterReferenceColumn(_, c) => self.outer_column(c)?,
            Expr::Literal(v) => literal(v)?,
            Expr::Alias(a) => self.expr(&a.expr, scope)?,
            Expr::BinaryExpr(b) if matches!(b.op, Operator::And | Operator::Or) => {
                // a chain of one operator is written flat, so the parser does not nest deeply
                let mut operands = vec![];
                flatten(e, b.op, &mut operands);
                let parts = operands
                    .into_iter()
                    .map(|o| Ok(format!("({})", self.expr(o, scope)?)))
                    .collect::<Result<Vec<_>>>()?;
                format!("({})", parts.join(&format!(" {} ", b.op)))
            }
            Expr::BinaryExpr(b) => {
                format!("({} {} {})", self.expr(&b.left, scope)?, b.op, self.expr(&b.right, scope)?)
            }
            Expr::Not(x) => format!("(NOT {})", self.expr(x, scope)?),
            Expr::Negative(x) => format!("(- {})", self.expr(x, scope)?),
            Expr::IsNull(x) => format!("({} IS NULL)", self.expr(x, scope)?),
            Expr::IsNotNull(x) => format!("({} IS NOT NULL)", self.expr(x, scope)?),
            Expr::Between(b) => format!(
                "({} {}BETWEEN {} AND {})",
                self.expr(&b.expr, scope)?,
                not(b.negated),
                self.expr(&b.low, scope)?,
                self.expr(&b.high, scope)?
            ),
            Expr::Like(l) => {
                let escape = match l.escape_char {
                    Some(c) => format!(" ESCAPE {}", string_literal(&c.to_string())),
                    None => String::new(),
                };
                format!(
                    "({} {}{} {}{escape})",
                    self.expr(&l.expr, scope)?,
                    not(l.negated),
                    if l.case_insensitive { "ILIKE" } else { "LIKE" },
                    self.expr(&l.pattern, scope)?
                )
            }
            Expr::InList(i) => format!(
                "({} {}IN ({}))",
                self.expr(&i.expr, scope)?,
                not(i.negated),
                self.exprs(&i.list, scope)?
            ),
            Expr::Case(c) => {
                let mut out = String::from("CASE");
                if let Some(operand) = &c.expr {
                    out.push_str(&format!(" {}", self.expr(operand, scope)?));
                }
                for (w, t) in &c.when_then {
                    out.push_str(&format!(" WHEN {} THEN {}", self.expr(w, scope)?, self.expr(t, scope)?));
                }
                if let Some(e) = &c.else_expr {
                    out.push_str(&format!(" ELSE {}", self.expr(e, scope)?));
                }
                out.push_str(" END");
                out
            }
            Expr::Cast(c) => format!("CAST({} AS {})", self.expr(&c.expr, scope)?, type_name(&c.data_type)?),
            Expr::TryCast(c) => {
                format!("TRY_CAST({} AS {})", self.expr(&c.expr, scope)?, type_name(&c.data_type)?)
            }
            Expr::ScalarFunction(f) => format!("{}({})", quote(f.func.name()), self.exprs(&f.args, scope)?),
            Expr::AggregateFunction(a) => self.aggregate_call(a, scope)?,
            Expr::WindowFunction(w) => self.window(w, scope)?,
            Expr::ScalarSubquery(s) => format!("({})", self.subquery(&s.plan, scope)?),
            Expr::InSubquery(i) => format!(
                "({} {}IN ({}))",
                self.expr(&i.expr, scope)?,
                not(i.negated),
                self.subquery(&i.subquery.plan, scope)?
            ),
            Expr::Exists(x) => {
                format!("({}EXISTS ({}))", not(x.negated), self.subquery(&x.subquery.plan, scope)?)
            }
            Expr::GroupingSet(g) => self.grouping_set(g, scope)?,
            Expr::Wildcard { .. } => return internal_err!("unparser: a wildcard reached a plan"),
        })
    }

    /// Comma-separated expressions.
    pub(crate) fn exprs(&mut self, exprs: &[Expr], scope: &Scope) -> Result<String> {
        let parts = exprs.iter().map(|e| self.expr(e, scope)).collect::<Result<Vec<_>>>()?;
        Ok(parts.join(", "))
    }

    /// Comma-separated ORDER BY keys.
    pub(crate) fn sort_exprs(&mut self, keys: &[SortExpr], scope: &Scope) -> Result<String> {
        let parts = keys
            .iter()
            .map(|k| Ok(format!("{}{}", self.expr(&k.expr, scope)?, order(k))))
            .collect::<Result<Vec<_>>>()?;
        Ok(parts.join(", "))
    }

    fn aggregate_call(&mut self, a: &AggregateFunctionExpr, scope: &Scope) -> Result<String> {
        let args = if a.args.is_empty() { "*".to_string() } else { self.exprs(&a.args, scope)? };
        let mut out = format!("{}({}{args}", quote(a.func.name()), if a.distinct { "DISTINCT " } else { "" });
        if !a.order_by.is_empty() {
            out.push_str(&format!(" ORDER BY {}", self.sort_exprs(&a.order_by, scope)?));
        }
        out.push(')');
        if let Some(f) = &a.filter {
            out.push_str(&format!(" FILTER (WHERE {})", self.expr(f, scope)?));
        }
        Ok(out)
    }

    fn window(&mut self, w: &WindowFunctionExpr, scope: &Scope) -> Result<String> {
        let args = match (&w.func, w.args.is_empty()) {
            (shoal_expr::WindowFunction::Aggregate(shoal_expr::AggregateFunction::Count), true) => {
                "*".to_string()
            }
            _ => self.exprs(&w.args, scope)?,
        };
        let mut spec = vec![];
        if !w.partition_by.is_empty() {
            spec.push(format!("PARTITION BY {}", self.exprs(&w.partition_by, scope)?));
        }
        if !w.order_by.is_empty() {
            spec.push(format!("ORDER BY {}", self.sort_exprs(&w.order_by, scope)?));
        }
        if !w.frame.is_default(!w.order_by.is_empty()) {
            let units = match w.frame.units {
                WindowFrameUnits::Rows => "ROWS",
                WindowFrameUnits::Range => "RANGE",
            };
            spec.push(format!(
                "{units} BETWEEN {} AND {}",
                frame_bound(&w.frame.start)?,
                frame_bound(&w.frame.end)?
            ));
        }
        Ok(format!("{}({args}) OVER ({})", quote(w.func.name()), spec.join(" ")))
    }

    fn grouping_set(&mut self, g: &GroupingSet, scope: &Scope) -> Result<String> {
        Ok(match g {
            GroupingSet::Rollup(v) => format!("ROLLUP ({})", self.exprs(v, scope)?),
            GroupingSet::Cube(v) => format!("CUBE ({})", self.exprs(v, scope)?),
            GroupingSet::GroupingSets(sets) => {
                let sets = sets
                    .iter()
                    .map(|s| Ok(format!("({})", self.exprs(s, scope)?)))
                    .collect::<Result<Vec<_>>>()?;
                format!("GROUPING SETS ({})", sets.join(", "))
            }
        })
    }
}

fn flatten<'a>(e: &'a Expr, op: Operator, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::BinaryExpr(b) if b.op == op => {
            flatten(&b.left, op, out);
            flatten(&b.right, op, out);
        }
        e => out.push(e),
    }
}

fn not(negated: bool) -> &'static str {
    if negated {
        "NOT "
    } else {
        ""
    }
}

/// ` ASC NULLS LAST` etc.
pub(crate) fn order(k: &SortExpr) -> String {
    format!(
        " {} {}",
        if k.asc { "ASC" } else { "DESC" },
        if k.nulls_first { "NULLS FIRST" } else { "NULLS LAST" }
    )
}

/// The SQL name of a type that shoal's parser reads back as the same type.
pub(crate) fn type_name(t: &DataType) -> Result<String> {
    match t {
        DataType::Float16 | DataType::Float32 => Ok("REAL".into()),
        DataType::Time32(_) | DataType::Time64(_) => Ok("TIME".into()),
        DataType::Dictionary(_, v) => type_name(v),
        t if t.is_primitive() || matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
            Ok(sql_type_name(t))
        }
        DataType::Boolean | DataType::Null => Ok(sql_type_name(t)),
        other => not_supported!("writing the type {other} as SQL"),
    }
}

fn frame_bound(b: &WindowFrameBound) -> Result<String> {
    Ok(match b {
        WindowFrameBound::UnboundedPreceding => "UNBOUNDED PRECEDING".into(),
        WindowFrameBound::Preceding(v) => format!("{} PRECEDING", offset(v)?),
        WindowFrameBound::CurrentRow => "CURRENT ROW".into(),
        WindowFrameBound::Following(v) => format!("{} FOLLOWING", offset(v)?),
        WindowFrameBound::UnboundedFollowing => "UNBOUNDED FOLLOWING".into(),
    })
}

/// A frame offset: a plain number or an interval literal (the parser wants a constant).
fn offset(v: &ScalarValue) -> Result<String> {
    match v.data_type() {
        DataType::Interval(_) => literal(v),
        _ => Ok(v.display_value()),
    }
}

/// A literal that reads back as the same value of the same type.
pub(crate) fn literal(v: &ScalarValue) -> Result<String> {
    let t = v.data_type();
    if *t == DataType::Null {
        return Ok("NULL".into());
    }
    if v.is_null() {
        return Ok(format!("CAST(NULL AS {})", type_name(t)?));
    }
    Ok(match t {
        DataType::Boolean => v.display_value().to_uppercase(),
        DataType::Int64 => match v.as_i64() {
            Some(n) if n >= 0 => n.to_string(),
            _ => format!("CAST({} AS BIGINT)", string_literal(&v.display_value())),
        },
        DataType::Utf8 => string_literal(&v.display_value()),
        DataType::Interval(_) => interval(v)?,
        t => format!("CAST({} AS {})", string_literal(&v.display_value()), type_name(t)?),
    })
}

fn interval(v: &ScalarValue) -> Result<String> {
    let cast =
        arrow::compute::cast(v.array(), &DataType::Interval(arrow::datatypes::IntervalUnit::MonthDayNano))?;
    let Some(a) = cast.as_primitive_opt::<IntervalMonthDayNanoType>() else {
        return internal_err!("unparser: bad interval {v}");
    };
    if a.is_empty() {
        return internal_err!("unparser: empty interval literal");
    }
    let i = a.value(0);
    Ok(format!("INTERVAL '{} months {} days {} nanoseconds'", i.months, i.days, i.nanoseconds))
}
