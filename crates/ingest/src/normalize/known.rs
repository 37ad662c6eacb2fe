//! Identifiers from digits the caller already knows: scan mode's plain runs.
//!
//! The segment walk recognises a run made only of ASCII digits and dashes, maybe after one `+`,
//! from its byte masks, and hands over its digits already packed (`35202-1234567-1` as
//! `3520212345671`). For such a run the scanner's result is those digits and the `+`, so all that
//! is left of [`Msisdn::parse`] is the prefix rule of `from_digits`, and of [`Cnic::parse`] the
//! province and check digit rule. Here they are table lookups rather than a chain of branches
//! (the forms are mixed in real text, so the branches mispredict). The general functions answer
//! every case the tables do not accept, so the results are theirs by construction.

use super::{Cnic, Msisdn, RejectReason};

/// For each written form, indexed by `plus * 5 + digits - 10`: the prefix a valid MSISDN has in
/// front of its national number, followed by the national number's leading `3`, as
/// (little-endian bytes, mask). A form that is never valid has an impossible pair.
const PREFIX: [(u64, u64); 10] = {
    /// `text` as the low bytes of a word, with the mask of those bytes.
    const fn word(text: &[u8]) -> (u64, u64) {
        let mut value = 0u64;
        let mut i = 0;
        while i < text.len() {
            value |= (text[i] as u64) << (8 * i);
            i += 1;
        }
        (value, (1u64 << (8 * i)) - 1)
    }
    const NEVER: (u64, u64) = (1, 0);
    [
        // Without `+`: `3001234567`, `03001234567`, `923001234567`, `9203001234567`,
        // `00923001234567`.
        word(b"3"),
        word(b"03"),
        word(b"923"),
        word(b"9203"),
        word(b"00923"),
        // With `+`: only `+923001234567` and `+9203001234567`.
        NEVER,
        NEVER,
        word(b"923"),
        word(b"9203"),
        NEVER,
    ]
};

/// Bit `t` of entry `s`: a national number `3st…` is mobile (libphonenumber's PK mobile pattern
/// `3(?:[0-247]\d|3[0-79]|55|64)\d{7}`, see `allocation::is_mobile`).
const MOBILE: [u16; 16] = {
    let mut t = [0u16; 16];
    t[0] = 0x3FF;
    t[1] = 0x3FF;
    t[2] = 0x3FF;
    t[3] = 0x3FF & !(1 << 8);
    t[4] = 0x3FF;
    t[5] = 1 << 5;
    t[6] = 1 << 4;
    t[7] = 0x3FF;
    t
};

impl Msisdn {
    /// What [`Msisdn::parse`] gives for a run of `n` ASCII digits and dashes (`n` in 10..=14),
    /// after a `+` if `plus`; `digits` holds the digits in its low `n` bytes (little-endian).
    /// (The emitter calls its two halves itself.)
    #[cfg(test)]
    pub(crate) fn from_known_digits(
        digits: u128,
        n: u32,
        plus: bool,
    ) -> Result<Msisdn, RejectReason> {
        match Self::valid_known_digits(digits, n, plus) {
            Some(m) => Ok(m),
            None => Self::from_known_digits_cold(digits, n, plus),
        }
    }

    /// The valid number a run of `n` ASCII digits and dashes (`n` in 10..=14, the low bytes of
    /// `digits`), after a `+` if `plus`, normalizes to, as [`Msisdn::parse`] would give it;
    /// `None` where the tables do not accept the digits (then the cold half gives the result).
    #[inline(always)]
    pub(crate) fn valid_known_digits(digits: u128, n: u32, plus: bool) -> Option<Msisdn> {
        let (value, mask) = PREFIX
            .get(usize::from(plus) * 5 + (n as usize).wrapping_sub(10))
            .copied()
            .unwrap_or((1, 0));
        // The national number is the last 10 digits; an ASCII digit's value is its low nibble.
        // (Kept in registers: a byte array here costs a store-forwarding stall.)
        let nsn = digits >> (8 * (n.wrapping_sub(10) & 7));
        let second = (nsn >> 8) as usize & 15;
        let third = (nsn >> 16) as u32 & 15;
        if digits as u64 & mask != value || MOBILE[second] >> third & 1 == 0 {
            return None;
        }
        // `92` and the national number.
        let bytes = (nsn << 16 | 0x3239).to_le_bytes();
        let mut out = [0u8; 12];
        out.copy_from_slice(&bytes[..12]);
        Some(Msisdn(out))
    }

    /// What [`Msisdn::parse`] gives for the digits the tables do not accept (by the general
    /// rules: an error): out of line, as these are rare.
    #[cold]
    #[inline(never)]
    pub(crate) fn from_known_digits_cold(
        digits: u128,
        n: u32,
        plus: bool,
    ) -> Result<Msisdn, RejectReason> {
        let bytes = digits.to_le_bytes();
        Self::from_digits(bytes.get(..n as usize).unwrap_or(&[]), plus)
    }
}

impl Cnic {
    /// What [`Cnic::parse`] gives for a run of 13 ASCII digits and dashes, after a `+` if `plus`;
    /// `digits` holds the digits in its low 13 bytes (little-endian). (The emitter calls its two
    /// halves itself.)
    #[cfg(test)]
    pub(crate) fn from_known_digits(digits: u128, plus: bool) -> Result<Cnic, RejectReason> {
        match Self::valid_known_digits(digits, plus) {
            Some(c) => Ok(c),
            None => Self::from_known_digits_cold(digits, plus),
        }
    }

    /// The valid CNIC a run of 13 ASCII digits and dashes (the low bytes of `digits`), after a
    /// `+` if `plus`, normalizes to, as [`Cnic::parse`] would give it; `None` otherwise.
    #[inline(always)]
    pub(crate) fn valid_known_digits(digits: u128, plus: bool) -> Option<Cnic> {
        let first = digits as u8;
        let last = (digits >> 96) as u8;
        if plus || !(b'1'..=b'7').contains(&first) || last == b'0' {
            return None;
        }
        let mut out = [0u8; 13];
        out.copy_from_slice(&digits.to_le_bytes()[..13]);
        Some(Cnic(out))
    }

    /// What [`Cnic::parse`] gives for digits that are no valid CNIC (an error): out of line, as
    /// these are rare.
    #[cold]
    #[inline(never)]
    pub(crate) fn from_known_digits_cold(digits: u128, plus: bool) -> Result<Cnic, RejectReason> {
        if plus {
            return Err(RejectReason::Junk);
        }
        let mut out = [0u8; 13];
        out.copy_from_slice(&digits.to_le_bytes()[..13]);
        Self::from_canonical(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `n` digits starting with one of the prefixes that matter, then random digits.
    fn digits() -> impl Strategy<Value = ([u8; 16], u32, bool)> {
        let head = proptest::sample::select(
            &[
                "", "0", "3", "03", "92", "923", "920", "9203", "0092", "00923", "009203", "33",
                "338", "355", "364", "35", "36", "00", "9", "0093", "93", "09",
            ][..],
        );
        (
            head,
            proptest::collection::vec(b'0'..=b'9', 16),
            10u32..=14,
            any::<bool>(),
        )
            .prop_map(|(head, tail, n, plus)| {
                let mut d = [0u8; 16];
                d.copy_from_slice(&tail);
                d[..head.len()].copy_from_slice(head.as_bytes());
                (d, n, plus)
            })
    }

    /// The general result for the same digits, as `parse` computes it.
    fn general_msisdn(d: &[u8; 16], n: u32, plus: bool) -> Result<Msisdn, RejectReason> {
        let digits = std::str::from_utf8(&d[..n as usize]).unwrap();
        let text = if plus {
            format!("+{digits}")
        } else {
            digits.to_owned()
        };
        Msisdn::parse(text.as_bytes())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20000))]

        #[test]
        fn msisdn_equals_parse((d, n, plus) in digits()) {
            prop_assert_eq!(
                Msisdn::from_known_digits(u128::from_le_bytes(d), n, plus),
                general_msisdn(&d, n, plus)
            );
        }

        #[test]
        fn cnic_equals_parse((d, _n, plus) in digits()) {
            let digits = std::str::from_utf8(&d[..13]).unwrap();
            let text = if plus { format!("+{digits}") } else { digits.to_owned() };
            prop_assert_eq!(
                Cnic::from_known_digits(u128::from_le_bytes(d), plus),
                Cnic::parse(text.as_bytes())
            );
        }
    }

    #[test]
    fn every_prefix_and_mobile_code() {
        // Every national number start `3st` after every prefix of every length.
        for head in ["", "0", "92", "920", "0092", "00", "9", "09", "0920"] {
            for lead in b'0'..=b'9' {
                for s in b'0'..=b'9' {
                    for t in b'0'..=b'9' {
                        let mut d = *b"0000000000000000";
                        d[..head.len()].copy_from_slice(head.as_bytes());
                        d[head.len()..head.len() + 3].copy_from_slice(&[lead, s, t]);
                        for n in 10..=14 {
                            for plus in [false, true] {
                                assert_eq!(
                                    Msisdn::from_known_digits(u128::from_le_bytes(d), n, plus),
                                    general_msisdn(&d, n, plus),
                                    "{head} {n} {plus}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
