//! [`LogicalPlan`]: the relational operator tree, one variant per node, each a named struct
//! whose `try_new` validates its inputs and computes its output schema.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field};
use shoal_common::{internal_err, plan_err, Result};

use crate::expr::{Expr, SortExpr};
pub use crate::join::{Join, JoinType};
use crate::schema::{PlanSchema, PlanSchemaRef};
pub use crate::set_plan::{RecursiveQuery, SetOpKind, SetOperation, Union, WorkTableScan};
use crate::table::TableSource;
use crate::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
pub use crate::window::Window;

/// A node of a logical plan. Children are behind `Arc` so plans are cheap to clone.
#[derive(Debug, Clone)]
pub enum LogicalPlan {
    /// Read rows of a table source (a leaf).
    TableScan(TableScan),
    /// Compute one output column per expression for each input row.
    Projection(Projection),
    /// Keep the rows whose predicate is true.
    Filter(Filter),
    /// Group rows and compute aggregate calls per group.
    Aggregate(Aggregate),
    /// Order rows, optionally keeping only the first few (top-k).
    Sort(Sort),
    /// Skip and/or cap the number of rows (`OFFSET` / `LIMIT`).
    Limit(Limit),
    /// Re-qualify every output column with a new relation name.
    SubqueryAlias(SubqueryAlias),
    /// No input: zero rows, or one row of no columns.
    EmptyRelation(EmptyRelation),
    /// Literal rows (`VALUES ...`).
    Values(Values),
    /// `UNION ALL` of inputs with compatible schemas.
    Union(Union),
    /// `INTERSECT` / `EXCEPT` (with or without `ALL`), and `UNION` (distinct).
    SetOperation(SetOperation),
    /// `WITH RECURSIVE`: a static term, then a recursive term iterated to a fixpoint.
    RecursiveQuery(RecursiveQuery),
    /// The rows of the previous iteration, read inside a recursive term.
    WorkTableScan(WorkTableScan),
    /// Combine rows of two inputs (inner, outer, semi, anti, mark or cross join).
    Join(Join),
    /// Compute window function calls over partitions of the input; keeps every input row.
    Window(Window),
}

/// Read a table: the columns in `projection`, rows surviving `filters` (hints for pruning; the
/// plan still filters), at most `fetch` rows.
#[derive(Debug, Clone)]
pub struct TableScan {
    /// Name the table was registered under (also the qualifier of its output columns).
    pub table_name: String,
    /// The table: schema, statistics and the scan it hands out.
    pub source: Arc<dyn TableSource>,
    /// Indexes into the source's schema of the columns read, in output order; `None` = all.
    pub projection: Option<Vec<usize>>,
    /// Predicates the source may use to skip data (row groups, files). They are hints: rows
    /// that fail them may still be returned, so a `Filter` above keeps them too.
    pub filters: Vec<Expr>,
    /// Stop after this many rows (pushed down from a `Limit` with no filter in between).
    pub fetch: Option<usize>,
    /// Output schema: the projected columns, qualified by `table_name`.
    pub schema: PlanSchemaRef,
}

impl TableScan {
    /// A scan of `source` named `table_name`; errors if a projection index is out of range.
    pub fn try_new(
        table_name: impl Into<String>,
        source: Arc<dyn TableSource>,
        projection: Option<Vec<usize>>,
        filters: Vec<Expr>,
        fetch: Option<usize>,
    ) -> Result<Self> {
        let table_name = table_name.into();
        let full = source.schema();
        let schema = match &projection {
            Some(p) => {
                if let Some(bad) = p.iter().find(|&&i| i >= full.fields().len()) {
                    return internal_err!("projection index {bad} out of range for {table_name}");
                }
                let fields = p.iter().map(|&i| Arc::new(full.field(i).clone())).collect::<Vec<_>>();
                let n = fields.len();
                PlanSchema::new(fields, vec![Some(table_name.clone()); n])?
            }
            None => PlanSchema::from_arrow(&full, Some(&table_name)),
        };
        Ok(Self { table_name, source, projection, filters, fetch, schema: Arc::new(schema) })
    }
}

/// Compute `exprs` for each input row.
#[derive(Debug, Clone)]
pub struct Projection {
    /// The output columns, one per expression (named by alias or by the expression's text).
    /// They contain neither aggregate nor window calls.
    pub exprs: Vec<Expr>,
    /// The plan whose rows are projected.
    pub input: Arc<LogicalPlan>,
    /// Output schema: one field per expression.
    pub schema: PlanSchemaRef,
}

impl Projection {
    /// A projection of `exprs` over `input`; errors on an aggregate or window call, or an
    /// expression that does not type-check against the input.
    pub fn try_new(exprs: Vec<Expr>, input: Arc<LogicalPlan>) -> Result<Self> {
        let in_schema = input.schema();
        let mut fields = vec![];
        let mut qualifiers = vec![];
        for e in &exprs {
            if e.contains_aggregate() {
                return plan_err!("aggregate function {e} is not allowed here (missing GROUP BY?)");
            }
            if e.contains_window() {
                return plan_err!("window function {e} must be computed by a Window node");
            }
            let (q, f) = e.to_field(in_schema)?;
            qualifiers.push(q);
            fields.push(Arc::new(f));
        }
        let schema = Arc::new(PlanSchema::new(fields, qualifiers)?);
        Ok(Self { exprs, input, schema })
    }
}

/// Keep the rows for which `predicate` is true (not false, not NULL).
#[derive(Debug, Clone)]
pub struct Filter {
    /// A boolean expression over the input columns; rows where it is false or NULL are dropped.
    pub predicate: Expr,
    /// The plan whose rows are filtered.
    pub input: Arc<LogicalPlan>,
}

impl Filter {
    /// A filter of `input` by `predicate`; errors if the predicate is not boolean (or NULL) or
    /// contains an aggregate or window call.
    pub fn try_new(predicate: Expr, input: Arc<LogicalPlan>) -> Result<Self> {
        if predicate.contains_aggregate() {
            return plan_err!("aggregate functions are not allowed in WHERE: {predicate} (use HAVING)");
        }
        if predicate.contains_window() {
            return plan_err!("window functions are not allowed in WHERE: {predicate} (use QUALIFY)");
        }
        let t = predicate.get_type(input.schema())?;
        if !matches!(t, DataType::Boolean | DataType::Null) {
            return plan_err!("a filter needs a boolean condition, but {predicate} is {t}");
        }
        Ok(Self { predicate, input })
    }
}

/// Group rows by `group_expr` and compute `aggr_expr` per group; output = groups then aggregates.
#[derive(Debug, Clone)]
pub struct Aggregate {
    /// The plan whose rows are grouped.
    pub input: Arc<LogicalPlan>,
    /// Group expressions: plain expressions, or a single [`Expr::GroupingSet`]. Empty = one
    /// group over the whole input (one output row even when the input is empty).
    pub group_expr: Vec<Expr>,
    /// Aggregate calls ([`Expr::AggregateFunction`], possibly aliased), one output column each.
    pub aggr_expr: Vec<Expr>,
    /// Output schema: the group columns, then (for a grouping set) the grouping id, then one
    /// column per aggregate call.
    pub schema: PlanSchemaRef,
}

impl Aggregate {
    /// An aggregate of `input`; errors if a group expression contains an aggregate or window
    /// call, a grouping set is mixed with other group expressions, or an `aggr_expr` is not an
    /// aggregate call.
    pub fn try_new(input: Arc<LogicalPlan>, group_expr: Vec<Expr>, aggr_expr: Vec<Expr>) -> Result<Self> {
        let in_schema = input.schema();
        let mut fields = vec![];
        let mut qualifiers = vec![];
        for g in crate::grouping_set::output_group_exprs(&group_expr)? {
            if g.contains_aggregate() {
                return plan_err!("aggregate functions are not allowed in GROUP BY: {g}");
            }
            if g.contains_window() {
                return plan_err!("window functions are not allowed in GROUP BY: {g}");
            }
            let (q, f) = g.to_field(in_schema)?;
            qualifiers.push(q);
            fields.push(Arc::new(f));
        }
        if let [Expr::GroupingSet(_)] = group_expr.as_slice() {
            // a grouping column is NULL in the rows of sets that leave it out
            for f in fields.iter_mut() {
                *f = Arc::new(f.as_ref().clone().with_nullable(true));
            }
            qualifiers.push(None);
            fields.push(Arc::new(Field::new(
                crate::grouping_set::GROUPING_ID_COLUMN,
                DataType::UInt64,
                false,
            )));
        }
        for a in &aggr_expr {
            if !matches!(a.clone().unalias(), Expr::AggregateFunction(_)) {
                return internal_err!("Aggregate node expects aggregate calls, got {a}");
            }
            let (_, f) = a.to_field(in_schema)?;
            qualifiers.push(None);
            fields.push(Arc::new(f));
        }
        let schema = Arc::new(PlanSchema::new(fields, qualifiers)?);
        Ok(Self { input, group_expr, aggr_expr, schema })
    }
}

/// Order rows; with `fetch`, keep only the first `fetch` (a top-k).
#[derive(Debug, Clone)]
pub struct Sort {
    /// Sort keys, most significant first, each with its direction and NULL placement.
    pub exprs: Vec<SortExpr>,
    /// The plan whose rows are ordered.
    pub input: Arc<LogicalPlan>,
    /// Keep only the first `fetch` rows of the order (a top-k); `None` keeps all.
    pub fetch: Option<usize>,
}

/// Skip `skip` rows, then pass at most `fetch` rows.
#[derive(Debug, Clone)]
pub struct Limit {
    /// Rows to drop from the start (`OFFSET`); 0 for none.
    pub skip: usize,
    /// Rows to pass after the skipped ones (`LIMIT`); `None` = no cap.
    pub fetch: Option<usize>,
    /// The plan whose rows are limited.
    pub input: Arc<LogicalPlan>,
}

/// Rename the relation (`(subquery) AS alias`, `FROM t AS alias`).
#[derive(Debug, Clone)]
pub struct SubqueryAlias {
    /// The plan being renamed.
    pub input: Arc<LogicalPlan>,
    /// The new relation name; every output column is qualified by it.
    pub alias: String,
    /// The input's schema with every qualifier replaced by `alias`.
    pub schema: PlanSchemaRef,
}

impl SubqueryAlias {
    /// `input` re-qualified as `alias`.
    pub fn try_new(input: Arc<LogicalPlan>, alias: impl Into<String>) -> Result<Self> {
        let alias = alias.into();
        let schema = Arc::new(input.schema().with_qualifier(Some(&alias)));
        Ok(Self { input, alias, schema })
    }
}

/// No input: zero rows, or one row with no columns (`SELECT 1`).
#[derive(Debug, Clone)]
pub struct EmptyRelation {
    /// True: one row with no columns (`SELECT 1` without FROM); false: no rows at all.
    pub produce_one_row: bool,
    /// Output schema (usually empty; a pruned relation keeps the schema it replaces).
    pub schema: PlanSchemaRef,
}

/// Literal rows (`VALUES (1, 'a'), (2, 'b')`).
#[derive(Debug, Clone)]
pub struct Values {
    /// The rows, each a list of constant expressions of the same width (at least one row).
    pub values: Vec<Vec<Expr>>,
    /// Output schema: nullable columns `column1`, `column2`, ..., each of the common type of
    /// its values (the values are cast to it).
    pub schema: PlanSchemaRef,
}

impl Values {
    /// Literal rows; errors on no rows, rows of different widths, or values with no common type.
    pub fn try_new(values: Vec<Vec<Expr>>) -> Result<Self> {
        let empty = PlanSchema::empty();
        let Some(first) = values.first() else {
            return plan_err!("VALUES needs at least one row");
        };
        let width = first.len();
        let mut types = vec![DataType::Null; width];
        for (r, row) in values.iter().enumerate() {
            if row.len() != width {
                return plan_err!(
                    "VALUES rows must all have {width} columns, row {} has {}",
                    r + 1,
                    row.len()
                );
            }
            for (i, e) in row.iter().enumerate() {
                let t = e.get_type(&empty)?;
                types[i] = match crate::type_coercion::comparison_coercion(&types[i], &t) {
                    Some(t) => t,
                    None => return plan_err!("VALUES column {} mixes {} and {t}", i + 1, types[i]),
                };
            }
        }
        let values = values
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(types.iter())
                    .map(|(e, t)| {
                        let from = e.get_type(&empty)?;
                        crate::type_coercion::cast_to(e, &from, t)
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        let fields = types
            .iter()
            .enumerate()
            .map(|(i, t)| Arc::new(Field::new(format!("column{}", i + 1), t.clone(), true)))
            .collect::<Vec<_>>();
        let schema = Arc::new(PlanSchema::new(fields, vec![None; width])?);
        Ok(Self { values, schema })
    }
}

impl LogicalPlan {
    /// The output schema of this node.
    pub fn schema(&self) -> &PlanSchemaRef {
        match self {
            LogicalPlan::TableScan(s) => &s.schema,
            LogicalPlan::Projection(p) => &p.schema,
            LogicalPlan::Filter(f) => f.input.schema(),
            LogicalPlan::Aggregate(a) => &a.schema,
            LogicalPlan::Sort(s) => s.input.schema(),
            LogicalPlan::Limit(l) => l.input.schema(),
            LogicalPlan::SubqueryAlias(s) => &s.schema,
            LogicalPlan::EmptyRelation(e) => &e.schema,
            LogicalPlan::Values(v) => &v.schema,
            LogicalPlan::Union(u) => &u.schema,
            LogicalPlan::SetOperation(s) => &s.schema,
            LogicalPlan::RecursiveQuery(r) => &r.schema,
            LogicalPlan::WorkTableScan(w) => &w.schema,
            LogicalPlan::Join(j) => &j.schema,
            LogicalPlan::Window(w) => &w.schema,
        }
    }

    /// The direct inputs of this node.
    pub fn inputs(&self) -> Vec<&LogicalPlan> {
        match self {
            LogicalPlan::Projection(p) => vec![&p.input],
            LogicalPlan::Filter(f) => vec![&f.input],
            LogicalPlan::Aggregate(a) => vec![&a.input],
            LogicalPlan::Sort(s) => vec![&s.input],
            LogicalPlan::Limit(l) => vec![&l.input],
            LogicalPlan::SubqueryAlias(s) => vec![&s.input],
            LogicalPlan::Union(u) => u.inputs.iter().map(|i| i.as_ref()).collect(),
            LogicalPlan::SetOperation(s) => vec![&s.left, &s.right],
            LogicalPlan::RecursiveQuery(r) => vec![&r.static_term, &r.recursive_term],
            LogicalPlan::WorkTableScan(_) => vec![],
            LogicalPlan::Join(j) => vec![&j.left, &j.right],
            LogicalPlan::Window(w) => vec![&w.input],
            LogicalPlan::TableScan(_) | LogicalPlan::EmptyRelation(_) | LogicalPlan::Values(_) => {
                vec![]
            }
        }
    }

    /// The expressions this node evaluates (not those of its inputs).
    pub fn expressions(&self) -> Vec<&Expr> {
        match self {
            LogicalPlan::Projection(p) => p.exprs.iter().collect(),
            LogicalPlan::Filter(f) => vec![&f.predicate],
            LogicalPlan::Aggregate(a) => a.group_expr.iter().chain(a.aggr_expr.iter()).collect(),
            LogicalPlan::Sort(s) => s.exprs.iter().map(|s| &s.expr).collect(),
            LogicalPlan::Window(w) => w.window_expr.iter().collect(),
            LogicalPlan::TableScan(s) => s.filters.iter().collect(),
            LogicalPlan::Values(v) => v.values.iter().flatten().collect(),
            LogicalPlan::Join(j) => j.on.iter().flat_map(|(l, r)| [l, r]).chain(j.filter.iter()).collect(),
            LogicalPlan::Limit(_)
            | LogicalPlan::SubqueryAlias(_)
            | LogicalPlan::EmptyRelation(_)
            | LogicalPlan::Union(_)
            | LogicalPlan::SetOperation(_)
            | LogicalPlan::RecursiveQuery(_)
            | LogicalPlan::WorkTableScan(_) => vec![],
        }
    }

    /// The same node over new inputs (in the order of [`LogicalPlan::inputs`]); the schema is
    /// recomputed.
    pub fn with_new_inputs(&self, mut inputs: Vec<LogicalPlan>) -> Result<LogicalPlan> {
        if inputs.len() != self.inputs().len() {
            return internal_err!(
                "with_new_inputs: expected {} inputs, got {}",
                self.inputs().len(),
                inputs.len()
            );
        }
        if let LogicalPlan::Union(_) = self {
            let inputs = inputs.into_iter().map(Arc::new).collect();
            return Ok(LogicalPlan::Union(Union::try_new(inputs)?));
        }
        let mut take = || Arc::new(inputs.remove(0));
        Ok(match self {
            LogicalPlan::Union(_) => return internal_err!("Union inputs are replaced above"),
            LogicalPlan::SetOperation(s) => {
                let left = take();
                LogicalPlan::SetOperation(SetOperation::try_new(s.op, s.all, left, take())?)
            }
            LogicalPlan::RecursiveQuery(r) => {
                let static_term = take();
                LogicalPlan::RecursiveQuery(RecursiveQuery::try_new(
                    &r.name,
                    static_term,
                    take(),
                    r.is_distinct,
                )?)
            }
            LogicalPlan::Projection(p) => {
                LogicalPlan::Projection(Projection::try_new(p.exprs.clone(), take())?)
            }
            LogicalPlan::Filter(f) => LogicalPlan::Filter(Filter::try_new(f.predicate.clone(), take())?),
            LogicalPlan::Aggregate(a) => {
                LogicalPlan::Aggregate(Aggregate::try_new(take(), a.group_expr.clone(), a.aggr_expr.clone())?)
            }
            LogicalPlan::Sort(s) => {
                LogicalPlan::Sort(Sort { exprs: s.exprs.clone(), input: take(), fetch: s.fetch })
            }
            LogicalPlan::Limit(l) => {
                LogicalPlan::Limit(Limit { skip: l.skip, fetch: l.fetch, input: take() })
            }
            LogicalPlan::SubqueryAlias(s) => {
                LogicalPlan::SubqueryAlias(SubqueryAlias::try_new(take(), &s.alias)?)
            }
            LogicalPlan::Window(w) => LogicalPlan::Window(Window::try_new(take(), w.window_expr.clone())?),
            LogicalPlan::Join(j) => {
                let left = take();
                LogicalPlan::Join(j.with_new_inputs(left, take())?)
            }
            leaf @ (LogicalPlan::TableScan(_)
            | LogicalPlan::EmptyRelation(_)
            | LogicalPlan::Values(_)
            | LogicalPlan::WorkTableScan(_)) => leaf.clone(),
        })
    }

    /// Rewrite this node's own expressions with `f`. Output column names of projections and
    /// aggregates are kept (a changed expression is aliased to its old name), so parents that
    /// refer to them stay valid.
    pub fn map_expressions<F: FnMut(Expr) -> Result<Transformed<Expr>>>(
        self,
        mut f: F,
    ) -> Result<Transformed<LogicalPlan>> {
        let mut changed = false;
        let mut keep_name = |e: Expr, f: &mut F| -> Result<Expr> {
            let name = e.name();
            let t = f(e)?;
            changed |= t.transformed;
            Ok(if t.transformed && t.data.name() != name { t.data.alias(name) } else { t.data })
        };
        let plan = match self {
            LogicalPlan::Projection(p) => {
                let exprs = p.exprs.into_iter().map(|e| keep_name(e, &mut f)).collect::<Result<Vec<_>>>()?;
                LogicalPlan::Projection(Projection::try_new(exprs, p.input)?)
            }
            LogicalPlan::Aggregate(a) => {
                let group = a
                    .group_expr
                    .into_iter()
                    .map(|e| match e {
                        // each member of a grouping set keeps its own name
                        Expr::GroupingSet(g) => Ok(Expr::GroupingSet(g.map_exprs(|m| keep_name(m, &mut f))?)),
                        e => keep_name(e, &mut f),
                    })
                    .collect::<Result<Vec<_>>>()?;
                let aggr =
                    a.aggr_expr.into_iter().map(|e| keep_name(e, &mut f)).collect::<Result<Vec<_>>>()?;
                LogicalPlan::Aggregate(Aggregate::try_new(a.input, group, aggr)?)
            }
            LogicalPlan::Window(w) => {
                let exprs =
                    w.window_expr.into_iter().map(|e| keep_name(e, &mut f)).collect::<Result<Vec<_>>>()?;
                LogicalPlan::Window(Window::try_new(w.input, exprs)?)
            }
            LogicalPlan::Filter(flt) => {
                let t = f(flt.predicate)?;
                changed |= t.transformed;
                LogicalPlan::Filter(Filter::try_new(t.data, flt.input)?)
            }
            LogicalPlan::Sort(s) => {
                let exprs = s
                    .exprs
                    .into_iter()
                    .map(|se| {
                        let t = f(se.expr)?;
                        changed |= t.transformed;
                        Ok(SortExpr { expr: t.data, ..se })
                    })
                    .collect::<Result<Vec<_>>>()?;
                LogicalPlan::Sort(Sort { exprs, ..s })
            }
            LogicalPlan::TableScan(mut s) => {
                let filters = std::mem::take(&mut s.filters)
                    .into_iter()
                    .map(|e| {
                        let t = f(e)?;
                        changed |= t.transformed;
                        Ok(t.data)
                    })
                    .collect::<Result<Vec<_>>>()?;
                LogicalPlan::TableScan(TableScan { filters, ..s })
            }
            LogicalPlan::Join(j) => {
                let mut on = Vec::with_capacity(j.on.len());
                for (l, r) in j.on {
                    let l = f(l)?;
                    let r = f(r)?;
                    changed |= l.transformed || r.transformed;
                    on.push((l.data, r.data));
                }
                let filter = match j.filter {
                    Some(e) => {
                        let t = f(e)?;
                        changed |= t.transformed;
                        Some(t.data)
                    }
                    None => None,
                };
                LogicalPlan::Join(Join::try_new(j.left, j.right, on, filter, j.join_type, j.null_aware)?)
            }
            other => other,
        };
        Ok(Transformed::new(plan, changed))
    }

    /// One line describing this node (EXPLAIN).
    pub fn node_description(&self) -> String {
        fn list<T: std::fmt::Display>(items: &[T]) -> String {
            items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
        }
        match self {
            LogicalPlan::TableScan(s) => {
                let mut out = format!("TableScan: {}", s.table_name);
                if s.projection.is_some() {
                    let names: Vec<&str> = s.schema.fields().iter().map(|f| f.name().as_str()).collect();
                    out.push_str(&format!(" projection=[{}]", names.join(", ")));
                }
                if !s.filters.is_empty() {
                    out.push_str(&format!(" filters=[{}]", list(&s.filters)));
                }
                if let Some(n) = s.fetch {
                    out.push_str(&format!(" fetch={n}"));
                }
                out
            }
            LogicalPlan::Projection(p) => format!("Projection: {}", list(&p.exprs)),
            LogicalPlan::Filter(f) => format!("Filter: {}", f.predicate),
            LogicalPlan::Aggregate(a) => {
                format!("Aggregate: groupBy=[{}], aggr=[{}]", list(&a.group_expr), list(&a.aggr_expr))
            }
            LogicalPlan::Sort(s) => match s.fetch {
                Some(n) => format!("Sort: {}, fetch={n}", list(&s.exprs)),
                None => format!("Sort: {}", list(&s.exprs)),
            },
            LogicalPlan::Limit(l) => match l.fetch {
                Some(n) => format!("Limit: skip={}, fetch={n}", l.skip),
                None => format!("Limit: skip={}, fetch=None", l.skip),
            },
            LogicalPlan::SubqueryAlias(s) => format!("SubqueryAlias: {}", s.alias),
            LogicalPlan::Union(_) => "Union".to_string(),
            LogicalPlan::SetOperation(s) => {
                format!("{}{}", s.op, if s.all { " ALL" } else { "" })
            }
            LogicalPlan::RecursiveQuery(r) => {
                format!("RecursiveQuery: {} ({})", r.name, if r.is_distinct { "UNION" } else { "UNION ALL" })
            }
            LogicalPlan::WorkTableScan(w) => format!("WorkTableScan: {}", w.name),
            LogicalPlan::Join(j) => j.description(),
            LogicalPlan::Window(w) => {
                let calls: Vec<String> =
                    w.window_expr.iter().map(crate::window::display_window_expr).collect();
                format!("Window: {}", calls.join(", "))
            }
            LogicalPlan::EmptyRelation(e) => {
                format!("EmptyRelation: rows={}", usize::from(e.produce_one_row))
            }
            LogicalPlan::Values(v) => {
                let rows: Vec<String> = v.values.iter().take(5).map(|r| format!("({})", list(r))).collect();
                let more = if v.values.len() > 5 { ", ..." } else { "" };
                format!("Values: {}{more}", rows.join(", "))
            }
        }
    }
}

impl TreeNode for LogicalPlan {
    fn apply_children<F: FnMut(&Self) -> Result<TreeNodeRecursion>>(
        &self,
        mut f: F,
    ) -> Result<TreeNodeRecursion> {
        for c in self.inputs() {
            if f(c)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn map_children<F: FnMut(Self) -> Result<Transformed<Self>>>(
        self,
        mut f: F,
    ) -> Result<Transformed<Self>> {
        if self.inputs().is_empty() {
            return Ok(Transformed::no(self));
        }
        let mut changed = false;
        let mut new_inputs = vec![];
        for input in self.inputs() {
            let t = f(input.clone())?;
            changed |= t.transformed;
            new_inputs.push(t.data);
        }
        if !changed {
            return Ok(Transformed::no(self));
        }
        Ok(Transformed::yes(self.with_new_inputs(new_inputs)?))
    }
}
