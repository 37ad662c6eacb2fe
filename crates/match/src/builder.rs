//! `build`: dumps → one keyed Bloom filter.
//!
//! Sizes the filter (given or estimated capacity), then reads every input into the sinks of
//! one [`FilterBuilder`], which does the hashing and inserting and writes the header.

use leakmatch_hashing::{FillStats, Filter, Key, DEFAULT_FPR_PROBES};
use leakmatch_ingest::{
    read_input, sample_text, table_rows, Diagnostics, InputSource, InputStats, Progress,
    ReadOptions,
};

use crate::filling::{Filled, FilterBuilder};
use crate::tokens::KindSelection;
use crate::{InputSummary, PipelineError};

/// How to build a filter.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Token kinds to insert.
    pub kinds: KindSelection,
    /// Target false-positive rate at the filter's capacity.
    pub target_fpr: f64,
    /// Expected number of tokens; estimated from the inputs when `None`.
    pub capacity: Option<u64>,
    /// Random non-member probes used to measure the achieved false-positive rate.
    pub fpr_probes: u64,
    /// Where the filter will be saved, if known: its bits are then built in place in a
    /// temporary file beside it, and saving there needs no copy (see
    /// [`BlockedBloom::new_for_file`](leakmatch_hashing::BlockedBloom::new_for_file)). Dropped unsaved, the temporary is removed.
    pub output: Option<std::path::PathBuf>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            kinds: KindSelection::default(),
            target_fpr: 1e-6,
            capacity: None,
            fpr_probes: DEFAULT_FPR_PROBES,
            output: None,
        }
    }
}

/// A built filter and what went into it.
#[derive(Debug)]
pub struct BuildOutcome {
    /// The filter, ready to save.
    pub filter: Filter,
    /// Per-input counters.
    pub inputs: Vec<InputSummary>,
    /// Sum over inputs.
    pub totals: InputStats,
    /// Capacity the filter was sized for.
    pub capacity: u64,
    /// How full the filter is.
    pub fill: FillStats,
    /// Whether that capacity was estimated (not given).
    pub capacity_estimated: bool,
    /// Skipped records and warnings per input (never holding identifiers).
    pub diagnostics: Vec<(String, Diagnostics)>,
    /// Warnings about the build itself (capacity exceeded, FPR above target).
    pub warnings: Vec<String>,
    /// Wall time of each phase, in order (for `--verbose` and benchmarking).
    pub timings: Vec<(String, std::time::Duration)>,
}

impl BuildOutcome {
    /// The `leakmatch build --json` summary (schema `leakmatch.build.v1`) of this outcome,
    /// saved as `output`. Counts and parameters only: no identifier, no key.
    pub fn summary_json(&self, output: &std::path::Path) -> serde_json::Value {
        let h = &self.filter.header;
        serde_json::json!({
            "schema": "leakmatch.build.v1",
            "filter": output.display().to_string(),
            "key_id": h.key_id().map(|k| k.to_string()),
            "inputs": self.inputs,
            "tokens_inserted": { "msisdn": h.counts.msisdn, "cnic": h.counts.cnic, "pair": h.counts.pair },
            "capacity": self.capacity,
            "capacity_estimated": self.capacity_estimated,
            "filter_bytes": h.params.bytes(),
            "blocks": h.params.blocks,
            "k": h.params.k,
            "target_fpr": h.target_fpr,
            "measured_fpr": h.measured_fpr,
            "implied_fpr": self.fill.implied_fpr,
            "estimated_distinct_tokens": self.fill.estimated_distinct,
            "warnings": self.warnings,
            "key_holder_can_recover": self.key_holder_can_recover(),
        })
    }
}

/// Builds one filter from all `inputs`, on the current rayon pool.
pub fn build(
    key: &Key,
    inputs: &[InputSource],
    read: &ReadOptions,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildOutcome, PipelineError> {
    let mut laps = Laps::new();
    let sizing = Sizing::of(inputs, opts);
    let filling = FilterBuilder::new(key, sizing.capacity, opts)?;
    laps.lap("sizing".into());
    Ok(fill(filling, sizing, inputs, read, progress, laps)?.outcome)
}

/// Wall time of each phase of a pipeline, in order.
pub(crate) struct Laps {
    pub(crate) timings: Vec<(String, std::time::Duration)>,
    phase: std::time::Instant,
}

impl Laps {
    pub(crate) fn new() -> Self {
        Laps {
            timings: Vec::new(),
            phase: std::time::Instant::now(),
        }
    }

    /// Ends the current phase, naming it.
    pub(crate) fn lap(&mut self, name: String) {
        let now = std::time::Instant::now();
        self.timings.push((name, now - self.phase));
        self.phase = now;
    }
}

/// The capacity a filter is sized for: given, or estimated from the inputs (with a note when
/// it had to guess).
pub(crate) struct Sizing {
    pub(crate) capacity: u64,
    pub(crate) estimated: bool,
    pub(crate) warnings: Vec<String>,
}

impl Sizing {
    pub(crate) fn of(inputs: &[InputSource], opts: &BuildOptions) -> Sizing {
        match opts.capacity {
            Some(c) => Sizing {
                capacity: c.max(1),
                estimated: false,
                warnings: Vec::new(),
            },
            None => {
                let (capacity, note) = estimate_capacity(inputs, opts.kinds);
                Sizing {
                    capacity,
                    estimated: true,
                    warnings: note.into_iter().collect(),
                }
            }
        }
    }
}

/// Reads every input into the sinks of `filling` and finishes the filter: the part of a
/// build after sizing, shared by `build` (keyed tokens) and `publish` (online tokens).
pub(crate) fn fill(
    filling: FilterBuilder,
    sizing: Sizing,
    inputs: &[InputSource],
    read: &ReadOptions,
    progress: &dyn Progress,
    mut laps: Laps,
) -> Result<Filling, PipelineError> {
    let Sizing {
        capacity,
        estimated: capacity_estimated,
        mut warnings,
    } = sizing;
    let mut summaries = Vec::with_capacity(inputs.len());
    let mut totals = InputStats::default();
    let mut diagnostics = Vec::new();
    for input in inputs {
        let outcome = read_input(input, read, || filling.sink(), progress)?;
        // Each sink finished its chunk (see `RecordSink::finish`): everything is inserted.
        totals.merge(&outcome.stats);
        summaries.push(InputSummary::new(
            input.to_string(),
            format!("{:?}", outcome.format).to_lowercase(),
            &outcome.stats,
        ));
        diagnostics.push((input.to_string(), outcome.diagnostics));
        laps.lap(format!("read, hash, insert {input}"));
    }
    let missing = filling.missing_outputs();
    let Filled {
        filter,
        fill,
        warnings: filled_warnings,
    } = filling.finish();
    warnings.extend(filled_warnings);
    laps.lap("fill and FPR probes".into());
    Ok(BuildOutcome {
        filter,
        inputs: summaries,
        totals,
        capacity,
        fill,
        capacity_estimated,
        diagnostics,
        warnings,
        timings: laps.timings,
    }
    .with_missing(missing))
}

/// A build's outcome and, for an online build, how many tokens had no OPRF output (an input
/// changed between publish's two passes: `publish` then fails); 0 for a keyed build.
pub(crate) struct Filling {
    pub(crate) outcome: BuildOutcome,
    pub(crate) missing_outputs: u64,
}

impl BuildOutcome {
    fn with_missing(self, missing_outputs: u64) -> Filling {
        Filling {
            outcome: self,
            missing_outputs,
        }
    }
}

/// Estimates how many tokens `inputs` will produce, from their text sizes and the record
/// density of their first MiB of text: records × selected kinds, an upper bound (duplicates
/// and invalid fields only make the filter better than its target). Returns a note when it had
/// to guess.
///
/// Compressed and UTF-16 files are sampled after decoding, and their text size comes from the
/// size they record or their sample's ratio (see [`leakmatch_ingest::TextSample`]). Only
/// regular files are sampled: reading the start of a pipe (standard input, `<(zcat ...)`)
/// would take those bytes from the reader.
pub fn estimate_capacity(inputs: &[InputSource], kinds: KindSelection) -> (u64, Option<String>) {
    const SAMPLE: usize = 1 << 20;
    const UNKNOWN: u64 = 50_000_000;
    let per_record = kinds.kinds().len().max(1) as u64;
    let mut total = 0u64;
    let mut note = None;
    for input in inputs {
        // A table's footer counts its rows.
        if let Some(rows) = match input {
            InputSource::Path(path) => table_rows(path),
            InputSource::Stdin => None,
        } {
            total += rows.saturating_mul(per_record);
            continue;
        }
        let sample = match input {
            InputSource::Path(path) => sample_text(path, SAMPLE),
            InputSource::Stdin => Ok(None),
        };
        let sample = match sample {
            Ok(Some(s)) => s,
            Ok(None) => {
                note = Some(format!(
                    "cannot size the filter ahead of reading a pipe or standard input: assumed \
                     {UNKNOWN} tokens; pass --capacity N to size it exactly"
                ));
                total += UNKNOWN;
                continue;
            }
            // Unreadable: reading it will fail with the real error; size for nothing here.
            Err(_) => continue,
        };
        let density = if sample.text.is_empty() {
            0.0
        } else {
            sampled_records(&sample.text).max(1) as f64 / sample.text.len() as f64
        };
        total += (sample.expected_text_bytes() as f64 * density * per_record as f64) as u64;
    }
    (total.saturating_add(total / 20).max(1024), note)
}

/// Records in a sample from the start of an input: SQL tuples, JSON lines, or CSV records
/// (newlines outside quotes: addresses often hold quoted newlines, and counting those would
/// size the filter for records that do not exist).
fn sampled_records(sample: &[u8]) -> usize {
    let lines = || memchr::memchr_iter(b'\n', sample).count();
    if memchr::memmem::find(sample, b"INSERT INTO").is_some() {
        sql_tuples(sample)
    } else if sample.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        lines()
    } else {
        let mut odd = false;
        let mut records = 0;
        for pos in memchr::memchr2_iter(b'"', b'\n', sample) {
            if sample[pos] == b'"' {
                odd = !odd;
            } else if !odd {
                records += 1;
            }
        }
        records
    }
}

/// SQL tuples in a sample: one after each `VALUES`, one after each `)` `,` `(` with any
/// whitespace between (mysqldump writes `),(`, phpMyAdmin `),` and a newline).
fn sql_tuples(sample: &[u8]) -> usize {
    let skip_ws = |s: &[u8], i: usize| {
        i + s[i..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(s.len() - i)
    };
    let continued = memchr::memchr_iter(b')', sample)
        .filter(|&at| {
            let i = skip_ws(sample, at + 1);
            sample.get(i) == Some(&b',') && sample.get(skip_ws(sample, i + 1)) == Some(&b'(')
        })
        .count();
    continued + memchr::memmem::find_iter(sample, b"VALUES").count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_records_skip_quoted_newlines() {
        assert_eq!(sampled_records(b"a,b\n1,\"x\ny\"\n2,\"\"\"q\"\n"), 3);
        assert_eq!(sampled_records(b"{\"m\":\"a\\\"\"}\n{}\n"), 2);
        assert_eq!(
            sampled_records(b"INSERT INTO `t` VALUES (1,'a'),(2,'b\\n');\n"),
            2
        );
        assert_eq!(
            sampled_records(
                b"INSERT INTO `t` (`a`, `b`) VALUES\n(1, 'a'),\n(2, 'b'),\n (3, 'c');\n"
            ),
            3
        );
    }

    #[test]
    fn compressed_dumps_are_sized_like_their_text() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("d.csv");
        let opts = leakmatch_ingest::GenOptions {
            rows: 60_000,
            seed: 4,
            ..Default::default()
        };
        let mut text = Vec::new();
        leakmatch_ingest::generate(&opts, &mut text, None).unwrap();
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("d.csv.gz");
        let mut w = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        w.write_all(&text).unwrap();
        std::fs::write(&gz, w.finish().unwrap()).unwrap();
        let zst = dir.path().join("d.csv.zst");
        std::fs::write(&zst, zstd::bulk::compress(&text, 3).unwrap()).unwrap();

        let sel = KindSelection::default();
        let (want, note) = estimate_capacity(&[InputSource::Path(plain)], sel);
        assert!(note.is_none());
        assert!(want >= 3 * 60_000, "{want}");
        for path in [gz, zst] {
            let (got, note) = estimate_capacity(&[InputSource::Path(path.clone())], sel);
            assert!(note.is_none());
            assert_eq!(got, want, "{path:?}");
        }
    }
}
