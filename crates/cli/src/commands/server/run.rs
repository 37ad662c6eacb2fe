//! `leakmatch server run STATE_DIR --listen ADDR`

use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Context;
use leakmatch_server::{Server, ServerConfig};

use super::open_state;
use crate::output::{stdout_write, Printer};

pub fn run(
    dir: &Path,
    listen: &str,
    eval_slots: Option<usize>,
    printer: &Printer,
) -> anyhow::Result<ExitCode> {
    let state = open_state(dir)?;
    let epoch = state.current_epoch()?;
    let listener =
        TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let mut config = ServerConfig::default();
    if let Some(n) = eval_slots {
        if n == 0 {
            return Err(
                crate::commands::UsageError("--eval-slots must be at least 1".into()).into(),
            );
        }
        config.eval_slots = n;
    } else {
        config.eval_slots = rayon::current_num_threads();
    }
    let quiet = printer.quiet;
    let server = Server::new(Arc::new(state), config).on_request(move |line| {
        if !quiet {
            eprintln!("{line}");
        }
    });
    let stop = server.shutdown_handle();
    crate::interrupt::on_signal(move || stop.trigger());
    let stats = server.stats();
    stdout_write(&format!("listening on http://{addr}\n"))?;
    printer.info(format!(
        "serving {} (epoch {epoch}) on http://{addr}; Ctrl-C or SIGTERM stops it",
        dir.display()
    ));
    server.run(listener)?;
    printer.info(format!(
        "stopped after {} requests ({} evaluations charged, {} answered again free)",
        stats.requests.load(Ordering::SeqCst),
        stats.evaluated.load(Ordering::SeqCst),
        stats.replayed.load(Ordering::SeqCst)
    ));
    Ok(ExitCode::SUCCESS)
}
