//! Command-line arguments (clap derive). Every subcommand's `--help` ends with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  runtime or input error (unreadable input, bad data or warnings with --strict, I/O failure)
  2  usage error (bad flags or arguments)
  3  key mismatch, or a corrupt, truncated, forged or incompatible filter; online: a filter
     not of the server's current epoch, or a server answer that does not verify
  4  query: the base needs more evaluations than the credential's budget has left
  130/143  interrupted (Ctrl-C / SIGTERM)
  135  a memory-mapped file was truncated while in use: rerun with --no-mmap";

/// Privacy-preserving matching of leaked telecom subscriber data.
///
/// A dump holder builds a keyed Bloom filter of the identifiers in a dump; an operator holding
/// the same key tests its own subscriber base against the filter and gets counts. Neither
/// side's raw identifiers travel.
#[derive(Debug, Parser)]
#[command(name = "leakmatch", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Print only data and errors (no summary on stderr, no progress).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Hide progress bars (they are hidden anyway when stderr is not a terminal).
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Say more on stderr: skipped records with line and byte offset, timings.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a new secret key (mode 0600) and print its public key id.
    #[command(after_help = "Example:\n  leakmatch keygen -o leak.key")]
    Keygen {
        /// Where to write the key; an existing file is never overwritten.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Build a keyed filter from one or more dumps.
    #[command(
        after_help = "Examples:\n  leakmatch build -k leak.key -o jazz-2022.lmf --fpr 1e-6 dump.csv dump2.sql.gz\n  leakmatch build -k own.key -o all-kinds.lmf --kinds msisdn,cnic,pair dump.csv   (only for a key you keep)"
    )]
    Build(BuildArgs),
    /// Test a subscriber base against a filter and report counts.
    #[command(
        name = "match",
        after_help = "Example:\n  leakmatch match -k leak.key -f jazz-2022.lmf --json --matches-out notify.csv subscribers.csv"
    )]
    Match(MatchArgs),
    /// Describe a filter: header, fill, estimated distinct tokens, enumeration cost per kind.
    #[command(after_help = "Example:\n  leakmatch inspect -k leak.key --json jazz-2022.lmf")]
    Inspect {
        /// Print one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Key file to authenticate the filter with (its MAC); without it, only the filter's
        /// integrity is checked and the output says it is not authenticated.
        #[arg(short, long)]
        key: Option<PathBuf>,
        /// Accept a key file readable by group or others.
        #[arg(long)]
        allow_insecure_key: bool,
        /// Read the filter instead of memory-mapping it: for a filter that may be overwritten
        /// or vanish while read (a network disk).
        #[arg(long)]
        no_mmap: bool,
        /// The filter.
        filter: PathBuf,
    },
    /// Union of filters built with the same key and parameters.
    #[command(
        after_help = "Example:\n  leakmatch merge -k leak.key -o all.lmf part1.lmf part2.lmf"
    )]
    Merge {
        /// Secret key file the filters were built with (checks their MACs, signs the result).
        #[arg(short, long)]
        key: PathBuf,
        /// Accept a key file readable by group or others.
        #[arg(long)]
        allow_insecure_key: bool,
        /// Where to write the merged filter.
        #[arg(short, long)]
        output: PathBuf,
        /// Read the filters instead of memory-mapping them (see `inspect --no-mmap`).
        #[arg(long)]
        no_mmap: bool,
        /// Filters to merge (at least two).
        #[arg(required = true, num_args = 2..)]
        filters: Vec<PathBuf>,
    },
    /// Size a breach: distinct people, operators, provinces, SIMs per CNIC, overlap of dumps.
    #[command(
        after_help = "Examples:\n  leakmatch size --html report.html dump.csv\n  leakmatch size --json --overlap old-dump.sql new-dump.csv.gz"
    )]
    Size(SizeArgs),
    /// Write a synthetic, realistically messy dump (and optionally a subscriber base) with its truth.
    #[command(
        after_help = "Example:\n  leakmatch gen --rows 1000000 --seed 7 -o dump.csv --subscribers base.csv --overlap 0.3"
    )]
    Gen(GenArgs),
    /// The online OPRF service: state, clients and budgets, key epochs, the HTTP server.
    #[command(
        after_help = "Example:\n  leakmatch server init /srv/leakmatch && leakmatch server run /srv/leakmatch --listen 127.0.0.1:8470"
    )]
    Server(crate::commands::server::args::ServerArgs),
    /// The whole job on built-in synthetic data, explained step by step.
    #[command(after_help = "Example:\n  leakmatch demo")]
    Demo {
        /// Rows in the demo dump.
        #[arg(long, default_value_t = 200_000)]
        rows: u64,
        /// Keep the demo files in this directory instead of a temporary one.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Print a shell completion script on stdout.
    #[command(
        after_help = "Examples:\n  leakmatch completions bash > ~/.local/share/bash-completion/completions/leakmatch\n  leakmatch completions zsh > ~/.zfunc/_leakmatch"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout.
    #[command(after_help = "Example:\n  leakmatch man > leakmatch.1 && man ./leakmatch.1")]
    Man,
}

/// How inputs are read (shared by build and match).
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Input format (auto: by extension and first bytes; Parquet and Arrow IPC files by their
    /// `.parquet`/`.arrow`/`.feather` name or magic bytes).
    #[arg(long, default_value = "auto", value_parser = ["auto", "csv", "jsonl", "sql", "scan", "parquet", "arrow"])]
    pub format: String,
    /// MSISDN column by header name or 1-based index (repeatable; default: from header names).
    #[arg(long = "msisdn-col", value_name = "C")]
    pub msisdn_cols: Vec<String>,
    /// CNIC column by header name or 1-based index (repeatable; default: from header names).
    #[arg(long = "cnic-col", value_name = "C")]
    pub cnic_cols: Vec<String>,
    /// Read with buffered I/O instead of memory-mapping regular files (the inputs, and the
    /// filter for match): for files that may change or vanish while read, e.g. on a network
    /// disk.
    #[arg(long)]
    pub no_mmap: bool,
    /// Exit with status 1 if any record had to be skipped or anything was warned about (a
    /// truncated input read with --allow-truncated, an unterminated quote, no identifier
    /// column, a filter over its capacity).
    #[arg(long)]
    pub strict: bool,
    /// Use the records before the damage in a truncated or corrupt .gz/.zst (a partial
    /// download), with a warning saying where it stopped, instead of failing.
    #[arg(long)]
    pub allow_truncated: bool,
    /// Inputs: files (.gz and .zst are decompressed), or - for standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Secret key file.
    #[arg(short, long)]
    pub key: PathBuf,
    /// Where to write the filter.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Target false-positive rate.
    #[arg(long, default_value_t = 1e-6)]
    pub fpr: f64,
    /// Expected number of tokens (default: estimated from each input's size and its first MiB
    /// of text; a `.gz`/`.zst` by the size it records or its compression ratio; standard input
    /// and pipes cannot be sampled, so 50M tokens are assumed each).
    #[arg(long, value_name = "N")]
    pub capacity: Option<u64>,
    /// Token kinds to insert: `pair` (the default) makes a token only where a record has both
    /// identifiers, which a key holder can test only for people whose number and CNIC it
    /// already knows. Adding `msisdn` or `cnic` lets anyone holding the key recover every such
    /// identifier in the filter by enumeration (`build` says what it costs).
    #[arg(long, default_value = "pair")]
    pub kinds: String,
    /// Accept a key file readable by group or others.
    #[arg(long)]
    pub allow_insecure_key: bool,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Secret key file (the one the filter was built with).
    #[arg(short, long)]
    pub key: PathBuf,
    /// The filter.
    #[arg(short, long)]
    pub filter: PathBuf,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Write your own matched input rows here, each marked with the kinds that matched.
    #[arg(long, value_name = "FILE")]
    pub matches_out: Option<PathBuf>,
    /// Accept a key file readable by group or others.
    #[arg(long)]
    pub allow_insecure_key: bool,
    /// Memory for exact distinct counts (8 bytes per identifier tested, 16 per pair and per
    /// match; the default fits ~4M base rows); past it, HyperLogLog estimates (±0.81%),
    /// labelled as such. E.g. 4G, 512M.
    #[arg(long, default_value = "128M", value_name = "SIZE")]
    pub memory: String,
    /// Match even if the filter's false-positive rate implied by its fill is more than 10x its
    /// target (refused otherwise: an overfilled, damaged or forged filter); every estimate
    /// then says it is unreliable.
    #[arg(long)]
    pub accept_high_fpr: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct GenArgs {
    /// Rows in the dump.
    #[arg(long)]
    pub rows: u64,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Dump format.
    #[arg(long, default_value = "csv", value_parser = ["csv", "tsv", "semicolon", "pipe", "jsonl", "sql", "phpmyadmin", "text", "parquet"])]
    pub format: String,
    /// Where to write the dump (the truth goes to FILE.truth.json unless --truth is given).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write a subscriber base (CSV) here.
    #[arg(long, value_name = "FILE")]
    pub subscribers: Option<PathBuf>,
    /// Rows in the subscriber base (default: rows / 4).
    #[arg(long, value_name = "N")]
    pub subscriber_rows: Option<u64>,
    /// Fraction of the base's people that appear in the dump.
    #[arg(long, default_value_t = 0.3)]
    pub overlap: f64,
    /// Where to write the truth JSON.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Leave out the header line of a csv, tsv, semicolon or pipe dump (a headerless export).
    #[arg(long)]
    pub no_header: bool,
}

#[derive(Debug, Args)]
pub struct SizeArgs {
    /// Print the report as one JSON object on stdout (schema leakmatch.size.v1).
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report with charts here (no scripts, works offline).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Memory for exact counting (8 bytes per identifier, 16 per pair); past it, HyperLogLog
    /// estimates (±0.81%), labelled as such. E.g. 4G, 512M.
    #[arg(long, default_value = "4G", value_name = "SIZE")]
    pub memory: String,
    /// Per-person SIM limit: CNICs with more distinct MSISDNs are counted (SIM-fraud signal).
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub sim_limit: u32,
    /// Compare the inputs pairwise: identifiers in common, % of each, Jaccard (needs 2+ inputs).
    #[arg(long)]
    pub overlap: bool,
    #[command(flatten)]
    pub input: InputArgs,
}
