//! The access-control leak test for the command line: the fixture's canary cables, the
//! auto-declassify policy, a hand release and four readers, then every command that reads the
//! archive run `--as` each reader. The list of commands is checked against `cables --help`, so
//! a new command cannot be forgotten: it must be listed here as reading or not reading.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use cable_testdata::access::{self, CANARIES, IDS, READERS};

/// Commands that do not read the archive's cables (they parse files, write the archive, or
/// manage readers and the policy).
const NOT_READING: &[&str] = &[
    "parse", "lint", "gen", "ingest", "reindex", "serve", "user", "policy", "release", "audit",
    "help",
];

/// Commands that read it, each run with these argument lists (`{id}` for every fixture id,
/// `{word}` for every canary).
const READING: &[(&str, &[&[&str]])] = &[
    (
        "search",
        &[
            &[""],
            &["{word}"],
            &["subject:{word}"],
            &["cites:09OSLO103"],
            &["--limit", "50", "class:SECRET"],
        ],
    ),
    (
        "show",
        &[
            &["{id}"],
            &["--json", "{id}"],
            &["--raw", "{id}"],
            &["--versions", "{id}"],
        ],
    ),
    ("stats", &[&[], &["--json"]]),
    ("export", &[&[""], &["--format", "csv", ""], &["{word}"]]),
    ("review", &[&[], &["--json"]]),
];

fn run(data: &Path, args: &[&str]) -> (i32, String) {
    let out = cargo_bin_cmd!("cables")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run cables");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn ok(data: &Path, args: &[&str]) -> String {
    let (code, text) = run(data, args);
    assert_eq!(code, 0, "cables {args:?}: {text}");
    text
}

#[test]
fn every_reading_command_keeps_to_the_readers_view() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("cables");
    std::fs::create_dir_all(&src).expect("mkdir");
    for (name, text) in access::cables() {
        std::fs::write(src.join(name), text).expect("write");
    }
    let data = tmp.path().join("data");
    ok(&data, &["ingest", src.to_str().expect("utf-8")]);
    ok(&data, &["policy", "set", "auto-declassify", "on"]);
    let (id, paragraph, exemption) = access::RELEASED;
    ok(
        &data,
        &[
            "release",
            id,
            "--withhold-paragraph",
            paragraph,
            "--exemption",
            exemption,
        ],
    );
    for r in READERS.iter().filter(|r| r.name != "anonymous") {
        let mut args = vec!["user", "add", r.name, "--clearance", r.clearance];
        for c in r.caveats {
            args.extend(["--caveat", c]);
        }
        let out = ok(&data, &args);
        let token = out.lines().last().unwrap_or_default();
        assert_eq!(token.len(), 64, "the token is the last line: {out}");
    }

    // Every command is classified.
    let help = ok(&data, &["--help"]);
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(commands.len() > 5, "{help}");
    for c in &commands {
        assert!(
            NOT_READING.contains(c) || READING.iter().any(|(r, _)| r == c),
            "command {c} is new: list it in READING (with arguments) or NOT_READING"
        );
    }

    for r in &READERS {
        let mut found = std::collections::BTreeSet::new();
        for (cmd, arg_lists) in READING {
            for args in *arg_lists {
                let ids: Vec<&str> = if args.contains(&"{id}") {
                    IDS.to_vec()
                } else {
                    vec![""]
                };
                let words: Vec<&str> = if args.iter().any(|a| a.contains("{word}")) {
                    CANARIES.iter().map(|c| c.word).collect()
                } else {
                    vec![""]
                };
                for id in &ids {
                    for word in &words {
                        let mut full = vec![
                            "--as".to_string(),
                            r.name.to_string(),
                            "--as-of".to_string(),
                            access::AS_OF.to_string(),
                            cmd.to_string(),
                        ];
                        full.extend(
                            args.iter()
                                .map(|a| a.replace("{id}", id).replace("{word}", word)),
                        );
                        let full: Vec<&str> = full.iter().map(String::as_str).collect();
                        let (code, text) = run(&data, &full);
                        assert_eq!(r.leaks(&text), Vec::<&str>::new(), "{}: {full:?}", r.name);
                        if *cmd == "show" {
                            // A cable the reader may not see is "no cable" (exit 1), like one
                            // the archive lacks.
                            assert_eq!(code == 0, r.sees_cable(id), "{}: {full:?}: {text}", r.name);
                        } else {
                            assert_eq!(code, 0, "{}: {full:?}: {text}", r.name);
                        }
                        let lower = text.to_lowercase();
                        found.extend(
                            CANARIES
                                .iter()
                                .filter(|c| lower.contains(c.word))
                                .map(|c| c.word),
                        );
                    }
                }
            }
        }
        // Everything within the view was shown somewhere.
        for c in CANARIES.iter().filter(|c| r.sees(c)) {
            assert!(found.contains(c.word), "{}: {} never shown", r.name, c.word);
        }
        // Counts are over the view.
        let stats: serde_json::Value = serde_json::from_str(&ok(
            &data,
            &["--as", r.name, "--as-of", access::AS_OF, "stats", "--json"],
        ))
        .expect("json");
        let visible = IDS.iter().filter(|id| r.sees_cable(id)).count();
        assert_eq!(stats["cables"], visible, "{}", r.name);
    }

    // A missing id and a hidden one read the same for the public.
    let (_, missing) = run(&data, &["--as", "anonymous", "show", "09OSLO999"]);
    let (_, hidden) = run(&data, &["--as", "anonymous", "show", "09OSLO102"]);
    assert_eq!(
        missing.replace("09OSLO999", "ID"),
        hidden.replace("09OSLO102", "ID")
    );
    // The audit log recorded the reads, by reader.
    let audit: serde_json::Value =
        serde_json::from_str(&ok(&data, &["audit", "--json", "--who", "secretnf"])).expect("json");
    assert!(audit.as_array().is_some_and(|a| a.len() > 10), "{audit}");
    // An unknown reader is an error, not the owner's view.
    let (code, text) = run(&data, &["--as", "nobody", "stats"]);
    assert_eq!(code, 1, "{text}");
}
