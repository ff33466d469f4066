//! The generated mixes follow the measured constants of `cable_synth::stats`: classification,
//! year, heading kind, origin, length, portion markings, references.

use std::collections::HashMap;

use cable_synth::stats::{self, Banner};
use cable_synth::{generate, HeadingKind, SynthCable};

const N: usize = 5000;

fn set() -> Vec<SynthCable> {
    generate(314, N).collect()
}

fn share<T: std::hash::Hash + Eq>(items: impl Iterator<Item = T>) -> HashMap<T, f64> {
    let mut counts: HashMap<T, usize> = HashMap::new();
    let mut n = 0;
    for x in items {
        *counts.entry(x).or_default() += 1;
        n += 1;
    }
    counts
        .into_iter()
        .map(|(k, v)| (k, v as f64 / n as f64))
        .collect()
}

/// Within three standard errors of a share `p` over `n` draws, and at least half a point.
fn close(got: f64, p: f64, n: usize) -> bool {
    let se = (p * (1.0 - p) / n as f64).sqrt();
    (got - p).abs() <= (3.0 * se).max(0.005)
}

#[test]
fn mixes_follow_the_measured_constants() {
    let cables = set();

    // Classification (banner).
    let total: u32 = stats::BANNERS.iter().map(|(_, w)| w).sum();
    let got = share(cables.iter().map(|c| c.banner.clone()));
    for (banner, w) in stats::BANNERS {
        let p = f64::from(*w) / f64::from(total);
        let g = got.get(banner.as_str()).copied().unwrap_or(0.0);
        println!("banner {:<36} {g:.3} (measured {p:.3})", banner.as_str());
        assert!(close(g, p, N), "{}: {g} vs {p}", banner.as_str());
    }

    // Years: the set is laid out by quantile, so the shares are exact to one cable.
    let total: u32 = stats::YEARS.iter().map(|(_, w)| w).sum();
    let got = share(cables.iter().map(|c| c.date[..4].to_string()));
    for (year, w) in stats::YEARS {
        let p = f64::from(*w) / f64::from(total);
        let g = got.get(&year.to_string()).copied().unwrap_or(0.0);
        assert!((g - p).abs() <= 1.0 / N as f64 + 1e-9, "{year}: {g} vs {p}");
    }

    // Heading kinds: the measured mix, less the old cables (always DTG-only) and the
    // unclassified would-be partial extracts (they get a VZCZC heading).
    let got = share(cables.iter().map(|c| c.heading));
    let vzczc = got[&HeadingKind::Vzczc];
    println!("headings {got:?}");
    assert!((0.84..0.92).contains(&vzczc), "VZCZC share {vzczc}");
    assert!((0.04..0.09).contains(&got[&HeadingKind::PartialExtract]));
    assert!((0.04..0.09).contains(&got[&HeadingKind::DtgOnly]));

    // Origins: the corpus's biggest senders keep their shares.
    let got = share(cables.iter().map(|c| c.origin.clone()));
    for (origin, p) in [("MADRID", 106.0 / 1077.0), ("STATE", 74.0 / 1077.0)] {
        let g = got.get(origin).copied().unwrap_or(0.0);
        println!("origin {origin} {g:.3} (measured {p:.3})");
        assert!(close(g, p, N), "{origin}: {g} vs {p}");
    }
    assert!(got.len() > 80, "only {} origins", got.len());

    // Length: the median and the tail follow the measured quantiles (within 15%).
    let mut sizes: Vec<usize> = cables.iter().map(|c| c.text.len()).collect();
    sizes.sort_unstable();
    let median = sizes[N / 2] as f64;
    let p90 = sizes[N * 9 / 10] as f64;
    println!("size median {median}, 90% {p90}, max {}", sizes[N - 1]);
    assert!((median - 8950.0).abs() / 8950.0 < 0.15, "median {median}");
    assert!(
        (p90 - 17045.0).abs() / 17045.0 < 0.15,
        "90th percentile {p90}"
    );
    assert!(sizes[N - 1] > 30_000);
}

#[test]
fn markings_and_references_follow_the_measured_constants() {
    let cables = set();
    // Paragraph markings of SECRET//NOFORN cables.
    let marks = share(
        cables
            .iter()
            .filter(|c| c.banner == "SECRET//NOFORN" && c.date.as_str() >= "2000")
            .flat_map(|c| c.paragraphs.iter().cloned()),
    );
    let table = stats::paragraph_markings(Banner::SecretNoforn);
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    for (mark, w) in table.iter().take(3) {
        let p = f64::from(*w) / f64::from(total);
        let g = marks.get(&mark.map(str::to_string)).copied().unwrap_or(0.0);
        println!("S//NF paragraphs marked {mark:?}: {g:.3} (measured {p:.3})");
        assert!((g - p).abs() < 0.04, "{mark:?}: {g} vs {p}");
    }
    // No paragraph is marked above its cable's level.
    let rank = |m: &str| match m.split("//").next().unwrap() {
        "S" => 3,
        "C" => 2,
        _ => 0,
    };
    for c in &cables {
        let level = rank(&c.classification[..1]);
        for m in c.paragraphs.iter().flatten() {
            assert!(
                rank(m) <= level.max(0),
                "{}: ({m}) in a {} cable",
                c.id,
                c.banner
            );
        }
    }
    // References per cable: the share with none.
    let none = cables
        .iter()
        .filter(|c| c.references.is_empty() && c.other_references.is_empty());
    let g = none.count() as f64 / N as f64;
    let p = 479.0 / 1077.0;
    println!("cables without references {g:.3} (measured {p:.3})");
    assert!((g - p).abs() < 0.05, "{g} vs {p}");
}
