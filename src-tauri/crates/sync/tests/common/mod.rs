//! Shared harness of the engine's simulation and kill -9 tests: a Syncro sandbox with tiny
//! data and scaled-down limits, a store in a temp folder, and the invariant checks.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use assetdesk_domain::{AssetField, AssetFields, Connection, ConnectionId, ProviderKind, RemoteId};
use assetdesk_sandbox::syncro::{SyncroConfig, SyncroHandle, SyncroServer};
use assetdesk_store::{OpState, Store};
use assetdesk_sync::{Provider, Remote, SyncOptions, SyncReport, sync_connection};
use assetdesk_syncro::{ApiToken, SyncroClient, SyncroSettings};
use chrono::NaiveDate;
use serde_json::{Value, json};

pub mod kill;
pub mod sim;

/// Broken invariants found by a run, by kind (the bench counts them; tests require none).
#[derive(Debug, Default)]
pub struct Violations {
    pub lost_edits: Vec<String>,
    pub duplicate_creates: Vec<String>,
    /// Silent overwrites, cache ≠ remote, false tombstones, an outbox that did not drain.
    pub other: Vec<String>,
}

impl Violations {
    pub fn is_empty(&self) -> bool {
        self.lost_edits.is_empty() && self.duplicate_creates.is_empty() && self.other.is_empty()
    }

    pub fn absorb(&mut self, o: Violations) {
        self.lost_edits.extend(o.lost_edits);
        self.duplicate_creates.extend(o.duplicate_creates);
        self.other.extend(o.other);
    }
}

pub const CONN: &str = "sim-syncro";

pub fn conn() -> ConnectionId {
    ConnectionId(CONN.into())
}

/// A tiny account: a handful of assets over small pages, no rate limit (429s come from the
/// fault knobs instead), so hundreds of seeds run in seconds.
pub fn sandbox_config(seed: u64, assets: usize) -> SyncroConfig {
    SyncroConfig {
        seed,
        customers: 2,
        assets,
        tickets: 0,
        rate_limit: None,
        ..SyncroConfig::default()
    }
}

pub async fn start_sandbox(seed: u64, assets: usize) -> SyncroServer {
    match assetdesk_sandbox::syncro::start(sandbox_config(seed, assets)).await {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e}"),
    }
}

/// A client with small pages, short timeouts and quick retries.
pub fn client(api_base: &str, token: &str, page_size: u32) -> SyncroClient {
    let mut s = SyncroSettings::new(conn(), api_base).expect("loopback URL is accepted");
    // No client limiter: the process-wide per-host budget would couple the parallel seeds
    // (a 429 in one seed pauses all); 429s come from the fault knob instead.
    s.rate = None;
    s.timeout = Duration::from_secs(5);
    // No client-level retries (their backoff sleeps scale with a 60 s window): every fault
    // reaches the engine, which is what this harness exercises.
    s.max_retries = 0;
    s.asset_page_size = page_size;
    SyncroClient::new(s, ApiToken::new(token)).expect("client")
}

/// A temp folder for a cache. On Linux it lives in /dev/shm when available: these tests check
/// the engine's logic and process-crash safety (a killed process loses nothing that tmpfs
/// holds), not the disk's fsync latency, which would otherwise dominate their run time.
pub fn temp_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::Builder::new()
            .prefix("assetdesk-sync-")
            .tempdir_in(shm)
    {
        return d;
    }
    tempfile::tempdir().expect("temp dir")
}

pub fn open_store(dir: &std::path::Path) -> Store {
    let store = Store::open(&dir.join("cache.sqlite3")).expect("store opens");
    store
        .upsert_connection(&Connection {
            id: conn(),
            kind: ProviderKind::Syncro,
            name: "Sim".into(),
            base_url: "http://127.0.0.1".into(),
            auth_url: None,
            tenant: None,
            client_id: None,
            secret_ref: "sim".into(),
            demo: false,
        })
        .expect("connection");
    store
}

pub async fn sync(store: &Store, remote: &Remote) -> SyncReport {
    sync_connection(
        store,
        remote,
        &conn(),
        &SyncOptions::default(),
        &Default::default(),
        None,
    )
    .await
}

/// The fields the simulation edits on both sides, with the sandbox's wire key for each.
pub const EDITED: &[(AssetField, &str)] = &[
    (AssetField::Name, "name"),
    (AssetField::Serial, "asset_serial"),
    (AssetField::AssetTag, "properties.Asset Tag"),
    (AssetField::WarrantyEnd, "properties.Warranty Expiration"),
];

/// A value unique to (side, seed, n) for `field`, as neutral JSON and as the sandbox's wire
/// value.
pub fn value_for(field: &AssetField, side: &str, seed: u64, n: u32) -> (Value, Value) {
    match field {
        AssetField::WarrantyEnd => {
            let base = NaiveDate::from_ymd_opt(2030, 1, 1).expect("valid date");
            let offset = if side == "L" { 0 } else { 2000 };
            let d = base + chrono::Days::new(u64::from(n) + offset + (seed % 97) * 5);
            let s = d.format("%Y-%m-%d").to_string();
            (json!(s), json!(s))
        }
        _ => {
            let s = format!("{side}{seed}-{n}");
            (json!(s), json!(s))
        }
    }
}

/// Every remote asset id with its neutral fields, via a fault-free full listing (list rows
/// and single GETs map the same way for Syncro).
pub async fn remote_state(
    remote: &Remote,
    _handle: &SyncroHandle,
) -> BTreeMap<RemoteId, AssetFields> {
    let mut out = BTreeMap::new();
    let mut cursor = Some(remote.first_cursor());
    while let Some(c) = cursor {
        let page = remote.assets_page(&c).await.expect("fault-free listing");
        for a in page.items {
            out.insert(a.remote_id, a.fields);
        }
        cursor = page.next;
    }
    out
}

/// Cache equals remote: every remote asset is cached, live, with equal fields; every cached
/// asset that the remote lacks is tombstoned (no false tombstone, no ghost).
pub fn check_cache_equals_remote(
    store: &Store,
    state: &BTreeMap<RemoteId, AssetFields>,
    ever: &BTreeSet<RemoteId>,
    ctx: &str,
    v: &mut Violations,
) {
    for (id, fields) in state {
        match store.asset_by_remote(&conn(), *id).expect("read") {
            None => v
                .other
                .push(format!("{ctx}: remote asset {id} is not cached")),
            Some(c) if c.deleted => v.other.push(format!(
                "{ctx}: remote asset {id} is tombstoned locally (false tombstone)"
            )),
            Some(c) if &c.asset.fields != fields => v.other.push(format!(
                "{ctx}: cached asset {id} differs from the remote: {:?} vs {fields:?}",
                c.asset.fields
            )),
            Some(_) => {}
        }
    }
    for id in ever {
        if state.contains_key(id) {
            continue;
        }
        if let Some(c) = store.asset_by_remote(&conn(), *id).expect("read")
            && !c.deleted
        {
            v.other.push(format!(
                "{ctx}: asset {id} was deleted remotely but is still live in the cache"
            ));
        }
    }
}

pub fn open_ops(store: &Store) -> Vec<assetdesk_store::OutboxOp> {
    store
        .ops(None, false)
        .expect("ops")
        .into_iter()
        .filter(|o| o.state != OpState::Done)
        .collect()
}

/// Number of remote assets whose serial equals `serial` (duplicate-create detector).
pub fn remote_with_serial(handle: &SyncroHandle, serial: &str) -> usize {
    handle
        .asset_ids()
        .into_iter()
        .filter_map(|id| handle.asset_json(id))
        .filter(|a| a.get("asset_serial").and_then(Value::as_str) == Some(serial))
        .count()
}

pub fn shared(remote: Remote) -> Arc<Remote> {
    Arc::new(remote)
}
