//! CNIC normalizer: never panics; a success is canonical and parses to itself (idempotent).
#![no_main]

use leakmatch_fuzz::check_cnic_canonical;
use leakmatch_ingest::Cnic;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Cnic::parse(data) {
        check_cnic_canonical(c.as_str());
        assert_eq!(Cnic::from_u64(c.to_u64()).ok(), Some(c));
        let _ = (c.province(), c.registered_gender());
    }
});
