//! Byte-by-byte versions of the classifier's masks: the test oracle, and a [`Classify`] that
//! runs the segment walk on any CPU.

use super::segments::{Classify, Masks, Window};

/// The classifier that computes every mask one byte at a time.
pub(super) struct Reference;

impl Classify for Reference {
    fn block(&self, block: &[u8; 64], next: impl FnOnce() -> u8) -> Masks {
        reference_masks(block, next())
    }

    fn window(&self, window: &[u8; 32]) -> Window {
        reference_window(window)
    }

    fn pack_plain(&self, bytes: &[u8; 16], between: u32) -> Option<u128> {
        reference_pack_plain(bytes, between).map(u128::from_le_bytes)
    }
}

/// If the bytes at the bits of `between` are at most two dashes, the others in order, then
/// zeros.
pub(super) fn reference_pack_plain(bytes: &[u8; 16], between: u32) -> Option<[u8; 16]> {
    let at = |i: usize| between >> i & 1 != 0;
    if between.count_ones() > 2 || (0..16).any(|i| at(i) && bytes[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    let kept = (0..16).filter(|&i| !at(i)).map(|i| bytes[i]);
    for (slot, b) in out.iter_mut().zip(kept) {
        *slot = b;
    }
    Some(out)
}

/// The masks of a 64-byte block followed by `next`.
pub(super) fn reference_masks(block: &[u8; 64], next: u8) -> Masks {
    let byte = |i: usize| block.get(i).copied().unwrap_or(next);
    let lead = |i: usize| {
        matches!(
            (byte(i), byte(i + 1)),
            (0xD9, 0xA0..=0xA9) | (0xDB, 0xB0..=0xB9)
        )
    };
    let mut m = Masks::default();
    for i in 0..64 {
        let b = byte(i);
        let bit = 1u64 << i;
        if b.is_ascii_digit() || lead(i) {
            m.digit |= bit;
        }
        if b.is_ascii_digit() || b" -()+.".contains(&b) || lead(i) || (i > 0 && lead(i - 1)) {
            m.run |= bit;
        }
        if b == b'\n' {
            m.newline |= bit;
        }
        if lead(i) {
            m.lead |= bit;
        }
        if b == b'+' || b == b'(' {
            m.open |= bit;
        }
    }
    m
}

/// The masks of a 32-byte window.
pub(super) fn reference_window(window: &[u8; 32]) -> Window {
    let mut w = Window::default();
    for (i, &b) in window.iter().enumerate() {
        let bit = 1u32 << i;
        if b.is_ascii_digit() {
            w.digit |= bit;
        }
        if b == b' ' {
            w.space |= bit;
        }
        if b == b'+' || b == b'(' {
            w.open |= bit;
        }
        if b >= 0x80 {
            w.high |= bit;
        }
        if b == b'-' {
            w.dash |= bit;
        }
        if b == b'+' {
            w.plus |= bit;
        }
    }
    w
}
