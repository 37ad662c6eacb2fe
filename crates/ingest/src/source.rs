//! Opening an input: a memory map for regular files, a byte stream for everything else.
//!
//! # The mmap contract
//! A regular, uncompressed, non-empty file is memory-mapped (unless `mmap: false`). A mapped
//! file **must not shrink while it is mapped**: touching a page past the new end raises SIGBUS
//! and kills the process; I/O errors on network or removable media also arrive as SIGBUS. That is
//! the price of reading at memory speed; callers who cannot promise it pass `mmap: false`.
//! Non-regular files (FIFOs, sockets, character devices, `/proc` files) are never mapped. If
//! mapping fails the file is read as a stream instead, quietly.
//!
//! Streams: standard input, pipes, `--no-mmap` files, and compressed inputs. Gzip (`.gz`, or the
//! magic bytes `1f 8b`) is decoded with flate2's `MultiGzDecoder` (concatenated members), zstd
//! (`.zst`, or magic `28 b5 2f fd`) with the zstd crate. The extension wins over the content, so
//! a `.zst` that is not zstd is a decompression error rather than garbage. Text that starts with
//! a UTF-16 byte-order mark (after decompression) is converted to UTF-8 by `encoding_rs_io`.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::{IngestError, InputSource, ReadOptions};

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const UTF16LE_BOM: &[u8] = &[0xff, 0xfe];
const UTF16BE_BOM: &[u8] = &[0xfe, 0xff];

/// Whether `head` starts with a UTF-16 byte-order mark.
fn is_utf16(head: &[u8]) -> bool {
    head.starts_with(UTF16LE_BOM) || head.starts_with(UTF16BE_BOM)
}

/// Converts UTF-16 text with a byte-order mark to UTF-8 as it is read (invalid sequences
/// become U+FFFD); any other bytes, a UTF-8 BOM included, pass through unchanged.
fn utf16_to_utf8(reader: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    Box::new(
        encoding_rs_io::DecodeReaderBytesBuilder::new()
            .utf8_passthru(true)
            .build(reader),
    )
}
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// How an input is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

pub(crate) fn by_extension(path: &Path) -> Compression {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("gz" | "gzip") => Compression::Gzip,
        Some("zst" | "zstd") => Compression::Zstd,
        _ => Compression::None,
    }
}

pub(crate) fn by_magic(head: &[u8]) -> Compression {
    if head.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// A read-only map of a whole file.
pub(crate) struct Mapped(memmap2::Mmap);

impl Mapped {
    /// Maps `file`.
    ///
    /// # Safety
    /// The file must not be truncated (or written) while the returned map is alive: pages past
    /// a new end raise SIGBUS. `file` must be a regular file.
    unsafe fn map(file: &File) -> io::Result<Mapped> {
        // SAFETY: the caller upholds the no-truncation contract stated above.
        let map = unsafe { memmap2::MmapOptions::new().map(file)? };
        Ok(Mapped(map))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Drops the pages of `part` (a subslice of [`Mapped::bytes`]) from this process's
    /// resident set once they have been read, so peak memory stays near a few chunks however
    /// large the input. The pages stay in the page cache: touching them again is a minor fault.
    pub fn release(&self, part: &[u8]) {
        let start = (part.as_ptr() as usize).wrapping_sub(self.0.as_ptr() as usize);
        if part.is_empty()
            || start
                .checked_add(part.len())
                .is_none_or(|end| end > self.0.len())
        {
            return;
        }
        // SAFETY: MADV_DONTNEED on a private read-only file mapping only unmaps pages; a later
        // access maps the same file contents again (the file must not change while mapped:
        // the contract of `Mapped::map`), so no byte any reference can observe changes. The
        // range lies inside the map (checked above; memmap2 widens it to page boundaries).
        let _ = unsafe {
            self.0
                .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, part.len())
        };
    }
}

/// Counts compressed bytes consumed, to place decompression errors.
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A byte stream and what is known about it.
pub(crate) struct Stream {
    pub reader: Box<dyn Read + Send>,
    /// Total bytes, when known up front (uncompressed regular files).
    pub total: Option<u64>,
    /// Compressed bytes consumed so far, for compressed inputs.
    pub compressed: Option<Arc<AtomicU64>>,
}

/// An opened input.
pub(crate) enum Opened {
    Mapped(Mapped),
    Empty,
    Stream(Stream),
}

fn io_err(source: &InputSource) -> impl Fn(io::Error) -> IngestError + '_ {
    move |e| IngestError::Io {
        input: source.to_string(),
        source: e,
    }
}

/// Reads up to `n` bytes (fewer only at end of stream).
pub(crate) fn read_head(r: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Wraps `raw` in a decoder chosen by `ext` or the magic bytes.
pub(crate) fn stream(
    raw: Box<dyn Read + Send>,
    ext: Compression,
    total: Option<u64>,
) -> io::Result<Stream> {
    stream_buffered(raw, ext, total, None)
}

/// [`stream`], with the decoder reading its input `in_buf` bytes at a time when given (the
/// decoders' own defaults otherwise): small reads keep the count of consumed bytes close to
/// what the decoded text needed.
pub(crate) fn stream_buffered(
    mut raw: Box<dyn Read + Send>,
    ext: Compression,
    total: Option<u64>,
    in_buf: Option<usize>,
) -> io::Result<Stream> {
    let head = read_head(&mut raw, ZSTD_MAGIC.len())?;
    let compression = match ext {
        Compression::None => by_magic(&head),
        c => c,
    };
    let utf16 = is_utf16(&head);
    let count = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: io::Cursor::new(head).chain(raw),
        count: Arc::clone(&count),
    };
    let reader: Box<dyn Read + Send> = match compression {
        Compression::None => {
            // Converted UTF-16 is shorter than the file: no total for progress then.
            let total = total.filter(|_| !utf16);
            return Ok(Stream {
                reader: utf16_to_utf8(Box::new(counted)),
                total,
                compressed: None,
            });
        }
        Compression::Gzip => match in_buf {
            Some(n) => Box::new(flate2::bufread::MultiGzDecoder::new(
                io::BufReader::with_capacity(n, counted),
            )),
            None => Box::new(flate2::read::MultiGzDecoder::new(counted)),
        },
        Compression::Zstd => match in_buf {
            Some(n) => Box::new(zstd::stream::read::Decoder::with_buffer(
                io::BufReader::with_capacity(n, counted),
            )?),
            None => Box::new(zstd::stream::read::Decoder::new(counted)?),
        },
    };
    Ok(Stream {
        reader: utf16_to_utf8(reader),
        total: None,
        compressed: Some(count),
    })
}

/// Opens `source` for reading.
pub(crate) fn open(source: &InputSource, opts: &ReadOptions) -> Result<Opened, IngestError> {
    let path = match source {
        InputSource::Stdin => {
            return stream(Box::new(io::stdin()), Compression::None, None)
                .map(Opened::Stream)
                .map_err(io_err(source));
        }
        InputSource::Path(p) => p,
    };
    let file = File::open(path).map_err(io_err(source))?;
    let meta = file.metadata().map_err(io_err(source))?;
    if meta.is_dir() {
        return Err(IngestError::NotAFile {
            input: source.to_string(),
        });
    }
    let ext = by_extension(path);
    if meta.is_file() {
        if meta.len() == 0 {
            return Ok(Opened::Empty);
        }
        if opts.mmap && ext == Compression::None {
            // SAFETY: `file` is a regular file; the module docs and `read_input` state the
            // contract that it must not shrink while mapped.
            if let Ok(map) = unsafe { Mapped::map(&file) } {
                // Compressed or UTF-16 content is streamed through its decoder instead.
                if by_magic(map.bytes()) == Compression::None && !is_utf16(map.bytes()) {
                    return Ok(Opened::Mapped(map));
                }
            }
        }
    }
    let total = meta.is_file().then_some(meta.len());
    // Mapping and probing a map read nothing through `file`, so its offset is still 0. Never
    // open the path a second time: a FIFO whose writer has finished would block forever.
    stream(Box::new(file), ext, total)
        .map(Opened::Stream)
        .map_err(io_err(source))
}
