//! SELECT: FROM → WHERE → GROUP BY / aggregates → HAVING → select list → DISTINCT →
//! ORDER BY (keys not in the select list are carried by an extra projection and dropped after).

use shoal_common::{Result, ShoalError};
use shoal_expr::{Column, Expr, LogicalPlan, LogicalPlanBuilder, PlanSchema, SortExpr};
use shoal_expr::{Transformed, TreeNode};
use sqlparser::ast::{
    Distinct, ExcludeSelectItem, Expr as SqlExpr, OrderByExpr, Select, SelectFlavor, SelectItem,
    SelectItemQualifiedWildcardKind, Spanned, WildcardAdditionalOptions,
};
use sqlparser::tokenizer::Span as SqlSpan;

use crate::aggregate::normalize;
use crate::expr::ExprScope;
use crate::query::{ordinal, sort_options};
use crate::span::{not_supported_at, plan_error_at, WithSqlSpan};
use crate::SqlPlanner;

/// One output column of the select list.
#[derive(Debug, Clone)]
pub(crate) struct SelectExpr {
    /// The expression, without alias, over the input of the projection.
    pub expr: Expr,
    /// The output column name: the alias, else the expression's text, else the column name.
    pub name: String,
    pub span: SqlSpan,
}

/// What an ORDER BY item sorts by.
#[derive(Debug, Clone)]
pub(crate) enum SortTarget {
    /// Output column `i` of the select list (an ordinal or an output name).
    Output(usize),
    /// An expression over the input of the projection.
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub(crate) struct SortKey {
    pub target: SortTarget,
    pub asc: bool,
    pub nulls_first: bool,
    pub span: SqlSpan,
}

impl SqlPlanner<'_> {
    /// Plan a SELECT together with the ORDER BY of its query.
    pub(crate) fn plan_select(&self, select: &Select, order_by: &[OrderByExpr]) -> Result<LogicalPlan> {
        check_select_supported(select)?;
        let _named_windows = self.enter_named_windows(select)?;
        let distinct = match &select.distinct {
            None | Some(Distinct::All) => false,
            Some(Distinct::Distinct) => true,
            Some(Distinct::On(_)) => return Err(not_supported_at(select.span(), "SELECT DISTINCT ON")),
        };

        // FROM, WHERE
        let mut input = self.plan_from(&select.from)?;
        if let Some(selection) = &select.selection {
            let predicate = self.sql_to_expr(selection, &ExprScope::new(input.schema()))?;
            if predicate.contains_aggregate() {
                return Err(plan_error_at(
                    selection.span(),
                    "aggregate functions are not allowed in WHERE (use HAVING)",
                ));
            }
            crate::window::reject_window(&predicate, selection.span(), "WHERE (use QUALIFY)")?;
            input = LogicalPlanBuilder::from(input)
                .filter(predicate)
                .and_then(LogicalPlanBuilder::build)
                .at(selection.span())?;
        }
        let in_schema = input.schema().clone();

        // select list, then the clauses that may refer to it
        let items = self.plan_select_items(select, &input)?;
        let aliases: Vec<(String, Expr)> = select
            .projection
            .iter()
            .filter_map(|item| match item {
                SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
                _ => None,
            })
            .filter_map(|alias| {
                let item = items.iter().find(|i| i.name == alias)?;
                Some((alias, item.expr.clone()))
            })
            .collect();
        let alias_scope = ExprScope::with_aliases(&in_schema, &aliases);
        let group_by = self.plan_group_by(&select.group_by, &items, &alias_scope)?;
        let having = match &select.having {
            Some(h) => Some((self.sql_to_expr(h, &alias_scope)?, h.span())),
            None => None,
        };
        if let Some((h, span)) = &having {
            crate::window::reject_window(h, *span, "HAVING (use QUALIFY)")?;
        }
        // QUALIFY rides along as a hidden last select item, so aggregation rewrites it too
        let qualify = self.plan_qualify(select, &alias_scope)?;
        let has_qualify = qualify.is_some();
        let mut items = items;
        items.extend(qualify);
        let sort_keys = order_by
            .iter()
            .map(|o| self.plan_sort_key(o, &items, &alias_scope))
            .collect::<Result<Vec<_>>>()?;

        let aggregating = !group_by.is_empty()
            || having.is_some()
            || items.iter().any(|i| i.expr.contains_aggregate())
            || sort_keys.iter().any(|k| matches!(&k.target, SortTarget::Expr(e) if e.contains_aggregate()));
        let (base, mut items, sort_keys) = if aggregating {
            self.plan_aggregation(input, group_by, items, having, sort_keys)?
        } else {
            (input, items, sort_keys)
        };
        let qualify = if has_qualify { items.pop() } else { None };
        let (base, items, sort_keys) = self.plan_windows(base, items, sort_keys, qualify)?;
        self.plan_projection_and_sort(base, items, sort_keys, distinct)
    }

    /// The select list over `input`, wildcards expanded.
    fn plan_select_items(&self, select: &Select, input: &LogicalPlan) -> Result<Vec<SelectExpr>> {
        let scope = ExprScope::new(input.schema());
        let mut items = vec![];
        if select.projection.is_empty() && select.flavor == SelectFlavor::FromFirstNoSelect {
            return expand_wildcard(input, None, None, select.span());
        }
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let expr = self.sql_to_expr(e, &scope)?;
                    items.push(SelectExpr { name: expr.name(), expr, span: e.span() });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let planned = self.sql_to_expr(expr, &scope)?;
                    items.push(SelectExpr {
                        expr: planned.unalias(),
                        name: alias.value.clone(),
                        span: expr.span(),
                    });
                }
                SelectItem::Wildcard(options) => {
                    items.extend(expand_wildcard(input, None, Some(options), item.span())?)
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), options) => {
                    let qualifier: Vec<String> = name.0.iter().map(|p| p.to_string()).collect();
                    let qualifier = match name.0.as_slice() {
                        [sqlparser::ast::ObjectNamePart::Identifier(id)] => id.value.clone(),
                        _ => qualifier.join("."),
                    };
                    items.extend(expand_wildcard(input, Some(&qualifier), Some(options), item.span())?)
                }
                other => return Err(not_supported_at(other.span(), format!("the select item {other}"))),
            }
        }
        Ok(items)
    }

    /// An ORDER BY item: an ordinal or output name refers to the select list; anything else
    /// is an expression over the input (select aliases allowed).
    fn plan_sort_key(&self, o: &OrderByExpr, items: &[SelectExpr], scope: &ExprScope) -> Result<SortKey> {
        let (asc, nulls_first) = sort_options(o)?;
        let span = o.expr.span();
        let target = if let Some(i) = ordinal(&o.expr, items.len(), "ORDER BY")? {
            SortTarget::Output(i)
        } else if let SqlExpr::Identifier(id) = &o.expr {
            let by_name = items
                .iter()
                .position(|i| i.name == id.value)
                .or_else(|| items.iter().position(|i| i.name.eq_ignore_ascii_case(&id.value)));
            match by_name {
                Some(i) => SortTarget::Output(i),
                None => SortTarget::Expr(self.sql_to_expr(&o.expr, scope)?),
            }
        } else {
            SortTarget::Expr(self.sql_to_expr(&o.expr, scope)?)
        };
        Ok(SortKey { target, asc, nulls_first, span })
    }

    /// Projection of the select list over `base`, DISTINCT, and the sort. Sort expressions
    /// that are not in the select list are computed by the projection and dropped after the
    /// sort.
    fn plan_projection_and_sort(
        &self,
        base: LogicalPlan,
        items: Vec<SelectExpr>,
        sort_keys: Vec<SortKey>,
        distinct: bool,
    ) -> Result<LogicalPlan> {
        let base_schema = base.schema().clone();
        let builder = LogicalPlanBuilder::from(base);
        let mut exprs = vec![];
        for item in &items {
            let coerced = builder.coerce(item.expr.clone()).at(item.span)?;
            exprs.push(if coerced.name() == item.name { coerced } else { coerced.alias(&item.name) });
        }
        let projected = builder
            .clone()
            .project(exprs.clone())
            .and_then(LogicalPlanBuilder::build)
            .at_with(|| items.first().map_or(SqlSpan::empty(), |i| i.span))?;
        if sort_keys.is_empty() {
            return finish_distinct(projected, distinct);
        }
        let out_schema = projected.schema().clone();
        let normalized_items: Vec<Expr> = items.iter().map(|i| normalize(&i.expr, &base_schema)).collect();
        // A reference to output column `i`; it must name that column and no other.
        let output_column = |i: usize, span: SqlSpan| -> Result<Expr> {
            let column = out_schema.column(i);
            match out_schema.maybe_index_of_column(&column) {
                Ok(Some(k)) if k == i => Ok(Expr::Column(column)),
                _ => Err(plan_error_at(
                    span,
                    format!(
                        "ORDER BY refers to '{}', which names more than one column of the select list",
                        items[i].name
                    ),
                )),
            }
        };
        // (input column, expression added to the projection, reference to it after)
        let mut extras: Vec<(Column, Expr, Column)> = vec![];
        let mut sort_exprs = vec![];
        for key in &sort_keys {
            let expr = match &key.target {
                SortTarget::Output(i) => output_column(*i, key.span)?,
                SortTarget::Expr(e) => {
                    e.clone()
                        .transform_down(|node| {
                            let n = normalize(&node, &base_schema);
                            if let Some(i) = normalized_items.iter().position(|x| *x == n) {
                                return Ok(Transformed::yes(output_column(i, key.span)?));
                            }
                            let Expr::Column(c) = n else {
                                return Ok(Transformed::no(node));
                            };
                            if distinct {
                                return Err(plan_error_at(
                                    key.span,
                                    format!("for SELECT DISTINCT, ORDER BY expressions must appear in the select list, but {c} does not"),
                                ));
                            }
                            if let Some((_, _, r)) = extras.iter().find(|(b, _, _)| *b == c) {
                                return Ok(Transformed::yes(Expr::Column(r.clone())));
                            }
                            let clashes = c.relation.is_none()
                                && out_schema
                                    .fields()
                                    .iter()
                                    .any(|f| f.name().eq_ignore_ascii_case(&c.name));
                            let (projected, reference) = if clashes {
                                let name = format!("__sort_key_{}", extras.len());
                                (Expr::Column(c.clone()).alias(&name), Column::from_name(name))
                            } else {
                                (Expr::Column(c.clone()), c.clone())
                            };
                            extras.push((c, projected, reference.clone()));
                            Ok(Transformed::yes(Expr::Column(reference)))
                        })?
                        .data
                }
            };
            sort_exprs.push(SortExpr::new(expr, key.asc, key.nulls_first));
        }
        if extras.is_empty() {
            let plan = finish_distinct(projected, distinct)?;
            return LogicalPlanBuilder::from(plan).sort(sort_exprs)?.build();
        }
        // dropping the extra columns again needs the select list's names to be unambiguous
        for (i, column) in out_schema.columns().into_iter().enumerate() {
            if !matches!(out_schema.maybe_index_of_column(&column), Ok(Some(k)) if k == i) {
                return Err(not_supported_at(
                    sort_keys.first().map_or(items[i].span, |k| k.span),
                    format!(
                        "ORDER BY a column that is not selected when the select list names '{}' twice",
                        items[i].name
                    ),
                ));
            }
        }
        let with_extras = exprs.into_iter().chain(extras.into_iter().map(|(_, e, _)| e));
        let final_columns = out_schema.columns().into_iter().map(Expr::Column);
        builder.project(with_extras)?.sort(sort_exprs)?.project(final_columns)?.build()
    }
}

fn finish_distinct(plan: LogicalPlan, distinct: bool) -> Result<LogicalPlan> {
    if distinct {
        LogicalPlanBuilder::from(plan).distinct()?.build()
    } else {
        Ok(plan)
    }
}

/// `*` / `t.*` over `input`, minus `EXCLUDE (..)` columns.
fn expand_wildcard(
    input: &LogicalPlan,
    qualifier: Option<&str>,
    options: Option<&WildcardAdditionalOptions>,
    span: SqlSpan,
) -> Result<Vec<SelectExpr>> {
    let mut excluded: Vec<(String, SqlSpan)> = vec![];
    if let Some(o) = options {
        if o.opt_ilike.is_some()
            || o.opt_except.is_some()
            || o.opt_replace.is_some()
            || o.opt_rename.is_some()
            || o.opt_alias.is_some()
        {
            return Err(not_supported_at(span, "wildcard options other than EXCLUDE"));
        }
        let names = match &o.opt_exclude {
            None => vec![],
            Some(ExcludeSelectItem::Single(n)) => vec![n],
            Some(ExcludeSelectItem::Multiple(ns)) => ns.iter().collect(),
        };
        for n in names {
            let last = n.0.last().map(|p| match p {
                sqlparser::ast::ObjectNamePart::Identifier(id) => id.value.clone(),
                other => other.to_string(),
            });
            excluded.push((last.unwrap_or_default(), n.span()));
        }
    }
    let columns = LogicalPlanBuilder::from(input.clone()).expand_wildcard(qualifier).at(span)?;
    if columns.is_empty() {
        return Err(plan_error_at(span, "SELECT * needs a FROM clause"));
    }
    let schema: &PlanSchema = input.schema();
    for (name, name_span) in &excluded {
        let found =
            columns.iter().any(|c| matches!(c, Expr::Column(col) if col.name.eq_ignore_ascii_case(name)));
        if !found {
            return Err(ShoalError::Plan {
                message: schema
                    .unknown_column_error(&Column::from_name(name))
                    .to_string()
                    .replace("not found", "in EXCLUDE not found"),
                span: None,
            })
            .at(*name_span);
        }
    }
    Ok(columns
        .into_iter()
        .filter(|c| {
            !matches!(c, Expr::Column(col)
                if excluded.iter().any(|(n, _)| col.name.eq_ignore_ascii_case(n)))
        })
        .map(|expr| SelectExpr { name: expr.name(), expr, span })
        .collect())
}

/// Reject the parts of SELECT shoal does not support, pointing at them.
fn check_select_supported(select: &Select) -> Result<()> {
    let span = select.span();
    let unsupported = [
        (select.top.is_some(), "TOP"),
        (select.into.is_some(), "SELECT INTO"),
        (!select.lateral_views.is_empty(), "LATERAL VIEW"),
        (select.prewhere.is_some(), "PREWHERE"),
        (!select.connect_by.is_empty(), "CONNECT BY"),
        (!select.cluster_by.is_empty(), "CLUSTER BY"),
        (!select.distribute_by.is_empty(), "DISTRIBUTE BY"),
        (!select.sort_by.is_empty(), "SORT BY"),
        (select.value_table_mode.is_some(), "SELECT AS STRUCT/VALUE"),
        (select.exclude.is_some(), "SELECT .. EXCLUDE"),
        (select.select_modifiers.is_some(), "SELECT modifiers"),
        (!select.optimizer_hints.is_empty(), "optimizer hints"),
    ];
    match unsupported.iter().find(|(present, _)| *present) {
        Some((_, what)) => Err(not_supported_at(span, *what)),
        None => Ok(()),
    }
}
