//! [`GroupingSet`]: `ROLLUP`, `CUBE` and `GROUPING SETS`, the single group expression of an
//! `Aggregate` that groups by several sets of columns at once.
//!
//! An `Aggregate` grouped by a grouping set outputs every distinct grouping expression (each
//! nullable: a column outside the current set is NULL) followed by [`GROUPING_ID_COLUMN`], a
//! bitmask whose bit `i` (counted from the most significant of `n` bits, as in PostgreSQL's
//! `GROUPING(...)`) is 1 when the `i`-th distinct expression is *not* in the row's set.

use std::fmt;

use shoal_common::{plan_err, Result};

use crate::expr::Expr;
use crate::plan::Aggregate;

/// Name of the internal grouping-id column of an `Aggregate` over a [`GroupingSet`].
pub const GROUPING_ID_COLUMN: &str = "__grouping_id";

/// The value of `GROUPING(args)` over the output of an `Aggregate` grouped by `n` keys, as an
/// expression of its [`GROUPING_ID_COLUMN`]: `positions[k]` is the index of argument `k` among
/// the keys, and bit `m-1-k` of the result (for `m` arguments) is 1 when that key is not in the
/// row's set. Without a grouping set (`grouped_by_set` false) every key is grouped: 0.
pub fn grouping_value(positions: &[usize], n: usize, grouped_by_set: bool) -> Expr {
    use arrow::datatypes::DataType;

    use crate::expr::{lit, Operator};
    use crate::schema::Column;
    if !grouped_by_set {
        return lit(0i32);
    }
    let id = Expr::Column(Column::from_name(GROUPING_ID_COLUMN)).cast_to(DataType::Int64);
    let m = positions.len();
    let bits = positions.iter().enumerate().map(|(k, &p)| {
        let shift = n.saturating_sub(1 + p) as u32;
        let bit = id.clone().binary(Operator::Divide, lit(1i64 << shift)).binary(Operator::Modulo, lit(2i64));
        let weight = 1i64 << (m - 1 - k);
        if weight == 1 {
            bit
        } else {
            bit.binary(Operator::Multiply, lit(weight))
        }
    });
    let sum = bits.reduce(|a, b| a.binary(Operator::Plus, b)).unwrap_or_else(|| lit(0i64));
    sum.cast_to(DataType::Int32)
}

/// At most this many distinct expressions in a grouping set (the id is a `UInt64` bitmask);
/// CUBE is further limited to keep the number of sets sane.
pub const MAX_GROUPING_EXPRS: usize = 63;
const MAX_CUBE_EXPRS: usize = 12;
const MAX_GROUPING_SETS: usize = 4096;

/// `ROLLUP (a, b)`, `CUBE (a, b)` or `GROUPING SETS ((a), (a, b), ())`.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupingSet {
    /// `ROLLUP (a, b, c)` = sets `(a, b, c), (a, b), (a), ()`.
    Rollup(Vec<Expr>),
    /// `CUBE (a, b)` = every subset of `(a, b)`.
    Cube(Vec<Expr>),
    /// An explicit list of sets.
    GroupingSets(Vec<Vec<Expr>>),
}

impl GroupingSet {
    /// Every expression, in order of appearance, duplicates included.
    pub fn all_exprs(&self) -> Vec<&Expr> {
        match self {
            GroupingSet::Rollup(v) | GroupingSet::Cube(v) => v.iter().collect(),
            GroupingSet::GroupingSets(sets) => sets.iter().flatten().collect(),
        }
    }

    /// The distinct expressions, in order of first appearance: the grouping columns of the
    /// Aggregate's output.
    pub fn distinct_exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = vec![];
        for e in self.all_exprs() {
            if !out.contains(&e) {
                out.push(e);
            }
        }
        out
    }

    /// The sets, each as a mask over [`GroupingSet::distinct_exprs`] (`mask[i]` true when the
    /// i-th distinct expression is grouped by in that set). Errors if there are too many.
    pub fn expand(&self) -> Result<Vec<Vec<bool>>> {
        let distinct = self.distinct_exprs();
        let n = distinct.len();
        if n > MAX_GROUPING_EXPRS {
            return plan_err!(
                "a grouping set has at most {MAX_GROUPING_EXPRS} distinct expressions, got {n}"
            );
        }
        let index = |e: &Expr| distinct.iter().position(|d| *d == e).unwrap_or(0);
        let sets: Vec<Vec<bool>> = match self {
            GroupingSet::Rollup(v) => (0..=v.len())
                .rev()
                .map(|k| {
                    let mut m = vec![false; n];
                    for e in &v[..k] {
                        m[index(e)] = true;
                    }
                    m
                })
                .collect(),
            GroupingSet::Cube(v) => {
                if v.len() > MAX_CUBE_EXPRS {
                    return plan_err!("CUBE takes at most {MAX_CUBE_EXPRS} expressions, got {}", v.len());
                }
                // all subsets, largest first: (a, b), (a), (b), ()
                let k = v.len();
                let mut subsets: Vec<u32> = (0..(1u32 << k)).collect();
                subsets.sort_by_key(|s| std::cmp::Reverse((s.count_ones(), s.reverse_bits())));
                subsets
                    .into_iter()
                    .map(|s| {
                        let mut m = vec![false; n];
                        for (j, e) in v.iter().enumerate() {
                            if s & (1 << j) != 0 {
                                m[index(e)] = true;
                            }
                        }
                        m
                    })
                    .collect()
            }
            GroupingSet::GroupingSets(sets) => sets
                .iter()
                .map(|set| {
                    let mut m = vec![false; n];
                    for e in set {
                        m[index(e)] = true;
                    }
                    m
                })
                .collect(),
        };
        if sets.len() > MAX_GROUPING_SETS {
            return plan_err!("at most {MAX_GROUPING_SETS} grouping sets, got {}", sets.len());
        }
        Ok(sets)
    }

    /// The grouping id of a set mask: bit `n-1-i` is 1 when expression `i` is not grouped.
    pub fn grouping_id(mask: &[bool]) -> u64 {
        mask.iter().fold(0u64, |acc, &grouped| (acc << 1) | u64::from(!grouped))
    }

    /// Apply `f` to every expression, keeping the shape.
    pub fn map_exprs(self, mut f: impl FnMut(Expr) -> Result<Expr>) -> Result<GroupingSet> {
        let mut map_vec = |v: Vec<Expr>| v.into_iter().map(&mut f).collect::<Result<Vec<_>>>();
        Ok(match self {
            GroupingSet::Rollup(v) => GroupingSet::Rollup(map_vec(v)?),
            GroupingSet::Cube(v) => GroupingSet::Cube(map_vec(v)?),
            GroupingSet::GroupingSets(sets) => {
                GroupingSet::GroupingSets(sets.into_iter().map(&mut map_vec).collect::<Result<Vec<_>>>()?)
            }
        })
    }
}

/// The group columns an `Aggregate` over `group_expr` outputs (before the grouping id): the
/// expressions themselves, or the distinct expressions of a single grouping set. A grouping set
/// mixed with other group expressions is rejected.
pub fn output_group_exprs(group_expr: &[Expr]) -> Result<Vec<&Expr>> {
    match group_expr {
        [Expr::GroupingSet(g)] => {
            let exprs = g.distinct_exprs();
            if let Some(nested) = exprs.iter().find(|e| matches!(e, Expr::GroupingSet(_))) {
                return plan_err!("grouping sets cannot be nested: {nested}");
            }
            Ok(exprs)
        }
        exprs => {
            if let Some(g) = exprs.iter().find(|e| matches!(e, Expr::GroupingSet(_))) {
                return plan_err!("{g} must be the only GROUP BY item here (write the other items into it)");
            }
            Ok(exprs.iter().collect())
        }
    }
}

impl Aggregate {
    /// The grouping set this aggregate groups by, if it is one.
    pub fn grouping_set(&self) -> Option<&GroupingSet> {
        match self.group_expr.as_slice() {
            [Expr::GroupingSet(g)] => Some(g),
            _ => None,
        }
    }

    /// How many leading output columns are group columns (including the grouping id).
    pub fn group_output_len(&self) -> usize {
        match self.grouping_set() {
            Some(g) => g.distinct_exprs().len() + 1,
            None => self.group_expr.len(),
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, exprs: &[Expr]) -> fmt::Result {
    f.write_str("(")?;
    for (i, e) in exprs.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{e}")?;
    }
    f.write_str(")")
}

impl fmt::Display for GroupingSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupingSet::Rollup(v) => {
                f.write_str("ROLLUP ")?;
                write_list(f, v)
            }
            GroupingSet::Cube(v) => {
                f.write_str("CUBE ")?;
                write_list(f, v)
            }
            GroupingSet::GroupingSets(sets) => {
                f.write_str("GROUPING SETS (")?;
                for (i, s) in sets.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_list(f, s)?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::col;

    #[test]
    fn rollup_expands_to_prefixes() {
        let g = GroupingSet::Rollup(vec![col("a"), col("b")]);
        let sets = g.expand().unwrap();
        assert_eq!(sets, vec![vec![true, true], vec![true, false], vec![false, false]]);
        let ids: Vec<u64> = sets.iter().map(|m| GroupingSet::grouping_id(m)).collect();
        assert_eq!(ids, vec![0, 1, 3]);
    }

    #[test]
    fn cube_expands_to_all_subsets() {
        let g = GroupingSet::Cube(vec![col("a"), col("b")]);
        let sets = g.expand().unwrap();
        assert_eq!(sets, vec![vec![true, true], vec![true, false], vec![false, true], vec![false, false]]);
    }

    #[test]
    fn grouping_sets_dedupe_expressions() {
        let g = GroupingSet::GroupingSets(vec![vec![col("a")], vec![col("a"), col("b")], vec![]]);
        assert_eq!(g.distinct_exprs().len(), 2);
        assert_eq!(g.expand().unwrap(), vec![vec![true, false], vec![true, true], vec![false, false]]);
    }
}
