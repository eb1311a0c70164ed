//! Certificates for a Securosys HSM key: `Certificate`, `Csr`, `DistinguishedName` and the `str`
//! enums `KeyUsage` and `ExtendedKeyUsage`, plus the argument conversion the `Securosys`
//! certificate methods share.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyType};
use signbridge::providers::securosys::{
    Certificate, CertificateRequest, Csr, CsrRequest, DistinguishedName, ExtendedKeyUsage, KeyUsage,
};

use crate::convert;
use crate::errors;
use crate::securosys::signature_algorithm;
use crate::types::opt_repr;

fn key_usage_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "KeyUsage")
}

fn extended_key_usage_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "ExtendedKeyUsage")
}

/// A list of members of the open enum `cls` (or str), parsed with `parse`; None = `None`.
fn open_list<T>(
    obj: Option<&Bound<'_, PyAny>>,
    cls: &Bound<'_, PyType>,
    parse: fn(&str) -> T,
    what: &str,
) -> PyResult<Option<Vec<T>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if obj.cast::<PyString>().is_ok() || obj.is_instance(cls)? {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a list of {} (or str), not a single value",
            cls.name()?
        )));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a list of {}, not {}",
            cls.name().map(|n| n.to_string()).unwrap_or_default(),
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        let text: String = if item.is_instance(cls)? {
            item.getattr("value")?.extract()?
        } else {
            convert::text(&item, &format!("{what} items"))?
        };
        out.push(parse(&text));
    }
    Ok(Some(out))
}

/// The subject of a certificate signing request. Only common_name is required; country is a
/// two-letter ISO 3166 code. The values are checked when the request is made.
#[pyclass(module = "signbridge", name = "DistinguishedName", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyDistinguishedName {
    pub(crate) inner: DistinguishedName,
}

/// Compile-time check that every field of the core's [`DistinguishedName`] is wrapped.
#[allow(dead_code)]
fn every_field_is_wrapped(d: &DistinguishedName) {
    let DistinguishedName {
        common_name: _,
        country: _,
        state_or_province_name: _,
        locality: _,
        organization_name: _,
        organization_unit_name: _,
        email: _,
        title: _,
        surname: _,
        given_name: _,
        initials: _,
        pseudonym: _,
        generation_qualifier: _,
    } = d;
}

#[pymethods]
impl PyDistinguishedName {
    /// A subject: common_name (CN) and any of the optional attributes as keywords.
    #[new]
    #[pyo3(signature = (common_name, *, country = None, state_or_province_name = None,
        locality = None, organization_name = None, organization_unit_name = None, email = None,
        title = None, surname = None, given_name = None, initials = None, pseudonym = None,
        generation_qualifier = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        common_name: String,
        country: Option<String>,
        state_or_province_name: Option<String>,
        locality: Option<String>,
        organization_name: Option<String>,
        organization_unit_name: Option<String>,
        email: Option<String>,
        title: Option<String>,
        surname: Option<String>,
        given_name: Option<String>,
        initials: Option<String>,
        pseudonym: Option<String>,
        generation_qualifier: Option<String>,
    ) -> Self {
        PyDistinguishedName {
            inner: DistinguishedName {
                common_name,
                country,
                state_or_province_name,
                locality,
                organization_name,
                organization_unit_name,
                email,
                title,
                surname,
                given_name,
                initials,
                pseudonym,
                generation_qualifier,
            },
        }
    }
    /// Common name (CN).
    #[getter]
    fn common_name(&self) -> &str {
        &self.inner.common_name
    }
    /// Country (C), two letters.
    #[getter]
    fn country(&self) -> Option<&str> {
        self.inner.country.as_deref()
    }
    /// State or province (ST).
    #[getter]
    fn state_or_province_name(&self) -> Option<&str> {
        self.inner.state_or_province_name.as_deref()
    }
    /// Locality (L).
    #[getter]
    fn locality(&self) -> Option<&str> {
        self.inner.locality.as_deref()
    }
    /// Organization (O).
    #[getter]
    fn organization_name(&self) -> Option<&str> {
        self.inner.organization_name.as_deref()
    }
    /// Organizational unit (OU).
    #[getter]
    fn organization_unit_name(&self) -> Option<&str> {
        self.inner.organization_unit_name.as_deref()
    }
    /// E-mail address.
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.email.as_deref()
    }
    /// Title.
    #[getter]
    fn title(&self) -> Option<&str> {
        self.inner.title.as_deref()
    }
    /// Surname (SN).
    #[getter]
    fn surname(&self) -> Option<&str> {
        self.inner.surname.as_deref()
    }
    /// Given name (GN).
    #[getter]
    fn given_name(&self) -> Option<&str> {
        self.inner.given_name.as_deref()
    }
    /// Initials.
    #[getter]
    fn initials(&self) -> Option<&str> {
        self.inner.initials.as_deref()
    }
    /// Pseudonym.
    #[getter]
    fn pseudonym(&self) -> Option<&str> {
        self.inner.pseudonym.as_deref()
    }
    /// Generation qualifier ("Jr.").
    #[getter]
    fn generation_qualifier(&self) -> Option<&str> {
        self.inner.generation_qualifier.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "DistinguishedName(common_name={:?}, organization_name={}, country={})",
            self.inner.common_name,
            opt_repr(&self.inner.organization_name),
            opt_repr(&self.inner.country)
        )
    }
}

/// An X.509 certificate made by the HSM.
#[pyclass(module = "signbridge", name = "Certificate", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyCertificate {
    pub(crate) inner: Certificate,
}

#[pymethods]
impl PyCertificate {
    /// A certificate from its DER bytes; raises TransportError (SB_ERR_PROTOCOL) when they are
    /// not one DER structure.
    #[staticmethod]
    fn from_der(py: Python<'_>, der: &Bound<'_, PyAny>) -> PyResult<Self> {
        let der = convert::to_bytes(der, "der")?.to_vec();
        let inner = Certificate::from_der(der).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyCertificate { inner })
    }
    /// The certificate, DER.
    #[getter]
    fn der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.der)
    }
    /// PEM (-----BEGIN CERTIFICATE-----), e.g. for openssl x509 or the cryptography package.
    fn pem(&self) -> String {
        self.inner.pem()
    }
    fn __repr__(&self) -> String {
        format!("Certificate(der={} bytes)", self.inner.der.len())
    }
}

/// A PKCS#10 certificate signing request made by the HSM, to send to a CA.
#[pyclass(module = "signbridge", name = "Csr", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyCsr {
    pub(crate) inner: Csr,
}

#[pymethods]
impl PyCsr {
    /// A request from its DER bytes; raises TransportError (SB_ERR_PROTOCOL) when they are not
    /// one DER structure.
    #[staticmethod]
    fn from_der(py: Python<'_>, der: &Bound<'_, PyAny>) -> PyResult<Self> {
        let der = convert::to_bytes(der, "der")?.to_vec();
        let inner = Csr::from_der(der).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyCsr { inner })
    }
    /// The request, DER.
    #[getter]
    fn der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.der)
    }
    /// PEM (-----BEGIN CERTIFICATE REQUEST-----), e.g. for openssl req.
    fn pem(&self) -> String {
        self.inner.pem()
    }
    fn __repr__(&self) -> String {
        format!("Csr(der={} bytes)", self.inner.der.len())
    }
}

/// The core's request for a self-signed certificate from the keyword arguments:
/// `CertificateRequest::new` (DIGITAL_SIGNATURE), `key_usage` replacing its usages, and
/// `certificate_authority` applied with `authority()` (adding KEY_CERT_SIGN and CRL_SIGN) unless
/// the usages were given explicitly.
#[allow(clippy::too_many_arguments)]
pub(crate) fn certificate_request(
    py: Python<'_>,
    common_name: &Bound<'_, PyAny>,
    algorithm: &Bound<'_, PyAny>,
    validity_days: i64,
    key_usage: Option<&Bound<'_, PyAny>>,
    extended_key_usage: Option<&Bound<'_, PyAny>>,
    certificate_authority: bool,
) -> PyResult<CertificateRequest> {
    let cn = convert::text(common_name, "common_name")?;
    let alg = signature_algorithm(py, algorithm)?;
    let mut req = CertificateRequest::new(cn, alg).with_validity_days(days(validity_days)?);
    let usages = open_list(key_usage, key_usage_enum(py)?, KeyUsage::parse, "key_usage")?;
    if let Some(ext) = open_list(
        extended_key_usage,
        extended_key_usage_enum(py)?,
        ExtendedKeyUsage::parse,
        "extended_key_usage",
    )? {
        req.extended_key_usage = ext;
    }
    match usages {
        Some(u) => {
            req.key_usage = u;
            req.certificate_authority = certificate_authority;
        }
        None if certificate_authority => req = req.authority(),
        None => {}
    }
    Ok(req)
}

/// The core's request for a CSR from the keyword arguments (`CsrRequest::new` defaults).
pub(crate) fn csr_request(
    py: Python<'_>,
    subject: &Bound<'_, PyAny>,
    algorithm: &Bound<'_, PyAny>,
    validity_days: i64,
    key_usage: Option<&Bound<'_, PyAny>>,
    extended_key_usage: Option<&Bound<'_, PyAny>>,
) -> PyResult<CsrRequest> {
    let subject = if let Ok(d) = subject.cast::<PyDistinguishedName>() {
        d.get().inner.clone()
    } else if let Ok(s) = subject.cast::<PyString>() {
        DistinguishedName::new(s.to_cow()?.into_owned())
    } else {
        return Err(PyTypeError::new_err(format!(
            "subject must be a signbridge.DistinguishedName or a common name (str), not {}",
            subject.get_type().name()?
        )));
    };
    let alg = signature_algorithm(py, algorithm)?;
    let mut req = CsrRequest::new(subject, alg);
    req.validity_days = days(validity_days)?;
    if let Some(u) = open_list(key_usage, key_usage_enum(py)?, KeyUsage::parse, "key_usage")? {
        req.key_usage = u;
    }
    if let Some(ext) = open_list(
        extended_key_usage,
        extended_key_usage_enum(py)?,
        ExtendedKeyUsage::parse,
        "extended_key_usage",
    )? {
        req.extended_key_usage = ext;
    }
    Ok(req)
}

/// A validity in days (the core checks its range).
fn days(v: i64) -> PyResult<u32> {
    u32::try_from(v).map_err(|_| {
        PyValueError::new_err(format!(
            "validity_days must be a positive number of days, got {v}"
        ))
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDistinguishedName>()?;
    m.add_class::<PyCertificate>()?;
    m.add_class::<PyCsr>()?;
    Ok(())
}
