//! The access-control commands: `user` (readers and their tokens), `policy` (access mode and
//! automatic declassification), `release` (a release recorded by hand), `review` (cables due
//! for declassification review) and `audit` (the log of reads).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use cable_archive::readers::Readers;
use cable_archive::{AccessMode, ArchiveError, Clearance, SearchOptions, Sort, View, Withheld};
use cable_query::Level;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use crate::archive_cmds::{data_dir, open, Reading};

fn level_arg(s: &str) -> std::result::Result<Level, String> {
    Level::parse(s).ok_or_else(|| {
        format!(
            "{s:?} is not a classification level (UNCLASSIFIED, SBU, CONFIDENTIAL, SECRET, TOP \
             SECRET, or U, C, S, TS)"
        )
    })
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a reader; prints the reader's API token as the last line, once
    Add {
        /// The reader's name (letters, digits, '.', '_', '-', '@')
        name: String,
        /// The highest level the reader may see
        #[arg(long, value_parser = level_arg, value_name = "LEVEL")]
        clearance: Level,
        /// A caveat the reader holds (NOFORN, NODIS, EXDIS, ...); repeat for more
        #[arg(long = "caveat", value_name = "CAVEAT")]
        caveats: Vec<String>,
    },
    /// List the readers and their clearances (tokens are never shown again)
    List,
    /// Remove a reader: their token stops working at once
    Remove { name: String },
    /// Give a reader a new token; the old one stops working at once
    Rotate { name: String },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Setting {
    /// Open cables on their declassification date (on|off)
    AutoDeclassify,
    /// The server's access mode (open|controlled)
    Access,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Show the policy
    Show,
    /// Change a setting: `auto-declassify on|off`, `access open|controlled`
    Set {
        #[arg(value_enum)]
        setting: Setting,
        value: String,
    },
}

#[derive(Args, Debug)]
pub struct ReleaseArgs {
    /// The cable released
    #[arg(value_name = "ID")]
    id: String,
    /// The level the cable is released to: its portions above it are lowered to it and their
    /// caveats lifted
    #[arg(long, value_parser = level_arg, default_value = "UNCLASSIFIED", value_name = "LEVEL")]
    level: Level,
    /// A paragraph withheld from the release (its number); give an --exemption for each
    #[arg(long = "withhold-paragraph", value_name = "N")]
    withhold: Vec<String>,
    /// The exemption a withheld paragraph is withheld under (B1, 1.4(b), ...), in the order of
    /// the --withhold-paragraph options
    #[arg(long = "exemption", value_name = "CODE")]
    exemptions: Vec<String>,
    /// Who decided the release (default: $USER)
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only the last N entries
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Only the reads of this reader (`owner`, `anonymous` or a name)
    #[arg(long, value_name = "NAME")]
    who: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// List at most N cables
    #[arg(long, default_value_t = 100)]
    limit: usize,
}

fn user_error(err: ArchiveError) -> Result<ExitCode> {
    if err.is_user_error() {
        eprintln!("cables: {err}");
        return Ok(ExitCode::FAILURE);
    }
    Err(err.into())
}

pub fn user(data: Option<&Path>, cmd: &UserCommand, json_out: bool) -> Result<ExitCode> {
    let dir = data_dir(data)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut readers = Readers::load(&dir)?;
    let mut out = std::io::stdout().lock();
    match cmd {
        UserCommand::Add {
            name,
            clearance,
            caveats,
        } => {
            let clearance = Clearance::new(*clearance, caveats);
            let described = clearance.describe();
            let token = match readers.add(name, clearance) {
                Ok(t) => t,
                Err(e) => return user_error(e),
            };
            if json_out {
                writeln!(
                    out,
                    "{}",
                    json!({"name": name, "clearance": described, "token": token})
                )?;
            } else {
                writeln!(out, "added reader {name} with clearance {described}")?;
                writeln!(
                    out,
                    "their API token follows; it is shown only now (`cables user rotate {name}` \
                     issues a new one):"
                )?;
                writeln!(out, "{token}")?;
            }
        }
        UserCommand::List => {
            let list: Vec<_> = readers.list().into_iter().map(|r| r.info()).collect();
            if json_out {
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)?;
            } else if list.is_empty() {
                writeln!(out, "no readers (`cables user add NAME --clearance LEVEL`)")?;
            } else {
                for r in list {
                    writeln!(
                        out,
                        "{:<24} {:<28} added {}, token issued {}",
                        r.name, r.clearance, r.created, r.token_issued
                    )?;
                }
            }
        }
        UserCommand::Remove { name } => {
            if let Err(e) = readers.remove(name) {
                return user_error(e);
            }
            if json_out {
                writeln!(out, "{}", json!({"removed": name}))?;
            } else {
                writeln!(out, "removed reader {name}; their token no longer works")?;
            }
        }
        UserCommand::Rotate { name } => {
            let token = match readers.rotate(name) {
                Ok(t) => t,
                Err(e) => return user_error(e),
            };
            if json_out {
                writeln!(out, "{}", json!({"name": name, "token": token}))?;
            } else {
                writeln!(
                    out,
                    "new token for {name}; the old one no longer works. Shown only now:"
                )?;
                writeln!(out, "{token}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn policy(data: Option<&Path>, cmd: &PolicyCommand, json_out: bool) -> Result<ExitCode> {
    let archive = open(data)?;
    if let PolicyCommand::Set { setting, value } = cmd {
        match setting {
            Setting::AutoDeclassify => {
                let on = match value.to_ascii_lowercase().as_str() {
                    "on" | "true" | "yes" => true,
                    "off" | "false" | "no" => false,
                    _ => {
                        eprintln!("cables: auto-declassify takes on or off, not {value:?}");
                        return Ok(ExitCode::FAILURE);
                    }
                };
                archive.set_auto_declassify(on)?;
            }
            Setting::Access => {
                let Some(mode) = AccessMode::parse(value) else {
                    eprintln!("cables: access takes open or controlled, not {value:?}");
                    return Ok(ExitCode::FAILURE);
                };
                archive.set_access_mode(mode)?;
            }
        }
    }
    let policy = archive.policy()?;
    let readers = Readers::load(archive.dir())?.list().len();
    let mut out = std::io::stdout().lock();
    if json_out {
        let mut v = serde_json::to_value(&policy)?;
        v["readers"] = json!(readers);
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "access mode:      {}",
            policy
                .access_mode
                .map_or("not set (servers start open)", |m| m.name())
        )?;
        writeln!(
            out,
            "auto-declassify:  {}",
            if policy.auto_declassify {
                "on (cables open to every reader on their declassification date)"
            } else {
                "off (cables past their declassification date are listed by `cables review`)"
            }
        )?;
        writeln!(out, "releases:         {}", policy.releases)?;
        writeln!(out, "readers:          {readers}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn release(data: Option<&Path>, args: &ReleaseArgs, json_out: bool) -> Result<ExitCode> {
    if args.withhold.len() != args.exemptions.len() {
        eprintln!(
            "cables: give one --exemption for each --withhold-paragraph ({} paragraphs, {} \
             exemptions)",
            args.withhold.len(),
            args.exemptions.len()
        );
        return Ok(ExitCode::from(2));
    }
    let mut archive = open(data)?;
    let id = args.id.trim().to_uppercase();
    let withheld = args
        .withhold
        .iter()
        .zip(&args.exemptions)
        .map(|(p, e)| Withheld {
            paragraph: p.trim().to_string(),
            exemption: e.trim().to_string(),
        })
        .collect();
    let by = args
        .by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "owner".to_string());
    let release = match archive.record_release(&id, args.level, withheld, &by) {
        Ok(r) => r,
        Err(e) => return user_error(e),
    };
    let mut out = std::io::stdout().lock();
    if json_out {
        writeln!(out, "{}", json!({"id": id, "release": release}))?;
    } else {
        writeln!(
            out,
            "released {id} to {} ({} paragraph{} withheld), recorded by {} at {}",
            release.level,
            release.withheld.len(),
            if release.withheld.len() == 1 { "" } else { "s" },
            release.by,
            release.at
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn review(
    data: Option<&Path>,
    args: &ReviewArgs,
    reading: &Reading,
    json_out: bool,
) -> Result<ExitCode> {
    let archive = open(data)?;
    let as_of = reading.as_of.unwrap_or_else(cable_archive::access::today);
    let view: View = crate::archive_cmds::view_of(&archive, reading)?;
    let text = "declassify:due".to_string();
    let query = cable_query::parse(&text).map_err(|e| anyhow::anyhow!("{}", e.render(&text)))?;
    archive.audit(&view, "review", &text, "cli");
    let results = archive.search(
        &query,
        &SearchOptions {
            limit: args.limit,
            offset: 0,
            sort: Sort::DateAsc,
        },
        &view,
    )?;
    let releases: std::collections::BTreeMap<String, _> = archive.releases()?.into_iter().collect();
    let auto = archive.auto_declassify()?;
    let mut out = std::io::stdout().lock();
    if json_out {
        let hits: Vec<_> = results
            .hits
            .iter()
            .map(|h| {
                json!({
                    "id": h.id, "date": h.date, "classification": h.classification,
                    "subject": h.subject, "released": releases.contains_key(&h.id),
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json!({
                "as_of": as_of.to_string(),
                "auto_declassify": auto,
                "due": results.total,
                "cables": hits,
            }))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{} cables past their declassification date on {as_of} ({}):",
        results.total,
        if auto {
            "open to every reader: auto-declassify is on"
        } else {
            "still closed: auto-declassify is off; review and `cables release` them"
        }
    )?;
    for h in &results.hits {
        writeln!(
            out,
            "  {:<22} {:<10} {:<13} {}{}",
            h.id,
            h.date.as_deref().map_or("-", |d| &d[..d.len().min(10)]),
            h.classification.as_deref().unwrap_or("-"),
            h.subject.as_deref().unwrap_or_default(),
            if releases.contains_key(&h.id) {
                " [released]"
            } else {
                ""
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn audit(data: Option<&Path>, args: &AuditArgs, json_out: bool) -> Result<ExitCode> {
    let dir = data_dir(data)?;
    let mut entries = cable_archive::read_audit(&dir)?;
    if let Some(who) = &args.who {
        entries.retain(|e| &e.who == who);
    }
    if let Some(n) = args.limit {
        let skip = entries.len().saturating_sub(n);
        entries.drain(..skip);
    }
    let mut out = std::io::stdout().lock();
    if json_out {
        serde_json::to_writer_pretty(&mut out, &entries)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for e in &entries {
        writeln!(
            out,
            "{}  {:<16} {:<14} {:<8} {:<10} {}",
            e.at, e.who, e.clearance, e.from, e.what, e.detail
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
