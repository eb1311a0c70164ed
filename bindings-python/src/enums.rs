//! The Python enums (`str`-valued `enum.Enum`s in module `signbridge`), each built once from the
//! core's enum table (`signbridge::enums`): names, values, the `OTHER` member of an open set
//! and the docstring all come from there.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyType};
use signbridge::enums::{tables, EnumTable};

static ENUMS: PyOnceLock<Vec<(&'static str, Py<PyType>)>> = PyOnceLock::new();

fn build(py: Python<'_>, t: &EnumTable) -> PyResult<Py<PyType>> {
    let list = PyList::empty(py);
    for m in t.members.iter().chain(t.other.iter()) {
        list.append((m.constant.as_str(), m.value.as_str()))?;
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("module", "signbridge")?;
    kwargs.set_item("type", py.get_type::<PyString>())?;
    let cls = py
        .import("enum")?
        .getattr("Enum")?
        .call((t.name, list), Some(&kwargs))?;
    cls.setattr("__doc__", t.doc)?;
    Ok(cls.cast_into::<PyType>()?.unbind())
}

/// The enum called `name` (`"KeySpec"`).
pub(crate) fn enum_type<'py>(py: Python<'py>, name: &str) -> PyResult<&'py Bound<'py, PyType>> {
    let all = ENUMS.get_or_try_init(py, || {
        tables()
            .iter()
            .map(|t| Ok((t.name, build(py, t)?)))
            .collect::<PyResult<Vec<_>>>()
    })?;
    all.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.bind(py))
        .ok_or_else(|| PyRuntimeError::new_err(format!("signbridge has no enum {name}")))
}

/// The value of the `OTHER` member of the open enum `name` (a value this version does not know).
pub(crate) fn other_value(name: &str) -> String {
    signbridge::enums::table(name)
        .and_then(|t| t.other)
        .map(|m| m.value)
        .unwrap_or_else(|| "OTHER".to_string())
}

/// Add every enum of the core to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for t in tables() {
        m.add(t.name, enum_type(m.py(), t.name)?)?;
    }
    Ok(())
}
