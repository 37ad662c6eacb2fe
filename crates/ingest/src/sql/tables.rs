//! `CREATE TABLE` statements, found by a scan ahead of the parser: an `INSERT` without a column
//! list takes its columns from the latest `CREATE TABLE` of its table before it.

use memchr::memmem;

use super::lex::Cur;

/// Column names of one `CREATE TABLE`, known from the absolute offset where it ends.
#[derive(Debug, Clone)]
pub(crate) struct TableDef {
    pub offset: u64,
    pub name: Vec<u8>,
    pub columns: Vec<Vec<u8>>,
}

/// Longest `CREATE TABLE` statement used (from its `CREATE`), mapped or streamed; for one that
/// spans streamed blocks, the last `CARRY` bytes
/// of the blocks scanned so far are scanned again together with the next block (an eighth of
/// the default 8 MiB block: searching it again costs little; real definitions are far shorter).
pub(crate) const CARRY: usize = 1 << 20;

const CREATE: [&[u8]; 2] = [b"CREATE TABLE", b"create table"];

/// Length of both spellings in [`CREATE`].
const NEEDLE: usize = 12;

/// All table definitions seen so far, in input order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    defs: Vec<TableDef>,
    /// The last bytes scanned (at most [`CARRY`]), ending at absolute offset `tail_end`.
    tail: Vec<u8>,
    tail_end: u64,
}

impl Tables {
    /// Adds the `CREATE TABLE` statements of `data` (absolute offset `base`). Called on
    /// consecutive blocks of a stream, it also finds statements that straddle blocks.
    pub fn scan(&mut self, data: &[u8], base: u64) {
        let mut tail = std::mem::take(&mut self.tail);
        if self.tail_end != base {
            tail.clear();
        }
        if !tail.is_empty() {
            // Statements starting in the carried tail, completed by the start of `data`.
            let n = tail.len();
            tail.extend_from_slice(&data[..data.len().min(CARRY)]);
            self.find(&tail, base - n as u64, 0, n);
            tail.truncate(n);
        }
        self.find(data, base, 0, data.len());
        tail.extend_from_slice(&data[data.len().saturating_sub(CARRY)..]);
        tail.drain(..tail.len().saturating_sub(CARRY));
        self.tail = tail;
        self.tail_end = base + data.len() as u64;
    }

    /// Adds the `CREATE TABLE` statements of a whole input held in memory (absolute offset
    /// `base`), looking for them `window` bytes at a time and calling `release` on each window
    /// once searched, so a memory-mapped input does not become resident. Each statement is
    /// parsed from the whole rest of `data`, so this finds exactly what `scan(data, base)`
    /// finds, however long a statement is.
    pub fn scan_windows(
        &mut self,
        data: &[u8],
        base: u64,
        window: usize,
        release: &(dyn Fn(&[u8]) + Sync),
    ) {
        let window = window.max(1);
        let mut from = 0;
        while from < data.len() {
            let limit = data.len().min(from.saturating_add(window));
            self.find(data, base, from, limit);
            release(&data[from..limit]);
            from = limit;
        }
    }

    /// Parses every `CREATE TABLE` starting in `data[from..limit]` and not already known.
    ///
    /// A statement's text ends where the next `CREATE TABLE` starts, and at most [`CARRY`]
    /// bytes after its own start: each byte is parsed at most once, so the scan is linear even
    /// on text made of nothing but unclosed `CREATE TABLE (` (that once cost time quadratic in
    /// their number), and a streamed read finds the same statements as a mapped one.
    fn find(&mut self, data: &[u8], base: u64, from: usize, limit: usize) {
        // Only statements found before this call can repeat; those are sorted by offset.
        let known = self.defs.len();
        // Statement starts before `limit`, and the ones after them that bound their text.
        let end = data.len().min(limit.saturating_add(CARRY + NEEDLE));
        let mut starts: Vec<usize> = CREATE
            .iter()
            .flat_map(|needle| memmem::find_iter(&data[from..end], needle).map(|at| at + from))
            .collect();
        starts.sort_unstable();
        for (i, &at) in starts.iter().enumerate() {
            if at >= limit {
                break;
            }
            let stop = starts
                .get(i + 1)
                .copied()
                .unwrap_or(data.len())
                .min(at.saturating_add(CARRY))
                .min(data.len());
            let body = at + NEEDLE;
            let Some((name, columns, used)) = parse_create(&data[body..stop.max(body)]) else {
                continue;
            };
            // A statement counts from its end: an INSERT inside it (damaged dumps) cannot
            // use it, whether the whole statement was seen at once or block by block.
            let offset = base + (body + used) as u64;
            if self.defs[..known]
                .binary_search_by_key(&offset, |d| d.offset)
                .is_ok()
            {
                continue;
            }
            self.defs.push(TableDef {
                offset,
                name,
                columns,
            });
        }
        // The new ones are in order of their starts; sorting them by their ends, then all of
        // them only when they go back before the known ones, keeps a long stream linear.
        self.defs[known..].sort_by_key(|d| d.offset);
        if known > 0
            && self.defs.len() > known
            && self.defs[known].offset < self.defs[known - 1].offset
        {
            self.defs.sort_by_key(|d| d.offset);
        }
    }

    /// The columns of the latest `CREATE TABLE name` that ends before `offset`.
    pub(super) fn columns(&self, name: &[u8], offset: u64) -> Option<&[Vec<u8>]> {
        let before = self.defs.partition_point(|d| d.offset < offset);
        self.defs[..before]
            .iter()
            .rfind(|d| d.name == name)
            .map(|d| d.columns.as_slice())
    }
}

/// Parses `name (col ..., ...)` after `CREATE TABLE`.
/// Returns the table name, its column names and the bytes of `s` used (through the `)`).
fn parse_create(s: &[u8]) -> Option<(Vec<u8>, Vec<Vec<u8>>, usize)> {
    let mut c = Cur { s, i: 0 };
    if c.keyword("IF") {
        let _ = c.keyword("NOT") && c.keyword("EXISTS");
    }
    let name = c.ident()?.to_vec();
    c.ws();
    if c.peek()? != b'(' {
        return None;
    }
    c.i += 1;
    let mut columns = Vec::new();
    loop {
        let item_start = c.i;
        c.ws();
        let is_key = [
            "PRIMARY",
            "KEY",
            "UNIQUE",
            "CONSTRAINT",
            "INDEX",
            "FULLTEXT",
            "SPATIAL",
            "CHECK",
            "FOREIGN",
        ]
        .iter()
        .any(|kw| {
            let mut probe = Cur { s, i: c.i };
            probe.keyword(kw)
        });
        if !is_key {
            c.ws();
            let quoted = c.peek() == Some(b'`');
            match c.ident() {
                Some(col) => columns.push(col.to_vec()),
                // A `name` whose closing backquote is not in `s` (yet): a later block may hold
                // it, so the statement is not parsed from this prefix (the whole input and
                // its blocks then read the same columns).
                None if quoted => return None,
                None => {}
            }
        }
        c.i = c.i.max(item_start);
        c.value()?;
        match c.peek()? {
            b',' => c.i += 1,
            _ => return Some((name, columns, c.i + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_create_table() {
        let sql = b"DROP TABLE IF EXISTS `subs`;\nCREATE TABLE `subs` (\n  `id` int(11) NOT NULL,\n  `Mobile No` varchar(20) DEFAULT 'a,b',\n  `cnic` varchar(15),\n  PRIMARY KEY (`id`),\n  KEY `m` (`Mobile No`)\n) ENGINE=InnoDB;\n";
        let mut t = Tables::default();
        t.scan(sql, 0);
        let cols = t.columns(b"subs", 1000).map(|c| c.to_vec());
        assert_eq!(
            cols,
            Some(vec![
                b"id".to_vec(),
                b"Mobile No".to_vec(),
                b"cnic".to_vec()
            ])
        );
    }

    const CREATE_SUBS: &[u8] =
        b"CREATE TABLE `subs` (\n  `id` int,\n  `msisdn` varchar(20),\n  `cnic` varchar(15)\n);\n";

    fn cols(t: &Tables, name: &[u8], offset: u64) -> Option<Vec<Vec<u8>>> {
        t.columns(name, offset).map(<[Vec<u8>]>::to_vec)
    }

    /// Where `CREATE_SUBS` scanned at `base` takes effect: just past its `)`.
    fn end_of_create(base: u64) -> u64 {
        base + CREATE_SUBS.len() as u64 - 2
    }

    /// Found by the `sql_tuples` fuzz target: an INSERT before any CREATE TABLE took its
    /// columns from a later CREATE TABLE when mapped, but not when streamed; and (session 2)
    /// an INSERT inside a damaged, unterminated CREATE TABLE took its columns when the input
    /// was read whole but not window by window. A statement now counts from its end.
    #[test]
    fn create_table_after_the_insert_is_not_used() {
        let mut t = Tables::default();
        t.scan(CREATE_SUBS, 100);
        assert_eq!(cols(&t, b"subs", 50), None);
        assert_eq!(cols(&t, b"subs", 100), None);
        assert_eq!(cols(&t, b"subs", 101), None);
        assert_eq!(cols(&t, b"subs", end_of_create(100)), None);
        assert_eq!(
            cols(&t, b"subs", end_of_create(100) + 1).map(|c| c.len()),
            Some(3)
        );
    }

    /// Found by fuzzing: a column name whose backquotes enclose a `)` parsed differently from
    /// a prefix (name unterminated, statement ended at that `)`) than from the whole input.
    #[test]
    fn quoted_names_wait_for_their_closing_backquote() {
        let data = b"CREATE TABLE `t` (`id` int, `ms) x\nisdn` int);\n";
        let mut whole = Tables::default();
        whole.scan(data, 0);
        for cut in 1..data.len() {
            let mut t = Tables::default();
            t.scan(&data[..cut], 0);
            t.scan(&data[cut..], cut as u64);
            for at in 0..=data.len() as u64 + 1 {
                assert_eq!(
                    cols(&t, b"t", at),
                    cols(&whole, b"t", at),
                    "cut {cut} at {at}"
                );
            }
        }
        assert_eq!(cols(&whole, b"t", 1000).map(|c| c.len()), Some(2));
    }

    /// Searching a whole input a window at a time finds exactly what one search finds, even
    /// for statements longer than a window or than [`CARRY`], and releases every byte once.
    #[test]
    fn windows_find_what_the_whole_input_holds() {
        let mut data = b"-- dump\nCREATE TABLE `a` (`x` int);\n".to_vec();
        data.extend_from_slice(b"CREATE TABLE `long` (`id` int DEFAULT '");
        data.extend(std::iter::repeat_n(b'x', CARRY - 100));
        data.extend_from_slice(b"', `msisdn` int);\n");
        data.extend_from_slice(CREATE_SUBS);
        data.extend_from_slice(b"create table `b` (`y` int);\n");
        let mut whole = Tables::default();
        whole.scan(&data, 3);
        assert_eq!(whole.defs.len(), 4);
        for window in [
            1,
            2,
            7,
            12,
            13,
            100,
            4096,
            CARRY,
            data.len(),
            data.len() + 1,
        ] {
            let released = std::sync::Mutex::new(Vec::new());
            let mut t = Tables::default();
            t.scan_windows(&data, 3, window, &|part: &[u8]| {
                let at = part.as_ptr() as usize - data.as_ptr() as usize;
                released.lock().unwrap().push(at..at + part.len());
            });
            let got: Vec<_> = t
                .defs
                .iter()
                .map(|d| (d.offset, &d.name, &d.columns))
                .collect();
            let want: Vec<_> = whole
                .defs
                .iter()
                .map(|d| (d.offset, &d.name, &d.columns))
                .collect();
            assert_eq!(got, want, "window {window}");
            let released = released.into_inner().unwrap();
            let mut at = 0;
            for r in released {
                assert_eq!(r.start, at, "window {window}");
                at = r.end;
            }
            assert_eq!(at, data.len(), "window {window}");
        }
    }

    /// A statement longer than [`CARRY`] is not used, mapped or streamed (a streamed read
    /// cannot see it whole).
    #[test]
    fn create_table_longer_than_carry_is_not_used() {
        let mut data = b"CREATE TABLE `long` (`id` int DEFAULT '".to_vec();
        data.extend(std::iter::repeat_n(b'x', CARRY));
        data.extend_from_slice(b"', `msisdn` int);\n");
        let mut t = Tables::default();
        t.scan(&data, 0);
        assert_eq!(cols(&t, b"long", u64::MAX), None);
    }

    /// A `CREATE TABLE` inside another's text ends it: the text is not a definition.
    #[test]
    fn create_table_text_ends_at_the_next_create_table() {
        let mut t = Tables::default();
        t.scan(
            b"CREATE TABLE `a` (`x` int COMMENT 'CREATE TABLE `b` (`y` int);');\n",
            0,
        );
        assert_eq!(cols(&t, b"a", u64::MAX), None);
        assert_eq!(cols(&t, b"b", u64::MAX).map(|c| c.len()), Some(1));
    }

    /// Text made of nothing but unclosed `CREATE TABLE t (a,` once cost time quadratic in
    /// their number: each one was parsed to the end of the input. Now each byte is parsed at
    /// most once; counted by the number of columns collected (each parse collects its own).
    #[test]
    fn unclosed_create_tables_are_linear() {
        let data = b"CREATE TABLE t (a int,".repeat(200_000);
        let started = std::time::Instant::now();
        let mut t = Tables::default();
        t.scan(&data, 0);
        t.scan_windows(&data, 0, 1 << 20, &|_: &[u8]| {});
        assert!(t.defs.is_empty());
        // Quadratic, this took hours; linear, milliseconds. The bound is for a loaded machine.
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    }

    /// A CREATE TABLE cut across streamed blocks of any size is found, once.
    #[test]
    fn create_table_spanning_blocks() {
        let mut data = b"-- dump\n".to_vec();
        data.extend_from_slice(CREATE_SUBS);
        data.extend_from_slice(CREATE_SUBS);
        let mut whole = Tables::default();
        whole.scan(&data, 0);
        assert_eq!(whole.defs.len(), 2);
        for block in 1..data.len() {
            let mut t = Tables::default();
            for (i, b) in data.chunks(block).enumerate() {
                t.scan(b, (i * block) as u64);
            }
            let offsets: Vec<u64> = t.defs.iter().map(|d| d.offset).collect();
            assert_eq!(
                offsets,
                vec![
                    end_of_create(8),
                    end_of_create(8 + CREATE_SUBS.len() as u64)
                ],
                "block {block}"
            );
            assert_eq!(cols(&t, b"subs", 1000), cols(&whole, b"subs", 1000));
        }
    }
}
