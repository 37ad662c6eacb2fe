//! Columns of identifiers: vectorized normalization, and rows for filters.
//!
//! Values are read in place from the imported Arrow array (UTF-8 or binary, 32- or 64-bit
//! offsets, or views) and parsed with [`Msisdn::parse`] and [`Cnic::parse`] — the CLI's rules
//! and normalizer version. Canonical forms have a fixed width, so every row's output slot is
//! known in advance and chunks of rows are normalized in parallel straight into the result.

use std::sync::Arc;

use arrow_array::types::Int8Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BinaryViewArray, DictionaryArray, Int8Array, LargeBinaryArray,
    LargeStringArray, StringArray, StringViewArray,
};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use leakmatch_ingest::{Cnic, Msisdn, RejectReason};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rayon::prelude::*;

use crate::arrow;
use crate::errors::UsageError;
use crate::pool::native;

/// Rows per parallel task.
pub const CHUNK_ROWS: usize = 1 << 14;

/// Which identifier a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// Mobile numbers.
    Msisdn,
    /// National identity card numbers.
    Cnic,
}

impl IdKind {
    /// `"msisdn"` or `"cnic"`, case-insensitive.
    pub fn parse(name: &str) -> PyResult<IdKind> {
        match name.to_ascii_lowercase().as_str() {
            "msisdn" => Ok(IdKind::Msisdn),
            "cnic" => Ok(IdKind::Cnic),
            _ => Err(UsageError::new_err(format!(
                "unknown identifier kind {name:?}: expected msisdn or cnic"
            ))),
        }
    }

    /// Bytes of the canonical form.
    pub fn width(self) -> usize {
        match self {
            IdKind::Msisdn => 12,
            IdKind::Cnic => 13,
        }
    }

    /// Parses one value into `out` (its canonical form, [`width`](Self::width) bytes).
    fn canonical(self, value: &[u8], out: &mut [u8]) -> Result<(), RejectReason> {
        match self {
            IdKind::Msisdn => out.copy_from_slice(Msisdn::parse(value)?.as_bytes()),
            IdKind::Cnic => out.copy_from_slice(Cnic::parse(value)?.as_bytes()),
        }
        Ok(())
    }
}

/// The values of an imported text column, read in place.
pub enum Texts {
    /// `utf8`.
    Utf8(StringArray),
    /// `large_utf8`.
    LargeUtf8(LargeStringArray),
    /// `utf8_view`.
    Utf8View(StringViewArray),
    /// `binary`.
    Binary(BinaryArray),
    /// `large_binary`.
    LargeBinary(LargeBinaryArray),
    /// `binary_view`.
    BinaryView(BinaryViewArray),
}

impl Texts {
    /// Takes a text or binary array; anything else is a `UsageError` (the Python side casts
    /// numbers and dictionaries to text first).
    pub fn new(array: ArrayRef) -> PyResult<Texts> {
        let any = array.as_any();
        macro_rules! try_as {
            ($t:ty, $v:ident) => {
                if let Some(a) = any.downcast_ref::<$t>() {
                    return Ok(Texts::$v(a.clone()));
                }
            };
        }
        try_as!(StringArray, Utf8);
        try_as!(LargeStringArray, LargeUtf8);
        try_as!(StringViewArray, Utf8View);
        try_as!(BinaryArray, Binary);
        try_as!(LargeBinaryArray, LargeBinary);
        try_as!(BinaryViewArray, BinaryView);
        Err(UsageError::new_err(format!(
            "expected a column of text, got Arrow type {}",
            array.data_type()
        )))
    }

    /// Imports a column from Python (see [`arrow::import`]).
    pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<Texts> {
        Texts::new(arrow::import(obj)?)
    }

    /// Rows.
    pub fn len(&self) -> usize {
        match self {
            Texts::Utf8(a) => a.len(),
            Texts::LargeUtf8(a) => a.len(),
            Texts::Utf8View(a) => a.len(),
            Texts::Binary(a) => a.len(),
            Texts::LargeBinary(a) => a.len(),
            Texts::BinaryView(a) => a.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s bytes; `None` when null.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        macro_rules! at {
            ($a:expr, $conv:expr) => {
                if $a.is_null(i) {
                    None
                } else {
                    Some($conv($a.value(i)))
                }
            };
        }
        match self {
            Texts::Utf8(a) => at!(a, str::as_bytes),
            Texts::LargeUtf8(a) => at!(a, str::as_bytes),
            Texts::Utf8View(a) => at!(a, str::as_bytes),
            Texts::Binary(a) => at!(a, |b| b),
            Texts::LargeBinary(a) => at!(a, |b| b),
            Texts::BinaryView(a) => at!(a, |b| b),
        }
    }

    /// Row `i` as an MSISDN, if valid.
    #[inline]
    pub fn msisdn(&self, i: usize) -> Option<Msisdn> {
        self.get(i).and_then(|v| Msisdn::parse(v).ok())
    }

    /// Row `i` as a CNIC, if valid.
    #[inline]
    pub fn cnic(&self, i: usize) -> Option<Cnic> {
        self.get(i).and_then(|v| Cnic::parse(v).ok())
    }
}

/// Canonical forms of a column (`large_utf8`, null where rejected) and each row's reject
/// reason (dictionary of reason names, null where valid; a null value is `empty`).
pub struct Normalized {
    /// Canonical forms.
    pub values: LargeStringArray,
    /// Reject reasons.
    pub reasons: DictionaryArray<Int8Type>,
}

/// Normalizes every row of `texts` on the current rayon pool.
pub fn normalize_column(texts: &Texts, kind: IdKind) -> Result<Normalized, String> {
    let n = texts.len();
    let w = kind.width();
    let mut bytes = vec![0u8; n * w];
    let mut codes = vec![-1i8; n];
    bytes
        .par_chunks_mut(CHUNK_ROWS * w)
        .zip(codes.par_chunks_mut(CHUNK_ROWS))
        .enumerate()
        .for_each(|(chunk, (out, codes))| {
            let first = chunk * CHUNK_ROWS;
            for (j, (slot, code)) in out.chunks_exact_mut(w).zip(codes.iter_mut()).enumerate() {
                let parsed = match texts.get(first + j) {
                    Some(v) => kind.canonical(v, slot),
                    None => Err(RejectReason::Empty),
                };
                if let Err(reason) = parsed {
                    *code = reason.index() as i8;
                }
            }
        });
    let valid = NullBuffer::from_iter(codes.iter().map(|&c| c < 0));
    let offsets: Vec<i64> = (0..=n as i64).map(|i| i * w as i64).collect();
    // Null slots keep their width of zero bytes: Arrow allows any bytes under a null.
    let values = LargeStringArray::try_new(
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Buffer::from_vec(bytes),
        Some(valid),
    )
    .map_err(|e| e.to_string())?;
    let keys = Int8Array::from_iter(codes.iter().map(|&c| (c >= 0).then_some(c)));
    let names = StringArray::from_iter_values(RejectReason::ALL.iter().map(|r| r.name()));
    let reasons = DictionaryArray::try_new(keys, Arc::new(names)).map_err(|e| e.to_string())?;
    Ok(Normalized { values, reasons })
}

/// `normalize(kind, array, reasons)`: the canonical forms of an Arrow text array as the
/// capsules of a `large_utf8` array, and with `reasons` those of the reject reasons.
#[pyfunction]
#[pyo3(signature = (kind, values, reasons=false))]
pub fn normalize<'py>(
    py: Python<'py>,
    kind: &str,
    values: &Bound<'py, PyAny>,
    reasons: bool,
) -> PyResult<(Bound<'py, PyTuple>, Option<Bound<'py, PyTuple>>)> {
    let kind = IdKind::parse(kind)?;
    let texts = Texts::import(values)?;
    let out = native(py, || normalize_column(&texts, kind))?
        .map_err(crate::errors::LeakmatchError::new_err)?;
    let values = arrow::export(py, &out.values)?;
    let reasons = if reasons {
        Some(arrow::export(py, &out.reasons)?)
    } else {
        None
    };
    Ok((values, reasons))
}
