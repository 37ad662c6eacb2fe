//! The run a candidate segment holds, read off the segment's byte masks when its shape is simple.
//!
//! Most candidates in real text are one number: ASCII digits, maybe separators between them, maybe
//! a `+` or `(` before the first. When a segment is ASCII and has no space between its first and
//! last digit, the run finder finds exactly one run holding all its digits: it starts at the first
//! `+` or `(` before the first digit (every byte from there on joins: a space joins a run of
//! fewer than 10 digits whose first group starts with `+` or `(`), or else at the first digit,
//! and it ends at the last digit. So the run is known from four masks without the byte loop.
//! Anything else (spaces between digits, wide digits) goes to the run finder.
//!
//! The commonest simple runs are *plain*: digits with at most two dashes between them, spanning
//! at most 16 bytes, maybe right after a `+` that is the segment's only `+` or `(` before the
//! first digit (`03001234567`, `+923001234567`, `35202-1234567-1`, `0300-1234567`). The
//! normalizer's scanner would return exactly their digits and the `+`, so the walk packs the
//! digits itself (see `Classify::pack_plain`) and hands them over (see `normalize::known`).

use std::ops::Range;

use super::segments::Classify;
use super::{emit_plain, emit_run, emit_runs};
use crate::emit::Emitter;
use crate::RecordSink;

/// Byte classes of the 32 bytes from a candidate segment's start, bit `i` for byte `i`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Window {
    /// ASCII digits.
    pub digit: u32,
    /// Spaces.
    pub space: u32,
    /// `+` and `(`.
    pub open: u32,
    /// Bytes >= 0x80.
    pub high: u32,
    /// `-`.
    pub dash: u32,
    /// `+`.
    pub plus: u32,
}

/// What the run finder would find in a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// Exactly one run with `digits` digits: `run` of the segment.
    One { run: Range<usize>, digits: u32 },
    /// Exactly one run with `digits` digits, `run` of the segment, and it is plain: its first
    /// digit is at `first`, the dashes after it at the bits of `dashes` (bit `i` for byte
    /// `first + i`, at most two, all below bit 16), and it starts with a `+` if `plus`.
    Plain {
        run: Range<usize>,
        digits: u32,
        first: usize,
        dashes: u32,
        plus: bool,
    },
    /// No run of 10 to 14 digits.
    Nothing,
    /// Not simple: ask the run finder.
    Complex,
}

/// Bits below `k` (`k <= 32`).
#[inline(always)]
fn below(k: u32) -> u32 {
    1u32.checked_shl(k).map_or(u32::MAX, |b| b - 1)
}

/// The shape of a segment of `len` bytes whose first 32 bytes (and maybe some after it) have
/// the masks `w`.
#[inline(always)]
pub(super) fn shape(w: &Window, len: usize) -> Shape {
    if len > 32 {
        return Shape::Complex;
    }
    let seg = below(len as u32);
    let digit = w.digit & seg;
    if w.high & seg != 0 || digit == 0 {
        return Shape::Complex;
    }
    let first = digit.trailing_zeros();
    let last = 31 - digit.leading_zeros();
    if w.space & below(last) & !below(first) != 0 {
        return Shape::Complex;
    }
    let digits = digit.count_ones();
    if !(10..=16).contains(&digits) {
        return Shape::Nothing;
    }
    let open = w.open & below(first);
    let start = if open != 0 {
        open.trailing_zeros()
    } else {
        first
    };
    let run = start as usize..last as usize + 1;
    if digits > 14 {
        // Only a candidate with an Excel fraction (`3520212345671.00`): `emit_run` decides.
        return Shape::One { run, digits };
    }
    // Plain: only dashes between the digits, and no opening byte but a `+` right before them.
    let dashes = (below(last) & !digit) >> first;
    let plus = open != 0 && open == w.plus & (1 << (first - 1));
    if dashes & !(w.dash >> first) == 0
        && last - first < 16
        && dashes.count_ones() <= 2
        && (open == 0 || plus)
    {
        return Shape::Plain {
            run,
            digits,
            first: first as usize,
            dashes,
            plus,
        };
    }
    Shape::One { run, digits }
}

/// Emits the candidates of the segment `start..end`: read off its masks when its shape is
/// simple, from the run finder otherwise.
///
/// Out of line: most candidates take the direct path (`Lines::candidate`), and
/// keeping this one apart (taking no `Lines`, which would have to be kept in memory for it)
/// leaves the walk's loop its registers.
#[cold]
#[inline(never)]
pub(super) fn segment<S: RecordSink>(
    simd: &impl Classify,
    data: &[u8],
    em: &mut Emitter<'_, S>,
    start: usize,
    end: usize,
) {
    let Some(seg) = data.get(start..end) else {
        return;
    };
    let window = data.get(start..start + 32);
    if let Some(window) = window.and_then(|w| <&[u8; 32]>::try_from(w).ok()) {
        match shape(&simd.window(window), seg.len()) {
            Shape::One { run, digits } => {
                if let Some(run) = seg.get(run) {
                    emit_run(run, digits, em);
                }
                return;
            }
            Shape::Plain {
                run,
                digits,
                first,
                dashes,
                plus,
            } => {
                // The 16 bytes from the first digit: the run and maybe bytes after it.
                let bytes = data.get(start + first..).and_then(|s| s.get(..16));
                let bytes = bytes.and_then(|b| <&[u8; 16]>::try_from(b).ok());
                match bytes.and_then(|b| simd.pack_plain(b, dashes)) {
                    Some(packed) => emit_plain(packed, digits, plus, em),
                    None => {
                        if let Some(run) = seg.get(run) {
                            emit_run(run, digits, em);
                        }
                    }
                }
                return;
            }
            Shape::Nothing => return,
            Shape::Complex => {}
        }
    }
    emit_runs(seg, em);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::reference::reference_window;

    fn of(seg: &str) -> Shape {
        let mut w = [b'x'; 32];
        let n = seg.len().min(32);
        w[..n].copy_from_slice(&seg.as_bytes()[..n]);
        shape(&reference_window(&w), seg.len())
    }

    #[test]
    fn simple_shapes() {
        let one = |r: Range<usize>, digits| Shape::One { run: r, digits };
        let plain = |r: Range<usize>, digits, first, dashes, plus| Shape::Plain {
            run: r,
            digits,
            first,
            dashes,
            plus,
        };
        assert_eq!(of(" 03001234567"), plain(1..12, 11, 1, 0, false));
        assert_eq!(
            of(" 16389-4615243-9 "),
            plain(1..16, 13, 1, 1 << 5 | 1 << 13, false)
        );
        assert_eq!(of(" +923087713028"), plain(1..14, 12, 2, 0, true));
        assert_eq!(of("+-923087713028"), one(0..14, 12));
        assert_eq!(of("(923087713028"), one(0..13, 12));
        assert_eq!(of("+(923087713028"), one(0..14, 12));
        assert_eq!(of("-0300-1234567"), plain(1..13, 11, 1, 1 << 4, false));
        assert_eq!(of("0-300-123-4567"), one(0..14, 11));
        assert_eq!(of("0300.1234567"), one(0..12, 11));
        assert_eq!(of("0-3-0-0-1-2-3-4-5-6-7"), one(0..21, 11));
        assert_eq!(of("- ( +0300-1234567-"), one(2..17, 11));
        assert_eq!(of(" 0300 1234567"), Shape::Complex);
        // 15 or 16 digits: a candidate only with an Excel fraction, which `emit_run` checks.
        assert_eq!(of("1234567890123456"), one(0..16, 16));
        assert_eq!(of("3520212345671.00"), one(0..16, 15));
        assert_eq!(of("12345678901234567"), Shape::Nothing);
        assert_eq!(of("٠3001234567"), Shape::Complex);
        assert_eq!(of(&"1".repeat(33)), Shape::Complex);
    }
}
