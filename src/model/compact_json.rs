//! `CompactJson`: a JSON value held without serde_json's slack, for the
//! facts a fleet's members keep until the group rules run.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value as Json};

/// A JSON value stored compactly: an object is a boxed slice of its entries
/// in key order, strings and lists are exactly sized. serde_json's map is a
/// B-tree whose every node has room for eleven entries (about 600 bytes for
/// a two-entry `source`); each member of a fleet holds its identity and the
/// facts group rules read from its evaluation to the group rules, so that
/// room was most of the members' memory. Serialized as the JSON it holds.
#[derive(Debug, Clone, PartialEq)]
pub enum CompactJson {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Array(Box<[CompactJson]>),
    Object(Box<[(Box<str>, CompactJson)]>),
}

impl From<&Json> for CompactJson {
    fn from(json: &Json) -> CompactJson {
        match json {
            Json::Null => CompactJson::Null,
            Json::Bool(b) => CompactJson::Bool(*b),
            Json::Number(n) => CompactJson::Number(n.clone()),
            Json::String(s) => CompactJson::String(s.as_str().into()),
            Json::Array(items) => CompactJson::Array(items.iter().map(CompactJson::from).collect()),
            Json::Object(map) => CompactJson::Object(
                map.iter()
                    .map(|(k, v)| (k.as_str().into(), CompactJson::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<&CompactJson> for Json {
    fn from(compact: &CompactJson) -> Json {
        match compact {
            CompactJson::Null => Json::Null,
            CompactJson::Bool(b) => Json::Bool(*b),
            CompactJson::Number(n) => Json::Number(n.clone()),
            CompactJson::String(s) => Json::String(s.to_string()),
            CompactJson::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            CompactJson::Object(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), Json::from(v)))
                    .collect::<Map<_, _>>(),
            ),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn it_holds_and_writes_the_json_it_was_made_from() {
        let json = json!({"b": [1, -2, 1.5, 18446744073709551615u64, "x", null, true],
                          "a": {"source": {"file": "f", "line": 3}}, "c": {}, "d": []});
        let compact = CompactJson::from(&json);
        assert_eq!(Json::from(&compact), json);
        assert_eq!(
            serde_json::to_string_pretty(&compact).unwrap(),
            serde_json::to_string_pretty(&json).unwrap()
        );
        let back: CompactJson = serde_json::from_str(&json.to_string()).unwrap();
        assert_eq!(back, compact);
    }

    #[test]
    fn it_is_smaller_than_serde_jsons_value() {
        assert!(std::mem::size_of::<CompactJson>() <= std::mem::size_of::<Json>());
    }
}
