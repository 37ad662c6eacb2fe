//! Quick single-thread throughput check (not a benchmark suite; criterion benches live in
//! `benches/`). Run: `cargo run --release -p leakmatch-hashing --example throughput [MiB]`.

use std::time::Instant;

use leakmatch_hashing::{encode, BlockedBloom, BloomParams, Key, Token, TokenHasher, TokenKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let n: usize = 16 << 20;
    let key = Key::from_bytes([7; 32]);
    let inputs: Vec<_> = (0..n as u64)
        .map(|i| encode(TokenKind::Msisdn, format!("92{:010}", i).as_bytes()))
        .collect();
    let mut tokens = vec![Token::default(); n];

    let fast = TokenHasher::new(&key);
    let t = Instant::now();
    fast.hash_many(&inputs, &mut tokens);
    report("hash_many (batched)", n, t);
    let slow = TokenHasher::new_portable(&key);
    let t = Instant::now();
    let m = n / 8;
    let mut check = vec![Token::default(); m];
    slow.hash_many(&inputs[..m], &mut check);
    report("keyed_hash (portable)", m, t);
    assert_eq!(check, tokens[..m]);

    let params = BloomParams {
        blocks: (mib << 20) / 64,
        k: 16,
    };
    let bloom = BlockedBloom::new(params)?;
    // The first half also pays for faulting in (zeroing) the fresh memory.
    let (cold, warm) = tokens.split_at(n / 2);
    let t = Instant::now();
    bloom.insert_many(cold);
    report(
        &format!("insert_many, {mib} MiB, k=16, cold memory"),
        n / 2,
        t,
    );
    let t = Instant::now();
    bloom.insert_many(warm);
    report("insert_many, warm memory", n / 2, t);
    // Linux: how much of the process is on transparent huge pages.
    if let Ok(s) = std::fs::read_to_string("/proc/self/smaps_rollup") {
        s.lines()
            .filter(|l| l.starts_with("AnonHugePages"))
            .for_each(|l| println!("{l}"));
    }
    let t = Instant::now();
    tokens.iter().for_each(|x| bloom.insert(x));
    report("insert (one at a time, bits already set)", n, t);

    let mut probes = vec![Token::default(); n];
    fast.hash_many(
        &(0..n as u64)
            .map(|i| encode(TokenKind::Cnic, format!("{:013}", i).as_bytes()))
            .collect::<Vec<_>>(),
        &mut probes,
    );
    let mut found = vec![false; n];
    // Calibration: independent random 8-byte loads from the filter's memory.
    let mut raw = memmap2::MmapMut::map_anon((mib << 20) as usize)?;
    raw.advise(memmap2::Advice::HugePage)?;
    raw.iter_mut().step_by(4096).for_each(|b| *b = 1);
    let t = Instant::now();
    let mut acc = 0u64;
    for p in &probes {
        let i = (u64::from_le_bytes(p.0[..8].try_into()?) % (raw.len() as u64 / 8)) as usize;
        acc = acc.wrapping_add(u64::from(raw[i * 8]));
    }
    report("calibration: independent random loads", n, t);
    println!("({acc})");
    let t = Instant::now();
    bloom.contains_many(&probes, &mut found);
    report("contains_many (negative)", n, t);
    let hits = found.iter().filter(|&&f| f).count();
    let t = Instant::now();
    let single = probes.iter().filter(|x| bloom.contains(x)).count();
    report("contains (negative, one at a time)", n, t);
    assert_eq!(hits, single);
    let t = Instant::now();
    bloom.contains_many(&tokens, &mut found);
    report("contains_many (positive)", n, t);
    assert!(found.iter().all(|&f| f));
    Ok(())
}

fn report(what: &str, n: usize, t: Instant) {
    let s = t.elapsed().as_secs_f64();
    println!(
        "{what:45} {:7.1} M/s  {:6.1} ns/op",
        n as f64 / s / 1e6,
        s * 1e9 / n as f64
    );
}
