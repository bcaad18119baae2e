//! Normalised vocabularies: the fixed sets of words facts put vendor words
//! into (a Huawei patch state, a DMS PRSU status, a cluster patch file's
//! state). Each is an enum written as its words in facts and reports, so
//! the code matches variants while rules and JSON keep the words.

/// A normalised vocabulary: every value and the word facts write for it.
pub trait Vocabulary: Copy + Eq + 'static {
    /// Every value, in the order the vocabulary is documented.
    const ALL: &'static [Self];

    /// The word facts and reports show.
    fn as_str(self) -> &'static str;

    /// The value a fact's word names; `None` for a word not in the
    /// vocabulary.
    fn from_word(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == word)
    }
}

/// Declares a [`Vocabulary`] enum: each variant with the word facts write
/// for it. The enum serialises and deserialises as those words, describes
/// them in its JSON schema, and displays as them. Variants carry `//`
/// comments rather than doc comments, so that docs/facts.md lists the words
/// in their declared order; the field that holds one explains them.
///
/// ```ignore
/// vocabulary! {
///     /// The status of a PRSU on a DEST.
///     pub enum PrsuStatus {
///         Applied = "applied",
///         Removed = "removed",
///     }
/// }
/// ```
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            schemars::JsonSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in the order the vocabulary is documented.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word facts and reports show.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl $crate::model::vocabulary::Vocabulary for $name {
            const ALL: &'static [Self] = $name::ALL;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

#[cfg(test)]
pub(crate) mod testing {
    use super::Vocabulary;

    /// Checks that vocabulary `V` is exactly the normalised values of the
    /// `enum` column `field` of an input file's `[table]` (its `values` and
    /// its `other`), and that each value serialises as its word and back.
    pub fn assert_is_the_column_s<V>(input_file: &str, field: &str)
    where
        V: Vocabulary
            + serde::Serialize
            + serde::de::DeserializeOwned
            + std::fmt::Debug
            + std::fmt::Display,
    {
        let file: toml::Table = toml::from_str(input_file).unwrap();
        let column = file["table"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"].as_str() == Some(field))
            .unwrap_or_else(|| panic!("no column {field}"));
        let mut declared: Vec<&str> = column["values"]
            .as_table()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        declared.extend(column.get("other").and_then(toml::Value::as_str));
        declared.sort_unstable();
        declared.dedup();
        assert_words::<V>();
        let mut words: Vec<&str> = V::ALL.iter().map(|v| v.as_str()).collect();
        words.sort_unstable();
        assert_eq!(words, declared, "vocabulary of {field}");
    }

    /// Checks that each value serialises as its word and reads back from it.
    pub fn assert_words<V>()
    where
        V: Vocabulary
            + serde::Serialize
            + serde::de::DeserializeOwned
            + std::fmt::Debug
            + std::fmt::Display,
    {
        for &v in V::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
            assert_eq!(serde_json::from_value::<V>(v.as_str().into()).unwrap(), v);
            assert_eq!(V::from_word(v.as_str()), Some(v));
            assert_eq!(v.to_string(), v.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Vocabulary;

    vocabulary! {
        /// A vocabulary for the test.
        pub enum Light {
            Green = "green",
            /// A word that is not the variant's name in any case.
            Amber = "hd&ram",
        }
    }

    #[test]
    fn a_vocabulary_is_written_as_its_words() {
        super::testing::assert_words::<Light>();
        assert_eq!(Light::ALL, &[Light::Green, Light::Amber]);
        assert_eq!(Light::from_word("Green"), None);
        assert_eq!(
            serde_json::to_string(&[Light::Amber]).unwrap(),
            r#"["hd&ram"]"#
        );
    }
}
