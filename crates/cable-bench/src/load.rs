//! The server under load: `cables serve` in its own process on loopback, driven by `wrk`
//! (Debian's package) with a Lua script cycling through the query mix on `/api/search` (the
//! JSON search page: top 20, all facets, snippets). Two modes:
//!
//! - capacity: as many requests as `connections` closed-loop connections can send for a while;
//! - paced: each connection waits between requests so that the total rate is about a target
//!   (wrk's `delay()` hook), for a soak at a share of the capacity, sampling the server's memory
//!   every second.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::measure::{anon_rss_of, rss_of};

/// A running `cables serve`, stopped (SIGTERM, then kill) when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Starts `cables` (the binary at `cables`) serving the archive in `data`, open access.
    pub fn start(cables: &Path, data: &Path) -> anyhow::Result<Server> {
        let mut child = Command::new(cables)
            .args([
                "serve",
                "--json",
                "--access",
                "open",
                "--addr",
                "127.0.0.1:0",
                "--data",
            ])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", cables.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let v: serde_json::Value = serde_json::from_str(line.trim())
            .with_context(|| format!("the server did not print its URL: {line:?}"))?;
        let url = v["url"]
            .as_str()
            .context("no url in the server's first line")?
            .trim_end_matches('/')
            .to_string();
        Ok(Server { child, url })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What wrk reported, plus the server's memory over the run.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct LoadFigures {
    pub seconds: f64,
    pub connections: u32,
    /// Target rate for a paced run (None: closed loop, as fast as it goes).
    pub target_rps: Option<f64>,
    pub requests: u64,
    pub requests_per_s: f64,
    /// Socket errors (connect, read, write, timeout) and non-2xx answers.
    pub errors: u64,
    pub non_2xx: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The server's resident memory (bytes), sampled every second: first, max and last sample.
    pub rss_first: u64,
    pub rss_max: u64,
    pub rss_last: u64,
    /// Anonymous memory (RSS less file-backed pages such as the mapped index), same samples.
    pub anon_first: u64,
    pub anon_max: u64,
    pub anon_last: u64,
    /// Every sample, (seconds since start, RSS bytes), for a plot.
    pub rss_samples: Vec<(u64, u64)>,
}

/// The `/api/search` paths of the mix.
pub fn paths(queries: &[&str]) -> Vec<String> {
    queries
        .iter()
        .map(|q| format!("/api/search?q={}", percent(q)))
        .collect()
}

fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn lua(paths: &[String], delay_ms: f64) -> String {
    let list: Vec<String> = paths.iter().map(|p| format!("  {p:?},")).collect();
    format!(
        r#"local paths = {{
{}
}}
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
{}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON {{\"requests\":%d,\"duration_us\":%d,\"connect\":%d,\"read\":%d,\"write\":%d,\"status\":%d,\"timeout\":%d,\"mean\":%d,\"p50\":%d,\"p90\":%d,\"p99\":%d,\"max\":%d}}\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    math.floor(latency.mean), latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"#,
        list.join("\n"),
        if delay_ms > 0.0 {
            format!("delay = function() return {} end", delay_ms.round() as u64)
        } else {
            String::new()
        }
    )
}

/// Runs wrk against `server` for `seconds` with `connections` connections; `target_rps` paces
/// it. Samples the server's memory every second.
pub fn run(
    server: &Server,
    paths: &[String],
    seconds: u64,
    connections: u32,
    target_rps: Option<f64>,
    expected_latency_ms: f64,
) -> anyhow::Result<LoadFigures> {
    let delay = target_rps.map_or(0.0, |r| {
        (f64::from(connections) * 1000.0 / r - expected_latency_ms).max(0.0)
    });
    let mut script = tempfile::Builder::new().suffix(".lua").tempfile()?;
    script.write_all(lua(paths, delay).as_bytes())?;
    let script_path: PathBuf = script.path().to_path_buf();
    let threads = connections.clamp(1, 2);
    let child = Command::new("wrk")
        .args([
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{seconds}s"),
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(&script_path)
        .arg(&server.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting wrk (apt-get install wrk)")?;
    let start = Instant::now();
    let pid = server.pid();
    let mut samples = Vec::new();
    let mut anon = Vec::new();
    let waiter = std::thread::spawn(move || child.wait_with_output());
    while !waiter.is_finished() {
        if let (Some(r), Some(a)) = (rss_of(pid), anon_rss_of(pid)) {
            samples.push((start.elapsed().as_secs(), r));
            anon.push(a);
        }
        std::thread::sleep(Duration::from_millis(1000));
    }
    let out = waiter
        .join()
        .map_err(|_| anyhow::anyhow!("wrk waiter panicked"))??;
    let stdout = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "wrk failed: {}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let json = stdout
        .lines()
        .find_map(|l| l.strip_prefix("WRKJSON "))
        .with_context(|| format!("no summary from wrk: {stdout}"))?;
    let w: serde_json::Value = serde_json::from_str(json)?;
    let n = |k: &str| w[k].as_u64().unwrap_or(0);
    let secs = n("duration_us") as f64 / 1e6;
    let non_2xx = n("status");
    let errors = n("connect") + n("read") + n("write") + n("timeout") + non_2xx;
    let rss: Vec<u64> = samples.iter().map(|s| s.1).collect();
    Ok(LoadFigures {
        seconds: secs,
        connections,
        target_rps,
        requests: n("requests"),
        requests_per_s: n("requests") as f64 / secs.max(1e-9),
        errors,
        non_2xx,
        mean_ms: n("mean") as f64 / 1e3,
        p50_ms: n("p50") as f64 / 1e3,
        p90_ms: n("p90") as f64 / 1e3,
        p99_ms: n("p99") as f64 / 1e3,
        max_ms: n("max") as f64 / 1e3,
        rss_first: rss.first().copied().unwrap_or(0),
        rss_max: rss.iter().copied().max().unwrap_or(0),
        rss_last: rss.last().copied().unwrap_or(0),
        anon_first: anon.first().copied().unwrap_or(0),
        anon_max: anon.iter().copied().max().unwrap_or(0),
        anon_last: anon.last().copied().unwrap_or(0),
        rss_samples: samples,
    })
}
