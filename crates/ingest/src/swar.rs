//! Eight bytes at a time in a `u64` ("SIMD within a register"): portable, no `unsafe`.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The 8 bytes at `data[pos..]`, little-endian, if there are 8.
#[inline]
pub(crate) fn load(data: &[u8], pos: usize) -> Option<u64> {
    let word = data.get(pos..pos + 8)?;
    let mut w = [0u8; 8];
    w.copy_from_slice(word);
    Some(u64::from_le_bytes(w))
}

/// High bit set in bytes of `v` that are zero. Bits above the lowest zero byte may be false
/// positives (borrows), so only the lowest set bit is exact.
#[inline]
pub(crate) fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGH
}

/// Index of the first byte of `data[pos..]` equal to `a`, `b` or `c`, or `data.len()`.
#[inline]
pub(crate) fn find3(data: &[u8], mut pos: usize, a: u8, b: u8, c: u8) -> usize {
    let (wa, wb, wc) = (
        ONES * u64::from(a),
        ONES * u64::from(b),
        ONES * u64::from(c),
    );
    while let Some(x) = load(data, pos) {
        let m = zero_bytes(x ^ wa) | zero_bytes(x ^ wb) | zero_bytes(x ^ wc);
        if m != 0 {
            return pos + (m.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while pos < data.len() && data[pos] != a && data[pos] != b && data[pos] != c {
        pos += 1;
    }
    pos
}

/// Words tried by [`find2_near`] before handing over to `memchr2`.
const NEAR_WORDS: usize = 4;

/// Index of the first `a` or `b` in `data[pos..]`: SWAR over the first 32 bytes, where most
/// CSV field and record ends are, then `memchr2` (whose setup cost dominates short searches).
#[inline]
pub(crate) fn find2_near(data: &[u8], mut pos: usize, a: u8, b: u8) -> Option<usize> {
    let (wa, wb) = (ONES * u64::from(a), ONES * u64::from(b));
    for _ in 0..NEAR_WORDS {
        let Some(x) = load(data, pos) else { break };
        let m = zero_bytes(x ^ wa) | zero_bytes(x ^ wb);
        if m != 0 {
            return Some(pos + (m.trailing_zeros() / 8) as usize);
        }
        pos += 8;
    }
    memchr::memchr2(a, b, data.get(pos..)?).map(|k| pos + k)
}

/// Index of the first byte of `data[pos..]` that is not an ASCII digit, or `data.len()`.
#[inline]
pub(crate) fn skip_digits(data: &[u8], mut pos: usize) -> usize {
    while let Some(x) = load(data, pos) {
        // Digits become 0..=9; adding 0x76 to the low 7 bits sets the high bit from 10 up, and
        // bytes >= 0x80 keep theirs. No carry crosses a byte: exact in every byte.
        let y = x ^ (ONES * 0x30);
        let m = ((y & (ONES * 0x7F)).wrapping_add(ONES * 0x76) | y) & HIGH;
        if m != 0 {
            return pos + (m.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while pos < data.len() && data[pos].is_ascii_digit() {
        pos += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find2_near_matches_naive() {
        let mut data = vec![b'x'; 100];
        data[3] = b'"';
        data[40] = b'\n';
        data[99] = b'"';
        for start in 0..=data.len() + 1 {
            let want = data
                .get(start..)
                .and_then(|d| d.iter().position(|&x| x == b'"' || x == b'\n'))
                .map(|k| start + k);
            assert_eq!(find2_near(&data, start, b'"', b'\n'), want, "from {start}");
        }
    }

    #[test]
    fn skip_digits_matches_naive() {
        for b in 0u8..=255 {
            for at in 0..12 {
                let mut data = *b"012345678901";
                data[at] = b;
                let want = data.iter().position(|x| !x.is_ascii_digit()).unwrap_or(12);
                assert_eq!(skip_digits(&data, 0), want, "byte {b:#x} at {at}");
            }
        }
    }

    #[test]
    fn find3_matches_naive() {
        let data = b"abc,def\"ghij\nklmnopqrstuv,wx\x80\xff,\x00\n";
        for start in 0..=data.len() {
            let want = data[start..]
                .iter()
                .position(|&x| x == b',' || x == b'"' || x == b'\n')
                .map_or(data.len(), |k| start + k);
            assert_eq!(find3(data, start, b',', b'"', b'\n'), want, "from {start}");
        }
    }
}
