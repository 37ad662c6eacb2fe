//! The segment walk against the line loop: same records, candidates and counts on any input.

use proptest::prelude::*;

use super::reference::Reference;
use super::segments::walk;
use super::{parse_chunk, parse_lines};
use crate::emit::Emitter;
use crate::{InputStats, Record, RecordSink};

/// Everything a record hands the sink, as owned values.
type Row = (u64, Vec<u8>, Vec<String>, Vec<String>);

#[derive(Default)]
struct Rows(Vec<Row>);

impl RecordSink for Rows {
    fn record(&mut self, r: &Record<'_>) {
        self.0.push((
            r.offset,
            r.raw.to_vec(),
            r.msisdns.iter().map(|m| m.as_str().to_owned()).collect(),
            r.cnics.iter().map(|c| c.as_str().to_owned()).collect(),
        ));
    }
}

type Parse = fn(&[u8], u64, &mut Emitter<'_, Rows>);

fn outcome(data: &[u8], parse: Parse) -> (Vec<Row>, InputStats) {
    let mut rows = Rows::default();
    let mut em = Emitter::new(&mut rows);
    parse(data, 1000, &mut em);
    let stats = em.into_report().stats;
    (rows.0, stats)
}

/// The walk with the byte-by-byte masks: checks the walk itself on any CPU.
fn walk_reference(data: &[u8], base: u64, em: &mut Emitter<'_, Rows>) {
    walk(Reference, data, base, em);
}

/// Asserts that both fast paths agree with the line loop on `data`; returns the line loop's.
fn same(data: &[u8]) -> (Vec<Row>, InputStats) {
    let want = outcome(data, parse_lines);
    assert_eq!(outcome(data, walk_reference), want, "reference walk");
    // `parse_chunk` takes the AVX2 walk where the CPU has AVX2.
    assert_eq!(outcome(data, parse_chunk), want, "parse_chunk");
    want
}

#[test]
fn identifiers_at_every_block_offset() {
    let items: [&[u8]; 19] = [
        b"3001234567",
        b"+92 300 1234567",
        b"35202-1234567-1",
        b"35202 1234567 1",
        b"(0300) 7654321",
        b"03001234567 3520212345671",
        "۰۳۰۰۱۲۳۴۵۶۷".as_bytes(),
        "+٩٢٣٠٠١٢٣٤٥٦٧".as_bytes(),
        b"410011234567890",
        // Plain runs (see `shape`), valid and not.
        b"0300-1234567",
        b"+923001234567",
        b"+92-300-1234567",
        b"0092-300-1234567",
        b"+9203001234567",
        b"00923001234567",
        b"+3520212345671",
        b"03381234567",
        b"+441234567890",
        b"0300-1234567-",
    ];
    for item in items {
        for pad in 0..140 {
            for filler in [b'x', b' ', b'7', b'\n'] {
                let mut data = vec![filler; pad];
                data.extend_from_slice(item);
                data.extend_from_slice(b" y\r\n");
                data.extend(std::iter::repeat_n(filler, 150 - pad));
                let (_, stats) = same(&data);
                // (13 digits are a CNIC candidate, so `+9203001234567` is a CNIC with a `+`.)
                let invalid: [&[u8]; 5] = [
                    b"410011234567890",
                    b"+9203001234567",
                    b"+3520212345671",
                    b"03381234567",
                    b"+441234567890",
                ];
                if filler != b'7' && !invalid.contains(&item) {
                    let found = stats.msisdn.valid + stats.cnic.valid;
                    assert!(found >= 1, "pad {pad} filler {filler} {item:?}");
                }
            }
        }
    }
}

#[test]
fn identifiers_at_the_chunk_end() {
    // The data ends right after the identifier (or one byte later): the 16 bytes from its
    // first digit, which the direct path packs, run past the end.
    let items: [&[u8]; 8] = [
        b"03001234567",
        b"+923001234567",
        b"35202-1234567-1",
        b"0300-1234567",
        b"0092-300-1234567",
        b"03381234567",
        "۰۳۰۰۱۲۳۴۵۶۷".as_bytes(),
        b"+92 300 1234567",
    ];
    for item in items {
        for pad in 0..140 {
            for end in [&b""[..], b"\r", b"-", b" "] {
                let mut data = vec![b'x'; pad];
                if pad > 0 {
                    data[pad - 1] = b' ';
                }
                data.extend_from_slice(item);
                data.extend_from_slice(end);
                let (_, stats) = same(&data);
                if item != b"03381234567" {
                    assert_eq!(stats.msisdn.valid + stats.cnic.valid, 1, "pad {pad}");
                }
            }
        }
    }
}

#[test]
fn wide_digit_split_across_blocks() {
    // Lead byte at 62, 63, 64: the continuation lands on either side of the block edge.
    for at in [30, 31, 32, 62, 63, 64, 126, 127] {
        for digit in ["۳", "٣"] {
            // `0300` ends at `at`, so the wide digit's lead byte is at `at`.
            let mut data = vec![b'a'; at - 4];
            data.extend_from_slice(b"0300");
            data.extend_from_slice(digit.as_bytes());
            data.extend_from_slice(b"234567\n");
            let (rows, _) = same(&data);
            assert_eq!(rows.len(), 1, "lead at {at}");
            // A truncated wide digit at the very end.
            data.truncate(at + 1);
            same(&data);
        }
    }
}

#[test]
fn short_and_empty_chunks() {
    for data in [
        &b""[..],
        b"\n",
        b"\r\n",
        b"\n\n\r\n",
        b"03001234567",
        b"03001234567\r",
        b"\xd9",
        b"\xdb\xb0",
        b"x\n03001234567",
    ] {
        same(data);
    }
    // Exactly one and two blocks, with and without a final newline.
    for len in [63, 64, 65, 127, 128, 129] {
        let mut data = vec![b'5'; len];
        same(&data);
        data[len - 1] = b'\n';
        same(&data);
        data[len - 12..len - 1].copy_from_slice(b"03001234567");
        same(&data);
    }
}

/// One piece of generated input: digits, separators and spaces most of the time.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => proptest::collection::vec(b'0'..=b'9', 1..8),
        3 => proptest::sample::select(&b"-()+. "[..]).prop_map(|b| vec![b]),
        2 => Just(b"  ".to_vec()),
        2 => (0xA0u8..=0xA9).prop_map(|c| vec![0xD9, c]),
        2 => (0xB0u8..=0xB9).prop_map(|c| vec![0xDB, c]),
        1 => proptest::sample::select(&[0xD9u8, 0xDB, 0xA3, 0xB5, 0xFF, 0x80, 0xC2][..])
            .prop_map(|b| vec![b]),
        1 => Just("ن".as_bytes().to_vec()),
        1 => proptest::sample::select(&b"\n\r\0aZ:,/"[..]).prop_map(|b| vec![b]),
        1 => Just(b"\r\n".to_vec()),
        1 => proptest::sample::select(&["92", "0300", "+92 ", "35202 ", "(0300) "][..])
            .prop_map(|s| s.as_bytes().to_vec()),
        2 => proptest::sample::select(
            &["03001234567", "+923451234567", "35202-1234567-1", "0300-1234567", "9203"][..]
        )
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn walk_equals_line_loop(pieces in proptest::collection::vec(piece(), 0..120)) {
        let data = pieces.concat();
        same(&data);
    }

    #[test]
    fn walk_equals_line_loop_on_any_bytes(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        same(&data);
    }
}
