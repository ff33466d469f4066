//! Randomness: per-cable generators derived from `(seed, index, stream)`, cheap hashes for the
//! facts other cables need to know about a cable (its origin, its serial), and the sampling
//! helpers the generator uses (weighted choice, alias tables, quantile interpolation).
//!
//! Nothing here keeps state between cables: cable `i` is a pure function of the seed, the count
//! and `i`, which is what makes the output streamable and every cable computable on its own.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// The generator behind every cable's text.
pub type CableRng = Pcg64Mcg;

/// Streams: independent draws for one cable, so that adding draws to one part of the generator
/// does not shift another part's values.
pub mod stream {
    pub const ORIGIN: u64 = 1;
    pub const SERIAL: u64 = 2;
    pub const TIME: u64 = 3;
    pub const TEXT: u64 = 4;
}

/// SplitMix64's finaliser: a fast, well-mixed 64-bit hash.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of `(seed, index, stream)`.
pub fn hash(seed: u64, index: u64, stream: u64) -> u64 {
    mix(seed ^ mix(index ^ mix(stream.wrapping_mul(0xD6E8_FEB8_6659_FD93))))
}

/// A uniform number in `[0, 1)` from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The generator for one cable's stream.
pub fn cable_rng(seed: u64, index: u64, stream: u64) -> CableRng {
    CableRng::seed_from_u64(hash(seed, index, stream))
}

/// Picks from weighted items with a uniform `u` in `[0, 1)`.
pub fn pick_weighted<T: Copy>(items: &[(T, u32)], u: f64) -> T {
    let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut target = (u * total as f64) as u64;
    for (item, w) in items {
        let w = u64::from(*w);
        if target < w {
            return *item;
        }
        target -= w;
    }
    items[items.len() - 1].0
}

/// [`pick_weighted`] with a draw from `rng`.
pub fn weighted<T: Copy>(rng: &mut CableRng, items: &[(T, u32)]) -> T {
    pick_weighted(items, rng.random::<f64>())
}

/// A value from a quantile table `(q, value)` (ascending `q` from 0 to 1), interpolated linearly.
pub fn quantile(table: &[(f64, f64)], u: f64) -> f64 {
    for w in table.windows(2) {
        let ((q0, v0), (q1, v1)) = (w[0], w[1]);
        if u <= q1 {
            let t = if q1 > q0 { (u - q0) / (q1 - q0) } else { 0.0 };
            return v0 + t * (v1 - v0);
        }
    }
    table[table.len() - 1].1
}

/// True with probability `p`.
pub fn chance(rng: &mut CableRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A uniform index below `n` (`n > 0`).
pub fn below(rng: &mut CableRng, n: usize) -> usize {
    rng.random_range(0..n)
}

/// Walker/Vose alias method: for each of `weights.len()` equally likely columns, the chance of
/// keeping the column's own item and the item to take otherwise. Sampling is O(1) whatever the
/// number of items (the word table's sampler packs these columns; see `data::Vocabulary`).
pub fn alias_columns(weights: &[f64]) -> Vec<(f64, usize)> {
    let n = weights.len();
    let total: f64 = weights.iter().sum();
    let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
    // Columns left over at the end keep their own item: probability 1, alias itself.
    let mut columns: Vec<(f64, usize)> = (0..n).map(|i| (1.0, i)).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
    while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
        columns[s] = (scaled[s], l);
        scaled[l] -= 1.0 - scaled[s];
        if scaled[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_differ_by_every_input() {
        let h = hash(1, 2, 3);
        assert_ne!(h, hash(0, 2, 3));
        assert_ne!(h, hash(1, 3, 3));
        assert_ne!(h, hash(1, 2, 4));
        assert_eq!(h, hash(1, 2, 3));
    }

    #[test]
    fn weighted_choice_follows_weights() {
        let items = [('a', 1), ('b', 3)];
        assert_eq!(pick_weighted(&items, 0.0), 'a');
        assert_eq!(pick_weighted(&items, 0.24), 'a');
        assert_eq!(pick_weighted(&items, 0.26), 'b');
        assert_eq!(pick_weighted(&items, 0.999_999), 'b');
    }

    #[test]
    fn quantiles_interpolate() {
        let t = [(0.0, 10.0), (0.5, 20.0), (1.0, 40.0)];
        assert_eq!(quantile(&t, 0.0), 10.0);
        assert_eq!(quantile(&t, 0.25), 15.0);
        assert_eq!(quantile(&t, 0.75), 30.0);
        assert_eq!(quantile(&t, 1.0), 40.0);
    }

    #[test]
    fn alias_columns_match_weights() {
        let columns = alias_columns(&[1.0, 2.0, 7.0]);
        // Each item's chance: its own columns' keep-chance plus what other columns pass to it.
        let mut p = [0.0; 3];
        for (i, &(keep, alias)) in columns.iter().enumerate() {
            p[i] += keep / 3.0;
            p[alias] += (1.0 - keep) / 3.0;
        }
        for (got, want) in p.iter().zip([0.1, 0.2, 0.7]) {
            assert!((got - want).abs() < 1e-9, "{p:?}");
        }
    }
}
