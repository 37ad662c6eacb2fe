//! Which token kinds a pipeline makes, the batch that feeds the SIMD hasher, and the
//! [`Tokenizer`] seam: the same batches become keyed tokens (shared key: `build`, `match`) or
//! online tokens (OPRF outputs looked up by identifier: `publish`, `query`).

use std::str::FromStr;

use leakmatch_hashing::{encode_into, Encoded, Token, TokenHasher, TokenKind};
use leakmatch_ingest::{Cnic, Msisdn};

use crate::outputs::OnlineTokens;

/// Which token kinds to make: single identifiers and/or (MSISDN, CNIC) pairs of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSelection {
    /// MSISDN tokens.
    pub msisdn: bool,
    /// CNIC tokens.
    pub cnic: bool,
    /// Pair tokens (MSISDN and CNIC of the same record).
    pub pair: bool,
}

impl Default for KindSelection {
    /// All three kinds: pairs are made only where a record has both identifiers.
    fn default() -> Self {
        KindSelection {
            msisdn: true,
            cnic: true,
            pair: true,
        }
    }
}

impl KindSelection {
    /// No kind.
    pub const NONE: KindSelection = KindSelection {
        msisdn: false,
        cnic: false,
        pair: false,
    };

    /// The kinds selected in either.
    pub fn union(self, other: KindSelection) -> KindSelection {
        KindSelection {
            msisdn: self.msisdn || other.msisdn,
            cnic: self.cnic || other.cnic,
            pair: self.pair || other.pair,
        }
    }

    /// Whether `kind` is selected.
    pub fn has(&self, kind: TokenKind) -> bool {
        match kind {
            TokenKind::Msisdn => self.msisdn,
            TokenKind::Cnic => self.cnic,
            TokenKind::Pair => self.pair,
        }
    }

    /// Selected kinds in canonical order.
    pub fn kinds(&self) -> Vec<TokenKind> {
        TokenKind::ALL
            .into_iter()
            .filter(|k| self.has(*k))
            .collect()
    }
}

impl FromStr for KindSelection {
    type Err = String;

    /// Parses a comma-separated list such as `msisdn,pair`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut sel = KindSelection {
            msisdn: false,
            cnic: false,
            pair: false,
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "msisdn" => sel.msisdn = true,
                "cnic" => sel.cnic = true,
                "pair" => sel.pair = true,
                other => {
                    return Err(format!(
                        "unknown kind '{other}' (expected msisdn, cnic or pair)"
                    ))
                }
            }
        }
        if !(sel.msisdn || sel.cnic || sel.pair) {
            return Err("no kind selected (expected a list of msisdn, cnic, pair)".into());
        }
        Ok(sel)
    }
}

/// Tokens are hashed and looked up this many at a time: a multiple of the widest SIMD degree
/// (16 lanes), and long enough for the filter's prefetch pipeline to stay full (a batch of 64
/// paid one exposed memory latency every 64 tokens).
pub(crate) const BATCH: usize = 1024;

/// How a batch's identifiers become tokens.
#[derive(Clone, Copy)]
pub(crate) enum Tokenizer<'a> {
    /// Keyed BLAKE3 of each encoded identifier ([`TokenHasher::hash_many`]).
    Keyed(&'a TokenHasher),
    /// Online tokens from each identifier's OPRF output, looked up by its key.
    Online(&'a OnlineTokens),
}

impl Tokenizer<'_> {
    /// Whether the tokens come from the identifiers' keys (then the batch keeps them and
    /// needs no encoding).
    fn by_key(&self) -> bool {
        matches!(self, Tokenizer::Online(_))
    }
}

/// A queue of encoded identifiers, hashed together once full; optionally with each token's
/// identifier key (see [`msisdn_key`], [`cnic_key`], [`pair_key`]), in the same order.
pub(crate) struct TokenBatch {
    encoded: Vec<Encoded>,
    kinds: Vec<TokenKind>,
    tokens: Vec<Token>,
    /// `Some` when the keys are wanted (matching counts distinct identifiers, online tokens
    /// are looked up by them; a keyed build needs neither).
    keys: Option<Vec<u128>>,
    /// Whether identifiers are encoded for the keyed hash (not for online tokens).
    encode: bool,
}

impl TokenBatch {
    pub(crate) fn new() -> Self {
        TokenBatch {
            encoded: Vec::with_capacity(BATCH),
            kinds: Vec::with_capacity(BATCH),
            tokens: Vec::with_capacity(BATCH),
            keys: None,
            encode: true,
        }
    }

    /// A batch for `tokenizer`, keeping the keys if `keys` (or if the tokenizer needs them).
    pub(crate) fn for_tokenizer(tokenizer: &Tokenizer<'_>, keys: bool) -> Self {
        let by_key = tokenizer.by_key();
        let mut batch = if keys || by_key {
            TokenBatch::with_keys()
        } else {
            TokenBatch::new()
        };
        if by_key {
            batch.encode = false;
            batch.encoded = Vec::new();
        }
        batch
    }

    /// A batch that also keeps each token's identifier key.
    /// Frees the queue's memory (it regrows if used again): for a sink whose chunk is done,
    /// since sinks are kept until the whole input has been read.
    pub(crate) fn release(&mut self) {
        *self = TokenBatch {
            encoded: Vec::new(),
            kinds: Vec::new(),
            tokens: Vec::new(),
            keys: self.keys.as_ref().map(|_| Vec::new()),
            encode: self.encode,
        };
    }

    pub(crate) fn with_keys() -> Self {
        TokenBatch {
            keys: Some(Vec::with_capacity(BATCH)),
            ..TokenBatch::new()
        }
    }

    /// Queues the tokens of one record for the selected kinds; returns how many were queued.
    pub(crate) fn push_record(
        &mut self,
        sel: KindSelection,
        msisdns: &[Msisdn],
        cnics: &[Cnic],
        pairs: bool,
    ) -> usize {
        let before = self.kinds.len();
        const NONE: &[u8; 0] = &[];
        if sel.msisdn {
            for m in msisdns {
                if let Some(e) = self.push(TokenKind::Msisdn, || u128::from(msisdn_key(m))) {
                    encode_into(e, TokenKind::Msisdn, m.as_bytes(), NONE);
                }
            }
        }
        if sel.cnic {
            for c in cnics {
                if let Some(e) = self.push(TokenKind::Cnic, || u128::from(cnic_key(c))) {
                    encode_into(e, TokenKind::Cnic, c.as_bytes(), NONE);
                }
            }
        }
        if sel.pair && pairs {
            for m in msisdns {
                for c in cnics {
                    if let Some(e) = self.push(TokenKind::Pair, || pair_key(m, c)) {
                        encode_into(e, TokenKind::Pair, m.as_bytes(), c.as_bytes());
                    }
                }
            }
        }
        self.kinds.len() - before
    }

    /// Queues a token of `kind`; returns its block for the caller to encode in place, if this
    /// batch encodes.
    #[inline]
    fn push(&mut self, kind: TokenKind, key: impl FnOnce() -> u128) -> Option<&mut Encoded> {
        self.kinds.push(kind);
        if let Some(keys) = &mut self.keys {
            keys.push(key());
        }
        if !self.encode {
            return None;
        }
        let i = self.encoded.len();
        self.encoded.push(Encoded([0; 64]));
        Some(&mut self.encoded[i])
    }

    pub(crate) fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Hashes everything queued; returns each token's kind, the tokens and their keys (empty
    /// unless made [`with_keys`](Self::with_keys)), readable until [`TokenBatch::clear`].
    pub(crate) fn hash(&mut self, hasher: &TokenHasher) -> (&[TokenKind], &[Token], &[u128]) {
        self.tokens.clear();
        self.tokens.resize(self.encoded.len(), Token([0; 32]));
        hasher.hash_many(&self.encoded, &mut self.tokens);
        let keys = self.keys.as_deref().unwrap_or_default();
        (&self.kinds, &self.tokens, keys)
    }

    /// Makes the tokens of everything queued with `tokenizer`, as [`TokenBatch::hash`] does
    /// for a keyed one. A batch made for an online tokenizer ([`TokenBatch::for_tokenizer`])
    /// holds the keys it looks up.
    pub(crate) fn tokenize(
        &mut self,
        tokenizer: &Tokenizer<'_>,
    ) -> (&[TokenKind], &[Token], &[u128]) {
        match tokenizer {
            Tokenizer::Keyed(hasher) => self.hash(hasher),
            Tokenizer::Online(table) => {
                let keys = self.keys.as_deref().unwrap_or_default();
                self.tokens.clear();
                self.tokens.extend(
                    self.kinds
                        .iter()
                        .zip(keys)
                        .map(|(kind, key)| table.token(*kind, *key)),
                );
                (&self.kinds, &self.tokens, keys)
            }
        }
    }

    pub(crate) fn clear(&mut self) {
        self.encoded.clear();
        self.kinds.clear();
        self.tokens.clear();
        if let Some(keys) = &mut self.keys {
            keys.clear();
        }
    }
}

/// The MSISDN as an integer (its national number; see [`Msisdn::to_u64`]).
pub(crate) fn msisdn_key(m: &Msisdn) -> u64 {
    m.to_u64()
}

/// The CNIC as an integer (13 digits fit in 44 bits).
pub(crate) fn cnic_key(c: &Cnic) -> u64 {
    c.to_u64()
}

/// A (MSISDN, CNIC) pair as one integer, exact.
pub(crate) fn pair_key(m: &Msisdn, c: &Cnic) -> u128 {
    (u128::from(msisdn_key(m)) << 64) | u128::from(cnic_key(c))
}

/// Rebuilds the MSISDN from [`msisdn_key`].
pub(crate) fn msisdn_from_key(v: u64) -> Option<Msisdn> {
    Msisdn::from_national(v).ok()
}

/// Rebuilds the CNIC from [`cnic_key`].
pub(crate) fn cnic_from_key(v: u64) -> Option<Cnic> {
    Cnic::from_u64(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_selection_parses() {
        let s: KindSelection = "msisdn, PAIR".parse().unwrap();
        assert_eq!(
            s,
            KindSelection {
                msisdn: true,
                cnic: false,
                pair: true
            }
        );
        assert!("".parse::<KindSelection>().is_err());
        assert!("imsi".parse::<KindSelection>().is_err());
    }

    #[test]
    fn keys_round_trip() {
        let m = Msisdn::parse(b"03001234567").unwrap();
        assert_eq!(msisdn_key(&m), 3_001_234_567);
        assert_eq!(msisdn_from_key(msisdn_key(&m)), Some(m));
        let c = Cnic::parse(b"35202-1234567-1").unwrap();
        assert_eq!(cnic_from_key(cnic_key(&c)), Some(c));
        assert_ne!(pair_key(&m, &c), u128::from(cnic_key(&c)));
    }
}
