use super::*;
use proptest::prelude::*;
use RejectReason::*;

const CANON: &str = "923001234567";

fn msisdn(s: &str) -> Result<String, RejectReason> {
    Msisdn::parse(s.as_bytes()).map(|m| m.as_str().to_owned())
}

fn cnic(s: &str) -> Result<String, RejectReason> {
    Cnic::parse(s.as_bytes()).map(|c| c.as_str().to_owned())
}

#[test]
fn msisdn_accepted_forms() {
    let forms = [
        "+92 300 1234567",
        "+923001234567",
        "923001234567",
        "03001234567",
        "0300-1234567",
        "0092 300 1234567",
        "00923001234567",
        "3001234567",
        "(0300) 1234567",
        "+92 (0) 300 1234567",
        "+92 0300 1234567",
        "+92-300-123-4567",
        "0092 0300 1234567",
        "9203001234567",
        "300.123.4567",
        "0300.1234567",
        "+92.300.1234567",
        "923001234567.0",
        "923001234567.00",
        "3001234567.0",
        "03001234567.0",
        "+92 300 1234567.0",
        "  923001234567 ",
        "\"923001234567\"",
        "'03001234567",
        "\t\"'0300-1234567'\"\r\n",
        "=\"03001234567\"",
        "0300 123 4567",
        "0300--1234567-",
        "++923001234567",
        "۰۳۰۰۱۲۳۴۵۶۷",
        "+۹۲ ۳۰۰ ۱۲۳۴۵۶۷",
        "٠٣٠٠١٢٣٤٥٦٧",
        "+٩٢٣٠٠١٢٣٤٥٦٧",
        "۰۳۰۰-1234567",
        "۹۲۳۰۰۱۲۳۴۵۶۷.0",
        "۹۲۳۰۰۱۲۳۴۵۶۷.۰",
        "0300\u{a0}1234567",
        "\u{200e}+92 300 1234567\u{200f}",
        "0300\u{202f}123\u{200b}4567\u{61c}",
    ];
    for f in forms {
        assert_eq!(msisdn(f).as_deref(), Ok(CANON), "form {f:?}");
    }
}

#[test]
fn msisdn_prefix_validity_table() {
    let cases: &[(&str, Result<&str, RejectReason>)] = &[
        ("03001234567", Ok("923001234567")),
        ("03101234567", Ok("923101234567")),
        ("03201234567", Ok("923201234567")),
        ("03301234567", Ok("923301234567")),
        ("03371234567", Ok("923371234567")),
        ("03391234567", Ok("923391234567")),
        ("03381234567", Err(NotMobile)),
        ("03401234567", Ok("923401234567")),
        ("03551234567", Ok("923551234567")),
        ("03501234567", Err(NotMobile)),
        ("03561234567", Err(NotMobile)),
        ("03641234567", Ok("923641234567")),
        ("03601234567", Err(NotMobile)),
        ("03651234567", Err(NotMobile)),
        ("03701234567", Ok("923701234567")),
        ("03791234567", Ok("923791234567")),
        ("03801234567", Err(NotMobile)),
        ("03901234567", Err(NotMobile)),
        ("923381234567", Err(NotMobile)),
        ("+92 338 1234567", Err(NotMobile)),
        ("3381234567", Err(NotMobile)),
        // Landlines and other non-mobile numbers.
        ("051-1234567", Err(NotMobile)),
        ("(051) 1234567", Err(NotMobile)),
        ("+92 51 1234567", Err(NotMobile)),
        ("042-12345678", Err(NotMobile)),
        ("+92 42 12345678", Err(NotMobile)),
        ("0800-12345", Err(NotMobile)),
        ("4212345678", Err(NotMobile)),
        ("9230012345", Err(NotMobile)),
        ("+92 30012345", Err(BadLength)),
        ("0092 30012345", Err(BadLength)),
        ("+44 20 7946 0958", Err(NotMobile)),
        ("+1 202 555 0100", Err(NotMobile)),
        ("+03001234567", Err(NotMobile)),
        // Wrong digit counts.
        ("92300123456", Err(BadLength)),
        ("9230012345678", Err(BadLength)),
        ("0300123456", Err(BadLength)),
        ("030012345678", Err(BadLength)),
        ("300123456", Err(BadLength)),
        ("30012345678", Err(BadLength)),
        ("0923001234567", Err(BadLength)),
        ("1234", Err(BadLength)),
        ("5", Err(BadLength)),
        ("0", Err(BadLength)),
        ("92", Err(BadLength)),
        ("+92", Err(BadLength)),
        ("35202-1234567-1", Err(BadLength)),
        ("1234567890123456789", Err(BadLength)),
        ("923001234567.000", Err(BadLength)),
        ("300.123.4567.0", Err(BadLength)),
        // Scientific notation.
        ("9.23001E+11", Err(Lossy)),
        ("9.23001e+11", Err(Lossy)),
        ("9.23E11", Err(Lossy)),
        ("9,23001E+11", Err(Lossy)),
        ("9.23001234567E+11", Err(Lossy)),
        ("3.00123E+09", Err(Lossy)),
        ("  \"9.23001E+11\" ", Err(Lossy)),
        ("9E11", Err(Lossy)),
        ("-9.2e-3", Err(Lossy)),
        ("E+11", Err(Junk)),
        ("9.23001E+", Err(Junk)),
        ("9.23001E+11x", Err(Junk)),
        ("9.2.3E+11", Err(Junk)),
        // Empty.
        ("", Err(Empty)),
        ("   ", Err(Empty)),
        ("\"\"", Err(Empty)),
        ("''", Err(Empty)),
        ("-", Err(Empty)),
        ("( ) - .", Err(Empty)),
        ("+", Err(Empty)),
        (".0", Err(Empty)),
        ("\u{a0}", Err(Empty)),
        // Junk.
        ("N/A", Err(Junk)),
        ("NULL", Err(Junk)),
        ("0300-123456x", Err(Junk)),
        ("0300*******", Err(Junk)),
        ("92300+1234567", Err(Junk)),
        ("0300,1234567", Err(Junk)),
        ("0300\"1234567", Err(Junk)),
        ("923001234567.5", Err(Junk)),
        ("923001234567.01", Err(Junk)),
        ("3001234567.10", Err(Junk)),
        ("0300/1234567", Err(Junk)),
        ("０３００１２３４５６７", Err(Junk)),
        ("12345678901234567890abc", Err(Junk)),
        ("\u{6f0}\u{6fa}", Err(Junk)),
    ];
    for (input, want) in cases {
        assert_eq!(msisdn(input).as_deref(), want.as_deref(), "input {input:?}");
    }
}

#[test]
fn msisdn_invalid_utf8_is_junk() {
    for bad in [
        &b"0300\xff1234567"[..],
        b"\xdb",
        b"0300\xdb",
        b"\xdb\xba",
        b"\xe2\x80",
        b"\xc2",
    ] {
        assert_eq!(Msisdn::parse(bad), Err(Junk));
        assert_eq!(Cnic::parse(bad), Err(Junk));
    }
}

#[test]
fn operators() {
    let cases = [
        ("03001234567", Operator::Jazz),
        ("03211234567", Operator::Jazz),
        ("03111234567", Operator::Zong),
        ("03701234567", Operator::Zong),
        ("03331234567", Operator::Ufone),
        ("03451234567", Operator::Telenor),
        ("03551234567", Operator::Sco),
        ("03641234567", Operator::Instaphone),
    ];
    for (input, op) in cases {
        assert_eq!(
            Msisdn::parse(input.as_bytes()).map(|m| m.operator()),
            Ok(op)
        );
    }
    let names: Vec<&str> = Operator::ALL.iter().map(|o| o.name()).collect();
    assert_eq!(
        names,
        ["jazz", "zong", "ufone", "telenor", "sco", "instaphone"]
    );
    for (i, o) in Operator::ALL.iter().enumerate() {
        assert_eq!(o.index(), i);
    }
    assert_eq!(Operator::ALL.len(), Operator::COUNT);
}

#[test]
fn cnic_table() {
    let ok = "3520212345671";
    for f in [
        "35202-1234567-1",
        "3520212345671",
        "35202 1234567 1",
        "35202.1234567.1",
        "3520212345671.0",
        "35202-1234567-1.00",
        " \"35202-1234567-1\" ",
        "=\"35202-1234567-1\"",
        "352-021-234-5671",
        "35202--1234567 - 1",
        "۳۵۲۰۲-۱۲۳۴۵۶۷-۱",
        "٣٥٢٠٢-١٢٣٤٥٦٧-١",
        "۳۵۲۰۲-1234567-١",
        "۳۵۲۰۲۱۲۳۴۵۶۷۱.۰",
    ] {
        assert_eq!(cnic(f).as_deref(), Ok(ok), "form {f:?}");
    }
    let cases: &[(&str, RejectReason)] = &[
        ("05202-1234567-1", NotMobile),
        ("85202-1234567-1", NotMobile),
        ("95202-1234567-1", NotMobile),
        ("35202-1234567-0", NotMobile),
        ("35202-123456-1", BadLength),
        ("35202-12345678-1", BadLength),
        ("352021234567", BadLength),
        ("03001234567", BadLength),
        ("35202-1234567-1-1", BadLength),
        ("3.52021E+12", Lossy),
        ("3.52021e12", Lossy),
        ("", Empty),
        ("  - ", Empty),
        ("35202-1234567-X", Junk),
        ("+3520212345671", Junk),
        ("3520212345671.5", Junk),
        ("35202/1234567/1", Junk),
    ];
    for (input, want) in cases {
        assert_eq!(cnic(input), Err(*want), "input {input:?}");
    }
}

#[test]
fn integer_lookups_agree_with_parsing() {
    // Every 3-digit prefix 000-999 (and numbers outside 3e9..4e9) for operators; every first
    // and last digit for provinces.
    for national in
        (0..1000u64)
            .map(|p| p * 10_000_000 + 1_234_567)
            .chain([0, 4_000_000_000, u64::MAX])
    {
        let parsed = Msisdn::from_national(national).ok().map(|m| m.operator());
        assert_eq!(
            Operator::of_national(national),
            parsed,
            "national {national}"
        );
    }
    for first in 0..=9u64 {
        for last in 0..=9u64 {
            let v = first * 1_000_000_000_000 + 520_212_345_670 + last;
            let parsed = Cnic::from_u64(v).ok().map(|c| c.province());
            assert_eq!(Province::of_cnic(v), parsed, "cnic {first}…{last}");
        }
    }
    assert_eq!(Province::of_cnic(10_000_000_000_001), None);
}

#[test]
fn cnic_province_and_gender() {
    let provinces = [
        Province::KhyberPakhtunkhwa,
        Province::Fata,
        Province::Punjab,
        Province::Sindh,
        Province::Balochistan,
        Province::Islamabad,
        Province::GilgitBaltistan,
    ];
    for (i, p) in provinces.iter().enumerate() {
        let s = format!("{}520212345671", i + 1);
        assert_eq!(Cnic::parse(s.as_bytes()).map(|c| c.province()), Ok(*p));
        assert_eq!(p.index(), i);
    }
    assert_eq!(Province::ALL, provinces);
    assert_eq!(Province::ALL.len(), Province::COUNT);
    assert_eq!(Province::GilgitBaltistan.name(), "gilgit_baltistan");
    assert_eq!(Province::KhyberPakhtunkhwa.name(), "khyber_pakhtunkhwa");
    for last in 1..=9u8 {
        let s = format!("420110397640{last}");
        let want = if last % 2 == 1 {
            RegisteredGender::Male
        } else {
            RegisteredGender::Female
        };
        assert_eq!(
            Cnic::parse(s.as_bytes()).map(|c| c.registered_gender()),
            Ok(want)
        );
    }
    assert_eq!(RegisteredGender::Female.name(), "female");
}

#[test]
fn integer_conversions() {
    let m = Msisdn::parse(b"03001234567").unwrap();
    assert_eq!(m.to_u64(), 3_001_234_567);
    assert_eq!(Msisdn::from_national(3_001_234_567), Ok(m));
    assert_eq!(Msisdn::from_national(3_381_234_567), Err(NotMobile));
    assert_eq!(Msisdn::from_national(0), Err(NotMobile));
    assert_eq!(Msisdn::from_national(10_000_000_000), Err(BadLength));
    assert_eq!(Msisdn::from_national(u64::MAX), Err(BadLength));
    let c = Cnic::parse(b"35202-1234567-1").unwrap();
    assert_eq!(c.to_u64(), 3_520_212_345_671);
    assert_eq!(Cnic::from_u64(3_520_212_345_671), Ok(c));
    assert_eq!(Cnic::from_u64(520_212_345_671), Err(NotMobile));
    assert_eq!(Cnic::from_u64(3_520_212_345_670), Err(NotMobile));
    assert_eq!(Cnic::from_u64(10_000_000_000_000), Err(BadLength));
}

#[test]
fn redaction_and_reasons() {
    let m = Msisdn::parse(b"03001234567").unwrap();
    let c = Cnic::parse(b"3520212345671").unwrap();
    let shown = format!("{m:?} {c:?} {:?}", Msisdn::parse(b"0338123456"));
    assert!(!shown.bytes().any(|b| b.is_ascii_digit()), "{shown}");
    for (i, r) in RejectReason::ALL.iter().enumerate() {
        assert_eq!(r.index(), i);
        assert_eq!(r.to_string(), r.name());
    }
}

// ---------- property tests ----------

/// Reference for libphonenumber's `3(?:[0-247]\d|3[0-79]|55|64)\d{7}`, written independently
/// of the implementation: prefix lists on text.
fn reference_is_mobile(nsn: &str) -> bool {
    nsn.len() == 10
        && nsn.bytes().all(|b| b.is_ascii_digit())
        && (["30", "31", "32", "34", "37", "355", "364"]
            .iter()
            .any(|p| nsn.starts_with(p))
            || (nsn.starts_with("33") && !nsn.starts_with("338")))
}

fn reference_is_cnic(d: &str) -> bool {
    d.len() == 13
        && d.bytes().all(|b| b.is_ascii_digit())
        && "1234567".contains(&d[..1])
        && !d.ends_with('0')
}

fn valid_nsn() -> impl Strategy<Value = String> {
    let mut prefixes: Vec<String> = Vec::new();
    for p in ["30", "31", "32", "34", "37"] {
        for d in 0..10 {
            prefixes.push(format!("{p}{d}"));
        }
    }
    for d in [0, 1, 2, 3, 4, 5, 6, 7, 9] {
        prefixes.push(format!("33{d}"));
    }
    prefixes.push("355".into());
    prefixes.push("364".into());
    (proptest::sample::select(prefixes), 0u32..10_000_000).prop_map(|(p, s)| format!("{p}{s:07}"))
}

fn valid_cnic() -> impl Strategy<Value = String> {
    (1u8..=7, 0u64..100_000_000_000, 1u8..=9).prop_map(|(f, m, l)| format!("{f}{m:011}{l}"))
}

/// Digit scripts: ASCII, Extended Arabic-Indic (Urdu), Arabic-Indic, or a per-digit mix.
fn render_digits(s: &str, script: u8, mix: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            let Some(d) = c.to_digit(10) else { return c };
            let sc = if script == 3 {
                (mix >> (2 * (i % 32))) % 3
            } else {
                u64::from(script)
            };
            match sc {
                1 => char::from_u32(0x06F0 + d).unwrap(),
                2 => char::from_u32(0x0660 + d).unwrap(),
                _ => c,
            }
        })
        .collect()
}

fn msisdn_form(nsn: &str, form: usize) -> String {
    let (a, b, c) = (&nsn[..3], &nsn[3..], &nsn[6..]);
    let b3 = &nsn[3..6];
    match form {
        0 => format!("+92 {a} {b}"),
        1 => format!("+92{nsn}"),
        2 => format!("92{nsn}"),
        3 => format!("0{nsn}"),
        4 => format!("0{a}-{b}"),
        5 => format!("0092 {a} {b}"),
        6 => format!("0092{nsn}"),
        7 => nsn.to_owned(),
        8 => format!("(0{a}) {b}"),
        9 => format!("+92 (0) {a} {b}"),
        10 => format!("+92 0{a} {b}"),
        11 => format!("+92-{a}-{b3}-{c}"),
        12 => format!("{a}.{b3}.{c}"),
        _ => format!("0092 0{a} {b}"),
    }
}
const MSISDN_FORMS: usize = 14;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn msisdn_any_form_round_trips(
        nsn in valid_nsn(),
        form in 0..MSISDN_FORMS,
        script in 0u8..4,
        mix in any::<u64>(),
        suffix in 0usize..3,
        pad in 0usize..4,
    ) {
        let mut s = render_digits(&msisdn_form(&nsn, form), script, mix);
        if form != 12 {
            s.push_str(["", ".0", ".00"][suffix]);
        }
        let s = match pad {
            1 => format!("  {s}\t"),
            2 => format!("\"{s}\""),
            3 => format!("'{s}"),
            _ => s,
        };
        let m = Msisdn::parse(s.as_bytes()).unwrap();
        prop_assert_eq!(m.as_str(), format!("92{nsn}"));
        prop_assert_eq!(Msisdn::parse(m.as_bytes()), Ok(m));
        prop_assert_eq!(Msisdn::parse(&m.as_bytes()[2..]), Ok(m));
        prop_assert_eq!(Msisdn::from_national(m.to_u64()), Ok(m));
    }

    #[test]
    fn msisdn_validity_is_exactly_the_pattern(
        n in prop_oneof![
            0u64..10_000_000_000,
            3_000_000_000u64..4_000_000_000,
            9_200_000_000u64..9_300_000_000,
            0u64..1_000_000_000,
        ],
        form in 0..MSISDN_FORMS,
    ) {
        let nsn = format!("{n:010}");
        let want = reference_is_mobile(&nsn);
        let got = Msisdn::parse(msisdn_form(&nsn, form).as_bytes());
        prop_assert_eq!(got.is_ok(), want);
        if let Ok(m) = got {
            prop_assert_eq!(m.as_str(), format!("92{nsn}"));
        } else if nsn.starts_with('0') {
            // A leading `0` may be read as the trunk prefix: then the reason is about a
            // 9-digit number (BadLength or NotMobile), still never a valid parse.
            prop_assert!(got.is_err());
        } else {
            prop_assert_eq!(got, Err(NotMobile));
        }
    }

    #[test]
    fn msisdn_sci_notation_is_lossy(
        m in 1u64..10_000_000,
        e in 0u32..20,
        upper in any::<bool>(),
        sign in 0usize..3,
    ) {
        let m = m.to_string();
        let s = format!("{}.{}{}{}{e}", &m[..1], &m[1..], if upper { "E" } else { "e" },
            ["", "+", "-"][sign]);
        prop_assert_eq!(Msisdn::parse(s.as_bytes()), Err(Lossy));
        prop_assert_eq!(Cnic::parse(s.as_bytes()), Err(Lossy));
    }

    #[test]
    fn cnic_any_form_round_trips(
        c in valid_cnic(),
        form in 0usize..5,
        script in 0u8..4,
        mix in any::<u64>(),
        suffix in 0usize..3,
        cuts in proptest::collection::vec((1usize..13, 0usize..4), 0..4),
    ) {
        let s = match form {
            0 => c.clone(),
            1 => format!("{}-{}-{}", &c[..5], &c[5..12], &c[12..]),
            2 => format!("{} {} {}", &c[..5], &c[5..12], &c[12..]),
            3 => format!("\"{}-{}-{}\"", &c[..5], &c[5..12], &c[12..]),
            _ => {
                // Separators at random positions.
                let mut s = String::new();
                for (i, ch) in c.chars().enumerate() {
                    for (pos, sep) in &cuts {
                        if *pos == i {
                            s.push_str([" ", "-", " - ", "\u{a0}"][*sep]);
                        }
                    }
                    s.push(ch);
                }
                s
            }
        };
        let mut s = render_digits(&s, script, mix);
        if form != 3 {
            s.push_str(["", ".0", ".00"][suffix]);
        }
        let parsed = Cnic::parse(s.as_bytes()).unwrap();
        prop_assert_eq!(parsed.as_str(), c.as_str());
        prop_assert_eq!(Cnic::parse(parsed.as_bytes()), Ok(parsed));
        prop_assert_eq!(Cnic::from_u64(parsed.to_u64()), Ok(parsed));
    }

    #[test]
    fn cnic_validity_is_exactly_the_rules(n in 0u64..10_000_000_000_000, dashed in any::<bool>()) {
        let d = format!("{n:013}");
        let s = if dashed { format!("{}-{}-{}", &d[..5], &d[5..12], &d[12..]) } else { d.clone() };
        let got = Cnic::parse(s.as_bytes());
        if reference_is_cnic(&d) {
            prop_assert_eq!(got.map(|c| c.as_str().to_owned()), Ok(d));
        } else {
            prop_assert_eq!(got, Err(NotMobile));
        }
    }

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        check_parsed_input(&bytes);
    }

    #[test]
    fn never_panics_on_near_miss_text(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "0", "3", "9", "2", "5", "1", "7", "00", "92", "+", "-", " ", ".", "(", ")", "e",
            "E", ",", "\"", "'", "=", "۳", "۰", "٠", "٩", "\u{a0}", "\u{200e}", "x", ".0",
        ]), 0..24),
    ) {
        check_parsed_input(parts.concat().as_bytes());
    }
}

/// Whatever parses is valid by the reference rules, and its digits came from the input.
fn check_parsed_input(bytes: &[u8]) {
    let all_digits: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter_map(|c| match c as u32 {
            0x30..=0x39 => Some(c as u32 - 0x30),
            0x6F0..=0x6F9 => Some(c as u32 - 0x6F0),
            0x660..=0x669 => Some(c as u32 - 0x660),
            _ => None,
        })
        .map(|d| char::from(b'0' + d as u8))
        .collect();
    if let Ok(m) = Msisdn::parse(bytes) {
        let nsn = &m.as_str()[2..];
        assert!(m.as_str().starts_with("92") && reference_is_mobile(nsn));
        assert!(all_digits.contains(nsn));
        assert_eq!(Msisdn::parse(m.as_bytes()), Ok(m));
    }
    if let Ok(c) = Cnic::parse(bytes) {
        assert!(reference_is_cnic(c.as_str()));
        assert!(all_digits.starts_with(c.as_str()));
        assert_eq!(Cnic::parse(c.as_bytes()), Ok(c));
    }
}

/// Throughput smoke test: `cargo test --release -p leakmatch-ingest -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn throughput() {
    fn rate(name: &str, input: &[u8], parse: impl Fn(&[u8]) -> bool) {
        let n = 20_000_000u32;
        let start = std::time::Instant::now();
        let mut ok = 0u32;
        for _ in 0..n {
            ok += u32::from(parse(std::hint::black_box(input)));
        }
        let rate = f64::from(n) / start.elapsed().as_secs_f64() / 1e6;
        println!("{name} len {}: {rate:.1} M/s ({ok} ok)", input.len());
    }
    let forms: [&[u8]; 5] = [
        b"923001234567",
        b"03001234567",
        b"+92 300 1234567",
        b"923001234567.0",
        b"\xdb\xb0\xdb\xb3\xdb\xb0\xdb\xb0\xdb\xb1\xdb\xb2\xdb\xb3\xdb\xb4\xdb\xb5\xdb\xb6\xdb\xb7",
    ];
    for input in forms {
        rate("msisdn", input, |b| Msisdn::parse(b).is_ok());
    }
    for input in [&b"3520212345671"[..], b"35202-1234567-1"] {
        rate("cnic", input, |b| Cnic::parse(b).is_ok());
    }
}
