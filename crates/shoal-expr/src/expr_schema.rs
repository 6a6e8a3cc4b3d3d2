//! Typing expressions against a schema: [`Expr::get_type`], [`Expr::nullable`], [`Expr::to_field`].

use arrow::datatypes::{DataType, Field};
use shoal_common::{internal_err, plan_err, Result};

use crate::expr::Expr;
use crate::schema::PlanSchema;
use crate::type_coercion::{binary_result_type, comparison_coercion};

impl Expr {
    /// The type this expression produces over rows of `schema`.
    pub fn get_type(&self, schema: &PlanSchema) -> Result<DataType> {
        Ok(match self {
            Expr::Column(c) => schema.field_for_column(c)?.data_type().clone(),
            Expr::Literal(s) => s.data_type().clone(),
            Expr::Alias(a) => a.expr.get_type(schema)?,
            Expr::BinaryExpr(b) => {
                binary_result_type(&b.left.get_type(schema)?, b.op, &b.right.get_type(schema)?)?
            }
            Expr::Not(_)
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::Between(_)
            | Expr::Like(_)
            | Expr::InList(_) => DataType::Boolean,
            Expr::Negative(e) => e.get_type(schema)?,
            Expr::Case(c) => {
                let mut t = DataType::Null;
                for e in c.when_then.iter().map(|(_, t)| t).chain(c.else_expr.as_deref()) {
                    let et = e.get_type(schema)?;
                    t = match comparison_coercion(&t, &et) {
                        Some(t) => t,
                        None => return plan_err!("CASE branches have incompatible types {t} and {et}"),
                    };
                }
                t
            }
            Expr::Cast(c) => c.data_type.clone(),
            Expr::TryCast(c) => c.data_type.clone(),
            Expr::ScalarFunction(f) => {
                let types = f.args.iter().map(|a| a.get_type(schema)).collect::<Result<Vec<_>>>()?;
                let literals: Vec<_> = f
                    .args
                    .iter()
                    .map(|a| match a {
                        Expr::Literal(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                f.func.return_type_with_literals(&types, &literals)?
            }
            Expr::AggregateFunction(a) => {
                let types = a.args.iter().map(|a| a.get_type(schema)).collect::<Result<Vec<_>>>()?;
                a.func.return_type(&types)?
            }
            Expr::WindowFunction(w) => {
                let types = w.args.iter().map(|a| a.get_type(schema)).collect::<Result<Vec<_>>>()?;
                w.func.return_type(&types)?
            }
            Expr::Wildcard { .. } => return internal_err!("wildcard was not expanded before typing"),
            Expr::ScalarSubquery(s) => {
                let schema = s.plan.schema();
                if schema.len() != 1 {
                    return plan_err!(
                        "a scalar subquery must return exactly one column, this one returns {}",
                        schema.len()
                    );
                }
                schema.field(0).data_type().clone()
            }
            Expr::InSubquery(_) | Expr::Exists(_) => DataType::Boolean,
            Expr::OuterReferenceColumn(t, _) => t.clone(),
            Expr::GroupingSet(g) => {
                return plan_err!("{g} is only allowed as the GROUP BY of an aggregation")
            }
        })
    }

    /// Whether this expression can be NULL over rows of `schema` (conservative: true when unsure).
    pub fn nullable(&self, schema: &PlanSchema) -> Result<bool> {
        Ok(match self {
            Expr::Column(c) => schema.field_for_column(c)?.is_nullable(),
            Expr::Literal(s) => s.is_null(),
            Expr::Alias(a) => a.expr.nullable(schema)?,
            Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::Exists(_) => false,
            Expr::BinaryExpr(b)
                if b.op.is_comparison()
                    && !matches!(
                        b.op,
                        crate::Operator::Eq
                            | crate::Operator::NotEq
                            | crate::Operator::Lt
                            | crate::Operator::LtEq
                            | crate::Operator::Gt
                            | crate::Operator::GtEq
                    ) =>
            {
                false
            }
            Expr::AggregateFunction(a) => a.func.nullable(),
            Expr::WindowFunction(w) => w.func.nullable(),
            _ => true,
        })
    }

    /// The output field (and its qualifier) this expression produces in a projection.
    pub fn to_field(&self, schema: &PlanSchema) -> Result<(Option<String>, Field)> {
        let qualifier = match self {
            Expr::Column(c) => {
                let i = schema.index_of_column(c)?;
                schema.qualifier(i).map(str::to_string)
            }
            _ => None,
        };
        let name = match self {
            // keep the field's own spelling when found case-insensitively
            Expr::Column(c) => schema.field_for_column(c)?.name().clone(),
            e => e.name(),
        };
        Ok((qualifier, Field::new(name, self.get_type(schema)?, self.nullable(schema)?)))
    }
}
