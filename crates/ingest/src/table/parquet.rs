//! Parquet files: the footer once, then the row groups in parallel.
//!
//! Reads go through [`Positional`]: a footer or page header that claims more bytes than the
//! file holds is an error, not an allocation. Types come from the Parquet schema alone (an embedded Arrow schema is ignored),
//! so a file reads the same whoever wrote it.

use std::path::Path;

use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use parquet::errors::ParquetError;
use rayon::prelude::*;

use super::positional::Positional;
use super::rows::RowText;
use super::{choose_columns, collect, guarded, sanitize, table_error, Unit, UnitReader};
use crate::emit::Emitter;
use crate::{Format, IngestError, Progress, ReadOptions, ReadOutcome, RecordSink};

/// Rows decoded at a time.
const BATCH_ROWS: usize = 8192;

fn options() -> ArrowReaderOptions {
    ArrowReaderOptions::new().with_skip_arrow_metadata(true)
}

fn open(name: &str, path: &Path) -> Result<(Positional, ArrowReaderMetadata), IngestError> {
    let file = Positional::open(path).map_err(|source| IngestError::Io {
        input: name.to_string(),
        source,
    })?;
    let meta = guarded(name, "the footer", || {
        ArrowReaderMetadata::load(&file, options()).map_err(|e| {
            table_error(
                name,
                format!("not a readable Parquet file: {}", sanitize(&e.to_string())),
            )
        })
    })?;
    Ok((file, meta))
}

/// The reader's message fit to show; a codec this build leaves out (Brotli, LZO) said plainly.
fn message(e: &ParquetError) -> String {
    let text = e.to_string();
    let codec = text
        .split_once("Disabled feature at compile time: ")
        .map(|(_, c)| c.to_string())
        .or_else(|| {
            text.split_once("The codec type ")
                .and_then(|(_, rest)| rest.split_once(" is not supported"))
                .map(|(c, _)| c.to_string())
        });
    match codec {
        Some(c) => format!(
            "its pages are compressed with {}, which leakmatch does not read: rewrite it with \
             snappy, zstd, gzip or lz4 compression",
            sanitize(c.trim())
        ),
        None => sanitize(&text),
    }
}

/// Rows of the Parquet file at `path`, from its footer.
pub(crate) fn parquet_rows(path: &Path) -> Option<u64> {
    let (_, meta) = open("", path).ok()?;
    u64::try_from(meta.metadata().file_metadata().num_rows()).ok()
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
    let (file, meta) = open(name, path)?;
    progress.begin(name, Some(file.len));
    let result = read_groups(name, &file, &meta, opts, make_sink, progress);
    progress.finish();
    result
}

fn read_groups<S, F>(
    name: &str,
    file: &Positional,
    meta: &ArrowReaderMetadata,
    opts: &ReadOptions,
    make_sink: &F,
    progress: &dyn Progress,
) -> Result<ReadOutcome<S>, IngestError>
where
    S: RecordSink,
    F: Fn() -> S + Sync,
{
    let schema = meta.schema().clone();
    let parquet_schema = meta.parquet_schema();
    let groups = meta.metadata().row_groups();
    let group_err =
        |rg: usize, e: ParquetError| table_error(name, format!("row group {rg}: {}", message(&e)));
    let chosen = choose_columns(name, &schema, opts, |candidates| {
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        guarded(name, "row group 0", || {
            let reader =
                ParquetRecordBatchReaderBuilder::new_with_metadata(file.clone(), meta.clone())
                    .with_row_groups(vec![0])
                    .with_projection(ProjectionMask::roots(
                        parquet_schema,
                        candidates.iter().copied(),
                    ))
                    .with_batch_size(crate::content::SAMPLE_RECORDS)
                    .with_limit(crate::content::SAMPLE_RECORDS)
                    .build()
                    .map_err(|e| group_err(0, e))?;
            reader
                .map(|b| b.map_err(|e| group_err(0, ParquetError::from(e))))
                .collect()
        })
    })?;
    // Projected to the identifier columns, whose batch positions follow the file's order;
    // all columns when whole rows are kept.
    let mut roots: Vec<usize> = chosen.columns.iter().map(|(c, _)| *c).collect();
    roots.sort_unstable();
    roots.dedup();
    let (mask, ids): (ProjectionMask, Vec<(usize, u8)>) = if opts.keep_rows {
        (ProjectionMask::all(), chosen.columns.clone())
    } else {
        let ids = chosen
            .columns
            .iter()
            .map(|&(c, kind)| (roots.binary_search(&c).unwrap_or(0), kind))
            .collect();
        (
            ProjectionMask::roots(parquet_schema, roots.iter().copied()),
            ids,
        )
    };
    let row_text = opts.keep_rows.then(RowText::new);
    let reader = UnitReader {
        ids: &ids,
        rows: row_text.as_ref(),
    };
    let mut first_rows = Vec::with_capacity(groups.len());
    let mut total = 0u64;
    for g in groups {
        first_rows.push(total);
        total = total.saturating_add(u64::try_from(g.num_rows()).unwrap_or(0));
    }
    let units: Vec<Result<Unit<S>, IngestError>> = (0..groups.len())
        .into_par_iter()
        .map(|rg| {
            guarded(name, &format!("row group {rg}"), || {
                let expected = u64::try_from(groups[rg].num_rows()).unwrap_or(0);
                let batches =
                    ParquetRecordBatchReaderBuilder::new_with_metadata(file.clone(), meta.clone())
                        .with_row_groups(vec![rg])
                        .with_projection(mask.clone())
                        .with_batch_size(BATCH_ROWS)
                        .build()
                        .map_err(|e| group_err(rg, e))?;
                let mut sink = make_sink();
                let mut em = Emitter::new(&mut sink);
                let (mut scratch, mut line) = (Vec::new(), Vec::new());
                let mut rows = 0u64;
                for batch in batches {
                    let batch = batch.map_err(|e| group_err(rg, ParquetError::from(e)))?;
                    reader
                        .batch(
                            &mut em,
                            &batch,
                            first_rows[rg] + rows,
                            &mut scratch,
                            &mut line,
                        )
                        .map_err(|m| table_error(name, format!("row group {rg}: {m}")))?;
                    rows += batch.num_rows() as u64;
                }
                if rows != expected {
                    return Err(table_error(
                        name,
                        format!(
                            "row group {rg} holds {rows} rows, its metadata says {expected}: \
                             the file is corrupt"
                        ),
                    ));
                }
                let report = em.into_report();
                sink.finish();
                progress.advance(
                    u64::try_from(groups[rg].compressed_size()).unwrap_or(0),
                    report.stats.records,
                );
                Ok(Unit { sink, report })
            })
        })
        .collect();
    let units = units.into_iter().collect::<Result<Vec<_>, _>>()?;
    let header = Some(RowText::header(&schema));
    Ok(collect(units, chosen, Format::Parquet, header, file.len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_codec_left_out_is_named_plainly() {
        let e = ParquetError::General("Disabled feature at compile time: brotli".into());
        let m = message(&e);
        assert!(m.starts_with("its pages are compressed with brotli"), "{m}");
        let e = ParquetError::NYI("The codec type LZO is not supported yet".into());
        assert!(message(&e).contains("with LZO, which"), "{}", message(&e));
        let e = ParquetError::General("bad page at 923001234567".into());
        assert_eq!(message(&e), "Parquet error: bad page at <digits>");
    }
}
