//! The identity of every cable of a generated set: its date, origin, serial and id, computable for
//! any index in O(log years) without generating any other cable.
//!
//! A set of `count` cables is laid out in time: cable `i` sits at quantile `(i + 0.5) / count` of
//! the year mix ([`crate::stats::YEARS`], uniform within a year), so indices run in date order and
//! a cable can cite earlier cables by looking at smaller indices. Within a year, cable `i` gets a
//! slot of `stride` serial numbers of its own (`serial = (i - first) * stride + 1 + jitter`), so
//! no two cables of one year share a serial, whatever their origins: ids are unique by
//! construction, and serials still grow with time as real ones do.

use crate::data::{self, ORIGINS};
use crate::rng::{hash, stream, unit};
use crate::stats::{LAST_MONTH, YEARS};
use crate::time::{days_from_civil, Minute};

/// Serial numbers a year's cables spread over when the set is small (a mid-size embassy's year).
const SERIALS_PER_YEAR: u64 = 4000;
/// State's serials run higher than a post's (the Department sends many times more cables).
const STATE_SERIALS_PER_YEAR: u64 = 120_000;

/// One year of the set: its cables are the indices `first..first + n`.
#[derive(Debug, Clone)]
struct Segment {
    year: i16,
    start: Minute,
    minutes: i64,
    first: usize,
    n: usize,
    stride: u64,
    state_factor: u64,
}

/// Cumulative weights for origin choice, per era (posts close).
#[derive(Debug, Clone)]
struct OriginTable {
    /// (cumulative weight, origin index)
    cumulative: Vec<(u64, usize)>,
    total: u64,
}

impl OriginTable {
    fn for_year(year: i16) -> OriginTable {
        let mut cumulative = Vec::new();
        let mut total = 0;
        for (i, o) in ORIGINS.iter().enumerate() {
            let closed = data::CLOSED
                .iter()
                .any(|(s, y)| *s == o.station && year >= *y);
            // Posts without a routing indicator only appear in old cables (no VZCZC heading).
            if closed || (o.ri.is_none() && year >= crate::stats::MODERN_FROM) {
                continue;
            }
            total += u64::from(o.weight);
            cumulative.push((total, i));
        }
        OriginTable { cumulative, total }
    }

    fn target(&self, u: f64) -> u64 {
        ((u * self.total as f64) as u64).min(self.total - 1)
    }

    fn pick(&self, u: f64) -> usize {
        let k = self
            .cumulative
            .partition_point(|(c, _)| *c <= self.target(u));
        self.cumulative[k.min(self.cumulative.len() - 1)].1
    }

    /// The targets that pick `origin`: `lo..hi` (empty when the table leaves it out).
    fn range(&self, origin: usize) -> std::ops::Range<u64> {
        let mut lo = 0;
        for &(c, o) in &self.cumulative {
            if o == origin {
                return lo..c;
            }
            lo = c;
        }
        0..0
    }
}

/// Which earlier cables a citation looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Cables from this origin.
    From(usize),
    /// Cables from neither of these origins.
    NotFrom(usize, usize),
}

/// What every cable is, before its text exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub index: usize,
    pub year: i16,
    /// The DTG, to the minute.
    pub time: Minute,
    /// Index into [`ORIGINS`].
    pub origin: usize,
    pub serial: u64,
}

impl Identity {
    /// The canonical id: `09MADRID1234`.
    pub fn id(&self) -> String {
        format!(
            "{:02}{}{}",
            self.year.rem_euclid(100),
            ORIGINS[self.origin].station,
            self.serial
        )
    }
}

/// The layout of one generated set.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub count: usize,
    segments: Vec<Segment>,
    modern: OriginTable,
    old: Vec<(i16, OriginTable)>,
}

impl Plan {
    pub fn new(seed: u64, count: usize) -> Plan {
        let total: u64 = YEARS.iter().map(|(_, w)| u64::from(*w)).sum();
        let n = count as u128;
        let mut cum = 0u64;
        let mut segments = Vec::with_capacity(YEARS.len());
        let last = YEARS.len() - 1;
        for (k, &(year, w)) in YEARS.iter().enumerate() {
            // First index whose quantile (2i + 1) / 2n reaches cum / total, in exact integers.
            let first = first_index(cum, total, n);
            cum += u64::from(w);
            let end = first_index(cum, total, n);
            let start = days_from_civil(i32::from(year), 1, 1);
            let stop = if k == last {
                days_from_civil(i32::from(year), LAST_MONTH as u32 + 1, 1)
            } else {
                days_from_civil(i32::from(year) + 1, 1, 1)
            };
            let cables = end - first;
            let stride = (SERIALS_PER_YEAR / cables.max(1) as u64).max(1);
            let span = cables.max(1) as u64 * stride;
            let state_factor = (STATE_SERIALS_PER_YEAR / span).clamp(1, 40);
            segments.push(Segment {
                year,
                start: Minute(start * 1440),
                minutes: (stop - start) * 1440,
                first,
                n: cables,
                stride,
                state_factor,
            });
        }
        let old = YEARS
            .iter()
            .filter(|(y, _)| data::CLOSED.iter().any(|(_, until)| y < until))
            .map(|&(y, _)| (y, OriginTable::for_year(y)))
            .collect();
        Plan {
            seed,
            count,
            segments,
            modern: OriginTable::for_year(YEARS[last].0),
            old,
        }
    }

    fn segment(&self, index: usize) -> &Segment {
        let k = self.segments.partition_point(|s| s.first <= index);
        // Empty segments share their `first` with the next one; the last one at or before the
        // index is the right one.
        &self.segments[k.saturating_sub(1)]
    }

    /// The origin of cable `index` in `year`: one hash, no text generated.
    pub fn origin_of(&self, index: usize, year: i16) -> usize {
        let u = unit(hash(self.seed, index as u64, stream::ORIGIN));
        self.table(year).pick(u)
    }

    /// A serial above every serial the set gives `origin` in `year`: a cable numbered above it is
    /// not in the set.
    pub fn serial_ceiling(&self, year: i16, origin: usize) -> u64 {
        let Some(seg) = self.segments.iter().find(|s| s.year == year) else {
            return 0;
        };
        let top = (seg.n as u64 + 1) * seg.stride;
        if origin == *data::STATE {
            top * seg.state_factor
        } else {
            top
        }
    }

    /// The `skip + 1`-th cable before `from` (down to `floor`) that is `wanted` and not in
    /// `cited`, or the last such one found. One hash per cable looked at, compared with the
    /// wanted origins' ranges of the year's origin table: the citation search may look at
    /// hundreds of cables for a small post.
    pub fn find_before(
        &self,
        from: usize,
        floor: usize,
        wanted: Wanted,
        skip: usize,
        cited: &[usize],
    ) -> Option<usize> {
        let mut j = from;
        let mut found = None;
        let mut seen = 0;
        while j > floor {
            let seg = self.segment(j - 1);
            let table = self.table(seg.year);
            let (a, b) = match wanted {
                Wanted::From(o) => (table.range(o), 0..0),
                Wanted::NotFrom(o, p) => (table.range(o), table.range(p)),
            };
            let stop = seg.first.max(floor);
            while j > stop {
                j -= 1;
                let t = table.target(unit(hash(self.seed, j as u64, stream::ORIGIN)));
                let ok = match wanted {
                    Wanted::From(_) => a.contains(&t),
                    Wanted::NotFrom(..) => !a.contains(&t) && !b.contains(&t),
                };
                if ok && !cited.contains(&j) {
                    found = Some(j);
                    if seen == skip {
                        return found;
                    }
                    seen += 1;
                }
            }
        }
        found
    }

    fn table(&self, year: i16) -> &OriginTable {
        self.old
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(&self.modern, |(_, t)| t)
    }

    /// Everything about cable `index` that other cables may need.
    pub fn identity(&self, index: usize) -> Identity {
        let seg = self.segment(index);
        let p = (index - seg.first) as u64;
        let n = seg.n.max(1) as f64;
        let u = unit(hash(self.seed, index as u64, stream::TIME));
        let offset = ((p as f64 + u) * seg.minutes as f64 / n) as i64;
        let time = Minute(seg.start.0 + offset.min(seg.minutes - 1));
        let origin = self.origin_of(index, seg.year);
        let jitter =
            (unit(hash(self.seed, index as u64, stream::SERIAL)) * seg.stride as f64) as u64;
        let mut serial = p * seg.stride + 1 + jitter.min(seg.stride - 1);
        if origin == *data::STATE {
            serial *= seg.state_factor;
        }
        Identity {
            index,
            year: seg.year,
            time,
            origin,
            serial,
        }
    }
}

/// The first index `i` with `(2i + 1) / 2n >= cum / total`.
fn first_index(cum: u64, total: u64, n: u128) -> usize {
    // (2i + 1) * total >= 2n * cum  <=>  i >= (2n * cum - total) / (2 * total), rounded up.
    let need = 2 * n * u128::from(cum);
    let total = u128::from(total);
    if need <= total {
        return 0;
    }
    let i = (need - total).div_ceil(2 * total);
    i.min(n) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn segments_cover_every_index_in_order() {
        for count in [0, 1, 2, 7, 100, 1000, 12_345] {
            let plan = Plan::new(1, count);
            let mut prev = None;
            for i in 0..count {
                let id = plan.identity(i);
                if let Some(p) = prev {
                    assert!(id.time >= p, "count {count}: time goes back at {i}");
                }
                prev = Some(id.time);
            }
            let covered: usize = plan.segments.iter().map(|s| s.n).sum();
            assert_eq!(covered, count);
        }
    }

    #[test]
    fn ids_are_unique() {
        let plan = Plan::new(42, 20_000);
        let mut seen = HashSet::new();
        for i in 0..20_000 {
            assert!(seen.insert(plan.identity(i).id()), "duplicate at {i}");
        }
    }

    #[test]
    fn years_follow_the_mix() {
        let plan = Plan::new(3, 10_920);
        let n2009 = (0..10_920)
            .filter(|&i| plan.identity(i).year == 2009)
            .count();
        assert_eq!(n2009, 4740);
        let last = plan.identity(10_919);
        assert!(last.time.parts().1 <= 2, "2010 ends in February");
    }
}
