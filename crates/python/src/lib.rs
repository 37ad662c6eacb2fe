//! # leakmatch-python: the native module of the `leakmatch` Python package
//!
//! Built by maturin into `leakmatch._native` (an abi3 wheel for CPython ≥ 3.9); the Python
//! package in `python/leakmatch/` wraps it with docstrings, type stubs and conversions from
//! Polars, pandas and lists. Everything here goes through the library crates' public APIs:
//! the binding converts arguments, releases the GIL, runs the call on the configured rayon
//! pool, and turns errors into the `LeakmatchError` hierarchy — it holds no pipeline logic.
//!
//! - [`arrow`]: arrays in and out through the Arrow C data interface (PyCapsules, zero copy);
//! - [`columns`]: vectorized normalization and the columns a filter builder takes;
//! - [`keys`], [`filters`]: `Key`, `Filter`, `FilterBuilder`;
//! - [`pipelines`]: `size`, `build` and `match` over files, returning the CLI's `--json`;
//! - [`errors`], [`pool`]: exceptions and the thread setting, shared by all of the above.
//!
//! No function returns a key's bytes, and nothing here prints.
#![deny(missing_docs)]

pub mod arrow;
pub mod columns;
pub mod errors;
pub mod filters;
pub mod keys;
pub mod pipelines;
pub mod pool;

use pyo3::prelude::*;

/// The `leakmatch._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(columns::normalize, m)?)?;
    m.add_function(wrap_pyfunction!(pool::set_threads, m)?)?;
    m.add_function(wrap_pyfunction!(pool::threads, m)?)?;
    m.add_function(wrap_pyfunction!(pipelines::size, m)?)?;
    m.add_function(wrap_pyfunction!(pipelines::build, m)?)?;
    m.add_function(wrap_pyfunction!(pipelines::match_files, m)?)?;
    m.add_class::<keys::Key>()?;
    m.add_class::<filters::Filter>()?;
    m.add_class::<filters::FilterBuilder>()?;
    m.add(
        "NORMALIZATION_VERSION",
        leakmatch_ingest::NORMALIZATION_VERSION,
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
