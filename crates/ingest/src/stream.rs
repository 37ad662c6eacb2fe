//! Streamed inputs: blocks of about `chunk_size` bytes cut at the last record boundary, the tail
//! carried over to the next block, processed in parallel batches while the next batch is read.

use std::io::{self, Read};

use memchr::{memchr, memchr_iter};

use crate::chunk::{find_record_end, quote_parity, TailCutter};
use crate::sql::cuts::MAX_STATEMENT;
use crate::sql::stream_cut;

/// One record-aligned block of a stream.
pub(crate) struct Block {
    pub data: Vec<u8>,
    /// Absolute (decompressed) offset of `data[0]`.
    pub offset: u64,
    /// Set when, instead of records, this is one record longer than the limit, dropped as it
    /// was read (`data` is then empty).
    pub dropped: Option<Dropped>,
}

/// A record dropped for being longer than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// Its bytes, with the newline that ended it.
    pub bytes: u64,
    /// Its newlines, the one that ended it included.
    pub lines: u64,
}

/// Reads a stream into record-aligned blocks.
pub(crate) struct BlockReader {
    reader: Box<dyn Read + Send>,
    buf: Vec<u8>,
    offset: u64,
    eof: bool,
    error: Option<io::Error>,
    cutter: TailCutter,
    target: usize,
    csv: bool,
    sql: bool,
    max_record: usize,
}

/// Bytes asked of the reader per `read` call.
const READ_SIZE: usize = 1 << 20;

impl BlockReader {
    /// A reader of blocks of about `target` bytes that drops records longer than
    /// `max_record` (see [`BlockReader::next_block`]).
    pub fn new(reader: Box<dyn Read + Send>, target: usize, max_record: usize) -> Self {
        BlockReader {
            reader,
            buf: Vec::new(),
            offset: 0,
            eof: false,
            error: None,
            cutter: TailCutter::default(),
            target: target.max(1),
            csv: false,
            sql: false,
            max_record: max_record.max(1),
        }
    }

    /// Cut CSV-style (quote-aware) from now on.
    pub fn set_csv(&mut self, csv: bool) {
        self.csv = csv;
        self.cutter.reset();
    }

    /// Cut SQL-style (never inside a multi-line statement, see [`crate::sql::cuts`]) from now on.
    pub fn set_sql(&mut self, sql: bool) {
        self.sql = sql;
    }

    /// Reads until the buffer holds `want` bytes or the stream ends (or fails).
    pub fn fill(&mut self, want: usize) {
        while !self.eof && self.buf.len() < want {
            let old = self.buf.len();
            self.buf
                .resize(old + READ_SIZE.min(want - old).max(64 << 10), 0);
            match self.reader.read(&mut self.buf[old..]) {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                }
                Ok(n) => self.buf.truncate(old + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => self.buf.truncate(old),
                Err(e) => {
                    self.buf.truncate(old);
                    self.error = Some(e);
                    self.eof = true;
                }
            }
        }
    }

    /// Buffered bytes not yet handed out.
    pub fn head(&self) -> &[u8] {
        &self.buf
    }

    /// Reads until the buffer holds the first complete (CSV) record, or the stream ends.
    pub fn fill_first_record(&mut self) {
        // Searching from the top again after each read is fine: the buffer at least doubles
        // per round, and this happens once per input.
        // Never past the record limit: a longer first record is an error for the caller.
        while !self.eof
            && self.buf.len() <= self.max_record
            && find_record_end(&self.buf, false).is_err()
        {
            let want = self.buf.len() + self.target.max(self.buf.len());
            self.fill(want.min(self.max_record + 1));
        }
    }

    /// Drops `n` bytes from the front (a BOM or a header).
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.drain(..n);
        self.offset += n as u64;
        self.cutter.reset();
    }

    /// The next record-aligned block; `None` at the end. After a read error the incomplete
    /// record at the end of the buffer is dropped, not processed.
    ///
    /// The buffer holds at most about `max_record` plus a block: a record at its front with no
    /// end in more than `max_record` bytes (no newline, an unclosed quote) is dropped as it is
    /// read, and handed out as a [`Dropped`] block to be counted. An SQL buffer may hold a
    /// multi-line statement up to [`MAX_STATEMENT`] bytes; it grows geometrically meanwhile, so
    /// that the search for a clean cut, linear in the buffer, stays linear in the input.
    pub fn next_block(&mut self) -> Option<Block> {
        let mut want = self.target;
        loop {
            self.fill(want);
            if self.buf.is_empty() {
                return None;
            }
            if self.eof && self.error.is_none() {
                return Some(self.take(self.buf.len()));
            }
            let plain = self.cutter.cut(&self.buf, self.csv);
            let cut = if self.sql {
                plain.and_then(|c| stream_cut(&self.buf, c))
            } else {
                plain
            };
            match cut {
                Some(c) => return Some(self.take(c)),
                None if self.eof => {
                    self.offset += self.buf.len() as u64;
                    self.buf.clear();
                    return None;
                }
                None if plain.is_none() && self.buf.len() > self.max_record => {
                    return Some(self.drop_record());
                }
                None if plain.is_some() => {
                    let grown = self.buf.len() + self.target.max(self.buf.len());
                    want = grown.min(MAX_STATEMENT.max(self.buf.len() + self.target));
                }
                None => want = self.buf.len() + self.target,
            }
        }
    }

    /// Drops the record at the front of the buffer, which has no end in it, and the rest of it
    /// as it is read, up to its end (a newline; for CSV one with an even number of quotes since
    /// the record's start) or the end of the stream.
    fn drop_record(&mut self) -> Block {
        let offset = self.offset;
        let mut odd = self.csv && quote_parity(&self.buf);
        let mut dropped = Dropped { bytes: 0, lines: 0 };
        loop {
            let end = if self.csv {
                find_record_end(&self.buf, odd)
            } else {
                memchr(b'\n', &self.buf).ok_or(false)
            };
            let n = match end {
                Ok(k) => k + 1,
                Err(o) => {
                    odd = o;
                    self.buf.len()
                }
            };
            dropped.bytes += n as u64;
            dropped.lines += memchr_iter(b'\n', &self.buf[..n]).count() as u64;
            self.buf.drain(..n);
            if end.is_ok() || self.eof {
                break;
            }
            self.fill(self.target);
            if self.buf.is_empty() {
                break;
            }
        }
        self.offset += dropped.bytes;
        self.cutter.reset();
        Block {
            data: Vec::new(),
            offset,
            dropped: Some(dropped),
        }
    }

    fn take(&mut self, cut: usize) -> Block {
        let rest = self.buf[cut..].to_vec();
        let mut data = std::mem::replace(&mut self.buf, rest);
        data.truncate(cut);
        let block = Block {
            data,
            offset: self.offset,
            dropped: None,
        };
        self.offset += cut as u64;
        self.cutter.reset();
        block
    }

    /// The read error that ended the stream, if any.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// Bytes handed out or dropped plus bytes buffered.
    pub fn bytes_seen(&self) -> u64 {
        self.offset + self.buf.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns data in tiny reads, then optionally an error.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        fail: bool,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pos == self.data.len() {
                return if self.fail {
                    Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut"))
                } else {
                    Ok(0)
                };
            }
            let n = buf.len().min(3).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    fn blocks(data: &[u8], fail: bool, target: usize) -> (Vec<Vec<u8>>, bool) {
        let mut r = BlockReader::new(
            Box::new(Trickle {
                data: data.to_vec(),
                pos: 0,
                fail,
            }),
            target,
            1 << 20,
        );
        r.set_csv(true);
        let mut out = Vec::new();
        let mut offset = 0;
        while let Some(b) = r.next_block() {
            assert_eq!(b.offset, offset);
            offset += b.data.len() as u64;
            out.push(b.data);
        }
        (out, r.take_error().is_some())
    }

    #[test]
    fn blocks_are_record_aligned() {
        let data = b"a,\"x\ny\"\nb,c\n\"long\n\n\nquoted\",d\ntail";
        for target in 1..12 {
            let (bs, err) = blocks(data, false, target);
            assert!(!err);
            assert_eq!(bs.concat(), data.to_vec());
            for b in &bs[..bs.len() - 1] {
                // Every block ends exactly at a record end.
                let mut pos = 0;
                while let Ok(k) = find_record_end(&b[pos..], false) {
                    pos += k + 1;
                }
                assert_eq!(pos, b.len(), "target {target}");
            }
        }
        let (bs, err) = blocks(data, true, 4);
        assert!(err);
        assert_eq!(bs.concat(), data[..data.len() - 4].to_vec());
    }
}
