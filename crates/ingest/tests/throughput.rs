//! Release-mode throughput sanity check (ignored by default):
//! `cargo test --release -p leakmatch-ingest --test throughput -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

use std::io::Write;
use std::time::Instant;

use leakmatch_ingest::{
    read_input, Format, InputSource, NoProgress, ReadOptions, Record, RecordSink,
};

struct Count(u64);

impl RecordSink for Count {
    fn record(&mut self, r: &Record<'_>) {
        self.0 += (r.msisdns.len() + r.cnics.len()) as u64;
    }
}

/// About `mb` MB of synthetic CSV rows (~100 bytes each, random-looking numbers).
fn generate(path: &std::path::Path, mb: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "id,name,msisdn,cnic,address,city").unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut written = 0;
    let mut id = 0u64;
    while written < mb << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        id += 1;
        let row = format!(
            "{id},Synthetic Person,0300{:07},{}{:012},\"House {}, Street 12, Saddar\",Lahore\n",
            x % 10_000_000,
            1 + x % 7,
            (x >> 20) % 1_000_000_000_000,
            x % 500
        );
        written += row.len();
        f.write_all(row.as_bytes()).unwrap();
    }
}

/// Process CPU seconds (user + system) from /proc, 0 where unavailable. The machine is shared, so
/// bytes per CPU second is the steadier per-core figure.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 of stat are 12 and 13 after the command name; ticks of 1/100 s.
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn measure(path: &std::path::Path, threads: usize, format: Format) -> (f64, f64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let len = std::fs::metadata(path).unwrap().len() as f64;
    let opts = ReadOptions {
        format,
        ..ReadOptions::default()
    };
    let src = InputSource::Path(path.to_path_buf());
    let mut best = f64::MAX;
    let cpu = cpu_seconds();
    let runs = 3;
    for _ in 0..runs {
        let t = Instant::now();
        let out = pool
            .install(|| read_input(&src, &opts, || Count(0), &NoProgress))
            .unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert!(out.stats.records > 0);
    }
    let cpu = (cpu_seconds() - cpu) / f64::from(runs);
    (len / best / 1e9, len / cpu / 1e9)
}

#[test]
#[ignore = "throughput check: run in release with --ignored --nocapture"]
fn throughput() {
    let dir = tempfile::tempdir().unwrap();
    // LEAKMATCH_TP_FILE=path reuses (or creates) a data file, so profiles skip generation.
    let p = std::env::var_os("LEAKMATCH_TP_FILE")
        .map_or_else(|| dir.path().join("big.csv"), std::path::PathBuf::from);
    if !p.exists() {
        generate(&p, 200);
    }
    // LEAKMATCH_TP_FORMAT=csv|scan restricts the run (for profiling).
    let only: Option<Format> = std::env::var("LEAKMATCH_TP_FORMAT")
        .ok()
        .and_then(|f| f.parse().ok());
    for format in [Format::Csv, Format::Scan]
        .into_iter()
        .filter(|f| only.is_none_or(|o| o == *f))
    {
        // LEAKMATCH_TP_THREADS=1 restricts the thread counts (for cycle counting).
        let threads: Vec<usize> = std::env::var("LEAKMATCH_TP_THREADS")
            .ok()
            .and_then(|t| t.parse().ok())
            .map_or(vec![1, 2], |t| vec![t]);
        for threads in threads {
            let (wall, per_cpu) = measure(&p, threads, format);
            println!(
                "{format}: {threads} thread(s): {wall:.2} GB/s wall, {per_cpu:.2} GB/s per CPU second"
            );
        }
    }
}
