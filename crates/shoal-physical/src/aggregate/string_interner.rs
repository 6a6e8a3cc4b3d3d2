//! [`StringInterner`]: each distinct string of a key column gets a dense `u32` id; the empty
//! string and one-byte strings (flags, codes) are found through a direct table, without hashing.

/// Distinct strings, stored back to back, found by hash; ids count up from 0.
pub struct StringInterner {
    table: hashbrown::HashTable<u32>,
    bytes: Vec<u8>,
    /// `offsets[id]..offsets[id + 1]` is string `id` in `bytes`.
    offsets: Vec<usize>,
    /// The seeded hash of each string's bytes (the same in every thread).
    hashes: Vec<u64>,
    /// `id + 1` of the empty string (slot 0) and of each one-byte string (slot `1 + byte`);
    /// 0 while not seen.
    short: Box<[u32; 257]>,
    state: ahash::RandomState,
}

impl Default for StringInterner {
    fn default() -> Self {
        Self {
            table: hashbrown::HashTable::new(),
            bytes: vec![],
            offsets: vec![0],
            hashes: vec![],
            short: Box::new([0; 257]),
            state: super::group_values::hash_state(),
        }
    }
}

impl StringInterner {
    /// The id of `s`, adding it if new. Callers bound the number of distinct strings to
    /// `u32::MAX` (each new string makes a new group, and groups are bounded).
    #[inline]
    pub fn intern(&mut self, s: &[u8]) -> u32 {
        let slot = match s {
            [] => Some(0),
            [b] => Some(1 + usize::from(*b)),
            _ => None,
        };
        if let Some(&known) = slot.and_then(|i| self.short.get(i)) {
            if known != 0 {
                return known - 1;
            }
        }
        let hash = self.state.hash_one(s);
        let Self { table, bytes, offsets, hashes, .. } = self;
        let found = table.find(hash, |&id| {
            let id = id as usize;
            match (offsets.get(id), offsets.get(id + 1)) {
                (Some(&a), Some(&b)) => bytes.get(a..b) == Some(s),
                _ => false,
            }
        });
        if let Some(&id) = found {
            return id;
        }
        let id = hashes.len() as u32;
        bytes.extend_from_slice(s);
        offsets.push(bytes.len());
        hashes.push(hash);
        table.insert_unique(hash, id, |&g| hashes.get(g as usize).copied().unwrap_or_default());
        if let Some(known) = slot.and_then(|i| self.short.get_mut(i)) {
            *known = id + 1;
        }
        id
    }

    /// The bytes of string `id`.
    pub fn value(&self, id: u32) -> Option<&[u8]> {
        let id = id as usize;
        self.bytes.get(*self.offsets.get(id)?..*self.offsets.get(id + 1)?)
    }

    /// The hash of string `id`'s bytes.
    pub fn hash(&self, id: u32) -> Option<u64> {
        self.hashes.get(id as usize).copied()
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when no string has been interned.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Forget every string.
    pub fn clear(&mut self) {
        self.table.clear();
        self.bytes.clear();
        self.offsets.clear();
        self.offsets.push(0);
        self.hashes.clear();
        self.short.fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::StringInterner;

    #[test]
    fn gives_dense_ids_and_keeps_values() {
        let mut interner = StringInterner::default();
        let words: [&[u8]; 7] = [b"N", b"", b"abc", b"N", b"R", b"abc", b""];
        let ids: Vec<u32> = words.iter().map(|w| interner.intern(w)).collect();
        assert_eq!(ids, vec![0, 1, 2, 0, 3, 2, 1]);
        assert_eq!(interner.len(), 4);
        assert_eq!(interner.value(2), Some(&b"abc"[..]));
        assert_eq!(interner.value(1), Some(&b""[..]));
        assert_eq!(interner.value(4), None);
        let mut other = StringInterner::default();
        other.intern(b"R");
        other.intern(b"abc");
        assert_eq!(other.hash(1), interner.hash(2), "hashes do not depend on ids");
        interner.clear();
        assert!(interner.is_empty());
        assert_eq!(interner.intern(b"R"), 0);
    }

    #[test]
    fn many_strings_grow_the_table() {
        let mut interner = StringInterner::default();
        for round in 0..2 {
            for i in 0..20_000u32 {
                assert_eq!(interner.intern(format!("key-{i}").as_bytes()), i, "round {round}");
            }
        }
        assert_eq!(interner.value(12_345), Some(&b"key-12345"[..]));
    }
}
