//! The operator's subscriber base: a CSV overlapping the dump by a chosen fraction.

use std::io::{self, BufWriter, Write};

use rand::Rng;

use super::columns::Col;
use super::formats::{cell, csv_field};
use super::people::{self, Person};
use super::row::{self, Row};
use super::truth::{self, OverlapTruth, SetTruth};
use super::{rates, rng, GenError, GenOptions, STREAM_BASE};

/// Header of the operator's base CSV.
const BASE_HEADER: &str = "msisdn,cnic,name,father_name,city,activation_date,status\n";

/// One base CSV row.
fn base_row(w: &mut dyn Write, row: &Row) -> io::Result<()> {
    let mut line: Vec<u8> = Vec::with_capacity(128);
    let cols = [
        Col::Msisdn,
        Col::Cnic,
        Col::Name,
        Col::Father,
        Col::City,
        Col::Date,
    ];
    let mut cellbuf = String::new();
    for c in cols {
        cellbuf.clear();
        cell(&mut cellbuf, row, c, false);
        csv_field(&mut line, &cellbuf, b',', false)?;
        line.push(b',');
    }
    line.extend_from_slice(if row.active {
        b"ACTIVE\n"
    } else {
        b"BLOCKED\n"
    });
    w.write_all(&line)
}

/// The operator's base: `round(overlap × n)` rows are distinct pairs of the dump (re-rendered,
/// base junk rates apply), the rest fresh people.
pub(super) fn generate(
    opts: &GenOptions,
    n: u64,
    out: &mut dyn Write,
    dump: &truth::Sets,
) -> Result<(SetTruth, OverlapTruth), GenError> {
    let mut rng = rng(opts.seed, STREAM_BASE);
    let rates = rates(opts.messiness, 0.25);
    let want = ((opts.overlap * n as f64).round() as u64).min(dump.pairs.len() as u64);
    // Selection sampling (Knuth's algorithm S) over the sorted pairs, then a shuffle.
    let mut chosen: Vec<u128> = Vec::with_capacity(want as usize);
    let total = dump.pairs.len() as u64;
    for (i, &p) in dump.pairs.iter().enumerate() {
        let left = total - i as u64;
        let need = want - chosen.len() as u64;
        if need == 0 {
            break;
        }
        if rng.random_range(0..left) < need {
            chosen.push(p);
        }
    }
    for i in (1..chosen.len()).rev() {
        chosen.swap(i, rng.random_range(0..=i as u64) as usize);
    }

    let mut w = BufWriter::with_capacity(1 << 16, out);
    w.write_all(BASE_HEADER.as_bytes())?;
    let mut acc = truth::Acc::new();
    let mut matching_any = 0u64;
    let mut overlap_left = chosen.into_iter();
    let mut need = want;
    for i in 0..n {
        let take = need > 0 && rng.random_range(0..n - i) < need;
        let picked = if take { overlap_left.next() } else { None };
        let (national, cnic) = match picked {
            Some(p) => {
                need -= 1;
                (p as u64, (p >> 64) as u64)
            }
            None => (people::new_msisdn(&mut rng), people::new_cnic(&mut rng)),
        };
        let person = Person::for_cnic(&mut rng, cnic);
        let row = row::draw_row(&mut rng, &rates, i + 1, national, person);
        let hit_m = row
            .msisdn
            .valid()
            .is_some_and(|m| dump.msisdns.binary_search(&m).is_ok());
        let hit_c = row
            .cnic
            .valid()
            .is_some_and(|c| dump.cnics.binary_search(&c).is_ok());
        if hit_m || hit_c {
            matching_any += 1;
        }
        base_row(&mut w, &row)?;
        acc.observe(&row, true);
    }
    w.flush()?;
    let (t, sets) = acc.finish();
    let overlap = OverlapTruth {
        msisdn: truth::intersect(&sets.msisdns, &dump.msisdns),
        cnic: truth::intersect(&sets.cnics, &dump.cnics),
        pair: truth::intersect(&sets.pairs, &dump.pairs),
        base_rows_matching_any: matching_any,
    };
    Ok((t, overlap))
}
