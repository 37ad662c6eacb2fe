//! SQL dumps read mapped in one piece, mapped in small chunks and streamed in small blocks see
//! the same records and columns, also when `CREATE TABLE` statements span blocks or come after
//! the INSERTs they would describe (found by the `sql_tuples` fuzz target).
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
        let read = |o: ReadOptions| {
            let out = read_path(&p, &ReadOptions { format: Format::Sql, ..o }).unwrap();
            (out.stats, records(&out), out.columns, out.diagnostics)
        };
        let whole = read(ReadOptions { chunk_size: 1 << 20, ..ReadOptions::default() });
        let chunked = read(ReadOptions { chunk_size: chunk, ..ReadOptions::default() });
        let streamed = read(ReadOptions { chunk_size: block, mmap: false, ..ReadOptions::default() });
        prop_assert_eq!(&whole, &chunked);
        prop_assert_eq!(&whole, &streamed);
    }
}
