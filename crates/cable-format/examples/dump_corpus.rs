//! Print the JSON of the parse of every `.txt` cable in a folder, one a line, in sorted order.
//!
//! `cargo run --release -p cable-format --example dump_corpus -- ../shared/corpus > parsed.jsonl`
//!
//! Used to check that a change to the parser leaves every parse byte-identical. With `--mutate`
//! as second argument it also parses deterministic variants of each cable (CRLF line ends,
//! truncations, deleted and doubled lines, lower case) for a wider check.

// The allocator the `cables` binary uses (mimalloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;

fn variants(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut crlf = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        if b == b'\n' {
            crlf.push(b'\r');
        }
        crlf.push(b);
    }
    out.push(crlf);
    for k in 1..8 {
        out.push(bytes[..bytes.len() * k / 8].to_vec());
    }
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    for step in [3usize, 7, 11] {
        let mut dropped = Vec::new();
        let mut doubled = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if i % step != 1 {
                dropped.extend_from_slice(line);
                dropped.push(b'\n');
            }
            doubled.extend_from_slice(line);
            doubled.push(if i % step == 2 { b' ' } else { b'\n' });
        }
        out.push(dropped);
        out.push(doubled);
    }
    out.push(bytes.to_ascii_lowercase());
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "../shared/corpus".to_string());
    let mutate = args.next().is_some_and(|a| a == "--mutate");
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect(),
        Err(e) => {
            eprintln!("cannot read {dir}: {e}");
            std::process::exit(1);
        }
    };
    paths.sort();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in paths {
        let bytes = std::fs::read(&path).expect("readable cable");
        let cable = cable_format::parse(&bytes);
        let json = serde_json::to_string(&cable).expect("serializable cable");
        writeln!(out, "{json}").expect("stdout");
        if mutate {
            for v in variants(&bytes) {
                let json = serde_json::to_string(&cable_format::parse(&v)).expect("json");
                writeln!(out, "{json}").expect("stdout");
            }
        }
    }
}
