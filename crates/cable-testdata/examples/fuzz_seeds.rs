//! Writes the seed inputs of a fuzz target, built from `../shared`, into a folder:
//! `cargo run -p cable-testdata --example fuzz_seeds -- <target> <dir>` (used by `fuzz/run.sh`).

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, dir] = args.as_slice() else {
        eprintln!(
            "usage: fuzz_seeds <target> <dir>   (targets: {:?})",
            cable_testdata::fuzz::TARGETS
        );
        std::process::exit(2);
    };
    let Some(shared) = cable_testdata::shared_dir() else {
        eprintln!("fuzz_seeds: ../shared not found (set CABLES_SHARED)");
        std::process::exit(1);
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create the seed folder");
    let seeds = cable_testdata::fuzz::seeds(target, &shared);
    for (i, (name, bytes)) in seeds.iter().enumerate() {
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        std::fs::write(dir.join(format!("{i:04}-{file}")), bytes).expect("write a seed");
    }
    println!("{target}: {} seeds in {}", seeds.len(), dir.display());
}
