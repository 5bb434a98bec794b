//! `cargo xtask bench store`: the cache's metrics of issue 4 item 4, on disk, with generated
//! asset data shaped like HaloPSA pulls (raw JSON kept, ~0.5 kB per asset).
//!
//! Writes `{"bench": "store", "machine": …, "metrics": {…}}` to `ASSETDESK_BENCH_OUT`
//! (default `<workspace>/target/bench/store.json`) and prints a table.
//! On Linux each pull also prints the writer thread's on-CPU time ("rows per CPU-second"):
//! on a shared, loaded machine that figure is stable where the wall-clock metric is not.
//! `ASSETDESK_BENCH_QUICK=1` shrinks the "1M" data set to 200k for a fast local check (the
//! JSON then says so through `n`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use assetdesk_domain::{
    AssetFacts, AssetField, AssetFields, AssetStatus, AssetType, Client, Connection, ConnectionId,
    Patch, Person, ProviderKind, RemoteAsset,
};
use assetdesk_store::{
    AssetFilter, LookupRef, Lookups, PageRequest, PullMode, PulledPage, Sort, SortKey, Store,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

const PAGE_ROWS: usize = 100; // HaloPSA caps pages at 100 rows (halopsa-api.md §3.3)
/// Pages per commit in the upsert metric (see [`pull`]).
const BATCH_PAGES: usize = 10;
const CLIENTS: i64 = 400;
const PEOPLE: i64 = 5_000;
const MAKES: &[(&str, &[&str])] = &[
    (
        "Dell",
        &[
            "Latitude 5440",
            "Latitude 7450",
            "OptiPlex 7010",
            "PowerEdge R650",
            "Precision 3581",
        ],
    ),
    (
        "HP",
        &[
            "EliteBook 840 G10",
            "ProBook 450 G9",
            "EliteDesk 800 G9",
            "ProLiant DL380 Gen11",
        ],
    ),
    (
        "Lenovo",
        &[
            "ThinkPad T14 Gen 4",
            "ThinkPad X1 Carbon",
            "ThinkCentre M70q",
            "ThinkSystem SR630",
        ],
    ),
    (
        "Apple",
        &["MacBook Pro 14", "MacBook Air M2", "iMac 24", "Mac mini M2"],
    ),
    ("Microsoft", &["Surface Laptop 5", "Surface Pro 9"]),
    ("Cisco", &["Catalyst 9200", "Meraki MX68", "Meraki MR46"]),
    (
        "Ubiquiti",
        &["UniFi Dream Machine", "UniFi Switch 24 PoE", "UniFi U6 Pro"],
    ),
    ("Synology", &["DiskStation DS923+", "RackStation RS1221+"]),
];
const TYPES: &[&str] = &[
    "Laptop",
    "Desktop",
    "Server",
    "Switch",
    "Firewall",
    "Access Point",
    "NAS",
    "Printer",
];
const WORDS: &[&str] = &[
    "reception",
    "finance",
    "warehouse",
    "boardroom",
    "spare",
    "loaner",
    "replaced",
    "battery",
    "screen",
    "docking",
    "station",
    "upstairs",
    "branch",
    "office",
    "rack",
    "backup",
    "primary",
    "secondary",
    "kiosk",
    "lab",
    "training",
    "remote",
    "home",
    "ceo",
    "accounts",
    "sales",
];
const FIRST: &[&str] = &[
    "Ann", "Bob", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kai", "Lena",
];
const LAST: &[&str] = &[
    "Smith", "Jones", "Patel", "Garcia", "Müller", "Rossi", "Nguyen", "Kowalski", "Brown", "Silva",
];

fn conn_id() -> ConnectionId {
    ConnectionId("bench-halo".into())
}

fn alnum(rng: &mut ChaCha8Rng, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    (0..n)
        .map(|_| A[rng.random_range(0..A.len())] as char)
        .collect()
}

fn gen_asset(rng: &mut ChaCha8Rng, id: i64) -> RemoteAsset {
    let (make, models) = MAKES[rng.random_range(0..MAKES.len())];
    let model = models[rng.random_range(0..models.len())];
    let type_id = rng.random_range(1..=TYPES.len() as i64);
    let client = rng.random_range(1..=CLIENTS);
    let user = rng.random_range(1..=PEOPLE);
    let prefix: String = alnum(rng, 3);
    let name = format!(
        "{prefix}-{}-{id:06}",
        &TYPES[(type_id - 1) as usize][..2].to_uppercase()
    );
    let serial = alnum(rng, 10);
    let mac = (0..6)
        .map(|_| format!("{:02X}", rng.random_range(0..=255u8)))
        .collect::<Vec<_>>()
        .join(":");
    let ip = format!(
        "10.{}.{}.{}",
        rng.random_range(0..=255),
        rng.random_range(0..=255),
        rng.random_range(1..=254)
    );
    let start = chrono::NaiveDate::from_ymd_opt(2019, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(rng.random_range(0..2500))));
    let end =
        start.and_then(|d| d.checked_add_days(chrono::Days::new(365 * rng.random_range(1..=5))));
    let notes = (rng.random_range(0..3) > 0).then(|| {
        (0..rng.random_range(2..8))
            .map(|_| WORDS[rng.random_range(0..WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    });
    let fields = AssetFields {
        name: name.clone(),
        client_id: Some(client),
        site_id: Some(client * 10 + rng.random_range(0..3)),
        user_ids: vec![user],
        type_id: Some(type_id),
        status_id: Some(rng.random_range(1..=4)),
        serial: Some(serial.clone()),
        asset_tag: Some(format!("AT-{:07}", id)),
        manufacturer: Some(make.into()),
        model: Some(model.into()),
        os: Some(
            if make == "Apple" {
                "macOS"
            } else {
                "Windows 11 Pro"
            }
            .into(),
        ),
        os_version: Some("23H2".into()),
        ip: Some(ip),
        mac: Some(mac),
        purchase_date: start,
        purchase_price_cents: Some(rng.random_range(20_000..400_000)),
        warranty_start: start,
        warranty_end: end,
        notes: notes.clone(),
        inactive: rng.random_range(0..20) == 0,
        custom: BTreeMap::from([(
            "rack".to_owned(),
            json!(format!("R{}", rng.random_range(1..40))),
        )]),
    };
    let user_name = format!(
        "{} {}",
        FIRST[(user as usize) % FIRST.len()],
        LAST[(user as usize / FIRST.len()) % LAST.len()]
    );
    let raw = json!({
        "id": id, "inventory_number": format!("AT-{:07}", id), "key_field": name, "key_field2": serial,
        "client_id": client, "client_name": format!("Client {client}"), "site_id": fields.site_id,
        "assettype_id": type_id, "assettype_name": TYPES[(type_id - 1) as usize], "status_id": fields.status_id,
        "users": [{"id": user, "name": user_name}], "inactive": fields.inactive,
        "fields": [{"id": 11, "name": "Rack", "value": fields.custom["rack"]}],
        "third_party_id": alnum(rng, 8), "device_number": id * 3,
    });
    RemoteAsset {
        remote_id: id,
        fields,
        facts: AssetFacts {
            display: BTreeMap::from([("users".to_owned(), user_name)]),
            ..Default::default()
        },
        parent_remote_id: None,
        updated_at: None,
        raw,
    }
}

fn setup(path: &Path) -> Store {
    let store = Store::open(path).expect("open");
    let c = Connection {
        id: conn_id(),
        kind: ProviderKind::Halo,
        name: "Bench".into(),
        base_url: "https://bench.invalid".into(),
        auth_url: None,
        tenant: None,
        client_id: None,
        secret_ref: "bench".into(),
        demo: false,
    };
    store.upsert_connection(&c).expect("connection");
    let lookups = Lookups {
        clients: (1..=CLIENTS)
            .map(|i| Client {
                connection_id: c.id.clone(),
                remote_id: i,
                name: format!("Client {i}"),
                inactive: false,
            })
            .collect(),
        sites: vec![],
        people: (1..=PEOPLE)
            .map(|i| Person {
                connection_id: c.id.clone(),
                remote_id: i,
                client_id: None,
                site_id: None,
                name: format!("P{i}"),
                email: None,
            })
            .collect(),
        types: TYPES
            .iter()
            .enumerate()
            .map(|(i, n)| AssetType {
                connection_id: c.id.clone(),
                remote_id: i as i64 + 1,
                name: (*n).into(),
                fields: vec![],
                allowed_statuses: None,
            })
            .collect(),
        statuses: (1..=4)
            .map(|i| AssetStatus {
                connection_id: c.id.clone(),
                remote_id: i,
                name: format!("S{i}"),
                retired: i == 4,
            })
            .collect(),
    };
    store.replace_lookups(&c.id, &lookups).expect("lookups");
    store
}

/// CPU time this thread has run, in seconds (Linux `/proc/thread-self/schedstat`), so the
/// upsert cost can be told apart from time spent waiting for a core on a shared machine.
fn thread_cpu_secs() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Pulls remote ids `from..to` in pages of [`PAGE_ROWS`], `batch` pages per commit (what the
/// engine's writer does when pages arrive faster than they commit); returns elapsed wall
/// seconds and the writer thread's on-CPU seconds (`None` where the OS does not report it).
fn pull(
    store: &Store,
    rng: &mut ChaCha8Rng,
    from: i64,
    to: i64,
    batch: usize,
) -> (f64, Option<f64>) {
    let cp = store
        .begin_pull(
            &conn_id(),
            PullMode::Incremental,
            PAGE_ROWS as u32,
            Some("id"),
        )
        .expect("begin");
    let mut secs = 0.0;
    let mut cpu = 0.0;
    let mut page_no = 0u32;
    // Generated in slices outside the timed part: the metric is the store's, not the
    // generator's (and a million generated assets need not sit in memory at once).
    for slice_start in (from..to).step_by(50_000) {
        let slice_end = (slice_start + 50_000).min(to);
        let assets: Vec<RemoteAsset> = (slice_start..slice_end)
            .map(|id| gen_asset(rng, id))
            .collect();
        let pages: Vec<PulledPage> = assets
            .chunks(PAGE_ROWS)
            .map(|chunk| {
                page_no += 1;
                PulledPage {
                    run_id: cp.run_id,
                    page_no,
                    assets: chunk.to_vec(),
                    remote_total: None,
                    high_watermark: None,
                }
            })
            .collect();
        let t = Instant::now();
        let c = thread_cpu_secs();
        for chunk in pages.chunks(batch) {
            store.apply_pulled_pages(chunk).expect("pages");
        }
        secs += t.elapsed().as_secs_f64();
        if let (Some(before), Some(after)) = (c, thread_cpu_secs()) {
            cpu += after - before;
        }
    }
    store.complete_pull(cp.run_id, false).expect("complete");
    if cpu > 0.0 {
        eprintln!(
            "  {} rows: {:.1}s wall, {:.1}s on-CPU ({:.0} rows per CPU-second)",
            to - from,
            secs,
            cpu,
            (to - from) as f64 / cpu
        );
    }
    (secs, (cpu > 0.0).then_some(cpu))
}

/// The engine's idle-time "merge later" step, run to completion; returns seconds.
fn merge_all(store: &Store) -> f64 {
    let t = Instant::now();
    while store.merge_search_index(2_000).expect("merge") {}
    let secs = t.elapsed().as_secs_f64();
    eprintln!("  search-index merge after the pull: {secs:.1}s");
    secs
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[idx.min(v.len() - 1)]
}

fn search_queries(rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut q = Vec::new();
    for _ in 0..200 {
        let kind = rng.random_range(0..5);
        let s = match kind {
            0 => WORDS[rng.random_range(0..WORDS.len())].to_owned(),
            1 => MAKES[rng.random_range(0..MAKES.len())].0.to_owned(),
            2 => MAKES[rng.random_range(0..MAKES.len())].1[0]
                .split(' ')
                .next()
                .unwrap_or("x")
                .to_owned(),
            3 => alnum(rng, 2),
            _ => format!(
                "{} {}",
                MAKES[rng.random_range(0..MAKES.len())].0,
                WORDS[rng.random_range(0..WORDS.len())]
            ),
        };
        // A type-ahead prefix of 2+ characters of each word.
        let cut: Vec<String> = s
            .split(' ')
            .map(|w| {
                let n = rng.random_range(2..=w.chars().count().max(2));
                w.chars().take(n).collect()
            })
            .collect();
        q.push(cut.join(" "));
    }
    q
}

fn time_ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1e3
}

fn search_p95(store: &Store, rng: &mut ChaCha8Rng) -> f64 {
    let req = PageRequest {
        sort: Sort {
            key: SortKey::Id,
            descending: false,
        },
        after: None,
        limit: 50,
    };
    let lat: Vec<f64> = search_queries(rng)
        .into_iter()
        .map(|q| {
            let filter = AssetFilter {
                search: Some(q),
                ..Default::default()
            };
            time_ms(|| {
                store.list_assets(&filter, &req).expect("search");
            })
        })
        .collect();
    percentile(lat, 0.95)
}

fn list_p95(store: &Store, rng: &mut ChaCha8Rng) -> f64 {
    let mut lat = Vec::new();
    for i in 0..200 {
        let filter = match i % 4 {
            0 => AssetFilter {
                clients: vec![LookupRef {
                    connection_id: conn_id(),
                    remote_id: rng.random_range(1..=CLIENTS),
                }],
                active: Some(true),
                ..Default::default()
            },
            1 => AssetFilter {
                types: vec![LookupRef {
                    connection_id: conn_id(),
                    remote_id: rng.random_range(1..=TYPES.len() as i64),
                }],
                ..Default::default()
            },
            2 => AssetFilter {
                statuses: vec![LookupRef {
                    connection_id: conn_id(),
                    remote_id: rng.random_range(1..=4),
                }],
                active: Some(true),
                ..Default::default()
            },
            _ => AssetFilter {
                connections: vec![conn_id()],
                ..Default::default()
            },
        };
        let sort = Sort {
            key: SortKey::Name,
            descending: i % 2 == 1,
        };
        let first = store
            .list_assets(
                &filter,
                &PageRequest {
                    sort,
                    after: None,
                    limit: 50,
                },
            )
            .expect("page");
        lat.push(time_ms(|| {
            store
                .list_assets(
                    &filter,
                    &PageRequest {
                        sort,
                        after: first.next.clone(),
                        limit: 50,
                    },
                )
                .expect("page");
        }));
    }
    percentile(lat, 0.95)
}

fn edit_p99(store: &Store, rng: &mut ChaCha8Rng, n_rows: i64) -> f64 {
    let lat: Vec<f64> = (0..400)
        .map(|i| {
            let remote = rng.random_range(1..=n_rows);
            let id = store
                .asset_by_remote(&conn_id(), remote)
                .expect("q")
                .expect("cached")
                .asset
                .id;
            let patch: Patch = [(
                AssetField::Notes,
                json!(format!("bench edit {i} {}", WORDS[i % WORDS.len()])),
            )]
            .into_iter()
            .collect();
            time_ms(|| {
                store.update_asset(id, &patch, "bench").expect("edit");
            })
        })
        .collect();
    percentile(lat, 0.99)
}

struct Metric {
    key: &'static str,
    value: f64,
    unit: &'static str,
    target: f64,
    lower_is_better: bool,
    n: i64,
}

fn machine() -> String {
    std::env::var("ASSETDESK_BENCH_MACHINE").unwrap_or_else(|_| {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        format!(
            "{} {} ({cpus} cpus)",
            std::env::consts::OS,
            std::env::consts::ARCH
        )
    })
}

fn out_path() -> PathBuf {
    std::env::var_os("ASSETDESK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/bench/store.json")
        })
}

fn main() {
    // Started by `cargo bench` with `--bench`; ignore harness arguments.
    let quick = std::env::var("ASSETDESK_BENCH_QUICK").is_ok_and(|v| v == "1");
    let big: i64 = if quick { 200_000 } else { 1_000_000 };
    let small: i64 = 100_000;
    // On disk by default (the metrics include real I/O); ASSETDESK_BENCH_DIR picks the volume.
    let base = std::env::var_os("ASSETDESK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).expect("temp dir on disk");
    let path = dir.path().join("bench.db");
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let store = setup(&path);
    let mut metrics = Vec::new();

    eprintln!("pulling {small} rows…");
    let batch: usize = std::env::var("ASSETDESK_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(BATCH_PAGES);
    let (secs, cpu) = pull(&store, &mut rng, 1, small + 1, batch);
    metrics.push(Metric {
        key: "upsert_rows_per_s",
        value: small as f64 / secs,
        unit: "rows/s",
        target: 100_000.0,
        lower_is_better: false,
        n: small,
    });
    // The same pull per second of the writer's own CPU time: what the code costs, without
    // the wait for a core on a shared machine (Linux only; absent elsewhere).
    if let Some(cpu) = cpu {
        metrics.push(Metric {
            key: "upsert_rows_per_cpu_s",
            value: small as f64 / cpu,
            unit: "rows/s",
            target: 100_000.0,
            lower_is_better: false,
            n: small,
        });
    }
    if std::env::var("ASSETDESK_BENCH_ONLY").is_ok_and(|v| v == "upsert") {
        println!("upsert_rows_per_s {:.0}", small as f64 / secs);
        return;
    }
    merge_all(&store);
    metrics.push(Metric {
        key: "search_p95_ms_100k",
        value: search_p95(&store, &mut rng),
        unit: "ms",
        target: 5.0,
        lower_is_better: true,
        n: small,
    });
    metrics.push(Metric {
        key: "edit_commit_p99_ms_100k",
        value: edit_p99(&store, &mut rng, small),
        unit: "ms",
        target: 25.0,
        lower_is_better: true,
        n: small,
    });

    eprintln!("growing to {big} rows…");
    let (secs, _) = pull(&store, &mut rng, small + 1, big + 1, batch);
    eprintln!("  {:.0} rows/s while growing", (big - small) as f64 / secs);
    merge_all(&store);
    metrics.push(Metric {
        key: "search_p95_ms_1m",
        value: search_p95(&store, &mut rng),
        unit: "ms",
        target: 25.0,
        lower_is_better: true,
        n: big,
    });
    metrics.push(Metric {
        key: "list_page_p95_ms_1m",
        value: list_p95(&store, &mut rng),
        unit: "ms",
        target: 10.0,
        lower_is_better: true,
        n: big,
    });
    drop(store);
    let mut opens = Vec::new();
    for _ in 0..5 {
        opens.push(time_ms(|| {
            let s = Store::open(&path).expect("open");
            let page = s
                .list_assets(&AssetFilter::default(), &PageRequest::default())
                .expect("first page");
            assert_eq!(page.rows.len(), 50);
        }));
    }
    metrics.push(Metric {
        key: "open_first_page_ms_1m",
        value: percentile(opens, 0.5),
        unit: "ms",
        target: 300.0,
        lower_is_better: true,
        n: big,
    });

    let mut map = serde_json::Map::new();
    println!(
        "{:<26} {:>14} {:>10} {:>10} {:>9}  ok",
        "metric", "value", "target", "unit", "n"
    );
    for m in &metrics {
        let ok = if m.lower_is_better {
            m.value <= m.target
        } else {
            m.value >= m.target
        };
        println!(
            "{:<26} {:>14.2} {:>10} {:>10} {:>9}  {}",
            m.key,
            m.value,
            m.target,
            m.unit,
            m.n,
            if ok { "yes" } else { "MISS" }
        );
        map.insert(m.key.into(), json!({"value": m.value, "unit": m.unit, "target": m.target, "lower_is_better": m.lower_is_better, "n": m.n}));
    }
    let doc = json!({"bench": "store", "machine": machine(), "metrics": map});
    let out = out_path();
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).expect("bench output dir");
    }
    std::fs::write(&out, serde_json::to_string_pretty(&doc).expect("json"))
        .expect("write bench json");
    println!("wrote {}", out.display());
}
