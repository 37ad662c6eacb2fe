//! A memory-mapped file (an input, or the filter) that is truncated while in use, or whose
//! disk fails, raises SIGBUS when a page past its new end is touched; by default the process
//! then dies with only "Bus error". This handler says what happened and what to do instead:
//! rerun with `--no-mmap`, which reads files instead of mapping them, so that changes to a
//! file can no longer reach the running process. It writes one fixed message with `write(2)`
//! and leaves with `_exit(2)` (the only things a signal handler may safely do), status 135
//! (128 + SIGBUS, as a shell reports it). Temporaries of outputs are left behind; those that
//! may hold identifiers are mode 0600 and removed by the next run writing the same file.

const MESSAGE: &[u8] = b"\nerror: a memory-mapped file (an input or the filter) was truncated or \
changed while in use, or its disk failed (SIGBUS): nothing from this run can be trusted. Rerun \
with --no-mmap, which reads files instead of mapping them, or make sure nothing rewrites the \
files while leakmatch runs.\n";

extern "C" fn on_sigbus(_signal: libc::c_int) {
    // SAFETY: write(2) and _exit(2) are async-signal-safe; MESSAGE is a static buffer.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(128 + libc::SIGBUS);
    }
}

/// Installs the handler; on failure the default (die with "Bus error") is kept.
pub fn install() {
    // SAFETY: a zeroed sigaction with an empty mask and a plain handler is valid;
    // `on_sigbus` only calls async-signal-safe functions.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}
