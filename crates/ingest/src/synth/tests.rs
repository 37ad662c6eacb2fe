use super::render::{self, CnicForm, MsisdnForm, CNIC_FORMS, MSISDN_FORMS};
use super::row::Field;
use super::source::RowSource;
use super::*;
use crate::RejectReason;

pub(super) fn gen(opts: &GenOptions) -> (Vec<u8>, Option<Vec<u8>>, Truth) {
    let mut dump = Vec::new();
    let mut base = Vec::new();
    let truth = if opts.subscriber_rows.is_some() {
        generate(opts, &mut dump, Some(&mut base)).unwrap()
    } else {
        generate(opts, &mut dump, None).unwrap()
    };
    (dump, opts.subscriber_rows.map(|_| base), truth)
}

fn opts(format: DumpFormat, seed: u64) -> GenOptions {
    GenOptions {
        rows: 3_000,
        seed,
        format,
        subscriber_rows: Some(700),
        ..GenOptions::default()
    }
}

/// Test-only reference reading of a *valid* rendered form: digits in any script, `.0` dropped,
/// then the country/trunk prefix stripped. Junk is out of its scope.
fn reference_national(s: &str) -> Option<u64> {
    let s = s.strip_suffix(".0").unwrap_or(s);
    let mut d = String::new();
    for c in s.chars() {
        let v = c as u32;
        match c {
            '0'..='9' => d.push(c),
            _ if (0x06F0..=0x06F9).contains(&v) => d.push(char::from(b'0' + (v - 0x06F0) as u8)),
            _ if (0x0660..=0x0669).contains(&v) => d.push(char::from(b'0' + (v - 0x0660) as u8)),
            ' ' | '-' | '+' | '(' | ')' => {}
            _ => return None,
        }
    }
    let d = d
        .strip_prefix("0092")
        .or_else(|| d.strip_prefix("92"))
        .unwrap_or(&d)
        .to_owned();
    let d = d.replacen("0", "", usize::from(d.len() == 11 && d.starts_with('0')));
    (d.len() == 10).then(|| d.parse().ok()).flatten()
}

#[test]
fn same_seed_same_bytes_other_seed_differs() {
    for format in DumpFormat::ALL {
        let a = gen(&opts(format, 7));
        let b = gen(&opts(format, 7));
        assert!(a.0 == b.0 && a.1 == b.1 && a.2 == b.2, "{format}");
        let c = gen(&opts(format, 8));
        assert!(a.0 != c.0 && a.1 != c.1, "{format}");
    }
}

#[test]
fn identifier_sets_are_format_independent() {
    let reference = gen(&opts(DumpFormat::Csv, 3)).2;
    for format in DumpFormat::ALL {
        let t = gen(&opts(format, 3)).2;
        if format == DumpFormat::Text {
            assert!(t.dump.rejected_msisdn_by_reason.values().all(|&v| v == 0));
            assert!(t.dump.rejected_cnic_by_reason.values().all(|&v| v == 0));
            let mut t2 = t.clone();
            t2.dump.rejected_msisdn_by_reason = reference.dump.rejected_msisdn_by_reason.clone();
            t2.dump.rejected_cnic_by_reason = reference.dump.rejected_cnic_by_reason.clone();
            assert_eq!(t2, reference);
        } else {
            assert_eq!(t, reference, "{format}");
        }
    }
}

#[test]
fn truth_is_internally_consistent() {
    for (format, messiness) in [
        (DumpFormat::Csv, Messiness::Messy),
        (DumpFormat::Sql, Messiness::Clean),
    ] {
        let t = gen(&GenOptions {
            messiness,
            ..opts(format, 11)
        })
        .2;
        for s in [&t.dump, t.base.as_ref().unwrap()] {
            let rej_m: u64 = s.rejected_msisdn_by_reason.values().sum();
            let rej_c: u64 = s.rejected_cnic_by_reason.values().sum();
            assert_eq!(s.valid_msisdn_fields + rej_m, s.rows);
            assert_eq!(s.valid_cnic_fields + rej_c, s.rows);
            assert_eq!(s.rejected_msisdn_by_reason.len(), 5);
            assert_eq!(s.rejected_cnic_by_reason["not_mobile"], 0);
            assert_eq!(
                s.distinct_msisdn_by_operator.values().sum::<u64>(),
                s.distinct_msisdn
            );
            assert_eq!(s.distinct_msisdn_by_operator.len(), 6);
            assert_eq!(
                s.distinct_cnic_by_province.values().sum::<u64>(),
                s.distinct_cnic
            );
            assert_eq!(s.distinct_cnic_by_province.len(), 7);
            assert_eq!(
                s.distinct_cnic_by_registered_gender.values().sum::<u64>(),
                s.distinct_cnic
            );
            let h = &s.sims_per_cnic_histogram;
            assert_eq!(
                h.iter().map(|(k, v)| u64::from(*k) * v).sum::<u64>(),
                s.distinct_pairs
            );
            assert!(h.values().sum::<u64>() <= s.distinct_cnic);
            assert!(
                s.distinct_msisdn <= s.valid_msisdn_fields
                    && s.distinct_cnic <= s.valid_cnic_fields
            );
            assert!(
                s.distinct_pairs <= s.pair_records && s.pair_records <= s.records_with_valid_id
            );
            assert!(s.distinct_pairs >= s.distinct_msisdn.min(s.distinct_cnic) / 2);
            if messiness == Messiness::Clean {
                assert_eq!(rej_m + rej_c, 0);
            } else {
                assert!(s.rejected_msisdn_by_reason.values().all(|&v| v > 0) || s.rows < 3_000);
            }
        }
        let (d, b, o) = (
            &t.dump,
            t.base.as_ref().unwrap(),
            t.overlap.as_ref().unwrap(),
        );
        assert!(o.msisdn <= d.distinct_msisdn.min(b.distinct_msisdn));
        assert!(o.cnic <= d.distinct_cnic.min(b.distinct_cnic));
        assert!(
            o.pair <= d.distinct_pairs.min(b.distinct_pairs) && o.pair <= o.msisdn,
            "{o:?} {d:?} {b:?}"
        );
        assert!(o.base_rows_matching_any <= b.rows && o.base_rows_matching_any >= o.pair);
        // 30% of 700 rows are dump people; base junk (rates / 4) loses only a few.
        assert!((190..=210).contains(&o.pair), "{o:?}");
        assert!(
            d.sims_per_cnic_histogram.keys().any(|&k| k > 8),
            "SIM-fraud signal missing"
        );
        let back: Truth = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
    }
}

#[test]
fn options_are_checked() {
    let mut sink = Vec::new();
    let bad = GenOptions {
        overlap: 1.5,
        ..GenOptions::default()
    };
    assert!(generate(&bad, &mut sink, None).is_err());
    let no_base = GenOptions {
        subscriber_rows: Some(3),
        ..GenOptions::default()
    };
    assert!(generate(&no_base, &mut sink, None).is_err());
    assert_eq!("JSONL".parse::<DumpFormat>().unwrap(), DumpFormat::Jsonl);
    assert!("xml".parse::<DumpFormat>().is_err());
    let empty = GenOptions {
        rows: 0,
        format: DumpFormat::Sql,
        ..GenOptions::default()
    };
    let t = generate(&empty, &mut sink, None).unwrap();
    assert_eq!(t.dump.rows, 0);
}

#[test]
fn excel_scientific_matches_excel() {
    assert_eq!(render::excel_scientific(923_001_234_567), "9.23001E+11");
    assert_eq!(render::excel_scientific(3_520_212_345_671), "3.52021E+12");
    assert_eq!(render::excel_scientific(3_001_234_567), "3.00123E+09");
    assert_eq!(render::excel_scientific(923_000_000_000), "9.23E+11");
    assert_eq!(render::excel_scientific(999_999_700_000), "1E+12");
}

#[test]
fn every_valid_form_reads_back_to_its_identifier() {
    for national in [
        3_001_234_567u64,
        3_550_000_001,
        3_649_999_999,
        3_390_000_000,
    ] {
        for (form, _) in MSISDN_FORMS {
            let mut s = String::new();
            render::push_msisdn(&mut s, national, form);
            assert_eq!(reference_national(&s), Some(national), "{form:?}: {s}");
        }
    }
    let cnic = 3_520_212_345_671u64;
    for (form, _) in CNIC_FORMS {
        let mut s = String::new();
        render::push_cnic(&mut s, cnic, form);
        let digits: String = s
            .strip_suffix(".0")
            .unwrap_or(&s)
            .chars()
            .filter_map(|c| match c as u32 {
                0x30..=0x39 => Some(c),
                v @ 0x06F0..=0x06F9 => Some(char::from(b'0' + (v - 0x06F0) as u8)),
                v @ 0x0660..=0x0669 => Some(char::from(b'0' + (v - 0x0660) as u8)),
                _ => None,
            })
            .collect();
        assert_eq!(digits, "3520212345671", "{form:?}: {s}");
    }
}

/// Written strings with what the normalizer must say about them.
type Cases = Vec<(String, Result<String, RejectReason>)>;

/// Every form and junk string the generator can write: (MSISDN cases, CNIC cases).
fn all_cases() -> (Cases, Cases) {
    let mut m = Vec::new();
    let mut c = Vec::new();
    for national in [
        3_001_234_567u64,
        3_214_567_890,
        3_109_999_999,
        3_370_000_000,
        3_551_234_567,
        3_641_234_567,
    ] {
        for (form, _) in MSISDN_FORMS {
            let mut s = String::new();
            render::push_msisdn(&mut s, national, form);
            m.push((s, Ok(format!("92{national}"))));
        }
        for reason in RejectReason::ALL {
            for pick in 0..12 {
                m.push((render::junk_msisdn(national, reason, pick), Err(reason)));
            }
        }
    }
    for cnic in [
        3_520_212_345_671u64,
        1_000_000_000_001,
        7_999_999_999_998,
        4_210_100_000_009,
    ] {
        for (form, _) in CNIC_FORMS {
            let mut s = String::new();
            render::push_cnic(&mut s, cnic, form);
            c.push((s, Ok(cnic.to_string())));
        }
        for reason in [
            RejectReason::Empty,
            RejectReason::BadLength,
            RejectReason::Lossy,
            RejectReason::Junk,
        ] {
            for pick in 0..6 {
                c.push((render::junk_cnic(cnic, reason, pick), Err(reason)));
            }
        }
    }
    (m, c)
}

/// The normalizer (landed in 0ca0781) must read every generated string as the truth says.
#[test]
fn normalizer_agrees_with_the_generator() {
    let (m, c) = all_cases();
    for (s, want) in m {
        let got = crate::Msisdn::parse(s.as_bytes()).map(|v| v.as_str().to_owned());
        assert_eq!(got, want, "MSISDN form {s:?}");
    }
    for (s, want) in c {
        let got = crate::Cnic::parse(s.as_bytes()).map(|v| v.as_str().to_owned());
        assert_eq!(got, want, "CNIC form {s:?}");
    }
}

#[test]
fn rows_are_consistent_with_cases() {
    // The junk kinds the row source draws are the ones `all_cases` covers.
    let mut src = RowSource::new(super::rng(5, 0), super::rates(Messiness::Messy, 1.0));
    let mut seen_forms = std::collections::HashSet::new();
    for _ in 0..20_000 {
        let row = src.next_row();
        if let Field::Valid(_, f) = row.msisdn {
            seen_forms.insert(format!("{f:?}"));
        }
        if let Field::Reject(s, RejectReason::Empty) = &row.cnic {
            assert!(s.is_empty());
        }
    }
    assert_eq!(seen_forms.len(), MSISDN_FORMS.len());
    let _ = (CnicForm::Dashed, MsisdnForm::Plus);
}

/// Scale check (run by hand: `cargo test --release -p leakmatch-ingest ten_million -- --ignored`).
#[test]
#[ignore = "slow: 10M rows"]
fn ten_million_rows_stream() {
    let o = GenOptions {
        rows: 10_000_000,
        subscriber_rows: Some(1_000_000),
        ..GenOptions::default()
    };
    let t = generate(&o, &mut std::io::sink(), Some(&mut std::io::sink())).unwrap();
    assert_eq!(t.dump.rows, 10_000_000);
    assert!(
        t.dump.distinct_msisdn > 8_000_000,
        "{:?}",
        t.dump.distinct_msisdn
    );
}
