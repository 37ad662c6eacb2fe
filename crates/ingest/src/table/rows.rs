//! Whole rows of a table as CSV lines: the raw text of a record, for outputs about the user's
//! own rows (`match --matches-out`). Made only when rows are kept.

use std::fmt::Write as _;

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::Schema;

/// Renders rows: every column, by arrow's display rules (strings as they are, numbers in
/// decimal, dates in ISO 8601, binary in hex, null empty), RFC 4180-quoted where needed.
pub(crate) struct RowText {
    options: FormatOptions<'static>,
}

/// The formatters of one batch.
pub(crate) struct Formatters<'a> {
    columns: Vec<ArrayFormatter<'a>>,
}

fn push_field(out: &mut Vec<u8>, s: &str) {
    if s.bytes()
        .any(|b| b == b',' || b == b'"' || b == b'\n' || b == b'\r')
    {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

impl RowText {
    pub(crate) fn new() -> Self {
        RowText {
            options: FormatOptions::new(),
        }
    }

    /// The column names as a CSV header line.
    pub(crate) fn header(schema: &Schema) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, f) in schema.fields().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_field(&mut out, f.name());
        }
        out
    }

    pub(crate) fn formatters<'a>(
        &'a self,
        batch: &'a RecordBatch,
    ) -> Result<Formatters<'a>, String> {
        let columns = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &self.options))
            .collect::<Result<_, _>>()
            .map_err(|e| {
                format!(
                    "cannot write a row as text: {}",
                    super::sanitize(&e.to_string())
                )
            })?;
        Ok(Formatters { columns })
    }
}

impl Formatters<'_> {
    /// Appends row `i` as a CSV line (without a line terminator).
    pub(crate) fn row(&self, i: usize, out: &mut Vec<u8>) {
        let mut cell = String::new();
        for (c, f) in self.columns.iter().enumerate() {
            if c > 0 {
                out.push(b',');
            }
            cell.clear();
            // A cell that cannot be formatted is left empty.
            if write!(cell, "{}", f.value(i)).is_err() {
                cell.clear();
            }
            push_field(out, &cell);
        }
    }
}
