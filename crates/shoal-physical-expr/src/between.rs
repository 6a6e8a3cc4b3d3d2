//! [`BetweenExpr`]: `expr [NOT] BETWEEN low AND high`, i.e. `expr >= low AND expr <= high`
//! (`expr < low OR expr > high` when negated) in three-valued logic, evaluating `expr` once.

use std::any::Any;
use std::fmt;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::{ColumnarValue, Operator};

use crate::binary::{compare, kleene};
use crate::{PhysicalExpr, PhysicalExprRef};

/// `expr [NOT] BETWEEN low AND high`; the three operands share one (coerced) type.
#[derive(Debug)]
pub struct BetweenExpr {
    expr: PhysicalExprRef,
    negated: bool,
    low: PhysicalExprRef,
    high: PhysicalExprRef,
}

impl BetweenExpr {
    pub fn new(expr: PhysicalExprRef, negated: bool, low: PhysicalExprRef, high: PhysicalExprRef) -> Self {
        Self { expr, negated, low, high }
    }
    pub fn negated(&self) -> bool {
        self.negated
    }
}

impl fmt::Display for BetweenExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}BETWEEN {} AND {}",
            self.expr,
            if self.negated { "NOT " } else { "" },
            self.low,
            self.high
        )
    }
}

impl PhysicalExpr for BetweenExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &DataType::Boolean
    }
    fn nullable(&self) -> bool {
        self.expr.nullable() || self.low.nullable() || self.high.nullable()
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.expr, &self.low, &self.high]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        let low = self.low.evaluate(batch)?;
        let high = self.high.evaluate(batch)?;
        let (low_op, high_op) =
            if self.negated { (Operator::Lt, Operator::Gt) } else { (Operator::GtEq, Operator::LtEq) };
        let l = compare(low_op, &value, &low, self)?;
        let h = compare(high_op, &value, &high, self)?;
        kleene(!self.negated, l, h, batch.num_rows(), self)
    }
}
