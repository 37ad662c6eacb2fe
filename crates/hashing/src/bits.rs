//! The bit array behind a filter: zeroed anonymous memory, page-aligned, huge-page advised.
//!
//! Lookups are one random cache-line load each, so TLB misses matter: with transparent huge
//! pages a random load costs ~9 ns instead of ~13 ns (PERF-NOTES). An anonymous mapping is
//! zeroed lazily by the kernel, aligned to 4 KiB (so every 64-byte block is cache-line
//! aligned), and can be advised `MADV_HUGEPAGE`. Shared access is through `AtomicU64`, which
//! has the layout of `u64`; exclusive access (`&mut`) may use plain words and bytes.

use std::sync::atomic::AtomicU64;

use memmap2::MmapMut;

use crate::error::FilterError;
use crate::params::MAX_FILTER_BYTES;

pub(crate) struct BitArray {
    map: MmapMut,
    words: usize,
}

impl BitArray {
    /// A zeroed array of `bytes` bytes (a positive multiple of 8).
    pub(crate) fn zeroed(bytes: u64) -> Result<BitArray, FilterError> {
        if bytes > MAX_FILTER_BYTES {
            return Err(FilterError::TooLarge {
                bytes,
                limit: MAX_FILTER_BYTES,
            });
        }
        let len = usize::try_from(bytes).map_err(|_| FilterError::TooLarge {
            bytes,
            limit: usize::MAX as u64,
        })?;
        debug_assert!(len > 0 && len % 8 == 0);
        let map = MmapMut::map_anon(len).map_err(|source| FilterError::Alloc { bytes, source })?;
        // Huge pages are an optimisation only: kernels without THP refuse the advice.
        #[cfg(target_os = "linux")]
        let _ = map.advise(memmap2::Advice::HugePage);
        Ok(BitArray {
            map,
            words: len / 8,
        })
    }

    /// The words for shared (concurrent) access.
    #[inline]
    pub(crate) fn atomics(&self) -> &[AtomicU64] {
        // SAFETY: the mapping is page-aligned (≥ 8, the alignment of AtomicU64), `words * 8`
        // bytes long, readable and writable, and lives as long as `self`. AtomicU64 has the
        // size and bit validity of u64 and any bit pattern is valid. Mutation through `&self`
        // happens only via these atomics; the non-atomic views below need `&mut self`, so
        // they never overlap with atomic access from other threads.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr().cast::<AtomicU64>(), self.words) }
    }

    /// The words for exclusive access.
    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        // SAFETY: as in `atomics`; `&mut self` guarantees no other access exists.
        unsafe { std::slice::from_raw_parts_mut(self.map.as_mut_ptr().cast::<u64>(), self.words) }
    }

    /// The raw bytes (native-endian words) for exclusive access.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.map[..]
    }

    /// The raw bytes (native-endian words); `&mut self` rules out concurrent atomic writes.
    pub(crate) fn bytes(&mut self) -> &[u8] {
        &self.map[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering::Relaxed;

    #[test]
    fn zeroed_aligned_and_shared() {
        let mut a = BitArray::zeroed(4096).unwrap();
        assert_eq!(a.atomics().as_ptr() as usize % 64, 0);
        assert!(a.atomics().iter().all(|w| w.load(Relaxed) == 0));
        a.atomics()[3].fetch_or(1 << 9, Relaxed);
        assert_eq!(a.words_mut()[3], 1 << 9);
        assert_eq!(a.bytes().len(), 4096);
        assert_eq!(
            a.bytes()[3 * 8 + 1],
            if cfg!(target_endian = "little") { 2 } else { 0 }
        );
        assert!(matches!(
            BitArray::zeroed(1 << 50),
            Err(FilterError::TooLarge { .. })
        ));
    }
}
