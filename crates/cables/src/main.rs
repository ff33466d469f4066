//! `cables`: the command line of the cables archive engine.
//!
//! This binary is the only part of the project that knows terminals: it parses arguments (clap),
//! drives the library crates, writes to stdout/stderr and picks the exit code. Exit codes: 0 when
//! the command did its job, 1 when it found what it was asked to look for (an unreadable path, an
//! error diagnostic) or failed, 2 on a usage error (clap's).

mod access_cmds;
mod archive_cmds;
mod gen;
mod lint;
mod memory;
mod output;
mod parse;
mod records;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// What every command accepts as a PATH, written once for all the help texts.
macro_rules! inputs_help {
    () => {
        "Inputs: each PATH is a cable text file (UTF-8 or Latin-1/Windows-1252, LF or CRLF), a \
         PlusD or Markdown rendering, an original Cablegate HTML page, a file in the Cablegate \
         cables.csv layout (streamed record by record), or a folder, read recursively in file-name \
         order (only .txt, .html, .htm, .csv and extension-less files; hidden files and README* \
         are skipped). The container is detected from the content, not the extension. A file \
         that is no cable, an unreadable path or a malformed cables.csv record still yields a \
         record, with an error diagnostic saying why."
    };
}

const PARSE_HELP: &str = concat!(
    inputs_help!(),
    "\n\nExit status: 0 when every input was read (even with diagnostics), 1 when some path \
     could not be read, 2 on a usage error.\n\n",
    "Examples:\n",
    "  cables parse 09PARTO13.txt\n",
    "  cables parse --jsonl cables.csv | head -n 100"
);

const LINT_HELP: &str = concat!(
    inputs_help!(),
    "\n\nExit status: 1 when any error-level diagnostic was found (an unreadable path, a file \
     that is not a cable, a malformed record, ...), else 0; 2 on a usage error.\n\n",
    "Examples:\n",
    "  cables lint corpus/\n",
    "  cables lint --json 09PARTO13.txt"
);

/// An archive engine for US diplomatic cables: parses and checks State Department telegrams from
/// text files, folders, Cablegate HTML pages, cables.csv dumps and PlusD renderings.
#[derive(Parser, Debug)]
#[command(
    name = "cables",
    version,
    after_help = "Run `cables help <COMMAND>` for a command's inputs, output and exit codes.",
    propagate_version = true
)]
struct Cli {
    /// Print machine-readable JSON instead of text (`parse` always prints JSON)
    #[arg(long, global = true)]
    json: bool,

    /// The data directory (else $CABLES_DATA, else the platform data directory)
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,

    /// Read as this reader (their clearance; `anonymous`: the public) instead of as the owner
    #[arg(long = "as", global = true, value_name = "NAME")]
    as_name: Option<String>,

    /// The day automatic declassification counts from (default: today), YYYY-MM-DD
    #[arg(long, global = true, value_name = "DATE", value_parser = date_arg)]
    as_of: Option<jiff::civil::Date>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse cables and print each as JSON
    #[command(
        long_about = "Parse cables and print each as JSON: one object when the inputs hold one \
                      cable, an array when they hold several (or none), or one object per line \
                      with --jsonl. Field names follow the project's JSON contract (id, raw_id, \
                      source, transmission, precedence, date, from, to, info, classification, \
                      banner, tags, subject, references, paragraphs, diagnostics, ...).",
        after_help = PARSE_HELP
    )]
    Parse(ParseArgs),

    /// Check cables and print their diagnostics, compiler style
    #[command(
        long_about = "Check cables and print their diagnostics, one per line, compiler style: \
                      `PATH:LINE:COL: SEVERITY[CODE]: MESSAGE`. For a record of a cables.csv \
                      file, PATH is written PATH#ROW (ROW counts records from 1). LINE and COL \
                      (1-based, COL in characters) refer to the cable text as decoded from its \
                      container. SEVERITY is info, warning or error. A summary line `N cables, E \
                      errors, W warnings` goes to stderr. With --json, prints a JSON array of \
                      {id, source, diagnostics} instead (an object for a single cable).",
        after_help = LINT_HELP
    )]
    Lint(LintArgs),

    /// Generate deterministic synthetic cables for demos, tests and benchmarks
    #[command(
        long_about = "Generate COUNT synthetic cables for SEED into DIR: deterministic, with the \
                      structure and statistics of real cables and words from a frequency table \
                      (no real cable text). With --json, prints {count, seed, format, out, bytes}.",
        after_help = gen::GEN_HELP
    )]
    Gen(gen::GenArgs),

    /// Add cables to the archive (new ones, new versions; unchanged ones are skipped)
    Ingest(archive_cmds::IngestArgs),

    /// Search the archive with the query language (QUERY.md)
    Search(archive_cmds::SearchArgs),

    /// Show one cable: heading decoded, paragraphs with markings, references, cited by
    Show(archive_cmds::ShowArgs),

    /// Counts over the archive: cables, versions, by classification, year, diagnostic
    Stats,

    /// Readers of a controlled archive: add, list, remove, rotate their API tokens
    #[command(subcommand, after_help = USER_HELP)]
    User(access_cmds::UserCommand),

    /// The access policy: access mode and automatic declassification
    #[command(
        subcommand,
        after_help = "Examples:\n  cables policy show\n  cables policy set auto-declassify on\n  cables policy set access controlled"
    )]
    Policy(access_cmds::PolicyCommand),

    /// Record a release of a cable (in part): its level lowered, paragraphs withheld
    #[command(
        after_help = "Example:\n  cables release 09OSLO105 --level UNCLASSIFIED --withhold-paragraph 2 --exemption B1"
    )]
    Release(access_cmds::ReleaseArgs),

    /// Cables past their declassification date, due for review
    Review(access_cmds::ReviewArgs),

    /// The audit log of reads: who read what, when, from where
    Audit(access_cmds::AuditArgs),

    /// Write every cable a query matches as JSON lines or CSV (streamed, no cap)
    #[command(
        long_about = "Write every cable QUERY matches (every cable for an empty query) to \
                      standard output or --out FILE, in archive order, streamed in constant \
                      memory. jsonl: one object per line with the parse's fields, `version` (the \
                      hash of the version) and `text` (the original text). csv: a header row, \
                      then id, date, classification, caveats, banner, precedence, origin, from, \
                      to, info, tags, subject, references, paragraphs, diagnostics, version, \
                      text; lists joined with '; '. A summary goes to stderr (to stdout with \
                      --out); with --json it is {\"cables\", \"bytes\"}.",
        after_help = "Examples:\n  cables export 'class:SECRET' --format csv --out secret.csv\n  \
                      cables export 'tag:PREL date:2009' > prel-2009.jsonl"
    )]
    Export(archive_cmds::ExportArgs),

    /// Rebuild the search index from the stored cables with this build's parser and schema
    #[command(
        long_about = "Rebuild the search index from the original texts stored in the archive, \
                      with this build's parser and index schema: no source files are needed. \
                      Run it when `cables` says the archive was built with an older schema, or \
                      to apply parser improvements to cables already ingested. The old index is \
                      replaced only once the new one is complete; an interrupted reindex leaves \
                      the old one in place."
    )]
    Reindex,

    /// Serve the web UI and the JSON API over the archive
    #[command(
        long_about = "Serve the archive over HTTP: the web UI at / and the JSON API under /api \
                      (its OpenAPI document at /api/openapi.json). Prints the URL it serves (with \
                      --addr 127.0.0.1:0, the port actually bound; with --json, {\"url\", \
                      \"data\"}). Stops on Ctrl-C or SIGTERM after the requests in flight. With \
                      --demo, serves a demo archive of generated cables kept in DATA/demo (built \
                      on first use, reused afterwards); PATHs given are ingested first.",
        after_help = "Examples:\n  cables serve --demo\n  cables --data my-archive serve --addr \
                      0.0.0.0:8080"
    )]
    Serve(serve::ServeArgs),
}

const USER_HELP: &str = "Readers are kept in DATA/readers.json (tokens only as keyed hashes), so \
    these commands work while `cables serve` runs; changes take effect on the next request.\n\n\
    Examples:\n  cables user add ana --clearance SECRET --caveat NOFORN\n  cables user list\n  \
    cables user rotate ana\n  cables user remove ana";

fn date_arg(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse::<jiff::civil::Date>()
        .map_err(|e| format!("{s:?} is not a date YYYY-MM-DD: {e}"))
}

#[derive(Args, Debug)]
struct ParseArgs {
    /// Print one compact JSON object per line, as each cable is parsed (for large dumps)
    #[arg(long)]
    jsonl: bool,

    /// Cable files, folders, Cablegate HTML pages or cables.csv files
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
struct LintArgs {
    /// Cable files, folders, Cablegate HTML pages or cables.csv files
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

impl Command {
    /// The command's name when it does not read cables as a reader (`--as` does not apply): it
    /// parses files, writes the archive, manages readers or the policy, serves (each request
    /// reads as its own reader) or reads the owner's audit log.
    fn owner_only(&self) -> Option<&'static str> {
        Some(match self {
            Command::Search(_)
            | Command::Show(_)
            | Command::Stats
            | Command::Export(_)
            | Command::Review(_) => return None,
            Command::Parse(_) => "parse",
            Command::Lint(_) => "lint",
            Command::Gen(_) => "gen",
            Command::Ingest(_) => "ingest",
            Command::User(_) => "user",
            Command::Policy(_) => "policy",
            Command::Release(_) => "release",
            Command::Audit(_) => "audit",
            Command::Reindex => "reindex",
            Command::Serve(_) => "serve",
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let reading = archive_cmds::Reading {
        as_name: cli.as_name.clone(),
        as_of: cli.as_of,
    };
    let data = cli.data.as_deref();
    if let (Some(name), Some(command)) = (&cli.as_name, cli.command.owner_only()) {
        // Silently doing the owner's work under a reader's name would mislead: say so.
        eprintln!(
            "cables: error: `--as {name}` reads as a reader, but `{command}` is not a reading \
             command (those are search, show, stats, export and review); run it without --as"
        );
        return ExitCode::from(2);
    }
    // Every command but the server runs and exits: it keeps what it frees (see `memory`).
    if !matches!(cli.command, Command::Serve(_)) {
        memory::keep_freed_memory();
    }
    let result = match &cli.command {
        Command::Parse(args) => parse::run(&args.paths, args.jsonl),
        Command::Lint(args) => lint::run(&args.paths, cli.json),
        Command::Ingest(args) => archive_cmds::ingest(cli.data.as_deref(), args, cli.json),
        Command::Search(args) => archive_cmds::search(data, args, &reading, cli.json),
        Command::Show(args) => archive_cmds::show(data, args, &reading, cli.json),
        Command::Stats => archive_cmds::stats(data, &reading, cli.json),
        Command::Export(args) => archive_cmds::export(data, args, &reading, cli.json),
        Command::User(cmd) => access_cmds::user(data, cmd, cli.json),
        Command::Policy(cmd) => access_cmds::policy(data, cmd, cli.json),
        Command::Release(args) => access_cmds::release(data, args, cli.json),
        Command::Review(args) => access_cmds::review(data, args, &reading, cli.json),
        Command::Audit(args) => access_cmds::audit(data, args, cli.json),
        Command::Reindex => archive_cmds::reindex(cli.data.as_deref(), cli.json),
        Command::Serve(args) => serve::run(data, args, cli.as_of, cli.json),
        Command::Gen(args) => gen::run(args, cli.data.as_deref(), cli.json),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`cables parse ... | head`): nothing more to say.
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cables: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
