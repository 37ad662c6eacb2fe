//! Exact distinct counting: collect keys per chunk, then sort and deduplicate in parallel.

use rayon::slice::ParallelSliceMut;

/// A multiset of keys that becomes an exact set on [`DistinctSet::finish`].
///
/// Costs `size_of::<T>()` bytes per key collected (duplicates included) until finished.
#[derive(Debug, Clone, Default)]
pub struct DistinctSet<T> {
    keys: Vec<T>,
    sorted: bool,
}

impl<T: Ord + Copy + Send> DistinctSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        DistinctSet {
            keys: Vec::new(),
            sorted: true,
        }
    }

    /// Adds one key.
    pub fn push(&mut self, key: T) {
        self.keys.push(key);
        self.sorted = false;
    }

    /// Moves all keys of `other` into `self`.
    pub fn absorb(&mut self, mut other: DistinctSet<T>) {
        if self.keys.is_empty() {
            *self = other;
            return;
        }
        self.keys.append(&mut other.keys);
        self.sorted = false;
    }

    /// Sorts and deduplicates (in parallel on the current rayon pool).
    pub fn finish(&mut self) {
        if !self.sorted {
            self.keys.par_sort_unstable();
            self.dedup();
        }
    }

    /// Like [`finish`](Self::finish), on the calling thread only: for finishing several sets
    /// at once, one per thread, which beats sorting each in parallel in turn (measured on a
    /// 2.5M-row base: 0.25–0.31 s → 0.18–0.24 s).
    pub fn finish_on_this_thread(&mut self) {
        if !self.sorted {
            self.keys.sort_unstable();
            self.dedup();
        }
    }

    fn dedup(&mut self) {
        self.keys.dedup();
        self.keys.shrink_to_fit();
        self.sorted = true;
    }

    /// Number of distinct keys (finishes first).
    pub fn len(&mut self) -> u64 {
        self.finish();
        self.keys.len() as u64
    }

    /// The keys as collected: unsorted and with repeats unless finished.
    pub fn raw(&self) -> &[T] {
        &self.keys
    }

    /// Whether no key was added.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The distinct keys in ascending order (finishes first).
    pub fn keys(&mut self) -> &[T] {
        self.finish();
        &self.keys
    }

    /// Number of keys present in both sets (finishes both first).
    pub fn intersection_len(&mut self, other: &mut DistinctSet<T>) -> u64 {
        let (a, b) = (self.keys(), other.keys());
        let (mut i, mut j, mut n) = (0, 0, 0u64);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_and_intersection() {
        let mut a = DistinctSet::new();
        for k in [5u64, 1, 5, 3, 1] {
            a.push(k);
        }
        let mut b = DistinctSet::new();
        for k in [3u64, 4, 5] {
            b.push(k);
        }
        assert_eq!(a.len(), 3);
        assert_eq!(a.intersection_len(&mut b), 2);
        let mut c = DistinctSet::new();
        c.absorb(a);
        c.absorb(b);
        assert_eq!(c.keys(), &[1, 3, 4, 5]);
    }
}
