//! SQL dumps read mapped in one piece, mapped in small chunks and streamed in small blocks see
//! the same records and columns, also when `CREATE TABLE` statements span blocks or come after
//! the INSERTs they would describe (found by the `sql_tuples` fuzz target), and when a
//! multi-line (phpMyAdmin-style) INSERT would straddle a chunk or block boundary.
#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use common::{read_path, records, write};
use leakmatch_ingest::{Format, ReadOptions};
use proptest::prelude::*;

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "CREATE TABLE `subs` (\n  `id` int,\n  `msisdn` varchar(20),\n  `cnic` varchar(15),\n  PRIMARY KEY (`id`)\n);\n",
        "CREATE TABLE `subs` (\n  `cnic` varchar(15),\n  `msisdn` varchar(20)\n);\n",
        "create table other (`phone` text);\n",
        "INSERT INTO `subs` VALUES (1,'03001234567','35202-1234567-1'),(2,'0345 7654321',NULL);\n",
        "INSERT INTO `subs` VALUES ('3520212345671','923331234567');\n",
        "INSERT INTO other VALUES ('03001234567');\n",
        "INSERT INTO `subs` (`msisdn`) VALUES ('0300-1234567'),('it''s \\' x');\n",
        "INSERT INTO `subs` VALUES (9,'0300",
        // phpMyAdmin style: tuples on the following lines.
        "INSERT INTO `subs` (`id`, `msisdn`, `cnic`) VALUES\n(1, '03001234567', '35202-1234567-1'),\n(2, '03451234567', NULL),\n",
        "(3, '0321 1234567', '42101-1234567-3'),\n",
        "  (4, '03331234567', '3520212345671');\n",
        "INSERT INTO `subs` VALUES\n",
        "-- comment\n",
        "\n",
        "/*!40101 SET NAMES utf8 */;\n",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn sql_chunking_matches_sequential(
        pieces in prop::collection::vec(piece(), 0..14),
        chunk in 1usize..80,
        block in 1usize..80,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "d.sql", pieces.concat().as_bytes());
        // Columns chosen by content may be refused as ambiguous: the same way however read.
        let read = |o: ReadOptions| {
            read_path(&p, &ReadOptions { format: Format::Sql, ..o })
                .map(|out| (out.stats, records(&out), out.columns, out.diagnostics))
                .map_err(|e| e.to_string())
        };
        let whole = read(ReadOptions { chunk_size: 1 << 20, ..ReadOptions::default() });
        let chunked = read(ReadOptions { chunk_size: chunk, ..ReadOptions::default() });
        let streamed = read(ReadOptions { chunk_size: block, mmap: false, ..ReadOptions::default() });
        prop_assert_eq!(&whole, &chunked);
        prop_assert_eq!(&whole, &streamed);
    }
}

/// A phpMyAdmin export: every tuple of a multi-line INSERT is a record with the statement's
/// columns, whatever the chunk or block size.
#[test]
fn multi_line_inserts_are_read_whole() {
    let sql = "CREATE TABLE `subs` (\n  `id` int NOT NULL,\n  `msisdn` varchar(20),\n  `cnic` varchar(15)\n);\n\n\
        INSERT INTO `subs` (`id`, `msisdn`, `cnic`) VALUES\n\
        (1, '03001234567', '35202-1234567-1'),\n\
        (2, '03451234567', '42101-1234567-3');\n\
        INSERT INTO `subs` VALUES\n(3, '03211234567', NULL),\n(4, NULL, '3520212345671');\n";
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "pma.sql", sql.as_bytes());
    for size in [1, 7, 40, 1 << 20] {
        for mmap in [true, false] {
            let out = read_path(
                &p,
                &ReadOptions {
                    chunk_size: size,
                    mmap,
                    ..ReadOptions::default()
                },
            )
            .unwrap();
            assert_eq!(out.stats.records, 4, "size {size} mmap {mmap}");
            assert_eq!(out.stats.msisdn.valid, 3, "size {size} mmap {mmap}");
            assert_eq!(out.stats.cnic.valid, 3, "size {size} mmap {mmap}");
            assert_eq!(out.diagnostics.skipped_total, 0, "size {size} mmap {mmap}");
        }
    }
}
