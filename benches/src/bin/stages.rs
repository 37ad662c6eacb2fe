//! How far each stage of `build` and `match` alone is from the end-to-end targets.
//!
//! `stages DUMP BASE` times, on the global rayon pool (`RAYON_NUM_THREADS` sets its size), each
//! stage of the two pipelines on its own, with the crates' own code, warm page cache:
//!
//! - ingest: `read_input` with a sink that only counts identifiers (as the ingest bench);
//! - hash: encoding and `TokenHasher::hash_many` in batches of 1024, over the tokens the
//!   pipelines make (pairs included), collected beforehand;
//! - insert / look up: the same plus `Inserter` (one per chunk) / `BlockedBloom::contains_many` into a
//!   filter sized as `build` sizes it, less the hash stage's time.
//!
//! On a machine whose cores are all busy in every stage, the stages' wall times add up: their
//! sum is a floor for the whole command, which the script prints beside the identifiers per
//! second it allows. Failures are a message and exit status 1.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use leakmatch_hashing::{
    encode_into, BlockedBloom, BloomParams, Encoded, Key, Token, TokenHasher, TokenKind,
};
use leakmatch_ingest::{
    read_input, Cnic, InputSource, Msisdn, NoProgress, ReadOptions, Record, RecordSink,
};
use leakmatch_match::{estimate_capacity, KindSelection};
use rayon::prelude::*;

/// Counts valid identifiers (MSISDN + CNIC fields), nothing else.
#[derive(Default)]
struct Count(u64);

impl RecordSink for Count {
    fn record(&mut self, r: &Record<'_>) {
        self.0 += (r.msisdns.len() + r.cnics.len()) as u64;
    }
}

/// One token a pipeline makes, before encoding.
#[derive(Clone, Copy)]
enum Tok {
    M(Msisdn),
    C(Cnic),
    P(Msisdn, Cnic),
}

impl Tok {
    /// Encodes in place, as `TokenBatch` does.
    fn encode(&self, out: &mut Encoded) {
        match self {
            Tok::M(m) => encode_into(out, TokenKind::Msisdn, m.as_bytes(), &[]),
            Tok::C(c) => encode_into(out, TokenKind::Cnic, c.as_bytes(), &[]),
            Tok::P(m, c) => encode_into(out, TokenKind::Pair, m.as_bytes(), c.as_bytes()),
        }
    }
}

/// Every token a pipeline makes (all three kinds), in the order `TokenBatch` queues them.
#[derive(Default)]
struct Collect(Vec<Tok>);

impl RecordSink for Collect {
    fn record(&mut self, r: &Record<'_>) {
        self.0.extend(r.msisdns.iter().map(|m| Tok::M(*m)));
        self.0.extend(r.cnics.iter().map(|c| Tok::C(*c)));
        for m in r.msisdns {
            self.0.extend(r.cnics.iter().map(|c| Tok::P(*m, *c)));
        }
    }
}

const BATCH: usize = 1024;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dump, base] = args.as_slice() else {
        eprintln!("usage: stages DUMP BASE   (RAYON_NUM_THREADS sets the threads)");
        return ExitCode::from(2);
    };
    match run(PathBuf::from(dump), PathBuf::from(base)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stages: {e}");
            ExitCode::from(1)
        }
    }
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Wall seconds of ingest alone, and the identifiers it found.
fn ingest(src: &InputSource, read: &ReadOptions) -> Result<(f64, u64), String> {
    let t = Instant::now();
    let out = read_input(src, read, Count::default, &NoProgress).map_err(|e| e.to_string())?;
    Ok((secs(t), out.sinks.iter().map(|s| s.0).sum()))
}

fn tokens(src: &InputSource, read: &ReadOptions) -> Result<Vec<Vec<Tok>>, String> {
    let out = read_input(src, read, Collect::default, &NoProgress).map_err(|e| e.to_string())?;
    Ok(out.sinks.into_iter().map(|s| s.0).collect())
}

/// Encodes and hashes every token in batches, as the pipelines do, then hands each batch of
/// tokens to `then`, with a state `init` makes per chunk (as a pipeline's sink holds one);
/// returns the wall seconds.
fn hash_then<S>(
    hasher: &TokenHasher,
    chunks: &[Vec<Tok>],
    init: impl Fn() -> S + Sync,
    then: impl Fn(&mut S, &[Token]) -> u64 + Sync,
) -> (f64, u64) {
    let t = Instant::now();
    let n = chunks
        .par_iter()
        .map(|c| {
            let mut state = init();
            let mut enc = vec![Encoded([0; 64]); BATCH];
            let mut out = vec![Token([0; 32]); BATCH];
            let mut n = 0;
            for batch in c.chunks(BATCH) {
                let enc = &mut enc[..batch.len()];
                batch
                    .iter()
                    .zip(enc.iter_mut())
                    .for_each(|(t, e)| t.encode(e));
                let out = &mut out[..batch.len()];
                hasher.hash_many(enc, out);
                n += then(&mut state, out);
            }
            n
        })
        .sum();
    (secs(t), n)
}

fn run(dump: PathBuf, base: PathBuf) -> Result<(), String> {
    let read = ReadOptions::default();
    let (dump, base) = (InputSource::Path(dump), InputSource::Path(base));
    let key = Key::from_bytes([7; 32]);
    let hasher = TokenHasher::new(&key);
    let threads = rayon::current_num_threads();

    // Warm the page cache and the allocator once.
    ingest(&dump, &read)?;
    ingest(&base, &read)?;

    let (capacity, _) = estimate_capacity(std::slice::from_ref(&dump), KindSelection::default());
    let bloom =
        BlockedBloom::new(BloomParams::for_capacity(capacity, 1e-6)).map_err(|e| e.to_string())?;

    let (d_ingest, d_ids) = ingest(&dump, &read)?;
    let d_chunks = tokens(&dump, &read)?;
    let d_tokens: usize = d_chunks.iter().map(Vec::len).sum();
    let (d_hash, _) = hash_then(&hasher, &d_chunks, || (), |_, t| u64::from(t[0].0[0]));
    let (d_hash_insert, _) = hash_then(
        &hasher,
        &d_chunks,
        || bloom.inserter(),
        |inserter, t| {
            inserter.extend(t);
            0
        },
    );
    let d_insert = d_hash_insert - d_hash;
    drop(d_chunks);

    let (b_ingest, b_ids) = ingest(&base, &read)?;
    let b_chunks = tokens(&base, &read)?;
    let b_tokens: usize = b_chunks.iter().map(Vec::len).sum();
    let (b_hash, _) = hash_then(&hasher, &b_chunks, || (), |_, t| u64::from(t[0].0[0]));
    let (b_hash_lookup, hits) = hash_then(
        &hasher,
        &b_chunks,
        || (),
        |_, t| {
            let mut out = [false; BATCH];
            bloom.contains_many(t, &mut out[..t.len()]);
            out.iter().filter(|h| **h).count() as u64
        },
    );
    let b_lookup = b_hash_lookup - b_hash;

    let rate = |ids: u64, s: f64| ids as f64 / s / 1e6;
    println!(
        "threads {threads}, filter {} MiB",
        bloom.params().bytes() >> 20
    );
    println!(
        "build: {d_ids} identifiers, {d_tokens} tokens ({:.2} per identifier)",
        d_tokens as f64 / d_ids as f64
    );
    let d_sum = d_ingest + d_hash + d_insert;
    for (stage, s) in [
        ("ingest", d_ingest),
        ("hash", d_hash),
        ("insert", d_insert),
        ("sum", d_sum),
    ] {
        println!("  {stage:<8} {s:.3} s  ({:.1}M ids/s)", rate(d_ids, s));
    }
    println!("  target 22M ids/s = {:.3} s", d_ids as f64 / 22e6);
    println!(
        "match: {b_ids} identifiers, {b_tokens} tokens ({:.2} per identifier), {hits} hits",
        b_tokens as f64 / b_ids as f64
    );
    let b_sum = b_ingest + b_hash + b_lookup;
    for (stage, s) in [
        ("ingest", b_ingest),
        ("hash", b_hash),
        ("look up", b_lookup),
        ("sum", b_sum),
    ] {
        println!("  {stage:<8} {s:.3} s  ({:.1}M ids/s)", rate(b_ids, s));
    }
    println!("  target 30M ids/s = {:.3} s", b_ids as f64 / 30e6);
    Ok(())
}
