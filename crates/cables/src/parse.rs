//! `cables parse`: every cable of the inputs as JSON.

use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::output::{self, write_json, write_jsonl};
use crate::records::Records;

pub fn run(paths: &[PathBuf], jsonl: bool) -> anyhow::Result<ExitCode> {
    let unreadable = Cell::new(false);
    let records = Records::new(paths, &unreadable);
    let mut out = output::stdout();
    if jsonl {
        write_jsonl(&mut out, records)?;
    } else {
        write_json(&mut out, records)?;
    }
    out.flush()?;
    Ok(if unreadable.get() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
