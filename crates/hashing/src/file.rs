//! The `.lmf` filter file, format version 1.
//!
//! All integers are little-endian; `f64`s are stored as their IEEE-754 bits (`u64` LE).
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `\x89LMF\r\n\x1a\n` (PNG-style: catches text-mode and 7-bit mangling) |
//! | 8 | 4 | format version = 1 |
//! | 12 | 4 | header length = 4096 (offset of the bit array) |
//! | 16 | 8 | [`KeyId`](crate::KeyId) of the key the tokens were made with |
//! | 24 | 4 | normalization version of the identifiers |
//! | 28 | 1 | kinds present ([`KindSet`](crate::KindSet) bits: 1 msisdn, 2 cnic, 4 pair) |
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
//!   place: a few milliseconds instead of that. [`Filter::save`] writes the bits in pieces
//!   aligned to 8 MiB file offsets, so on kernels whose page cache uses large folios (ext4,
//!   xfs on Linux ≥ 6.x) the file is held in 2 MiB folios and the mapping gets them as huge
//!   pages: measured on a 149 MiB filter, 146 of its 151 MiB mapped that way, and `match` was
//!   as fast or faster mapped than read with 4.9M and with 18.6M lookups. A file whose page
//!   cache is in small pages (copied by a tool that writes small pieces) pays 4 KiB-page TLB
//!   misses; even then mapping broke even with reading at 18.6M lookups. Its boundary, as for
//!   mapped inputs: the file must not be truncated or rewritten while in use (truncation raises
//!   SIGBUS). A file that cannot be mapped (a pipe) is read instead.
//!
//! Saving goes through [`AtomicFile`]: temporary file in the target directory, write, `fsync`,
//! rename, `fsync` the directory; the temporary is removed on any error.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::atomic::AtomicFile;
use crate::bits::BitArray;
use crate::error::FilterError;
use crate::fileio::{little_endian_bits, read_at_up_to, read_up_to, write_at_parallel, IO_CHUNK};
use crate::header::{FilterHeader, FORMAT_VERSION, HEADER_LEN, MAGIC};
use crate::infile::CHECKSUM_LEN;
use crate::params::BLOCK_BYTES;
use crate::{BlockedBloom, Key};

/// Bytes of the BLAKE3 checksum that ends the file.
/// Random probes used to measure a filter's false-positive rate after a build or a merge.
pub const DEFAULT_FPR_PROBES: u64 = 1_000_000;

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
        if let Some(draft) = self.bloom.bits_mut().take_draft(path) {
            return self.commit_in_place(draft, &header).map_err(io_err);
        }
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

    /// Saves a filter built in place (see [`BlockedBloom::new_for_file`]): the bits are
    /// already in the temporary file; the header goes in front, the checksum of both after.
    #[cfg(unix)]
    fn commit_in_place(&mut self, draft: AtomicFile, header: &[u8]) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        let file = draft.file()?;
        file.write_all_at(header, 0)?;
        // The shared mapping shows the header just written: one pass hashes header and bits.
        let body = self.bloom.bits_mut().mapped_prefix();
        let mut hasher = blake3::Hasher::new();
        hasher.update_rayon(body);
        file.write_all_at(hasher.finalize().as_bytes(), body.len() as u64)?;
        let saved = file.try_clone()?;
        draft.commit()?;
        // SAFETY: `saved` is the file just committed, holding these bits at the same offset;
        // from now on inserts stay in this process, as for `Filter::map`.
        unsafe { self.bloom.bits_mut().remap_private(&saved) }
    }

    #[cfg(not(unix))]
    fn commit_in_place(&mut self, _draft: AtomicFile, _header: &[u8]) -> io::Result<()> {
        Err(io::Error::other("filters are built in place only on Linux"))
    }

    /// Reads and fully verifies a filter file into fresh huge-page memory (see the
    /// [module docs](self)): for callers that need the filter to outlive changes to the file.
    pub fn load(path: &Path) -> Result<Filter, FilterError> {
        Filter::open(path, false)
    }

    /// Maps and fully verifies a filter file (see the [module docs](self)): the usual choice.
    /// Falls back to [`Filter::load`]'s reading when the file cannot be mapped.
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

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
