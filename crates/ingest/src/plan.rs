//! From the first bytes of an input to a parsing plan: format detection, CSV header and column
//! choice; and the per-chunk dispatch to the format parsers.
//!
//! Format detection ([`Format::Auto`]): the name (after dropping `.gz`/`.zst`) ending in
//! `.jsonl`/`.ndjson`, or a first non-blank byte `{` → JSON lines; `.sql`, or content starting
//! with `--`, `/*`, `CREATE`, `INSERT`, `DROP`, `LOCK` or `SET` → SQL; anything else CSV-like.
//! Scan mode is only used when asked for.
//!
//! CSV header rule: the first record is the header, unless the user named columns **only by
//! index** and one of those fields of the first record holds an ASCII digit; then the input is
//! taken as headerless and the first record is data. With a header, a kind whose columns the user
//! did not give is chosen from the header names ([`crate::columns`]); without one, only the given
//! indices are used. When the user gave no column and no name of the first record selects one,
//! the columns are chosen by content ([`crate::content`]: the first record is then a header only
//! if it holds no data); when that finds nothing it is an error
//! ([`IngestError::NoIdentifierColumn`]), when it is ambiguous too
//! ([`IngestError::AmbiguousColumns`]).

use std::ops::Range;
use std::path::Path;

use crate::chunk::find_record_end;
use crate::columns::{choose, display_name, looks_like_data, missing_names};
use crate::content::{
    choose_by_content, choose_keys_by_content, choose_sql_columns_by_content, free_text,
    ContentChoice, FreeText, IdKind, NoChoice,
};
use crate::csv::{detect_delimiter, split_record, CsvPlan};
use crate::emit::{ChunkReport, Emitter, Event, EventKind, KIND_CNIC, KIND_MSISDN};
use crate::jsonl::KeyKinds;
use crate::outcome::ColumnsUsed;
use crate::outcome::SkipReason;
use crate::sql::Tables;
use crate::{csv, jsonl, scan, sql, ColumnRef, Format, IngestError, ReadOptions, RecordSink};

/// Bytes of the input's start that delimiter detection looks at, mapped or streamed alike (a
/// stream is read at least this far before detection), so both choose the same delimiter.
pub(crate) const DETECT_BYTES: usize = 64 << 10;

/// How each chunk is parsed.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    Csv(CsvPlan),
    /// JSON lines; the keys auto mode chose by content as (MSISDN keys, CNIC keys), or none
    /// (the options' keys, or keys chosen by name).
    Jsonl(Option<(Vec<ColumnRef>, Vec<ColumnRef>)>),
    /// SQL; the columns auto mode chose by content as (MSISDN, CNIC) positions, or none.
    Sql(Tables, Option<(Vec<ColumnRef>, Vec<ColumnRef>)>),
    Scan,
}

/// The outcome of looking at the start of an input.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub format: Format,
    pub plan: Plan,
    /// Where data records start (after a CSV header), relative to the bytes given.
    pub data_start: usize,
    pub header: Option<Vec<u8>>,
    pub columns: ColumnsUsed,
    /// Columns chosen by content (no header name selected one).
    pub by_content: Option<ContentChoice>,
    /// Read as free text by auto mode (no column holds identifiers, its lines do).
    pub free_text: Option<FreeText>,
}

/// Resolves [`Format::Auto`] from the file name and the first bytes (after a BOM).
pub(crate) fn resolve_format(requested: Format, path: Option<&Path>, head: &[u8]) -> Format {
    if requested != Format::Auto {
        return requested;
    }
    if let Some(path) = path {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase());
        let name = name.as_deref().unwrap_or("");
        let name = [".gz", ".gzip", ".zst", ".zstd"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            return Format::Jsonl;
        }
        if name.ends_with(".sql") {
            return Format::Sql;
        }
    }
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    if head.first() == Some(&b'{') {
        return Format::Jsonl;
    }
    let sql = [
        &b"--"[..],
        b"/*",
        b"CREATE",
        b"INSERT",
        b"DROP",
        b"LOCK",
        b"SET",
    ]
    .iter()
    .any(|p| head.len() >= p.len() && head[..p.len()].eq_ignore_ascii_case(p));
    if sql {
        Format::Sql
    } else {
        Format::Csv
    }
}

fn all_refs(opts: &ReadOptions) -> impl Iterator<Item = &ColumnRef> {
    opts.msisdn_cols.iter().chain(&opts.cnic_cols)
}

/// Builds the plan. `head` starts at the first data byte (after a BOM) and holds at least the
/// complete first record unless the input is shorter.
pub(crate) fn prepare(
    input: &str,
    format: Format,
    head: &[u8],
    head_offset: u64,
    opts: &ReadOptions,
) -> Result<Prepared, IngestError> {
    let bad = |message: String, headers: Vec<String>| IngestError::BadColumn {
        input: input.to_string(),
        message,
        headers,
    };
    if all_refs(opts).any(|c| *c == ColumnRef::Index(0)) {
        return Err(bad(
            "column indices are 1-based: 0 is not a column".into(),
            vec![],
        ));
    }
    let mut prepared = Prepared {
        format,
        plan: Plan::Scan,
        data_start: 0,
        header: None,
        columns: ColumnsUsed::default(),
        by_content: None,
        free_text: None,
    };
    match format {
        Format::Auto | Format::Scan => {
            prepared.format = Format::Scan;
        }
        Format::Sql => {
            prepared.plan = Plan::Sql(Tables::default(), None);
            if all_refs(opts).next().is_none() {
                let window = &head[..head.len().min(DETECT_BYTES)];
                match choose_sql_columns_by_content(window, head.len() <= DETECT_BYTES) {
                    None | Some(Err(NoChoice::Nothing { .. })) => {}
                    Some(Ok(choice)) => {
                        let refs = |kind: IdKind| -> Vec<ColumnRef> {
                            choice
                                .chosen
                                .iter()
                                .filter(|c| c.kind == kind)
                                .map(|c| ColumnRef::Index(c.index))
                                .collect()
                        };
                        let cols = (refs(IdKind::Msisdn), refs(IdKind::Cnic));
                        prepared.plan = Plan::Sql(Tables::default(), Some(cols));
                        prepared.by_content = Some(choice);
                    }
                    Some(Err(NoChoice::Ambiguous {
                        sampled,
                        candidates,
                    })) => {
                        return Err(IngestError::AmbiguousColumns {
                            input: input.to_string(),
                            sampled,
                            candidates,
                        })
                    }
                }
            }
        }
        // Tables are read from their files by `crate::table`; only a stream gets here.
        Format::Parquet | Format::Arrow => {
            return Err(IngestError::Table {
                input: input.to_string(),
                message: format!(
                    "{format} is read from a file path, not from a pipe or a compressed stream"
                ),
            })
        }
        Format::Jsonl => {
            if all_refs(opts).any(|c| matches!(c, ColumnRef::Index(_))) {
                return Err(bad(
                    "column positions do not apply to JSON lines: give key names".into(),
                    vec![],
                ));
            }
            prepared.plan = Plan::Jsonl(None);
            if all_refs(opts).next().is_none() {
                let window = &head[..head.len().min(DETECT_BYTES)];
                match choose_keys_by_content(window, head.len() <= DETECT_BYTES) {
                    None | Some(Err(NoChoice::Nothing { .. })) => {}
                    Some(Ok((choice, msisdn, cnic))) => {
                        let refs = |keys: Vec<Vec<u8>>| -> Vec<ColumnRef> {
                            keys.into_iter()
                                .map(|k| ColumnRef::Name(String::from_utf8_lossy(&k).into_owned()))
                                .collect()
                        };
                        prepared.plan = Plan::Jsonl(Some((refs(msisdn), refs(cnic))));
                        prepared.by_content = Some(choice);
                    }
                    Some(Err(NoChoice::Ambiguous {
                        sampled,
                        candidates,
                    })) => {
                        return Err(IngestError::AmbiguousColumns {
                            input: input.to_string(),
                            sampled,
                            candidates,
                        })
                    }
                }
            }
        }
        Format::Csv => {
            let delim = detect_delimiter(&head[..head.len().min(DETECT_BYTES)]);
            prepared.plan = Plan::Csv(CsvPlan {
                delim,
                kinds: Vec::new(),
            });
            if head.iter().all(|b| b.is_ascii_whitespace()) {
                return Ok(prepared);
            }
            // Checked before splitting: a record with millions of fields would be a vector of
            // millions (a streamed head is cut just past the limit, so that is all it holds).
            let first_end = find_record_end(head, false).unwrap_or(head.len());
            if first_end > opts.max_record {
                return Err(IngestError::RecordTooLong {
                    input: input.to_string(),
                    line: 1,
                    offset: head_offset,
                    limit: opts.max_record,
                });
            }
            let (fields, end, _) = split_record(head, delim);
            let given = all_refs(opts).count() > 0;
            let only_indices = given && all_refs(opts).all(|c| matches!(c, ColumnRef::Index(_)));
            let data_row = only_indices
                && all_refs(opts).any(|c| match c {
                    ColumnRef::Index(i) => fields
                        .get(i - 1)
                        .is_some_and(|f| f.iter().any(u8::is_ascii_digit)),
                    ColumnRef::Name(_) => false,
                });
            let headers = || {
                // A binary "header" can have thousands of fields: name the first few.
                let mut v: Vec<String> = fields.iter().take(20).map(|f| display_name(f)).collect();
                if fields.len() > 20 {
                    v.push(format!("… {} more", fields.len() - 20));
                }
                v
            };
            let chosen = if data_row {
                choose(None, 0, &opts.msisdn_cols, &opts.cnic_cols)
            } else {
                let missing = missing_names(&fields, &opts.msisdn_cols, &opts.cnic_cols);
                if let Some(name) = missing.first() {
                    return Err(bad(
                        format!("column {name:?} is not in the header"),
                        headers(),
                    ));
                }
                let chosen = choose(
                    Some(&fields),
                    fields.len(),
                    &opts.msisdn_cols,
                    &opts.cnic_cols,
                );
                if chosen.kinds.is_empty() && !given {
                    let window = &head[..head.len().min(DETECT_BYTES)];
                    let complete = head.len() <= DETECT_BYTES;
                    match choose_by_content(window, complete, delim) {
                        Ok(choice) => {
                            let mut kinds = vec![0u8; choice.chosen.last().map_or(0, |c| c.index)];
                            let mut used = ColumnsUsed {
                                header: choice.header,
                                ..ColumnsUsed::default()
                            };
                            for c in &choice.chosen {
                                let (bit, names) = match c.kind {
                                    IdKind::Msisdn => (KIND_MSISDN, &mut used.msisdn),
                                    IdKind::Cnic => (KIND_CNIC, &mut used.cnic),
                                };
                                kinds[c.index - 1] |= bit;
                                names.push(format!("#{}", c.index));
                            }
                            if choice.header {
                                let raw = &head[..end];
                                prepared.header =
                                    Some(raw.strip_suffix(b"\r").unwrap_or(raw).to_vec());
                                prepared.data_start = (end + 1).min(head.len());
                            }
                            prepared.columns = used;
                            prepared.plan = Plan::Csv(CsvPlan { delim, kinds });
                            prepared.by_content = Some(choice);
                            return Ok(prepared);
                        }
                        Err(NoChoice::Ambiguous {
                            sampled,
                            candidates,
                        }) => {
                            return Err(IngestError::AmbiguousColumns {
                                input: input.to_string(),
                                sampled,
                                candidates,
                            })
                        }
                        Err(NoChoice::Nothing { .. }) => {
                            // Only auto mode reads as free text: `--format csv` means columns.
                            let text = (opts.format == Format::Auto)
                                .then(|| free_text(window, complete))
                                .flatten();
                            if let Some(text) = text {
                                prepared.format = Format::Scan;
                                prepared.plan = Plan::Scan;
                                prepared.free_text = Some(text);
                                return Ok(prepared);
                            }
                        }
                    }
                }
                if chosen.kinds.is_empty() {
                    let hint = if fields.iter().any(|f| looks_like_data(f)) {
                        "the first line looks like data, not a header, and no column's values \
                         normalize as MSISDNs or CNICs: choose columns by position with \
                         --msisdn-col N / --cnic-col N (1-based), or use --format scan"
                    } else {
                        "choose columns with --msisdn-col / --cnic-col, or use --format scan"
                    };
                    return Err(IngestError::NoIdentifierColumn {
                        input: input.to_string(),
                        columns: fields.len(),
                        hint: hint.to_string(),
                    });
                }
                let raw = &head[..end];
                prepared.header = Some(raw.strip_suffix(b"\r").unwrap_or(raw).to_vec());
                prepared.data_start = (end + 1).min(head.len());
                chosen
            };
            prepared.columns = ColumnsUsed {
                msisdn: chosen.msisdn,
                cnic: chosen.cnic,
                header: !data_row,
            };
            prepared.plan = Plan::Csv(CsvPlan {
                delim,
                kinds: chosen.kinds,
            });
        }
    }
    Ok(prepared)
}

/// Parses one record-aligned chunk into `sink` (then finished) and reports on it. A record
/// longer than `opts.max_record` is not parsed: it is skipped and counted
/// ([`SkipReason::RecordTooLong`]), the records around it are parsed as usual. Only a chunk
/// longer than the limit can hold one, so only such a chunk is searched for it.
pub(crate) fn process<S: RecordSink>(
    plan: &Plan,
    opts: &ReadOptions,
    data: &[u8],
    base: u64,
    sink: &mut S,
) -> ChunkReport {
    let parts = if data.len() > opts.max_record {
        long_records(plan, data, opts.max_record)
    } else {
        Vec::new()
    };
    let report = if parts.is_empty() {
        parse(plan, opts, data, base, sink)
    } else {
        let mut report = ChunkReport::default();
        let mut lines = 0;
        for part in parts {
            let bytes = &data[part.range.clone()];
            let at = base + part.range.start as u64;
            let mut r = if part.too_long {
                too_long_report(at, part.ends_in_quotes)
            } else {
                parse(plan, opts, bytes, at, sink)
            };
            for ev in &mut r.events {
                ev.line += lines;
            }
            lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
            report.stats.merge(&r.stats);
            report.events.append(&mut r.events);
            for (have, new) in [
                (&mut report.msisdn_names, r.msisdn_names),
                (&mut report.cnic_names, r.cnic_names),
            ] {
                for n in new {
                    if !have.contains(&n) {
                        have.push(n);
                    }
                }
            }
            report.ends_in_quotes = r.ends_in_quotes;
        }
        report
    };
    sink.finish();
    report
}

/// The report of a record skipped as longer than the limit, at absolute offset `offset`, on
/// the first line of its chunk; `ends_in_quotes` if it runs to the end of its chunk inside
/// quotes (CSV).
pub(crate) fn too_long_report(offset: u64, ends_in_quotes: bool) -> ChunkReport {
    let mut report = ChunkReport {
        ends_in_quotes,
        ..ChunkReport::default()
    };
    report.stats.skipped_records = 1;
    report.events.push(Event {
        line: 0,
        offset,
        kind: EventKind::Skip(SkipReason::RecordTooLong),
    });
    report
}

/// A part of a chunk: records to parse, or one record too long to.
struct Part {
    range: Range<usize>,
    too_long: bool,
    ends_in_quotes: bool,
}

/// The parts of `data` around its records longer than `max` bytes (without their newline);
/// empty if it has none. Records are found as the parsers find them: lines, or for CSV a
/// newline with an even number of quotes since the record's start.
fn long_records(plan: &Plan, data: &[u8], max: usize) -> Vec<Part> {
    let csv = matches!(plan, Plan::Csv(_));
    let mut parts = Vec::new();
    let (mut from, mut pos) = (0, 0);
    while pos < data.len() {
        let (end, open) = if csv {
            match find_record_end(&data[pos..], false) {
                Ok(k) => (pos + k, false),
                Err(odd) => (data.len(), odd),
            }
        } else {
            (
                memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k),
                false,
            )
        };
        let next = (end + 1).min(data.len());
        if end - pos > max {
            if pos > from {
                parts.push(Part {
                    range: from..pos,
                    too_long: false,
                    ends_in_quotes: false,
                });
            }
            parts.push(Part {
                range: pos..next,
                too_long: true,
                ends_in_quotes: open,
            });
            from = next;
        }
        pos = next;
    }
    if !parts.is_empty() && from < data.len() {
        parts.push(Part {
            range: from..data.len(),
            too_long: false,
            ends_in_quotes: false,
        });
    }
    parts
}

/// Parses a chunk (or a part of one) that holds no record longer than the limit.
fn parse<S: RecordSink>(
    plan: &Plan,
    opts: &ReadOptions,
    data: &[u8],
    base: u64,
    sink: &mut S,
) -> ChunkReport {
    let mut em = Emitter::new(sink).at(data, base);
    let mut names: Vec<(String, u8)> = Vec::new();
    match plan {
        Plan::Csv(p) => csv::parse_chunk(p, data, base, &mut em),
        Plan::Scan => scan::parse_chunk(data, base, &mut em),
        Plan::Jsonl(chosen) => {
            let (msisdn, cnic) = match chosen {
                Some((m, c)) => (m.as_slice(), c.as_slice()),
                None => (opts.msisdn_cols.as_slice(), opts.cnic_cols.as_slice()),
            };
            let mut keys = KeyKinds::new(msisdn, cnic);
            jsonl::parse_chunk(data, base, &mut keys, &mut em);
            names.extend(keys.used().map(|(k, kind)| (display_name(k), kind)));
        }
        Plan::Sql(tables, chosen) => {
            let cols = match chosen {
                Some((m, c)) => (m.as_slice(), c.as_slice()),
                None => (opts.msisdn_cols.as_slice(), opts.cnic_cols.as_slice()),
            };
            sql::parse_chunk(data, base, tables, cols, &mut names, &mut em);
        }
    }
    let mut report = em.into_report();
    for (name, kind) in names {
        if kind & KIND_MSISDN != 0 {
            report.msisdn_names.push(name.clone());
        }
        if kind & KIND_CNIC != 0 {
            report.cnic_names.push(name);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        let p = Path::new;
        assert_eq!(
            resolve_format(Format::Auto, Some(p("a.ndjson.gz")), b"x"),
            Format::Jsonl
        );
        assert_eq!(
            resolve_format(Format::Auto, Some(p("a.SQL")), b"a,b"),
            Format::Sql
        );
        assert_eq!(
            resolve_format(Format::Auto, None, b"  \n{\"a\":1}"),
            Format::Jsonl
        );
        assert_eq!(
            resolve_format(Format::Auto, None, b"-- MySQL dump"),
            Format::Sql
        );
        assert_eq!(
            resolve_format(Format::Auto, None, b"insert into t"),
            Format::Sql
        );
        assert_eq!(
            resolve_format(Format::Auto, None, b"msisdn,cnic"),
            Format::Csv
        );
        assert_eq!(resolve_format(Format::Scan, None, b"{"), Format::Scan);
    }

    #[test]
    fn headerless_only_with_indices_and_digits() {
        let opts = ReadOptions {
            msisdn_cols: vec![ColumnRef::Index(2)],
            ..ReadOptions::default()
        };
        let p = prepare("t", Format::Csv, b"Ali,03001234567\n", 0, &opts).unwrap();
        assert!(p.header.is_none());
        assert_eq!(p.data_start, 0);
        let p = prepare("t", Format::Csv, b"name,phone_x\nAli,0300\n", 0, &opts).unwrap();
        assert_eq!(p.header.as_deref(), Some(&b"name,phone_x"[..]));
        assert_eq!(p.data_start, 13);
        assert_eq!(p.columns.msisdn, vec!["phone_x"]);
    }

    #[test]
    fn no_identifier_column_never_shows_data() {
        let err = prepare(
            "in.csv",
            Format::Csv,
            b"a,04235761234\n",
            0,
            &ReadOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("in.csv") && err.contains("2 columns") && err.contains("--format scan")
        );
        assert!(!err.contains("04235761234"), "{err}");
    }

    #[test]
    fn headerless_csv_columns_chosen_by_content() {
        let opts = ReadOptions::default();
        let p = prepare("t", Format::Csv, b"Ali|03001234567|x\n", 0, &opts).unwrap();
        assert!(p.header.is_none());
        assert_eq!(p.data_start, 0);
        assert_eq!(p.columns.msisdn, vec!["#2"]);
        assert!(!p.columns.header);
        let choice = p.by_content.unwrap();
        assert_eq!((choice.sampled, choice.chosen.len()), (1, 1));
        // Meaningless names: the first line is a header, the columns come from the rest.
        let text = b"col1,col2\n3520212345671,Ali\n";
        let p = prepare("t", Format::Csv, text, 0, &opts).unwrap();
        assert_eq!(p.header.as_deref(), Some(&b"col1,col2"[..]));
        assert_eq!(p.data_start, 10);
        assert_eq!(p.columns.cnic, vec!["#1"]);
        // Named columns are never overridden by content.
        let p = prepare("t", Format::Csv, b"mobile,x\n1,03001234567\n", 0, &opts).unwrap();
        assert_eq!(p.columns.msisdn, vec!["mobile"]);
        assert!(p.by_content.is_none());
    }

    #[test]
    fn free_text_in_auto_mode_is_read_as_scan_not_as_junk_columns() {
        let opts = ReadOptions::default();
        // Prose split at its commas: "mobile 0378..." must not name a column.
        let text = b"Ali s/o Akbar, mobile 03789179266, CNIC 3277050493095, House 1, Lahore\n\
                     Name: Sana | Cell: 923102423959 | City: Multan\n";
        let p = prepare("t", Format::Csv, text, 0, &opts).unwrap();
        assert!(matches!(p.plan, Plan::Scan), "{:?}", p.plan);
        assert_eq!(p.format, Format::Scan);
        assert_eq!(
            p.free_text.map(|f| (f.sampled, f.with_identifier)),
            Some((2, 2))
        );
        assert!(p.by_content.is_none());
    }

    #[test]
    fn json_lines_of_meaningless_keys_are_read_by_content() {
        let opts = ReadOptions::default();
        let text = b"{\"col1\":\"Ali\",\"col2\":\"0300-1234567\"}\n{\"col1\":\"Sana\",\"col2\":923451234567}\n";
        let p = prepare("t", Format::Jsonl, text, 0, &opts).unwrap();
        match &p.plan {
            Plan::Jsonl(Some((m, c))) => {
                assert_eq!(m, &vec![ColumnRef::Name("col2".into())]);
                assert!(c.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(p.by_content.is_some());
        let named = b"{\"msisdn\":\"0300-1234567\"}\n";
        let p = prepare("t", Format::Jsonl, named, 0, &opts).unwrap();
        assert!(matches!(p.plan, Plan::Jsonl(None)));
    }

    #[test]
    fn ambiguous_content_is_refused_listing_positions_only() {
        let mut text = String::new();
        for i in 0..30 {
            let v = if i % 3 == 0 { "03001234567" } else { "later" };
            text += &format!("{i},{v}\n");
        }
        let err = prepare(
            "in.txt",
            Format::Csv,
            text.as_bytes(),
            0,
            &ReadOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("#2 msisdn (33.3% of 30 values)"), "{err}");
        assert!(!err.contains("03001234567"), "{err}");
    }
}
