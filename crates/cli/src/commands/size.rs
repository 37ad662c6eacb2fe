//! `leakmatch size`: breach sizing for researchers. Counts only: no identifier is printed.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use leakmatch_hashing::AtomicFile;
use leakmatch_match::RejectCounts;
use leakmatch_sizing::{
    parse_memory, render_html, size_inputs, InputSize, OverlapKind, SizeOptions, SizeReport,
};

use super::{input_sources, read_options, UsageError};
use crate::args::SizeArgs;
use crate::output::{stdout_write, Printer};
use crate::summary;

pub fn run(args: &SizeArgs, printer: &Printer) -> anyhow::Result<ExitCode> {
    let memory_limit = parse_memory(&args.memory).map_err(|e| UsageError(e.to_string()))?;
    if args.overlap && args.input.inputs.len() < 2 {
        return Err(
            UsageError("--overlap compares inputs pairwise: give at least two".into()).into(),
        );
    }
    let read = read_options(&args.input)?;
    let opts = SizeOptions {
        sim_limit: args.sim_limit,
        memory_limit,
        overlap: args.overlap,
    };
    let started = Instant::now();
    let bars = printer.progress();
    let outcome = size_inputs(&input_sources(&args.input), &read, &opts, &bars)?;
    let elapsed = started.elapsed();
    let problems = summary::report_diagnostics(printer, &outcome.diagnostics);
    let report = &outcome.report;
    if !report.exact {
        printer.warn(format!(
            "the identifiers did not fit in --memory {}: figures marked ≈ are HyperLogLog estimates (±0.81%)",
            args.memory
        ));
    }
    if let Some(path) = &args.html {
        let mut file = AtomicFile::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        file.write_all(render_html(report).as_bytes())
            .and_then(|()| file.commit())
            .with_context(|| format!("cannot write {}", path.display()))?;
        printer.info(format!("wrote HTML report {}", path.display()));
    }
    if args.json {
        stdout_write(&format!("{}\n", serde_json::to_string_pretty(report)?))?;
    } else {
        stdout_write(&text(report))?;
    }
    printer.detail(format!("size took {:.3}s", elapsed.as_secs_f64()));
    Ok(if args.input.strict && problems > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The human-readable report.
fn text(r: &SizeReport) -> String {
    let mut s = String::new();
    for (i, input) in r.inputs.iter().enumerate() {
        let _ = writeln!(
            s,
            "input #{} {} ({})",
            i + 1,
            input.read.name,
            input.read.format
        );
        section(&mut s, input, r.sim_limit);
    }
    if r.inputs.len() > 1 {
        let _ = writeln!(
            s,
            "total of {} inputs (distinct across all)",
            r.inputs.len()
        );
        section(&mut s, &r.total, r.sim_limit);
    }
    for o in r.overlap.iter().flatten() {
        let _ = writeln!(
            s,
            "overlap #{} and #{}{}",
            o.a + 1,
            o.b + 1,
            if o.exact { "" } else { " (estimated)" }
        );
        for (kind, k) in [
            ("MSISDNs", &o.msisdn),
            ("CNICs", &o.cnic),
            ("pairs", &o.pairs),
        ] {
            let _ = writeln!(
                s,
                "  {kind:<8} {}",
                overlap_line(k, o.exact, o.a + 1, o.b + 1)
            );
        }
    }
    s
}

fn overlap_line(k: &OverlapKind, exact: bool, a: usize, b: usize) -> String {
    format!(
        "{} in both: {:.2}% of #{a} ({}), {:.2}% of #{b} ({}), Jaccard {:.4}",
        n(k.both, exact),
        k.pct_of_a,
        n(k.a, exact),
        k.pct_of_b,
        n(k.b, exact),
        k.jaccard
    )
}

fn section(s: &mut String, input: &InputSize, sim_limit: u32) {
    let (rd, z) = (&input.read, &input.sizes);
    let _ = writeln!(
        s,
        "  read      {} records, {} bytes, {} skipped",
        n(rd.records, true),
        n(rd.bytes, true),
        rd.skipped_records
    );
    let _ = writeln!(s, "  MSISDN    {}", fields(&rd.msisdn));
    let _ = writeln!(s, "  CNIC      {}", fields(&rd.cnic));
    let d = z.distinct;
    let _ = writeln!(
        s,
        "  distinct  {} MSISDNs, {} CNICs, {} pairs ({})",
        n(d.msisdn, z.exact),
        n(d.cnic, z.exact),
        n(d.pairs, z.exact),
        if z.exact {
            "exact"
        } else {
            "HyperLogLog estimates, ±0.81%"
        }
    );
    let dr = z.duplicate_ratio;
    let _ = writeln!(
        s,
        "  repeats   {:.1}% of MSISDN fields, {:.1}% of CNIC fields, {:.1}% of pairs",
        100.0 * dr.msisdn,
        100.0 * dr.cnic,
        100.0 * dr.pairs
    );
    let list = |m: &std::collections::BTreeMap<&'static str, u64>| {
        let mut v: Vec<_> = m.iter().filter(|(_, &c)| c > 0).collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        v.iter()
            .map(|(k, &c)| format!("{k} {}", n(c, z.exact)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        s,
        "  operator  {} (original allocation; numbers port)",
        list(&z.msisdn_by_operator)
    );
    let _ = writeln!(s, "  province  {}", list(&z.cnic_by_province));
    let _ = writeln!(
        s,
        "  gender    {} (as registered, not authoritative)",
        list(&z.cnic_by_registered_gender)
    );
    if let Some(sims) = &z.sims_per_cnic {
        let hist: Vec<String> = sims
            .histogram
            .iter()
            .map(|(k, v)| format!("{k}:{}", n(*v, true)))
            .collect();
        let _ = writeln!(s, "  SIMs/CNIC {}", hist.join(" "));
        let _ = writeln!(
            s,
            "            {} CNICs over the limit of {sim_limit} SIMs (most: {})",
            n(sims.cnics_over_limit, true),
            sims.max_sims
        );
    }
}

fn fields(c: &RejectCounts) -> String {
    format!(
        "{} valid; rejected: empty {}, not_mobile {}, bad_length {}, lossy {} (scientific notation), junk {}",
        n(c.valid, true),
        c.empty,
        c.not_mobile,
        c.bad_length,
        c.lossy,
        c.junk
    )
}

/// A count with thousands separators; `≈` in front when estimated.
fn n(v: u64, exact: bool) -> String {
    format!(
        "{}{}",
        if exact { "" } else { "≈" },
        leakmatch_sizing::thousands(v)
    )
}
