//! The `.lmf` filter file, format version 1.
//!
//! All integers are little-endian; `f64`s are stored as their IEEE-754 bits (`u64` LE).
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `\x89LMF\r\n\x1a\n` (PNG-style: catches text-mode and 7-bit mangling) |
//! | 8 | 4 | format version = 1 |
//! | 12 | 4 | header length = 4096 (offset of the bit array) |
//! | 16 | 8 | [`KeyId`] of the key the tokens were made with |
//! | 24 | 4 | normalization version of the identifiers |
//! | 28 | 1 | kinds present ([`KindSet`] bits: 1 msisdn, 2 cnic, 4 pair) |
//! | 29 | 3 | zero |
//! | 32 | 24 | tokens inserted per kind: msisdn, cnic, pair (`u64` each) |
//! | 56 | 8 | number of 512-bit blocks |
//! | 64 | 4 | k, bits set per token (8, 16 or 24) |
//! | 68 | 4 | zero |
//! | 72 | 8 | target FPR (`f64`) |
//! | 80 | 8 | measured FPR (`f64`) |
//! | 88 | 8 | creation time, Unix seconds (set by the caller: files are reproducible) |
//! | 96 | 2 | length `t` of the tool version string (≤ 1024) |
//! | 98 | t | tool version, UTF-8 |
//! | 98+t | .. | zero padding up to 4096 |
//! | 4096 | 64·blocks | bit array: blocks in order, each 8 `u64` words (see [`BlockedBloom`]) |
//! | end−32 | 32 | BLAKE3 hash of every byte before it |
//!
//! # Loading
//!
//! [`Filter::load`] checks, before using anything: the magic, the version, every header field
//! (reserved and padding bytes must be zero, so nothing is ignored), that the file is exactly
//! `4096 + 64·blocks + 32` bytes — before allocating, so an absurd block count costs nothing —
//! and finally the checksum, which covers every byte, so any corruption is an error and never
//! a panic or a silently wrong filter.
//!
//! Two ways to get at the bits, both verifying the checksum before anything reads them:
//!
//! - [`Filter::load`] *reads* them into fresh huge-page-advised anonymous memory. Lookups then
//!   rarely miss the TLB (a random load ~9 ns instead of ~13 ns on bare metal; under a
//!   hypervisor's nested paging a 4 KiB-page miss costs far more). The price is first-touch
//!   zeroing of new memory, which on the VMs this was measured on took 0.4–0.9 s of CPU for a
//!   149 MiB filter in a fresh process.
//! - [`Filter::map`] *maps* a regular file privately (copy-on-write) and uses the page cache in
//!   place: ~20 ms instead of that, but lookups pay the 4 KiB-page TLB misses. On a 149 MiB
//!   filter the two broke even at ~7M lookups (one per ~21 filter bytes), so mapping suits
//!   sequential readers (`inspect`, `merge`) and inputs smaller than the filter. Its boundary,
//!   as for mapped inputs: the file must not be truncated or rewritten while in use
//!   (truncation raises SIGBUS). A file that cannot be mapped (a pipe) is read instead.
//!
//! Saving goes through [`AtomicFile`]: temporary file in the target directory, write, `fsync`,
//! rename, `fsync` the directory; the temporary is removed on any error.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use crate::atomic::AtomicFile;
use crate::bits::BitArray;
use crate::error::FilterError;
use crate::params::{BloomParams, BLOCK_BYTES, MAX_FILTER_BYTES};
use crate::{BlockedBloom, Key, KeyId, KindSet, TokenKind};

/// The 8 magic bytes that start every `.lmf` file.
pub const MAGIC: [u8; 8] = *b"\x89LMF\r\n\x1a\n";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the bit array.
pub const HEADER_LEN: usize = 4096;
const CHECKSUM_LEN: u64 = 32;
const TOOL_VERSION_OFFSET: usize = 98;
const MAX_TOOL_VERSION_LEN: usize = 1024;
/// Random probes used to measure a filter's false-positive rate after a build or a merge.
pub const DEFAULT_FPR_PROBES: u64 = 1_000_000;
/// Bytes per read or write of the bit array.
const IO_CHUNK: usize = 8 << 20;

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

    fn encode(&self) -> Result<Vec<u8>, FilterError> {
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
    fn decode(h: &[u8], path: &Path) -> Result<FilterHeader, FilterError> {
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

/// A filter with its header: what a `.lmf` file holds.
#[derive(Debug)]
pub struct Filter {
    /// Metadata.
    pub header: FilterHeader,
    /// The bits.
    pub bloom: BlockedBloom,
}

impl Filter {
    /// Writes the filter to `path` atomically (format in the [module docs](self)). Needs
    /// `&mut self` so the bits can be written as they lie in memory, with no copy, while no
    /// thread inserts; the checksum and the writes run in parallel on the rayon pool.
    pub fn save(&mut self, path: &Path) -> Result<(), FilterError> {
        if self.header.params != self.bloom.params() {
            return Err(FilterError::InvalidParams {
                reason: "header parameters differ from the bloom filter's".into(),
            });
        }
        let header = self.header.encode()?;
        let io_err = |source| FilterError::Io {
            path: path.into(),
            source,
        };
        let mut file = AtomicFile::create(path).map_err(io_err)?;
        file.write_all(&header).map_err(io_err)?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&header);
        let bits = little_endian_bits(&mut self.bloom);
        let (_, written) = rayon::join(
            || hasher.update_rayon(&bits),
            || write_at_parallel(&file, &bits, HEADER_LEN as u64),
        );
        written.map_err(io_err)?;
        file.write_all(hasher.finalize().as_bytes())
            .map_err(io_err)?;
        file.commit().map_err(io_err)
    }

    /// Reads and fully verifies a filter file into huge-page memory (see the
    /// [module docs](self)): the choice for many lookups.
    pub fn load(path: &Path) -> Result<Filter, FilterError> {
        Filter::open(path, false)
    }

    /// Maps and fully verifies a filter file (see the [module docs](self)): the choice for
    /// sequential use or few lookups. Falls back to [`Filter::load`]'s reading when the file
    /// cannot be mapped.
    pub fn map(path: &Path) -> Result<Filter, FilterError> {
        Filter::open(path, true)
    }

    fn open(path: &Path, mapped: bool) -> Result<Filter, FilterError> {
        let io_err = |source| FilterError::Io {
            path: path.into(),
            source,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let actual = file.metadata().map_err(io_err)?.len();
        let mut raw = vec![0u8; HEADER_LEN];
        let got = read_up_to(&mut file, &mut raw).map_err(io_err)?;
        let min_len = HEADER_LEN as u64 + BLOCK_BYTES + CHECKSUM_LEN;
        let truncated = |actual| FilterError::Truncated {
            path: path.into(),
            expected: min_len,
            actual,
        };
        let magic_len = got.min(MAGIC.len());
        if raw[..magic_len] != MAGIC[..magic_len] {
            return Err(FilterError::BadMagic { path: path.into() });
        }
        if got < 12 {
            return Err(truncated(got as u64));
        }
        let version = u32::from_le_bytes([raw[8], raw[9], raw[10], raw[11]]);
        if version != FORMAT_VERSION {
            return Err(FilterError::UnsupportedVersion {
                path: path.into(),
                version,
            });
        }
        if got < HEADER_LEN {
            return Err(truncated(got as u64));
        }
        let header = FilterHeader::decode(&raw, path)?;
        let expected = HEADER_LEN as u64 + header.params.bytes() + CHECKSUM_LEN;
        if actual < expected {
            return Err(FilterError::Truncated {
                path: path.into(),
                expected,
                actual,
            });
        }
        if actual > expected {
            let reason = format!("{} bytes after the checksum", actual - expected);
            return Err(FilterError::Corrupt {
                path: path.into(),
                reason,
            });
        }
        // Only now, with the size confirmed by the file itself, map or allocate the bit array.
        if mapped {
            if let Some(bloom) = map_verified(&file, path, &header, expected)? {
                return Ok(Filter { header, bloom });
            }
        }
        let mut bloom = BlockedBloom::new(header.params)?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&raw);
        let changed = |read: u64| FilterError::Truncated {
            path: path.into(),
            expected,
            actual: HEADER_LEN as u64 + read,
        };
        // Positioned reads of 8 MiB chunks in parallel: the fresh memory's first-touch faults
        // (page zeroing) are spread over the pool instead of serialized on one thread.
        let bits = bloom.bits_mut().bytes_mut();
        let reads: Vec<io::Result<usize>> = bits
            .par_chunks_mut(IO_CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                read_at_up_to(&file, chunk, HEADER_LEN as u64 + (i * IO_CHUNK) as u64)
            })
            .collect();
        let mut read = 0u64;
        for (n, want) in reads
            .into_iter()
            .zip(bits.chunks(IO_CHUNK).map(<[u8]>::len))
        {
            let n = n.map_err(io_err)?;
            read += n as u64;
            if n < want {
                return Err(changed(read));
            }
        }
        hasher.update_rayon(bits);
        let mut checksum = [0u8; CHECKSUM_LEN as usize];
        let n = read_at_up_to(&file, &mut checksum, HEADER_LEN as u64 + read).map_err(io_err)?;
        if n < checksum.len() {
            return Err(changed(read + n as u64));
        }
        if hasher.finalize() != checksum {
            return Err(FilterError::ChecksumMismatch { path: path.into() });
        }
        if read_at_up_to(&file, &mut [0u8; 1], expected).map_err(io_err)? != 0 {
            let reason = "the file grew while being read".to_string();
            return Err(FilterError::Corrupt {
                path: path.into(),
                reason,
            });
        }
        #[cfg(target_endian = "big")]
        bloom
            .bits_mut()
            .words_mut()
            .iter_mut()
            .for_each(|w| *w = u64::from_le(*w));
        Ok(Filter { header, bloom })
    }

    /// Fails with [`FilterError::KeyMismatch`] unless the filter was built with `key`.
    pub fn check_key(&self, key: &Key) -> Result<(), FilterError> {
        let key = key.id();
        if self.header.key_id != key {
            return Err(FilterError::KeyMismatch {
                filter: self.header.key_id,
                key,
            });
        }
        Ok(())
    }

    /// Measures the false-positive rate with `probes` random non-members drawn from a seed
    /// derived from the filter's token counts, so the result depends only on the filter's
    /// content: building from A ∪ B and merging the filters of A and B measure the same rate.
    pub fn measure_fpr(&self, probes: u64) -> f64 {
        let seed = self.header.counts.total() ^ 0x6c6d_6670;
        self.bloom.measure_fpr(probes, seed)
    }

    /// Unites filters built with the same key, normalization version and parameters.
    ///
    /// Counts add up and kinds unite; the target FPR is the largest, the creation time the
    /// latest and the tool version the first filter's; `measured_fpr` is re-measured with
    /// [`measure_fpr`](Self::measure_fpr) and [`DEFAULT_FPR_PROBES`], as a build does, so
    /// merging the filters of A and B gives the bytes of one build from A and B.
    pub fn merge(filters: &[Filter]) -> Result<Filter, FilterError> {
        let incompatible = |reason: String| FilterError::Incompatible { reason };
        let (first, rest) = filters
            .split_first()
            .ok_or_else(|| incompatible("no filters to merge".into()))?;
        let mut header = first.header.clone();
        let mut bloom = first.bloom.try_clone()?;
        for (i, f) in rest.iter().enumerate() {
            let h = &f.header;
            if h.key_id != header.key_id {
                return Err(incompatible(format!(
                    "filter {} was built with key {}, filter 1 with key {}",
                    i + 2,
                    h.key_id,
                    header.key_id
                )));
            }
            if h.normalization_version != header.normalization_version {
                return Err(incompatible(format!(
                    "filter {} uses normalization version {}, filter 1 version {}",
                    i + 2,
                    h.normalization_version,
                    header.normalization_version
                )));
            }
            bloom.union_with(&f.bloom).map_err(|_| {
                incompatible(format!(
                    "filter {} has parameters {:?}, filter 1 {:?}",
                    i + 2,
                    f.bloom.params(),
                    header.params
                ))
            })?;
            header.kinds = header.kinds.union(h.kinds);
            for kind in TokenKind::ALL {
                header.counts.add(kind, h.counts.get(kind));
            }
            header.target_fpr = header.target_fpr.max(h.target_fpr);
            header.created_unix = header.created_unix.max(h.created_unix);
        }
        let mut merged = Filter { header, bloom };
        merged.header.measured_fpr = merged.measure_fpr(DEFAULT_FPR_PROBES);
        Ok(merged)
    }
}

/// Maps a regular filter file of `expected` bytes (header already checked) and verifies its
/// checksum; `None` when the file cannot be mapped, so the caller reads it instead.
fn map_verified(
    file: &File,
    path: &Path,
    header: &FilterHeader,
    expected: u64,
) -> Result<Option<BlockedBloom>, FilterError> {
    let (Ok(len), Ok(bits_len)) = (
        usize::try_from(expected),
        usize::try_from(header.params.bytes()),
    ) else {
        return Ok(None);
    };
    if cfg!(target_endian = "big") || !file.metadata().is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    // SAFETY: a private mapping of a regular file; see the module docs for the boundary (the
    // file must not be truncated or rewritten while in use). Writes stay in this process.
    let map = match unsafe { memmap2::MmapOptions::new().len(len).map_copy(file) } {
        Ok(map) => map,
        Err(_) => return Ok(None),
    };
    let body = len - CHECKSUM_LEN as usize;
    let mut hasher = blake3::Hasher::new();
    hasher.update_rayon(&map[..body]);
    if hasher.finalize() != map[body..] {
        return Err(FilterError::ChecksumMismatch { path: path.into() });
    }
    let now = file.metadata().map(|m| m.len()).unwrap_or(0);
    if now != expected {
        return Err(FilterError::Corrupt {
            path: path.into(),
            reason: "the file changed size while being read".into(),
        });
    }
    // SAFETY: as above.
    let bits = unsafe { BitArray::map_file(map, HEADER_LEN, bits_len)? };
    Ok(Some(BlockedBloom::from_bits(header.params, bits)))
}

/// The bit array as stored in the file (little-endian words): borrowed on little-endian
/// targets, converted on others.
fn little_endian_bits(bloom: &mut BlockedBloom) -> std::borrow::Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        std::borrow::Cow::Borrowed(bloom.as_bytes())
    } else {
        let words = bloom.bits().atomics();
        std::borrow::Cow::Owned(
            words
                .iter()
                .flat_map(|w| w.load(Relaxed).to_le_bytes())
                .collect(),
        )
    }
}

/// Writes `data` at `offset` in [`IO_CHUNK`] pieces spread over the rayon pool (the copy into
/// the page cache is most of a save's time).
#[cfg(unix)]
fn write_at_parallel(file: &AtomicFile, data: &[u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let file = file.file()?;
    data.par_chunks(IO_CHUNK)
        .enumerate()
        .try_for_each(|(i, chunk)| file.write_all_at(chunk, offset + (i * IO_CHUNK) as u64))?;
    // Leave the position at the end, where the checksum goes.
    use std::io::{Seek, SeekFrom};
    let mut handle = file;
    handle.seek(SeekFrom::Start(offset + data.len() as u64))?;
    Ok(())
}

/// Portable fallback: one sequential write (the file position is already at `offset`).
#[cfg(not(unix))]
fn write_at_parallel(file: &AtomicFile, data: &[u8], _offset: u64) -> io::Result<()> {
    let mut handle = file.file()?;
    handle.write_all(data)
}

/// Reads until `buf` is full or end of file; returns the bytes read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Like [`read_up_to`], from byte `offset`, leaving the file position alone (so threads can
/// read different parts of one file at once).
#[cfg(unix)]
fn read_at_up_to(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Portable fallback: one reader at a time through a shared handle.
#[cfg(not(unix))]
fn read_at_up_to(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::{Seek, SeekFrom};
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK
        .lock()
        .map_err(|_| io::Error::other("reader lock poisoned"))?;
    let mut handle = file;
    handle.seek(SeekFrom::Start(offset))?;
    read_up_to(&mut handle.try_clone()?, buf)
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
