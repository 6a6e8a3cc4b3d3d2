//! [`Expr`]: the logical expression tree, one variant per construct, each a named struct.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::DataType;
use shoal_common::ScalarValue;

use crate::function::{AggregateFunction, ScalarFunction};
pub use crate::grouping_set::GroupingSet;
use crate::plan::LogicalPlan;
use crate::schema::Column;

/// A logical expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A reference to an input column.
    Column(Column),
    /// A constant.
    Literal(ScalarValue),
    /// `expr AS name`.
    Alias(Alias),
    /// `left op right`.
    BinaryExpr(BinaryExpr),
    /// `NOT expr` (three-valued).
    Not(Box<Expr>),
    /// `-expr`.
    Negative(Box<Expr>),
    /// `expr IS NULL`.
    IsNull(Box<Expr>),
    /// `expr IS NOT NULL`.
    IsNotNull(Box<Expr>),
    /// `expr [NOT] BETWEEN low AND high`.
    Between(Between),
    /// `expr [NOT] LIKE|ILIKE pattern [ESCAPE c]`.
    Like(Like),
    /// `expr [NOT] IN (list)`.
    InList(InList),
    /// `CASE [expr] WHEN .. THEN .. [ELSE ..] END`.
    Case(Case),
    /// `CAST(expr AS type)`: errors on values that do not convert.
    Cast(Cast),
    /// `TRY_CAST(expr AS type)`: NULL for values that do not convert.
    TryCast(TryCast),
    /// A call of a scalar function from the registry.
    ScalarFunction(ScalarFunctionExpr),
    /// A call of an aggregate function; only valid inside an `Aggregate` node.
    AggregateFunction(AggregateFunctionExpr),
    /// A window function call `f(..) OVER (..)`; only valid inside a `Window` node.
    WindowFunction(crate::window::WindowFunctionExpr),
    /// `*` or `t.*`; expanded by the builder, never reaches the optimizer.
    Wildcard { qualifier: Option<String> },
    /// `ROLLUP (..)`, `CUBE (..)`, `GROUPING SETS (..)`: only valid as the single group
    /// expression of an `Aggregate`.
    GroupingSet(GroupingSet),
    /// `(SELECT ..)` producing one column and at most one row (NULL when no row).
    ScalarSubquery(Subquery),
    /// `expr [NOT] IN (SELECT ..)`.
    InSubquery(InSubquery),
    /// `[NOT] EXISTS (SELECT ..)`.
    Exists(Exists),
    /// A column of an enclosing query, referenced from inside a subquery's plan; typed because
    /// the subquery's own schema cannot resolve it.
    OuterReferenceColumn(DataType, Column),
}

/// The plan of a subquery used as an expression. Subqueries are removed by the decorrelation
/// rules of the optimizer (turned into joins); none reaches physical planning.
#[derive(Debug, Clone)]
pub struct Subquery {
    pub plan: Arc<LogicalPlan>,
    /// The [`Expr::OuterReferenceColumn`]s the plan (at any depth) refers to; empty when the
    /// subquery is uncorrelated.
    pub outer_refs: Vec<Expr>,
}

impl PartialEq for Subquery {
    fn eq(&self, other: &Self) -> bool {
        self.outer_refs == other.outer_refs
            && (Arc::ptr_eq(&self.plan, &other.plan)
                || self.plan.display_indent() == other.plan.display_indent())
    }
}

impl Subquery {
    /// True when the subquery refers to columns of an enclosing query.
    pub fn is_correlated(&self) -> bool {
        !self.outer_refs.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct InSubquery {
    pub expr: Box<Expr>,
    pub subquery: Subquery,
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exists {
    pub subquery: Subquery,
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    pub expr: Box<Expr>,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Plus,
    Minus,
    Multiply,
    Divide,
    Modulo,
    And,
    Or,
    /// `||`
    StringConcat,
    IsDistinctFrom,
    IsNotDistinctFrom,
}

impl Operator {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            Operator::Eq
                | Operator::NotEq
                | Operator::Lt
                | Operator::LtEq
                | Operator::Gt
                | Operator::GtEq
                | Operator::IsDistinctFrom
                | Operator::IsNotDistinctFrom
        )
    }
    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            Operator::Plus | Operator::Minus | Operator::Multiply | Operator::Divide | Operator::Modulo
        )
    }
    pub fn is_logical(self) -> bool {
        matches!(self, Operator::And | Operator::Or)
    }
    /// `a op b` == `b swap(op) a`, for comparisons.
    pub fn swap(self) -> Option<Operator> {
        Some(match self {
            Operator::Eq => Operator::Eq,
            Operator::NotEq => Operator::NotEq,
            Operator::Lt => Operator::Gt,
            Operator::LtEq => Operator::GtEq,
            Operator::Gt => Operator::Lt,
            Operator::GtEq => Operator::LtEq,
            Operator::IsDistinctFrom => Operator::IsDistinctFrom,
            Operator::IsNotDistinctFrom => Operator::IsNotDistinctFrom,
            _ => return None,
        })
    }
    /// `NOT (a op b)` == `a negate(op) b` (for non-null operands).
    pub fn negate(self) -> Option<Operator> {
        Some(match self {
            Operator::Eq => Operator::NotEq,
            Operator::NotEq => Operator::Eq,
            Operator::Lt => Operator::GtEq,
            Operator::LtEq => Operator::Gt,
            Operator::Gt => Operator::LtEq,
            Operator::GtEq => Operator::Lt,
            Operator::IsDistinctFrom => Operator::IsNotDistinctFrom,
            Operator::IsNotDistinctFrom => Operator::IsDistinctFrom,
            _ => return None,
        })
    }
    /// Binding strength, for printing without redundant parentheses.
    pub fn precedence(self) -> u8 {
        match self {
            Operator::Or => 5,
            Operator::And => 10,
            Operator::Eq
            | Operator::NotEq
            | Operator::Lt
            | Operator::LtEq
            | Operator::Gt
            | Operator::GtEq
            | Operator::IsDistinctFrom
            | Operator::IsNotDistinctFrom => 20,
            Operator::StringConcat => 25,
            Operator::Plus | Operator::Minus => 30,
            Operator::Multiply | Operator::Divide | Operator::Modulo => 40,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operator::Eq => "=",
            Operator::NotEq => "<>",
            Operator::Lt => "<",
            Operator::LtEq => "<=",
            Operator::Gt => ">",
            Operator::GtEq => ">=",
            Operator::Plus => "+",
            Operator::Minus => "-",
            Operator::Multiply => "*",
            Operator::Divide => "/",
            Operator::Modulo => "%",
            Operator::And => "AND",
            Operator::Or => "OR",
            Operator::StringConcat => "||",
            Operator::IsDistinctFrom => "IS DISTINCT FROM",
            Operator::IsNotDistinctFrom => "IS NOT DISTINCT FROM",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BinaryExpr {
    pub left: Box<Expr>,
    pub op: Operator,
    pub right: Box<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Between {
    pub expr: Box<Expr>,
    pub negated: bool,
    pub low: Box<Expr>,
    pub high: Box<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Like {
    pub negated: bool,
    pub expr: Box<Expr>,
    pub pattern: Box<Expr>,
    pub escape_char: Option<char>,
    /// ILIKE
    pub case_insensitive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InList {
    pub expr: Box<Expr>,
    pub list: Vec<Expr>,
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The operand of a "simple" CASE (`CASE x WHEN 1 THEN ..`).
    pub expr: Option<Box<Expr>>,
    pub when_then: Vec<(Expr, Expr)>,
    pub else_expr: Option<Box<Expr>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cast {
    pub expr: Box<Expr>,
    pub data_type: DataType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TryCast {
    pub expr: Box<Expr>,
    pub data_type: DataType,
}

#[derive(Debug, Clone)]
pub struct ScalarFunctionExpr {
    pub func: Arc<dyn ScalarFunction>,
    pub args: Vec<Expr>,
}

impl PartialEq for ScalarFunctionExpr {
    fn eq(&self, other: &Self) -> bool {
        self.func.name() == other.func.name() && self.args == other.args
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AggregateFunctionExpr {
    pub func: AggregateFunction,
    /// Empty for `count(*)`.
    pub args: Vec<Expr>,
    pub distinct: bool,
    /// `FILTER (WHERE ..)`.
    pub filter: Option<Box<Expr>>,
    /// `agg(x ORDER BY y)`: the order in which order-sensitive aggregates (`string_agg`,
    /// `array_agg`) see their input; empty when unordered.
    pub order_by: Vec<SortExpr>,
}

impl Expr {
    /// A plain call of the aggregate `func` over `args`: no DISTINCT, FILTER or ORDER BY.
    pub fn aggregate(func: AggregateFunction, args: Vec<Expr>) -> Expr {
        Expr::AggregateFunction(AggregateFunctionExpr {
            func,
            args,
            distinct: false,
            filter: None,
            order_by: vec![],
        })
    }
}

/// One ORDER BY key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortExpr {
    pub expr: Expr,
    pub asc: bool,
    pub nulls_first: bool,
}

impl SortExpr {
    pub fn new(expr: Expr, asc: bool, nulls_first: bool) -> Self {
        Self { expr, asc, nulls_first }
    }
}

impl fmt::Display for SortExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.expr,
            if self.asc { "ASC" } else { "DESC" },
            if self.nulls_first { "NULLS FIRST" } else { "NULLS LAST" }
        )
    }
}

/// A reference to the column named `name` (may be `"t.a"`-style qualified only via [`Column::new`]).
pub fn col(name: impl Into<String>) -> Expr {
    Expr::Column(Column::from_name(name))
}

/// A literal value.
pub fn lit(value: impl Into<ScalarValue>) -> Expr {
    Expr::Literal(value.into())
}

impl Expr {
    pub fn alias(self, name: impl Into<String>) -> Expr {
        Expr::Alias(Alias { expr: Box::new(self.unalias()), name: name.into() })
    }
    /// Strip a top-level alias.
    pub fn unalias(self) -> Expr {
        match self {
            Expr::Alias(a) => *a.expr,
            e => e,
        }
    }
    pub fn binary(self, op: Operator, right: Expr) -> Expr {
        Expr::BinaryExpr(BinaryExpr { left: Box::new(self), op, right: Box::new(right) })
    }
    pub fn and(self, other: Expr) -> Expr {
        self.binary(Operator::And, other)
    }
    pub fn or(self, other: Expr) -> Expr {
        self.binary(Operator::Or, other)
    }
    pub fn eq(self, other: Expr) -> Expr {
        self.binary(Operator::Eq, other)
    }
    pub fn not_eq(self, other: Expr) -> Expr {
        self.binary(Operator::NotEq, other)
    }
    pub fn lt(self, other: Expr) -> Expr {
        self.binary(Operator::Lt, other)
    }
    pub fn lt_eq(self, other: Expr) -> Expr {
        self.binary(Operator::LtEq, other)
    }
    pub fn gt(self, other: Expr) -> Expr {
        self.binary(Operator::Gt, other)
    }
    pub fn gt_eq(self, other: Expr) -> Expr {
        self.binary(Operator::GtEq, other)
    }
    pub fn is_null(self) -> Expr {
        Expr::IsNull(Box::new(self))
    }
    pub fn is_not_null(self) -> Expr {
        Expr::IsNotNull(Box::new(self))
    }
    pub fn cast_to(self, data_type: DataType) -> Expr {
        Expr::Cast(Cast { expr: Box::new(self), data_type })
    }

    /// The output column name of this expression: the alias, the column name, or its text.
    pub fn name(&self) -> String {
        match self {
            Expr::Alias(a) => a.name.clone(),
            Expr::Column(c) => c.name.clone(),
            other => other.to_string(),
        }
    }

    /// True if the expression contains an aggregate function call.
    pub fn contains_aggregate(&self) -> bool {
        use crate::tree_node::{TreeNode, TreeNodeRecursion};
        let mut found = false;
        let _ = self.apply(|e| {
            if matches!(e, Expr::AggregateFunction(_)) {
                found = true;
                return Ok(TreeNodeRecursion::Stop);
            }
            Ok(TreeNodeRecursion::Continue)
        });
        found
    }

    /// Every column referenced by the expression (in order of first appearance), including the
    /// columns a subquery in it refers to as outer references.
    pub fn column_refs(&self) -> Vec<Column> {
        use crate::tree_node::{TreeNode, TreeNodeRecursion};
        let mut cols: Vec<Column> = vec![];
        let _ = self.apply(|e| {
            let mut add = |c: &Column| {
                if !cols.contains(c) {
                    cols.push(c.clone());
                }
            };
            match e {
                Expr::Column(c) => add(c),
                Expr::ScalarSubquery(s)
                | Expr::InSubquery(InSubquery { subquery: s, .. })
                | Expr::Exists(Exists { subquery: s, .. }) => {
                    for r in &s.outer_refs {
                        if let Expr::OuterReferenceColumn(_, c) = r {
                            add(c);
                        }
                    }
                }
                _ => {}
            }
            Ok(TreeNodeRecursion::Continue)
        });
        cols
    }

    /// True if the expression contains a subquery (scalar, IN or EXISTS).
    pub fn contains_subquery(&self) -> bool {
        use crate::tree_node::{TreeNode, TreeNodeRecursion};
        let mut found = false;
        let _ = self.apply(|e| {
            if matches!(e, Expr::ScalarSubquery(_) | Expr::InSubquery(_) | Expr::Exists(_)) {
                found = true;
                return Ok(TreeNodeRecursion::Stop);
            }
            Ok(TreeNodeRecursion::Continue)
        });
        found
    }

    /// Split `a AND b AND c` into `[a, b, c]`.
    pub fn split_conjunction(&self) -> Vec<&Expr> {
        match self {
            Expr::BinaryExpr(BinaryExpr { left, op: Operator::And, right }) => {
                let mut v = left.split_conjunction();
                v.extend(right.split_conjunction());
                v
            }
            Expr::Alias(a) => a.expr.split_conjunction(),
            e => vec![e],
        }
    }

    /// Join predicates with AND; `None` for an empty list.
    pub fn conjunction(exprs: impl IntoIterator<Item = Expr>) -> Option<Expr> {
        exprs.into_iter().reduce(Expr::and)
    }
}
