//! Arrow IPC files (`.arrow`, Feather v2): the footer once, then the record batches in
//! parallel, a run of batches per worker.
//!
//! The footer (a verified flatbuffer) lists every batch's block; each block is bounds-checked
//! against the file before it is read ([`Positional`]). Dictionaries are read once and shared.
//! The IPC *stream* format (no footer, `.arrows`) and Feather v1 are not read: they fail with
//! an error saying so.

use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::FileDecoder;
use arrow_ipc::{Block, MetadataVersion};
use arrow_schema::{ArrowError, Schema};
use rayon::prelude::*;

use super::positional::Positional;
use super::rows::RowText;
use super::{choose_columns, collect, guarded, sanitize, table_error, Unit, UnitReader, IPC_MAGIC};
use crate::emit::Emitter;
use crate::{Format, IngestError, Progress, ReadOptions, ReadOutcome, RecordSink};

/// Bytes of batches one worker reads in a run (a batch larger than this is a run of its own).
const RUN_BYTES: u64 = 16 << 20;

/// What the footer says.
struct Footer {
    schema: Arc<Schema>,
    version: MetadataVersion,
    dictionaries: Vec<Block>,
    batches: Vec<Block>,
}

fn footer(name: &str, file: &Positional) -> Result<Footer, IngestError> {
    let bad = |m: String| table_error(name, format!("not a readable Arrow IPC file: {m}"));
    let io = |e: std::io::Error| bad(sanitize(&e.to_string()));
    if file.len < 18 {
        return Err(bad("too short to hold a footer".into()));
    }
    let head = file.bytes(0, 6).map_err(io)?;
    if head != IPC_MAGIC {
        return Err(bad(
            "no ARROW1 magic at its start (an IPC stream, `.arrows`, or Feather v1 file is not \
             read: write it with pyarrow.feather.write_feather or as an IPC file)"
                .into(),
        ));
    }
    let tail = file.bytes(file.len - 10, 10).map_err(io)?;
    let mut last = [0u8; 10];
    last.copy_from_slice(&tail);
    let len = arrow_ipc::reader::read_footer_length(last)
        .map_err(|e| bad(sanitize(&e.to_string())))? as u64;
    if len + 10 > file.len {
        return Err(bad(format!(
            "its footer claims {len} bytes, more than the file holds: truncated?"
        )));
    }
    let data = file.bytes(file.len - 10 - len, len).map_err(io)?;
    let fb = arrow_ipc::root_as_footer(&data).map_err(|e| bad(sanitize(&e.to_string())))?;
    let schema = fb
        .schema()
        .ok_or_else(|| bad("its footer has no schema".into()))?;
    let schema =
        arrow_ipc::convert::try_fb_to_schema(schema).map_err(|e| bad(sanitize(&e.to_string())))?;
    Ok(Footer {
        schema: Arc::new(schema),
        version: fb.version(),
        dictionaries: fb
            .dictionaries()
            .map(|d| d.iter().copied().collect())
            .unwrap_or_default(),
        batches: fb
            .recordBatches()
            .map(|b| b.iter().copied().collect())
            .unwrap_or_default(),
    })
}

fn block_bytes(file: &Positional, block: &Block) -> std::io::Result<Buffer> {
    let offset = u64::try_from(block.offset()).map_err(std::io::Error::other)?;
    let meta = u64::try_from(block.metaDataLength()).map_err(std::io::Error::other)?;
    let body = u64::try_from(block.bodyLength()).map_err(std::io::Error::other)?;
    let len = meta
        .checked_add(body)
        .ok_or_else(|| std::io::Error::other("block too long"))?;
    Ok(Buffer::from_vec(file.bytes(offset, len)?))
}

fn block_len(block: &Block) -> u64 {
    u64::try_from(block.metaDataLength()).unwrap_or(0)
        + u64::try_from(block.bodyLength()).unwrap_or(0)
}

/// A decoder with the file's dictionaries, projected to `projection` if given.
fn decoder(
    name: &str,
    file: &Positional,
    footer: &Footer,
    projection: Option<Vec<usize>>,
) -> Result<FileDecoder, IngestError> {
    let mut d = FileDecoder::new(footer.schema.clone(), footer.version);
    if let Some(p) = projection {
        d = d.with_projection(p);
    }
    for (i, block) in footer.dictionaries.iter().enumerate() {
        let err = |m: String| table_error(name, format!("dictionary {i}: {m}"));
        let buf = block_bytes(file, block).map_err(|e| err(sanitize(&e.to_string())))?;
        d.read_dictionary(block, &buf)
            .map_err(|e| err(sanitize(&e.to_string())))?;
    }
    Ok(d)
}

fn batch(
    file: &Positional,
    decoder: &FileDecoder,
    block: &Block,
) -> Result<Option<RecordBatch>, String> {
    let buf = block_bytes(file, block).map_err(|e| sanitize(&e.to_string()))?;
    decoder
        .read_record_batch(block, &buf)
        .map_err(|e: ArrowError| sanitize(&e.to_string()))
}

/// Rows of each batch, from the batches' message headers (not their data).
fn batch_rows(file: &Positional, footer: &Footer) -> Option<Vec<u64>> {
    footer
        .batches
        .iter()
        .map(|block| {
            let offset = u64::try_from(block.offset()).ok()?;
            let meta = u64::try_from(block.metaDataLength()).ok()?;
            let head = file.bytes(offset, meta).ok()?;
            // A message starts with a continuation marker and its length (or only the length).
            let start = if head.starts_with(&[0xff; 4]) { 8 } else { 4 };
            let message = arrow_ipc::root_as_message(head.get(start..)?).ok()?;
            u64::try_from(message.header_as_record_batch()?.length()).ok()
        })
        .collect()
}

/// Rows of the Arrow IPC file at `path`.
pub(crate) fn ipc_rows(path: &Path) -> Option<u64> {
    let file = Positional::open(path).ok()?;
    let footer = footer("", &file).ok()?;
    Some(batch_rows(&file, &footer)?.iter().sum())
}

pub(crate) fn read<S, F>(
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
    let file = Positional::open(path).map_err(|source| IngestError::Io {
        input: name.to_string(),
        source,
    })?;
    progress.begin(name, Some(file.len));
    let result = guarded(name, "the file", || {
        read_batches(name, &file, opts, make_sink, progress)
    });
    progress.finish();
    result
}

fn read_batches<S, F>(
    name: &str,
    file: &Positional,
    opts: &ReadOptions,
    make_sink: &F,
    progress: &dyn Progress,
) -> Result<ReadOutcome<S>, IngestError>
where
    S: RecordSink,
    F: Fn() -> S + Sync,
{
    let footer = footer(name, file)?;
    let schema = footer.schema.clone();
    let chosen = choose_columns(name, &schema, opts, |candidates| {
        let d = decoder(name, file, &footer, Some(candidates.to_vec()))?;
        let mut out = Vec::new();
        let mut rows = 0;
        for (i, block) in footer.batches.iter().enumerate() {
            if rows >= crate::content::SAMPLE_RECORDS {
                break;
            }
            let b =
                batch(file, &d, block).map_err(|m| table_error(name, format!("batch {i}: {m}")))?;
            if let Some(b) = b {
                rows += b.num_rows();
                out.push(b);
            }
        }
        Ok(out)
    })?;
    let mut roots: Vec<usize> = chosen.columns.iter().map(|(c, _)| *c).collect();
    roots.sort_unstable();
    roots.dedup();
    let (projection, ids): (Option<Vec<usize>>, Vec<(usize, u8)>) = if opts.keep_rows {
        (None, chosen.columns.clone())
    } else {
        let ids = chosen
            .columns
            .iter()
            .map(|&(c, kind)| (roots.binary_search(&c).unwrap_or(0), kind))
            .collect();
        (Some(roots.clone()), ids)
    };
    let d = decoder(name, file, &footer, projection)?;
    let row_text = opts.keep_rows.then(RowText::new);
    let reader = UnitReader {
        ids: &ids,
        rows: row_text.as_ref(),
    };
    // Runs of consecutive batches of about RUN_BYTES each.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, block) in footer.batches.iter().enumerate() {
        bytes += block_len(block);
        if bytes >= RUN_BYTES {
            runs.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < footer.batches.len() {
        runs.push(start..footer.batches.len());
    }
    let lengths = batch_rows(file, &footer).ok_or_else(|| {
        table_error(
            name,
            "a batch's header is unreadable: the file is corrupt".into(),
        )
    })?;
    let mut first_rows = Vec::with_capacity(lengths.len());
    let mut total = 0u64;
    for n in &lengths {
        first_rows.push(total);
        total = total.saturating_add(*n);
    }
    let units: Vec<Result<Unit<S>, IngestError>> = runs
        .par_iter()
        .map(|run| {
            guarded(name, &format!("batches {}..{}", run.start, run.end), || {
                let mut sink = make_sink();
                let mut em = Emitter::new(&mut sink);
                let (mut scratch, mut line) = (Vec::new(), Vec::new());
                let mut read = 0u64;
                for i in run.clone() {
                    let block = &footer.batches[i];
                    let b = batch(file, &d, block)
                        .map_err(|m| table_error(name, format!("batch {i}: {m}")))?;
                    let Some(b) = b else { continue };
                    if b.num_rows() as u64 != lengths[i] {
                        return Err(table_error(
                            name,
                            format!(
                                "batch {i}: its rows differ from its header: the file is corrupt"
                            ),
                        ));
                    }
                    reader
                        .batch(&mut em, &b, first_rows[i], &mut scratch, &mut line)
                        .map_err(|m| table_error(name, format!("batch {i}: {m}")))?;
                    read += block_len(block);
                }
                let report = em.into_report();
                sink.finish();
                progress.advance(read, report.stats.records);
                Ok(Unit { sink, report })
            })
        })
        .collect();
    let units = units.into_iter().collect::<Result<Vec<_>, _>>()?;
    let header = Some(RowText::header(&schema));
    Ok(collect(units, chosen, Format::Arrow, header, file.len))
}
