//! Exact normalization of MSISDNs and CNICs (stub: bodies to be written).

/// Why a candidate identifier was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    /// Nothing there (empty or only separators).
    Empty,
    /// Digits of the right shape but not a PK mobile number (landline, unallocated prefix).
    NotMobile,
    /// Wrong number of digits.
    BadLength,
    /// Excel scientific notation: digits were lost and are never guessed.
    Lossy,
    /// Characters that are not digits or accepted separators.
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

/// A Pakistani mobile number in canonical form: ASCII `92` + 10-digit national number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Msisdn([u8; 12]);

/// A 13-digit CNIC in canonical form (ASCII digits, no dashes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnic([u8; 13]);

/// Original operator allocation of a mobile prefix (not the current operator: numbers port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// 030x, 032x (032x was Warid, merged into Jazz).
    Jazz,
    /// 031x, 037x.
    Zong,
    /// 033x.
    Ufone,
    /// 034x.
    Telenor,
    /// 0355 (Special Communications Organization).
    Sco,
    /// 0364.
    Instaphone,
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

/// Gender as registered in a CNIC's last digit (odd: male, even: female). Not authoritative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegisteredGender {
    /// Odd last digit.
    Male,
    /// Even last digit.
    Female,
}

impl Msisdn {
    /// Normalizes any accepted written form. Allocates nothing.
    pub fn parse(_input: &[u8]) -> Result<Msisdn, RejectReason> {
        todo!()
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
    /// Original allocation of the prefix.
    pub fn operator(&self) -> Operator {
        todo!()
    }
}

impl Cnic {
    /// Normalizes any accepted written form. Allocates nothing.
    pub fn parse(_input: &[u8]) -> Result<Cnic, RejectReason> {
        todo!()
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
        todo!()
    }
    /// Registered gender by last digit.
    pub fn registered_gender(&self) -> RegisteredGender {
        todo!()
    }
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
