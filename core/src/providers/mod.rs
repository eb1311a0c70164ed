//! Provider wire models and operations. Each provider hangs off [`crate::Client`].

pub mod onespan;
pub mod securosys;
pub mod zignsec;

/// Check an id that will be placed in a URL path: non-empty, short, and made of characters that
/// need no escaping, so a hostile or mistyped id cannot change which resource is addressed.
pub(crate) fn check_id(kind: &str, id: &str) -> crate::Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && id != "."
        && id != "..";
    if ok {
        Ok(())
    } else {
        Err(crate::Error::invalid_argument(format!(
            "{kind} {id:?} is not a valid id: expected 1-128 characters of letters, digits, '-', \
             '_' or '.' as returned by the provider"
        )))
    }
}
