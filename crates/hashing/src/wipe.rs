//! BLAKE3 keyed hashing and key derivation of secrets that wipe the hasher's state after use
//! (blake3's `zeroize` feature): `blake3::keyed_hash` and `blake3::derive_key` leave a copy
//! of the key (or of the key material) in a dropped `Hasher` on the stack.

use zeroize::{Zeroize, Zeroizing};

/// `blake3::keyed_hash(key, data)`, wiping the hasher afterwards.
pub(crate) fn keyed_hash(key: &[u8; 32], data: &[u8]) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new_keyed(key);
    hasher.update(data);
    let out = hasher.finalize();
    hasher.zeroize();
    out
}

/// `blake3::derive_key(context, material)`, wiping the hasher afterwards.
pub(crate) fn derive_key(context: &str, material: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut hasher = blake3::Hasher::new_derive_key(context);
    hasher.update(material);
    let out = Zeroizing::new(*hasher.finalize().as_bytes());
    hasher.zeroize();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_blake3s_own_functions() {
        let key = [5u8; 32];
        assert_eq!(
            super::keyed_hash(&key, b"abc"),
            blake3::keyed_hash(&key, b"abc")
        );
        assert_eq!(
            *super::derive_key("ctx", &key),
            blake3::derive_key("ctx", &key)
        );
    }
}
