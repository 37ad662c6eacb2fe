//! Region locks: a filter's blocks cut into at most [`MAX_REGIONS`] ranges, each with a lock that
//! its writer holds while it sets that range's bits with plain loads and stores (see
//! [`crate::inserter`] for why, and for the queues that make one lock cover many inserts).

use std::sync::atomic::{AtomicBool, Ordering};

/// Upper bound on the number of regions (and locks) of a filter.
pub const MAX_REGIONS: usize = 128;

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

#[cfg(test)]
mod tests {
    use super::*;

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
