//! The column-mode parser over a [`crate::structural`] index (see [`super`] for the rules it
//! shares with the scalar parser, output for output).
//!
//! A chunk is walked a 64-byte block at a time: each set bit of a block's separator mask ends a
//! field; a field of a selected column is sliced and handed to the emitter; once a record's
//! selected columns are done only the newline mask is looked at, so unselected fields and
//! record tails cost nothing per byte: the classifier reads each byte once, and after it only
//! the selected fields (and the byte before each newline, for `\r`) are read again.

use super::{strip_cr, unquote, CsvPlan};
use crate::emit::{Emitter, EventKind};
use crate::structural::{BlockBits, Indexer, Kernel, Window, BLOCK, WINDOW_BLOCKS};
use crate::RecordSink;

/// [`super::parse_chunk`] over a structural index, a block of 64 bytes at a time: field ends come
/// from the blocks' bit masks, and once the selected columns are done, only newline bits are
/// looked at, so unselected fields and record tails cost nothing per byte.
pub(super) fn parse_indexed<S: RecordSink>(
    plan: &CsvPlan,
    data: &[u8],
    base: u64,
    kernel: Kernel,
    em: &mut Emitter<'_, S>,
) {
    let kinds = plan.kinds.as_slice();
    let mut indexer = Indexer::new(data, plan.delim, kernel);
    let mut window: Window = [BlockBits::default(); WINDOW_BLOCKS];
    // Where the current record and field start, the field's column, and all ones while the
    // column is selected (else only newlines matter).
    let (mut start, mut fstart, mut col) = (0usize, 0usize, 0usize);
    let mut wanted = if kinds.is_empty() { 0 } else { u64::MAX };
    let mut block_at = 0usize;
    loop {
        let filled = indexer.next_window(&mut window);
        if filled == 0 {
            break;
        }
        for bits in &window[..filled] {
            let mut sep = bits.sep;
            loop {
                let next = sep & (bits.nl | wanted);
                if next == 0 {
                    break;
                }
                // Consume this separator and every skipped one before it.
                sep &= !(next ^ (next - 1));
                let bit = next.trailing_zeros();
                let end = block_at + bit as usize;
                let newline = bits.nl >> bit & 1 != 0;
                if let Some(&kind) = kinds.get(col) {
                    if kind != 0 {
                        let mut f = data.get(fstart..end).unwrap_or(&[]);
                        if newline {
                            f = strip_cr(f);
                        }
                        em.candidate(kind, unquote(f));
                    }
                }
                if newline {
                    end_record(data, start, end, base, em);
                    start = end + 1;
                    col = 0;
                } else {
                    col += 1;
                }
                fstart = end + 1;
                wanted = if col < kinds.len() { u64::MAX } else { 0 };
            }
            block_at += BLOCK;
        }
    }
    em.report.ends_in_quotes = indexer.ends_inside_quotes();
    if start < data.len() {
        // The last record runs to the end of the text.
        if let Some(&kind) = kinds.get(col) {
            if kind != 0 {
                em.candidate(kind, unquote(strip_cr(data.get(fstart..).unwrap_or(&[]))));
            }
        }
        let raw = strip_cr(data.get(start..).unwrap_or(&[]));
        if raw.is_empty() {
            em.discard();
        } else {
            if indexer.ends_inside_quotes() {
                em.event(data, start, base, EventKind::UnterminatedQuote);
            }
            em.record(base + start as u64, raw);
        }
    }
}

/// Ends the record `data[start..end]` (`end` is its newline).
#[inline]
fn end_record<S: RecordSink>(
    data: &[u8],
    start: usize,
    end: usize,
    base: u64,
    em: &mut Emitter<'_, S>,
) {
    let raw = strip_cr(data.get(start..end).unwrap_or(&[]));
    if raw.is_empty() {
        em.discard();
    } else {
        em.record(base + start as u64, raw);
    }
}
