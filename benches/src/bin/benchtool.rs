//! What `scripts/bench.sh` needs beyond coreutils.
//!
//! - `benchtool run OUT -- CMD [ARGS..]`: runs `CMD`, writes `WALL_SECONDS MAX_RSS_KIB EXIT` to
//!   `OUT` (wall time from a monotonic clock; peak RSS from `getrusage(RUSAGE_CHILDREN)`, i.e.
//!   the largest resident set of the command or of any of its waited-for descendants, as
//!   `/usr/bin/time -v` reports it), and exits with the command's status.
//! - `benchtool get FILE PATH`: prints the JSON value at dotted `PATH` (`kinds.msisdn.tested`;
//!   array indices as numbers) of `FILE`, strings unquoted; exits 1 if absent.
//!
//! Failures (a command that cannot start, an unreadable file) are a message and exit status 1.

use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") if args.len() >= 4 && args[2] == "--" => run(&args[1], &args[3..]),
        Some("get") if args.len() == 3 => get(&args[1], &args[2]),
        _ => {
            eprintln!("usage: benchtool run OUT -- CMD [ARGS..] | benchtool get FILE PATH");
            ExitCode::from(2)
        }
    }
}

fn run(out: &str, cmd: &[String]) -> ExitCode {
    let started = Instant::now();
    let status = match Command::new(&cmd[0]).args(&cmd[1..]).status() {
        Ok(s) => s,
        Err(e) => return fail("cannot run the command", e),
    };
    let wall = started.elapsed().as_secs_f64();
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is valid for writes. Our only child has been waited for, so this is
    // its peak RSS (or that of its largest waited-for descendant).
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if rc != 0 {
        return fail("getrusage failed", std::io::Error::last_os_error());
    }
    let code = status.code().unwrap_or_else(|| {
        128 + std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0)
    });
    if let Err(e) = std::fs::write(out, format!("{wall:.3} {} {code}\n", usage.ru_maxrss)) {
        return fail("cannot write the measurement", e);
    }
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn get(file: &str, path: &str) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return fail("cannot read the JSON file", e),
    };
    let root: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return fail("not JSON", e),
    };
    let mut v = &root;
    for part in path.split('.') {
        let next = match part.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(part),
        };
        match next {
            Some(n) => v = n,
            None => return ExitCode::FAILURE,
        }
    }
    match v {
        serde_json::Value::String(s) => println!("{s}"),
        other => println!("{other}"),
    }
    ExitCode::SUCCESS
}

fn fail(what: &str, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("benchtool: {what}: {e}");
    ExitCode::FAILURE
}
