//! Seeded synthetic dumps and subscriber bases with exact ground truth.
//!
//! [`generate`] streams a realistic messy dump (every written form of MSISDNs and CNICs,
//! duplicates, junk, quoted multi-line addresses, decoy IMSIs and dates) and optionally an
//! operator's subscriber base that overlaps it, and returns a [`Truth`] computed by
//! construction: the generator knows which canonical identifier each string stands for and why
//! each junk string must be rejected. It never calls the normalizer, so the truth can check it.
//!
//! One seed gives the same people, identifiers and junk in every [`DumpFormat`]: the sets of
//! distinct identifiers are identical across formats. Text (scan mode) differs only in that it
//! leaves junk identifiers out (its rejection counts are zero).
//!
//! All data is synthetic: names and cities come from short lists of common names, numbers are
//! random.

mod base;
mod columns;
#[cfg(test)]
mod format_tests;
mod formats;
mod parquet;
mod people;
mod render;
mod row;
mod source;
mod sql;
#[cfg(test)]
mod tests;
mod text;
mod truth;

use std::io::{BufWriter, Write};
use std::str::FromStr;

use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

use row::Rates;
use source::RowSource;
pub use truth::{OverlapTruth, SetTruth, Truth};

/// Output shape of a generated dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DumpFormat {
    /// Comma-separated with a header row, RFC 4180 quoting.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
    /// Semicolon-separated with a header row.
    Semicolon,
    /// Pipe-separated with a header row.
    Pipe,
    /// One JSON object per line.
    Jsonl,
    /// mysqldump output with extended `INSERT` statements.
    Sql,
    /// phpMyAdmin-style SQL: `INSERT INTO t (cols) VALUES` and then one tuple per line.
    Phpmyadmin,
    /// Headerless free-text lines, for scan mode.
    Text,
    /// A Parquet file of the CSV dump's columns and cells (see `synth::parquet`). Not in
    /// [`DumpFormat::ALL`], the text formats.
    Parquet,
}

impl DumpFormat {
    /// All text formats ([`DumpFormat::Parquet`] is the one binary format).
    pub const ALL: [DumpFormat; 8] = [
        DumpFormat::Csv,
        DumpFormat::Tsv,
        DumpFormat::Semicolon,
        DumpFormat::Pipe,
        DumpFormat::Jsonl,
        DumpFormat::Sql,
        DumpFormat::Phpmyadmin,
        DumpFormat::Text,
    ];
    /// Name accepted by [`FromStr`]: `csv`, `tsv`, `semicolon`, `pipe`, `jsonl`, `sql`,
    /// `phpmyadmin`, `text`, `parquet`.
    pub fn name(self) -> &'static str {
        match self {
            DumpFormat::Csv => "csv",
            DumpFormat::Tsv => "tsv",
            DumpFormat::Semicolon => "semicolon",
            DumpFormat::Pipe => "pipe",
            DumpFormat::Jsonl => "jsonl",
            DumpFormat::Sql => "sql",
            DumpFormat::Phpmyadmin => "phpmyadmin",
            DumpFormat::Text => "text",
            DumpFormat::Parquet => "parquet",
        }
    }
    /// Usual file extension (semicolon- and pipe-separated dumps circulate as `.csv`).
    pub fn extension(self) -> &'static str {
        match self {
            DumpFormat::Csv | DumpFormat::Semicolon | DumpFormat::Pipe => "csv",
            DumpFormat::Tsv => "tsv",
            DumpFormat::Jsonl => "jsonl",
            DumpFormat::Sql | DumpFormat::Phpmyadmin => "sql",
            DumpFormat::Text => "txt",
            DumpFormat::Parquet => "parquet",
        }
    }
}

impl DumpFormat {
    /// File name of this format's committed small fixture under `fixtures/`
    /// (`dump-small.csv`, `dump-small-pipe.csv`, …).
    pub fn fixture_name(self) -> String {
        match self {
            DumpFormat::Semicolon | DumpFormat::Pipe | DumpFormat::Phpmyadmin => {
                format!("dump-small-{}.{}", self.name(), self.extension())
            }
            _ => format!("dump-small.{}", self.extension()),
        }
    }
}

impl std::fmt::Display for DumpFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DumpFormat {
    type Err = GenError;
    fn from_str(s: &str) -> Result<Self, GenError> {
        DumpFormat::ALL
            .into_iter()
            .chain([DumpFormat::Parquet])
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| GenError::InvalidOptions(format!("unknown dump format {s:?}")))
    }
}

/// How dirty the identifier fields are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Messiness {
    /// Every identifier valid and canonical (`923001234567`, `3520212345671`); no junk.
    /// Duplicates and multi-SIM people remain.
    Clean,
    /// All written forms, junk of every reason, multi-line addresses (the default).
    #[default]
    Messy,
}

impl FromStr for Messiness {
    type Err = GenError;
    fn from_str(s: &str) -> Result<Self, GenError> {
        match s.to_ascii_lowercase().as_str() {
            "clean" => Ok(Messiness::Clean),
            "messy" => Ok(Messiness::Messy),
            _ => Err(GenError::InvalidOptions(format!("unknown messiness {s:?}"))),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenOptions {
    /// Dump rows (records; Text: lines).
    pub rows: u64,
    /// Seed: same options → byte-identical output on every platform.
    pub seed: u64,
    /// Dump format.
    pub format: DumpFormat,
    /// Rows of the subscriber base (always CSV); `None`: no base.
    pub subscriber_rows: Option<u64>,
    /// Fraction (0..=1) of base rows that are people of the dump (same MSISDN and CNIC).
    pub overlap: f64,
    /// Identifier dirtiness.
    pub messiness: Messiness,
    /// Write the header line of a CSV-like dump (CSV, TSV, semicolon, pipe); `false`: a
    /// headerless export, whose columns auto mode picks by content.
    pub header: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            rows: 10_000,
            seed: 0,
            format: DumpFormat::Csv,
            subscriber_rows: None,
            overlap: 0.3,
            messiness: Messiness::Messy,
            header: true,
        }
    }
}

impl GenOptions {
    /// Seed of the checked-in `fixtures/*-small.*`.
    pub const FIXTURE_SEED: u64 = 20_240_514;

    /// Options that produced `fixtures/dump-small.*` and `fixtures/base-small.csv`.
    pub fn small_fixture(format: DumpFormat) -> GenOptions {
        GenOptions {
            rows: 1_600,
            seed: Self::FIXTURE_SEED,
            format,
            subscriber_rows: Some(500),
            overlap: 0.3,
            messiness: Messiness::Messy,
            header: true,
        }
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// Writing an output failed.
    #[error("writing generated data: {0}")]
    Io(#[from] std::io::Error),
    /// The options are inconsistent.
    #[error("invalid generator options: {0}")]
    InvalidOptions(String),
}

/// Independent random streams of one seed.
const STREAM_DUMP: u64 = 0;
pub(crate) const STREAM_BASE: u64 = 1;
const STREAM_STYLE: u64 = 2;

pub(crate) fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

pub(crate) fn rates(m: Messiness, junk_scale: f64) -> Rates {
    match m {
        Messiness::Clean => Rates {
            clean: true,
            junk_scale: 0.0,
            dup: 0.06,
        },
        Messiness::Messy => Rates {
            clean: false,
            junk_scale,
            dup: 0.06,
        },
    }
}

/// Writes the dump (and the base, if `opts.subscriber_rows` is set) and returns their truth.
///
/// Streams: memory holds only the distinct identifiers (for the truth), never rendered rows.
/// Writers are buffered internally and flushed before returning.
pub fn generate(
    opts: &GenOptions,
    dump: &mut dyn Write,
    base: Option<&mut dyn Write>,
) -> Result<Truth, GenError> {
    if !(0.0..=1.0).contains(&opts.overlap) {
        return Err(GenError::InvalidOptions(
            "overlap must be within 0..=1".into(),
        ));
    }
    let base = match (opts.subscriber_rows, base) {
        (Some(n), Some(w)) => Some((n, w)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(GenError::InvalidOptions(
                "subscriber_rows set but no base writer".into(),
            ))
        }
        (None, Some(_)) => {
            return Err(GenError::InvalidOptions(
                "base writer given but no subscriber_rows".into(),
            ))
        }
    };

    let mut style_rng = rng(opts.seed, STREAM_STYLE);
    let style = formats::Style {
        header_case: style_rng.random_range(0..3),
        layout: style_rng.random_range(0..2),
        quote_all: style_rng.random_bool(0.25),
        crlf: style_rng.random_bool(0.3),
    };
    let mut source = RowSource::new(rng(opts.seed, STREAM_DUMP), rates(opts.messiness, 1.0));
    let mut acc = truth::Acc::new();
    if opts.format == DumpFormat::Parquet {
        let mut table = parquet::ParquetDump::new(dump, &style)?;
        for _ in 0..opts.rows {
            let row = source.next_row();
            table.row(&row)?;
            acc.observe(&row, true);
        }
        table.finish()?;
    } else {
        let mut w = BufWriter::with_capacity(1 << 16, dump);
        let delimited = matches!(
            opts.format,
            DumpFormat::Csv | DumpFormat::Tsv | DumpFormat::Semicolon | DumpFormat::Pipe
        );
        if opts.header || !delimited {
            formats::header(&mut w, opts.format, &style)?;
        }
        for i in 0..opts.rows {
            let row = source.next_row();
            formats::row(&mut w, opts.format, &style, &row, i)?;
            acc.observe(&row, opts.format != DumpFormat::Text);
        }
        formats::footer(&mut w, opts.format, opts.rows)?;
        w.flush()?;
    }
    let (dump_truth, dump_sets) = acc.finish();

    let Some((n, base_w)) = base else {
        return Ok(Truth {
            dump: dump_truth,
            base: None,
            overlap: None,
        });
    };
    let (base_truth, overlap) = base::generate(opts, n, base_w, &dump_sets)?;
    Ok(Truth {
        dump: dump_truth,
        base: Some(base_truth),
        overlap: Some(overlap),
    })
}
