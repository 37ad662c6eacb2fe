//! The 4096-byte header of a `.lmf` filter file: its fields, their encoding and the checks
//! made when it is read (the byte layout is in [`crate::file`]'s docs).

use std::path::Path;

use crate::error::FilterError;
use crate::params::{BloomParams, MAX_FILTER_BYTES};
use crate::{KeyId, KindSet, TokenKind};

/// The 8 magic bytes that start every `.lmf` file.
pub const MAGIC: [u8; 8] = *b"\x89LMF\r\n\x1a\n";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the bit array.
pub const HEADER_LEN: usize = 4096;
const TOOL_VERSION_OFFSET: usize = 98;
const MAX_TOOL_VERSION_LEN: usize = 1024;

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

/// Everything a filter file records besides the bits.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterHeader {
    /// Id of the key the tokens were made with.
    pub key_id: KeyId,
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
    /// Creation time in Unix seconds, chosen by the caller.
    pub created_unix: u64,
    /// Name and version of the tool that built the filter.
    pub tool_version: String,
}

impl FilterHeader {
    /// A header with no kinds or counts yet, measured FPR 0, time 0 and this crate's version.
    pub fn new(
        key_id: KeyId,
        normalization_version: u32,
        params: BloomParams,
        target_fpr: f64,
    ) -> Self {
        FilterHeader {
            key_id,
            normalization_version,
            kinds: KindSet::EMPTY,
            counts: KindCounts::default(),
            params,
            target_fpr,
            measured_fpr: 0.0,
            created_unix: 0,
            tool_version: concat!("leakmatch-hashing ", env!("CARGO_PKG_VERSION")).to_string(),
        }
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
        let tool = self.tool_version.as_bytes();
        if tool.len() > MAX_TOOL_VERSION_LEN {
            return Err(invalid(format!(
                "tool version longer than {MAX_TOOL_VERSION_LEN} bytes"
            )));
        }
        let mut h = Vec::with_capacity(HEADER_LEN);
        h.extend_from_slice(&MAGIC);
        h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        h.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        h.extend_from_slice(&self.key_id.0);
        h.extend_from_slice(&self.normalization_version.to_le_bytes());
        h.extend_from_slice(&[self.kinds.bits(), 0, 0, 0]);
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
        for v in [
            self.target_fpr.to_bits(),
            self.measured_fpr.to_bits(),
            self.created_unix,
        ] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h.extend_from_slice(&(tool.len() as u16).to_le_bytes());
        h.extend_from_slice(tool);
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
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(bytes(16, 8)?);
        let kinds = KindSet::from_bits(h[28]).ok_or_else(|| corrupt("unknown kind bits"))?;
        if bytes(29, 3)? != [0; 3] || bytes(68, 4)? != [0; 4] {
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
        let tool_len = usize::from(u16::from_le_bytes([h[96], h[97]]));
        if tool_len > MAX_TOOL_VERSION_LEN {
            return Err(corrupt("tool version string too long"));
        }
        let tool = bytes(TOOL_VERSION_OFFSET, tool_len)?;
        let tool_version = std::str::from_utf8(tool)
            .map_err(|_| corrupt("tool version is not UTF-8"))?
            .to_string();
        if h[TOOL_VERSION_OFFSET + tool_len..].iter().any(|&b| b != 0) {
            return Err(corrupt("header padding is not zero"));
        }
        Ok(FilterHeader {
            key_id: KeyId(key_id),
            normalization_version: u32_at(24)?,
            kinds,
            counts: KindCounts {
                msisdn: u64_at(32)?,
                cnic: u64_at(40)?,
                pair: u64_at(48)?,
            },
            params,
            target_fpr,
            measured_fpr,
            created_unix: u64_at(88)?,
            tool_version,
        })
    }
}
