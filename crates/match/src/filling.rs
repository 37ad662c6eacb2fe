//! [`FilterBuilder`]: one filter being filled from records, wherever they come from.
//!
//! [`build`](crate::build) hands one [`FilterSink`] to each chunk of each input; bindings (the
//! Python package) hand it records they normalized from in-memory columns. Each sink queues
//! its records' tokens, hashes them [`BATCH`] at a time and queues them in its [`Inserter`]
//! for the one shared filter (region locks, plain stores); finishing the chunk inserts what is
//! still queued. OR commutes, so the filter's bytes do not depend on thread count, chunk order
//! or where the records came from: the same records and options give the same bytes.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use leakmatch_hashing::{
    BlockedBloom, BloomParams, FillStats, Filter, FilterAuth, FilterHeader, Inserter, Key,
    KindCounts, TokenHasher, TokenKind,
};
use leakmatch_ingest::{Record, RecordSink, NORMALIZATION_VERSION};

use crate::outputs::OnlineTokens;
use crate::tokens::{KindSelection, TokenBatch, Tokenizer, BATCH};
use crate::{BuildOptions, PipelineError};

/// Where a builder's tokens come from: the tokenizer seam between `build` and `publish`.
enum Tokens {
    /// Keyed hashes under the shared key (`build`, the Python package).
    Keyed(TokenHasher),
    /// Online tokens from OPRF outputs (`publish`).
    Online(OnlineTokens),
}

/// A filter being filled from records: the one [`build`](crate::build) fills, open to
/// records from anywhere (in-memory columns). OR commutes, so the same records and options give
/// the same bytes whatever their order or the thread count.
pub struct FilterBuilder {
    bloom: BlockedBloom,
    tokens: Tokens,
    auth: FilterAuth,
    kinds: KindSelection,
    capacity: u64,
    counts: [AtomicU64; 3],
    target_fpr: f64,
    fpr_probes: u64,
}

/// A finished filter, with how full it is and what the user should know about that.
#[derive(Debug)]
pub struct Filled {
    /// The filter, ready to save.
    pub filter: Filter,
    /// How full the filter is.
    pub fill: FillStats,
    /// Capacity exceeded or false-positive rate above target.
    pub warnings: Vec<String>,
}

impl FilterBuilder {
    /// An empty filter sized for `capacity` tokens at `opts.target_fpr`, keyed with `key`.
    /// Uses `opts.kinds`, `fpr_probes` and `output`;
    /// ignores `opts.capacity`.
    pub fn new(key: &Key, capacity: u64, opts: &BuildOptions) -> Result<Self, PipelineError> {
        let auth = FilterAuth::SharedKey { key_id: key.id() };
        Self::with_tokens(Tokens::Keyed(TokenHasher::new(key)), auth, capacity, opts)
    }

    /// An empty online filter of `auth` (epoch and public key) whose tokens come from the
    /// OPRF outputs in `table`; sized and filled as [`FilterBuilder::new`].
    pub(crate) fn new_online(
        auth: FilterAuth,
        table: OnlineTokens,
        capacity: u64,
        opts: &BuildOptions,
    ) -> Result<Self, PipelineError> {
        Self::with_tokens(Tokens::Online(table), auth, capacity, opts)
    }

    fn with_tokens(
        tokens: Tokens,
        auth: FilterAuth,
        capacity: u64,
        opts: &BuildOptions,
    ) -> Result<Self, PipelineError> {
        crate::policy::check_fpr(opts.target_fpr)?;
        let capacity = capacity.max(1);
        let params = BloomParams::for_capacity(capacity, opts.target_fpr);
        let bloom = match &opts.output {
            Some(path) => BlockedBloom::new_for_file(params, path)?,
            None => BlockedBloom::new(params)?,
        };
        Ok(FilterBuilder {
            bloom,
            tokens,
            auth,
            kinds: opts.kinds,
            capacity,
            counts: Default::default(),
            target_fpr: opts.target_fpr,
            fpr_probes: opts.fpr_probes,
        })
    }

    /// A sink for one chunk of records, on any thread. Its tokens are all in the filter once
    /// [`RecordSink::finish`] has run.
    pub fn sink(&self) -> FilterSink<'_> {
        let tokenizer = self.tokenizer();
        FilterSink {
            inserter: self.bloom.inserter(),
            builder: self,
            batch: TokenBatch::for_tokenizer(&tokenizer, false),
            tokenizer,
            counts: KindCounts::default(),
        }
    }

    fn tokenizer(&self) -> Tokenizer<'_> {
        match &self.tokens {
            Tokens::Keyed(hasher) => Tokenizer::Keyed(hasher),
            Tokens::Online(table) => Tokenizer::Online(table),
        }
    }

    /// Lookups of identifiers the online table has no output for (an input changed after
    /// the first pass); 0 for a keyed builder.
    pub(crate) fn missing_outputs(&self) -> u64 {
        match &self.tokens {
            Tokens::Keyed(_) => 0,
            Tokens::Online(table) => table.missing(),
        }
    }

    /// Tokens inserted so far (by finished sinks), per kind.
    pub fn counts(&self) -> KindCounts {
        let [msisdn, cnic, pair] = self.counts.each_ref().map(|c| c.load(Relaxed));
        KindCounts { msisdn, cnic, pair }
    }

    /// The capacity the filter was sized for.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Adds the tokens of `other` (same key, kinds and sizing): the result is the filter of
    /// both builders' records.
    pub fn merge(&mut self, other: &FilterBuilder) -> Result<(), PipelineError> {
        if other.auth != self.auth {
            return Err(PipelineError::Options(format!(
                "cannot merge a filter of {} into one of {}",
                other.auth, self.auth
            )));
        }
        if other.kinds != self.kinds || other.target_fpr != self.target_fpr {
            return Err(PipelineError::Options(
                "cannot merge filters built for other kinds or another target FPR".into(),
            ));
        }
        self.bloom.union_with(&other.bloom)?;
        for (mine, theirs) in self.counts.iter().zip(&other.counts) {
            mine.fetch_add(theirs.load(Relaxed), Relaxed);
        }
        Ok(())
    }

    /// Writes the header, measures the false-positive rate and says what went wrong with the
    /// sizing, if anything.
    pub fn finish(self) -> Filled {
        let mut warnings = Vec::new();
        let counts = self.counts();
        let fill = self.bloom.fill_stats();
        let distinct = fill.estimated_distinct;
        if distinct > self.capacity as f64 * 1.05 {
            warnings.push(format!(
                "the filter holds about {distinct:.0} distinct tokens but was sized for {}: its \
                 false-positive rate is above target; rebuild with --capacity {}",
                self.capacity,
                (distinct * 1.2) as u64
            ));
        }
        let implied = fill.implied_fpr;
        if implied > self.target_fpr * crate::MAX_FPR_RATIO {
            warnings.push(format!(
                "achieved false-positive rate {implied:.3e} is more than {}x the target {:.3e}: \
                 `match` refuses this filter unless given --accept-high-fpr",
                crate::MAX_FPR_RATIO,
                self.target_fpr
            ));
        } else if implied > self.target_fpr * 1.1 {
            warnings.push(format!(
                "achieved false-positive rate {implied:.3e} is above the target {:.3e}",
                self.target_fpr
            ));
        }
        let mut header = FilterHeader::with_auth(
            self.auth,
            NORMALIZATION_VERSION,
            self.bloom.params(),
            self.target_fpr,
        );
        header.kinds = self.kinds.kinds().into_iter().collect();
        header.counts = counts;
        let mut filter = Filter {
            header,
            bloom: self.bloom,
        };
        // Seeded from the content, as `Filter::merge` does: merge(build(A), build(B)) == build(A, B).
        filter.header.measured_fpr = filter.measure_fpr(self.fpr_probes);
        Filled {
            filter,
            fill,
            warnings,
        }
    }
}

/// Queues one chunk's tokens and inserts them in batches; see [`FilterBuilder::sink`].
pub struct FilterSink<'a> {
    inserter: Inserter<'a>,
    builder: &'a FilterBuilder,
    batch: TokenBatch,
    tokenizer: Tokenizer<'a>,
    counts: KindCounts,
}

impl FilterSink<'_> {
    fn flush(&mut self) {
        if self.batch.len() == 0 {
            return;
        }
        let (kinds, tokens, _) = self.batch.tokenize(&self.tokenizer);
        for k in kinds {
            self.counts.add(*k, 1);
        }
        self.inserter.extend(tokens);
        self.batch.clear();
    }
}

impl RecordSink for FilterSink<'_> {
    fn record(&mut self, record: &Record<'_>) {
        self.batch.push_record(
            self.builder.kinds,
            record.msisdns,
            record.cnics,
            record.forms_pairs(),
        );
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn finish(&mut self) {
        self.flush();
        self.inserter.flush();
        self.batch.release();
        let counts = std::mem::take(&mut self.counts);
        for (total, kind) in self.builder.counts.iter().zip(TokenKind::ALL) {
            total.fetch_add(counts.get(kind), Relaxed);
        }
    }
}
