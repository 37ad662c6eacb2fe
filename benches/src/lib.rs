//! Benchmark support (baselines live in src/bin).
