//! The driver: opens an input, builds the plan, runs chunks in parallel and assembles the
//! outcome in input order.

use std::path::Path;

use memchr::memchr_iter;
use rayon::prelude::*;
use std::ops::Range;

use crate::chunk::{csv_window, line_chunks};
use crate::collect::Collector;
use crate::container;
use crate::emit::ChunkReport;
use crate::plan::{prepare, process, resolve_format, too_long_report, Plan, DETECT_BYTES};
use crate::source::{open, Opened, Stream};
use crate::speculate::{guess_cuts, verified, RecordBuffer};
use crate::sql::sql_chunks;
use crate::stream::{Block, BlockReader};
use crate::table;
use crate::{Format, IngestError, InputSource, Progress, ReadOptions, ReadOutcome, RecordSink};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads one input, handing every record with an identifier to a sink made by `make_sink`
/// (one sink per chunk, on the current rayon pool; sinks come back in input order), and counts
/// everything: each candidate field is counted valid or rejected per kind, `records` counts data
/// records (not a CSV header, not skipped records, not blank lines), `pairs` every
/// MSISDN × CNIC combination of a record.
///
/// # Inputs
/// Regular files are memory-mapped unless `opts.mmap` is false: **the file must not shrink
/// while it is read** (SIGBUS). Standard input, pipes, `.gz` and `.zst` (by extension or magic
/// bytes) are streamed in blocks of `chunk_size` cut at the last record boundary, processed in
/// parallel batches while the next batch is read. A UTF-8 BOM is skipped; offsets still count it.
/// UTF-16 text with a byte-order mark (Excel's "Unicode Text") is converted to UTF-8 as it is
/// read (streamed, never mapped); its offsets count the converted bytes. A workbook, database
/// or archive (ZIP/.xlsx, .xls, Access, SQLite, PDF, 7z, RAR, xz, bzip2, tar) fails with
/// [`IngestError::NotText`] saying how to export it, unless scan mode was asked for.
///
/// # Formats
/// [`Format::Auto`]: `.jsonl`/`.ndjson` or a first non-blank `{` → JSON lines; `.sql` or a start
/// of `--`, `/*`, `CREATE`, `INSERT`, `DROP`, `LOCK`, `SET` → SQL; anything else CSV-like (`,`
/// `;` tab `|`, detected from the first 20 records; RFC 4180 quotes, newlines inside quotes).
/// Scan mode only when asked.
///
/// # Columns
/// CSV header names, JSON keys and SQL column names are matched case- and
/// punctuation-insensitively. For each kind, the user's columns if given (names, or 1-based
/// indices like `cut -f`), otherwise automatic choice by name (`msisdn`, `mobile_no`, `phone2`,
/// `cell`, `contact`, … but not `imsi`/`imei`; `cnic`, `nic`, `national_id`, `id_card`, …).
/// A CSV whose header selects nothing fails with [`IngestError::NoIdentifierColumn`]. A CSV is
/// taken as headerless when the user gave only indices and one of those fields of the first row
/// holds a digit.
///
/// # Scan mode
/// Every line is a record; runs of digits (ASCII, Arabic-Indic, Urdu) with separators
/// `- ( ) + .` and space are candidates when they hold 10–14 digits: 13 → CNIC, otherwise
/// MSISDN. Shorter runs (ages, dates, postal codes) and runs of 15+ digits (IMSI, IMEI) are
/// ignored and not counted.
///
/// # Errors
/// Errors name the input and never hold a field value. A corrupt or truncated compressed input
/// fails with [`IngestError::Decompress`] after the complete records before the damage were
/// handed to sinks (the sinks are then dropped; the error counts the records), unless
/// [`ReadOptions::allow_truncated`] asks for those records and a warning instead. Broken JSON lines
/// and truncated SQL tuples are skipped and reported in [`Diagnostics`](crate::Diagnostics) with
/// 1-based line and byte offset; an unterminated CSV quote at the end is a warning.
pub fn read_input<S, F>(
    source: &InputSource,
    opts: &ReadOptions,
    make_sink: F,
    progress: &dyn Progress,
) -> Result<ReadOutcome<S>, IngestError>
where
    S: RecordSink,
    F: Fn() -> S + Sync,
{
    let name = source.to_string();
    if let Some((table, path)) = table::table_format(source, opts.format)? {
        return table::read_table(table, &name, path, opts, &make_sink, progress);
    }
    let path = match source {
        InputSource::Path(p) => Some(p.as_path()),
        InputSource::Stdin => None,
    };
    let opened = open(source, opts)?;
    let result = match opened {
        Opened::Empty => {
            progress.begin(&name, Some(0));
            read_bytes(&name, path, &[], &|_| {}, opts, &make_sink, progress)
        }
        Opened::Mapped(map) => {
            progress.begin(&name, Some(map.bytes().len() as u64));
            let release = |part: &[u8]| map.release(part);
            read_bytes(
                &name,
                path,
                map.bytes(),
                &release,
                opts,
                &make_sink,
                progress,
            )
        }
        Opened::Stream(stream) => {
            progress.begin(&name, stream.total);
            read_stream(&name, path, stream, opts, &make_sink, progress)
        }
    };
    progress.finish();
    result
}

/// Fails on a workbook, database or archive (see [`crate::container`]), unless scan mode was
/// asked for: it reads any bytes.
fn refuse_binary(name: &str, opts: &ReadOptions, head: &[u8]) -> Result<(), IngestError> {
    match container::identify(head) {
        Some(c) if opts.format != Format::Scan => Err(IngestError::NotText {
            input: name.to_string(),
            what: c.what,
            advice: c.advice,
        }),
        _ => Ok(()),
    }
}

fn count_lines(data: &[u8]) -> u64 {
    memchr_iter(b'\n', data).count() as u64
}

/// A whole input in memory (mapped or empty). `release` is called on each part of `all` once
/// it has been read, so a mapped input does not stay resident (peak memory stays near the
/// chunks in flight whatever the input size).
fn read_bytes<S, F>(
    name: &str,
    path: Option<&Path>,
    all: &[u8],
    release: &(dyn Fn(&[u8]) + Sync),
    opts: &ReadOptions,
    make_sink: &F,
    progress: &dyn Progress,
) -> Result<ReadOutcome<S>, IngestError>
where
    S: RecordSink,
    F: Fn() -> S + Sync,
{
    let bom = if all.starts_with(BOM) { BOM.len() } else { 0 };
    let data = &all[bom..];
    refuse_binary(name, opts, data)?;
    let format = resolve_format(opts.format, path, data);
    let mut prepared = prepare(name, format, data, bom as u64, opts)?;
    let start = bom + prepared.data_start;
    let body = &all[start..];
    if let Plan::Sql(tables, _) = &mut prepared.plan {
        // A window at a time, so a mapped dump does not become resident before its chunks.
        tables.scan_windows(body, start as u64, opts.chunk_size.max(1 << 20), release);
    }
    let plan = &prepared.plan;
    let run = |ranges: &[Range<usize>]| -> Vec<(S, ChunkReport)> {
        ranges
            .par_iter()
            .map(|r| {
                let mut sink = make_sink();
                let report = process(
                    plan,
                    opts,
                    &body[r.clone()],
                    (start + r.start) as u64,
                    &mut sink,
                );
                progress.advance(r.len() as u64, report.stats.records);
                release(&body[r.clone()]);
                (sink, report)
            })
            .collect()
    };
    // Parses `window`'s chunks into buffers, then hands the records of the chunks proven
    // record-aligned (a prefix of the window) to sinks, in parallel (see `crate::speculate`).
    // Even the first chunk, whose start is known, is buffered: it is right only if it also
    // ends outside quotes. The buffers are reused from window to window: fresh memory is slow
    // to fault in.
    let speculate = |window: &[Range<usize>], pool: &mut Vec<RecordBuffer>| {
        if pool.len() < window.len() {
            pool.resize_with(window.len(), RecordBuffer::default);
        }
        let buffers = &mut pool[..window.len()];
        let reports: Vec<ChunkReport> = buffers
            .par_iter_mut()
            .zip(window.par_iter())
            .map(|(buffer, r)| {
                let chunk = &body[r.clone()];
                buffer.reset(chunk);
                process(plan, opts, chunk, (start + r.start) as u64, buffer)
            })
            .collect();
        let reaches_end = window.last().is_none_or(|r| r.end == body.len());
        let usable = buffers.iter().take_while(|b| b.usable()).count();
        let proven = verified(&reports.iter().collect::<Vec<_>>(), reaches_end).min(usable);
        let done: Vec<(S, ChunkReport)> = buffers[..proven]
            .par_iter()
            .zip(reports.into_par_iter())
            .zip(window.par_iter())
            .map(|((buffer, report), r)| {
                let chunk = &body[r.clone()];
                let mut sink = make_sink();
                buffer.replay(chunk, &mut sink);
                progress.advance(r.len() as u64, report.stats.records);
                release(chunk);
                (sink, report)
            })
            .collect();
        done
    };
    let (ranges, results) = match plan {
        // CSV chunks must be cut at record ends, which depends on quote parity: a window at a
        // time, so only about a window of a mapped input is resident. Cuts are guessed and
        // checked (`crate::speculate`); from a chunk that could not be proven on, the window
        // is cut with counted parities instead.
        Plan::Csv(csv) if !body.is_empty() => {
            let (mut ranges, mut results) = (Vec::new(), Vec::new());
            let mut counted = false;
            let mut pool = Vec::new();
            let mut at = 0;
            while at < body.len() {
                let shift = |w: Vec<Range<usize>>| -> Vec<Range<usize>> {
                    w.into_iter().map(|r| r.start + at..r.end + at).collect()
                };
                if counted {
                    let (window, next) = csv_window(&body[at..], opts.chunk_size, WINDOW_CHUNKS);
                    let window = shift(window);
                    results.extend(run(&window));
                    ranges.extend(window);
                    at += next;
                    counted = false;
                    continue;
                }
                let chunks = speculative_chunks();
                let window = shift(guess_cuts(&body[at..], opts.chunk_size, chunks, csv.delim));
                let done = speculate(&window, &mut pool);
                let proven = done.len();
                results.extend(done);
                match window.get(proven) {
                    // Read again from the first chunk not proven, with counted parities.
                    Some(r) => {
                        at = r.start;
                        counted = true;
                    }
                    None => at = window.last().map_or(body.len(), |r| r.end),
                }
                ranges.extend(window.into_iter().take(proven));
            }
            (ranges, results)
        }
        Plan::Csv(_) => (Vec::new(), Vec::new()),
        Plan::Sql(..) => {
            let ranges = sql_chunks(body, opts.chunk_size);
            let results = run(&ranges);
            (ranges, results)
        }
        _ => {
            let ranges = line_chunks(body, opts.chunk_size);
            let results = run(&ranges);
            (ranges, results)
        }
    };
    // Line numbers are only needed when something is reported: count newlines lazily.
    let lines: Vec<u64> = if results.iter().any(|(_, r)| !r.events.is_empty()) {
        ranges
            .par_iter()
            .map(|r| {
                let n = count_lines(&body[r.clone()]);
                release(&body[r.clone()]);
                n
            })
            .collect()
    } else {
        vec![0; ranges.len()]
    };
    let mut line = 1 + count_lines(&all[..start]);
    let mut out = Collector::new(std::mem::take(&mut prepared.columns));
    for ((sink, report), n) in results.into_iter().zip(lines) {
        out.push(sink, report, line);
        line += n;
    }
    Ok(out.finish(prepared, all.len() as u64))
}

/// Chunks per speculative CSV window (see `crate::speculate`): two per thread, at most 8, so
/// the records held until a window is proven stay small (typically ~0.3 bytes per input byte,
/// at worst ~3 for a file of bare 12-byte numbers: 8 × 8 MiB × 3 ≈ 200 MB).
fn speculative_chunks() -> usize {
    (rayon::current_num_threads() * 2).clamp(2, 8)
}

/// Chunks per CSV window: enough to keep every thread busy between windows, few enough that a
/// window of a mapped input (16 × 8 MiB by default) is all that stays resident.
const WINDOW_CHUNKS: usize = 16;

/// Blocks read per parallel batch: enough to keep every thread busy.
fn batch_len() -> usize {
    (rayon::current_num_threads() * 2).clamp(2, 16)
}

fn read_batch(reader: &mut BlockReader, n: usize) -> Vec<Block> {
    (0..n).map_while(|_| reader.next_block()).collect()
}

/// A stream: blocks cut at record boundaries; each batch is processed in parallel while the next
/// one is read.
fn read_stream<S, F>(
    name: &str,
    path: Option<&Path>,
    stream: Stream,
    opts: &ReadOptions,
    make_sink: &F,
    progress: &dyn Progress,
) -> Result<ReadOutcome<S>, IngestError>
where
    S: RecordSink,
    F: Fn() -> S + Sync,
{
    let mut reader = BlockReader::new(stream.reader, opts.chunk_size, opts.max_record);
    reader.fill(opts.chunk_size.max(DETECT_BYTES + BOM.len()));
    if reader.head().starts_with(BOM) {
        reader.consume(BOM.len());
    }
    refuse_binary(name, opts, reader.head())?;
    let format = resolve_format(opts.format, path, reader.head());
    if format == Format::Csv {
        reader.fill_first_record();
    }
    let mut prepared = prepare(
        name,
        format,
        reader.head(),
        reader.bytes_seen() - reader.head().len() as u64,
        opts,
    )?;
    let mut line = 1 + count_lines(&reader.head()[..prepared.data_start]);
    reader.consume(prepared.data_start);
    reader.set_csv(matches!(prepared.plan, Plan::Csv(_)));
    reader.set_sql(matches!(prepared.plan, Plan::Sql(..)));
    let mut out = Collector::new(std::mem::take(&mut prepared.columns));
    let n = batch_len();
    let mut batch = read_batch(&mut reader, n);
    while !batch.is_empty() {
        if let Plan::Sql(tables, _) = &mut prepared.plan {
            for b in &batch {
                tables.scan(&b.data, b.offset);
            }
        }
        let plan = &prepared.plan;
        let (results, next) = rayon::join(
            || {
                batch
                    .par_iter()
                    .map(|b| {
                        let mut sink = make_sink();
                        if let Some(dropped) = b.dropped {
                            sink.finish();
                            progress.advance(dropped.bytes, 0);
                            return (sink, too_long_report(b.offset, false), dropped.lines);
                        }
                        let report = process(plan, opts, &b.data, b.offset, &mut sink);
                        progress.advance(b.data.len() as u64, report.stats.records);
                        (sink, report, count_lines(&b.data))
                    })
                    .collect::<Vec<_>>()
            },
            || read_batch(&mut reader, n),
        );
        for (sink, report, lines) in results {
            out.push(sink, report, line);
            line += lines;
        }
        batch = next;
    }
    if let Some(source) = reader.take_error() {
        if let (Some(count), true) = (&stream.compressed, opts.allow_truncated) {
            out.warn(format!(
                "compressed data ends or is damaged at compressed byte {} (decompressed byte {}): \
                 {} records before it were read, the rest of the input is missing ({source})",
                count.load(std::sync::atomic::Ordering::Relaxed),
                reader.bytes_seen(),
                out.records(),
            ));
            let bytes = reader.bytes_seen();
            return Ok(out.finish(prepared, bytes));
        }
        return Err(match stream.compressed {
            Some(count) => IngestError::Decompress {
                input: name.to_string(),
                offset: count.load(std::sync::atomic::Ordering::Relaxed),
                decompressed: reader.bytes_seen(),
                records_processed: out.records(),
                source,
            },
            None => IngestError::Io {
                input: name.to_string(),
                source,
            },
        });
    }
    let bytes = reader.bytes_seen();
    Ok(out.finish(prepared, bytes))
}
