//! Building a filter in place: its bits live in a shared mapping of the temporary file that
//! [`crate::Filter::save`] will commit, instead of in anonymous memory that saving then copies.
//!
//! In this VM class, fresh memory is slow to touch (filling 149 MiB of new pages costs
//! 0.3–0.5 s of CPU), and a build paid that twice: once zeroing the anonymous bit array, once
//! copying it into new page-cache pages on save. Built in place, the page cache pages *are*
//! the bit array: saving writes the 4 KiB header and the trailer and `fsync`s. Measured with
//! a 149 MiB filter and 27M random inserts: fill 0.78–0.99 s either way, then 0.43–0.46 s of
//! writing against 0.005 s. The file is allocated first (`fallocate`), so a full disk fails
//! here, never as a SIGBUS on a write fault; the mapping is advised `MADV_HUGEPAGE`, and on
//! kernels whose page cache uses large folios (ext4, xfs on Linux ≥ 6.x) it is mapped with
//! 2 MiB pages, so inserts miss the TLB no more than in anonymous huge pages. On older kernels
//! the mapping uses 4 KiB pages and inserts pay TLB misses (random loads ~13 instead of ~9 ns
//! in PERF-NOTES); not measured here (this kernel has large folios).
//!
//! Only on Linux and little-endian targets (the file stores little-endian words), and not on
//! tmpfs (see `on_tmpfs`); anything that fails on the way (a filesystem without `fallocate`, a directory that cannot be
//! written, no space) falls back to anonymous memory, and saving reports any real error.

use std::path::Path;

use crate::atomic::AtomicFile;
use crate::auth::TRAILER_LEN;
use crate::bits::BitArray;
use crate::header::HEADER_LEN;

/// A zeroed bit array of `bytes` bytes inside a new temporary file for `target`, at
/// [`HEADER_LEN`]; `None` where that cannot be done (see the [module docs](self)).
pub(crate) fn draft_bits(target: &Path, bytes: u64) -> Option<BitArray> {
    if cfg!(target_endian = "big") || !cfg!(target_os = "linux") {
        return None;
    }
    let bits_len = usize::try_from(bytes).ok()?;
    let mapped_len = HEADER_LEN.checked_add(bits_len)?;
    let file_len = u64::try_from(mapped_len).ok()?.checked_add(TRAILER_LEN)?;
    let draft = AtomicFile::create(target).ok()?;
    if on_tmpfs(&draft) {
        return None;
    }
    allocate(&draft, file_len)?;
    // SAFETY: a shared mapping of our own new temporary file (random name, created with
    // O_EXCL), allocated over its whole length just above, and never truncated by us while
    // mapped; see `BitArray::in_draft`.
    let map = unsafe {
        memmap2::MmapOptions::new()
            .len(mapped_len)
            .map_mut(draft.file().ok()?)
            .ok()?
    };
    // SAFETY: as above; the file is allocated over the mapping.
    unsafe { BitArray::in_draft(map, HEADER_LEN, bits_len, draft).ok() }
}

/// Whether the file is on tmpfs: there the page cache is shared memory, which gets no huge
/// pages unless the system enables them for shmem, and saving is a cheap memory copy anyway,
/// so anonymous huge pages are the better home for the bits.
#[cfg(target_os = "linux")]
fn on_tmpfs(draft: &AtomicFile) -> bool {
    use std::os::fd::AsRawFd;
    const TMPFS_MAGIC: i64 = 0x0102_1994;
    let Ok(file) = draft.file() else {
        return true;
    };
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: fstatfs writes a `statfs` into the buffer we own; the descriptor is borrowed from
    // `file` and open for the call; the buffer is read only after success.
    if unsafe { libc::fstatfs(file.as_raw_fd(), st.as_mut_ptr()) } != 0 {
        return false;
    }
    // SAFETY: initialised by the successful call just above.
    #[allow(clippy::useless_conversion)] // `f_type`'s type differs between targets.
    let f_type = i64::from(unsafe { st.assume_init() }.f_type);
    f_type == TMPFS_MAGIC
}

#[cfg(not(target_os = "linux"))]
fn on_tmpfs(_draft: &AtomicFile) -> bool {
    true
}

/// Allocates `len` bytes of disk for the file (zeros to read), or `None`.
#[cfg(target_os = "linux")]
fn allocate(draft: &AtomicFile, len: u64) -> Option<()> {
    use std::os::fd::AsRawFd;
    let file = draft.file().ok()?;
    let len = libc::off_t::try_from(len).ok()?;
    // SAFETY: fallocate only reads its integer arguments; the descriptor is borrowed from
    // `file` and open for the call.
    let rc = unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, len) };
    (rc == 0).then_some(())
}

#[cfg(not(target_os = "linux"))]
fn allocate(_draft: &AtomicFile, _len: u64) -> Option<()> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering::Relaxed;

    #[test]
    fn a_draft_lives_in_its_temporary_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.lmf");
        let Some(mut bits) = draft_bits(&target, 1 << 16) else {
            eprintln!("skipped: no in-place filters on this platform");
            return;
        };
        bits.atomics()[5].fetch_or(0xff, Relaxed);
        let entries = || std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(entries(), 1, "the temporary beside the target");
        assert!(!target.exists());
        assert!(bits.take_draft(&dir.path().join("other.lmf")).is_none());
        assert_eq!(bits.mapped_prefix().len(), HEADER_LEN + (1 << 16));
        drop(bits);
        assert_eq!(entries(), 0, "dropped without saving: nothing left");
    }
}
