//! Lowercase hex for ids, keys and digests (fixed-size values only; parsing accepts either
//! case and refuses any other length).

use std::fmt::Write;

/// `bytes` as lowercase hex.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Exactly `2 * N` hex digits as `N` bytes; `None` on anything else.
pub(crate) fn decode<const N: usize>(hex: &str) -> Option<[u8; N]> {
    let hex = hex.as_bytes();
    if hex.len() != 2 * N {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *o = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_refuses_bad_input() {
        let hex = super::encode(&[0, 0xab, 0xff]);
        assert_eq!(hex, "00abff");
        assert_eq!(super::decode::<3>(&hex), Some([0, 0xab, 0xff]));
        assert_eq!(super::decode::<3>("00ABFF"), Some([0, 0xab, 0xff]));
        assert_eq!(super::decode::<3>("00abf"), None);
        assert_eq!(super::decode::<3>("00abfg"), None);
        assert_eq!(super::decode::<2>("00abff"), None);
    }
}
