//! Tables of typed columns: Parquet and Arrow IPC files, as warehouses and notebooks export them.
//!
//! A table is read in *units* (a Parquet row group, a range of Arrow record batches), in
//! parallel, one unit per worker at a time, projected to the identifier columns: memory holds
//! a unit's identifier columns per worker, whatever the file's size. Every row is a record;
//! each chosen cell goes through the normalizer as the text the CSV path would read for the
//! same value ([`cells`]), so a null counts as `empty` and an `Int64` `923001234567` as the
//! CSV text `923001234567`.
//!
//! Columns are chosen as CSV header names are (`msisdn`, `mobile`, `cnic`, …, or
//! `--msisdn-col`/`--cnic-col` by name or 1-based position); when no name selects one, by
//! content from the first rows, as for a headerless CSV ([`crate::content`]). A column whose
//! type holds no identifiers (dates, booleans, nested) is refused when the user names it and
//! left out, with a warning, when its name chose it.
//!
//! A record's offset is its 0-based row number in the file; errors cite the file and the row
//! group or batch, and the reader's message with any run of 10 or more digits masked (it
//! could be an identifier). Corrupt files never panic through: a panic inside the Parquet or
//! Arrow reader becomes an error naming the file. The raw text of a row (for
//! `match --matches-out`) is made only when [`ReadOptions::keep_rows`] asks for it: the row's
//! cells as a CSV line, with the column names as its header.

mod cells;
mod ipc;
mod parquet;
mod positional;
mod rows;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::Schema;

use crate::collect::Collector;
use crate::columns::{choose, display_name, missing_names};
use crate::content::{judge, NoChoice, Tally, SAMPLE_RECORDS};
use crate::emit::{ChunkReport, Emitter, KIND_CNIC, KIND_MSISDN};
use crate::outcome::ColumnsUsed;
use crate::{
    ColumnRef, ContentChoice, Format, IdKind, IngestError, InputSource, Progress, ReadOptions,
    ReadOutcome, RecordSink,
};

pub(crate) use self::parquet::parquet_rows;
pub(crate) use ipc::ipc_rows;

use cells::{holds_identifiers, Cells};

/// A table file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableFormat {
    Parquet,
    Ipc,
}

impl TableFormat {
    fn what(self) -> &'static str {
        match self {
            TableFormat::Parquet => "Parquet",
            TableFormat::Ipc => "Arrow IPC",
        }
    }
}

const PARQUET_MAGIC: &[u8] = b"PAR1";
const IPC_MAGIC: &[u8] = b"ARROW1";

/// Whether `source` is to be read as a table: asked for with `--format`, or in auto mode a
/// regular file named `.parquet`/`.pq` or `.arrow`/`.feather`/`.ipc`, or starting with the
/// format's magic bytes. Only regular files are peeked at (a FIFO's bytes would be taken).
/// `Err` for a table format asked for on standard input.
pub(crate) fn table_format(
    source: &InputSource,
    format: Format,
) -> Result<Option<(TableFormat, &Path)>, IngestError> {
    let asked = match format {
        Format::Parquet => Some(TableFormat::Parquet),
        Format::Arrow => Some(TableFormat::Ipc),
        Format::Auto => None,
        _ => return Ok(None),
    };
    let path = match source {
        InputSource::Path(p) => p.as_path(),
        InputSource::Stdin => {
            return match asked {
                Some(t) => Err(IngestError::Table {
                    input: source.to_string(),
                    message: format!(
                        "{} is read from a file (its footer, at the end, says where the data \
                         is), not from standard input or a pipe: save it to a file first",
                        t.what()
                    ),
                }),
                None => Ok(None),
            }
        }
    };
    if let Some(t) = asked {
        return Ok(Some((t, path)));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".parquet") || name.ends_with(".pq") {
        return Ok(Some((TableFormat::Parquet, path)));
    }
    if [".arrow", ".feather", ".ipc"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        return Ok(Some((TableFormat::Ipc, path)));
    }
    Ok(sniff(path).map(|t| (t, path)))
}

/// The table format of a regular file by its first bytes.
fn sniff(path: &Path) -> Option<TableFormat> {
    use std::io::Read;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path).ok()?;
    let n = f.read(&mut head).ok()?;
    let head = &head[..n];
    if head.starts_with(PARQUET_MAGIC) {
        Some(TableFormat::Parquet)
    } else if head.starts_with(IPC_MAGIC) {
        Some(TableFormat::Ipc)
    } else {
        None
    }
}

/// Rows of the table file at `path`, from its footer, if it is one (for sizing a filter).
pub fn table_rows(path: &Path) -> Option<u64> {
    let source = InputSource::Path(path.to_path_buf());
    match table_format(&source, Format::Auto).ok()?? {
        (TableFormat::Parquet, p) => parquet_rows(p),
        (TableFormat::Ipc, p) => ipc_rows(p),
    }
}

/// Reads a table file.
pub(crate) fn read_table<S, F>(
    table: TableFormat,
    name: &str,
    path: &Path,
    opts: &ReadOptions,
    make_sink: &F,
    progress: &dyn Progress,
) -> Result<ReadOutcome<S>, IngestError>
where
    S: RecordSink,
    F: Fn() -> S + Sync,
{
    match table {
        TableFormat::Parquet => parquet::read(name, path, opts, make_sink, progress),
        TableFormat::Ipc => ipc::read(name, path, opts, make_sink, progress),
    }
}

/// A reader's error message fit to show: control characters escaped, runs of 10 or more
/// digits masked, at most 300 characters.
pub(crate) fn sanitize(message: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |out: &mut String, digits: &mut String| {
        if digits.len() >= 10 {
            out.push_str("<digits>");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in message.chars().take(300) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        flush(&mut out, &mut digits);
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    flush(&mut out, &mut digits);
    out
}

fn table_error(input: &str, message: String) -> IngestError {
    IngestError::Table {
        input: input.to_string(),
        message,
    }
}

/// Runs `f`, turning a panic of the reader libraries into an error naming the input.
pub(crate) fn guarded<T>(
    input: &str,
    what: &str,
    f: impl FnOnce() -> Result<T, IngestError>,
) -> Result<T, IngestError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(table_error(
            input,
            format!("the reader failed on {what}: the file is corrupt"),
        ))
    })
}

/// The identifier columns of a table: root column positions (0-based) with their kind bits.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    pub columns: Vec<(usize, u8)>,
    pub used: ColumnsUsed,
    pub by_content: Option<ContentChoice>,
    pub warnings: Vec<String>,
}

/// Chooses the identifier columns of `schema` (see the module docs). `sample(columns)` reads
/// the first rows of those columns (at most [`SAMPLE_RECORDS`]), for a choice by content.
pub(crate) fn choose_columns(
    input: &str,
    schema: &Schema,
    opts: &ReadOptions,
    sample: impl FnOnce(&[usize]) -> Result<Vec<RecordBatch>, IngestError>,
) -> Result<Chosen, IngestError> {
    let names: Vec<&[u8]> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_bytes())
        .collect();
    let headers = || {
        let mut v: Vec<String> = names.iter().take(20).map(|f| display_name(f)).collect();
        if names.len() > 20 {
            v.push(format!("… {} more", names.len() - 20));
        }
        v
    };
    let bad = |message: String| IngestError::BadColumn {
        input: input.to_string(),
        message,
        headers: headers(),
    };
    let refs = || opts.msisdn_cols.iter().chain(&opts.cnic_cols);
    for r in refs() {
        match r {
            ColumnRef::Index(0) => {
                return Err(bad("column indices are 1-based: 0 is not a column".into()))
            }
            ColumnRef::Index(i) if *i > names.len() => {
                return Err(bad(format!(
                    "column {i} is beyond the file's {} columns",
                    names.len()
                )))
            }
            _ => {}
        }
    }
    if let Some(name) = missing_names(&names, &opts.msisdn_cols, &opts.cnic_cols).first() {
        return Err(bad(format!("column {name:?} is not in the file")));
    }
    let picked = choose(
        Some(&names),
        names.len(),
        &opts.msisdn_cols,
        &opts.cnic_cols,
    );
    let mut chosen = Chosen {
        columns: Vec::new(),
        used: ColumnsUsed {
            header: true,
            ..ColumnsUsed::default()
        },
        by_content: None,
        warnings: Vec::new(),
    };
    for (i, &kind) in picked.kinds.iter().enumerate() {
        if kind == 0 {
            continue;
        }
        let field = &schema.fields()[i];
        let label = display_name(field.name().as_bytes());
        if !holds_identifiers(field.data_type()) {
            let given = (kind & KIND_MSISDN != 0 && !opts.msisdn_cols.is_empty())
                || (kind & KIND_CNIC != 0 && !opts.cnic_cols.is_empty());
            let message = format!(
                "column {label:?} holds {} values, which are not text or numbers",
                field.data_type()
            );
            if given {
                return Err(bad(message));
            }
            chosen
                .warnings
                .push(format!("{message}: not used as an identifier column"));
            continue;
        }
        chosen.columns.push((i, kind));
        if kind & KIND_MSISDN != 0 {
            chosen.used.msisdn.push(label.clone());
        }
        if kind & KIND_CNIC != 0 {
            chosen.used.cnic.push(label);
        }
    }
    let given = refs().next().is_some();
    if !chosen.columns.is_empty() || given {
        return Ok(chosen);
    }
    // No name selects a column: choose by content.
    let candidates: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| holds_identifiers(f.data_type()))
        .map(|(i, _)| i)
        .collect();
    let batches = if candidates.is_empty() {
        Vec::new()
    } else {
        sample(&candidates)?
    };
    let mut tallies = vec![Tally::default(); names.len()];
    let mut sampled = 0u32;
    let mut scratch = Vec::new();
    'batches: for batch in &batches {
        let cells: Vec<Option<Cells<'_>>> = batch
            .columns()
            .iter()
            .map(|c| Cells::new(c.as_ref()))
            .collect();
        for row in 0..batch.num_rows() {
            if sampled as usize >= SAMPLE_RECORDS {
                break 'batches;
            }
            sampled += 1;
            for (&col, cells) in candidates.iter().zip(&cells) {
                if let Some(cells) = cells {
                    tallies[col].add(cells.text(row, &mut scratch));
                }
            }
        }
    }
    match judge(true, sampled, &tallies) {
        Ok(choice) => {
            for c in &choice.chosen {
                let (bit, used) = match c.kind {
                    IdKind::Msisdn => (KIND_MSISDN, &mut chosen.used.msisdn),
                    IdKind::Cnic => (KIND_CNIC, &mut chosen.used.cnic),
                };
                chosen.columns.push((c.index - 1, bit));
                used.push(display_name(names[c.index - 1]));
            }
            chosen.by_content = Some(choice);
            Ok(chosen)
        }
        Err(NoChoice::Ambiguous {
            sampled,
            candidates,
        }) => Err(IngestError::AmbiguousColumns {
            input: input.to_string(),
            sampled,
            candidates,
        }),
        Err(NoChoice::Nothing { .. }) => Err(bad(format!(
            "no column name selects an identifier column, and no column's values in the first \
             {sampled} rows normalize as MSISDNs or CNICs; choose columns with --msisdn-col / \
             --cnic-col (names, or 1-based positions)"
        ))),
    }
}

/// One unit's output.
pub(crate) struct Unit<S> {
    pub sink: S,
    pub report: ChunkReport,
}

/// Reads the records of `batches` (projected so that `columns[i]` is batch column `at[i]`)
/// into a fresh sink; `first_row` is the file's row number of the first row.
pub(crate) struct UnitReader<'c> {
    /// (batch column, kind bits) of each identifier column.
    pub ids: &'c [(usize, u8)],
    /// Rendering of whole rows, when rows are kept.
    pub rows: Option<&'c rows::RowText>,
}

impl UnitReader<'_> {
    /// Hands the rows of `batch` to `em`; `first_row` is the row number of its first row.
    pub(crate) fn batch<S: RecordSink>(
        &self,
        em: &mut Emitter<'_, S>,
        batch: &RecordBatch,
        first_row: u64,
        scratch: &mut Vec<u8>,
        line: &mut Vec<u8>,
    ) -> Result<(), String> {
        let cols: Vec<(Cells<'_>, u8)> = self
            .ids
            .iter()
            .map(|&(c, kind)| {
                let array = batch.column(c).as_ref();
                Cells::new(array)
                    .map(|cells| (cells, kind))
                    .ok_or_else(|| format!("column {} changed type", c + 1))
            })
            .collect::<Result<_, _>>()?;
        let render = match self.rows {
            Some(r) => Some(r.formatters(batch)?),
            None => None,
        };
        for row in 0..batch.num_rows() {
            for (cells, kind) in &cols {
                em.candidate(*kind, cells.text(row, scratch));
            }
            if let Some(render) = &render {
                line.clear();
                render.row(row, line);
            }
            em.record(first_row + row as u64, line);
        }
        Ok(())
    }
}

/// Assembles the units' results, in file order.
pub(crate) fn collect<S>(
    units: Vec<Unit<S>>,
    chosen: Chosen,
    format: Format,
    header: Option<Vec<u8>>,
    bytes: u64,
) -> ReadOutcome<S> {
    let mut out = Collector::new(chosen.used);
    for unit in units {
        out.push(unit.sink, unit.report, 1);
    }
    for w in chosen.warnings {
        out.warn(w);
    }
    out.finish_table(format, header, chosen.by_content, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_messages_mask_long_digit_runs() {
        assert_eq!(
            sanitize("bad value 923001234567 at 12345\n"),
            "bad value <digits> at 12345\\n"
        );
    }
}
