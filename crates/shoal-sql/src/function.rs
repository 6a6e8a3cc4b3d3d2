//! Function calls: registry scalar functions, aggregate calls (DISTINCT, FILTER, `count(*)`)
//! and the SQL special forms EXTRACT, SUBSTRING, TRIM, POSITION, CEIL/FLOOR.

use std::sync::Arc;

use shoal_common::error::suggest;
use shoal_common::Result;
use shoal_expr::{lit, AggregateFunction, AggregateFunctionExpr, Expr, ScalarFunction, ScalarFunctionExpr};
use sqlparser::ast::{
    CeilFloorKind, DateTimeField, DuplicateTreatment, Expr as SqlExpr, Function, FunctionArg,
    FunctionArgExpr, FunctionArguments, ObjectNamePart, Spanned, TrimWhereField,
};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::expr::ExprScope;

/// A positional argument's expression. The DuckDB dialect parses `f(x = 1)` as a named argument
/// `x` with value `1`; no scalar, aggregate or window function takes named arguments, so there it
/// is the comparison `x = 1`, as in PostgreSQL. `None` for `*` and `name => value`.
pub(crate) fn positional_arg(arg: &FunctionArg) -> Option<std::borrow::Cow<'_, SqlExpr>> {
    use sqlparser::ast::{BinaryOperator, FunctionArgOperator};
    match arg {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(std::borrow::Cow::Borrowed(e)),
        FunctionArg::Named { name, arg: FunctionArgExpr::Expr(e), operator: FunctionArgOperator::Equals } => {
            Some(std::borrow::Cow::Owned(SqlExpr::BinaryOp {
                left: Box::new(SqlExpr::Identifier(name.clone())),
                op: BinaryOperator::Eq,
                right: Box::new(e.clone()),
            }))
        }
        _ => None,
    }
}
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

impl SqlPlanner<'_> {
    /// `name(args)`: an aggregate call, or a scalar function from the registry.
    pub(crate) fn function_call(&self, f: &Function, scope: &ExprScope) -> Result<Expr> {
        let span = f.span();
        if let Some(over) = &f.over {
            return self.window_call(f, over, scope);
        }
        if f.null_treatment.is_some()
            || f.uses_odbc_syntax
            || !matches!(f.parameters, FunctionArguments::None)
        {
            return Err(not_supported_at(span, format!("the function call {f}")));
        }
        let name = match f.name.0.as_slice() {
            [ObjectNamePart::Identifier(id)] => id.value.to_lowercase(),
            _ => {
                return Err(not_supported_at(
                    f.name.span(),
                    format!("the qualified function name {}", f.name),
                ))
            }
        };
        let (args, distinct) = match &f.args {
            FunctionArguments::None => (&[][..], false),
            FunctionArguments::Subquery(_) => return Err(not_supported_at(span, "subquery expressions")),
            FunctionArguments::List(list) => {
                (list.args.as_slice(), matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)))
            }
        };
        if let Some(func) = self.ctx.get_aggregate_function(&name) {
            return self.aggregate_call(func, args, distinct, f, scope);
        }
        // ORDER BY / SEPARATOR inside the parentheses and WITHIN GROUP belong to aggregates
        let has_clauses = matches!(&f.args, FunctionArguments::List(list) if !list.clauses.is_empty());
        if has_clauses || !f.within_group.is_empty() {
            return Err(not_supported_at(span, format!("clauses inside the call {f}")));
        }
        if name == "grouping" {
            return Ok(crate::grouping::grouping_call(self.plain_args(args, scope, &name)?));
        }
        if distinct || f.filter.is_some() {
            return Err(plan_error_at(
                span,
                format!("DISTINCT and FILTER are only allowed in aggregate calls, and {name}() is not an aggregate"),
            ));
        }
        let name = match name.as_str() {
            "current_timestamp" if self.ctx.get_scalar_function(&name).is_none() => "now",
            n => n,
        };
        if let Some(e) = crate::window::window_function_without_over(name, span) {
            return Err(e);
        }
        let func = self.lookup_scalar(name, f.name.span())?;
        let args = self.plain_args(args, scope, name)?;
        Ok(Expr::ScalarFunction(ScalarFunctionExpr { func, args }))
    }

    /// A call of the registry function `name`.
    pub(crate) fn call_scalar(&self, name: &str, args: Vec<Expr>, span: SqlSpan) -> Result<Expr> {
        let func = self.lookup_scalar(name, span)?;
        Ok(Expr::ScalarFunction(ScalarFunctionExpr { func, args }))
    }

    /// The registry function `name`; unknown names get a "did you mean".
    fn lookup_scalar(&self, name: &str, span: SqlSpan) -> Result<Arc<dyn ScalarFunction>> {
        match self.ctx.get_scalar_function(name) {
            Some(func) => Ok(func),
            None => {
                let mut names = self.ctx.function_names();
                names.extend(AggregateFunction::ALL.iter().map(|a| a.name().to_string()));
                let mut message = format!("unknown function '{name}'");
                if let Some(s) = suggest(name, names.iter().map(String::as_str)) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                Err(plan_error_at(span, message))
            }
        }
    }

    /// Positional, non-wildcard arguments of a scalar function.
    fn plain_args(&self, args: &[FunctionArg], scope: &ExprScope, name: &str) -> Result<Vec<Expr>> {
        args.iter()
            .map(|a| match (a, positional_arg(a)) {
                (_, Some(e)) => self.sql_to_expr(&e, scope),
                (FunctionArg::Unnamed(_), None) => {
                    Err(plan_error_at(a.span(), format!("'*' is not a valid argument of {name}()")))
                }
                _ => Err(not_supported_at(a.span(), format!("named arguments in a call of {name}()"))),
            })
            .collect()
    }

    fn aggregate_call(
        &self,
        func: AggregateFunction,
        args: &[FunctionArg],
        distinct: bool,
        f: &Function,
        scope: &ExprScope,
    ) -> Result<Expr> {
        let span = f.span();
        let star = matches!(
            args,
            [FunctionArg::Unnamed(FunctionArgExpr::Wildcard | FunctionArgExpr::QualifiedWildcard(_))]
        );
        let mut args = if star {
            if func != AggregateFunction::Count || distinct {
                return Err(plan_error_at(span, format!("'*' is only allowed in count(*), not in {f}")));
            }
            vec![]
        } else {
            if args.is_empty() {
                return Err(plan_error_at(span, format!("{}() needs an argument", func.name())));
            }
            self.plain_args(args, scope, func.name())?
        };
        let order_by = self.aggregate_clauses(func, &mut args, f, scope)?;
        for a in &args {
            if a.contains_aggregate() {
                return Err(plan_error_at(span, format!("aggregate function calls cannot be nested: {f}")));
            }
            if a.contains_window() {
                return Err(plan_error_at(
                    span,
                    format!("window functions are not allowed in aggregate arguments: {f}"),
                ));
            }
        }
        let filter = match &f.filter {
            Some(cond) => {
                let e = self.sql_to_expr(cond, scope)?;
                if e.contains_aggregate() {
                    return Err(plan_error_at(
                        cond.span(),
                        "aggregate functions are not allowed in FILTER (WHERE ..)",
                    ));
                }
                Some(Box::new(e))
            }
            None => None,
        };
        Ok(Expr::AggregateFunction(AggregateFunctionExpr { func, args, distinct, filter, order_by }))
    }

    /// `EXTRACT(field FROM x)` → `date_part('field', x)`.
    pub(crate) fn extract(
        &self,
        field: &DateTimeField,
        expr: &SqlExpr,
        scope: &ExprScope,
        span: SqlSpan,
    ) -> Result<Expr> {
        let part = match field {
            DateTimeField::Custom(id) => id.value.to_lowercase(),
            DateTimeField::Week(Some(_)) => {
                return Err(not_supported_at(span, "EXTRACT(WEEK(<weekday>) ..)"))
            }
            other => other.to_string().to_lowercase(),
        };
        let x = self.sql_to_expr(expr, scope)?;
        self.call_scalar("date_part", vec![lit(part), x], span)
    }

    /// `SUBSTRING(x FROM a FOR b)` → `substr(x, a, b)`.
    pub(crate) fn substring(
        &self,
        expr: &SqlExpr,
        from: &Option<Box<SqlExpr>>,
        length: &Option<Box<SqlExpr>>,
        scope: &ExprScope,
        span: SqlSpan,
    ) -> Result<Expr> {
        let mut args = vec![self.sql_to_expr(expr, scope)?];
        args.push(match from {
            Some(a) => self.sql_to_expr(a, scope)?,
            None => lit(1i64),
        });
        if let Some(b) = length {
            args.push(self.sql_to_expr(b, scope)?);
        }
        self.call_scalar("substr", args, span)
    }

    /// `TRIM([BOTH|LEADING|TRAILING] [chars] FROM x)` → `btrim` / `ltrim` / `rtrim`.
    pub(crate) fn trim(
        &self,
        trim_where: &Option<TrimWhereField>,
        trim_what: &Option<Box<SqlExpr>>,
        expr: &SqlExpr,
        trim_characters: &Option<Vec<SqlExpr>>,
        scope: &ExprScope,
        span: SqlSpan,
    ) -> Result<Expr> {
        let name = match trim_where {
            None | Some(TrimWhereField::Both) => "btrim",
            Some(TrimWhereField::Leading) => "ltrim",
            Some(TrimWhereField::Trailing) => "rtrim",
        };
        let chars = match (trim_what, trim_characters.as_deref()) {
            (Some(c), None) => Some(c.as_ref()),
            (None, None) => None,
            (None, Some([c])) => Some(c),
            _ => return Err(not_supported_at(span, "this form of TRIM")),
        };
        let mut args = vec![self.sql_to_expr(expr, scope)?];
        if let Some(c) = chars {
            args.push(self.sql_to_expr(c, scope)?);
        }
        self.call_scalar(name, args, span)
    }

    /// `CEIL(x)` / `FLOOR(x)`.
    pub(crate) fn ceil_floor(
        &self,
        name: &str,
        expr: &SqlExpr,
        field: &CeilFloorKind,
        scope: &ExprScope,
        span: SqlSpan,
    ) -> Result<Expr> {
        if !matches!(field, CeilFloorKind::DateTimeField(DateTimeField::NoDateTime)) {
            return Err(not_supported_at(span, format!("{name} with a unit or scale")));
        }
        let x = self.sql_to_expr(expr, scope)?;
        self.call_scalar(name, vec![x], span).at(span)
    }
}
