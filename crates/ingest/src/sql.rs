//! mysqldump-style SQL: `INSERT [IGNORE] INTO t [(cols)] VALUES (...),(...);` and `REPLACE INTO`,
//! one statement per line (mysqldump escapes newlines inside strings). Every tuple is a record.
//!
//! Column names come from the statement's own column list, else from the latest
//! `CREATE TABLE t (...)` before it (found by a pre-scan with `memmem`), else positions only
//! (`--msisdn-col 3`). Strings are `'...'` with `\'`, `\\` and `''` escapes, handed to the
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

/// All table definitions seen so far, in input order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    defs: Vec<TableDef>,
}

impl Tables {
    /// Adds the `CREATE TABLE` statements of `data` (absolute offset `base`).
    pub fn scan(&mut self, data: &[u8], base: u64) {
        for needle in [&b"CREATE TABLE"[..], b"create table"] {
            for at in memmem::find_iter(data, needle) {
                if let Some(def) = parse_create(&data[at + needle.len()..]) {
                    let (name, columns) = def;
                    self.defs.push(TableDef {
                        offset: base + at as u64,
                        name,
                        columns,
                    });
                }
            }
        }
        self.defs.sort_by_key(|d| d.offset);
    }

    fn columns(&self, name: &[u8], offset: u64) -> Option<&[Vec<u8>]> {
        let same = || self.defs.iter().filter(|d| d.name == name);
        same()
            .rfind(|d| d.offset < offset)
            .or_else(|| same().next())
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

/// Parses a chunk of whole lines starting at absolute offset `base`.
pub(crate) fn parse_chunk<S: RecordSink>(
    data: &[u8],
    base: u64,
    tables: &Tables,
    cols: (&[ColumnRef], &[ColumnRef]),
    used: &mut Vec<(String, u8)>,
    em: &mut Emitter<'_, S>,
) {
    let mut kinds: Vec<u8> = Vec::new();
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
        let is_insert = head.len() >= 7
            && (head[..6].eq_ignore_ascii_case(b"INSERT")
                || head[..7].eq_ignore_ascii_case(b"REPLACE"));
        if is_insert {
            insert_line(line, data, pos, base, tables, cols, &mut kinds, used, em);
        }
        pos = end + 1;
    }
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
) {
    let mut c = Cur { s: line, i: 0 };
    let _ = c.keyword("INSERT") || c.keyword("REPLACE");
    while c.keyword("IGNORE") || c.keyword("LOW_PRIORITY") || c.keyword("DELAYED") {}
    let _ = c.keyword("INTO");
    let Some(table) = c.ident() else {
        em.skip(data, pos, base, SkipReason::MalformedSql);
        return;
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
                    return;
                }
            }
        }
    }
    if !(c.keyword("VALUES") || c.keyword("VALUE")) {
        em.skip(data, pos, base, SkipReason::MalformedSql);
        return;
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
    tuples(&mut c, data, pos, base, kinds, em);
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
) {
    loop {
        c.ws();
        let tstart = c.i;
        match c.peek() {
            Some(b'(') => c.i += 1,
            Some(b';') | None => return,
            Some(_) => {
                em.skip(data, pos + tstart, base, SkipReason::MalformedSql);
                return;
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
            return;
        }
        em.record(base + (pos + tstart) as u64, &c.s[tstart..c.i]);
        c.ws();
        match c.peek() {
            Some(b',') => c.i += 1,
            Some(b';') | None => return,
            Some(_) => {
                em.skip(data, pos + c.i, base, SkipReason::MalformedSql);
                return;
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
}
