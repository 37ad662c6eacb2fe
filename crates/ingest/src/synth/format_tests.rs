//! The rendered formats are well-formed and hold exactly the drawn identifiers.

use super::render;
use super::row::Field;
use super::source::RowSource;
use super::tests::gen;
use super::*;

/// Test-only RFC 4180 reader: records of fields.
fn parse_delimited(data: &str, delim: char) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, data.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            _ if quoted => field.push(c),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ if c == delim => record.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "unterminated record"
    );
    records
}

/// Test-only mysqldump reader: the tuples of every `INSERT` line.
fn parse_sql(data: &str) -> Vec<Vec<String>> {
    let mut tuples = Vec::new();
    for line in data
        .lines()
        .filter_map(|l| l.strip_prefix("INSERT INTO `subscribers` VALUES "))
    {
        let line = line.strip_suffix(';').unwrap();
        let (mut tuple, mut field, mut chars) = (Vec::new(), String::new(), line.chars());
        let mut in_str = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' if in_str => field.push(match chars.next().unwrap() {
                    'n' => '\n',
                    'r' => '\r',
                    '0' => '\0',
                    other => other,
                }),
                '\'' => in_str = !in_str,
                _ if in_str => field.push(c),
                '(' => {}
                // Outside strings, a space only follows a separator (phpMyAdmin's ", ").
                ' ' => {}
                ',' => tuple.push(std::mem::take(&mut field)),
                ')' => {
                    tuple.push(std::mem::take(&mut field));
                    tuples.push(std::mem::take(&mut tuple));
                    if chars.next().is_some_and(|c| c != ',') {
                        panic!("tuple separator");
                    }
                }
                _ => field.push(c),
            }
        }
    }
    tuples
}

/// Each format's records, in order, as (msisdn field, cnic field) strings.
fn identifier_columns(format: DumpFormat, data: &str) -> Vec<(String, String)> {
    let pick = |header: &[String], rows: &[Vec<String>]| {
        let col = |n: &str| {
            header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(n))
                .unwrap()
        };
        let (m, c) = (col("msisdn"), col("cnic"));
        rows.iter()
            .map(|r| {
                assert_eq!(r.len(), header.len());
                (r[m].clone(), r[c].clone())
            })
            .collect()
    };
    match format {
        DumpFormat::Jsonl => data
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let s = |k: &str| match &v[k] {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (s("msisdn"), s("cnic"))
            })
            .collect(),
        DumpFormat::Sql | DumpFormat::Phpmyadmin => {
            let create: Vec<String> = data
                .lines()
                .filter_map(|l| l.strip_prefix("  `")?.split('`').next().map(str::to_owned))
                .collect();
            if format == DumpFormat::Sql {
                return pick(&create, &parse_sql(data));
            }
            // One statement per line, without the column list (it equals the table's).
            let list: Vec<String> = create.iter().map(|c| format!("`{c}`")).collect();
            let joined = data
                .replace(
                    &format!("INSERT INTO `subscribers` ({}) VALUES\n", list.join(", ")),
                    "INSERT INTO `subscribers` VALUES ",
                )
                .replace("),\n(", "),(");
            pick(&create, &parse_sql(&joined))
        }
        _ => {
            let delim = match format {
                DumpFormat::Tsv => '\t',
                DumpFormat::Semicolon => ';',
                DumpFormat::Pipe => '|',
                _ => ',',
            };
            let records = parse_delimited(data, delim);
            pick(&records[0], &records[1..])
        }
    }
}

#[test]
fn every_format_parses_to_the_rendered_identifiers() {
    let (mut crlf, mut quote_all) = (false, false);
    for seed in 0..16 {
        let mut src = RowSource::new(super::rng(seed, 0), super::rates(Messiness::Messy, 1.0));
        let rows: Vec<_> = (0..400).map(|_| src.next_row()).collect();
        let expect: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                let (mut m, mut c) = (String::new(), String::new());
                match &r.msisdn {
                    Field::Valid(v, f) => render::push_msisdn(&mut m, *v, *f),
                    Field::Reject(s, _) => m.push_str(s),
                }
                match &r.cnic {
                    Field::Valid(v, f) => render::push_cnic(&mut c, *v, *f),
                    Field::Reject(s, _) => c.push_str(s),
                }
                (m, c)
            })
            .collect();
        for format in DumpFormat::ALL
            .into_iter()
            .filter(|f| *f != DumpFormat::Text)
        {
            let o = GenOptions {
                rows: 400,
                seed,
                format,
                subscriber_rows: None,
                ..GenOptions::default()
            };
            let data = String::from_utf8(gen(&o).0).unwrap();
            let mut got = identifier_columns(format, &data);
            if format == DumpFormat::Jsonl {
                // A JSON number has no `.0`/form left to compare: compare digits.
                for (g, e) in got.iter_mut().zip(&expect) {
                    if g.0 != e.0 && e.0.chars().all(|c| c.is_ascii_digit()) {
                        assert_eq!(g.0, e.0.trim_start_matches('0'));
                        g.0 = e.0.clone();
                    }
                }
            }
            assert_eq!(got, expect, "{format} seed {seed}");
            crlf |= data.contains("\r\n");
            quote_all |= data.starts_with('"');
        }
    }
    assert!(crlf && quote_all, "styles not covered");
}

/// Scan mode's finds in one line: (MSISDN national numbers, CNICs) that normalize.
fn scanned(line: &str) -> (Vec<u64>, Vec<u64>) {
    use crate::content::IdKind;
    let (mut m, mut c) = (Vec::new(), Vec::new());
    crate::scan::runs(line.as_bytes(), |run, digits| match crate::scan::candidate(
        run,
        digits as u32,
    ) {
        Some(IdKind::Msisdn) => m.extend(
            crate::Msisdn::parse(run)
                .ok()
                .map(|v| v.to_u64() % 10_000_000_000),
        ),
        Some(IdKind::Cnic) => c.extend(crate::Cnic::parse(run).ok().map(|v| v.to_u64())),
        None => {}
    });
    (m, c)
}

#[test]
fn text_lines_hold_every_form_of_their_valid_identifiers_and_short_decoys() {
    let o = GenOptions {
        rows: 3_000,
        seed: 9,
        format: DumpFormat::Text,
        ..GenOptions::default()
    };
    let data = String::from_utf8(
        gen(&GenOptions {
            subscriber_rows: None,
            ..o
        })
        .0,
    )
    .unwrap();
    let mut src = RowSource::new(super::rng(9, 0), super::rates(Messiness::Messy, 1.0));
    let (mut lines, mut non_ascii, mut spaced) = (0, 0, 0);
    for line in data.lines() {
        lines += 1;
        non_ascii += usize::from(!line.is_ascii());
        let row = src.next_row();
        spaced += usize::from(matches!(
            row.msisdn,
            Field::Valid(
                _,
                render::MsisdnForm::IntlSpaced | render::MsisdnForm::Parens
            )
        ));
        let want_m: Vec<u64> = row.msisdn.valid().into_iter().collect();
        let want_c: Vec<u64> = row.cnic.valid().into_iter().collect();
        assert_eq!(scanned(line), (want_m, want_c), "line {lines}");
    }
    assert_eq!(lines, 3_000);
    assert!(non_ascii > 10 && spaced > 10, "forms not covered");
}

#[test]
fn fixtures_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    for format in DumpFormat::ALL {
        let name = format.fixture_name();
        let (dump, base, truth) = gen(&GenOptions::small_fixture(format));
        let stale = "stale fixture: cargo run -p leakmatch-ingest --example gen_fixtures";
        assert!(
            std::fs::read(dir.join(&name)).unwrap() == dump,
            "{name}: {stale}"
        );
        let json = std::fs::read_to_string(dir.join(format!("{name}.truth.json"))).unwrap();
        assert_eq!(
            serde_json::from_str::<Truth>(&json).unwrap(),
            truth,
            "{name}: {stale}"
        );
        if format == DumpFormat::Csv {
            assert!(
                std::fs::read(dir.join("base-small.csv")).unwrap() == base.unwrap(),
                "{stale}"
            );
        }
    }
}

/// Words and separators of free text: no digit, no `+`, and no separator that a run of digits
/// could continue over, so every identifier stands apart as it would in prose.
const WORDS: [&str; 10] = [
    "mobile", "CNIC", "Ali", "s/o", "Lahore", "(home)", "NIC:", "contact", "Cell#", "آپ",
];
const SEPARATORS: [&str; 7] = [" ", ", ", " | ", "; ", ": ", "\t", " / "];

fn msisdn_national() -> impl proptest::strategy::Strategy<Value = u64> {
    use proptest::prelude::*;
    const PREFIXES: [u64; 10] = [300, 301, 310, 321, 333, 345, 355, 364, 370, 342];
    (prop::sample::select(&PREFIXES[..]), 0u64..10_000_000)
        .prop_map(|(p, rest)| p * 10_000_000 + rest)
}

fn cnic_value() -> impl proptest::strategy::Strategy<Value = u64> {
    use proptest::prelude::*;
    (1u64..=7, 0u64..100_000_000_000, 1u64..=9)
        .prop_map(|(a, mid, z)| a * 1_000_000_000_000 + mid * 10 + z)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// One record rendered as two columns and as a line of free text (its identifiers in any
    /// form the generator knows, joined by arbitrary words and separators): scan mode finds in
    /// the line exactly what column mode finds in the fields.
    #[test]
    fn free_text_finds_what_columns_find(
        m in proptest::option::of((msisdn_national(), 0usize..render::MSISDN_FORMS.len())),
        c in proptest::option::of((cnic_value(), 0usize..render::CNIC_FORMS.len())),
        cnic_first in proptest::bool::ANY,
        words in proptest::collection::vec(
            (proptest::sample::select(&WORDS[..]), proptest::sample::select(&SEPARATORS[..])),
            1..6,
        ),
    ) {
        let mut mf = String::new();
        if let Some((v, f)) = m {
            render::push_msisdn(&mut mf, v, render::MSISDN_FORMS[f].0);
        }
        let mut cf = String::new();
        if let Some((v, f)) = c {
            render::push_cnic(&mut cf, v, render::CNIC_FORMS[f].0);
        }
        // Column mode: each field on its own.
        let by_column = (
            crate::Msisdn::parse(mf.as_bytes()).ok().map(|v| v.to_u64() % 10_000_000_000).into_iter().collect::<Vec<_>>(),
            crate::Cnic::parse(cf.as_bytes()).ok().map(|v| v.to_u64()).into_iter().collect::<Vec<_>>(),
        );
        // Free text: words, then the identifiers with words between them and after.
        let mut line = String::new();
        let mut w = words.iter().cycle();
        let mut word = |line: &mut String| {
            let (text, sep) = w.next().copied().unwrap_or(("x", " "));
            line.push_str(text);
            line.push_str(sep);
        };
        word(&mut line);
        let (first, second) = if cnic_first { (&cf, &mf) } else { (&mf, &cf) };
        for id in [first, second] {
            if !id.is_empty() {
                line.push_str(id);
                line.push(' ');
                word(&mut line);
            }
        }
        proptest::prop_assert_eq!(&by_column.0, &m.map(|(v, _)| v).into_iter().collect::<Vec<_>>());
        proptest::prop_assert_eq!(scanned(&line), by_column, "{}", line);
    }
}
