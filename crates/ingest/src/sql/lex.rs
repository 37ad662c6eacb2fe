//! The SQL lexer shared by the `CREATE TABLE` and `INSERT` parsers: a cursor over one
//! statement's bytes with whitespace, keywords, identifiers (backquoted or bare, `db`.`t`) and
//! values (strings with `\'`, `\\` and `''` escapes, nested parentheses).

pub(super) struct Cur<'a> {
    pub(super) s: &'a [u8],
    pub(super) i: usize,
}

impl<'a> Cur<'a> {
    pub(super) fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    pub(super) fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    pub(super) fn keyword(&mut self, kw: &str) -> bool {
        self.ws();
        let end = self.i + kw.len();
        let ok = self
            .s
            .get(self.i..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(kw.as_bytes()))
            && self
                .s
                .get(end)
                .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_');
        if ok {
            self.i = end;
        }
        ok
    }
    /// An identifier, backquoted or bare; `db`.`t` yields `t`.
    pub(super) fn ident(&mut self) -> Option<&'a [u8]> {
        let mut last = None;
        loop {
            self.ws();
            if self.peek()? == b'`' {
                let start = self.i + 1;
                let len = self.s[start..].iter().position(|&b| b == b'`')?;
                self.i = start + len + 1;
                last = Some(&self.s[start..start + len]);
            } else {
                let start = self.i;
                while self.peek().is_some_and(|b| {
                    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
                }) {
                    self.i += 1;
                }
                if self.i == start {
                    return last;
                }
                last = Some(&self.s[start..self.i]);
            }
            if self.peek() == Some(b'.') {
                self.i += 1;
            } else {
                return last;
            }
        }
    }
    /// One value up to a top-level `,` or `)`; cursor on that byte. `None` at end of input.
    pub(super) fn value(&mut self) -> Option<&'a [u8]> {
        self.ws();
        let start = self.i;
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'\'' => {
                    self.i += 1;
                    loop {
                        match self.peek()? {
                            b'\\' => self.i += 2,
                            b'\'' if self.s.get(self.i + 1) == Some(&b'\'') => self.i += 2,
                            b'\'' => break,
                            _ => self.i += 1,
                        }
                    }
                }
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            self.i += 1;
        }
        let mut v = &self.s[start..self.i];
        while let [rest @ .., last] = v {
            if !last.is_ascii_whitespace() {
                break;
            }
            v = rest;
        }
        Some(v)
    }
}
