//! `leakmatch keygen`

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use leakmatch_hashing::{write_key_file, Key};

use crate::output::{stdout_write, Printer};

pub fn run(output: &Path, printer: &Printer) -> anyhow::Result<ExitCode> {
    let key = Key::generate().context("cannot make a key")?;
    write_key_file(output, &key)
        .with_context(|| format!("cannot write key file {}", output.display()))?;
    printer.info(format!(
        "wrote a new secret key to {} (mode 0600). Keep it secret: anyone with the key and a \
         filter can test identifiers against the filter.",
        output.display()
    ));
    stdout_write(&format!("{}\n", key.id()))?;
    Ok(ExitCode::SUCCESS)
}
