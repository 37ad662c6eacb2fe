//! The server's master secret and its file.
//!
//! A [`MasterSecret`] is 32 random bytes from which every epoch's OPRF key is derived
//! ([`EpochKey::derive`](crate::EpochKey::derive)). It is zeroized on drop; no `Debug`, error
//! or panic message contains it.
//!
//! # File format
//!
//! ASCII text, exactly two lines:
//!
//! ```text
//! leakmatch-oprf-master-v1
//! <64 hex digits: the 32 secret bytes in order>
//! ```
//!
//! [`MasterSecret::write_file`] writes lowercase hex and a final newline into a new file with
//! mode 0600 (a temporary created 0600, `fsync`ed, then linked into place: an existing file
//! is never replaced). [`MasterSecret::read_file`] also accepts uppercase hex and a missing
//! final newline, and refuses a file that group or others may access (`mode & 0o077 != 0`)
//! or that is not a regular file. Errors never echo file content.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use leakmatch_hashing::AtomicFile;
use zeroize::{Zeroize, Zeroizing};

use crate::OprfError;

const MAGIC: &str = "leakmatch-oprf-master-v1\n";
/// A valid file is 25 + 64 + 1 bytes; anything much larger is not a master secret file.
const FILE_MAX: u64 = 256;
const HEX: &[u8; 16] = b"0123456789abcdef";

/// The 32-byte master secret of an OPRF server, zeroized on drop.
#[derive(Clone, Zeroize, zeroize::ZeroizeOnDrop)]
pub struct MasterSecret {
    bytes: [u8; 32],
}

impl MasterSecret {
    /// A fresh secret from the operating system's random number generator.
    pub fn generate() -> Result<Self, OprfError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| OprfError::Rng {
            reason: e.to_string(),
        })?;
        Ok(MasterSecret { bytes })
    }

    /// Wraps existing secret bytes (tests, restoring a backup).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MasterSecret { bytes }
    }

    /// The secret bytes: only key derivation needs them.
    pub(crate) fn secret(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Writes the secret to a new file at `path` (format in the [module docs](self)), mode
    /// 0600, atomically; [`OprfError::Exists`] if `path` exists.
    pub fn write_file(path: &Path, secret: &Self) -> Result<(), OprfError> {
        let io_err = |source| OprfError::Io {
            path: path.to_path_buf(),
            source,
        };
        let exists = || OprfError::Exists {
            path: path.to_path_buf(),
        };
        if path.symlink_metadata().is_ok() {
            return Err(exists());
        }
        let mut text = Zeroizing::new(Vec::with_capacity(MAGIC.len() + 65));
        text.extend_from_slice(MAGIC.as_bytes());
        for b in &secret.bytes {
            text.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        text.push(b'\n');
        let mut file = AtomicFile::create_with_mode(path, 0o600).map_err(io_err)?;
        file.write_all(&text).map_err(io_err)?;
        file.commit_new().map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => exists(),
            _ => io_err(e),
        })
    }

    /// Reads a file written by [`write_file`](Self::write_file); refuses one that group or
    /// others may access ([`OprfError::InsecurePermissions`], with the `chmod 600` fix).
    pub fn read_file(path: &Path) -> Result<Self, OprfError> {
        let io_err = |source| OprfError::Io {
            path: path.to_path_buf(),
            source,
        };
        let malformed = |reason| OprfError::Malformed {
            path: path.to_path_buf(),
            reason,
        };
        // A FIFO or a device would block the open or the read: refuse anything but a regular
        // file before opening, and open without blocking in case it is swapped meanwhile.
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(malformed("not a regular file"));
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
        let file = options.open(path).map_err(io_err)?;
        // Check the opened file, not the path, so a swapped file cannot slip past.
        let meta = file.metadata().map_err(io_err)?;
        if !meta.is_file() {
            return Err(malformed("not a regular file"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(OprfError::InsecurePermissions {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        let mut text = Zeroizing::new(Vec::with_capacity(128));
        file.take(FILE_MAX + 1)
            .read_to_end(&mut text)
            .map_err(io_err)?;
        if text.len() as u64 > FILE_MAX {
            return Err(malformed("file is too large to be a master secret file"));
        }
        let body = text
            .strip_prefix(MAGIC.as_bytes())
            .ok_or_else(|| malformed("first line is not `leakmatch-oprf-master-v1`"))?;
        let hex = body.strip_suffix(b"\n").unwrap_or(body);
        if hex.len() != 64 {
            return Err(malformed("second line is not exactly 64 hex digits"));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        for (o, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            *o = match (nibble(pair[0]), nibble(pair[1])) {
                (Some(h), Some(l)) => h << 4 | l,
                _ => return Err(malformed("second line has a non-hex character")),
            };
        }
        Ok(MasterSecret { bytes: *bytes })
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_mode(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn write_then_read_round_trips_0600_and_refuses_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.secret");
        let secret = MasterSecret::generate().unwrap();
        MasterSecret::write_file(&path, &secret).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("leakmatch-oprf-master-v1\n") && text.len() == 25 + 65);
        assert_eq!(MasterSecret::read_file(&path).unwrap().bytes, secret.bytes);
        let other = MasterSecret::generate().unwrap();
        let err = MasterSecret::write_file(&path, &other).unwrap_err();
        assert!(matches!(err, OprfError::Exists { .. }), "{err}");
        assert_eq!(MasterSecret::read_file(&path).unwrap().bytes, secret.bytes);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn group_or_other_readable_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        MasterSecret::write_file(&path, &MasterSecret::from_bytes([1; 32])).unwrap();
        for mode in [0o640, 0o604, 0o620] {
            set_mode(&path, mode);
            let err = MasterSecret::read_file(&path).unwrap_err();
            let msg = err.to_string();
            assert!(
                matches!(err, OprfError::InsecurePermissions { mode: m, .. } if m == mode),
                "{msg}"
            );
            assert!(msg.contains("chmod 600"), "{msg}");
        }
        set_mode(&path, 0o400);
        assert!(MasterSecret::read_file(&path).is_ok());
        let dev = MasterSecret::read_file(Path::new("/dev/zero")).unwrap_err();
        assert!(dev.to_string().contains("not a regular file"), "{dev}");
    }

    #[test]
    fn malformed_files_and_debug_never_show_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let secret = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";
        let cases = [
            ("magic", format!("leakmatch-key-v1\n{secret}\n")),
            (
                "short",
                format!("leakmatch-oprf-master-v1\n{}\n", &secret[..62]),
            ),
            (
                "nonhex",
                format!("leakmatch-oprf-master-v1\n{}zz\n", &secret[..62]),
            ),
            ("trailing", format!("leakmatch-oprf-master-v1\n{secret}\nx")),
            (
                "huge",
                format!("leakmatch-oprf-master-v1\n{}", secret.repeat(10)),
            ),
        ];
        for (name, content) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &content).unwrap();
            set_mode(&path, 0o600);
            let err = MasterSecret::read_file(&path).unwrap_err();
            let msg = format!("{err} {err:?}");
            assert!(matches!(err, OprfError::Malformed { .. }), "{name}: {msg}");
            assert!(!msg.contains("5ec7e7"), "{name}: {msg}");
        }
        let upper = dir.path().join("upper");
        std::fs::write(
            &upper,
            format!("leakmatch-oprf-master-v1\n{}", secret.to_uppercase()),
        )
        .unwrap();
        set_mode(&upper, 0o600);
        let read = MasterSecret::read_file(&upper).unwrap();
        let debug = format!("{read:?}");
        assert_eq!(debug, "MasterSecret(<redacted>)");
        assert_eq!(read.bytes[..3], [0x5e, 0xc7, 0xe7]);
    }
}
