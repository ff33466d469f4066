//! `cables serve`: the web UI and JSON API over the archive, until Ctrl-C or SIGTERM.
//!
//! With `--demo`, the archive is a demo archive of generated cables in `DATA/demo` (built on the
//! first run with a progress bar, reused afterwards), plus whatever PATHs are given, ingested
//! into it on every start (unchanged cables are skipped).
//!
//! The access mode (`--access open|controlled`) is stored in the archive when given; without it
//! the stored mode applies, open when none was ever set. An archive with readers is never served
//! open unless `--access open` says so on the command line: a reader list means someone meant
//! to control access.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cable_archive::AccessMode;
use clap::{Args, ValueEnum};

use crate::archive_cmds::{data_dir, print_summary, run_ingest, Total};

/// Generated cables in the demo archive.
pub const DEMO_COUNT: usize = 20_000;
/// The demo archive's seed: the same cables on every machine.
pub const DEMO_SEED: u64 = 1;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the URL printed says which)
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Serve a demo archive of generated cables (DATA/demo, built on first use)
    #[arg(long)]
    demo: bool,
    /// Files or folders to ingest into the archive before serving
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Seconds a request may take before it is answered 503
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Requests served at once (more wait)
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// How many generated cables a new demo archive gets (tests use fewer)
    #[arg(long, default_value_t = DEMO_COUNT, hide = true)]
    demo_count: usize,
    /// Who reads what: `open` (everyone sees every cable: a leaked or published collection) or
    /// `controlled` (each reader what their clearance allows; without a token, the public's
    /// view). Stored in the archive; default: the stored mode, else open
    #[arg(long, value_enum, value_name = "MODE")]
    access: Option<AccessArg>,
}

/// `--access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AccessArg {
    Open,
    Controlled,
}

impl From<AccessArg> for AccessMode {
    fn from(a: AccessArg) -> AccessMode {
        match a {
            AccessArg::Open => AccessMode::Open,
            AccessArg::Controlled => AccessMode::Controlled,
        }
    }
}

/// The mode to serve in: `--access` when given (and stored), else the stored mode, else open;
/// refused when that is open over an archive with readers and `--access open` was not given.
fn access_mode(
    archive: &cable_archive::Archive,
    given: Option<AccessArg>,
    dir: &Path,
) -> Result<AccessMode> {
    let given = given.map(AccessMode::from);
    if let Some(mode) = given {
        archive
            .set_access_mode(mode)
            .context("storing the access mode in the archive")?;
    }
    let mode = match given {
        Some(m) => m,
        None => archive.access_mode()?.unwrap_or(AccessMode::Open),
    };
    let readers = cable_archive::readers::Directory::open(dir)
        .and_then(|d| d.is_empty())
        .with_context(|| format!("reading the readers of {}", dir.display()))?;
    if mode == AccessMode::Open && !readers && given != Some(AccessMode::Open) {
        bail!(
            "refusing to serve {} open: the archive has readers (`cables user list`), so \
             access was meant to be controlled. Pass --access controlled to show each reader \
             what their clearance allows, or --access open to show every cable to everyone.",
            dir.display()
        );
    }
    Ok(mode)
}

fn demo_dir(data: Option<&Path>) -> Result<PathBuf> {
    Ok(data_dir(data)?.join("demo"))
}

/// Serve until stopped; readers' views are computed on `as_of` (the global `--as-of`), else
/// on each request's day.
pub fn run(
    data: Option<&Path>,
    args: &ServeArgs,
    as_of: Option<jiff::civil::Date>,
    json_out: bool,
) -> Result<ExitCode> {
    let dir = if args.demo {
        demo_dir(data)?
    } else {
        data_dir(data)?
    };
    let mut archive = cable_archive::Archive::open(&dir)
        .with_context(|| format!("opening the archive in {}", dir.display()))?;
    let access = access_mode(&archive, args.access, &dir)?;
    if args.demo && archive.is_empty() {
        eprintln!(
            "building the demo archive in {}: {} generated cables (once)",
            dir.display(),
            args.demo_count
        );
        let summary = crate::gen::ingest_generated(&mut archive, DEMO_SEED, args.demo_count)?;
        eprintln!(
            "demo archive ready: {} cables ({} with diagnostics)",
            summary.new, summary.with_diagnostics
        );
    }
    if !args.paths.is_empty() {
        let total = Total::Bytes(crate::archive_cmds::input_bytes(&args.paths));
        let summary = run_ingest(&mut archive, total, |a, progress| {
            a.ingest(&args.paths, progress)
        })?;
        if !json_out {
            print_summary(&summary, false)?;
        }
    }
    let opts = cable_server::ServerOptions {
        addr: args.addr,
        access,
        as_of,
        request_timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        max_concurrency: args.concurrency.max(1),
        ..Default::default()
    };
    init_tracing();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let stop =
            cable_server::shutdown_signal().context("installing the SIGINT/SIGTERM handlers")?;
        cable_server::serve(
            archive,
            opts,
            |bound| {
                let url = format!("http://{bound}/");
                let mut out = std::io::stdout().lock();
                let _ = if json_out {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({ "url": url, "data": dir, "access": access })
                    )
                } else {
                    writeln!(
                        out,
                        "serving {} at {url}, access {} (Ctrl-C to stop)",
                        dir.display(),
                        access.name()
                    )
                };
                let _ = out.flush();
            },
            stop,
        )
        .await
        .context("serving")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Structured logs on stderr; `RUST_LOG` overrides the level (default: info for the server).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("cable_server=info,tower_http=info")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
