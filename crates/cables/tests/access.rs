//! The access-control leak test for the command line: the fixture's canary cables, the
//! auto-declassify policy, a hand release and four readers, then every command that reads the
//! archive run `--as` each reader. The list of commands is checked against `cables --help`, so
//! a new command cannot be forgotten: it must be listed here as reading or not reading.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use cable_testdata::access::{self, TestReader, CANARIES, IDS, READERS};
use serde_json::Value;

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
            &["--json", ""],
            &["--json", "{word}"],
            &["--json", "--sort", "date", "--offset", "1", ""],
        ],
    ),
    (
        "show",
        &[
            &["{id}"],
            &["--json", "{id}"],
            &["--raw", "{id}"],
            &["--versions", "{id}"],
            &["--json", "--versions", "{id}"],
        ],
    ),
    ("stats", &[&[], &["--json"]]),
    (
        "export",
        &[
            &[""],
            &["--format", "csv", ""],
            &["{word}"],
            &["--format", "csv", "{word}"],
        ],
    ),
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

/// Runs `cables --as READER --as-of AS_OF ARGS...` and checks that nothing above the reader's
/// view is in its output, whatever the command and exit code.
fn run_as(data: &Path, r: &TestReader, args: &[&str]) -> (i32, String) {
    let mut full = vec!["--as", r.name, "--as-of", access::AS_OF];
    full.extend_from_slice(args);
    let (code, text) = run(data, &full);
    assert_eq!(r.leaks(&text), Vec::<&str>::new(), "{}: {full:?}", r.name);
    (code, text)
}

fn ok_as(data: &Path, r: &TestReader, args: &[&str]) -> String {
    let (code, text) = run_as(data, r, args);
    assert_eq!(code, 0, "{}: {args:?}: {text}", r.name);
    text
}

fn jsonl_ids(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            v["id"].as_str().expect("an id").to_string()
        })
        .collect()
}

fn sum(counts: &Value) -> u64 {
    counts
        .as_object()
        .expect("an object of counts")
        .values()
        .map(|v| v.as_u64().expect("a count"))
        .sum()
}

/// Each reading command, on its own, shows everything within `r`'s view and counts exactly it:
/// a search or an export for a canary finds exactly the cables where `r` may see it; `show` (as
/// text, JSON and raw text) of a visible cable carries each of its canaries `r` may see; the
/// totals and counts of search, export and stats are the number of visible cables.
fn everything_in_view_is_found(data: &Path, r: &TestReader, tmp: &Path) {
    let visible: BTreeSet<String> = r.visible_cables().into_iter().map(String::from).collect();
    let n = visible.len() as u64;
    for c in CANARIES {
        let want: BTreeSet<String> = r.finds(c.word).into_iter().map(String::from).collect();
        let results: Value = serde_json::from_str(&ok_as(data, r, &["search", "--json", c.word]))
            .expect("search json");
        let hits: BTreeSet<String> = results["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["id"].as_str().expect("id").to_string())
            .collect();
        assert_eq!(hits, want, "{}: search {}", r.name, c.word);
        assert_eq!(
            results["total"],
            want.len(),
            "{}: search {}",
            r.name,
            c.word
        );
        let exported = jsonl_ids(&ok_as(data, r, &["export", c.word]));
        assert_eq!(exported, want, "{}: export {}", r.name, c.word);
        if r.sees(c) {
            for args in [
                &["show", c.id][..],
                &["show", "--json", c.id],
                &["show", "--raw", c.id],
            ] {
                let text = ok_as(data, r, args).to_lowercase();
                assert!(
                    text.contains(c.word),
                    "{}: {args:?} lacks {}",
                    r.name,
                    c.word
                );
            }
        }
    }

    let all: Value =
        serde_json::from_str(&ok_as(data, r, &["search", "--json", "--limit", "50", ""]))
            .expect("search json");
    assert_eq!(all["total"], n, "{}: search total", r.name);
    assert_eq!(all["hits"].as_array().map(Vec::len), Some(visible.len()));
    for facet in ["classification", "year"] {
        assert_eq!(sum(&all["facets"][facet]), n, "{}: facet {facet}", r.name);
    }

    let stats: Value =
        serde_json::from_str(&ok_as(data, r, &["stats", "--json"])).expect("stats json");
    assert_eq!(stats["cables"], n, "{}: stats", r.name);
    assert_eq!(sum(&stats["by_classification"]), n, "{}: stats", r.name);
    assert_eq!(sum(&stats["by_year"]), n, "{}: stats", r.name);

    assert_eq!(jsonl_ids(&ok_as(data, r, &["export", ""])), visible);
    // Into a file: the file keeps to the view too.
    let out = tmp.join(format!("export-{}.jsonl", r.name));
    ok_as(
        data,
        r,
        &["export", "--out", out.to_str().expect("utf-8"), ""],
    );
    let written = std::fs::read_to_string(&out).expect("export file");
    assert_eq!(
        r.leaks(&written),
        Vec::<&str>::new(),
        "{}: export --out",
        r.name
    );
    assert_eq!(jsonl_ids(&written), visible, "{}: export --out", r.name);
}

fn ok(data: &Path, args: &[&str]) -> String {
    let (code, text) = run(data, args);
    assert_eq!(code, 0, "cables {args:?}: {text}");
    text
}

#[test]
fn every_reading_command_keeps_to_the_readers_view() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = access::write_cables(tmp.path());
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
                        let mut full = vec![cmd.to_string()];
                        full.extend(
                            args.iter()
                                .map(|a| a.replace("{id}", id).replace("{word}", word)),
                        );
                        let full: Vec<&str> = full.iter().map(String::as_str).collect();
                        let (code, text) = run_as(&data, r, &full);
                        if *cmd == "show" {
                            // A cable the reader may not see is "no cable" (exit 1), like one
                            // the archive lacks.
                            assert_eq!(code == 0, r.sees_cable(id), "{}: {full:?}: {text}", r.name);
                        } else {
                            assert_eq!(code, 0, "{}: {full:?}: {text}", r.name);
                        }
                    }
                }
            }
        }
        everything_in_view_is_found(&data, r, tmp.path());
    }

    // For every reader, a cable they may not see reads exactly like one the archive lacks: a
    // placeholder when a cable they see cites it, else no cable at all.
    for r in &READERS {
        for id in IDS.iter().filter(|id| !r.sees_cable(id)) {
            if *id == access::CITED && r.sees_cable("09OSLO101") {
                // Exit 1, as for any cable not held, placeholder or not.
                let (code, text) = run_as(&data, r, &["show", id]);
                assert_eq!(code, 1, "{}: {text}", r.name);
                assert!(
                    text.starts_with(&format!("{id}: not in the archive (a placeholder)")),
                    "{}: {text}",
                    r.name
                );
                let (code, text) = run_as(&data, r, &["show", "--json", id]);
                assert_eq!(code, 1, "{}: {text}", r.name);
                let doc: Value = serde_json::from_str(&text).expect("json");
                assert_eq!(doc["in_archive"], false, "{}: {doc}", r.name);
                continue;
            }
            for args in [&["show"][..], &["show", "--json"], &["show", "--raw"]] {
                let (missing_code, missing) = run_as(&data, r, &[args, &["09OSLO999"]].concat());
                let (hidden_code, hidden) = run_as(&data, r, &[args, &[id]].concat());
                assert_eq!(hidden_code, missing_code, "{}: {args:?} {id}", r.name);
                assert_eq!(
                    missing.replace("09OSLO999", "ID"),
                    hidden.replace(id, "ID"),
                    "{}: {args:?} {id}",
                    r.name
                );
            }
        }
    }
    // `--as` belongs to the reading commands: elsewhere it is refused, not ignored (the owner's
    // audit log under a reader's name would look like that reader's view).
    for args in [
        &["audit"][..],
        &["user", "list"],
        &["policy", "show"],
        &["reindex"],
    ] {
        let (code, text) = run(&data, &[&["--as", "anonymous"][..], args].concat());
        assert_eq!(code, 2, "{args:?}: {text}");
        assert!(text.contains("not a reading command"), "{args:?}: {text}");
        assert_eq!(READERS[0].leaks(&text), Vec::<&str>::new());
    }
    // The audit log recorded the reads, by reader.
    let audit: serde_json::Value =
        serde_json::from_str(&ok(&data, &["audit", "--json", "--who", "secretnf"])).expect("json");
    assert!(audit.as_array().is_some_and(|a| a.len() > 10), "{audit}");
    // An unknown reader is an error, not the owner's view.
    let (code, text) = run(&data, &["--as", "nobody", "stats"]);
    assert_eq!(code, 1, "{text}");
}

#[test]
fn readers_are_managed_from_the_command_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let token_of = |out: &str| out.lines().last().unwrap_or_default().to_string();
    let verify = |token: &str| {
        cable_archive::readers::Readers::load(&data)
            .expect("readers")
            .verify(token)
            .map(|r| r.info().name)
    };

    let first = token_of(&ok(
        &data,
        &[
            "user",
            "add",
            "ana",
            "--clearance",
            "SECRET",
            "--caveat",
            "NOFORN",
        ],
    ));
    assert_eq!(verify(&first).as_deref(), Some("ana"));
    ok(
        &data,
        &["user", "add", "ben", "--clearance", "CONFIDENTIAL"],
    );
    // A name taken, a bad level: clear errors, nothing changed.
    let (code, text) = run(&data, &["user", "add", "ana", "--clearance", "SECRET"]);
    assert_eq!(code, 1, "{text}");
    let (code, _) = run(&data, &["user", "add", "cy", "--clearance", "COSMIC"]);
    assert_ne!(code, 0);

    let list: Value = serde_json::from_str(&ok(&data, &["user", "list", "--json"])).expect("json");
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["ana", "ben"]);
    let listed = ok(&data, &["user", "list"]);
    assert!(
        listed.contains("ana") && listed.contains("SECRET//NF"),
        "{listed}"
    );
    // No token, nor anything derived from it, is ever listed.
    assert!(!listed.contains(&first) && !list.to_string().contains(&first));

    // Rotating issues a new token and the old one stops working.
    let second = token_of(&ok(&data, &["user", "rotate", "ana"]));
    assert_eq!(second.len(), 64);
    assert_ne!(second, first);
    assert_eq!(verify(&first), None);
    assert_eq!(verify(&second).as_deref(), Some("ana"));

    // Removing a reader ends their token; removing an unknown one is an error.
    ok(&data, &["user", "remove", "ana"]);
    assert_eq!(verify(&second), None);
    let (code, text) = run(&data, &["user", "remove", "ana"]);
    assert_eq!(code, 1, "{text}");
    let (code, text) = run(&data, &["user", "rotate", "nobody"]);
    assert_eq!(code, 1, "{text}");
    let list: Value = serde_json::from_str(&ok(&data, &["user", "list", "--json"])).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}
