//! Atomic file replacement: write to a temporary file beside the target, then rename.
//!
//! [`AtomicFile::create`] makes `.NAME.tmp-<pid>-<16 hex>` in the target's directory (created
//! with `O_EXCL`, so two writers never share a temporary). Writes go to that file. [`commit`]
//! flushes it, `fsync`s it, renames it over the target and `fsync`s the directory, so a reader
//! sees either the old file or the complete new one, also after a crash. Dropping an
//! `AtomicFile` without committing removes the temporary, as does a failed commit.
//!
//! [`commit_new`] is the no-clobber variant used for key files: it links the temporary to the
//! target name, which fails with [`io::ErrorKind::AlreadyExists`] if the target exists, even if
//! it appeared after `create`.
//!
//! [`create_private`] is for files that may hold an identifier or a secret: the temporary is
//! created 0600 (never readable by others, even if a SIGKILL leaves it behind), and leftover
//! temporaries of the same target from processes that no longer exist are removed first.
//!
//! A process that is interrupted (Ctrl-C) never runs `Drop`: [`remove_pending_and_exit`], called
//! from a signal-watching thread, removes the temporaries not yet committed and exits. A commit
//! and that removal exclude each other, so the target is either complete or absent.
//!
//! [`commit`]: AtomicFile::commit
//! [`commit_new`]: AtomicFile::commit_new
//! [`create_private`]: AtomicFile::create_private

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Temporaries created and not yet committed or dropped.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes every temporary file not yet committed, then exits the process with `code`,
/// holding the lock so that no commit can start meanwhile. For a signal-watching thread
/// (never a signal handler: it allocates and locks).
pub fn remove_pending_and_exit(code: i32) -> ! {
    let list = pending();
    for p in list.iter() {
        let _ = std::fs::remove_file(p);
    }
    std::process::exit(code)
}

/// A file being written beside its final path; see the [module docs](self).
#[derive(Debug)]
pub struct AtomicFile {
    file: Option<File>,
    temp: PathBuf,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file for `path` with the default mode (0666 less the umask).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        Self::create_with_mode(path, 0o666)
    }

    /// For a file that may hold an identifier or a secret (`--matches-out`): creates the
    /// temporary with mode 0600, so the content is never readable by others — not even in a
    /// temporary left behind by a SIGKILL — and first removes such leftovers for the same
    /// target: temporaries named for a process that no longer exists (see
    /// [`remove_stale_temporaries`]).
    pub fn create_private(path: &Path) -> io::Result<AtomicFile> {
        remove_stale_temporaries(path);
        Self::create_with_mode(path, 0o600)
    }

    /// Creates the temporary file for `path` with Unix permission bits `mode` (less the umask),
    /// set at creation so the content is never readable under looser permissions. Ignored on
    /// other platforms.
    pub fn create_with_mode(path: &Path, mode: u32) -> io::Result<AtomicFile> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
        let dir = parent_dir(path);
        let mut options = OpenOptions::new();
        // Readable too: a filter built in place maps its temporary shared and writable.
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        // A random suffix keeps concurrent writers (and stale temporaries) apart; retry on the
        // astronomically unlikely name clash.
        let mut attempts = 0;
        loop {
            let mut temp_name = OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(
                ".tmp-{}-{:016x}",
                std::process::id(),
                random_u64()?
            ));
            let temp = dir.join(temp_name);
            match options.open(&temp) {
                Ok(file) => {
                    pending().push(temp.clone());
                    return Ok(AtomicFile {
                        file: Some(file),
                        temp,
                        target: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 8 => {
                    attempts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The open temporary file, for positioned writes (`write_all_at`) from several threads.
    pub fn file(&self) -> io::Result<&File> {
        self.file
            .as_ref()
            .ok_or_else(|| io::Error::other("atomic file already finished"))
    }

    /// The final path this file will be committed to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Makes the content durable and renames it over the target (replacing any existing file).
    pub fn commit(mut self) -> io::Result<()> {
        self.sync()?;
        {
            let mut list = pending();
            std::fs::rename(&self.temp, &self.target)?;
            list.retain(|p| p != &self.temp);
        }
        self.file = None;
        sync_dir(&parent_dir(&self.target))
    }

    /// Like [`commit`](Self::commit) but fails with [`io::ErrorKind::AlreadyExists`] instead
    /// of replacing an existing target. The temporary is removed either way.
    pub fn commit_new(mut self) -> io::Result<()> {
        self.sync()?;
        // Under the lock: an interrupt removes the temporary before or after the link, whole.
        pending_link(&self.temp, &self.target)?;
        // The target now holds the content; dropping `self` unlinks the temporary name.
        let dir = parent_dir(&self.target);
        drop(self);
        sync_dir(&dir)
    }

    fn sync(&mut self) -> io::Result<()> {
        let file = self.file_mut()?;
        file.flush()?;
        file.sync_all()
    }

    fn file_mut(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("atomic file already finished"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file_mut()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file_mut()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file_mut()?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // `file` is None only after a successful rename: the temporary name is gone then.
        let mut list = pending();
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
        list.retain(|p| p != &self.temp);
    }
}

/// Removes the temporaries `.NAME.tmp-<pid>-<16 hex>` of `path` (`NAME` its file name) left
/// in its directory by processes that no longer exist (killed before they could clean up).
/// Best effort: errors are ignored, and a temporary of a live process is never touched.
pub fn remove_stale_temporaries(path: &Path) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((pid, suffix)) = rest.split_once('-') else {
            continue;
        };
        let well_formed = suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_hexdigit());
        match pid.parse::<u32>() {
            Ok(pid) if well_formed && !process_exists(pid) => {
                let _ = std::fs::remove_file(entry.path());
            }
            _ => {}
        }
    }
}

#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return true; // not a real process id: leave the file alone
    }
    // SAFETY: signal 0 only checks whether the process exists; no signal is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
}

fn pending_link(temp: &Path, target: &Path) -> io::Result<()> {
    let _list = pending();
    std::fs::hard_link(temp, target)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `fsync` a directory so a rename in it survives a crash. Not possible on Windows (no-op).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn random_u64() -> io::Result<u64> {
    getrandom::u64().map_err(|e| io::Error::other(format!("random number generator: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, b"old").unwrap();
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(entries(dir.path()), vec!["out.txt"]);
    }

    #[test]
    fn drop_without_commit_removes_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"partial").unwrap();
        assert_eq!(entries(dir.path()).len(), 1);
        drop(f);
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn commit_new_refuses_existing_target() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let f = AtomicFile::create_with_mode(&path, 0o600).unwrap();
        std::fs::write(&path, b"someone else").unwrap();
        let err = f.commit_new().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"someone else");
        assert_eq!(entries(dir.path()), vec!["k"]);
    }

    /// Issue 17 item 3: a private file's temporary is 0600 from creation (a SIGKILL leaves
    /// nothing readable by others), and leftovers of dead processes are removed.
    #[cfg(unix)]
    #[test]
    fn private_temporaries_are_0600_and_stale_ones_removed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.csv");
        let stale = dir
            .path()
            .join(".notify.csv.tmp-999999999-0123456789abcdef");
        let live = dir.path().join(format!(
            ".notify.csv.tmp-{}-0123456789abcdef",
            std::process::id()
        ));
        let other = dir.path().join(".other.csv.tmp-999999999-0123456789abcdef");
        for p in [&stale, &live, &other] {
            std::fs::write(p, b"old").unwrap();
        }
        let mut f = AtomicFile::create_private(&path).unwrap();
        let temp_mode = std::fs::metadata(&f.temp).unwrap().permissions().mode();
        assert_eq!(temp_mode & 0o777, 0o600);
        assert!(!stale.exists(), "a dead process's temporary is removed");
        assert!(live.exists() && other.exists(), "others are left alone");
        f.write_all(b"x").unwrap();
        f.commit().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn mode_is_applied_at_creation() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let mut f = AtomicFile::create_with_mode(&path, 0o600).unwrap();
        f.write_all(b"x").unwrap();
        f.commit_new().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
