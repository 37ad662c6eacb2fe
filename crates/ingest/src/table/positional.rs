//! A file read by position (`pread`), shared by the workers of one table: no shared cursor,
//! and every read bounds-checked against the file's size before anything is allocated, so a
//! footer or header that claims more bytes than the file holds is an error, not an allocation.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

/// A file read by position, shared by the workers.
#[derive(Clone)]
pub(crate) struct Positional {
    file: Arc<File>,
    pub(crate) len: u64,
}

impl Positional {
    pub(crate) fn open(path: &Path) -> io::Result<Positional> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        Ok(Positional {
            len: meta.len(),
            file: Arc::new(file),
        })
    }

    pub(crate) fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(&*self.file, buf, at)
        }
        #[cfg(windows)]
        {
            let mut done = 0;
            while done < buf.len() {
                let n = std::os::windows::fs::FileExt::seek_read(
                    &*self.file,
                    &mut buf[done..],
                    at + done as u64,
                )?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                done += n;
            }
            Ok(())
        }
    }
}

/// A reader from an offset to the end of the file, by positional reads.
pub(crate) struct At {
    file: Positional,
    pos: u64,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.file.len.saturating_sub(self.pos);
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if n == 0 {
            return Ok(0);
        }
        self.file.read_at(&mut buf[..n], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Length for Positional {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Positional {
    type T = io::BufReader<At>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        if start > self.len {
            return Err(ParquetError::EOF(format!(
                "a read at byte {start} is past the end of the file ({} bytes)",
                self.len
            )));
        }
        Ok(io::BufReader::with_capacity(
            16 << 10,
            At {
                file: self.clone(),
                pos: start,
            },
        ))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.bytes(start, length as u64)
            .map(Bytes::from)
            .map_err(|e| ParquetError::EOF(e.to_string()))
    }
}

impl Positional {
    /// `length` bytes at `start`, or an error saying they run past the end of the file.
    pub(crate) fn bytes(&self, start: u64, length: u64) -> io::Result<Vec<u8>> {
        if start.checked_add(length).is_none_or(|e| e > self.len) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{length} bytes at byte {start} run past the end of the file ({} bytes): \
                     truncated, or its metadata lies",
                    self.len
                ),
            ));
        }
        let mut buf = vec![0u8; usize::try_from(length).map_err(io::Error::other)?];
        self.read_at(&mut buf, start)?;
        Ok(buf)
    }
}
