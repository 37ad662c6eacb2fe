//! Normalization kernels: `Msisdn::parse` and `Cnic::parse`, per written form.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakmatch_benches::SplitMix;
use leakmatch_ingest::{Cnic, Msisdn};

const N: usize = 4096;

/// A written form: name and renderer of (operator code, subscriber number) or of 13 digits.
type MsisdnForm = (&'static str, fn(&str, &str) -> String);
type CnicForm = (&'static str, fn(&str) -> String);

fn urdu(s: &str, zero: u32) -> String {
    s.chars()
        .map(|c| {
            c.to_digit(10)
                .map_or(c, |d| char::from_u32(zero + d).unwrap())
        })
        .collect()
}

fn msisdn_forms() -> Vec<MsisdnForm> {
    vec![
        ("923001234567", |c, s| format!("92{c}{s}")),
        ("03001234567", |c, s| format!("0{c}{s}")),
        ("0300-1234567", |c, s| format!("0{c}-{s}")),
        ("+92 300 1234567", |c, s| format!("+92 {c} {s}")),
        ("+92 (0) 300 1234567", |c, s| format!("+92 (0) {c} {s}")),
        ("0092 300 1234567", |c, s| format!("0092 {c} {s}")),
        ("923001234567.0", |c, s| format!("92{c}{s}.0")),
        ("urdu 03001234567", |c, s| urdu(&format!("0{c}{s}"), 0x06F0)),
        ("lossy 9.23001E+11", |c, _| format!("9.2{c}E+11")),
    ]
}

fn bench(c: &mut Criterion) {
    let mut rng = SplitMix(1);
    let nationals: Vec<(String, String)> = (0..N)
        .map(|_| {
            let v = 3_000_000_000 + rng.next_u64() % 500_000_000;
            let s = v.to_string();
            (s[..3].to_owned(), s[3..].to_owned())
        })
        .collect();
    let mut g = c.benchmark_group("normalize/msisdn");
    g.throughput(Throughput::Elements(N as u64))
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for (name, form) in msisdn_forms() {
        let inputs: Vec<String> = nationals.iter().map(|(c, s)| form(c, s)).collect();
        g.bench_function(name, |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .filter(|s| Msisdn::parse(black_box(s.as_bytes())).is_ok())
                    .count()
            })
        });
    }
    g.finish();

    let cnics: Vec<String> = (0..N)
        .map(|_| {
            let s = (1_000_000_000_001 + rng.next_u64() % 6_000_000_000_000).to_string();
            format!("{}{}", &s[..12], 1 + rng.next_u64() % 9)
        })
        .collect();
    let forms: Vec<CnicForm> = vec![
        ("3520212345671", |s| s.to_owned()),
        ("35202-1234567-1", |s| {
            format!("{}-{}-{}", &s[..5], &s[5..12], &s[12..])
        }),
        ("35202 1234567 1", |s| {
            format!("{} {} {}", &s[..5], &s[5..12], &s[12..])
        }),
        ("3520212345671.0", |s| format!("{s}.0")),
        ("urdu 35202-1234567-1", |s| {
            urdu(&format!("{}-{}-{}", &s[..5], &s[5..12], &s[12..]), 0x06F0)
        }),
    ];
    let mut g = c.benchmark_group("normalize/cnic");
    g.throughput(Throughput::Elements(N as u64))
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for (name, form) in forms {
        let inputs: Vec<String> = cnics.iter().map(|s| form(s)).collect();
        g.bench_function(name, |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .filter(|s| Cnic::parse(black_box(s.as_bytes())).is_ok())
                    .count()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
