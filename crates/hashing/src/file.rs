//! The `.lmf` filter file, format version 2.
//!
//! All integers are little-endian; `f64`s are stored as their IEEE-754 bits (`u64` LE).
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `\x89LMF\r\n\x1a\n` (PNG-style: catches text-mode and 7-bit mangling) |
//! | 8 | 4 | format version = 2 |
//! | 12 | 4 | header length = 4096 (offset of the bit array) |
//! | 16 | 4 | authentication mode: 1 shared key, 2 online ([`FilterAuth`]) |
//! | 20 | 4 | normalization version of the identifiers |
//! | 24 | 1 | kinds present ([`KindSet`](crate::KindSet) bits: 1 msisdn, 2 cnic, 4 pair) |
//! | 25 | 7 | zero |
//! | 32 | 24 | tokens inserted per kind: msisdn, cnic, pair (`u64` each) |
//! | 56 | 8 | number of 512-bit blocks |
//! | 64 | 4 | k, bits set per token (8, 16 or 24) |
//! | 68 | 4 | zero |
//! | 72 | 8 | target FPR (`f64`) |
//! | 80 | 8 | measured FPR (`f64`) |
//! | 88 | 40 | mode 1: [`KeyId`](crate::KeyId) (8), then 32 zero bytes; mode 2: epoch (`u64`), then the epoch's OPRF public key (32) |
//! | 128 | 3968 | zero padding up to 4096 |
//! | 4096 | 64·blocks | bit array: blocks in order, each 8 `u64` words (see [`BlockedBloom`]) |
//! | end−64 | 32 | integrity: BLAKE3 of every byte before it |
//! | end−32 | 32 | tag: mode 1, the MAC of [`crate::auth`] under the shared key; mode 2, zero |
//!
//! Version 1 files (an unkeyed checksum that anyone could recompute after changing the file)
//! are refused with [`FilterError::UnsupportedVersion`]: rebuild them.
//!
//! # What the header discloses
//!
//! Only what matching needs: the key id (or online epoch and public key) to pick the key, the
//! normalization version and kinds to make the right tokens, the shape to look them up, the
//! target and measured FPR for the estimates and the overfill check, and the per-kind token
//! counts, which the loader cross-checks against the bits (see [`Filter::checked_fill`]);
//! the bits disclose about as much anyway (their fill estimates the distinct count). Version 1
//! also recorded the creation time and the tool version; version 2 does not (they helped no
//! match, told a recipient when and with what the dump was processed, and a tool string was
//! text from the file that `inspect` printed). Files are therefore reproducible byte for byte.
//!
//! # Loading
//!
//! Every way of opening checks, before using anything: the magic, the version, every header
//! field (reserved and padding bytes must be zero, counts only of claimed kinds), that the file
//! is exactly `4096 + 64·blocks + 64` bytes — before allocating, so an absurd block count costs
//! nothing — and the integrity hash, which covers every byte, so any corruption is an error
//! and never a panic or a silently wrong filter. Then:
//!
//! - [`Filter::map`] / [`Filter::load`] take the shared [`Key`], refuse an online filter
//!   ([`FilterError::OnlineFilter`]), a filter of another key ([`FilterError::KeyMismatch`])
//!   and a filter whose MAC does not verify ([`FilterError::AuthenticationFailed`]);
//! - [`Filter::open_online`] is for online filters: integrity only, and it returns the
//!   [`FileDigest`] that the caller must find in the epoch descriptor before trusting it;
//! - [`Filter::open_unauthenticated`] opens either kind with the integrity check only (for
//!   `inspect` without a key): nothing it returns is authenticated.
//!
//! Two ways to get at the bits, both verifying before anything reads them:
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
//!   misses; even then mapping broke even with reading at 18.6M lookups. A file that cannot
//!   be mapped (a pipe) is read instead.
//!
//! **A mapped file changed in place while in use.** The hashes are checked over the mapping
//! when it is opened; a page the process has not touched since shows later changes to the
//! file, so bits rewritten in place afterwards are used unverified, and a truncation raises
//! SIGBUS (the process dies). Tools that replace files by renaming (as `build` and `merge` do,
//! and `cp` to a new name, `rsync`) never change a mapped file. For a file that may be
//! rewritten in place while in use (a network disk, a sync client), use `--no-mmap`
//! ([`Filter::load`]): the bits are copied into memory and verified there, so later changes to
//! the file cannot reach them.
//!
//! Saving goes through [`AtomicFile`]: temporary file in the target directory, write, `fsync`,
//! rename, `fsync` the directory; the temporary is removed on any error.
//!
//! # Filters from tokens made elsewhere (online mode)
//!
//! ```
//! use leakmatch_hashing::{BloomParams, Filter, FilterAuth, Token, TokenKind};
//!
//! let params = BloomParams::for_capacity(1000, 1e-4);
//! let auth = FilterAuth::Online { epoch: 7, public_key: [1; 32] };
//! let mut filter = Filter::new(auth, 1, params, 1e-4)?;
//! // Tokens derived from OPRF outputs by the caller, never by this crate.
//! filter.insert_tokens(TokenKind::Pair, &[Token([5; 32]), Token([6; 32])]);
//! filter.measure();
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("online.lmf");
//! let digest = filter.save_online(&path)?;
//! let (opened, digest_again) = Filter::open_online(&path, true)?;
//! assert_eq!(digest, digest_again); // the caller checks it against the epoch descriptor
//! assert_eq!(opened.header.auth, auth);
//! opened.checked_fill()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::atomic::AtomicFile;
use crate::auth::{seal, tag, FileDigest, TRAILER_LEN};
use crate::bits::BitArray;
use crate::error::FilterError;
use crate::fileio::{little_endian_bits, read_at_up_to, read_up_to, write_at_parallel, IO_CHUNK};
use crate::header::{FilterAuth, FilterHeader, FORMAT_VERSION, HEADER_LEN, MAGIC};
use crate::params::{BloomParams, BLOCK_BITS, BLOCK_BYTES};
use crate::{BlockedBloom, FillStats, Key, Token, TokenKind};

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

/// A verified file's trailer and digest.
struct Opened {
    filter: Filter,
    integrity: blake3::Hash,
    tag: [u8; 32],
    digest: FileDigest,
}

impl Filter {
    /// An empty filter of `params` (in memory) with a header for `auth`.
    pub fn new(
        auth: FilterAuth,
        normalization_version: u32,
        params: BloomParams,
        target_fpr: f64,
    ) -> Result<Filter, FilterError> {
        Ok(Filter {
            header: FilterHeader::with_auth(auth, normalization_version, params, target_fpr),
            bloom: BlockedBloom::new(params)?,
        })
    }

    /// Inserts tokens of `kind` made by the caller (for an online filter: derived from OPRF
    /// outputs) and records them in the header's kinds and counts.
    pub fn insert_tokens(&mut self, kind: TokenKind, tokens: &[Token]) {
        self.bloom.par_insert(tokens);
        self.header.kinds.insert(kind);
        self.header.counts.add(kind, tokens.len() as u64);
    }

    /// Sets the header's measured FPR from [`DEFAULT_FPR_PROBES`] probes, as a build does.
    pub fn measure(&mut self) {
        self.header.measured_fpr = self.measure_fpr(DEFAULT_FPR_PROBES);
    }

    /// Writes a shared-key filter to `path` atomically (format in the [module docs](self)),
    /// with the MAC under `key`, which must be the key of the header's key id. Returns the
    /// file's digest. Needs `&mut self` so the bits can be written as they lie in memory, with
    /// no copy, while no thread inserts; the hash and the writes run in parallel on the rayon
    /// pool.
    pub fn save(&mut self, path: &Path, key: &Key) -> Result<FileDigest, FilterError> {
        match self.header.auth {
            FilterAuth::SharedKey { key_id } if key_id == key.id() => {}
            FilterAuth::SharedKey { key_id } => {
                return Err(FilterError::KeyMismatch {
                    filter: key_id,
                    key: key.id(),
                })
            }
            FilterAuth::Online { .. } => {
                return Err(FilterError::InvalidParams {
                    reason: "an online filter is saved with save_online, without a key".into(),
                })
            }
        }
        self.save_sealed(path, Some(key))
    }

    /// Writes an online filter to `path` atomically, with its integrity hash and no MAC;
    /// returns the digest its server's epoch descriptor must list.
    pub fn save_online(&mut self, path: &Path) -> Result<FileDigest, FilterError> {
        if !matches!(self.header.auth, FilterAuth::Online { .. }) {
            return Err(FilterError::InvalidParams {
                reason: "a shared-key filter is saved with save, under its key".into(),
            });
        }
        self.save_sealed(path, None)
    }

    fn save_sealed(&mut self, path: &Path, key: Option<&Key>) -> Result<FileDigest, FilterError> {
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
            return self.commit_in_place(draft, &header, key).map_err(io_err);
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
        let (trailer, digest) = seal(hasher, key);
        file.write_all(&trailer).map_err(io_err)?;
        file.commit().map_err(io_err)?;
        Ok(digest)
    }

    /// Saves a filter built in place (see [`BlockedBloom::new_for_file`]): the bits are
    /// already in the temporary file; the header goes in front, the trailer after.
    #[cfg(unix)]
    fn commit_in_place(
        &mut self,
        draft: AtomicFile,
        header: &[u8],
        key: Option<&Key>,
    ) -> io::Result<FileDigest> {
        use std::os::unix::fs::FileExt;
        let file = draft.file()?;
        file.write_all_at(header, 0)?;
        // The shared mapping shows the header just written: one pass hashes header and bits.
        let body = self.bloom.bits_mut().mapped_prefix();
        let mut hasher = blake3::Hasher::new();
        hasher.update_rayon(body);
        let (trailer, digest) = seal(hasher, key);
        file.write_all_at(&trailer, body.len() as u64)?;
        let saved = file.try_clone()?;
        draft.commit()?;
        // SAFETY: `saved` is the file just committed, holding these bits at the same offset;
        // from now on inserts stay in this process, as for `Filter::map`.
        unsafe { self.bloom.bits_mut().remap_private(&saved)? };
        Ok(digest)
    }

    #[cfg(not(unix))]
    fn commit_in_place(
        &mut self,
        _draft: AtomicFile,
        _header: &[u8],
        _key: Option<&Key>,
    ) -> io::Result<FileDigest> {
        Err(io::Error::other("filters are built in place only on Linux"))
    }

    /// Reads a shared-key filter into fresh huge-page memory and verifies it fully, MAC under
    /// `key` included (see the [module docs](self)): for callers that need the filter to
    /// outlive changes to the file (`--no-mmap`).
    pub fn load(path: &Path, key: &Key) -> Result<Filter, FilterError> {
        Filter::open_keyed(path, false, key)
    }

    /// Maps a shared-key filter and verifies it fully, MAC under `key` included (see the
    /// [module docs](self)): the usual choice. Falls back to [`Filter::load`]'s reading when
    /// the file cannot be mapped.
    pub fn map(path: &Path, key: &Key) -> Result<Filter, FilterError> {
        Filter::open_keyed(path, true, key)
    }

    /// Opens an online filter (mapped when `mmap` and possible), checking its integrity hash,
    /// and returns it with its [`FileDigest`]. The filter is authentic only once the caller
    /// has found that digest in the epoch descriptor of the header's epoch. Refuses a
    /// shared-key filter ([`FilterError::NotOnline`]).
    pub fn open_online(path: &Path, mmap: bool) -> Result<(Filter, FileDigest), FilterError> {
        let opened = Filter::open(path, mmap)?;
        if let FilterAuth::SharedKey { key_id } = opened.filter.header.auth {
            return Err(FilterError::NotOnline { key_id });
        }
        Ok((opened.filter, opened.digest))
    }

    /// Opens a filter of either mode checking only its integrity hash: damage is detected,
    /// forgery is not. For describing a filter without its key (`inspect`).
    pub fn open_unauthenticated(
        path: &Path,
        mmap: bool,
    ) -> Result<(Filter, FileDigest), FilterError> {
        let opened = Filter::open(path, mmap)?;
        Ok((opened.filter, opened.digest))
    }

    fn open_keyed(path: &Path, mmap: bool, key: &Key) -> Result<Filter, FilterError> {
        let opened = Filter::open(path, mmap)?;
        match opened.filter.header.auth {
            FilterAuth::Online { epoch, .. } => Err(FilterError::OnlineFilter { epoch }),
            FilterAuth::SharedKey { key_id } if key_id != key.id() => {
                Err(FilterError::KeyMismatch {
                    filter: key_id,
                    key: key.id(),
                })
            }
            FilterAuth::SharedKey { .. } => {
                // `blake3::Hash` equality is constant-time.
                if tag(key, &opened.integrity) != opened.tag {
                    return Err(FilterError::AuthenticationFailed { path: path.into() });
                }
                Ok(opened.filter)
            }
        }
    }

    fn open(path: &Path, mapped: bool) -> Result<Opened, FilterError> {
        let io_err = |source| FilterError::Io {
            path: path.into(),
            source,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let actual = file.metadata().map_err(io_err)?.len();
        let mut raw = vec![0u8; HEADER_LEN];
        let got = read_up_to(&mut file, &mut raw).map_err(io_err)?;
        let min_len = HEADER_LEN as u64 + BLOCK_BYTES + TRAILER_LEN;
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
        let expected = HEADER_LEN as u64 + header.params.bytes() + TRAILER_LEN;
        if actual < expected {
            return Err(FilterError::Truncated {
                path: path.into(),
                expected,
                actual,
            });
        }
        if actual > expected {
            let reason = format!("{} bytes after the trailer", actual - expected);
            return Err(FilterError::Corrupt {
                path: path.into(),
                reason,
            });
        }
        // Only now, with the size confirmed by the file itself, map or allocate the bit array.
        if mapped {
            if let Some(opened) = map_verified(&file, path, &header, expected)? {
                return Ok(opened);
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
        let mut trailer = [0u8; TRAILER_LEN as usize];
        let n = read_at_up_to(&file, &mut trailer, HEADER_LEN as u64 + read).map_err(io_err)?;
        if n < trailer.len() {
            return Err(changed(read + n as u64));
        }
        let (integrity, tag, digest) = check_trailer(hasher, &trailer, path, &header)?;
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
        Ok(Opened {
            filter: Filter { header, bloom },
            integrity,
            tag,
            digest,
        })
    }

    /// Fails with [`FilterError::KeyMismatch`] unless the filter was built with `key`
    /// ([`FilterError::OnlineFilter`] for an online filter).
    pub fn check_key(&self, key: &Key) -> Result<(), FilterError> {
        let key = key.id();
        match self.header.auth {
            FilterAuth::SharedKey { key_id } if key_id == key => Ok(()),
            FilterAuth::SharedKey { key_id } => Err(FilterError::KeyMismatch {
                filter: key_id,
                key,
            }),
            FilterAuth::Online { epoch, .. } => Err(FilterError::OnlineFilter { epoch }),
        }
    }

    /// The filter's [`FillStats`] (one pass over the bits), after checking that the header
    /// agrees with them ([`FilterError::Inconsistent`] otherwise): no bits without tokens, no
    /// more bits set than `k` per token counted, nor than that many tokens would set on
    /// average plus six standard deviations (a filter whose fill means far more distinct
    /// tokens than it counts). Every command
    /// that uses a filter calls this before trusting its counts.
    pub fn checked_fill(&self) -> Result<FillStats, FilterError> {
        let fill = self.bloom.fill_stats();
        let h = &self.header;
        let total = h.counts.total();
        let bits = h.params.blocks as f64 * BLOCK_BITS as f64;
        let ones = (fill.fill_ratio * bits).round();
        let inconsistent = |reason: String| Err(FilterError::Inconsistent { reason });
        if total == 0 && ones > 0.0 {
            return inconsistent(format!("{ones:.0} bits set but no token counted"));
        }
        if ones > total as f64 * f64::from(h.params.k) {
            return inconsistent(format!(
                "{ones:.0} bits set, more than k = {} per token for the {total} tokens counted",
                h.params.k
            ));
        }
        // `total` tokens set at most the bits `total` distinct ones would; a blocked filter
        // sets fewer on average than a flat one (fill is concave in a block's load), so the
        // flat expectation plus a few standard deviations bounds an honest filter.
        let expected = bits * -(-(f64::from(h.params.k) * total as f64) / bits).exp_m1();
        if ones > expected + 6.0 * expected.sqrt() + 64.0 {
            return inconsistent(format!(
                "{ones:.0} bits set, more than the {total} tokens counted can set (about \
                 {expected:.0}); its fill means about {:.0} distinct tokens",
                fill.estimated_distinct
            ));
        }
        Ok(fill)
    }

    /// Measures the false-positive rate with `probes` random non-members drawn from a seed
    /// derived from the filter's token counts, so the result depends only on the filter's
    /// content: building from A ∪ B and merging the filters of A and B measure the same rate.
    pub fn measure_fpr(&self, probes: u64) -> f64 {
        let seed = self.header.counts.total() ^ 0x6c6d_6670;
        self.bloom.measure_fpr(probes, seed)
    }
}

/// Checks the integrity hash of a body hashed by `hasher` against `trailer`; returns it, the
/// tag and the file digest. An online filter's tag must be zero.
fn check_trailer(
    mut hasher: blake3::Hasher,
    trailer: &[u8],
    path: &Path,
    header: &FilterHeader,
) -> Result<(blake3::Hash, [u8; 32], FileDigest), FilterError> {
    let integrity = hasher.finalize();
    if integrity != trailer[..32] {
        return Err(FilterError::ChecksumMismatch { path: path.into() });
    }
    let mut tag = [0u8; 32];
    tag.copy_from_slice(&trailer[32..64]);
    if matches!(header.auth, FilterAuth::Online { .. }) && tag != [0; 32] {
        return Err(FilterError::Corrupt {
            path: path.into(),
            reason: "an online filter carries a MAC".into(),
        });
    }
    hasher.update(trailer);
    Ok((integrity, tag, FileDigest(*hasher.finalize().as_bytes())))
}

/// Maps a regular filter file of `expected` bytes (header already checked) and verifies its
/// integrity hash; `None` when the file cannot be mapped, so the caller reads it instead.
fn map_verified(
    file: &File,
    path: &Path,
    header: &FilterHeader,
    expected: u64,
) -> Result<Option<Opened>, FilterError> {
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
    let body = len - TRAILER_LEN as usize;
    let mut hasher = blake3::Hasher::new();
    hasher.update_rayon(&map[..body]);
    // The header was parsed from a read; it must be what the mapping holds and was hashed.
    if map[..HEADER_LEN] != header.encode()?[..] {
        return Err(FilterError::Corrupt {
            path: path.into(),
            reason: "the file changed while being read (for a file that may change while in \
                     use, use --no-mmap)"
                .into(),
        });
    }
    let (integrity, tag, digest) = check_trailer(hasher, &map[body..], path, header)?;
    let now = file.metadata().map(|m| m.len()).unwrap_or(0);
    if now != expected {
        return Err(FilterError::Corrupt {
            path: path.into(),
            reason: "the file changed size while being read (for a file that may change while \
                     in use, use --no-mmap)"
                .into(),
        });
    }
    // SAFETY: as above.
    let bits = unsafe { BitArray::map_file(map, HEADER_LEN, bits_len)? };
    Ok(Some(Opened {
        filter: Filter {
            header: header.clone(),
            bloom: BlockedBloom::from_bits(header.params, bits),
        },
        integrity,
        tag,
        digest,
    }))
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
