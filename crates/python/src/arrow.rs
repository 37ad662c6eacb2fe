//! Arrays in and out through the Arrow C data interface, zero copy.
//!
//! In: any object with `__arrow_c_array__` (pyarrow, Polars, nanoarrow, arro3...) hands over
//! a schema and an array capsule; the array's buffers are used where they are, and released
//! by their producer when the imported array is dropped. Out: results are exported the same
//! way, as a pair of capsules the Python side wraps for `pyarrow.array(...)`.

use std::ffi::CString;

use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{make_array, Array, ArrayRef};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

use crate::errors::UsageError;

/// Imports the Arrow array `obj` exports through `__arrow_c_array__`, without copying it.
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    if !obj.hasattr("__arrow_c_array__")? {
        return Err(UsageError::new_err(
            "expected an Arrow array (an object with __arrow_c_array__)",
        ));
    }
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast::<PyTuple>()?;
    let schema = pair.get_item(0)?;
    let array = pair.get_item(1)?;
    let schema = schema.cast::<PyCapsule>()?;
    let array = array.cast::<PyCapsule>()?;
    let schema_ptr = capsule_pointer(schema, c"arrow_schema")? as *const FFI_ArrowSchema;
    let array_ptr = capsule_pointer(array, c"arrow_array")? as *mut FFI_ArrowArray;
    // SAFETY: the capsules were checked by name, so they hold an ArrowSchema and an ArrowArray
    // as the C data interface defines them. `from_raw` moves the array out (leaving it marked
    // released, so the capsule's destructor does nothing); the schema is only borrowed, while
    // its capsule is alive.
    let data = unsafe {
        let ffi_array = FFI_ArrowArray::from_raw(array_ptr);
        from_ffi(ffi_array, &*schema_ptr)
    }
    .map_err(|e| UsageError::new_err(format!("cannot import the Arrow array: {e}")))?;
    Ok(make_array(data))
}

fn capsule_pointer(capsule: &Bound<'_, PyCapsule>, name: &std::ffi::CStr) -> PyResult<*mut u8> {
    // SAFETY: a plain call of the stable ABI on a live capsule; a wrong name sets a Python
    // error and returns null, handled below.
    let ptr = unsafe { pyo3::ffi::PyCapsule_GetPointer(capsule.as_ptr(), name.as_ptr()) };
    if ptr.is_null() {
        return Err(PyErr::take(capsule.py()).unwrap_or_else(|| {
            UsageError::new_err(format!("not an {} capsule", name.to_string_lossy()))
        }));
    }
    Ok(ptr.cast())
}

/// Exports `array` as the `(schema, array)` capsule pair of `__arrow_c_array__`.
pub fn export<'py>(py: Python<'py>, array: &dyn Array) -> PyResult<Bound<'py, PyTuple>> {
    let data = array.to_data();
    let schema = FFI_ArrowSchema::try_from(data.data_type())
        .map_err(|e| UsageError::new_err(format!("cannot export the Arrow array: {e}")))?;
    let array = FFI_ArrowArray::new(&data);
    // The consumer moves each struct out and marks it released; dropping a capsule that was
    // never consumed releases it (the `Drop` of the ffi structs).
    let schema = PyCapsule::new(py, schema, Some(name("arrow_schema")))?;
    let array = PyCapsule::new(py, array, Some(name("arrow_array")))?;
    PyTuple::new(py, [schema.into_any(), array.into_any()])
}

fn name(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}
