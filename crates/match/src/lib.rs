//! leakmatch match (stub).
