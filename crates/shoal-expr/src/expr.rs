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
    Wildcard {
        /// `Some("t")` for `t.*`: only the columns of relation `t`; `None` for `*`.
        qualifier: Option<String>,
    },
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
    /// The subquery's plan; columns of enclosing queries appear in it as
    /// [`Expr::OuterReferenceColumn`].
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
/// `expr [NOT] IN (SELECT ..)`, with SQL's three-valued result: NULL (not false) when no row
/// matches and `expr` or some subquery value is NULL.
pub struct InSubquery {
    /// The value looked up.
    pub expr: Box<Expr>,
    /// A subquery of exactly one column, of a type comparable with `expr`.
    pub subquery: Subquery,
    /// True for `NOT IN`.
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
/// `[NOT] EXISTS (SELECT ..)`: true when the subquery yields at least one row; never NULL.
pub struct Exists {
    /// The subquery; its columns do not matter, only whether it has rows.
    pub subquery: Subquery,
    /// True for `NOT EXISTS`.
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
/// `expr AS name`: names an output column. Only meaningful at the top of a select item or
/// of an aggregate/window call; the value is `expr`'s.
pub struct Alias {
    /// The named expression (never itself an alias).
    pub expr: Box<Expr>,
    /// The output column name, as written (case kept).
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// A binary operator of [`BinaryExpr`]. Comparisons and arithmetic yield NULL when an
/// operand is NULL, except `IS [NOT] DISTINCT FROM`; `AND`/`OR` follow SQL's three-valued logic.
pub enum Operator {
    /// `=`
    Eq,
    /// `<>` (also written `!=`)
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `+`: numeric addition, or date/timestamp plus interval.
    Plus,
    /// `-`: numeric subtraction, or date/timestamp minus interval or minus date/timestamp.
    Minus,
    /// `*`
    Multiply,
    /// `/`: integer division truncates toward zero; division by zero is an execution error.
    Divide,
    /// `%`: remainder with the sign of the dividend; modulo by zero is an execution error.
    Modulo,
    /// `AND`: false if either side is false, else NULL if either is NULL, else true.
    And,
    /// `OR`: true if either side is true, else NULL if either is NULL, else false.
    Or,
    /// `||`
    StringConcat,
    /// `IS DISTINCT FROM`: `<>` with NULLs compared as values (never NULL).
    IsDistinctFrom,
    /// `IS NOT DISTINCT FROM`: `=` with NULLs compared as values (never NULL).
    IsNotDistinctFrom,
}

impl Operator {
    /// True for the operators yielding a boolean from two comparable operands (`=`, `<`, ...,
    /// `IS [NOT] DISTINCT FROM`).
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
    /// True for `+ - * / %`.
    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            Operator::Plus | Operator::Minus | Operator::Multiply | Operator::Divide | Operator::Modulo
        )
    }
    /// True for `AND` and `OR`.
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
/// `left op right`; see [`Operator`] for the NULL behaviour of each operator.
pub struct BinaryExpr {
    /// The left operand.
    pub left: Box<Expr>,
    /// The operator.
    pub op: Operator,
    /// The right operand.
    pub right: Box<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
/// `expr [NOT] BETWEEN low AND high`, both bounds inclusive: `low <= expr AND expr <= high`
/// (so NULL when any operand is NULL and the other comparison does not decide).
pub struct Between {
    /// The value tested.
    pub expr: Box<Expr>,
    /// True for `NOT BETWEEN`.
    pub negated: bool,
    /// The inclusive lower bound.
    pub low: Box<Expr>,
    /// The inclusive upper bound (a `low` above it matches nothing).
    pub high: Box<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
/// `expr [NOT] LIKE|ILIKE pattern [ESCAPE c]`: `%` matches any run of characters, `_` one
/// character. NULL when `expr` or `pattern` is NULL.
pub struct Like {
    /// True for `NOT LIKE` / `NOT ILIKE`.
    pub negated: bool,
    /// The string tested.
    pub expr: Box<Expr>,
    /// The pattern (a string expression, usually a literal).
    pub pattern: Box<Expr>,
    /// The character that makes the next `%`, `_` or itself literal; `None` = the default `\`.
    pub escape_char: Option<char>,
    /// ILIKE
    pub case_insensitive: bool,
}

#[derive(Debug, Clone, PartialEq)]
/// `expr [NOT] IN (v1, v2, ..)`: true when `expr` equals a list value; NULL (not false) when
/// none matches and `expr` or a list value is NULL.
pub struct InList {
    /// The value looked up.
    pub expr: Box<Expr>,
    /// The candidate values, of types comparable with `expr`.
    pub list: Vec<Expr>,
    /// True for `NOT IN`.
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
/// `CASE [expr] WHEN .. THEN .. [ELSE ..] END`: the value of the first branch whose condition
/// is true (NULL conditions count as false); without a match the ELSE value, or NULL.
pub struct Case {
    /// The operand of a "simple" CASE (`CASE x WHEN 1 THEN ..`).
    pub expr: Option<Box<Expr>>,
    /// The `(WHEN, THEN)` branches, in order (at least one). A WHEN is a boolean condition, or
    /// with an operand a value compared to it with `=`.
    pub when_then: Vec<(Expr, Expr)>,
    /// The `ELSE` value; `None` means NULL.
    pub else_expr: Option<Box<Expr>>,
}

#[derive(Debug, Clone, PartialEq)]
/// `CAST(expr AS data_type)`: a value that does not convert is an execution error; NULL
/// stays NULL.
pub struct Cast {
    /// The value converted.
    pub expr: Box<Expr>,
    /// The target type.
    pub data_type: DataType,
}

#[derive(Debug, Clone, PartialEq)]
/// `TRY_CAST(expr AS data_type)`: like [`Cast`] but a value that does not convert becomes NULL.
pub struct TryCast {
    /// The value converted.
    pub expr: Box<Expr>,
    /// The target type.
    pub data_type: DataType,
}

#[derive(Debug, Clone)]
/// A call of a scalar function. Two calls are equal when the function names and the
/// arguments are.
pub struct ScalarFunctionExpr {
    /// The function (from the registry, a UDF, or a DSL placeholder resolved by name later).
    pub func: Arc<dyn ScalarFunction>,
    /// The arguments, already cast to the types the function asked for once planned.
    pub args: Vec<Expr>,
}

impl PartialEq for ScalarFunctionExpr {
    fn eq(&self, other: &Self) -> bool {
        self.func.name() == other.func.name() && self.args == other.args
    }
}

#[derive(Debug, Clone, PartialEq)]
/// A call of an aggregate function, only valid inside an `Aggregate` node (or as a window
/// function). Aggregates other than `count` skip NULL inputs.
pub struct AggregateFunctionExpr {
    /// The aggregate function.
    pub func: AggregateFunction,
    /// Empty for `count(*)`.
    pub args: Vec<Expr>,
    /// `agg(DISTINCT x)`: each distinct value counted once.
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
/// One ORDER BY key.
pub struct SortExpr {
    /// The expression sorted by.
    pub expr: Expr,
    /// True for ascending order.
    pub asc: bool,
    /// True when NULLs come before every value, false after.
    pub nulls_first: bool,
}

impl SortExpr {
    /// A sort key over `expr` (the DSL's `col("a").asc()` / `.desc()` set the usual defaults).
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
    /// Name this expression `name` (replacing any alias it had).
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
    /// `self op right`.
    pub fn binary(self, op: Operator, right: Expr) -> Expr {
        Expr::BinaryExpr(BinaryExpr { left: Box::new(self), op, right: Box::new(right) })
    }
    /// `self AND other` (three-valued: false wins over NULL).
    pub fn and(self, other: Expr) -> Expr {
        self.binary(Operator::And, other)
    }
    /// `self OR other` (three-valued: true wins over NULL).
    pub fn or(self, other: Expr) -> Expr {
        self.binary(Operator::Or, other)
    }
    /// `self = other` (NULL when either side is NULL).
    pub fn eq(self, other: Expr) -> Expr {
        self.binary(Operator::Eq, other)
    }
    /// `self <> other` (NULL when either side is NULL).
    pub fn not_eq(self, other: Expr) -> Expr {
        self.binary(Operator::NotEq, other)
    }
    /// `self < other` (NULL when either side is NULL).
    pub fn lt(self, other: Expr) -> Expr {
        self.binary(Operator::Lt, other)
    }
    /// `self <= other` (NULL when either side is NULL).
    pub fn lt_eq(self, other: Expr) -> Expr {
        self.binary(Operator::LtEq, other)
    }
    /// `self > other` (NULL when either side is NULL).
    pub fn gt(self, other: Expr) -> Expr {
        self.binary(Operator::Gt, other)
    }
    /// `self >= other` (NULL when either side is NULL).
    pub fn gt_eq(self, other: Expr) -> Expr {
        self.binary(Operator::GtEq, other)
    }
    /// `self IS NULL` (never NULL itself).
    pub fn is_null(self) -> Expr {
        Expr::IsNull(Box::new(self))
    }
    /// `self IS NOT NULL` (never NULL itself).
    pub fn is_not_null(self) -> Expr {
        Expr::IsNotNull(Box::new(self))
    }
    /// `CAST(self AS data_type)`.
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
