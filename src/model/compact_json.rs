//! `CompactJson`: a JSON value held in one flat buffer, for the facts a
//! fleet's members keep until the group rules run.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value as Json};
use std::fmt;

/// A JSON value encoded in one exactly sized allocation. A tree of values
/// (a map or a boxed slice per object, a string per key and per text) cost
/// each member of a fleet about 7 KB for 2.5 KB of JSON, in hundreds of
/// small allocations it holds until the group rules run; the encoding is
/// about the size of the JSON text. Read it with [`CompactJson::view`];
/// serialized as the JSON it holds.
#[derive(Clone, PartialEq)]
pub struct CompactJson(Box<[u8]>);

/// One value of a [`CompactJson`], borrowing its strings.
#[derive(Debug, Clone)]
pub enum View<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(&'a str),
    Array(Items<'a>),
    Object(Entries<'a>),
}

// The encoding: a tag byte, then for a number its 8 bytes, for a string its
// length and bytes, for an array or object its count, the byte length of
// its contents (so that a reader steps over it) and the items, or the
// entries as key (length and bytes) and value, in the order serde_json
// iterates them. Lengths and counts are LEB128.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const POS_INT: u8 = 3;
const NEG_INT: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

impl CompactJson {
    /// An object of the given entries, in the given order.
    pub fn object<'j>(entries: impl IntoIterator<Item = (&'j str, &'j Json)>) -> CompactJson {
        let entries: Vec<_> = entries.into_iter().collect();
        let mut out = Vec::new();
        write_container(&mut out, OBJECT, entries.len(), |out| {
            for (key, value) in &entries {
                write_str(out, key);
                write(out, value);
            }
        });
        CompactJson(out.into_boxed_slice())
    }

    /// The value, read in place.
    pub fn view(&self) -> View<'_> {
        read(&self.0).0
    }
}

impl From<&Json> for CompactJson {
    fn from(json: &Json) -> CompactJson {
        let mut out = Vec::new();
        write(&mut out, json);
        CompactJson(out.into_boxed_slice())
    }
}

impl From<&CompactJson> for Json {
    fn from(compact: &CompactJson) -> Json {
        Json::from(compact.view())
    }
}

impl From<View<'_>> for Json {
    fn from(view: View<'_>) -> Json {
        match view {
            View::Null => Json::Null,
            View::Bool(b) => Json::Bool(b),
            View::Number(n) => Json::Number(n),
            View::String(s) => Json::String(s.to_string()),
            View::Array(items) => Json::Array(items.map(Json::from).collect()),
            View::Object(entries) => Json::Object(
                entries
                    .map(|(k, v)| (k.to_string(), Json::from(v)))
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}

impl fmt::Debug for CompactJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Json::from(self))
    }
}

/// Through serde_json's value, so that a shard report writes exactly what
/// it wrote before (only shard reports serialize members).
impl Serialize for CompactJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Json::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CompactJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CompactJson, D::Error> {
        Json::deserialize(deserializer).map(|json| CompactJson::from(&json))
    }
}

/// The items of an array, read one after another.
#[derive(Debug, Clone)]
pub struct Items<'a> {
    left: usize,
    bytes: &'a [u8],
}

impl<'a> Iterator for Items<'a> {
    type Item = View<'a>;

    fn next(&mut self) -> Option<View<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (value, rest) = read(self.bytes);
        self.bytes = rest;
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// The entries of an object, read one after another.
#[derive(Debug, Clone)]
pub struct Entries<'a> {
    left: usize,
    bytes: &'a [u8],
}

impl ExactSizeIterator for Entries<'_> {}

impl<'a> Entries<'a> {
    /// The value at `key`: the other entries' keys are compared as bytes
    /// and their values stepped over, not read.
    pub fn get(self, key: &str) -> Option<View<'a>> {
        let mut bytes = self.bytes;
        for _ in 0..self.left {
            let (len, rest) = read_len(bytes);
            let (name, rest) = rest.split_at(len);
            if name == key.as_bytes() {
                return Some(read(rest).0);
            }
            bytes = skip(rest);
        }
        None
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a str, View<'a>);

    fn next(&mut self) -> Option<(&'a str, View<'a>)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (key, rest) = read_str(self.bytes);
        let (value, rest) = read(rest);
        self.bytes = rest;
        Some((key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

fn write(out: &mut Vec<u8>, json: &Json) {
    match json {
        Json::Null => out.push(NULL),
        Json::Bool(false) => out.push(FALSE),
        Json::Bool(true) => out.push(TRUE),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(POS_INT);
                out.extend(u.to_le_bytes());
            } else if let Some(i) = n.as_i64() {
                out.push(NEG_INT);
                out.extend(i.to_le_bytes());
            } else {
                out.push(FLOAT);
                out.extend(n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
            }
        }
        Json::String(s) => {
            out.push(STRING);
            write_str(out, s);
        }
        Json::Array(items) => write_container(out, ARRAY, items.len(), |out| {
            for item in items {
                write(out, item);
            }
        }),
        Json::Object(map) => write_container(out, OBJECT, map.len(), |out| {
            for (key, value) in map {
                write_str(out, key);
                write(out, value);
            }
        }),
    }
}

/// Tag, count, byte length of what `contents` writes, then that.
fn write_container(out: &mut Vec<u8>, tag: u8, count: usize, contents: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    contents(&mut inner);
    out.push(tag);
    write_len(out, count);
    write_len(out, inner.len());
    out.extend(inner);
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    write_len(out, s.len());
    out.extend(s.as_bytes());
}

fn write_len(out: &mut Vec<u8>, mut len: usize) {
    while len >= 0x80 {
        out.push((len as u8) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
}

// The readers below read only what `write` wrote; a slice out of range or
// a string that is not UTF-8 would be a bug in this module.

fn read(bytes: &[u8]) -> (View<'_>, &[u8]) {
    let (tag, rest) = (bytes[0], &bytes[1..]);
    match tag {
        NULL => (View::Null, rest),
        FALSE => (View::Bool(false), rest),
        TRUE => (View::Bool(true), rest),
        POS_INT | NEG_INT | FLOAT => {
            let (number, rest) = rest.split_at(8);
            let number: [u8; 8] = number.try_into().expect("8 bytes");
            let number = match tag {
                POS_INT => Number::from(u64::from_le_bytes(number)),
                NEG_INT => Number::from(i64::from_le_bytes(number)),
                _ => Number::from_f64(f64::from_le_bytes(number)).expect("JSON numbers are finite"),
            };
            (View::Number(number), rest)
        }
        STRING => {
            let (s, rest) = read_str(rest);
            (View::String(s), rest)
        }
        ARRAY | OBJECT => {
            let (left, rest) = read_len(rest);
            let (size, rest) = read_len(rest);
            let (bytes, rest) = rest.split_at(size);
            let view = if tag == ARRAY {
                View::Array(Items { left, bytes })
            } else {
                View::Object(Entries { left, bytes })
            };
            (view, rest)
        }
        _ => unreachable!("CompactJson tag {tag} was never written"),
    }
}

/// What follows the value `bytes` starts with.
fn skip(bytes: &[u8]) -> &[u8] {
    let (tag, rest) = (bytes[0], &bytes[1..]);
    match tag {
        NULL | FALSE | TRUE => rest,
        POS_INT | NEG_INT | FLOAT => &rest[8..],
        STRING => {
            let (len, rest) = read_len(rest);
            &rest[len..]
        }
        ARRAY | OBJECT => {
            let (_, rest) = read_len(rest);
            let (size, rest) = read_len(rest);
            &rest[size..]
        }
        _ => unreachable!("CompactJson tag {tag} was never written"),
    }
}

fn read_str(bytes: &[u8]) -> (&str, &[u8]) {
    let (len, rest) = read_len(bytes);
    let (s, rest) = rest.split_at(len);
    (
        std::str::from_utf8(s).expect("CompactJson holds UTF-8 strings"),
        rest,
    )
}

fn read_len(bytes: &[u8]) -> (usize, &[u8]) {
    let mut len = 0;
    for (i, byte) in bytes.iter().enumerate() {
        len |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (len, &bytes[i + 1..]);
        }
    }
    unreachable!("CompactJson lengths end in a byte below 0x80")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn it_holds_and_writes_the_json_it_was_made_from() {
        let long = "x".repeat(300);
        let json = json!({"b": [1, -2, 1.5, 18446744073709551615u64, -9223372036854775808i64,
                                "x", null, true, false, long],
                          "a": {"source": {"file": "f", "line": 3}}, "c": {}, "d": [],
                          "é": "ü"});
        let compact = CompactJson::from(&json);
        assert_eq!(Json::from(&compact), json);
        assert_eq!(
            serde_json::to_string_pretty(&compact).unwrap(),
            serde_json::to_string_pretty(&json).unwrap()
        );
        let back: CompactJson = serde_json::from_str(&json.to_string()).unwrap();
        assert_eq!(back, compact);
        for scalar in [json!(null), json!(7), json!(-7), json!(0.25), json!("s")] {
            assert_eq!(Json::from(&CompactJson::from(&scalar)), scalar);
        }
    }

    #[test]
    fn an_object_keeps_its_entries_in_the_order_given() {
        let (one, two) = (json!(1), json!({"z": [2]}));
        let compact = CompactJson::object([("b", &one), ("a", &two)]);
        let View::Object(entries) = compact.view() else {
            panic!("an object")
        };
        let keys: Vec<&str> = entries.map(|(k, _)| k).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(Json::from(&compact), json!({"a": {"z": [2]}, "b": 1}));
    }

    #[test]
    fn it_takes_about_the_room_of_its_json_text() {
        let json = json!({"hostname": "cmp-s2-a-k0003", "role": "cmp", "labels": {},
                          "versions": {"fup": "2.2.9", "tpd": "7.0.1.0.0_86.20.0"},
                          "collected_epoch": 1795161600, "upgraded_at": null});
        let compact = CompactJson::from(&json);
        assert!(compact.0.len() <= json.to_string().len() + 16);
    }

    #[test]
    fn an_entry_is_found_by_its_key_past_values_of_every_kind() {
        let json = json!({"n": null, "f": false, "t": true, "i": 7, "neg": -7, "x": 0.5,
                          "s": "text", "a": [1, [2], {"k": 3}], "o": {"k": {"kk": 4}},
                          "é": "ü", "last": "end"});
        let compact = CompactJson::from(&json);
        let View::Object(entries) = compact.view() else {
            panic!("an object")
        };
        for (key, value) in json.as_object().unwrap() {
            let found = entries.clone().get(key).map(Json::from);
            assert_eq!(found.as_ref(), Some(value), "{key}");
        }
        assert!(entries.clone().get("k").is_none());
        assert!(entries.get("").is_none());
    }
}
