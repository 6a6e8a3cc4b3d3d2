//! SQL expressions → [`Expr`]: column references, operators, predicates, CASE and casts.
//!
//! Every node is type-checked (against the schema it is planned over) as soon as it is built,
//! so a type error points at the innermost SQL expression that caused it.

use shoal_common::Result;
use shoal_expr::type_coercion::coerce_expr;
use shoal_expr::{lit, Between, Case, Cast, Column, Expr, InList, Like, Operator, PlanSchema, TryCast};
use sqlparser::ast::{
    BinaryOperator, CastKind, Expr as SqlExpr, Ident, Spanned, UnaryOperator, Value, ValueWithSpan,
};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::literal;
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::types::sql_type_to_arrow;
use crate::SqlPlanner;

/// What names mean while planning an expression: the input columns, and (for GROUP BY,
/// HAVING and ORDER BY) the select-list aliases as a fallback.
#[derive(Clone, Copy)]
pub(crate) struct ExprScope<'s> {
    pub schema: &'s PlanSchema,
    /// `(alias, expression over schema)` pairs.
    pub aliases: &'s [(String, Expr)],
}

impl<'s> ExprScope<'s> {
    pub fn new(schema: &'s PlanSchema) -> Self {
        Self { schema, aliases: &[] }
    }

    pub fn with_aliases(schema: &'s PlanSchema, aliases: &'s [(String, Expr)]) -> Self {
        Self { schema, aliases }
    }
}

impl SqlPlanner<'_> {
    /// Plan `e` over `scope`, type-check it, and give any error the SQL position of `e`.
    pub(crate) fn sql_to_expr(&self, e: &SqlExpr, scope: &ExprScope) -> Result<Expr> {
        self.sql_to_expr_unchecked(e, scope)
            .and_then(|expr| {
                coerce_expr(expr.clone(), scope.schema)?;
                Ok(expr)
            })
            .at_with(|| e.span())
    }

    fn sql_to_expr_unchecked(&self, e: &SqlExpr, scope: &ExprScope) -> Result<Expr> {
        let boxed = |x: &SqlExpr| -> Result<Box<Expr>> { Ok(Box::new(self.sql_to_expr(x, scope)?)) };
        Ok(match e {
            SqlExpr::Identifier(id) => self.resolve_identifier(std::slice::from_ref(id), scope)?,
            SqlExpr::CompoundIdentifier(ids) => self.resolve_identifier(ids, scope)?,
            SqlExpr::Value(v) => Expr::Literal(literal::value_to_scalar(&v.value).at(v.span)?),
            SqlExpr::TypedString(ts) => Expr::Literal(literal::typed_string(ts)?),
            SqlExpr::Interval(i) => Expr::Literal(literal::interval(i)?),
            SqlExpr::Nested(inner) => self.sql_to_expr(inner, scope)?,
            SqlExpr::BinaryOp { left, op, right } => {
                let op = binary_operator(op, e.span())?;
                self.sql_to_expr(left, scope)?.binary(op, self.sql_to_expr(right, scope)?)
            }
            SqlExpr::UnaryOp { op, expr } => match op {
                UnaryOperator::Minus => match expr.as_ref() {
                    // fold `-<number>` so that i64::MIN is an Int64 literal
                    SqlExpr::Value(ValueWithSpan { value: Value::Number(n, _), .. }) => {
                        Expr::Literal(literal::number(&format!("-{n}")).at(e.span())?)
                    }
                    other => Expr::Negative(boxed(other)?),
                },
                UnaryOperator::Plus => self.sql_to_expr(expr, scope)?,
                UnaryOperator::Not => Expr::Not(boxed(expr)?),
                other => return Err(not_supported_at(e.span(), format!("the unary operator {other}"))),
            },
            SqlExpr::IsNull(x) => Expr::IsNull(boxed(x)?),
            SqlExpr::IsNotNull(x) => Expr::IsNotNull(boxed(x)?),
            SqlExpr::IsUnknown(x) => Expr::IsNull(boxed(x)?),
            SqlExpr::IsNotUnknown(x) => Expr::IsNotNull(boxed(x)?),
            SqlExpr::IsTrue(x) => self.sql_to_expr(x, scope)?.binary(Operator::IsNotDistinctFrom, lit(true)),
            SqlExpr::IsNotTrue(x) => self.sql_to_expr(x, scope)?.binary(Operator::IsDistinctFrom, lit(true)),
            SqlExpr::IsFalse(x) => {
                self.sql_to_expr(x, scope)?.binary(Operator::IsNotDistinctFrom, lit(false))
            }
            SqlExpr::IsNotFalse(x) => {
                self.sql_to_expr(x, scope)?.binary(Operator::IsDistinctFrom, lit(false))
            }
            SqlExpr::IsDistinctFrom(a, b) | SqlExpr::IsNotDistinctFrom(a, b) => {
                match reassociate_is_distinct(e, a, b) {
                    Some(fixed) => self.sql_to_expr(&fixed, scope)?,
                    None => {
                        let op = if matches!(e, SqlExpr::IsDistinctFrom(..)) {
                            Operator::IsDistinctFrom
                        } else {
                            Operator::IsNotDistinctFrom
                        };
                        self.sql_to_expr(a, scope)?.binary(op, self.sql_to_expr(b, scope)?)
                    }
                }
            }
            SqlExpr::InList { expr, list, negated } => Expr::InList(InList {
                expr: boxed(expr)?,
                list: list.iter().map(|x| self.sql_to_expr(x, scope)).collect::<Result<Vec<_>>>()?,
                negated: *negated,
            }),
            SqlExpr::Between { expr, negated, low, high } => Expr::Between(Between {
                expr: boxed(expr)?,
                negated: *negated,
                low: boxed(low)?,
                high: boxed(high)?,
            }),
            SqlExpr::Like { negated, any, expr, pattern, escape_char }
            | SqlExpr::ILike { negated, any, expr, pattern, escape_char } => {
                if *any {
                    return Err(not_supported_at(e.span(), "LIKE ANY"));
                }
                let escape_char = match escape_char {
                    None => None,
                    Some(v) => Some(escape_character(&v.value).at(v.span)?),
                };
                Expr::Like(Like {
                    negated: *negated,
                    expr: boxed(expr)?,
                    pattern: boxed(pattern)?,
                    escape_char,
                    case_insensitive: matches!(e, SqlExpr::ILike { .. }),
                })
            }
            SqlExpr::Cast { kind, expr, data_type, array, format } => {
                if *array || format.is_some() {
                    return Err(not_supported_at(e.span(), format!("the cast {e}")));
                }
                let data_type = sql_type_to_arrow(data_type).at_with(|| e.span())?;
                let expr = boxed(expr)?;
                match kind {
                    CastKind::Cast | CastKind::DoubleColon => Expr::Cast(Cast { expr, data_type }),
                    CastKind::TryCast | CastKind::SafeCast => Expr::TryCast(TryCast { expr, data_type }),
                }
            }
            SqlExpr::Case { operand, conditions, else_result, .. } => Expr::Case(Case {
                expr: operand.as_deref().map(boxed).transpose()?,
                when_then: conditions
                    .iter()
                    .map(|w| {
                        Ok((self.sql_to_expr(&w.condition, scope)?, self.sql_to_expr(&w.result, scope)?))
                    })
                    .collect::<Result<Vec<_>>>()?,
                else_expr: else_result.as_deref().map(boxed).transpose()?,
            }),
            SqlExpr::Function(f) => self.function_call(f, scope)?,
            SqlExpr::Extract { field, expr, .. } => self.extract(field, expr, scope, e.span())?,
            SqlExpr::Substring { expr, substring_from, substring_for, .. } => {
                self.substring(expr, substring_from, substring_for, scope, e.span())?
            }
            SqlExpr::Trim { trim_where, trim_what, expr, trim_characters } => {
                self.trim(trim_where, trim_what, expr, trim_characters, scope, e.span())?
            }
            SqlExpr::Position { expr, r#in } => {
                let args = vec![self.sql_to_expr(r#in, scope)?, self.sql_to_expr(expr, scope)?];
                self.call_scalar("strpos", args, e.span())?
            }
            SqlExpr::Ceil { expr, field } | SqlExpr::Floor { expr, field } => {
                let name = if matches!(e, SqlExpr::Ceil { .. }) { "ceil" } else { "floor" };
                self.ceil_floor(name, expr, field, scope, e.span())?
            }
            SqlExpr::InSubquery { .. } | SqlExpr::Exists { .. } | SqlExpr::Subquery(_) => {
                self.subquery_expr(e, scope)?
            }
            SqlExpr::Wildcard(_) | SqlExpr::QualifiedWildcard(..) => {
                return Err(plan_error_at(e.span(), "'*' is only allowed in the SELECT list and in count(*)"))
            }
            other => return Err(not_supported_at(other.span(), format!("the expression {other}"))),
        })
    }

    /// `a` or `t.a`: a column of the scope (exact spelling first, then case-insensitive), else
    /// a select-list alias.
    fn resolve_identifier(&self, ids: &[Ident], scope: &ExprScope) -> Result<Expr> {
        let span = SqlSpan::union_iter(ids.iter().map(|i| i.span));
        let column = match ids {
            [name] => Column::from_name(&name.value),
            [relation, name] => Column::new(Some(&relation.value), &name.value),
            _ => {
                let text: Vec<&str> = ids.iter().map(|i| i.value.as_str()).collect();
                return Err(not_supported_at(
                    span,
                    format!("the name '{}': columns are written as column or table.column", text.join(".")),
                ));
            }
        };
        match scope.schema.maybe_index_of_column(&column).at(span)? {
            Some(i) => {
                let resolved = scope.schema.column(i);
                self.record_column_span(resolved.clone(), span);
                Ok(Expr::Column(Column {
                    relation: column.relation.and(resolved.relation),
                    name: resolved.name,
                }))
            }
            None => {
                if column.relation.is_none() {
                    let alias =
                        scope.aliases.iter().find(|(a, _)| *a == column.name).or_else(|| {
                            scope.aliases.iter().find(|(a, _)| a.eq_ignore_ascii_case(&column.name))
                        });
                    if let Some((_, e)) = alias {
                        return Ok(e.clone());
                    }
                }
                if let Some(outer) = self.resolve_outer_column(&column).at(span)? {
                    return Ok(outer);
                }
                Err(scope.schema.unknown_column_error(&column)).at(span)
            }
        }
    }
}

/// sqlparser parses the right side of `IS [NOT] DISTINCT FROM` as a whole expression, so
/// `x IS DISTINCT FROM 1 AND y` comes out as `x IS DISTINCT FROM (1 AND y)`. Rebuild it as
/// `(x IS DISTINCT FROM 1) AND y`, as PostgreSQL's precedence says (explicit parentheses
/// are kept: they parse as `Nested`).
fn reassociate_is_distinct(is_expr: &SqlExpr, a: &SqlExpr, b: &SqlExpr) -> Option<SqlExpr> {
    let SqlExpr::BinaryOp { left, op: op @ (BinaryOperator::And | BinaryOperator::Or), right } = b else {
        return None;
    };
    let inner = reassociate_is_distinct(is_expr, a, left).unwrap_or_else(|| {
        let (a, l) = (Box::new(a.clone()), left.clone());
        match is_expr {
            SqlExpr::IsNotDistinctFrom(..) => SqlExpr::IsNotDistinctFrom(a, l),
            _ => SqlExpr::IsDistinctFrom(a, l),
        }
    });
    Some(SqlExpr::BinaryOp { left: Box::new(inner), op: op.clone(), right: right.clone() })
}

/// The shoal operator for a SQL binary operator.
fn binary_operator(op: &BinaryOperator, span: SqlSpan) -> Result<Operator> {
    Ok(match op {
        BinaryOperator::Plus => Operator::Plus,
        BinaryOperator::Minus => Operator::Minus,
        BinaryOperator::Multiply => Operator::Multiply,
        BinaryOperator::Divide => Operator::Divide,
        BinaryOperator::Modulo => Operator::Modulo,
        BinaryOperator::StringConcat => Operator::StringConcat,
        BinaryOperator::Gt => Operator::Gt,
        BinaryOperator::Lt => Operator::Lt,
        BinaryOperator::GtEq => Operator::GtEq,
        BinaryOperator::LtEq => Operator::LtEq,
        BinaryOperator::Eq => Operator::Eq,
        BinaryOperator::NotEq => Operator::NotEq,
        BinaryOperator::And => Operator::And,
        BinaryOperator::Or => Operator::Or,
        other => return Err(not_supported_at(span, format!("the operator {other}"))),
    })
}

/// The character of `ESCAPE '<c>'`.
fn escape_character(v: &Value) -> Result<char> {
    if let Value::SingleQuotedString(s) = v {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(c);
        }
    }
    shoal_common::plan_err!("ESCAPE needs a single character, got {v}")
}
