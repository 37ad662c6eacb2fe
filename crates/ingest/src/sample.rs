//! The start of a file's text, decoded as [`read_input`](crate::read_input) decodes it: what a
//! filter is sized from before the file is read.
//!
//! For a compressed (or UTF-16) file the decoded size is not known up front. The sample's own
//! ratio of text bytes to file bytes consumed, applied to the whole file, estimates it, with a
//! margin: decoders read their input ahead in blocks, so the consumed count runs a little high.
//! The start of a file compresses worse than the rest (the compressor has no history yet), so
//! where the format records the decoded size (gzip's trailer, a zstd frame header) and it is
//! plausible, it is taken instead: for a single gzip member or a single zstd frame, the common
//! cases, that is exact.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::source::{by_extension, by_magic, read_head, stream_buffered, Compression, Counting};

/// Compressed bytes a sample's decoder reads at a time.
const IN_BUF: usize = 4096;

/// A decoded sample from the start of a regular file, made by [`sample_text`]; how the whole
/// file's text size is estimated from it: [`TextSample::expected_text_bytes`].
#[derive(Debug, Clone)]
pub struct TextSample {
    /// The first decoded bytes (fewer than asked only if the file ends first).
    pub text: Vec<u8>,
    /// Size of the file on disk.
    pub file_bytes: u64,
    /// File bytes the decoder had consumed to produce `text`.
    pub consumed: u64,
    /// Whether the whole file was decoded into `text`.
    pub complete: bool,
    /// Whether the file is decoded on the way (compressed or UTF-16), so its text size differs
    /// from its file size.
    pub decoded: bool,
    /// Decoded size recorded in the file's own metadata, if any: a gzip trailer (the last
    /// member's size, modulo 4 GiB) or the first zstd frame's header.
    pub recorded: Option<u64>,
}

impl TextSample {
    /// Expected size of the whole file's text: exact for plain files and complete samples;
    /// otherwise the recorded size when it is plausible (within a factor of the sample's
    /// ratio estimate: a multi-member or multi-frame file records only a part), else the ratio
    /// estimate plus a quarter for margin.
    pub fn expected_text_bytes(&self) -> u64 {
        if self.complete {
            return self.text.len() as u64;
        }
        if !self.decoded || self.consumed == 0 {
            return self.file_bytes;
        }
        let ratio = self.text.len() as f64 / self.consumed as f64;
        let estimate = self.file_bytes as f64 * ratio;
        if let Some(r) = self.recorded.map(|r| unwrap_isize(r, estimate)) {
            // The start compresses worst, so the whole may well be several times the estimate.
            if r as f64 >= estimate / 2.0 && r as f64 <= estimate * 8.0 {
                return r;
            }
        }
        (estimate * 1.25) as u64
    }
}

/// A gzip trailer holds the size modulo 2^32: the value with that remainder nearest `estimate`.
fn unwrap_isize(recorded: u64, estimate: f64) -> u64 {
    const WRAP: f64 = 4_294_967_296.0;
    if recorded >= 1 << 32 || estimate < WRAP {
        return recorded;
    }
    let wraps = ((estimate - recorded as f64) / WRAP).round().max(0.0);
    recorded + (wraps as u64) * (1 << 32)
}

/// Reads and decodes up to `want` bytes of text from the start of the regular file at `path`.
/// Returns `None` for anything that is not a regular file (a FIFO's bytes would be taken from
/// its reader); errors are the file's own (unreadable, corrupt compressed data).
pub fn sample_text(path: &Path, want: usize) -> io::Result<Option<TextSample>> {
    // Look before opening: opening a FIFO would block until a writer comes, then take the
    // writer's bytes (or its only open) from the real reader.
    if !std::fs::metadata(path)?.is_file() {
        return Ok(None);
    }
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut head = [0u8; 18];
    let got = read_at_most(&file, &mut head, 0);
    let ext = by_extension(path);
    let kind = match ext {
        Compression::None => by_magic(&head[..got]),
        c => c,
    };
    let recorded = recorded_size(&file, meta.len(), kind, &head[..got]);
    let count = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: file,
        count: Arc::clone(&count),
    };
    let mut s = stream_buffered(Box::new(counted), ext, Some(meta.len()), Some(IN_BUF))?;
    // One byte more than wanted tells whether the text goes on.
    let mut text = read_head(&mut s.reader, want.saturating_add(1))?;
    let complete = text.len() <= want;
    text.truncate(want);
    let consumed = count.load(Ordering::Relaxed);
    Ok(Some(TextSample {
        decoded: s.compressed.is_some() || s.total.is_none(),
        text,
        file_bytes: meta.len(),
        consumed,
        complete,
        recorded,
    }))
}

/// See [`TextSample::recorded`]. `head` holds the file's first bytes.
fn recorded_size(file: &File, len: u64, kind: Compression, head: &[u8]) -> Option<u64> {
    match kind {
        Compression::None => None,
        Compression::Gzip => {
            let mut isize = [0u8; 4];
            let at = len.checked_sub(4)?;
            (read_at_most(file, &mut isize, at) == 4).then(|| u64::from(u32::from_le_bytes(isize)))
        }
        Compression::Zstd => zstd::zstd_safe::get_frame_content_size(head).ok().flatten(),
    }
}

/// Reads up to `buf.len()` bytes at `offset` without moving the file's position; returns how
/// many were read (0 on any error: these are hints).
fn read_at_most(file: &File, buf: &mut [u8], offset: u64) -> usize {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let mut got = 0;
        while got < buf.len() {
            match file.read_at(&mut buf[got..], offset + got as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
        got
    }
    #[cfg(not(unix))]
    {
        let _ = (file, buf, offset);
        0
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn dump(rows: usize) -> Vec<u8> {
        let mut out = b"name,msisdn,cnic\n".to_vec();
        for i in 0..rows {
            let line = format!(
                "person {i},0300{:07},35202{:07}1\n",
                i * 7919 % 10_000_000,
                i
            );
            out.extend_from_slice(line.as_bytes());
        }
        out
    }

    #[test]
    fn plain_compressed_and_utf16_text_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let text = dump(200_000);
        let plain = dir.path().join("d.csv");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("d.csv.gz");
        let mut w = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), Default::default());
        w.write_all(&text).unwrap();
        w.finish().unwrap();
        let zst = dir.path().join("d.csv.zst");
        // Single-shot compression records the content size, as the `zstd` command does.
        std::fs::write(&zst, zstd::bulk::compress(&text, 3).unwrap()).unwrap();
        let utf16 = dir.path().join("d16.csv");
        let mut wide = vec![0xff, 0xfe];
        for b in &text {
            wide.extend_from_slice(&[*b, 0]);
        }
        std::fs::write(&utf16, wide).unwrap();

        let n = text.len() as u64;
        let s = sample_text(&plain, 1 << 20).unwrap().unwrap();
        assert_eq!(s.expected_text_bytes(), n);
        assert_eq!(&s.text[..], &text[..1 << 20]);
        for path in [&gz, &zst, &utf16] {
            let s = sample_text(path, 1 << 20).unwrap().unwrap();
            assert!(s.decoded && !s.complete, "{path:?}");
            if path != &utf16 {
                assert_eq!(s.recorded, Some(n), "{path:?}");
            }
            assert_eq!(&s.text[..], &text[..1 << 20], "{path:?}");
            let e = s.expected_text_bytes();
            assert!(e >= n && e <= n * 2, "{path:?}: expected {e} for {n}");
        }
        // A sample that holds the whole file is exact.
        let s = sample_text(&gz, 64 << 20).unwrap().unwrap();
        assert!(s.complete);
        assert_eq!(s.expected_text_bytes(), n);
    }

    #[test]
    fn without_a_recorded_size_the_ratio_estimates() {
        let dir = tempfile::tempdir().unwrap();
        let text = dump(200_000);
        let n = text.len() as u64;
        // Streamed zstd records no content size.
        let zst = dir.path().join("d.csv.zst");
        std::fs::write(&zst, zstd::encode_all(&text[..], 3).unwrap()).unwrap();
        let s = sample_text(&zst, 1 << 20).unwrap().unwrap();
        assert_eq!(s.recorded, None);
        let e = s.expected_text_bytes();
        assert!(e > n / 3 && e < n * 3, "expected {e} for {n}");
        // Two gzip members: the trailer holds only the last one's size.
        let (a, b) = text.split_at(text.len() - 1000);
        let path = dir.path().join("two.csv.gz");
        let mut bytes = Vec::new();
        for part in [a, b] {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), Default::default());
            w.write_all(part).unwrap();
            bytes.extend(w.finish().unwrap());
        }
        std::fs::write(&path, bytes).unwrap();
        let s = sample_text(&path, 1 << 20).unwrap().unwrap();
        assert_eq!(s.recorded, Some(1000));
        let e = s.expected_text_bytes();
        assert!(e > n / 3 && e < n * 3, "expected {e} for {n}");
    }

    #[test]
    fn trailer_sizes_past_4_gib_are_unwrapped() {
        let five = 5u64 << 30;
        assert_eq!(unwrap_isize(five % (1 << 32), 4.8e9), five);
        assert_eq!(unwrap_isize(1000, 2000.0), 1000);
    }

    #[test]
    fn not_a_regular_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(sample_text(dir.path(), 1024).unwrap().is_none());
        // A FIFO with no writer: opening it would block forever.
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(sample_text(&fifo, 1024).unwrap().is_none());
    }
}
