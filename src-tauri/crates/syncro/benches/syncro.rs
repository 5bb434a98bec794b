//! `cargo xtask bench syncro`: a full asset pull from the Syncro sandbox.
//!
//! * `pull_vs_floor_ratio` — 100 000 assets at 100 rows per page against the sandbox's
//!   180-requests-per-window limiter (window scaled 10×, 6 s, so the run takes ~half a minute
//!   instead of 5.6 min). Floor = pages needed × window / 180 (sync-perf-anchors.md §3.7,
//!   §5.1 G3). Target ≤ 1.10.
//! * `client_rows_per_s` — the same pull with every limiter off: how fast the client (and
//!   the sandbox, serving pre-rendered rows on the same cores) turn pages into
//!   `RemoteAsset`s. Target ≥ 5 000 rows/s,
//!   i.e. the client is never the bottleneck (the API floor is ~300 rows/s).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use assetdesk_domain::ConnectionId;
use assetdesk_sandbox::syncro::{RateLimit, SyncroConfig, start};
use assetdesk_syncro::{ApiToken, AssetQuery, RateBudget, SyncroClient, SyncroSettings};
use serde_json::json;

const ASSETS: usize = 100_000;
const PER_PAGE: u32 = 100;
const SCALE: f64 = 10.0;

async fn pull(limited: bool) -> (Duration, usize, u64, u64) {
    let config = SyncroConfig {
        seed: 7,
        customers: 60,
        assets: ASSETS,
        tickets: 0,
        rate_limit: limited.then(|| RateLimit::SYNCRO.scaled(SCALE)),
        ..Default::default()
    };
    let server = start(config).await.expect("sandbox starts");
    if !limited {
        // Isolate the client: the emulator serves pre-rendered rows.
        server.handle().prerender();
    }
    let mut settings =
        SyncroSettings::new(ConnectionId("bench".into()), server.api_base()).expect("settings");
    settings.rate = limited.then(|| RateBudget::DEFAULT.scaled(SCALE));
    settings.asset_page_size = PER_PAGE;
    let client = SyncroClient::new(settings, ApiToken::new(server.token())).expect("client");
    client.account_schema(false).await.expect("settings load");
    let started = Instant::now();
    let mut rows = 0usize;
    let mut cursor = Some(client.first_cursor());
    while let Some(c) = cursor {
        let page = client
            .assets_page(&AssetQuery::default(), c)
            .await
            .expect("page");
        rows += page.items.len();
        cursor = page.next;
    }
    let elapsed = started.elapsed();
    let h = server.handle();
    let pages = h.count("GET /customer_assets");
    let too_many = h.too_many_requests();
    server.shutdown().await;
    (elapsed, rows, pages, too_many)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let window = RateLimit::SYNCRO.scaled(SCALE).window;

    let (limited, rows_l, pages_l, too_many_l) = rt.block_on(pull(true));
    assert_eq!(rows_l, ASSETS, "limited pull saw every asset");
    let needed = (ASSETS as u64).div_ceil(u64::from(PER_PAGE));
    let floor = window.as_secs_f64() * needed as f64 / f64::from(RateLimit::SYNCRO.requests);
    let ratio = limited.as_secs_f64() / floor;

    let (free, rows_f, pages_f, _) = rt.block_on(pull(false));
    assert_eq!(rows_f, ASSETS, "unlimited pull saw every asset");
    let rows_per_s = rows_f as f64 / free.as_secs_f64();

    let machine = std::env::var("ASSETDESK_BENCH_MACHINE").unwrap_or_else(|_| {
        format!(
            "{} cores, {}",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            std::env::consts::OS
        )
    });
    let out = json!({
        "bench": "syncro",
        "machine": machine,
        "metrics": {
            "pull_vs_floor_ratio": {"value": (ratio * 1000.0).round() / 1000.0, "unit": "x floor", "target": 1.10,
                                    "lower_is_better": true, "n": ASSETS},
            "client_rows_per_s": {"value": rows_per_s.round(), "unit": "rows/s", "target": 5000,
                                  "lower_is_better": false, "n": ASSETS}
        }
    });
    let path = std::env::var_os("ASSETDESK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../target/bench/syncro.json")
        });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("bench output dir");
    }
    std::fs::write(&path, serde_json::to_string_pretty(&out).expect("json"))
        .expect("write bench output");

    println!("syncro bench ({ASSETS} assets, {PER_PAGE} rows/page)");
    println!("{:<22} {:>12} {:>10}  detail", "metric", "value", "target");
    println!(
        "{:<22} {:>12.3} {:>10}  {:.1} s vs floor {:.1} s ({} pages, window {:?}, {} × 429)",
        "pull_vs_floor_ratio",
        ratio,
        "≤ 1.10",
        limited.as_secs_f64(),
        floor,
        pages_l,
        window,
        too_many_l
    );
    println!(
        "{:<22} {:>12.0} {:>10}  {:.2} s for {} pages, limiter off",
        "client_rows_per_s",
        rows_per_s,
        "≥ 5000",
        free.as_secs_f64(),
        pages_f
    );
    println!(
        "written to {}",
        path.canonicalize().unwrap_or(path).display()
    );
}
