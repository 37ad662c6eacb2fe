//! Authenticating `.lmf` files: the trailer's integrity hash and MAC, and the file digest an
//! online server lists.
//!
//! Every filter file ends with a 64-byte trailer (see [`crate::file`]):
//!
//! - **integrity** (32 bytes): `BLAKE3(header ‖ bits)`, unkeyed. Anyone can check it (and
//!   recompute it): it catches damage, not forgery.
//! - **tag** (32 bytes): for a shared-key filter, `BLAKE3-keyed(K_mac, integrity)` where
//!   `K_mac = BLAKE3-derive_key("leakmatch 2026 filter mac v2", key)`. It is a MAC over the
//!   whole file (hash-then-MAC: forging it needs the key or a BLAKE3 collision), under a key
//!   domain-separated from the token key and from the key id. For an online filter the tag
//!   is 32 zero bytes: its authenticity is its [`FileDigest`] being listed by the server's
//!   epoch descriptor.
//!
//! The [`FileDigest`] of a filter is `BLAKE3(whole file)`, trailer included;
//! [`file_digest`] computes it for any file, and the open and save paths return it at no extra
//! cost. Tags are compared in constant time (`blake3::Hash` equality).

use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::error::FilterError;
use crate::Key;

/// Derive-key context of the MAC key; never used for anything else.
pub const MAC_KEY_CONTEXT: &str = "leakmatch 2026 filter mac v2";
/// Bytes of the trailer that ends a filter file: integrity hash, then tag.
pub(crate) const TRAILER_LEN: u64 = 64;

/// `BLAKE3` of a whole filter file: what an online server's epoch descriptor lists.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileDigest(pub [u8; 32]);

impl FileDigest {
    /// Parses 64 hex digits (either case), as `Display` prints them; `None` on anything else.
    pub fn from_hex(hex: &str) -> Option<FileDigest> {
        let hex = hex.as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            *o = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Some(FileDigest(out))
    }
}

impl fmt::Display for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileDigest({self})")
    }
}

/// `BLAKE3` of the file at `path`, read in full (any file: an online filter before it is
/// published, or one received).
pub fn file_digest(path: &Path) -> Result<FileDigest, FilterError> {
    let io_err = |source| FilterError::Io {
        path: path.into(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(e)),
        }
    }
    Ok(FileDigest(*hasher.finalize().as_bytes()))
}

/// The shared-key tag of a file whose integrity hash is `integrity`.
pub(crate) fn tag(key: &Key, integrity: &blake3::Hash) -> blake3::Hash {
    let mac_key = crate::wipe::derive_key(MAC_KEY_CONTEXT, key.secret());
    crate::wipe::keyed_hash(&mac_key, integrity.as_bytes())
}

/// The trailer for a body hashed so far by `hasher`, and the file digest with it appended.
pub(crate) fn seal(
    mut hasher: blake3::Hasher,
    key: Option<&Key>,
) -> ([u8; TRAILER_LEN as usize], FileDigest) {
    let integrity = hasher.finalize();
    let mut trailer = [0u8; TRAILER_LEN as usize];
    trailer[..32].copy_from_slice(integrity.as_bytes());
    if let Some(key) = key {
        trailer[32..].copy_from_slice(tag(key, &integrity).as_bytes());
    }
    hasher.update(&trailer);
    (trailer, FileDigest(*hasher.finalize().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_is_keyed_and_domain_separated() {
        let key = Key::from_bytes([3; 32]);
        let integrity = blake3::hash(b"body");
        let t = tag(&key, &integrity);
        let k = blake3::derive_key(MAC_KEY_CONTEXT, &[3; 32]);
        assert_eq!(t, blake3::keyed_hash(&k, integrity.as_bytes()));
        assert_ne!(t, blake3::keyed_hash(&[3; 32], integrity.as_bytes()));
        assert_ne!(t, tag(&Key::from_bytes([4; 32]), &integrity));
    }

    #[test]
    fn file_digest_hashes_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(file_digest(&p).unwrap().0, *blake3::hash(b"abc").as_bytes());
        let mut h = blake3::Hasher::new();
        h.update(b"body");
        let (trailer, digest) = seal(h, None);
        assert_eq!(trailer[32..], [0; 32]);
        let mut whole = b"body".to_vec();
        whole.extend_from_slice(&trailer);
        assert_eq!(digest.0, *blake3::hash(&whole).as_bytes());
        assert_eq!(FileDigest::from_hex(&digest.to_string()), Some(digest));
        assert_eq!(
            FileDigest::from_hex(&digest.to_string().to_uppercase()),
            Some(digest)
        );
        assert_eq!(FileDigest::from_hex(&digest.to_string()[1..]), None);
        assert_eq!(FileDigest::from_hex(&"g".repeat(64)), None);
    }
}
