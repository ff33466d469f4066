//! End to end in a real headless browser (Debian's `chromium` driven through `chromedriver`
//! with fantoccini): type a query on `/` and submit it, see highlighted results, narrow them with
//! a facet link, open a cable and follow its REF link to another cable in the archive. Saves
//! screenshots of the search page and a cable page to `target/test-artifacts/`.
//!
//! Without `chromedriver` on the PATH the test skips with a message on a developer machine and
//! fails under CI (`CI` set), as the tests needing `../shared` do.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use cable_archive::{Archive, SearchOptions};
use cable_server::ServerOptions;
use fantoccini::{Client, ClientBuilder, Locator};

const SEED: u64 = 11;
const COUNT: usize = 300;

/// chromedriver, shut down (with its browsers) and killed when dropped, even on a failure.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Ask it to quit its sessions and browsers first; then make sure it is gone.
        let _ = ureq::get(&format!("http://127.0.0.1:{}/shutdown", self.port)).call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `chromedriver` on a free port; `None` when it is not installed.
fn start_driver() -> Option<Driver> {
    let spawned = Command::new("chromedriver")
        .arg("--port=0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("cannot start chromedriver: {e}"),
    };
    let stdout = child.stdout.take().expect("chromedriver stdout");
    let mut lines = BufReader::new(stdout).lines();
    // It says which port it took once it listens: no polling, no sleeping.
    let mut port = None;
    for line in lines.by_ref() {
        let line = line.unwrap_or_default();
        if let Some(rest) = line.split("started successfully on port ").nth(1) {
            port = rest.trim_end_matches('.').trim().parse::<u16>().ok();
            break;
        }
    }
    // Keep draining its output so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let Some(port) = port else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("chromedriver exited without reporting its port");
    };
    Some(Driver { child, port })
}

/// What the scenario needs to know about the archive.
struct Facts {
    addr: SocketAddr,
    /// A word whose search results have highlighted snippets.
    word: String,
    /// A cable whose REF list cites another in the archive, and that one.
    citing: String,
    cited: String,
}

fn start_server(dir: &std::path::Path) -> Facts {
    let mut archive = Archive::open(&dir.join("data")).expect("open archive");
    let items = cable_synth::generate(SEED, COUNT).into_raw_cables().map(Ok);
    archive.ingest_stream(items, &mut |_| {}).expect("ingest");

    let word = [
        "government",
        "minister",
        "president",
        "embassy",
        "officials",
        "said",
    ]
    .into_iter()
    .find(|w| {
        let q = cable_query::parse(w).expect("query");
        archive
            .search(&q, &SearchOptions::default(), &cable_archive::View::owner())
            .expect("search")
            .hits
            .iter()
            .any(|h| !h.highlights.is_empty() && !h.tags.is_empty())
    })
    .expect("a common word with highlighted hits")
    .to_string();
    let (citing, cited) = cable_synth::generate(SEED, COUNT)
        .find_map(|c| {
            let graph = archive
                .graph(&c.id, &cable_archive::View::owner())
                .expect("graph")?;
            let cited = graph.cites.iter().find(|r| r.in_archive)?.id.clone()?;
            Some((c.id, cited))
        })
        .expect("a generated cable citing another in the archive");

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let opts = ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Default::default()
        };
        rt.block_on(cable_server::serve(
            archive,
            opts,
            move |addr| {
                let _ = tx.send(addr);
            },
            std::future::pending(),
        ))
        .expect("serve");
    });
    let addr = rx.recv().expect("the server reports its address");
    Facts {
        addr,
        word,
        citing,
        cited,
    }
}

/// `target/test-artifacts/`, created: under `CARGO_TARGET_DIR` when set, else the workspace's.
fn artifacts_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                manifest.join("../..").join(dir)
            }
        }
        None => manifest.join("../../target"),
    };
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("create test-artifacts");
    dir
}

type Outcome = Result<(), String>;

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

fn err(what: &str) -> impl FnOnce(fantoccini::error::CmdError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// The scenario; returns its first failure so that the session is closed whatever happens.
async fn scenario(c: &Client, f: &Facts, shots: &std::path::Path) -> Outcome {
    let base = format!("http://{}", f.addr);

    // Type a query on the front page and submit it.
    c.goto(&format!("{base}/")).await.map_err(err("open /"))?;
    let q = c
        .find(Locator::Css("input#q"))
        .await
        .map_err(err("the query box"))?;
    q.send_keys(&f.word).await.map_err(err("typing"))?;
    c.find(Locator::Css("form.big-search button[type=submit]"))
        .await
        .map_err(err("the search button"))?
        .click()
        .await
        .map_err(err("submitting"))?;

    // Results with the word highlighted.
    let mark = c
        .wait()
        .for_element(Locator::Css("ol.hits p.snippet mark"))
        .await
        .map_err(err("a highlighted snippet"))?;
    let marked = mark.text().await.map_err(err("the mark's text"))?;
    check!(
        marked.eq_ignore_ascii_case(&f.word),
        "<mark> holds {marked:?}, not {:?}",
        f.word
    );
    let url = c.current_url().await.map_err(err("url"))?;
    check!(
        url.path() == "/search" && url.query().unwrap_or("").contains(&f.word),
        "the results page is at {url}"
    );
    c.find(Locator::Css("svg.chart rect"))
        .await
        .map_err(err("the histogram"))?;
    let png = c.screenshot().await.map_err(err("screenshot"))?;
    std::fs::write(shots.join("browser-search.png"), png).map_err(|e| e.to_string())?;

    // Narrow by the first tag of the facet sidebar: the query box then holds the refined query.
    let links = c
        .find_all(Locator::XPath(
            "//aside[@class='facets']//section[h2='Tag']//li/a",
        ))
        .await
        .map_err(err("the tag facet links"))?;
    let mut chosen = None;
    for link in links {
        let text = link.text().await.map_err(err("a tag"))?;
        if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric()) {
            chosen = Some((link, text));
            break;
        }
    }
    let Some((tag_link, tag)) = chosen else {
        return Err("no plain tag among the facet links".into());
    };
    tag_link.click().await.map_err(err("clicking the tag"))?;
    let refined = format!("{} tag:{tag}", f.word);
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//input[@id='q' and @value='{refined}']"
        )))
        .await
        .map_err(err(&format!("the refined query {refined:?}")))?;
    c.wait()
        .for_element(Locator::Css("ol.hits li.hit"))
        .await
        .map_err(err("refined results"))?;

    // Open a cable from the results of its id, then follow its REF link.
    c.goto(&format!("{base}/search?q=id:{}", f.citing))
        .await
        .map_err(err("search by id"))?;
    c.wait()
        .for_element(Locator::Css("a.hit-id"))
        .await
        .map_err(err("the hit"))?
        .click()
        .await
        .map_err(err("opening the cable"))?;
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//h1/span[@class='cable-id' and .='{}']",
            f.citing
        )))
        .await
        .map_err(err("the cable page"))?;
    c.find(Locator::Css("div.banner"))
        .await
        .map_err(err("the classification banner"))?;
    let png = c.screenshot().await.map_err(err("screenshot"))?;
    std::fs::write(shots.join("browser-cable.png"), png).map_err(|e| e.to_string())?;
    c.find(Locator::Css(&format!(
        "section.refs a.ref[href='/cables/{}']",
        f.cited
    )))
    .await
    .map_err(err("the REF link"))?
    .click()
    .await
    .map_err(err("following the REF link"))?;
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//h1/span[@class='cable-id' and .='{}']",
            f.cited
        )))
        .await
        .map_err(err("the cited cable's page"))?;
    // The cited cable lists the citing one.
    c.find(Locator::Css(&format!(
        "section.cited-by a[href='/cables/{}']",
        f.citing
    )))
    .await
    .map_err(err("the cited-by link back"))?;
    Ok(())
}

#[test]
fn search_refine_open_and_follow_in_a_browser() {
    let Some(driver) = start_driver() else {
        let msg = "browser test: chromedriver not found on the PATH \
                   (apt-get install chromium chromium-driver)";
        if cable_testdata::in_ci() {
            panic!("{msg}; CI must run it");
        }
        eprintln!("skipping {msg}");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let facts = start_server(dir.path());
    let shots = artifacts_dir();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let outcome = rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,1400",
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .map_err(|e| format!("cannot start a browser session: {e}"))?;
        let outcome = scenario(&client, &facts, &shots).await;
        let closed = client.close().await;
        outcome?;
        closed.map_err(|e| format!("closing the session: {e}"))
    });
    drop(driver);
    if let Err(e) = outcome {
        panic!("browser scenario failed: {e}");
    }
    for name in ["browser-search.png", "browser-cable.png"] {
        let png = std::fs::read(shots.join(name)).expect("screenshot saved");
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
    }
    eprintln!("screenshots in {}", shots.display());
}
