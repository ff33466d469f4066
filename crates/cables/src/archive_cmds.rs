//! The archive commands: `ingest`, `search`, `show` and `stats`, over the data directory chosen
//! by `--data DIR`, else `$CABLES_DATA`, else the platform data directory.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use std::time::{Duration, Instant};

use cable_archive::readers::Readers;
use cable_archive::{
    Archive, ArchiveError, Clearance, ExportFormat, IngestSummary, SearchOptions, Sort, View, Who,
};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Cable files, folders, Cablegate HTML pages or cables.csv files
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SortArg {
    /// Best match first: words rank, fields only narrow (fields alone: archive order)
    Relevance,
    /// Oldest first
    Date,
    /// Newest first
    #[value(name = "-date")]
    DateDesc,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The query (QUERY.md); empty for every cable
    #[arg(value_name = "QUERY", default_value = "")]
    query: String,
    /// Hits per page
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Hits to skip
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Result order
    #[arg(
        long,
        value_enum,
        default_value = "relevance",
        allow_hyphen_values = true
    )]
    sort: SortArg,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The cable id (09STATE12345)
    #[arg(value_name = "ID")]
    id: String,
    /// Print the original text as read from its container
    #[arg(long, conflicts_with = "json")]
    raw: bool,
    /// List every version of the cable
    #[arg(long)]
    versions: bool,
}

/// The data directory: `--data`, else `$CABLES_DATA`, else the platform data directory.
pub fn data_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("CABLES_DATA").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "cables")
        .map(|d| d.data_dir().to_path_buf())
        .context("no home directory: give the data directory with --data DIR or $CABLES_DATA")
}

pub fn open(flag: Option<&Path>) -> Result<Archive> {
    let dir = data_dir(flag)?;
    Archive::open(&dir).with_context(|| format!("opening the archive in {}", dir.display()))
}

/// Whose view a reading command takes: the owner's (everything), or with `--as NAME` a
/// reader's (`--as anonymous`: the public's, unless a reader has that name); `--as-of` sets
/// the day automatic declassification counts from.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    pub as_name: Option<String>,
    pub as_of: Option<jiff::civil::Date>,
}

/// The view `reading` asks for on `archive`.
pub fn view_of(archive: &Archive, reading: &Reading) -> Result<View> {
    let Some(name) = reading.as_name.as_deref() else {
        return Ok(archive.view(Who::Owner, None, reading.as_of)?);
    };
    let readers = Readers::load(archive.dir())?;
    if let Some(r) = readers.get(name) {
        return Ok(archive.view(
            Who::Reader(name.to_string()),
            Some(r.clearance.clone()),
            reading.as_of,
        )?);
    }
    if name == "anonymous" {
        return Ok(archive.view(Who::Anonymous, Some(Clearance::public()), reading.as_of)?);
    }
    anyhow::bail!(
        "no reader named {name} in {}; `cables user list` shows the readers (`--as anonymous` reads as the public)",
        archive.dir().display()
    )
}

/// A caller's mistake is reported plainly with exit 1; ours goes up with context.
fn user_error(err: ArchiveError) -> Result<ExitCode> {
    if err.is_user_error() {
        eprintln!("cables: {err}");
        return Ok(ExitCode::FAILURE);
    }
    Err(err.into())
}

pub fn ingest(data: Option<&Path>, args: &IngestArgs, json_out: bool) -> Result<ExitCode> {
    let mut archive = open(data)?;
    // On a terminal the bar runs on the bytes of the inputs (a quick walk of their sizes);
    // cable text is a little smaller than an HTML page, so the ETA errs on the safe side.
    let total = if std::io::stderr().is_terminal() {
        Total::Bytes(input_bytes(&args.paths))
    } else {
        Total::Unknown
    };
    let summary = run_ingest(&mut archive, total, |archive, progress| {
        archive.ingest(&args.paths, progress)
    })?;
    print_summary(&summary, json_out)
}

/// What the progress of an ingest is measured against.
#[derive(Clone, Copy)]
pub enum Total {
    /// Bytes of input files.
    Bytes(u64),
    /// Cables (known in advance, as for generated cables).
    Cables(u64),
    Unknown,
}

/// The sizes of the files under `paths`, following symlinks.
pub fn input_bytes(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .flat_map(|p| walkdir::WalkDir::new(p).follow_links(true))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Run an ingest with progress on stderr: a bar with count, rate and ETA on a terminal; in a
/// pipe, a plain line after the first commit and then every five seconds. Problems are
/// printed as they are found, each naming its path.
pub fn run_ingest(
    archive: &mut Archive,
    total: Total,
    ingest: impl FnOnce(
        &mut Archive,
        &mut dyn FnMut(&IngestSummary),
    ) -> cable_archive::Result<IngestSummary>,
) -> Result<IngestSummary> {
    let stop = stop_flag();
    archive.stop_on(stop.clone());
    let started = Instant::now();
    let mut reported = 0;
    let mut last_line: Option<Instant> = None;
    let bar = std::io::stderr().is_terminal().then(|| {
        let (len, template) = match total {
            Total::Bytes(n) => (
                Some(n),
                "{elapsed_precise} [{bar:30}] {percent:>3}% ETA {eta} {msg}",
            ),
            Total::Cables(n) => (
                Some(n),
                "{elapsed_precise} [{bar:30}] {pos}/{len} cables, ETA {eta} {msg}",
            ),
            Total::Unknown => (None, "{spinner} {elapsed_precise} {msg}"),
        };
        let bar = match len {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let summary = ingest(archive, &mut |s| {
        for p in &s.problems[reported..] {
            match &bar {
                Some(bar) => bar.println(format!("cables: {}", p.message)),
                None => eprintln!("cables: {}", p.message),
            }
        }
        reported = s.problems.len();
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        let line = format!(
            "{} cables ({:.0}/s, {:.1} MB/s): {} new, {} changed, {} unchanged, {} unreadable",
            s.read,
            s.read as f64 / secs,
            s.bytes as f64 / 1e6 / secs,
            s.new,
            s.changed,
            s.unchanged,
            s.unreadable
        );
        match &bar {
            Some(bar) => {
                bar.set_position(match total {
                    Total::Cables(_) => s.read + s.unreadable,
                    _ => s.bytes,
                });
                bar.set_message(line);
            }
            None => {
                // The first commit at once (a script may wait for it), then every 5 seconds.
                let first = last_line.is_none() && s.committed > 0;
                if first || last_line.is_some_and(|t| t.elapsed() >= Duration::from_secs(5)) {
                    eprintln!("ingest: committed {}, read {line}", s.committed);
                    last_line = Some(Instant::now());
                }
            }
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = summary?;
    if summary.interrupted {
        eprintln!(
            "cables: ingest stopped by a signal after committing {} cables; run it again to \
             finish (what is there is skipped)",
            summary.committed
        );
    }
    Ok(summary)
}

/// Set by SIGINT or SIGTERM: the ingest then commits what it has and stops. A second signal
/// while the flag is set ends the process at once (the archive is crash-safe).
fn stop_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, OnceLock};
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        for (signal, status) in [
            (signal_hook::consts::SIGINT, 130),
            (signal_hook::consts::SIGTERM, 143),
        ] {
            // Order matters: the exit check runs before the flag is set.
            let _ = signal_hook::flag::register_conditional_shutdown(signal, status, flag.clone());
            let _ = signal_hook::flag::register(signal, flag.clone());
        }
        flag
    })
    .clone()
}

/// Print the summary; exit 0, or 1 when a signal stopped the run before the end.
pub fn print_summary(summary: &IngestSummary, json_out: bool) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json_out {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{} new, {} changed, {} unchanged, {} with diagnostics, {} unreadable",
            summary.new,
            summary.changed,
            summary.unchanged,
            summary.with_diagnostics,
            summary.unreadable
        )?;
    }
    Ok(if summary.interrupted {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Parse a query, or print what is wrong and where (the caller exits 1).
fn parse_query(text: &str) -> Option<cable_query::Query> {
    match cable_query::parse(text) {
        Ok(q) => Some(q),
        Err(err) => {
            eprintln!("cables: malformed query\n{}", err.render(text));
            None
        }
    }
}

/// On a terminal, a bar counting cables against a total set as the job learns it.
fn count_bar() -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} cables, ETA {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    })
}

pub fn search(
    data: Option<&Path>,
    args: &SearchArgs,
    reading: &Reading,
    json_out: bool,
) -> Result<ExitCode> {
    let Some(query) = parse_query(&args.query) else {
        return Ok(ExitCode::FAILURE);
    };
    let archive = open(data)?;
    let view = view_of(&archive, reading)?;
    archive.audit(&view, "search", &args.query, "cli");
    let opts = SearchOptions {
        limit: args.limit,
        offset: args.offset,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::DateAsc,
            SortArg::DateDesc => Sort::DateDesc,
        },
    };
    let results = match archive.search(&query, &opts, &view) {
        Ok(r) => r,
        Err(e) => return user_error(e),
    };
    let mut out = std::io::stdout().lock();
    if json_out {
        serde_json::to_writer_pretty(&mut out, &results)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for h in &results.hits {
        let day = h
            .date
            .as_deref()
            .map(|d| &d[..d.len().min(10)])
            .unwrap_or("-");
        let subject: String = h
            .subject
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(70)
            .collect();
        writeln!(
            out,
            "{:<22} {:<10} {:<13} {}",
            h.id,
            day,
            h.classification.as_deref().unwrap_or("-"),
            subject
        )?;
        if std::io::stdout().is_terminal() && !h.snippet.is_empty() {
            // Matched words in bold.
            let mut line = String::with_capacity(h.snippet.len() + 8 * h.highlights.len());
            let mut at = 0;
            for [a, b] in &h.highlights {
                if *a < at || *b > h.snippet.len() {
                    continue;
                }
                line.push_str(&h.snippet[at..*a]);
                line.push_str("\x1b[1m");
                line.push_str(&h.snippet[*a..*b]);
                line.push_str("\x1b[0m");
                at = *b;
            }
            line.push_str(&h.snippet[at..]);
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(
        out,
        "{} cables; showing {}–{}",
        results.total,
        (args.offset + 1).min(results.total as usize),
        args.offset + results.hits.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn addressees(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let name = a["name"].as_str().unwrap_or_default();
            let mut extra = Vec::new();
            if let Some(st) = a["station"].as_str().filter(|st| !name.contains(st)) {
                extra.push(st.to_string());
            }
            if let Some(ri) = a["ri"].as_str() {
                extra.push(ri.to_string());
            }
            if extra.is_empty() {
                name.to_string()
            } else {
                format!("{name} ({})", extra.join(", "))
            }
        })
        .collect()
}

/// A routing indicator with the station it names: `RUEHPU (Port au Prince)`.
fn ri_named(ri: &str) -> String {
    match cable_format::tables::routing_indicator(ri) {
        Some(name) => format!("{ri} ({name})"),
        None => ri.to_string(),
    }
}

/// The transmission heading decoded, one line: station, serial, section, filing time, relays.
fn transmission_line(t: &Value) -> Option<String> {
    let station = t["station"].as_str()?;
    let mut parts = vec![format!("from {}", ri_named(station))];
    if let Some(serial) = t["serial"].as_str() {
        parts.push(format!("serial {serial}"));
    }
    if let Some(section) = t["section"].as_u64() {
        parts.push(format!("section {section}"));
    }
    if let Some(filed) = t["filed"].as_str() {
        parts.push(format!("filed {filed}"));
    }
    let relays: Vec<String> = t["routing"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(ri_named)
        .collect();
    if !relays.is_empty() {
        parts.push(format!("via {}", relays.join(", ")));
    }
    Some(parts.join(", "))
}

pub fn show(
    data: Option<&Path>,
    args: &ShowArgs,
    reading: &Reading,
    json_out: bool,
) -> Result<ExitCode> {
    let archive = open(data)?;
    let view = view_of(&archive, reading)?;
    let id = args.id.trim().to_uppercase();
    archive.audit(&view, if args.raw { "raw" } else { "cable" }, &id, "cli");
    let Some(rec) = archive.get(&id, &view)? else {
        return show_placeholder(&archive, &id, &view, json_out);
    };
    let mut out = std::io::stdout().lock();
    if args.raw {
        out.write_all(rec.original.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let ledger = archive.ledger(&id, &view)?;
    if json_out {
        let mut v = archive.document(&id, &view)?.unwrap_or_default();
        if args.versions {
            v["versions"] = json!(ledger.map(|l| l.versions).unwrap_or_default());
        }
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (cites, cited_by) = archive
        .graph(&id, &view)?
        .map(|g| (g.cites, g.cited_by))
        .unwrap_or_default();
    let c = &rec.cable;
    let s = |k: &str| c[k].as_str().unwrap_or("-").to_string();
    writeln!(out, "{id}  {}", s("banner"))?;
    writeln!(out, "Date:       {}", s("date"))?;
    writeln!(out, "Precedence: {}", s("precedence"))?;
    if let Some(line) = transmission_line(&c["transmission"]) {
        writeln!(out, "Heading:    {line}")?;
    }
    writeln!(out, "From:       {} ({})", s("from"), s("origin"))?;
    for (label, key) in [("To:", "to"), ("Info:", "info")] {
        let list = addressees(&c[key]);
        if !list.is_empty() {
            writeln!(out, "{label:<11} {}", list.join("; "))?;
        }
    }
    for key in ["captions", "caveats"] {
        let list: Vec<&str> = c[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !list.is_empty() {
            writeln!(out, "{:<11} {}", format!("{key}:"), list.join(", "))?;
        }
    }
    for t in c["tags"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "Tag:        {} — {}",
            t["code"].as_str().unwrap_or_default(),
            t["meaning"].as_str().unwrap_or("?")
        )?;
    }
    match c["subject"].as_str() {
        Some(subject) => writeln!(out, "Subject:    {subject}")?,
        None => {
            let note = c["withheld"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|w| w["portion"] == "subject")
                .and_then(|w| w["note"].as_str());
            writeln!(
                out,
                "Subject:    {}",
                note.map_or("-".to_string(), |n| format!("[{n}]"))
            )?
        }
    }
    if let Some(r) = c.get("release").filter(|r| !r.is_null()) {
        let withheld: Vec<String> = r["withheld"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| {
                format!(
                    "paragraph {} (exemption {})",
                    w["paragraph"].as_str().unwrap_or("?"),
                    w["exemption"].as_str().unwrap_or("?")
                )
            })
            .collect();
        writeln!(
            out,
            "Released:   to {} by {} on {}{}",
            r["level"].as_str().unwrap_or("?"),
            r["by"].as_str().unwrap_or("?"),
            r["at"].as_str().unwrap_or("?"),
            if withheld.is_empty() {
                String::new()
            } else {
                format!("; withheld: {}", withheld.join(", "))
            }
        )?;
    }
    for cite in &cites {
        let mark = match (&cite.id, &cite.cable) {
            (Some(_), Some(n)) => format!(
                "in the archive: {} {}",
                n.date.as_deref().map_or("", |d| &d[..d.len().min(10)]),
                n.subject.as_deref().unwrap_or_default()
            ),
            (Some(_), None) => "not in the archive".to_string(),
            (None, _) => "not a cable".to_string(),
        };
        writeln!(out, "Ref:        {} [{}]", cite.text, mark.trim_end())?;
    }
    writeln!(out)?;
    for p in c["paragraphs"].as_array().into_iter().flatten() {
        if let Some(h) = p["heading"].as_str() {
            writeln!(out, "{h}")?;
        }
        let number = p["number"]
            .as_str()
            .map(|n| format!("{n}. "))
            .unwrap_or_default();
        let marking = p["marking"]
            .as_str()
            .map(|m| format!("({m}) "))
            .unwrap_or_default();
        match p["withheld"].as_str() {
            Some(note) => writeln!(out, "{number}{marking}[{note}]\n")?,
            None => writeln!(
                out,
                "{number}{marking}{}\n",
                p["text"].as_str().unwrap_or_default()
            )?,
        }
    }
    if !cited_by.is_empty() {
        writeln!(out, "Cited by:")?;
        for n in &cited_by {
            writeln!(out, "  {}", neighbour_line(n))?;
        }
    }
    if args.versions {
        for (i, v) in ledger
            .map(|l| l.versions)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            writeln!(
                out,
                "Version {}: {}{} from {}",
                i + 1,
                &v.hash[..12],
                if v.hash == rec.hash { " (current)" } else { "" },
                v.source["path"]
                    .as_str()
                    .or(v.source["container"].as_str())
                    .unwrap_or("?")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn neighbour_line(n: &cable_archive::Neighbour) -> String {
    let day = n.date.as_deref().map_or("-", |d| &d[..d.len().min(10)]);
    format!(
        "{:<22} {:<10} {}",
        n.id,
        day,
        n.subject.as_deref().unwrap_or_default()
    )
}

/// An id the archive does not hold: a placeholder when other cables cite it, else unknown.
fn show_placeholder(archive: &Archive, id: &str, view: &View, json_out: bool) -> Result<ExitCode> {
    let Some(graph) = archive.graph(id, view)? else {
        eprintln!("cables: no cable {id} in the archive, and no cable in it cites {id}");
        return Ok(ExitCode::FAILURE);
    };
    let mut out = std::io::stdout().lock();
    if json_out {
        serde_json::to_writer_pretty(&mut out, &graph)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{id}: not in the archive (a placeholder); cited by {} cable{}:",
            graph.cited_by.len(),
            if graph.cited_by.len() == 1 { "" } else { "s" }
        )?;
        for n in &graph.cited_by {
            writeln!(out, "  {}", neighbour_line(n))?;
        }
    }
    // The cable itself is not there: a script asking for it learns so from the exit code.
    Ok(ExitCode::FAILURE)
}

pub fn stats(data: Option<&Path>, reading: &Reading, json_out: bool) -> Result<ExitCode> {
    let archive = open(data)?;
    let view = view_of(&archive, reading)?;
    archive.audit(&view, "stats", "", "cli");
    let stats = archive.stats(&view)?;
    let mut out = std::io::stdout().lock();
    if json_out {
        serde_json::to_writer_pretty(&mut out, &stats)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    match stats.versions {
        Some(v) => writeln!(out, "{} cables, {v} versions", stats.cables)?,
        None => writeln!(out, "{} cables", stats.cables)?,
    }
    writeln!(
        out,
        "Built with index schema {} and parser {}",
        stats.schema_version, stats.parser_version
    )?;
    for (title, map) in [
        ("By classification", &stats.by_classification),
        ("By year", &stats.by_year),
        ("Diagnostics", &stats.diagnostics),
    ] {
        writeln!(out, "{title}:")?;
        for (k, n) in map {
            writeln!(out, "  {k:<40} {n}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExportFormatArg {
    /// One JSON object per line: the parse's fields, `version` and the original `text`
    Jsonl,
    /// A header row, then one row per cable
    Csv,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The query (QUERY.md); empty for every cable
    #[arg(value_name = "QUERY", default_value = "")]
    query: String,
    /// Output format
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormatArg,
    /// Write to this file instead of standard output
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn export(
    data: Option<&Path>,
    args: &ExportArgs,
    reading: &Reading,
    json_out: bool,
) -> Result<ExitCode> {
    let Some(query) = parse_query(&args.query) else {
        return Ok(ExitCode::FAILURE);
    };
    let archive = open(data)?;
    let view = view_of(&archive, reading)?;
    archive.audit(&view, "export", &args.query, "cli");
    let format = match args.format {
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
        ExportFormatArg::Csv => ExportFormat::Csv,
    };
    let mut sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let bar = count_bar();
    let result = archive.export(&query, format, &view, &mut sink, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) => return user_error(e),
    };
    drop(sink);
    // The data went to stdout unless --out: the summary then goes to stderr.
    let mut report: Box<dyn Write> = if args.out.is_some() {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::stderr().lock())
    };
    if json_out {
        serde_json::to_writer(&mut report, &summary)?;
        writeln!(report)?;
    } else if args.out.is_some() || std::io::stderr().is_terminal() {
        writeln!(
            report,
            "exported {} cables ({} bytes)",
            summary.cables, summary.bytes
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reindex(data: Option<&Path>, json_out: bool) -> Result<ExitCode> {
    let dir = data_dir(data)?;
    let bar = count_bar();
    let result = Archive::reindex(&dir, &mut |done, total| match &bar {
        Some(bar) => {
            bar.set_length(total);
            bar.set_position(done);
        }
        None => eprintln!("reindex: {done}/{total} cables"),
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) => return user_error(e),
    };
    let mut out = std::io::stdout().lock();
    if json_out {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "reindexed {} cables and {} older versions: schema {} -> {}, parser {} -> {}",
            summary.cables,
            summary.old_versions,
            summary.from_schema,
            summary.schema,
            summary.from_parser,
            summary.parser
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
