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
//! The key is a fixed constant: this binary measures cost, it protects nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::process::ExitCode;

use bloomfilter::Bloom;
use leakmatch_ingest::{Cnic, Msisdn};

const KEY: [u8; 32] = *b"leakmatch-naive-baseline-key-32b";
/// Seed of the two SipHash keys of `bloomfilter`. Its halves must differ: equal halves make
/// both hashes equal and the double hashing degenerate (FPR ~3.5e-4 instead of ~1e-9 at half
/// capacity; `tests/baseline_fpr.rs`).
const SEED: [u8; 32] = *b"0123456789abcdefFEDCBA9876543210";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .map(|i| args.get(i + 1).expect("flag needs a value").clone())
    };
    let input = args
        .last()
        .expect("usage: naive build|match ... INPUT")
        .clone();
    match args.first().map(String::as_str) {
        Some("build") => {
            let capacity: usize = flag("--capacity")
                .expect("--capacity")
                .parse()
                .expect("number");
            let fpr: f64 = flag("--fpr").map_or(1e-6, |f| f.parse().expect("number"));
            build(&input, capacity, fpr, &flag("-o").expect("-o FILTER"));
            ExitCode::SUCCESS
        }
        Some("match") => {
            matching(&input, &flag("-f").expect("-f FILTER"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: naive build --capacity N --fpr F -o FILTER DUMP.csv | naive match -f FILTER BASE.csv");
            ExitCode::from(2)
        }
    }
}

/// A reader and the 0-based MSISDN and CNIC column indices, found by header name.
fn open(path: &str) -> (csv::Reader<std::fs::File>, usize, usize) {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .expect("cannot open the input");
    let header = rdr.byte_headers().expect("cannot read the header").clone();
    let col = |want: &str| {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(want.as_bytes()))
            .expect("identifier column not found")
    };
    let (m, c) = (col("msisdn"), col("cnic"));
    (rdr, m, c)
}

fn token(kind: u8, parts: &[&[u8]]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(32);
    buf.push(kind);
    for p in parts {
        buf.extend_from_slice(p);
    }
    *blake3::keyed_hash(&KEY, &buf).as_bytes()
}

fn build(path: &str, capacity: usize, fpr: f64, out: &str) {
    let mut bloom: Bloom<[u8; 32]> =
        Bloom::new_for_fp_rate_with_seed(capacity.max(1), fpr, &SEED).expect("bloom");
    let (mut rdr, mc, cc) = open(path);
    let mut rec = csv::ByteRecord::new();
    let (mut records, mut valid_m, mut valid_c, mut pairs) = (0u64, 0u64, 0u64, 0u64);
    while rdr.read_byte_record(&mut rec).expect("CSV error") {
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
    std::fs::write(out, bloom.as_slice()).expect("cannot write the filter");
    println!(
        "{{\"records\":{records},\"valid_msisdn\":{valid_m},\"valid_cnic\":{valid_c},\"pairs\":{pairs},\"filter_bytes\":{},\"k\":{}}}",
        bloom.len() / 8,
        bloom.number_of_hash_functions()
    );
}

fn matching(path: &str, filter: &str) {
    let bytes = std::fs::read(filter).expect("cannot read the filter");
    let bloom: Bloom<[u8; 32]> = Bloom::from_slice(&bytes).expect("bad filter");
    drop(bytes);
    let (mut rdr, mc, cc) = open(path);
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut hit_m: HashSet<Msisdn> = HashSet::new();
    let mut hit_c: HashSet<Cnic> = HashSet::new();
    let mut hit_p: HashSet<(Msisdn, Cnic)> = HashSet::new();
    while rdr.read_byte_record(&mut rec).expect("CSV error") {
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
}
