//! The `cables` binary end to end: `parse` and `lint` on the real samples in `../shared` (skipped
//! with a message when it is absent, a failure under CI) and on tiny synthetic files written to a
//! temporary folder.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::cargo::{cargo_bin, cargo_bin_cmd};
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn cables() -> Command {
    cargo_bin_cmd!("cables")
}

fn shared(test: &str) -> Option<PathBuf> {
    cable_testdata::require_shared(test)
}

/// Runs `cables parse ARGS`, expects exit `code`, returns stdout as JSON.
fn parse_json(args: &[&Path], code: i32) -> Value {
    let out = cables().arg("parse").args(args).assert().code(code);
    let stdout = &out.get_output().stdout;
    serde_json::from_slice(stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(stdout)
        )
    })
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Every string anywhere in the JSON, with its pointer.
fn strings<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((path, s)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{path}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                strings(item, format!("{path}/{k}"), out);
            }
        }
        _ => {}
    }
}

const CABLE: &str = "\
R 041457Z AUG 09
FM SECSTATE WASHDC
TO AMEMBASSY BANGKOK

UNCLAS STATE 000123

E.O. 12958: N/A
TAGS: PREL, TH
SUBJECT: A SYNTHETIC TEST CABLE

1. (U) Nothing to see.
";

/// The PlusD sample 09PARTO13, field by field. Every failing field is listed, so that one run
/// tells the parser's author everything that is wrong.
#[test]
fn parse_plusd_sample_09parto13() {
    let Some(shared) = shared("parse_plusd_sample_09parto13") else {
        return;
    };
    let cable = parse_json(&[&shared.join("samples/09PARTO13.txt")], 0);
    assert!(cable.is_object(), "one cable gives one object");

    let mut failures: Vec<String> = Vec::new();
    let mut check = |ok: bool, what: &str, got: &dyn std::fmt::Debug| {
        if !ok {
            failures.push(format!("{what}: got {got:?}"));
        }
    };
    let s = |p: &str| str_at(&cable, p);

    check(s("/id") == "09PARTO13", "id == 09PARTO13", &s("/id"));
    check(
        s("/source/container") == "plusd",
        "source.container == plusd",
        &cable["source"],
    );
    check(
        s("/source/path").ends_with("samples/09PARTO13.txt"),
        "source.path",
        &cable["source"],
    );
    check(
        s("/precedence") == "IMMEDIATE",
        "precedence == IMMEDIATE",
        &s("/precedence"),
    );
    check(
        s("/date") == "2009-08-04T14:57:00Z",
        "date == 2009-08-04T14:57:00Z",
        &s("/date"),
    );
    check(
        s("/from") == "USDEL SECRETARY",
        "from == USDEL SECRETARY",
        &s("/from"),
    );
    check(
        s("/to/0/ri") == "RUEHBK" && s("/to/0/name") == "AMEMBASSY BANGKOK",
        "to[0] == RUEHBK / AMEMBASSY BANGKOK",
        &cable["to"],
    );
    let info_ris: Vec<&str> = cable["info"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["ri"].as_str()).collect())
        .unwrap_or_default();
    check(
        info_ris.contains(&"RUEHC") && info_ris.contains(&"RUEHIL"),
        "info ris include RUEHC and RUEHIL",
        &info_ris,
    );
    check(
        s("/classification") == "CONFIDENTIAL",
        "classification == CONFIDENTIAL",
        &s("/classification"),
    );
    check(
        cable["captions"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c == "SIPDIS")),
        "captions contain SIPDIS",
        &cable["captions"],
    );
    check(
        s("/eo/declassify_on") == "2034-07-24",
        "eo.declassify_on == 2034-07-24",
        &cable["eo"],
    );

    let tags = cable["tags"].as_array().cloned().unwrap_or_default();
    let tag_codes: Vec<&str> = tags.iter().filter_map(|t| t["code"].as_str()).collect();
    for code in ["OVIP", "PREL", "PK"] {
        check(
            tag_codes.contains(&code),
            &format!("tags include {code}"),
            &tag_codes,
        );
    }
    check(
        tags.iter()
            .any(|t| t["code"] == "CLINTON, HILLARY" && t["kind"] == "person"),
        "tags include the person CLINTON, HILLARY",
        &tags,
    );

    let subject = s("/subject");
    check(
        subject.starts_with("Secretary Clinton's July 23, 2009 Meeting")
            && subject.ends_with("Phuket, Thailand")
            && !subject.contains("(U)")
            && !subject.contains('\n'),
        "subject joined, without (U) or newline",
        &subject,
    );
    check(
        s("/classified_by/text").contains("Wohlers"),
        "classified_by.text mentions Wohlers",
        &cable["classified_by"],
    );
    check(
        cable.pointer("/classified_by/reasons") == Some(&serde_json::json!(["1.4(d)"])),
        "classified_by.reasons == [1.4(d)]",
        &cable["classified_by"],
    );

    let paragraphs = cable["paragraphs"].as_array().cloned().unwrap_or_default();
    check(paragraphs.len() == 13, "13 paragraphs", &paragraphs.len());
    let markings: Vec<Option<&str>> = paragraphs
        .iter()
        .take(4)
        .map(|p| p["marking"].as_str())
        .collect();
    check(
        markings == [Some("U"), Some("U"), Some("U"), Some("C")],
        "paragraph markings start U, U, U, C",
        &markings,
    );
    check(
        paragraphs.iter().any(|p| {
            p["text"]
                .as_str()
                .is_some_and(|t| t.contains("$2.5 billion"))
        }),
        "some paragraph contains `$2.5 billion`",
        &"none does",
    );

    let summary = s("/summary");
    check(
        summary.starts_with("On July 23")
            && (summary.ends_with("confidence and trust.")
                || summary.ends_with("confidence and trust")),
        "summary from `On July 23` to `confidence and trust.`",
        &summary,
    );
    check(
        cable["signature"] == serde_json::json!(["CLINTON"]),
        "signature == [CLINTON]",
        &cable["signature"],
    );

    let mut all = Vec::new();
    strings(&cable, String::new(), &mut all);
    for (path, text) in all {
        for debris in ["[1](#)", "¶", "\\$"] {
            check(
                !text.contains(debris),
                &format!("no `{debris}` left in {path}"),
                &text,
            );
        }
    }

    assert!(
        failures.is_empty(),
        "09PARTO13 parsed wrong:\n  {}",
        failures.join("\n  ")
    );
}

#[test]
fn several_paths_give_an_array_in_order() {
    let Some(shared) = shared("several_paths_give_an_array_in_order") else {
        return;
    };
    let out = parse_json(
        &[
            &shared.join("samples/09PARTO13.txt"),
            &shared.join("cablegate-html/72TEHRAN5055.html"),
            &shared.join("corpus/01PRETORIA1173.txt"),
        ],
        0,
    );
    let cables = out.as_array().expect("several cables give an array");
    let ids: Vec<&str> = cables.iter().map(|c| str_at(c, "/id")).collect();
    assert_eq!(ids, ["09PARTO13", "72TEHRAN5055", "01PRETORIA1173"]);
    let containers: Vec<&str> = cables
        .iter()
        .map(|c| str_at(c, "/source/container"))
        .collect();
    assert_eq!(containers, ["plusd", "cablegate-html", "text"]);
    // The container's id is the id as found.
    assert_eq!(str_at(&cables[1], "/raw_id"), "72TEHRAN5055");
}

#[test]
fn jsonl_gives_one_object_per_line() {
    let Some(shared) = shared("jsonl_gives_one_object_per_line") else {
        return;
    };
    let csv = shared.join("cables-csv/cables.csv");
    let out = cables()
        .args(["parse", "--jsonl"])
        .arg(&csv)
        .arg(shared.join("samples/09PARTO13.txt"))
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 121, "120 cables.csv records and the sample");
    for (i, line) in lines.iter().enumerate() {
        let cable: Value = serde_json::from_str(line).unwrap();
        assert!(cable.is_object(), "line {}", i + 1);
        if i < 120 {
            assert_eq!(cable["source"]["row"], i as u64 + 1);
            assert_eq!(cable["source"]["container"], "cables-csv");
            assert!(cable["raw_id"].is_string(), "row {}: container id", i + 1);
        }
    }
    assert_eq!(
        str_at(&serde_json::from_str(lines[120]).unwrap(), "/id"),
        "09PARTO13"
    );
}

#[test]
fn a_folder_gives_all_its_cables() {
    let Some(shared) = shared("a_folder_gives_all_its_cables") else {
        return;
    };
    let out = parse_json(&[&shared.join("cablegate-html")], 0);
    let cables = out.as_array().unwrap();
    assert_eq!(cables.len(), 40);
    for cable in cables {
        let path = str_at(cable, "/source/path");
        let stem = Path::new(path).file_stem().unwrap().to_str().unwrap();
        assert_eq!(str_at(cable, "/raw_id"), stem, "{path}");
        assert_eq!(str_at(cable, "/source/container"), "cablegate-html");
    }
}

#[test]
fn a_synthetic_folder_gives_every_file_a_record() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("a.txt"), CABLE).unwrap();
    fs::write(dir.path().join("sub/b.txt"), CABLE.replace('\n', "\r\n")).unwrap();
    fs::write(dir.path().join("c.txt"), b"\x00\x01\x02\xFF junk").unwrap();
    let out = parse_json(&[dir.path()], 0);
    let cables = out.as_array().unwrap();
    let names: Vec<&str> = cables
        .iter()
        .map(|c| {
            let p = str_at(c, "/source/path");
            p.strip_prefix(dir.path().to_str().unwrap()).unwrap_or(p)
        })
        .collect();
    assert_eq!(names, ["/a.txt", "/c.txt", "/sub/b.txt"]);
    assert_eq!(cables[1]["diagnostics"][0]["code"], "not-a-cable");
    assert_eq!(cables[0]["subject"], "A SYNTHETIC TEST CABLE");
    // The CRLF copy parses to the same fields.
    for field in ["subject", "classification", "tags", "date", "paragraphs"] {
        if field == "paragraphs" {
            assert_eq!(
                cables[0][field][0]["text"], cables[2][field][0]["text"],
                "{field}"
            );
        } else {
            assert_eq!(cables[0][field], cables[2][field], "{field}");
        }
    }
}

#[test]
fn a_missing_path_is_a_record_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    fs::write(&good, CABLE).unwrap();
    let missing = dir.path().join("no-such-cable.txt");

    let out = parse_json(&[&missing], 1);
    assert!(out.is_object());
    assert_eq!(str_at(&out, "/source/path"), missing.to_str().unwrap());
    assert_eq!(out["id"], Value::Null);
    let d = &out["diagnostics"][0];
    assert_eq!(
        (d["severity"].as_str(), d["code"].as_str()),
        (Some("error"), Some("unreadable"))
    );
    assert!(str_at(d, "/message").contains("cannot read"), "{d}");

    // The good input still gets its record.
    let out = parse_json(&[good.as_path(), missing.as_path()], 1);
    let cables = out.as_array().unwrap();
    assert_eq!(cables.len(), 2);
    assert_eq!(cables[0]["subject"], "A SYNTHETIC TEST CABLE");
    assert_eq!(cables[1]["diagnostics"][0]["code"], "unreadable");
}

#[test]
fn junk_is_not_a_cable() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.bin");
    fs::write(&junk, [0u8, 159, 146, 150, 0, 0, 7, 255, 254, 0, 1]).unwrap();

    let out = parse_json(&[&junk], 0);
    let d = &out["diagnostics"][0];
    assert_eq!(
        (d["severity"].as_str(), d["code"].as_str()),
        (Some("error"), Some("not-a-cable"))
    );
    assert_eq!(str_at(&out, "/source/path"), junk.to_str().unwrap());

    cables()
        .arg("lint")
        .arg(&junk)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "{}:1:1: error[not-a-cable]: not a cable",
            junk.display()
        )))
        .stderr(predicate::str::contains("1 cables, 1 errors, 0 warnings"));
}

/// `location:line:col: severity[code]: message`.
fn assert_compiler_style(line: &str, location: &str) {
    let rest = line
        .strip_prefix(location)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or_else(|| panic!("`{line}` does not start with `{location}:`"));
    let mut parts = rest.splitn(3, ':');
    let (l, c, tail) = (
        parts.next().unwrap(),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    assert!(l.parse::<u32>().is_ok_and(|n| n >= 1), "line in `{line}`");
    assert!(c.parse::<u32>().is_ok_and(|n| n >= 1), "column in `{line}`");
    let tail = tail.strip_prefix(' ').expect("a space after the column");
    let (severity, rest) = tail.split_once('[').expect("severity[code]");
    assert!(
        ["info", "warning", "error"].contains(&severity),
        "severity in `{line}`"
    );
    let (code, message) = rest.split_once("]: ").expect("]: message");
    assert!(
        !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
        "kebab-case code in `{line}`"
    );
    assert!(!message.trim().is_empty(), "message in `{line}`");
}

#[test]
fn lint_prints_compiler_style_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    // No classification line, no DTG, no TAGS: several diagnostics, none of them errors.
    let path = dir.path().join("bare.txt");
    fs::write(&path, "SUBJECT: BARE\n\n1. Text.\n").unwrap();
    let out = cables().arg("lint").arg(&path).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(!lines.is_empty(), "a bare cable has diagnostics");
    for line in &lines {
        assert_compiler_style(line, path.to_str().unwrap());
    }
    let warnings = lines.iter().filter(|l| l.contains(": warning[")).count();
    assert_eq!(
        stderr.trim(),
        format!("1 cables, 0 errors, {warnings} warnings")
    );

    // A cables.csv record is located as path#row.
    let csv = dir.path().join("dump.csv");
    fs::write(
        &csv,
        "\"1\",\"8/4/2009 14:57\",\"09STATE1\",\"Secretary of State\",\"UNCLASSIFIED\",\"\",\"\",\"SUBJECT: ONE\n\n1. Body.\n\"\n\
         \"2\",\"8/4/2009 14:57\",\"09STATE2\",\"Secretary\"\n\
         \"3\",\"8/4/2009 14:57\",\"09STATE3\",\"Secretary of State\",\"UNCLASSIFIED\",\"\",\"\",\"SUBJECT: THREE\"\n",
    )
    .unwrap();
    let out = cables().arg("lint").arg(&csv).assert().code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let csv = csv.to_str().unwrap();
    for line in stdout.lines() {
        let location = line.split(':').next().unwrap();
        assert!(
            [1, 2, 3]
                .map(|r| format!("{csv}#{r}"))
                .contains(&location.to_owned()),
            "{line}"
        );
        assert_compiler_style(line, location);
    }
    assert!(
        stdout.contains(&format!(
            "{csv}#2:1:1: error[malformed-record]: record 2 (line 5)"
        )),
        "{stdout}"
    );
}

#[test]
fn lint_json_lists_diagnostics_per_cable() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    fs::write(&a, CABLE).unwrap();
    fs::write(&b, "SUBJECT: BARE\n\n1. Text.\n").unwrap();
    let out = cables()
        .args(["lint", "--json"])
        .arg(&a)
        .arg(&b)
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let records = json.as_array().expect("an array for two cables");
    assert_eq!(records.len(), 2);
    for record in records {
        let mut keys: Vec<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["diagnostics", "id", "source"]);
        for d in record["diagnostics"].as_array().unwrap() {
            for key in ["severity", "code", "message", "line", "column"] {
                assert!(d.get(key).is_some(), "{key} in {d}");
            }
        }
    }
    assert_eq!(str_at(&records[1], "/source/path"), b.to_str().unwrap());
    assert!(!records[1]["diagnostics"].as_array().unwrap().is_empty());

    // `--json` is global: accepted before the command too.
    cables()
        .args(["--json", "lint"])
        .arg(&a)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("{"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Enough output to fill any pipe buffer.
    for i in 0..300 {
        fs::write(dir.path().join(format!("c{i:03}.txt")), CABLE).unwrap();
    }
    let mut child = std::process::Command::new(cargo_bin!("cables"))
        .args(["parse", "--jsonl"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'));
    // The reader is dropped here, like `| head -n 1`.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn help_and_usage_errors() {
    cables()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "archive engine for US diplomatic cables",
        ))
        .stdout(predicate::str::contains("parse"))
        .stdout(predicate::str::contains("lint"));
    cables()
        .args(["parse", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--jsonl"))
        .stdout(predicate::str::contains("Exit status"));
    cables()
        .args(["lint", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PATH#ROW"));
    cables().arg("parse").assert().code(2);
    cables().arg("frobnicate").assert().code(2);
    cables()
        .args(["parse", "--no-such-flag", "x"])
        .assert()
        .code(2);
}
