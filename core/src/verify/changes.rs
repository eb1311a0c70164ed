//! What an incremental update changed: whether the objects it writes only add a signature
//! (the signature dictionary, its field and widget, the widget's appearance, the form, the
//! page's annotation list) or change the document itself (pages, content, other objects).
//!
//! Both revisions are read with `lopdf` (cross-reference tables and streams, object streams,
//! `/Prev` chains with cycles refused) and the objects the update writes are compared with
//! their previous versions.

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, Object};

/// Catalog entries a signature's update may change.
const CATALOG_SIGNER_KEYS: &[&[u8]] = &[
    b"AcroForm",
    b"DSS",
    b"Perms",
    b"Version",
    b"Extensions",
    b"Metadata",
    b"MarkInfo",
];

fn name_of<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).ok().and_then(|o| o.as_name().ok())
}

fn dict_of(o: &Object) -> Option<&Dictionary> {
    match o {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn without(d: &Dictionary, keys: &[&[u8]]) -> Dictionary {
    let mut d = d.clone();
    for k in keys {
        d.remove(k);
    }
    d
}

fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => {
            without(&x.dict, &[b"Length"]) == without(&y.dict, &[b"Length"])
                && x.content == y.content
        }
        _ => a == b,
    }
}

/// Whether a new object may come with a signature.
fn allowed_new(o: &Object) -> bool {
    match o {
        Object::Array(_) => true,
        Object::Dictionary(d) => {
            let ty = name_of(d, b"Type");
            let sub = name_of(d, b"Subtype");
            match (ty, sub) {
                (Some(b"Sig" | b"DocTimeStamp" | b"Font" | b"FontDescriptor" | b"Encoding"), _) => {
                    true
                }
                (Some(b"Annot") | None, Some(b"Widget")) => true,
                (Some(b"Page" | b"Pages" | b"Catalog" | b"Annot"), _) => false,
                (None, None) => true,
                _ => false,
            }
        }
        Object::Stream(s) => {
            let d = &s.dict;
            matches!(name_of(d, b"Subtype"), Some(b"Form"))
                || matches!(name_of(d, b"Type"), Some(b"XRef" | b"ObjStm" | b"Metadata"))
                || d.has(b"Length1")
                || d.has(b"Length2")
                || matches!(
                    name_of(d, b"Subtype"),
                    Some(b"Type1C" | b"CIDFontType0C" | b"OpenType")
                )
        }
        _ => false,
    }
}

/// Whether an object changed by the update stays within what a signature may change.
fn allowed_change(old: &Object, new: &Object) -> bool {
    if same(old, new) {
        return true;
    }
    match (old, new) {
        (Object::Array(a), Object::Array(b)) => a.iter().all(|x| b.contains(x)),
        _ => {
            let (Some(o), Some(n)) = (dict_of(old), dict_of(new)) else {
                return false;
            };
            match name_of(n, b"Type") {
                Some(b"Page") => without(o, &[b"Annots"]) == without(n, &[b"Annots"]),
                // What signers update in the catalog (pyHanko's rule too): the form, the
                // validation data, the version and extensions they need, the XMP metadata.
                Some(b"Catalog") => {
                    without(o, CATALOG_SIGNER_KEYS) == without(n, CATALOG_SIGNER_KEYS)
                }
                Some(b"XRef" | b"ObjStm") => true,
                _ => n.has(b"Fields") && o.has(b"Fields"),
            }
        }
    }
}

/// Checks that the update `pdf[from..to]` only adds signatures: `Err` says what else it does.
pub(crate) fn signature_only(pdf: &[u8], from: usize, to: usize) -> Result<(), String> {
    let old = Document::load_mem(&pdf[..from])
        .map_err(|e| format!("the revision before byte {from} cannot be read: {e}"))?;
    let new = Document::load_mem(&pdf[..to])
        .map_err(|e| format!("the revision ending at byte {to} cannot be read: {e}"))?;
    let written_here = |entry: &XrefEntry| -> bool {
        match entry {
            XrefEntry::Normal { offset, .. } => *offset as usize >= from,
            XrefEntry::Compressed { container, .. } => matches!(
                new.reference_table.entries.get(container),
                Some(XrefEntry::Normal { offset, .. }) if *offset as usize >= from
            ),
            _ => false,
        }
    };
    for (id, entry) in &new.reference_table.entries {
        if !written_here(entry) {
            continue;
        }
        let Some((oid, obj)) = new.objects.range((*id, 0)..=(*id, u16::MAX)).next() else {
            continue;
        };
        let before = old
            .objects
            .range((*id, 0)..=(*id, u16::MAX))
            .next()
            .map(|(_, o)| o);
        let ok = match before {
            Some(prev) => allowed_change(prev, obj),
            None => allowed_new(obj),
        };
        if !ok {
            let kind = dict_of(obj)
                .and_then(|d| name_of(d, b"Type").or_else(|| name_of(d, b"Subtype")))
                .map(|t| format!(" (/{})", String::from_utf8_lossy(t)))
                .unwrap_or_default();
            return Err(format!(
                "object {} {}{kind} {} by the update ending at byte {to}",
                oid.0,
                oid.1,
                if before.is_some() {
                    "is changed"
                } else {
                    "is added"
                }
            ));
        }
    }
    Ok(())
}
