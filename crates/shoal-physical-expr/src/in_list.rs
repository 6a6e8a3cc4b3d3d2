//! [`InListExpr`]: `expr [NOT] IN (list)`.
//!
//! When every list item is a literal, a hash set is built once (see [`crate::in_list_set`])
//! and each batch is probed in one pass; otherwise the list is evaluated as an OR of equalities.
//! NULL semantics (PostgreSQL): the result is NULL when the value is NULL, or when there is no
//! match and the list contains a NULL; `NOT IN` negates under the same three-valued rules.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::array::{Array, BooleanArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::{ColumnarValue, Operator};

use crate::binary::{compare, kleene};
use crate::in_list_set::{make_set, InSet};
use crate::util::{as_boolean, bool_scalar, inner_array, is_scalar, wrap};
use crate::{LiteralExpr, PhysicalExpr, PhysicalExprRef};

/// `expr [NOT] IN (list)`; the list items have the (coerced) type of `expr`.
#[derive(Debug)]
pub struct InListExpr {
    expr: PhysicalExprRef,
    list: Vec<PhysicalExprRef>,
    negated: bool,
    /// The literal list as a hash set, with whether it holds a NULL.
    set: Option<(Box<dyn InSet>, bool)>,
}

impl InListExpr {
    pub fn try_new(expr: PhysicalExprRef, list: Vec<PhysicalExprRef>, negated: bool) -> Result<Self> {
        let set = Self::literal_set(expr.data_type(), &list)?;
        Ok(Self { expr, list, negated, set })
    }

    /// A hash set when every item is a literal of a type with a specialised set.
    fn literal_set(data_type: &DataType, list: &[PhysicalExprRef]) -> Result<Option<(Box<dyn InSet>, bool)>> {
        let mut values = Vec::with_capacity(list.len());
        let mut has_null = false;
        for item in list {
            let Some(lit) = item.as_any().downcast_ref::<LiteralExpr>() else {
                return Ok(None);
            };
            let v = lit.value();
            if v.is_null() {
                has_null = true;
            } else {
                values.push(v.cast_to(data_type)?);
            }
        }
        Ok(make_set(data_type, &values)?.map(|s| (s, has_null)))
    }

    pub fn negated(&self) -> bool {
        self.negated
    }
    pub fn list(&self) -> &[PhysicalExprRef] {
        &self.list
    }

    fn probe(&self, set: &dyn InSet, list_has_null: bool, value: &ColumnarValue) -> Result<ColumnarValue> {
        let array = inner_array(value);
        let found = set.contains(array.as_ref())?;
        let mut nulls = array.logical_nulls();
        if list_has_null {
            // no match against a list holding NULL: unknown
            nulls = NullBuffer::union(nulls.as_ref(), Some(&NullBuffer::new(found.clone())));
        }
        let values = if self.negated { !&found } else { found };
        wrap(Arc::new(BooleanArray::new(values, nulls)), is_scalar(value))
    }

    /// `expr = item1 OR expr = item2 ...` in three-valued logic (negated for NOT IN).
    fn evaluate_or_chain(&self, value: &ColumnarValue, batch: &RecordBatch) -> Result<ColumnarValue> {
        let mut acc = bool_scalar(Some(false));
        for item in &self.list {
            let item = item.evaluate(batch)?;
            let eq = compare(Operator::Eq, value, &item, self)?;
            acc = kleene(false, acc, eq, batch.num_rows(), self)?;
        }
        if !self.negated {
            return Ok(acc);
        }
        let out = arrow::compute::not(as_boolean(&acc, self)?)?;
        wrap(Arc::new(out), is_scalar(&acc))
    }
}

impl fmt::Display for InListExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}IN (", self.expr, if self.negated { "NOT " } else { "" })?;
        for (i, e) in self.list.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{e}")?;
        }
        f.write_str(")")
    }
}

impl PhysicalExpr for InListExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &DataType::Boolean
    }
    fn nullable(&self) -> bool {
        self.expr.nullable() || self.list.iter().any(|e| e.nullable())
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        std::iter::once(&self.expr).chain(self.list.iter()).collect()
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        if value.data_type() == DataType::Null {
            return Ok(bool_scalar(None));
        }
        match &self.set {
            Some((set, has_null)) => self.probe(set.as_ref(), *has_null, &value),
            None => self.evaluate_or_chain(&value, batch),
        }
    }
}
