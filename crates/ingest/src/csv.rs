//! CSV-like records: delimiter detection, header splitting and the column-mode chunk parser.
//!
//! Quoting follows the rule of [`crate::chunk`]: a delimiter or newline counts only where the
//! number of `"` since the record's start is even. For well-formed RFC 4180 input that is exactly
//! RFC 4180 (quoted delimiters, doubled quotes, newlines in quotes); for malformed input it is
//! still deterministic and identical in chunked and sequential parsing. A field handed to the
//! normalizer loses one pair of surrounding quotes and nothing else; a trailing `\r` before the
//! newline is dropped from the raw record and its last field. Blank lines are not records.
//!
//! Column mode has two parsers with identical output (records, counts, events; a differential
//! property test holds them to it): [`parse_indexed`] walks the bit masks of a
//! [`crate::structural`] index, 64 bytes at a time, and never looks at the bytes of unselected
//! fields or record tails; it runs where the CPU has AVX2. [`parse_scalar`], a field at a time
//! with SWAR and `memchr`, is the portable fallback and the reference.

use memchr::memchr;

use crate::chunk::find_record_end;
use crate::emit::{Emitter, EventKind};
use crate::structural::Kernel;
use crate::swar::find3;
use crate::RecordSink;

mod indexed;

use indexed::parse_indexed;

/// Delimiters tried by detection, in order of preference on ties.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records detection looks at.
const SAMPLE_RECORDS: usize = 20;

/// Splits the record starting at `data[0]` into fields. Returns the fields (raw, quotes kept),
/// the end of the record (newline index or `data.len()`), and whether it ended inside quotes.
pub(crate) fn split_record(data: &[u8], delim: u8) -> (Vec<&[u8]>, usize, bool) {
    let mut fields = Vec::new();
    let mut odd = false;
    let mut start = 0;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'"' {
            odd = !odd;
        } else if !odd && (b == delim || b == b'\n') {
            fields.push(&data[start..i]);
            if b == b'\n' {
                let last = fields.len() - 1;
                fields[last] = strip_cr(fields[last]);
                return (fields, i, false);
            }
            start = i + 1;
        }
        i += 1;
    }
    fields.push(strip_cr(&data[start..]));
    (fields, data.len(), odd)
}

fn strip_cr(f: &[u8]) -> &[u8] {
    f.strip_suffix(b"\r").unwrap_or(f)
}

/// Removes one pair of surrounding quotes.
#[inline]
pub(crate) fn unquote(f: &[u8]) -> &[u8] {
    if f.len() >= 2 && f[0] == b'"' && f[f.len() - 1] == b'"' {
        &f[1..f.len() - 1]
    } else {
        f
    }
}

/// Picks the delimiter from the first records of `data`: the candidate with the same non-zero
/// count (outside quotes) on every sampled record, preferring the highest count; failing that
/// the most frequent; `,` when none occurs. A record cut by the end of the sample is ignored
/// unless it is the only one.
pub(crate) fn detect_delimiter(data: &[u8]) -> u8 {
    let mut counts: Vec<[usize; 4]> = Vec::new();
    let mut pos = 0;
    while pos < data.len() && counts.len() < SAMPLE_RECORDS {
        let rest = &data[pos..];
        let (end, complete) = match find_record_end(rest, false) {
            Ok(k) => (k, true),
            Err(_) => (rest.len(), false),
        };
        if !complete && !counts.is_empty() {
            break;
        }
        let rec = &rest[..end];
        if !rec.iter().all(|b| b.is_ascii_whitespace()) {
            let mut c = [0usize; 4];
            let mut odd = false;
            for &b in rec {
                if b == b'"' {
                    odd = !odd;
                } else if !odd {
                    if let Some(j) = DELIMITERS.iter().position(|&d| d == b) {
                        c[j] += 1;
                    }
                }
            }
            counts.push(c);
        }
        pos += end + 1;
    }
    let Some(first) = counts.first() else {
        return b',';
    };
    let consistent = (0..4)
        .filter(|&j| counts.iter().all(|c| c[j] > 0 && c[j] == first[j]))
        .max_by_key(|&j| (first[j], std::cmp::Reverse(j)));
    let total = |j: usize| counts.iter().map(|c| c[j]).sum::<usize>();
    let best = consistent.or_else(|| {
        (0..4)
            .filter(|&j| total(j) > 0)
            .max_by_key(|&j| (total(j), std::cmp::Reverse(j)))
    });
    best.map_or(b',', |j| DELIMITERS[j])
}

/// Column mode: delimiter and kind bits per 0-based field position (trailing zeros trimmed).
#[derive(Debug, Clone)]
pub(crate) struct CsvPlan {
    pub delim: u8,
    pub kinds: Vec<u8>,
}

/// Parses a chunk that starts at a record start. `base` is the chunk's absolute offset.
pub(crate) fn parse_chunk<S: RecordSink>(
    plan: &CsvPlan,
    data: &[u8],
    base: u64,
    em: &mut Emitter<'_, S>,
) {
    match Kernel::detect() {
        Some(kernel) => parse_indexed(plan, data, base, kernel, em),
        None => parse_scalar(plan, data, base, em),
    }
}

/// [`parse_chunk`] a field at a time with SWAR and `memchr`: the portable path, and the
/// reference the indexed parser is tested against.
fn parse_scalar<S: RecordSink>(plan: &CsvPlan, data: &[u8], base: u64, em: &mut Emitter<'_, S>) {
    let delim = plan.delim;
    let kinds = plan.kinds.as_slice();
    let len = data.len();
    let mut pos = 0;
    while pos < len {
        let start = pos;
        let mut odd = false;
        let mut col = 0;
        // Index of the record's newline (or len), and whether it ended inside quotes.
        let (end, open) = loop {
            if col >= kinds.len() {
                match find_record_end(&data[pos..], odd) {
                    Ok(k) => break (pos + k, false),
                    Err(o) => break (len, o),
                }
            }
            let fstart = pos;
            loop {
                if odd {
                    match memchr(b'"', &data[pos..]) {
                        Some(j) => {
                            pos += j + 1;
                            odd = false;
                        }
                        None => {
                            pos = len;
                            break;
                        }
                    }
                } else {
                    pos = find3(data, pos, delim, b'"', b'\n');
                    if pos < len && data[pos] == b'"' {
                        odd = true;
                        pos += 1;
                    } else {
                        break;
                    }
                }
            }
            let at_end = pos >= len || data[pos] == b'\n';
            let kind = kinds[col];
            if kind != 0 {
                let mut f = &data[fstart..pos];
                if at_end {
                    f = strip_cr(f);
                }
                em.candidate(kind, unquote(f));
            }
            if at_end {
                break (pos.min(len), odd);
            }
            pos += 1;
            col += 1;
        };
        if end >= len {
            em.report.ends_in_quotes = open;
        }
        let raw = strip_cr(&data[start..end]);
        if raw.is_empty() {
            em.discard();
        } else {
            if open {
                em.event(data, start, base, EventKind::UnterminatedQuote);
            }
            em.record(base + start as u64, raw);
        }
        pos = end + 1;
    }
}

#[cfg(test)]
mod differential;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(detect_delimiter(b"a|b\n\"1|x\"|2\n"), b'|');
        assert_eq!(detect_delimiter(b"msisdn\n1\n"), b',');
        assert_eq!(detect_delimiter(b""), b',');
        assert_eq!(detect_delimiter(b"\n\n"), b',');
        assert_eq!(detect_delimiter(b"name,mobile\n\"Khan, A\",0300\n"), b',');
    }

    #[test]
    fn splits_quoted_records() {
        let (f, end, open) = split_record(b"\"a,b\",\"c\"\"d\",\"e\nf\"\r\nnext", b',');
        assert_eq!(f, vec![&b"\"a,b\""[..], b"\"c\"\"d\"", b"\"e\nf\""]);
        assert_eq!(end, 19);
        assert!(!open);
        let (f, _, open) = split_record(b"x,\"open", b',');
        assert_eq!(f.len(), 2);
        assert!(open);
        assert_eq!(unquote(b"\"12\""), b"12");
        assert_eq!(unquote(b"\""), b"\"");
    }
}
