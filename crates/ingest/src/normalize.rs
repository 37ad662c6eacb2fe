//! Exact normalization of MSISDNs and CNICs.
//!
//! Both parsers take raw bytes, allocate nothing, and either return the canonical identifier or
//! a [`RejectReason`]. Nothing is guessed. The rules, documented on [`Msisdn::parse`] and
//! [`Cnic::parse`], are the contract: changing any of them changes which tokens are produced
//! and requires bumping [`NORMALIZATION_VERSION`](crate::NORMALIZATION_VERSION).
//!
//! Layout: `digits` is the shared byte scanner, `plain` its fast path for the commonest forms,
//! `known` the rules applied to digits scan mode already extracted, `allocation` the
//! operator/province tables.

mod allocation;
mod digits;
mod known;
mod plain;
#[cfg(test)]
mod tests;

pub use allocation::{Operator, Province, RegisteredGender};

/// Why a candidate identifier was rejected. See [`Msisdn::parse`] and
/// [`Cnic::parse`] for the exact rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    /// Nothing there: empty, or only whitespace, quotes and separators.
    Empty,
    /// The right number of digits but not a valid identifier. MSISDN: not a PK mobile number
    /// (unallocated prefix such as 0338, a landline, a foreign `+` country code). CNIC: 13
    /// digits whose first digit is not a province (0, 8, 9) or whose last digit is 0.
    NotMobile,
    /// Wrong number of digits (MSISDN: see the module docs; CNIC: not 13).
    BadLength,
    /// Excel scientific notation (`9.23001E+11`): digits were lost and are never guessed.
    Lossy,
    /// Characters that are not digits or accepted separators, a `+` after a digit (or any `+`
    /// in a CNIC), or a decimal fraction other than `.0`/`.00`.
    Junk,
}

impl RejectReason {
    /// Number of reasons (for per-reason counter arrays).
    pub const COUNT: usize = 5;
    /// All reasons, in counter-array order.
    pub const ALL: [RejectReason; 5] = [
        RejectReason::Empty,
        RejectReason::NotMobile,
        RejectReason::BadLength,
        RejectReason::Lossy,
        RejectReason::Junk,
    ];
    /// Index into a `[u64; COUNT]` counter array.
    pub fn index(self) -> usize {
        self as usize
    }
    /// Stable snake_case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            RejectReason::Empty => "empty",
            RejectReason::NotMobile => "not_mobile",
            RejectReason::BadLength => "bad_length",
            RejectReason::Lossy => "lossy",
            RejectReason::Junk => "junk",
        }
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for RejectReason {}

/// A Pakistani mobile number in canonical form: ASCII `92` + 10-digit national number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Msisdn([u8; 12]);

/// A 13-digit CNIC in canonical form (ASCII digits, no dashes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnic([u8; 13]);

/// Longest accepted MSISDN digit string: `0092` + trunk `0` + 10 digits.
const MSISDN_MAX_DIGITS: usize = 15;

impl Msisdn {
    /// Normalizes any accepted written form. Allocates nothing.
    ///
    /// # Lexical rules (shared with [`Cnic::parse`])
    ///
    /// 1. **Trim.** Surrounding ASCII whitespace and quotes (`"` and `'`, in any number and
    ///    combination) are dropped, as is a leading Excel text-formula `="` (as in `="0300…"`).
    /// 2. **Characters.** What remains may contain only:
    ///    - digits: ASCII `0`-`9`, Extended Arabic-Indic/Urdu `۰`-`۹` (U+06F0-U+06F9) and
    ///      Arabic-Indic `٠`-`٩` (U+0660-U+0669), freely mixed;
    ///    - separators, anywhere and in any number (leading, trailing, doubled, between any two
    ///      digits — dumps are messy, so digit grouping is not checked): ASCII whitespace, `-`,
    ///      `.`, `(`, `)`, and U+00A0 NO-BREAK SPACE, U+202F NARROW NO-BREAK SPACE, U+200B ZERO
    ///      WIDTH SPACE, U+200E/U+200F/U+061C direction marks;
    ///    - `+`, only before the first digit.
    ///
    ///    Anything else (letters, `*`, `/`, `,`, inner quotes, invalid UTF-8, …) is
    ///    [`Junk`](RejectReason::Junk), unless the whole text is scientific notation.
    /// 3. **Scientific notation** — `[+-]? d+ ([.,] d*)? [eE] [+-]? d+` in ASCII, e.g.
    ///    `9.23001E+11`, `3.52021E+12`, `9.23e11` — is always [`Lossy`](RejectReason::Lossy),
    ///    even when the mantissa happens to hold every digit: Excel dropped digits, we never
    ///    guess them.
    /// 4. **Excel decimal suffix.** If the text contains exactly one `.` and it is followed by one
    ///    or two digits at the very end, that is a decimal fraction, not a digit group: `.0` and
    ///    `.00` (in any script) are dropped (`923001234567.0`, `3001234567.0`); any other
    ///    fraction (`923001234567.5`) is [`Junk`](RejectReason::Junk), since a non-integer number
    ///    is no identifier. Every other `.` is a separator, so dotted groups such as
    ///    `300.123.4567`, `0300.1234567` or `35202.1234567.1` are accepted. (Hence
    ///    `3001234.000` is the dotted group `000`, not a fraction.)
    /// 5. **Counting.** No digit at all is [`Empty`](RejectReason::Empty) (also empty input, or
    ///    only whitespace, quotes, separators). Reason precedence is `Lossy`, then `Junk`, then
    ///    `Empty`, then the length and validity rules, whatever the position of the bad character.
    ///
    /// # MSISDN rules
    ///
    /// From the digit string `D`, the national significant number `N` is found by:
    /// - a leading `+` means a country code follows: `D` must start with `92`, which is removed;
    ///   otherwise the number is foreign: [`NotMobile`](RejectReason::NotMobile) (`+44 …`);
    /// - otherwise a leading `0092` (international access code) is removed, or a leading `92`
    ///   unless `D` has exactly 10 digits (then `D` is a bare national number, `NotMobile`);
    /// - then one trunk `0` is removed if present: `03001234567`, and after a country code, `+92
    ///   (0) 300 1234567` / `+92 0300 1234567` / `0092 0300 1234567`;
    /// - otherwise `D` is a bare national number (`3001234567`).
    ///
    /// `N` must have 10 digits and match libphonenumber's PK mobile pattern
    /// `3(?:[0-247]\d|3[0-79]|55|64)\d{7}`; a 10-digit `N` that does not (0338…, 035x but 0355,
    /// 036x but 0364, 038x, 039x, landlines like `042-12345678`) is `NotMobile`. When `N` has
    /// another length:
    /// - a bare `D` (no prefix removed) is `BadLength`;
    /// - a prefixed `N` of 7-9 digits not starting with `3` or `0` is `NotMobile`: a complete PK
    ///   non-mobile number (landline `051-1234567`, toll-free `0800-12345`);
    /// - anything else is `BadLength` (e.g. `92300123456`, `0300123456`, `030012345678`).
    ///
    /// More than 15 digits (the longest accepted form, `0092 0300 1234567`) is `BadLength`.
    #[inline]
    pub fn parse(input: &[u8]) -> Result<Msisdn, RejectReason> {
        Self::parse_with::<false>(input)
    }

    /// [`Msisdn::parse`], tuned for scan mode's digit runs (same result, see `plain::scan_run`).
    #[inline]
    pub(crate) fn parse_run(input: &[u8]) -> Result<Msisdn, RejectReason> {
        Self::parse_with::<true>(input)
    }

    #[inline(always)]
    fn parse_with<const RUN: bool>(input: &[u8]) -> Result<Msisdn, RejectReason> {
        // Fast path for the common plain forms (`923001234567`, `03001234567`): the scanner
        // would return these digits unchanged.
        if (10..=MSISDN_MAX_DIGITS).contains(&input.len())
            && plain::all_ascii_digits(input) == Some(true)
        {
            return Self::from_digits(input, false);
        }
        // And `+923001234567`: the scanner would return the digits after the `+`.
        if let [b'+', rest @ ..] = input {
            if (10..=MSISDN_MAX_DIGITS).contains(&rest.len())
                && plain::all_ascii_digits(rest) == Some(true)
            {
                return Self::from_digits(rest, true);
            }
        }
        let scanned = if RUN {
            plain::scan_run::<MSISDN_MAX_DIGITS>(input)?
        } else {
            digits::scan_any::<MSISDN_MAX_DIGITS>(input)?
        };
        Self::from_digits(scanned.digits(), scanned.plus)
    }

    /// From the 10-digit national number as an integer (`3001234567`), the inverse of
    /// [`to_u64`](Self::to_u64). `BadLength` from 10^10 up, `NotMobile` if not a mobile number.
    pub fn from_national(national: u64) -> Result<Msisdn, RejectReason> {
        let mut out = *b"920000000000";
        if !write_decimal(national, &mut out[2..]) {
            return Err(RejectReason::BadLength);
        }
        Self::from_canonical(out)
    }

    /// The 10-digit national number as an integer (`3001234567`; the `92` is implied).
    pub fn to_u64(&self) -> u64 {
        read_decimal(&self.0[2..])
    }

    /// The 12 canonical ASCII digits.
    pub fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }

    /// The canonical form as text.
    pub fn as_str(&self) -> &str {
        // Always ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// Original allocation of the prefix (numbers port between operators; this is not the
    /// current operator).
    pub fn operator(&self) -> Operator {
        allocation::operator(self.0[3])
    }

    #[inline]
    fn from_digits(d: &[u8], plus: bool) -> Result<Msisdn, RejectReason> {
        let (rest, mut prefixed) = if plus {
            match d.strip_prefix(b"92") {
                Some(rest) => (rest, true),
                None => return Err(RejectReason::NotMobile),
            }
        } else if let Some(rest) = d.strip_prefix(b"0092") {
            (rest, true)
        } else if let Some(rest) = d.strip_prefix(b"92").filter(|_| d.len() != 10) {
            (rest, true)
        } else {
            (d, false)
        };
        let nsn = match rest.strip_prefix(b"0") {
            Some(nsn) => {
                prefixed = true;
                nsn
            }
            None => rest,
        };
        if let Ok(nsn) = <&[u8; 10]>::try_from(nsn) {
            if !allocation::is_mobile(nsn) {
                return Err(RejectReason::NotMobile);
            }
            let mut out = *b"920000000000";
            out[2..].copy_from_slice(nsn);
            return Ok(Msisdn(out));
        }
        match nsn.first() {
            Some(b'1' | b'2' | b'4'..=b'9') if prefixed && (7..=9).contains(&nsn.len()) => {
                Err(RejectReason::NotMobile)
            }
            _ => Err(RejectReason::BadLength),
        }
    }

    #[inline]
    fn from_canonical(out: [u8; 12]) -> Result<Msisdn, RejectReason> {
        match out.get(2..).and_then(|n| <&[u8; 10]>::try_from(n).ok()) {
            Some(nsn) if allocation::is_mobile(nsn) => Ok(Msisdn(out)),
            _ => Err(RejectReason::NotMobile),
        }
    }
}

impl Cnic {
    /// Normalizes any accepted written form. Allocates nothing.
    ///
    /// The lexical rules (characters, separators, trimming, scientific notation, the Excel
    /// `.0` suffix, reason precedence) are those of [`Msisdn::parse`].
    ///
    /// # CNIC rules
    ///
    /// A leading `+` is `Junk`. Exactly 13 digits are required (else `BadLength`); they are valid
    /// when the first digit is a province (1-7) and the last is not 0, as in python-stdnum's
    /// `stdnum.pk.cnic`. Thirteen digits failing that are `NotMobile` ("right length, fails the
    /// identifier's own rules"; see [`RejectReason`]).
    #[inline]
    pub fn parse(input: &[u8]) -> Result<Cnic, RejectReason> {
        Self::parse_with::<false>(input)
    }

    /// [`Cnic::parse`], tuned for scan mode's digit runs (same result, see `plain::scan_run`).
    #[inline]
    pub(crate) fn parse_run(input: &[u8]) -> Result<Cnic, RejectReason> {
        Self::parse_with::<true>(input)
    }

    #[inline(always)]
    fn parse_with<const RUN: bool>(input: &[u8]) -> Result<Cnic, RejectReason> {
        // Fast path for the plain form, which the scanner would return unchanged, and the
        // dashed form `35202-1234567-1`, whose digits it would return.
        if let Ok(d) = <[u8; 13]>::try_from(input) {
            // A fixed-length loop the compiler unrolls: 4x faster here than the word test.
            if d.iter().all(u8::is_ascii_digit) {
                return Self::from_canonical(d);
            }
        }
        if let Some(d) = plain::dashed_cnic(input) {
            return Self::from_canonical(d);
        }
        let scanned = if RUN {
            plain::scan_run::<13>(input)?
        } else {
            digits::scan_any::<13>(input)?
        };
        if scanned.plus {
            return Err(RejectReason::Junk);
        }
        match <[u8; 13]>::try_from(scanned.digits()) {
            Ok(d) => Self::from_canonical(d),
            Err(_) => Err(RejectReason::BadLength),
        }
    }

    /// From the 13-digit number as an integer, the inverse of [`to_u64`](Self::to_u64).
    /// `BadLength` from 10^13 up, `NotMobile` if the digits are not a valid CNIC.
    pub fn from_u64(value: u64) -> Result<Cnic, RejectReason> {
        let mut out = [b'0'; 13];
        if !write_decimal(value, &mut out) {
            return Err(RejectReason::BadLength);
        }
        Self::from_canonical(out)
    }

    /// The 13 digits as an integer.
    pub fn to_u64(&self) -> u64 {
        read_decimal(&self.0)
    }

    /// The 13 canonical ASCII digits.
    pub fn as_bytes(&self) -> &[u8; 13] {
        &self.0
    }

    /// The canonical form as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// Province by first digit.
    pub fn province(&self) -> Province {
        allocation::province(self.0[0])
    }

    /// Registered gender by last digit (odd: male, even: female). As registered, not
    /// authoritative.
    pub fn registered_gender(&self) -> RegisteredGender {
        if (self.0[12] - b'0') % 2 == 1 {
            RegisteredGender::Male
        } else {
            RegisteredGender::Female
        }
    }

    #[inline]
    fn from_canonical(d: [u8; 13]) -> Result<Cnic, RejectReason> {
        if allocation::is_cnic(&d) {
            Ok(Cnic(d))
        } else {
            Err(RejectReason::NotMobile)
        }
    }
}

/// Writes `value` as zero-padded ASCII decimal filling `out`; false if it does not fit.
fn write_decimal(mut value: u64, out: &mut [u8]) -> bool {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    value == 0
}

/// Reads ASCII decimal digits (always valid here by construction).
fn read_decimal(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 10 + u64::from(d.wrapping_sub(b'0')))
}

// Never print the value: Debug is redacted so an identifier cannot leak through `{:?}`.
impl std::fmt::Debug for Msisdn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msisdn(<redacted>)")
    }
}
impl std::fmt::Debug for Cnic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cnic(<redacted>)")
    }
}
