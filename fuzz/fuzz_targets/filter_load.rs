//! `.lmf` loader: any bytes are rejected with an error or load into a filter that saves back
//! to exactly the same bytes, read or mapped alike. With the first byte odd, the trailing 64
//! bytes are replaced by the correct integrity hash and MAC under the fuzzing key first, so
//! mutations reach everything the trailer would otherwise guard (header fields, sizes, the
//! bit array).
#![no_main]

use leakmatch_fuzz::scratch;
use leakmatch_hashing::{auth::MAC_KEY_CONTEXT, Filter, Key, Token};
use libfuzzer_sys::fuzz_target;

const KEY: [u8; 32] = [9; 32];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let key = Key::from_bytes(KEY);
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 && bytes.len() >= 64 {
        let body = bytes.len() - 64;
        let integrity = blake3::hash(&bytes[..body]);
        let tag = blake3::keyed_hash(&blake3::derive_key(MAC_KEY_CONTEXT, &KEY), integrity.as_bytes());
        bytes[body..body + 32].copy_from_slice(integrity.as_bytes());
        bytes[body + 32..].copy_from_slice(tag.as_bytes());
    }
    let path = scratch("lmf");
    std::fs::write(&path, &bytes).expect("write scratch file");
    let _ = Filter::open_unauthenticated(&path, mode & 2 == 2);
    let mapped = Filter::map(&path, &key);
    let Ok(mut filter) = Filter::load(&path, &key) else {
        assert!(mapped.is_err(), "map accepted what load refused");
        return;
    };
    let mut mapped = mapped.expect("map refused what load accepted");
    assert_eq!(mapped.bloom.as_bytes(), filter.bloom.as_bytes());
    let _ = filter.checked_fill();
    let again = scratch("lmf-again");
    filter.save(&again, &key).expect("a loaded filter saves");
    assert_eq!(
        std::fs::read(&again).expect("read back"),
        bytes,
        "save(load(x)) != x"
    );
    let _ = filter.bloom.contains(&Token::default());
    let (fill, fpr) = (filter.bloom.fill_ratio(), filter.bloom.implied_fpr());
    assert!((0.0..=1.0).contains(&fill) && (0.0..=1.0).contains(&fpr));
});
