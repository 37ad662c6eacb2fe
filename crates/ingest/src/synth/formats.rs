//! Rendering rows as CSV-like text, JSON lines, mysqldump SQL, free text, and the base CSV.

use std::io::{self, Write};

use super::people::{Address, Field, Row};
use super::render::{push_cnic, push_msisdn};
use super::DumpFormat;

/// Per-file look, drawn from the seed (not from the row stream).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// 0: `msisdn`, 1: `MSISDN`, 2: `Msisdn` (same for every header).
    pub header_case: u8,
    pub layout: u8,
    pub quote_all: bool,
    pub crlf: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    Name,
    Father,
    Msisdn,
    Cnic,
    Address,
    City,
    Imsi,
    Date,
}

const LAYOUTS: [&[Col]; 2] = [
    &[
        Col::Id,
        Col::Name,
        Col::Father,
        Col::Msisdn,
        Col::Cnic,
        Col::Address,
        Col::City,
        Col::Imsi,
        Col::Date,
    ],
    &[
        Col::Id,
        Col::Cnic,
        Col::Name,
        Col::Father,
        Col::City,
        Col::Address,
        Col::Msisdn,
        Col::Date,
        Col::Imsi,
    ],
];

fn col_name(c: Col) -> &'static str {
    match c {
        Col::Id => "id",
        Col::Name => "name",
        Col::Father => "father_name",
        Col::Msisdn => "msisdn",
        Col::Cnic => "cnic",
        Col::Address => "address",
        Col::City => "city",
        Col::Imsi => "imsi",
        Col::Date => "activation_date",
    }
}

fn cased(name: &str, case: u8) -> String {
    match case {
        1 => name.to_ascii_uppercase(),
        2 => name
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("_"),
        _ => name.to_owned(),
    }
}

const AREAS: [&str; 10] = [
    "Model Town",
    "Gulberg",
    "Johar Town",
    "Satellite Town",
    "Gulshan-e-Iqbal",
    "Cantt",
    "Saddar",
    "Civil Lines",
    "Hayatabad",
    "Samanabad",
];
const SECTORS: [&str; 4] = ["G", "F", "I", "E"];

/// Address text; in Text (`flat`) lines never break and numbers stay separated by words.
pub(crate) fn address(a: &Address, city: &str, last: &str, flat: bool) -> String {
    let sep = if a.multiline && !flat { "\n" } else { ", " };
    let (h, s, area) = (a.house, a.street, AREAS[usize::from(a.area) % AREAS.len()]);
    let letter = char::from(b'A' + a.letter % 8);
    let line = match a.kind {
        0..=5 if city == "Islamabad" => {
            let sector = SECTORS[usize::from(a.letter) % SECTORS.len()];
            format!(
                "House {h}, Street {s}, {sector}-{}/{}",
                6 + a.area % 6,
                1 + a.letter % 4
            )
        }
        0..=5 => format!("House {h}, Street {s}, {area}"),
        6..=9 => format!("Flat {h}, Block {letter}, {area}"),
        10..=12 => format!(
            "Mohalla {}abad, Near \"Jamia\" Masjid",
            last.replace('\'', "")
        ),
        13..=15 => format!("Shop {h}, {last}'s Plaza, {area}"),
        16 => format!("Qr. {h}\\{s}, Railway Colony"),
        _ => format!("Village Chak {h}, Tehsil {city}"),
    };
    format!("{line}{sep}{city}")
}

fn push_date(out: &mut String, row: &Row) {
    let (y, m, d) = row.date;
    out.push_str(&if row.dmy_date {
        format!("{d:02}/{m:02}/{y}")
    } else {
        format!("{y}-{m:02}-{d:02}")
    });
}

fn push_field<F: Copy>(out: &mut String, f: &Field<F>, push: fn(&mut String, u64, F)) {
    match f {
        Field::Valid(v, form) => push(out, *v, *form),
        Field::Reject(text, _) => out.push_str(text),
    }
}

/// The text of one column of `row` (empty for a missing value).
fn cell(out: &mut String, row: &Row, col: Col, flat: bool) {
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
fn csv_field(w: &mut dyn Write, s: &str, delim: u8, quote_all: bool) -> io::Result<()> {
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

const SQL_HEAD: &str = "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: crm_subscribers
-- ------------------------------------------------------
-- Server version\t8.0.36
-- SYNTHETIC TEST DATA generated by leakmatch: no real person

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;

--
-- Table structure for table `subscribers`
--

DROP TABLE IF EXISTS `subscribers`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!50503 SET character_set_client = utf8mb4 */;
CREATE TABLE `subscribers` (
";

fn sql_type(c: Col) -> &'static str {
    match c {
        Col::Id => "int NOT NULL",
        Col::Name | Col::Father => "varchar(100) DEFAULT NULL",
        Col::Msisdn | Col::Cnic => "varchar(20) DEFAULT NULL",
        Col::Address => "text",
        Col::City => "varchar(50) DEFAULT NULL",
        Col::Imsi => "bigint DEFAULT NULL",
        Col::Date => "varchar(10) DEFAULT NULL",
    }
}

/// Everything before the first row.
pub(crate) fn header(w: &mut dyn Write, format: DumpFormat, style: &Style) -> io::Result<()> {
    let cols = LAYOUTS[usize::from(style.layout) % LAYOUTS.len()];
    match format {
        DumpFormat::Jsonl | DumpFormat::Text => Ok(()),
        DumpFormat::Sql => {
            w.write_all(SQL_HEAD.as_bytes())?;
            for c in cols {
                writeln!(w, "  `{}` {},", col_name(*c), sql_type(*c))?;
            }
            w.write_all(b"  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n")?;
            w.write_all(b"/*!40101 SET character_set_client = @saved_cs_client */;\n\n")?;
            w.write_all(b"--\n-- Dumping data for table `subscribers`\n--\n\n")?;
            w.write_all(b"LOCK TABLES `subscribers` WRITE;\n")?;
            w.write_all(b"/*!40000 ALTER TABLE `subscribers` DISABLE KEYS */;\n")
        }
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
    if format != DumpFormat::Sql {
        return Ok(());
    }
    if rows > 0 {
        w.write_all(b";\n")?;
    }
    w.write_all(b"/*!40000 ALTER TABLE `subscribers` ENABLE KEYS */;\nUNLOCK TABLES;\n")?;
    w.write_all(
        b"/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;\n\n-- Dump completed on 2024-05-14 10:21:07\n",
    )
}

fn mysql_string(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            _ => out.push(c),
        }
    }
    out.push('\'');
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
            text_line(&mut out, row);
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
        DumpFormat::Sql => {
            if index % SQL_ROWS_PER_INSERT == 0 {
                if index > 0 {
                    out.push_str(";\n");
                }
                out.push_str("INSERT INTO `subscribers` VALUES ");
            } else {
                out.push(',');
            }
            out.push('(');
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                cellbuf.clear();
                cell(&mut cellbuf, row, *c, false);
                match c {
                    Col::Id => out.push_str(&cellbuf),
                    // Only non-identifier columns are ever NULL: an empty identifier is ''.
                    Col::Father | Col::Imsi if cellbuf.is_empty() => out.push_str("NULL"),
                    Col::Imsi => out.push_str(&cellbuf),
                    _ => mysql_string(&mut out, &cellbuf),
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

/// A free-text line: valid identifiers only, in unspaced ASCII forms, each separated from any
/// other number by words. Decoy numbers (house, street, sector, Chak, date, postal code) all
/// have fewer than 10 digits. Junk identifiers are left out of the line.
fn text_line(out: &mut String, row: &Row) {
    let p = &row.person;
    let mut m = String::new();
    if let Field::Valid(v, f) = row.msisdn {
        push_msisdn(&mut m, v, f.for_text());
    }
    let mut c = String::new();
    if let Field::Valid(v, f) = row.cnic {
        push_cnic(&mut c, v, f.for_text());
    }
    let mut date = String::new();
    push_date(&mut date, row);
    let name = format!("{} {}", p.first, p.last);
    let opt = |label: &str, v: &str| {
        if v.is_empty() {
            String::new()
        } else {
            format!("{label}{v}")
        }
    };
    let line = match row.text_template {
        0 => format!(
            "{name} s/o {} {}{}{}, {}",
            p.father,
            p.last,
            opt(", mobile ", &m),
            opt(", CNIC ", &c),
            address(&row.address, p.city, p.last, true)
        ),
        1 => format!(
            "Name: {name}{}{} | City: {} | Reg: {date}",
            opt(" | Cell: ", &m),
            opt(" | NIC: ", &c),
            p.city
        ),
        2 => format!(
            "{name} ({}){} registered {date}{}",
            p.city,
            opt(" contact ", &m),
            opt(" CNIC ", &c)
        ),
        _ => format!(
            "Subscriber {name}, {}{}{}, postal code {}",
            p.city,
            opt(": SIM ", &m),
            opt(" against CNIC ", &c),
            44_000 + u32::from(row.address.house) * 10
        ),
    };
    out.push_str(&line);
}

/// Header of the operator's base CSV.
pub(crate) const BASE_HEADER: &str = "msisdn,cnic,name,father_name,city,activation_date,status\n";

/// One base CSV row.
pub(crate) fn base_row(w: &mut dyn Write, row: &Row) -> io::Result<()> {
    let mut line: Vec<u8> = Vec::with_capacity(128);
    let cols = [
        Col::Msisdn,
        Col::Cnic,
        Col::Name,
        Col::Father,
        Col::City,
        Col::Date,
    ];
    let mut cellbuf = String::new();
    for c in cols {
        cellbuf.clear();
        cell(&mut cellbuf, row, c, false);
        csv_field(&mut line, &cellbuf, b',', false)?;
        line.push(b',');
    }
    line.extend_from_slice(if row.active {
        b"ACTIVE\n"
    } else {
        b"BLOCKED\n"
    });
    w.write_all(&line)
}
