//! [`JoinHashTable`]: the build side's keys → build row ids, partitioned by key hash so the
//! partitions are built in parallel; keys are packed integers when they fit (see
//! [`super::key_codec`]) or Arrow rows otherwise.
//!
//! Each partition maps a distinct key to an entry holding its row (a key with one build row,
//! the usual primary-key case, needs nothing else) or, for a key with several rows, a slice of
//! `rows` where its build rows lie contiguously, in build order. A probe thus finds all its
//! matches as one slice. Rows with a NULL key are never inserted: NULL never equals anything.

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use hashbrown::hash_table::Entry as MapEntry;
use hashbrown::HashTable;
use rayon::prelude::*;
use shoal_common::{exec_err, internal_err, Result};

use super::key_bitmap::KeyBitmap;
use super::key_codec::{Encoded, EncodedKeys, JoinKey, KeyCodec};

/// Below this many build rows the table is one partition, built by one thread.
const PARALLEL_BUILD_MIN_ROWS: usize = 64 * 1024;
/// Rows hashed per rayon task when hashing packed build keys.
const HASH_CHUNK: usize = 16 * 1024;

/// One distinct key: `len` build rows; the row itself when `len == 1`, else where they start
/// in the partition's `rows`.
#[derive(Debug, Clone, Copy)]
struct Entry<K> {
    key: K,
    first: u32,
    len: u32,
}

/// One partition: distinct keys → their build rows.
struct Partition<K> {
    map: HashTable<Entry<K>>,
    rows: Vec<u32>,
}

impl<K> Partition<K> {
    /// The build rows of `e`.
    #[inline(always)]
    fn rows_of<'a>(&'a self, e: &'a Entry<K>) -> &'a [u32] {
        rows_of(&self.rows, e)
    }
}

/// The build rows of `e`, whose repeated keys' rows lie in `rows`.
#[inline(always)]
fn rows_of<'a, K>(rows: &'a [u32], e: &'a Entry<K>) -> &'a [u32] {
    if e.len == 1 {
        std::slice::from_ref(&e.first)
    } else {
        let start = e.first as usize;
        rows.get(start..start + e.len as usize).unwrap_or(&[])
    }
}

/// Packed keys used as indices: slot `k` holds key `k`'s rows. Packed keys are offsets from
/// the build side's minima, so a dense key (a primary key such as `o_orderkey`) indexes an
/// array directly: no hashing, one memory access per probe.
struct DirectTable {
    slots: Vec<Entry<()>>,
    rows: Vec<u32>,
}

/// The partitions of one key representation.
enum Partitions {
    Direct(DirectTable),
    /// Packed keys, with a bitmap of the keys present when their range is small enough.
    Packed64(Vec<Partition<u64>>, Option<KeyBitmap>),
    Packed128(Vec<Partition<u128>>),
    /// Row-format keys: entries keyed by hash, compared through the build rows.
    Rows {
        build: arrow_row::Rows,
        parts: Vec<Partition<u64>>,
    },
    Empty,
}

/// The finished build side of a hash join: read-only, shared by every probing worker.
pub(super) struct JoinHashTable {
    codec: KeyCodec,
    partitions: Partitions,
    /// Rows on the build side; whether one has a NULL key column.
    num_rows: usize,
    build_has_null: bool,
}

impl std::fmt::Debug for JoinHashTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinHashTable").field("rows", &self.num_rows).field("codec", &self.codec).finish()
    }
}

/// The partition of a hash among `parts` (bits the tables' bucket index does not use).
#[inline(always)]
fn partition_of(hash: u64, parts: usize) -> usize {
    ((((hash >> 32) & 0xffff_ffff) * parts as u64) >> 32) as usize
}

impl JoinHashTable {
    /// Build the table over the key columns of every build row (`threads` partitions for
    /// large inputs, built in parallel on the current pool); `probe_types` are the types of the
    /// probe side's key columns.
    pub(super) fn try_new(
        keys: &[ArrayRef],
        probe_types: &[DataType],
        num_rows: usize,
        threads: usize,
    ) -> Result<Self> {
        if num_rows >= u32::MAX as usize {
            return exec_err!("the build side of a join has too many rows ({num_rows})");
        }
        let codec = KeyCodec::for_build(keys, probe_types)?;
        let Encoded { keys: encoded, live } = codec.encode(keys, num_rows)?;
        let build_has_null = live.as_ref().is_some_and(|l| l.iter().any(|v| !v));
        let parts = if num_rows < PARALLEL_BUILD_MIN_ROWS { 1 } else { threads.max(1) };
        let live = live.as_deref();
        let partitions = match encoded {
            EncodedKeys::Packed64(k) => match direct_size(&k, live) {
                Some(size) => Partitions::Direct(build_direct(&k, live, size)?),
                None => Partitions::Packed64(build_packed(&k, live, parts)?, KeyBitmap::try_new(&k, live)),
            },
            EncodedKeys::Packed128(k) => Partitions::Packed128(build_packed(&k, live, parts)?),
            EncodedKeys::Rows { rows, hashes } => {
                let eq = |a: u32, b: u32| rows.row(a as usize) == rows.row(b as usize);
                let parts = (0..parts)
                    .into_par_iter()
                    .map(|p| {
                        build_partition(&hashes, &hashes, live, p, parts, &|e, k, row| {
                            e.key == *k && eq(e.first, row)
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Partitions::Rows { build: rows, parts }
            }
            EncodedKeys::Empty => Partitions::Empty,
        };
        Ok(Self { codec, partitions, num_rows, build_has_null })
    }

    /// Does some build row have a NULL key?
    pub(super) fn build_has_null_key(&self) -> bool {
        self.build_has_null
    }

    /// Look up every row of a probe batch (its key columns, `num_rows` rows): append each
    /// (probe row, build row) match to `probe_idx`/`build_idx`, only the first match of each
    /// probe row when `first_only`.
    pub(super) fn probe(
        &self,
        keys: &[ArrayRef],
        num_rows: usize,
        first_only: bool,
        probe_idx: &mut Vec<u32>,
        build_idx: &mut Vec<u32>,
    ) -> Result<()> {
        if num_rows >= u32::MAX as usize {
            return exec_err!("a probe batch of a join has too many rows ({num_rows})");
        }
        let Encoded { keys: encoded, live } = self.codec.encode(keys, num_rows)?;
        let mut out = Matches { first_only, probe_idx, build_idx };
        let live = live.as_deref();
        match (&self.partitions, &encoded) {
            (Partitions::Direct(t), EncodedKeys::Packed64(k)) => probe_direct(t, k, live, &mut out),
            (Partitions::Packed64(parts, Some(bitmap)), EncodedKeys::Packed64(k)) => {
                probe_packed(parts, k, live, |k| bitmap.may_contain(k), &mut out)
            }
            (Partitions::Packed64(parts, None), EncodedKeys::Packed64(k)) => {
                probe_packed(parts, k, live, |_| true, &mut out)
            }
            (Partitions::Packed128(parts), EncodedKeys::Packed128(k)) => {
                probe_packed(parts, k, live, |_| true, &mut out)
            }
            (Partitions::Rows { build, parts }, EncodedKeys::Rows { rows, hashes }) => {
                for (i, &h) in hashes.iter().enumerate() {
                    if live.is_some_and(|l| !l.get(i).copied().unwrap_or(false)) {
                        continue;
                    }
                    let Some(part) = parts.get(partition_of(h, parts.len())) else { continue };
                    let probe_row = rows.row(i);
                    let found = part.map.find(h, |e| {
                        e.key == h
                            && part.rows_of(e).first().is_some_and(|&r| build.row(r as usize) == probe_row)
                    });
                    if let Some(e) = found {
                        out.push(i as u32, part.rows_of(e));
                    }
                }
            }
            (Partitions::Empty, _) | (_, EncodedKeys::Empty) => {}
            _ => return internal_err!("join probe keys encoded unlike the build keys"),
        }
        Ok(())
    }
}

/// Where a probe puts its matches.
struct Matches<'a> {
    first_only: bool,
    probe_idx: &'a mut Vec<u32>,
    build_idx: &'a mut Vec<u32>,
}

impl Matches<'_> {
    #[inline(always)]
    fn push(&mut self, probe_row: u32, build_rows: &[u32]) {
        match build_rows {
            [] => {}
            [r] => {
                self.probe_idx.push(probe_row);
                self.build_idx.push(*r);
            }
            [r, ..] if self.first_only => {
                self.probe_idx.push(probe_row);
                self.build_idx.push(*r);
            }
            rows => {
                self.probe_idx.extend(std::iter::repeat_n(probe_row, rows.len()));
                self.build_idx.extend_from_slice(rows);
            }
        }
    }
}

/// Probe packed keys (`live`: rows that can match; `None`: all) whose key `may_match` says
/// may be on the build side.
fn probe_packed<K: JoinKey>(
    parts: &[Partition<K>],
    keys: &[K],
    live: Option<&[bool]>,
    may_match: impl Fn(K) -> bool,
    out: &mut Matches,
) {
    let probe_one = |i: usize, k: K| {
        if !may_match(k) {
            return;
        }
        let h = k.hash_key();
        let part = if parts.len() == 1 { parts.first() } else { parts.get(partition_of(h, parts.len())) };
        if let Some(part) = part {
            if let Some(e) = part.map.find(h, |e| e.key == k) {
                out.push(i as u32, part.rows_of(e));
            }
        }
    };
    for_each_live(keys, live, probe_one);
}

/// At most this many slots in a [`DirectTable`] (8 bytes each)...
const DIRECT_MAX_SLOTS: usize = 1 << 24;
/// ... and at most this many per build row with a key.
const DIRECT_SLOTS_PER_ROW: usize = 8;

/// The slots a [`DirectTable`] over `keys` needs, if it is small enough.
fn direct_size(keys: &[u64], live: Option<&[bool]>) -> Option<usize> {
    let (mut max, mut count) = (0u64, 0usize);
    for (row, &k) in keys.iter().enumerate() {
        if live.is_none_or(|l| l.get(row).copied().unwrap_or(false)) {
            max = max.max(k);
            count += 1;
        }
    }
    let size = usize::try_from(max).ok()?.checked_add(1)?;
    (size <= DIRECT_MAX_SLOTS && size <= count.saturating_mul(DIRECT_SLOTS_PER_ROW).saturating_add(1024))
        .then_some(size)
}

/// Build a [`DirectTable`] of `size` slots over the live rows of `keys` (each below `size`).
fn build_direct(keys: &[u64], live: Option<&[bool]>, size: usize) -> Result<DirectTable> {
    let mut slots = vec![Entry { key: (), first: 0, len: 0 }; size];
    let is_live = |row: usize| live.is_none_or(|l| l.get(row).copied().unwrap_or(false));
    let mut repeated = false;
    for (row, &k) in keys.iter().enumerate() {
        if !is_live(row) {
            continue;
        }
        let Some(s) = slots.get_mut(k as usize) else {
            return internal_err!("join key {k} beyond its direct table of {size} slots");
        };
        if s.len == 0 {
            s.first = row as u32;
        } else {
            repeated = true;
        }
        s.len += 1;
    }
    let mut rows = vec![];
    if repeated {
        // Each repeated key's rows lie contiguously, oldest first: point `first` past the end,
        // then fill backwards walking the rows backwards.
        let mut end = 0u32;
        for s in slots.iter_mut().filter(|s| s.len > 1) {
            end += s.len;
            s.first = end;
        }
        rows = vec![0u32; end as usize];
        for (row, &k) in keys.iter().enumerate().rev() {
            if !is_live(row) {
                continue;
            }
            if let Some(s) = slots.get_mut(k as usize).filter(|s| s.len > 1) {
                s.first -= 1;
                if let Some(slot) = rows.get_mut(s.first as usize) {
                    *slot = row as u32;
                }
            }
        }
    }
    Ok(DirectTable { slots, rows })
}

/// Probe a [`DirectTable`].
fn probe_direct(t: &DirectTable, keys: &[u64], live: Option<&[bool]>, out: &mut Matches) {
    let probe_one = |i: usize, k: u64| {
        if let Some(e) = t.slots.get(k as usize).filter(|e| e.len > 0) {
            out.push(i as u32, rows_of(&t.rows, e));
        }
    };
    for_each_live(keys, live, probe_one);
}

/// Hash packed build keys (in parallel) and build the partitions.
fn build_packed<K: JoinKey>(keys: &[K], live: Option<&[bool]>, parts: usize) -> Result<Vec<Partition<K>>> {
    let mut hashes = vec![0u64; keys.len()];
    hashes.par_chunks_mut(HASH_CHUNK).zip(keys.par_chunks(HASH_CHUNK)).for_each(|(h, k)| {
        h.iter_mut().zip(k).for_each(|(h, k)| *h = k.hash_key());
    });
    (0..parts)
        .into_par_iter()
        .map(|p| build_partition(keys, &hashes, live, p, parts, &|e, k, _| e.key == *k))
        .collect()
}

/// Build partition `p` of `parts` from the live build rows whose key hashes into it; `eq(entry,
/// key, row)` says whether build row `row` (with key `key`) belongs to `entry` (whose `first`
/// is still one of its rows while this runs).
fn build_partition<K: Copy>(
    keys: &[K],
    hashes: &[u64],
    live: Option<&[bool]>,
    p: usize,
    parts: usize,
    eq: &(dyn Fn(&Entry<K>, &K, u32) -> bool + Sync),
) -> Result<Partition<K>> {
    let mine = |row: usize, h: u64| {
        (parts == 1 || partition_of(h, parts) == p)
            && live.is_none_or(|l| l.get(row).copied().unwrap_or(false))
    };
    let count =
        if parts == 1 { keys.len() } else { hashes.iter().filter(|&&h| partition_of(h, parts) == p).count() };
    let mut map: HashTable<Entry<K>> = HashTable::with_capacity(count);
    // Rows of keys seen more than once, chained newest first: next[row] = the previous row.
    let mut next: Vec<u32> = vec![];
    let hash_of = |row: u32| hashes.get(row as usize).copied().unwrap_or_default();
    for (row, (key, &h)) in keys.iter().zip(hashes).enumerate() {
        if !mine(row, h) {
            continue;
        }
        let row32 = row as u32;
        match map.entry(h, |e| eq(e, key, row32), |e| hash_of(e.first)) {
            MapEntry::Occupied(mut o) => {
                let e = o.get_mut();
                if next.is_empty() {
                    next = vec![u32::MAX; keys.len()];
                }
                if let Some(n) = next.get_mut(row) {
                    *n = e.first;
                }
                e.first = row32;
                e.len += 1;
            }
            MapEntry::Vacant(v) => {
                v.insert(Entry { key: *key, first: row32, len: 1 });
            }
        }
    }
    let mut rows = vec![];
    if !next.is_empty() {
        // Lay each repeated key's rows out contiguously, oldest first.
        let total: usize = map.iter().filter(|e| e.len > 1).map(|e| e.len as usize).sum();
        rows = vec![0u32; total];
        let mut start = 0usize;
        for e in map.iter_mut().filter(|e| e.len > 1) {
            let mut row = e.first;
            for slot in (start..start + e.len as usize).rev() {
                let (Some(s), Some(&n)) = (rows.get_mut(slot), next.get(row as usize)) else {
                    return internal_err!("join build row chain out of range");
                };
                *s = row;
                row = n;
            }
            e.first = u32::try_from(start)
                .map_err(|_| shoal_common::ShoalError::Internal("too many rows".into()))?;
            start += e.len as usize;
        }
    }
    Ok(Partition { map, rows })
}

/// Call `f(row, key)` for every key whose row is live (every row when `live` is `None`: rows
/// with a NULL or out-of-range key are not live).
fn for_each_live<K: Copy>(keys: &[K], live: Option<&[bool]>, mut f: impl FnMut(usize, K)) {
    match live {
        None => keys.iter().enumerate().for_each(|(i, &k)| f(i, k)),
        Some(live) => {
            keys.iter().zip(live).enumerate().filter(|(_, (_, &l))| l).for_each(|(i, (&k, _))| f(i, k))
        }
    }
}
