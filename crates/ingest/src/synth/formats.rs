//! Rendering rows as CSV-like text, JSON lines, mysqldump SQL, free text, and the base CSV.

use std::io::{self, Write};

use super::columns::{cased, col_name, Col, LAYOUTS};
use super::render::{push_cnic, push_msisdn};
use super::row::{Field, Row};
use super::text::{address, push_date};
use super::DumpFormat;
use super::{sql, text};

/// Per-file look, drawn from the seed (not from the row stream).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// 0: `msisdn`, 1: `MSISDN`, 2: `Msisdn` (same for every header).
    pub header_case: u8,
    pub layout: u8,
    pub quote_all: bool,
    pub crlf: bool,
}

fn push_field<F: Copy>(out: &mut String, f: &Field<F>, push: fn(&mut String, u64, F)) {
    match f {
        Field::Valid(v, form) => push(out, *v, *form),
        Field::Reject(text, _) => out.push_str(text),
    }
}

/// The text of one column of `row` (empty for a missing value).
pub(super) fn cell(out: &mut String, row: &Row, col: Col, flat: bool) {
    let p = &row.person;
    match col {
        Col::Id => out.push_str(&row.id.to_string()),
        Col::Name => out.push_str(&format!("{} {}", p.first, p.last)),
        Col::Father if row.has_father => out.push_str(&format!("{} {}", p.father, p.last)),
        Col::Father => {}
        Col::Msisdn => push_field(out, &row.msisdn, push_msisdn),
        Col::Cnic => push_field(out, &row.cnic, push_cnic),
        Col::Address => out.push_str(&address(&row.address, p.city, p.last, flat)),
        Col::City => out.push_str(p.city),
        Col::Imsi => out.push_str(&row.imsi.map(|v| v.to_string()).unwrap_or_default()),
        Col::Date => push_date(out, row),
    }
}

fn delimiter(format: DumpFormat) -> u8 {
    match format {
        DumpFormat::Tsv => b'\t',
        DumpFormat::Semicolon => b';',
        DumpFormat::Pipe => b'|',
        _ => b',',
    }
}

/// RFC 4180 field: quoted when needed (or always), quotes doubled.
pub(super) fn csv_field(w: &mut dyn Write, s: &str, delim: u8, quote_all: bool) -> io::Result<()> {
    let needs = quote_all
        || s.bytes()
            .any(|b| b == delim || b == b'"' || b == b'\n' || b == b'\r');
    if !needs {
        return w.write_all(s.as_bytes());
    }
    w.write_all(b"\"")?;
    w.write_all(s.replace('"', "\"\"").as_bytes())?;
    w.write_all(b"\"")
}

fn eol(style: &Style) -> &'static [u8] {
    if style.crlf {
        b"\r\n"
    } else {
        b"\n"
    }
}

/// Everything before the first row.
pub(crate) fn header(w: &mut dyn Write, format: DumpFormat, style: &Style) -> io::Result<()> {
    let cols = LAYOUTS[usize::from(style.layout) % LAYOUTS.len()];
    match format {
        DumpFormat::Jsonl | DumpFormat::Text => Ok(()),
        DumpFormat::Sql | DumpFormat::Phpmyadmin => sql::header(w, cols),
        _ => {
            let delim = delimiter(format);
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    w.write_all(&[delim])?;
                }
                csv_field(
                    w,
                    &cased(col_name(*c), style.header_case),
                    delim,
                    style.quote_all,
                )?;
            }
            w.write_all(eol(style))
        }
    }
}

/// Rows per `INSERT` statement in SQL.
pub(crate) const SQL_ROWS_PER_INSERT: u64 = 100;

/// Everything after the last of `rows` rows.
pub(crate) fn footer(w: &mut dyn Write, format: DumpFormat, rows: u64) -> io::Result<()> {
    match format {
        DumpFormat::Sql | DumpFormat::Phpmyadmin => sql::footer(w, rows),
        _ => Ok(()),
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::from(s).to_string());
}

/// One row; `index` is the 0-based row number (SQL groups rows into INSERT statements).
pub(crate) fn row(
    w: &mut dyn Write,
    format: DumpFormat,
    style: &Style,
    row: &Row,
    index: u64,
) -> io::Result<()> {
    let cols = LAYOUTS[usize::from(style.layout) % LAYOUTS.len()];
    let mut out = String::with_capacity(256);
    let mut cellbuf = String::with_capacity(64);
    match format {
        DumpFormat::Text => {
            text::text_line(&mut out, row);
            out.push('\n');
        }
        DumpFormat::Jsonl => {
            out.push('{');
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(&mut out, col_name(*c));
                out.push(':');
                cellbuf.clear();
                cell(&mut cellbuf, row, *c, false);
                match c {
                    Col::Id => out.push_str(&cellbuf),
                    Col::Father | Col::Imsi if cellbuf.is_empty() => out.push_str("null"),
                    Col::Imsi => out.push_str(&cellbuf),
                    Col::Msisdn
                        if row.json_number
                            && matches!(row.msisdn, Field::Valid(_, f) if f.json_numeric()) =>
                    {
                        out.push_str(&cellbuf)
                    }
                    _ => json_string(&mut out, &cellbuf),
                }
            }
            out.push_str("}\n");
        }
        DumpFormat::Sql | DumpFormat::Phpmyadmin => {
            let pma = format == DumpFormat::Phpmyadmin;
            if index % SQL_ROWS_PER_INSERT == 0 {
                if index > 0 {
                    out.push_str(";\n");
                }
                if pma {
                    let names: Vec<String> =
                        cols.iter().map(|c| format!("`{}`", col_name(*c))).collect();
                    out.push_str(&format!(
                        "INSERT INTO `subscribers` ({}) VALUES\n",
                        names.join(", ")
                    ));
                } else {
                    out.push_str("INSERT INTO `subscribers` VALUES ");
                }
            } else {
                out.push_str(if pma { ",\n" } else { "," });
            }
            out.push('(');
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    out.push_str(if pma { ", " } else { "," });
                }
                cellbuf.clear();
                cell(&mut cellbuf, row, *c, false);
                match c {
                    Col::Id => out.push_str(&cellbuf),
                    // Only non-identifier columns are ever NULL: an empty identifier is ''.
                    Col::Father | Col::Imsi if cellbuf.is_empty() => out.push_str("NULL"),
                    Col::Imsi => out.push_str(&cellbuf),
                    _ => sql::mysql_string(&mut out, &cellbuf),
                }
            }
            out.push(')');
        }
        _ => {
            let delim = delimiter(format);
            let mut line: Vec<u8> = Vec::with_capacity(256);
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    line.push(delim);
                }
                cellbuf.clear();
                cell(&mut cellbuf, row, *c, false);
                csv_field(&mut line, &cellbuf, delim, style.quote_all)?;
            }
            line.extend_from_slice(eol(style));
            return w.write_all(&line);
        }
    }
    w.write_all(out.as_bytes())
}
