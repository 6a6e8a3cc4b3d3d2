//! Plan nodes that combine whole relations: [`Union`] (UNION ALL), [`SetOperation`]
//! (INTERSECT / EXCEPT, with or without ALL), and the recursive CTE pair [`RecursiveQuery`] /
//! [`WorkTableScan`].

use std::sync::Arc;

use arrow::datatypes::{DataType, Field};
use shoal_common::{internal_err, plan_err, Result};

use crate::builder::LogicalPlanBuilder;
use crate::display::sql_type_name;
use crate::expr::Expr;
use crate::plan::{LogicalPlan, Projection};
use crate::schema::{PlanSchema, PlanSchemaRef};
use crate::type_coercion::{cast_to, comparison_coercion};

/// The output schema of a set operation over inputs of the same width and types: the left
/// input's names, unqualified, nullable when any input is.
fn combined_schema(inputs: &[&LogicalPlan], what: &str) -> Result<PlanSchemaRef> {
    let Some(first) = inputs.first() else {
        return internal_err!("{what} needs at least one input");
    };
    let left = first.schema();
    let mut fields = Vec::with_capacity(left.len());
    for (i, field) in left.fields().iter().enumerate() {
        let mut nullable = field.is_nullable();
        for other in &inputs[1..] {
            let schema = other.schema();
            if schema.len() != left.len() {
                return plan_err!(
                    "each {what} query must have the same number of columns: {} vs {}",
                    left.len(),
                    schema.len()
                );
            }
            let f = schema.field(i);
            if f.data_type() != field.data_type() {
                return internal_err!(
                    "{what} inputs must be coerced to one type: column {} is {} and {}",
                    i + 1,
                    field.data_type(),
                    f.data_type()
                );
            }
            nullable |= f.is_nullable();
        }
        fields.push(Arc::new(Field::new(field.name(), field.data_type().clone(), nullable)));
    }
    let n = fields.len();
    Ok(Arc::new(PlanSchema::new(fields, vec![None; n])?))
}

/// The rows of every input, duplicates kept (`UNION ALL`). Inputs have the same column count
/// and types (the builder inserts casts); output names come from the first input.
#[derive(Debug, Clone)]
pub struct Union {
    /// At least two inputs, all of the same width and column types.
    pub inputs: Vec<Arc<LogicalPlan>>,
    /// Output schema: the first input's names, unqualified; a column is nullable when it is in
    /// any input.
    pub schema: PlanSchemaRef,
}

impl Union {
    /// The union of `inputs`; errors on fewer than two inputs or mismatched columns (cast them
    /// first with [`coerce_set_inputs`]).
    pub fn try_new(inputs: Vec<Arc<LogicalPlan>>) -> Result<Self> {
        if inputs.len() < 2 {
            return internal_err!("a Union needs at least two inputs, got {}", inputs.len());
        }
        let refs: Vec<&LogicalPlan> = inputs.iter().map(|i| i.as_ref()).collect();
        let schema = combined_schema(&refs, "UNION")?;
        Ok(Self { inputs, schema })
    }
}

/// INTERSECT or EXCEPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetOpKind {
    /// Rows present in both inputs.
    Intersect,
    /// Rows of the left input absent from the right one.
    Except,
}

impl std::fmt::Display for SetOpKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SetOpKind::Intersect => "INTERSECT",
            SetOpKind::Except => "EXCEPT",
        })
    }
}

/// `left INTERSECT [ALL] right` / `left EXCEPT [ALL] right`. Rows compare with NULLs equal.
/// Without ALL the output has no duplicates; with ALL a row appearing `l` times on the left and
/// `r` times on the right appears `min(l, r)` (INTERSECT) or `max(l - r, 0)` (EXCEPT) times.
#[derive(Debug, Clone)]
pub struct SetOperation {
    /// INTERSECT or EXCEPT.
    pub op: SetOpKind,
    /// True for the `ALL` form (duplicates counted); false removes duplicates.
    pub all: bool,
    /// The left input (its column names name the output).
    pub left: Arc<LogicalPlan>,
    /// The right input, of the same width and column types as the left.
    pub right: Arc<LogicalPlan>,
    /// Output schema: the left input's names, unqualified.
    pub schema: PlanSchemaRef,
}

impl SetOperation {
    /// `left op right`; errors when the inputs differ in width or column types.
    pub fn try_new(
        op: SetOpKind,
        all: bool,
        left: Arc<LogicalPlan>,
        right: Arc<LogicalPlan>,
    ) -> Result<Self> {
        let schema = combined_schema(&[left.as_ref(), right.as_ref()], &op.to_string())?;
        Ok(Self { op, all, left, right, schema })
    }
}

/// `WITH RECURSIVE name AS (static_term UNION [ALL] recursive_term)`: the static term's rows,
/// then the recursive term run again and again over the rows of the previous round (read by
/// [`WorkTableScan`]s named `name`) until a round yields no new rows. With `is_distinct`
/// (UNION) rows already produced are dropped.
#[derive(Debug, Clone)]
pub struct RecursiveQuery {
    /// The CTE name that [`WorkTableScan`]s in the recursive term refer to.
    pub name: String,
    /// The non-recursive term: the rows of round 0.
    pub static_term: Arc<LogicalPlan>,
    /// The term run each round over the previous round's rows.
    pub recursive_term: Arc<LogicalPlan>,
    /// True for `UNION` (rows already produced are dropped), false for `UNION ALL`.
    pub is_distinct: bool,
    /// Output schema: the static term's names, unqualified.
    pub schema: PlanSchemaRef,
}

impl RecursiveQuery {
    /// The recursive query `name`; errors when the two terms differ in width or column types.
    pub fn try_new(
        name: impl Into<String>,
        static_term: Arc<LogicalPlan>,
        recursive_term: Arc<LogicalPlan>,
        is_distinct: bool,
    ) -> Result<Self> {
        let schema = combined_schema(&[static_term.as_ref(), recursive_term.as_ref()], "recursive UNION")?;
        Ok(Self { name: name.into(), static_term, recursive_term, is_distinct, schema })
    }
}

/// The rows of the previous round of the enclosing [`RecursiveQuery`] named `name`.
#[derive(Debug, Clone)]
pub struct WorkTableScan {
    /// Name of the enclosing [`RecursiveQuery`].
    pub name: String,
    /// Schema of the rows read: that of the recursive query.
    pub schema: PlanSchemaRef,
}

/// Cast the inputs of a set operation (`what`: "UNION", "INTERSECT", ...) to common column
/// types. Errors when the inputs differ in width or a column's types cannot be matched.
pub fn coerce_set_inputs(inputs: Vec<LogicalPlan>, what: &str) -> Result<Vec<LogicalPlan>> {
    let Some(first) = inputs.first() else {
        return internal_err!("{what} needs at least one input");
    };
    let width = first.schema().len();
    let mut types: Vec<DataType> = first.schema().fields().iter().map(|f| f.data_type().clone()).collect();
    for input in &inputs[1..] {
        let schema = input.schema();
        if schema.len() != width {
            return plan_err!(
                "each {what} query must have the same number of columns: {width} vs {}",
                schema.len()
            );
        }
        for (i, t) in types.iter_mut().enumerate() {
            let other = schema.field(i).data_type();
            *t = match comparison_coercion(t, other) {
                Some(common) => common,
                None => {
                    return plan_err!(
                        "{what} types {} and {} cannot be matched (column {} '{}')",
                        sql_type_name(t),
                        sql_type_name(other),
                        i + 1,
                        first.schema().field(i).name()
                    )
                }
            };
        }
    }
    inputs.into_iter().map(|p| cast_plan(p, &types)).collect()
}

/// `plan` with its columns cast to `types` (the same plan when they already match).
pub fn cast_plan(plan: LogicalPlan, types: &[DataType]) -> Result<LogicalPlan> {
    let schema = Arc::clone(plan.schema());
    if schema.len() != types.len() {
        return internal_err!("cast_plan: {} columns for {} types", schema.len(), types.len());
    }
    if schema.fields().iter().zip(types).all(|(f, t)| f.data_type() == t) {
        return Ok(plan);
    }
    let exprs = types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let field = schema.field(i);
            let e = cast_to(Expr::Column(schema.column(i)), field.data_type(), t)?;
            Ok(if field.data_type() == t { e } else { e.alias(field.name()) })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(plan))?))
}

impl LogicalPlanBuilder {
    /// `self UNION ALL other`, casting both sides to common column types.
    pub fn union(self, other: LogicalPlan) -> Result<Self> {
        Self::union_all_of(vec![self.build()?, other])
    }

    /// `self UNION other` (duplicates removed).
    pub fn union_distinct(self, other: LogicalPlan) -> Result<Self> {
        self.union(other)?.distinct()
    }

    /// The rows of every plan of `inputs` (at least two), cast to common column types.
    pub fn union_all_of(inputs: Vec<LogicalPlan>) -> Result<Self> {
        let inputs = coerce_set_inputs(inputs, "UNION")?;
        let inputs = inputs.into_iter().map(Arc::new).collect();
        Ok(Self::from(LogicalPlan::Union(Union::try_new(inputs)?)))
    }

    /// `self INTERSECT [ALL] other` or `self EXCEPT [ALL] other`.
    pub fn set_operation(self, op: SetOpKind, all: bool, other: LogicalPlan) -> Result<Self> {
        let mut inputs = coerce_set_inputs(vec![self.build()?, other], &op.to_string())?.into_iter();
        let (Some(left), Some(right)) = (inputs.next(), inputs.next()) else {
            return internal_err!("{op} lost an input");
        };
        Ok(Self::from(LogicalPlan::SetOperation(SetOperation::try_new(
            op,
            all,
            Arc::new(left),
            Arc::new(right),
        )?)))
    }
}
