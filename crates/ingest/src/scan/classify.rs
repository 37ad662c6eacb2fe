//! Byte classes of text as bitmasks (bit `i` is byte `i`), with AVX2.
//!
//! The classes are exactly those of the scalar run finder: *run bytes* are ASCII digits, the
//! separators `-` `(` `)` `+` `.`, space, and both bytes of an Arabic-Indic (`D9 A0`–`D9 A9`)
//! or Urdu (`DB B0`–`DB B9`) digit. Every other byte ends any run, which is what lets the caller
//! cut a line into segments of run bytes and look only at those holding 10 digits or more.
//!
//! All `unsafe` code of scan mode is here. An [`Avx2`] value exists only once AVX2 (and the bit
//! instructions every AVX2 CPU has) were detected, which is what makes its methods safe.

use std::arch::x86_64::{
    __m128i, __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256,
    _mm256_min_epu8, _mm256_movemask_epi8, _mm256_set1_epi8, _mm256_setr_epi8,
    _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16, _mm256_sub_epi8, _mm_add_epi8,
    _mm_cmpeq_epi8, _mm_cvtsi128_si64, _mm_extract_epi64, _mm_loadu_si128, _mm_movemask_epi8,
    _mm_set1_epi8, _mm_setr_epi8, _mm_shuffle_epi8,
};

use super::segments::{leads, walk, Classify, Masks, Window};
use crate::emit::Emitter;
use crate::RecordSink;

/// Proof that this CPU has AVX2, POPCNT, LZCNT and BMI1.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    /// `Some` if this CPU has the features (checked once; the answer is cached by `std`).
    #[inline]
    pub fn detect() -> Option<Avx2> {
        let yes = is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("popcnt")
            && is_x86_feature_detected!("lzcnt")
            && is_x86_feature_detected!("bmi1");
        yes.then_some(Avx2(()))
    }

    /// Parses a chunk of whole lines with the segment walk; same output as the line loop.
    pub fn parse_chunk<S: RecordSink>(self, data: &[u8], base: u64, em: &mut Emitter<'_, S>) {
        // SAFETY: `self` exists, so the CPU has the features.
        unsafe { parse_chunk_avx2(self, data, base, em) }
    }
}

/// The segment walk compiled for AVX2, so that the classifier is inlined into it.
///
/// # Safety
/// The CPU must support AVX2, POPCNT, LZCNT and BMI1.
#[target_feature(enable = "avx2,popcnt,lzcnt,bmi1")]
unsafe fn parse_chunk_avx2<S: RecordSink>(
    simd: Avx2,
    data: &[u8],
    base: u64,
    em: &mut Emitter<'_, S>,
) {
    walk(simd, data, base, em);
}

impl Classify for Avx2 {
    #[inline(always)]
    fn block(&self, block: &[u8; 64], next: impl FnOnce() -> u8) -> Masks {
        // SAFETY: `self` exists, so the CPU has AVX2.
        unsafe { classify(block, next) }
    }

    #[inline(always)]
    fn window(&self, window: &[u8; 32]) -> Window {
        // SAFETY: `self` exists, so the CPU has AVX2.
        unsafe { classify_window(window) }
    }

    #[inline(always)]
    fn pack_plain(&self, bytes: &[u8; 16], between: u32) -> Option<u128> {
        // SAFETY: `self` exists, so the CPU has AVX2 (and so SSSE3).
        unsafe { pack_plain(bytes, between) }
    }
}

/// Classifies `block`; `next` gives the byte after it (0 at the end of the data), needed to
/// tell whether a lead byte in the last position starts a wide digit.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn classify(block: &[u8; 64], next: impl FnOnce() -> u8) -> Masks {
    let ptr = block.as_ptr();
    // SAFETY: `block` is 64 readable bytes; both loads are unaligned 32-byte loads inside it.
    let (a, b) = unsafe {
        (
            _mm256_loadu_si256(ptr.cast::<__m256i>()),
            _mm256_loadu_si256(ptr.add(32).cast::<__m256i>()),
        )
    };
    // SAFETY: the caller guarantees AVX2.
    let (da, ra, na, ha, oa) = unsafe { ascii(a) };
    // SAFETY: as above.
    let (db, rb, nb, hb, ob) = unsafe { ascii(b) };
    let join = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
    let mut m = Masks {
        digit: join(da, db),
        run: join(ra, rb),
        newline: join(na, nb),
        lead: 0,
        open: join(oa, ob),
    };
    if join(ha, hb) != 0 {
        // SAFETY: the caller guarantees AVX2.
        m.add_wide(unsafe { wide_leads(block, next()) });
    }
    m
}

/// The lead bytes of wide digits in `block`; `next` is the byte after it. Out of line, and
/// reloading the block, so that the common path keeps its registers: most blocks have no byte
/// >= 0x80.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[cold]
#[inline(never)]
unsafe fn wide_leads(block: &[u8; 64], next: u8) -> u64 {
    let ptr = block.as_ptr();
    // SAFETY: `block` is 64 readable bytes; both loads are unaligned 32-byte loads inside it;
    // the caller guarantees AVX2.
    let (la, lb) = unsafe {
        (
            wide(_mm256_loadu_si256(ptr.cast::<__m256i>())),
            wide(_mm256_loadu_si256(ptr.add(32).cast::<__m256i>())),
        )
    };
    let join = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
    leads(
        [
            join(la[0], lb[0]),
            join(la[1], lb[1]),
            join(la[2], lb[2]),
            join(la[3], lb[3]),
        ],
        next,
    )
}

/// Classifies the 32 bytes from a candidate segment's start (see [`Window`]).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
#[allow(unused_unsafe)] // As for `ascii`.
unsafe fn classify_window(window: &[u8; 32]) -> Window {
    // SAFETY: `window` is 32 readable bytes (an unaligned load); the caller guarantees AVX2.
    unsafe {
        let v = _mm256_loadu_si256(window.as_ptr().cast::<__m256i>());
        let (digit, _, _, high, _) = ascii(v);
        let space = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8));
        let plus = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'+' as i8)));
        let paren = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'(' as i8)));
        let dash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'-' as i8));
        Window {
            digit,
            space: _mm256_movemask_epi8(space) as u32,
            open: (plus | paren) as u32,
            high,
            dash: _mm256_movemask_epi8(dash) as u32,
            plus: plus as u32,
        }
    }
}

/// `SKIP[q]`: 1 in bytes `q..16`, 0 below (so from `SKIP[16]` on all 0).
static SKIP: [[i8; 16]; 64] = {
    let mut t = [[0i8; 16]; 64];
    let mut q = 0;
    while q < 16 {
        let mut j = q;
        while j < 16 {
            t[q][j] = 1;
            j += 1;
        }
        q += 1;
    }
    t
};

/// If the bytes of `bytes` at the bits of `between` are at most two dashes, the other bytes in
/// order, then unspecified bytes, as a little-endian number: a byte shuffle whose index skips
/// each dash.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
#[allow(unused_unsafe)] // As for `ascii`.
unsafe fn pack_plain(bytes: &[u8; 16], between: u32) -> Option<u128> {
    // SAFETY: `bytes` is 16 readable bytes (an unaligned load); the caller guarantees AVX2.
    let (v, dashes) = unsafe {
        let v = _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>());
        let dash = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8)));
        (v, dash as u32)
    };
    if between & !dashes != 0 || between.count_ones() > 2 {
        return None;
    }
    // Output byte `j` takes input byte `j`, plus one for each dash at or below the input byte
    // it lands on: from output `d1` on for the first dash (input `d1`), from output `d2 - 1` on
    // for the second (input `d2`, one dash below it). No dash: from 16 on, nothing skipped
    // (`d2` is never 0: it is above `d1`).
    let first = (between.trailing_zeros() & 63) as usize;
    let second = ((between & between.wrapping_sub(1))
        .trailing_zeros()
        .wrapping_sub(1)
        & 63) as usize;
    // SAFETY: the `SKIP` rows are 16 bytes each (unaligned loads); the caller guarantees AVX2,
    // which includes SSSE3's byte shuffle and SSE4.1's extraction.
    unsafe {
        let iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        let skip = |q: usize| _mm_loadu_si128(SKIP[q].as_ptr().cast::<__m128i>());
        let index = _mm_add_epi8(iota, _mm_add_epi8(skip(first), skip(second)));
        let packed = _mm_shuffle_epi8(v, index);
        let lo = _mm_cvtsi128_si64(packed) as u64;
        let hi = _mm_extract_epi64::<1>(packed) as u64;
        Some(u128::from(lo) | u128::from(hi) << 64)
    }
}

/// ASCII classes of 32 bytes: (digits, run bytes, newlines, bytes >= 0x80, `+` and `(`).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
// Newer Rust lets AVX2 code call the intrinsics without `unsafe`; the MSRV (1.85) needs it.
#[allow(unused_unsafe)]
unsafe fn ascii(v: __m256i) -> (u32, u32, u32, u32, u32) {
    // SAFETY: register-only AVX2 intrinsics; the caller guarantees AVX2.
    unsafe {
        // Nibble lookup: the high nibble selects digits (3) or separators and space (2), the
        // low nibble which of them. Bit 7 marks a digit, bit 6 `(` or `+`, bit 0 a separator or
        // space. A byte >= 0x80 looks up 0 in `lo` (pshufb zeroes lanes whose index has the
        // high bit set).
        let lo = _mm256_setr_epi8(
            -127, -128, -128, -128, -128, -128, -128, -128, -63, -127, 0, 65, 0, 1, 1, 0, //
            -127, -128, -128, -128, -128, -128, -128, -128, -63, -127, 0, 65, 0, 1, 1, 0,
        );
        let hi = _mm256_setr_epi8(
            0, 0, 65, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
            0, 0, 65, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        );
        let high_nibble = _mm256_and_si256(_mm256_srli_epi16::<4>(v), _mm256_set1_epi8(0x0F));
        let class = _mm256_and_si256(
            _mm256_shuffle_epi8(lo, v),
            _mm256_shuffle_epi8(hi, high_nibble),
        );
        let not_run = _mm256_cmpeq_epi8(class, _mm256_setzero_si256());
        let newline = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8));
        (
            _mm256_movemask_epi8(class) as u32,
            !(_mm256_movemask_epi8(not_run) as u32),
            _mm256_movemask_epi8(newline) as u32,
            _mm256_movemask_epi8(v) as u32,
            _mm256_movemask_epi8(_mm256_add_epi8(class, class)) as u32,
        )
    }
}

/// Wide-digit byte classes of 32 bytes: [`0xD9`, `0xDB`, `0xA0..=0xA9`, `0xB0..=0xB9`].
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
#[allow(unused_unsafe)] // As for `ascii`.
unsafe fn wide(v: __m256i) -> [u32; 4] {
    // SAFETY: register-only AVX2 intrinsics; the caller guarantees AVX2.
    unsafe {
        let ar = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0xD9_u8 as i8));
        let ur = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0xDB_u8 as i8));
        // `v - from <= 9` unsigned, as `min(x, 9) == x` (no closures: they would not inherit
        // the target feature).
        let nine = _mm256_set1_epi8(9);
        let xa = _mm256_sub_epi8(v, _mm256_set1_epi8(0xA0_u8 as i8));
        let xu = _mm256_sub_epi8(v, _mm256_set1_epi8(0xB0_u8 as i8));
        let ar_cont = _mm256_cmpeq_epi8(_mm256_min_epu8(xa, nine), xa);
        let ur_cont = _mm256_cmpeq_epi8(_mm256_min_epu8(xu, nine), xu);
        [
            _mm256_movemask_epi8(ar) as u32,
            _mm256_movemask_epi8(ur) as u32,
            _mm256_movemask_epi8(ar_cont) as u32,
            _mm256_movemask_epi8(ur_cont) as u32,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::reference::{reference_masks, reference_pack_plain, reference_window};

    #[test]
    fn every_byte_at_every_position() {
        let Some(simd) = Avx2::detect() else { return };
        let fill = [b'a', b'7', b' ', 0xD9, 0xA3, 0xDB, 0xB0];
        for &f in &fill {
            for b in 0u8..=255 {
                for pos in [0, 1, 31, 32, 33, 62, 63] {
                    let mut block = [f; 64];
                    block[pos] = b;
                    for next in [0, 0xA5, 0xB9, b'1'] {
                        let got = simd.block(&block, || next);
                        assert_eq!(got, reference_masks(&block, next), "{f:#x} {b:#x}@{pos}");
                    }
                    let window: &[u8; 32] = block[32..].try_into().unwrap();
                    assert_eq!(
                        simd.window(window),
                        reference_window(window),
                        "{b:#x}@{pos}"
                    );
                }
            }
        }
    }

    #[test]
    fn pack_plain_skips_up_to_two_dashes() {
        let Some(simd) = Avx2::detect() else { return };
        let mut masks = vec![0u32];
        for a in 0..16 {
            masks.push(1 << a);
            for b in a + 1..16 {
                masks.push(1 << a | 1 << b);
                masks.push(1 << a | 1 << b | 1 << 15);
            }
        }
        for between in masks {
            for bytes in [
                *b"0123456789abcdef",
                *b"0-2-4-6-8-a-c-e-",
                *b"----------------",
            ] {
                let kept = 16 - between.count_ones() as usize;
                let got = simd
                    .pack_plain(&bytes, between)
                    .map(|p| p.to_le_bytes()[..kept].to_vec());
                let want = reference_pack_plain(&bytes, between).map(|p| p[..kept].to_vec());
                assert_eq!(got, want, "{between:#x} {bytes:?}");
            }
        }
    }

    #[test]
    fn wide_digit_pairs_across_positions() {
        let Some(simd) = Avx2::detect() else { return };
        let pairs = [
            [0xD9, 0xA0],
            [0xD9, 0xA9],
            [0xDB, 0xB0],
            [0xDB, 0xB9],
            [0xD9, 0xB0],
        ];
        for p in pairs {
            for pos in 0..63 {
                let mut block = [b'x'; 64];
                block[pos..pos + 2].copy_from_slice(&p);
                let got = simd.block(&block, || 0);
                assert_eq!(got, reference_masks(&block, 0), "{p:x?}@{pos}");
            }
        }
    }
}
