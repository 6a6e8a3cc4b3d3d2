//! The `Union` case of [`crate::PushDownProjection`]: a UNION ALL whose parent uses only some of
//! its columns reads only those columns from each input.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Projection, Union};
use shoal_expr::{Expr, LogicalPlan, Transformed};

/// The pruning function of the rule, applied to each (narrowed) input.
pub(crate) type Prune = fn(LogicalPlan, &BTreeSet<usize>) -> Result<Transformed<LogicalPlan>>;

/// Narrow every input of `u` to the columns `required` (positions in the union's output).
pub(crate) fn prune_union(
    u: Union,
    required: &BTreeSet<usize>,
    prune: Prune,
) -> Result<Transformed<LogicalPlan>> {
    let width = u.schema.len();
    // `count(*)` over a union still needs each input's rows: keep one column.
    let required: BTreeSet<usize> =
        if required.is_empty() && width > 0 { [0].into() } else { required.clone() };
    let narrow = required.len() < width && u.inputs.iter().all(|i| columns_unique(i));
    let mut changed = narrow;
    let mut inputs = Vec::with_capacity(u.inputs.len());
    for input in &u.inputs {
        let input = Arc::unwrap_or_clone(Arc::clone(input));
        let input = if narrow {
            let schema = input.schema();
            let exprs: Vec<Expr> = required.iter().map(|&i| Expr::Column(schema.column(i))).collect();
            LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(input))?)
        } else {
            input
        };
        let all: BTreeSet<usize> = (0..input.schema().len()).collect();
        let out = prune(input, &all)?;
        changed |= out.transformed;
        inputs.push(Arc::new(out.data));
    }
    if !changed {
        return Ok(Transformed::no(LogicalPlan::Union(u)));
    }
    Ok(Transformed::yes(LogicalPlan::Union(Union::try_new(inputs)?)))
}

/// True when no two output columns of `plan` share a name and qualifier (so a column reference
/// picks out exactly one).
fn columns_unique(plan: &LogicalPlan) -> bool {
    let schema = plan.schema();
    let mut seen = HashSet::new();
    (0..schema.len()).all(|i| {
        seen.insert((schema.qualifier(i).map(str::to_lowercase), schema.field(i).name().to_lowercase()))
    })
}
