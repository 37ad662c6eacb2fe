//! One format-independent row: the identifier fields (valid in some form, or junk with a
//! certain reason) and the decoys around them. All of a row's random draws happen here.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::people::{below, weighted, Person};
use super::render::{self, CnicForm, MsisdnForm, CNIC_FORMS, MSISDN_FORMS};
use crate::RejectReason;

/// One identifier field: a valid identifier in some form, or junk with its certain reason.
#[derive(Debug, Clone)]
pub(crate) enum Field<F> {
    Valid(u64, F),
    Reject(String, RejectReason),
}

impl<F> Field<F> {
    pub(crate) fn valid(&self) -> Option<u64> {
        match self {
            Field::Valid(v, _) => Some(*v),
            Field::Reject(..) => None,
        }
    }
}

/// How dirty identifier fields are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rates {
    /// Canonical forms only (`923001234567`, `3520212345671`), no junk.
    pub clean: bool,
    /// Multiplies every junk probability.
    pub junk_scale: f64,
    /// Fraction of dump rows that repeat an earlier SIM.
    pub dup: f64,
}

/// Junk probabilities (per field, before `junk_scale`).
const MSISDN_JUNK: [(RejectReason, f64); 5] = [
    (RejectReason::Empty, 0.030),
    (RejectReason::NotMobile, 0.010),
    (RejectReason::BadLength, 0.007),
    (RejectReason::Lossy, 0.010),
    (RejectReason::Junk, 0.010),
];
const CNIC_JUNK: [(RejectReason, f64); 4] = [
    (RejectReason::Empty, 0.050),
    (RejectReason::BadLength, 0.007),
    (RejectReason::Lossy, 0.010),
    (RejectReason::Junk, 0.006),
];

fn junk_reason(
    rng: &mut ChaCha8Rng,
    table: &[(RejectReason, f64)],
    scale: f64,
) -> Option<RejectReason> {
    let mut r: f64 = rng.random();
    for &(reason, p) in table {
        if r < p * scale {
            return Some(reason);
        }
        r -= p * scale;
    }
    None
}

/// A synthetic address, rendered per format (single line in Text).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Address {
    pub kind: u8,
    pub house: u16,
    pub street: u8,
    pub letter: u8,
    pub area: u8,
    pub multiline: bool,
}

/// One row of a dump or base, format-independent.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: u64,
    pub person: Person,
    pub has_father: bool,
    pub msisdn: Field<MsisdnForm>,
    pub cnic: Field<CnicForm>,
    pub address: Address,
    /// Decoy 15-digit IMSI (`410` + MNC + MSIN); never in Text.
    pub imsi: Option<u64>,
    pub date: (u16, u8, u8),
    pub dmy_date: bool,
    /// JSON: write the MSISDN as a number when its form is all digits.
    pub json_number: bool,
    pub text_template: u8,
    pub active: bool,
}

/// Draws one row for a known SIM (`national`) of `person`.
pub(crate) fn draw_row(
    rng: &mut ChaCha8Rng,
    rates: &Rates,
    id: u64,
    national: u64,
    person: Person,
) -> Row {
    let msisdn = match (
        rates.clean,
        junk_reason(rng, &MSISDN_JUNK, rates.junk_scale),
    ) {
        (false, Some(reason)) => {
            Field::Reject(render::junk_msisdn(national, reason, rng.random()), reason)
        }
        (false, None) => Field::Valid(national, weighted(rng, &MSISDN_FORMS)),
        (true, _) => Field::Valid(national, MsisdnForm::Intl),
    };
    let cnic = match (rates.clean, junk_reason(rng, &CNIC_JUNK, rates.junk_scale)) {
        (false, Some(reason)) => {
            Field::Reject(render::junk_cnic(person.cnic, reason, rng.random()), reason)
        }
        (false, None) => Field::Valid(person.cnic, weighted(rng, &CNIC_FORMS)),
        (true, _) => Field::Valid(person.cnic, CnicForm::Compact),
    };
    let address = Address {
        kind: rng.random_range(0..20),
        house: rng.random_range(1..800),
        street: rng.random_range(1..40),
        letter: rng.random_range(0..8),
        area: rng.random_range(0..10),
        multiline: !rates.clean && rng.random_bool(0.4),
    };
    let mnc = [1u64, 3, 4, 6, 7][below(rng, 5)];
    let imsi = 410_000_000_000_000 + mnc * 10_000_000_000 + rng.random_range(0..10_000_000_000u64);
    Row {
        id,
        person,
        has_father: rng.random_bool(0.9),
        msisdn,
        cnic,
        address,
        imsi: rng.random_bool(0.85).then_some(imsi),
        date: (
            rng.random_range(2008..2025),
            rng.random_range(1..13),
            rng.random_range(1..29),
        ),
        dmy_date: rng.random_bool(0.3),
        json_number: rng.random_bool(0.5),
        text_template: rng.random_range(0..4),
        active: rng.random_bool(0.9),
    }
}
