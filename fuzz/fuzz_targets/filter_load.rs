//! `.lmf` loader: any bytes are rejected with an error or load into a filter that saves back
//! to exactly the same bytes, read or mapped alike. With the first byte odd, the trailing 32 bytes are replaced by
//! the correct checksum first, so mutations reach everything the checksum would otherwise
//! guard (header fields, sizes, the bit array).
#![no_main]

use leakmatch_fuzz::scratch;
use leakmatch_hashing::{Filter, Token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 && bytes.len() >= 32 {
        let body = bytes.len() - 32;
        let sum = blake3::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(sum.as_bytes());
    }
    let path = scratch("lmf");
    std::fs::write(&path, &bytes).expect("write scratch file");
    let mapped = Filter::map(&path);
    let Ok(mut filter) = Filter::load(&path) else {
        assert!(mapped.is_err(), "map accepted what load refused");
        return;
    };
    let mut mapped = mapped.expect("map refused what load accepted");
    assert_eq!(mapped.bloom.as_bytes(), filter.bloom.as_bytes());
    let again = scratch("lmf-again");
    filter.save(&again).expect("a loaded filter saves");
    assert_eq!(
        std::fs::read(&again).expect("read back"),
        bytes,
        "save(load(x)) != x"
    );
    let _ = filter.bloom.contains(&Token::default());
    let (fill, fpr) = (filter.bloom.fill_ratio(), filter.bloom.implied_fpr());
    assert!((0.0..=1.0).contains(&fill) && (0.0..=1.0).contains(&fpr));
});
