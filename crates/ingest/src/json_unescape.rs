//! JSON string escapes, decoded before a value reaches the normalizer.
//!
//! Exporters that write ASCII-only JSON (Python's `json.dumps` by default, many others) escape
//! every non-ASCII character, so an MSISDN written in Urdu digits arrives as
//! `"\u06f0\u06f3\u06f0\u06f0..."`; left escaped it would be rejected as junk. Only values that
//! contain a backslash pay for decoding. A malformed escape (`\x`, a short `\u12`, a lone
//! surrogate) makes the value undecodable: it is then handed over raw and the normalizer
//! rejects it, as any junk.

/// Decodes the JSON escapes of a string's raw content into `out` (cleared first). Returns
/// `false`, leaving `out` unspecified, if an escape is malformed.
pub(crate) fn unescape(raw: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&e) = raw.get(i + 1) else {
            return false;
        };
        i += 2;
        let simple = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let Some(mut c) = hex4(raw, i) else {
                    return false;
                };
                i += 4;
                if (0xD800..0xDC00).contains(&c) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    let low = match (raw.get(i), raw.get(i + 1)) {
                        (Some(b'\\'), Some(b'u')) => hex4(raw, i + 2),
                        _ => None,
                    };
                    match low {
                        Some(l) if (0xDC00..0xE000).contains(&l) => {
                            c = 0x10000 + ((c - 0xD800) << 10) + (l - 0xDC00);
                            i += 6;
                        }
                        _ => return false,
                    }
                }
                let Some(ch) = char::from_u32(c) else {
                    return false;
                };
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                continue;
            }
            _ => return false,
        };
        out.push(simple);
    }
    true
}

/// The four hex digits at `raw[i..i + 4]` as a number.
fn hex4(raw: &[u8], i: usize) -> Option<u32> {
    let digits = raw.get(i..i + 4)?;
    digits.iter().try_fold(0u32, |acc, &d| {
        let v = (d as char).to_digit(16)?;
        Some(acc << 4 | v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(raw: &str) -> Option<String> {
        let mut out = Vec::new();
        unescape(raw.as_bytes(), &mut out).then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn decodes_every_escape() {
        assert_eq!(dec(r"0300\u002d1234567").as_deref(), Some("0300-1234567"));
        assert_eq!(
            dec(r"\u06f0\u06f3\u06F0\u06f0").as_deref(),
            Some("\u{6f0}\u{6f3}\u{6f0}\u{6f0}")
        );
        assert_eq!(dec(r#"a\"b\\c\/d\n\t"#).as_deref(), Some("a\"b\\c/d\n\t"));
        assert_eq!(dec(r"\ud83d\ude00").as_deref(), Some("\u{1F600}"));
        assert_eq!(dec("plain").as_deref(), Some("plain"));
    }

    #[test]
    fn malformed_escapes_are_refused() {
        for bad in [
            r"\x", r"\u12", r"\u12g4", r"\ud83d", r"\ud83dx", r"\ude00", "end\\",
        ] {
            assert_eq!(dec(bad), None, "{bad}");
        }
    }

    /// Every character as `\uXXXX` (surrogate pairs beyond the BMP), like an ASCII-only
    /// exporter at its most thorough.
    fn escape_all(s: &str) -> String {
        s.encode_utf16().map(|u| format!("\\u{u:04x}")).collect()
    }

    proptest::proptest! {
        /// Strings escaped by serde_json, or escaped character by character, decode back.
        #[test]
        fn round_trips(s in "\\PC{0,24}") {
            let quoted = serde_json::to_string(&s).unwrap();
            let mut out = Vec::new();
            proptest::prop_assert!(unescape(&quoted.as_bytes()[1..quoted.len() - 1], &mut out));
            proptest::prop_assert_eq!(&out, s.as_bytes());
            proptest::prop_assert!(unescape(escape_all(&s).as_bytes(), &mut out));
            proptest::prop_assert_eq!(&out, s.as_bytes());
        }
    }
}
