//! The gate in front of the CPU-bound work: at most `slots` requests are evaluated at once
//! (each on a blocking thread, its proof chunks on rayon), at most `queue` more wait, and the
//! rest are refused at once (503 `busy`) rather than piling up in memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The evaluation gate.
#[derive(Debug)]
pub(crate) struct Gate {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
}

impl Gate {
    pub(crate) fn new(slots: usize, queue: usize) -> Gate {
        Gate {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    /// A slot, waiting for one if the queue has room; `None` when the queue is full.
    pub(crate) async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
            return Some(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        // Counted out again even when the request is dropped while it waits.
        let _waiting = Waiting(&self.waiting);
        Arc::clone(&self.slots).acquire_owned().await.ok()
    }
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn full_queue_refuses_and_a_dropped_waiter_leaves_it() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let gate = Gate::new(1, 1);
            let first = gate.enter().await.unwrap();
            // One may wait; a second waiter is refused.
            let waiting = gate.enter();
            tokio::pin!(waiting);
            assert!(
                tokio::time::timeout(std::time::Duration::from_millis(20), &mut waiting)
                    .await
                    .is_err()
            );
            assert!(gate.enter().await.is_none());
            drop(first);
            let second = waiting.await.unwrap();
            drop(second);
            // Dropped waiters do not keep their place.
            let held = gate.enter().await.unwrap();
            for _ in 0..3 {
                let w = gate.enter();
                let _ = tokio::time::timeout(std::time::Duration::from_millis(5), w).await;
            }
            drop(held);
            assert!(gate.enter().await.is_some());
        });
    }
}
