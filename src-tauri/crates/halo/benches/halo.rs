//! `cargo xtask bench halo`: the HaloPSA client against the sandbox.
//!
//! * `pull_vs_floor_ratio` — a full pull of 100 000 assets with both limiters at Halo's
//!   300 requests per rolling window, the window scaled from 5 minutes down to a few seconds.
//!   Floor = requests needed × window / 300 (sync-perf-anchors.md §3.7, §5.1). Target ≤ 1.10.
//! * `client_rows_per_s` — the same pull with every limiter off: how fast the client maps
//!   rows (sandbox serving included, same 2 cores). Target ≥ 5000 (the client is never the
//!   bottleneck).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use assetdesk_domain::ConnectionId;
use assetdesk_halo::{AssetQuery, HaloClient, HaloSettings, RateLimitSettings, Secret};
use assetdesk_sandbox::halo::{HaloConfig, HaloServer, RateLimit, start};
use futures::StreamExt;
use serde_json::json;

const ASSETS: usize = 100_000;
const LIMIT: u32 = 300;
/// 5 minutes scaled by 1/75.
const WINDOW: Duration = Duration::from_secs(4);

fn client(server: &HaloServer, limit: Option<RateLimitSettings>) -> HaloClient {
    let mut s = HaloSettings::new(
        ConnectionId("bench".into()),
        &server.resource_url(),
        server.client_id(),
    )
    .expect("loopback settings");
    s.tenant = Some(server.tenant());
    s.page_size = 100;
    s.rate_limit = limit;
    // The 30 s back-off after a 429, scaled like the window.
    s.throttle_backoff = WINDOW.mul_f64(0.1);
    HaloClient::new(s, Secret::new(server.client_secret())).expect("client")
}

async fn pull(c: &HaloClient) -> usize {
    let mut n = 0;
    let mut pages = std::pin::pin!(c.asset_pages(AssetQuery::default()));
    while let Some(p) = pages.next().await {
        n += p.expect("page").len();
    }
    n
}

fn out_path() -> PathBuf {
    std::env::var_os("ASSETDESK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../target/bench/halo.json")
        })
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let config = HaloConfig {
            assets: ASSETS,
            clients: 40,
            tickets: 0,
            page_cap: 100,
            rate_limit: Some(RateLimit { max_requests: LIMIT, window: WINDOW }),
            ..HaloConfig::default()
        };
        let t = Instant::now();
        let server = start(config).await.expect("sandbox");
        eprintln!("seeded {ASSETS} assets in {:.1?}", t.elapsed());

        // 1. Rate-limited full pull.
        let c = client(&server, Some(RateLimitSettings { max_requests: LIMIT, window: WINDOW }));
        let t = Instant::now();
        let n = pull(&c).await;
        let elapsed = t.elapsed();
        assert_eq!(n, ASSETS, "full pull returns every asset");
        let st = server.state();
        let requests = st.total_requests();
        let throttled = st.request_count("429");
        let floor = WINDOW.mul_f64(requests as f64 / f64::from(LIMIT));
        let ratio = elapsed.as_secs_f64() / floor.as_secs_f64();

        // 2. Unlimited: the client's own speed.
        st.configure(|cfg| cfg.rate_limit = None);
        let c = client(&server, None);
        let t = Instant::now();
        let n2 = pull(&c).await;
        let fast = t.elapsed();
        assert_eq!(n2, ASSETS);
        let rows_per_s = n2 as f64 / fast.as_secs_f64();

        let machine = std::env::var("ASSETDESK_BENCH_MACHINE").unwrap_or_else(|_| {
            format!("{} {} cpus", std::env::consts::OS, std::thread::available_parallelism().map_or(0, |n| n.get()))
        });
        let report = json!({
            "bench": "halo",
            "machine": machine,
            "metrics": {
                "pull_vs_floor_ratio": {"value": ratio, "unit": "x", "target": 1.10, "lower_is_better": true, "n": ASSETS},
                "client_rows_per_s": {"value": rows_per_s, "unit": "rows/s", "target": 5000.0, "lower_is_better": false, "n": ASSETS},
            }
        });
        let path = out_path();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("bench output dir");
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&report).expect("json")).expect("write bench output");

        println!("halo bench ({ASSETS} assets, {LIMIT} requests / {WINDOW:?} window = Halo's 5 min scaled 1/75)");
        println!("{:<22} {:>12} {:>10}  detail", "metric", "value", "target");
        println!(
            "{:<22} {:>12.3} {:>10}  {requests} requests ({throttled} answered 429) in {elapsed:.2?}; floor {floor:.2?}",
            "pull_vs_floor_ratio", ratio, "<= 1.10"
        );
        println!("{:<22} {:>12.0} {:>10}  {n2} rows in {fast:.2?}, limiter off", "client_rows_per_s", rows_per_s, ">= 5000");
        println!("written to {}", path.display());
        server.shutdown().await;
    });
}
