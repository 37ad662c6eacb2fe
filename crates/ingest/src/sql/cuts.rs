//! Chunk and block cuts for SQL that never split a multi-line `INSERT`.
//!
//! mysqldump writes one statement per line, but phpMyAdmin and other exporters write
//!
//! ```text
//! INSERT INTO `subs` (`id`, `msisdn`, `cnic`) VALUES
//! (1, '03001234567', '35202-1234567-1'),
//! (2, '03451234567', '42101-1234567-3');
//! ```
//!
//! where each tuple line needs the column list of the statement's first line. A cut is
//! therefore only made where the next non-whitespace byte is not `(`: a tuple line always
//! stays in the chunk of its statement. A statement longer than
//! [`MAX_STATEMENT`] is cut anyway (at a newline), so memory stays bounded; its tuples past
//! the cut are reported as skipped, never silently dropped.

use std::ops::Range;

use memchr::{memchr, memrchr};

use crate::chunk::line_chunks;

/// Longest multi-line statement kept in one chunk or block.
pub(crate) const MAX_STATEMENT: usize = 64 << 20;

/// Whether the text starting at `data[at]` continues a statement's tuple list: its first byte
/// other than whitespace (blank lines included, as SQL allows between tuples) is `(`. `None`
/// when the data ends before that byte is known.
#[cfg(test)]
pub(crate) fn continues(data: &[u8], at: usize) -> Option<bool> {
    let rest = data.get(at..)?;
    let first = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    Some(rest[first] == b'(')
}

/// [`line_chunks`] with every cut moved forward to a clean cut (at most [`MAX_STATEMENT`]
/// bytes further): the first line start whose first byte other than whitespace is not `(`.
///
/// Linear in `data`: from a cut that continues a tuple list, the search jumps past the tuple
/// line it continues into (every line start before it continues the same list, as blank lines
/// do), and the whitespace ahead of a cut is measured once, however many nominal cuts fall in a
/// run of blank lines (a run of them inside a tuple list once cost time quadratic in its length).
pub(crate) fn sql_chunks(data: &[u8], chunk_size: usize) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    let mut ahead = Ahead::default();
    for r in line_chunks(data, chunk_size) {
        if r.end <= start {
            continue; // swallowed by the previous chunk's extended cut
        }
        let limit = r.end.saturating_add(MAX_STATEMENT);
        let mut end = r.end;
        while end < data.len() && end < limit {
            let first = ahead.next_non_ws(data, end);
            if first == data.len() || data[first] != b'(' {
                break; // a clean cut
            }
            // Every line start up to `first` continues the list: the next one to look at is
            // the line after the tuple's. Past the limit, stop at the first line start there.
            let next = memchr(b'\n', &data[first..]).map_or(data.len(), |k| first + k + 1);
            if next >= limit {
                end = memchr(b'\n', &data[limit - 1..]).map_or(data.len(), |k| limit + k);
                break;
            }
            end = next;
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// The last answer of [`Ahead::next_non_ws`]: `data[lo..hi]` is all whitespace, and `hi` is
/// the end of the data or a byte that is not.
#[derive(Debug)]
struct Ahead {
    lo: usize,
    hi: usize,
}

impl Default for Ahead {
    fn default() -> Self {
        Ahead { lo: 1, hi: 0 }
    }
}

impl Ahead {
    /// The index of the first byte other than whitespace at or after `at` (`data.len()` if
    /// none), reusing the last answer when `at` lies in the whitespace it measured.
    fn next_non_ws(&mut self, data: &[u8], at: usize) -> usize {
        if !(self.lo..=self.hi).contains(&at) {
            let run = data[at..].iter().position(|b| !b.is_ascii_whitespace());
            self.lo = at;
            self.hi = run.map_or(data.len(), |k| at + k);
        }
        self.hi
    }
}

/// The last clean cut at or before `cut` in a streamed buffer (`cut` is just after a newline),
/// searching back newline by newline; `None` if there is none yet (read more). Past
/// [`MAX_STATEMENT`] bytes the plain cut is taken.
///
/// Linear in `buf`: each line is looked at once, carrying the first byte other than whitespace
/// from the line after it (blank lines once sent a forward search to the end of the buffer from
/// every line start).
pub(crate) fn stream_cut(buf: &[u8], cut: usize) -> Option<usize> {
    if buf.len() >= MAX_STATEMENT {
        return Some(cut);
    }
    let first_at = |range: Range<usize>| {
        buf[range]
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace())
    };
    // The first byte other than whitespace at or after `at`, if the buffer holds one.
    let mut first = first_at(cut..buf.len());
    let mut at = cut;
    loop {
        // A tuple line, or text still being read that may yet be one: look back.
        if first.is_some_and(|b| b != b'(') {
            return Some(at);
        }
        let before = at.checked_sub(1)?;
        let prev = memrchr(b'\n', &buf[..before]).map_or(0, |k| k + 1);
        if prev == 0 {
            return None;
        }
        first = first_at(prev..at).or(first);
        at = prev;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PMA: &[u8] =
        b"INSERT INTO `t` (`a`) VALUES\n(1),\n  (2),\n(3);\nINSERT INTO `t` VALUES (4);\n";

    #[test]
    fn chunks_never_start_on_a_tuple_line() {
        for size in 1..PMA.len() + 2 {
            let rs = sql_chunks(PMA, size);
            assert_eq!(rs.first().map(|r| r.start), Some(0));
            assert_eq!(rs.last().map(|r| r.end), Some(PMA.len()));
            assert!(rs.windows(2).all(|w| w[0].end == w[1].start));
            for r in &rs {
                assert!(r.start < r.end, "size {size}: empty chunk");
                assert_eq!(continues(PMA, r.start), Some(false), "size {size}: {r:?}");
            }
        }
    }

    #[test]
    fn stream_cuts_back_off_to_a_statement_start() {
        let line = |text: &[u8]| {
            let at = PMA.windows(text.len()).position(|w| w == text).unwrap();
            assert!(at == 0 || PMA[at - 1] == b'\n');
            at
        };
        let second = line(b"INSERT INTO `t` VALUES (4)");
        // The line after the buffer's end is unknown (it may be a tuple): back off to the
        // last statement start.
        assert_eq!(stream_cut(PMA, PMA.len()), Some(second));
        assert_eq!(stream_cut(&PMA[..second + 3], second), Some(second));
        // Inside the first statement there is no clean cut but the start: read more.
        assert_eq!(stream_cut(PMA, line(b"(3);")), None);
        assert_eq!(stream_cut(PMA, line(b"  (2)")), None);
        let two = [PMA, PMA].concat();
        assert_eq!(stream_cut(&two, PMA.len() + line(b"(1)")), Some(PMA.len()));
    }
}
