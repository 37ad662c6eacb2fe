//! Regenerates `fixtures/` (small synthetic dumps, a base, and their exact truth).
//!
//! ```text
//! cargo run -p leakmatch-ingest --example gen_fixtures [-- OUT_DIR]
//! ```
//!
//! Every dump comes from `GenOptions::small_fixture(format)`: same seed, same people, so the
//! sets of distinct identifiers are identical across formats.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use leakmatch_ingest::{generate, DumpFormat, GenOptions, Truth};

fn write_json(path: &Path, truth: &Truth) -> Result<(), Box<dyn std::error::Error>> {
    let mut text = serde_json::to_string_pretty(truth)?;
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out: PathBuf = match std::env::args_os().nth(1) {
        Some(dir) => dir.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"),
    };
    std::fs::create_dir_all(&out)?;
    for format in DumpFormat::ALL {
        let opts = GenOptions::small_fixture(format);
        let mut dump = Vec::new();
        let mut base = Vec::new();
        let truth = generate(&opts, &mut dump, Some(&mut base))?;
        let name = format.fixture_name();
        std::fs::write(out.join(&name), &dump)?;
        write_json(&out.join(format!("{name}.truth.json")), &truth)?;
        if format == DumpFormat::Csv {
            std::fs::write(out.join("base-small.csv"), &base)?;
            write_json(&out.join("truth-small.json"), &truth)?;
            let gz = File::create(out.join(format!("{name}.gz")))?;
            let mut enc = flate2::GzBuilder::new()
                .mtime(0)
                .write(gz, flate2::Compression::best());
            enc.write_all(&dump)?;
            enc.finish()?.sync_all()?;
        }
        println!("{name}: {} rows, {} bytes", truth.dump.rows, dump.len());
    }
    Ok(())
}
