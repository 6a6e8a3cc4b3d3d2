//! [`plan_aggregate`]: a logical `Aggregate` → [`HashAggregateExec`], binding the group
//! expressions (or a grouping set's distinct expressions and its sets), each call's value
//! argument, its constant arguments (separator, quantile) and its `ORDER BY` keys.

use std::sync::Arc;

use arrow::compute::SortOptions;
use arrow::datatypes::DataType;
use shoal_common::{internal_err, not_supported, plan_err, Result, ScalarValue};
use shoal_expr::plan::Aggregate;
use shoal_expr::{AggregateFunction, AggregateFunctionExpr, Expr, GroupingSet, PlanSchema};
use shoal_physical_expr::create_physical_expr;

use super::{AggregateExpr, AggregateParams, GroupingSetKeys, HashAggregateExec};
use crate::plan::ExecutionPlan;

/// The operator computing `agg` over the already planned `input`.
pub fn plan_aggregate(agg: &Aggregate, input: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    let in_schema = agg.input.schema();
    let (group_exprs, grouping_sets) = match agg.grouping_set() {
        Some(g) => {
            let sets = g
                .expand()?
                .into_iter()
                .map(|grouped| GroupingSetKeys { id: GroupingSet::grouping_id(&grouped), grouped })
                .collect();
            (g.distinct_exprs().into_iter().cloned().collect(), sets)
        }
        None => (agg.group_expr.clone(), vec![]),
    };
    let group_exprs =
        group_exprs.iter().map(|e| create_physical_expr(e, in_schema)).collect::<Result<Vec<_>>>()?;
    let mut args = ArgList::default();
    let mut aggr_exprs = Vec::with_capacity(agg.aggr_expr.len());
    let groups = agg.group_output_len();
    for (i, e) in agg.aggr_expr.iter().enumerate() {
        let Expr::AggregateFunction(call) = e.clone().unalias() else {
            return internal_err!("Aggregate node expects aggregate calls, got {e}");
        };
        let Some(field) = agg.schema.fields().get(groups + i) else {
            return internal_err!("aggregate schema is missing the field of {e}");
        };
        aggr_exprs.push(bind_call(&call, e, field.data_type(), in_schema, &mut args)?);
    }
    let args = args.exprs.iter().map(|e| create_physical_expr(e, in_schema)).collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(HashAggregateExec::try_new_with_grouping_sets(
        group_exprs,
        grouping_sets,
        args,
        aggr_exprs,
        agg.schema.to_arrow(),
        input,
    )?))
}

/// The argument expressions shared by the calls, each evaluated once per batch.
#[derive(Default)]
struct ArgList {
    exprs: Vec<Expr>,
}

impl ArgList {
    fn index_of(&mut self, e: &Expr) -> usize {
        match self.exprs.iter().position(|x| x == e) {
            Some(i) => i,
            None => {
                self.exprs.push(e.clone());
                self.exprs.len() - 1
            }
        }
    }
}

fn bind_call(
    call: &AggregateFunctionExpr,
    display: &Expr,
    return_type: &DataType,
    in_schema: &PlanSchema,
    args: &mut ArgList,
) -> Result<AggregateExpr> {
    use AggregateFunction::*;
    let func = call.func;
    let (value, constants) = match call.args.as_slice() {
        [] => (None, &[][..]),
        // count(<non-null constant>) counts rows
        [Expr::Literal(v)] if func == Count && !call.distinct && !v.is_null() => (None, &[][..]),
        [a, rest @ ..] => (Some(a), rest),
    };
    // every argument of a user-defined aggregate is a value column
    let (constants, extra_args) = match func {
        UserDefined(_) => {
            let extra = constants
                .iter()
                .map(|e| Ok((args.index_of(e), e.get_type(in_schema)?)))
                .collect::<Result<Vec<_>>>()?;
            (&[][..], extra)
        }
        _ => (constants, vec![]),
    };
    let params = match (func, constants) {
        (_, []) => AggregateParams::default(),
        (StringAgg, [sep]) => AggregateParams {
            // a NULL separator joins without one (as in PostgreSQL)
            separator: Some(match constant(sep) {
                Some(v) if v.is_null() => String::new(),
                Some(v) => match v.as_str() {
                    Some(s) => s.to_string(),
                    None => return plan_err!("string_agg(): the separator must be a string, got {sep}"),
                },
                None => return not_supported!("string_agg() with a separator that is not a constant: {sep}"),
            }),
            quantile: None,
        },
        (QuantileCont | ApproxQuantile, [q]) => {
            AggregateParams { separator: None, quantile: Some(quantile_of(func, q)?) }
        }
        _ => return not_supported!("{func}() with {} arguments", call.args.len()),
    };
    if matches!(func, QuantileCont | ApproxQuantile) && params.quantile.is_none() {
        return plan_err!("{func}() needs a quantile argument");
    }
    if !call.order_by.is_empty() {
        if !func.is_order_sensitive() {
            // the order cannot change the result: ignore it (as PostgreSQL does)
        } else if call.distinct {
            return not_supported!("{func}(DISTINCT .. ORDER BY ..)");
        }
    }
    let order_by = if func.is_order_sensitive() {
        call.order_by
            .iter()
            .map(|s| {
                let options = SortOptions { descending: !s.asc, nulls_first: s.nulls_first };
                Ok((args.index_of(&s.expr), s.expr.get_type(in_schema)?, options))
            })
            .collect::<Result<Vec<_>>>()?
    } else {
        vec![]
    };
    let (arg, arg_type) = match value {
        None => (None, None),
        Some(a) => (Some(args.index_of(a)), Some(a.get_type(in_schema)?)),
    };
    let filter = call.filter.as_deref().map(|f| create_physical_expr(f, in_schema)).transpose()?;
    Ok(AggregateExpr {
        func,
        arg,
        arg_type,
        extra_args,
        distinct: call.distinct,
        filter,
        return_type: return_type.clone(),
        params,
        order_by,
        display: display.to_string(),
    })
}

/// The value of a constant argument (possibly behind a cast the coercion added).
fn constant(e: &Expr) -> Option<ScalarValue> {
    match e {
        Expr::Literal(v) => Some(v.clone()),
        Expr::Cast(c) => constant(&c.expr)?.cast_to(&c.data_type).ok(),
        Expr::Alias(a) => constant(&a.expr),
        _ => None,
    }
}

fn quantile_of(func: AggregateFunction, q: &Expr) -> Result<f64> {
    let value = match constant(q) {
        Some(v) if v.is_null() => return plan_err!("{func}(): the quantile must not be NULL"),
        Some(v) => match v.as_f64() {
            Some(v) => v,
            None => return plan_err!("{func}(): the quantile must be a number, got {q}"),
        },
        None => return plan_err!("{func}(): the quantile must be a constant, got {q}"),
    };
    if !(0.0..=1.0).contains(&value) {
        return plan_err!("{func}(): the quantile must be between 0 and 1, got {value}");
    }
    Ok(value)
}
