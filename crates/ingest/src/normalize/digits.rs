//! The digit scanner shared by [`Msisdn`](super::Msisdn) and [`Cnic`](super::Cnic).
//!
//! One pass over the bytes into a fixed stack buffer; bytes `>= 0x80` are only decoded when
//! seen. The rules are documented in the parent module.

use super::RejectReason;

/// The digits of a candidate, as ASCII, plus whether a leading `+` was written.
pub(super) struct Scanned<const N: usize> {
    pub(super) buf: [u8; N],
    pub(super) len: usize,
    /// A `+` appeared before the first digit.
    pub(super) plus: bool,
}

impl<const N: usize> Scanned<N> {
    /// The digits, ASCII `0`-`9`, at most `N` of them.
    #[inline]
    pub(super) fn digits(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

/// Extracts at most `N` digits. Errors: `Empty` (no digit), `Lossy` (scientific notation),
/// `Junk` (a character outside the accepted set, a `+` after a digit, or a non-zero decimal
/// fraction), `BadLength` (more than `N` digits). `Junk` is reported even if too many digits
/// came first, so the reason does not depend on where the bad character is.
///
/// [`scan_run`](super::plain::scan_run) gives the same result, trying the digits-and-dashes fast
/// path first.
#[inline]
pub(super) fn scan_any<const N: usize>(input: &[u8]) -> Result<Scanned<N>, RejectReason> {
    let body = trim(input);
    let mut buf = [0u8; N];
    // Digits seen; may exceed N, only the first N are stored.
    let mut n = 0usize;
    let mut plus = false;
    let mut dots = 0u32;
    let mut i = 0usize;
    while let Some(&b) = body.get(i) {
        i += 1;
        let digit = if b.is_ascii_digit() {
            b
        } else {
            match b {
                b' ' | b'-' | b'(' | b')' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => continue,
                b'.' => {
                    dots += 1;
                    continue;
                }
                b'+' if n == 0 => {
                    plus = true;
                    continue;
                }
                0x80.. => match (b, body.get(i).copied()) {
                    // Extended Arabic-Indic (Urdu) digits U+06F0..U+06F9.
                    (0xDB, Some(c @ 0xB0..=0xB9)) => {
                        i += 1;
                        c - 0xB0 + b'0'
                    }
                    // Arabic-Indic digits U+0660..U+0669.
                    (0xD9, Some(c @ 0xA0..=0xA9)) => {
                        i += 1;
                        c - 0xA0 + b'0'
                    }
                    // NO-BREAK SPACE U+00A0, ARABIC LETTER MARK U+061C.
                    (0xC2, Some(0xA0)) | (0xD8, Some(0x9C)) => {
                        i += 1;
                        continue;
                    }
                    // ZWSP U+200B, LRM U+200E, RLM U+200F, NARROW NO-BREAK SPACE U+202F.
                    (0xE2, Some(0x80))
                        if matches!(body.get(i + 1), Some(0x8B | 0x8E | 0x8F | 0xAF)) =>
                    {
                        i += 2;
                        continue;
                    }
                    _ => return Err(junk_or_lossy(body)),
                },
                _ => return Err(junk_or_lossy(body)),
            }
        };
        if let Some(slot) = buf.get_mut(n) {
            *slot = digit;
        }
        n += 1;
    }
    if dots == 1 {
        if let Some((frac_digits, zero)) = fraction(body) {
            if !zero {
                return Err(RejectReason::Junk);
            }
            n -= frac_digits;
        }
    }
    if n == 0 {
        return Err(RejectReason::Empty);
    }
    if n > N {
        return Err(RejectReason::BadLength);
    }
    Ok(Scanned { buf, len: n, plus })
}

/// Strips surrounding ASCII whitespace and quotes, and Excel's `="…"` text-formula wrapper.
#[inline]
fn trim(mut s: &[u8]) -> &[u8] {
    const fn pad(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c | b'"' | b'\'')
    }
    if let [b'=', b'"', rest @ ..] = s {
        s = rest;
    }
    while let [first, rest @ ..] = s {
        if !pad(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !pad(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// Called once a character outside the accepted set is found.
#[cold]
fn junk_or_lossy(body: &[u8]) -> RejectReason {
    if is_scientific(body) {
        RejectReason::Lossy
    } else {
        RejectReason::Junk
    }
}

/// `[+-]? digits ([.,] digits)? [eE] [+-]? digits`, ASCII only, at least one mantissa digit.
fn is_scientific(s: &[u8]) -> bool {
    fn digits(s: &[u8], i: &mut usize) -> usize {
        let start = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    }
    let mut i = 0;
    if matches!(s.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut mantissa = digits(s, &mut i);
    if matches!(s.get(i), Some(b'.' | b',')) {
        i += 1;
        mantissa += digits(s, &mut i);
    }
    if mantissa == 0 || !matches!(s.get(i), Some(b'e' | b'E')) {
        return false;
    }
    i += 1;
    if matches!(s.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    digits(s, &mut i) > 0 && i == s.len()
}

/// If `body` ends in `.` followed by one or two digit characters (any accepted script),
/// returns how many digits and whether they are all zero.
fn fraction(body: &[u8]) -> Option<(usize, bool)> {
    let mut rest = body;
    let mut count = 0;
    let mut zero = true;
    loop {
        match rest {
            [.., b'.'] if count > 0 => return Some((count, zero)),
            _ if count == 2 => return None,
            [head @ .., b] if b.is_ascii_digit() => {
                zero &= *b == b'0';
                rest = head;
            }
            [head @ .., 0xDB, c @ 0xB0..=0xB9] => {
                zero &= *c == 0xB0;
                rest = head;
            }
            [head @ .., 0xD9, c @ 0xA0..=0xA9] => {
                zero &= *c == 0xA0;
                rest = head;
            }
            _ => return None,
        }
        count += 1;
    }
}
