//! [`KeyBitmap`]: one bit per possible packed build key, set for the keys the build side has.
//! A hash join probe tests it before hashing: a probe key whose bit is clear has no match, so
//! probes that mostly miss (a small filtered build side against a large probe side, as in
//! TPC-H Q4, Q9, Q10 and Q12) cost one bit test instead of a hash-table lookup.

/// At most this many bits (4 MiB): larger key ranges get no bitmap.
const MAX_BITS: u64 = 1 << 25;

/// The packed keys present on the build side, as a bitmap indexed by key.
#[derive(Debug)]
pub(super) struct KeyBitmap {
    words: Vec<u64>,
}

impl KeyBitmap {
    /// A bitmap of the live `keys` (`live`: rows that hold a key; `None`: all), or `None`
    /// when the largest key is too large for a bitmap of bounded size.
    pub(super) fn try_new(keys: &[u64], live: Option<&[bool]>) -> Option<Self> {
        let is_live = |row: usize| live.is_none_or(|l| l.get(row).copied().unwrap_or(false));
        let max = keys.iter().enumerate().filter(|(row, _)| is_live(*row)).map(|(_, &k)| k).max()?;
        if max >= MAX_BITS {
            return None;
        }
        let words = usize::try_from(max / 64 + 1).ok()?;
        let mut bitmap = Self { words: vec![0; words] };
        for (row, &k) in keys.iter().enumerate() {
            if is_live(row) {
                if let Some(w) = bitmap.words.get_mut((k / 64) as usize) {
                    *w |= 1 << (k % 64);
                }
            }
        }
        Some(bitmap)
    }

    /// Might some build row have key `k`? (False means certainly not.)
    #[inline(always)]
    pub(super) fn may_contain(&self, k: u64) -> bool {
        self.words.get((k / 64) as usize).is_some_and(|w| (w >> (k % 64)) & 1 != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_exactly_the_live_keys() {
        let keys = [3u64, 64, 1000, 7];
        let live = [true, true, true, false];
        let Some(b) = KeyBitmap::try_new(&keys, Some(&live)) else {
            panic!("a small key range gets a bitmap");
        };
        let present: Vec<u64> = (0..1100).filter(|&k| b.may_contain(k)).collect();
        assert_eq!(present, vec![3, 64, 1000]);
        assert!(!b.may_contain(u64::MAX));
    }

    #[test]
    fn large_or_empty_key_ranges_get_none() {
        assert!(KeyBitmap::try_new(&[1, MAX_BITS], None).is_none());
        assert!(KeyBitmap::try_new(&[], None).is_none());
        assert!(KeyBitmap::try_new(&[5], Some(&[false])).is_none());
    }
}
