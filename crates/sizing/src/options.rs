//! What the caller asks for, and `--memory` parsing.

use crate::ParseMemoryError;

/// Options of [`size_inputs`](crate::size_inputs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeOptions {
    /// SIMs a person may register (Pakistan's PTA limit: 8); CNICs with more distinct MSISDNs
    /// are counted as over the limit.
    pub sim_limit: u32,
    /// Bytes the collected sort keys may occupy (8 per MSISDN or CNIC, 16 per pair, duplicates
    /// included until an input is deduplicated). Past it, figures become HyperLogLog estimates.
    pub memory_limit: u64,
    /// Compare every pair of inputs.
    pub overlap: bool,
}

/// Default [`SizeOptions::memory_limit`]: 4 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 4 << 30;
/// Default [`SizeOptions::sim_limit`]: 8, the per-person SIM limit of the PTA.
pub const DEFAULT_SIM_LIMIT: u32 = 8;

impl Default for SizeOptions {
    fn default() -> Self {
        SizeOptions {
            sim_limit: DEFAULT_SIM_LIMIT,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            overlap: false,
        }
    }
}

/// Parses a memory size: a number (decimals allowed) and an optional binary unit `K`, `M`, `G`
/// or `T` (also `KB`, `KiB`, …; case-insensitive). No unit means bytes.
///
/// ```
/// use leakmatch_sizing::parse_memory;
/// assert_eq!(parse_memory("4G"), Ok(4 << 30));
/// assert_eq!(parse_memory("512m"), Ok(512 << 20));
/// assert!(parse_memory("lots").is_err());
/// ```
pub fn parse_memory(text: &str) -> Result<u64, ParseMemoryError> {
    let err = || ParseMemoryError {
        given: text.to_string(),
    };
    let t = text.trim().to_ascii_lowercase();
    let number_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(number_end);
    let shift = match unit.trim() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(err()),
    };
    let value: f64 = number.parse().map_err(|_| err())?;
    let bytes = value * (1u64 << shift) as f64;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(err());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_memory_sizes() {
        assert_eq!(parse_memory("4G"), Ok(4 << 30));
        assert_eq!(parse_memory(" 1.5GiB "), Ok(3 << 29));
        assert_eq!(parse_memory("64k"), Ok(64 << 10));
        assert_eq!(parse_memory("1000"), Ok(1000));
        assert_eq!(parse_memory("2 TB"), Ok(2 << 40));
        for bad in ["", "0", "G", "-1G", "4X", "1e9", "nan"] {
            assert!(parse_memory(bad).is_err(), "{bad}");
        }
    }
}
