//! `cargo xtask bench sync`: push throughput against the rate-limit floor, and the
//! simulation and kill -9 loops at a larger scale than the test command runs them.
//!
//! Writes `{"bench": "sync", "machine": …, "metrics": {…}}` to `ASSETDESK_BENCH_OUT`
//! (default `<workspace>/target/bench/sync.json`) and prints a table.
//! `ASSETDESK_BENCH_SIM_SEEDS` (default 1000) and `ASSETDESK_BENCH_KILL9_RUNS` (default 200)
//! size the loops.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use assetdesk_domain::{AssetField, Connection, ConnectionId, Patch, ProviderKind};
use assetdesk_halo::{HaloClient, HaloSettings, RateLimitSettings, Secret};
use assetdesk_sandbox::halo::{HaloConfig, RateLimit, start};
use assetdesk_store::Store;
use assetdesk_sync::{Remote, SyncOptions, sync_connection};
use futures::StreamExt;
use serde_json::{Value, json};

const EDITS: usize = 1000;
/// Scaled HaloPSA limit: halopsa-api.md §6's 300 requests per 5 minutes, over 1.5 s.
const LIMIT: u32 = 300;
const WINDOW: Duration = Duration::from_millis(1500);

struct Metric {
    name: &'static str,
    value: f64,
    unit: &'static str,
    target: f64,
    lower_is_better: bool,
    n: u64,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// 1000 queued edits pushed through one sync against a rate-limited HaloPSA sandbox; the
/// floor is the requests a push needs (a GET for the merge and a write per edit, plus the
/// lookups every sync refreshes) times the window over the limit.
async fn push_vs_floor() -> (f64, u64, Duration, Duration) {
    let server = start(HaloConfig {
        assets: EDITS,
        tickets: 0,
        page_cap: 100,
        rate_limit: Some(RateLimit {
            max_requests: LIMIT,
            window: WINDOW,
        }),
        ..HaloConfig::default()
    })
    .await
    .expect("sandbox");
    let conn = ConnectionId("bench-halo".into());
    let mut s = HaloSettings::new(conn.clone(), &server.resource_url(), server.client_id())
        .expect("settings");
    s.tenant = Some(server.tenant());
    s.page_size = 100;
    s.rate_limit = Some(RateLimitSettings {
        max_requests: LIMIT,
        window: WINDOW,
    });
    s.throttle_backoff = Duration::from_millis(200);
    let remote = Remote::Halo(Arc::new(
        HaloClient::new(s, Secret::new(server.client_secret())).expect("client"),
    ));
    let dir = common::temp_dir();
    let store = Store::open(&dir.path().join("cache.sqlite3")).expect("store");
    store
        .upsert_connection(&Connection {
            id: conn.clone(),
            kind: ProviderKind::Halo,
            name: "bench".into(),
            base_url: server.resource_url(),
            auth_url: None,
            tenant: Some(server.tenant()),
            client_id: Some(server.client_id()),
            secret_ref: "bench".into(),
            demo: false,
        })
        .expect("connection");
    let cancel = Default::default();
    let first = sync_connection(
        &store,
        &remote,
        &conn,
        &SyncOptions::default(),
        &cancel,
        None,
    )
    .await;
    assert!(first.error.is_none(), "initial pull: {:?}", first.error);
    // The cost of a sync with nothing to push (lookups), measured, not assumed.
    tokio::time::sleep(WINDOW * 2).await;
    let push_only = SyncOptions {
        pull: false,
        ..SyncOptions::default()
    };
    let before = server.state().total_requests();
    let empty = sync_connection(&store, &remote, &conn, &push_only, &cancel, None).await;
    assert!(empty.error.is_none(), "{:?}", empty.error);
    let lookup_requests = server.state().total_requests() - before;
    for (i, id) in server
        .state()
        .asset_ids()
        .into_iter()
        .take(EDITS)
        .enumerate()
    {
        let local = store
            .asset_by_remote(&conn, id)
            .expect("read")
            .expect("cached")
            .asset
            .id;
        let p: Patch = [(AssetField::AssetTag, json!(format!("BENCH-{i:05}")))]
            .into_iter()
            .collect();
        store.update_asset(local, &p, "bench").expect("edit");
    }
    tokio::time::sleep(WINDOW * 2).await;
    let before = server.state().total_requests();
    let started = Instant::now();
    let report = sync_connection(&store, &remote, &conn, &push_only, &cancel, None).await;
    let elapsed = started.elapsed();
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(report.push.acked as usize, EDITS, "{:?}", report.push);
    let made = server.state().total_requests() - before;
    let needed = 2 * EDITS as u64 + lookup_requests;
    // The fastest schedule a rolling window of LIMIT per WINDOW allows, starting empty:
    // LIMIT requests at t = 0, the next LIMIT at t = WINDOW, …, so the last request cannot
    // go before ⌊(needed − 1) / LIMIT⌋ windows have passed (halopsa-api.md §6).
    let floor = WINDOW * u32::try_from((needed - 1) / u64::from(LIMIT)).unwrap_or(u32::MAX);
    server.shutdown().await;
    eprintln!(
        "push: {EDITS} edits, {made} requests made ({needed} needed), {elapsed:?} vs floor {floor:?}"
    );
    (
        elapsed.as_secs_f64() / floor.as_secs_f64(),
        made,
        elapsed,
        floor,
    )
}

fn main() {
    if std::env::var(common::kill::CHILD).is_ok() {
        common::kill::child();
        return;
    }
    let seeds = env_u64("ASSETDESK_BENCH_SIM_SEEDS", 1000);
    let kill_runs = env_u64("ASSETDESK_BENCH_KILL9_RUNS", 200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(12)
        .enable_all()
        .build()
        .expect("runtime");

    let (ratio, _, _, _) = rt.block_on(push_vs_floor());

    let started = Instant::now();
    let mut violations = common::Violations::default();
    let mut ran = 0u64;
    rt.block_on(async {
        let mut results = futures::stream::iter(0..seeds)
            .map(|s| tokio::spawn(common::sim::run_seed(s)))
            .buffer_unordered(24);
        while let Some(r) = results.next().await {
            let (_, v) = r.expect("a seed panicked (harness failure)");
            violations.absorb(v);
            ran += 1;
        }
    });
    eprintln!("simulation: {ran} seeds in {:?}", started.elapsed());

    let started = Instant::now();
    let exe = std::env::current_exe().expect("bench binary path");
    violations.absorb(rt.block_on(common::kill::parent(kill_runs, &exe, &[])));
    eprintln!("kill -9: {kill_runs} runs in {:?}", started.elapsed());
    for m in violations
        .lost_edits
        .iter()
        .chain(&violations.duplicate_creates)
        .chain(&violations.other)
    {
        eprintln!("VIOLATION {m}");
    }

    let metrics = [
        Metric {
            name: "push_1000_edits_vs_floor_ratio",
            value: ratio,
            unit: "x",
            target: 1.10,
            lower_is_better: true,
            n: EDITS as u64,
        },
        Metric {
            name: "sim_seeds",
            value: ran as f64,
            unit: "seeds",
            target: 500.0,
            lower_is_better: false,
            n: ran,
        },
        Metric {
            name: "kill9_runs",
            value: kill_runs as f64,
            unit: "runs",
            target: 100.0,
            lower_is_better: false,
            n: kill_runs,
        },
        Metric {
            name: "lost_edits",
            value: violations.lost_edits.len() as f64,
            unit: "edits",
            target: 0.0,
            lower_is_better: true,
            n: ran + kill_runs,
        },
        Metric {
            name: "duplicate_creates",
            value: violations.duplicate_creates.len() as f64,
            unit: "creates",
            target: 0.0,
            lower_is_better: true,
            n: ran + kill_runs,
        },
    ];
    let machine = std::env::var("ASSETDESK_BENCH_MACHINE").unwrap_or_else(|_| {
        format!(
            "{} {} ({} CPUs)",
            std::env::consts::OS,
            std::env::consts::ARCH,
            std::thread::available_parallelism().map_or(1, |n| n.get())
        )
    });
    let mut out = serde_json::Map::new();
    println!(
        "{:<34} {:>12} {:>8} {:>10} {:>8}",
        "metric", "value", "unit", "target", "n"
    );
    for m in &metrics {
        let ok = if m.lower_is_better {
            m.value <= m.target
        } else {
            m.value >= m.target
        };
        println!(
            "{:<34} {:>12.3} {:>8} {:>10} {:>8} {}",
            m.name,
            m.value,
            m.unit,
            m.target,
            m.n,
            if ok { "ok" } else { "MISS" }
        );
        out.insert(
            m.name.into(),
            json!({"value": m.value, "unit": m.unit, "target": m.target, "lower_is_better": m.lower_is_better, "n": m.n}),
        );
    }
    let doc: Value = json!({"bench": "sync", "machine": machine, "metrics": Value::Object(out)});
    let path = std::env::var("ASSETDESK_BENCH_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/bench/sync.json")
        });
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("bench output folder");
    }
    std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json"))
        .expect("write bench output");
    println!("wrote {}", path.display());
    if !violations.other.is_empty() {
        eprintln!(
            "{} other invariant violations (see above)",
            violations.other.len()
        );
    }
}
