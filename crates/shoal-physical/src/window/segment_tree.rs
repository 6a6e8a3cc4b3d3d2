//! A segment tree over the rows of a bucket: the combination of any range of leaves in
//! O(log n), left to right. Float sums and variances of sliding frames use it instead of
//! add/remove, whose subtractions would leave rounding residue behind (`{1.0, 1.4, 2.0}`
//! minus `{1.0, 1.4}` is not exactly `2.0`).

/// Leaves combined pairwise; `combine` must be associative (it need not be commutative).
pub(crate) struct SegmentTree<T, F> {
    size: usize,
    nodes: Vec<T>,
    identity: T,
    combine: F,
}

impl<T: Copy, F: Fn(T, T) -> T> SegmentTree<T, F> {
    pub fn new(leaves: Vec<T>, identity: T, combine: F) -> Self {
        let size = leaves.len();
        let mut nodes = vec![identity; size];
        nodes.extend(leaves);
        for i in (1..size).rev() {
            nodes[i] = combine(nodes[2 * i], nodes[2 * i + 1]);
        }
        Self { size, nodes, identity, combine }
    }

    /// The combination of leaves `[start, end)`, in order.
    pub fn query(&self, start: usize, end: usize) -> T {
        let (mut l, mut r) = (start.min(self.size) + self.size, end.min(self.size) + self.size);
        let (mut left, mut right) = (self.identity, self.identity);
        while l < r {
            if l & 1 == 1 {
                left = (self.combine)(left, self.nodes[l]);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                right = (self.combine)(self.nodes[r], right);
            }
            l /= 2;
            r /= 2;
        }
        (self.combine)(left, right)
    }
}

#[cfg(test)]
mod tests {
    use super::SegmentTree;

    #[test]
    fn range_sums_match_direct_sums() {
        for n in 0..20usize {
            let leaves: Vec<i64> = (0..n as i64).map(|i| i * i - 3).collect();
            let tree = SegmentTree::new(leaves.clone(), 0, |a, b| a + b);
            for s in 0..=n {
                for e in s..=n {
                    assert_eq!(tree.query(s, e), leaves[s..e].iter().sum::<i64>(), "n={n} [{s},{e})");
                }
            }
        }
    }

    #[test]
    fn keeps_left_to_right_order() {
        // (number, digits): concatenation is associative, not commutative
        let leaves: Vec<(u64, u32)> = (1..=9).map(|d| (d, 1)).collect();
        let tree = SegmentTree::new(leaves, (0, 0), |(a, da), (b, db)| (a * 10u64.pow(db) + b, da + db));
        assert_eq!(tree.query(2, 7).0, 34567);
        assert_eq!(tree.query(0, 9).0, 123456789);
    }
}
