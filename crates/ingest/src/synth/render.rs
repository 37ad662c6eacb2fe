//! Written forms of canonical identifiers, and junk forms whose rejection reason is known by
//! construction (never by asking the normalizer: the generator's truth is what checks it).
//!
//! An MSISDN is held as its 10-digit national number (`3xxxxxxxxx`), a CNIC as its 13 digits.

use crate::RejectReason;

/// A valid written form of an MSISDN (national number `3001234567` in the examples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MsisdnForm {
    /// `+92 300 1234567`
    IntlSpaced,
    /// `+923001234567`
    Plus,
    /// `923001234567`
    Intl,
    /// `03001234567`
    National,
    /// `0300-1234567`
    NationalDash,
    /// `0092 300 1234567`
    ZeroZeroSpaced,
    /// `00923001234567`
    ZeroZero,
    /// `3001234567`
    Bare,
    /// `(0300) 1234567`
    Parens,
    /// `+92 (0) 300 1234567`
    PlusZeroParen,
    /// `+92 0300 1234567`
    PlusTrunk,
    /// `+92-300-123-4567`
    PlusDashed,
    /// `03001234567` in Urdu (Extended Arabic-Indic) digits.
    UrduNational,
    /// `0300-1234567` in Urdu digits.
    UrduNationalDash,
    /// `923001234567` in Arabic-Indic digits.
    ArabicIntl,
    /// `923001234567.0` (a spreadsheet float).
    IntlDotZero,
    /// `3001234567.0`
    BareDotZero,
}

/// Forms with their relative weights in a messy dump.
pub(crate) const MSISDN_FORMS: [(MsisdnForm, u32); 17] = [
    (MsisdnForm::IntlSpaced, 4),
    (MsisdnForm::Plus, 8),
    (MsisdnForm::Intl, 22),
    (MsisdnForm::National, 22),
    (MsisdnForm::NationalDash, 10),
    (MsisdnForm::ZeroZeroSpaced, 2),
    (MsisdnForm::ZeroZero, 2),
    (MsisdnForm::Bare, 8),
    (MsisdnForm::Parens, 2),
    (MsisdnForm::PlusZeroParen, 2),
    (MsisdnForm::PlusTrunk, 2),
    (MsisdnForm::PlusDashed, 2),
    (MsisdnForm::UrduNational, 2),
    (MsisdnForm::UrduNationalDash, 1),
    (MsisdnForm::ArabicIntl, 1),
    (MsisdnForm::IntlDotZero, 4),
    (MsisdnForm::BareDotZero, 2),
];

impl MsisdnForm {
    /// Whether a JSON dump may write this form as a bare JSON number.
    pub(crate) fn json_numeric(self) -> bool {
        matches!(self, MsisdnForm::Intl | MsisdnForm::Bare)
    }
}

/// A valid written form of a CNIC (`3520212345671` in the examples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CnicForm {
    /// `35202-1234567-1`
    Dashed,
    /// `3520212345671`
    Compact,
    /// `35202 1234567 1`
    Spaced,
    /// `35202-1234567-1` in Urdu digits.
    UrduDashed,
    /// `3520212345671` in Arabic-Indic digits.
    ArabicCompact,
    /// `3520212345671.0`
    CompactDotZero,
}

/// Forms with their relative weights in a messy dump.
pub(crate) const CNIC_FORMS: [(CnicForm, u32); 6] = [
    (CnicForm::Dashed, 45),
    (CnicForm::Compact, 40),
    (CnicForm::Spaced, 5),
    (CnicForm::UrduDashed, 3),
    (CnicForm::ArabicCompact, 2),
    (CnicForm::CompactDotZero, 5),
];

const URDU_ZERO: u32 = 0x06F0;
const ARABIC_ZERO: u32 = 0x0660;

/// ASCII digits of `v`, left-padded with zeros to `N`.
pub(crate) fn digits<const N: usize>(mut v: u64) -> [u8; N] {
    let mut d = [b'0'; N];
    for slot in d.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    d
}

fn push_ascii(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        out.push(char::from(b));
    }
}

/// Appends `s`, replacing ASCII digits by the digits of another script.
fn push_script(out: &mut String, s: &str, zero: u32) {
    for c in s.chars() {
        match c.to_digit(10) {
            Some(d) => out.push(char::from_u32(zero + d).unwrap_or(c)),
            None => out.push(c),
        }
    }
}

/// Appends the form of national number `national`.
pub(crate) fn push_msisdn(out: &mut String, national: u64, form: MsisdnForm) {
    let d: [u8; 10] = digits(national);
    let s = |r: std::ops::Range<usize>| std::str::from_utf8(&d[r]).unwrap_or("");
    let (code, sub) = (s(0..3), s(3..10));
    use MsisdnForm::*;
    let text = match form {
        IntlSpaced => format!("+92 {code} {sub}"),
        Plus => format!("+92{code}{sub}"),
        Intl => format!("92{code}{sub}"),
        National => format!("0{code}{sub}"),
        NationalDash => format!("0{code}-{sub}"),
        ZeroZeroSpaced => format!("0092 {code} {sub}"),
        ZeroZero => format!("0092{code}{sub}"),
        Bare => format!("{code}{sub}"),
        Parens => format!("(0{code}) {sub}"),
        PlusZeroParen => format!("+92 (0) {code} {sub}"),
        PlusTrunk => format!("+92 0{code} {sub}"),
        PlusDashed => format!("+92-{code}-{}-{}", s(3..6), s(6..10)),
        UrduNational => return push_script(out, &format!("0{code}{sub}"), URDU_ZERO),
        UrduNationalDash => return push_script(out, &format!("0{code}-{sub}"), URDU_ZERO),
        ArabicIntl => return push_script(out, &format!("92{code}{sub}"), ARABIC_ZERO),
        IntlDotZero => format!("92{code}{sub}.0"),
        BareDotZero => format!("{code}{sub}.0"),
    };
    out.push_str(&text);
}

/// Appends the form of CNIC `cnic`.
pub(crate) fn push_cnic(out: &mut String, cnic: u64, form: CnicForm) {
    let d: [u8; 13] = digits(cnic);
    let s = |r: std::ops::Range<usize>| std::str::from_utf8(&d[r]).unwrap_or("");
    let (a, b, c) = (s(0..5), s(5..12), s(12..13));
    match form {
        CnicForm::Dashed => out.push_str(&format!("{a}-{b}-{c}")),
        CnicForm::Compact => push_ascii(out, &d),
        CnicForm::Spaced => out.push_str(&format!("{a} {b} {c}")),
        CnicForm::UrduDashed => push_script(out, &format!("{a}-{b}-{c}"), URDU_ZERO),
        CnicForm::ArabicCompact => push_script(out, s(0..13), ARABIC_ZERO),
        CnicForm::CompactDotZero => {
            push_ascii(out, &d);
            out.push_str(".0");
        }
    }
}

/// Excel's display of a large integer in a General cell: 6 significant digits, rounded,
/// trailing zeros dropped (`923001234567` → `9.23001E+11`). The lost digits are gone for good.
pub(crate) fn excel_scientific(v: u64) -> String {
    let len = v.checked_ilog10().unwrap_or(0) + 1;
    if len <= 6 {
        return v.to_string();
    }
    let div = 10u64.pow(len - 6);
    let (mut q, r) = (v / div, v % div);
    if r * 2 >= div {
        q += 1;
    }
    let mut exp = len - 1;
    if q == 1_000_000 {
        q = 100_000;
        exp += 1;
    }
    let m = q.to_string();
    let m = m.trim_end_matches('0');
    let (head, tail) = m.split_at(1);
    if tail.is_empty() {
        format!("{head}E+{exp:02}")
    } else {
        format!("{head}.{tail}E+{exp:02}")
    }
}

/// A junk MSISDN field of certain reason. `pick` is a random number used to vary the junk.
pub(crate) fn junk_msisdn(national: u64, reason: RejectReason, pick: u64) -> String {
    let d: [u8; 10] = digits(national);
    let nat = std::str::from_utf8(&d).unwrap_or("");
    match reason {
        RejectReason::Empty => String::new(),
        // Ten national digits not starting with 3 (Lahore, Karachi landlines), or an 11-digit
        // mobile-looking number in the unallocated 0338 range.
        RejectReason::NotMobile => match pick % 3 {
            0 => format!("042-3{}", &nat[3..10]),
            1 => format!("021-3{}", &nat[3..10]),
            _ => format!("0338{}", &nat[3..10]),
        },
        // A digit lost: `0` + 8 national digits.
        RejectReason::BadLength => format!("0{}", &nat[..8]),
        RejectReason::Lossy => {
            if pick % 3 == 0 {
                excel_scientific(national)
            } else {
                excel_scientific(920_000_000_000 + national)
            }
        }
        RejectReason::Junk => match pick % 4 {
            0 => "N/A".to_owned(),
            1 => "xxx".to_owned(),
            _ => format!("0{}-{}X", &nat[..3], &nat[3..9]),
        },
    }
}

/// A junk CNIC field of certain reason. `NotMobile` is not a CNIC reason and yields junk.
pub(crate) fn junk_cnic(cnic: u64, reason: RejectReason, pick: u64) -> String {
    let d: [u8; 13] = digits(cnic);
    let s = std::str::from_utf8(&d).unwrap_or("");
    match reason {
        RejectReason::Empty => String::new(),
        RejectReason::Lossy => excel_scientific(cnic),
        RejectReason::BadLength => s[..12].to_owned(),
        RejectReason::NotMobile | RejectReason::Junk => match pick % 3 {
            0 => "N/A".to_owned(),
            _ => format!("{}-{}X-{}", &s[..5], &s[5..11], &s[12..]),
        },
    }
}
