//! Test harness: a temp dir per test and a command builder for the `leakmatch` binary.
//! Shared by every test binary in this directory (`mod util;`), each using part of it.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::new_without_default
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Repository root (`fixtures/` lives there).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("fixtures").join(name)
}

/// A scratch directory that lives as long as the test.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// A `leakmatch` command run inside this directory.
    pub fn cmd(&self, args: &[&str]) -> Run {
        let mut c = Command::new(env!("CARGO_BIN_EXE_leakmatch"));
        c.current_dir(self.tmp.path())
            .args(args)
            .stdin(Stdio::null());
        Run { cmd: c }
    }

    /// Makes a key file `name` and returns its path.
    pub fn key(&self, name: &str) -> PathBuf {
        let out = self.cmd(&["keygen", "-o", name]).ok();
        assert_eq!(
            out.stdout.len(),
            17,
            "key id line: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        self.path(name)
    }

    /// Every file under the directory, recursively.
    pub fn files(&self) -> Vec<PathBuf> {
        fn walk(p: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(p).unwrap() {
                let e = e.unwrap().path();
                if e.is_dir() {
                    walk(&e, out);
                } else {
                    out.push(e);
                }
            }
        }
        let mut v = Vec::new();
        walk(self.tmp.path(), &mut v);
        v.sort();
        v
    }
}

pub struct Run {
    pub cmd: Command,
}

impl Run {
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.arg(a);
        self
    }

    pub fn stdin_file(mut self, p: &Path) -> Run {
        self.cmd.stdin(std::fs::File::open(p).unwrap());
        self
    }

    pub fn output(mut self) -> Output {
        self.cmd.output().unwrap()
    }

    /// Runs and asserts exit status 0.
    pub fn ok(self) -> Output {
        self.code(0)
    }

    /// Runs and asserts the exit status.
    pub fn code(self, code: i32) -> Output {
        let out = self.output();
        assert_eq!(
            out.status.code(),
            Some(code),
            "status {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

pub fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Every form in which an identifier of `files` (generated CSVs) may show up in an output:
/// each field with 10 or more digits exactly as written, each MSISDN canonically (`92` and
/// the national number) and as its national number, each 13-digit CNIC. For the privacy
/// scans: none of these may appear in anything but `--matches-out`.
pub fn identifier_forms(files: &[&Path]) -> Vec<String> {
    let mut forms: Vec<String> = Vec::new();
    for p in files {
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        for line in text.lines().skip(1) {
            for field in line.split(',') {
                let f = field.trim_matches('"').trim();
                if f.chars().filter(char::is_ascii_digit).count() >= 10 {
                    forms.push(f.to_string());
                }
            }
        }
        for w in text.split(|c: char| !c.is_ascii_digit()) {
            if w.len() == 11 && w.starts_with("03") {
                forms.push(format!("92{}", &w[1..]));
                forms.push(w[1..].to_string());
            } else if w.len() == 13 {
                forms.push(w.to_string());
            }
        }
    }
    forms.sort();
    forms.dedup();
    forms
}
