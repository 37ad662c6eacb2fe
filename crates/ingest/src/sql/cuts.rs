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
pub(crate) fn continues(data: &[u8], at: usize) -> Option<bool> {
    let rest = data.get(at..)?;
    let first = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    Some(rest[first] == b'(')
}

/// Whether a cut just after a newline at `at` keeps statements whole (see the module docs).
fn clean_cut(data: &[u8], at: usize) -> bool {
    continues(data, at) != Some(true)
}

/// [`line_chunks`] with every cut moved forward, line by line, to a clean cut (at most
/// [`MAX_STATEMENT`] bytes further).
pub(crate) fn sql_chunks(data: &[u8], chunk_size: usize) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for r in line_chunks(data, chunk_size) {
        if r.end <= start {
            continue; // swallowed by the previous chunk's extended cut
        }
        let mut end = r.end;
        while end < data.len() && !clean_cut(data, end) && end - r.end < MAX_STATEMENT {
            end = memchr(b'\n', &data[end..]).map_or(data.len(), |k| end + k + 1);
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// The last clean cut at or before `cut` in a streamed buffer (`cut` is just after a newline),
/// searching back newline by newline; `None` if there is none yet (read more). Past
/// [`MAX_STATEMENT`] bytes the plain cut is taken.
pub(crate) fn stream_cut(buf: &[u8], cut: usize) -> Option<usize> {
    if buf.len() >= MAX_STATEMENT {
        return Some(cut);
    }
    let mut at = cut;
    loop {
        // Otherwise a tuple line, or text still being read that may yet be one: look back.
        if continues(buf, at) == Some(false) {
            return Some(at);
        }
        let before = at.checked_sub(1)?;
        at = memrchr(b'\n', &buf[..before]).map_or(0, |k| k + 1);
        if at == 0 {
            return None;
        }
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
