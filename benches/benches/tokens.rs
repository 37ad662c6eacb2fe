//! Token hashing: scalar `blake3::keyed_hash` against the batched `TokenHasher::hash_many`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakmatch_benches::SplitMix;
use leakmatch_hashing::{encode, Encoded, Key, Token, TokenHasher, TokenKind};

const N: usize = 4096;

fn bench(c: &mut Criterion) {
    let key = Key::from_bytes([7; 32]);
    let mut rng = SplitMix(2);
    let ids: Vec<Encoded> = (0..N)
        .map(|_| {
            encode(
                TokenKind::Msisdn,
                format!("92{}", 3_000_000_000 + rng.next_u64() % 500_000_000).as_bytes(),
            )
        })
        .collect();
    let hasher = TokenHasher::new(&key);
    let portable = TokenHasher::new_portable(&key);
    let raw_key = [7u8; 32];
    let mut out = vec![Token::default(); N];

    let mut g = c.benchmark_group("tokens");
    g.throughput(Throughput::Elements(N as u64))
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    g.bench_function("blake3::keyed_hash 64-byte block (scalar)", |b| {
        b.iter(|| {
            for (e, o) in ids.iter().zip(out.iter_mut()) {
                *o = Token(*blake3::keyed_hash(&raw_key, black_box(&e.0)).as_bytes());
            }
        })
    });
    g.bench_function("blake3::keyed_hash 13-byte id (naive)", |b| {
        b.iter(|| {
            for (e, o) in ids.iter().zip(out.iter_mut()) {
                *o = Token(*blake3::keyed_hash(&raw_key, black_box(&e.0[7..20])).as_bytes());
            }
        })
    });
    g.bench_function("TokenHasher::hash (one at a time)", |b| {
        b.iter(|| {
            for (e, o) in ids.iter().zip(out.iter_mut()) {
                *o = hasher.hash(black_box(e));
            }
        })
    });
    g.bench_function("TokenHasher::hash_many (batched SIMD)", |b| {
        b.iter(|| hasher.hash_many(black_box(&ids), &mut out))
    });
    g.bench_function("TokenHasher::new_portable hash_many", |b| {
        b.iter(|| portable.hash_many(black_box(&ids), &mut out))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
