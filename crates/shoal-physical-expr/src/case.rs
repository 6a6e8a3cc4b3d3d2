//! [`CaseExpr`]: `CASE [operand] WHEN .. THEN .. [ELSE ..] END`, evaluated lazily.
//!
//! A WHEN condition is evaluated only on the rows no earlier WHEN matched, and a THEN / ELSE
//! branch only on the rows that reach it: the batch is filtered down to those rows, the branch
//! is evaluated, and the pieces are scattered back into place with `interleave`. So
//! `CASE WHEN x <> 0 THEN 10 / x END` never divides by zero. NULL conditions count as false;
//! rows that match nothing and have no ELSE are NULL. The simple form compares the operand
//! (evaluated once per row) with each WHEN value by `=`.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray, UInt32Array};
use arrow::compute::{cast, filter, filter_record_batch, interleave, not, prep_null_mask_filter};
use arrow::datatypes::{DataType, Schema};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{internal_err, Result, ScalarValue};
use shoal_expr::{ColumnarValue, Operator};

use crate::binary::compare;
use crate::util::{inner_array, into_boolean_array};
use crate::{ColumnExpr, LiteralExpr, PhysicalExpr, PhysicalExprRef};

/// `CASE [operand] WHEN w THEN t ... [ELSE e] END`; the branches share one (coerced) type.
#[derive(Debug)]
pub struct CaseExpr {
    operand: Option<PhysicalExprRef>,
    when_then: Vec<(PhysicalExprRef, PhysicalExprRef)>,
    else_expr: Option<PhysicalExprRef>,
    data_type: DataType,
    /// When set, the children are bound to these columns of the input batch (so filtering a
    /// batch for a branch touches only the columns the CASE reads).
    projection: Option<Vec<usize>>,
    /// `rows_needed_after[i]`: does anything evaluated after WHEN `i` read the rows' columns?
    rows_needed_after: Vec<bool>,
}

/// The rows of the input still unmatched: a (filtered) batch and, once filtered, the original
/// index of each of its rows.
struct Remaining {
    batch: RecordBatch,
    rows: Option<UInt32Array>,
    operand: Option<ColumnarValue>,
}

/// Values for some rows of the output: `rows` (None = every row, in order) and their values.
struct Piece {
    rows: Option<UInt32Array>,
    value: ColumnarValue,
}

fn needs_rows(e: &PhysicalExprRef) -> bool {
    e.as_any().downcast_ref::<LiteralExpr>().is_none()
}

impl CaseExpr {
    /// Bind a CASE; at least one WHEN is required.
    pub fn try_new(
        operand: Option<PhysicalExprRef>,
        when_then: Vec<(PhysicalExprRef, PhysicalExprRef)>,
        else_expr: Option<PhysicalExprRef>,
    ) -> Result<Self> {
        if when_then.is_empty() {
            return internal_err!("CASE needs at least one WHEN");
        }
        let data_type = when_then
            .iter()
            .map(|(_, t)| t)
            .chain(else_expr.iter())
            .map(|e| e.data_type())
            .find(|t| **t != DataType::Null)
            .cloned()
            .unwrap_or(DataType::Null);
        let rows_needed_after = (0..when_then.len())
            .map(|i| {
                when_then[i + 1..].iter().any(|(w, t)| needs_rows(w) || needs_rows(t))
                    || else_expr.as_ref().is_some_and(needs_rows)
            })
            .collect();
        Ok(Self { operand, when_then, else_expr, data_type, projection: None, rows_needed_after })
    }

    /// The children were bound to `projection` (indices into the input batch's columns).
    pub fn with_projection(mut self, projection: Vec<usize>) -> Self {
        self.projection = Some(projection);
        self
    }

    /// Evaluate `expr` on the rows of `batch` selected by `mask` (no NULLs in `mask`).
    fn evaluate_selected(
        expr: &PhysicalExprRef,
        batch: &RecordBatch,
        mask: &BooleanArray,
    ) -> Result<ColumnarValue> {
        if expr.as_any().downcast_ref::<LiteralExpr>().is_some() {
            return expr.evaluate(batch);
        }
        if expr.as_any().downcast_ref::<ColumnExpr>().is_some() {
            let value = expr.evaluate(batch)?;
            return Ok(ColumnarValue::Array(filter(inner_array(&value), mask)?));
        }
        expr.evaluate(&filter_record_batch(batch, mask)?)
    }

    /// The condition of WHEN `i` over the remaining rows, NULL as false.
    fn condition(&self, when: &PhysicalExprRef, rest: &Remaining) -> Result<BooleanArray> {
        let value = when.evaluate(&rest.batch)?;
        let value = match &rest.operand {
            Some(op) => compare(Operator::Eq, op, &value, self)?,
            None => value,
        };
        let cond = into_boolean_array(value, rest.batch.num_rows(), self)?;
        Ok(if cond.null_count() > 0 { prep_null_mask_filter(&cond) } else { cond })
    }

    /// Scatter the pieces into one column of `num_rows` rows (NULL where no piece lands).
    fn assemble(&self, num_rows: usize, mut pieces: Vec<Piece>) -> Result<ColumnarValue> {
        if pieces.is_empty() {
            return Ok(ColumnarValue::Scalar(ScalarValue::null(&self.data_type)));
        }
        if pieces.len() == 1 && pieces[0].rows.is_none() {
            if let Some(p) = pieces.pop() {
                return self.coerce(p.value);
            }
        }
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(pieces.len() + 1);
        for p in &pieces {
            arrays.push(self.coerce_array(inner_array(&p.value))?);
        }
        let null_slot = arrays.len();
        arrays.push(new_null_array(&self.data_type, 1));
        let mut slots = vec![(null_slot, 0usize); num_rows];
        for (p, piece) in pieces.iter().enumerate() {
            let scalar = matches!(piece.value, ColumnarValue::Scalar(_));
            let mut place = |k: usize, row: usize| -> Result<()> {
                match slots.get_mut(row) {
                    Some(slot) => {
                        *slot = (p, if scalar { 0 } else { k });
                        Ok(())
                    }
                    None => internal_err!("CASE row {row} out of range {num_rows}"),
                }
            };
            match &piece.rows {
                Some(rows) => {
                    for (k, &row) in rows.values().iter().enumerate() {
                        place(k, row as usize)?;
                    }
                }
                None => {
                    for row in 0..num_rows {
                        place(row, row)?;
                    }
                }
            }
        }
        let refs: Vec<&dyn Array> = arrays.iter().map(|a| a.as_ref()).collect();
        Ok(ColumnarValue::Array(interleave(&refs, &slots)?))
    }

    fn coerce_array(&self, array: &ArrayRef) -> Result<ArrayRef> {
        if array.data_type() == &self.data_type {
            Ok(array.clone())
        } else {
            Ok(cast(array, &self.data_type)?)
        }
    }

    fn coerce(&self, value: ColumnarValue) -> Result<ColumnarValue> {
        if value.data_type() == self.data_type {
            return Ok(value);
        }
        Ok(match value {
            ColumnarValue::Array(a) => ColumnarValue::Array(cast(&a, &self.data_type)?),
            ColumnarValue::Scalar(s) => ColumnarValue::Scalar(s.cast_to(&self.data_type)?),
        })
    }
}

/// Keep the rows of `rest` where `keep` is true (`keep` has no NULLs).
fn narrow(rest: Remaining, keep: &BooleanArray, needs_rows: bool) -> Result<Remaining> {
    let count = keep.true_count();
    let batch = if needs_rows {
        filter_record_batch(&rest.batch, keep)?
    } else {
        // nothing after this reads columns: only the row count matters
        let options = RecordBatchOptions::new().with_row_count(Some(count));
        RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options)?
    };
    let rows = filter(&row_indices(&rest)?, keep)?;
    let rows = match rows.as_any().downcast_ref::<UInt32Array>() {
        Some(r) => r.clone(),
        None => return internal_err!("CASE row indices are not UInt32"),
    };
    let operand = match rest.operand {
        Some(ColumnarValue::Array(a)) => Some(ColumnarValue::Array(filter(&a, keep)?)),
        other => other,
    };
    Ok(Remaining { batch, rows: Some(rows), operand })
}

/// The original row index of each remaining row.
fn row_indices(rest: &Remaining) -> Result<UInt32Array> {
    match &rest.rows {
        Some(r) => Ok(r.clone()),
        None => {
            let n = u32::try_from(rest.batch.num_rows())
                .map_err(|_| shoal_common::ShoalError::Internal("batch too large for CASE".into()))?;
            Ok(UInt32Array::from_iter_values(0..n))
        }
    }
}

impl fmt::Display for CaseExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CASE")?;
        if let Some(e) = &self.operand {
            write!(f, " {e}")?;
        }
        for (w, t) in &self.when_then {
            write!(f, " WHEN {w} THEN {t}")?;
        }
        if let Some(e) = &self.else_expr {
            write!(f, " ELSE {e}")?;
        }
        f.write_str(" END")
    }
}

impl PhysicalExpr for CaseExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &self.data_type
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        let mut out: Vec<&PhysicalExprRef> = self.operand.iter().collect();
        for (w, t) in &self.when_then {
            out.push(w);
            out.push(t);
        }
        out.extend(self.else_expr.iter());
        out
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let num_rows = batch.num_rows();
        let input = match &self.projection {
            Some(p) => batch.project(p)?,
            None => batch.clone(),
        };
        let operand = match &self.operand {
            Some(op) => Some(op.evaluate(&input)?),
            None => None,
        };
        let mut rest = Remaining { batch: input, rows: None, operand };
        let mut pieces: Vec<Piece> = vec![];
        let mut all_matched = false;
        for (i, (when, then)) in self.when_then.iter().enumerate() {
            if rest.batch.num_rows() == 0 {
                all_matched = true;
                break;
            }
            let cond = self.condition(when, &rest)?;
            let matched = cond.true_count();
            if matched == 0 {
                continue;
            }
            if matched == rest.batch.num_rows() {
                let value = then.evaluate(&rest.batch)?;
                pieces.push(Piece { rows: rest.rows.take(), value });
                all_matched = true;
                break;
            }
            let value = Self::evaluate_selected(then, &rest.batch, &cond)?;
            let rows = filter(&row_indices(&rest)?, &cond)?;
            let rows = match rows.as_any().downcast_ref::<UInt32Array>() {
                Some(r) => r.clone(),
                None => return internal_err!("CASE row indices are not UInt32"),
            };
            pieces.push(Piece { rows: Some(rows), value });
            let keep = not(&cond)?;
            let needed = self.rows_needed_after.get(i).copied().unwrap_or(true);
            rest = narrow(rest, &keep, needed)?;
        }
        if !all_matched && rest.batch.num_rows() > 0 {
            if let Some(e) = &self.else_expr {
                let value = e.evaluate(&rest.batch)?;
                pieces.push(Piece { rows: rest.rows.take(), value });
            }
        }
        self.assemble(num_rows, pieces)
    }
}
