//! Which output columns of each filtered table scan and each join are read above it, so the
//! scan can skip copying the columns only its predicate reads (see
//! [`crate::operators::ScanPredicate`]) and the join can skip gathering columns nobody reads.
//!
//! Physical expressions bind columns by position in the logical input schema, so a scan keeps
//! its logical width; columns nobody reads are replaced by cheap placeholders instead. The
//! analysis runs once per [`crate::create_physical_plan`] call on the root plan and is kept
//! in a thread-local while that plan is being planned (planning is single-threaded and the
//! recursive calls of other planners reach the same tree).

use std::cell::RefCell;
use std::collections::HashMap;

use shoal_expr::join::JoinType;
use shoal_expr::plan::{Filter, Join};
use shoal_expr::{Expr, LogicalPlan, PlanSchema};

thread_local! {
    /// Per filter-over-scan node and join node (by address): the columns read above it.
    static NEEDED: RefCell<Option<HashMap<usize, Vec<bool>>>> = const { RefCell::new(None) };
}

/// Clears the analysis when the outermost planning call ends.
pub(crate) struct AnalysisGuard {
    owner: bool,
}

impl Drop for AnalysisGuard {
    fn drop(&mut self) {
        if self.owner {
            NEEDED.with(|n| n.borrow_mut().take());
        }
    }
}

/// Analyse `root` unless a planning call further up already did.
pub(crate) fn analyze_root(root: &LogicalPlan) -> AnalysisGuard {
    let active = NEEDED.with(|n| n.borrow().is_some());
    if active {
        return AnalysisGuard { owner: false };
    }
    let mut found = HashMap::new();
    visit(root, None, &mut found);
    NEEDED.with(|n| *n.borrow_mut() = Some(found));
    AnalysisGuard { owner: true }
}

/// The columns of `filter`'s output read above it (`None`: unknown, assume all).
pub(crate) fn needed_columns(filter: &Filter) -> Option<Vec<bool>> {
    NEEDED.with(|n| n.borrow().as_ref().and_then(|m| m.get(&address(filter)).cloned()))
}

/// The columns of `join`'s output read above it (`None`: unknown, assume all).
pub(crate) fn needed_join_columns(join: &Join) -> Option<Vec<bool>> {
    let key = std::ptr::from_ref(join) as usize;
    NEEDED.with(|n| n.borrow().as_ref().and_then(|m| m.get(&key).cloned()))
}

fn address(filter: &Filter) -> usize {
    std::ptr::from_ref(filter) as usize
}

/// Walk down from `plan`, whose output columns `needed` are read (all when `None`).
fn visit(plan: &LogicalPlan, needed: Option<Vec<bool>>, found: &mut HashMap<usize, Vec<bool>>) {
    match plan {
        LogicalPlan::Filter(f) if matches!(f.input.as_ref(), LogicalPlan::TableScan(_)) => {
            // unknown (`None`) is recorded as all, in case another parent reaches this node
            let n = needed.unwrap_or_else(|| vec![true; f.input.schema().len()]);
            record(found, address(f), n);
        }
        LogicalPlan::Filter(f) => {
            let own = references(&[&f.predicate], f.input.schema());
            visit(&f.input, union(needed, own), found);
        }
        LogicalPlan::Sort(s) => {
            let exprs: Vec<&Expr> = s.exprs.iter().map(|e| &e.expr).collect();
            let own = references(&exprs, s.input.schema());
            visit(&s.input, union(needed, own), found);
        }
        LogicalPlan::Projection(p) => {
            let exprs: Vec<&Expr> = p.exprs.iter().collect();
            visit(&p.input, references(&exprs, p.input.schema()), found);
        }
        LogicalPlan::Aggregate(a) => {
            let exprs: Vec<&Expr> = a.group_expr.iter().chain(&a.aggr_expr).collect();
            visit(&a.input, references(&exprs, a.input.schema()), found);
        }
        LogicalPlan::Limit(l) => visit(&l.input, needed, found),
        LogicalPlan::SubqueryAlias(s) => visit(&s.input, needed, found),
        LogicalPlan::Join(j) => {
            let n = needed.clone().unwrap_or_else(|| vec![true; j.schema.len()]);
            record(found, std::ptr::from_ref(j) as usize, n);
            let (left_len, right_len) = (j.left.schema().len(), j.right.schema().len());
            // the output as positions over (left ++ right)
            let output: Option<Vec<bool>> = match (needed, j.join_type) {
                (None, _) => None,
                (Some(n), JoinType::Inner | JoinType::Left | JoinType::Right | JoinType::Full)
                    if n.len() == left_len + right_len =>
                {
                    Some(n)
                }
                (Some(mut n), JoinType::LeftSemi | JoinType::LeftAnti) if n.len() == left_len => {
                    n.resize(left_len + right_len, false);
                    Some(n)
                }
                (Some(n), JoinType::RightSemi | JoinType::RightAnti) if n.len() == right_len => {
                    Some([vec![false; left_len], n].concat())
                }
                _ => None,
            };
            let joined = j.left.schema().join(j.right.schema());
            let left_keys: Vec<&Expr> = j.on.iter().map(|(l, _)| l).collect();
            let right_keys: Vec<&Expr> = j.on.iter().map(|(_, r)| r).collect();
            let keys =
                match (references(&left_keys, j.left.schema()), references(&right_keys, j.right.schema())) {
                    (Some(l), Some(r)) => Some([l, r].concat()),
                    _ => None,
                };
            let filter = match &j.filter {
                Some(f) => references(&[f], &joined),
                None => Some(vec![false; left_len + right_len]),
            };
            let all = union(union(output, keys), filter);
            let (left, right) = match all {
                Some(a) if a.len() == left_len + right_len => {
                    (Some(a[..left_len].to_vec()), Some(a[left_len..].to_vec()))
                }
                _ => (None, None),
            };
            visit(&j.left, left, found);
            visit(&j.right, right, found);
        }
        other => {
            for input in other.inputs() {
                visit(input, None, found);
            }
        }
    }
}

/// Record that `needed` columns of the node at `key` are read; a node reached twice (a plan
/// shared by two parents) keeps the columns either reads.
fn record(found: &mut HashMap<usize, Vec<bool>>, key: usize, needed: Vec<bool>) {
    match found.get_mut(&key) {
        Some(seen) if seen.len() == needed.len() => seen.iter_mut().zip(needed).for_each(|(s, n)| *s |= n),
        Some(seen) => *seen = vec![true; seen.len().max(needed.len())],
        None => {
            found.insert(key, needed);
        }
    }
}

/// The columns of `schema` that `exprs` read, or `None` when one cannot be resolved.
fn references(exprs: &[&Expr], schema: &PlanSchema) -> Option<Vec<bool>> {
    let mut used = vec![false; schema.len()];
    for expr in exprs {
        for column in expr.column_refs() {
            let index = schema.maybe_index_of_column(&column).ok().flatten()?;
            *used.get_mut(index)? = true;
        }
    }
    Some(used)
}

/// Columns read by either (`None` is "all").
fn union(a: Option<Vec<bool>>, b: Option<Vec<bool>>) -> Option<Vec<bool>> {
    let (a, b) = (a?, b?);
    (a.len() == b.len()).then(|| a.iter().zip(&b).map(|(x, y)| *x || *y).collect())
}
