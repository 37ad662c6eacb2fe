//! Cutting a mapped CSV input into chunks without a quote-counting pass: guess, parse, verify.
//!
//! A chunk boundary must be a record boundary, which depends on the quote parity of everything
//! before it ([`crate::chunk`]). Counting it in a pass of its own reads every byte twice; in a
//! profile of `build` on the 1.41 GB bench dump that pass was 11–12% of all CPU time, and doing
//! the count interleaved with the parser of the window before saved nothing (the cost is the
//! second read of the memory, not its latency).
//!
//! So a window's cuts are *guessed* ([`guess_cuts`]): from each nominal chunk start, the first
//! quote that shows which side of a field it is on (an opening quote follows a delimiter or a
//! line start, a closing one precedes them) tells whether the text starts inside quotes, and
//! the cut is the first record end after it under that guess. Each chunk is parsed into a
//! [`RecordBuffer`] — nothing reaches a sink yet — and its parser reports whether the chunk
//! ended inside quotes. Chunk 0 starts at a known record boundary; a chunk that starts at one
//! and ends outside quotes ends at one, which proves the next ([`verified`]). Only proven
//! chunks are replayed into sinks; from the first unproven one on, the input is cut with
//! counted parities for a window. A wrong guess costs time, never a record: the output is
//! exactly that of the counting path whatever the input (tests compare them on generated
//! dumps, adversarial quoting and random bytes).
//!
//! Windows are small (two chunks per thread), so the records held until a window is proven
//! stay small and the window's pages are released sooner: peak RSS of `build` on the bench
//! dump 293 → 207 MB.

use std::ops::Range;

use memchr::memchr_iter;

use crate::chunk::find_record_end;
use crate::emit::ChunkReport;
use crate::{Cnic, Msisdn, Record, RecordSink};

/// Bytes after a nominal start searched for a deciding quote; past them the guess is "outside".
const LOOK: usize = 64 << 10;

/// Whether CSV text that starts at an arbitrary offset probably starts inside a quoted field:
/// decided by the first quote within [`LOOK`] bytes that is clearly an opening quote (after a
/// delimiter or a line start, not before one) or clearly a closing one (before a delimiter or a
/// line end, not after one), counting the undecided quotes before it. A guess only.
pub(crate) fn starts_inside_quotes(data: &[u8], delim: u8) -> bool {
    let look = &data[..data.len().min(LOOK)];
    let edge = |b: u8| b == delim || b == b'\n' || b == b'\r';
    // `before`: quotes seen before this one.
    for (before, q) in memchr_iter(b'"', look).enumerate() {
        let prev = q.checked_sub(1).and_then(|p| look.get(p).copied());
        let next = look.get(q + 1).copied();
        let (after_edge, before_edge) = (prev.map(edge), next.map(edge));
        let quote_next = next == Some(b'"');
        if after_edge == Some(true) && before_edge == Some(false) && !quote_next {
            // Opening: outside quotes at `q`.
            return before % 2 == 1;
        }
        if before_edge == Some(true) && after_edge == Some(false) && prev != Some(b'"') {
            // Closing: inside quotes at `q`.
            return before % 2 == 0;
        }
    }
    false
}

/// Guessed record-aligned ranges of the first window of CSV `data` (starting at a record
/// start): up to `chunks` ranges, each ending at the first record end (under the guess of
/// [`starts_inside_quotes`]) at least `chunk_size` bytes after its start, or at the end of
/// `data`. The ranges are contiguous from 0; the window ends where the last one does.
pub(crate) fn guess_cuts(
    data: &[u8],
    chunk_size: usize,
    chunks: usize,
    delim: u8,
) -> Vec<Range<usize>> {
    let step = chunk_size.max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    while ranges.len() < chunks.max(1) && start < data.len() {
        let nominal = start + step;
        let cut = data.get(nominal..).and_then(|rest| {
            find_record_end(rest, starts_inside_quotes(rest, delim))
                .ok()
                .map(|k| nominal + k + 1)
        });
        let end = cut.filter(|&c| c < data.len()).unwrap_or(data.len());
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// How many of a window's chunks are proven record-aligned, given each chunk's report and
/// whether the window reaches the end of the input: chunk 0 is (it starts at a record
/// boundary), and each chunk that is and ends outside quotes proves the next. The last chunk
/// of the input may end inside quotes (an unterminated quote, reported as such).
pub(crate) fn verified(reports: &[&ChunkReport], reaches_end: bool) -> usize {
    for (i, r) in reports.iter().enumerate() {
        if r.ends_in_quotes {
            let last = i + 1 == reports.len();
            return if last && reaches_end { i + 1 } else { i };
        }
    }
    reports.len()
}

/// A sink that keeps one chunk's records, to be handed to a real sink once the chunk is proven
/// record-aligned ([`RecordBuffer::replay`]): 24 bytes per record plus its identifiers, raw
/// bytes kept as ranges of the chunk. A chunk of 4 GiB or more, or a record whose raw bytes are
/// not in the chunk (never so for CSV), makes the buffer [unusable](RecordBuffer::usable).
#[derive(Debug, Default)]
pub(crate) struct RecordBuffer {
    msisdns: Vec<Msisdn>,
    cnics: Vec<Cnic>,
    records: Vec<Kept>,
    /// The chunk's address (only compared, never dereferenced) and length.
    chunk: usize,
    chunk_len: usize,
    usable: bool,
}

#[derive(Debug, Clone, Copy)]
struct Kept {
    offset: u64,
    raw_at: u32,
    raw_len: u32,
    msisdns: u32,
    cnics: u32,
}

impl RecordBuffer {
    /// Empties the buffer (keeping its memory) for the records of `chunk`.
    pub(crate) fn reset(&mut self, chunk: &[u8]) {
        self.msisdns.clear();
        self.cnics.clear();
        self.records.clear();
        self.chunk = chunk.as_ptr() as usize;
        self.chunk_len = chunk.len();
        self.usable = u32::try_from(chunk.len()).is_ok();
    }

    /// Whether it holds every record it was given (else the chunk must be read again).
    pub(crate) fn usable(&self) -> bool {
        self.usable
    }

    /// Hands every kept record to `sink` in order (`chunk` is the one the buffer was made for),
    /// then finishes the sink.
    pub(crate) fn replay<S: RecordSink>(&self, chunk: &[u8], sink: &mut S) {
        let (mut m, mut c) = (0usize, 0usize);
        for k in &self.records {
            let (m_end, c_end) = (m + k.msisdns as usize, c + k.cnics as usize);
            let raw_at = k.raw_at as usize;
            sink.record(&Record {
                msisdns: self.msisdns.get(m..m_end).unwrap_or(&[]),
                cnics: self.cnics.get(c..c_end).unwrap_or(&[]),
                offset: k.offset,
                raw: chunk
                    .get(raw_at..raw_at + k.raw_len as usize)
                    .unwrap_or(&[]),
            });
            (m, c) = (m_end, c_end);
        }
        sink.finish();
    }
}

impl RecordSink for RecordBuffer {
    fn record(&mut self, r: &Record<'_>) {
        if !self.usable {
            return;
        }
        let at = (r.raw.as_ptr() as usize).wrapping_sub(self.chunk);
        let counts = (u32::try_from(r.msisdns.len()), u32::try_from(r.cnics.len()));
        match (
            at <= self.chunk_len && r.raw.len() <= self.chunk_len - at,
            counts,
        ) {
            (true, (Ok(msisdns), Ok(cnics))) => {
                self.msisdns.extend_from_slice(r.msisdns);
                self.cnics.extend_from_slice(r.cnics);
                self.records.push(Kept {
                    offset: r.offset,
                    // Both fit: the chunk is shorter than 4 GiB.
                    raw_at: at as u32,
                    raw_len: r.raw.len() as u32,
                    msisdns,
                    cnics,
                });
            }
            _ => self.usable = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_the_side_from_the_first_telling_quote() {
        // Opening quote after a delimiter: outside.
        assert!(!starts_inside_quotes(b"abc,\"x y\",z\n", b','));
        // Closing quote before a delimiter: inside.
        assert!(starts_inside_quotes(b"lahore\",300\n", b','));
        // An undecided doubled quote first, then a closing one after an even count: inside.
        assert!(starts_inside_quotes(b"a\"\"b\",1\n", b','));
        // After an odd count: outside (the closing quote closes a field opened in the text).
        assert!(!starts_inside_quotes(b"x,\"\"\"b\",1\n", b','));
        // Nothing telling: outside.
        assert!(!starts_inside_quotes(b"no quotes here\n", b','));
    }

    #[test]
    fn verification_stops_at_the_first_chunk_ending_in_quotes() {
        let rep = |q: bool| ChunkReport {
            ends_in_quotes: q,
            ..ChunkReport::default()
        };
        let (a, b) = (rep(false), rep(true));
        assert_eq!(verified(&[&a, &a, &a], false), 3);
        assert_eq!(verified(&[&a, &b, &a], false), 1);
        assert_eq!(verified(&[&b], false), 0);
        // The input's last chunk may end in quotes.
        assert_eq!(verified(&[&a, &b], true), 2);
        assert_eq!(verified(&[&a, &b], false), 1);
    }
}
