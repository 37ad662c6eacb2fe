//! Issue #7: the bad-input matrix, one test per row, plus artifacts under failure.
//!
//! Every row runs `build` (and where it matters `match`/`size`) on a hostile input and checks
//! the documented exit status, a message that names the input, no panic, and that no output
//! file (or temporary) exists unless the run succeeded. Usable parts of an input are processed
//! and what was skipped is reported; only `--strict` turns skips into exit status 1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::PathBuf;
use std::process::Output;

use util::{fixture, identifier_forms, json, stderr, Dir};

const M: &str = "03001234567";
const M2: &str = "03451234567";
const C: &str = "35202-1234567-1";

/// A directory with a key; `build` writes `out.lmf`.
fn setup() -> Dir {
    let d = Dir::new();
    d.key("k.key");
    d
}

fn build(d: &Dir, input: &str, extra: &[&str], code: i32) -> Output {
    let mut c = d.cmd(&[
        "build",
        "--kinds",
        "msisdn,cnic,pair",
        "--json",
        "-k",
        "k.key",
        "-o",
        "out.lmf",
    ]);
    for e in extra {
        c = c.arg(e);
    }
    let out = c.arg(input).code(code);
    no_panic(&out);
    out
}

fn no_panic(out: &Output) {
    let err = stderr(out);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

/// Only the inputs and the key are left: no output, no temporary.
fn only(d: &Dir, names: &[&str]) {
    let mut left: Vec<String> = d
        .files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.push("k.key".into());
    want.sort();
    assert_eq!(left, want, "files left behind");
}

fn valid_msisdns(out: &Output) -> u64 {
    json(out)["inputs"][0]["msisdn"]["valid"].as_u64().unwrap()
}

/// A failed run names the input and leaves nothing behind.
fn fails_naming(d: &Dir, input: &str, code: i32, needle: &str) -> String {
    let out = build(d, input, &[], code);
    let err = stderr(&out);
    assert!(err.contains(input), "input not named: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(out.stdout.is_empty(), "no JSON summary after an error");
    err
}

#[test]
fn empty_file_is_refused_rather_than_an_empty_filter() {
    let d = setup();
    d.write("empty.csv", "");
    let err = fails_naming(&d, "empty.csv", 1, "no valid identifier");
    assert!(err.contains("0 records"), "{err}");
    only(&d, &["empty.csv"]);
    // Matching an empty base is not an error: it reports zero rows.
    d.write("one.csv", format!("msisdn\n{M}\n"));
    build(&d, "one.csv", &[], 0);
    let r = json(
        &d.cmd(&[
            "match",
            "--json",
            "-k",
            "k.key",
            "-f",
            "out.lmf",
            "empty.csv",
        ])
        .ok(),
    );
    assert_eq!(r["rows_read"], 0);
}

#[test]
fn binary_file_elf_executable() {
    let d = setup();
    let elf = std::fs::read(env!("CARGO_BIN_EXE_leakmatch")).unwrap();
    assert!(elf.starts_with(b"\x7fELF"));
    d.write("prog", &elf[..elf.len().min(1 << 20)]);
    let err = fails_naming(&d, "prog", 1, "no identifier column");
    // Binary bytes are not echoed raw to the terminal.
    assert!(!err.contains('\u{7f}') && !err.contains('\0'), "{err:?}");
    assert!(err.lines().count() <= 3, "{err}");
    only(&d, &["prog"]);
    // As free text it is read to the end without finding anything.
    let out = build(&d, "prog", &["--format", "scan"], 1);
    assert!(stderr(&out).contains("no valid identifier"));
    only(&d, &["prog"]);
}

#[test]
fn invalid_utf8_fields_are_rejected_and_the_rest_read() {
    let d = setup();
    let mut text = format!("name,msisdn\n\u{fe}\u{ff}x,{M}\n").into_bytes();
    text.extend_from_slice(b"\xff\xfe\xc3(,\xc3\x28030\xff01234567\n");
    text.extend_from_slice(format!("ok,{M2}\n").as_bytes());
    d.write("latin.csv", &text);
    let out = build(&d, "latin.csv", &[], 0);
    assert_eq!(valid_msisdns(&out), 2);
    assert_eq!(json(&out)["inputs"][0]["msisdn"]["junk"], 1);
}

#[test]
fn nul_bytes_inside_fields_and_lines() {
    let d = setup();
    let text = format!("msisdn,cnic\n0300\u{0}1234567,{C}\n\u{0}\u{0}\u{0}\n{M2},\u{0}\n");
    d.write("nul.csv", text);
    let out = build(&d, "nul.csv", &[], 0);
    assert_eq!(valid_msisdns(&out), 1);
    assert_eq!(json(&out)["inputs"][0]["cnic"]["valid"], 1);
}

#[test]
fn single_ten_megabyte_line() {
    let d = setup();
    let mut text = format!("msisdn,note\n{M},a\n").into_bytes();
    text.extend(std::iter::repeat_n(b'x', 10 << 20));
    text.extend_from_slice(format!(",b\n{M2},c\n").as_bytes());
    d.write("long.csv", &text);
    for extra in [&[][..], &["--no-mmap"][..]] {
        let out = build(&d, "long.csv", extra, 0);
        assert_eq!(valid_msisdns(&out), 2);
        assert_eq!(json(&out)["inputs"][0]["records"], 3);
    }
    // The same line without any newline at all, in scan mode.
    let mut one = vec![b'7'; 10 << 20];
    one.extend_from_slice(format!(" {M}").as_bytes());
    d.write("one-line.txt", &one);
    let out = build(&d, "one-line.txt", &["--format", "scan"], 0);
    assert_eq!(valid_msisdns(&out), 1);
}

#[test]
fn unterminated_quote_at_end_of_file() {
    let d = setup();
    d.write("quote.csv", format!("name,msisdn\nA,{M}\n\"Khan, A,{M2}\n"));
    let out = build(&d, "quote.csv", &[], 0);
    let err = stderr(&out);
    assert!(err.contains("unterminated quote"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(valid_msisdns(&out), 1);
}

#[test]
fn crlf_and_mixed_line_endings() {
    let d = setup();
    let text = format!("name,\"msisdn\"\r\nA,{M}\r\nB,\"{M2}\"\n\"C\r\nD\",03331234567\r\n\r\n");
    d.write("crlf.csv", &text);
    let out = build(&d, "crlf.csv", &[], 0);
    assert_eq!(valid_msisdns(&out), 3);
    assert_eq!(json(&out)["inputs"][0]["records"], 3);
    let unix = text.replace("\r\n", "\n");
    d.write("lf.csv", &unix);
    let lf = build(&d, "lf.csv", &[], 0);
    assert_eq!(
        json(&out)["inputs"][0]["msisdn"],
        json(&lf)["inputs"][0]["msisdn"]
    );
}

#[test]
fn utf8_bom_before_the_header() {
    let d = setup();
    d.write("bom.csv", format!("\u{feff}MSISDN,CNIC\n{M},{C}\n"));
    let out = build(&d, "bom.csv", &[], 0);
    assert_eq!(valid_msisdns(&out), 1);
    assert_eq!(json(&out)["inputs"][0]["pairs"], 1);
}

#[test]
fn directory_given_as_input() {
    let d = setup();
    std::fs::create_dir(d.path("dumps")).unwrap();
    fails_naming(&d, "dumps", 1, "not a file");
    only(&d, &[]);
}

#[test]
fn missing_path() {
    let d = setup();
    let err = fails_naming(&d, "nope.csv", 1, "No such file");
    assert_eq!(
        err.matches("No such file").count(),
        1,
        "cause printed once: {err}"
    );
    only(&d, &[]);
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let d = setup();
    let p = d.write("secret.csv", format!("msisdn\n{M}\n"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&p).is_err() {
        fails_naming(&d, "secret.csv", 1, "Permission denied");
        only(&d, &["secret.csv"]);
        return;
    }
    // Root (CAP_DAC_OVERRIDE) reads mode-000 files: run `size` (no key needed) as nobody.
    std::fs::set_permissions(d.tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let as_nobody = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_leakmatch"))
        .args(["size", "secret.csv"])
        .current_dir(d.tmp.path())
        .output();
    match as_nobody {
        Ok(out) if out.status.code() == Some(1) => {
            let err = stderr(&out);
            assert!(err.contains("secret.csv") && err.contains("Permission denied"), "{err}");
        }
        other => eprintln!(
            "skipped unreadable_file: running as root and cannot drop privileges with setpriv ({:?})",
            other.map(|o| o.status)
        ),
    }
}

#[test]
fn truncated_gz() {
    let d = setup();
    let gz = std::fs::read(fixture("dump-small.csv.gz")).unwrap();
    d.write("cut.csv.gz", &gz[..gz.len() / 2]);
    let err = fails_naming(
        &d,
        "cut.csv.gz",
        1,
        "decompression failed at compressed byte",
    );
    assert!(err.contains("records before it were read"), "{err}");
    assert!(err.contains("--allow-truncated"), "{err}");
    only(&d, &["cut.csv.gz"]);
    // Asked for, the records before the damage are used, with a warning saying where.
    let out = d
        .cmd(&["size", "--json", "--allow-truncated", "cut.csv.gz"])
        .ok();
    let err = stderr(&out);
    assert!(err.contains("the rest of the input is missing"), "{err}");
    let records = json(&out)["inputs"][0]["records"].as_u64().unwrap();
    assert!(records > 0, "{records}");
    // --strict: a warning (here, data missing past the damage) is exit status 1, as a skip is;
    // the usable part is still reported.
    let out = d
        .cmd(&[
            "size",
            "--json",
            "--strict",
            "--allow-truncated",
            "cut.csv.gz",
        ])
        .code(1);
    assert!(stderr(&out).contains("the rest of the input is missing"));
    assert_eq!(json(&out)["inputs"][0]["records"].as_u64(), Some(records));
}

/// `--strict` fails on an input warning even when no record was skipped: JSON lines with no
/// identifier key are read (records counted) but give nothing, which a script must notice.
#[test]
fn strict_fails_on_warnings() {
    let d = setup();
    d.write("nokeys.jsonl", "{\"name\":\"A\"}\n{\"name\":\"B\"}\n");
    d.write("good.csv", format!("msisdn\n{M}\n"));
    let build = [
        "build",
        "--kinds",
        "msisdn,cnic,pair",
        "-k",
        "k.key",
        "-o",
        "w.lmf",
        "--capacity",
        "100",
    ];
    let inputs = ["good.csv", "nokeys.jsonl"];
    let out = d.cmd(&[&build[..], &inputs].concat()).ok();
    assert!(
        stderr(&out).contains("no identifier keys found"),
        "{}",
        stderr(&out)
    );
    let out = d
        .cmd(&[&build[..], &["--strict"], &inputs].concat())
        .code(1);
    no_panic(&out);
    assert!(stderr(&out).contains("no identifier keys found"));
    d.cmd(&["size", "nokeys.jsonl"]).ok();
    d.cmd(&["size", "--strict", "nokeys.jsonl"]).code(1);
}

/// A workbook is named for what it is, with how to export it; its bytes are never echoed.
#[test]
fn workbook_is_not_text() {
    let d = setup();
    d.write(
        "leak.xlsx",
        format!("PK\x03\x04\x14\x00[Content_Types].xml {M}"),
    );
    let err = fails_naming(&d, "leak.xlsx", 1, "ZIP archive");
    assert!(err.contains("save each sheet as CSV"), "{err}");
    assert!(!err.contains(M) && !err.contains("Content_Types"), "{err}");
    only(&d, &["leak.xlsx"]);
}

#[test]
fn zst_that_is_not_zstd() {
    let d = setup();
    d.write("fake.csv.zst", format!("msisdn\n{M}\n"));
    fails_naming(&d, "fake.csv.zst", 1, "decompression failed");
    only(&d, &["fake.csv.zst"]);
}

#[test]
fn header_without_identifier_column() {
    let d = setup();
    d.write("names.csv", "name,address,city\nA,House 1,Lahore\n");
    let err = fails_naming(&d, "names.csv", 1, "no identifier column");
    assert!(
        err.contains("3 columns") && err.contains("--msisdn-col"),
        "{err}"
    );
    only(&d, &["names.csv"]);
    // A headerless file whose first row is data and holds no identifier: the data is never
    // echoed.
    d.write("headless.csv", "A,04235761234,4410\nB,04235761235,\n");
    let err = fails_naming(&d, "headless.csv", 1, "looks like data");
    assert!(
        !err.contains("04235761234") && !err.contains("4235761234"),
        "{err}"
    );
}

/// A headerless file is read by content: the columns chosen are named by position and share on
/// stderr; an ambiguous one is refused listing the candidates, never a value.
#[test]
fn headerless_columns_chosen_by_content_or_refused() {
    let d = setup();
    d.write("headless.csv", format!("A,{M},{C}\nB,{M2},\n"));
    let out = build(&d, "headless.csv", &[], 0);
    let err = stderr(&out);
    assert!(
        err.contains("no header") && err.contains("#2 msisdn (100.0% of 2 values)"),
        "{err}"
    );
    assert!(err.contains("#3 cnic (100.0% of 1 values)"), "{err}");
    assert!(
        !err.contains(M) && !err.contains(M2) && !err.contains("1234567-1"),
        "{err}"
    );
    let mut text = String::new();
    for i in 0..30 {
        let v = if i % 3 == 0 { M } else { "call later" };
        text += &format!("{i}|{v}|{C}\n");
    }
    d.write("amb.txt", text);
    let err = fails_naming(&d, "amb.txt", 1, "ambiguous");
    assert!(
        err.contains("#2 msisdn (33.3% of 30 values)") && err.contains("--msisdn-col"),
        "{err}"
    );
    assert!(!err.contains(M) && !err.contains("1234567-1"), "{err}");
}

/// Issue 17 item 5: the "no identifier column" error echoed the short fields of the first
/// line, which may be data (a name, an address): now it echoes none of them.
#[test]
fn no_identifier_column_error_echoes_nothing_from_the_first_line() {
    let d = setup();
    d.write(
        "people.csv",
        "Ali Raza,House 12 Gulberg,Lahore,ali@example.pk\nSara,Flat 3,Karachi,s@x.pk\n",
    );
    let err = fails_naming(&d, "people.csv", 1, "no identifier column");
    for field in [
        "Ali Raza",
        "House 12",
        "Gulberg",
        "Lahore",
        "ali@example.pk",
    ] {
        assert!(!err.contains(field), "{field} echoed: {err}");
    }
    assert!(err.contains("4 columns"), "{err}");
}

#[test]
fn sql_dump_cut_mid_statement() {
    let d = setup();
    let sql = format!(
        "CREATE TABLE `subs` (\n  `id` int,\n  `msisdn` varchar(20)\n);\n\
         INSERT INTO `subs` VALUES (1,'{M}'),(2,'{M2}');\n\
         INSERT INTO `subs` VALUES (3,'03331234567'),(4,'0300"
    );
    d.write("cut.sql", &sql);
    let out = d
        .cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--json",
            "-v",
            "-k",
            "k.key",
            "-o",
            "out.lmf",
            "cut.sql",
        ])
        .ok();
    let err = stderr(&out);
    assert!(err.contains("skipped 1"), "{err}");
    assert!(
        err.contains("line 6") && err.contains("truncated_sql_tuple"),
        "{err}"
    );
    assert!(err.contains("byte offset"), "{err}");
    assert_eq!(valid_msisdns(&out), 3);
    assert_eq!(json(&out)["inputs"][0]["skipped_records"], 1);
    std::fs::remove_file(d.path("out.lmf")).unwrap();
    let out = build(&d, "cut.sql", &["--strict"], 1);
    // --strict reports through the exit status; the filter of the usable part is still written.
    assert!(stderr(&out).contains("skipped 1"));
}

#[test]
fn json_lines_with_broken_lines() {
    let d = setup();
    d.write(
        "broken.jsonl",
        format!(
            "{{\"msisdn\":\"{M}\"}}\n{{\"msisdn\":\"0345\n{{\"msisdn\": [1,\n\n{{\"msisdn\":{}}}\ngarbage\n",
            &M2[1..]
        ),
    );
    let out = d
        .cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--json",
            "-v",
            "-k",
            "k.key",
            "-o",
            "out.lmf",
            "broken.jsonl",
        ])
        .ok();
    let err = stderr(&out);
    assert!(err.contains("skipped 3"), "{err}");
    assert!(
        err.contains("line 2, byte offset 25: malformed_json"),
        "{err}"
    );
    assert_eq!(valid_msisdns(&out), 2);
    for cmd in [
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--strict",
            "-k",
            "k.key",
            "-o",
            "strict.lmf",
            "broken.jsonl",
        ],
        vec![
            "match",
            "--strict",
            "-k",
            "k.key",
            "-f",
            "out.lmf",
            "broken.jsonl",
        ],
        vec!["size", "--strict", "broken.jsonl"],
    ] {
        let out = d.cmd(&cmd).code(1);
        no_panic(&out);
        assert!(
            stderr(&out).contains("skipped 3"),
            "{cmd:?}: {}",
            stderr(&out)
        );
    }
}

/// The filter of a run that failed at the very end (the output directory is not writable:
/// a path under a regular file) leaves nothing, and an existing file keeps its old content.
#[test]
fn failed_write_leaves_no_partial_output() {
    let d = setup();
    d.write("d.csv", format!("msisdn\n{M}\n"));
    d.write("file", "x");
    let out = d
        .cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-k",
            "k.key",
            "-o",
            "file/out.lmf",
            "d.csv",
        ])
        .code(1);
    assert!(
        stderr(&out).contains("cannot write filter file/out.lmf"),
        "{}",
        stderr(&out)
    );
    d.write("old.lmf", "previous content");
    d.cmd(&[
        "build",
        "--kinds",
        "msisdn,cnic,pair",
        "-k",
        "k.key",
        "-o",
        "old.lmf",
        "nope.csv",
    ])
    .code(1);
    assert_eq!(
        std::fs::read(d.path("old.lmf")).unwrap(),
        b"previous content"
    );
    only(&d, &["d.csv", "file", "old.lmf"]);
}

/// A full disk: a 64 KiB tmpfs where mounting is allowed (root), otherwise skipped.
#[test]
fn full_disk_leaves_no_output_under_the_requested_name() {
    let d = setup();
    let (dump, _) = generated(&d, 20_000);
    let mnt = d.path("tiny");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mnt)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped full_disk test: cannot mount a tmpfs here (needs root)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let out = d
        .cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--capacity",
            "1000000",
            "-k",
            "k.key",
            "-o",
        ])
        .arg(mnt.join("f.lmf"))
        .arg(&dump)
        .code(1);
    let err = stderr(&out);
    assert!(err.contains("No space left"), "{err}");
    assert_eq!(
        std::fs::read_dir(&mnt).unwrap().count(),
        0,
        "nothing left on the full disk"
    );
    // matches-out and the size report on a full disk likewise.
    d.cmd(&[
        "build",
        "--kinds",
        "msisdn,cnic,pair",
        "-k",
        "k.key",
        "-o",
        "f.lmf",
    ])
    .arg(&dump)
    .ok();
    let big = d.path("base-big.csv");
    std::fs::write(&big, std::fs::read(&dump).unwrap()).unwrap();
    d.cmd(&["match", "-k", "k.key", "-f", "f.lmf", "--matches-out"])
        .arg(mnt.join("hits.csv"))
        .arg(&big)
        .code(1);
    assert_eq!(std::fs::read_dir(&mnt).unwrap().count(), 0);
}

/// Ctrl-C in the middle of a build: no file under the requested name.
#[test]
fn interrupted_build_leaves_no_output_under_the_requested_name() {
    let d = setup();
    let (dump, _) = generated(&d, 300_000);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leakmatch"))
        .current_dir(d.tmp.path())
        .args([
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--threads",
            "1",
            "-k",
            "k.key",
            "-o",
            "f.lmf",
        ])
        .arg(&dump)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let pid = i32::try_from(child.id()).unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    if status.success() {
        eprintln!("the build finished before SIGINT arrived: nothing interrupted");
        return;
    }
    assert_eq!(status.code(), Some(130), "exit status 128 + SIGINT");
    assert!(
        !d.path("f.lmf").exists(),
        "partial output under the requested name"
    );
    only(&d, &["dump.csv", "dump.csv.truth.json", "base.csv"]);
}

/// Ctrl-C while the filter is being saved: the temporary file is removed too.
#[test]
fn interrupted_save_removes_its_temporary() {
    let d = setup();
    d.write("d.csv", format!("msisdn\n{M}\n"));
    // A ~190 MB filter (mapped lazily, so cheap to make) takes a moment to write.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leakmatch"))
        .current_dir(d.tmp.path())
        .args([
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--capacity",
            "50000000",
            "-k",
            "k.key",
            "-o",
            "f.lmf",
            "d.csv",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let temp_exists = || {
        d.files()
            .iter()
            .any(|p| p.to_string_lossy().contains(".f.lmf.tmp-"))
    };
    let started = std::time::Instant::now();
    while !temp_exists() && started.elapsed().as_secs() < 30 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    if status.success() {
        eprintln!("the save finished before SIGINT arrived: nothing interrupted");
        return;
    }
    assert_eq!(status.code(), Some(130));
    only(&d, &["d.csv"]);
}

/// A generated dump of `rows` rows and its base.
fn generated(d: &Dir, rows: u64) -> (PathBuf, PathBuf) {
    d.cmd(&[
        "gen",
        "--rows",
        &rows.to_string(),
        "--seed",
        "3",
        "-o",
        "dump.csv",
    ])
    .arg("--subscribers")
    .arg("base.csv")
    .ok();
    (d.path("dump.csv"), d.path("base.csv"))
}

/// `merge(build(A), build(B))` is byte for byte `build(A, B)`, and a build's bytes do not
/// depend on the thread count or the time (filters record no creation time since format v2).
#[test]
fn merge_of_builds_equals_build_of_union_and_threads_do_not_matter() {
    let d = setup();
    let (dump, base) = generated(&d, 3000);
    let lmf = |threads: &str, out: &str, inputs: &[&std::path::Path]| {
        let mut c = d.cmd(&[
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "--threads",
            threads,
            "--capacity",
            "20000",
            "-k",
            "k.key",
            "-o",
            out,
        ]);
        for i in inputs {
            c = c.arg(i);
        }
        c.ok();
        std::fs::read(d.path(out)).unwrap()
    };
    let a = lmf("2", "a.lmf", &[&dump]);
    lmf("2", "b.lmf", &[&base]);
    let union = lmf("2", "ab.lmf", &[&dump, &base]);
    d.cmd(&["merge", "-k", "k.key", "-o", "merged.lmf", "a.lmf", "b.lmf"])
        .ok();
    assert!(
        std::fs::read(d.path("merged.lmf")).unwrap() == union,
        "merge != build of union"
    );
    assert!(lmf("1", "a1.lmf", &[&dump]) == a, "1 thread != 2 threads");
}

/// Every command, verbose, on success and error paths: no identifier of the inputs, raw or
/// canonical, appears on stdout, stderr, in a filter, report or temporary file. Only
/// `--matches-out` holds the user's own rows.
#[test]
fn no_identifier_leaves_any_command() {
    let d = setup();
    let (dump, base) = generated(&d, 2000);
    // Raw renderings as written (field values with digits), and canonical forms.
    let mut forms = identifier_forms(&[&dump, &base]);
    assert!(forms.len() > 500, "{}", forms.len());
    d.write(
        "cut.sql",
        format!("INSERT INTO t (msisdn) VALUES ('{M}'),('0300"),
    );
    d.write(
        "broken.jsonl",
        format!("{{\"msisdn\":\"{M}\"}}\n{{\"cnic\":\"{C}\n"),
    );
    d.write("headless.csv", format!("A,{M},{C}\n"));
    forms.extend([M, C, "923001234567", "3520212345671"].map(String::from));
    let mut captured = Vec::new();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-v",
            "-k",
            "k.key",
            "-o",
            "f.lmf",
            "dump.csv",
        ],
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-v",
            "--json",
            "-k",
            "k.key",
            "-o",
            "g.lmf",
            "dump.csv",
            "cut.sql",
        ],
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-v",
            "-k",
            "k.key",
            "-o",
            "h.lmf",
            "--capacity",
            "9000",
            "base.csv",
        ],
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-v",
            "-k",
            "k.key",
            "-o",
            "x.lmf",
            "headless.csv",
        ],
        vec![
            "build",
            "--kinds",
            "msisdn,cnic,pair",
            "-v",
            "--strict",
            "-k",
            "k.key",
            "-o",
            "y.lmf",
            "broken.jsonl",
        ],
        vec![
            "match",
            "-v",
            "-k",
            "k.key",
            "-f",
            "f.lmf",
            "--matches-out",
            "own.csv",
            "base.csv",
        ],
        vec![
            "match", "-v", "--json", "-k", "k.key", "-f", "g.lmf", "base.csv", "cut.sql",
        ],
        vec![
            "match",
            "-v",
            "-k",
            "k.key",
            "-f",
            "f.lmf",
            "broken.jsonl",
            "headless.csv",
        ],
        vec!["inspect", "-v", "f.lmf"],
        vec!["inspect", "-v", "--json", "g.lmf"],
        vec!["merge", "-v", "-o", "m.lmf", "f.lmf", "g.lmf"],
        vec![
            "size",
            "-v",
            "--html",
            "report.html",
            "dump.csv",
            "base.csv",
        ],
        vec![
            "size",
            "-v",
            "--json",
            "--overlap",
            "dump.csv",
            "base.csv",
            "broken.jsonl",
        ],
        vec!["size", "-v", "headless.csv"],
    ];
    for args in &runs {
        let out = d.cmd(args).output();
        no_panic(&out);
        captured.extend(out.stdout);
        captured.extend(out.stderr);
    }
    assert!(d.path("report.html").exists() && d.path("own.csv").exists());
    let inputs = [
        "dump.csv",
        "base.csv",
        "own.csv",
        "cut.sql",
        "broken.jsonl",
        "headless.csv",
    ];
    for f in d.files() {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if inputs.contains(&name.as_str()) || name.ends_with(".truth.json") {
            continue;
        }
        captured.extend(std::fs::read(&f).unwrap());
    }
    let hay = String::from_utf8_lossy(&captured);
    for form in &forms {
        assert!(
            !hay.contains(form.as_str()),
            "an identifier leaked into an output"
        );
    }
}

/// Issue 17: a run of blank lines inside a multi-line INSERT's tuple list, longer than a
/// chunk, kept `size` busy past any timeout (the cut search looked forward over the same
/// whitespace from every line start), mapped and streamed. Now it is read in linear time.
#[test]
fn sql_blank_lines_in_a_tuple_list() {
    let d = setup();
    let mut sql = format!("INSERT INTO `t` (`msisdn`) VALUES\n('{M}'),\n").into_bytes();
    sql.resize(sql.len() + (20 << 20), b'\n');
    sql.extend_from_slice(format!("('{M2}');\n").as_bytes());
    let p = d.write("blank.sql", &sql);
    for out in [
        d.cmd(&["size", "--json", "blank.sql"]).ok(),
        d.cmd(&["size", "--json", "--format", "sql", "-"])
            .stdin_file(&p)
            .ok(),
    ] {
        no_panic(&out);
        assert_eq!(valid_msisdns(&out), 2);
    }
}

/// Issue 17: a stream with no newline (or an unclosed quote) grew one buffer to the size of
/// the stream. Now a record longer than the limit (16 MiB) is skipped as it is read, counted
/// with its line and byte offset, and the records before and after it are used.
#[test]
fn record_longer_than_the_limit_is_skipped_and_counted() {
    let d = setup();
    let mut text = format!("{M}\n").into_bytes();
    text.extend(std::iter::repeat_n(b'x', 17 << 20));
    text.extend_from_slice(format!("\n{M2}\n").as_bytes());
    let p = d.write("long.txt", &text);
    let mut quote = format!("msisdn\n{M}\n\"").into_bytes();
    quote.extend(std::iter::repeat_n(b'x', 17 << 20));
    let q = d.write("quote.csv", &quote);
    for (path, format, valid, line) in [(&p, "scan", 2, "line 2"), (&q, "csv", 1, "line 3")] {
        for mapped in [true, false] {
            let mut c = d.cmd(&["size", "--json", "-v", "--format", format]);
            c = if mapped {
                c.arg(path)
            } else {
                c.arg("-").stdin_file(path)
            };
            let out = c.ok();
            let err = stderr(&out);
            assert!(err.contains("skipped 1"), "{err}");
            assert!(
                err.contains(line) && err.contains("record_too_long"),
                "{err}"
            );
            assert!(!err.contains("xxxx"), "{err}");
            assert_eq!(valid_msisdns(&out), valid);
            assert_eq!(json(&out)["inputs"][0]["skipped_records"], 1);
        }
    }
    let out = d
        .cmd(&["size", "--strict", "--format", "scan", "long.txt"])
        .code(1);
    assert!(stderr(&out).contains("skipped 1"));
}

/// Issue 17: one record with many MSISDNs and CNICs made pairs quadratic in its size. Now a
/// record with more than 1024 combinations forms none; its identifiers are used and a warning
/// gives its line.
#[test]
fn record_with_too_many_identifiers_to_pair() {
    let d = setup();
    d.write(
        "many.txt",
        format!("{M} {C}\n{}\n", format!("{M2} {C} ").repeat(40)),
    );
    let out = d
        .cmd(&["size", "--json", "--format", "scan", "many.txt"])
        .ok();
    let err = stderr(&out);
    assert!(
        err.contains("line 2") && err.contains("pairs not formed"),
        "{err}"
    );
    assert!(!err.contains(M2), "{err}");
    assert_eq!(valid_msisdns(&out), 41);
}

// Issue 17, item 1: forged filters and estimates that lie.

/// Builds `f.lmf` from a small dump of `n` distinct numbers with all kinds and returns the
/// dump's path.
fn built_filter(d: &Dir, n: u64, extra: &[&str]) -> PathBuf {
    let mut text = String::from("msisdn,cnic\n");
    for i in 0..n {
        text += &format!("0300{:07},35202{:07}1\n", 1_000_000 + i, 1_000_000 + i);
    }
    let dump = d.write("dump.csv", text);
    let mut c = d.cmd(&["build", "-q", "-k", "k.key", "-o", "f.lmf"]);
    for e in extra {
        c = c.arg(e);
    }
    c.arg(&dump).ok();
    dump
}

/// Recomputes the unkeyed integrity hash of a v2 file (anyone can).
fn rehash(bytes: &mut [u8]) {
    let body = bytes.len() - 64;
    let h = blake3::hash(&bytes[..body]);
    bytes[body..body + 32].copy_from_slice(h.as_bytes());
}

/// The attack: every bit set and the checksum recomputed. Today's main exits 0 and
/// reports every row of the base as matched; now the MAC does not verify: exit 3.
#[test]
fn forged_all_ones_filter_is_refused() {
    let d = setup();
    let dump = built_filter(&d, 200, &["--kinds", "msisdn,cnic,pair"]);
    let mut bytes = std::fs::read(d.path("f.lmf")).unwrap();
    let body = bytes.len() - 64;
    bytes[4096..body].fill(0xff);
    rehash(&mut bytes);
    d.write("forged.lmf", &bytes);
    for extra in [&[][..], &["--no-mmap"][..], &["--accept-high-fpr"][..]] {
        let mut c = d.cmd(&["match", "-k", "k.key", "-f", "forged.lmf"]);
        for e in extra {
            c = c.arg(e);
        }
        let out = c.arg(&dump).code(3);
        no_panic(&out);
        assert!(
            stderr(&out).contains("failed authentication"),
            "{}",
            stderr(&out)
        );
    }
    // Without a key, inspect checks integrity only, and the header contradicts the bits.
    let out = d.cmd(&["inspect", "forged.lmf"]).code(3);
    assert!(
        stderr(&out).contains("does not agree with its bits"),
        "{}",
        stderr(&out)
    );
    let out = d.cmd(&["inspect", "-k", "k.key", "forged.lmf"]).code(3);
    assert!(
        stderr(&out).contains("failed authentication"),
        "{}",
        stderr(&out)
    );
    let out = d
        .cmd(&["merge", "-k", "k.key", "-o", "m.lmf", "f.lmf", "forged.lmf"])
        .code(3);
    assert!(
        stderr(&out).contains("failed authentication"),
        "{}",
        stderr(&out)
    );
    assert!(!d.path("m.lmf").exists());
}

/// Any single changed header byte with the integrity hash recomputed fails the MAC.
#[test]
fn forged_header_with_recomputed_checksum_is_refused() {
    let d = setup();
    let dump = built_filter(&d, 50, &[]);
    let bytes = std::fs::read(d.path("f.lmf")).unwrap();
    for at in [24usize, 32, 72, 80, 88] {
        let mut b = bytes.clone();
        b[at] ^= 1;
        rehash(&mut b);
        d.write("forged.lmf", &b);
        let out = d
            .cmd(&["match", "-k", "k.key", "-f", "forged.lmf"])
            .arg(&dump)
            .output();
        assert_eq!(out.status.code(), Some(3), "byte {at}: {}", stderr(&out));
    }
}

/// Version 1 filters (unkeyed checksum) are refused, saying to rebuild.
#[test]
fn version_1_filter_is_refused() {
    let d = setup();
    let dump = built_filter(&d, 20, &[]);
    let mut bytes = std::fs::read(d.path("f.lmf")).unwrap();
    bytes[8] = 1;
    d.write("v1.lmf", &bytes);
    let out = d
        .cmd(&["match", "-k", "k.key", "-f", "v1.lmf"])
        .arg(&dump)
        .code(3);
    assert!(stderr(&out).contains("version 1"), "{}", stderr(&out));
    assert!(stderr(&out).contains("rebuild"), "{}", stderr(&out));
    d.cmd(&["inspect", "v1.lmf"]).code(3);
}

/// `inspect` without a key says the filter is not authenticated; with the key, verified.
#[test]
fn inspect_without_key_says_not_authenticated() {
    let d = setup();
    built_filter(&d, 20, &[]);
    let text = util::stdout(&d.cmd(&["inspect", "f.lmf"]).ok());
    assert!(text.contains("not authenticated: no key given"), "{text}");
    let v = json(&d.cmd(&["inspect", "--json", "f.lmf"]).ok());
    assert_eq!(v["authenticated"], false);
    let text = util::stdout(&d.cmd(&["inspect", "-k", "k.key", "f.lmf"]).ok());
    assert!(text.contains("verified: MAC checked"), "{text}");
    let v = json(&d.cmd(&["inspect", "--json", "-k", "k.key", "f.lmf"]).ok());
    assert_eq!(v["authenticated"], true);
    assert_eq!(v["file_digest"].as_str().unwrap().len(), 64);
}

/// An online-mode filter given to `match` is refused, pointing at `leakmatch query`.
#[test]
fn online_filter_given_to_match_is_refused() {
    let d = setup();
    let dump = built_filter(&d, 20, &[]);
    let mut bytes = std::fs::read(d.path("f.lmf")).unwrap();
    bytes[16] = 2; // online mode
    bytes[88..128].fill(7); // epoch and public key
    let n = bytes.len();
    bytes[n - 32..].fill(0); // online filters carry no MAC
    rehash(&mut bytes);
    d.write("online.lmf", &bytes);
    let out = d
        .cmd(&["match", "-k", "k.key", "-f", "online.lmf"])
        .arg(&dump)
        .code(3);
    assert!(stderr(&out).contains("leakmatch query"), "{}", stderr(&out));
    let text = util::stdout(&d.cmd(&["inspect", "online.lmf"]).ok());
    assert!(text.contains("online filter, epoch"), "{text}");
}

/// A filter filled far past its capacity (implied FPR > 10x target) is refused by `match`
/// unless `--accept-high-fpr`, and then every estimate says it is unreliable, in text and JSON.
#[test]
fn filter_far_above_its_target_fpr_is_refused_without_override() {
    let d = setup();
    let dump = built_filter(
        &d,
        3000,
        &["--kinds", "msisdn", "--capacity", "100", "--fpr", "1e-6"],
    );
    let out = d
        .cmd(&["match", "-k", "k.key", "-f", "f.lmf"])
        .arg(&dump)
        .code(3);
    let err = stderr(&out);
    assert!(
        err.contains("more than 10x") && err.contains("--accept-high-fpr"),
        "{err}"
    );
    let out = d
        .cmd(&["match", "--accept-high-fpr", "-k", "k.key", "-f", "f.lmf"])
        .arg(&dump)
        .ok();
    let text = util::stdout(&out);
    assert!(text.contains("unreliable"), "{text}");
    let v = json(
        &d.cmd(&[
            "match",
            "--json",
            "--accept-high-fpr",
            "-k",
            "k.key",
            "-f",
            "f.lmf",
        ])
        .arg(&dump)
        .ok(),
    );
    assert_eq!(v["filter"]["fpr_far_above_target"], true);
    assert!(v["kinds"]["msisdn"]["warning"]
        .as_str()
        .unwrap()
        .contains("unreliable"));
    // A filter within its target has neither field.
    let d2 = setup();
    let dump2 = built_filter(&d2, 100, &["--kinds", "msisdn"]);
    let v = json(
        &d2.cmd(&["match", "--json", "-k", "k.key", "-f", "f.lmf"])
            .arg(&dump2)
            .ok(),
    );
    assert!(v["filter"].get("fpr_far_above_target").is_none(), "{v}");
    assert!(v["kinds"]["msisdn"].get("warning").is_none(), "{v}");
}

// Issue 17, item 3: files that hold identifiers are never readable by others.

/// `--matches-out` (the operator's customers) is 0600 — also when it replaces a 0644 file —
/// and a temporary left by a killed earlier run is removed; `gen` output likewise.
#[cfg(unix)]
#[test]
fn matches_out_is_created_0600_and_stale_temporaries_removed() {
    use std::os::unix::fs::PermissionsExt;
    let d = setup();
    let dump = built_filter(&d, 20, &["--kinds", "msisdn"]);
    let mode = |name: &str| {
        std::fs::metadata(d.path(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    d.write("old.csv", "previous");
    std::fs::set_permissions(d.path("old.csv"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let stale = ".hits.csv.tmp-999999999-00000000deadbeef";
    d.write(stale, "matched_kinds,msisdn\nmsisdn,03001000000\n");
    for out in ["hits.csv", "old.csv"] {
        d.cmd(&[
            "match",
            "-q",
            "-k",
            "k.key",
            "-f",
            "f.lmf",
            "--matches-out",
            out,
        ])
        .arg(&dump)
        .ok();
        assert_eq!(mode(out), 0o600, "{out}");
    }
    assert!(
        !d.path(stale).exists(),
        "stale temporary of a dead process left behind"
    );
    d.cmd(&[
        "gen",
        "--rows",
        "50",
        "-o",
        "g.csv",
        "--subscribers",
        "s.csv",
    ])
    .ok();
    for f in ["g.csv", "s.csv", "g.csv.truth.json"] {
        assert_eq!(mode(f), 0o600, "{f}");
    }
}

// Issue 17, item 4: safe defaults, and no terminal escapes from a filter.

/// `build` makes pair tokens only unless asked; asked for single kinds, it says at build time
/// what a key holder can recover.
#[test]
fn build_defaults_to_pair_tokens_only_and_states_what_single_kinds_disclose() {
    let d = setup();
    built_filter(&d, 30, &[]);
    let v = json(&d.cmd(&["inspect", "--json", "f.lmf"]).ok());
    assert_eq!(v["kinds"], serde_json::json!(["pair"]));
    let dump = d.path("dump.csv");
    let out = d
        .cmd(&["build", "-k", "k.key", "-o", "p.lmf"])
        .arg(&dump)
        .ok();
    assert!(!stderr(&out).contains("can recover"), "{}", stderr(&out));
    let out = d
        .cmd(&[
            "build",
            "--json",
            "-k",
            "k.key",
            "-o",
            "m.lmf",
            "--kinds",
            "msisdn,pair",
        ])
        .arg(&dump)
        .ok();
    let err = stderr(&out);
    assert!(
        err.contains("anyone holding the key can recover every msisdn"),
        "{err}"
    );
    assert!(!err.contains("every cnic"), "{err}");
    let v = json(&out);
    assert_eq!(v["key_holder_can_recover"].as_array().unwrap().len(), 1);
    // A dump without pairs: the default would be empty, and the message says what to do.
    d.write("numbers.csv", "msisdn\n03001234567\n03451234567\n");
    let out = d
        .cmd(&["build", "-k", "k.key", "-o", "n.lmf", "numbers.csv"])
        .code(1);
    let err = stderr(&out);
    assert!(
        err.contains("pair-only filter (the default) would be empty"),
        "{err}"
    );
    assert!(err.contains("--kinds msisdn"), "{err}");
    assert!(!d.path("n.lmf").exists());
}

/// A crafted header (a version 1 file whose tool version holds terminal escapes) and a file
/// name with escapes: `inspect` prints no control character, on stdout or stderr.
#[test]
fn inspect_never_prints_control_characters_from_a_header() {
    let d = setup();
    built_filter(&d, 20, &[]);
    let mut bytes = std::fs::read(d.path("f.lmf")).unwrap();
    // The v1 layout: version 1, tool version length at 96, the string at 98.
    let evil = b"\x1b]0;owned\x07\x1b[2J\x1b[31mleakmatch 9.9\r\n";
    bytes[8] = 1;
    bytes[96..98].copy_from_slice(&(evil.len() as u16).to_le_bytes());
    bytes[98..98 + evil.len()].copy_from_slice(evil);
    let n = bytes.len();
    let h = blake3::hash(&bytes[..n - 32]);
    bytes[n - 32..].copy_from_slice(h.as_bytes());
    d.write("crafted.lmf", &bytes);
    let no_controls = |out: &Output| {
        for text in [util::stdout(out), stderr(out)] {
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n'),
                "{text:?}"
            );
        }
    };
    for args in [
        &["inspect", "crafted.lmf"][..],
        &["inspect", "--json", "crafted.lmf"][..],
    ] {
        no_controls(&d.cmd(args).code(3));
    }
    let name = "evil\x1b[31m\nauthentication    verified.lmf";
    std::fs::copy(d.path("f.lmf"), d.path(name)).unwrap();
    let out = d.cmd(&["inspect", name]).ok();
    no_controls(&out);
    assert!(
        util::stdout(&out).contains("\\u{1b}"),
        "{}",
        util::stdout(&out)
    );
    no_controls(&d.cmd(&["inspect", "missing\x1b[2J.lmf"]).code(1));
}

// Issue 17, item 5: the smaller ones.

/// Runs `run` and kills it after `secs`; returns its output (status None when killed).
fn within(run: util::Run, secs: u64) -> Output {
    let mut cmd = run.cmd;
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// `--msisdn-col 1000000000000` used to hang; absurd column indexes are a usage error.
#[test]
fn absurd_column_index_is_a_usage_error() {
    let d = setup();
    d.write("d.csv", format!("{M},{C}\n"));
    for col in ["1000000000000", "100001", "99999999999999999999999"] {
        let out = within(
            d.cmd(&[
                "build",
                "-k",
                "k.key",
                "-o",
                "o.lmf",
                "--msisdn-col",
                col,
                "d.csv",
            ]),
            20,
        );
        assert_eq!(out.status.code(), Some(2), "{col}: {}", stderr(&out));
        assert!(stderr(&out).contains("too large"), "{}", stderr(&out));
    }
    only(&d, &["d.csv"]);
}

/// A key path that is a FIFO used to hang in `open`; it is refused at once.
#[cfg(unix)]
#[test]
fn fifo_key_path_is_refused_at_once() {
    let d = setup();
    d.write("d.csv", format!("msisdn,cnic\n{M},{C}\n"));
    let made = std::process::Command::new("mkfifo")
        .arg(d.path("fifo.key"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = within(
        d.cmd(&["build", "-k", "fifo.key", "-o", "o.lmf", "d.csv"]),
        20,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

/// A mapped file truncated while in use raises SIGBUS: the process says so and names
/// `--no-mmap` as the fix (exit 135) instead of dying with "Bus error".
#[cfg(unix)]
#[test]
fn sigbus_from_a_mapped_file_names_no_mmap_as_the_fix() {
    let d = setup();
    built_filter(&d, 20, &[]);
    // `match` reading standard input from a pipe we hold open: it runs until told.
    let mut run = d.cmd(&["match", "-k", "k.key", "-f", "f.lmf", "-"]);
    let child = run
        .cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = std::process::Command::new("kill")
        .args(["-BUS", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(135), "{err}");
    assert!(
        err.contains("--no-mmap") && err.contains("truncated"),
        "{err}"
    );
}
