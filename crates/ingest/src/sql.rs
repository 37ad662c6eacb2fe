//! mysqldump-style SQL: `INSERT [IGNORE] INTO t [(cols)] VALUES (...),(...);` and `REPLACE INTO`,
//! one statement per line (mysqldump escapes newlines inside strings), or with its tuples on the
//! following lines, one or more per line (phpMyAdmin; see [`crate::sql_cuts`]). Every tuple is a
//! record; a tuple never spans lines.
//!
//! Column names come from the statement's own column list, else from the latest
//! `CREATE TABLE t (...)` before it (found by a pre-scan with `memmem`; a later one is never
//! used, so a streamed read sees the same columns as a mapped one), else positions only
//! (`--msisdn-col 3`). A streamed `CREATE TABLE` may span blocks if it is under [`CARRY`] bytes. Strings are `'...'` with `\'`, `\\` and `''` escapes, handed to the
//! normalizer without unescaping; `NULL` is an empty candidate; other values as written. A tuple
//! cut off by the end of its line (truncated dump) or unparseable text is skipped and counted.
//! Lines that are not `INSERT`/`REPLACE` statements are not records.

use memchr::memmem;

use crate::columns::{display_name, kind_of};
use crate::emit::{Emitter, KIND_CNIC, KIND_MSISDN};
use crate::outcome::SkipReason;
use crate::{ColumnRef, RecordSink};

/// Column names of one `CREATE TABLE`, found at an absolute offset.
#[derive(Debug, Clone)]
pub(crate) struct TableDef {
    pub offset: u64,
    pub name: Vec<u8>,
    pub columns: Vec<Vec<u8>>,
}

/// Longest `CREATE TABLE` statement found when it spans streamed blocks: the last `CARRY` bytes
/// of the blocks scanned so far are scanned again together with the next block.
pub(crate) const CARRY: usize = 64 << 10;

const CREATE: [&[u8]; 2] = [b"CREATE TABLE", b"create table"];

/// All table definitions seen so far, in input order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    defs: Vec<TableDef>,
    /// The last bytes scanned (at most [`CARRY`]), ending at absolute offset `tail_end`.
    tail: Vec<u8>,
    tail_end: u64,
}

impl Tables {
    /// Adds the `CREATE TABLE` statements of `data` (absolute offset `base`). Called on
    /// consecutive blocks of a stream, it also finds statements that straddle blocks.
    pub fn scan(&mut self, data: &[u8], base: u64) {
        let mut tail = std::mem::take(&mut self.tail);
        if self.tail_end != base {
            tail.clear();
        }
        if !tail.is_empty() {
            // Statements starting in the carried tail, completed by the start of `data`.
            let n = tail.len();
            tail.extend_from_slice(&data[..data.len().min(CARRY)]);
            self.find(&tail, base - n as u64, n);
            tail.truncate(n);
        }
        self.find(data, base, data.len());
        tail.extend_from_slice(&data[data.len().saturating_sub(CARRY)..]);
        tail.drain(..tail.len().saturating_sub(CARRY));
        self.tail = tail;
        self.tail_end = base + data.len() as u64;
    }

    /// Parses every `CREATE TABLE` starting before `data[limit]` and not already known.
    fn find(&mut self, data: &[u8], base: u64, limit: usize) {
        // Only statements found before this call can repeat; those are sorted by offset.
        let known = self.defs.len();
        for needle in CREATE {
            for at in memmem::find_iter(data, needle).take_while(|&at| at < limit) {
                let offset = base + at as u64;
                if self.defs[..known]
                    .binary_search_by_key(&offset, |d| d.offset)
                    .is_ok()
                {
                    continue;
                }
                if let Some((name, columns)) = parse_create(&data[at + needle.len()..]) {
                    self.defs.push(TableDef {
                        offset,
                        name,
                        columns,
                    });
                }
            }
        }
        self.defs.sort_by_key(|d| d.offset);
    }

    /// The columns of the latest `CREATE TABLE name` before `offset`.
    fn columns(&self, name: &[u8], offset: u64) -> Option<&[Vec<u8>]> {
        let before = self.defs.partition_point(|d| d.offset < offset);
        self.defs[..before]
            .iter()
            .rfind(|d| d.name == name)
            .map(|d| d.columns.as_slice())
    }
}

struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn keyword(&mut self, kw: &str) -> bool {
        self.ws();
        let end = self.i + kw.len();
        let ok = self
            .s
            .get(self.i..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(kw.as_bytes()))
            && self
                .s
                .get(end)
                .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_');
        if ok {
            self.i = end;
        }
        ok
    }
    /// An identifier, backquoted or bare; `db`.`t` yields `t`.
    fn ident(&mut self) -> Option<&'a [u8]> {
        let mut last = None;
        loop {
            self.ws();
            if self.peek()? == b'`' {
                let start = self.i + 1;
                let len = self.s[start..].iter().position(|&b| b == b'`')?;
                self.i = start + len + 1;
                last = Some(&self.s[start..start + len]);
            } else {
                let start = self.i;
                while self.peek().is_some_and(|b| {
                    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
                }) {
                    self.i += 1;
                }
                if self.i == start {
                    return last;
                }
                last = Some(&self.s[start..self.i]);
            }
            if self.peek() == Some(b'.') {
                self.i += 1;
            } else {
                return last;
            }
        }
    }
    /// One value up to a top-level `,` or `)`; cursor on that byte. `None` at end of input.
    fn value(&mut self) -> Option<&'a [u8]> {
        self.ws();
        let start = self.i;
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'\'' => {
                    self.i += 1;
                    loop {
                        match self.peek()? {
                            b'\\' => self.i += 2,
                            b'\'' if self.s.get(self.i + 1) == Some(&b'\'') => self.i += 2,
                            b'\'' => break,
                            _ => self.i += 1,
                        }
                    }
                }
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            self.i += 1;
        }
        let mut v = &self.s[start..self.i];
        while let [rest @ .., last] = v {
            if !last.is_ascii_whitespace() {
                break;
            }
            v = rest;
        }
        Some(v)
    }
}

/// Parses `name (col ..., ...)` after `CREATE TABLE`.
fn parse_create(s: &[u8]) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    let mut c = Cur { s, i: 0 };
    if c.keyword("IF") {
        let _ = c.keyword("NOT") && c.keyword("EXISTS");
    }
    let name = c.ident()?.to_vec();
    c.ws();
    if c.peek()? != b'(' {
        return None;
    }
    c.i += 1;
    let mut columns = Vec::new();
    loop {
        let item_start = c.i;
        c.ws();
        let is_key = [
            "PRIMARY",
            "KEY",
            "UNIQUE",
            "CONSTRAINT",
            "INDEX",
            "FULLTEXT",
            "SPATIAL",
            "CHECK",
            "FOREIGN",
        ]
        .iter()
        .any(|kw| {
            let mut probe = Cur { s, i: c.i };
            probe.keyword(kw)
        });
        if !is_key {
            if let Some(col) = c.ident() {
                columns.push(col.to_vec());
            }
        }
        c.i = c.i.max(item_start);
        c.value()?;
        match c.peek()? {
            b',' => c.i += 1,
            _ => return Some((name, columns)),
        }
    }
}

/// How a statement's tuple list ended on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// At `;` (or at the end of the line right after a tuple): the statement is over.
    Closed,
    /// At the end of the line after `VALUES` or after a `,`: tuples continue on the next lines.
    Open,
    /// At malformed or truncated text (already counted as skipped).
    Broken,
}

/// Parses a chunk of whole lines starting at absolute offset `base`. Chunks never start inside
/// a multi-line statement (see [`crate::sql_cuts`]), so an open statement's column kinds carry
/// from line to line within the chunk.
pub(crate) fn parse_chunk<S: RecordSink>(
    data: &[u8],
    base: u64,
    tables: &Tables,
    cols: (&[ColumnRef], &[ColumnRef]),
    used: &mut Vec<(String, u8)>,
    em: &mut Emitter<'_, S>,
) {
    let mut kinds: Vec<u8> = Vec::new();
    let mut open = false;
    let mut pos = 0;
    while pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k);
        let line = &data[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed = line
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(line.len());
        let head = &line[trimmed..];
        if head.first() == Some(&b'(') {
            if open {
                let mut c = Cur {
                    s: line,
                    i: trimmed,
                };
                open = tuples(&mut c, data, pos, base, &kinds, em) == End::Open;
            } else if looks_like_tuples(head) {
                // Tuples with no statement: a cut past MAX_STATEMENT, or a damaged dump.
                em.skip(data, pos, base, SkipReason::MalformedSql);
            }
        } else if !head.is_empty() {
            let is_insert = head.len() >= 7
                && (head[..6].eq_ignore_ascii_case(b"INSERT")
                    || head[..7].eq_ignore_ascii_case(b"REPLACE"));
            open = is_insert
                && insert_line(line, data, pos, base, tables, cols, &mut kinds, used, em)
                    == End::Open;
        }
        pos = end + 1;
    }
}

/// Whether a line starting with `(` ends like a tuple list line (`),` or `);`).
fn looks_like_tuples(head: &[u8]) -> bool {
    let tail = head.trim_ascii_end();
    tail.ends_with(b"),") || tail.ends_with(b");")
}

#[allow(clippy::too_many_arguments)]
fn insert_line<S: RecordSink>(
    line: &[u8],
    data: &[u8],
    pos: usize,
    base: u64,
    tables: &Tables,
    (msisdn_cols, cnic_cols): (&[ColumnRef], &[ColumnRef]),
    kinds: &mut Vec<u8>,
    used: &mut Vec<(String, u8)>,
    em: &mut Emitter<'_, S>,
) -> End {
    let mut c = Cur { s: line, i: 0 };
    let _ = c.keyword("INSERT") || c.keyword("REPLACE");
    while c.keyword("IGNORE") || c.keyword("LOW_PRIORITY") || c.keyword("DELAYED") {}
    let _ = c.keyword("INTO");
    let Some(table) = c.ident() else {
        em.skip(data, pos, base, SkipReason::MalformedSql);
        return End::Broken;
    };
    c.ws();
    let mut listed: Vec<&[u8]> = Vec::new();
    if c.peek() == Some(b'(') {
        c.i += 1;
        while let Some(col) = c.ident() {
            listed.push(col);
            c.ws();
            match c.peek() {
                Some(b',') => c.i += 1,
                Some(b')') => {
                    c.i += 1;
                    break;
                }
                _ => {
                    em.skip(data, pos, base, SkipReason::MalformedSql);
                    return End::Broken;
                }
            }
        }
    }
    if !(c.keyword("VALUES") || c.keyword("VALUE")) {
        em.skip(data, pos, base, SkipReason::MalformedSql);
        return End::Broken;
    }
    let known: Vec<&[u8]> = if listed.is_empty() {
        tables
            .columns(table, base + pos as u64)
            .map(|cols| cols.iter().map(Vec::as_slice).collect())
            .unwrap_or_default()
    } else {
        listed
    };
    kinds.clear();
    let width = known.len().max(
        msisdn_cols
            .iter()
            .chain(cnic_cols)
            .filter_map(|c| match c {
                ColumnRef::Index(i) => Some(*i),
                ColumnRef::Name(_) => None,
            })
            .max()
            .unwrap_or(0),
    );
    for p in 1..=width {
        let name = known.get(p - 1).copied().unwrap_or(b"");
        let k = if name.is_empty() {
            index_only(msisdn_cols, cnic_cols, p)
        } else {
            kind_of(name, Some(p), msisdn_cols, cnic_cols)
        };
        if k != 0 && used.len() < 64 {
            let label = format!(
                "{}.{}",
                display_name(table),
                if name.is_empty() {
                    format!("#{p}")
                } else {
                    display_name(name)
                }
            );
            if !used.iter().any(|(l, _)| *l == label) {
                used.push((label, k));
            }
        }
        kinds.push(k);
    }
    tuples(&mut c, data, pos, base, kinds, em)
}

/// Kind bits allowed for an unnamed position: only explicit indices.
fn index_only(m: &[ColumnRef], c: &[ColumnRef], p: usize) -> u8 {
    let has = |cols: &[ColumnRef]| cols.contains(&ColumnRef::Index(p));
    (if has(m) { KIND_MSISDN } else { 0 }) | (if has(c) { KIND_CNIC } else { 0 })
}

fn tuples<S: RecordSink>(
    c: &mut Cur<'_>,
    data: &[u8],
    pos: usize,
    base: u64,
    kinds: &[u8],
    em: &mut Emitter<'_, S>,
) -> End {
    loop {
        c.ws();
        let tstart = c.i;
        match c.peek() {
            Some(b'(') => c.i += 1,
            Some(b';') => return End::Closed,
            None => return End::Open,
            Some(_) => {
                em.skip(data, pos + tstart, base, SkipReason::MalformedSql);
                return End::Broken;
            }
        }
        let mut col = 0;
        let complete = loop {
            let Some(v) = c.value() else { break false };
            if let Some(&k) = kinds.get(col) {
                if k != 0 {
                    let v = if v.eq_ignore_ascii_case(b"NULL") {
                        &v[..0]
                    } else {
                        v
                    };
                    let v = match v {
                        [b'\'', inner @ .., b'\''] => inner,
                        _ => v,
                    };
                    em.candidate(k, v);
                }
            }
            col += 1;
            match c.peek() {
                Some(b',') => c.i += 1,
                Some(b')') => {
                    c.i += 1;
                    break true;
                }
                _ => break false,
            }
        };
        if !complete {
            em.skip(data, pos + tstart, base, SkipReason::TruncatedSqlTuple);
            return End::Broken;
        }
        em.record(base + (pos + tstart) as u64, &c.s[tstart..c.i]);
        c.ws();
        match c.peek() {
            Some(b',') => c.i += 1,
            Some(b';') | None => return End::Closed,
            Some(_) => {
                em.skip(data, pos + c.i, base, SkipReason::MalformedSql);
                return End::Broken;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_create_table() {
        let sql = b"DROP TABLE IF EXISTS `subs`;\nCREATE TABLE `subs` (\n  `id` int(11) NOT NULL,\n  `Mobile No` varchar(20) DEFAULT 'a,b',\n  `cnic` varchar(15),\n  PRIMARY KEY (`id`),\n  KEY `m` (`Mobile No`)\n) ENGINE=InnoDB;\n";
        let mut t = Tables::default();
        t.scan(sql, 0);
        let cols = t.columns(b"subs", 1000).map(|c| c.to_vec());
        assert_eq!(
            cols,
            Some(vec![
                b"id".to_vec(),
                b"Mobile No".to_vec(),
                b"cnic".to_vec()
            ])
        );
    }

    const CREATE_SUBS: &[u8] =
        b"CREATE TABLE `subs` (\n  `id` int,\n  `msisdn` varchar(20),\n  `cnic` varchar(15)\n);\n";

    fn cols(t: &Tables, name: &[u8], offset: u64) -> Option<Vec<Vec<u8>>> {
        t.columns(name, offset).map(<[Vec<u8>]>::to_vec)
    }

    /// Found by the `sql_tuples` fuzz target: an INSERT before any CREATE TABLE took its
    /// columns from a later CREATE TABLE when mapped, but not when streamed.
    #[test]
    fn create_table_after_the_insert_is_not_used() {
        let mut t = Tables::default();
        t.scan(CREATE_SUBS, 100);
        assert_eq!(cols(&t, b"subs", 50), None);
        assert_eq!(cols(&t, b"subs", 100), None);
        assert_eq!(cols(&t, b"subs", 101).map(|c| c.len()), Some(3));
    }

    /// A CREATE TABLE cut across streamed blocks of any size is found, once.
    #[test]
    fn create_table_spanning_blocks() {
        let mut data = b"-- dump\n".to_vec();
        data.extend_from_slice(CREATE_SUBS);
        data.extend_from_slice(CREATE_SUBS);
        let mut whole = Tables::default();
        whole.scan(&data, 0);
        assert_eq!(whole.defs.len(), 2);
        for block in 1..data.len() {
            let mut t = Tables::default();
            for (i, b) in data.chunks(block).enumerate() {
                t.scan(b, (i * block) as u64);
            }
            let offsets: Vec<u64> = t.defs.iter().map(|d| d.offset).collect();
            assert_eq!(
                offsets,
                vec![8, 8 + CREATE_SUBS.len() as u64],
                "block {block}"
            );
            assert_eq!(cols(&t, b"subs", 1000), cols(&whole, b"subs", 1000));
        }
    }
}
