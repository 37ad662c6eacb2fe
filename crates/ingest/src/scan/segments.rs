//! The segment walk: a chunk a 64-byte block at a time, scalar work only where a candidate can be.
//!
//! A *segment* is a maximal stretch of run bytes (see [`classify`](super::classify)). A run
//! never spans a byte outside the run set, and nothing the run finder looks at ahead of a run
//! byte decides anything when it is not a run byte, so running [`runs`](super::runs) on each segment finds
//! exactly the runs of the whole line. A segment holding fewer than 10 digits (ASCII digits
//! plus wide-digit lead bytes) holds no run of 10, so only segments with 10 or more are handed
//! to the run finder; everything else costs a few bit operations per block. Newlines end records
//! in the same pass, in order with the candidates, so the [`Emitter`] sees the same calls as
//! from the line loop. A candidate segment within the masks at hand (its block, or 32 bytes
//! either side of the block edge) that they show may be plain goes straight to the normalizer
//! (`direct`); any other is classified again from its start (`shape`) or given to the run
//! finder.

use super::direct::{direct, Near};
use super::emit_plain;
use super::shape::segment;
pub(super) use super::shape::Window;
use crate::emit::Emitter;
use crate::RecordSink;

/// A classifier of byte blocks (AVX2, or the byte-by-byte reference in tests).
pub(super) trait Classify {
    /// The masks of `block`; `next` gives the byte after it (0 at the end of the data), which
    /// tells whether a lead byte in the last position starts a wide digit (asked only when the
    /// block has a byte >= 0x80).
    fn block(&self, block: &[u8; 64], next: impl FnOnce() -> u8) -> Masks;
    /// The masks of the 32 bytes from a candidate segment's start.
    fn window(&self, window: &[u8; 32]) -> Window;
    /// If the bytes of `bytes` at the bits of `between` are at most two dashes, the other bytes
    /// in order as a little-endian number (then unspecified bytes): the digits of a plain run
    /// (see `shape`).
    fn pack_plain(&self, bytes: &[u8; 16], between: u32) -> Option<u128>;
}

/// Digits a segment needs before it can hold a candidate.
const MIN_DIGITS: u32 = 10;

/// Byte classes of one 64-byte block, bit `i` for byte `i`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Masks {
    /// ASCII digits and the lead bytes of wide digits.
    pub digit: u64,
    /// Run bytes, including both bytes of wide digits within the block. A lead byte in bit 63
    /// has its continuation in the next block, which the walk adds (see `lead`).
    pub run: u64,
    /// `\n`.
    pub newline: u64,
    /// Lead bytes of wide digits.
    pub lead: u64,
    /// `+` and `(`.
    pub open: u64,
}

impl Masks {
    /// Adds the wide digits whose lead bytes are at the bits of `lead` (see [`leads`]).
    #[inline(always)]
    pub fn add_wide(&mut self, lead: u64) {
        self.lead = lead;
        self.digit |= lead;
        self.run |= lead | lead << 1;
    }
}

/// The lead bytes of wide digits in a block, from the masks of its `0xD9`, `0xDB`, `0xA0..=0xA9`
/// and `0xB0..=0xB9` bytes; `next` is the byte after the block.
#[inline]
pub(super) fn leads([ar, ur, ar_cont, ur_cont]: [u64; 4], next: u8) -> u64 {
    let ar_next = ar_cont >> 1 | u64::from((0xA0..=0xA9).contains(&next)) << 63;
    let ur_next = ur_cont >> 1 | u64::from((0xB0..=0xB9).contains(&next)) << 63;
    ar & ar_next | ur & ur_next
}

/// Bits below `k` (`k < 64`).
#[inline(always)]
fn below(k: u32) -> u64 {
    (1u64 << k) - 1
}

/// The records of a chunk: ends lines at newlines, feeds candidate segments to the run finder.
struct Lines<'d, 'e, 's, S> {
    data: &'d [u8],
    base: u64,
    em: &'e mut Emitter<'s, S>,
    /// Start of the current line.
    start: usize,
}

impl<S: RecordSink> Lines<'_, '_, '_, S> {
    /// Ends the line at the newline at `at`.
    #[inline(always)]
    fn newline(&mut self, at: usize) {
        if let Some(line) = self.data.get(self.start..at) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if !line.is_empty() {
                self.em.record(self.base + self.start as u64, line);
            }
        }
        self.start = at + 1;
    }

    /// Ends lines at the newlines of `nl` (a block's mask, block at `off`) below bit `k`, and
    /// clears them from `nl`.
    #[inline(always)]
    fn newlines_below(&mut self, nl: &mut u64, off: usize, k: u32) {
        while *nl != 0 && nl.trailing_zeros() < k {
            self.newline(off + nl.trailing_zeros() as usize);
            *nl &= *nl - 1;
        }
    }

    /// Emits the candidates of the segment `s..e` (`s < e <= 64`) of the 64 bytes from `base`,
    /// whose masks are `near` and whose digits are at the bits of `digit`: directly if the masks
    /// show it may be plain (see `direct`), else through [`segment`].
    #[inline(always)]
    fn candidate(
        &mut self,
        simd: &impl Classify,
        base: usize,
        near: &Near,
        (s, e): (u32, u32),
        digit: u64,
    ) {
        if let Some(d) = direct(near, s, digit) {
            let at = base + d.first as usize;
            let bytes = self.data.get(at..at + 16);
            let bytes = bytes.and_then(|b| <&[u8; 16]>::try_from(b).ok());
            let plus = d.open && at > 0 && self.data.get(at - 1) == Some(&b'+');
            if d.open == plus {
                if let Some(packed) = bytes.and_then(|b| simd.pack_plain(b, d.between)) {
                    emit_plain(packed, d.digits, plus, self.em);
                    return;
                }
            }
        }
        segment(
            simd,
            self.data,
            self.em,
            base + s as usize,
            base + e as usize,
        );
    }

    /// The last line, if the chunk does not end with a newline.
    fn finish(mut self) {
        if self.start < self.data.len() {
            self.newline(self.data.len());
        }
    }
}

/// Walks `data` (whole lines, starting at absolute offset `base`) a block at a time and emits
/// what the line loop would.
#[inline(always)]
pub(super) fn walk<S: RecordSink>(
    simd: impl Classify,
    data: &[u8],
    base: u64,
    em: &mut Emitter<'_, S>,
) {
    let mut walk = Walk {
        lines: Lines {
            data,
            base,
            em,
            start: 0,
        },
        seg_start: 0,
        seg_digits: 0,
        carry: 0,
        prev: Near::default(),
    };
    let mut off = 0;
    while let Some(block) = data.get(off..off + 64) {
        let Ok(block) = <&[u8; 64]>::try_from(block) else {
            break;
        };
        // The byte after the block, asked only when the block has a byte >= 0x80.
        walk.block(&simd, block, off, || {
            data.get(off + 64).copied().unwrap_or(0)
        });
        off += 64;
    }
    // The last partial block (possibly empty), zero-padded: zero is no run byte, so the padding
    // closes the last segment. There is no byte after it.
    let mut tail = [0u8; 64];
    let rest = data.get(off..).unwrap_or(&[]);
    tail[..rest.len()].copy_from_slice(rest);
    walk.block(&simd, &tail, off, || 0);
    walk.lines.finish();
}

/// The walk's state between blocks.
struct Walk<'d, 'e, 's, S> {
    lines: Lines<'d, 'e, 's, S>,
    /// The segment reaching the end of the previous block: its start and digits so far.
    seg_start: usize,
    seg_digits: u64,
    /// A wide digit's continuation byte at the start of this block.
    carry: u64,
    /// The masks of the previous block.
    prev: Near,
}

impl<S: RecordSink> Walk<'_, '_, '_, S> {
    /// Walks the block at `off`; `next` gives the byte after it.
    #[inline(always)]
    fn block(
        &mut self,
        simd: &impl Classify,
        block: &[u8; 64],
        off: usize,
        next: impl FnOnce() -> u8,
    ) {
        let m = simd.block(block, next);
        let near = Near::of(&m);
        let lines = &mut self.lines;
        let run = m.run | self.carry;
        self.carry = m.lead >> 63;
        let brk = !run;
        if brk == 0 {
            self.seg_digits += u64::from(m.digit.count_ones());
        } else {
            // The first break ends the segment carried in from earlier blocks.
            let first = brk.trailing_zeros();
            let seg_start = self.seg_start;
            if self.seg_digits + u64::from((m.digit & below(first)).count_ones())
                >= u64::from(MIN_DIGITS)
            {
                if seg_start >= off {
                    let s = (seg_start - off) as u32;
                    let digit = m.digit & below(first) & !below(s);
                    lines.candidate(simd, off, &near, (s, first), digit);
                } else if seg_start + 32 >= off && first < 32 {
                    let straddling = Near::straddling(&self.prev, &near);
                    let (s, e) = ((seg_start + 32 - off) as u32, first + 32);
                    let digit = straddling.digit & below(e) & !below(s);
                    lines.candidate(simd, off - 32, &straddling, (s, e), digit);
                } else {
                    segment(simd, lines.data, lines.em, seg_start, off + first as usize);
                }
            }
            // Segments between the first and the last break.
            let last = 63 - brk.leading_zeros();
            let mut nl = m.newline;
            let mut inner = m.digit & !below(first) & below(last);
            if inner.count_ones() >= MIN_DIGITS {
                while inner != 0 {
                    let p = inner.trailing_zeros();
                    // Breaks exist below and above `p`: `first < p < last`.
                    let s = 64 - (brk & below(p)).leading_zeros();
                    let e = (brk & !below(p)).trailing_zeros();
                    let digit = inner & below(e);
                    if digit.count_ones() >= MIN_DIGITS {
                        lines.newlines_below(&mut nl, off, s);
                        lines.candidate(simd, off, &near, (s, e), digit);
                    }
                    inner &= !below(e);
                }
            }
            lines.newlines_below(&mut nl, off, 64);
            self.seg_start = off + last as usize + 1;
            self.seg_digits = u64::from((m.digit >> last >> 1).count_ones());
        }
        self.prev = near;
    }
}
