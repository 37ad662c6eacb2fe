//! `Key`: the secret that keys tokens. Its bytes never cross into Python.

use std::path::PathBuf;
use std::sync::Arc;

use leakmatch_hashing::{read_key_file, write_key_file};
use pyo3::prelude::*;

use crate::errors::key_error;

/// A leakmatch key. Only its public id is visible; save it with `save` (mode 0600).
#[pyclass(module = "leakmatch._native", frozen)]
pub struct Key {
    pub(crate) key: Arc<leakmatch_hashing::Key>,
}

#[pymethods]
impl Key {
    /// A new random key from the operating system's generator.
    #[staticmethod]
    fn generate() -> PyResult<Key> {
        let key = leakmatch_hashing::Key::generate()
            .map_err(|e| key_error("cannot generate a key", &e))?;
        Ok(Key { key: Arc::new(key) })
    }

    /// Reads a key file written by `leakmatch keygen` or `Key.save`. Refuses a file others
    /// can read unless `allow_insecure`.
    #[staticmethod]
    #[pyo3(signature = (path, allow_insecure=false))]
    fn load(path: PathBuf, allow_insecure: bool) -> PyResult<Key> {
        let key = read_key_file(&path, allow_insecure)
            .map_err(|e| key_error(&format!("cannot use key file {}", path.display()), &e))?;
        Ok(Key { key: Arc::new(key) })
    }

    /// Writes the key to a new file (mode 0600); an existing file is never replaced.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        write_key_file(&path, &self.key)
            .map_err(|e| key_error(&format!("cannot write key file {}", path.display()), &e))
    }

    /// The key's public id (as in filter headers): names the key without revealing it.
    #[getter]
    fn id(&self) -> String {
        self.key.id().to_string()
    }

    fn __repr__(&self) -> String {
        format!("Key(id='{}')", self.key.id())
    }
}
