//! JSON lines: one object per line; identifiers are top-level values whose key is chosen like a
//! CSV header name (see [`crate::columns`]).
//!
//! A hand-written tolerant scanner walks the top-level key/value pairs without building a value
//! tree: strings are delimited honouring `\` escapes, nested objects and arrays are skipped.
//! String values are handed to the normalizer with their escapes decoded
//! ([`crate::json_unescape`]: ASCII-only exporters write Urdu digits as `\u06f0`…); numbers as
//! written (`9.23001e11` is rejected as lossy by the normalizer); `null` as an
//! empty candidate; `true`/`false` as written. A line that is not a well-formed object is skipped
//! and counted; blank lines are not records.

use memchr::memchr;

use crate::columns::kind_of;
use crate::emit::Emitter;
use crate::json_unescape::unescape;
use crate::outcome::SkipReason;
use crate::{ColumnRef, RecordSink};

/// Keys whose kind is remembered per chunk; beyond this, kinds are recomputed.
const KEY_CACHE: usize = 256;

/// Per-chunk memo of key → kind bits.
pub(crate) struct KeyKinds<'o> {
    msisdn_cols: &'o [ColumnRef],
    cnic_cols: &'o [ColumnRef],
    cache: Vec<(Vec<u8>, u8)>,
}

impl<'o> KeyKinds<'o> {
    pub fn new(msisdn_cols: &'o [ColumnRef], cnic_cols: &'o [ColumnRef]) -> Self {
        KeyKinds {
            msisdn_cols,
            cnic_cols,
            cache: Vec::new(),
        }
    }

    #[inline]
    fn kind(&mut self, key: &[u8]) -> u8 {
        if let Some((_, k)) = self.cache.iter().find(|(name, _)| name.as_slice() == key) {
            return *k;
        }
        let k = kind_of(key, None, self.msisdn_cols, self.cnic_cols);
        if self.cache.len() < KEY_CACHE {
            self.cache.push((key.to_vec(), k));
        }
        k
    }

    /// Keys that selected something, for the summary.
    pub fn used(&self) -> impl Iterator<Item = (&[u8], u8)> {
        self.cache
            .iter()
            .filter(|(_, k)| *k != 0)
            .map(|(n, k)| (n.as_slice(), *k))
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    #[inline]
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\r' | b'\n') {
            self.i += 1;
        }
    }
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    /// After the opening quote: the string's raw content, cursor after the closing quote.
    #[inline]
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        loop {
            let j = memchr(b'"', &self.s[self.i..])? + self.i;
            let mut backslashes = 0;
            while j - backslashes > start && self.s[j - backslashes - 1] == b'\\' {
                backslashes += 1;
            }
            self.i = j + 1;
            if backslashes % 2 == 0 {
                return Some(&self.s[start..j]);
            }
        }
    }
    /// Skips a nested object or array (cursor on its opening bracket).
    fn nested(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(());
                    }
                }
                _ => {}
            }
        }
        None
    }
    /// A scalar token (number, literal): up to `,` `}` or whitespace.
    fn scalar(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        while let Some(b) = self.peek() {
            if matches!(
                b,
                b',' | b'}' | b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'{' | b'['
            ) {
                break;
            }
            self.i += 1;
        }
        (self.i > start).then(|| &self.s[start..self.i])
    }
}

/// Walks `line`'s top-level pairs, pushing `(kind, value range)` for chosen keys into `out`.
/// `None` if the line is not a well-formed object.
fn scan_object(
    line: &[u8],
    keys: &mut KeyKinds<'_>,
    out: &mut Vec<(u8, usize, usize)>,
) -> Option<()> {
    walk_object(line, |key, start, end| {
        let kind = keys.kind(key);
        if kind != 0 {
            out.push((kind, start, end));
        }
    })
}

/// The top-level keys of `line`'s object with their scalar values (escapes decoded; `null` as
/// empty), in order; nested values are left out. `None` if the line is not a well-formed
/// object. For sampling ([`crate::content`]), not for the read itself.
pub(crate) fn sample_pairs(line: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut pairs = Vec::new();
    let mut decoded = Vec::new();
    walk_object(line, |key, start, end| {
        let raw = &line[start..end];
        let value = if memchr(b'\\', raw).is_some() && unescape(raw, &mut decoded) {
            decoded.clone()
        } else {
            raw.to_vec()
        };
        pairs.push((key.to_vec(), value));
    })?;
    Some(pairs)
}

/// Walks `line`'s top-level pairs, calling `on_pair(key, value start, value end)` for each
/// string (the range inside its quotes) and scalar (an empty range for `null`); nested objects
/// and arrays are skipped. `None` if the line is not a well-formed object.
fn walk_object(line: &[u8], mut on_pair: impl FnMut(&[u8], usize, usize)) -> Option<()> {
    let mut c = Cursor { s: line, i: 0 };
    c.ws();
    if c.peek()? != b'{' {
        return None;
    }
    c.i += 1;
    c.ws();
    if c.peek()? == b'}' {
        c.i += 1;
    } else {
        loop {
            c.ws();
            if c.peek()? != b'"' {
                return None;
            }
            c.i += 1;
            let key = c.string()?;
            c.ws();
            if c.peek()? != b':' {
                return None;
            }
            c.i += 1;
            c.ws();
            match c.peek()? {
                b'"' => {
                    c.i += 1;
                    let start = c.i;
                    let v = c.string()?;
                    on_pair(key, start, start + v.len());
                }
                b'{' | b'[' => c.nested()?,
                _ => {
                    let start = c.i;
                    let v = c.scalar()?;
                    if v == b"null" {
                        on_pair(key, start, start);
                    } else {
                        on_pair(key, start, c.i);
                    }
                }
            }
            c.ws();
            match c.peek()? {
                b',' => c.i += 1,
                b'}' => {
                    c.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    c.ws();
    (c.i == line.len()).then_some(())
}

/// Parses a chunk of whole lines starting at absolute offset `base`.
pub(crate) fn parse_chunk<S: RecordSink>(
    data: &[u8],
    base: u64,
    keys: &mut KeyKinds<'_>,
    em: &mut Emitter<'_, S>,
) {
    let mut fields: Vec<(u8, usize, usize)> = Vec::with_capacity(8);
    let mut decoded = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let end = memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k);
        let line = &data[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            fields.clear();
            match scan_object(line, keys, &mut fields) {
                Some(()) => {
                    for &(kind, s, e) in &fields {
                        let raw = &line[s..e];
                        if memchr(b'\\', raw).is_some() && unescape(raw, &mut decoded) {
                            em.candidate(kind, &decoded);
                        } else {
                            em.candidate(kind, raw);
                        }
                    }
                    em.record(base + pos as u64, line);
                }
                None => em.skip(data, pos, base, SkipReason::MalformedJson),
            }
        }
        pos = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{KIND_CNIC, KIND_MSISDN};

    fn scan(line: &str) -> Option<Vec<(u8, String)>> {
        let mut keys = KeyKinds::new(&[], &[]);
        let mut out = Vec::new();
        scan_object(line.as_bytes(), &mut keys, &mut out)?;
        Some(
            out.into_iter()
                .map(|(k, s, e)| (k, line[s..e].to_string()))
                .collect(),
        )
    }

    #[test]
    fn walks_top_level_pairs() {
        let got = scan(
            r#"{"name":"A \"q\" \\","x":{"msisdn":"1"},"msisdn":"0300-1","cnic":3520,"t":[1,{"a":"]"}],"Mobile No":null}"#,
        );
        assert_eq!(
            got,
            Some(vec![
                (KIND_MSISDN, "0300-1".into()),
                (KIND_CNIC, "3520".into()),
                (KIND_MSISDN, String::new()),
            ])
        );
        assert_eq!(scan(" {} "), Some(vec![]));
        assert_eq!(
            scan(r#"{"msisdn": 9.23001e11 }"#),
            Some(vec![(KIND_MSISDN, "9.23001e11".into())])
        );
    }

    #[test]
    fn rejects_broken_lines() {
        for bad in [
            r#"{"msisdn":"0300"#,
            r#"{"msisdn" "x"}"#,
            r#"["msisdn"]"#,
            r#"{"a":{"b":1}"#,
            r#"{"a":1} trailing"#,
            r#"{"a":1,}"#,
            "{",
            "\u{0}",
        ] {
            assert_eq!(scan(bad), None, "{bad}");
        }
    }
}
