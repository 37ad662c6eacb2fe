//! The first pass of the online pipelines: every distinct identifier an input's tokens will
//! need an OPRF output for, collected once.
//!
//! Budgets count evaluations and inputs repeat identifiers, so `publish` and `query` read
//! their inputs once to collect the distinct MSISDNs and CNICs (as integer keys, 8 bytes each:
//! [`msisdn_key`](crate::tokens), [`cnic_key`](crate::tokens)), evaluate each once, then read
//! the inputs again to make the tokens ([`crate::outputs`]). The identifiers collected are
//! exactly those the second pass looks up: an MSISDN when MSISDN tokens are made, or when pair
//! tokens are and its record forms pairs with at least one CNIC (and the same for a CNIC),
//! mirroring `TokenBatch::push_record`.
//!
//! Memory: each chunk's sink holds 8 bytes per identifier it read and deduplicates when its
//! chunk ends; the run then holds 8 bytes per distinct identifier per chunk that saw it, sorted
//! and deduplicated once at the end.

use leakmatch_ingest::{read_input, InputSource, Progress, ReadOptions, Record, RecordSink};
use rayon::slice::ParallelSliceMut;

use crate::tokens::{cnic_key, msisdn_key, KindSelection};
use crate::{DistinctSet, InputSummary, PipelineError};

/// Distinct identifiers to evaluate, as sorted integer keys.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Identifiers {
    /// MSISDN keys ([`msisdn_key`]), ascending, distinct.
    pub(crate) msisdn: Vec<u64>,
    /// CNIC keys ([`cnic_key`]), ascending, distinct.
    pub(crate) cnic: Vec<u64>,
}

impl Identifiers {
    /// Distinct identifiers over both kinds: the evaluations they cost.
    pub(crate) fn len(&self) -> u64 {
        (self.msisdn.len() + self.cnic.len()) as u64
    }
}

/// What the first pass read: the identifiers and each input's summary (which the second
/// pass must reproduce exactly, or the input changed between the passes).
pub(crate) struct Collected {
    pub(crate) identifiers: Identifiers,
    pub(crate) inputs: Vec<InputSummary>,
}

/// Reads every input once and collects the distinct identifiers that tokens of `sel` need.
/// Standard input and other non-regular files are refused before anything is read: they
/// cannot be read twice.
pub(crate) fn collect(
    inputs: &[InputSource],
    read: &ReadOptions,
    sel: KindSelection,
    progress: &dyn Progress,
) -> Result<Collected, crate::OnlineError> {
    for input in inputs {
        refuse_unless_file(input)?;
    }
    let mut msisdn = Vec::new();
    let mut cnic = Vec::new();
    let mut summaries = Vec::with_capacity(inputs.len());
    for input in inputs {
        let outcome = read_input(input, read, || CollectSink::new(sel), progress)
            .map_err(PipelineError::from)?;
        summaries.push(InputSummary::new(
            input.to_string(),
            format!("{:?}", outcome.format).to_lowercase(),
            &outcome.stats,
        ));
        for sink in outcome.sinks {
            msisdn.extend_from_slice(sink.msisdn.raw());
            cnic.extend_from_slice(sink.cnic.raw());
        }
    }
    let (msisdn, cnic) = rayon::join(|| distinct(msisdn), || distinct(cnic));
    Ok(Collected {
        identifiers: Identifiers { msisdn, cnic },
        inputs: summaries,
    })
}

fn distinct(mut keys: Vec<u64>) -> Vec<u64> {
    keys.par_sort_unstable();
    keys.dedup();
    keys.shrink_to_fit();
    keys
}

/// Refuses standard input and anything that is not a regular file (a pipe, `<(zcat ...)`):
/// the online pipelines read their inputs twice.
pub(crate) fn refuse_unless_file(input: &InputSource) -> Result<(), crate::OnlineError> {
    let refused = || crate::OnlineError::NotAFile {
        input: input.to_string(),
    };
    match input {
        InputSource::Stdin => Err(refused()),
        InputSource::Path(path) => match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => Err(refused()),
            // A missing or unreadable file fails when read, with the reader's own message.
            _ => Ok(()),
        },
    }
}

/// One chunk's identifiers, deduplicated when the chunk ends.
struct CollectSink {
    sel: KindSelection,
    msisdn: DistinctSet<u64>,
    cnic: DistinctSet<u64>,
}

impl CollectSink {
    fn new(sel: KindSelection) -> Self {
        CollectSink {
            sel,
            msisdn: DistinctSet::new(),
            cnic: DistinctSet::new(),
        }
    }
}

impl RecordSink for CollectSink {
    fn record(&mut self, record: &Record<'_>) {
        // As `TokenBatch::push_record`: pairs are every (msisdn, cnic) of a record that forms
        // them, so each side is needed only when the other side is there.
        let pairs = self.sel.pair && record.forms_pairs();
        if self.sel.msisdn || (pairs && !record.cnics.is_empty()) {
            for m in record.msisdns {
                self.msisdn.push(msisdn_key(m));
            }
        }
        if self.sel.cnic || (pairs && !record.msisdns.is_empty()) {
            for c in record.cnics {
                self.cnic.push(cnic_key(c));
            }
        }
    }

    fn finish(&mut self) {
        self.msisdn.finish_on_this_thread();
        self.cnic.finish_on_this_thread();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use leakmatch_ingest::NoProgress;

    #[test]
    fn collects_what_the_tokens_need_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(
            &p,
            "msisdn,cnic\n03001234567,35202-1234567-1\n923001234567,\n,4210112345671\n03211112222,\n",
        )
        .unwrap();
        let inputs = [InputSource::Path(p)];
        let read = ReadOptions::default();
        let all = collect(&inputs, &read, KindSelection::default(), &NoProgress).unwrap();
        assert_eq!(all.identifiers.msisdn, vec![3_001_234_567, 3_211_112_222]);
        assert_eq!(all.identifiers.cnic.len(), 2);
        assert_eq!(all.identifiers.len(), 4);
        // Pairs only: only the identifiers of records with both.
        let pairs: KindSelection = "pair".parse().unwrap();
        let some = collect(&inputs, &read, pairs, &NoProgress).unwrap();
        assert_eq!(some.identifiers.msisdn, vec![3_001_234_567]);
        assert_eq!(some.identifiers.cnic, vec![3_520_212_345_671]);
        assert_eq!(some.inputs, all.inputs);
    }

    #[test]
    fn pipes_and_stdin_are_refused() {
        let read = ReadOptions::default();
        let sel = KindSelection::default();
        let err = collect(&[InputSource::Stdin], &read, sel, &NoProgress)
            .err()
            .unwrap();
        assert!(err.to_string().contains("<stdin>"), "{err}");
        assert!(err.to_string().contains("twice"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = collect(
            &[InputSource::Path(dir.path().to_path_buf())],
            &read,
            sel,
            &NoProgress,
        )
        .err()
        .unwrap();
        assert!(matches!(err, crate::OnlineError::NotAFile { .. }), "{err}");
    }
}
