//! `Filter` (an opened `.lmf` file) and `FilterBuilder` (one filled from columns).

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::BooleanArray;
use leakmatch_hashing::{
    encode, encode_pair, file_digest, Encoded, FileDigest, Token, TokenHasher, TokenKind,
};
use leakmatch_ingest::{Record, RecordSink, NORMALIZATION_VERSION};
use leakmatch_match::{inspect_fields, BuildOptions, KindSelection, PipelineError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rayon::prelude::*;

use crate::arrow;
use crate::columns::{Texts, CHUNK_ROWS};
use crate::errors::{filter_error, pipeline_error, InputError, UsageError};
use crate::keys::Key;
use crate::pool::native;

/// An opened filter, verified in full (checksum, header, size).
#[pyclass(module = "leakmatch._native", frozen)]
pub struct Filter {
    filter: Arc<leakmatch_hashing::Filter>,
    hasher: Option<Arc<TokenHasher>>,
    path: PathBuf,
    digest: FileDigest,
}

#[pymethods]
impl Filter {
    /// Opens and verifies the filter at `path` (mapped, or read with `mmap=False`). With
    /// `key`, verifies its MAC under the key (a forged or re-keyed filter is an
    /// `ArtifactError`) and its normalization version, as `leakmatch match` does; `contains`
    /// needs the key. Without, checks its integrity only, as `leakmatch inspect` does.
    #[staticmethod]
    #[pyo3(signature = (path, key=None, mmap=true))]
    fn open(py: Python<'_>, path: PathBuf, key: Option<&Key>, mmap: bool) -> PyResult<Filter> {
        let context = format!("cannot use filter {}", path.display());
        let key = key.map(|k| k.key.clone());
        let (opened, digest) = native(py, || match &key {
            Some(key) => {
                let open = if mmap {
                    leakmatch_hashing::Filter::map
                } else {
                    leakmatch_hashing::Filter::load
                };
                let filter = open(&path, key)?;
                Ok((filter, file_digest(&path)?))
            }
            None => leakmatch_hashing::Filter::open_unauthenticated(&path, mmap),
        })?
        .map_err(|e| filter_error(&context, &e))?;
        let hasher = match &key {
            Some(key) => {
                if opened.header.normalization_version != NORMALIZATION_VERSION {
                    let e = PipelineError::NormalizationMismatch {
                        filter: opened.header.normalization_version,
                        ours: NORMALIZATION_VERSION,
                    };
                    return Err(pipeline_error(&context, &e));
                }
                Some(Arc::new(TokenHasher::new(key)))
            }
            None => None,
        };
        Ok(Filter {
            filter: Arc::new(opened),
            hasher,
            path,
            digest,
        })
    }

    /// Whether each value is (probably) in the filter, as a `bool` Arrow array: null where
    /// the value is not a valid identifier. `kind` is `msisdn`, `cnic` or `pair` (then
    /// `values` is the MSISDN column and `cnic` the CNIC column, row by row).
    #[pyo3(signature = (kind, values, cnic=None))]
    fn contains<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        values: &Bound<'py, PyAny>,
        cnic: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let hasher = self.hasher.clone().ok_or_else(|| {
            UsageError::new_err(
                "contains needs the key: open the filter with Filter.open(path, key)",
            )
        })?;
        let kind = token_kind(kind)?;
        let first = Texts::import(values)?;
        let second = match (kind, cnic) {
            (TokenKind::Pair, Some(c)) => Some(Texts::import(c)?),
            (TokenKind::Pair, None) => {
                return Err(UsageError::new_err(
                    "contains('pair', msisdns, cnics) needs both columns",
                ))
            }
            (_, Some(_)) => {
                return Err(UsageError::new_err(
                    "a second column is only for contains('pair', msisdns, cnics)",
                ))
            }
            (_, None) => None,
        };
        if let Some(s) = &second {
            same_length(first.len(), s.len())?;
        }
        let filter = self.filter.clone();
        let out = native(py, move || {
            let n = first.len();
            let mut found = vec![false; n];
            let mut valid = vec![false; n];
            found
                .par_chunks_mut(CHUNK_ROWS)
                .zip(valid.par_chunks_mut(CHUNK_ROWS))
                .enumerate()
                .for_each(|(chunk, (found, valid))| {
                    let start = chunk * CHUNK_ROWS;
                    let mut encoded: Vec<Encoded> = Vec::with_capacity(found.len());
                    let mut rows = Vec::with_capacity(found.len());
                    for (j, ok) in valid.iter_mut().enumerate() {
                        let i = start + j;
                        let e = match kind {
                            TokenKind::Msisdn => {
                                first.msisdn(i).map(|m| encode(kind, m.as_bytes()))
                            }
                            TokenKind::Cnic => first.cnic(i).map(|c| encode(kind, c.as_bytes())),
                            TokenKind::Pair => first
                                .msisdn(i)
                                .zip(second.as_ref().and_then(|s| s.cnic(i)))
                                .map(|(m, c)| encode_pair(m.as_bytes(), c.as_bytes())),
                        };
                        if let Some(e) = e {
                            encoded.push(e);
                            rows.push(j);
                            *ok = true;
                        }
                    }
                    let mut tokens = vec![Token::default(); encoded.len()];
                    hasher.hash_many(&encoded, &mut tokens);
                    let mut hits = vec![false; tokens.len()];
                    filter.bloom.contains_many(&tokens, &mut hits);
                    for (j, hit) in rows.into_iter().zip(hits) {
                        found[j] = hit;
                    }
                });
            found
                .into_iter()
                .zip(valid)
                .map(|(f, v)| v.then_some(f))
                .collect::<BooleanArray>()
        })?;
        arrow::export(py, &out)
    }

    /// The filter's header and fill, as `leakmatch inspect --json` reports them (without the
    /// enumeration-cost table).
    fn inspect(&self, py: Python<'_>) -> PyResult<String> {
        let filter = self.filter.clone();
        let context = format!("cannot use filter {}", self.path.display());
        let fill =
            native(py, move || filter.checked_fill())?.map_err(|e| filter_error(&context, &e))?;
        let authenticated = self.hasher.is_some();
        let v = inspect_fields(
            &self.path,
            &self.filter.header,
            &self.digest,
            authenticated,
            &fill,
        );
        let v = serde_json::Value::Object(v);
        Ok(v.to_string())
    }

    /// The key id the filter was built with (`None` for an online filter).
    #[getter]
    fn key_id(&self) -> Option<String> {
        self.filter.header.key_id().map(|k| k.to_string())
    }

    fn __repr__(&self) -> String {
        format!("Filter(path={:?})", self.path.display().to_string())
    }
}

fn token_kind(name: &str) -> PyResult<TokenKind> {
    TokenKind::ALL
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            UsageError::new_err(format!(
                "unknown kind {name:?}: expected msisdn, cnic or pair"
            ))
        })
}

fn same_length(a: usize, b: usize) -> PyResult<()> {
    if a != b {
        return Err(UsageError::new_err(format!(
            "the MSISDN and CNIC columns differ in length ({a} and {b} rows)"
        )));
    }
    Ok(())
}

/// A filter filled from columns, row by row as `leakmatch build` fills it from a dump's
/// records: the same rows and options give the same file.
#[pyclass(module = "leakmatch._native")]
pub struct FilterBuilder {
    builder: Option<leakmatch_match::FilterBuilder>,
    key: Arc<leakmatch_hashing::Key>,
}

#[pymethods]
impl FilterBuilder {
    /// A builder for `capacity` tokens at false-positive rate `fpr`, of the `kinds` given as in
    /// `--kinds`.
    #[new]
    #[pyo3(signature = (key, capacity, fpr=1e-6, kinds="pair"))]
    fn new(key: &Key, capacity: u64, fpr: f64, kinds: &str) -> PyResult<FilterBuilder> {
        let kinds: KindSelection = kinds.parse().map_err(UsageError::new_err)?;
        let opts = BuildOptions {
            kinds,
            target_fpr: fpr,
            capacity: Some(capacity),
            ..BuildOptions::default()
        };
        let builder = leakmatch_match::FilterBuilder::new(&key.key, capacity, &opts)
            .map_err(|e| pipeline_error("", &e))?;
        Ok(FilterBuilder {
            builder: Some(builder),
            key: key.key.clone(),
        })
    }

    /// Adds rows: the `i`-th MSISDN and the `i`-th CNIC are one record (their pair token is
    /// made when both are valid). Either column may be left out. Returns the rows that held a
    /// valid identifier.
    #[pyo3(signature = (msisdn=None, cnic=None))]
    fn add(
        &self,
        py: Python<'_>,
        msisdn: Option<&Bound<'_, PyAny>>,
        cnic: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let builder = self.live()?;
        let msisdn = msisdn.map(Texts::import).transpose()?;
        let cnic = cnic.map(Texts::import).transpose()?;
        let rows = match (&msisdn, &cnic) {
            (Some(m), Some(c)) => {
                same_length(m.len(), c.len())?;
                m.len()
            }
            (Some(m), None) => m.len(),
            (None, Some(c)) => c.len(),
            (None, None) => return Ok(0),
        };
        native(py, || {
            (0..rows.div_ceil(CHUNK_ROWS))
                .into_par_iter()
                .map(|chunk| {
                    let mut sink = builder.sink();
                    let mut kept = 0u64;
                    let start = chunk * CHUNK_ROWS;
                    for i in start..rows.min(start + CHUNK_ROWS) {
                        let m = msisdn.as_ref().and_then(|t| t.msisdn(i));
                        let c = cnic.as_ref().and_then(|t| t.cnic(i));
                        if m.is_none() && c.is_none() {
                            continue;
                        }
                        kept += 1;
                        sink.record(&Record {
                            msisdns: m.as_slice(),
                            cnics: c.as_slice(),
                            offset: i as u64,
                            raw: &[],
                        });
                    }
                    sink.finish();
                    kept
                })
                .sum()
        })
    }

    /// Adds the rows of `other` (same key, kinds, capacity and FPR).
    fn merge(&mut self, py: Python<'_>, other: &FilterBuilder) -> PyResult<()> {
        let theirs = other.live()?;
        let mine = self
            .builder
            .as_mut()
            .ok_or_else(|| UsageError::new_err(SPENT))?;
        native(py, || mine.merge(theirs))?.map_err(|e| pipeline_error("cannot merge", &e))
    }

    /// Tokens added so far, per kind.
    #[getter]
    fn counts(&self) -> PyResult<(u64, u64, u64)> {
        let c = self.live()?.counts();
        Ok((c.msisdn, c.cnic, c.pair))
    }

    /// Writes the filter to `path` (atomically, as `leakmatch build` does) and returns the
    /// `leakmatch build --json` summary; the builder is spent afterwards.
    fn write(&mut self, py: Python<'_>, path: PathBuf) -> PyResult<String> {
        let builder = self
            .builder
            .take()
            .ok_or_else(|| UsageError::new_err(SPENT))?;
        if builder.counts().total() == 0 {
            self.builder = Some(builder);
            return Err(InputError::new_err(format!(
                "no valid identifier added: not writing an empty filter to {}",
                path.display()
            )));
        }
        let capacity = builder.capacity();
        let key = self.key.clone();
        native(py, move || {
            let mut filled = builder.finish();
            filled.filter.save(&path, &key).map_err(|e| {
                filter_error(&format!("cannot write filter {}", path.display()), &e)
            })?;
            let outcome = leakmatch_match::BuildOutcome {
                filter: filled.filter,
                inputs: Vec::new(),
                totals: Default::default(),
                capacity,
                fill: filled.fill,
                capacity_estimated: false,
                diagnostics: Vec::new(),
                warnings: filled.warnings,
                timings: Vec::new(),
            };
            Ok(outcome.summary_json(&path).to_string())
        })?
    }
}

const SPENT: &str = "this FilterBuilder was written already: make a new one";

impl FilterBuilder {
    fn live(&self) -> PyResult<&leakmatch_match::FilterBuilder> {
        self.builder
            .as_ref()
            .ok_or_else(|| UsageError::new_err(SPENT))
    }
}
