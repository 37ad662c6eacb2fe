//! The row stream of a generated dump: new people with one or more SIMs, their further SIMs
//! interleaved later, and repeats of recent SIMs in other written forms.
//!
//! Every random draw happens here or below, in the same order whatever the output format, so one
//! seed gives the same people and identifiers in every format; only the rendering differs.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::people::{below, new_cnic, new_msisdn, Person};
use super::row::{draw_row, Rates, Row};

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
