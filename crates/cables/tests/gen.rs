//! `cables gen` end to end: it writes N text files or one cables.csv, the same bytes for the same
//! seed, prints a summary (`--json`: count, seed, format, out, bytes), and exits 2 on usage
//! errors. The files it writes are read back by `cables parse`.

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn cables() -> Command {
    cargo_bin_cmd!("cables")
}

fn gen_json(args: &[&str], out: &Path) -> Value {
    let assert = cables()
        .args(["gen", "--json", "--out"])
        .arg(out)
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&assert.get_output().stdout).expect("--json prints JSON")
}

fn txt_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn writes_one_text_file_per_cable_with_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cables");
    let summary = gen_json(&["--count", "40", "--seed", "3"], &out);
    let names = txt_files(&out);
    assert_eq!(names.len(), 40);
    assert!(names.iter().all(|n| n.ends_with(".txt")));
    let bytes: u64 = names
        .iter()
        .map(|n| fs::metadata(out.join(n)).unwrap().len())
        .sum();
    assert_eq!(summary["count"], 40);
    assert_eq!(summary["seed"], 3);
    assert_eq!(summary["format"], "txt");
    assert_eq!(summary["out"], out.display().to_string());
    assert_eq!(summary["bytes"], bytes);

    // The files parse back, each to the id its name says.
    let parsed = cables().arg("parse").arg(&out).assert().success();
    let parsed: Value = serde_json::from_slice(&parsed.get_output().stdout).unwrap();
    let ids: Vec<&str> = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap_or(""))
        .collect();
    let want: Vec<&str> = names.iter().map(|n| n.trim_end_matches(".txt")).collect();
    assert_eq!(ids, want);
}

#[test]
fn writes_a_cables_csv_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let summary = gen_json(&["--count", "25", "--format", "csv"], dir.path());
    let csv = dir.path().join("cables.csv");
    assert_eq!(summary["format"], "csv");
    assert_eq!(summary["seed"], 0, "the seed defaults to 0");
    assert_eq!(summary["bytes"], fs::metadata(&csv).unwrap().len());
    assert_eq!(txt_files(dir.path()), vec!["cables.csv".to_string()]);
    let out = cables()
        .args(["parse", "--jsonl"])
        .arg(&csv)
        .assert()
        .success();
    let lines = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let records: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 25);
    for r in &records {
        assert_eq!(r["source"]["container"], "cables-csv");
        assert!(r["id"].is_string(), "{r}");
    }
}

#[test]
fn same_seed_same_bytes_and_a_text_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        cables()
            .args([
                "gen", "--count", "30", "--seed", "42", "--format", "csv", "--out",
            ])
            .arg(out)
            .assert()
            .success()
            .stdout(predicate::str::starts_with(
                "generated 30 cables (seed 42) as csv in",
            ));
    }
    let (x, y) = (
        fs::read(a.join("cables.csv")).unwrap(),
        fs::read(b.join("cables.csv")).unwrap(),
    );
    assert!(x == y, "two runs with seed 42 differ");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // No --count, a count that is not a number, an unknown format, no --out.
    cables()
        .args(["gen", "--out"])
        .arg(dir.path())
        .assert()
        .code(2);
    cables()
        .args(["gen", "--count", "many", "--out"])
        .arg(dir.path())
        .assert()
        .code(2);
    cables()
        .args(["gen", "--count", "3", "--format", "xml", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("xml"));
    cables().args(["gen", "--count", "3"]).assert().code(2);
}

#[test]
fn an_unwritable_output_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the output folder should be.
    let file = dir.path().join("taken");
    fs::write(&file, "not a folder").unwrap();
    cables()
        .args(["gen", "--count", "3", "--out"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("taken"));
}
