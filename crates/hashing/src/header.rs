//! The 4096-byte header of a `.lmf` filter file: its fields, their encoding and the checks
//! made when it is read (the byte layout is in [`crate::file`]'s docs).

use std::fmt;
use std::path::Path;

use crate::error::FilterError;
use crate::params::{BloomParams, MAX_FILTER_BYTES};
use crate::{KeyId, KindSet, TokenKind};

/// The 8 magic bytes that start every `.lmf` file.
pub const MAGIC: [u8; 8] = *b"\x89LMF\r\n\x1a\n";
/// The format version this build writes and reads (version 1 had an unkeyed checksum only and
/// is refused).
pub const FORMAT_VERSION: u32 = 2;
/// Bytes before the bit array.
pub const HEADER_LEN: usize = 4096;
/// Bytes of the header that hold fields; the rest up to [`HEADER_LEN`] must be zero.
const FIELDS_LEN: usize = 128;
const MODE_SHARED_KEY: u32 = 1;
const MODE_ONLINE: u32 = 2;

/// Tokens inserted per kind (with repeats: the filter itself only estimates distinct counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Msisdn tokens inserted.
    pub msisdn: u64,
    /// Cnic tokens inserted.
    pub cnic: u64,
    /// Pair tokens inserted.
    pub pair: u64,
}

impl KindCounts {
    /// The count of `kind`.
    pub fn get(&self, kind: TokenKind) -> u64 {
        match kind {
            TokenKind::Msisdn => self.msisdn,
            TokenKind::Cnic => self.cnic,
            TokenKind::Pair => self.pair,
        }
    }

    /// Adds `n` to the count of `kind` (saturating).
    pub fn add(&mut self, kind: TokenKind, n: u64) {
        let c = match kind {
            TokenKind::Msisdn => &mut self.msisdn,
            TokenKind::Cnic => &mut self.cnic,
            TokenKind::Pair => &mut self.pair,
        };
        *c = c.saturating_add(n);
    }

    /// All kinds together (saturating).
    pub fn total(&self) -> u64 {
        self.msisdn
            .saturating_add(self.cnic)
            .saturating_add(self.pair)
    }
}

/// How a filter is authenticated, and so who can use it (see [`crate::file`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FilterAuth {
    /// Tokens are keyed hashes under a shared [`Key`](crate::Key); the file ends with a MAC
    /// under a key derived from it, checked by [`Filter::map`](crate::Filter::map) and
    /// [`Filter::load`](crate::Filter::load).
    SharedKey {
        /// Public id of the key.
        key_id: KeyId,
    },
    /// Tokens derive from OPRF outputs of an online server's key for one epoch. The file
    /// carries no MAC: it is authentic when its [`FileDigest`](crate::FileDigest) is listed by
    /// that epoch's descriptor, which the caller checks after
    /// [`Filter::open_online`](crate::Filter::open_online).
    Online {
        /// The server's key epoch.
        epoch: u64,
        /// The epoch's OPRF public key (a compressed ristretto255 point; not validated here).
        public_key: [u8; 32],
    },
}

impl FilterAuth {
    /// The key id of a shared-key filter.
    pub fn key_id(&self) -> Option<KeyId> {
        match self {
            FilterAuth::SharedKey { key_id } => Some(*key_id),
            FilterAuth::Online { .. } => None,
        }
    }
}

impl fmt::Debug for FilterAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterAuth::SharedKey { key_id } => write!(f, "SharedKey({key_id})"),
            FilterAuth::Online { epoch, public_key } => {
                write!(f, "Online(epoch {epoch}, key ")?;
                public_key.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
                write!(f, ")")
            }
        }
    }
}

impl fmt::Display for FilterAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterAuth::SharedKey { key_id } => write!(f, "shared key {key_id}"),
            FilterAuth::Online { epoch, .. } => write!(f, "online, epoch {epoch}"),
        }
    }
}

/// Everything a filter file records besides the bits: only what matching needs (no tool
/// version, no creation time; see [`crate::file`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FilterHeader {
    /// How the filter is authenticated: its key id, or its online epoch and public key.
    pub auth: FilterAuth,
    /// Version of the identifier normalization rules.
    pub normalization_version: u32,
    /// Kinds of token built into the filter.
    pub kinds: KindSet,
    /// Tokens inserted per kind.
    pub counts: KindCounts,
    /// The filter's shape; must equal the bloom's.
    pub params: BloomParams,
    /// False-positive rate the filter was sized for.
    pub target_fpr: f64,
    /// False-positive rate measured (or implied) after building.
    pub measured_fpr: f64,
}

impl FilterHeader {
    /// A shared-key header with no kinds or counts yet and measured FPR 0.
    pub fn new(
        key_id: KeyId,
        normalization_version: u32,
        params: BloomParams,
        target_fpr: f64,
    ) -> Self {
        FilterHeader::with_auth(
            FilterAuth::SharedKey { key_id },
            normalization_version,
            params,
            target_fpr,
        )
    }

    /// A header of any [`FilterAuth`] with no kinds or counts yet and measured FPR 0.
    pub fn with_auth(
        auth: FilterAuth,
        normalization_version: u32,
        params: BloomParams,
        target_fpr: f64,
    ) -> Self {
        FilterHeader {
            auth,
            normalization_version,
            kinds: KindSet::EMPTY,
            counts: KindCounts::default(),
            params,
            target_fpr,
            measured_fpr: 0.0,
        }
    }

    /// The key id of a shared-key filter; `None` for an online one.
    pub fn key_id(&self) -> Option<KeyId> {
        self.auth.key_id()
    }

    pub(crate) fn encode(&self) -> Result<Vec<u8>, FilterError> {
        let invalid = |reason: String| FilterError::InvalidParams { reason };
        self.params.check().map_err(invalid)?;
        if self.params.bytes() > MAX_FILTER_BYTES {
            return Err(FilterError::TooLarge {
                bytes: self.params.bytes(),
                limit: MAX_FILTER_BYTES,
            });
        }
        for (name, v) in [("target", self.target_fpr), ("measured", self.measured_fpr)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid(format!("{name} FPR {v} is not in [0, 1]")));
            }
        }
        let (mode, binding) = match self.auth {
            FilterAuth::SharedKey { key_id } => {
                let mut b = [0u8; 40];
                b[..8].copy_from_slice(&key_id.0);
                (MODE_SHARED_KEY, b)
            }
            FilterAuth::Online { epoch, public_key } => {
                let mut b = [0u8; 40];
                b[..8].copy_from_slice(&epoch.to_le_bytes());
                b[8..].copy_from_slice(&public_key);
                (MODE_ONLINE, b)
            }
        };
        let mut h = Vec::with_capacity(HEADER_LEN);
        h.extend_from_slice(&MAGIC);
        h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        h.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        h.extend_from_slice(&mode.to_le_bytes());
        h.extend_from_slice(&self.normalization_version.to_le_bytes());
        h.extend_from_slice(&[self.kinds.bits(), 0, 0, 0, 0, 0, 0, 0]);
        for c in [
            self.counts.msisdn,
            self.counts.cnic,
            self.counts.pair,
            self.params.blocks,
        ] {
            h.extend_from_slice(&c.to_le_bytes());
        }
        h.extend_from_slice(&self.params.k.to_le_bytes());
        h.extend_from_slice(&[0; 4]);
        for v in [self.target_fpr.to_bits(), self.measured_fpr.to_bits()] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h.extend_from_slice(&binding);
        debug_assert_eq!(h.len(), FIELDS_LEN);
        h.resize(HEADER_LEN, 0);
        Ok(h)
    }

    /// Parses and sanity-checks a header (magic and version already checked).
    pub(crate) fn decode(h: &[u8], path: &Path) -> Result<FilterHeader, FilterError> {
        let corrupt = |reason: &str| FilterError::Corrupt {
            path: path.into(),
            reason: reason.into(),
        };
        let bytes =
            |at: usize, len: usize| h.get(at..at + len).ok_or_else(|| corrupt("short header"));
        let u32_at = |at| bytes(at, 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let u64_at = |at| -> Result<u64, FilterError> {
            let mut w = [0u8; 8];
            w.copy_from_slice(bytes(at, 8)?);
            Ok(u64::from_le_bytes(w))
        };
        if u32_at(12)? as usize != HEADER_LEN {
            return Err(corrupt("header length is not 4096"));
        }
        let binding = bytes(88, 40)?;
        let auth = match u32_at(16)? {
            MODE_SHARED_KEY => {
                if binding[8..].iter().any(|&b| b != 0) {
                    return Err(corrupt("reserved bytes are not zero"));
                }
                let mut key_id = [0u8; 8];
                key_id.copy_from_slice(&binding[..8]);
                FilterAuth::SharedKey {
                    key_id: KeyId(key_id),
                }
            }
            MODE_ONLINE => {
                let mut public_key = [0u8; 32];
                public_key.copy_from_slice(&binding[8..]);
                FilterAuth::Online {
                    epoch: u64_at(88)?,
                    public_key,
                }
            }
            _ => return Err(corrupt("unknown authentication mode")),
        };
        let kinds = KindSet::from_bits(h[24]).ok_or_else(|| corrupt("unknown kind bits"))?;
        if bytes(25, 7)?.iter().any(|&b| b != 0) || bytes(68, 4)? != [0; 4] {
            return Err(corrupt("reserved bytes are not zero"));
        }
        let params = BloomParams {
            blocks: u64_at(56)?,
            k: u32_at(64)?,
        };
        params.check().map_err(|reason| corrupt(&reason))?;
        if params.bytes() > MAX_FILTER_BYTES {
            return Err(corrupt("block count exceeds the 1 TiB limit"));
        }
        let (target_fpr, measured_fpr) = (f64::from_bits(u64_at(72)?), f64::from_bits(u64_at(80)?));
        if !(0.0..=1.0).contains(&target_fpr) || !(0.0..=1.0).contains(&measured_fpr) {
            return Err(corrupt("false-positive rate outside [0, 1]"));
        }
        if bytes(FIELDS_LEN, HEADER_LEN - FIELDS_LEN)?
            .iter()
            .any(|&b| b != 0)
        {
            return Err(corrupt("header padding is not zero"));
        }
        let counts = KindCounts {
            msisdn: u64_at(32)?,
            cnic: u64_at(40)?,
            pair: u64_at(48)?,
        };
        if TokenKind::ALL
            .iter()
            .any(|&k| counts.get(k) > 0 && !kinds.contains(k))
        {
            return Err(corrupt("it counts tokens of a kind it does not claim"));
        }
        Ok(FilterHeader {
            auth,
            normalization_version: u32_at(20)?,
            kinds,
            counts,
            params,
            target_fpr,
            measured_fpr,
        })
    }
}
