//! Generated dumps as Parquet: the CSV dump's rows as a table, as a warehouse export holds them.
//!
//! Columns, their order and their names are the CSV dump's (same seed, same layout and header
//! case); every cell holds the CSV cell's text, so the two read alike: `id` and `imsi` are
//! 64-bit integers (`imsi` null where the CSV cell is empty), the other columns strings, an
//! empty cell null. Rows are written in row groups of [`ROW_GROUP_ROWS`] (so that even a small
//! dump is read in parallel), snappy-compressed, as pyarrow writes by default.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::columns::{cased, col_name, Col, LAYOUTS};
use super::formats::{cell, Style};
use super::row::Row;
use super::GenError;

/// Rows per row group of a generated Parquet dump.
pub(crate) const ROW_GROUP_ROWS: usize = 32 * 1024;

/// One column being filled.
enum Builder {
    Int(Int64Builder),
    Text(StringBuilder),
}

/// Writes rows into a Parquet file on `out`, a row group at a time: memory holds one row group.
pub(crate) struct ParquetDump<'w> {
    out: &'w mut dyn Write,
    cols: &'static [Col],
    schema: SchemaRef,
    builders: Vec<Builder>,
    rows: usize,
    writer: ArrowWriter<Vec<u8>>,
    cell: String,
}

fn pq_err(e: parquet::errors::ParquetError) -> GenError {
    GenError::Io(std::io::Error::other(e))
}

fn is_int(c: Col) -> bool {
    matches!(c, Col::Id | Col::Imsi)
}

impl<'w> ParquetDump<'w> {
    pub(crate) fn new(out: &'w mut dyn Write, style: &Style) -> Result<Self, GenError> {
        let cols = LAYOUTS[usize::from(style.layout) % LAYOUTS.len()];
        let fields: Vec<Field> = cols
            .iter()
            .map(|c| {
                let name = cased(col_name(*c), style.header_case);
                let ty = if is_int(*c) {
                    DataType::Int64
                } else {
                    DataType::Utf8
                };
                Field::new(name, ty, *c != Col::Id)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        // Written into memory and moved to `out` a row group at a time (the writer wants a
        // `Send` sink; `out` need not be one).
        let writer =
            ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(pq_err)?;
        let mut dump = ParquetDump {
            out,
            cols,
            schema,
            builders: Vec::new(),
            rows: 0,
            writer,
            cell: String::new(),
        };
        dump.builders = dump.fresh();
        Ok(dump)
    }

    fn fresh(&self) -> Vec<Builder> {
        self.cols
            .iter()
            .map(|c| {
                if is_int(*c) {
                    Builder::Int(Int64Builder::with_capacity(ROW_GROUP_ROWS))
                } else {
                    Builder::Text(StringBuilder::with_capacity(
                        ROW_GROUP_ROWS,
                        ROW_GROUP_ROWS * 16,
                    ))
                }
            })
            .collect()
    }

    pub(crate) fn row(&mut self, row: &Row) -> Result<(), GenError> {
        for (c, b) in self.cols.iter().zip(&mut self.builders) {
            self.cell.clear();
            cell(&mut self.cell, row, *c, false);
            let text = self.cell.as_str();
            match b {
                Builder::Int(b) => b.append_option(text.parse::<i64>().ok()),
                Builder::Text(b) if text.is_empty() => b.append_null(),
                Builder::Text(b) => b.append_value(text),
            }
        }
        self.rows += 1;
        if self.rows == ROW_GROUP_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), GenError> {
        if self.rows == 0 {
            return Ok(());
        }
        let fresh = self.fresh();
        let builders = std::mem::replace(&mut self.builders, fresh);
        let columns: Vec<ArrayRef> = builders
            .into_iter()
            .map(|b| match b {
                Builder::Int(mut b) => Arc::new(b.finish()) as ArrayRef,
                Builder::Text(mut b) => Arc::new(b.finish()) as ArrayRef,
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| GenError::Io(std::io::Error::other(e)))?;
        self.writer.write(&batch).map_err(pq_err)?;
        self.writer.flush().map_err(pq_err)?;
        self.rows = 0;
        let bytes = std::mem::take(self.writer.inner_mut());
        self.out.write_all(&bytes)?;
        Ok(())
    }

    /// Writes the last row group and the footer.
    pub(crate) fn finish(mut self) -> Result<(), GenError> {
        self.flush()?;
        let rest = self.writer.into_inner().map_err(pq_err)?;
        self.out.write_all(&rest)?;
        self.out.flush()?;
        Ok(())
    }
}
