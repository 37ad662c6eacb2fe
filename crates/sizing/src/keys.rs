//! Sort keys: a keyed, **injective** map from identifiers to `u64`, with the identifier's
//! category (operator, or province and registered gender) in the high bits.
//!
//! Why not a truncated hash: a valid MSISDN's national number (< 10^10) and a valid CNIC
//! (< 10^13) both fit in 44 bits, so a keyed *bijection* of the 44-bit integers gives every
//! distinct identifier a distinct key. Counts are then exact with no hash-collision caveat, and
//! the map costs a few multiplications instead of a blake3 call. The bijection is a chain of
//! steps each invertible modulo 2^44 (xor and addition of random words, multiplication by random
//! odd numbers, xorshifts); a test inverts it.
//!
//! The key is drawn from the operating system for every run, lives only in memory and is never
//! written anywhere; nor are the sort keys. This is not a cryptographic permutation: it keeps
//! identifiers out of the sorted arrays, not away from someone who can read the process memory
//! (who has the raw dump in that memory anyway).
//!
//! Layout: `category << 44 | mix(id)`. Sorting therefore groups keys by category, and equal
//! identifiers always have equal keys, so sets built under one [`Keyer`] can be intersected.

use leakmatch_ingest::{Cnic, Msisdn, Operator, Province, RegisteredGender};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::SizingError;

/// Bits of the mixed identifier; the category sits above them.
pub(crate) const ID_BITS: u32 = 44;
const MASK: u64 = (1 << ID_BITS) - 1;

/// CNIC categories: province index × 2 + (0 male, 1 female).
pub(crate) const CNIC_CATEGORIES: usize = Province::COUNT * 2;

/// A fresh keyed bijection of the 44-bit integers (see the module docs); its key is wiped
/// when it is dropped.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Keyer {
    xor: [u64; 2],
    add: u64,
    mul: [u64; 3],
}

impl Keyer {
    /// A keyer under a fresh random key from the operating system.
    pub(crate) fn generate() -> Result<Keyer, SizingError> {
        let mut seed = Zeroizing::new([0u8; 48]);
        getrandom::fill(&mut seed[..]).map_err(|e| SizingError::Random(e.to_string()))?;
        let mut words = Zeroizing::new([0u64; 6]);
        for (w, bytes) in words.iter_mut().zip(seed.chunks_exact(8)) {
            let mut b = Zeroizing::new([0u8; 8]);
            b.copy_from_slice(bytes);
            *w = u64::from_le_bytes(*b);
        }
        Ok(Keyer::from_words(*words))
    }

    /// A keyer from six given words (tests; the multipliers are forced odd).
    pub(crate) fn from_words(w: [u64; 6]) -> Keyer {
        Keyer {
            xor: [w[0] & MASK, w[1] & MASK],
            add: w[2] & MASK,
            mul: [(w[3] | 1) & MASK, (w[4] | 1) & MASK, (w[5] | 1) & MASK],
        }
    }

    /// The keyed bijection on `0..2^44`.
    #[inline]
    pub(crate) fn mix(&self, id: u64) -> u64 {
        let mut x = (id ^ self.xor[0]) & MASK;
        x = x.wrapping_mul(self.mul[0]) & MASK;
        x ^= x >> 23;
        x = x.wrapping_add(self.add) & MASK;
        x = x.wrapping_mul(self.mul[1]) & MASK;
        x ^= x >> 21;
        x ^= self.xor[1];
        x = x.wrapping_mul(self.mul[2]) & MASK;
        x ^ (x >> 22)
    }

    /// Sort key of an MSISDN: operator (original allocation) above the mixed national number.
    #[inline]
    pub(crate) fn msisdn(&self, m: &Msisdn) -> u64 {
        ((m.operator().index() as u64) << ID_BITS) | self.mix(m.to_u64())
    }

    /// Sort key of a CNIC: province and registered gender above the mixed number.
    #[inline]
    pub(crate) fn cnic(&self, c: &Cnic) -> u64 {
        let gender = match c.registered_gender() {
            RegisteredGender::Male => 0,
            RegisteredGender::Female => 1,
        };
        let category = c.province().index() as u64 * 2 + gender;
        (category << ID_BITS) | self.mix(c.to_u64())
    }
}

/// Sort key of a pair: the CNIC key above the MSISDN key, so sorted pairs run by CNIC.
#[inline]
pub(crate) fn pair_key(msisdn_key: u64, cnic_key: u64) -> u128 {
    (u128::from(cnic_key) << 64) | u128::from(msisdn_key)
}

/// The CNIC key of a pair key.
#[inline]
pub(crate) fn pair_cnic(pair: u128) -> u64 {
    (pair >> 64) as u64
}

/// The category of an MSISDN or CNIC sort key.
#[inline]
pub(crate) fn category(key: u64) -> usize {
    (key >> ID_BITS) as usize
}

/// Operator of an MSISDN category.
pub(crate) fn operator_of(category: usize) -> Option<Operator> {
    Operator::ALL.get(category).copied()
}

/// Province and registered gender of a CNIC category.
pub(crate) fn cnic_category_of(category: usize) -> Option<(Province, RegisteredGender)> {
    let province = Province::ALL.get(category / 2).copied()?;
    let gender = if category % 2 == 0 {
        RegisteredGender::Male
    } else {
        RegisteredGender::Female
    };
    Some((province, gender))
}

#[cfg(test)]
mod tests {

    /// Issue 17 item 5: the sizing key is wiped when its keyer is dropped.
    #[test]
    fn keyer_key_is_wiped() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<Keyer>();
        let mut k = Keyer::generate().unwrap();
        assert_ne!(k.mix(1), 1);
        k.zeroize();
        assert_eq!((k.xor, k.add, k.mul), ([0; 2], 0, [0; 3]));
    }

    use super::*;
    use proptest::prelude::*;

    /// Multiplicative inverse of an odd number modulo 2^64 (Newton), then masked.
    fn inv(a: u64) -> u64 {
        let mut x = a;
        for _ in 0..6 {
            x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        }
        x & MASK
    }

    fn unxorshift(mut y: u64, s: u32) -> u64 {
        let mut x = y;
        for _ in 0..(ID_BITS / s + 1) {
            x = y ^ (x >> s);
        }
        y = x;
        y & MASK
    }

    /// The inverse of `Keyer::mix`: its existence is the proof that counts are exact.
    fn unmix(k: &Keyer, y: u64) -> u64 {
        let mut x = unxorshift(y, 22);
        x = x.wrapping_mul(inv(k.mul[2])) & MASK;
        x ^= k.xor[1];
        x = unxorshift(x, 21);
        x = x.wrapping_mul(inv(k.mul[1])) & MASK;
        x = x.wrapping_sub(k.add) & MASK;
        x = unxorshift(x, 23);
        x = x.wrapping_mul(inv(k.mul[0])) & MASK;
        x ^ k.xor[0]
    }

    proptest! {
        #[test]
        fn mix_is_invertible(words in any::<[u64; 6]>(), id in 0u64..(1 << 44)) {
            let k = Keyer::from_words(words);
            let y = k.mix(id);
            prop_assert!(y <= MASK);
            prop_assert_eq!(unmix(&k, y), id);
        }
    }

    #[test]
    fn keys_carry_categories() {
        let k = Keyer::generate().unwrap();
        let m = Msisdn::parse(b"03451234567").unwrap();
        assert_eq!(operator_of(category(k.msisdn(&m))), Some(Operator::Telenor));
        let c = Cnic::parse(b"35202-1234567-2").unwrap();
        let key = k.cnic(&c);
        assert_eq!(
            cnic_category_of(category(key)),
            Some((Province::Punjab, RegisteredGender::Female))
        );
        assert_eq!(pair_cnic(pair_key(k.msisdn(&m), key)), key);
        // A fresh keyer gives other keys (with overwhelming probability).
        let k2 = Keyer::generate().unwrap();
        assert_ne!(k.mix(3_001_234_567), k2.mix(3_001_234_567));
    }
}
