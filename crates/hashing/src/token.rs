//! Token kinds and the exact 64-byte encoding that is hashed into a [`Token`].
//!
//! A token is `blake3::keyed_hash(key, encode(kind, id).0)`: the keyed hash of one zero-padded
//! 64-byte block (see [`TokenHasher`](crate::TokenHasher) for the batched computation). The
//! block is, byte by byte:
//!
//! | bytes | content |
//! |---|---|
//! | 0..4 | magic tag `b"LMT1"` (leakmatch token, encoding v1) |
//! | 4 | kind: 1 = msisdn, 2 = cnic, 3 = pair |
//! | 5 | length `a` of the first identifier (the msisdn for a pair) |
//! | 6 | length `b` of the second identifier: the cnic for a pair, 0 otherwise |
//! | 7 | 0 (reserved) |
//! | 8..8+a | first identifier: canonical ASCII digits (12 for an msisdn, 13 for a cnic) |
//! | 8+a..8+a+b | second identifier (pair only): the cnic digits |
//! | 8+a+b..64 | zero |
//!
//! The kind byte separates the domains, so the same digit string as an msisdn and as a cnic
//! gives unrelated tokens, and the explicit lengths make zero padding unambiguous. At most
//! [`MAX_ID_LEN`] = 56 identifier bytes fit. `encode(TokenKind::Pair, x)` is defined as
//! `encode_pair(x, b"")`.
//!
//! ```
//! use leakmatch_hashing::{encode, encode_pair, Key, TokenHasher, TokenKind};
//!
//! let key_bytes = [42u8; 32];
//! let hasher = TokenHasher::new(&Key::from_bytes(key_bytes));
//! let e = encode(TokenKind::Msisdn, b"923001234567");
//! assert_eq!(&e.0[..8], b"LMT1\x01\x0c\x00\x00");
//! assert_eq!(&e.0[8..20], b"923001234567");
//! assert!(e.0[20..].iter().all(|&b| b == 0));
//! // The batched SIMD path equals the public keyed hash of the block.
//! assert_eq!(hasher.hash(&e).0, *blake3::keyed_hash(&key_bytes, &e.0).as_bytes());
//! let p = encode_pair(b"923001234567", b"3520212345671");
//! assert_eq!(hasher.hash(&p).0, *blake3::keyed_hash(&key_bytes, &p.0).as_bytes());
//! ```

use std::fmt;

/// Most identifier bytes one encoding can hold (both identifiers together for a pair).
pub const MAX_ID_LEN: usize = 56;

const MAGIC: &[u8; 4] = b"LMT1";

/// What an identifier is; the discriminant is the kind byte of the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum TokenKind {
    /// A mobile number (MSISDN), canonically 12 digits starting `92`.
    Msisdn = 1,
    /// A national identity card number (CNIC), canonically 13 digits.
    Cnic = 2,
    /// An (msisdn, cnic) pair from one record.
    Pair = 3,
}

impl TokenKind {
    /// Every kind, in discriminant order.
    pub const ALL: [TokenKind; 3] = [TokenKind::Msisdn, TokenKind::Cnic, TokenKind::Pair];

    /// Lowercase name: `"msisdn"`, `"cnic"` or `"pair"`.
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Msisdn => "msisdn",
            TokenKind::Cnic => "cnic",
            TokenKind::Pair => "pair",
        }
    }

    /// Bit of this kind in a [`KindSet`].
    fn bit(self) -> u8 {
        1 << (self as u8 - 1)
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of [`TokenKind`]s; bit 0 = msisdn, bit 1 = cnic, bit 2 = pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KindSet(u8);

impl KindSet {
    /// No kinds.
    pub const EMPTY: KindSet = KindSet(0);
    /// All three kinds.
    pub const ALL: KindSet = KindSet(0b111);

    /// The set from its bits, or `None` if an unknown bit is set.
    pub fn from_bits(bits: u8) -> Option<KindSet> {
        (bits & !Self::ALL.0 == 0).then_some(KindSet(bits))
    }

    /// The raw bits.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Adds `kind`.
    pub fn insert(&mut self, kind: TokenKind) {
        self.0 |= kind.bit();
    }

    /// Whether `kind` is in the set.
    pub fn contains(self, kind: TokenKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Kinds in either set.
    #[must_use]
    pub fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }

    /// The kinds in the set, in discriminant order.
    pub fn iter(self) -> impl Iterator<Item = TokenKind> {
        TokenKind::ALL
            .into_iter()
            .filter(move |k| self.contains(*k))
    }
}

impl FromIterator<TokenKind> for KindSet {
    fn from_iter<I: IntoIterator<Item = TokenKind>>(iter: I) -> KindSet {
        let mut set = KindSet::EMPTY;
        iter.into_iter().for_each(|k| set.insert(k));
        set
    }
}

/// One zero-padded 64-byte BLAKE3 block: the input of a token hash.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Encoded(pub [u8; 64]);

impl fmt::Debug for Encoded {
    // The block contains an identifier: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Encoded(<redacted>)")
    }
}

/// Encodes one identifier of `kind` (see the [module docs](self) for the layout).
///
/// # Panics
///
/// If `id` is longer than [`MAX_ID_LEN`]; canonical identifiers are 12 or 13 digits, so this
/// is a caller bug. The message does not contain the identifier.
#[inline]
pub fn encode(kind: TokenKind, id: &[u8]) -> Encoded {
    encode_parts(kind, id, b"")
}

/// Encodes an (msisdn, cnic) pair: kind 3, both lengths, msisdn digits then cnic digits.
///
/// # Panics
///
/// If the two identifiers together are longer than [`MAX_ID_LEN`].
#[inline]
pub fn encode_pair(msisdn: &[u8], cnic: &[u8]) -> Encoded {
    encode_parts(TokenKind::Pair, msisdn, cnic)
}

#[inline]
fn encode_parts(kind: TokenKind, first: &[u8], second: &[u8]) -> Encoded {
    let (a, b) = (first.len(), second.len());
    assert!(
        a + b <= MAX_ID_LEN,
        "identifier longer than {MAX_ID_LEN} bytes"
    );
    let mut block = [0u8; 64];
    block[..4].copy_from_slice(MAGIC);
    block[4] = kind as u8;
    // Both fit in a byte: a + b <= 56.
    block[5] = a as u8;
    block[6] = b as u8;
    block[8..8 + a].copy_from_slice(first);
    block[8 + a..8 + a + b].copy_from_slice(second);
    Encoded(block)
}

/// [`encode_pair`] (or, with an empty `second`, [`encode`]) of fixed-length identifiers,
/// written in place: the same 64 bytes, for hot loops that fill a batch. Building the block
/// on the stack and copying it out made the 13-byte CNIC copy stall on store forwarding
/// (measured: about a tenth of `match`'s CPU time).
///
/// The lengths are checked at compile time.
#[inline]
pub fn encode_into<const A: usize, const B: usize>(
    out: &mut Encoded,
    kind: TokenKind,
    first: &[u8; A],
    second: &[u8; B],
) {
    const { assert!(A + B <= MAX_ID_LEN, "identifiers too long to encode") };
    let block = &mut out.0;
    *block = [0; 64];
    block[..4].copy_from_slice(MAGIC);
    block[4] = kind as u8;
    // Both fit in a byte: A + B <= 56.
    block[5] = A as u8;
    block[6] = B as u8;
    block[8..8 + A].copy_from_slice(first);
    block[8 + A..8 + A + B].copy_from_slice(second);
}

/// A keyed hash of an [`Encoded`] identifier: what filters store and compare.
///
/// Tokens reveal nothing without the key, so `Debug` shows them in hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
pub struct Token(pub [u8; 32]);

impl Token {
    /// Little-endian 64-bit word `i` (0..4) of the token.
    #[inline]
    pub(crate) fn word(&self, i: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.0[8 * i..8 * i + 8]);
        u64::from_le_bytes(w)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_exact() {
        let e = encode(TokenKind::Cnic, b"3520212345671");
        assert_eq!(&e.0[..8], b"LMT1\x02\x0d\x00\x00");
        assert_eq!(&e.0[8..21], b"3520212345671");
        assert!(e.0[21..].iter().all(|&b| b == 0));
        let p = encode_pair(b"923001234567", b"3520212345671");
        assert_eq!(&p.0[..8], b"LMT1\x03\x0c\x0d\x00");
        assert_eq!(&p.0[8..33], b"9230012345673520212345671");
        assert!(p.0[33..].iter().all(|&b| b == 0));
        assert_eq!(
            encode(TokenKind::Pair, b"92300"),
            encode_pair(b"92300", b"")
        );
    }

    #[test]
    fn kinds_and_splits_are_separated() {
        let digits = b"1234567890123";
        let all: Vec<Encoded> = vec![
            encode(TokenKind::Msisdn, digits),
            encode(TokenKind::Cnic, digits),
            encode(TokenKind::Pair, digits),
            encode_pair(&digits[..6], &digits[6..]),
            encode_pair(&digits[..7], &digits[7..]),
            encode(TokenKind::Msisdn, &digits[..12]),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(format!("{:?}", all[0]), "Encoded(<redacted>)");
    }

    #[test]
    fn longest_fits_and_longer_panics() {
        let long = [b'9'; MAX_ID_LEN];
        assert_eq!(encode(TokenKind::Msisdn, &long).0[63], b'9');
        let r = std::panic::catch_unwind(|| encode_pair(&long, b"1"));
        assert!(r.is_err());
    }

    #[test]
    fn in_place_encoding_equals_encode() {
        let (m, c) = (b"923001234567", b"3520212345671");
        let mut out = Encoded([0xAA; 64]);
        encode_into(&mut out, TokenKind::Msisdn, m, &[]);
        assert_eq!(out, encode(TokenKind::Msisdn, m));
        encode_into(&mut out, TokenKind::Cnic, c, &[]);
        assert_eq!(out, encode(TokenKind::Cnic, c));
        encode_into(&mut out, TokenKind::Pair, m, c);
        assert_eq!(out, encode_pair(m, c));
    }

    #[test]
    fn kind_set() {
        let mut s = KindSet::EMPTY;
        s.insert(TokenKind::Pair);
        assert!(s.contains(TokenKind::Pair) && !s.contains(TokenKind::Cnic));
        assert_eq!(s.bits(), 4);
        assert_eq!(KindSet::from_bits(8), None);
        let all: KindSet = TokenKind::ALL.into_iter().collect();
        assert_eq!(all, KindSet::ALL);
        assert_eq!(s.union(KindSet::from_bits(1).unwrap()).iter().count(), 2);
        assert_eq!(
            TokenKind::ALL.map(TokenKind::name),
            ["msisdn", "cnic", "pair"]
        );
    }
}
