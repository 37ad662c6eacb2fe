//! Fast paths of the digit scanner for the commonest written forms, eight bytes at a time.
//!
//! `35202-1234567-1`, `0300-1234567`, `+923001234567`, `03001234567`: ASCII digits and `-`,
//! after at most one leading `+`. For these none of the scanner's other rules (trimming, decoding,
//! dots, `+` placement) can apply, so skipping the dashes gives exactly its result. Anything else
//! returns `None` and takes the general scanner; [`scan_run`] tries this path first, then the
//! general one.

use super::digits::{scan_any, Scanned};
use super::RejectReason;
use crate::swar::{load, HIGH, ONES};

/// High bit set in each byte of `x` that is not an ASCII digit (exact in every byte).
#[inline(always)]
fn non_digits(x: u64) -> u64 {
    // Digits become 0..=9; adding 0x76 to the low 7 bits sets the high bit from 10 up, and bytes
    // >= 0x80 keep theirs. No carry crosses a byte.
    let y = x ^ (ONES * 0x30);
    ((y & (ONES * 0x7F)).wrapping_add(ONES * 0x76) | y) & HIGH
}

/// High bit set in each byte of `x` equal to `b` (exact in every byte).
#[inline(always)]
fn bytes_equal(x: u64, b: u8) -> u64 {
    let v = x ^ (ONES * u64::from(b));
    !(((v & (ONES * 0x7F)).wrapping_add(ONES * 0x7F)) | v) & HIGH
}

/// Whether `s` is only ASCII digits, for 8 to 16 bytes (two overlapping words); `None` for other
/// lengths.
#[inline]
pub(super) fn all_ascii_digits(s: &[u8]) -> Option<bool> {
    if !(8..=16).contains(&s.len()) {
        return None;
    }
    let (a, b) = (load(s, 0)?, load(s, s.len() - 8)?);
    Some(non_digits(a) | non_digits(b) == 0)
}

/// The 13 digits of a CNIC written `ddddd-ddddddd-d` (ASCII), the form on the card.
#[inline]
pub(super) fn dashed_cnic(s: &[u8]) -> Option<[u8; 13]> {
    let s: &[u8; 15] = s.try_into().ok()?;
    if s[5] != b'-' || s[13] != b'-' {
        return None;
    }
    let mut d = [0u8; 13];
    d[..5].copy_from_slice(&s[..5]);
    d[5..12].copy_from_slice(&s[6..13]);
    d[12] = s[14];
    (all_ascii_digits(&d) == Some(true)).then_some(d)
}

/// [`scan_any`] with the fast path for digits and dashes (`0300-1234567`) tried first: faster
/// for scan mode's digit runs, which mostly have that shape, and slower for CSV fields, which
/// often do not (measured: column mode 4% slower with it, scan mode 7% faster).
#[inline]
pub(super) fn scan_run<const N: usize>(input: &[u8]) -> Result<Scanned<N>, RejectReason> {
    match scan_plain(input) {
        Some(scanned) => scanned,
        None => scan_any(input),
    }
}

/// The scanner's result for a plain form of 8 to 32 bytes after the `+`; `None` for any other
/// input (including plain forms without a digit, which are `Empty` there).
#[inline]
pub(super) fn scan_plain<const N: usize>(input: &[u8]) -> Option<Result<Scanned<N>, RejectReason>> {
    let (plus, body) = match input {
        [b'+', rest @ ..] => (true, rest),
        _ => (false, input),
    };
    if !(8..=32).contains(&body.len()) {
        return None;
    }
    // Digits are packed eight bytes at a time; the last word may write past them.
    let mut packed = [0u8; 40];
    let mut n = 0usize;
    let mut pos = 0usize;
    while pos < body.len() {
        let rest = body.len() - pos;
        // The last partial word is the input's last 8 bytes, shifted past those already seen.
        let (word, lanes, high) = if rest >= 8 {
            (load(body, pos)?, 8, HIGH)
        } else {
            let word = load(body, body.len() - 8)? >> (8 * (8 - rest));
            (word, rest, HIGH & ((1u64 << (8 * rest)) - 1))
        };
        let dashes = bytes_equal(word, b'-') & high;
        if non_digits(word) & high & !dashes != 0 {
            return None;
        }
        // Drop each dash, lowest first, moving the bytes (and dashes) above it down by one.
        // (`trailing_zeros` only: POPCNT and LZCNT are not in the baseline x86-64 target.)
        let mut word = word;
        let mut d = dashes;
        let mut kept = lanes;
        while d != 0 {
            let below = (1u64 << (d.trailing_zeros() - 7)) - 1;
            word = word & below | (word >> 8) & !below;
            d = (d >> 8) & !below;
            kept -= 1;
        }
        packed
            .get_mut(n..n + 8)?
            .copy_from_slice(&word.to_le_bytes());
        n += kept;
        pos += lanes;
    }
    match n {
        0 => None,
        n if n > N => Some(Err(RejectReason::BadLength)),
        n => {
            let mut buf = [0u8; N];
            buf.copy_from_slice(packed.get(..N)?);
            Some(Ok(Scanned { buf, len: n, plus }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a scan returned, as owned values.
    type Outcome = Result<(Vec<u8>, bool), RejectReason>;

    /// `scan_plain` where it answers, and `scan_any`, on the same input.
    fn both<const N: usize>(input: &[u8]) -> (Option<Outcome>, Outcome) {
        let show = |r: Result<Scanned<N>, RejectReason>| r.map(|s| (s.digits().to_vec(), s.plus));
        (scan_plain::<N>(input).map(show), show(scan_any::<N>(input)))
    }

    fn agree(input: &[u8]) {
        if let (Some(fast), slow) = both::<15>(input) {
            assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(input));
        }
        if let (Some(fast), slow) = both::<13>(input) {
            assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(input));
        }
    }

    fn text() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            12 => b'0'..=b'9',
            3 => Just(b'-'),
            1 => Just(b'+'),
            1 => proptest::sample::select(&b" .()\"'=eE,\t\xd9\xdb\xa0\xb0x/:"[..]),
        ];
        proptest::collection::vec(byte, 0..40)
    }

    /// `Msisdn::parse` and `Cnic::parse` (and their scan-mode `parse_run`, which tries the plain
    /// path first) with every fast path equal the general scanner's.
    fn parses_as_general(input: &[u8]) {
        use crate::normalize::{Cnic, Msisdn};
        let msisdn = scan_any::<15>(input).and_then(|s| Msisdn::from_digits(s.digits(), s.plus));
        let cnic = scan_any::<13>(input).and_then(|s| match <[u8; 13]>::try_from(s.digits()) {
            _ if s.plus => Err(RejectReason::Junk),
            Ok(d) => Cnic::from_canonical(d),
            Err(_) => Err(RejectReason::BadLength),
        });
        let text = String::from_utf8_lossy(input);
        assert_eq!(Msisdn::parse(input), msisdn, "{text:?}");
        assert_eq!(Cnic::parse(input), cnic, "{text:?}");
        assert_eq!(Msisdn::parse_run(input), msisdn, "{text:?}");
        assert_eq!(Cnic::parse_run(input), cnic, "{text:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn plain_path_equals_general_path(input in text()) {
            agree(&input);
            parses_as_general(&input);
        }

        #[test]
        fn all_ascii_digits_is_exact(input in proptest::collection::vec(any::<u8>(), 0..20)) {
            let want = (8..=16).contains(&input.len()).then(|| input.iter().all(u8::is_ascii_digit));
            prop_assert_eq!(all_ascii_digits(&input), want);
        }
    }

    #[test]
    fn plain_forms() {
        for s in [
            "35202-1234567-1",
            "+923001234567",
            "0300-1234567",
            "--------",
            "+--------",
            "1-+2345678",
            "3520212345671",
            "0092-300-1234567-12345",
            "12345678-12345678-12345678-1234",
        ] {
            agree(s.as_bytes());
        }
        for b in 0u8..=255 {
            for at in 0..12 {
                let mut s = *b"0300-1234567";
                s[at] = b;
                agree(&s);
            }
        }
        for s in ["35202-1234567-1", "+923001234567", "0300-1234567"] {
            assert!(both::<15>(s.as_bytes()).0.is_some(), "{s}");
        }
        assert_eq!(dashed_cnic(b"35202-1234567-1"), Some(*b"3520212345671"));
        // Every byte at every position of the forms with their own fast paths in `parse`.
        for form in [&b"35202-1234567-1"[..], b"+923001234567", b"3520212345671"] {
            for b in 0u8..=255 {
                for at in 0..form.len() {
                    let mut s = form.to_vec();
                    s[at] = b;
                    parses_as_general(&s);
                }
            }
        }
        assert_eq!(all_ascii_digits(b"0123456789"), Some(true));
        assert_eq!(all_ascii_digits(b"012345678/"), Some(false));
    }
}
