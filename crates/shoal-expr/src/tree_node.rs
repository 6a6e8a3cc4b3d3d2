//! The one tree-rewrite API for expressions and plans: [`TreeNode`].
//!
//! Rules never hand-roll recursion: they call [`TreeNode::transform_up`] /
//! [`TreeNode::transform_down`] with a closure that takes a node by value and returns
//! [`Transformed`], or [`TreeNode::apply`] to visit.

use shoal_common::Result;

use crate::expr::{
    AggregateFunctionExpr, Alias, Between, BinaryExpr, Case, Cast, Expr, InList, InSubquery, Like,
    ScalarFunctionExpr, TryCast,
};

/// A node after a rewrite, and whether the rewrite changed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformed<T> {
    /// The node, rewritten or not.
    pub data: T,
    /// True when the rewrite changed the node (or a descendant).
    pub transformed: bool,
}

impl<T> Transformed<T> {
    /// `data`, marked as changed.
    pub fn yes(data: T) -> Self {
        Self { data, transformed: true }
    }
    /// `data`, marked as unchanged.
    pub fn no(data: T) -> Self {
        Self { data, transformed: false }
    }
    /// `data`, changed when `transformed`.
    pub fn new(data: T, transformed: bool) -> Self {
        Self { data, transformed }
    }
    /// Map the data, keeping the flag.
    pub fn map_data<U>(self, f: impl FnOnce(T) -> Result<U>) -> Result<Transformed<U>> {
        Ok(Transformed { data: f(self.data)?, transformed: self.transformed })
    }
}

/// What a visitor wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeNodeRecursion {
    /// Visit the children too.
    Continue,
    /// Skip this node's children, go on with its siblings.
    Jump,
    /// Stop the whole walk.
    Stop,
}

/// A tree whose nodes can be visited and rewritten.
pub trait TreeNode: Sized {
    /// Rewrite each direct child with `f`.
    fn map_children<F: FnMut(Self) -> Result<Transformed<Self>>>(self, f: F) -> Result<Transformed<Self>>;

    /// Visit each direct child with `f` (pre-order helper for [`TreeNode::apply`]).
    fn apply_children<F: FnMut(&Self) -> Result<TreeNodeRecursion>>(&self, f: F)
        -> Result<TreeNodeRecursion>;

    /// Visit every node, parents before children.
    fn apply<F: FnMut(&Self) -> Result<TreeNodeRecursion>>(&self, mut f: F) -> Result<TreeNodeRecursion> {
        fn walk<N: TreeNode, F: FnMut(&N) -> Result<TreeNodeRecursion>>(
            node: &N,
            f: &mut F,
        ) -> Result<TreeNodeRecursion> {
            match f(node)? {
                TreeNodeRecursion::Continue => node.apply_children(|c| walk(c, f)),
                TreeNodeRecursion::Jump => Ok(TreeNodeRecursion::Continue),
                TreeNodeRecursion::Stop => Ok(TreeNodeRecursion::Stop),
            }
        }
        walk(self, &mut f)
    }

    /// Rewrite bottom-up: children first, then the node.
    fn transform_up<F: FnMut(Self) -> Result<Transformed<Self>>>(
        self,
        mut f: F,
    ) -> Result<Transformed<Self>> {
        fn up<N: TreeNode, F: FnMut(N) -> Result<Transformed<N>>>(
            node: N,
            f: &mut F,
        ) -> Result<Transformed<N>> {
            let children = node.map_children(|c| up(c, f))?;
            let changed = children.transformed;
            let mut out = f(children.data)?;
            out.transformed |= changed;
            Ok(out)
        }
        up(self, &mut f)
    }

    /// Rewrite top-down: the node first, then the children of what it became.
    fn transform_down<F: FnMut(Self) -> Result<Transformed<Self>>>(
        self,
        mut f: F,
    ) -> Result<Transformed<Self>> {
        fn down<N: TreeNode, F: FnMut(N) -> Result<Transformed<N>>>(
            node: N,
            f: &mut F,
        ) -> Result<Transformed<N>> {
            let me = f(node)?;
            let changed = me.transformed;
            let mut out = me.data.map_children(|c| down(c, f))?;
            out.transformed |= changed;
            Ok(out)
        }
        down(self, &mut f)
    }
}

/// Apply `f` to each boxed child, tracking whether any changed.
// The box is the child's storage in the parent; taking it by value lets the child move out.
#[allow(clippy::boxed_local)]
fn map_box(
    e: Box<Expr>,
    f: &mut impl FnMut(Expr) -> Result<Transformed<Expr>>,
    changed: &mut bool,
) -> Result<Box<Expr>> {
    let t = f(*e)?;
    *changed |= t.transformed;
    Ok(Box::new(t.data))
}

fn map_vec(
    v: Vec<Expr>,
    f: &mut impl FnMut(Expr) -> Result<Transformed<Expr>>,
    changed: &mut bool,
) -> Result<Vec<Expr>> {
    v.into_iter()
        .map(|e| {
            let t = f(e)?;
            *changed |= t.transformed;
            Ok(t.data)
        })
        .collect()
}

impl Expr {
    /// The direct children of this expression.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            // A subquery's plan is not an expression child: rules that rewrite subqueries
            // reach the plan through the variant itself.
            Expr::Column(_)
            | Expr::Literal(_)
            | Expr::Wildcard { .. }
            | Expr::ScalarSubquery(_)
            | Expr::Exists(_)
            | Expr::OuterReferenceColumn(..) => vec![],
            Expr::InSubquery(i) => vec![&i.expr],
            Expr::Alias(a) => vec![&a.expr],
            Expr::BinaryExpr(b) => vec![&b.left, &b.right],
            Expr::Not(e) | Expr::Negative(e) | Expr::IsNull(e) | Expr::IsNotNull(e) => vec![e],
            Expr::Between(b) => vec![&b.expr, &b.low, &b.high],
            Expr::Like(l) => vec![&l.expr, &l.pattern],
            Expr::InList(i) => std::iter::once(i.expr.as_ref()).chain(i.list.iter()).collect(),
            Expr::Case(c) => {
                let mut v: Vec<&Expr> = vec![];
                if let Some(e) = &c.expr {
                    v.push(e);
                }
                for (w, t) in &c.when_then {
                    v.push(w);
                    v.push(t);
                }
                if let Some(e) = &c.else_expr {
                    v.push(e);
                }
                v
            }
            Expr::Cast(c) => vec![&c.expr],
            Expr::TryCast(c) => vec![&c.expr],
            Expr::ScalarFunction(s) => s.args.iter().collect(),
            Expr::AggregateFunction(a) => {
                let mut v: Vec<&Expr> = a.args.iter().collect();
                if let Some(f) = &a.filter {
                    v.push(f);
                }
                v.extend(a.order_by.iter().map(|s| &s.expr));
                v
            }
            Expr::GroupingSet(g) => g.all_exprs(),
            Expr::WindowFunction(w) => {
                w.args.iter().chain(w.partition_by.iter()).chain(w.order_by.iter().map(|o| &o.expr)).collect()
            }
        }
    }
}

impl TreeNode for Expr {
    fn apply_children<F: FnMut(&Self) -> Result<TreeNodeRecursion>>(
        &self,
        mut f: F,
    ) -> Result<TreeNodeRecursion> {
        for c in self.children() {
            if f(c)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn map_children<F: FnMut(Self) -> Result<Transformed<Self>>>(
        self,
        mut f: F,
    ) -> Result<Transformed<Self>> {
        let mut changed = false;
        let c = &mut changed;
        let f = &mut f;
        let expr = match self {
            e @ (Expr::Column(_)
            | Expr::Literal(_)
            | Expr::Wildcard { .. }
            | Expr::ScalarSubquery(_)
            | Expr::Exists(_)
            | Expr::OuterReferenceColumn(..)) => e,
            Expr::InSubquery(InSubquery { expr, subquery, negated }) => {
                Expr::InSubquery(InSubquery { expr: map_box(expr, f, c)?, subquery, negated })
            }
            Expr::Alias(Alias { expr, name }) => Expr::Alias(Alias { expr: map_box(expr, f, c)?, name }),
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
                Expr::BinaryExpr(BinaryExpr { left: map_box(left, f, c)?, op, right: map_box(right, f, c)? })
            }
            Expr::Not(e) => Expr::Not(map_box(e, f, c)?),
            Expr::Negative(e) => Expr::Negative(map_box(e, f, c)?),
            Expr::IsNull(e) => Expr::IsNull(map_box(e, f, c)?),
            Expr::IsNotNull(e) => Expr::IsNotNull(map_box(e, f, c)?),
            Expr::Between(Between { expr, negated, low, high }) => Expr::Between(Between {
                expr: map_box(expr, f, c)?,
                negated,
                low: map_box(low, f, c)?,
                high: map_box(high, f, c)?,
            }),
            Expr::Like(Like { negated, expr, pattern, escape_char, case_insensitive }) => Expr::Like(Like {
                negated,
                expr: map_box(expr, f, c)?,
                pattern: map_box(pattern, f, c)?,
                escape_char,
                case_insensitive,
            }),
            Expr::InList(InList { expr, list, negated }) => {
                Expr::InList(InList { expr: map_box(expr, f, c)?, list: map_vec(list, f, c)?, negated })
            }
            Expr::Case(Case { expr, when_then, else_expr }) => {
                let expr = expr.map(|e| map_box(e, f, c)).transpose()?;
                let when_then = when_then
                    .into_iter()
                    .map(|(w, t)| {
                        let w = f(w)?;
                        let t = f(t)?;
                        *c |= w.transformed || t.transformed;
                        Ok((w.data, t.data))
                    })
                    .collect::<Result<Vec<_>>>()?;
                let else_expr = else_expr.map(|e| map_box(e, f, c)).transpose()?;
                Expr::Case(Case { expr, when_then, else_expr })
            }
            Expr::Cast(Cast { expr, data_type }) => {
                Expr::Cast(Cast { expr: map_box(expr, f, c)?, data_type })
            }
            Expr::TryCast(TryCast { expr, data_type }) => {
                Expr::TryCast(TryCast { expr: map_box(expr, f, c)?, data_type })
            }
            Expr::ScalarFunction(ScalarFunctionExpr { func, args }) => {
                Expr::ScalarFunction(ScalarFunctionExpr { func, args: map_vec(args, f, c)? })
            }
            Expr::AggregateFunction(AggregateFunctionExpr { func, args, distinct, filter, order_by }) => {
                Expr::AggregateFunction(AggregateFunctionExpr {
                    func,
                    args: map_vec(args, f, c)?,
                    distinct,
                    filter: filter.map(|e| map_box(e, f, c)).transpose()?,
                    order_by: order_by
                        .into_iter()
                        .map(|s| {
                            let t = f(s.expr)?;
                            *c |= t.transformed;
                            Ok(crate::expr::SortExpr { expr: t.data, ..s })
                        })
                        .collect::<Result<Vec<_>>>()?,
                })
            }
            Expr::WindowFunction(w) => {
                let order_by = w
                    .order_by
                    .into_iter()
                    .map(|o| {
                        let t = f(o.expr)?;
                        *c |= t.transformed;
                        Ok(crate::expr::SortExpr { expr: t.data, ..o })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Expr::WindowFunction(crate::window::WindowFunctionExpr {
                    func: w.func,
                    args: map_vec(w.args, f, c)?,
                    partition_by: map_vec(w.partition_by, f, c)?,
                    order_by,
                    frame: w.frame,
                })
            }
            Expr::GroupingSet(g) => Expr::GroupingSet(g.map_exprs(|e| {
                let t = f(e)?;
                *c |= t.transformed;
                Ok(t.data)
            })?),
        };
        Ok(Transformed::new(expr, changed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{col, lit};

    #[test]
    fn transform_up_rewrites_leaves() {
        let e = col("a").eq(lit(1i64)).and(col("b").gt(col("a")));
        let t = e
            .transform_up(|e| match e {
                Expr::Column(c) if c.name == "a" => Ok(Transformed::yes(col("z"))),
                e => Ok(Transformed::no(e)),
            })
            .unwrap();
        assert!(t.transformed);
        assert_eq!(t.data.column_refs().iter().map(|c| c.name.clone()).collect::<Vec<_>>(), vec!["z", "b"]);
    }
}
