//! Chunk scanning: `read_input` over a generated messy CSV (column mode) and free text (scan
//! mode), warm page cache, on rayon pools of 1 and 2 threads. Throughput in bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakmatch_ingest::{
    generate, DumpFormat, Format, GenOptions, InputSource, NoProgress, ReadOptions, Record,
    RecordSink,
};

/// Counts identifiers; what the build pipeline's sink does minus hashing.
#[derive(Default)]
struct Count(u64);

impl RecordSink for Count {
    fn record(&mut self, r: &Record<'_>) {
        self.0 += (r.msisdns.len() + r.cnics.len()) as u64;
    }
}

fn dump(dir: &Path, format: DumpFormat, rows: u64) -> std::path::PathBuf {
    let path = dir.join(format!("dump.{}", format.extension()));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let opts = GenOptions {
        rows,
        seed: 3,
        format,
        ..GenOptions::default()
    };
    generate(&opts, &mut f, None).unwrap();
    path
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "column mode (csv)",
            dump(dir.path(), DumpFormat::Csv, 500_000),
            Format::Csv,
        ),
        (
            "scan mode (text)",
            dump(dir.path(), DumpFormat::Text, 500_000),
            Format::Scan,
        ),
    ];
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (name, path, format) in &cases {
        let bytes = std::fs::metadata(path).unwrap().len();
        g.throughput(Throughput::Bytes(bytes));
        let src = InputSource::Path(path.clone());
        let opts = ReadOptions {
            format: *format,
            ..ReadOptions::default()
        };
        for threads in 1..=std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
        {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            g.bench_function(format!("{name}/{threads} threads"), |b| {
                b.iter(|| {
                    pool.install(|| {
                        let out =
                            leakmatch_ingest::read_input(&src, &opts, Count::default, &NoProgress)
                                .unwrap();
                        out.sinks.iter().map(|s| s.0).sum::<u64>()
                    })
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
