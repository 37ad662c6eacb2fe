//! Structural index of CSV-like text: which delimiters and newlines count.
//!
//! The rule is [`crate::chunk`]'s: a delimiter or newline counts only where the number of `"`
//! since the record's start is even. Since every complete record holds an even number of `"`,
//! that is the parity since the start of the text, so it can be computed 64 bytes at a time as in
//! simdjson and simd-csv: per block, one bit per byte for `"`, the delimiter and `\n`; the
//! in-quotes mask is the prefix XOR of the quote bits (a carry-less multiply by all-ones),
//! carried from block to block; structural bits are delimiters and newlines outside quotes.
//!
//! [`Indexer`] classifies a window of 64 blocks (4 KiB) at a time into a small array of
//! [`BlockBits`], so the `unsafe` AVX2 kernel is one small function called once per window and
//! the parser walking the bits (`csv::parse_indexed`) is safe code. [`Kernel::detect`] picks
//! AVX2 + PCLMULQDQ at runtime (std caches the CPUID answer); the portable kernel computes the
//! same bits a byte at a time and is the reference the tests hold the AVX2 one to. Nothing here
//! reads past the text: the last partial block is copied into a zeroed block first.

/// Bytes per block: one bit of a `u64` each.
pub(crate) const BLOCK: usize = 64;

/// Blocks per window: 4 KiB of text, 1 KiB of masks, both in L1.
pub(crate) const WINDOW_BLOCKS: usize = 64;

/// The bits of one window of blocks.
pub(crate) type Window = [BlockBits; WINDOW_BLOCKS];

/// The structural bits of one 64-byte block (bit `i` is byte `i`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BlockBits {
    /// Delimiters and newlines outside quotes.
    pub sep: u64,
    /// Newlines outside quotes.
    pub nl: u64,
}

/// How blocks are classified. Only [`Kernel::detect`] makes the AVX2 kernel, and only when the
/// CPU has the features it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kernel(Imp);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Imp {
    // Only tests use it where AVX2 exists; the portable parser is `csv::parse_scalar`.
    #[cfg_attr(not(test), allow(dead_code))]
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    /// The byte-at-a-time kernel (the reference the SIMD one is tested against).
    #[cfg_attr(not(test), allow(dead_code))]
    pub const PORTABLE: Kernel = Kernel(Imp::Portable);

    /// The AVX2 kernel if this CPU runs it.
    pub fn detect() -> Option<Kernel> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
        {
            return Some(Kernel(Imp::Avx2));
        }
        None
    }

    /// Classifies `text` (whole blocks, `out.len()` of them) into `out`. `inquote` is all ones
    /// when the text before ends inside quotes, and is updated to the state after `text`.
    fn classify(self, text: &[u8], delim: u8, inquote: &mut u64, out: &mut [BlockBits]) {
        match self.0 {
            Imp::Portable => {
                for (block, bits) in text.chunks_exact(BLOCK).zip(out) {
                    let (mut q, mut d, mut n) = (0u64, 0u64, 0u64);
                    for (i, &b) in block.iter().enumerate() {
                        q |= u64::from(b == b'"') << i;
                        d |= u64::from(b == delim) << i;
                        n |= u64::from(b == b'\n') << i;
                    }
                    *bits = structural(prefix_xor(q), d, n, inquote);
                }
            }
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Imp::Avx2` is only made by `detect`, after checking both features.
            Imp::Avx2 => unsafe { avx2::classify(text, delim, inquote, out) },
        }
    }
}

/// XOR of each bit with all bits below it: bit `i` is set iff an odd number of `q`'s bits at
/// positions `<= i` are.
#[inline]
fn prefix_xor(mut q: u64) -> u64 {
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q ^= q << 8;
    q ^= q << 16;
    q ^= q << 32;
    q
}

/// Combines a block's prefix-XORed quote bits with its delimiter and newline bits, carrying the
/// in-quotes state to the next block.
#[inline(always)]
fn structural(quoted: u64, delims: u64, newlines: u64, inquote: &mut u64) -> BlockBits {
    let inside = quoted ^ *inquote;
    // All ones iff the block ends inside quotes.
    *inquote = ((inside as i64) >> 63) as u64;
    let nl = newlines & !inside;
    BlockBits {
        sep: (delims & !inside) | nl,
        nl,
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{structural, BlockBits, BLOCK};

    /// [`super::Kernel::classify`] with AVX2 compares and a carry-less multiply for the prefix
    /// XOR. Blocks beyond the shorter of `text` and `out` are left alone.
    ///
    /// # Safety
    /// The CPU must support AVX2 and PCLMULQDQ.
    #[target_feature(enable = "avx2,pclmulqdq")]
    pub(super) unsafe fn classify(
        text: &[u8],
        delim: u8,
        inquote: &mut u64,
        out: &mut [BlockBits],
    ) {
        for (block, bits) in text.chunks_exact(BLOCK).zip(out) {
            let p = block.as_ptr();
            // SAFETY: `block` is 64 readable bytes (`chunks_exact`): two unaligned 32-byte
            // loads at `p` and `p + 32` stay inside it; the features are enabled by the caller.
            let (q, d, n) = unsafe {
                let lo = _mm256_loadu_si256(p.cast::<__m256i>());
                let hi = _mm256_loadu_si256(p.add(32).cast::<__m256i>());
                // One bit per byte of `lo ‖ hi` equal to `c`.
                macro_rules! eq_bits {
                    ($c:expr) => {{
                        let c = _mm256_set1_epi8($c as i8);
                        let l = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c)) as u32;
                        let h = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c)) as u32;
                        u64::from(l) | (u64::from(h) << 32)
                    }};
                }
                let q = eq_bits!(b'"');
                let ones = _mm_set1_epi8(-1);
                let px = _mm_clmulepi64_si128(_mm_cvtsi64_si128(q as i64), ones, 0);
                (
                    _mm_cvtsi128_si64(px) as u64,
                    eq_bits!(delim),
                    eq_bits!(b'\n'),
                )
            };
            *bits = structural(q, d, n, inquote);
        }
    }
}

/// Classifies `text` a window of blocks at a time, carrying the in-quotes state.
pub(crate) struct Indexer<'a> {
    text: &'a [u8],
    delim: u8,
    kernel: Kernel,
    /// Start of the text not classified yet.
    at: usize,
    /// All ones when the text classified so far ends inside quotes.
    inquote: u64,
}

impl<'a> Indexer<'a> {
    pub fn new(text: &'a [u8], delim: u8, kernel: Kernel) -> Self {
        Indexer {
            text,
            delim,
            kernel,
            at: 0,
            inquote: 0,
        }
    }

    /// Classifies the next window into `out`: returns how many blocks it filled (the last one
    /// of the text may be partial: the bits of its missing bytes are clear), 0 at the end.
    /// Block `i` covers the text from `start + 64 * i`, where `start` is the sum of 64 times the
    /// blocks returned before.
    pub fn next_window(&mut self, out: &mut Window) -> usize {
        let rest = self.text.get(self.at..).unwrap_or(&[]);
        let whole = (rest.len() / BLOCK).min(WINDOW_BLOCKS);
        let (body, tail) = rest.split_at(whole * BLOCK);
        self.kernel
            .classify(body, self.delim, &mut self.inquote, &mut out[..whole]);
        self.at += body.len();
        if whole == WINDOW_BLOCKS || tail.is_empty() {
            return whole;
        }
        // The last, partial block: zero-padded, the padding's bits cleared.
        let mut padded = [0u8; BLOCK];
        padded[..tail.len()].copy_from_slice(tail);
        let slot = &mut out[whole..=whole];
        self.kernel
            .classify(&padded, self.delim, &mut self.inquote, slot);
        let keep = u64::MAX >> (BLOCK - tail.len());
        slot[0].sep &= keep;
        slot[0].nl &= keep;
        self.at += tail.len();
        whole + 1
    }

    /// Whether the text classified so far ends inside quotes (once `next_window` returned 0:
    /// whether the whole text does).
    pub fn ends_inside_quotes(&self) -> bool {
        self.inquote != 0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Structural delimiter and newline positions and the final state, by the rule spelled out
    /// a byte at a time.
    fn by_rule(text: &[u8], delim: u8) -> (Vec<usize>, Vec<usize>, bool) {
        let (mut seps, mut nls, mut odd) = (Vec::new(), Vec::new(), false);
        for (i, &b) in text.iter().enumerate() {
            if b == b'"' {
                odd = !odd;
            } else if !odd && (b == delim || b == b'\n') {
                seps.push(i);
                if b == b'\n' {
                    nls.push(i);
                }
            }
        }
        (seps, nls, odd)
    }

    fn by_index(text: &[u8], delim: u8, kernel: Kernel) -> (Vec<usize>, Vec<usize>, bool) {
        let (mut seps, mut nls) = (Vec::new(), Vec::new());
        let mut indexer = Indexer::new(text, delim, kernel);
        let mut window = [BlockBits::default(); WINDOW_BLOCKS];
        let mut at = 0;
        loop {
            let filled = indexer.next_window(&mut window);
            if filled == 0 {
                break;
            }
            for bits in &window[..filled] {
                let bit_positions = |mut m: u64, out: &mut Vec<usize>| {
                    while m != 0 {
                        out.push(at + m.trailing_zeros() as usize);
                        m &= m - 1;
                    }
                };
                bit_positions(bits.sep, &mut seps);
                bit_positions(bits.nl, &mut nls);
                at += BLOCK;
            }
        }
        assert_eq!(indexer.next_window(&mut window), 0, "stays at the end");
        (seps, nls, indexer.ends_inside_quotes())
    }

    fn kernels() -> Vec<Kernel> {
        let mut kernels = vec![Kernel::PORTABLE];
        kernels.extend(Kernel::detect());
        kernels
    }

    fn check(text: &[u8], delim: u8) {
        let want = by_rule(text, delim);
        for kernel in kernels() {
            assert!(
                by_index(text, delim, kernel) == want,
                "{kernel:?}, {} bytes, delimiter {delim:#x}",
                text.len()
            );
        }
    }

    #[test]
    fn prefix_xor_is_running_parity() {
        for q in [0u64, 1, 1 << 63, 0b1001, u64::MAX, 0x8000_0000_0000_0001] {
            let mut odd = false;
            for i in 0..64 {
                odd ^= q >> i & 1 == 1;
                assert_eq!(prefix_xor(q) >> i & 1 == 1, odd, "{q:#x} bit {i}");
            }
        }
    }

    /// A quote, a delimiter, `\r\n` and a newline at every offset around the first block and
    /// window boundaries, and texts ending anywhere in a block.
    #[test]
    fn boundaries() {
        for len in [
            0, 1, 62, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097, 4160, 8193,
        ] {
            for filler in [b'x', b'"'] {
                let mut text = vec![filler; len];
                check(&text, b',');
                for at in [0, 31, 32, 62, 63, 64, 65, 4094, 4095, 4096, 4097] {
                    for piece in [&b"\""[..], b",", b"\r\n", b"\n", b"\",\n\""] {
                        if at + piece.len() <= len {
                            text[at..at + piece.len()].copy_from_slice(piece);
                            check(&text, b',');
                            text[at..at + piece.len()].fill(filler);
                        }
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn kernels_follow_the_rule(
            text in proptest::collection::vec(
                proptest::sample::select(b"\"\",;\t|\n\r\n0x\x00\xff\xdb".to_vec()),
                0..9000,
            ),
            delim in proptest::sample::select(b",;\t|".to_vec()),
        ) {
            check(&text, delim);
        }
    }
}
