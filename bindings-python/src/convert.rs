//! Converting Python arguments: configuration values, byte buffers, durations.

use std::time::Duration;

use bytes::Bytes;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMemoryView, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// Convert a configuration value (dicts with str keys, lists, tuples, str, int, float, bool,
/// None, os.PathLike) into JSON for [`signbridge::Config::from_value`]. `at` names the position
/// for error messages (values themselves are never quoted: they may be keys).
pub fn to_json(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(Value::Number(n.into()));
        }
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Value::Number(n.into()));
        }
        // The core's bad-argument error, as for any number out of its range.
        return Err(crate::errors::new_err(
            obj.py(),
            signbridge::ErrorCode::InvalidArgument,
            format!("the value at {at} is an integer out of range"),
        ));
    }
    // Not JSON: the core's InvalidArgument, as a bad value in any other language.
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| {
                crate::errors::new_err(
                    obj.py(),
                    signbridge::ErrorCode::InvalidArgument,
                    format!(
                        "the value at {at} must be a finite number (JSON has no NaN or infinity)"
                    ),
                )
            });
    }
    // Bytes (operation requests: `*_base64` fields) as base64 text.
    if obj.cast::<PyBytes>().is_ok()
        || obj.cast::<PyByteArray>().is_ok()
        || obj.cast::<PyMemoryView>().is_ok()
    {
        let data = to_bytes(obj, at)?;
        return serde_json::to_value(signbridge::api::Base64(data.to_vec()))
            .map_err(|e| PyValueError::new_err(format!("{at}: {e}")));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "configuration keys must be str; {at} has a key of type {}",
                    type_name(&k)
                ))
            })?;
            let here = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            map.insert(key, to_json(&v, &here)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        let mut items = Vec::new();
        for (i, v) in obj.try_iter()?.enumerate() {
            items.push(to_json(&v?, &format!("{at}[{i}]"))?);
        }
        return Ok(Value::Array(items));
    }
    // An approver key where a request takes its PEM (`approver_key_pem`); the PEM is never
    // readable from Python.
    if let Ok(k) = obj.cast::<crate::securosys::PyApproverKey>() {
        return Ok(Value::String(k.get().request_pem().to_string()));
    }
    // os.PathLike (e.g. transport.ca_file=pathlib.Path(...)).
    if obj.hasattr("__fspath__")? {
        let path: std::path::PathBuf = obj.extract()?;
        return Ok(Value::String(path.to_string_lossy().into_owned()));
    }
    // Any other mapping.
    if obj.hasattr("keys")? && obj.hasattr("__getitem__")? {
        let d = PyDict::new(obj.py());
        for k in obj.call_method0("keys")?.try_iter()? {
            let k = k?;
            d.set_item(&k, obj.get_item(&k)?)?;
        }
        return to_json(d.as_any(), at);
    }
    Err(PyTypeError::new_err(format!(
        "the value at {} has type {}; expected dict, list, str, int, float, bool, None \
         or os.PathLike",
        if at.is_empty() { "top level" } else { at },
        type_name(obj)
    )))
}

/// Copy the bytes of a `bytes`, `bytearray` or `memoryview`.
pub fn to_bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Bytes> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Bytes::copy_from_slice(b.as_bytes()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Bytes::from(b.to_vec()));
    }
    if obj.cast::<PyMemoryView>().is_ok() {
        let b = obj.call_method0("tobytes")?;
        let b = b.cast::<PyBytes>()?;
        return Ok(Bytes::copy_from_slice(b.as_bytes()));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be bytes, bytearray or memoryview, not {}",
        type_name(obj)
    )))
}

/// A duration in seconds (int or float, finite, not negative, at most a year), range checked
/// by the core (`signbridge::numbers::seconds`): anything else raises `InvalidInput` with
/// `SB_ERR_INVALID_ARGUMENT`, the same message as in C and Node.
pub fn seconds(value: f64, what: &str) -> PyResult<Duration> {
    signbridge::numbers::seconds(value, what)
        .map_err(|e| Python::attach(|py| crate::errors::to_py(py, &e)))
}

/// A `str` argument that must not be bytes or another type (clear `TypeError` otherwise).
pub fn text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be str, not {}",
            type_name(obj)
        ))),
    }
}

/// Convert a JSON value from the core (a raw result, a webhook payload) into plain Python objects:
/// dict, list, str, int, float, bool and None.
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// A list of `str` (any iterable of str, but not a single str or bytes, which would silently
/// become a list of characters). `None` is the empty list.
pub fn text_list(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<String>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if obj.cast::<PyString>().is_ok()
        || obj.cast::<PyBytes>().is_ok()
        || obj.cast::<PyByteArray>().is_ok()
    {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a list of str, not a single {}",
            type_name(obj)
        )));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a list of str, not {}",
            type_name(obj)
        ))
    })?;
    let mut out = Vec::new();
    for item in iter {
        out.push(text(&item?, &format!("{what} items"))?);
    }
    Ok(out)
}
