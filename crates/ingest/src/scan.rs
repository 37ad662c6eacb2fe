//! Scan mode: free text, one record per line, identifiers found by shape.
//!
//! A *run* starts at an ASCII digit, an Arabic-Indic or Extended Arabic-Indic (Urdu) digit, `+`
//! or `(`, and extends over digits and the separators `-` `(` `)` `+` `.` and space. A space
//! continues a run only while the run holds fewer than 10 digits and only if its first group
//! looks like the start of a spaced number (`+92`, `92`, `(0300)`, `0300`, or a 5-digit CNIC
//! group; a spaced CNIC's check digit also joins): `+92 300 1234567` and `35202 1234567 1` are one run each, while `03001234567
//! 3520212345671` and `age 34 0300 1234567` give two. A run that got over 14 digits by joining
//! groups is retried without its first group. The run ends at its last digit. Classification by digit
//! count (an Excel fraction at the end, `.0`, not counted): fewer than 10 → ignored (ages, dates,
//! amounts); 13 → CNIC candidate, unless the run starts with `+`; 10–12, 14, or 13 after a `+`
//! → MSISDN candidate; 15 or more (IMSI, IMEI, card numbers) → ignored, never an identifier.
//! Candidates go to the normalizer, which decides validity and counts rejections.
//!
//! # Fast path
//!
//! The rules above are [`runs`], applied to each line by [`parse_lines`], the portable path.
//! Where the CPU has AVX2 (detected at run time, see `classify`), [`parse_chunk`] emits exactly
//! the same through a block walk instead (`segments`): each 64-byte block is classified into
//! bitmasks of digits, run bytes (digits, `-()+.`, space, both bytes of a wide digit) and
//! newlines. A run never crosses a byte that is not a run byte, so the run finder can be given
//! each maximal *segment* of run bytes on its own; a segment with fewer than 10 digits cannot
//! hold a candidate and costs only bit operations. A candidate segment whose shape is simple
//! (ASCII, no space between its digits) has its one run read off its masks (`shape`); any other
//! goes to [`runs`]. A simple run that is *plain* (digits and at most two dashes, maybe after a
//! `+`) has its digits packed by a byte shuffle and goes to the normalizer as digits, skipping
//! its scanner (`normalize::known`). Newlines end records in the same pass, in order with the candidates. The
//! differential tests in `walk_tests` hold both paths to the same records and counts.

#[cfg(target_arch = "x86_64")]
mod classify;
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
mod direct;
#[cfg(test)]
mod reference;
// Without x86-64 only the tests drive the walk.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
mod segments;
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
mod shape;
#[cfg(test)]
mod walk_tests;

use memchr::memchr;

use crate::content::IdKind;
use crate::emit::Emitter;
use crate::swar::{load, skip_digits, zero_bytes, HIGH, ONES};
use crate::RecordSink;

const OTHER: u8 = 0;
const DIGIT: u8 = 1;
/// `+` and `(`: may start a run.
const OPEN: u8 = 2;
/// `-` `)` `.`: inside a run only.
const SEP: u8 = 3;
const SPACE: u8 = 4;
/// 0xD9 / 0xDB: lead byte of an Arabic-Indic / Urdu digit.
const LEAD: u8 = 5;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = DIGIT;
        b += 1;
    }
    t[b'+' as usize] = OPEN;
    t[b'(' as usize] = OPEN;
    t[b'-' as usize] = SEP;
    t[b')' as usize] = SEP;
    t[b'.' as usize] = SEP;
    t[b' ' as usize] = SPACE;
    t[0xD9] = LEAD;
    t[0xDB] = LEAD;
    t
};

/// Whether `s[i..]` starts with a two-byte Arabic-Indic (U+0660–0669) or Urdu (U+06F0–06F9)
/// digit.
#[inline]
fn wide_digit(s: &[u8], i: usize) -> bool {
    match (s[i], s.get(i + 1)) {
        (0xD9, Some(&b)) => (0xA0..=0xA9).contains(&b),
        (0xDB, Some(&b)) => (0xB0..=0xB9).contains(&b),
        _ => false,
    }
}

/// Whether a run's first group may continue across a space: it looks like the start of a
/// spaced number (`+92 `, `(0300) `, `0300 `, `92 `, or a 5-digit CNIC group).
fn joinable(group: &[u8]) -> bool {
    matches!(group.first(), Some(b'+' | b'(' | b'0'))
        || group == b"92"
        || group.iter().filter(|b| b.is_ascii_digit()).count() == 5
}

fn has_zero(v: u64) -> bool {
    zero_bytes(v) != 0
}

/// Whether any byte of the 8 bytes in `x` may start a run: an ASCII digit, `+`, `(`, or any
/// non-ASCII byte (checked exactly by the byte loop).
#[inline]
fn maybe_start(x: u64) -> bool {
    // Bytes strictly between 0x2F and 0x3A, for bytes < 0x80 ("hasbetween" bit hack).
    let low = x & (ONES * 0x7F);
    let digit =
        (ONES * (0x7F + 0x3A)).wrapping_sub(low) & !x & low.wrapping_add(ONES * (0x7F - 0x2F));
    digit & HIGH != 0 || x & HIGH != 0 || has_zero(x ^ (ONES * 0x2B)) || has_zero(x ^ (ONES * 0x28))
}

/// Calls `found(run, digits)` for every run of `line` with at least 10 digits.
#[inline]
pub(crate) fn runs(line: &[u8], mut found: impl FnMut(&[u8], usize)) {
    let n = line.len();
    let mut i = 0;
    while i < n {
        // Skip to a possible start, eight bytes at a time where none can start a run.
        while let Some(w) = load(line, i) {
            if maybe_start(w) {
                break;
            }
            i += 8;
        }
        while i < n && !matches!(CLASS[usize::from(line[i])], DIGIT | OPEN | LEAD) {
            i += 1;
        }
        if i >= n {
            break;
        }
        if CLASS[usize::from(line[i])] == LEAD && !wide_digit(line, i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = 0usize;
        let mut last_digit_end = start;
        let mut first_space = None;
        let mut first_group = 0;
        loop {
            let group = i;
            i = skip_digits(line, i);
            if i > group {
                digits += i - group;
                last_digit_end = i;
            }
            if i >= n {
                break;
            }
            match CLASS[usize::from(line[i])] {
                LEAD if wide_digit(line, i) => {
                    digits += 1;
                    i += 2;
                    last_digit_end = i;
                }
                OPEN | SEP => i += 1,
                SPACE if digits < 10 && (first_space.is_some() || joinable(&line[start..i])) => {
                    if first_space.is_none() {
                        first_space = Some(i);
                        first_group = digits;
                    }
                    i += 1;
                }
                // The check digit of a spaced CNIC, `35202 1234567 1`.
                SPACE
                    if digits == 12
                        && first_group == 5
                        && line.get(i + 1).is_some_and(u8::is_ascii_digit)
                        && !line.get(i + 2).is_some_and(u8::is_ascii_digit) =>
                {
                    i += 1;
                }
                _ => break,
            }
        }
        if (10..=14).contains(&digits) || (digits > 14 && first_space.is_none()) {
            found(&line[start..last_digit_end], digits);
        } else if let Some(space) = first_space.filter(|_| digits > 14) {
            // Two numbers joined by a space: try again without the first group.
            i = space + 1;
            continue;
        }
        if i == start {
            i += 1;
        }
    }
}

/// Parses a chunk of whole lines starting at absolute offset `base`: the AVX2 segment walk
/// where the CPU has AVX2, otherwise the line loop. Both emit exactly the same.
pub(crate) fn parse_chunk<S: RecordSink>(data: &[u8], base: u64, em: &mut Emitter<'_, S>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = classify::Avx2::detect() {
        simd.parse_chunk(data, base, em);
        return;
    }
    parse_lines(data, base, em);
}

/// The portable path: one line at a time, the run finder over each whole line.
pub(crate) fn parse_lines<S: RecordSink>(data: &[u8], base: u64, em: &mut Emitter<'_, S>) {
    let mut pos = 0;
    while pos < data.len() {
        let end = memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k);
        let line = &data[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.is_empty() {
            emit_runs(line, em);
            em.record(base + pos as u64, line);
        }
        pos = end + 1;
    }
}

/// Hands the candidates among the runs of `text` to the normalizer.
#[inline]
fn emit_runs<S: RecordSink>(text: &[u8], em: &mut Emitter<'_, S>) {
    runs(text, |run, digits| emit_run(run, digits as u32, em));
}

/// Hands a run with `digits` digits to the normalizer if it is a candidate. An Excel decimal
/// fraction at its end (`.0`, `.00`, or another one or two digits after the run's only `.`,
/// which the normalizer drops or rejects as junk) does not count. Then 13 digits are a CNIC
/// unless the run starts with `+` (a CNIC never has one: `+92 (0) 300 1234567`,
/// `+92 0300 1234567` are numbers); 10–14 are an MSISDN.
#[inline]
fn emit_run<S: RecordSink>(run: &[u8], digits: u32, em: &mut Emitter<'_, S>) {
    match candidate(run, digits) {
        Some(IdKind::Cnic) => em.cnic_run(run),
        Some(IdKind::Msisdn) => em.msisdn_run(run),
        None => {}
    }
}

/// The kind a run with `digits` digits is a candidate for, by the rules of [`emit_run`].
#[inline]
pub(crate) fn candidate(run: &[u8], digits: u32) -> Option<IdKind> {
    let tail = &run[run.len().saturating_sub(5)..];
    let digits = if tail.contains(&b'.') {
        digits - fraction_digits(run)
    } else {
        digits
    };
    match digits {
        13 if run.first() != Some(&b'+') => Some(IdKind::Cnic),
        10..=14 => Some(IdKind::Msisdn),
        _ => None,
    }
}

/// Digits of a decimal fraction ending `run`: one or two digits (any script) after a `.` that
/// is the run's only one, as the normalizer's Excel-suffix rule reads it; 0 otherwise.
#[cold]
#[inline(never)]
fn fraction_digits(run: &[u8]) -> u32 {
    let mut i = run.len();
    let mut n = 0;
    while n < 3 && i > 0 {
        if run[i - 1].is_ascii_digit() {
            i -= 1;
        } else if i >= 2 && wide_digit(run, i - 2) {
            i -= 2;
        } else {
            break;
        }
        n += 1;
    }
    let dot = i.checked_sub(1).filter(|&d| run[d] == b'.');
    match dot {
        Some(d) if (1..=2).contains(&n) && !run[..d].contains(&b'.') => n,
        _ => 0,
    }
}

/// [`emit_run`] for a plain run (see `shape`) with `digits` digits, packed in the low bytes of
/// `packed`, after a `+` if `plus`.
#[inline(always)]
fn emit_plain<S: RecordSink>(packed: u128, digits: u32, plus: bool, em: &mut Emitter<'_, S>) {
    match digits {
        13 if !plus => em.cnic_digits(packed, plus),
        10..=14 => em.msisdn_digits(packed, digits, plus),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(line: &str) -> Vec<(String, usize)> {
        let mut v = Vec::new();
        runs(line.as_bytes(), |r, d| {
            v.push((String::from_utf8_lossy(r).into_owned(), d))
        });
        v
    }

    #[test]
    fn swar_start_filter_is_exact_for_ascii() {
        for b in 0u8..=255 {
            for pos in 0..8 {
                let mut w = [b'a'; 8];
                w[pos] = b;
                let want = b.is_ascii_digit() || b == b'+' || b == b'(' || b >= 0x80;
                assert_eq!(
                    maybe_start(u64::from_le_bytes(w)),
                    want,
                    "byte {b:#x} at {pos}"
                );
            }
        }
    }

    #[test]
    fn finds_runs() {
        assert_eq!(
            all("Ali +92 300 1234567, cnic 35202-1234567-1 age 34 (0300) 7654321."),
            vec![
                ("+92 300 1234567".into(), 12),
                ("35202-1234567-1".into(), 13),
                ("(0300) 7654321".into(), 11),
            ]
        );
        assert_eq!(
            all("03001234567 3520212345671"),
            vec![("03001234567".into(), 11), ("3520212345671".into(), 13)]
        );
        assert_eq!(
            all("imsi 410011234567890 on 2024-01-05"),
            vec![("410011234567890".into(), 15)]
        );
        assert_eq!(
            all("age 34 0300 1234567; postal 46360 03001234567; 35202 1234567 1"),
            vec![
                ("0300 1234567".into(), 11),
                ("03001234567".into(), 11),
                ("35202 1234567 1".into(), 13),
            ]
        );
        assert_eq!(all("no numbers here ( + - ."), vec![]);
        // Urdu digits ۰۳۰۰۱۲۳۴۵۶۷ (11 digits).
        assert_eq!(all("فون ۰۳۰۰۱۲۳۴۵۶۷").len(), 1);
        assert_eq!(all("\u{d9}"), vec![]);
    }

    #[test]
    fn excel_fractions_do_not_count_as_digits() {
        assert_eq!(fraction_digits(b"923001234567.0"), 1);
        assert_eq!(fraction_digits(b"3520212345671.00"), 2);
        assert_eq!(fraction_digits("۹۲۳۰۰۱۲۳۴۵۶۷.۰".as_bytes()), 1);
        assert_eq!(fraction_digits(b"300.123.4567"), 0);
        assert_eq!(fraction_digits(b"3001234.000"), 0);
        assert_eq!(fraction_digits(b"0300.1234567.5"), 0);
        assert_eq!(fraction_digits(b"03001234567"), 0);
    }

    /// Regression: in free text, renderings column mode accepts were once counted as the other
    /// kind (`923001234567.0` as a 13-digit CNIC, `+92 (0) 300 1234567` too) and lost.
    #[test]
    fn renderings_once_lost_in_scan_mode_are_found() {
        use crate::emit::Emitter;
        #[derive(Default)]
        struct Ids(Vec<String>, Vec<String>);
        impl RecordSink for Ids {
            fn record(&mut self, r: &crate::Record<'_>) {
                self.0
                    .extend(r.msisdns.iter().map(|m| m.as_str().to_string()));
                self.1
                    .extend(r.cnics.iter().map(|c| c.as_str().to_string()));
            }
        }
        let line = b"7|Ali|923001234567.0|3520212345671.0|+92 (0) 300 1234568|+92 0300 1234569|\
            +9203001234560|3001234561.0|410011234567890|2021-03-04\n";
        let mut padded = line.to_vec();
        padded.extend(std::iter::repeat_n(b' ', 128));
        for walk in [true, false] {
            let mut sink = Ids::default();
            let mut em = Emitter::new(&mut sink);
            if walk {
                parse_chunk(&padded, 0, &mut em);
            } else {
                parse_lines(&padded, 0, &mut em);
            }
            let report = em.into_report();
            assert_eq!(report.stats.msisdn.rejected_total(), 0);
            assert_eq!(report.stats.cnic.rejected_total(), 0);
            assert_eq!(
                sink.0,
                [
                    "923001234567",
                    "923001234568",
                    "923001234569",
                    "923001234560",
                    "923001234561"
                ]
            );
            assert_eq!(sink.1, ["3520212345671"]);
        }
    }
}
