//! Tests of `file.rs`: round trips, determinism, and that every corruption is an error.

use super::*;
use crate::bloom::tests::tokens;
use crate::{BloomParams, KeyId, TokenKind};
use proptest::prelude::*;

fn small_filter(n: u64) -> Filter {
    let key = Key::from_bytes([9; 32]);
    let params = BloomParams::for_capacity(n.max(1), 1e-3);
    let bloom = BlockedBloom::new(params).unwrap();
    bloom.insert_many(&tokens(n, 0));
    let mut header = FilterHeader::new(key.id(), 1, params, 1e-3);
    header.kinds.insert(TokenKind::Msisdn);
    header.counts.add(TokenKind::Msisdn, n);
    header.measured_fpr = bloom.implied_fpr();
    Filter { header, bloom }
}

fn key() -> Key {
    Key::from_bytes([9; 32])
}

/// Recomputes the integrity hash and the MAC under `key()`: what a forger holding the key
/// could do, or a test reaching past the MAC.
fn reseal(bytes: &mut [u8]) {
    let body = bytes.len() - 64;
    let integrity = blake3::hash(&bytes[..body]);
    let mac_key = blake3::derive_key(crate::auth::MAC_KEY_CONTEXT, &[9; 32]);
    let tag = blake3::keyed_hash(&mac_key, integrity.as_bytes());
    bytes[body..body + 32].copy_from_slice(integrity.as_bytes());
    bytes[body + 32..].copy_from_slice(tag.as_bytes());
}

fn saved(n: u64) -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.lmf");
    small_filter(n).save(&path, &key()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (dir, path, bytes)
}

/// Built in place for its output file, a filter saves to exactly the bytes of one built in
/// memory, leaves no temporary, and stays usable; saved elsewhere it is copied as usual.
#[test]
fn built_in_place_saves_the_same_bytes() {
    let (dir, _, bytes) = saved(500);
    let memory = small_filter(500);
    let path = dir.path().join("in-place.lmf");
    let bloom = BlockedBloom::new_for_file(memory.header.params, &path).unwrap();
    bloom.insert_many(&tokens(500, 0));
    let mut f = Filter {
        header: memory.header.clone(),
        bloom,
    };
    let elsewhere = dir.path().join("elsewhere.lmf");
    f.save(&elsewhere, &key()).unwrap();
    assert_eq!(std::fs::read(&elsewhere).unwrap(), bytes);
    f.save(&path, &key()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(tokens(500, 0).iter().all(|t| f.bloom.contains(t)));
    // Inserting after the save never writes into the saved file; saving the same path again
    // works (now through the ordinary copy).
    f.bloom.insert_many(&tokens(3000, 9));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    f.bloom = Filter::load(&elsewhere, &key()).unwrap().bloom;
    f.save(&path, &key()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    drop(f);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        3,
        "f.lmf, elsewhere.lmf, in-place.lmf and no temporary"
    );
    assert_eq!(Filter::load(&path, &key()).unwrap().header, memory.header);
}

#[test]
fn layout_round_trip_and_determinism() {
    let (dir, path, bytes) = saved(500);
    let f = small_filter(500);
    assert_eq!(&bytes[..8], b"\x89LMF\r\n\x1a\n");
    assert_eq!(&bytes[8..20], &[2, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0]);
    assert_eq!(bytes.len() as u64, 4096 + f.header.params.bytes() + 64);
    let mut resealed = bytes.clone();
    reseal(&mut resealed);
    assert_eq!(resealed, bytes, "trailer = integrity hash, then the MAC");
    let mut loaded = Filter::load(&path, &key()).unwrap();
    assert_eq!(loaded.header, f.header);
    assert!(tokens(500, 0).iter().all(|t| loaded.bloom.contains(t)));
    assert_eq!(loaded.bloom.as_bytes(), &bytes[4096..bytes.len() - 64]);
    // Saving again (or the original again) gives identical bytes.
    let again = dir.path().join("g.lmf");
    let digest = loaded.save(&again, &key()).unwrap();
    assert_eq!(digest, crate::file_digest(&again).unwrap());
    assert_eq!(std::fs::read(&again).unwrap(), bytes);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporaries left"
    );
    // Mapped: the same filter; inserting into it never writes through to the file.
    let mut mapped = Filter::map(&path, &key()).unwrap();
    assert_eq!(mapped.header, f.header);
    assert_eq!(mapped.bloom.as_bytes(), &bytes[4096..bytes.len() - 64]);
    mapped.bloom.insert_many(&tokens(2000, 7));
    assert!(tokens(2000, 7).iter().all(|t| mapped.bloom.contains(t)));
    drop(mapped);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn check_key_reports_both_ids() {
    let f = small_filter(10);
    assert!(f.check_key(&Key::from_bytes([9; 32])).is_ok());
    let other = Key::from_bytes([1; 32]);
    match f.check_key(&other) {
        Err(FilterError::KeyMismatch { filter, key }) => {
            assert_eq!((Some(filter), key), (f.header.key_id(), other.id()));
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn specific_corruptions_have_specific_errors() {
    let (dir, _, bytes) = saved(100);
    let load = |name: &str, b: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        let (read, mapped) = (
            Filter::load(&p, &key()).unwrap_err(),
            Filter::map(&p, &key()).unwrap_err(),
        );
        assert_eq!(
            std::mem::discriminant(&read),
            std::mem::discriminant(&mapped),
            "{read} / {mapped}"
        );
        read
    };
    let mut b = bytes.clone();
    b[0] = b'L';
    assert!(matches!(load("magic", &b), FilterError::BadMagic { .. }));
    let mut b = bytes.clone();
    b[8] = 3;
    assert!(matches!(
        load("version", &b),
        FilterError::UnsupportedVersion { version: 3, .. }
    ));
    let e = load("trunc", &bytes[..bytes.len() - 1]);
    assert!(
        matches!(e, FilterError::Truncated { expected, actual, .. }
        if expected == bytes.len() as u64 && actual == expected - 1),
        "{e}"
    );
    assert!(matches!(
        load("short", &bytes[..100]),
        FilterError::Truncated { .. }
    ));
    assert!(matches!(load("empty", &[]), FilterError::Truncated { .. }));
    let mut b = bytes.clone();
    b[4096 + 10] ^= 1;
    assert!(matches!(
        load("bits", &b),
        FilterError::ChecksumMismatch { .. }
    ));
    let mut b = bytes.clone();
    b[56..64].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(load("absurd", &b), FilterError::Corrupt { .. }));
    let mut b = bytes.clone();
    b[56] ^= 0x80; // plausible but wrong block count: size check, no big allocation
    assert!(matches!(
        load("blocks", &b),
        FilterError::Truncated { .. } | FilterError::Corrupt { .. }
    ));
    let mut b = bytes.clone();
    b.push(0);
    assert!(matches!(load("long", &b), FilterError::Corrupt { .. }));
    let missing = Filter::load(&dir.path().join("missing"), &key()).unwrap_err();
    assert!(matches!(missing, FilterError::Io { .. }));
}

#[test]
fn save_rejects_inconsistent_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.lmf");
    let mut f = small_filter(10);
    f.header.params.k += 1;
    assert!(matches!(
        f.save(&path, &key()),
        Err(FilterError::InvalidParams { .. })
    ));
    let mut f = small_filter(10);
    assert!(matches!(
        f.save(&path, &Key::from_bytes([1; 32])),
        Err(FilterError::KeyMismatch { .. })
    ));
    assert!(matches!(
        f.save_online(&path),
        Err(FilterError::InvalidParams { .. })
    ));
    let mut f = small_filter(10);
    f.header.measured_fpr = f64::NAN;
    assert!(f.save(&path, &key()).is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn merge_unites_and_checks_compatibility() {
    let params = BloomParams::for_capacity(2000, 1e-3);
    let key = Key::from_bytes([9; 32]);
    let part = |offset: u64, kind: TokenKind, _t: u64| {
        let bloom = BlockedBloom::new(params).unwrap();
        bloom.insert_many(&tokens(1000, offset));
        let mut header = FilterHeader::new(key.id(), 1, params, 1e-3);
        header.kinds.insert(kind);
        header.counts.add(kind, 1000);
        Filter { header, bloom }
    };
    let parts = [
        part(0, TokenKind::Msisdn, 5),
        part(1000, TokenKind::Cnic, 7),
    ];
    let mut merged = Filter::merge(&parts).unwrap();
    assert_eq!(merged.header.counts.total(), 2000);
    assert_eq!(merged.header.kinds.bits(), 0b011);
    assert!(merged.header.measured_fpr > 0.0);
    let joint = BlockedBloom::new(params).unwrap();
    joint.insert_many(&tokens(2000, 0));
    assert_eq!(
        merged.bloom.as_bytes(),
        joint.try_clone().unwrap().as_bytes()
    );
    // Merged in place for its output file: the same file as merged in memory and saved.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.lmf"), dir.path().join("b.lmf"));
    merged.save(&a, &key).unwrap();
    Filter::merge_for_file(&parts, &b)
        .unwrap()
        .save(&b, &key)
        .unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    let mut other_key = part(0, TokenKind::Msisdn, 0);
    other_key.header.auth = crate::FilterAuth::SharedKey {
        key_id: KeyId([1; 8]),
    };
    let mut other_norm = part(0, TokenKind::Msisdn, 0);
    other_norm.header.normalization_version = 2;
    let other_params = Filter {
        header: FilterHeader::new(key.id(), 1, params, 1e-3),
        bloom: BlockedBloom::new(BloomParams {
            blocks: params.blocks + 1,
            ..params
        })
        .unwrap(),
    };
    for bad in [other_key, other_norm, other_params] {
        let e = Filter::merge(&[part(0, TokenKind::Msisdn, 0), bad]).unwrap_err();
        assert!(matches!(e, FilterError::Incompatible { .. }), "{e}");
    }
    assert!(Filter::merge(&[]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any single-byte change anywhere is detected (the checksum covers every byte).
    #[test]
    fn every_byte_flip_is_an_error(pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let (dir, _, mut bytes) = saved_cached();
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        let p = dir.path().join(format!("flip-{i}-{flip}"));
        std::fs::write(&p, &bytes).unwrap();
        prop_assert!(Filter::load(&p, &key()).is_err());
        prop_assert!(Filter::map(&p, &key()).is_err());
    }

    /// Any truncation is detected, never a panic or an out-of-bounds read.
    #[test]
    fn every_truncation_is_an_error(pos in any::<prop::sample::Index>()) {
        let (dir, _, bytes) = saved_cached();
        let len = pos.index(bytes.len());
        let p = dir.path().join(format!("trunc-{len}"));
        std::fs::write(&p, &bytes[..len]).unwrap();
        prop_assert!(Filter::load(&p, &key()).is_err());
        prop_assert!(Filter::map(&p, &key()).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random corruptions of the header and bits *with the integrity hash and MAC recomputed*
    /// (a forger holding the key, or a tool that "repairs" files) are rejected by the header checks or load a filter that
    /// saves back to the same bytes: never a panic, an absurd allocation or an out-of-bounds
    /// read. Covers a header that claims a larger bit array than the file holds.
    #[test]
    fn corruptions_with_a_valid_checksum_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        header_only in any::<bool>(),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let (dir, _, mut bytes) = saved_cached();
        for (pos, v) in edits {
            let span = if header_only { 128 } else { bytes.len() - 64 };
            bytes[pos.index(span)] = v;
        }
        if truncate {
            let len = cut.index(bytes.len()).max(64);
            bytes.truncate(len);
        }
        reseal(&mut bytes);
        let p = dir.path().join("forged.lmf");
        std::fs::write(&p, &bytes).unwrap();
        prop_assert_eq!(Filter::load(&p, &key()).is_ok(), Filter::map(&p, &key()).is_ok());
        if let Ok(mut f) = Filter::map(&p, &key()) {
            let again = dir.path().join("again.lmf");
            f.save(&again, &key()).unwrap();
            prop_assert_eq!(std::fs::read(&again).unwrap(), bytes);
        }
    }
}

#[test]
fn header_claiming_more_blocks_than_present_is_truncated() {
    let (dir, _, mut bytes) = saved(12);
    let blocks = u64::from_le_bytes(bytes[56..64].try_into().unwrap());
    bytes[56..64].copy_from_slice(&(blocks * 1000).to_le_bytes());
    reseal(&mut bytes);
    let p = dir.path().join("big.lmf");
    std::fs::write(&p, &bytes).unwrap();
    assert!(matches!(
        Filter::load(&p, &key()),
        Err(FilterError::Truncated { expected, .. }) if expected > bytes.len() as u64
    ));
}

/// One small saved filter (4 blocks) shared by the proptests.
fn saved_cached() -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = BYTES.get_or_init(|| saved(12).2).clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.lmf");
    (dir, path, bytes)
}

/// The attack of issue 17: every bit set and the unkeyed hash recomputed. Without the key the
/// MAC cannot be recomputed, so the filter is refused before anything uses it.
#[test]
fn forged_all_ones_filter_is_refused() {
    let (dir, _, mut bytes) = saved(500);
    let body = bytes.len() - 64;
    bytes[4096..body].fill(0xff);
    let integrity = blake3::hash(&bytes[..body]);
    bytes[body..body + 32].copy_from_slice(integrity.as_bytes());
    let p = dir.path().join("forged.lmf");
    std::fs::write(&p, &bytes).unwrap();
    for r in [Filter::load(&p, &key()), Filter::map(&p, &key())] {
        assert!(
            matches!(r, Err(FilterError::AuthenticationFailed { .. })),
            "{r:?}"
        );
    }
    // Without a key only the integrity hash is checked: the file opens, unauthenticated, and
    // its header does not survive the cross-check with its bits.
    let (f, _) = Filter::open_unauthenticated(&p, true).unwrap();
    assert!(matches!(
        f.checked_fill(),
        Err(FilterError::Inconsistent { .. })
    ));
    // A MAC made under another key does not verify either.
    let other = Key::from_bytes([1; 32]);
    let mac_key = blake3::derive_key(crate::auth::MAC_KEY_CONTEXT, &[1; 32]);
    bytes[body + 32..]
        .copy_from_slice(blake3::keyed_hash(&mac_key, integrity.as_bytes()).as_bytes());
    std::fs::write(&p, &bytes).unwrap();
    assert!(matches!(
        Filter::load(&p, &other),
        Err(FilterError::KeyMismatch { .. })
    ));
    assert!(matches!(
        Filter::load(&p, &key()),
        Err(FilterError::AuthenticationFailed { .. })
    ));
}

/// A version 1 file (unkeyed checksum) is refused with a message saying to rebuild.
#[test]
fn version_1_filter_is_refused_with_rebuild_advice() {
    let (dir, _, mut bytes) = saved(10);
    bytes[8] = 1;
    let p = dir.path().join("v1.lmf");
    std::fs::write(&p, &bytes).unwrap();
    let e = Filter::map(&p, &key()).unwrap_err();
    assert!(
        matches!(e, FilterError::UnsupportedVersion { version: 1, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("rebuild"), "{e}");
}

/// Online filters: built from tokens made elsewhere, saved with an integrity hash and no MAC,
/// opened only by the online path (which returns the digest to check), refused by the keyed
/// path; a shared-key filter is refused by the online path.
#[test]
fn online_filters_open_only_through_the_online_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("online.lmf");
    let params = BloomParams::for_capacity(1000, 1e-3);
    let auth = crate::FilterAuth::Online {
        epoch: 42,
        public_key: [7; 32],
    };
    let mut f = Filter::new(auth, 1, params, 1e-3).unwrap();
    f.insert_tokens(TokenKind::Pair, &tokens(300, 0));
    f.measure();
    assert!(
        f.save(&p, &key()).is_err(),
        "an online filter has no shared key"
    );
    let digest = f.save_online(&p).unwrap();
    assert_eq!(digest, crate::file_digest(&p).unwrap());
    for mmap in [true, false] {
        let (g, d) = Filter::open_online(&p, mmap).unwrap();
        assert_eq!((g.header.auth, d), (auth, digest));
        assert_eq!(g.header.counts.pair, 300);
        assert!(tokens(300, 0).iter().all(|t| g.bloom.contains(t)));
        g.checked_fill().unwrap();
    }
    let e = Filter::map(&p, &key()).unwrap_err();
    assert!(matches!(e, FilterError::OnlineFilter { epoch: 42 }), "{e}");
    assert!(e.to_string().contains("leakmatch query"), "{e}");
    // A tag on an online filter is not ignored.
    let mut bytes = std::fs::read(&p).unwrap();
    let n = bytes.len();
    bytes[n - 1] = 1;
    std::fs::write(&p, &bytes).unwrap();
    assert!(Filter::open_online(&p, true).is_err());
    let (_dir, shared, _) = saved(10);
    assert!(matches!(
        Filter::open_online(&shared, true),
        Err(FilterError::NotOnline { .. })
    ));
}

/// Header counts and kinds that the bits contradict are refused (exit 3 in the CLI).
#[test]
fn header_counts_inconsistent_with_bits_are_refused() {
    let f = small_filter(500);
    f.checked_fill().unwrap();
    // Bits without any counted token.
    let mut g = small_filter(500);
    g.header.counts = crate::KindCounts::default();
    assert!(matches!(
        g.checked_fill(),
        Err(FilterError::Inconsistent { .. })
    ));
    // Far more distinct tokens in the bits than counted.
    let mut g = small_filter(500);
    g.header.counts.msisdn = 50;
    assert!(matches!(
        g.checked_fill(),
        Err(FilterError::Inconsistent { .. })
    ));
    // Counts of a kind the header does not claim: refused when read.
    let (dir, _, mut bytes) = saved(500);
    bytes[24] = 0b100; // claims pair only; its counts are msisdn
    reseal(&mut bytes);
    let p = dir.path().join("kinds.lmf");
    std::fs::write(&p, &bytes).unwrap();
    let e = Filter::load(&p, &key()).unwrap_err();
    assert!(matches!(e, FilterError::Corrupt { .. }), "{e}");
}

/// Issue 17 item 5, the documented behaviour of a filter file rewritten in place while in use:
/// a mapped filter may show the new bits of pages it has not touched (Linux: it does), which
/// is why the docs and the SIGBUS message say `--no-mmap`; a loaded one never changes.
#[cfg(target_os = "linux")]
#[test]
fn filter_rewritten_in_place_reaches_a_mapped_filter_but_not_a_loaded_one() {
    use std::os::unix::fs::FileExt;
    let (_dir, path, bytes) = saved(5000);
    let mut mapped = Filter::map(&path, &key()).unwrap();
    let loaded = Filter::load(&path, &key()).unwrap();
    let original = bytes[4096..bytes.len() - 64].to_vec();
    // Rewrite the whole bit array in place (same size, no rename), as a sync tool might.
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.write_all_at(&vec![0xff; original.len()], 4096)
        .unwrap();
    drop(file);
    assert_eq!(
        loaded.bloom.try_clone().unwrap().as_bytes(),
        &original[..],
        "a loaded filter is a verified copy"
    );
    assert_ne!(
        mapped.bloom.as_bytes(),
        &original[..],
        "a mapped filter shows the change"
    );
    // Opened again, the change is caught.
    assert!(matches!(
        Filter::map(&path, &key()),
        Err(FilterError::ChecksumMismatch { .. })
    ));
}
