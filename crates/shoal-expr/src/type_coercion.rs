//! Type coercion: which casts make an expression well-typed, and what type it then has.
//!
//! The builder runs [`coerce_expr`] on every expression it adds, so plans after the builder are
//! explicitly typed: every operator sees operands of the types its kernel expects.
//!
//! Rules (documented in `docs/architecture.md`):
//! * integers widen to the wider integer; signed with unsigned meets at Int64; any float makes
//!   Float64 (Float32 with Float32 stays Float32);
//! * decimals meet integers as decimals (an integer literal gets just the digits it needs) and
//!   floats as Float64 — except a float *literal* compared with a decimal, which becomes the
//!   exact decimal of its shortest text (`0.06` → `0.06`), so the column is not cast;
//! * strings compared with numbers, dates, timestamps or booleans are cast to the other side;
//! * dates meet timestamps as timestamps; timestamps of different units meet at the finer one;
//! * NULL takes the type of the other side.

use arrow::array::new_empty_array;
use arrow::compute::can_cast_types;
use arrow::datatypes::{DataType, TimeUnit, DECIMAL128_MAX_PRECISION};
use shoal_common::{plan_err, Result, ScalarValue, ShoalError};

use crate::expr::{
    AggregateFunctionExpr, Between, BinaryExpr, Case, Cast, Expr, InList, InSubquery, Like, Operator,
    ScalarFunctionExpr, Subquery, TryCast,
};
use crate::schema::PlanSchema;
use crate::tree_node::{Transformed, TreeNode};

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn int_rank(t: &DataType) -> Option<(bool, u8)> {
    Some(match t {
        DataType::Int8 => (true, 1),
        DataType::Int16 => (true, 2),
        DataType::Int32 => (true, 3),
        DataType::Int64 => (true, 4),
        DataType::UInt8 => (false, 1),
        DataType::UInt16 => (false, 2),
        DataType::UInt32 => (false, 3),
        DataType::UInt64 => (false, 4),
        _ => return None,
    })
}

/// Decimal precision needed to hold every value of an integer type.
fn int_decimal_precision(t: &DataType) -> Option<u8> {
    Some(match t {
        DataType::Int8 | DataType::UInt8 => 3,
        DataType::Int16 | DataType::UInt16 => 5,
        DataType::Int32 | DataType::UInt32 => 10,
        DataType::Int64 => 19,
        DataType::UInt64 => 20,
        _ => return None,
    })
}

fn time_unit_rank(u: &TimeUnit) -> u8 {
    match u {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 1,
        TimeUnit::Microsecond => 2,
        TimeUnit::Nanosecond => 3,
    }
}

fn unpack_dictionary(t: &DataType) -> &DataType {
    match t {
        DataType::Dictionary(_, v) => v.as_ref(),
        t => t,
    }
}

/// The common type of two numeric types, or `None`.
pub fn numeric_coercion(l: &DataType, r: &DataType) -> Option<DataType> {
    use DataType::*;
    if l == r && l.is_numeric() {
        return Some(l.clone());
    }
    match (l, r) {
        (Float16 | Float32, Float16 | Float32) => return Some(Float32),
        (Float64 | Float32 | Float16, t) | (t, Float64 | Float32 | Float16) if t.is_numeric() => {
            return Some(Float64)
        }
        (Decimal128(p1, s1), Decimal128(p2, s2)) => {
            let s = *s1.max(s2);
            let int_digits = (*p1 as i16 - *s1 as i16).max(*p2 as i16 - *s2 as i16);
            let p = (int_digits + s as i16).clamp(1, DECIMAL128_MAX_PRECISION as i16) as u8;
            return Some(Decimal128(p, s));
        }
        (Decimal128(_, _), t) | (t, Decimal128(_, _)) if t.is_integer() => {
            let (p, s) = match (l, r) {
                (Decimal128(p, s), _) | (_, Decimal128(p, s)) => (*p, *s),
                _ => unreachable!(),
            };
            return numeric_coercion(&Decimal128(p, s), &Decimal128(int_decimal_precision(t)?, 0));
        }
        _ => {}
    }
    let (ls, lr) = int_rank(l)?;
    let (rs, rr) = int_rank(r)?;
    let rank = lr.max(rr);
    Some(match (ls && rs, ls || rs) {
        (true, _) => [Int8, Int16, Int32, Int64][rank as usize - 1].clone(),
        (false, false) => [UInt8, UInt16, UInt32, UInt64][rank as usize - 1].clone(),
        // signed with unsigned: a signed type wider than the unsigned one; no integer type holds
        // both UInt64 and a signed type, DECIMAL(20, 0) does (DuckDB takes HUGEINT)
        (false, true) => {
            let unsigned_rank = if ls { rr } else { lr };
            let signed_rank = if ls { lr } else { rr };
            if unsigned_rank == 4 {
                Decimal128(20, 0)
            } else {
                [Int8, Int16, Int32, Int64][(unsigned_rank + 1).max(signed_rank) as usize - 1].clone()
            }
        }
    })
}

/// The type two values must share to be compared (or to be the branches of one CASE).
pub fn comparison_coercion(l: &DataType, r: &DataType) -> Option<DataType> {
    use DataType::*;
    let (l, r) = (unpack_dictionary(l), unpack_dictionary(r));
    if l == r {
        return Some(l.clone());
    }
    match (l, r) {
        (Null, t) | (t, Null) => Some(t.clone()),
        (a, b) if a.is_numeric() && b.is_numeric() => numeric_coercion(a, b),
        (a, b) if is_string(a) && is_string(b) => Some(Utf8),
        (s, t) | (t, s) if is_string(s) && (t.is_numeric() || t.is_temporal() || *t == Boolean) => {
            Some(t.clone())
        }
        (Date32 | Date64, Timestamp(u, tz)) | (Timestamp(u, tz), Date32 | Date64) => {
            Some(Timestamp(*u, tz.clone()))
        }
        (Date32, Date64) | (Date64, Date32) => Some(Date32),
        (Timestamp(u1, tz1), Timestamp(u2, tz2)) => {
            let u = if time_unit_rank(u1) >= time_unit_rank(u2) { u1 } else { u2 };
            Some(Timestamp(*u, tz1.clone().or_else(|| tz2.clone())))
        }
        _ => None,
    }
}

/// Types to cast the operands of an arithmetic operator to, or `None` if the operator does not apply.
pub fn arithmetic_coercion(op: Operator, l: &DataType, r: &DataType) -> Option<(DataType, DataType)> {
    use DataType::*;
    let (l, r) = (unpack_dictionary(l), unpack_dictionary(r));
    match (l, r) {
        (Null, Null) => Some((Int64, Int64)),
        (Null, t) | (t, Null) if t.is_numeric() => Some((t.clone(), t.clone())),
        // Decimal with decimal: Arrow rescales itself.
        (Decimal128(..), Decimal128(..)) => Some((l.clone(), r.clone())),
        (Decimal128(p, s), t) if t.is_integer() => {
            let _ = (p, s);
            Some((l.clone(), Decimal128(int_decimal_precision(t)?, 0)))
        }
        (t, Decimal128(..)) if t.is_integer() => Some((Decimal128(int_decimal_precision(t)?, 0), r.clone())),
        (a, b) if a.is_numeric() && b.is_numeric() => {
            let t = numeric_coercion(a, b)?;
            Some((t.clone(), t))
        }
        // Date/time arithmetic with intervals and durations; Arrow decides what it supports.
        (a, Interval(_)) if matches!(op, Operator::Plus | Operator::Minus) && a.is_temporal() => {
            Some((l.clone(), r.clone()))
        }
        (Interval(_), b) if op == Operator::Plus && b.is_temporal() => Some((l.clone(), r.clone())),
        (Timestamp(..), Timestamp(..)) | (Date32, Date32) if op == Operator::Minus => {
            let t = comparison_coercion(l, r)?;
            Some((t.clone(), t))
        }
        (Date32, Timestamp(..)) | (Timestamp(..), Date32) if op == Operator::Minus => {
            let t = comparison_coercion(l, r)?;
            Some((t.clone(), t))
        }
        (Interval(_), Interval(_)) if matches!(op, Operator::Plus | Operator::Minus) => {
            Some((l.clone(), r.clone()))
        }
        _ => None,
    }
}

/// The result type of `l op r` for operands already coerced.
pub fn binary_result_type(l: &DataType, op: Operator, r: &DataType) -> Result<DataType> {
    use arrow::compute::kernels::numeric;
    if op.is_comparison() || op.is_logical() {
        return Ok(DataType::Boolean);
    }
    if op == Operator::StringConcat {
        return Ok(DataType::Utf8);
    }
    // Ask the kernel itself, on empty inputs, so the planned type is exactly what runs.
    let (a, b) = (new_empty_array(l), new_empty_array(r));
    let out = match op {
        Operator::Plus => numeric::add(&a, &b),
        Operator::Minus => numeric::sub(&a, &b),
        Operator::Multiply => numeric::mul(&a, &b),
        Operator::Divide => numeric::div(&a, &b),
        Operator::Modulo => numeric::rem(&a, &b),
        _ => unreachable!(),
    };
    match out {
        Ok(arr) => Ok(arr.data_type().clone()),
        Err(_) => plan_err!("cannot apply '{op}' to {l} and {r}"),
    }
}

/// Wrap `expr` (of type `from`) in a cast to `to` if the types differ; literals are cast now.
pub fn cast_to(expr: Expr, from: &DataType, to: &DataType) -> Result<Expr> {
    if from == to {
        return Ok(expr);
    }
    if !can_cast_types(from, to) {
        return plan_err!("cannot cast {from} to {to} (in {expr})");
    }
    match expr {
        Expr::Literal(s) => match s.cast_to(to) {
            Ok(v) => Ok(Expr::Literal(v)),
            Err(e) => plan_err!("cannot convert {s} to {to}: {}", e.root()),
        },
        e => Ok(Expr::Cast(Cast { expr: Box::new(e), data_type: to.clone() })),
    }
}

/// A float literal compared with a decimal: the exact decimal of its shortest text form.
fn float_literal_as_decimal(e: &Expr, other: &DataType) -> Option<Expr> {
    let (Expr::Literal(s), DataType::Decimal128(_, _)) = (e, other) else {
        return None;
    };
    let v = match s.data_type() {
        DataType::Float64 | DataType::Float32 => s.as_f64()?,
        _ => return None,
    };
    if !v.is_finite() {
        return None;
    }
    let text = format!("{v}");
    let scale = text.split_once('.').map(|(_, f)| f.len()).unwrap_or(0);
    if scale > 18 || text.len() > 30 {
        return None;
    }
    let digits: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
    let unscaled: i128 = digits.parse().ok()?;
    let precision = (digits.trim_start_matches('-').len() as u8).max(scale as u8 + 1);
    ScalarValue::decimal128(Some(unscaled), precision.min(38), scale as i8).ok().map(Expr::Literal)
}

/// An integer literal compared with an integer of another type, in that type when its value fits
/// (`int32_col = 5` compares Int32s instead of widening the column; `uint64_col = 5` stays
/// UInt64). A value that does not fit keeps the usual coercion, so the answer is unchanged.
fn int_literal_in_type(e: &Expr, e_type: &DataType, other: &DataType) -> Option<Expr> {
    let Expr::Literal(s) = e else { return None };
    if e_type == other || !e_type.is_integer() || !other.is_integer() || s.is_null() {
        return None;
    }
    s.cast_to(other).ok().map(Expr::Literal)
}

/// An integer literal used as a decimal: just the digits it needs.
fn int_literal_as_decimal(e: &Expr) -> Option<DataType> {
    let Expr::Literal(s) = e else { return None };
    let v = s.as_i64()?;
    let digits = v.unsigned_abs().to_string().len() as u8;
    Some(DataType::Decimal128(digits.max(1), 0))
}

fn coerce_binary(b: BinaryExpr, schema: &PlanSchema) -> Result<Expr> {
    let BinaryExpr { left, op, right } = b;
    let (mut left, mut right) = (*left, *right);
    // float literal vs decimal column: keep the column as it is
    if op.is_comparison() {
        let (lt, rt) = (left.get_type(schema)?, right.get_type(schema)?);
        if let Some(l) = float_literal_as_decimal(&left, &rt) {
            left = l;
        }
        if let Some(r) = float_literal_as_decimal(&right, &lt) {
            right = r;
        }
        if let Some(l) = int_literal_in_type(&left, &lt, &rt) {
            left = l;
        } else if let Some(r) = int_literal_in_type(&right, &rt, &lt) {
            right = r;
        }
    }
    let (lt, rt) = (left.get_type(schema)?, right.get_type(schema)?);
    let (lt2, rt2) = match op {
        Operator::And | Operator::Or => {
            for (e, t) in [(&left, &lt), (&right, &rt)] {
                if !matches!(t, DataType::Boolean | DataType::Null) {
                    return plan_err!("{op} needs boolean operands, but {e} is {t}");
                }
            }
            (DataType::Boolean, DataType::Boolean)
        }
        Operator::StringConcat => (DataType::Utf8, DataType::Utf8),
        op if op.is_comparison() => match comparison_coercion(&lt, &rt) {
            Some(t) => (t.clone(), t),
            None => return plan_err!("cannot compare {lt} with {rt} (in {left} {op} {right})"),
        },
        op => {
            // integer literals meeting decimals get the digits they need, not a full Int64 width
            let lt = if matches!(rt, DataType::Decimal128(..)) {
                int_literal_as_decimal(&left).unwrap_or(lt)
            } else {
                lt
            };
            let rt = if matches!(lt, DataType::Decimal128(..)) {
                int_literal_as_decimal(&right).unwrap_or(rt)
            } else {
                rt
            };
            match arithmetic_coercion(op, &lt, &rt) {
                Some(pair) => pair,
                None => return plan_err!("cannot apply '{op}' to {lt} and {rt} (in {left} {op} {right})"),
            }
        }
    };
    let lt = left.get_type(schema)?;
    let rt = right.get_type(schema)?;
    let left = cast_to(left, &lt, &lt2)?;
    let right = cast_to(right, &rt, &rt2)?;
    // Validate the kernel supports the pair now rather than at run time.
    binary_result_type(&lt2, op, &rt2)?;
    Ok(Expr::BinaryExpr(BinaryExpr { left: Box::new(left), op, right: Box::new(right) }))
}

fn common_type(types: &[DataType], what: &str) -> Result<DataType> {
    let mut t = DataType::Null;
    for x in types {
        t = match comparison_coercion(&t, x) {
            Some(t) => t,
            None => return plan_err!("{what}: cannot find a common type for {t} and {x}"),
        };
    }
    Ok(t)
}

fn coerce_node(expr: Expr, schema: &PlanSchema) -> Result<Expr> {
    Ok(match expr {
        Expr::BinaryExpr(b) => coerce_binary(b, schema)?,
        Expr::Not(e) => {
            let t = e.get_type(schema)?;
            if !matches!(t, DataType::Boolean | DataType::Null) {
                return plan_err!("NOT needs a boolean, but {e} is {t}");
            }
            Expr::Not(Box::new(cast_to(*e, &t, &DataType::Boolean)?))
        }
        Expr::Negative(e) => {
            let t = e.get_type(schema)?;
            if !(t.is_numeric()
                || matches!(t, DataType::Interval(_) | DataType::Duration(_) | DataType::Null))
            {
                return plan_err!("cannot negate {e} of type {t}");
            }
            Expr::Negative(e)
        }
        Expr::Between(Between { expr, negated, low, high }) => {
            let types = [expr.get_type(schema)?, low.get_type(schema)?, high.get_type(schema)?];
            let t = common_type(&types, "BETWEEN")?;
            Expr::Between(Between {
                expr: Box::new(cast_to(*expr, &types[0], &t)?),
                negated,
                low: Box::new(cast_to(*low, &types[1], &t)?),
                high: Box::new(cast_to(*high, &types[2], &t)?),
            })
        }
        Expr::InList(InList { expr, list, negated }) => {
            let mut types = vec![expr.get_type(schema)?];
            for e in &list {
                types.push(e.get_type(schema)?);
            }
            let t = common_type(&types, "IN list")?;
            let expr = Box::new(cast_to(*expr, &types[0], &t)?);
            let list = list
                .into_iter()
                .zip(types[1..].iter())
                .map(|(e, from)| cast_to(e, from, &t))
                .collect::<Result<Vec<_>>>()?;
            Expr::InList(InList { expr, list, negated })
        }
        Expr::InSubquery(InSubquery { expr, subquery, negated }) => {
            let sub_schema = subquery.plan.schema();
            if sub_schema.len() != 1 {
                return plan_err!(
                    "the subquery of IN must return exactly one column, this one returns {}",
                    sub_schema.len()
                );
            }
            let et = expr.get_type(schema)?;
            let st = sub_schema.field(0).data_type().clone();
            let Some(t) = comparison_coercion(&et, &st) else {
                return plan_err!("cannot compare {expr} of type {et} with a subquery of type {st}");
            };
            let expr = Box::new(cast_to(*expr, &et, &t)?);
            let subquery = if st == t { subquery } else { cast_subquery(subquery, &t)? };
            Expr::InSubquery(InSubquery { expr, subquery, negated })
        }
        Expr::Like(Like { negated, expr, pattern, escape_char, case_insensitive }) => {
            let (et, pt) = (expr.get_type(schema)?, pattern.get_type(schema)?);
            for (e, t) in [(&expr, &et), (&pattern, &pt)] {
                if !(is_string(unpack_dictionary(t)) || *t == DataType::Null) {
                    return plan_err!("LIKE needs strings, but {e} is {t}");
                }
            }
            Expr::Like(Like {
                negated,
                expr: Box::new(cast_to(*expr, &et, &DataType::Utf8)?),
                pattern: Box::new(cast_to(*pattern, &pt, &DataType::Utf8)?),
                escape_char,
                case_insensitive,
            })
        }
        Expr::Case(Case { expr, when_then, else_expr }) => {
            // WHEN conditions: booleans, or comparable with the operand
            let (expr, whens) = match expr {
                Some(op) => {
                    let mut types = vec![op.get_type(schema)?];
                    for (w, _) in &when_then {
                        types.push(w.get_type(schema)?);
                    }
                    let t = common_type(&types, "CASE operand")?;
                    let op = cast_to(*op, &types[0], &t)?;
                    let whens = when_then
                        .iter()
                        .zip(types[1..].iter())
                        .map(|((w, _), from)| cast_to(w.clone(), from, &t))
                        .collect::<Result<Vec<_>>>()?;
                    (Some(Box::new(op)), whens)
                }
                None => {
                    let mut whens = vec![];
                    for (w, _) in &when_then {
                        let t = w.get_type(schema)?;
                        if !matches!(t, DataType::Boolean | DataType::Null) {
                            return plan_err!("CASE WHEN needs a boolean condition, but {w} is {t}");
                        }
                        whens.push(cast_to(w.clone(), &t, &DataType::Boolean)?);
                    }
                    (None, whens)
                }
            };
            let mut types = vec![];
            for (_, t) in &when_then {
                types.push(t.get_type(schema)?);
            }
            if let Some(e) = &else_expr {
                types.push(e.get_type(schema)?);
            }
            let t = common_type(&types, "CASE branches")?;
            let thens = when_then
                .into_iter()
                .zip(types.iter())
                .map(|((_, then), from)| cast_to(then, from, &t))
                .collect::<Result<Vec<_>>>()?;
            let else_expr = match else_expr {
                Some(e) => Some(Box::new(cast_to(*e, types.last().unwrap_or(&t), &t)?)),
                None => None,
            };
            Expr::Case(Case { expr, when_then: whens.into_iter().zip(thens).collect(), else_expr })
        }
        Expr::Cast(Cast { expr, data_type }) => {
            let from = expr.get_type(schema)?;
            if !can_cast_types(&from, &data_type) {
                return plan_err!("cannot cast {expr} of type {from} to {data_type}");
            }
            match *expr {
                // fold casts of literals now so bad literals are reported at planning time
                Expr::Literal(s) => match s.cast_to(&data_type) {
                    Ok(v) => Expr::Literal(v),
                    Err(e) => return plan_err!("cannot cast {s} to {data_type}: {}", e.root()),
                },
                e => Expr::Cast(Cast { expr: Box::new(e), data_type }),
            }
        }
        Expr::TryCast(TryCast { expr, data_type }) => {
            let from = expr.get_type(schema)?;
            if !can_cast_types(&from, &data_type) {
                return plan_err!("cannot cast {expr} of type {from} to {data_type}");
            }
            Expr::TryCast(TryCast { expr, data_type })
        }
        Expr::ScalarFunction(ScalarFunctionExpr { func, args }) => {
            let types = args.iter().map(|a| a.get_type(schema)).collect::<Result<Vec<_>>>()?;
            let wanted = func.coerce_types(&types).map_err(|e| match e {
                ShoalError::Plan { message, span } => {
                    ShoalError::Plan { message: format!("{}(): {message}", func.name()), span }
                }
                e => e,
            })?;
            if wanted.len() != args.len() {
                return Err(ShoalError::Internal(format!(
                    "{}: coerce_types returned wrong arity",
                    func.name()
                )));
            }
            let args = args
                .into_iter()
                .zip(types.iter().zip(wanted.iter()))
                .map(|(a, (from, to))| cast_to(a, from, to))
                .collect::<Result<Vec<_>>>()?;
            Expr::ScalarFunction(ScalarFunctionExpr { func, args })
        }
        Expr::AggregateFunction(AggregateFunctionExpr { func, args, distinct, filter, order_by }) => {
            let types = args.iter().map(|a| a.get_type(schema)).collect::<Result<Vec<_>>>()?;
            for a in &args {
                if a.contains_aggregate() {
                    return plan_err!("aggregate function calls cannot be nested: {a} inside {func}()");
                }
            }
            let wanted = func.coerce_types(&types)?;
            let args = args
                .into_iter()
                .zip(types.iter().zip(wanted.iter()))
                .map(|(a, (from, to))| cast_to(a, from, to))
                .collect::<Result<Vec<_>>>()?;
            let filter = match filter {
                Some(f) => {
                    let t = f.get_type(schema)?;
                    if !matches!(t, DataType::Boolean | DataType::Null) {
                        return plan_err!("FILTER needs a boolean condition, but {f} is {t}");
                    }
                    Some(f)
                }
                None => None,
            };
            Expr::AggregateFunction(AggregateFunctionExpr { func, args, distinct, filter, order_by })
        }
        Expr::WindowFunction(w) => crate::window::coerce_window_call(w, schema)?,
        e => e,
    })
}

/// The one-column `subquery` with its column cast to `to` (keeping the column's name).
fn cast_subquery(subquery: Subquery, to: &DataType) -> Result<Subquery> {
    use std::sync::Arc;
    let schema = subquery.plan.schema();
    let column = Expr::Column(schema.column(0));
    let name = schema.field(0).name().clone();
    let cast = cast_to(column, schema.field(0).data_type(), to)?.alias(name);
    let projection = crate::plan::Projection::try_new(vec![cast], subquery.plan)?;
    Ok(Subquery {
        plan: Arc::new(crate::plan::LogicalPlan::Projection(projection)),
        outer_refs: subquery.outer_refs,
    })
}

/// Insert the casts that make `expr` well-typed against `schema`, or explain why it cannot be.
pub fn coerce_expr(expr: Expr, schema: &PlanSchema) -> Result<Expr> {
    if let Expr::GroupingSet(g) = expr {
        // each member is an ordinary expression; the set itself has no type
        return Ok(Expr::GroupingSet(g.map_exprs(|e| coerce_expr(e, schema))?));
    }
    let out = expr.transform_up(|e| Ok(Transformed::yes(coerce_node(e, schema)?)))?;
    // type-check the result as a whole (catches unknown columns in leaf-only expressions)
    out.data.get_type(schema)?;
    Ok(out.data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;

    #[test]
    fn numeric_rules() {
        assert_eq!(numeric_coercion(&Int32, &Int64), Some(Int64));
        assert_eq!(numeric_coercion(&UInt32, &Int8), Some(Int64));
        assert_eq!(numeric_coercion(&UInt8, &Int8), Some(Int16));
        assert_eq!(numeric_coercion(&UInt64, &Int8), Some(Decimal128(20, 0)));
        assert_eq!(numeric_coercion(&Int64, &UInt64), Some(Decimal128(20, 0)));
        assert_eq!(numeric_coercion(&Int64, &Float32), Some(Float64));
        assert_eq!(numeric_coercion(&Decimal128(15, 2), &Int64), Some(Decimal128(21, 2)));
        assert_eq!(comparison_coercion(&Utf8, &Date32), Some(Date32));
        assert_eq!(comparison_coercion(&Utf8, &Boolean), Some(Boolean));
        assert_eq!(comparison_coercion(&Int64, &Boolean), None);
    }

    #[test]
    fn kernel_decides_decimal_result() {
        let t = binary_result_type(&Decimal128(15, 2), Operator::Multiply, &Decimal128(15, 2)).unwrap();
        assert_eq!(t, Decimal128(31, 4));
        assert!(binary_result_type(&Utf8, Operator::Plus, &Int64).is_err());
    }
}
