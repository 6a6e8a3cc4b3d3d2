//! Window functions in SQL: `f(..) OVER (PARTITION BY .. ORDER BY .. frame)`, named windows
//! (`WINDOW w AS (..)`, `OVER w`), QUALIFY, and planning the `Window` nodes of a SELECT.
//!
//! A SELECT is planned as: aggregate (if any) → one `Window` node per distinct
//! (PARTITION BY, ORDER BY) → QUALIFY filter → projection → sort. Window calls in the select
//! list, QUALIFY and ORDER BY are replaced by references to the window node's output columns.

use shoal_common::{Result, ScalarValue};
use shoal_expr::{
    AggregateFunction, Expr, LogicalPlan, LogicalPlanBuilder, PlanSchema, SortExpr, Transformed, TreeNode,
    TreeNodeRecursion, WindowFrame, WindowFrameBound, WindowFrameUnits, WindowFunction, WindowFunctionExpr,
};
use sqlparser::ast::{
    self as ast, DuplicateTreatment, Expr as SqlExpr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, NamedWindowDefinition, NamedWindowExpr, ObjectNamePart, Select, Spanned, WindowSpec,
    WindowType,
};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::aggregate::normalize;
use crate::expr::ExprScope;
use crate::query::sort_options;
use crate::select::{SelectExpr, SortKey, SortTarget};
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

/// Pops the named windows of a SELECT when its planning ends (also on error).
pub(crate) struct NamedWindowsGuard<'a, 'p> {
    planner: &'a SqlPlanner<'p>,
}

impl Drop for NamedWindowsGuard<'_, '_> {
    fn drop(&mut self) {
        self.planner.named_windows.borrow_mut().pop();
    }
}

impl<'p> SqlPlanner<'p> {
    /// Make the `WINDOW` definitions of `select` visible to its `OVER name` clauses until the
    /// guard is dropped. Duplicate names are an error.
    pub(crate) fn enter_named_windows<'a>(&'a self, select: &Select) -> Result<NamedWindowsGuard<'a, 'p>> {
        for (i, def) in select.named_window.iter().enumerate() {
            let name = &def.0;
            if select.named_window[..i].iter().any(|d| d.0.value.eq_ignore_ascii_case(&name.value)) {
                return Err(plan_error_at(name.span, format!("window '{}' is defined twice", name.value)));
            }
        }
        self.named_windows.borrow_mut().push(select.named_window.clone());
        Ok(NamedWindowsGuard { planner: self })
    }

    /// The window specification named `name` in the innermost SELECT.
    fn named_window(&self, name: &ast::Ident, depth: usize) -> Result<WindowSpec> {
        let found: Option<NamedWindowDefinition> = self
            .named_windows
            .borrow()
            .last()
            .and_then(|defs| defs.iter().find(|d| d.0.value.eq_ignore_ascii_case(&name.value)).cloned());
        let Some(NamedWindowDefinition(_, expr)) = found else {
            return Err(plan_error_at(
                name.span,
                format!("unknown window '{}' (no WINDOW {} AS (..))", name.value, name.value),
            ));
        };
        if depth > 16 {
            return Err(plan_error_at(name.span, format!("window '{}' refers to itself", name.value)));
        }
        match expr {
            NamedWindowExpr::NamedWindow(other) => self.named_window(&other, depth + 1),
            NamedWindowExpr::WindowSpec(spec) => self.resolve_window_spec(spec, depth + 1),
        }
    }

    /// A window specification with its base window (`OVER (w ORDER BY ..)`) merged in, as in
    /// PostgreSQL: the partitioning comes from the base, which must not also be given; the
    /// ordering from whichever has one (not both); the frame from the referencing window.
    fn resolve_window_spec(&self, spec: WindowSpec, depth: usize) -> Result<WindowSpec> {
        let Some(base_name) = &spec.window_name else {
            return Ok(spec);
        };
        let base = self.named_window(base_name, depth)?;
        if !spec.partition_by.is_empty() {
            return Err(plan_error_at(
                base_name.span,
                format!("cannot override the PARTITION BY of window '{}'", base_name.value),
            ));
        }
        if !spec.order_by.is_empty() && !base.order_by.is_empty() {
            return Err(plan_error_at(
                base_name.span,
                format!("cannot override the ORDER BY of window '{}'", base_name.value),
            ));
        }
        if base.window_frame.is_some() {
            return Err(plan_error_at(
                base_name.span,
                format!("cannot copy window '{}' because it has a frame clause", base_name.value),
            ));
        }
        Ok(WindowSpec {
            window_name: None,
            partition_by: base.partition_by,
            order_by: if spec.order_by.is_empty() { base.order_by } else { spec.order_by },
            window_frame: spec.window_frame,
        })
    }

    /// `f(args) OVER (..)`: a window function or an aggregate computed over a window.
    pub(crate) fn window_call(&self, f: &Function, over: &WindowType, scope: &ExprScope) -> Result<Expr> {
        let span = f.span();
        if !f.within_group.is_empty()
            || f.uses_odbc_syntax
            || !matches!(f.parameters, FunctionArguments::None)
        {
            return Err(not_supported_at(span, format!("the function call {f}")));
        }
        if f.null_treatment.is_some() {
            return Err(not_supported_at(span, "IGNORE NULLS / RESPECT NULLS"));
        }
        if f.filter.is_some() {
            return Err(not_supported_at(span, "FILTER (WHERE ..) in a window function call"));
        }
        let name = match f.name.0.as_slice() {
            [ObjectNamePart::Identifier(id)] => id.value.to_lowercase(),
            _ => return Err(not_supported_at(f.name.span(), format!("the window function {}", f.name))),
        };
        let Some(func) = WindowFunction::from_name(&name) else {
            let message = if self.ctx.get_scalar_function(&name).is_some() {
                format!("{name}() is not a window or aggregate function, so it cannot have OVER")
            } else {
                format!("unknown window function '{name}'")
            };
            return Err(plan_error_at(f.name.span(), message));
        };
        let args: &[FunctionArg] = match &f.args {
            FunctionArguments::None => &[],
            FunctionArguments::Subquery(_) => return Err(not_supported_at(span, "subquery arguments")),
            FunctionArguments::List(list) => {
                if matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
                    return Err(not_supported_at(span, "DISTINCT in a window function call"));
                }
                if !list.clauses.is_empty() {
                    return Err(not_supported_at(span, format!("clauses inside the call {f}")));
                }
                &list.args
            }
        };
        let args = self.window_args(func, args, span, scope)?;
        for a in &args {
            if a.contains_window() {
                return Err(plan_error_at(span, format!("window function calls cannot be nested: {f}")));
            }
        }
        check_constant_args(func, &args, span)?;
        let spec = match over {
            WindowType::NamedWindow(id) => self.named_window(id, 0)?,
            WindowType::WindowSpec(spec) => self.resolve_window_spec(spec.clone(), 0)?,
        };
        let partition_by =
            spec.partition_by.iter().map(|p| self.window_key(p, scope)).collect::<Result<Vec<_>>>()?;
        let mut order_by = vec![];
        for o in &spec.order_by {
            let (asc, nulls_first) = sort_options(o)?;
            order_by.push(SortExpr::new(self.window_key(&o.expr, scope)?, asc, nulls_first));
        }
        let frame = match &spec.window_frame {
            None => WindowFrame::default_for(!order_by.is_empty()),
            Some(frame) => self.window_frame(frame, span)?,
        };
        Ok(Expr::WindowFunction(WindowFunctionExpr { func, args, partition_by, order_by, frame }))
    }

    fn window_args(
        &self,
        func: WindowFunction,
        args: &[FunctionArg],
        span: SqlSpan,
        scope: &ExprScope,
    ) -> Result<Vec<Expr>> {
        let star = matches!(
            args,
            [FunctionArg::Unnamed(FunctionArgExpr::Wildcard | FunctionArgExpr::QualifiedWildcard(_))]
        );
        if star {
            if func != WindowFunction::Aggregate(AggregateFunction::Count) {
                return Err(plan_error_at(
                    span,
                    format!("'*' is only allowed in count(*), not in {}()", func.name()),
                ));
            }
            return Ok(vec![]);
        }
        if args.is_empty() && matches!(func, WindowFunction::Aggregate(_)) {
            return Err(plan_error_at(span, format!("{}() needs an argument", func.name())));
        }
        args.iter()
            .map(|a| match (a, crate::function::positional_arg(a)) {
                (_, Some(e)) => self.sql_to_expr(&e, scope),
                (FunctionArg::Unnamed(_), None) => {
                    Err(plan_error_at(a.span(), format!("'*' is not a valid argument of {}()", func.name())))
                }
                _ => {
                    Err(not_supported_at(a.span(), format!("named arguments in a call of {}()", func.name())))
                }
            })
            .collect()
    }

    /// A PARTITION BY or window ORDER BY key: an expression (no nested window calls).
    fn window_key(&self, e: &SqlExpr, scope: &ExprScope) -> Result<Expr> {
        let expr = self.sql_to_expr(e, scope)?;
        if expr.contains_window() {
            return Err(plan_error_at(e.span(), "window functions are not allowed in a window definition"));
        }
        Ok(expr)
    }

    fn window_frame(&self, frame: &ast::WindowFrame, span: SqlSpan) -> Result<WindowFrame> {
        let units = match frame.units {
            ast::WindowFrameUnits::Rows => WindowFrameUnits::Rows,
            ast::WindowFrameUnits::Range => WindowFrameUnits::Range,
            ast::WindowFrameUnits::Groups => return Err(not_supported_at(span, "GROUPS window frames")),
        };
        let start = self.frame_bound(&frame.start_bound)?;
        let end = match &frame.end_bound {
            Some(b) => self.frame_bound(b)?,
            None => WindowFrameBound::CurrentRow,
        };
        WindowFrame::try_new(units, start, end).at(span)
    }

    fn frame_bound(&self, bound: &ast::WindowFrameBound) -> Result<WindowFrameBound> {
        let offset = |e: &SqlExpr| -> Result<ScalarValue> {
            let empty = PlanSchema::empty();
            match self.sql_to_expr(e, &ExprScope::new(&empty))? {
                Expr::Literal(v) => Ok(v),
                other => Err(plan_error_at(
                    e.span(),
                    format!("a window frame offset must be a constant, got {other}"),
                )),
            }
        };
        Ok(match bound {
            ast::WindowFrameBound::CurrentRow => WindowFrameBound::CurrentRow,
            ast::WindowFrameBound::Preceding(None) => WindowFrameBound::UnboundedPreceding,
            ast::WindowFrameBound::Following(None) => WindowFrameBound::UnboundedFollowing,
            ast::WindowFrameBound::Preceding(Some(e)) => WindowFrameBound::Preceding(offset(e)?),
            ast::WindowFrameBound::Following(Some(e)) => WindowFrameBound::Following(offset(e)?),
        })
    }

    /// Plan the window calls of the select list, QUALIFY and ORDER BY over `base`: one
    /// `Window` node per distinct (PARTITION BY, ORDER BY), then the QUALIFY filter; the
    /// calls are replaced by references to the window columns.
    pub(crate) fn plan_windows(
        &self,
        base: LogicalPlan,
        items: Vec<SelectExpr>,
        sort_keys: Vec<SortKey>,
        qualify: Option<SelectExpr>,
    ) -> Result<(LogicalPlan, Vec<SelectExpr>, Vec<SortKey>)> {
        let schema = base.schema().clone();
        // (call as planned, normalized call, output column name, span)
        let mut calls: Vec<(Expr, Expr, String, SqlSpan)> = vec![];
        let mut collect = |e: &Expr, span: SqlSpan| {
            let _ = e.apply(|n| {
                if let Expr::WindowFunction(_) = n {
                    let norm = normalize(n, &schema);
                    if !calls.iter().any(|(_, x, _, _)| *x == norm) {
                        let mut name = n.name();
                        if calls.iter().any(|(_, _, used, _)| *used == name) {
                            name = format!("{name} #{}", calls.len() + 1);
                        }
                        calls.push((n.clone(), norm, name, span));
                    }
                    return Ok(TreeNodeRecursion::Jump);
                }
                Ok(TreeNodeRecursion::Continue)
            });
        };
        for item in items.iter().chain(qualify.iter()) {
            collect(&item.expr, item.span);
        }
        for key in &sort_keys {
            if let SortTarget::Expr(e) = &key.target {
                collect(e, key.span);
            }
        }
        let mut builder = LogicalPlanBuilder::from(base);
        // group calls sharing PARTITION BY and ORDER BY into one node, in order of appearance
        let mut done = vec![false; calls.len()];
        for i in 0..calls.len() {
            if done[i] {
                continue;
            }
            let key = window_key_of(&calls[i].1);
            let mut exprs = vec![];
            for j in i..calls.len() {
                if !done[j] && window_key_of(&calls[j].1) == key {
                    done[j] = true;
                    exprs.push(calls[j].0.clone().alias(&calls[j].2));
                }
            }
            builder = builder.window(exprs).at(calls[i].3)?;
        }
        let rewrite = |e: Expr| -> Result<Expr> {
            if calls.is_empty() {
                return Ok(e);
            }
            Ok(e.transform_down(|n| {
                if let Expr::WindowFunction(_) = &n {
                    let norm = normalize(&n, &schema);
                    if let Some((_, _, name, _)) = calls.iter().find(|(_, x, _, _)| *x == norm) {
                        return Ok(Transformed::yes(Expr::Column(shoal_expr::Column::from_name(name))));
                    }
                }
                Ok(Transformed::no(n))
            })?
            .data)
        };
        if let Some(q) = qualify {
            let predicate = rewrite(q.expr)?;
            builder = builder.filter(predicate).at(q.span)?;
        }
        let items = items
            .into_iter()
            .map(|i| Ok(SelectExpr { expr: rewrite(i.expr)?, ..i }))
            .collect::<Result<Vec<_>>>()?;
        let sort_keys = sort_keys
            .into_iter()
            .map(|k| {
                let target = match k.target {
                    SortTarget::Expr(e) => SortTarget::Expr(rewrite(e)?),
                    t => t,
                };
                Ok(SortKey { target, ..k })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((builder.build()?, items, sort_keys))
    }

    /// `QUALIFY cond`, planned like a hidden select item (so aggregation rewrites it too).
    pub(crate) fn plan_qualify(&self, select: &Select, scope: &ExprScope) -> Result<Option<SelectExpr>> {
        let Some(q) = &select.qualify else {
            return Ok(None);
        };
        let expr = self.sql_to_expr(q, scope)?;
        Ok(Some(SelectExpr { expr, name: "__qualify".into(), span: q.span() }))
    }
}

/// The (PARTITION BY, ORDER BY) of a window call, which decides the node that computes it.
fn window_key_of(e: &Expr) -> Option<(Vec<Expr>, Vec<SortExpr>)> {
    match e {
        Expr::WindowFunction(w) => Some((w.partition_by.clone(), w.order_by.clone())),
        _ => None,
    }
}

/// The arguments the window operator needs as constants: ntile's bucket count, lag/lead's
/// offset and nth_value's row number.
fn check_constant_args(func: WindowFunction, args: &[Expr], span: SqlSpan) -> Result<()> {
    let positive = |e: &Expr, what: &str| -> Result<()> {
        match e {
            Expr::Literal(v) if v.as_i64().is_some_and(|n| n > 0) => Ok(()),
            _ => Err(plan_error_at(
                span,
                format!("{}(): the {what} must be a positive integer constant, got {e}", func.name()),
            )),
        }
    };
    match (func, args) {
        (WindowFunction::Ntile, [n]) => positive(n, "bucket count"),
        (WindowFunction::NthValue, [_, n]) => positive(n, "row number"),
        (WindowFunction::Lag | WindowFunction::Lead, [_, o, ..]) => match o {
            Expr::Literal(v) if v.as_i64().is_some() => Ok(()),
            _ => Err(plan_error_at(
                span,
                format!("{}(): the offset must be an integer constant, got {o}", func.name()),
            )),
        },
        _ => Ok(()),
    }
}

/// The error for a window-only function called without OVER, if `name` is one.
pub(crate) fn window_function_without_over(name: &str, span: SqlSpan) -> Option<shoal_common::ShoalError> {
    WindowFunction::builtin_from_name(name)
        .map(|f| plan_error_at(span, format!("{}() is a window function and needs an OVER clause", f.name())))
}

/// An error if `expr` (of a clause that runs before windows, e.g. WHERE) calls a window function.
pub(crate) fn reject_window(expr: &Expr, span: SqlSpan, clause: &str) -> Result<()> {
    if expr.contains_window() {
        return Err(plan_error_at(span, format!("window functions are not allowed in {clause}")));
    }
    Ok(())
}
