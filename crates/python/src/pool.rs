//! The rayon pool native calls run on, and the panic guard around them.
//!
//! By default calls run on rayon's global pool (one thread per core); `set_threads(n)` gives
//! them a pool of their own with `n` threads, as the CLI's `--threads` does.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, RwLock};

use pyo3::prelude::*;
use rayon::ThreadPool;

use crate::errors::{LeakmatchError, UsageError};

static POOL: RwLock<Option<Arc<ThreadPool>>> = RwLock::new(None);

/// Runs `f` without the GIL on the configured pool. A panic becomes a `LeakmatchError`
/// (its message is not passed on: the library crates keep identifiers out of panics, but a
/// binding must not count on it).
pub fn native<R: Send>(py: Python<'_>, f: impl FnOnce() -> R + Send) -> PyResult<R> {
    let pool = POOL.read().ok().and_then(|p| p.clone());
    let result = py.detach(move || {
        catch_unwind(AssertUnwindSafe(move || match pool {
            Some(pool) => pool.install(f),
            None => f(),
        }))
    });
    result.map_err(|_| {
        LeakmatchError::new_err("internal error in leakmatch (a bug: please report it)")
    })
}

/// Sets how many worker threads native calls use (`None`: one per core).
#[pyfunction]
#[pyo3(signature = (n=None))]
pub fn set_threads(n: Option<usize>) -> PyResult<()> {
    let pool = match n {
        Some(0) => return Err(UsageError::new_err("threads must be at least 1")),
        Some(n) => Some(Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| {
                    LeakmatchError::new_err(format!("cannot start {n} worker threads: {e}"))
                })?,
        )),
        None => None,
    };
    if let Ok(mut slot) = POOL.write() {
        *slot = pool;
    }
    Ok(())
}

/// How many worker threads native calls use.
#[pyfunction]
pub fn threads() -> usize {
    match POOL.read().ok().and_then(|p| p.clone()) {
        Some(pool) => pool.current_num_threads(),
        None => rayon::current_num_threads(),
    }
}
