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
    // The text view decodes the heading: routing indicators named, TAGS with meanings.
    let out = cables(data).args(["show", &id]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    if let Some(station) = c["transmission"]["station"].as_str() {
        assert!(
            text.contains(&format!("Heading:    from {station} (")),
            "{text}"
        );
    }
    for t in c["tags"].as_array().into_iter().flatten() {
        if let (Some(code), Some(meaning)) = (t["code"].as_str(), t["meaning"].as_str()) {
            assert!(text.contains(&format!("{code} — {meaning}")), "{text}");
        }
    }
    let out = cables(data).args(["show", "--raw", &id]).assert().success();
    assert!(!out.get_output().stdout.is_empty());

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

#[test]
fn gen_ingest_export_reindex_and_placeholders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = cables(&data)
        .args(["gen", "--ingest", "--count", "600", "--seed", "5", "--json"])
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["new"], 600, "{summary}");
    assert!(summary["bytes"].as_u64().unwrap_or(0) > 600 * 500);

    // Export: every cable once, in both formats; the summary on stderr (stdout with --out).
    let out = cables(&data)
        .args(["export", "--format", "jsonl"])
        .assert()
        .success();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 600);
    let ids: std::collections::BTreeSet<&str> =
        lines.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids.len(), 600);
    let csv_path = dir.path().join("secret.csv");
    let out = cables(&data)
        .args([
            "export",
            "class:SECRET",
            "--format",
            "csv",
            "--json",
            "--out",
        ])
        .arg(&csv_path)
        .assert()
        .success();
    let s = json(&out.get_output().stdout);
    let secret = lines
        .iter()
        .filter(|v| v["classification"].as_str() == Some("SECRET"))
        .count();
    assert!(secret > 10, "{secret}");
    assert_eq!(s["cables"], secret as u64, "{s}");
    let csv = std::fs::read_to_string(&csv_path).expect("csv");
    assert!(csv.starts_with("id,date,classification,"));

    // A cited cable we do not have is a placeholder: shown with what cites it, exit 1.
    let missing = lines
        .iter()
        .flat_map(|v| v["references"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .find(|id| !ids.contains(id.as_str()))
        .expect("a generated REF list cites a cable outside the set");
    let out = cables(&data)
        .args(["show", "--json", &missing])
        .assert()
        .code(1);
    let g = json(&out.get_output().stdout);
    assert_eq!(g["in_archive"], false, "{g}");
    assert!(!g["cited_by"].as_array().expect("cited_by").is_empty());
    cables(&data)
        .args(["show", "99NOWHERE1"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no cable 99NOWHERE1"));

    // Reindex: the same cables, counts and facets (ties in relevance may change order).
    let search = || {
        let out = cables(&data)
            .args(["search", "--json", "--limit", "1000", "tag:PREL"])
            .assert()
            .success();
        let mut v = json(&out.get_output().stdout);
        let mut ids: Vec<String> = v["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h["id"].as_str().map(str::to_string))
            .collect();
        ids.sort();
        v["hits"] = serde_json::json!(ids);
        v
    };
    let before = search();
    let out = cables(&data).args(["reindex", "--json"]).assert().success();
    assert_eq!(json(&out.get_output().stdout)["cables"], 600);
    assert_eq!(search(), before);

    // A malformed query is an error with its position, for search and export alike.
    for cmd in ["search", "export"] {
        cables(&data)
            .args([cmd, "class:SECRET AND (tag:PREL"])
            .assert()
            .code(1)
            .stderr(predicates::str::contains("malformed query"));
    }
}
