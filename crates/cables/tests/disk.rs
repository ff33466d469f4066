//! The archive on a full disk and on a read-only mount (issue 7): each gets a clear error, the
//! archive stays whole, and the job completes once the disk has room again. Both use a small
//! tmpfs mounted for the test (tests run as root; without the right to mount, the test says so
//! and passes locally, and fails under CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;

struct Mount(PathBuf);

impl Mount {
    fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().ok()?.keep();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                !cable_testdata::in_ci(),
                "cannot mount a tmpfs under CI (tests run as root there)"
            );
            eprintln!("skipping: cannot mount a tmpfs here (not root?)");
            return None;
        }
        Some(Mount(dir))
    }

    fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount {opts}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn cables(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = cargo_bin_cmd!("cables")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn count(data: &Path) -> u64 {
    let (code, out, err) = cables(data, &["stats", "--json"]);
    assert_eq!(code, 0, "stats: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    v["cables"].as_u64().expect("count")
}

#[test]
fn a_full_disk_stops_the_ingest_cleanly_and_a_rerun_completes() {
    let Some(m) = Mount::tmpfs("6m") else { return };
    let data = m.0.join("archive");
    let (code, _, err) = cables(
        &data,
        &["gen", "--count", "4000", "--seed", "3", "--ingest"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is full"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // Whatever was committed is readable.
    let kept = count(&data);
    m.remount("size=128m");
    let (code, _, err) = cables(
        &data,
        &["gen", "--count", "4000", "--seed", "3", "--ingest"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&data), 4000, "kept {kept} before");
}

#[test]
fn a_read_only_archive_reads_and_refuses_writes_clearly() {
    let Some(m) = Mount::tmpfs("64m") else { return };
    let data = m.0.join("archive");
    let (code, _, err) = cables(&data, &["gen", "--count", "300", "--seed", "5", "--ingest"]);
    assert_eq!(code, 0, "{err}");
    m.remount("ro");
    assert_eq!(count(&data), 300);
    let (code, out, err) = cables(&data, &["search", "--json", "--limit", "1", ""]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"total\": 300"), "{out}");
    for args in [
        &["gen", "--count", "10", "--seed", "6", "--ingest"][..],
        &["reindex"],
        &["policy", "set", "auto-declassify", "on"],
    ] {
        let (code, _, err) = cables(&data, args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains("read-only"), "{args:?}: {err}");
    }
    m.remount("rw");
    assert_eq!(count(&data), 300);
}
