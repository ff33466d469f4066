//! The writers: `cables.csv` read back by `cable_sources` gives the same texts and the
//! container fields; a folder of `<ID>.txt` files reads back the same; both stream.

use cable_synth::{generate, write_cables_csv, write_txt_dir};

#[test]
fn cables_csv_reads_back_to_the_same_texts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cables.csv");
    let cables: Vec<_> = generate(99, 300).collect();
    let file = std::fs::File::create(&path).unwrap();
    let (n, bytes) = write_cables_csv(file, cables.iter().cloned()).unwrap();
    assert_eq!(n, 300);
    assert_eq!(bytes, std::fs::metadata(&path).unwrap().len());

    let head = std::fs::read(&path).unwrap();
    assert_eq!(
        cable_sources::detect(&head),
        cable_sources::ContainerKind::CablesCsv
    );
    assert!(head.ends_with(b"\"\n"), "records end with a quote and LF");

    let read: Vec<_> = cable_sources::read_path(&path)
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(read.len(), cables.len());
    let mut escaped = 0;
    for (raw, c) in read.iter().zip(&cables) {
        assert_eq!(raw.text, c.text, "{}", c.id);
        assert_eq!(raw.container_id.as_deref(), Some(c.id.as_str()));
        assert_eq!(
            raw.container_classification.as_deref(),
            Some(c.banner.as_str())
        );
        assert_eq!(
            raw.container_origin.as_deref(),
            Some(c.origin_name.as_str())
        );
        assert_eq!(raw.container_references, c.references);
        assert_eq!(raw.source.row, Some(c.index as u64 + 1));
        escaped += usize::from(c.text.contains(['"', '\'']));
    }
    assert!(escaped > 50, "only {escaped} cables exercised the escapes");
}

#[test]
fn a_text_folder_reads_back_to_the_same_texts() {
    let dir = tempfile::tempdir().unwrap();
    let cables: Vec<_> = generate(98, 120).collect();
    let (n, bytes) = write_txt_dir(dir.path(), cables.iter().cloned()).unwrap();
    assert_eq!(n, 120);
    assert_eq!(
        bytes,
        cables.iter().map(|c| c.text.len() as u64).sum::<u64>()
    );
    let mut read: Vec<_> = cable_sources::read_path(dir.path())
        .map(|r| r.unwrap())
        .collect();
    read.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    let mut want: Vec<_> = cables.iter().collect();
    want.sort_by(|a, b| format!("{}.txt", a.id).cmp(&format!("{}.txt", b.id)));
    assert_eq!(read.len(), want.len());
    for (raw, c) in read.iter().zip(want) {
        assert!(raw.source.path.ends_with(&format!("{}.txt", c.id)));
        assert_eq!(raw.text, c.text);
    }
}

#[test]
fn header_and_body_split_like_the_site() {
    for c in generate(97, 200) {
        assert_eq!(format!("{}\n\n{}\n", c.header(), c.body()), c.text);
        assert!(!c.header().is_empty());
        assert!(!c.body().starts_with('\n'));
        // The body opens with the classification line, which ends with the serial.
        let first = c.body().lines().next().unwrap().trim_end();
        let serial =
            c.id.trim_start_matches(|ch: char| !ch.is_ascii_alphabetic());
        let serial = serial.trim_start_matches(|ch: char| ch.is_ascii_alphabetic());
        assert!(first.ends_with(serial), "{first} / {}", c.id);
    }
}
