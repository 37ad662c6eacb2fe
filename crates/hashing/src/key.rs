//! The secret hashing key, its public identifier and its file format.
//!
//! A [`Key`] is 32 random bytes. It is zeroized on drop, and no `Debug`, `Display`, error or
//! panic message ever contains it: only its [`KeyId`] is shown.
//!
//! The [`KeyId`] is the first 8 bytes of `blake3::derive_key("leakmatch 2026 key id v1", key)`.
//! It names the key in filter headers and messages without revealing it; the derive-key
//! context keeps it unrelated to any token made with the key.
//!
//! # Key file format
//!
//! ASCII text, exactly two lines:
//!
//! ```text
//! leakmatch-key-v1
//! <64 hex digits: the 32 key bytes in order>
//! ```
//!
//! [`write_key_file`] writes lowercase hex and a final newline; [`read_key_file`] also accepts
//! uppercase hex and a missing final newline, nothing else. Like OpenSSH, it refuses a file
//! that group or others may access (`mode & 0o077 != 0`) unless told otherwise, and its errors
//! never echo file content.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use zeroize::{Zeroize, Zeroizing};

use crate::atomic::AtomicFile;

const KEY_ID_CONTEXT: &str = "leakmatch 2026 key id v1";
const KEY_FILE_MAGIC: &str = "leakmatch-key-v1\n";
/// A valid file is 17 + 64 + 1 bytes; anything much larger is not a key file.
const KEY_FILE_MAX: u64 = 256;

/// A 32-byte secret hashing key, zeroized on drop.
#[derive(Clone, Zeroize, zeroize::ZeroizeOnDrop)]
pub struct Key {
    bytes: [u8; 32],
}

impl Key {
    /// Generates a fresh key from the operating system's random number generator.
    pub fn generate() -> Result<Key, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| KeyError::Rng {
            reason: e.to_string(),
        })?;
        Ok(Key { bytes })
    }

    /// Wraps existing key bytes (for tests and key import).
    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key { bytes }
    }

    /// The public identifier of this key.
    pub fn id(&self) -> KeyId {
        let derived = crate::wipe::derive_key(KEY_ID_CONTEXT, &self.bytes);
        let mut id = [0u8; 8];
        id.copy_from_slice(&derived[..8]);
        KeyId(id)
    }

    /// The secret bytes. Crate-private: only the hasher needs them.
    pub(crate) fn secret(&self) -> &[u8; 32] {
        &self.bytes
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(<redacted>, id={})", self.id())
    }
}

/// Public 8-byte identifier of a [`Key`]; displays as 16 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Error parsing a [`KeyId`] from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a key id is 16 hex digits")]
pub struct ParseKeyIdError;

impl FromStr for KeyId {
    type Err = ParseKeyIdError;

    fn from_str(s: &str) -> Result<KeyId, ParseKeyIdError> {
        let mut id = [0u8; 8];
        decode_hex(s.as_bytes(), &mut id).ok_or(ParseKeyIdError)?;
        Ok(KeyId(id))
    }
}

/// Errors reading, writing or generating keys. None of them contains key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// An I/O operation on the key file failed.
    #[error("key file {}: {source}", path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The key file may be read or written by group or others.
    #[error(
        "key file {} has permissions {mode:04o}, which let other users access it; \
         fix with `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    InsecurePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not a leakmatch key file.
    #[error("key file {} is malformed: {reason}", path.display())]
    Malformed {
        /// The key file.
        path: PathBuf,
        /// What is wrong (never the content itself).
        reason: &'static str,
    },
    /// Refused to overwrite an existing file.
    #[error("key file {} already exists; refusing to overwrite it", path.display())]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {reason}")]
    Rng {
        /// The generator's error message.
        reason: String,
    },
}

/// Writes `key` to a new file at `path` (format in the [module docs](self)) with mode 0600.
///
/// The content goes to a temporary file in the same directory, created with mode 0600, which
/// is `fsync`ed and then linked into place atomically; an existing `path` is never replaced.
pub fn write_key_file(path: &Path, key: &Key) -> Result<(), KeyError> {
    let io_err = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.symlink_metadata().is_ok() {
        return Err(KeyError::Exists {
            path: path.to_path_buf(),
        });
    }
    let mut text = Zeroizing::new(Vec::with_capacity(KEY_FILE_MAGIC.len() + 65));
    text.extend_from_slice(KEY_FILE_MAGIC.as_bytes());
    for b in key.secret() {
        text.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
    }
    text.push(b'\n');
    let mut file = AtomicFile::create_with_mode(path, 0o600).map_err(io_err)?;
    file.write_all(&text).map_err(io_err)?;
    file.commit_new().map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => KeyError::Exists {
            path: path.to_path_buf(),
        },
        _ => io_err(e),
    })
}

/// Reads a key file written by [`write_key_file`].
///
/// Unless `allow_insecure_permissions`, refuses a file with any group or other permission
/// bit set ([`KeyError::InsecurePermissions`], whose message gives the `chmod 600` fix).
pub fn read_key_file(path: &Path, allow_insecure_permissions: bool) -> Result<Key, KeyError> {
    let io_err = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let malformed = |reason| KeyError::Malformed {
        path: path.to_path_buf(),
        reason,
    };
    // A FIFO (or a device) would block the open or the read forever: refuse anything but a
    // regular file before opening, and open without blocking in case it is swapped meanwhile.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(malformed("not a regular file"));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(io_err)?;
    // Check the opened file, not the path, so a swapped file cannot slip past the check.
    let meta = file.metadata().map_err(io_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 && !allow_insecure_permissions {
            return Err(KeyError::InsecurePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = allow_insecure_permissions;
    if !meta.is_file() {
        return Err(malformed("not a regular file"));
    }
    let mut text = Zeroizing::new(Vec::with_capacity(128));
    file.take(KEY_FILE_MAX + 1)
        .read_to_end(&mut text)
        .map_err(io_err)?;
    if text.len() as u64 > KEY_FILE_MAX {
        return Err(malformed("file is too large to be a key file"));
    }
    let body = text
        .strip_prefix(KEY_FILE_MAGIC.as_bytes())
        .ok_or_else(|| malformed("first line is not `leakmatch-key-v1`"))?;
    let hex = body.strip_suffix(b"\n").unwrap_or(body);
    if hex.len() != 64 {
        return Err(malformed("second line is not exactly 64 hex digits"));
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    decode_hex(hex, &mut bytes[..])
        .ok_or_else(|| malformed("second line has a non-hex character"))?;
    Ok(Key::from_bytes(*bytes))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Decodes exactly `2 * out.len()` hex digits (either case) into `out`.
fn decode_hex(hex: &[u8], out: &mut [u8]) -> Option<()> {
    if hex.len() != 2 * out.len() {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *o = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_mode(path: &Path, mode: u32) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let _ = (path, mode);
    }

    #[test]
    fn debug_and_errors_never_show_the_key() {
        let key = Key::from_bytes([0xab; 32]);
        let debug = format!("{key:?}");
        assert!(debug.starts_with("Key(<redacted>, id="), "{debug}");
        assert!(!debug.contains("abab"));
        assert_eq!(format!("{}", key.id()).len(), 16);
    }

    #[test]
    fn key_id_is_derived_and_round_trips() {
        let key = Key::from_bytes([7; 32]);
        let full = blake3::derive_key("leakmatch 2026 key id v1", &[7; 32]);
        assert_eq!(key.id().0, full[..8]);
        let text = key.id().to_string();
        assert!(text
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_eq!(text.parse::<KeyId>().unwrap(), key.id());
        assert!("xyz".parse::<KeyId>().is_err());
        assert!("0123456789abcdef0".parse::<KeyId>().is_err());
        assert_ne!(Key::from_bytes([8; 32]).id(), key.id());
    }

    #[test]
    fn generate_gives_distinct_keys() {
        let (a, b) = (Key::generate().unwrap(), Key::generate().unwrap());
        assert_ne!(a.id(), b.id());
    }

    #[test]
    fn write_then_read_round_trips_and_refuses_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leakmatch.key");
        let key = Key::generate().unwrap();
        write_key_file(&path, &key).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("leakmatch-key-v1\n") && text.len() == 17 + 65);
        assert_eq!(read_key_file(&path, false).unwrap().id(), key.id());
        let err = write_key_file(&path, &Key::generate().unwrap()).unwrap_err();
        assert!(matches!(err, KeyError::Exists { .. }), "{err}");
        assert_eq!(read_key_file(&path, false).unwrap().id(), key.id());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Issue 17 item 5: a key path that is a FIFO used to hang (open blocks until a writer
    /// comes); now it is refused at once.
    #[cfg(unix)]
    #[test]
    fn fifo_key_path_is_refused_instead_of_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.fifo");
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(
                read_key_file(&p, false)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            );
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(10));
        match got {
            Ok(Err(msg)) => assert!(msg.contains("not a regular file"), "{msg}"),
            other => {
                // Unblock a hung open so the test process can exit.
                let _ = std::fs::OpenOptions::new().write(true).open(&path);
                panic!("a FIFO key path was not refused: {other:?}");
            }
        }
        let dev = read_key_file(Path::new("/dev/zero"), true).unwrap_err();
        assert!(dev.to_string().contains("not a regular file"), "{dev}");
    }

    #[cfg(unix)]
    #[test]
    fn insecure_permissions_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        write_key_file(&path, &Key::from_bytes([1; 32])).unwrap();
        set_mode(&path, 0o644);
        let err = read_key_file(&path, false).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, KeyError::InsecurePermissions { mode: 0o644, .. }),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("chmod 600 {}", path.display())),
            "{msg}"
        );
        assert!(read_key_file(&path, true).is_ok());
    }

    #[test]
    fn malformed_files_give_clear_errors_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let secret = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";
        let cases: [(&str, String); 5] = [
            ("magic", format!("leakmatch-key-v2\n{secret}\n")),
            ("short", format!("leakmatch-key-v1\n{}\n", &secret[..62])),
            ("nonhex", format!("leakmatch-key-v1\n{}zz\n", &secret[..62])),
            ("trailing", format!("leakmatch-key-v1\n{secret}\nextra")),
            ("huge", format!("leakmatch-key-v1\n{}", secret.repeat(10))),
        ];
        for (name, content) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &content).unwrap();
            set_mode(&path, 0o600);
            let err = read_key_file(&path, false).unwrap_err();
            let msg = format!("{err} {err:?}");
            assert!(matches!(err, KeyError::Malformed { .. }), "{name}: {msg}");
            assert!(!msg.contains("5ec7e7"), "{name}: {msg}");
        }
        let upper = dir.path().join("upper");
        std::fs::write(
            &upper,
            format!("leakmatch-key-v1\n{}", secret.to_uppercase()),
        )
        .unwrap();
        set_mode(&upper, 0o600);
        assert!(read_key_file(&upper, false).is_ok());
        let missing = read_key_file(&dir.path().join("missing"), false).unwrap_err();
        assert!(matches!(missing, KeyError::Io { .. }));
    }
}
