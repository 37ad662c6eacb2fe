//! Whole pipelines in-process: `build` of a generated 400k-row messy CSV dump and `match` of a
//! 100k-row base against its filter, on the global rayon pool (all cores), warm page cache.
//! Throughput in valid identifiers (MSISDN + CNIC fields).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakmatch_hashing::Key;
use leakmatch_ingest::{generate, DumpFormat, GenOptions, InputSource, NoProgress, ReadOptions};
use leakmatch_match::{build, match_inputs, BuildOptions, MatchOptions};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (dump, base) = (dir.path().join("dump.csv"), dir.path().join("base.csv"));
    let opts = GenOptions {
        rows: 400_000,
        seed: 5,
        format: DumpFormat::Csv,
        subscriber_rows: Some(100_000),
        ..GenOptions::default()
    };
    let mut d = std::io::BufWriter::new(std::fs::File::create(&dump).unwrap());
    let mut b = std::io::BufWriter::new(std::fs::File::create(&base).unwrap());
    let truth = generate(&opts, &mut d, Some(&mut b)).unwrap();
    drop((d, b));
    let base_truth = truth.base.as_ref().unwrap();
    let key = Key::from_bytes([9; 32]);
    let read = ReadOptions::default();
    let dump_src = [InputSource::Path(dump)];
    let base_src = [InputSource::Path(base)];
    let build_opts = BuildOptions {
        fpr_probes: 0,
        ..BuildOptions::default()
    };

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_millis(500));
    g.throughput(Throughput::Elements(
        truth.dump.valid_msisdn_fields + truth.dump.valid_cnic_fields,
    ));
    g.bench_function("build (400k-row csv, FPR 1e-6, no FPR probes)", |bch| {
        bch.iter(|| build(&key, &dump_src, &read, &build_opts, &NoProgress).unwrap())
    });
    let built = build(&key, &dump_src, &read, &build_opts, &NoProgress).unwrap();
    g.throughput(Throughput::Elements(
        base_truth.valid_msisdn_fields + base_truth.valid_cnic_fields,
    ));
    g.bench_function("match (100k-row base)", |bch| {
        bch.iter(|| {
            match_inputs(
                &key,
                &built.filter,
                &base_src,
                &read,
                &MatchOptions::default(),
                &NoProgress,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
