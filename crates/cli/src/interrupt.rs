//! Ctrl-C and SIGTERM: remove the temporary files of outputs not yet committed, then exit with
//! 128 + the signal number, as a shell does. Without this an interrupted save would leave a
//! `.NAME.tmp-*` file behind (never a partial file under NAME: that is `AtomicFile`'s rename).
//!
//! The signals are blocked in every thread (rayon's workers inherit the mask from `main`) and
//! taken by one thread with `sigwait`, so the cleanup runs as ordinary code, not in a handler.

use std::sync::OnceLock;

type Hook = Box<dyn Fn() + Send + Sync>;

static ON_SIGNAL: OnceLock<Hook> = OnceLock::new();

/// Runs `hook` on the first Ctrl-C/SIGTERM instead of exiting (the command then stops by
/// itself); a second signal still exits at once. Only the first hook set counts.
pub fn on_signal(hook: impl Fn() + Send + Sync + 'static) {
    let _ = ON_SIGNAL.set(Box::new(hook));
}

/// Starts the signal-watching thread. Call first in `main`, before any other thread exists.
/// On failure the default behaviour (die at once) is kept.
pub fn install() {
    // SAFETY: sigset_t is plain data initialised by sigemptyset/sigaddset before use.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        set
    };
    // SAFETY: `set` is initialised; the old mask is not needed.
    if unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) } != 0 {
        return;
    }
    let watcher = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut hooked = false;
            loop {
                let mut sig = 0;
                // SAFETY: `set` is initialised and `sig` is a valid out-pointer.
                if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                    return;
                }
                // A command that stops gracefully (`server run`) gets the first signal; a
                // second one exits at once.
                match ON_SIGNAL.get() {
                    Some(hook) if !hooked => {
                        hooked = true;
                        hook();
                    }
                    _ => leakmatch_hashing::atomic::remove_pending_and_exit(128 + sig),
                }
            }
        });
    if watcher.is_err() {
        // SAFETY: as above; restores delivery so Ctrl-C still stops the process.
        unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
    }
}
