//! A group member's facts lent to CEL: [`lend`] converts a
//! [`CompactJson`](crate::model::compact_json) value, each object in it a
//! [`LentObject`] read in place as a CEL map.
//!
//! A fleet-scope rule sees every member of the fleet. Converting each
//! member's facts into the interpreter's maps copied the fleet's facts once
//! per rule (a hash map, a key and a boxed value per entry), which cost
//! more memory than the facts themselves and kept those rules from running
//! side by side. A `LentObject` is a slice of the member's buffer: an entry
//! is found by reading the object's entries in order (member objects have a
//! few dozen entries at most) and is converted only when a rule reads it.

use super::expr::number;
use super::shared::shared;
use crate::model::compact_json::{Entries, View};
use cel::ExecutionError;
use cel::common::traits::{self, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{
    self, CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt, Type,
};
use cel::common::value::{CowVal, Val};
use serde_json::{Map as JsonMap, Value as Json};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Like [`to_bound`](super::expr::to_bound) of the JSON a
/// [`CompactJson`](crate::model::compact_json::CompactJson) holds, lending its
/// strings instead of copying them, and its objects as [`LentObject`]s read
/// in place: for values that live shorter than the facts they come from.
pub fn lend(json: View<'_>) -> Box<dyn Val + '_> {
    match json {
        View::Null => Box::new(CelNull),
        View::Bool(b) => Box::new(CelBool::from(b)),
        View::Number(n) => number(&n),
        View::String(s) => Box::new(CelString::from(s)),
        View::Array(items) => shared(CelList::from(items.map(lend).collect::<Vec<_>>())),
        View::Object(entries) => Box::new(LentObject::new(entries)),
    }
}

/// A map of facts, as [`lend`] converts an object, in the interpreter's
/// own form: for a group member's picked facts.
pub fn lend_map<'a>(entries: impl Iterator<Item = (&'a str, View<'a>)>) -> Box<dyn Val + 'a> {
    shared(CelMap::from(
        entries
            .map(|(k, v)| (CelMapKey::from(k), lend(v)))
            .collect::<HashMap<_, _>>(),
    ))
}

/// Like [`to_bound`](super::expr::to_bound), lending the strings of `json`
/// and its objects as [`LentObject`]s read in place: for a node's facts,
/// which outlive the rules that read them.
pub fn lend_json(json: &Json) -> Box<dyn Val + '_> {
    match json {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => number(n),
        Json::String(s) => Box::new(CelString::from(s.as_str())),
        Json::Array(items) => shared(CelList::from(
            items.iter().map(lend_json).collect::<Vec<_>>(),
        )),
        Json::Object(map) => Box::new(LentObject {
            object: Object::Json(map),
            keys: OnceLock::new(),
        }),
    }
}

/// A map whose keys are the object's keys (strings) and whose values are
/// its values as [`lend`] or [`lend_json`] converts them. It answers as the
/// interpreter's own map of the same entries does: `[k]`, `.f`, `has()`,
/// `in`, `size()`, `==` and the comprehensions (over its keys, in the
/// object's order), with the same errors. The interpreter's own map equals
/// only its own maps: rules compare both ways (see
/// [`SYMMETRIC_EQUALS`](super::expr::SYMMETRIC_EQUALS)).
#[derive(Debug, Clone)]
pub struct LentObject<'a> {
    object: Object<'a>,
    /// The keys as CEL strings, made when a comprehension first iterates.
    keys: OnceLock<Vec<CelString<'a>>>,
}

/// Where the object lies.
#[derive(Debug, Clone)]
enum Object<'a> {
    Compact(Entries<'a>),
    Json(&'a JsonMap<String, Json>),
}

impl<'a> LentObject<'a> {
    pub fn new(entries: Entries<'a>) -> LentObject<'a> {
        LentObject {
            object: Object::Compact(entries),
            keys: OnceLock::new(),
        }
    }

    /// The value at `key`, lent.
    fn find(&self, key: &dyn Val) -> Option<Box<dyn Val + 'a>> {
        let key = key.downcast_ref::<CelString>()?.inner();
        match &self.object {
            Object::Compact(entries) => entries.clone().get(key).map(lend),
            Object::Json(map) => map.get(key).map(lend_json),
        }
    }

    fn len(&self) -> usize {
        match &self.object {
            Object::Compact(entries) => entries.len(),
            Object::Json(map) => map.len(),
        }
    }

    /// Every (key, value), the value lent.
    fn entries(&self) -> Box<dyn Iterator<Item = (&'a str, Box<dyn Val + 'a>)> + 'a> {
        match self.object.clone() {
            Object::Compact(entries) => Box::new(entries.map(|(k, v)| (k, lend(v)))),
            Object::Json(map) => Box::new(map.iter().map(|(k, v)| (k.as_str(), lend_json(v)))),
        }
    }
}

/// A key that a map lookup accepts: any key type, or a double. Every key of
/// an object is a string, so a lookup with any other of them misses.
fn is_lookup_key(key: &dyn Val) -> bool {
    key.downcast_ref::<CelString>().is_some()
        || key.downcast_ref::<CelInt>().is_some()
        || key.downcast_ref::<CelUInt>().is_some()
        || key.downcast_ref::<CelBool>().is_some()
        || key.downcast_ref::<CelDouble>().is_some()
}

/// The interpreter's error for a key a map does not hold.
fn no_such_key(key: &dyn Val) -> ExecutionError {
    let key = if let Some(s) = key.downcast_ref::<CelString>() {
        s.inner().to_string()
    } else if let Some(i) = key.downcast_ref::<CelInt>() {
        i.inner().to_string()
    } else if let Some(u) = key.downcast_ref::<CelUInt>() {
        u.inner().to_string()
    } else if let Some(d) = key.downcast_ref::<CelDouble>() {
        d.inner().to_string()
    } else if let Some(b) = key.downcast_ref::<CelBool>() {
        b.inner().to_string()
    } else {
        String::new()
    };
    ExecutionError::NoSuchKey(Arc::new(key))
}

impl Val for LentObject<'_> {
    fn get_type(&self) -> &Type {
        &types::MAP_TYPE
    }

    fn cel_type() -> &'static Type {
        &types::MAP_TYPE
    }

    fn as_container(&self) -> Option<&dyn Container> {
        Some(self)
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        Some(self)
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        Some(self)
    }

    /// As the interpreter compares maps: the same keys, with equal values.
    fn equals(&self, other: &dyn Val) -> bool {
        if other.get_type() != self.get_type() {
            return false;
        }
        let (Some(size), Some(indexer)) = (other.as_sizer(), other.as_indexer()) else {
            return false;
        };
        *size.size().inner() == self.len() as i64
            && self.entries().all(|(name, value)| {
                (indexer.get(&CelString::from(name))).is_ok_and(|v| value.equals(&*v))
            })
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(self.clone())
    }
}

impl Indexer for LentObject<'_> {
    fn get<'b, 'v>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        match self.find(key) {
            Some(value) => Ok(CowVal::Owned(value)),
            None if is_lookup_key(key) => Err(no_such_key(key)),
            None => Err(ExecutionError::UnexpectedType {
                got: key.get_type().name().to_owned(),
                want: "map key".to_owned(),
            }),
        }
    }

    fn steal<'v>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        match self.find(key) {
            Some(value) => Ok(value),
            None if is_lookup_key(key) => Err(no_such_key(key)),
            None => Err(ExecutionError::UnsupportedKeyType(
                key.try_into().unwrap_or(cel::Value::Null),
            )),
        }
    }
}

impl Container for LentObject<'_> {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        if self.find(key).is_some() {
            Ok(true)
        } else if is_lookup_key(key) {
            Ok(false)
        } else {
            Err(ExecutionError::UnsupportedKeyType(
                key.try_into().unwrap_or(cel::Value::Null),
            ))
        }
    }
}

impl Iterable for LentObject<'_> {
    fn iter<'b, 'v>(&'b self) -> Box<dyn traits::Iterator<'b, 'v> + 'b>
    where
        Self: 'v,
    {
        let keys = self.keys.get_or_init(|| match self.object.clone() {
            Object::Compact(entries) => entries.map(|(k, _)| CelString::from(k)).collect(),
            Object::Json(map) => map.keys().map(|k| CelString::from(k.as_str())).collect(),
        });
        Box::new(Keys(keys.iter()))
    }
}

struct Keys<'b, 'a>(std::slice::Iter<'b, CelString<'a>>);

impl<'b, 'v, 'a: 'v> traits::Iterator<'b, 'v> for Keys<'b, 'a> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'v)> {
        self.0.next().map(|k| k as &dyn Val)
    }
}

impl Sizer for LentObject<'_> {
    fn size(&self) -> CelInt {
        (self.len() as i64).into()
    }
}

impl Zeroer for LentObject<'_> {
    fn is_zero_value(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::super::expr::{ExprError, compile, eval, to_bound, to_json};
    use super::*;
    use crate::model::compact_json::CompactJson;
    use cel::Value;
    use serde_json::{Value as Json, json};

    /// `src` over `f` bound as the interpreter's own maps and lent from a
    /// `CompactJson` and from JSON: the same value, or the same error.
    fn both_ways(src: &str, facts: &Json) -> Result<Value, ExprError> {
        let program = compile(src).unwrap();
        let root = super::super::functions::root_context();
        let mut own = root.new_inner_scope();
        own.add_variable_as_val("f", to_bound(facts));
        let expected = eval(&program, &own);
        let compact = CompactJson::from(facts);
        let mut lent = root.new_inner_scope();
        lent.add_variable_as_val("f", lend(compact.view()));
        assert_eq!(eval(&program, &lent), expected, "{src} (CompactJson)");
        let mut lent = root.new_inner_scope();
        lent.add_variable_as_val("f", lend_json(facts));
        assert_eq!(eval(&program, &lent), expected, "{src} (JSON)");
        expected
    }

    #[test]
    fn a_lent_object_answers_as_the_interpreter_s_map_does() {
        let facts = json!({
            "a": {"s": "x", "n": 2, "f": 1.5, "t": true, "z": null, "o": {"k": "v"}},
            "b": [{"k": 1}, {"k": 2}],
            "e": {},
        });
        let same = [
            ("f.a.s", Value::from("x")),
            ("f.a['s'] + f.a.o.k", Value::from("xv")),
            ("f.a.n * 2 + int(f.a.f)", Value::Int(5)),
            ("has(f.a.s) && !has(f.a.missing)", Value::Bool(true)),
            (
                "'s' in f.a && !('q' in f.a) && !(1 in f.a)",
                Value::Bool(true),
            ),
            (
                "size(f.a) == 6 && f.a.size() == 6 && size(f.e) == 0",
                Value::Bool(true),
            ),
            (
                "f.a.exists(k, k == 'o') && f.a.all(k, k != 'q')",
                Value::Bool(true),
            ),
            ("f.a.filter(k, k == 'n').size()", Value::Int(1)),
            (
                "f.b.map(i, i.k)",
                Value::List(vec![Value::Int(1), Value::Int(2)].into()),
            ),
            ("f.b.exists(i, i == {'k': 2})", Value::Bool(true)),
            (
                "f.a.o == {'k': 'v'} && f.a.o != {'k': 'w'}",
                Value::Bool(true),
            ),
            (
                "f.a.o == f.a.o && f.a != f.a.o && f.e == {}",
                Value::Bool(true),
            ),
            ("f.a.z == null && f.a.t", Value::Bool(true)),
            ("{'k': 'v'} == f.a.o", Value::Bool(true)),
            ("{'k': 2} in f.b", Value::Bool(true)),
            ("type(f.a) == map && type(f.b) == list", Value::Bool(true)),
            (
                "[f.a.o].map(m, m.k)",
                Value::List(vec![Value::from("v")].into()),
            ),
            ("{'m': f.a.o}.m.k", Value::from("v")),
            ("f.a.missing == 1 || true", Value::Bool(true)),
            // A container compared with a scalar literal, either way round.
            (
                "f.a.o != 'v' && !(f.a.o == null) && !(1 == f.b) && 'x' != f.a",
                Value::Bool(true),
            ),
            (
                "f.a.s in ['x', 1] && !(f.a.o in ['v', null]) && !(2 in f.b) && 'k' in f.a.o",
                Value::Bool(true),
            ),
        ];
        for (src, value) in same {
            assert_eq!(both_ways(src, &facts), Ok(value), "{src}");
        }
        for failing in [
            "f.a.missing",
            "f.a['missing']",
            "f.a[1]",
            "f.a[1.5]",
            "f.a[true]",
            "f.a[[1]]",
            "[1] in f.a",
            "f.a.s.x",
            "f.z.x",
            "has(f.a.s.x)",
        ] {
            assert!(both_ways(failing, &facts).is_err(), "{failing}");
        }
    }

    #[test]
    fn a_result_holding_lent_objects_converts_whole() {
        let facts = json!({"a": {"s": "x", "o": {"k": [1, {"d": 2}]}}});
        let whole = both_ways("f.a", &facts).unwrap();
        assert_eq!(to_json(&whole), facts["a"]);
        let listed = both_ways("[f.a.o, {'w': f.a}]", &facts).unwrap();
        assert_eq!(
            to_json(&listed),
            json!([facts["a"]["o"], {"w": facts["a"]}])
        );
    }
}
