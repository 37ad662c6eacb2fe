//! The naive Rust baseline of `scripts/bench.sh`: what a first implementation typically looks
//! like. One thread; the `csv` crate (one reused `ByteRecord`, so not a straw man); the same
//! exact normalizers as leakmatch (`Msisdn::parse`, `Cnic::parse`, so the answers agree);
//! scalar `blake3::keyed_hash` of `kind byte ‖ canonical digits`; the `bloomfilter` crate
//! (SipHash, standard Bloom filter) sized for the same capacity and target FPR as leakmatch.
//!
//! ```text
//! naive build --capacity N --fpr F -o FILTER DUMP.csv   # JSON summary on stdout
//! naive match -f FILTER BASE.csv                        # distinct matches per kind on stdout
//! ```
//!
//! The key is a fixed constant: this binary measures cost, it protects nothing. Bad arguments
//! or input end it with a message and exit status 1, never a panic.

use std::collections::HashSet;
use std::process::ExitCode;

use bloomfilter::Bloom;
use leakmatch_ingest::{Cnic, Msisdn};

const KEY: [u8; 32] = *b"leakmatch-naive-baseline-key-32b";
/// Seed of the two SipHash keys of `bloomfilter`. Its halves must differ: equal halves make
/// both hashes equal and the double hashing degenerate (FPR ~3.5e-4 instead of ~1e-9 at half
/// capacity; `tests/baseline_fpr.rs`).
const SEED: [u8; 32] = *b"0123456789abcdefFEDCBA9876543210";

type Result<T> = std::result::Result<T, String>;

/// `Err` with `what`, for an `Option` or any displayable error.
fn need<T>(v: Option<T>, what: &str) -> Result<T> {
    v.ok_or_else(|| what.to_string())
}

fn ctx<T, E: std::fmt::Display>(r: std::result::Result<T, E>, what: &str) -> Result<T> {
    r.map_err(|e| format!("{what}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("usage: naive build --capacity N --fpr F -o FILTER DUMP.csv | naive match -f FILTER BASE.csv");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("naive: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the command; `Ok(false)` for a usage error.
fn run(args: &[String]) -> Result<bool> {
    let flag = |name: &str| -> Result<Option<String>> {
        match args.iter().position(|a| a == name) {
            Some(i) => need(args.get(i + 1), "flag needs a value").map(|v| Some(v.clone())),
            None => Ok(None),
        }
    };
    let Some(input) = args.last() else {
        return Ok(false);
    };
    match args.first().map(String::as_str) {
        Some("build") => {
            let capacity: usize = ctx(
                need(flag("--capacity")?, "--capacity N")?.parse(),
                "--capacity",
            )?;
            let fpr: f64 = match flag("--fpr")? {
                Some(f) => ctx(f.parse(), "--fpr")?,
                None => 1e-6,
            };
            build(input, capacity, fpr, &need(flag("-o")?, "-o FILTER")?)?;
            Ok(true)
        }
        Some("match") => {
            matching(input, &need(flag("-f")?, "-f FILTER")?)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// A reader and the 0-based MSISDN and CNIC column indices, found by header name.
fn open(path: &str) -> Result<(csv::Reader<std::fs::File>, usize, usize)> {
    let mut rdr = ctx(
        csv::ReaderBuilder::new().flexible(true).from_path(path),
        "cannot open the input",
    )?;
    let header = ctx(rdr.byte_headers(), "cannot read the header")?.clone();
    let col = |want: &str| {
        need(
            header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(want.as_bytes())),
            "identifier column not found",
        )
    };
    let (m, c) = (col("msisdn")?, col("cnic")?);
    Ok((rdr, m, c))
}

fn token(kind: u8, parts: &[&[u8]]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(32);
    buf.push(kind);
    for p in parts {
        buf.extend_from_slice(p);
    }
    *blake3::keyed_hash(&KEY, &buf).as_bytes()
}

fn build(path: &str, capacity: usize, fpr: f64, out: &str) -> Result<()> {
    let mut bloom: Bloom<[u8; 32]> = ctx(
        Bloom::new_for_fp_rate_with_seed(capacity.max(1), fpr, &SEED),
        "cannot size the filter",
    )?;
    let (mut rdr, mc, cc) = open(path)?;
    let mut rec = csv::ByteRecord::new();
    let (mut records, mut valid_m, mut valid_c, mut pairs) = (0u64, 0u64, 0u64, 0u64);
    while ctx(rdr.read_byte_record(&mut rec), "CSV error")? {
        records += 1;
        let m = rec.get(mc).and_then(|f| Msisdn::parse(f).ok());
        let c = rec.get(cc).and_then(|f| Cnic::parse(f).ok());
        if let Some(m) = &m {
            valid_m += 1;
            bloom.set(&token(1, &[m.as_bytes()]));
        }
        if let Some(c) = &c {
            valid_c += 1;
            bloom.set(&token(2, &[c.as_bytes()]));
        }
        if let (Some(m), Some(c)) = (&m, &c) {
            pairs += 1;
            bloom.set(&token(3, &[m.as_bytes(), c.as_bytes()]));
        }
    }
    ctx(
        std::fs::write(out, bloom.as_slice()),
        "cannot write the filter",
    )?;
    println!(
        "{{\"records\":{records},\"valid_msisdn\":{valid_m},\"valid_cnic\":{valid_c},\"pairs\":{pairs},\"filter_bytes\":{},\"k\":{}}}",
        bloom.len() / 8,
        bloom.number_of_hash_functions()
    );
    Ok(())
}

fn matching(path: &str, filter: &str) -> Result<()> {
    let bytes = ctx(std::fs::read(filter), "cannot read the filter")?;
    let bloom: Bloom<[u8; 32]> = ctx(Bloom::from_slice(&bytes), "bad filter")?;
    drop(bytes);
    let (mut rdr, mc, cc) = open(path)?;
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut hit_m: HashSet<Msisdn> = HashSet::new();
    let mut hit_c: HashSet<Cnic> = HashSet::new();
    let mut hit_p: HashSet<(Msisdn, Cnic)> = HashSet::new();
    while ctx(rdr.read_byte_record(&mut rec), "CSV error")? {
        rows += 1;
        let m = rec.get(mc).and_then(|f| Msisdn::parse(f).ok());
        let c = rec.get(cc).and_then(|f| Cnic::parse(f).ok());
        if let Some(m) = m {
            if bloom.check(&token(1, &[m.as_bytes()])) {
                hit_m.insert(m);
            }
        }
        if let Some(c) = c {
            if bloom.check(&token(2, &[c.as_bytes()])) {
                hit_c.insert(c);
            }
        }
        if let (Some(m), Some(c)) = (m, c) {
            if bloom.check(&token(3, &[m.as_bytes(), c.as_bytes()])) {
                hit_p.insert((m, c));
            }
        }
    }
    println!(
        "{{\"rows\":{rows},\"distinct_matched\":{{\"msisdn\":{},\"cnic\":{},\"pair\":{}}}}}",
        hit_m.len(),
        hit_c.len(),
        hit_p.len()
    );
    Ok(())
}
