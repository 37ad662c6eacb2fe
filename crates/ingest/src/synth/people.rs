//! Synthetic people: names, cities and identifiers consistent with each other, and the random
//! draws the generator is built from.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(crate) const MALE: &[&str] = &[
    "Muhammad", "Ali", "Ahmed", "Hassan", "Hussain", "Usman", "Bilal", "Imran", "Asif", "Tariq",
    "Kamran", "Faisal", "Zubair", "Irfan", "Shahid", "Naveed", "Adnan", "Waqas", "Hamza", "Umar",
    "Abdullah", "Zeeshan", "Junaid", "Sajid", "Rizwan",
];
pub(crate) const FEMALE: &[&str] = &[
    "Ayesha", "Fatima", "Zainab", "Maryam", "Sana", "Amna", "Hira", "Saima", "Nadia", "Rabia",
    "Samina", "Shazia", "Bushra", "Iqra", "Mehwish", "Kiran", "Sadia", "Noor",
];
pub(crate) const LAST: &[&str] = &[
    "Khan",
    "Ahmed",
    "Ali",
    "Hussain",
    "Shah",
    "Malik",
    "Butt",
    "Chaudhry",
    "Qureshi",
    "Sheikh",
    "Baig",
    "Mirza",
    "Raza",
    "Siddiqui",
    "Abbasi",
    "Awan",
    "Javed",
    "Iqbal",
    "Akhtar",
    "Memon",
    "Baloch",
    "Yousafzai",
    "Rajput",
    "Bhatti",
    "D'Souza",
];
/// Cities by CNIC province digit (1 = KP … 7 = Gilgit-Baltistan).
pub(crate) const CITIES: [&[&str]; 7] = [
    &["Peshawar", "Mardan", "Abbottabad", "Mingora"],
    &["Parachinar", "Miranshah", "Khar"],
    &[
        "Lahore",
        "Faisalabad",
        "Rawalpindi",
        "Multan",
        "Gujranwala",
        "Sialkot",
        "Bahawalpur",
    ],
    &["Karachi", "Hyderabad", "Sukkur", "Larkana"],
    &["Quetta", "Turbat", "Gwadar"],
    &["Islamabad"],
    &["Gilgit", "Skardu", "Hunza"],
];
/// Province weights (per mille) by digit 1..=7.
const PROVINCE_WEIGHTS: [u32; 7] = [140, 20, 550, 200, 50, 20, 20];
/// Mobile network codes (first 3 national digits) with weights: Jazz 030x/032x, Zong
/// 031x/037x, Ufone 033x (338 unallocated), Telenor 034x, SCO 0355, Instaphone 0364.
const PREFIX_GROUPS: [(&[u64], u32); 8] = [
    (&[300, 301, 302, 303, 304, 305, 306, 307, 308, 309], 260),
    (&[320, 321, 322, 323, 324, 325, 326, 327, 328, 329], 90),
    (&[310, 311, 312, 313, 314, 315, 316, 317, 318, 319], 230),
    (&[370, 371, 372, 373, 374, 375, 376, 377, 378, 379], 20),
    (&[330, 331, 332, 333, 334, 335, 336, 337, 339], 130),
    (&[340, 341, 342, 343, 344, 345, 346, 347, 348, 349], 250),
    (&[355], 15),
    (&[364], 5),
];

/// Uniform index below `n` (portable: never draws a `usize`).
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    rng.random_range(0..n as u64) as usize
}

pub(crate) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|&(_, w)| w).sum();
    let mut r = rng.random_range(0..total.max(1));
    for &(item, w) in items {
        if r < w {
            return item;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

/// A fresh valid national mobile number.
pub(crate) fn new_msisdn(rng: &mut ChaCha8Rng) -> u64 {
    let groups: Vec<(usize, u32)> = PREFIX_GROUPS
        .iter()
        .enumerate()
        .map(|(i, g)| (i, g.1))
        .collect();
    let prefixes = PREFIX_GROUPS[weighted(rng, &groups)].0;
    prefixes[below(rng, prefixes.len())] * 10_000_000 + rng.random_range(0..10_000_000u64)
}

/// A fresh valid CNIC: province digit 1–7, 11 digits, gender digit 1–9 (odd male).
pub(crate) fn new_cnic(rng: &mut ChaCha8Rng) -> u64 {
    let prov: Vec<(u64, u32)> = (1..=7u64).zip(PROVINCE_WEIGHTS).collect();
    let province = weighted(rng, &prov);
    let middle = rng.random_range(0..100_000_000_000u64);
    let last = rng.random_range(1..=9u64);
    province * 1_000_000_000_000 + middle * 10 + last
}

/// One person: a CNIC and what the rows say about them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person {
    pub cnic: u64,
    pub first: &'static str,
    pub last: &'static str,
    pub father: &'static str,
    pub city: &'static str,
}

impl Person {
    /// Names and city consistent with the CNIC (gender digit, province digit).
    pub(crate) fn for_cnic(rng: &mut ChaCha8Rng, cnic: u64) -> Person {
        let male = cnic % 2 == 1;
        let names = if male { MALE } else { FEMALE };
        let province = ((cnic / 1_000_000_000_000) as usize).clamp(1, 7) - 1;
        let cities = if rng.random_bool(0.8) {
            CITIES[province]
        } else {
            CITIES[2]
        };
        Person {
            cnic,
            first: names[below(rng, names.len())],
            last: LAST[below(rng, LAST.len())],
            father: MALE[below(rng, MALE.len())],
            city: cities[below(rng, cities.len())],
        }
    }
}
