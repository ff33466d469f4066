//! The fixed query mix: 20 queries over eight classes, each as our query language writes it and
//! as the two peers write the same question. The generated cables draw their words from the
//! corpus's 5,000 most frequent words, so even the "rare" words of the mix are in a few percent
//! of the cables; the selective queries are the phrases, conjunctions and narrow filters.

use crate::peers::{PeerFilter, PeerQuery};

/// One query of the mix.
#[derive(Debug, Clone)]
pub struct MixQuery {
    /// `rare word`, `common word`, `phrase`, `boolean`, `field filters`, `date range`,
    /// `facet-heavy` or `prefix`.
    pub class: &'static str,
    /// The query in our language (QUERY.md).
    pub ours: &'static str,
    /// The same question for SQLite FTS5 and PostgreSQL.
    pub peer: PeerQuery,
}

fn q(
    class: &'static str,
    ours: &'static str,
    fts5: Option<&'static str>,
    tsquery: Option<&'static str>,
    filter: PeerFilter,
) -> MixQuery {
    MixQuery {
        class,
        ours,
        peer: PeerQuery {
            fts5,
            tsquery,
            filter,
        },
    }
}

fn none() -> PeerFilter {
    PeerFilter::default()
}

/// The 20 queries, in a fixed order.
pub fn mix() -> Vec<MixQuery> {
    vec![
        q(
            "rare word",
            "breakfast",
            Some("breakfast"),
            Some("websearch_to_tsquery('english', 'breakfast')"),
            none(),
        ),
        q(
            "rare word",
            "Interpol",
            Some("Interpol"),
            Some("websearch_to_tsquery('english', 'Interpol')"),
            none(),
        ),
        q(
            "common word",
            "nuclear",
            Some("nuclear"),
            Some("websearch_to_tsquery('english', 'nuclear')"),
            none(),
        ),
        q(
            "common word",
            "minister",
            Some("minister"),
            Some("websearch_to_tsquery('english', 'minister')"),
            none(),
        ),
        q(
            "phrase",
            "\"human rights\"",
            Some("\"human rights\""),
            Some("websearch_to_tsquery('english', '\"human rights\"')"),
            none(),
        ),
        q(
            "phrase",
            "\"prime minister\"",
            Some("\"prime minister\""),
            Some("websearch_to_tsquery('english', '\"prime minister\"')"),
            none(),
        ),
        q(
            "boolean",
            "Interpol kidnapping",
            Some("Interpol AND kidnapping"),
            Some("websearch_to_tsquery('english', 'Interpol kidnapping')"),
            none(),
        ),
        q(
            "boolean",
            "iran OR iraq -tag:PREL",
            Some("iran OR iraq"),
            Some("websearch_to_tsquery('english', 'iran or iraq')"),
            PeerFilter {
                not_tag: Some("PREL"),
                ..none()
            },
        ),
        q(
            "boolean",
            "nuclear -sanctions",
            Some("nuclear NOT sanctions"),
            Some("websearch_to_tsquery('english', 'nuclear -sanctions')"),
            none(),
        ),
        q(
            "field filters",
            "tag:PREL",
            None,
            None,
            PeerFilter {
                tag: Some("PREL"),
                ..none()
            },
        ),
        q(
            "field filters",
            "from:PARIS date:2009",
            None,
            None,
            PeerFilter {
                origin: Some("PARIS"),
                date_from: Some("2009-01-01"),
                date_to: Some("2009-12-31"),
                ..none()
            },
        ),
        q(
            "field filters",
            "subject:elections",
            Some("subject : elections"),
            Some("to_tsquery('english', 'elections:A')"),
            none(),
        ),
        q(
            "field filters",
            "class>=SECRET caveat:NOFORN",
            None,
            None,
            PeerFilter {
                classification_in: &["SECRET", "TOP SECRET"],
                caveat: Some("NOFORN"),
                ..none()
            },
        ),
        q(
            "date range",
            "date:[2008-01-01 TO 2008-06-30] tag:PGOV",
            None,
            None,
            PeerFilter {
                tag: Some("PGOV"),
                date_from: Some("2008-01-01"),
                date_to: Some("2008-06-30"),
                ..none()
            },
        ),
        q(
            "date range",
            "nuclear date:[2005-01-01 TO 2005-12-31]",
            Some("nuclear"),
            Some("websearch_to_tsquery('english', 'nuclear')"),
            PeerFilter {
                date_from: Some("2005-01-01"),
                date_to: Some("2005-12-31"),
                ..none()
            },
        ),
        q("facet-heavy", "", None, None, none()),
        q(
            "facet-heavy",
            "date:[2001-01-01 TO 2010-12-31]",
            None,
            None,
            PeerFilter {
                date_from: Some("2001-01-01"),
                date_to: Some("2010-12-31"),
                ..none()
            },
        ),
        q(
            "facet-heavy",
            "government",
            Some("government"),
            Some("websearch_to_tsquery('english', 'government')"),
            none(),
        ),
        q(
            "prefix",
            "minist*",
            Some("minist*"),
            Some("to_tsquery('english', 'minist:*')"),
            none(),
        ),
        q(
            "prefix",
            "sanction*",
            Some("sanction*"),
            Some("to_tsquery('english', 'sanction:*')"),
            none(),
        ),
    ]
}
