//! `cables lint`: the diagnostics of every cable of the inputs, compiler style or as JSON.

use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use cable_format::{Cable, Diagnostic, Severity, Source};
use serde::Serialize;

use crate::output::{self, write_json};
use crate::records::Records;

/// What `--json` prints for one cable.
#[derive(Serialize)]
struct LintRecord {
    id: Option<String>,
    source: Option<Source>,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Default)]
struct Counts {
    cables: Cell<u64>,
    errors: Cell<u64>,
    warnings: Cell<u64>,
}

impl Counts {
    fn add(&self, cable: &Cable) {
        self.cables.set(self.cables.get() + 1);
        for d in &cable.diagnostics {
            match d.severity {
                Severity::Error => self.errors.set(self.errors.get() + 1),
                Severity::Warning => self.warnings.set(self.warnings.get() + 1),
                Severity::Info => {}
            }
        }
    }
}

pub fn run(paths: &[PathBuf], json: bool) -> anyhow::Result<ExitCode> {
    let unreadable = Cell::new(false);
    let counts = Counts::default();
    let records = Records::new(paths, &unreadable).inspect(|cable| counts.add(cable));
    let mut out = output::stdout();
    if json {
        let records = records.map(|cable| LintRecord {
            id: cable.id,
            source: cable.source,
            diagnostics: cable.diagnostics,
        });
        write_json(&mut out, records)?;
    } else {
        for cable in records {
            let location = location(cable.source.as_ref());
            for d in &cable.diagnostics {
                writeln!(out, "{}", format_diagnostic(&location, d))?;
            }
        }
    }
    out.flush()?;
    // The summary is for the person at the terminal: a failure to write it changes nothing.
    let _ = writeln!(
        std::io::stderr(),
        "{} cables, {} errors, {} warnings",
        counts.cables.get(),
        counts.errors.get(),
        counts.warnings.get()
    );
    Ok(if counts.errors.get() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `path`, or `path#row` for a record of a row-based container.
fn location(source: Option<&Source>) -> String {
    match source {
        Some(Source {
            path,
            row: Some(row),
            ..
        }) => format!("{path}#{row}"),
        Some(source) => source.path.clone(),
        None => "<unknown>".into(),
    }
}

/// `location:line:col: severity[code]: message`, on one line whatever the message holds.
fn format_diagnostic(location: &str, d: &Diagnostic) -> String {
    let severity = match d.severity {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    };
    let message = d.message.replace(['\r', '\n'], " ");
    format!(
        "{location}:{}:{}: {severity}[{}]: {message}",
        d.line, d.column, d.code
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cable_format::Span;

    #[test]
    fn compiler_style() {
        let d = Diagnostic {
            severity: Severity::Warning,
            code: "no-dtg".into(),
            message: "no date-time group\nfound".into(),
            line: 3,
            column: 7,
            span: Span::default(),
        };
        let csv = Source {
            path: "dump.csv".into(),
            row: Some(12),
            offset: Some(0),
            container: "cables-csv".into(),
        };
        assert_eq!(
            format_diagnostic(&location(Some(&csv)), &d),
            "dump.csv#12:3:7: warning[no-dtg]: no date-time group found"
        );
        let text = Source {
            path: "a.txt".into(),
            ..Source::default()
        };
        assert_eq!(location(Some(&text)), "a.txt");
    }
}
