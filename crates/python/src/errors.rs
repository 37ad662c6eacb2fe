//! The `LeakmatchError` hierarchy and how library errors map onto it.
//!
//! The classes follow the CLI's exit statuses: `UsageError` (2, also a `ValueError`),
//! `InputError` (1: unreadable or unusable input, I/O, key files), `ArtifactError` (3: a
//! wrong key, or a corrupt, truncated, forged or incompatible filter). Messages are the CLI's:
//! the context (`cannot use filter F`) and the error's causes joined by `: `. Library errors
//! cite files, lines and offsets, never an identifier; so do these.

use std::error::Error;

use leakmatch_hashing::FilterError;
use leakmatch_match::PipelineError;
use pyo3::PyErr;

// Defined in Python (`leakmatch/errors.py`), so that `UsageError` can also be a `ValueError`
// and each class carries its `exit_status`.
pyo3::import_exception!(leakmatch.errors, LeakmatchError);
pyo3::import_exception!(leakmatch.errors, UsageError);
pyo3::import_exception!(leakmatch.errors, InputError);
pyo3::import_exception!(leakmatch.errors, ArtifactError);

/// The CLI's message: `context`, then each cause not already in the text, joined by `: `.
pub fn message(context: &str, err: &(dyn Error + 'static)) -> String {
    let mut text = context.to_string();
    let mut cause: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(e) = cause {
        let part = e.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        cause = e.source();
    }
    text
}

/// A filter error: artifact errors are exit status 3, I/O errors 1 (as in the CLI).
pub fn filter_error(context: &str, e: &FilterError) -> PyErr {
    let text = message(context, e);
    match e {
        FilterError::Io { .. } => InputError::new_err(text),
        _ => ArtifactError::new_err(text),
    }
}

/// A pipeline error, classed as the CLI classes it.
pub fn pipeline_error(context: &str, e: &PipelineError) -> PyErr {
    match e {
        PipelineError::Filter(f) => filter_error(context, f),
        PipelineError::NormalizationMismatch { .. } | PipelineError::FprFarAboveTarget { .. } => {
            ArtifactError::new_err(message(context, e))
        }
        PipelineError::Options(_) | PipelineError::Fpr(_) => {
            UsageError::new_err(message(context, e))
        }
        PipelineError::Ingest(_) => InputError::new_err(message(context, e)),
    }
}

/// An error of a key file or key generation (exit status 1).
pub fn key_error(context: &str, e: &(dyn Error + 'static)) -> PyErr {
    InputError::new_err(message(context, e))
}
