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
/// the page cache is most of a save's time).
#[cfg(unix)]
pub(crate) fn write_at_parallel(file: &AtomicFile, data: &[u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let file = file.file()?;
    data.par_chunks(IO_CHUNK)
        .enumerate()
        .try_for_each(|(i, chunk)| file.write_all_at(chunk, offset + (i * IO_CHUNK) as u64))?;
    // Leave the position at the end, where the checksum goes.
    use std::io::{Seek, SeekFrom};
    let mut handle = file;
    handle.seek(SeekFrom::Start(offset + data.len() as u64))?;
    Ok(())
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
