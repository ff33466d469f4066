//! The access-control fixture: six made-up cables with a unique canary word in each portion,
//! the four readers of the leak tests, and the rule that says which reader may see which
//! canary — written out here, independently of the archive's code, as the tests' oracle.
//!
//! Levels are numbered 0 (UNCLASSIFIED) … 4 (TOP SECRET). `OSLO106`'s portions are unmarked
//! and take the cable's level and caveats; `OSLO104` is due for declassification (its date has
//! passed) and opens under the auto-declassify policy; `OSLO105` gets a hand release to
//! UNCLASSIFIED withholding paragraph 2.

/// One canary word: the cable and portion it is in, the portion's level and caveats.
#[derive(Debug, Clone, Copy)]
pub struct Canary {
    pub word: &'static str,
    pub id: &'static str,
    pub level: u8,
    pub caveats: &'static [&'static str],
    /// Opened to everyone by the fixture's policy (declassified by date, or released by hand
    /// and not withheld).
    pub open: bool,
}

/// A reader of the leak tests; `None` level is the anonymous public.
#[derive(Debug, Clone, Copy)]
pub struct TestReader {
    pub name: &'static str,
    pub level: u8,
    /// The clearance's level as `cables user add --clearance` takes it.
    pub clearance: &'static str,
    pub caveats: &'static [&'static str],
}

pub const READERS: [TestReader; 4] = [
    TestReader {
        name: "anonymous",
        level: 0,
        clearance: "UNCLASSIFIED",
        caveats: &[],
    },
    TestReader {
        name: "conf",
        level: 2,
        clearance: "CONFIDENTIAL",
        caveats: &[],
    },
    TestReader {
        name: "secret",
        level: 3,
        clearance: "SECRET",
        caveats: &[],
    },
    TestReader {
        name: "secretnf",
        level: 3,
        clearance: "SECRET",
        caveats: &["NOFORN"],
    },
];

/// The date the leak tests read on (`--as-of`): after OSLO104's declassification date, before
/// every other one.
pub const AS_OF: &str = "2026-01-01";

/// The cable released by hand, the paragraph it withholds and the exemption.
pub const RELEASED: (&str, &str, &str) = ("09OSLO105", "2", "B1");

/// The fixture's cable ids.
pub const IDS: [&str; 6] = [
    "09OSLO101",
    "09OSLO102",
    "09OSLO103",
    "09OSLO104",
    "09OSLO105",
    "09OSLO106",
];

/// Cables cited by others (for the citation graph).
pub const CITED: &str = "09OSLO103";

pub const CANARIES: &[Canary] = &[
    // 09OSLO101: SECRET//NOFORN, one paragraph of each level.
    c("harborcanary", "09OSLO101", 0, &[], false),
    c("auroracanary", "09OSLO101", 0, &[], false),
    c("basaltcanary", "09OSLO101", 1, &[], false),
    c("cobaltcanary", "09OSLO101", 2, &[], false),
    c("dolomitecanary", "09OSLO101", 3, &[], false),
    c("embercanary", "09OSLO101", 3, &["NOFORN"], false),
    c("fjordcanary", "09OSLO101", 3, &["NOFORN"], false),
    // 09OSLO102: TOP SECRET//NODIS; no reader holds NODIS or TOP SECRET.
    c("heliumcanary", "09OSLO102", 3, &[], false),
    c("indigocanary", "09OSLO102", 2, &[], false),
    c("jaspercanary", "09OSLO102", 4, &[], false),
    c("kestrelcanary", "09OSLO102", 3, &["NODIS"], false),
    // 09OSLO103: SECRET throughout; cited by 09OSLO101.
    c("lanterncanary", "09OSLO103", 3, &[], false),
    c("meteorcanary", "09OSLO103", 3, &[], false),
    // 09OSLO104: SECRET, declassification date passed.
    c("nebulacanary", "09OSLO104", 3, &[], true),
    c("obsidiancanary", "09OSLO104", 3, &[], true),
    // 09OSLO105: CONFIDENTIAL, released to UNCLASSIFIED but paragraph 2.
    c("quartzcanary", "09OSLO105", 2, &[], true),
    c("rhodiumcanary", "09OSLO105", 2, &[], true),
    c("saffroncanary", "09OSLO105", 2, &[], false),
    // 09OSLO106: CONFIDENTIAL//NOFORN, nothing marked.
    c("umbercanary", "09OSLO106", 2, &["NOFORN"], false),
    c("tundracanary", "09OSLO106", 2, &["NOFORN"], false),
];

const fn c(
    word: &'static str,
    id: &'static str,
    level: u8,
    caveats: &'static [&'static str],
    open: bool,
) -> Canary {
    Canary {
        word,
        id,
        level,
        caveats,
        open,
    }
}

impl TestReader {
    /// The oracle: whether this reader may see `canary` under the fixture's policy.
    pub fn sees(&self, canary: &Canary) -> bool {
        canary.open
            || (self.level >= canary.level
                && canary.caveats.iter().all(|c| self.caveats.contains(c)))
    }

    /// Every canary in `text` (compared in lower case) this reader may not see.
    pub fn leaks(&self, text: &str) -> Vec<&'static str> {
        let lower = text.to_lowercase();
        CANARIES
            .iter()
            .filter(|c| !self.sees(c) && lower.contains(c.word))
            .map(|c| c.word)
            .collect()
    }

    /// Whether the reader may see anything of cable `id` (then its id is not a secret).
    pub fn sees_cable(&self, id: &str) -> bool {
        CANARIES.iter().any(|c| c.id == id && self.sees(c))
    }

    /// The fixture's cables this reader may see something of.
    pub fn visible_cables(&self) -> std::collections::BTreeSet<&'static str> {
        IDS.iter()
            .copied()
            .filter(|id| self.sees_cable(id))
            .collect()
    }

    /// The cables a search for canary `word` must find for this reader: those where they may
    /// see it.
    pub fn finds(&self, word: &str) -> std::collections::BTreeSet<&'static str> {
        CANARIES
            .iter()
            .filter(|c| c.word == word && self.sees(c))
            .map(|c| c.id)
            .collect()
    }
}

fn cable(
    serial: u32,
    banner: &str,
    caveat_line: &str,
    decl: &str,
    subject: &str,
    refs: &str,
    paragraphs: &[&str],
) -> String {
    let mut t = format!(
        "VZCZCXYZ{serial:04}\nOO RUEHC\nDE RUEHNY #{serial:04}/01 1231200\nZNY SSSSS ZZH\n\
         O 031200Z MAY 09\nFM AMEMBASSY OSLO\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 1{serial:03}\n\
         BT\n{banner} OSLO {serial:06}\n\n"
    );
    if !caveat_line.is_empty() {
        t.push_str(caveat_line);
        t.push('\n');
    }
    t.push_str(&format!(
        "SIPDIS\n\nE.O. 12958: DECL: {decl}\nTAGS: PREL PGOV NO\nSUBJECT: {subject}\n\n"
    ));
    if !refs.is_empty() {
        t.push_str(refs);
        t.push_str("\n\n");
    }
    t.push_str("Classified By: Ambassador Jane Doe for reasons 1.4 (b) and (d)\n\n");
    for (i, p) in paragraphs.iter().enumerate() {
        t.push_str(&format!("{}. {p}\n\n", i + 1));
    }
    t.push_str("DOE\n");
    t
}

/// Write the fixture's cables as files into `dir/cables` (made if missing); returns that folder.
pub fn write_cables(dir: &std::path::Path) -> std::path::PathBuf {
    let src = dir.join("cables");
    std::fs::create_dir_all(&src).expect("mkdir");
    for (name, text) in cables() {
        std::fs::write(src.join(name), text).expect("write");
    }
    src
}

/// The fixture's cables: `(file name, text)`.
pub fn cables() -> Vec<(String, String)> {
    vec![
        (
            "09OSLO101.txt".into(),
            cable(
                101,
                "S E C R E T",
                "NOFORN",
                "05/03/2034",
                "(U) NORWEGIAN HARBORCANARY VISIT",
                "REF: OSLO 103",
                &[
                    "(U) The auroracanary delegation arrived on time.",
                    "(SBU) Officials discussed basaltcanary matters openly.",
                    "(C) The minister raised cobaltcanary concerns privately.",
                    "(S) A source described dolomitecanary planning.",
                    "(S//NF) Liaison shared embercanary reporting.",
                    "Post will follow fjordcanary developments closely.",
                ],
            ),
        ),
        (
            "09OSLO102.txt".into(),
            cable(
                102,
                "T O P S E C R E T",
                "NODIS",
                "05/03/2034",
                "(S) HELIUMCANARY TALKS",
                "",
                &[
                    "(C) Background on indigocanary arrangements follows.",
                    "(TS) Details of jaspercanary are restricted.",
                    "(S//NODIS) Only the Secretary may read kestrelcanary notes.",
                ],
            ),
        ),
        (
            "09OSLO103.txt".into(),
            cable(
                103,
                "S E C R E T",
                "",
                "05/03/2034",
                "(S) LANTERNCANARY REVIEW",
                "",
                &["(S) The meteorcanary assessment is attached."],
            ),
        ),
        (
            "09OSLO104.txt".into(),
            cable(
                104,
                "S E C R E T",
                "",
                "05/03/2015",
                "(S) NEBULACANARY PROGRAM",
                "",
                &["(S) The obsidiancanary budget was approved."],
            ),
        ),
        (
            "09OSLO105.txt".into(),
            cable(
                105,
                "C O N F I D E N T I A L",
                "",
                "05/03/2034",
                "(C) QUARTZCANARY TRADE TALKS",
                "",
                &[
                    "(C) Negotiators agreed on rhodiumcanary tariffs.",
                    "(C) A saffroncanary side letter remains sensitive.",
                ],
            ),
        ),
        (
            "09OSLO106.txt".into(),
            cable(
                106,
                "C O N F I D E N T I A L",
                "NOFORN",
                "05/03/2034",
                "UMBERCANARY FISHERIES DISPUTE",
                "",
                &["The tundracanary quota talks stalled again."],
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn write_fixture() {
        if let Ok(dir) = std::env::var("WRITE_ACCESS_FIXTURE") {
            for (name, text) in super::cables() {
                std::fs::write(std::path::Path::new(&dir).join(name), text).unwrap();
            }
        }
    }
}
