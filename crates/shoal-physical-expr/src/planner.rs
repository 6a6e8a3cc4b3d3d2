//! [`create_physical_expr`]: bind a type-coerced logical [`Expr`] to a [`PhysicalExpr`] tree.

use std::sync::Arc;

use shoal_common::{internal_err, Result};
use shoal_expr::{Case, Expr, PlanSchema};

use crate::{
    BetweenExpr, BinaryExpr, CaseExpr, CastExpr, ColumnExpr, InListExpr, IsNullExpr, LikeExpr, LiteralExpr,
    NegativeExpr, NotExpr, PhysicalExprRef, ScalarFunctionCallExpr, TryCastExpr,
};

/// Bind `expr` to `input_schema`: columns become indices, every node its physical counterpart.
///
/// `expr` must already be coerced (the plan builder inserts every cast), so operand types
/// match. Aliases are dropped (naming is the caller's business). Wildcards and aggregate calls
/// are internal errors: aggregates are planned by the operator layer, which binds their
/// arguments with this function.
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, AsArray, Int64Array};
/// use arrow::datatypes::{DataType, Field, Int64Type, Schema};
/// use arrow::record_batch::RecordBatch;
/// use shoal_expr::type_coercion::coerce_expr;
/// use shoal_expr::{col, lit, Operator, PlanSchema};
/// use shoal_physical_expr::create_physical_expr;
///
/// let schema = Schema::new(vec![Field::new("a", DataType::Int64, true)]);
/// let plan_schema = PlanSchema::from_arrow(&schema, None);
/// let expr = coerce_expr(col("a").binary(Operator::Plus, lit(1i64)), &plan_schema).unwrap();
/// let physical = create_physical_expr(&expr, &plan_schema).unwrap();
/// assert_eq!(physical.to_string(), "a@0 + 1");
///
/// let a: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None]));
/// let batch = RecordBatch::try_new(Arc::new(schema), vec![a]).unwrap();
/// let out = physical.evaluate(&batch).unwrap().into_array(2).unwrap();
/// let values: Vec<Option<i64>> = out.as_primitive::<Int64Type>().iter().collect();
/// assert_eq!(values, vec![Some(2), None]);
/// ```
pub fn create_physical_expr(expr: &Expr, input_schema: &PlanSchema) -> Result<PhysicalExprRef> {
    let bind = |e: &Expr| create_physical_expr(e, input_schema);
    Ok(match expr {
        Expr::Column(c) => {
            let index = input_schema.index_of_column(c)?;
            let field = input_schema.field(index);
            Arc::new(ColumnExpr::new(
                field.name().clone(),
                index,
                field.data_type().clone(),
                field.is_nullable(),
            ))
        }
        Expr::Literal(v) => Arc::new(LiteralExpr::new(v.clone())),
        Expr::Alias(a) => bind(&a.expr)?,
        Expr::BinaryExpr(b) => Arc::new(
            BinaryExpr::try_new(bind(&b.left)?, b.op, bind(&b.right)?)?.with_sql_text(expr.to_string()),
        ),
        Expr::Not(e) => Arc::new(NotExpr::new(bind(e)?)),
        Expr::Negative(e) => Arc::new(NegativeExpr::new(bind(e)?).with_sql_text(expr.to_string())),
        Expr::IsNull(e) => Arc::new(IsNullExpr::new(bind(e)?)),
        Expr::IsNotNull(e) => Arc::new(IsNullExpr::not_null(bind(e)?)),
        Expr::Between(b) => {
            Arc::new(BetweenExpr::new(bind(&b.expr)?, b.negated, bind(&b.low)?, bind(&b.high)?))
        }
        Expr::Like(l) => Arc::new(LikeExpr::try_new(
            l.negated,
            l.case_insensitive,
            bind(&l.expr)?,
            bind(&l.pattern)?,
            l.escape_char,
        )?),
        Expr::InList(i) => {
            let list = i.list.iter().map(bind).collect::<Result<Vec<_>>>()?;
            Arc::new(InListExpr::try_new(bind(&i.expr)?, list, i.negated)?)
        }
        Expr::Case(c) => create_case(c, input_schema)?,
        Expr::Cast(c) => Arc::new(CastExpr::new(bind(&c.expr)?, c.data_type.clone())),
        Expr::TryCast(c) => Arc::new(TryCastExpr::new(bind(&c.expr)?, c.data_type.clone())),
        Expr::ScalarFunction(f) => {
            let args = f.args.iter().map(bind).collect::<Result<Vec<_>>>()?;
            Arc::new(ScalarFunctionCallExpr::try_new(Arc::clone(&f.func), args)?)
        }
        Expr::AggregateFunction(a) => {
            return internal_err!(
                "aggregate {expr} cannot be evaluated as a row expression; the aggregate operator \
                 binds {}() itself",
                a.func.name()
            )
        }
        Expr::WindowFunction(w) => {
            return internal_err!(
                "window function {expr} cannot be evaluated as a row expression; the window \
                 operator computes {}() itself",
                w.func.name()
            )
        }
        Expr::Wildcard { .. } => {
            return internal_err!("wildcard {expr} was not expanded before physical planning")
        }
        Expr::ScalarSubquery(_) | Expr::InSubquery(_) | Expr::Exists(_) => {
            return internal_err!(
                "subquery was not decorrelated: {expr} reached physical planning (the \
                 optimizer rewrites subqueries into joins; is a decorrelation rule disabled?)"
            )
        }
        Expr::OuterReferenceColumn(..) => {
            return internal_err!(
                "subquery was not decorrelated: outer reference {expr} reached physical planning"
            )
        }
        Expr::GroupingSet(_) => {
            return internal_err!(
                "grouping set {expr} cannot be evaluated as a row expression; the aggregate \
                 operator expands it"
            )
        }
    })
}

/// Bind every expression of `exprs`.
pub fn create_physical_exprs(exprs: &[Expr], input_schema: &PlanSchema) -> Result<Vec<PhysicalExprRef>> {
    exprs.iter().map(|e| create_physical_expr(e, input_schema)).collect()
}

/// A CASE is bound to just the columns it reads, so its lazy branches filter only those.
fn create_case(case: &Case, input_schema: &PlanSchema) -> Result<PhysicalExprRef> {
    let mut projection: Vec<usize> = vec![];
    for c in Expr::Case(case.clone()).column_refs() {
        let i = input_schema.index_of_column(&c)?;
        if !projection.contains(&i) {
            projection.push(i);
        }
    }
    projection.sort_unstable();
    let fields = projection.iter().map(|&i| Arc::clone(&input_schema.fields()[i])).collect();
    let qualifiers = projection.iter().map(|&i| input_schema.qualifier(i).map(str::to_string)).collect();
    let schema = PlanSchema::new(fields, qualifiers)?;
    let bind = |e: &Expr| create_physical_expr(e, &schema);
    let operand = case.expr.as_deref().map(bind).transpose()?;
    let when_then =
        case.when_then.iter().map(|(w, t)| Ok((bind(w)?, bind(t)?))).collect::<Result<Vec<_>>>()?;
    let else_expr = case.else_expr.as_deref().map(bind).transpose()?;
    let case = CaseExpr::try_new(operand, when_then, else_expr)?;
    Ok(Arc::new(if projection.len() == input_schema.len() { case } else { case.with_projection(projection) }))
}
