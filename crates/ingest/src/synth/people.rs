//! Synthetic people, their SIMs, and the rows that mention them.
//!
//! Every random draw happens here, in the same order whatever the output format, so one seed
//! gives the same people and identifiers in every format; only the rendering differs.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::row::{draw_row, Rates, Row};

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

/// The dump's people: new people with 1–N SIMs, their further SIMs interleaved later, and
/// repeats of recent SIMs (duplicates in other written forms).
pub(crate) struct RowSource {
    rng: ChaCha8Rng,
    rates: Rates,
    next_id: u64,
    /// People with SIMs still to appear.
    open: Vec<(Person, u32)>,
    /// Recent (national, person) for duplicates: a bounded ring.
    recent: Vec<(u64, Person)>,
    recent_pos: usize,
}

const RECENT: usize = 4096;
const MAX_OPEN: usize = 64;

impl RowSource {
    pub(crate) fn new(rng: ChaCha8Rng, rates: Rates) -> RowSource {
        RowSource {
            rng,
            rates,
            next_id: 1,
            open: Vec::new(),
            recent: Vec::new(),
            recent_pos: 0,
        }
    }

    fn sim_count(&mut self) -> u32 {
        let r: f64 = self.rng.random();
        match r {
            _ if r < 0.004 => self.rng.random_range(9..=24), // SIM-fraud signal
            _ if r < 0.55 => 1,
            _ if r < 0.80 => 2,
            _ if r < 0.90 => 3,
            _ if r < 0.95 => 4,
            _ if r < 0.98 => 5,
            _ => self.rng.random_range(6..=8),
        }
    }

    pub(crate) fn next_row(&mut self) -> Row {
        let id = self.next_id;
        self.next_id += 1;
        let (national, person) = if !self.recent.is_empty() && self.rng.random_bool(self.rates.dup)
        {
            self.recent[below(&mut self.rng, self.recent.len())]
        } else if !self.open.is_empty()
            && (self.open.len() >= MAX_OPEN || self.rng.random_bool(0.4))
        {
            // Weighted by SIMs still to come, so heavy (SIM-fraud) owners surface early.
            let total: u64 = self.open.iter().map(|o| u64::from(o.1)).sum();
            let mut r = self.rng.random_range(0..total.max(1));
            let mut i = 0;
            while i + 1 < self.open.len() && r >= u64::from(self.open[i].1) {
                r -= u64::from(self.open[i].1);
                i += 1;
            }
            let person = self.open[i].0;
            self.open[i].1 -= 1;
            if self.open[i].1 == 0 {
                self.open.swap_remove(i);
            }
            (new_msisdn(&mut self.rng), person)
        } else {
            let cnic = new_cnic(&mut self.rng);
            let person = Person::for_cnic(&mut self.rng, cnic);
            let sims = self.sim_count();
            if sims > 1 {
                self.open.push((person, sims - 1));
            }
            (new_msisdn(&mut self.rng), person)
        };
        if self.recent.len() < RECENT {
            self.recent.push((national, person));
        } else {
            self.recent[self.recent_pos] = (national, person);
            self.recent_pos = (self.recent_pos + 1) % RECENT;
        }
        draw_row(&mut self.rng, &self.rates, id, national, person)
    }
}
