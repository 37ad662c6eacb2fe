//! Inserting without locked instructions: the filter is cut into regions, each with a lock, and
//! an [`Inserter`] queues tokens per region and sets a region's bits with plain loads and
//! stores while it holds that region's lock.
//!
//! Why: an insert sets bits in up to 8 words of its block, and a locked read-modify-write
//! (`lock or`) per word cost half of all insert time — one thread, 27M inserts into a 149 MiB
//! filter: 1.25–1.27 s with `fetch_or`, 0.61–0.72 s with plain stores (`stages`, same
//! session). Here one lock acquisition (a single compare-exchange) covers a queue of
//! [`QUEUE`] tokens, and the plain stores are safe because every writer of a region holds
//! its lock. Regions are large (at most [`MAX_REGIONS`] of them, whole blocks each), so two
//! threads rarely want the same one; when the lock is taken, the queue keeps growing and the
//! inserter tries again on its next token for that region. OR commutes, so the final bits are
//! the same whatever the thread count or order.
//!
//! Memory: an inserter holds at most about `MAX_REGIONS × QUEUE` tokens (256 KiB) between
//! flushes; [`Inserter::flush`] (also run on drop) inserts every queued token, waiting for
//! locks, and frees the queues.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::bloom::BlockedBloom;
use crate::Token;

/// Upper bound on the number of regions (and locks) of a filter.
pub const MAX_REGIONS: usize = 128;
/// Tokens queued for a region before the inserter tries to take its lock.
pub const QUEUE: usize = 64;

/// The locks of a filter's regions: region `r` is blocks `r << shift .. (r + 1) << shift`.
pub(crate) struct Regions {
    shift: u32,
    locks: Box<[Lock]>,
}

/// One region's lock, alone on its cache line so that two threads taking different locks do
/// not contend for the line.
#[repr(align(64))]
#[derive(Default)]
struct Lock(AtomicBool);

impl Regions {
    /// Regions for a filter of `blocks` blocks: the fewest whole-power-of-two block ranges
    /// that keep their number at most [`MAX_REGIONS`].
    pub(crate) fn new(blocks: u64) -> Regions {
        let mut shift = 0;
        while blocks.div_ceil(1 << shift) > MAX_REGIONS as u64 {
            shift += 1;
        }
        let count = blocks.div_ceil(1 << shift).max(1) as usize;
        Regions {
            shift,
            locks: (0..count).map(|_| Lock::default()).collect(),
        }
    }

    /// Number of regions.
    pub(crate) fn len(&self) -> usize {
        self.locks.len()
    }

    /// The region holding block `b`.
    #[inline]
    pub(crate) fn of(&self, b: usize) -> usize {
        b >> self.shift
    }

    /// Takes region `r`'s lock if it is free.
    #[inline]
    pub(crate) fn try_lock(&self, r: usize) -> Option<RegionGuard<'_>> {
        let lock = &self.locks[r].0;
        // Not `then_some`: its argument is built eagerly, and dropping a guard for a lock we
        // failed to take would release someone else's lock.
        lock.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            .then(|| RegionGuard(lock))
    }

    /// Takes region `r`'s lock, spinning until it is free (holders keep it for one queue).
    pub(crate) fn lock(&self, r: usize) -> RegionGuard<'_> {
        loop {
            if let Some(g) = self.try_lock(r) {
                return g;
            }
            while self.locks[r].0.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        }
    }
}

/// A held region lock; released on drop (so also if the holder panics).
pub(crate) struct RegionGuard<'a>(&'a AtomicBool);

impl Drop for RegionGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Queues tokens per region of one filter and inserts them a queue at a time; see the
/// [module docs](self). One per thread or task: it is `Send` but not shared.
///
/// ```
/// # use leakmatch_hashing::{BlockedBloom, BloomParams, Token};
/// let bloom = BlockedBloom::new(BloomParams::for_capacity(1000, 1e-4))?;
/// let tokens = [Token([7; 32]), Token([9; 32])];
/// let mut inserter = bloom.inserter();
/// inserter.extend(&tokens);
/// inserter.flush(); // or drop it
/// assert!(bloom.contains(&tokens[0]) && bloom.contains(&tokens[1]));
/// # Ok::<(), leakmatch_hashing::FilterError>(())
/// ```
pub struct Inserter<'a> {
    bloom: &'a BlockedBloom,
    /// Per region: queued tokens with their block.
    queues: Vec<Vec<(usize, Token)>>,
}

impl<'a> Inserter<'a> {
    pub(crate) fn new(bloom: &'a BlockedBloom) -> Inserter<'a> {
        Inserter {
            bloom,
            queues: Vec::new(),
        }
    }

    /// Queues `t`, inserting its region's queue when the queue is full and the region free.
    #[inline]
    pub fn push(&mut self, t: &Token) {
        let bloom = self.bloom;
        let regions = bloom.regions();
        if self.queues.is_empty() {
            self.queues = (0..regions.len()).map(|_| Vec::new()).collect();
        }
        let b = bloom.block_of(t);
        let r = regions.of(b);
        let queue = &mut self.queues[r];
        if queue.capacity() == 0 {
            queue.reserve_exact(QUEUE);
        }
        queue.push((b, *t));
        if queue.len() >= QUEUE {
            if let Some(guard) = regions.try_lock(r) {
                bloom.insert_locked(queue, &guard);
                queue.clear();
            }
        }
    }

    /// Queues every token of `ts` (see [`Inserter::push`]).
    pub fn extend(&mut self, ts: &[Token]) {
        for t in ts {
            self.push(t);
        }
    }

    /// Inserts every queued token, waiting for the regions other threads hold, and frees the
    /// queues. Tries the free regions first.
    pub fn flush(&mut self) {
        let regions = self.bloom.regions();
        let mut queues = std::mem::take(&mut self.queues);
        let mut pending: Vec<usize> = (0..queues.len())
            .filter(|&r| !queues[r].is_empty())
            .collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|&r| match regions.try_lock(r) {
                Some(guard) => {
                    self.bloom.insert_locked(&queues[r], &guard);
                    false
                }
                None => true,
            });
            if pending.len() == before {
                // Every region left is held by another thread: wait for one.
                if let Some(r) = pending.pop() {
                    let guard = regions.lock(r);
                    self.bloom.insert_locked(&queues[r], &guard);
                }
            }
        }
        queues.clear();
    }
}

impl Drop for Inserter<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

impl std::fmt::Debug for Inserter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let queued: usize = self.queues.iter().map(Vec::len).sum();
        f.debug_struct("Inserter")
            .field("queued", &queued)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bloom::tests::tokens;
    use crate::BloomParams;

    /// Threads hammering a filter of few, small regions (so locks are often taken when
    /// wanted) set exactly the bits one thread sets.
    #[test]
    fn contended_inserters_lose_nothing() {
        let ts = tokens(40_000, 0);
        let params = BloomParams::for_capacity(3_000, 1e-3);
        let mut alone = BlockedBloom::new(params).unwrap();
        alone.inserter().extend(&ts);
        let mut shared = BlockedBloom::new(params).unwrap();
        assert!(shared.regions().len() > 1);
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            for i in 0..4 {
                let (bloom, ts, start) = (&shared, &ts, &start);
                s.spawn(move || {
                    let mut inserter = bloom.inserter();
                    start.wait();
                    for t in &ts[ts.len() * i / 4..ts.len() * (i + 1) / 4] {
                        inserter.push(t);
                    }
                    // Half the threads flush explicitly, half on drop.
                    if i % 2 == 0 {
                        inserter.flush();
                    }
                });
            }
        });
        assert_eq!(shared.as_bytes(), alone.as_bytes());
    }

    /// The locks exclude: increments made as plain load and store under a lock, by threads
    /// that take it both by `try_lock` (often failing) and by `lock`, are all kept.
    #[test]
    fn locks_exclude() {
        use std::sync::atomic::AtomicU64;
        const ROUNDS: u64 = 20_000;
        let regions = Regions::new(2);
        let count = AtomicU64::new(0);
        std::thread::scope(|s| {
            for i in 0..4 {
                let (regions, count) = (&regions, &count);
                s.spawn(move || {
                    for _ in 0..ROUNDS {
                        let guard = if i % 2 == 0 {
                            loop {
                                if let Some(g) = regions.try_lock(1) {
                                    break g;
                                }
                                std::hint::spin_loop();
                            }
                        } else {
                            regions.lock(1)
                        };
                        count.store(count.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                        drop(guard);
                    }
                });
            }
        });
        assert_eq!(count.into_inner(), 4 * ROUNDS);
    }

    #[test]
    fn regions_cover_every_block_and_stay_few() {
        for blocks in [
            1u64,
            2,
            127,
            128,
            129,
            1000,
            1 << 20,
            (1 << 20) + 1,
            2_455_707,
        ] {
            let r = Regions::new(blocks);
            assert!(r.len() <= MAX_REGIONS, "{blocks}");
            assert_eq!(r.of(blocks as usize - 1), r.len() - 1, "{blocks}");
            assert_eq!(r.of(0), 0);
        }
    }

    #[test]
    fn a_held_lock_is_not_taken_twice() {
        let r = Regions::new(1000);
        let g = r.try_lock(3).unwrap();
        assert!(r.try_lock(3).is_none());
        // A failed attempt must not have released it either.
        assert!(r.try_lock(3).is_none());
        assert!(r.try_lock(4).is_some());
        drop(g);
        assert!(r.try_lock(3).is_some());
    }
}
