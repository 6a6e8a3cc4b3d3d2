//! [`UdafGroupsAccumulator`]: runs a user-defined aggregate ([`AggregateUdf`]) as a
//! [`GroupsAccumulator`] by keeping one row-wise [`Accumulator`] per group. Each batch's rows
//! are ordered by group once (a stable sort of the row numbers and one `take`), so every group
//! present in the batch gets one call with its contiguous slice of rows.

use arrow::array::{new_empty_array, Array, ArrayRef, UInt32Array};
use arrow::compute::{concat, take};
use arrow::datatypes::DataType;
use shoal_common::{exec_err, internal_err, not_supported, Result, ScalarValue};
use shoal_expr::{Accumulator, AggregateFunction, AggregateUdf, AggregateUdfRef};

use super::accumulator::GroupsAccumulator;
use super::AggregateExpr;

/// One [`Accumulator`] per group of a hash table.
pub struct UdafGroupsAccumulator {
    udaf: &'static dyn AggregateUdf,
    arg_types: Vec<DataType>,
    state_types: Vec<DataType>,
    return_type: DataType,
    groups: Vec<Box<dyn Accumulator>>,
}

impl std::fmt::Debug for UdafGroupsAccumulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UdafGroupsAccumulator({}, {} groups)", self.udaf.name(), self.groups.len())
    }
}

impl UdafGroupsAccumulator {
    /// The accumulator of `udaf` over arguments of (coerced) `arg_types`.
    pub fn try_new(udaf: AggregateUdfRef, arg_types: Vec<DataType>, return_type: &DataType) -> Result<Self> {
        let udaf = udaf.udaf();
        if arg_types.is_empty() {
            return not_supported!("{}(): user-defined aggregates need at least one argument", udaf.name());
        }
        let state_types = udaf.state_types(&arg_types)?;
        // fail at planning time if the factory itself fails
        udaf.accumulator(&arg_types)?;
        Ok(Self { udaf, arg_types, state_types, return_type: return_type.clone(), groups: vec![] })
    }

    /// Grow to `total_groups` accumulators.
    fn grow(&mut self, total_groups: usize) -> Result<()> {
        while self.groups.len() < total_groups {
            self.groups.push(self.udaf.accumulator(&self.arg_types)?);
        }
        Ok(())
    }

    /// Call `f(accumulator, rows)` once per group present in `group_ids`, with the rows of
    /// `columns` belonging to that group.
    fn for_each_group(
        &mut self,
        columns: &[ArrayRef],
        group_ids: &[u32],
        total_groups: usize,
        mut f: impl FnMut(&mut dyn Accumulator, &[ArrayRef]) -> Result<()>,
    ) -> Result<()> {
        self.grow(total_groups)?;
        if let Some(c) = columns.iter().find(|c| c.len() != group_ids.len()) {
            return internal_err!(
                "{}(): a column of {} rows for {} group ids",
                self.udaf.name(),
                c.len(),
                group_ids.len()
            );
        }
        let Some(&first) = group_ids.first() else {
            return Ok(());
        };
        if group_ids.iter().all(|&g| g == first) {
            return f(self.group(first)?, columns);
        }
        let mut order: Vec<u32> = (0..group_ids.len() as u32).collect();
        order.sort_by_key(|&row| group_ids.get(row as usize).copied().unwrap_or(u32::MAX));
        let sorted_groups: Vec<u32> =
            order.iter().map(|&row| group_ids.get(row as usize).copied().unwrap_or(u32::MAX)).collect();
        let indices = UInt32Array::from(order);
        let sorted =
            columns.iter().map(|c| Ok(take(c.as_ref(), &indices, None)?)).collect::<Result<Vec<_>>>()?;
        let mut start = 0;
        while start < sorted_groups.len() {
            let group = sorted_groups[start];
            let end = sorted_groups[start..]
                .iter()
                .position(|&g| g != group)
                .map_or(sorted_groups.len(), |n| start + n);
            let slices: Vec<ArrayRef> = sorted.iter().map(|c| c.slice(start, end - start)).collect();
            f(self.group(group)?, &slices)?;
            start = end;
        }
        Ok(())
    }

    fn group(&mut self, group: u32) -> Result<&mut dyn Accumulator> {
        match self.groups.get_mut(group as usize) {
            Some(acc) => Ok(acc.as_mut()),
            None => internal_err!("group id {group} beyond the accumulators"),
        }
    }

    /// One array of `data_type` from per-group values, checking each value's type.
    fn to_array(&self, values: Vec<ScalarValue>, data_type: &DataType, what: &str) -> Result<ArrayRef> {
        if values.is_empty() {
            return Ok(new_empty_array(data_type));
        }
        let values = values
            .into_iter()
            .map(|v| {
                if v.data_type() == data_type {
                    Ok(v)
                } else if v.is_null() {
                    Ok(ScalarValue::null(data_type))
                } else {
                    exec_err!(
                        "user-defined aggregate {}() returned a {what} of type {}, but declared {data_type}",
                        self.udaf.name(),
                        v.data_type()
                    )
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let arrays: Vec<&dyn Array> = values.iter().map(|v| v.array().as_ref()).collect();
        Ok(concat(&arrays)?)
    }
}

impl GroupsAccumulator for UdafGroupsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        if values.len() != self.arg_types.len() {
            return internal_err!(
                "{}() got {} argument columns, expected {}",
                self.udaf.name(),
                values.len(),
                self.arg_types.len()
            );
        }
        self.for_each_group(values, group_ids, total_groups, |acc, rows| acc.update_batch(rows))
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.grow(total_groups)?;
        let groups = std::mem::take(&mut self.groups);
        let mut fields: Vec<Vec<ScalarValue>> =
            vec![Vec::with_capacity(groups.len()); self.state_types.len()];
        for mut acc in groups.into_iter().take(total_groups) {
            let state = acc.state()?;
            if state.len() != self.state_types.len() {
                return exec_err!(
                    "user-defined aggregate {}() returned a state of {} values, but declared {}",
                    self.udaf.name(),
                    state.len(),
                    self.state_types.len()
                );
            }
            for (field, value) in fields.iter_mut().zip(state) {
                field.push(value);
            }
        }
        fields
            .into_iter()
            .zip(self.state_types.iter())
            .map(|(values, t)| self.to_array(values, t, "state value"))
            .collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        if states.len() != self.state_types.len() {
            return internal_err!(
                "{}(): {} state columns, expected {}",
                self.udaf.name(),
                states.len(),
                self.state_types.len()
            );
        }
        self.for_each_group(states, group_ids, total_groups, |acc, rows| acc.merge_batch(rows))
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.grow(total_groups)?;
        let groups = std::mem::take(&mut self.groups);
        let values = groups
            .into_iter()
            .take(total_groups)
            .map(|mut acc| acc.evaluate())
            .collect::<Result<Vec<_>>>()?;
        let return_type = self.return_type.clone();
        self.to_array(values, &return_type, "result")
    }
}

/// The accumulator of a user-defined aggregate call with several value arguments
/// ([`AggregateExpr::extra_args`]).
pub(crate) fn multi_arg_accumulator(expr: &AggregateExpr) -> Result<Box<dyn GroupsAccumulator>> {
    let AggregateFunction::UserDefined(udaf) = expr.func else {
        return internal_err!("{}: only user-defined aggregates take several value columns", expr.display);
    };
    if expr.distinct {
        return not_supported!("{}: DISTINCT with several arguments", expr.display);
    }
    let types = expr.arg_type.iter().cloned().chain(expr.extra_args.iter().map(|(_, t)| t.clone()));
    let acc = UdafGroupsAccumulator::try_new(udaf, types.collect(), &expr.return_type)?;
    Ok(Box::new(acc))
}
