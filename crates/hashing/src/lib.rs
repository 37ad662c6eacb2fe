//! # leakmatch-hashing: keyed tokens and blocked Bloom filters
//!
//! The middle stage of the leakmatch pipeline. Normalized identifiers (from
//! `leakmatch-ingest`) become [`Token`]s — keyed BLAKE3 hashes that reveal nothing without the
//! [`Key`] — and tokens go into a [`BlockedBloom`] filter, saved with its metadata as a
//! [`Filter`] in a `.lmf` file. A filter can be shared with a party holding other data; with
//! the same key, they learn which of their identifiers are (probably) in the leak and nothing
//! else.
//!
//! - [`Key`], [`KeyId`], [`write_key_file`], [`read_key_file`]: the secret key, its public id
//!   and its text file (mode 0600, never overwritten, refused when readable by others).
//! - [`encode`], [`encode_pair`], [`Encoded`], [`TokenKind`]: the exact, domain-separated
//!   64-byte encoding of an identifier (documented byte by byte in its module).
//! - [`TokenHasher`]: the keyed hash, batched through blake3's SIMD kernel (~4–6× faster
//!   than `blake3::keyed_hash`) and proven equal to it.
//! - [`BloomParams`], [`BlockedBloom`]: a cache-line-blocked Bloom filter sized with the
//!   blocked-filter FPR formula, batched with prefetching; its bytes never depend on thread
//!   count or order.
//! - [`Inserter`]: how many threads fill one filter at once — tokens queued per region of the
//!   filter, set with plain stores under that region's lock (no locked instruction per word).
//! - [`Filter`], [`FilterHeader`], [`FilterAuth`]: the `.lmf` v2 file, authenticated (a MAC
//!   under a key derived from the shared key, or, for online filters, a [`FileDigest`] the
//!   server lists), saved atomically, fully verified on load — mapped in place, as huge pages
//!   when the page cache allows ([`Filter::map`]), or read into huge-page memory
//!   ([`Filter::load`]); [`Filter::checked_fill`] cross-checks the header with the bits.
//!   [`atomic::AtomicFile`] is the atomic-write helper behind it.
//! - Online mode (built from tokens made elsewhere, e.g. OPRF outputs): [`Filter::new`] with
//!   [`FilterAuth::Online`], [`Filter::insert_tokens`], [`Filter::save_online`],
//!   [`Filter::open_online`], [`file_digest`]; see [`crate::file`] and [`crate::auth`].
//!   Online tokens from OPRF outputs: [`online::token`], [`online::pair_token`] (byte by
//!   byte in [`online`]).
//!
//! The modules [`token`], [`bloom`], [`file`](mod@file), [`auth`] and [`key`] document the token encoding, the
//! filter layout, the `.lmf` format and the key file byte by byte.
//!
//! This crate never logs or prints, and no error, `Debug` output or panic contains a key or an
//! identifier.
//!
//! ```
//! use leakmatch_hashing::{
//!     encode, BlockedBloom, BloomParams, Filter, FilterHeader, Key, KindSet, Token,
//!     TokenHasher, TokenKind,
//! };
//!
//! let key = Key::generate()?;
//! let hasher = TokenHasher::new(&key);
//!
//! let leaked = [encode(TokenKind::Msisdn, b"923001234567"), encode(TokenKind::Cnic, b"3520212345671")];
//! let mut tokens = [Token::default(); 2];
//! hasher.hash_many(&leaked, &mut tokens);
//!
//! let params = BloomParams::for_capacity(1000, 1e-4);
//! let bloom = BlockedBloom::new(params)?;
//! bloom.insert_many(&tokens);
//!
//! let mut header = FilterHeader::new(key.id(), 1, params, 1e-4);
//! header.kinds = KindSet::ALL;
//! header.counts.add(TokenKind::Msisdn, 1);
//! header.counts.add(TokenKind::Cnic, 1);
//! let mut filter = Filter { header, bloom };
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("leak.lmf");
//! filter.save(&path, &key)?;
//!
//! // Verified before use: integrity, key id and MAC; then the header against the bits.
//! let loaded = Filter::load(&path, &key)?;
//! loaded.checked_fill()?;
//! assert!(loaded.bloom.contains(&hasher.hash(&encode(TokenKind::Msisdn, b"923001234567"))));
//! // Same digits, different kind: a different token.
//! assert!(!loaded.bloom.contains(&hasher.hash(&encode(TokenKind::Cnic, b"923001234567"))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod atomic;
pub mod auth;
mod bits;
pub mod bloom;
mod error;
pub mod file;
mod fileio;
mod hasher;
mod header;
mod infile;
pub mod inserter;
pub mod key;
mod merge;
pub mod online;
mod params;
mod regions;
pub mod token;
mod wipe;

pub use atomic::AtomicFile;
pub use auth::{file_digest, FileDigest};
pub use bloom::{BlockedBloom, FillStats};
pub use error::FilterError;
pub use file::{Filter, DEFAULT_FPR_PROBES};
pub use hasher::TokenHasher;
pub use header::{FilterAuth, FilterHeader, KindCounts, FORMAT_VERSION, HEADER_LEN, MAGIC};
pub use inserter::Inserter;
pub use key::{read_key_file, write_key_file, Key, KeyError, KeyId, ParseKeyIdError};
pub use params::{BloomParams, BLOCK_BITS, K_CHOICES, MAX_FILTER_BYTES, MAX_K};
pub use token::{encode, encode_into, encode_pair, Encoded, KindSet, Token, TokenKind, MAX_ID_LEN};
