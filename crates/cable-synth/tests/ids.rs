//! Ids are unique and canonical, serials unique per origin and year, and references point to
//! earlier cables of the same set (or, for a share, to cables outside it).

use std::collections::{HashMap, HashSet};

use cable_synth::generate;

#[test]
fn ids_are_unique_and_canonical_over_ten_thousand() {
    let mut ids = HashSet::new();
    let mut serials = HashSet::new();
    for c in generate(2024, 10_000) {
        let (year, origin, serial) =
            cable_format::id::split_id(&c.id).unwrap_or_else(|| panic!("not an id: {}", c.id));
        assert_eq!(origin, c.origin, "{}", c.id);
        assert!(cable_format::tables::is_station(origin), "{}", c.id);
        assert_eq!(
            cable_format::id::canonical_id(year, origin, serial).as_deref(),
            Some(c.id.as_str()),
            "{} is not in canonical form",
            c.id
        );
        assert_eq!(
            c.id[..2],
            c.date[2..4],
            "the id's year is the date's: {}",
            c.id
        );
        assert!(serials.insert((origin.to_string(), year, serial.to_string())));
        assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
    }
}

#[test]
fn references_cite_earlier_cables_of_the_set() {
    let all: Vec<_> = generate(77, 3000).collect();
    let by_id: HashMap<&str, usize> = all.iter().map(|c| (c.id.as_str(), c.index)).collect();
    let (mut inside, mut outside) = (0, 0);
    for c in &all {
        assert_eq!(c.references.len(), c.cited.len());
        let mut seen = HashSet::new();
        for (id, cited) in c.references.iter().zip(&c.cited) {
            assert!(seen.insert(id), "{} cites {id} twice", c.id);
            match cited {
                Some(j) => {
                    inside += 1;
                    assert!(*j < c.index, "{} cites a later cable", c.id);
                    assert_eq!(&all[*j].id, id);
                    assert!(
                        all[*j].date[..10] <= c.date[..10],
                        "{} cites a later day",
                        c.id
                    );
                }
                None => {
                    outside += 1;
                    assert!(
                        !by_id.contains_key(id.as_str()),
                        "{id} is in the set after all"
                    );
                }
            }
        }
    }
    assert!(inside > 2000, "{inside} references inside the set");
    assert!(outside > 100, "{outside} references outside the set");
}
