//! A client's credential: its name, client id and Ed25519 signing key, in a 0600 file.
//!
//! # File format
//!
//! ASCII text, exactly four lines:
//!
//! ```text
//! leakmatch-credential-v1
//! name <client name>
//! client <32 hex digits: the client id>
//! secret <64 hex digits: the Ed25519 secret key seed>
//! ```
//!
//! [`Credential::write_new`] creates the file new with mode 0600 (a temporary, `fsync`ed, then
//! linked into place: an existing file is never replaced). [`Credential::read_file`] refuses a
//! file that group or others may access, naming the `chmod 600` fix. The server's public key
//! is deliberately not in the file: a client trusts only the descriptors it fetches. The
//! secret key is zeroized on drop, and no `Debug` output or error shows it.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use leakmatch_hashing::AtomicFile;
use zeroize::Zeroizing;

use crate::hex;

const MAGIC: &str = "leakmatch-credential-v1";
/// A valid file is well under this; anything larger is not a credential.
const FILE_MAX: u64 = 1024;

/// A client's id: 16 random bytes, shown as 32 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(pub [u8; 16]);

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientId({self})")
    }
}

impl ClientId {
    /// Parses 32 hex digits.
    pub fn from_hex(s: &str) -> Option<ClientId> {
        hex::decode(s).map(ClientId)
    }
}

/// Errors reading or writing a credential file. They never show the file's content.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// I/O on the file failed.
    #[error("credential file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Refused to overwrite an existing file.
    #[error("credential file {} already exists; refusing to overwrite it", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file may be accessed by group or others.
    #[error(
        "credential file {} has permissions {mode:04o}, which let other users access it; fix \
         with `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Not a credential file.
    #[error("credential file {} is malformed: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong (never the content).
        reason: &'static str,
    },
}

/// A client's credential (see the [module docs](self)). `Debug` shows the name and id only.
#[derive(Clone)]
pub struct Credential {
    name: String,
    client_id: ClientId,
    key: SigningKey,
}

impl Credential {
    /// A new credential for `name`: a random client id and a fresh Ed25519 key.
    pub(crate) fn generate(name: &str) -> Result<Credential, getrandom::Error> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut())?;
        Ok(Credential {
            name: name.to_string(),
            client_id: ClientId(id),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The client's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client's id.
    pub fn client_id(&self) -> ClientId {
        self.client_id
    }

    /// The public key the server registers.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs `message` (the bytes of [`crate::signing`]).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// Writes the credential into a new file at `path`, mode 0600
    /// ([`CredentialError::Exists`] if anything is there).
    pub fn write_new(&self, path: &Path) -> Result<(), CredentialError> {
        let io = |source| CredentialError::Io {
            path: path.to_path_buf(),
            source,
        };
        let exists = || CredentialError::Exists {
            path: path.to_path_buf(),
        };
        if path.symlink_metadata().is_ok() {
            return Err(exists());
        }
        let seed = Zeroizing::new(hex::encode(self.key.as_bytes()));
        let mut text = Zeroizing::new(String::new());
        text.push_str(MAGIC);
        text.push_str("\nname ");
        text.push_str(&self.name);
        text.push_str("\nclient ");
        text.push_str(&self.client_id.to_string());
        text.push_str("\nsecret ");
        text.push_str(&seed);
        text.push('\n');
        let mut file = AtomicFile::create_with_mode(path, 0o600).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.commit_new().map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => exists(),
            _ => io(e),
        })
    }

    /// Reads a file written by [`write_new`](Self::write_new).
    pub fn read_file(path: &Path) -> Result<Credential, CredentialError> {
        let io = |source| CredentialError::Io {
            path: path.to_path_buf(),
            source,
        };
        let malformed = |reason| CredentialError::Malformed {
            path: path.to_path_buf(),
            reason,
        };
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(malformed("not a regular file"));
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
        let file = options.open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(malformed("not a regular file"));
        }
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(CredentialError::InsecurePermissions {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(256));
        file.take(FILE_MAX + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > FILE_MAX {
            return Err(malformed("file is too large to be a credential"));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| malformed("not ASCII text"))?;
        let text = text.strip_suffix('\n').unwrap_or(text);
        let mut lines = text.split('\n');
        if lines.next() != Some(MAGIC) {
            return Err(malformed("first line is not `leakmatch-credential-v1`"));
        }
        let mut field = |prefix: &str, what| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(prefix))
                .ok_or_else(|| malformed(what))
        };
        let name = field("name ", "second line is not `name NAME`")?;
        let client = field("client ", "third line is not `client ID`")?;
        let secret = field("secret ", "fourth line is not `secret KEY`")?;
        if lines.next().is_some() {
            return Err(malformed("more than four lines"));
        }
        if crate::clients::check_name(name).is_err() {
            return Err(malformed("the client name is not valid"));
        }
        let client_id = ClientId::from_hex(client)
            .ok_or_else(|| malformed("the client id is not 32 hex digits"))?;
        let seed = Zeroizing::new(
            hex::decode::<32>(secret)
                .ok_or_else(|| malformed("the secret is not 64 hex digits"))?,
        );
        Ok(Credential {
            name: name.to_string(),
            client_id,
            key: SigningKey::from_bytes(&seed),
        })
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Credential(name {}, client {}, secret <redacted>)",
            self.name, self.client_id
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn write_read_round_trip_0600_create_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acme.cred");
        let cred = Credential::generate("acme").unwrap();
        cred.write_new(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = Credential::read_file(&path).unwrap();
        assert_eq!(back.name(), "acme");
        assert_eq!(back.client_id(), cred.client_id());
        assert_eq!(back.verifying_key(), cred.verifying_key());
        let other = Credential::generate("acme").unwrap();
        assert!(matches!(
            other.write_new(&path),
            Err(CredentialError::Exists { .. })
        ));
        assert_eq!(
            Credential::read_file(&path).unwrap().client_id(),
            cred.client_id()
        );
        let debug = format!("{back:?}");
        let secret = hex::encode(cred.key.as_bytes());
        assert!(
            !debug.contains(&secret) && debug.contains("redacted"),
            "{debug}"
        );
    }

    #[test]
    fn readable_by_others_or_malformed_is_refused_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let cred = Credential::generate("c").unwrap();
        cred.write_new(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = Credential::read_file(&path).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        let secret = hex::encode(cred.key.as_bytes());
        let cases = [
            format!(
                "leakmatch-credential-v2\nname c\nclient {}\nsecret {secret}\n",
                cred.client_id
            ),
            format!(
                "{MAGIC}\nname c\nclient {}\nsecret {}\n",
                cred.client_id,
                &secret[2..]
            ),
            format!(
                "{MAGIC}\nname c d\nclient {}\nsecret {secret}\n",
                cred.client_id
            ),
            format!("{MAGIC}\nname c\nclient zz\nsecret {secret}\n"),
            format!(
                "{MAGIC}\nname c\nclient {}\nsecret {secret}\nmore\n",
                cred.client_id
            ),
        ];
        for (i, text) in cases.iter().enumerate() {
            let p = dir.path().join(format!("bad{i}"));
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
            let e = Credential::read_file(&p).unwrap_err();
            let msg = format!("{e} {e:?}");
            assert!(matches!(e, CredentialError::Malformed { .. }), "{i}: {msg}");
            assert!(!msg.contains(&secret[4..20]), "{i}: {msg}");
        }
    }
}
