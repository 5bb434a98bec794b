//! `cargo xtask bench ui`: the desktop app's user-facing speed and memory through the E2E
//! harness (real app, WebKitGTK, private Xvfb), with generated caches of 200,000 and
//! 1,000,000 assets (issue 9 and issue 10 benchmarks; targets in DESIGN.md "Benchmarks").
//!
//! * `launch_to_rows_ms_200k` — from starting the app (Xvfb and WebKitWebDriver included, so
//!   slightly pessimistic) until the asset list shows rows. Median of [`LAUNCHES`] launches.
//! * `keystroke_render_p95_ms_200k` — one input event in the search box until the list shows
//!   matching rows, measured inside the page (no WebDriver round trip in the figure). It
//!   includes everything the list does between the keystroke and the rows (it searches at once
//!   when no search is running).
//! * `rss_mb_200k` — resident memory of the app process and every process it started (the
//!   WebKit web and network processes) after the list and the searches, each shared page
//!   counted once: the sum of their PSS, as DESIGN.md G9 and sync-perf-anchors.md §3.5
//!   prescribe ("PSS on Linux/macOS, private working set on Windows"). A plain sum of RSS
//!   counts libwebkit2gtk, JavaScriptCore, ICU and Mesa once per process; it is reported as
//!   `rss_sum_mb_200k`, without a target, for comparison.
//! * `calendar_month_ms_1m` — "next month" in the warranty calendar until that month's events
//!   are on screen (query + render), measured inside the page; p95 over [`MONTHS`] months.
//!   `calendar_month_query_ms_1m` is the façade call alone, for diagnosis.
//!
//! The caches are generated once through the store's bulk pull path and kept under
//! `target/bench-data/` (delete the folder to regenerate).

#![cfg(target_os = "linux")]

#[allow(dead_code)]
#[path = "harness.rs"]
mod harness;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assetdesk_domain::{
    AssetFields, AssetStatus, AssetType, Client, Connection, ConnectionId, ProviderKind,
    RemoteAsset,
};
use assetdesk_store::{Lookups, PullMode, PulledPage, Store};
use chrono::{Datelike, Days, Months, NaiveDate};
use fantoccini::Locator;
use harness::App;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const LAUNCHES: usize = 3;
const KEYSTROKES: usize = 30;
const MONTHS: usize = 10;
const CONN: &str = "bench-halo";

const TYPES: &[&str] = &[
    "Server",
    "Virtual Machine",
    "Laptop",
    "Desktop",
    "Printer",
    "Switch",
    "Firewall",
    "NAS",
];
const PREFIX: &[&str] = &["SRV", "VM", "LAP", "DSK", "PRN", "SW", "FW", "NAS"];
const MAKERS: &[(&str, &[&str])] = &[
    (
        "Dell",
        &["Latitude 5440", "OptiPlex 7010", "PowerEdge R650"],
    ),
    (
        "Lenovo",
        &["ThinkPad T14", "ThinkCentre M70q", "ThinkSystem SR630"],
    ),
    ("HP", &["EliteBook 840", "ProDesk 400", "LaserJet M404"]),
    ("Cisco", &["Catalyst 9200", "Meraki MX68"]),
    ("Ubiquiti", &["UniFi Switch 24", "Dream Machine"]),
    ("Synology", &["DiskStation DS923", "RackStation RS1221"]),
    ("Apple", &["MacBook Air", "Mac mini"]),
    ("Fortinet", &["FortiGate 60F"]),
];
/// Searches typed in the list: prefixes of the generated names (`SRV-0001234`), which the
/// default columns show; each narrows the 200k rows to a different set.
const QUERIES: &[&str] = &[
    "srv", "lap", "nas", "prn", "00012", "0150", "0199", "00777", "0042", "01234", "0100", "00088",
    "0123", "0066", "0170", "00301", "0055", "0191", "00456", "0077",
];

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// A data folder with a cache of `n` generated assets, made once and reused.
fn ensure_cache(n: usize) -> PathBuf {
    let dir = target_dir().join("bench-data").join(format!("ui-{n}"));
    let ready = dir.join("READY");
    if ready.is_file() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench: create the data folder");
    let started = Instant::now();
    let store = Store::open(&dir.join("cache.sqlite3")).expect("bench: open the cache");
    let conn = ConnectionId(CONN.into());
    store
        .upsert_connection(&Connection {
            id: conn.clone(),
            kind: ProviderKind::Halo,
            name: "Bench Halo".into(),
            base_url: "https://bench.invalid".into(),
            auth_url: None,
            tenant: None,
            client_id: None,
            secret_ref: "bench".into(),
            demo: false,
        })
        .expect("bench: connection");
    store
        .replace_lookups(
            &conn,
            &Lookups {
                clients: (1..=500)
                    .map(|i| Client {
                        connection_id: conn.clone(),
                        remote_id: i,
                        name: format!("Client {i:03}"),
                        inactive: false,
                    })
                    .collect(),
                types: TYPES
                    .iter()
                    .zip(1..)
                    .map(|(name, i)| AssetType {
                        connection_id: conn.clone(),
                        remote_id: i,
                        name: (*name).into(),
                        fields: vec![],
                        allowed_statuses: None,
                    })
                    .collect(),
                statuses: ["Active", "In repair", "Spare", "Retired"]
                    .iter()
                    .zip(1..)
                    .map(|(name, i)| AssetStatus {
                        connection_id: conn.clone(),
                        remote_id: i,
                        name: (*name).into(),
                        retired: i == 4,
                    })
                    .collect(),
                ..Lookups::default()
            },
        )
        .expect("bench: lookups");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
    let anchor = chrono::Local::now().date_naive();
    let start = anchor.checked_sub_months(Months::new(36)).unwrap_or(anchor);
    let run = store
        .begin_pull(&conn, PullMode::Full, 1000, None)
        .expect("bench: begin pull");
    let page_size = 1000;
    let mut page_no = 0;
    let mut id = 0i64;
    while (id as usize) < n {
        let mut pages = Vec::new();
        for _ in 0..20 {
            if id as usize >= n {
                break;
            }
            let mut assets = Vec::with_capacity(page_size);
            for _ in 0..page_size {
                if id as usize >= n {
                    break;
                }
                id += 1;
                let t = rng.random_range(0..TYPES.len());
                let (maker, models) = MAKERS[rng.random_range(0..MAKERS.len())];
                let model = models[rng.random_range(0..models.len())];
                // Warranty ends over ten years around today: every month has thousands.
                let end = start + Days::new(rng.random_range(0..3650));
                let serial: String = (0..10)
                    .map(|_| {
                        char::from(b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[rng.random_range(0..34)])
                    })
                    .collect();
                assets.push(RemoteAsset {
                    remote_id: id,
                    fields: AssetFields {
                        name: format!("{}-{id:07}", PREFIX[t]),
                        client_id: Some(rng.random_range(1..=500)),
                        type_id: Some(t as i64 + 1),
                        status_id: Some(rng.random_range(1..=3)),
                        serial: Some(serial),
                        manufacturer: Some(maker.into()),
                        model: Some(model.into()),
                        purchase_date: end.checked_sub_months(Months::new(36)),
                        purchase_price_cents: Some(rng.random_range(200..5000) * 100),
                        warranty_end: Some(end),
                        ..AssetFields::default()
                    },
                    facts: Default::default(),
                    parent_remote_id: None,
                    updated_at: None,
                    raw: Value::Null,
                });
            }
            page_no += 1;
            pages.push(PulledPage {
                run_id: run.run_id,
                page_no,
                assets,
                remote_total: Some(n as u64),
                high_watermark: None,
            });
        }
        store
            .apply_pulled_pages(&pages)
            .expect("bench: apply pages");
    }
    store
        .complete_pull(run.run_id, true)
        .expect("bench: complete pull");
    while store
        .merge_search_index(2000)
        .expect("bench: merge the index")
    {}
    drop(store);
    std::fs::write(&ready, anchor.to_string()).expect("bench: mark the cache ready");
    println!(
        "generated {n} assets in {:.1} s → {}",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    dir
}

/// The app's environment: the cached data folder, no demo workspace.
fn env_for(dir: &Path) -> Vec<(&'static str, String)> {
    vec![
        (assetdesk_app::DATA_DIR_ENV, dir.display().to_string()),
        ("ASSETDESK_NO_DEMO", "1".to_owned()),
    ]
}

async fn launch(dir: &Path) -> App {
    let env = env_for(dir);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    App::launch_with(&pairs).await
}

async fn wait_css(app: &App, css: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(found) = app.client.find_all(Locator::Css(css)).await
            && !found.is_empty()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    false
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// One search: clear, wait for the unfiltered list, then one input event with `query` and
/// the time until the first row shows a match (or -1 on timeout), measured in the page.
const KEYSTROKE_JS: &str = r#"
const query = arguments[0];
const done = arguments[arguments.length - 1];
const input = document.querySelector('input[aria-label="Search assets"]');
const countEl = () => document.querySelector('[data-testid="row-count"]');
if (!input || !countEl()) { done(-2); return; }
const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
const q = query.toLowerCase();
const firstRow = () => document.querySelector('[data-testid="asset-row"]');
const matches = () => { const r = firstRow(); return r && r.textContent.toLowerCase().includes(q); };
// The unfiltered state: the count the list shows with an empty search.
const baseline = window.__benchBaseline ?? (window.__benchBaseline = countEl().textContent);
set.call(input, '');
input.dispatchEvent(new Event('input', { bubbles: true }));
const cleared = performance.now();
function waitCleared() {
  if (countEl() && countEl().textContent === baseline && firstRow()) { start(); return; }
  if (performance.now() - cleared > 5000) { done(-3); return; }
  requestAnimationFrame(waitCleared);
}
let unfiltered = '';
function start() {
  unfiltered = firstRow().textContent;
  const t0 = performance.now();
  set.call(input, query);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  function check() {
    const r = firstRow();
    if (countEl() && countEl().textContent !== baseline && r && (matches() || r.textContent !== unfiltered)) {
      done(performance.now() - t0); return;
    }
    if (performance.now() - t0 > 5000) {
      const r = firstRow();
      done('timeout; count: ' + (countEl() && countEl().textContent) + '; input: ' + input.value +
        '; first row: ' + (r && r.textContent));
      return;
    }
    requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
}
waitCleared();
"#;

/// "Next month" in the calendar until an event of the 15th of the new month is on screen
/// (a busy day in the middle: never part of the previous month's grid).
const MONTH_JS: &str = r#"
const target = arguments[0];
const done = arguments[arguments.length - 1];
const next = document.querySelector('button[aria-label^="Next"]');
if (!next) { done(-2); return; }
const t0 = performance.now();
next.click();
function check() {
  if (document.querySelector('[data-testid="calendar-event"][data-date="' + target + '"]')) {
    done(performance.now() - t0); return;
  }
  if (performance.now() - t0 > 10000) { done(-1); return; }
  requestAnimationFrame(check);
}
requestAnimationFrame(check);
"#;

/// Processes by pid: (parent pid, RSS kB, PSS kB).
fn processes() -> HashMap<u32, (u32, u64, u64)> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the parenthesised command name: state, ppid, …
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let kb = |file: &str, key: &str| -> u64 {
            std::fs::read_to_string(format!("/proc/{pid}/{file}"))
                .ok()
                .and_then(|t| {
                    t.lines()
                        .find(|l| l.starts_with(key))
                        .and_then(|l| l.split_whitespace().nth(1))
                        .and_then(|v| v.parse().ok())
                })
                .unwrap_or(0)
        };
        out.insert(
            pid,
            (ppid, kb("status", "VmRSS:"), kb("smaps_rollup", "Pss:")),
        );
    }
    out
}

/// RSS and PSS (MB) of the app started with `dir` and every process below it.
fn app_memory(dir: &Path) -> (f64, f64, usize) {
    let needle = format!("{}={}", assetdesk_app::DATA_DIR_ENV, dir.display());
    let procs = processes();
    let app = procs.keys().copied().find(|pid| {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        comm.trim() == "assetdesk-app"
            && std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()))
                .unwrap_or(false)
    });
    let Some(app) = app else {
        return (f64::NAN, f64::NAN, 0);
    };
    let mut family = vec![app];
    let mut i = 0;
    while i < family.len() {
        let parent = family[i];
        family.extend(
            procs
                .iter()
                .filter(|(_, (pp, _, _))| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    let (rss, pss) = family.iter().fold((0u64, 0u64), |(r, p), pid| {
        let (_, rss, pss) = procs[pid];
        (r + rss, p + pss)
    });
    (rss as f64 / 1024.0, pss as f64 / 1024.0, family.len())
}

/// Per process of the app's family: name, RSS, anonymous and file-backed RSS (the cache's
/// memory map counts as file-backed: pages of the database the OS can drop at any time).
fn memory_breakdown(dir: &Path) -> Vec<String> {
    let needle = format!("{}={}", assetdesk_app::DATA_DIR_ENV, dir.display());
    let procs = processes();
    let Some(app) = procs.keys().copied().find(|pid| {
        std::fs::read(format!("/proc/{pid}/environ"))
            .map(|env| env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()))
            .unwrap_or(false)
            && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .unwrap_or_default()
                .trim()
                == "assetdesk-app"
    }) else {
        return Vec::new();
    };
    let mut family = vec![app];
    let mut i = 0;
    while i < family.len() {
        let parent = family[i];
        family.extend(
            procs
                .iter()
                .filter(|(_, (pp, _, _))| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    family
        .iter()
        .map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let field = |key: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(key))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
                    / 1024
            };
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            format!(
                "{:<20} RSS {:>5} MB (anon {:>5}, file {:>5}, shmem {:>4})",
                name.trim(),
                field("VmRSS:"),
                field("RssAnon:"),
                field("RssFile:"),
                field("RssShmem:")
            )
        })
        .collect()
}

fn metric(value: f64, unit: &str, target: Option<f64>, lower: bool, n: usize) -> Value {
    json!({"value": (value * 10.0).round() / 10.0, "unit": unit, "target": target, "lower_is_better": lower, "n": n})
}

async fn list_metrics(metrics: &mut BTreeMap<String, Value>) {
    let n = 200_000;
    let dir = ensure_cache(n);
    let mut launches = Vec::new();
    let mut app = None;
    for i in 0..LAUNCHES {
        let t0 = Instant::now();
        let a = launch(&dir).await;
        let ok = wait_css(&a, "[data-testid=\"asset-row\"]", Duration::from_secs(60)).await;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        assert!(ok, "bench: the list never showed rows");
        println!("launch {}: rows after {ms:.0} ms", i + 1);
        launches.push(ms);
        if i + 1 == LAUNCHES {
            app = Some(a);
        } else {
            a.close().await;
            // Let the driver and the app exit before the next cold-ish start.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let app = app.expect("bench: the last launch");
    // Where the last launch went (User Timing marks the UI sets; ms since the page started).
    if let Ok(marks) = app
        .client
        .execute(
            "return performance.getEntriesByType('mark')\
             .map((m) => m.name.replace('assetdesk:', '') + ' ' + Math.round(m.startTime))",
            vec![],
        )
        .await
    {
        println!("last launch, in the page: {marks}");
    }
    metrics.insert(
        "launch_to_rows_ms_200k".into(),
        metric(percentile(launches, 0.5), "ms", Some(1500.0), true, n),
    );

    let mut samples = Vec::new();
    for i in 0..KEYSTROKES {
        let q = QUERIES[i % QUERIES.len()];
        let v = app
            .client
            .execute_async(KEYSTROKE_JS, vec![json!(q)])
            .await
            .expect("bench: keystroke script");
        let ms = v.as_f64().unwrap_or(-1.0);
        assert!(ms >= 0.0, "bench: search {q:?} never rendered ({v})");
        samples.push(ms);
    }
    println!("keystroke → rows (ms): {samples:.0?}");
    metrics.insert(
        "keystroke_render_p95_ms_200k".into(),
        metric(percentile(samples, 0.95), "ms", Some(100.0), true, n),
    );
    let (rss, pss, procs) = app_memory(&dir);
    println!("memory: {procs} processes, RSS {rss:.0} MB, PSS {pss:.0} MB");
    for line in memory_breakdown(&dir) {
        println!("  {line}");
    }
    metrics.insert(
        "rss_mb_200k".into(),
        metric(pss, "MB", Some(250.0), true, n),
    );
    metrics.insert("rss_sum_mb_200k".into(), metric(rss, "MB", None, true, n));
    app.close().await;
}

async fn calendar_metrics(metrics: &mut BTreeMap<String, Value>) {
    let n = 1_000_000;
    let dir = ensure_cache(n);

    // The façade call alone, in this process: twelve month grids around today.
    {
        let ws = assetdesk_sync::Workspace::open(&dir).expect("bench: open the workspace");
        let today = chrono::Local::now().date_naive();
        let mut query = Vec::new();
        for m in 0..12u32 {
            let first = today
                .with_day(1)
                .and_then(|d| d.checked_add_months(Months::new(m)))
                .expect("bench: month");
            let from = first - Days::new(7);
            let to = first + Days::new(41);
            let t0 = Instant::now();
            let r = ws
                .calendar_range(&assetdesk_sync::calendar::CalendarRequest {
                    filter: Default::default(),
                    from,
                    to,
                    today,
                    refresh_years: None,
                })
                .expect("bench: calendar range");
            query.push(t0.elapsed().as_secs_f64() * 1000.0);
            assert!(!r.events.is_empty(), "bench: an empty month at 1M");
        }
        metrics.insert(
            "calendar_month_query_ms_1m".into(),
            metric(percentile(query, 0.95), "ms", None, true, n),
        );
    }

    let app = launch(&dir).await;
    assert!(
        wait_css(&app, "[data-testid=\"asset-row\"]", Duration::from_secs(90)).await,
        "bench: the 1M list never showed rows"
    );
    app.click_testid("nav-calendar").await;
    assert!(
        wait_css(
            &app,
            "[data-testid=\"calendar-event\"]",
            Duration::from_secs(30)
        )
        .await,
        "bench: the calendar never showed events"
    );
    let mut month = chrono::Local::now()
        .date_naive()
        .with_day(1)
        .expect("bench: first of month");
    let mut samples = Vec::new();
    for _ in 0..MONTHS {
        month = month
            .checked_add_months(Months::new(1))
            .expect("bench: next month");
        let target =
            NaiveDate::from_ymd_opt(month.year(), month.month(), 15).expect("bench: the 15th");
        let v = app
            .client
            .execute_async(MONTH_JS, vec![json!(target.to_string())])
            .await
            .expect("bench: month script");
        let ms = v.as_f64().unwrap_or(-1.0);
        assert!(ms >= 0.0, "bench: {target} never showed ({ms})");
        samples.push(ms);
    }
    println!("next month → events (ms): {samples:.0?}");
    app.screenshot("bench-calendar-1m").await;
    metrics.insert(
        "calendar_month_ms_1m".into(),
        metric(percentile(samples, 0.95), "ms", Some(300.0), true, n),
    );
    app.close().await;
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("bench: tokio runtime");
    let mut metrics = BTreeMap::new();
    rt.block_on(async {
        list_metrics(&mut metrics).await;
        calendar_metrics(&mut metrics).await;
    });
    let machine = std::env::var("ASSETDESK_BENCH_MACHINE").unwrap_or_else(|_| "unknown".into());
    let report = json!({"bench": "ui", "machine": machine, "metrics": metrics});
    let out = std::env::var_os("ASSETDESK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("bench/ui.json"));
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).expect("bench: create the output folder");
    }
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&report).expect("bench: JSON"),
    )
    .expect("bench: write the report");
    println!(
        "\n{:<32} {:>10} {:>6} {:>8}",
        "metric", "value", "unit", "target"
    );
    for (k, m) in &metrics {
        println!(
            "{k:<32} {:>10} {:>6} {:>8}",
            m["value"],
            m["unit"].as_str().unwrap_or(""),
            m["target"]
        );
    }
    println!("written: {}", out.display());
}
