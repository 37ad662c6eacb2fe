//! The bit array behind a filter: page-aligned memory, huge-page advised.
//!
//! Lookups are one random cache-line load each, so TLB misses matter: with transparent huge
//! pages a random load costs ~9 ns instead of ~13 ns (PERF-NOTES). A new filter lives in an
//! anonymous mapping, zeroed lazily by the kernel and advised `MADV_HUGEPAGE`, or, built in
//! place for its output file, in a shared mapping of that file's temporary ([`crate::infile`]).
//! A filter loaded from a file is a private (copy-on-write) mapping of the file's page-cache
//! pages ([`BitArray::map_file`]): nothing is copied or zeroed, which matters because a fresh
//! process pays dearly for first-touching new memory (on this VM class 149 MiB took 0.4–0.9 s
//! to fault in, against milliseconds to map). Either way the bits start on a 4 KiB boundary, so every
//! 64-byte block is cache-line aligned. Shared access is through `AtomicU64`, which has the
//! layout of `u64`; exclusive access (`&mut`) may use plain words and bytes.

use std::sync::atomic::AtomicU64;

use std::path::Path;

use memmap2::MmapMut;

use crate::atomic::AtomicFile;
use crate::error::FilterError;
use crate::params::MAX_FILTER_BYTES;

pub(crate) struct BitArray {
    map: MmapMut,
    /// Byte offset of the first word in `map` (a multiple of the page size).
    offset: usize,
    words: usize,
    /// The temporary output file `map` shares, when the bits are built in place (see
    /// [`crate::infile`]); [`crate::Filter::save`] commits it.
    draft: Option<AtomicFile>,
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
            offset: 0,
            words: len / 8,
            draft: None,
        })
    }

    /// The `bytes` bytes at `offset` (a multiple of 4096) of a private copy-on-write mapping of
    /// a whole file: reads come straight from the page cache, writes stay in this process.
    ///
    /// # Safety
    ///
    /// The file must not be truncated while the array lives (access past the new end raises
    /// SIGBUS) and should not be modified (unwritten pages would show the change). The same
    /// boundary as for memory-mapped inputs; [`crate::Filter::load`] documents it for users.
    pub(crate) unsafe fn map_file(
        map: MmapMut,
        offset: usize,
        bytes: usize,
    ) -> Result<BitArray, FilterError> {
        // SAFETY: the caller's contract.
        unsafe { Self::in_map(map, offset, bytes, None) }
    }

    /// Like [`BitArray::map_file`], over a shared writable mapping of `draft`'s temporary
    /// file, which holds the array from then on.
    ///
    /// # Safety
    ///
    /// As for [`BitArray::map_file`]; the file must also be allocated (not sparse) over the
    /// mapping, so that a write fault can never fail for lack of disk space (SIGBUS).
    pub(crate) unsafe fn in_draft(
        map: MmapMut,
        offset: usize,
        bytes: usize,
        draft: AtomicFile,
    ) -> Result<BitArray, FilterError> {
        // SAFETY: the caller's contract.
        unsafe { Self::in_map(map, offset, bytes, Some(draft)) }
    }

    unsafe fn in_map(
        map: MmapMut,
        offset: usize,
        bytes: usize,
        draft: Option<AtomicFile>,
    ) -> Result<BitArray, FilterError> {
        let fits = offset % 4096 == 0
            && bytes > 0
            && bytes % 8 == 0
            && offset
                .checked_add(bytes)
                .is_some_and(|end| end <= map.len());
        if !fits {
            return Err(FilterError::InvalidParams {
                reason: format!(
                    "bit array of {bytes} bytes at offset {offset} does not fit a {}-byte mapping",
                    map.len()
                ),
            });
        }
        #[cfg(target_os = "linux")]
        let _ = map.advise_range(memmap2::Advice::HugePage, offset, bytes);
        Ok(BitArray {
            map,
            offset,
            words: bytes / 8,
            draft,
        })
    }

    /// The temporary file the bits live in, if they were built in place for `target`; taken,
    /// so it is committed once.
    pub(crate) fn take_draft(&mut self, target: &Path) -> Option<AtomicFile> {
        match &self.draft {
            Some(d) if d.target() == target => self.draft.take(),
            _ => None,
        }
    }

    /// After an array built in place was committed to `file`: maps the file privately
    /// (copy-on-write) instead, so later inserts can never write into the saved file.
    ///
    /// # Safety
    ///
    /// As for [`BitArray::map_file`]: `file` holds this array at the same offset.
    pub(crate) unsafe fn remap_private(&mut self, file: &std::fs::File) -> std::io::Result<()> {
        let len = self.map.len();
        // SAFETY: the caller's contract; the new mapping has the same length and contents.
        self.map = unsafe { memmap2::MmapOptions::new().len(len).map_copy(file)? };
        #[cfg(target_os = "linux")]
        let _ = self
            .map
            .advise_range(memmap2::Advice::HugePage, self.offset, self.words * 8);
        Ok(())
    }

    /// The mapping up to the last word: for an array built in place, the file's header
    /// followed by the bits. `&mut self` rules out concurrent atomic writes.
    pub(crate) fn mapped_prefix(&mut self) -> &[u8] {
        &self.map[..self.offset + self.words * 8]
    }

    /// The words for shared (concurrent) access.
    #[inline]
    pub(crate) fn atomics(&self) -> &[AtomicU64] {
        // SAFETY: the mapping is page-aligned and `offset` a multiple of 4096, so the words are
        // aligned (≥ 8, the alignment of AtomicU64); `offset + words * 8` ≤ the mapping's length
        // (checked in the constructors); the mapping is readable and writable (private) and
        // lives as long as `self`. AtomicU64 has the size and bit validity of u64 and any bit
        // pattern is valid. Mutation through `&self`
        // happens only via these atomics; the non-atomic views below need `&mut self`, so
        // they never overlap with atomic access from other threads.
        unsafe {
            std::slice::from_raw_parts(
                self.map.as_ptr().add(self.offset).cast::<AtomicU64>(),
                self.words,
            )
        }
    }

    /// The words for exclusive access.
    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        // SAFETY: as in `atomics`; `&mut self` guarantees no other access exists.
        unsafe {
            std::slice::from_raw_parts_mut(
                self.map.as_mut_ptr().add(self.offset).cast::<u64>(),
                self.words,
            )
        }
    }

    /// The raw bytes (native-endian words) for exclusive access.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        let range = self.offset..self.offset + self.words * 8;
        &mut self.map[range]
    }

    /// The raw bytes (native-endian words); `&mut self` rules out concurrent atomic writes.
    pub(crate) fn bytes(&mut self) -> &[u8] {
        &self.map[self.offset..self.offset + self.words * 8]
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
