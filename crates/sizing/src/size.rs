//! The driver: reads every input under one fresh key, sizes each, then the union and the
//! pairwise overlaps.

use std::sync::OnceLock;

use leakmatch_ingest::{
    read_input, Diagnostics, InputSource, InputStats, Progress, ReadOptions, ReadOutcome,
};
use leakmatch_match::InputSummary;

use crate::collect::{Collected, Sets, Shared, SizingSink, Sketches};
use crate::count::Figures;
use crate::keys::Keyer;
use crate::report::{InputSize, Overlap, OverlapKind, SizeReport, SCHEMA};
use crate::{SizeOptions, SizingError};
use leakmatch_match::Budget;

/// The result of [`size_inputs`].
#[derive(Debug)]
pub struct SizeOutcome {
    /// The report (counts only).
    pub report: SizeReport,
    /// Skipped records and warnings per input (never holding identifiers).
    pub diagnostics: Vec<(String, Diagnostics)>,
}

/// Sizes `sources`: per input and in total, and pairwise overlap if asked.
///
/// All inputs share one fresh random key, so their keys are comparable; the key is never
/// stored. Figures are exact while the collected keys fit in `opts.memory_limit` and
/// HyperLogLog estimates (labelled `exact: false`) from the moment they do not.
pub fn size_inputs(
    sources: &[InputSource],
    read: &ReadOptions,
    opts: &SizeOptions,
    progress: &dyn Progress,
) -> Result<SizeOutcome, SizingError> {
    if opts.overlap && sources.len() < 2 {
        return Err(SizingError::OverlapNeedsTwo {
            inputs: sources.len(),
        });
    }
    let keyer = Keyer::generate()?;
    let budget = Budget::new(opts.memory_limit);
    let mut collected = Vec::with_capacity(sources.len());
    let mut inputs = Vec::with_capacity(sources.len());
    let mut diagnostics = Vec::with_capacity(sources.len());
    let mut total_stats = InputStats::default();
    let mut formats: Vec<&'static str> = Vec::new();
    for source in sources {
        let sketches = OnceLock::new();
        let shared = Shared {
            keyer: &keyer,
            budget: &budget,
            sketches: &sketches,
        };
        let ReadOutcome {
            sinks,
            stats,
            format,
            diagnostics: diag,
            ..
        } = read_input(source, read, || SizingSink::new(&shared), progress)?;
        let sets = shared.collect(sinks);
        let mut one = match sets {
            Some(sets) => Collected::Exact(sets),
            None => Collected::Estimated(sketches.into_inner().unwrap_or_else(Sketches::new)),
        };
        let figures = match &mut one {
            Collected::Exact(sets) => Figures::of_sets(sets),
            Collected::Estimated(sketches) => Figures::of_sketches(sketches),
        };
        let name = source.to_string();
        let format = format.name();
        inputs.push(InputSize {
            read: InputSummary::new(name.clone(), format.to_string(), &stats),
            sizes: figures.into_sizes(&stats, opts.sim_limit),
        });
        total_stats.merge(&stats);
        if !formats.contains(&format) {
            formats.push(format);
        }
        diagnostics.push((name, diag));
        collected.push(one);
        if budget.is_over() {
            // Past the budget the union and overlaps are estimated: free the exact sets.
            for c in collected.iter_mut() {
                if matches!(c, Collected::Exact(_)) {
                    let taken = std::mem::replace(c, Collected::Estimated(Sketches::new()));
                    *c = Collected::Estimated(taken.into_estimated());
                }
            }
        }
    }
    let overlap = opts.overlap.then(|| overlaps(&mut collected));
    let total_figures = union_figures(&mut collected);
    let format = if formats.len() == 1 {
        formats[0]
    } else {
        "mixed"
    };
    let total = InputSize {
        read: InputSummary::new("total".into(), format.into(), &total_stats),
        sizes: total_figures.into_sizes(&total_stats, opts.sim_limit),
    };
    let exact = total.sizes.exact && inputs.iter().all(|i| i.sizes.exact);
    let report = SizeReport {
        schema: SCHEMA,
        exact,
        sim_limit: opts.sim_limit,
        memory_limit_bytes: opts.memory_limit,
        inputs,
        total,
        overlap,
    };
    Ok(SizeOutcome {
        report,
        diagnostics,
    })
}

/// Figures of the union of all inputs.
fn union_figures(collected: &mut [Collected]) -> Figures {
    let mut exact: Vec<&mut Sets> = Vec::with_capacity(collected.len());
    let mut sketches: Vec<&Sketches> = Vec::new();
    for c in collected.iter_mut() {
        match c {
            Collected::Exact(sets) => exact.push(sets),
            Collected::Estimated(s) => sketches.push(s),
        }
    }
    if sketches.is_empty() {
        return Figures::of_union(&mut exact);
    }
    let union = Sketches::new();
    for s in sketches {
        union.merge(s);
    }
    for sets in exact {
        union.absorb(sets);
    }
    Figures::of_sketches(&union)
}

/// Every pair of inputs, in order (0,1), (0,2), … (1,2), …
fn overlaps(collected: &mut [Collected]) -> Vec<Overlap> {
    let mut out = Vec::new();
    for b in 1..collected.len() {
        let (left, right) = collected.split_at_mut(b);
        let Some(second) = right.first_mut() else {
            continue;
        };
        for (a, first) in left.iter_mut().enumerate() {
            out.push(overlap_of(a, b, first, second));
        }
    }
    out
}

fn overlap_of(a: usize, b: usize, first: &mut Collected, second: &mut Collected) -> Overlap {
    if let (Collected::Exact(x), Collected::Exact(y)) = (&mut *first, &mut *second) {
        let kind = |na: u64, nb: u64, both: u64| OverlapKind::new(na, nb, both);
        return Overlap {
            a,
            b,
            exact: true,
            msisdn: kind(
                x.msisdn.len(),
                y.msisdn.len(),
                x.msisdn.intersection_len(&mut y.msisdn),
            ),
            cnic: kind(
                x.cnic.len(),
                y.cnic.len(),
                x.cnic.intersection_len(&mut y.cnic),
            ),
            pairs: kind(
                x.pairs.len(),
                y.pairs.len(),
                x.pairs.intersection_len(&mut y.pairs),
            ),
        };
    }
    // Estimated: |A ∩ B| = |A| + |B| − |A ∪ B|.
    let sketch = |c: &mut Collected| match c {
        Collected::Estimated(s) => Figures::of_sketches(s),
        Collected::Exact(sets) => Figures::of_sets(sets),
    };
    let (fa, fb) = (sketch(first).distinct(), sketch(second).distinct());
    let union = {
        let u = Sketches::new();
        for c in [&mut *first, &mut *second] {
            match c {
                Collected::Estimated(s) => u.merge(s),
                Collected::Exact(sets) => u.absorb(sets),
            }
        }
        Figures::of_sketches(&u).distinct()
    };
    let both = |x: u64, y: u64, u: u64| (x + y).saturating_sub(u);
    Overlap {
        a,
        b,
        exact: false,
        msisdn: OverlapKind::new(
            fa.msisdn,
            fb.msisdn,
            both(fa.msisdn, fb.msisdn, union.msisdn),
        ),
        cnic: OverlapKind::new(fa.cnic, fb.cnic, both(fa.cnic, fb.cnic, union.cnic)),
        pairs: OverlapKind::new(fa.pairs, fb.pairs, both(fa.pairs, fb.pairs, union.pairs)),
    }
}
