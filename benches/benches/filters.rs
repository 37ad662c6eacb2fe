//! Filters at 16 MiB and 1 GiB: leakmatch's `BlockedBloom` against the `bloomfilter` crate
//! (SipHash, standard Bloom) and fastbloom 0.17 (standard Bloom), each sized for the same
//! capacity `n` at the same target FPR (1e-6): `n` is chosen so that *our* filter has the
//! nominal size; the standard filters need fewer bits for the same FPR (see the names).
//!
//! Every filter is filled to capacity before lookups are measured (a negative lookup in a
//! standard Bloom filter stops at the first zero bit, so an empty filter would flatter it). Ours
//! is filled by real inserts; at 1 GiB the other two get a random bitmap at the fill their
//! optimal `k` reaches at capacity (50%): that takes seconds instead of minutes and is the
//! same thing for a negative lookup, whose bit positions are random.
//! Inserts are measured as 256K fresh tokens into the full filter; lookups as 256K absent
//! tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use bloomfilter::Bloom;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use fastbloom::BloomFilter;
use leakmatch_benches::{random_tokens, SplitMix};
use leakmatch_hashing::{BlockedBloom, BloomParams, Token};

const FPR: f64 = 1e-6;
const BATCH: usize = 1 << 18;
const SEED: [u8; 32] = *b"0123456789abcdefFEDCBA9876543210";

/// Capacity at which our filter for `FPR` has about `bytes` bytes.
fn capacity_for(bytes: u64) -> u64 {
    let probe = 1_000_000;
    let per = BloomParams::for_capacity(probe, FPR).bytes() as f64 / probe as f64;
    (bytes as f64 / per) as u64
}

fn word(t: &Token) -> u64 {
    u64::from_le_bytes(t.0[..8].try_into().unwrap())
}

/// A half-filled random bitmap of `bytes` bytes.
fn random_half(bytes: usize, seed: u64) -> Vec<u64> {
    let mut rng = SplitMix(seed);
    (0..bytes.div_ceil(8)).map(|_| rng.next_u64()).collect()
}

fn bench_size(c: &mut Criterion, label: &str, bytes: u64) {
    let n = capacity_for(bytes);
    let big = bytes > (256 << 20);
    let fresh = random_tokens(BATCH, 0xF00D);
    let absent = random_tokens(BATCH, 0xBEEF);
    let mut hits = vec![false; BATCH];

    // Ours, filled by real inserts.
    let params = BloomParams::for_capacity(n, FPR);
    let ours = BlockedBloom::new(params).unwrap();
    let mut left = n;
    let mut seed = 1;
    while left > 0 {
        let chunk = random_tokens(left.min(BATCH as u64) as usize, seed);
        ours.insert_many(&chunk);
        left -= chunk.len() as u64;
        seed += 1;
    }
    // bloomfilter crate.
    let mut bf: Bloom<[u8; 32]> = Bloom::new_for_fp_rate_with_seed(n as usize, FPR, &SEED).unwrap();
    let bf_bytes = bf.len() / 8;
    // fastbloom, standard size for n at FPR.
    let fb_bits = (n as f64 * -FPR.ln() / std::f64::consts::LN_2.powi(2)).ceil() as usize;
    let fb_k = ((fb_bits as f64 / n as f64) * std::f64::consts::LN_2).round() as u32;
    let mut fb = if big {
        let mut raw = bf.into_bytes();
        let header = raw.len() - bf_bytes as usize;
        let mut rng = SplitMix(99);
        for chunk in raw[header..].chunks_mut(8) {
            let w = rng.next_u64().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        bf = Bloom::from_bytes(raw).unwrap();
        BloomFilter::from_vec(random_half(fb_bits.div_ceil(8), 77))
            .seed(&7)
            .hashes(fb_k)
    } else {
        let mut fb = BloomFilter::with_num_bits(fb_bits).seed(&7).hashes(fb_k);
        let mut left = n;
        let mut seed = 1;
        while left > 0 {
            let chunk = random_tokens(left.min(BATCH as u64) as usize, seed);
            for t in &chunk {
                bf.set(&t.0);
                fb.insert(&t.0);
            }
            left -= chunk.len() as u64;
            seed += 1;
        }
        fb
    };
    let fb_mib = fb.num_bits() as f64 / 8.0 / 1048576.0;

    // Lookups depend on huge pages (TLB reach): say how much of the process has them.
    if let Ok(s) = std::fs::read_to_string("/proc/self/smaps_rollup") {
        if let Some(l) = s.lines().find(|l| l.starts_with("AnonHugePages")) {
            eprintln!("filter/{label}: {l}");
        }
    }
    let mut g = c.benchmark_group(format!("filter/{label}"));
    g.throughput(Throughput::Elements(BATCH as u64))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let ours_name = format!(
        "leakmatch BlockedBloom ({} MiB, k={})",
        params.bytes() >> 20,
        params.k
    );
    g.bench_function(format!("insert/{ours_name}"), |b| {
        b.iter(|| ours.insert_many(black_box(&fresh)))
    });
    g.bench_function(format!("lookup-negative/{ours_name}"), |b| {
        b.iter(|| {
            ours.contains_many(black_box(&absent), &mut hits);
            hits.iter().filter(|h| **h).count()
        })
    });
    let bf_name = format!(
        "bloomfilter 3.0.2 ({:.0} MiB, k={})",
        bf_bytes as f64 / 1048576.0,
        bf.number_of_hash_functions()
    );
    g.bench_function(format!("insert/{bf_name}"), |b| {
        b.iter(|| {
            for t in &fresh {
                bf.set(black_box(&t.0));
            }
        })
    });
    g.bench_function(format!("lookup-negative/{bf_name}"), |b| {
        b.iter(|| absent.iter().filter(|t| bf.check(black_box(&t.0))).count())
    });
    let fb_name = format!("fastbloom 0.17 ({fb_mib:.0} MiB, k={fb_k})");
    g.bench_function(format!("insert/{fb_name}"), |b| {
        b.iter(|| {
            for t in &fresh {
                fb.insert(black_box(&t.0));
            }
        })
    });
    g.bench_function(format!("lookup-negative/{fb_name}"), |b| {
        b.iter(|| {
            absent
                .iter()
                .filter(|t| fb.contains(black_box(&t.0)))
                .count()
        })
    });
    g.bench_function(format!("insert/{fb_name} insert_hash(token word)"), |b| {
        b.iter(|| {
            for t in &fresh {
                fb.insert_hash(black_box(word(t)));
            }
        })
    });
    g.bench_function(
        format!("lookup-negative/{fb_name} contains_hash(token word)"),
        |b| {
            b.iter(|| {
                absent
                    .iter()
                    .filter(|t| fb.contains_hash(black_box(word(t))))
                    .count()
            })
        },
    );
    g.finish();
}

fn bench(c: &mut Criterion) {
    bench_size(c, "16MiB", 16 << 20);
    bench_size(c, "1GiB", 1 << 30);
}

criterion_group!(benches, bench);
criterion_main!(benches);
