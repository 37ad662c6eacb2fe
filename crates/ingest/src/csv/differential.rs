//! The indexed parser against the scalar one: records, counts and events must be identical, on
//! random inputs biased to the bytes that matter and cut into chunks at every possible size.

use proptest::prelude::*;

use super::*;
use crate::chunk::csv_chunks;
use crate::emit::{Event, KIND_CNIC, KIND_MSISDN};
use crate::{Cnic, InputStats, Msisdn, Record};

/// One record as the sink saw it, owned: identifiers, offset, raw bytes.
type Owned = (Vec<Msisdn>, Vec<Cnic>, u64, Vec<u8>);

/// Everything the sink saw.
#[derive(Default, PartialEq)]
struct Captured(Vec<Owned>);

impl RecordSink for Captured {
    fn record(&mut self, r: &Record<'_>) {
        let (m, c) = (r.msisdns.to_vec(), r.cnics.to_vec());
        self.0.push((m, c, r.offset, r.raw.to_vec()));
    }
}

#[derive(Default, PartialEq)]
struct Parsed {
    records: Captured,
    stats: InputStats,
    /// (line within the chunk, absolute offset, kind)
    events: Vec<(u64, u64, EventKind)>,
}

#[derive(Clone, Copy, Debug)]
enum How {
    Scalar,
    Indexed(Kernel),
}

fn ways() -> Vec<How> {
    let mut ways = vec![How::Indexed(Kernel::PORTABLE)];
    ways.extend(Kernel::detect().map(How::Indexed));
    ways
}

fn parse(plan: &CsvPlan, data: &[u8], base: u64, how: How) -> Parsed {
    let mut records = Captured::default();
    let mut em = Emitter::new(&mut records);
    match how {
        How::Scalar => parse_scalar(plan, data, base, &mut em),
        How::Indexed(kernel) => parse_indexed(plan, data, base, kernel, &mut em),
    }
    let report = em.into_report();
    let events = report.events.iter();
    let events = events.map(|e: &Event| (e.line, e.offset, e.kind)).collect();
    Parsed {
        records,
        stats: report.stats,
        events,
    }
}

/// Fails naming where the outputs differ, never what they hold (they may hold identifiers).
fn assert_same(got: &Parsed, want: &Parsed, what: &str) {
    let (g, w) = (&got.records.0, &want.records.0);
    let first = g.iter().zip(w).position(|(a, b)| a != b);
    assert!(
        first.is_none() && g.len() == w.len(),
        "{what}: records differ (first at #{first:?}, {} vs {} records)",
        g.len(),
        w.len()
    );
    assert!(got.stats == want.stats, "{what}: counts differ");
    assert!(got.events == want.events, "{what}: events differ");
}

fn check(plan: &CsvPlan, data: &[u8]) {
    let want = parse(plan, data, 7, How::Scalar);
    for how in ways() {
        assert_same(&parse(plan, data, 7, how), &want, &format!("{how:?}"));
    }
}

/// Pieces the inputs are made of: structure, valid and invalid identifiers in several forms,
/// non-ASCII and invalid UTF-8, NUL.
const PIECES: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"|",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b" ",
    b"0",
    b"03001234567",
    b"923001234567",
    b"+92 300 1234567",
    b"0300-1234567",
    b"\"0300 1234567\"",
    b"923001234567.0",
    b"9.23001E+11",
    b"35202-1234567-1",
    b"3520212345671",
    b"\"35202 1234567 1\"",
    "۰۳۰۰۱۲۳۴۵۶۷".as_bytes(),
    b"\xdb",
    b"\xff\xfe",
    b"\x00",
    b"House 12, Street 4",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => proptest::sample::select(PIECES).prop_map(<[u8]>::to_vec),
        1 => any::<u8>().prop_map(|b| vec![b]),
        // Long fields and lines, across blocks and windows.
        1 => (0usize..600, any::<bool>()).prop_map(|(n, quoted)| {
            let mut v = vec![b'a'; n];
            if quoted && n >= 2 {
                v[0] = b'"';
                v[n - 1] = b'"';
            }
            v
        }),
    ];
    proptest::collection::vec(piece, 0..160).prop_map(|p| p.concat())
}

fn plan() -> impl Strategy<Value = CsvPlan> {
    (
        proptest::sample::select(DELIMITERS.to_vec()),
        proptest::collection::vec(0u8..4, 0..7),
    )
        .prop_map(|(delim, kinds)| CsvPlan { delim, kinds })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn indexed_equals_scalar(plan in plan(), data in input()) {
        check(&plan, &data);
    }

    /// Chunked as the reader chunks (record-aligned), the indexed parser sees exactly the
    /// records, counts and event offsets the scalar one sees on the whole input.
    #[test]
    fn chunked_equals_whole(plan in plan(), data in input(), size in 1usize..300) {
        let want = parse(&plan, &data, 0, How::Scalar);
        for how in ways() {
            let mut got = Parsed::default();
            for r in csv_chunks(&data, size) {
                let part = parse(&plan, &data[r.clone()], r.start as u64, how);
                got.records.0.extend(part.records.0);
                got.stats.merge(&part.stats);
                got.events.extend(part.events);
            }
            // Line numbers are per chunk (the driver makes them absolute): compare offsets.
            let offsets = |p: &Parsed| p.events.iter().map(|e| (e.1, e.2)).collect::<Vec<_>>();
            prop_assert!(offsets(&got) == offsets(&want), "{how:?}: events differ");
            got.events.clone_from(&want.events);
            assert_same(&got, &want, &format!("{how:?}, chunks of {size}"));
        }
    }
}

/// Records whose quotes, delimiters, `\r\n` and newlines fall on every offset around the
/// 64-byte block and 4 KiB window boundaries, and inputs ending anywhere in a block.
#[test]
fn block_and_window_boundaries() {
    let record = b"1,\"a,\nb\",03001234567,\"35202-1234567-1\"\r\n";
    let plans = [
        CsvPlan {
            delim: b',',
            kinds: vec![0, 0, KIND_MSISDN, KIND_CNIC],
        },
        CsvPlan {
            delim: b',',
            kinds: vec![KIND_MSISDN | KIND_CNIC],
        },
        CsvPlan {
            delim: b',',
            kinds: vec![],
        },
    ];
    for shift in (0..140).chain(4030..4100) {
        let mut data = vec![b'x'; shift];
        data.push(b'\n');
        while data.len() < shift + 300 {
            data.extend_from_slice(record);
        }
        for end in [data.len(), data.len() - 1, data.len() - 2, data.len() - 20] {
            for plan in &plans {
                check(plan, &data[..end]);
            }
        }
    }
}

/// An unterminated quote at the end is reported at its record's start, as before.
#[test]
fn unterminated_quote_event() {
    let plan = CsvPlan {
        delim: b',',
        kinds: vec![KIND_MSISDN],
    };
    let data = b"03001234567\n\"0300,\n1234567";
    check(&plan, data);
    let got = parse(&plan, data, 100, ways()[0]);
    assert_eq!(got.events, vec![(1, 112, EventKind::UnterminatedQuote)]);
}

/// Records longer than a window, with thousands of fields (selected and not) and quoted
/// newlines, in one chunk and cut into chunks.
#[test]
fn records_longer_than_a_window() {
    let mut data = Vec::new();
    for row in 0..6 {
        for i in 0..3000 {
            match (row + i) % 7 {
                0 => data.extend_from_slice(b"\"a,\nb\""),
                1 => data.extend_from_slice(b"03001234567"),
                2 => data.extend_from_slice(b"35202-1234567-1"),
                _ => data.push(b'x'),
            }
            data.push(b',');
        }
        data.extend_from_slice(b"end\r\n");
    }
    for kinds in [vec![0, KIND_MSISDN, KIND_CNIC], vec![0; 2999], {
        let mut k = vec![0; 2500];
        k.push(KIND_MSISDN | KIND_CNIC);
        k
    }] {
        let plan = CsvPlan { delim: b',', kinds };
        check(&plan, &data);
        check(&plan, &data[..data.len() - 3]);
    }
}
