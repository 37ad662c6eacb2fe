//! [`OnlineTokens`]: the OPRF output of every distinct identifier of a run, looked up by key
//! to make online tokens ([`leakmatch_hashing::online`]) in the second pass.
//!
//! Memory: 8 bytes of key and 64 bytes of output per distinct identifier (72 in all), sorted
//! by key; a lookup is a binary search. Pair tokens are made from the two outputs of their
//! record's identifiers, so pairs cost nothing here.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use leakmatch_hashing::{online, Token, TokenKind};
use leakmatch_oprf::Output;

use crate::identifiers::Identifiers;

/// Each distinct identifier's OPRF output, by kind and key (see the [module docs](self)).
pub struct OnlineTokens {
    msisdn: Vec<u64>,
    msisdn_out: Vec<Output>,
    cnic: Vec<u64>,
    cnic_out: Vec<Output>,
    /// Lookups of a key that is not here (its input changed after the first pass).
    missing: AtomicU64,
}

impl OnlineTokens {
    /// The table of `ids` and their outputs, in the same order (msisdn keys, then cnic keys).
    pub(crate) fn new(ids: Identifiers, msisdn_out: Vec<Output>, cnic_out: Vec<Output>) -> Self {
        debug_assert_eq!(ids.msisdn.len(), msisdn_out.len());
        debug_assert_eq!(ids.cnic.len(), cnic_out.len());
        OnlineTokens {
            msisdn: ids.msisdn,
            msisdn_out,
            cnic: ids.cnic,
            cnic_out,
            missing: AtomicU64::new(0),
        }
    }

    fn output<'a>(keys: &[u64], outputs: &'a [Output], key: u64) -> Option<&'a [u8; 64]> {
        let i = keys.binary_search(&key).ok()?;
        outputs.get(i).map(|o| &o.0)
    }

    /// The online token of the identifier (or pair) `key` of `kind`. A key without an output
    /// gives an all-zero token and is counted ([`OnlineTokens::missing`]).
    pub(crate) fn token(&self, kind: TokenKind, key: u128) -> Token {
        let found = match kind {
            TokenKind::Msisdn => Self::output(&self.msisdn, &self.msisdn_out, key as u64)
                .map(|o| online::token(kind, o)),
            TokenKind::Cnic => {
                Self::output(&self.cnic, &self.cnic_out, key as u64).map(|o| online::token(kind, o))
            }
            TokenKind::Pair => {
                let m = Self::output(&self.msisdn, &self.msisdn_out, (key >> 64) as u64);
                let c = Self::output(&self.cnic, &self.cnic_out, key as u64);
                m.zip(c).map(|(m, c)| online::pair_token(m, c))
            }
        };
        found.unwrap_or_else(|| {
            self.missing.fetch_add(1, Relaxed);
            Token([0; 32])
        })
    }

    /// How many lookups found no output: nonzero only if an input changed between the passes.
    pub(crate) fn missing(&self) -> u64 {
        self.missing.load(Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_by_kind_and_key() {
        let ids = Identifiers {
            msisdn: vec![5, 9],
            cnic: vec![7],
        };
        let t = OnlineTokens::new(
            ids,
            vec![Output([1; 64]), Output([2; 64])],
            vec![Output([3; 64])],
        );
        assert_eq!(
            t.token(TokenKind::Msisdn, 9),
            online::token(TokenKind::Msisdn, &[2; 64])
        );
        assert_eq!(
            t.token(TokenKind::Cnic, 7),
            online::token(TokenKind::Cnic, &[3; 64])
        );
        assert_eq!(
            t.token(TokenKind::Pair, (5u128 << 64) | 7),
            online::pair_token(&[1; 64], &[3; 64])
        );
        assert_eq!(t.missing(), 0);
        assert_eq!(t.token(TokenKind::Cnic, 5), Token([0; 32]));
        assert_eq!(t.token(TokenKind::Pair, (5u128 << 64) | 9), Token([0; 32]));
        assert_eq!(t.missing(), 2);
    }
}
