//! mysqldump-style SQL: `INSERT [IGNORE] INTO t [(cols)] VALUES (...),(...);` and `REPLACE INTO`,
//! one statement per line (mysqldump escapes newlines inside strings), or with its tuples on the
//! following lines, one or more per line (phpMyAdmin; see [`crate::sql::cuts`]). Every tuple is a
//! record; a tuple never spans lines.
//!
//! Column names come from the statement's own column list, else from the latest
//! `CREATE TABLE t (...)` before it (found by a pre-scan with `memmem`; a later one is never
//! used, so a streamed read sees the same columns as a mapped one), else positions only
//! (`--msisdn-col 3`). A streamed `CREATE TABLE` may span blocks if it is under `tables::CARRY`
//! (1 MiB) bytes. Strings are `'...'` with `\'`, `\\` and `''` escapes, handed to the
//! normalizer without unescaping; `NULL` is an empty candidate; other values as written. A tuple
//! cut off by the end of its line (truncated dump) or unparseable text is skipped and counted.
//! Lines that are not `INSERT`/`REPLACE` statements are not records.

pub(crate) mod cuts;
mod lex;
mod tables;

pub(crate) use cuts::{sql_chunks, stream_cut};
pub(crate) use tables::Tables;

use crate::columns::{display_name, kind_of};
use crate::emit::{Emitter, KIND_CNIC, KIND_MSISDN};
use crate::outcome::SkipReason;
use crate::{ColumnRef, RecordSink};
use lex::Cur;

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
/// a multi-line statement (see [`crate::sql::cuts`]), so an open statement's column kinds carry
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
    let Some((table, listed)) = statement_head(&mut c) else {
        em.skip(data, pos, base, SkipReason::MalformedSql);
        return End::Broken;
    };
    let known = known_columns(table, listed, tables, base + pos as u64);
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

/// Reads `INSERT [IGNORE] INTO t [(cols)] VALUES` from the start of `c`'s line: the table, the
/// listed columns; the cursor is then before the first tuple. `None` if malformed.
fn statement_head<'a>(c: &mut Cur<'a>) -> Option<(&'a [u8], Vec<&'a [u8]>)> {
    let _ = c.keyword("INSERT") || c.keyword("REPLACE");
    while c.keyword("IGNORE") || c.keyword("LOW_PRIORITY") || c.keyword("DELAYED") {}
    let _ = c.keyword("INTO");
    let table = c.ident()?;
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
                _ => return None,
            }
        }
    }
    (c.keyword("VALUES") || c.keyword("VALUE")).then_some((table, listed))
}

/// A statement's column names: its own list, else the latest `CREATE TABLE` before `offset`.
fn known_columns<'a>(
    table: &[u8],
    listed: Vec<&'a [u8]>,
    tables: &'a Tables,
    offset: u64,
) -> Vec<&'a [u8]> {
    if listed.is_empty() {
        tables
            .columns(table, offset)
            .map(|cols| cols.iter().map(Vec::as_slice).collect())
            .unwrap_or_default()
    } else {
        listed
    }
}

/// The tuples of the statements in `window` (the input's first bytes; `complete` when that
/// is all of it), at most `max` of them, as values column by column (quotes stripped, `NULL`
/// empty) — for choosing columns by content ([`crate::content`]). `None` when a column name
/// known for a statement (its list, or a `CREATE TABLE` in the window) names an identifier:
/// then the names choose.
pub(crate) fn sample_tuples(
    window: &[u8],
    complete: bool,
    max: usize,
) -> Option<Vec<Vec<Vec<u8>>>> {
    let mut tables = Tables::default();
    tables.scan(window, 0);
    let mut rows: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut open = false;
    let mut pos = 0;
    while pos < window.len() && rows.len() < max {
        let Some(end) = memchr::memchr(b'\n', &window[pos..])
            .map(|k| pos + k)
            .or(complete.then_some(window.len()))
        else {
            break; // cut by the end of the window
        };
        let line = &window[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut c = Cur { s: line, i: 0 };
        c.ws();
        let head = &line[c.i..];
        let is_insert = head.len() >= 7
            && (head[..6].eq_ignore_ascii_case(b"INSERT")
                || head[..7].eq_ignore_ascii_case(b"REPLACE"));
        if is_insert {
            open = false;
            if let Some((table, listed)) = statement_head(&mut c) {
                let known = known_columns(table, listed, &tables, pos as u64);
                if known.iter().any(|n| kind_of(n, None, &[], &[]) != 0) {
                    return None;
                }
                open = sample_line_tuples(&mut c, &mut rows, max);
            }
        } else if open && head.first() == Some(&b'(') {
            open = sample_line_tuples(&mut c, &mut rows, max);
        } else if !head.is_empty() {
            open = false;
        }
        pos = end + 1;
    }
    Some(rows)
}

/// Appends the tuples of the rest of `c`'s line to `rows`; whether the statement continues on
/// the next line.
fn sample_line_tuples(c: &mut Cur<'_>, rows: &mut Vec<Vec<Vec<u8>>>, max: usize) -> bool {
    while rows.len() < max {
        c.ws();
        match c.peek() {
            Some(b'(') => c.i += 1,
            None => return true,
            Some(_) => return false,
        }
        let mut row = Vec::new();
        loop {
            let Some(v) = c.value() else { return false };
            let v = if v.eq_ignore_ascii_case(b"NULL") {
                &v[..0]
            } else {
                v
            };
            let v = match v {
                [b'\'', inner @ .., b'\''] => inner,
                _ => v,
            };
            row.push(v.to_vec());
            match c.peek() {
                Some(b',') => c.i += 1,
                Some(b')') => {
                    c.i += 1;
                    break;
                }
                _ => return false,
            }
        }
        rows.push(row);
        c.ws();
        match c.peek() {
            Some(b',') => c.i += 1,
            None => return true,
            Some(_) => return false,
        }
    }
    false
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
