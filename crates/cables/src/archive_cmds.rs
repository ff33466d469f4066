//! The archive commands: `ingest`, `search`, `show` and `stats`, over the data directory chosen
//! by `--data DIR`, else `$CABLES_DATA`, else the platform data directory.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use cable_archive::{Archive, ArchiveError, SearchOptions, Sort};
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
    /// Best match first
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

fn open(flag: Option<&Path>) -> Result<Archive> {
    let dir = data_dir(flag)?;
    Archive::open(&dir).with_context(|| format!("opening the archive in {}", dir.display()))
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
    let mut reported = 0;
    // A progress bar on a terminal; plain lines, one per committed chunk, in a pipe.
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed} {pos} cables ({per_sec}) {msg}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let summary = archive.ingest(&args.paths, &mut |s| {
        for p in &s.problems[reported..] {
            match &bar {
                Some(bar) => bar.println(format!("cables: {}", p.message)),
                None => eprintln!("cables: {}", p.message),
            }
        }
        reported = s.problems.len();
        let line = format!(
            "{} new, {} changed, {} unchanged, {} unreadable",
            s.new, s.changed, s.unchanged, s.unreadable
        );
        match &bar {
            Some(bar) => {
                bar.set_position(s.read);
                bar.set_message(line);
            }
            None => eprintln!("ingest: {} read, {line}", s.read),
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = summary?;
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
    Ok(ExitCode::SUCCESS)
}

pub fn search(data: Option<&Path>, args: &SearchArgs, json_out: bool) -> Result<ExitCode> {
    let query = match cable_query::parse(&args.query) {
        Ok(q) => q,
        Err(err) => {
            eprintln!("cables: malformed query\n{}", err.render(&args.query));
            return Ok(ExitCode::FAILURE);
        }
    };
    let archive = open(data)?;
    let opts = SearchOptions {
        limit: args.limit,
        offset: args.offset,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::DateAsc,
            SortArg::DateDesc => Sort::DateDesc,
        },
    };
    let results = match archive.search(&query, &opts) {
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
            writeln!(out, "    {}", h.snippet)?;
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
            match a["station"].as_str() {
                Some(st) if !name.contains(st) => format!("{name} ({st})"),
                _ => name.to_string(),
            }
        })
        .collect()
}

pub fn show(data: Option<&Path>, args: &ShowArgs, json_out: bool) -> Result<ExitCode> {
    let archive = open(data)?;
    let id = args.id.trim().to_uppercase();
    let Some(rec) = archive.get(&id)? else {
        eprintln!("cables: no cable {id} in the archive");
        return Ok(ExitCode::FAILURE);
    };
    let mut out = std::io::stdout().lock();
    if args.raw {
        out.write_all(rec.original.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let cited_by = archive.cited_by(&id)?;
    let ledger = archive.ledger(&id)?;
    let c = &rec.cable;
    let mut refs = Vec::new();
    for r in c["references"].as_array().into_iter().flatten() {
        let present = match r["id"].as_str() {
            Some(rid) => Some(archive.contains(rid)?),
            None => None,
        };
        refs.push((r.clone(), present));
    }
    if json_out {
        let mut v = c.clone();
        v["version"] = json!(rec.hash);
        v["cited_by"] = json!(cited_by);
        v["references"] = json!(refs
            .iter()
            .map(|(r, present)| {
                let mut r = r.clone();
                r["in_archive"] = json!(present);
                r
            })
            .collect::<Vec<_>>());
        if args.versions {
            v["versions"] = json!(ledger.map(|l| l.versions).unwrap_or_default());
        }
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = |k: &str| c[k].as_str().unwrap_or("-").to_string();
    writeln!(out, "{id}  {}", s("banner"))?;
    writeln!(out, "Date:       {}", s("date"))?;
    writeln!(out, "Precedence: {}", s("precedence"))?;
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
    writeln!(out, "Subject:    {}", s("subject"))?;
    for (r, present) in &refs {
        let mark = match present {
            Some(true) => "in the archive",
            Some(false) => "missing",
            None => "not a cable",
        };
        writeln!(
            out,
            "Ref:        {} [{mark}]",
            r["text"].as_str().unwrap_or_default()
        )?;
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
        writeln!(
            out,
            "{number}{marking}{}\n",
            p["text"].as_str().unwrap_or_default()
        )?;
    }
    if !cited_by.is_empty() {
        writeln!(out, "Cited by: {}", cited_by.join(", "))?;
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
                v.source["path"].as_str().unwrap_or("?")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(data: Option<&Path>, json_out: bool) -> Result<ExitCode> {
    let archive = open(data)?;
    let stats = archive.stats()?;
    let mut out = std::io::stdout().lock();
    if json_out {
        serde_json::to_writer_pretty(&mut out, &stats)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} cables, {} versions", stats.cables, stats.versions)?;
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
