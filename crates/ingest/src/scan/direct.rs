//! Plain candidates read straight off the block masks.
//!
//! Most candidate segments lie within 64 bytes whose masks the walk already has: a block, or
//! the 32 bytes either side of a block edge. There the segment's digits, their count, its first
//! and last digit and any `+` or `(` before them are bit operations on those masks, and nothing
//! needs to be classified again. If the segment has no wide digit, at most 14 digits spanning at
//! most 16 bytes, and no `+` or `(` before its first digit but maybe one right before it, its
//! run is the one [`shape`](super::shape) would find: from that byte, or else the first digit,
//! to the last digit. It is plain (see `shape`) if the bytes between its digits are at most two
//! dashes, which the packing checks (`Classify::pack_plain`). Everything else takes the window
//! path.

use super::segments::Masks;

/// The masks a candidate needs over 64 bytes, bit `i` for byte `i` from some base.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Near {
    /// ASCII digits and wide-digit lead bytes.
    pub digit: u64,
    /// `+` and `(`.
    pub open: u64,
    /// Wide-digit lead bytes.
    pub lead: u64,
}

impl Near {
    /// The masks of one block.
    #[inline(always)]
    pub fn of(m: &Masks) -> Near {
        Near {
            digit: m.digit,
            open: m.open,
            lead: m.lead,
        }
    }

    /// The masks of the 64 bytes from 32 bytes before the block of `cur`, whose previous block
    /// had `prev`.
    #[inline(always)]
    pub fn straddling(prev: &Near, cur: &Near) -> Near {
        let join = |a: u64, b: u64| a >> 32 | b << 32;
        Near {
            digit: join(prev.digit, cur.digit),
            open: join(prev.open, cur.open),
            lead: join(prev.lead, cur.lead),
        }
    }
}

/// A segment that may be plain, as told by the masks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Direct {
    /// Its first digit.
    pub first: u32,
    /// Its digit count.
    pub digits: u32,
    /// The bytes between its first and last digit that are not digits, bit `i` for byte
    /// `first + i` (all below bit 16).
    pub between: u32,
    /// Whether the byte before the first digit is a `+` or `(` (which starts the run).
    pub open: bool,
}

/// Bits below `k` (`k < 64`).
#[inline(always)]
fn below(k: u32) -> u64 {
    (1u64 << k) - 1
}

/// The segment from `s` (`s < 64`) of the 64 bytes with masks `near`, whose digits are at the
/// bits of `digit`, if it may be plain.
#[inline(always)]
pub(super) fn direct(near: &Near, s: u32, digit: u64) -> Option<Direct> {
    if digit == 0 {
        return None;
    }
    let first = digit.trailing_zeros();
    let last = 63 - digit.leading_zeros();
    let open = near.open & below(first) & !below(s);
    let digits = digit.count_ones();
    // (Lead bytes are digits: the segment's are among `digit`.)
    if near.lead & digit != 0
        || digits > 14
        || last - first >= 16
        || (open != 0 && open != 1 << (first - 1))
    {
        return None;
    }
    let between = (below(last) & !below(first) & !digit) >> first;
    Some(Direct {
        first,
        digits,
        between: between as u32,
        open: open != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::reference::reference_masks;

    /// `direct` over the whole of `text` (at most 63 bytes) as one segment.
    fn of(text: &str) -> Option<Direct> {
        let mut block = [b'x'; 64];
        block[..text.len()].copy_from_slice(text.as_bytes());
        let near = Near::of(&reference_masks(&block, 0));
        direct(&near, 0, near.digit & below(text.len() as u32))
    }

    #[test]
    fn plain_candidates() {
        let d = |first, digits, between, open| {
            Some(Direct {
                first,
                digits,
                between,
                open,
            })
        };
        assert_eq!(of(" 03001234567"), d(1, 11, 0, false));
        assert_eq!(of(" +923001234567"), d(2, 12, 0, true));
        assert_eq!(of("(923001234567"), d(1, 12, 0, true));
        assert_eq!(of(" 35202-1234567-1"), d(1, 13, 1 << 5 | 1 << 13, false));
        assert_eq!(of("0300 1234567"), d(0, 11, 1 << 4, false));
        assert_eq!(of("+(923001234567"), None);
        assert_eq!(of("+ 923001234567"), None);
        assert_eq!(of("0-3-0-0-1-2-3-4-5-6-7"), None);
        assert_eq!(of("410011234567890"), None);
        assert_eq!(of("٠3001234567"), None);
        assert_eq!(of(" - "), None);
    }

    #[test]
    fn straddling_joins_halves() {
        let prev = Masks {
            digit: 0xF << 60,
            open: 1 << 59,
            ..Masks::default()
        };
        let cur = Masks {
            digit: 0x3F,
            lead: 1 << 40,
            ..Masks::default()
        };
        let near = Near::straddling(&Near::of(&prev), &Near::of(&cur));
        assert_eq!(near.digit, 0x3FF << 28);
        assert_eq!(near.open, 1 << 27);
        assert_eq!(near.lead, 0);
    }
}
