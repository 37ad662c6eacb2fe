//! Inputs that are not text: recognised by their first bytes, so that a workbook, an Access
//! database or an archive handed to `--format auto` fails with a clear error saying what it is
//! and how to export it, rather than being misread as a CSV with a garbage header.
//!
//! UTF-16 text (Excel's "Unicode Text" export, with a byte-order mark) is not refused: the
//! reader converts it to UTF-8 (see [`crate::source`]).

/// A binary file format the reader does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Container {
    /// What the file is, for the error message.
    pub(crate) what: &'static str,
    /// How to turn it into something leakmatch reads.
    pub(crate) advice: &'static str,
}

/// Known signatures: (offset, magic bytes, container).
const SIGNATURES: &[(usize, &[u8], Container)] = &[
    // Tables are read from their files (crate::table); only a pipe or a compressed stream of
    // one gets here.
    (
        0,
        b"PAR1",
        Container {
            what: "a Parquet file read as a stream",
            advice: "Parquet is read from a file (its footer is at the end): pass the                      decompressed file's path, not a pipe",
        },
    ),
    (
        0,
        b"ARROW1",
        Container {
            what: "an Arrow IPC file read as a stream",
            advice: "Arrow IPC files are read from a file (the footer is at the end): pass the                      decompressed file's path, not a pipe",
        },
    ),
    (
        0,
        b"PK\x03\x04",
        Container {
            what: "a ZIP archive (an .xlsx or .ods workbook, or a zipped dump)",
            advice: "unzip it, or save each sheet as CSV (e.g. `ssconvert` or `in2csv`), \
                     and read the result",
        },
    ),
    (
        4,
        b"Standard Jet DB",
        Container {
            what: "a Microsoft Access database (.mdb)",
            advice: "export each table as CSV (e.g. `mdb-export dump.mdb TABLE > table.csv`)",
        },
    ),
    (
        4,
        b"Standard ACE DB",
        Container {
            what: "a Microsoft Access database (.accdb)",
            advice: "export each table as CSV (e.g. `mdb-export dump.accdb TABLE > table.csv`)",
        },
    ),
    (
        0,
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        Container {
            what: "an OLE2 compound file (a legacy .xls workbook or other Office file)",
            advice: "save each sheet as CSV (e.g. `ssconvert` or `in2csv`) and read the result",
        },
    ),
    (
        0,
        b"SQLite format 3\0",
        Container {
            what: "an SQLite database",
            advice: "export each table as CSV (`sqlite3 -header -csv dump.db \
                     'SELECT * FROM t' > t.csv`)",
        },
    ),
    (
        0,
        b"%PDF-",
        Container {
            what: "a PDF document",
            advice: "extract its text first (e.g. `pdftotext -layout`) and read it with \
                     --format scan",
        },
    ),
    (
        0,
        b"7z\xBC\xAF\x27\x1C",
        Container {
            what: "a 7-Zip archive",
            advice: "extract it (`7z x`) and read the files inside",
        },
    ),
    (
        0,
        b"Rar!\x1A\x07",
        Container {
            what: "a RAR archive",
            advice: "extract it (`unrar x`) and read the files inside",
        },
    ),
    (
        0,
        b"\xFD7zXZ\0",
        Container {
            what: "an xz-compressed file",
            advice: "decompress it on the fly: `xz -dc FILE | leakmatch ... -`",
        },
    ),
    (
        0,
        b"BZh",
        Container {
            what: "a bzip2-compressed file",
            advice: "decompress it on the fly: `bzip2 -dc FILE | leakmatch ... -`",
        },
    ),
];

/// The container `head` (the first bytes of an input, after decompression) starts with, if
/// it is one the reader does not parse. A tar archive is recognised by its `ustar` magic.
pub(crate) fn identify(head: &[u8]) -> Option<Container> {
    const TAR: Container = Container {
        what: "a tar archive",
        advice: "extract it (`tar xf`) and read the files inside",
    };
    if head.get(257..262) == Some(b"ustar") {
        return Some(TAR);
    }
    SIGNATURES
        .iter()
        .find(|(at, magic, _)| head.get(*at..at + magic.len()) == Some(*magic))
        .map(|(_, _, c)| {
            if c.what.starts_with("a bzip2") && !bzip2_header(head) {
                None
            } else {
                Some(*c)
            }
        })
        .unwrap_or(None)
}

/// `BZh` is followed by the block size digit `1`–`9` and the block magic `1AY&SY`; plain text
/// may start with "BZh" too.
fn bzip2_header(head: &[u8]) -> bool {
    matches!(head.get(3), Some(b'1'..=b'9')) && head.get(4..10) == Some(b"1AY&SY")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_binary_containers() {
        let mut jet = b"\x00\x01\x00\x00Standard Jet DB\x00".to_vec();
        jet.extend([0u8; 100]);
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        let cases: [(&[u8], &str); 8] = [
            (b"PK\x03\x04\x14\x00", "ZIP"),
            (&jet, "Access"),
            (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00", "OLE2"),
            (b"SQLite format 3\0...", "SQLite"),
            (b"%PDF-1.7\n", "PDF"),
            (b"BZh91AY&SY....", "bzip2"),
            (b"\xFD7zXZ\0\0", "xz"),
            (&tar, "tar"),
        ];
        for (head, name) in cases {
            let c = identify(head).unwrap_or_else(|| panic!("{name} not recognised"));
            assert!(c.what.contains(name), "{name}: {}", c.what);
        }
    }

    #[test]
    fn text_is_not_a_container() {
        for head in [
            &b"msisdn,cnic\n03001234567,3520212345671\n"[..],
            b"BZh is a name,0300-1234567\n",
            b"PK,phone\n1,03001234567\n",
            b"",
            b"P",
            b"INSERT INTO t VALUES ('03001234567');\n",
        ] {
            assert_eq!(identify(head), None, "{:?}", String::from_utf8_lossy(head));
        }
    }
}
