//! MSISDN normalizer: never panics; a success is canonical and parses to itself (idempotent).
#![no_main]

use leakmatch_fuzz::check_msisdn_canonical;
use leakmatch_ingest::Msisdn;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Msisdn::parse(data) {
        check_msisdn_canonical(m.as_str());
        assert_eq!(Msisdn::from_national(m.to_u64()).ok(), Some(m));
        let _ = m.operator();
    }
});
