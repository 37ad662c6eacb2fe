//! The state directory: its layout and the permissions it must keep.
//!
//! ```text
//! STATE_DIR/            0700
//!   master.secret       0600  leakmatch_oprf::MasterSecret (every epoch key derives from it)
//!   state.redb          0600  epochs, filters, clients and budgets, the request ledger
//! ```
//!
//! Opening refuses a directory group or others may enter (`mode & 0o077 != 0`) and a store
//! they may read or write, naming the `chmod` that fixes it.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::StateError;

/// File name of the master secret inside the state directory.
pub const MASTER_FILE: &str = "master.secret";
/// File name of the store inside the state directory.
pub const STORE_FILE: &str = "state.redb";

/// The paths of one state directory.
#[derive(Clone, Debug)]
pub(crate) struct StateDir {
    pub(crate) root: PathBuf,
    pub(crate) master: PathBuf,
    pub(crate) store: PathBuf,
}

impl StateDir {
    fn at(root: &Path) -> StateDir {
        StateDir {
            root: root.to_path_buf(),
            master: root.join(MASTER_FILE),
            store: root.join(STORE_FILE),
        }
    }

    /// Creates the directory (0700; an existing *empty* directory is accepted and
    /// tightened) and an empty store file (0600, created new).
    pub(crate) fn create(root: &Path) -> Result<StateDir, StateError> {
        let io = |source| StateError::Io {
            path: root.to_path_buf(),
            source,
        };
        match std::fs::symlink_metadata(root) {
            Ok(meta) => {
                let empty = meta.is_dir() && std::fs::read_dir(root).map_err(io)?.next().is_none();
                if !empty {
                    return Err(StateError::Exists {
                        path: root.to_path_buf(),
                    });
                }
                std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700))
                    .map_err(io)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new()
                    .mode(0o700)
                    .create(root)
                    .map_err(io)?;
            }
            Err(e) => return Err(io(e)),
        }
        let dir = StateDir::at(root);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&dir.store)
            .map_err(|source| StateError::Io {
                path: dir.store.clone(),
                source,
            })?;
        Ok(dir)
    }

    /// An existing state directory, its permissions checked.
    pub(crate) fn open(root: &Path) -> Result<StateDir, StateError> {
        let dir = StateDir::at(root);
        let meta = std::fs::metadata(root).map_err(|source| StateError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(StateError::NotStateDir {
                path: root.to_path_buf(),
                missing: STORE_FILE,
            });
        }
        let mut store_mode = 0;
        for (path, name) in [(&dir.store, STORE_FILE), (&dir.master, MASTER_FILE)] {
            match std::fs::symlink_metadata(path) {
                Ok(m) if m.is_file() => {
                    if name == STORE_FILE {
                        store_mode = m.permissions().mode();
                    }
                }
                _ => {
                    return Err(StateError::NotStateDir {
                        path: root.to_path_buf(),
                        missing: name,
                    })
                }
            }
        }
        check_private(root, meta.permissions().mode(), "700")?;
        check_private(&dir.store, store_mode, "600")?;
        Ok(dir)
    }
}

fn check_private(path: &Path, mode: u32, fix: &'static str) -> Result<(), StateError> {
    let mode = mode & 0o7777;
    if mode & 0o077 != 0 {
        return Err(StateError::InsecurePermissions {
            path: path.to_path_buf(),
            mode,
            fix,
        });
    }
    Ok(())
}
