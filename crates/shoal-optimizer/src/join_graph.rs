//! The join graph of a tree of inner joins and the search for its cheapest order.
//!
//! Relations are numbered; a condition reads a set of relations (a bitmask) and keeps a
//! fraction of the rows (its selectivity). The estimated rows of joining a set `S` of relations
//! do not depend on the order: `Π rows(r ∈ S) · Π sel(c : reads(c) ⊆ S)`. Equalities between
//! the same two relations form one composite key ([`join_key_selectivity`]). The cost of a join tree is the sum of the rows every join produces plus the rows of
//! every build side (the smaller input), so large intermediate results and large hash tables
//! are both avoided.
//!
//! [`best_tree`] finds the cheapest bushy tree that never joins two sets without a condition
//! between them (no cross joins): exhaustively over connected subsets (DPsub) for up to
//! [`DP_LIMIT`] relations, greedily (repeatedly join the connected pair with the smallest
//! result) beyond.

use std::collections::HashMap;

use shoal_expr::cardinality::{filter_selectivity, join_key_selectivity, ColumnFacts, PlanEstimate};
use shoal_expr::{BinaryExpr, Expr, LogicalPlan, Operator, PlanSchema};

/// Exhaustive search up to this many relations (3^12 ≈ 531k subset pairs at most).
pub(crate) const DP_LIMIT: usize = 12;

/// A join tree over relation indices.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JoinTree {
    Leaf(usize),
    Join(Box<JoinTree>, Box<JoinTree>),
}

impl JoinTree {
    pub(crate) fn mask(&self) -> u64 {
        match self {
            JoinTree::Leaf(i) => 1 << i,
            JoinTree::Join(l, r) => l.mask() | r.mask(),
        }
    }
}

/// An equality condition between two relations: its index and the facts of both keys.
type KeyPair = (usize, ColumnFacts, ColumnFacts);

/// Relations, conditions and their estimates.
pub(crate) struct JoinGraph {
    rows: Vec<f64>,
    /// Relations each condition reads (bitmask).
    reads: Vec<u64>,
    /// Each condition's selectivity (1 for the extra keys of a composite key).
    selectivity: Vec<f64>,
}

impl JoinGraph {
    /// The graph of `relations` (with their estimates) and `conditions`, each reading the
    /// relations `reads`.
    pub(crate) fn new(
        relations: &[LogicalPlan],
        estimates: &[PlanEstimate],
        conditions: &[Expr],
        reads: &[u64],
    ) -> Self {
        let rows: Vec<f64> = estimates.iter().map(|e| e.rows).collect();
        let mut selectivity = vec![1.0; conditions.len()];
        // Equalities between two relations, grouped by the pair: one composite key each.
        let mut keys: HashMap<(usize, usize), Vec<KeyPair>> = HashMap::new();
        for (c, condition) in conditions.iter().enumerate() {
            if let Some((a, fa, b, fb)) = equi_key(condition, relations, estimates) {
                let (pair, facts) = if a < b { ((a, b), (fa, fb)) } else { ((b, a), (fb, fa)) };
                keys.entry(pair).or_default().push((c, facts.0, facts.1));
                continue;
            }
            // Any other condition: judged over the relations it reads, side by side.
            let members: Vec<usize> = (0..relations.len()).filter(|i| reads[c] & (1 << i) != 0).collect();
            let parts: Vec<&PlanEstimate> = members.iter().filter_map(|&i| estimates.get(i)).collect();
            let schema = members
                .iter()
                .filter_map(|&i| relations.get(i))
                .fold(PlanSchema::empty(), |acc, r| acc.join(r.schema()));
            let rows = parts.iter().map(|p| p.rows).fold(0.0, f64::max);
            selectivity[c] =
                filter_selectivity(condition, &PlanEstimate::side_by_side(&parts, rows), &schema);
        }
        for ((a, b), group) in keys {
            let facts: Vec<(ColumnFacts, ColumnFacts)> = group.iter().map(|(_, l, r)| (*l, *r)).collect();
            let s = join_key_selectivity(&facts, rows[a], rows[b]);
            if let Some((first, _, _)) = group.first() {
                selectivity[*first] = s;
            }
        }
        Self { rows, reads: reads.to_vec(), selectivity }
    }

    /// Estimated rows of joining the relations in `set`.
    pub(crate) fn cardinality(&self, set: u64) -> f64 {
        let mut n: f64 = (0..self.rows.len()).filter(|i| set & (1 << i) != 0).map(|i| self.rows[i]).product();
        for (r, s) in self.reads.iter().zip(&self.selectivity) {
            if r & set == *r {
                n *= s;
            }
        }
        n
    }

    /// Is there a condition between `a` and `b`, readable once both are joined?
    fn connected(&self, a: u64, b: u64) -> bool {
        let both = a | b;
        self.reads.iter().any(|&r| r & a != 0 && r & b != 0 && r & both == r)
    }

    /// The cost of `tree` (see the module docs).
    pub(crate) fn cost(&self, tree: &JoinTree) -> f64 {
        match tree {
            JoinTree::Leaf(_) => 0.0,
            JoinTree::Join(l, r) => {
                let (cl, cr) = (self.cardinality(l.mask()), self.cardinality(r.mask()));
                self.cost(l) + self.cost(r) + self.cardinality(tree.mask()) + cl.min(cr)
            }
        }
    }

    /// The cheapest tree without cross joins, `None` when the graph is not connected.
    pub(crate) fn best_tree(&self) -> Option<JoinTree> {
        if self.rows.len() <= DP_LIMIT {
            self.dp()
        } else {
            self.greedy()
        }
    }

    fn dp(&self) -> Option<JoinTree> {
        let n = self.rows.len();
        let full: u64 = (1u64 << n) - 1;
        let mut best: HashMap<u64, (f64, JoinTree)> =
            (0..n).map(|i| (1u64 << i, (0.0, JoinTree::Leaf(i)))).collect();
        let card: Vec<f64> = (0..=full).map(|s| self.cardinality(s)).collect();
        let rows_of = |s: u64| card.get(s as usize).copied().unwrap_or(f64::INFINITY);
        let mut sets: Vec<u64> = (1..=full).filter(|s| s.count_ones() >= 2).collect();
        sets.sort_by_key(|s| s.count_ones());
        for set in sets {
            let out = rows_of(set);
            let mut found: Option<(f64, JoinTree)> = None;
            // Every split of `set` into two non-empty halves, each once.
            let mut left = (set - 1) & set;
            while left > 0 {
                let right = set & !left;
                if left > right {
                    if let (Some((cl, tl)), Some((cr, tr))) = (best.get(&left), best.get(&right)) {
                        if self.connected(left, right) {
                            let (nl, nr) = (rows_of(left), rows_of(right));
                            let cost = cl + cr + out + nl.min(nr);
                            if found.as_ref().is_none_or(|(c, _)| cost < *c) {
                                found =
                                    Some((cost, JoinTree::Join(Box::new(tl.clone()), Box::new(tr.clone()))));
                            }
                        }
                    }
                }
                left = (left - 1) & set;
            }
            if let Some(f) = found {
                best.insert(set, f);
            }
        }
        best.remove(&full).map(|(_, t)| t)
    }

    fn greedy(&self) -> Option<JoinTree> {
        let mut trees: Vec<JoinTree> = (0..self.rows.len()).map(JoinTree::Leaf).collect();
        while trees.len() > 1 {
            let mut pick: Option<(f64, usize, usize)> = None;
            for i in 0..trees.len() {
                for j in i + 1..trees.len() {
                    let (a, b) = (trees[i].mask(), trees[j].mask());
                    if !self.connected(a, b) {
                        continue;
                    }
                    let n = self.cardinality(a | b);
                    if pick.is_none_or(|(best, _, _)| n < best) {
                        pick = Some((n, i, j));
                    }
                }
            }
            let (_, i, j) = pick?;
            let b = trees.swap_remove(j);
            let a = trees.swap_remove(i);
            trees.push(JoinTree::Join(Box::new(a), Box::new(b)));
        }
        trees.pop()
    }
}

/// `a.x = b.y` between two different relations: the relations and the facts of both keys.
fn equi_key(
    condition: &Expr,
    relations: &[LogicalPlan],
    estimates: &[PlanEstimate],
) -> Option<(usize, ColumnFacts, usize, ColumnFacts)> {
    let Expr::BinaryExpr(BinaryExpr { left, op: Operator::Eq, right }) = condition else { return None };
    let side = |e: &Expr| -> Option<(usize, ColumnFacts)> {
        let refs = e.column_refs();
        let mut owner = None;
        for c in &refs {
            let found = relations
                .iter()
                .position(|r| r.schema().maybe_index_of_column(c).ok().flatten().is_some())?;
            if owner.is_some_and(|o| o != found) {
                return None;
            }
            owner = Some(found);
        }
        let i = owner?;
        Some((i, estimates.get(i)?.expr_facts(e, relations.get(i)?.schema())))
    };
    let ((a, fa), (b, fb)) = (side(left)?, side(right)?);
    (a != b).then_some((a, fa, b, fb))
}
