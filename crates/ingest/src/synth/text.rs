//! Free text for scan mode, and the address and date text shared with every format.

use super::render::{push_cnic, push_msisdn};
use super::row::{Address, Field, Row};

const AREAS: [&str; 10] = [
    "Model Town",
    "Gulberg",
    "Johar Town",
    "Satellite Town",
    "Gulshan-e-Iqbal",
    "Cantt",
    "Saddar",
    "Civil Lines",
    "Hayatabad",
    "Samanabad",
];
const SECTORS: [&str; 4] = ["G", "F", "I", "E"];

/// Address text; in Text (`flat`) lines never break and numbers stay separated by words.
pub(super) fn address(a: &Address, city: &str, last: &str, flat: bool) -> String {
    let sep = if a.multiline && !flat { "\n" } else { ", " };
    let (h, s, area) = (a.house, a.street, AREAS[usize::from(a.area) % AREAS.len()]);
    let letter = char::from(b'A' + a.letter % 8);
    let line = match a.kind {
        0..=5 if city == "Islamabad" => {
            let sector = SECTORS[usize::from(a.letter) % SECTORS.len()];
            format!(
                "House {h}, Street {s}, {sector}-{}/{}",
                6 + a.area % 6,
                1 + a.letter % 4
            )
        }
        0..=5 => format!("House {h}, Street {s}, {area}"),
        6..=9 => format!("Flat {h}, Block {letter}, {area}"),
        10..=12 => format!(
            "Mohalla {}abad, Near \"Jamia\" Masjid",
            last.replace('\'', "")
        ),
        13..=15 => format!("Shop {h}, {last}'s Plaza, {area}"),
        16 => format!("Qr. {h}\\{s}, Railway Colony"),
        _ => format!("Village Chak {h}, Tehsil {city}"),
    };
    format!("{line}{sep}{city}")
}

pub(super) fn push_date(out: &mut String, row: &Row) {
    let (y, m, d) = row.date;
    out.push_str(&if row.dmy_date {
        format!("{d:02}/{m:02}/{y}")
    } else {
        format!("{y}-{m:02}-{d:02}")
    });
}

/// A free-text line: valid identifiers only, in every form a column holds (spaced, bracketed,
/// Urdu and Arabic-Indic digits, Excel's `.0`), each separated from any other number by words. Decoy numbers (house, street, sector, Chak, date, postal code) all
/// have fewer than 10 digits. Junk identifiers are left out of the line.
pub(super) fn text_line(out: &mut String, row: &Row) {
    let p = &row.person;
    let mut m = String::new();
    if let Field::Valid(v, f) = row.msisdn {
        push_msisdn(&mut m, v, f);
    }
    let mut c = String::new();
    if let Field::Valid(v, f) = row.cnic {
        push_cnic(&mut c, v, f);
    }
    let mut date = String::new();
    push_date(&mut date, row);
    let name = format!("{} {}", p.first, p.last);
    let opt = |label: &str, v: &str| {
        if v.is_empty() {
            String::new()
        } else {
            format!("{label}{v}")
        }
    };
    let line = match row.text_template {
        0 => format!(
            "{name} {}/o {} {}{}{}, {}",
            if p.cnic % 2 == 1 { 's' } else { 'd' },
            p.father,
            p.last,
            opt(", mobile ", &m),
            opt(", CNIC ", &c),
            address(&row.address, p.city, p.last, true)
        ),
        1 => format!(
            "Name: {name}{}{} | City: {} | Reg: {date}",
            opt(" | Cell: ", &m),
            opt(" | NIC: ", &c),
            p.city
        ),
        2 => format!(
            "{name} ({}){} registered {date}{}",
            p.city,
            opt(" contact ", &m),
            opt(" CNIC ", &c)
        ),
        _ => format!(
            "Subscriber {name}, {}{}{}, postal code {}",
            p.city,
            opt(": SIM ", &m),
            opt(" against CNIC ", &c),
            44_000 + u32::from(row.address.house) * 10
        ),
    };
    out.push_str(&line);
}
