//! A typed result written straight to camelCase JSON text along its operation's [`Plan`]: the
//! same text and bytes as [`super::result_to_camel_case_json`] makes of the result's JSON value,
//! without building that value first (a map node, a key and a string allocated per field, then
//! walked and freed). A wrapper that settles results as JSON text (Node) asks for this on every
//! call.
//!
//! A shape this writer does not take (an enum variant carrying data, a tuple, a map key that is
//! not a string or number) makes it give up, and the caller writes the result's JSON value
//! instead: the same output, by the longer way.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use serde::ser::{self, Error as _, Impossible, Serialize, Serializer};

use super::{At, CamelCaseJson, Plan};

/// What the writers of one result share.
struct Ctx<'p> {
    plan: &'p Plan,
    bytes: RefCell<Vec<(String, Vec<u8>)>>,
    gave_up: Cell<bool>,
}

impl Ctx<'_> {
    fn give_up<E: ser::Error>(&self) -> E {
        self.gave_up.set(true);
        E::custom("a shape written by the longer way")
    }
}

/// `value` as camelCase JSON text along `plan`, or `None` when it has a shape written only by
/// the longer way.
pub(super) fn to_camel_case_json<T: Serialize + ?Sized>(
    plan: &Plan,
    value: &T,
) -> Option<CamelCaseJson> {
    let ctx = Ctx {
        plan,
        bytes: RefCell::new(Vec::new()),
        gave_up: Cell::new(false),
    };
    let at = At::Root;
    // Most results are a few hundred bytes: one allocation rather than a doubling from 128.
    let mut text = Vec::with_capacity(512);
    let written = serde_json::to_writer(
        &mut text,
        &Along {
            ctx: &ctx,
            node: Some(plan.root),
            at: &at,
            value,
        },
    );
    match written {
        // serde_json writes UTF-8 only.
        Ok(()) if !ctx.gave_up.get() => Some(CamelCaseJson {
            text: String::from_utf8(text).ok()?,
            bytes: ctx.bytes.into_inner(),
        }),
        _ => None,
    }
}

/// A value to be written along `node` (`None`: as it is), at `at`.
struct Along<'c, 'a, T: ?Sized> {
    ctx: &'c Ctx<'c>,
    node: Option<usize>,
    at: &'a At<'a>,
    value: &'a T,
}

impl<T: Serialize + ?Sized> Serialize for Along<'_, '_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Camel {
            ctx: self.ctx,
            node: self.node,
            at: self.at,
            inner: s,
        })
    }
}

/// The serializer that renames: the declared fields of the node's objects in camelCase, a
/// bytes string decoded and set apart (`null` in the text), everything else as `inner` writes
/// it (numbers as JSON values hold them: an `f32` widened to `f64`). Without a node, nothing is
/// renamed below.
struct Camel<'c, 'a, S> {
    ctx: &'c Ctx<'c>,
    node: Option<usize>,
    at: &'a At<'a>,
    inner: S,
}

/// An object being written: its node, and the key written last (for its value).
struct Object<'c, 'a, M> {
    ctx: &'c Ctx<'c>,
    node: Option<usize>,
    at: &'a At<'a>,
    inner: M,
    key: Option<(Cow<'c, str>, Option<usize>)>,
}

/// A list being written: its items' node.
struct List<'c, 'a, M> {
    ctx: &'c Ctx<'c>,
    items: Option<usize>,
    at: &'a At<'a>,
    inner: M,
    index: usize,
}

macro_rules! forward {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<S::Ok, S::Error> {
            self.inner.$method(v)
        }
    )*};
}

impl<'c, 'a, S: Serializer> Serializer for Camel<'c, 'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = List<'c, 'a, S::SerializeSeq>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
    type SerializeMap = Object<'c, 'a, S::SerializeMap>;
    type SerializeStruct = Object<'c, 'a, S::SerializeMap>;
    type SerializeStructVariant = Impossible<S::Ok, S::Error>;

    forward!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
    );

    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_f64(f64::from(v))
    }

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        if self.node.is_some_and(|n| self.ctx.plan.nodes[n].bytes) {
            use base64::Engine as _;
            if let Ok(data) = base64::engine::general_purpose::STANDARD.decode(v) {
                self.ctx.bytes.borrow_mut().push((self.at.pointer(), data));
                return self.inner.serialize_unit();
            }
        }
        self.inner.serialize_str(v)
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(self.ctx.give_up())
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Ok(List {
            ctx: self.ctx,
            items: self.node.and_then(|n| self.ctx.plan.nodes[n].items),
            at: self.at,
            inner: self.inner.serialize_seq(len)?,
            index: 0,
        })
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
        Err(self.ctx.give_up())
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        Err(self.ctx.give_up())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        Err(self.ctx.give_up())
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Ok(Object {
            ctx: self.ctx,
            node: self.node,
            at: self.at,
            inner: self.inner.serialize_map(len)?,
            key: None,
        })
    }

    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        Err(self.ctx.give_up())
    }
}

impl<'c, M: ser::SerializeMap> Object<'c, '_, M> {
    /// Write `key` (renamed when declared) and keep its value's name and node.
    fn key(&mut self, key: Cow<'c, str>) -> Result<(), M::Error> {
        let plan: &'c Plan = self.ctx.plan;
        let (name, child) = match self.node.map(|n| &plan.nodes[n]) {
            None => (key, None),
            Some(node) => match node.prop(&key) {
                Some(prop) => (
                    Cow::Borrowed(prop.bytes_name.as_deref().unwrap_or(&prop.camel)),
                    Some(prop.node),
                ),
                None => (key, node.extra),
            },
        };
        self.inner.serialize_key(&*name)?;
        self.key = Some((name, child));
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), M::Error> {
        let Some((name, node)) = self.key.take() else {
            return Err(M::Error::custom("a map value without its key"));
        };
        let at = At::Field(self.at, &name);
        self.inner.serialize_value(&Along {
            ctx: self.ctx,
            node,
            at: &at,
            value: v,
        })
    }
}

impl<M: ser::SerializeMap> ser::SerializeMap for Object<'_, '_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), M::Error> {
        match key.serialize(KeyText) {
            Ok(key) => self.key(Cow::Owned(key)),
            Err(_) => Err(self.ctx.give_up()),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), M::Error> {
        self.value(v)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.inner.end()
    }
}

impl<M: ser::SerializeMap> ser::SerializeStruct for Object<'_, '_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), M::Error> {
        self.key(Cow::Borrowed(key))?;
        self.value(v)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.inner.end()
    }
}

impl<M: ser::SerializeSeq> ser::SerializeSeq for List<'_, '_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), M::Error> {
        let at = At::Index(self.at, self.index);
        self.index += 1;
        self.inner.serialize_element(&Along {
            ctx: self.ctx,
            node: self.items,
            at: &at,
            value: v,
        })
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.inner.end()
    }
}

/// A map key as the text JSON writes it (a string, or a number or bool as text); any other
/// key is an error.
struct KeyText;

#[derive(Debug)]
struct NotText;

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map key that is not text")
    }
}

impl std::error::Error for NotText {}

impl ser::Error for NotText {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotText
    }
}

macro_rules! key_to_string {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<String, NotText> {
            Ok(v.to_string())
        }
    )*};
}

impl Serializer for KeyText {
    type Ok = String;
    type Error = NotText;
    type SerializeSeq = Impossible<String, NotText>;
    type SerializeTuple = Impossible<String, NotText>;
    type SerializeTupleStruct = Impossible<String, NotText>;
    type SerializeTupleVariant = Impossible<String, NotText>;
    type SerializeMap = Impossible<String, NotText>;
    type SerializeStruct = Impossible<String, NotText>;
    type SerializeStructVariant = Impossible<String, NotText>;

    key_to_string!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_char(char),
        serialize_str(&str),
    );

    fn serialize_f32(self, _: f32) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_f64(self, _: f64) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_none(self) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_unit(self) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, NotText> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<String, NotText> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, NotText> {
        Err(NotText)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotText> {
        Err(NotText)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotText> {
        Err(NotText)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotText> {
        Err(NotText)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotText> {
        Err(NotText)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotText> {
        Err(NotText)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotText> {
        Err(NotText)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotText> {
        Err(NotText)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::{operation, result_to_camel_case_json, Base64};

    /// Both ways of writing a result give the same object and the same bytes.
    fn same<T: serde::Serialize>(op: &str, value: &T) {
        let op = operation(op).expect("op");
        let typed = super::super::typed_result_to_camel_case_json(op, value)
            .expect("written the short way");
        let by_value = result_to_camel_case_json(op, &serde_json::to_value(value).expect("json"));
        let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).expect("json text");
        assert_eq!(parse(&typed.text), parse(&by_value.text), "{}", op.name);
        let mut a = typed.bytes.clone();
        let mut b = by_value.bytes.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{}", op.name);
    }

    #[test]
    fn a_typed_result_is_written_as_its_json_value_is() {
        same(
            "zignsec.signing_status",
            &json!({"status": "Finished", "signed_documents": [{"document_id": "d"}],
                    "relay_state": null, "extra": {"snake_key": 1.5}}),
        );
        #[derive(serde::Serialize)]
        struct Key {
            label: String,
            der_base64: Base64,
            attributes: std::collections::BTreeMap<String, bool>,
            f: f32,
        }
        same(
            "securosys.public_key",
            &Key {
                label: "k~/1".into(),
                der_base64: Base64(vec![1, 2, 3]),
                attributes: [("sign_x".to_string(), true)].into(),
                f: 0.1,
            },
        );
        #[derive(serde::Serialize)]
        struct Download {
            documents: Vec<Doc>,
        }
        #[derive(serde::Serialize)]
        struct Doc {
            file_name: String,
            content_base64: Base64,
        }
        same(
            "zignsec.download",
            &Download {
                documents: vec![
                    Doc {
                        file_name: "a.pdf".into(),
                        content_base64: Base64(b"%PDF-1".to_vec()),
                    },
                    Doc {
                        file_name: "b.pdf".into(),
                        content_base64: Base64(Vec::new()),
                    },
                ],
            },
        );
    }

    #[test]
    fn a_shape_it_does_not_take_is_left_to_the_longer_way() {
        #[derive(serde::Serialize)]
        enum Outcome {
            Done { at: u32 },
        }
        let op = operation("zignsec.signing_status").expect("op");
        assert!(
            super::super::typed_result_to_camel_case_json(op, &Outcome::Done { at: 1 }).is_none()
        );
    }
}
