//! Choosing identifier columns by name or position.
//!
//! Names are compared after normalization: ASCII letters and digits only, lowercased
//! (`"Mobile No."` → `mobileno`). Automatic choice (used for a kind unless the user named
//! columns of that kind):
//! - MSISDN: after dropping trailing digits (`mobile2` → `mobile`) one of msisdn, mobile,
//!   mobileno, mobilenumber, mobilenum, phone, phoneno, phonenumber, cell, cellno, cellnumber,
//!   cellphone, contact, contactno, contactnumber, number, msisdnno, msisdnnumber, or any name
//!   containing `msisdn`, `mobile` or `phone` — except names that also contain imsi, imei,
//!   model, brand, type, make, operator, network, status or date.
//! - CNIC: after dropping trailing digits one of cnic, cnicno, cnicnumber, nic, nicno,
//!   nicnumber, nationalid, nationalidno, nationalidnumber, idcard, idcardno, idcardnumber, or
//!   any name containing `cnic` — except names containing date, issue, expiry, place, status or
//!   type.

use crate::emit::{KIND_CNIC, KIND_MSISDN};
use crate::ColumnRef;

/// Lowercased ASCII letters and digits of `raw`.
pub(crate) fn normalize_name(raw: &[u8]) -> String {
    raw.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect()
}

fn stem(norm: &str) -> &str {
    norm.trim_end_matches(|c: char| c.is_ascii_digit())
}

const MSISDN_NAMES: &[&str] = &[
    "msisdn",
    "mobile",
    "mobileno",
    "mobilenumber",
    "mobilenum",
    "phone",
    "phoneno",
    "phonenumber",
    "cell",
    "cellno",
    "cellnumber",
    "cellphone",
    "contact",
    "contactno",
    "contactnumber",
    "number",
    "msisdnno",
    "msisdnnumber",
];
const MSISDN_PARTS: &[&str] = &["msisdn", "mobile", "phone"];
const MSISDN_NOT: &[&str] = &[
    "imsi", "imei", "model", "brand", "type", "make", "operator", "network", "status", "date",
];
const CNIC_NAMES: &[&str] = &[
    "cnic",
    "cnicno",
    "cnicnumber",
    "nic",
    "nicno",
    "nicnumber",
    "nationalid",
    "nationalidno",
    "nationalidnumber",
    "idcard",
    "idcardno",
    "idcardnumber",
];
const CNIC_NOT: &[&str] = &["date", "issue", "expiry", "place", "status", "type"];

fn auto_msisdn(norm: &str) -> bool {
    MSISDN_NAMES.contains(&stem(norm))
        || (MSISDN_PARTS.iter().any(|p| norm.contains(p))
            && !MSISDN_NOT.iter().any(|p| norm.contains(p)))
}

fn auto_cnic(norm: &str) -> bool {
    CNIC_NAMES.contains(&stem(norm))
        || (norm.contains("cnic") && !CNIC_NOT.iter().any(|p| norm.contains(p)))
}

/// Whether a header field looks like data rather than a name (it would then be unsafe to show).
pub(crate) fn looks_like_data(raw: &[u8]) -> bool {
    // Any script's digits: an Urdu or Arabic-Indic number is an identifier too.
    String::from_utf8_lossy(raw)
        .chars()
        .filter(|c| c.is_numeric())
        .count()
        >= 5
}

/// A header name fit for messages: never data, at most 40 characters.
pub(crate) fn display_name(raw: &[u8]) -> String {
    if looks_like_data(raw) {
        return "<data?>".to_string();
    }
    // Control characters (binary input) would garble the terminal: show them as U+FFFD.
    let s: String = String::from_utf8_lossy(raw)
        .trim()
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    let t = s.as_str();
    if t.chars().count() > 40 {
        t.chars().take(40).chain("…".chars()).collect()
    } else {
        t.to_string()
    }
}

/// Kind bits (`KIND_*`) of the field named `raw` at 1-based position `position` (`None` when
/// positions do not apply).
pub(crate) fn kind_of(
    raw: &[u8],
    position: Option<usize>,
    msisdn_cols: &[ColumnRef],
    cnic_cols: &[ColumnRef],
) -> u8 {
    let norm = normalize_name(raw);
    let chosen = |cols: &[ColumnRef], auto: fn(&str) -> bool| {
        if cols.is_empty() {
            // A field holding data (`mobile 03001234567` in prose split at its commas) is not
            // a column name, whatever words it has.
            return !norm.is_empty() && auto(&norm) && !looks_like_data(raw);
        }
        cols.iter().any(|c| match c {
            ColumnRef::Name(n) => normalize_name(n.as_bytes()) == norm,
            ColumnRef::Index(i) => Some(*i) == position,
        })
    };
    let mut kind = 0;
    if chosen(msisdn_cols, auto_msisdn) {
        kind |= KIND_MSISDN;
    }
    if chosen(cnic_cols, auto_cnic) {
        kind |= KIND_CNIC;
    }
    kind
}

/// The user's names that match none of `names`.
pub(crate) fn missing_names<'c>(
    names: &[&[u8]],
    msisdn_cols: &'c [ColumnRef],
    cnic_cols: &'c [ColumnRef],
) -> Vec<&'c str> {
    let have: Vec<String> = names.iter().map(|n| normalize_name(n)).collect();
    msisdn_cols
        .iter()
        .chain(cnic_cols)
        .filter_map(|c| match c {
            ColumnRef::Name(n) if !have.contains(&normalize_name(n.as_bytes())) => Some(n.as_str()),
            _ => None,
        })
        .collect()
}

/// Kind bits per header field, and the display names used per kind.
pub(crate) struct Chosen {
    pub kinds: Vec<u8>,
    pub msisdn: Vec<String>,
    pub cnic: Vec<String>,
}

/// Chooses columns from a header (`names`), or from positions only when `names` is `None`.
pub(crate) fn choose(
    names: Option<&[&[u8]]>,
    width: usize,
    msisdn_cols: &[ColumnRef],
    cnic_cols: &[ColumnRef],
) -> Chosen {
    let mut chosen = Chosen {
        kinds: Vec::new(),
        msisdn: Vec::new(),
        cnic: Vec::new(),
    };
    let by_index = |cols: &[ColumnRef], pos: usize| {
        cols.iter()
            .any(|c| matches!(c, ColumnRef::Index(i) if *i == pos))
    };
    let max_index = msisdn_cols
        .iter()
        .chain(cnic_cols)
        .filter_map(|c| match c {
            ColumnRef::Index(i) => Some(*i),
            ColumnRef::Name(_) => None,
        })
        .max()
        .unwrap_or(0);
    for pos in 1..=width.max(max_index) {
        let (kind, label) = match names.and_then(|n| n.get(pos - 1)) {
            Some(raw) => (
                kind_of(raw, Some(pos), msisdn_cols, cnic_cols),
                display_name(raw),
            ),
            None => {
                let mut k = 0;
                if by_index(msisdn_cols, pos) {
                    k |= KIND_MSISDN;
                }
                if by_index(cnic_cols, pos) {
                    k |= KIND_CNIC;
                }
                (k, format!("#{pos}"))
            }
        };
        if kind & KIND_MSISDN != 0 {
            chosen.msisdn.push(label.clone());
        }
        if kind & KIND_CNIC != 0 {
            chosen.cnic.push(label);
        }
        chosen.kinds.push(kind);
    }
    while chosen.kinds.last() == Some(&0) {
        chosen.kinds.pop();
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(name: &str) -> u8 {
        kind_of(name.as_bytes(), Some(1), &[], &[])
    }

    #[test]
    fn auto_names() {
        for m in [
            "MSISDN",
            "Mobile No.",
            "mobile_number",
            "Phone1",
            "cell",
            "Contact No",
            "alt_mobile",
        ] {
            assert_eq!(auto(m), KIND_MSISDN, "{m}");
        }
        for c in [
            "CNIC",
            "cnic_no",
            "CNIC Number",
            "National ID",
            "nic",
            "IDCard",
            "cnic2",
        ] {
            assert_eq!(auto(c), KIND_CNIC, "{c}");
        }
        for n in [
            "imsi",
            "IMEI",
            "phone_model",
            "name",
            "cell_id",
            "cnic_issue_date",
            "id",
            "",
        ] {
            assert_eq!(auto(n), 0, "{n}");
        }
    }

    #[test]
    fn a_header_field_holding_data_names_no_column() {
        assert_eq!(auto(" mobile 03789179266"), 0);
        assert_eq!(auto("CNIC 3277050493095"), 0);
        assert_eq!(auto("mobile"), KIND_MSISDN);
    }

    #[test]
    fn user_columns_override_one_kind() {
        let m = [ColumnRef::Name("Subscriber".into())];
        assert_eq!(kind_of(b"subscriber", Some(2), &m, &[]), KIND_MSISDN);
        assert_eq!(kind_of(b"mobile", Some(1), &m, &[]), 0);
        assert_eq!(kind_of(b"cnic", Some(3), &m, &[]), KIND_CNIC);
        let c = [ColumnRef::Index(3)];
        assert_eq!(kind_of(b"x", Some(3), &[], &c), KIND_CNIC);
        assert_eq!(
            missing_names(&[b"a".as_slice()], &m, &c),
            vec!["Subscriber"]
        );
    }

    #[test]
    fn display_never_shows_data() {
        assert_eq!(display_name(b"03001234567"), "<data?>");
        assert_eq!(display_name(b" Mobile "), "Mobile");
    }

    /// A header cell holding an identifier in Urdu digits, or binary bytes, is never echoed.
    #[test]
    fn display_name_hides_wide_digit_data_and_control_bytes() {
        assert_eq!(display_name("۰۳۰۰۱۲۳۴۵۶۷".as_bytes()), "<data?>");
        assert_eq!(display_name("٣٥٢٠٢١٢٣٤٥٦٧١".as_bytes()), "<data?>");
        assert_eq!(
            display_name(b"\x7fELF\x02\x01"),
            "\u{fffd}ELF\u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn choose_by_position() {
        let c = choose(None, 2, &[ColumnRef::Index(3)], &[ColumnRef::Index(1)]);
        assert_eq!(c.kinds, vec![KIND_CNIC, 0, KIND_MSISDN]);
        assert_eq!(c.msisdn, vec!["#3"]);
    }
}
