//! Record-aligned chunking.
//!
//! The one rule every part of the reader shares: **a newline ends a record iff the number of
//! `"` since the record's start is even** (CSV). Records therefore start exactly where the quote
//! count since the start of the data is even, which lets boundaries be found in parallel: count
//! quotes per nominal chunk, prefix-XOR the parities, then move each nominal boundary forward to
//! the first newline with even global parity. The sequential parser uses the same rule, so
//! chunked and sequential parsing see exactly the same records. JSON lines, SQL and scan mode
//! cut at plain newlines.

use std::ops::Range;

use memchr::{memchr, memchr_iter, memrchr};
use rayon::prelude::*;

use crate::swar::find2_near;

/// Finds the newline ending the record that continues at `data[0]`, given whether an odd number
/// of quotes has been seen since the record started. `Ok(index of the newline)`, or
/// `Err(quote parity at the end of data is odd)` when the record runs to the end.
#[inline]
pub(crate) fn find_record_end(data: &[u8], mut odd: bool) -> Result<usize, bool> {
    let mut i = 0;
    loop {
        if odd {
            match memchr(b'"', &data[i..]) {
                Some(j) => {
                    i += j + 1;
                    odd = false;
                }
                None => return Err(true),
            }
        } else {
            match find2_near(data, i, b'"', b'\n') {
                Some(k) => {
                    if data[k] == b'\n' {
                        return Ok(k);
                    }
                    odd = true;
                    i = k + 1;
                }
                None => return Err(false),
            }
        }
    }
}

pub(crate) fn quote_parity(data: &[u8]) -> bool {
    memchr_iter(b'"', data).count() % 2 == 1
}

fn nominal_starts(len: usize, chunk_size: usize) -> Vec<usize> {
    (0..len).step_by(chunk_size.max(1)).collect()
}

fn assemble(len: usize, cuts: impl IntoIterator<Item = Option<usize>>) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().flatten() {
        if cut > start && cut < len {
            ranges.push(start..cut);
            start = cut;
        }
    }
    if start < len {
        ranges.push(start..len);
    }
    ranges
}

/// Splits CSV-like `data` (starting at a record start) into record-aligned ranges of about
/// `chunk_size` bytes, in parallel.
pub(crate) fn csv_chunks(data: &[u8], chunk_size: usize) -> Vec<Range<usize>> {
    let starts = nominal_starts(data.len(), chunk_size);
    let seg_end = |i: usize| starts.get(i + 1).copied().unwrap_or(data.len());
    let parities: Vec<bool> = (0..starts.len())
        .into_par_iter()
        .map(|i| quote_parity(&data[starts[i]..seg_end(i)]))
        .collect();
    let mut entry = Vec::with_capacity(starts.len());
    let mut odd = false;
    for p in &parities {
        entry.push(odd);
        odd ^= p;
    }
    // A record end in [start_i, start_i+1) exists or the first one after start_i is also the
    // first one after start_i+1: searching one segment each keeps the whole pass linear.
    let cuts: Vec<Option<usize>> = (1..starts.len())
        .into_par_iter()
        .map(|i| {
            let seg = &data[starts[i]..seg_end(i)];
            find_record_end(seg, entry[i])
                .ok()
                .map(|k| starts[i] + k + 1)
        })
        .collect();
    assemble(data.len(), cuts)
}

/// The record-aligned chunks of the first window of about `chunks` × `chunk_size` bytes of
/// CSV-like `data` (starting at a record start), and where the next window starts.
///
/// The last chunk of a window that does not reach the end of `data` may stop mid-record, so it
/// is left to the next window, which starts at its (record-aligned) start. A window holding a
/// single record longer than itself grows until it holds a record end. Reading window by window
/// keeps only one window of a mapped input resident, touching each page once.
pub(crate) fn csv_window(
    data: &[u8],
    chunk_size: usize,
    chunks: usize,
) -> (Vec<Range<usize>>, usize) {
    let mut window = chunk_size.max(1).saturating_mul(chunks.max(2));
    loop {
        let end = window.min(data.len());
        let mut ranges = csv_chunks(&data[..end], chunk_size);
        if end == data.len() {
            return (ranges, end);
        }
        if ranges.len() > 1 {
            if let Some(last) = ranges.pop() {
                return (ranges, last.start);
            }
        }
        window = window.saturating_mul(2);
    }
}

/// Splits newline-delimited `data` into ranges of about `chunk_size` bytes ending after a
/// newline.
pub(crate) fn line_chunks(data: &[u8], chunk_size: usize) -> Vec<Range<usize>> {
    let starts = nominal_starts(data.len(), chunk_size);
    let cuts = (1..starts.len()).map(|i| {
        let end = starts.get(i + 1).copied().unwrap_or(data.len());
        memchr(b'\n', &data[starts[i]..end]).map(|k| starts[i] + k + 1)
    });
    assemble(data.len(), cuts)
}

/// Incremental search, from the end of a growing buffer, for the last record boundary (the
/// position just after a record-ending newline). Only bytes not yet searched are looked at, so a
/// huge record that spans many reads costs linear time.
#[derive(Debug, Default)]
pub(crate) struct TailCutter {
    /// Prefix of the buffer already searched without finding a boundary.
    searched: usize,
    /// Quote parity of `buf[..searched]` (CSV only).
    odd: bool,
}

impl TailCutter {
    /// The last boundary in `buf` (which starts at a record start), if any.
    pub fn cut(&mut self, buf: &[u8], csv: bool) -> Option<usize> {
        let new = &buf[self.searched..];
        let found = if csv {
            let mut odd = self.odd ^ quote_parity(new);
            let mut end = new.len();
            let mut found = None;
            while let Some(k) = memrchr(b'\n', &new[..end]) {
                // `odd` is the parity of buf[..searched + end]; take the quotes after k away.
                odd ^= quote_parity(&new[k + 1..end]);
                if !odd {
                    found = Some(k);
                    break;
                }
                end = k;
            }
            found
        } else {
            memrchr(b'\n', new)
        };
        match found {
            Some(k) => Some(self.searched + k + 1),
            None => {
                if csv {
                    self.odd ^= quote_parity(new);
                }
                self.searched = buf.len();
                None
            }
        }
    }

    /// Forget the search state (after the buffer's front was consumed).
    pub fn reset(&mut self) {
        *self = TailCutter::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequential_ends(data: &[u8]) -> Vec<usize> {
        let mut ends = Vec::new();
        let mut pos = 0;
        while pos < data.len() {
            match find_record_end(&data[pos..], false) {
                Ok(k) => {
                    pos += k + 1;
                    ends.push(pos);
                }
                Err(_) => {
                    ends.push(data.len());
                    break;
                }
            }
        }
        ends
    }

    fn complete_ends(data: &[u8]) -> Vec<usize> {
        let mut ends = Vec::new();
        let mut pos = 0;
        while let Ok(k) = find_record_end(&data[pos..], false) {
            pos += k + 1;
            ends.push(pos);
        }
        ends
    }

    #[test]
    fn quoted_newlines_never_split() {
        let data = b"a,\"x\ny\",b\nc,d\n\"\"\"q\n\",e\nlast";
        for size in 1..data.len() + 2 {
            let ranges = csv_chunks(data, size);
            let ends = sequential_ends(data);
            // Window by window: contiguous, covering, every cut a true record end.
            let mut at = 0;
            while at < data.len() {
                let (rs, next) = csv_window(&data[at..], size, 3);
                assert!(next > 0, "size {size}: a window must make progress");
                assert_eq!(rs.first().map(|r| r.start), Some(0));
                assert_eq!(rs.last().map(|r| r.end), Some(next));
                assert!(rs.windows(2).all(|w| w[0].end == w[1].start));
                for r in &rs {
                    assert!(
                        ends.contains(&(r.end + at)),
                        "size {size}: window cut {r:?}+{at}"
                    );
                }
                at += next;
            }
            for r in &ranges {
                assert!(ends.contains(&r.end), "size {size}: {r:?}");
            }
            assert_eq!(ranges.last().map(|r| r.end), Some(data.len()));
        }
    }

    #[test]
    fn tail_cutter_matches_sequential() {
        let data = b"a,\"x\ny\",b\nc,d\n\"\"\"q\n\",e\n\"open\n";
        let mut cutter = TailCutter::default();
        // Fed in growing prefixes, like streamed reads.
        for n in 0..=data.len() {
            let got = cutter.cut(&data[..n], true);
            let want = complete_ends(&data[..n]).last().copied();
            assert_eq!(got, want, "prefix {n}");
            cutter.reset();
        }
        assert_eq!(cutter.cut(b"abc", false), None);
        assert_eq!(cutter.cut(b"abc\nde", false), Some(4));
    }
}
