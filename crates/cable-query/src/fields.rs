//! Field names: the canonical name of each field (the JSON contract's vocabulary), its aliases,
//! what kind of value it takes, and "did you mean" suggestions for misspellings.

use std::fmt;

/// A field a query can name. Names are case-insensitive and `_` may stand for `-`
/// (`classified_by:` is `classified-by:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Id,
    Tag,
    From,
    To,
    Info,
    Classification,
    Caveat,
    Caption,
    Precedence,
    Date,
    Subject,
    Signer,
    ClassifiedBy,
    Declassify,
    Cites,
    CitedBy,
    Marking,
    Has,
}

/// What a field's value is; decides which forms (`*`, comparisons, ranges) it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// A word (with `*` allowed) or a phrase.
    Text,
    /// A cable id.
    Id,
    /// A classification level: comparisons and ranges.
    Level,
    /// A precedence: comparisons and ranges.
    Precedence,
    /// A date: comparisons and ranges.
    Date,
    /// A date, or a declassification code.
    Declassify,
    /// A portion marking: comparisons on its level and ranges.
    Marking,
    /// A `has:` flag.
    Flag,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Id,
        Field::Tag,
        Field::From,
        Field::To,
        Field::Info,
        Field::Classification,
        Field::Caveat,
        Field::Caption,
        Field::Precedence,
        Field::Date,
        Field::Subject,
        Field::Signer,
        Field::ClassifiedBy,
        Field::Declassify,
        Field::Cites,
        Field::CitedBy,
        Field::Marking,
        Field::Has,
    ];

    /// The canonical name, used in the canonical query text.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Tag => "tag",
            Field::From => "from",
            Field::To => "to",
            Field::Info => "info",
            Field::Classification => "classification",
            Field::Caveat => "caveat",
            Field::Caption => "caption",
            Field::Precedence => "precedence",
            Field::Date => "date",
            Field::Subject => "subject",
            Field::Signer => "signer",
            Field::ClassifiedBy => "classified-by",
            Field::Declassify => "declassify",
            Field::Cites => "cites",
            Field::CitedBy => "cited-by",
            Field::Marking => "marking",
            Field::Has => "has",
        }
    }

    /// Other accepted names (lower case, with `-`).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Tag => &["tags"],
            Field::From => &["origin"],
            Field::Classification => &["class"],
            Field::Caveat => &["caveats"],
            Field::Caption => &["captions"],
            Field::Signer => &["signature"],
            Field::Declassify => &["declassify-on"],
            Field::Marking => &["markings"],
            _ => &[],
        }
    }

    /// The field with this name or alias: case-insensitive, `_` for `-`.
    pub fn from_name(name: &str) -> Option<Field> {
        let key = name.to_ascii_lowercase().replace('_', "-");
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.name() == key || f.aliases().contains(&key.as_str()))
    }

    /// Whether the field's values have an order (`>=`, `<`, ranges).
    pub fn is_ordered(self) -> bool {
        matches!(
            self.kind(),
            ValueKind::Level
                | ValueKind::Precedence
                | ValueKind::Date
                | ValueKind::Declassify
                | ValueKind::Marking
        )
    }

    pub(crate) fn kind(self) -> ValueKind {
        match self {
            Field::Id | Field::Cites | Field::CitedBy => ValueKind::Id,
            Field::Tag
            | Field::From
            | Field::To
            | Field::Info
            | Field::Caveat
            | Field::Caption
            | Field::Subject
            | Field::Signer
            | Field::ClassifiedBy => ValueKind::Text,
            Field::Classification => ValueKind::Level,
            Field::Precedence => ValueKind::Precedence,
            Field::Date => ValueKind::Date,
            Field::Declassify => ValueKind::Declassify,
            Field::Marking => ValueKind::Marking,
            Field::Has => ValueKind::Flag,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The unknown field's nearest name: an edit distance of at most 2 (1 for names of two or three
/// letters), or a name it begins (`sub` → `subject`).
pub(crate) fn suggest_field(name: &str) -> Option<&'static str> {
    let key = name.to_ascii_lowercase().replace('_', "-");
    let names = Field::ALL
        .iter()
        .flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().copied()));
    if let Some(n) = nearest(&key, names.clone()) {
        return Some(n);
    }
    if key.len() >= 3 {
        return names.clone().find(|n| n.starts_with(&key));
    }
    None
}

/// The candidate nearest to `word` by edit distance, if it is near enough to be a typo.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    // One letter is too little to guess from; a typo of a short word is one edit.
    let limit = match word.chars().count() {
        0..=1 => 0,
        2..=3 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over characters, case-insensitive.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_resolve() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(*f));
            assert_eq!(Field::from_name(&f.name().to_uppercase()), Some(*f));
            for a in f.aliases() {
                assert_eq!(Field::from_name(a), Some(*f));
            }
        }
        assert_eq!(Field::from_name("Class"), Some(Field::Classification));
        assert_eq!(Field::from_name("CLASSIFIED_BY"), Some(Field::ClassifiedBy));
        assert_eq!(Field::from_name("cited_by"), Some(Field::CitedBy));
        assert_eq!(Field::from_name("frm"), None);
    }

    #[test]
    fn no_name_is_claimed_twice() {
        let mut all: Vec<&str> = Field::ALL
            .iter()
            .flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().copied()))
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest_field("frm"), Some("from"));
        assert_eq!(suggest_field("subjet"), Some("subject"));
        assert_eq!(suggest_field("sub"), Some("subject"));
        assert_eq!(suggest_field("clasification"), Some("classification"));
        assert_eq!(suggest_field("classifiedby"), Some("classified-by"));
        assert_eq!(suggest_field("xyzzy"), None);
        assert_eq!(suggest_field("q"), None);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("FROM", "from"), 0);
        assert_eq!(edit_distance("é", "e"), 1);
    }
}
