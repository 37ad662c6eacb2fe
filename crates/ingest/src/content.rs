//! Choosing identifier columns by content, when no header names one (auto mode).
//!
//! The sample is the first [`SAMPLE_RECORDS`] complete records of the input's first
//! [`DETECT_BYTES`](crate::plan::DETECT_BYTES) (the same bytes for a mapped file and a stream).
//! The first record is taken as a header (of meaningless names such as `col1`) when none of its
//! fields looks like data (5 or more digits), and is then left out of the sample; otherwise the
//! input is headerless and the first record is data.
//!
//! Each column is scored by the normalizer: of its non-empty sampled values, the share that are
//! valid MSISDNs and the share that are valid CNICs; the larger names the column's kind. A
//! column is chosen when that share is at least [`CLEAR_PERMILLE`] and at least
//! [`MIN_FILL_PERMILLE`] of the sampled records have a value in it (an alternate number that is
//! mostly empty is chosen too: several columns of a kind are all used). A column under
//! [`NOISE_PERMILLE`] is not an identifier column (names, addresses, IMSIs, dates, row ids,
//! amounts score 0). Any column in between is *ambiguous*: the read is refused, listing the
//! candidates, and the user chooses with `--msisdn-col` / `--cnic-col`. Only column positions
//! and shares are ever reported, never a value.
//!
//! When no column holds identifiers but at least [`FREE_TEXT_PERMILLE`] of the sampled lines
//! hold one where scan mode looks (a run of 10–14 digits that normalizes), the input is free
//! text — a forum paste, a report, prose with numbers in it — and auto mode reads it in scan
//! mode, saying so ([`FreeText`]). Without this, prose split at its commas would be read as
//! columns of junk.

use crate::columns::looks_like_data;
use crate::csv::{split_record, unquote};
use crate::{Cnic, Msisdn, RejectReason};

/// Records sampled (after a header).
pub const SAMPLE_RECORDS: usize = 1000;
/// Share (per mille of a column's non-empty values) from which a column is chosen.
pub const CLEAR_PERMILLE: u32 = 500;
/// Share (per mille) under which a column is not a candidate at all.
pub const NOISE_PERMILLE: u32 = 100;
/// Per mille of the sampled records that must have a value in a chosen column.
pub const MIN_FILL_PERMILLE: u32 = 20;

/// Per mille of the sampled lines that must hold an identifier for auto mode to read an input
/// in which no column holds one as free text (scan mode).
pub const FREE_TEXT_PERMILLE: u32 = 200;

/// Auto mode read the input as free text (scan mode): no column of its first lines holds
/// identifiers, but many of the lines do. Counts only, never a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeText {
    /// Lines sampled.
    pub sampled: u32,
    /// Sampled lines holding at least one valid MSISDN or CNIC where scan mode looks.
    pub with_identifier: u32,
}

impl std::fmt::Display for FreeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no column holds identifiers, but {} of the first {} lines do: read as free text \
             (--format scan); to read columns instead, choose them with --msisdn-col / --cnic-col",
            self.with_identifier, self.sampled
        )
    }
}

/// Whether the input whose first bytes are `window` (`complete` when that is all of it) reads as
/// free text: at least [`FREE_TEXT_PERMILLE`] of its first [`SAMPLE_RECORDS`] non-empty lines
/// hold an identifier by scan mode's rules.
pub(crate) fn free_text(window: &[u8], complete: bool) -> Option<FreeText> {
    let mut sampled = 0u32;
    let mut with_identifier = 0u32;
    let mut rest = window;
    while !rest.is_empty() && (sampled as usize) < SAMPLE_RECORDS {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None if complete => (rest, &rest[rest.len()..]),
            None => break, // cut by the end of the window
        };
        rest = next;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        sampled += 1;
        let mut found = false;
        crate::scan::runs(line, |run, digits| {
            found = found
                || match crate::scan::candidate(run, digits as u32) {
                    Some(IdKind::Cnic) => Cnic::parse(run).is_ok(),
                    Some(IdKind::Msisdn) => Msisdn::parse(run).is_ok(),
                    None => false,
                };
        });
        with_identifier += u32::from(found);
    }
    (sampled > 0
        && u64::from(with_identifier) * 1000 >= u64::from(FREE_TEXT_PERMILLE) * u64::from(sampled))
    .then_some(FreeText {
        sampled,
        with_identifier,
    })
}

/// Identifier kind of a column chosen by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// Mobile numbers.
    Msisdn,
    /// National identity card numbers.
    Cnic,
}

impl IdKind {
    /// `msisdn` or `cnic`.
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Msisdn => "msisdn",
            IdKind::Cnic => "cnic",
        }
    }
}

/// How one column scored: never a value, only counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnScore {
    /// 1-based column position.
    pub index: usize,
    /// The kind its valid values are.
    pub kind: IdKind,
    /// Sampled values of the column that normalize as `kind`.
    pub valid: u32,
    /// Non-empty sampled values of the column.
    pub values: u32,
}

impl ColumnScore {
    /// `valid / values` in per mille (0 for an empty column).
    pub fn permille(&self) -> u32 {
        if self.values == 0 {
            0
        } else {
            (u64::from(self.valid) * 1000 / u64::from(self.values)) as u32
        }
    }
}

impl std::fmt::Display for ColumnScore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.permille();
        write!(
            f,
            "#{} {} ({}.{}% of {} values)",
            self.index,
            self.kind.name(),
            p / 10,
            p % 10,
            self.values
        )
    }
}

/// The columns auto mode chose by content, and why: part of the typed read report
/// ([`Diagnostics::columns_by_content`](crate::Diagnostics::columns_by_content)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentChoice {
    /// Whether the first record was taken as a header (of names that select nothing).
    pub header: bool,
    /// Records sampled.
    pub sampled: u32,
    /// The chosen columns, in column order.
    pub chosen: Vec<ColumnScore>,
}

impl std::fmt::Display for ContentChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cols: Vec<String> = self.chosen.iter().map(ToString::to_string).collect();
        write!(
            f,
            "{}: identifier columns chosen by content from the first {} records: {}",
            if self.header {
                "no header name selects an identifier column"
            } else {
                "no header"
            },
            self.sampled,
            cols.join(", ")
        )
    }
}

/// Why no choice was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoChoice {
    /// No column of the sample holds identifiers.
    Nothing { header: bool, sampled: u32 },
    /// Some column is neither clearly an identifier column nor clearly not one. `candidates`:
    /// every column over the noise share, highest share first.
    Ambiguous {
        sampled: u32,
        candidates: Vec<ColumnScore>,
    },
}

/// Scores the columns of the CSV-like `window` (the input's first bytes; `complete` when it is
/// the whole input) split by `delim`.
pub(crate) fn choose_by_content(
    window: &[u8],
    complete: bool,
    delim: u8,
) -> Result<ContentChoice, NoChoice> {
    let mut records: Vec<Vec<&[u8]>> = Vec::new();
    let mut pos = 0;
    while pos < window.len() && records.len() <= SAMPLE_RECORDS {
        let rest = &window[pos..];
        let (fields, end, _) = split_record(rest, delim);
        if end == rest.len() && !complete {
            break; // cut by the end of the window
        }
        pos += end + 1;
        if !(fields.len() == 1 && fields[0].is_empty()) {
            records.push(fields);
        }
    }
    let header = records
        .first()
        .is_some_and(|first| !first.iter().any(|f| looks_like_data(f)));
    let sample = if header {
        &records[1..]
    } else {
        &records[..records.len().min(SAMPLE_RECORDS)]
    };
    let sampled = sample.len() as u32;
    let width = sample.iter().map(Vec::len).max().unwrap_or(0);
    let mut tallies = vec![Tally::default(); width];
    for record in sample {
        for (tally, field) in tallies.iter_mut().zip(record) {
            tally.add(unquote(field));
        }
    }
    judge(header, sampled, &tallies)
}

/// Keys of JSON lines sampled at most (first seen first); values of later keys are not tallied.
const MAX_SAMPLED_KEYS: usize = 256;

/// The JSON-lines counterpart of [`choose_by_content`]: `None` when a key of the sampled
/// objects already names an identifier (by the header-name rules), so nothing is chosen by
/// content; otherwise the choice among the top-level keys (by first appearance), with the
/// chosen (MSISDN, CNIC) key names. Malformed lines are not sampled.
#[allow(clippy::type_complexity)]
pub(crate) fn choose_keys_by_content(
    window: &[u8],
    complete: bool,
) -> Option<Result<(ContentChoice, Vec<Vec<u8>>, Vec<Vec<u8>>), NoChoice>> {
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut tallies: Vec<Tally> = Vec::new();
    let mut sampled = 0u32;
    let mut rest = window;
    while !rest.is_empty() && (sampled as usize) < SAMPLE_RECORDS {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None if complete => (rest, &rest[rest.len()..]),
            None => break,
        };
        rest = next;
        let Some(pairs) = crate::jsonl::sample_pairs(line) else {
            continue;
        };
        if pairs.is_empty() {
            continue;
        }
        sampled += 1;
        for (key, value) in pairs {
            if crate::columns::kind_of(&key, None, &[], &[]) != 0 {
                return None;
            }
            let at = match keys.iter().position(|k| *k == key) {
                Some(at) => at,
                None if keys.len() < MAX_SAMPLED_KEYS => {
                    keys.push(key);
                    tallies.push(Tally::default());
                    keys.len() - 1
                }
                None => continue,
            };
            tallies[at].add(&value);
        }
    }
    Some(judge(true, sampled, &tallies).map(|choice| {
        let pick = |kind: IdKind| -> Vec<Vec<u8>> {
            choice
                .chosen
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| keys[c.index - 1].clone())
                .collect()
        };
        let (m, c) = (pick(IdKind::Msisdn), pick(IdKind::Cnic));
        (choice, m, c)
    }))
}

/// The SQL counterpart of [`choose_by_content`], over the tuples of the window's `INSERT`
/// statements by column position: `None` when a known column name names an identifier (the
/// names choose) or the window holds no tuple.
pub(crate) fn choose_sql_columns_by_content(
    window: &[u8],
    complete: bool,
) -> Option<Result<ContentChoice, NoChoice>> {
    let rows = crate::sql::sample_tuples(window, complete, SAMPLE_RECORDS)?;
    if rows.is_empty() {
        return None;
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut tallies = vec![Tally::default(); width];
    for row in &rows {
        for (tally, value) in tallies.iter_mut().zip(row) {
            tally.add(value);
        }
    }
    Some(judge(true, rows.len() as u32, &tallies))
}

/// The sampled values of one column, counted by the normalizer.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tally {
    values: u32,
    msisdn: u32,
    cnic: u32,
}

impl Tally {
    /// Counts one sampled value (an empty one is not counted).
    pub(crate) fn add(&mut self, value: &[u8]) {
        let m = Msisdn::parse(value);
        if m == Err(RejectReason::Empty) {
            return;
        }
        self.values += 1;
        self.msisdn += u32::from(m.is_ok());
        self.cnic += u32::from(Cnic::parse(value).is_ok());
    }

    fn score(self, index: usize) -> ColumnScore {
        let (kind, valid) = if self.cnic > self.msisdn {
            (IdKind::Cnic, self.cnic)
        } else {
            (IdKind::Msisdn, self.msisdn)
        };
        ColumnScore {
            index,
            kind,
            valid,
            values: self.values,
        }
    }
}

/// Chooses from the tallies of `sampled` records, one per column in column order (see the
/// module docs for the rule); `header`: whether the columns have names (that selected nothing).
pub(crate) fn judge(
    header: bool,
    sampled: u32,
    tallies: &[Tally],
) -> Result<ContentChoice, NoChoice> {
    let scores: Vec<ColumnScore> = tallies
        .iter()
        .enumerate()
        .map(|(col, t)| t.score(col + 1))
        .collect();
    let clear = |s: &ColumnScore| {
        s.permille() >= CLEAR_PERMILLE
            && u64::from(s.values) * 1000 >= u64::from(MIN_FILL_PERMILLE) * u64::from(sampled)
    };
    let noise = |s: &ColumnScore| s.valid == 0 || s.permille() < NOISE_PERMILLE;
    let chosen: Vec<ColumnScore> = scores.iter().copied().filter(clear).collect();
    if scores.iter().any(|s| !clear(s) && !noise(s)) {
        let mut candidates: Vec<ColumnScore> =
            scores.iter().copied().filter(|s| !noise(s)).collect();
        candidates.sort_by_key(|s| (std::cmp::Reverse(s.permille()), s.index));
        return Err(NoChoice::Ambiguous {
            sampled,
            candidates,
        });
    }
    if chosen.is_empty() {
        return Err(NoChoice::Nothing { header, sampled });
    }
    Ok(ContentChoice {
        header,
        sampled,
        chosen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(text: &str) -> Result<ContentChoice, NoChoice> {
        let delim = crate::csv::detect_delimiter(text.as_bytes());
        choose_by_content(text.as_bytes(), true, delim)
    }

    fn rows(n: usize, f: impl Fn(usize) -> String) -> String {
        (0..n).map(|i| f(i) + "\n").collect()
    }

    #[test]
    fn headerless_pipe_picks_msisdn_and_cnic_by_share() {
        let text = rows(200, |i| {
            let m = if i % 10 == 0 {
                "n/a".to_string()
            } else {
                format!("0300-{:07}", 1_000_000 + i)
            };
            format!(
                "{i}|Ali {i}|{m}|35202-{:07}-1|41001{:010}|2021-03-04",
                i + 1_000_000,
                i
            )
        });
        let c = pick(&text).unwrap();
        assert!(!c.header);
        assert_eq!(c.sampled, 200);
        let got: Vec<(usize, IdKind, u32)> = c
            .chosen
            .iter()
            .map(|s| (s.index, s.kind, s.permille()))
            .collect();
        assert_eq!(got, vec![(3, IdKind::Msisdn, 900), (4, IdKind::Cnic, 1000)]);
        let shown = c.to_string();
        assert!(shown.contains("#3 msisdn (90.0% of 200 values)"), "{shown}");
        assert!(!shown.contains("0300"), "{shown}");
    }

    #[test]
    fn meaningless_header_is_skipped_and_alternate_numbers_are_chosen() {
        let mut text = "c1\tc2\tc3\tc4\n".to_string();
        text += &rows(100, |i| {
            let alt = if i % 4 == 0 {
                format!("+92 345 {:07}", 2_000_000 + i)
            } else {
                String::new()
            };
            format!("{i}\t92300{:07}\t{alt}\tLahore", 3_000_000 + i)
        });
        let c = pick(&text).unwrap();
        assert!(c.header);
        assert_eq!(c.sampled, 100);
        let idx: Vec<(usize, IdKind)> = c.chosen.iter().map(|s| (s.index, s.kind)).collect();
        assert_eq!(idx, vec![(2, IdKind::Msisdn), (3, IdKind::Msisdn)]);
    }

    #[test]
    fn ambiguous_column_is_refused_with_candidates() {
        // Column 2 holds numbers in a third of its values: neither clearly in nor out.
        let text = rows(90, |i| {
            let note = if i % 3 == 0 {
                format!("03211{:06}", 100_000 + i)
            } else {
                "call later".into()
            };
            format!("{i},3520{:09},{note}", 200_000_000 + i)
        });
        match pick(&text) {
            Err(NoChoice::Ambiguous { candidates, .. }) => {
                let idx: Vec<usize> = candidates.iter().map(|s| s.index).collect();
                assert_eq!(idx, vec![2, 3]);
                assert_eq!(candidates[1].permille(), 333);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_identifier_at_all() {
        let text = rows(20, |i| {
            format!("{i},Ali,2021-01-{:02},410011234567890", i % 28 + 1)
        });
        assert_eq!(
            pick(&text),
            Err(NoChoice::Nothing {
                header: false,
                sampled: 20
            })
        );
    }

    #[test]
    fn prose_with_numbers_is_free_text_and_a_table_without_is_not() {
        let prose = rows(50, |i| {
            if i % 2 == 0 {
                format!(
                    "Ali s/o Akbar, mobile 0300-{:07}, House 12, Lahore",
                    1_000_000 + i
                )
            } else {
                format!(
                    "Subscriber Sana, Karachi: SIM +92 321 {:07}, postal code 75500",
                    i
                )
            }
        });
        assert_eq!(
            free_text(prose.as_bytes(), true),
            Some(FreeText {
                sampled: 50,
                with_identifier: 50
            })
        );
        let shown = free_text(prose.as_bytes(), true).unwrap().to_string();
        assert!(shown.contains("50 of the first 50 lines"), "{shown}");
        let table = rows(20, |i| {
            format!("{i},Ali,2021-01-{:02},410011234567890", i % 28 + 1)
        });
        assert_eq!(free_text(table.as_bytes(), true), None);
        // A cut last line is not sampled.
        let cut = &prose.as_bytes()[..prose.len() - 3];
        assert_eq!(free_text(cut, false).map(|f| f.sampled), Some(49));
    }

    #[test]
    fn json_lines_with_meaningless_keys_choose_keys_by_content() {
        let text = rows(100, |i| {
            format!(
                "{{\"c1\":{i},\"c2\":\"Ali\",\"c3\":\"0300-{:07}\",\"c4\":\"35202{:07}1\",\"c5\":{{\"x\":1}}}}",
                1_000_000 + i,
                1_000_000 + i
            )
        });
        let (choice, m, c) = choose_keys_by_content(text.as_bytes(), true)
            .unwrap()
            .unwrap();
        assert_eq!(choice.sampled, 100);
        assert_eq!((m, c), (vec![b"c3".to_vec()], vec![b"c4".to_vec()]));
        // A key that names an identifier: nothing to choose by content.
        let named = "{\"mobile\":\"03001234567\",\"c2\":\"35202123456781\"}\n";
        assert!(choose_keys_by_content(named.as_bytes(), true).is_none());
    }

    #[test]
    fn sql_columns_of_meaningless_names_are_chosen_by_content() {
        let mut text =
            "CREATE TABLE `t` (\n  `c1` int,\n  `c2` varchar(20),\n  `c3` varchar(20)\n);\n"
                .to_string();
        text += "INSERT INTO `t` VALUES ";
        let tuples: Vec<String> = (0..50)
            .map(|i| {
                format!(
                    "({i},'0300{:07}','35202{:07}1')",
                    1_000_000 + i,
                    1_000_000 + i
                )
            })
            .collect();
        text += &tuples.join(",");
        text += ";\nINSERT INTO `t` VALUES\n(99,NULL,'35202-1234567-1'),\n(100,'+92 345 1234567',NULL);\n";
        let c = choose_sql_columns_by_content(text.as_bytes(), true)
            .unwrap()
            .unwrap();
        assert_eq!(c.sampled, 52);
        let idx: Vec<(usize, IdKind)> = c.chosen.iter().map(|s| (s.index, s.kind)).collect();
        assert_eq!(idx, vec![(2, IdKind::Msisdn), (3, IdKind::Cnic)]);
        // Named columns choose: nothing by content.
        let named = "INSERT INTO t (id, mobile) VALUES (1,'03001234567');\n";
        assert!(choose_sql_columns_by_content(named.as_bytes(), true).is_none());
    }

    /// A window cut mid-record ignores the cut record, so a stream and a map sample alike.
    #[test]
    fn cut_record_is_not_sampled() {
        let text = rows(10, |i| format!("{i},0300{:07}", 1_234_000 + i));
        let cut = &text.as_bytes()[..text.len() - 5];
        let c = choose_by_content(cut, false, b',').unwrap();
        assert_eq!(c.sampled, 9);
    }
}
