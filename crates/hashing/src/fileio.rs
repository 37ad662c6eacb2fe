//! Positioned and parallel I/O for filter files: reading and writing the bit array in 8 MiB
//! pieces spread over the rayon pool, at explicit offsets so threads never share a file
//! position.

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use crate::atomic::AtomicFile;
use crate::BlockedBloom;

/// Bytes per read or write of the bit array.
pub(crate) const IO_CHUNK: usize = 8 << 20;

/// The bit array as stored in the file (little-endian words): borrowed on little-endian
/// targets, converted on others.
pub(crate) fn little_endian_bits(bloom: &mut BlockedBloom) -> std::borrow::Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        std::borrow::Cow::Borrowed(bloom.as_bytes())
    } else {
        let words = bloom.bits().atomics();
        std::borrow::Cow::Owned(
            words
                .iter()
                .flat_map(|w| w.load(Relaxed).to_le_bytes())
                .collect(),
        )
    }
}

/// Writes `data` at `offset` in [`IO_CHUNK`] pieces spread over the rayon pool (the copy into
/// the page cache is most of a save's time). Pieces start at file offsets that are multiples
/// of [`IO_CHUNK`] (after the first), so the page cache can hold the file in 2 MiB folios that
/// a later mapping of the filter gets as huge pages: lookups in a mapped filter then cost no
/// more TLB misses than in huge-page memory.
#[cfg(unix)]
pub(crate) fn write_at_parallel(file: &AtomicFile, data: &[u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let file = file.file()?;
    let first = aligned_head(offset, data.len());
    let (head, rest) = data.split_at(first);
    let pieces: Vec<(u64, &[u8])> = std::iter::once((offset, head))
        .chain(
            rest.chunks(IO_CHUNK)
                .enumerate()
                .map(|(i, chunk)| (offset + (first + i * IO_CHUNK) as u64, chunk)),
        )
        .collect();
    pieces.par_iter().try_for_each(|&(at, piece)| {
        file.write_all_at(piece, at)?;
        start_writeback(file, at, piece.len());
        Ok::<(), io::Error>(())
    })?;
    // Leave the position at the end, where the checksum goes.
    use std::io::{Seek, SeekFrom};
    let mut handle = file;
    handle.seek(SeekFrom::Start(offset + data.len() as u64))?;
    Ok(())
}

/// Asks the kernel to start writing `len` bytes at `offset` to disk now, so the final `fsync`
/// finds most of the file already written instead of starting all of it. A hint: errors are
/// left to that `fsync` to report.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: usize) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: sync_file_range only reads its integer arguments; the descriptor is open for
    // the duration of the call (borrowed from `file`).
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn start_writeback(_file: &File, _offset: u64, _len: usize) {}

/// How many of `len` bytes written at `offset` go before the next multiple of [`IO_CHUNK`].
fn aligned_head(offset: u64, len: usize) -> usize {
    let to_boundary = (IO_CHUNK as u64 - offset % IO_CHUNK as u64) % IO_CHUNK as u64;
    usize::try_from(to_boundary).map_or(len, |n| n.min(len))
}

/// Portable fallback: one sequential write (the file position is already at `offset`).
#[cfg(not(unix))]
pub(crate) fn write_at_parallel(file: &AtomicFile, data: &[u8], _offset: u64) -> io::Result<()> {
    let mut handle = file.file()?;
    handle.write_all(data)
}

/// Reads until `buf` is full or end of file; returns the bytes read.
pub(crate) fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Like [`read_up_to`], from byte `offset`, leaving the file position alone (so threads can
/// read different parts of one file at once).
#[cfg(unix)]
pub(crate) fn read_at_up_to(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Portable fallback: one reader at a time through a shared handle.
#[cfg(not(unix))]
pub(crate) fn read_at_up_to(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::{Seek, SeekFrom};
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK
        .lock()
        .map_err(|_| io::Error::other("reader lock poisoned"))?;
    let mut handle = file;
    handle.seek(SeekFrom::Start(offset))?;
    read_up_to(&mut handle.try_clone()?, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_after_the_first_start_on_chunk_boundaries() {
        const C: u64 = IO_CHUNK as u64;
        assert_eq!(aligned_head(4096, 3 * IO_CHUNK), IO_CHUNK - 4096);
        assert_eq!(aligned_head(4096, 100), 100);
        assert_eq!(aligned_head(0, 3 * IO_CHUNK), 0);
        assert_eq!(aligned_head(C, 5), 0);
        assert_eq!(aligned_head(C + 1, 2 * IO_CHUNK), IO_CHUNK - 1);
    }
}
