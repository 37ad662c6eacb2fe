//! What the caller asks for: which input, which format, which columns.

use std::ffi::OsStr;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Input format. [`Format::Auto`] is resolved by [`crate::read_input`] (see the crate docs for
/// the rules); [`Format::Scan`] is never chosen automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Detect from the file name and the first bytes.
    #[default]
    Auto,
    /// CSV-like text: delimiter `,` `;` tab or `|`, RFC 4180 quoting, a header line.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// mysqldump-style SQL (`INSERT INTO ... VALUES (...),(...);`, one statement per line).
    Sql,
    /// Free text: every line is a record, every long-enough digit run a candidate.
    Scan,
    /// A Parquet file (a regular file: its footer is at the end).
    Parquet,
    /// An Arrow IPC file (`.arrow`, Feather v2).
    Arrow,
}

impl Format {
    /// The name accepted by [`FromStr`] and shown in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Sql => "sql",
            Format::Scan => "scan",
            Format::Parquet => "parquet",
            Format::Arrow => "arrow",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A value given on the command line that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseOptionError(String);

impl FromStr for Format {
    type Err = ParseOptionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Format::Auto),
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "sql" => Ok(Format::Sql),
            "scan" => Ok(Format::Scan),
            "parquet" | "pq" => Ok(Format::Parquet),
            "arrow" | "feather" | "ipc" => Ok(Format::Arrow),
            _ => Err(ParseOptionError(format!(
                "unknown format {s:?}: expected auto, csv, jsonl, sql, scan, parquet or arrow"
            ))),
        }
    }
}

/// A column chosen by the user.
///
/// Names are matched case- and punctuation-insensitively (`Mobile_No` = `mobileno`): for CSV
/// against header fields, for JSON lines against top-level keys, for SQL against column names.
/// Indices are **1-based**, like `cut -f`, and apply to CSV fields and SQL tuple positions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnRef {
    /// A header name, JSON key or SQL column name.
    Name(String),
    /// A 1-based field position. `Index(0)` is rejected by [`crate::read_input`].
    Index(usize),
}

/// The largest column position accepted: far beyond any real dump's width, and small enough
/// that choosing columns by position stays cheap (an absurd index used to hang).
pub const MAX_COLUMN_INDEX: usize = 100_000;

impl FromStr for ColumnRef {
    type Err = ParseOptionError;
    /// All digits → [`ColumnRef::Index`] (1-based; `0` and more than [`MAX_COLUMN_INDEX`] are
    /// errors); anything else → a name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err(ParseOptionError("empty column name".into()));
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return match t.parse::<usize>() {
                Ok(0) => Err(ParseOptionError(
                    "column indices are 1-based (like cut -f): 0 is not a column".into(),
                )),
                Ok(n) if n <= MAX_COLUMN_INDEX => Ok(ColumnRef::Index(n)),
                _ => Err(ParseOptionError(format!(
                    "column index {t} is too large (at most {MAX_COLUMN_INDEX})"
                ))),
            };
        }
        Ok(ColumnRef::Name(t.to_string()))
    }
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Name(n) => f.write_str(n),
            ColumnRef::Index(i) => write!(f, "{i}"),
        }
    }
}

/// How to read one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Input format; [`Format::Auto`] by default.
    pub format: Format,
    /// MSISDN columns. Empty: chosen from the header names. Given: exactly these.
    pub msisdn_cols: Vec<ColumnRef>,
    /// CNIC columns. Empty: chosen from the header names. Given: exactly these.
    pub cnic_cols: Vec<ColumnRef>,
    /// Nominal size of a parallel chunk or streamed block; 8 MiB by default. Chunks end on a
    /// record boundary, so a chunk can be longer (one record longer than this, at most).
    pub chunk_size: usize,
    /// Memory-map regular files (`--no-mmap` turns it off). Falls back quietly to buffered reads.
    pub mmap: bool,
    /// A compressed input that is truncated or damaged (a partial download) yields the records
    /// before the damage and a warning saying where it stopped, instead of
    /// [`IngestError::Decompress`](crate::IngestError::Decompress). Off by default.
    pub allow_truncated: bool,
    /// Longest record read, in bytes ([`MAX_RECORD`], 16 MiB, by default): a longer record
    /// (a line, or a CSV record with its quoted newlines) is skipped and counted as
    /// [`SkipReason::RecordTooLong`](crate::SkipReason::RecordTooLong) with its line and
    /// offset, mapped or streamed, so a stream with no newline or an unclosed quote never
    /// grows a buffer past it; a CSV header longer than it fails with
    /// [`IngestError::RecordTooLong`](crate::IngestError::RecordTooLong).
    pub max_record: usize,
    /// The caller uses [`Record::raw`](crate::Record::raw) (`match --matches-out`). Text
    /// formats always hand the record's bytes; a Parquet or Arrow table renders its rows as CSV
    /// lines only when this is set (and hands an empty `raw` otherwise). Off by default.
    pub keep_rows: bool,
}

/// Default [`ReadOptions::max_record`]: 16 MiB. mysqldump writes extended `INSERT` lines of at
/// most `--net-buffer-length` bytes, whose maximum is 16 MiB (only a single row larger than
/// that, a blob, makes a longer line); CSV and JSON records of subscriber dumps are under a few
/// KiB. A streamed read holds at most about this plus a block per block in flight.
pub const MAX_RECORD: usize = 16 << 20;

/// Default [`ReadOptions::chunk_size`]: 8 MiB.
pub const DEFAULT_CHUNK_SIZE: usize = 8 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: Format::Auto,
            msisdn_cols: Vec::new(),
            cnic_cols: Vec::new(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            mmap: true,
            allow_truncated: false,
            max_record: MAX_RECORD,
            keep_rows: false,
        }
    }
}

/// Where the bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InputSource {
    /// A file, FIFO or device path; `.gz`/`.zst` are decompressed.
    Path(PathBuf),
    /// Standard input (`-` on the command line).
    Stdin,
}

impl InputSource {
    /// `-` is standard input; anything else a path.
    pub fn from_arg(arg: impl AsRef<OsStr>) -> Self {
        let arg = arg.as_ref();
        if arg == "-" {
            InputSource::Stdin
        } else {
            InputSource::Path(PathBuf::from(arg))
        }
    }
}

impl fmt::Display for InputSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputSource::Path(p) => write!(f, "{}", p.display()),
            InputSource::Stdin => f.write_str("<stdin>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formats_and_columns() {
        assert_eq!("CSV".parse::<Format>(), Ok(Format::Csv));
        assert_eq!("scan".parse::<Format>(), Ok(Format::Scan));
        assert!("xml".parse::<Format>().is_err());
        assert_eq!("3".parse::<ColumnRef>(), Ok(ColumnRef::Index(3)));
        assert!("0".parse::<ColumnRef>().is_err());
        assert_eq!(
            "Mobile No".parse::<ColumnRef>(),
            Ok(ColumnRef::Name("Mobile No".into()))
        );
        assert_eq!(InputSource::from_arg("-"), InputSource::Stdin);
        assert_eq!(InputSource::Stdin.to_string(), "<stdin>");
        assert_eq!(InputSource::from_arg("a/b.csv").to_string(), "a/b.csv");
        assert_eq!(ReadOptions::default().chunk_size, 8 << 20);
    }
}
