//! leakmatch hashing (stub).
