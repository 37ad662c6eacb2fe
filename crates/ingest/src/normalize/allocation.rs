//! What the digits of a valid identifier encode: the mobile prefix's original operator, the
//! CNIC's province and registered gender. Pure tables, no identifier is ever stored here.

/// Original operator allocation of a mobile prefix.
///
/// Pakistan has mobile number portability: the prefix says which operator the number was
/// first allocated to, not which operator serves it today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// 030x, 032x (032x was Warid, merged into Jazz).
    Jazz,
    /// 031x, 037x.
    Zong,
    /// 033x (except the unallocated 0338).
    Ufone,
    /// 034x.
    Telenor,
    /// 0355 (Special Communications Organization).
    Sco,
    /// 0364.
    Instaphone,
}

impl Operator {
    /// Number of operators (for per-operator counter arrays).
    pub const COUNT: usize = 6;
    /// All operators, in counter-array order.
    pub const ALL: [Operator; 6] = [
        Operator::Jazz,
        Operator::Zong,
        Operator::Ufone,
        Operator::Telenor,
        Operator::Sco,
        Operator::Instaphone,
    ];
    /// Index into a `[u64; COUNT]` counter array.
    pub fn index(self) -> usize {
        self as usize
    }
    /// The operator of a national number given as an integer (`3001234567`, as
    /// [`Msisdn::to_u64`](crate::Msisdn::to_u64) gives it); `None` unless it is a valid
    /// mobile number. Integer arithmetic only, for counting many keys.
    pub fn of_national(national: u64) -> Option<Operator> {
        if !(3_000_000_000..4_000_000_000).contains(&national) {
            return None;
        }
        let p = (national / 10_000_000) as u32;
        let nsn = [b'3', b'0' + (p / 10 % 10) as u8, b'0' + (p % 10) as u8];
        let mut probe = *b"3000000000";
        probe[..3].copy_from_slice(&nsn);
        is_mobile(&probe).then(|| operator(nsn[1]))
    }

    /// Stable snake_case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Operator::Jazz => "jazz",
            Operator::Zong => "zong",
            Operator::Ufone => "ufone",
            Operator::Telenor => "telenor",
            Operator::Sco => "sco",
            Operator::Instaphone => "instaphone",
        }
    }
}

/// Province or territory encoded by a CNIC's first digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Province {
    /// 1
    KhyberPakhtunkhwa,
    /// 2
    Fata,
    /// 3
    Punjab,
    /// 4
    Sindh,
    /// 5
    Balochistan,
    /// 6
    Islamabad,
    /// 7
    GilgitBaltistan,
}

impl Province {
    /// Number of provinces (for per-province counter arrays).
    pub const COUNT: usize = 7;
    /// All provinces, in counter-array order (= first digit 1 to 7).
    pub const ALL: [Province; 7] = [
        Province::KhyberPakhtunkhwa,
        Province::Fata,
        Province::Punjab,
        Province::Sindh,
        Province::Balochistan,
        Province::Islamabad,
        Province::GilgitBaltistan,
    ];
    /// Index into a `[u64; COUNT]` counter array.
    pub fn index(self) -> usize {
        self as usize
    }
    /// The province of a CNIC given as an integer (as [`Cnic::to_u64`](crate::Cnic::to_u64)
    /// gives it); `None` unless it is a valid CNIC. Integer arithmetic only.
    pub fn of_cnic(value: u64) -> Option<Province> {
        let first = value / 1_000_000_000_000;
        ((1..=7).contains(&first) && value % 10 != 0).then(|| province(b'0' + first as u8))
    }

    /// Stable snake_case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Province::KhyberPakhtunkhwa => "khyber_pakhtunkhwa",
            Province::Fata => "fata",
            Province::Punjab => "punjab",
            Province::Sindh => "sindh",
            Province::Balochistan => "balochistan",
            Province::Islamabad => "islamabad",
            Province::GilgitBaltistan => "gilgit_baltistan",
        }
    }
}

/// Gender as registered in a CNIC's last digit (odd: male, even: female). Not authoritative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegisteredGender {
    /// Odd last digit.
    Male,
    /// Even last digit.
    Female,
}

impl RegisteredGender {
    /// Stable snake_case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            RegisteredGender::Male => "male",
            RegisteredGender::Female => "female",
        }
    }
}

/// Whether a 10-digit ASCII national number matches libphonenumber's PK mobile pattern
/// `3(?:[0-247]\d|3[0-79]|55|64)\d{7}`. The caller guarantees ASCII digits.
#[inline]
pub(super) fn is_mobile(nsn: &[u8; 10]) -> bool {
    debug_assert!(nsn.iter().all(u8::is_ascii_digit));
    match (nsn[0], nsn[1], nsn[2]) {
        (b'3', b'0' | b'1' | b'2' | b'4' | b'7', _) => true,
        (b'3', b'3', c) => c != b'8',
        (b'3', b'5', b'5') | (b'3', b'6', b'4') => true,
        _ => false,
    }
}

/// Operator of a valid national number, from its second digit (`3X…`).
pub(super) fn operator(second_digit: u8) -> Operator {
    match second_digit {
        b'1' | b'7' => Operator::Zong,
        b'3' => Operator::Ufone,
        b'4' => Operator::Telenor,
        b'5' => Operator::Sco,
        b'6' => Operator::Instaphone,
        // 0 and 2; nothing else passes `is_mobile`.
        _ => Operator::Jazz,
    }
}

/// Whether 13 digits are a valid CNIC: first digit 1-7 (a province), last digit not 0. The
/// caller guarantees ASCII digits.
#[inline]
pub(super) fn is_cnic(digits: &[u8; 13]) -> bool {
    debug_assert!(digits.iter().all(u8::is_ascii_digit));
    matches!(digits[0], b'1'..=b'7') && digits[12] != b'0'
}

/// Province of a valid CNIC, from its first digit.
pub(super) fn province(first_digit: u8) -> Province {
    match first_digit {
        b'2' => Province::Fata,
        b'3' => Province::Punjab,
        b'4' => Province::Sindh,
        b'5' => Province::Balochistan,
        b'6' => Province::Islamabad,
        b'7' => Province::GilgitBaltistan,
        // 1; nothing else passes `is_cnic`.
        _ => Province::KhyberPakhtunkhwa,
    }
}
