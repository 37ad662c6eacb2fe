//! Tests of `counts.rs`.

use super::*;

/// A valid MSISDN key (national number, Jazz 300 range) and a valid CNIC key (Punjab, check
/// digit 1) for each `i`.
fn msisdn(i: u64) -> u128 {
    u128::from(3_000_000_000 + i)
}

fn cnic(i: u64) -> u128 {
    u128::from(3_520_200_000_001 + i * 10)
}

/// Feeds `n` distinct identifiers of each kind, each twice, half of them matched, over two
/// counters that are then absorbed into a third.
fn run(budget: &Budget, n: u64) -> (DistinctCounts, usize) {
    let sketches = Sketches::new();
    let mut total = Counter::new(budget, &sketches);
    let mut sinks = [
        Counter::new(budget, &sketches),
        Counter::new(budget, &sketches),
    ];
    for round in 0..2 {
        for i in 0..n {
            let sink = &mut sinks[((i + round) % 2) as usize];
            let hit = i % 2 == 0;
            sink.record(MSISDN, msisdn(i), hit);
            sink.record(CNIC, cnic(i), hit);
            sink.record(PAIR, msisdn(i) << 64 | cnic(i), hit);
        }
    }
    let [a, b] = sinks;
    total.absorb(a);
    total.absorb(b);
    let held = total.keys.singles[MSISDN].raw().len() + total.keys.pairs.raw().len();
    (total.finish(), held)
}

#[test]
fn exact_under_the_budget() {
    let budget = Budget::new(1 << 30);
    let (c, _) = run(&budget, 1000);
    assert!(c.exact);
    assert_eq!(c.tested, [1000; 3]);
    assert_eq!(c.matched, [500; 3]);
    assert_eq!(c.matched_by_operator.get("jazz"), Some(&500));
    assert_eq!(c.matched_by_province.get("punjab"), Some(&500));
}

#[test]
fn estimates_past_the_budget_and_frees_the_keys() {
    // 200K identifiers of each kind, twice: ~10 MB of keys against a 1 MB budget.
    let budget = Budget::new(1 << 20);
    let n = 200_000;
    let (c, held) = run(&budget, n);
    assert!(!c.exact);
    assert_eq!(held, 0, "keys are moved into the sketches, not kept");
    let near = |got: u64, want: u64| (got as f64 / want as f64 - 1.0).abs() < 0.03;
    for k in 0..KINDS {
        assert!(near(c.tested[k], n), "tested {k}: {}", c.tested[k]);
        assert!(near(c.matched[k], n / 2), "matched {k}: {}", c.matched[k]);
    }
    assert!(near(c.matched_by_operator["jazz"], n / 2));
    assert!(near(c.matched_by_province["punjab"], n / 2));
    assert_eq!(c.matched_by_operator.len(), 1);
}
