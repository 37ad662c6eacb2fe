//! HyperLogLog sketches: the fallback when the distinct sets would not fit in `--memory`.
//!
//! Precision 14 (16,384 one-byte registers, 16 KiB per sketch) gives a standard error of
//! 1.04/√16384 ≈ 0.81%. Registers are atomics so every chunk of an input updates one shared
//! sketch set instead of holding its own. The estimate is Ertl's improved raw estimator
//! ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which needs no
//! empirical bias tables and is accurate from a handful of items up.

use std::sync::atomic::{AtomicU8, Ordering};

/// Register index bits.
pub const PRECISION: u32 = 14;
const REGISTERS: usize = 1 << PRECISION;
/// Largest register value: 64 − p leading zeros + 1.
const MAX_RANK: u8 = (64 - PRECISION + 1) as u8;

/// A HyperLogLog sketch with atomic registers.
pub struct Hll {
    registers: Box<[AtomicU8]>,
}

impl Default for Hll {
    fn default() -> Self {
        Hll::new()
    }
}

impl std::fmt::Debug for Hll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hll(p={PRECISION}, estimate={:.0})", self.estimate())
    }
}

impl Hll {
    /// An empty sketch.
    pub fn new() -> Self {
        Hll {
            registers: (0..REGISTERS).map(|_| AtomicU8::new(0)).collect(),
        }
    }

    /// Adds an item by its 64-bit hash (which must be uniformly distributed: see [`mix64`]).
    #[inline]
    pub fn insert_hash(&self, hash: u64) {
        let index = (hash >> (64 - PRECISION)) as usize;
        let rank = ((hash << PRECISION).leading_zeros() + 1).min(u32::from(MAX_RANK)) as u8;
        if let Some(r) = self.registers.get(index) {
            if r.load(Ordering::Relaxed) < rank {
                r.fetch_max(rank, Ordering::Relaxed);
            }
        }
    }

    /// Adds everything `other` holds (union).
    pub fn merge(&self, other: &Hll) {
        for (a, b) in self.registers.iter().zip(other.registers.iter()) {
            a.fetch_max(b.load(Ordering::Relaxed), Ordering::Relaxed);
        }
    }

    /// Estimated number of distinct items added.
    pub fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        let q = usize::from(MAX_RANK) - 1;
        let mut counts = [0u32; 66];
        for r in self.registers.iter() {
            let v = usize::from(r.load(Ordering::Relaxed)).min(q + 1);
            counts[v] += 1;
        }
        if counts[0] as usize == REGISTERS {
            return 0.0;
        }
        let mut z = m * tau(1.0 - f64::from(counts[q + 1]) / m);
        for k in (1..=q).rev() {
            z = 0.5 * (z + f64::from(counts[k]));
        }
        z += m * sigma(f64::from(counts[0]) / m);
        m * m / (2.0 * std::f64::consts::LN_2) / z
    }
}

fn sigma(mut x: f64) -> f64 {
    if x >= 1.0 {
        return f64::INFINITY;
    }
    let (mut y, mut z) = (1.0, x);
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return 0.0;
    }
    let (mut y, mut z) = (1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// The murmur3 64-bit finalizer: spreads sort keys (whose high bits are categories) over all
/// 64 bits for the sketch.
#[inline]
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// [`mix64`] for a pair key.
#[inline]
pub fn mix128(x: u128) -> u64 {
    mix64((x as u64) ^ mix64((x >> 64) as u64).rotate_left(17))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative_error(n: u64) -> f64 {
        let h = Hll::new();
        for i in 0..n {
            h.insert_hash(mix64(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
            h.insert_hash(mix64(i.wrapping_mul(0x9e37_79b9_7f4a_7c15))); // duplicates are free
        }
        (h.estimate() - n as f64).abs() / n as f64
    }

    #[test]
    fn one_million_distinct_within_3_percent() {
        let e = relative_error(1_000_000);
        assert!(e < 0.03, "relative error {e}");
    }

    #[test]
    fn small_and_middle_ranges_are_accurate() {
        assert_eq!(Hll::new().estimate(), 0.0);
        for n in [1u64, 10, 1_000, 20_000, 50_000, 200_000] {
            let e = relative_error(n);
            assert!(e < 0.03, "n={n}: relative error {e}");
        }
    }

    #[test]
    fn union_and_intersection_by_inclusion_exclusion() {
        let (a, b) = (Hll::new(), Hll::new());
        for i in 0..300_000u64 {
            a.insert_hash(mix64(i));
        }
        for i in 200_000..400_000u64 {
            b.insert_hash(mix64(i));
        }
        let u = Hll::new();
        u.merge(&a);
        u.merge(&b);
        let union = u.estimate();
        assert!(
            (union - 400_000.0).abs() / 400_000.0 < 0.03,
            "union {union}"
        );
        let both = a.estimate() + b.estimate() - union;
        assert!(
            (both - 100_000.0).abs() / 100_000.0 < 0.15,
            "intersection {both}"
        );
    }
}
