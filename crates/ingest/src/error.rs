//! Reader errors. Each names the input and, where it applies, the byte offset; none ever holds a
//! field value (header names are shown only when they do not look like data).

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// Opening or reading failed.
    #[error("{input}: {source}")]
    Io {
        /// The input, as given.
        input: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A directory or something else that cannot be read as a stream of bytes.
    #[error("{input}: not a file (a directory?)")]
    NotAFile {
        /// The input, as given.
        input: String,
    },
    /// The CSV header names no MSISDN or CNIC column. Its fields are not shown: the first
    /// line may well be data (a name, an address), so only their count is.
    #[error(
        "{input}: no identifier column found in the first line ({columns} columns; their \
         contents are not shown, as they may be data); {hint}"
    )]
    NoIdentifierColumn {
        /// The input, as given.
        input: String,
        /// Fields in the first line.
        columns: usize,
        /// What the user can do.
        hint: String,
    },
    /// No header names an identifier column and the columns' contents do not clearly say which
    /// are (see [`ContentChoice`](crate::ContentChoice)): the candidates, by position and share.
    #[error(
        "{input}: no header names an identifier column, and by content the choice is ambiguous \
         in the first {sampled} records (candidates: {}); choose with --msisdn-col N / \
         --cnic-col N (1-based), or use --format scan",
        candidates.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    AmbiguousColumns {
        /// The input, as given.
        input: String,
        /// Records sampled.
        sampled: u32,
        /// Columns neither clearly identifiers nor clearly not, and the clear ones, highest
        /// share first.
        candidates: Vec<crate::ColumnScore>,
    },
    /// A `--msisdn-col`/`--cnic-col` name that the header does not have, or an unusable index.
    #[error("{input}: {message} (columns: {})", headers.join(", "))]
    BadColumn {
        /// The input, as given.
        input: String,
        /// What is wrong.
        message: String,
        /// Header names seen, if any.
        headers: Vec<String>,
    },
    /// A binary file (workbook, database, archive) rather than a text dump.
    #[error("{input}: this is {what}, not a text dump; {advice}")]
    NotText {
        /// The input, as given.
        input: String,
        /// What the file is.
        what: &'static str,
        /// How to export or extract it.
        advice: &'static str,
    },
    /// A compressed input is corrupt or truncated. Records before the damage were read, handed
    /// to the sinks and counted in `records_processed`; the sinks themselves are dropped.
    #[error(
        "{input}: decompression failed at compressed byte {offset} (decompressed byte \
         {decompressed}; {records_processed} records before it were read): {source}; if the \
         file is a partial download, --allow-truncated uses the records before the damage"
    )]
    Decompress {
        /// The input, as given.
        input: String,
        /// Compressed bytes consumed when the error was seen.
        offset: u64,
        /// Decompressed bytes produced before the error.
        decompressed: u64,
        /// Records read before the error.
        records_processed: u64,
        /// The decoder's error.
        #[source]
        source: std::io::Error,
    },
    /// The first record of a CSV input (its header, or its first row) is longer than
    /// [`ReadOptions::max_record`](crate::ReadOptions::max_record): columns cannot be chosen.
    #[error(
        "{input}: the first record (line {line}, byte {offset}) is longer than {limit} bytes, the \
         limit for one record: is this really a CSV file? (an unclosed quote, or no newline)"
    )]
    RecordTooLong {
        /// The input, as given.
        input: String,
        /// 1-based line of the record.
        line: u64,
        /// Byte offset of the record.
        offset: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A Parquet or Arrow IPC file that cannot be read: not such a file, truncated, corrupt (a
    /// row group or batch that contradicts its metadata), or a compression codec that is not
    /// built in. The reader's own message is shown with runs of 10 or more digits masked.
    #[error("{input}: {message}")]
    Table {
        /// The input, as given.
        input: String,
        /// What is wrong, and where (row group, batch).
        message: String,
    },
}
