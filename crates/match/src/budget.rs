//! A memory budget shared by every chunk of a run: exact distinct counting charges the keys it
//! holds against it and, once it is exceeded, the run switches to HyperLogLog estimates
//! ([`crate::hll`]) so memory stays bounded whatever the input size.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The memory budget of one run, shared by all inputs and chunks.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    used: AtomicU64,
    over: AtomicBool,
}

impl Budget {
    /// A budget of `limit` bytes, none used.
    pub fn new(limit: u64) -> Self {
        Budget {
            limit,
            used: AtomicU64::new(0),
            over: AtomicBool::new(false),
        }
    }
    /// Whether the budget was exceeded: from then on everything is estimated.
    pub fn is_over(&self) -> bool {
        self.over.load(Ordering::Relaxed)
    }
    /// Adds `bytes` to what is in use; past the limit, the budget is over for good.
    pub fn charge(&self, bytes: u64) {
        let used = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if used > self.limit {
            self.over.store(true, Ordering::Relaxed);
        }
    }
    /// Gives back memory freed by deduplication.
    pub fn release(&self, bytes: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                Some(u.saturating_sub(bytes))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_is_sticky() {
        let b = Budget::new(100);
        b.charge(60);
        assert!(!b.is_over());
        b.charge(60);
        assert!(b.is_over());
        b.release(100);
        assert!(
            b.is_over(),
            "once estimates started, counts cannot become exact again"
        );
    }
}
