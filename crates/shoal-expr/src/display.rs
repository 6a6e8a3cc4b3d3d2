//! Printing expressions as SQL-like text (also used for output column names) and plans as
//! indented trees for EXPLAIN.

use std::fmt;

use arrow::datatypes::DataType;

use crate::expr::Expr;
use crate::plan::LogicalPlan;

/// The SQL name of an Arrow type, as used in CAST and in result headers.
pub fn sql_type_name(t: &DataType) -> String {
    match t {
        DataType::Null => "NULL".into(),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Int8 => "TINYINT".into(),
        DataType::Int16 => "SMALLINT".into(),
        DataType::Int32 => "INTEGER".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::UInt8 => "UTINYINT".into(),
        DataType::UInt16 => "USMALLINT".into(),
        DataType::UInt32 => "UINTEGER".into(),
        DataType::UInt64 => "UBIGINT".into(),
        DataType::Float16 | DataType::Float32 => "REAL".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Decimal128(p, s) => format!("DECIMAL({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        DataType::Date32 | DataType::Date64 => "DATE".into(),
        DataType::Timestamp(_, None) => "TIMESTAMP".into(),
        DataType::Timestamp(_, Some(_)) => "TIMESTAMPTZ".into(),
        DataType::Interval(_) => "INTERVAL".into(),
        other => other.to_string(),
    }
}

fn fmt_child(f: &mut fmt::Formatter<'_>, e: &Expr, parent_prec: u8) -> fmt::Result {
    match e {
        Expr::BinaryExpr(b) if b.op.precedence() < parent_prec => write!(f, "({e})"),
        Expr::Between(_) | Expr::Like(_) | Expr::InList(_) | Expr::InSubquery(_) if parent_prec > 0 => {
            write!(f, "({e})")
        }
        _ => write!(f, "{e}"),
    }
}

fn join(f: &mut fmt::Formatter<'_>, exprs: &[Expr]) -> fmt::Result {
    for (i, e) in exprs.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column(c) => write!(f, "{c}"),
            Expr::Literal(s) => write!(f, "{s}"),
            Expr::Alias(a) => write!(f, "{} AS {}", a.expr, a.name),
            Expr::BinaryExpr(b) => {
                let p = b.op.precedence();
                fmt_child(f, &b.left, p)?;
                write!(f, " {} ", b.op)?;
                // right side of a left-associative operator needs parentheses at equal precedence
                fmt_child(f, &b.right, p + 1)
            }
            Expr::Not(e) => {
                f.write_str("NOT ")?;
                fmt_child(f, e, 50)
            }
            Expr::Negative(e) => {
                f.write_str("-")?;
                fmt_child(f, e, 50)
            }
            Expr::IsNull(e) => {
                fmt_child(f, e, 50)?;
                f.write_str(" IS NULL")
            }
            Expr::IsNotNull(e) => {
                fmt_child(f, e, 50)?;
                f.write_str(" IS NOT NULL")
            }
            Expr::Between(b) => {
                fmt_child(f, &b.expr, 21)?;
                write!(f, " {}BETWEEN ", if b.negated { "NOT " } else { "" })?;
                fmt_child(f, &b.low, 21)?;
                f.write_str(" AND ")?;
                fmt_child(f, &b.high, 21)
            }
            Expr::Like(l) => {
                fmt_child(f, &l.expr, 21)?;
                let kw = if l.case_insensitive { "ILIKE" } else { "LIKE" };
                write!(f, " {}{kw} ", if l.negated { "NOT " } else { "" })?;
                fmt_child(f, &l.pattern, 21)?;
                if let Some(c) = l.escape_char {
                    write!(f, " ESCAPE '{c}'")?;
                }
                Ok(())
            }
            Expr::InList(i) => {
                fmt_child(f, &i.expr, 21)?;
                write!(f, " {}IN (", if i.negated { "NOT " } else { "" })?;
                join(f, &i.list)?;
                f.write_str(")")
            }
            Expr::Case(c) => {
                f.write_str("CASE")?;
                if let Some(e) = &c.expr {
                    write!(f, " {e}")?;
                }
                for (w, t) in &c.when_then {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = &c.else_expr {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            Expr::Cast(c) => write!(f, "CAST({} AS {})", c.expr, sql_type_name(&c.data_type)),
            Expr::TryCast(c) => {
                write!(f, "TRY_CAST({} AS {})", c.expr, sql_type_name(&c.data_type))
            }
            Expr::ScalarFunction(s) => {
                write!(f, "{}(", s.func.name())?;
                join(f, &s.args)?;
                f.write_str(")")
            }
            Expr::AggregateFunction(a) => {
                write!(f, "{}(", a.func.name())?;
                if a.distinct {
                    f.write_str("DISTINCT ")?;
                }
                if a.args.is_empty() {
                    f.write_str("*")?;
                } else {
                    join(f, &a.args)?;
                }
                for (i, s) in a.order_by.iter().enumerate() {
                    f.write_str(if i == 0 { " ORDER BY " } else { ", " })?;
                    write!(f, "{s}")?;
                }
                f.write_str(")")?;
                if let Some(filter) = &a.filter {
                    write!(f, " FILTER (WHERE {filter})")?;
                }
                Ok(())
            }
            Expr::WindowFunction(w) => write!(f, "{w}"),
            Expr::Wildcard { qualifier: Some(q) } => write!(f, "{q}.*"),
            Expr::Wildcard { qualifier: None } => f.write_str("*"),
            Expr::ScalarSubquery(_) => f.write_str("(<subquery>)"),
            Expr::InSubquery(i) => {
                fmt_child(f, &i.expr, 21)?;
                write!(f, " {}IN (<subquery>)", if i.negated { "NOT " } else { "" })
            }
            Expr::Exists(e) => {
                write!(f, "{}EXISTS (<subquery>)", if e.negated { "NOT " } else { "" })
            }
            Expr::OuterReferenceColumn(_, c) => write!(f, "outer_ref({c})"),
            Expr::GroupingSet(g) => write!(f, "{g}"),
        }
    }
}

impl LogicalPlan {
    /// The plan as an indented tree, one node per line (EXPLAIN's logical section).
    pub fn display_indent(&self) -> String {
        let mut out = String::new();
        self.write_indent(&mut out, 0);
        out
    }

    fn write_indent(&self, out: &mut String, depth: usize) {
        out.push_str(&"  ".repeat(depth));
        out.push_str(&self.node_description());
        out.push('\n');
        for input in self.inputs() {
            input.write_indent(out, depth + 1);
        }
    }
}

impl fmt::Display for LogicalPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_indent())
    }
}
