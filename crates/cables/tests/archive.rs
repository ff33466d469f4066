//! The archive commands end to end: `ingest`, `search`, `show`, `stats` on a temporary data
//! directory (never the default one), with the real corpus.

use assert_cmd::Command;
use serde_json::Value;

fn cables(data: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("cables").expect("binary");
    c.env_remove("CABLES_DATA").arg("--data").arg(data);
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON output")
}

#[test]
fn ingest_search_show_stats() {
    let Some(shared) = cable_testdata::require_shared("ingest_search_show_stats") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let out = cables(data)
        .args(["ingest", "--json"])
        .arg(shared.join("corpus"))
        .arg(shared.join("cablegate-html"))
        .arg(shared.join("cables-csv/cables.csv"))
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["new"], 1092, "{summary}");
    assert_eq!(summary["changed"], 0);
    assert_eq!(summary["unreadable"], 1, "metadata.csv is not a cable");

    // `--data` after the subcommand works too.
    let out = Command::cargo_bin("cables")
        .expect("binary")
        .env_remove("CABLES_DATA")
        .args(["stats", "--json", "--data"])
        .arg(data)
        .assert()
        .success();
    let stats = json(&out.get_output().stdout);
    assert_eq!(stats["cables"], 1092);
    assert_eq!(stats["versions"], 1092);

    let out = cables(data)
        .args([
            "search",
            "--json",
            "--limit",
            "3",
            "--sort",
            "-date",
            "class:SECRET",
        ])
        .assert()
        .success();
    let r = json(&out.get_output().stdout);
    let total = r["total"].as_u64().expect("total");
    assert!(total > 0);
    assert_eq!(r["hits"].as_array().map(Vec::len), Some(3));
    let class_sum: u64 = r["facets"]["classification"]
        .as_object()
        .expect("facet")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(class_sum, total);
    for key in ["caveat", "tag", "origin", "year", "precedence"] {
        assert!(r["facets"][key].is_object(), "{key}");
    }
    let dates: Vec<&str> = r["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["date"].as_str())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );

    let id = r["hits"][0]["id"].as_str().expect("id").to_string();
    let out = cables(data)
        .args(["show", "--json", &id])
        .assert()
        .success();
    let c = json(&out.get_output().stdout);
    assert_eq!(c["id"], id.as_str());
    assert!(c["cited_by"].is_array());
    cables(data).args(["show", &id]).assert().success();
    cables(data).args(["show", "--raw", &id]).assert().success();

    cables(data)
        .args(["search", "frm:ISLAMABAD"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("unknown field 'frm'"));
    cables(data)
        .args(["show", "99NOWHERE1"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "no cable 99NOWHERE1 in the archive",
        ));
}
