//! A cache-line-blocked Bloom filter of [`Token`]s that many threads can fill at once.
//!
//! The filter is an array of 512-bit blocks (8 `u64` words, 64-byte aligned). A token's bits,
//! read as four little-endian `u64` words `w0..w3`, choose:
//!
//! - the block: `(w0 · blocks) >> 64` (fastrange: unbiased enough, no division);
//! - `k / 8` bits in each of the block's 8 words (split-block; `k` is 8, 16 or 24): bit `r` of
//!   word `j` is the 6-bit slice `q = j·(k/8) + r` of the token, bits `6·(q mod 10) ..
//!   6·(q mod 10) + 6` of word `w[1 + q / 10]` (bits 60..64 of each word are unused). The
//!   whole mask is computed in registers (see `params` for why this layout).
//!
//! A lookup reads one cache line. An insert builds the block's 8-word mask locally and ORs it
//! into the block with plain loads and stores while holding the lock of the block's region
//! (see [`crate::inserter`]: an [`Inserter`](crate::Inserter) queues tokens per region so that one lock covers
//! many inserts), so concurrent inserts commute and the final bytes are the same whatever
//! the thread count or insertion order. `contains_many` works in groups of 16: compute 16
//! block addresses and prefetch them two groups before working on them, so about 32 cache
//! misses overlap instead of queueing; inserts prefetch a region's queue the same distance
//! ahead.
//!
//! # Estimates
//!
//! With `m` bits, `X` of them set: [`estimated_distinct`](BlockedBloom::estimated_distinct)
//! is the per-bit estimate `−(m/k)·ln(1 − X/m)` (it ignores block crowding, so it reads a
//! little low when a filter is overfull). [`implied_fpr`](BlockedBloom::implied_fpr) is exact
//! for the filter as it is: a random non-member picks a uniform block and, in each of its 8
//! words `w`, `k/8` independent uniform bit positions, so
//! `FPR = mean over blocks of Π_w (popcount(w)/64)^{k/8}`. (Treating the `k` positions as
//! uniform over the whole block, `(popcount(block)/512)^k`, overstates it by AM–GM: ~8% at
//! 1e-6.) Partial sums are taken over fixed chunks and added in order, so the result does not
//! depend on the thread count.

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use crate::bits::BitArray;
use crate::error::FilterError;
use crate::params::{BloomParams, BLOCK_BITS};
use crate::regions::{RegionGuard, Regions};
use crate::Token;

/// Tokens handled per prefetch round.
const GROUP: usize = 16;
/// How many tokens ahead an insert prefetches its line.
const AHEAD: usize = 24;
/// Words per 512-bit block.
const WORDS: usize = 8;

/// How full a filter is: see [`BlockedBloom::fill_stats`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FillStats {
    /// Fraction of bits set.
    pub fill_ratio: f64,
    /// Estimated number of distinct tokens inserted (see the module docs).
    pub estimated_distinct: f64,
    /// False-positive rate implied by the bits as they are (see the module docs).
    pub implied_fpr: f64,
}

/// A blocked Bloom filter; see the [module docs](self). `Sync`: insert from many threads.
pub struct BlockedBloom {
    params: BloomParams,
    bits: BitArray,
    regions: Regions,
}

impl BlockedBloom {
    /// An empty filter, in a zeroed huge-page-advised anonymous mapping.
    pub fn new(params: BloomParams) -> Result<BlockedBloom, FilterError> {
        params
            .check()
            .map_err(|reason| FilterError::InvalidParams { reason })?;
        let bits = BitArray::zeroed(params.bytes())?;
        Ok(BlockedBloom::from_bits(params, bits))
    }

    /// Like [`BlockedBloom::new`], but built in place for the file `path`: the bits live in a
    /// temporary file beside it, mapped, so that [`crate::Filter::save`] to `path` writes only
    /// the header and checksum (no copy). Falls back to [`BlockedBloom::new`]'s memory where
    /// that cannot be done; dropped unsaved, the temporary is removed.
    pub fn new_for_file(params: BloomParams, path: &Path) -> Result<BlockedBloom, FilterError> {
        params
            .check()
            .map_err(|reason| FilterError::InvalidParams { reason })?;
        match crate::infile::draft_bits(path, params.bytes()) {
            Some(bits) => Ok(BlockedBloom::from_bits(params, bits)),
            None => BlockedBloom::new(params),
        }
    }

    /// A filter over existing bits (a loaded file), which must be `params.bytes()` long.
    pub(crate) fn from_bits(params: BloomParams, bits: BitArray) -> BlockedBloom {
        BlockedBloom {
            params,
            bits,
            regions: Regions::new(params.blocks),
        }
    }

    /// A copy of this filter in new memory.
    pub fn try_clone(&self) -> Result<BlockedBloom, FilterError> {
        self.copy_into(BlockedBloom::new(self.params)?)
    }

    /// A copy of this filter built in place for the file `path` (see
    /// [`BlockedBloom::new_for_file`]).
    pub fn try_clone_for_file(&self, path: &Path) -> Result<BlockedBloom, FilterError> {
        self.copy_into(BlockedBloom::new_for_file(self.params, path)?)
    }

    fn copy_into(&self, mut copy: BlockedBloom) -> Result<BlockedBloom, FilterError> {
        copy.bits
            .words_mut()
            .par_iter_mut()
            .zip(self.bits.atomics())
            .for_each(|(d, s)| {
                *d = s.load(Relaxed);
            });
        Ok(copy)
    }

    /// The filter's shape.
    pub fn params(&self) -> BloomParams {
        self.params
    }

    /// Adds one token. Safe to call from many threads at once; for many tokens,
    /// [`BlockedBloom::inserter`] or [`BlockedBloom::insert_many`] are much faster.
    pub fn insert(&self, t: &Token) {
        let b = self.block_of(t);
        let guard = self.regions.lock(self.regions.of(b));
        self.insert_locked(&[(b, *t)], &guard);
    }

    /// Adds many tokens using the current rayon pool.
    pub fn par_insert(&self, ts: &[Token]) {
        ts.par_chunks(1 << 14).for_each(|c| self.insert_many(c));
    }

    /// Whether `t` may have been inserted (false positives at the filter's FPR; no false
    /// negatives).
    #[inline]
    pub fn contains(&self, t: &Token) -> bool {
        self.contains_at(self.block_of(t), t)
    }

    /// `out[i] = self.contains(&ts[i])`, 16 at a time with software prefetch.
    ///
    /// # Panics
    ///
    /// If `out.len() != ts.len()`.
    pub fn contains_many(&self, ts: &[Token], out: &mut [bool]) {
        assert_eq!(
            ts.len(),
            out.len(),
            "contains_many: output length differs from input"
        );
        self.grouped(ts, |i, b, t| out[i] = self.contains_at(b, t));
    }

    /// Adds every token of `other`, which must have the same parameters.
    pub fn union_with(&mut self, other: &BlockedBloom) -> Result<(), FilterError> {
        if self.params != other.params {
            return Err(FilterError::Incompatible {
                reason: format!("parameters differ: {:?} vs {:?}", self.params, other.params),
            });
        }
        let src = other.bits.atomics();
        self.bits
            .words_mut()
            .par_iter_mut()
            .zip(src)
            .for_each(|(d, s)| *d |= s.load(Relaxed));
        Ok(())
    }

    /// Fraction of bits set.
    pub fn fill_ratio(&self) -> f64 {
        self.fill_stats().fill_ratio
    }

    /// Estimated number of distinct tokens inserted (infinite if every bit is set).
    pub fn estimated_distinct(&self) -> f64 {
        self.fill_stats().estimated_distinct
    }

    /// False-positive rate implied by the bits as they are (see the module docs).
    pub fn implied_fpr(&self) -> f64 {
        self.fill_stats().implied_fpr
    }

    /// [`fill_ratio`](Self::fill_ratio), [`estimated_distinct`](Self::estimated_distinct) and
    /// [`implied_fpr`](Self::implied_fpr) from one parallel pass over the bits (each of them
    /// alone costs the same pass).
    pub fn fill_stats(&self) -> FillStats {
        const CHUNK_BLOCKS: usize = 1 << 12;
        let c = (self.params.k / 8) as i32;
        // hit[x] = probability that one word holding x ones covers a probe's c bits in it.
        let hit: [f64; 65] = std::array::from_fn(|x| (x as f64 / 64.0).powi(c));
        // Per-chunk sums in a fixed order: the result does not depend on the rayon pool.
        let sums: Vec<(u64, f64)> = self
            .bits
            .atomics()
            .par_chunks(WORDS * CHUNK_BLOCKS)
            .map(|chunk| {
                let mut ones = 0u64;
                let mut fpr = 0.0;
                for block in chunk.chunks_exact(WORDS) {
                    let mut p = 1.0;
                    for w in block {
                        let n = w.load(Relaxed).count_ones();
                        ones += u64::from(n);
                        p *= hit[n as usize];
                    }
                    fpr += p;
                }
                (ones, fpr)
            })
            .collect();
        let ones: u64 = sums.iter().map(|s| s.0).sum();
        let m = self.params.blocks as f64 * BLOCK_BITS as f64;
        let fill_ratio = ones as f64 / m;
        FillStats {
            fill_ratio,
            estimated_distinct: -(m / f64::from(self.params.k)) * (1.0 - fill_ratio).ln(),
            implied_fpr: sums.iter().map(|s| s.1).sum::<f64>() / self.params.blocks as f64,
        }
    }

    /// Fraction of `probes` random tokens (non-members with overwhelming probability) that
    /// the filter claims to contain. Probes come from SplitMix64 seeded by `seed` in fixed
    /// chunks, so the result depends only on the filter, `probes` and `seed`, not on the
    /// rayon pool. Returns 0 for 0 probes.
    pub fn measure_fpr(&self, probes: u64, seed: u64) -> f64 {
        const CHUNK: u64 = 1 << 16;
        if probes == 0 {
            return 0.0;
        }
        let hits: u64 = (0..probes.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let n = CHUNK.min(probes - c * CHUNK) as usize;
                let mut rng = SplitMix64(seed ^ splitmix(c.wrapping_add(0x5eed)));
                let mut tokens = [Token::default(); 1024];
                let mut found = [false; 1024];
                let mut hits = 0u64;
                let mut left = n;
                while left > 0 {
                    let m = left.min(tokens.len());
                    for t in &mut tokens[..m] {
                        for w in t.0.chunks_exact_mut(8) {
                            w.copy_from_slice(&rng.next().to_le_bytes());
                        }
                    }
                    self.contains_many(&tokens[..m], &mut found[..m]);
                    hits += found[..m].iter().filter(|&&f| f).count() as u64;
                    left -= m;
                }
                hits
            })
            .sum();
        hits as f64 / probes as f64
    }

    /// The bit array: blocks in order, each 8 native-endian `u64` words (little-endian on
    /// every supported target). Needs `&mut self` because reading plain bytes while another
    /// thread `insert`s through `&self` would be a data race.
    pub fn as_bytes(&mut self) -> &[u8] {
        self.bits.bytes()
    }

    pub(crate) fn bits(&self) -> &BitArray {
        &self.bits
    }

    pub(crate) fn bits_mut(&mut self) -> &mut BitArray {
        &mut self.bits
    }

    pub(crate) fn regions(&self) -> &Regions {
        &self.regions
    }

    #[inline]
    pub(crate) fn block_of(&self, t: &Token) -> usize {
        // Fits: blocks ≤ MAX_FILTER_BYTES / 64 and the product's high half is < blocks.
        ((u128::from(t.word(0)) * u128::from(self.params.blocks)) >> 64) as usize
    }

    #[inline]
    fn block(&self, b: usize) -> &[AtomicU64] {
        &self.bits.atomics()[b * WORDS..b * WORDS + WORDS]
    }

    /// Calls `work(i, block of ts[i], &ts[i])` in order, group by group; the blocks of the
    /// group after next are prefetched before the current group is worked on, so about two
    /// groups of misses are in flight while one is worked on.
    #[inline]
    fn grouped(&self, ts: &[Token], mut work: impl FnMut(usize, usize, &Token)) {
        let mut iter = ts.chunks(GROUP);
        let mut ring: [(&[Token], [usize; GROUP]); 2] = [(&[], [0; GROUP]), (&[], [0; GROUP])];
        let mut queued = 0;
        for slot in ring.iter_mut() {
            if let Some(g) = iter.next() {
                *slot = (g, self.prefetch_group(g));
                queued += 1;
            }
        }
        let mut start = 0;
        let mut head = 0;
        while queued > 0 {
            let (group, blocks) = ring[head];
            match iter.next() {
                Some(g) => ring[head] = (g, self.prefetch_group(g)),
                None => queued -= 1,
            }
            for (j, (t, &b)) in group.iter().zip(&blocks).enumerate() {
                work(start + j, b, t);
            }
            start += group.len();
            head ^= 1;
        }
    }

    #[inline]
    fn prefetch_group(&self, group: &[Token]) -> [usize; GROUP] {
        let mut blocks = [0usize; GROUP];
        for (slot, t) in blocks.iter_mut().zip(group) {
            *slot = self.block_of(t);
            prefetch::<false>(self.block(*slot).as_ptr());
        }
        blocks
    }

    /// Sets the bits of `queue`'s tokens (each with its block), all in the region `_guard`
    /// holds: plain loads and stores suffice, as no one else writes the region meanwhile.
    /// Each line is prefetched for writing [`AHEAD`] tokens before it is needed.
    pub(crate) fn insert_locked(&self, queue: &[(usize, Token)], _guard: &RegionGuard<'_>) {
        for &(b, _) in queue.iter().take(AHEAD) {
            prefetch::<true>(self.block(b).as_ptr());
        }
        for (i, (b, t)) in queue.iter().enumerate() {
            if let Some(&(ahead, _)) = queue.get(i + AHEAD) {
                prefetch::<true>(self.block(ahead).as_ptr());
            }
            let mask = mask(t, self.params.k);
            for (w, &m) in self.block(*b).iter().zip(&mask) {
                w.store(w.load(Relaxed) | m, Relaxed);
            }
        }
    }

    #[inline]
    fn contains_at(&self, b: usize, t: &Token) -> bool {
        let mask = mask(t, self.params.k);
        let missing = self
            .block(b)
            .iter()
            .zip(&mask)
            .fold(0, |acc, (w, &m)| acc | (m & !w.load(Relaxed)));
        missing == 0
    }
}

impl fmt::Debug for BlockedBloom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockedBloom")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// The 8-word mask of `t` inside its block: `k / 8` bits per word (see the module docs).
#[inline]
fn mask(t: &Token, k: u32) -> [u64; WORDS] {
    match k {
        8 => split_mask::<1>(t),
        16 => split_mask::<2>(t),
        // `BloomParams::check` admits only 8, 16 and 24.
        _ => split_mask::<3>(t),
    }
}

#[inline(always)]
fn split_mask<const C: usize>(t: &Token) -> [u64; WORDS] {
    let w = [t.word(1), t.word(2), t.word(3)];
    let mut mask = [0u64; WORDS];
    for (j, m) in mask.iter_mut().enumerate() {
        for r in 0..C {
            let q = j * C + r;
            *m |= 1 << ((w[q / 10] >> (6 * (q % 10))) & 63);
        }
    }
    mask
}

/// Prefetches the line at `p` into L1, for writing (`PREFETCHW`, a no-op on CPUs without it)
/// or for reading.
#[inline(always)]
fn prefetch<const WRITE: bool>(p: *const AtomicU64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults or changes memory, whatever the
    // address (and `p` points into the live bit array anyway). SSE is baseline on x86_64, and
    // `PREFETCHW` decodes as a no-op where it is not supported.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0, _MM_HINT_T0};
        if WRITE {
            _mm_prefetch::<_MM_HINT_ET0>(p.cast::<i8>());
        } else {
            _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// SplitMix64: small, fast, and good enough to draw probe tokens.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix(self.0)
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
#[path = "bloom_tests.rs"]
pub(crate) mod tests;
