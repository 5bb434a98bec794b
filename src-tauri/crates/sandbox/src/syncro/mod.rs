//! Syncro emulator (issue 6): a stateful, deterministic stand-in for
//! `https://{subdomain}.syncromsp.com/api/v1`, faithful to shared/reference/syncro-api.md.
//!
//! Start one on loopback with [`start`] (tests, benchmarks) or mount [`router`] in the
//! `assetdesk-sandbox` binary. Everything the emulator does that a real account might do
//! differently is a knob on [`SyncroConfig`], defaulting to the most recent observation in the
//! fact sheet, and every knob can be changed while the server runs through [`SyncroHandle`].
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use assetdesk_sandbox::syncro::{start, SyncroConfig};
//! let server = start(SyncroConfig::demo()).await?;
//! println!("{} token {}", server.api_base(), server.token());
//! server.handle().update_config(|c| c.retry_after = true);
//! # Ok(()) }
//! ```

mod api;
mod data;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use api::router;
pub use data::Account;

/// Read/write/delete flags of one permission group, as `/me` reports them
/// (syncro-api.md §1 "Token check"; SW `/me` example).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rwd {
    pub read: bool,
    pub write: bool,
    pub delete: bool,
}

impl Rwd {
    /// Every flag set.
    pub const ALL: Rwd = Rwd {
        read: true,
        write: true,
        delete: true,
    };
    /// Read only.
    pub const READ: Rwd = Rwd {
        read: true,
        write: false,
        delete: false,
    };
    /// Nothing.
    pub const NONE: Rwd = Rwd {
        read: false,
        write: false,
        delete: false,
    };
}

/// The permission map of one API token. Syncro tokens carry hand-picked permissions
/// (syncro-api.md §1 "Tokens"); the emulator enforces the three groups the app touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    pub asset: Rwd,
    pub customer: Rwd,
    pub ticket: Rwd,
}

impl Permissions {
    /// What an admin token has.
    pub fn full() -> Self {
        Permissions {
            asset: Rwd::ALL,
            customer: Rwd::ALL,
            ticket: Rwd::ALL,
        }
    }
}

/// A request-rate limit: at most `requests` in any sliding `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

impl RateLimit {
    /// Syncro's documented limit: 180 requests per minute per source IP (syncro-api.md §6.2).
    pub const SYNCRO: RateLimit = RateLimit {
        requests: 180,
        window: Duration::from_secs(60),
    };

    /// The same request budget over a window `factor` times shorter, so benchmarks and tests
    /// exercise the limiter without waiting minutes.
    pub fn scaled(self, factor: f64) -> RateLimit {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        RateLimit {
            requests: self.requests,
            window: self.window.div_f64(factor),
        }
    }
}

/// How timestamps are written. The real API writes UTC with milliseconds; the sibling
/// platform has been seen with more fractional digits and with offsets (syncro-api.md §2
/// "Dates", §7.12), so clients must parse leniently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampStyle {
    /// `2026-01-02T03:04:05.678Z` (SW examples).
    #[default]
    UtcMillis,
    /// `2026-01-01T19:04:05.678-08:00` (account time zone offset).
    Offset,
    /// `2026-01-02T03:04:05.678123456Z` (nine fractional digits).
    Nanos,
}

/// How `PUT /customer_assets/{id}` treats `properties`: unknown on the real API
/// (syncro-api.md §3.4, §9 Q3), so both are emulated. `Replace` is the default because it is
/// the behaviour that punishes a careless client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PropertiesOnPut {
    #[default]
    Replace,
    Merge,
}

/// Faults armed at run time; each fires on the next matching requests.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added before every response.
    pub latency: Duration,
    /// The next N requests answer this status (e.g. 500, 502, 503) without doing anything.
    pub fail_next: VecDeque<u16>,
    /// The next N requests answer 429 regardless of the budget.
    pub force_429: u32,
    /// The next N successful POST/PUT requests are applied, then the connection is dropped
    /// before the body is sent (the "did my create land?" case, sync-perf-anchors.md §1.3).
    pub drop_after_write: u32,
    /// `GET /customer_assets` answers 504 when a page would hold more rows than this
    /// (syncro-api.md §6.1 "Big pages can hit 504").
    pub gateway_timeout_above: Option<u32>,
    /// Probability in [0,1] that any request answers 503 (seeded, so runs repeat).
    pub random_5xx: f64,
    /// The next N responses carry a non-JSON HTML body with status 502, as a proxy or WAF
    /// would send (syncro-api.md §6.3 "non-JSON").
    pub html_502: u32,
}

/// Everything configurable about an emulated Syncro account.
#[derive(Debug, Clone)]
pub struct SyncroConfig {
    /// Seed of the deterministic data and of random faults.
    pub seed: u64,
    /// Number of customers (businesses) to seed.
    pub customers: usize,
    /// Number of assets to seed.
    pub assets: usize,
    /// Number of tickets to seed.
    pub tickets: usize,
    /// Rows per asset page when the client sends no `per_page`: 25 per the spec text, 50 as
    /// observed in 2026 (syncro-api.md §6.1). Default 50.
    pub asset_page_size: u32,
    /// Honour `per_page` up to 100 (syncro-api.md §3.2: used by production clients, cap
    /// claimed by SF, unverified). Off → every page has `asset_page_size` rows.
    pub honor_per_page: bool,
    /// `None` disables limiting; default [`RateLimit::SYNCRO`].
    pub rate_limit: Option<RateLimit>,
    /// Send `Retry-After` on 429 (sources conflict, syncro-api.md §6.2). Default off.
    pub retry_after: bool,
    /// 429 body is Rack::Attack's plain-text `Retry later` instead of JSON (§6.2). Default on.
    pub plain_text_429: bool,
    /// Ignore `properties` on asset create, as LIVE observed in 2026 (§3.4). Default on.
    pub ignore_properties_on_create: bool,
    /// PUT semantics for `properties` (§3.4).
    pub properties_on_put: PropertiesOnPut,
    /// Whether the account has a "Parent Asset ID" custom field (§3.6: Syncro has no asset
    /// relations; an admin may add such a field).
    pub parent_link_field: bool,
    /// Whether `DELETE /customer_assets/{id}` exists. It does not on the real API (§3.1);
    /// on only to test a client configured for a future API.
    pub asset_delete: bool,
    /// Timestamp rendering (§2 "Dates").
    pub timestamp_style: TimestampStyle,
    /// `total_pages` of an empty list: 0 or 1 is unknown (§8 "Lists"). Default 1.
    pub empty_total_pages: u32,
    /// Record every request/response pair (for OpenAPI checks). Default off.
    pub record_exchanges: bool,
    /// Faults, armed at run time through [`SyncroHandle::update_config`].
    pub faults: Faults,
}

impl Default for SyncroConfig {
    /// A small account (4 customers, 40 assets) with Syncro's documented behaviour: what
    /// contract tests start from.
    fn default() -> Self {
        SyncroConfig {
            seed: 1,
            customers: 4,
            assets: 40,
            tickets: 10,
            asset_page_size: 50,
            honor_per_page: true,
            rate_limit: Some(RateLimit::SYNCRO),
            retry_after: false,
            plain_text_429: true,
            ignore_properties_on_create: true,
            properties_on_put: PropertiesOnPut::Replace,
            parent_link_field: true,
            asset_delete: false,
            timestamp_style: TimestampStyle::UtcMillis,
            empty_total_pages: 1,
            record_exchanges: false,
            faults: Faults::default(),
        }
    }
}

impl SyncroConfig {
    /// The realistic demo account a newcomer sees first: a dozen customers with contacts,
    /// typed assets with make/model/purchase/warranty custom fields, agent data, hosts with
    /// VMs linked through "Parent Asset ID", and tickets about assets.
    pub fn demo() -> Self {
        SyncroConfig {
            seed: 2026,
            customers: 12,
            assets: 640,
            tickets: 90,
            ..Default::default()
        }
    }
}

/// One request/response pair, recorded when [`SyncroConfig::record_exchanges`] is on.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// The route template, e.g. `/customer_assets/{id}` (relative to `/api/v1`).
    pub route: String,
    /// Query pairs as sent (the token, if sent as `api_key`, is recorded as `***`).
    pub query: Vec<(String, String)>,
    pub request_body: Option<Value>,
    pub status: u16,
    pub response_body: Option<Value>,
}

pub(crate) struct Inner {
    pub config: SyncroConfig,
    pub account: Account,
    pub tokens: BTreeMap<String, Permissions>,
    pub counters: BTreeMap<String, u64>,
    pub api_key_requests: u64,
    pub too_many: u64,
    pub user_agents: std::collections::BTreeSet<String>,
    pub rate_log: BTreeMap<String, VecDeque<tokio::time::Instant>>,
    pub rng: rand_chacha::ChaCha8Rng,
    pub exchanges: Vec<Exchange>,
}

/// Shared state of a running emulator: tests and the binary use it to change knobs, read
/// counters and act as "someone else editing in the Syncro web UI".
#[derive(Clone)]
pub struct SyncroHandle {
    inner: Arc<Mutex<Inner>>,
    full_token: String,
}

impl std::fmt::Debug for SyncroHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncroHandle").finish_non_exhaustive()
    }
}

impl SyncroHandle {
    /// Seeds the account described by `config`.
    pub fn new(config: SyncroConfig) -> Self {
        use rand::SeedableRng;
        let account = Account::seed(&config);
        let full_token = data::token_for(config.seed, 0);
        let mut tokens = BTreeMap::new();
        tokens.insert(full_token.clone(), Permissions::full());
        let rng = rand_chacha::ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed);
        SyncroHandle {
            inner: Arc::new(Mutex::new(Inner {
                config,
                account,
                tokens,
                counters: BTreeMap::new(),
                api_key_requests: 0,
                too_many: 0,
                user_agents: Default::default(),
                rate_log: BTreeMap::new(),
                rng,
                exchanges: Vec::new(),
            })),
            full_token,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (every mutation is a plain
        // assignment), so recover the guard instead of propagating the poison.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The token with every permission.
    pub fn token(&self) -> &str {
        &self.full_token
    }

    /// Mints a token restricted to `permissions` (Admin > API Tokens > Custom Permissions).
    pub fn mint_token(&self, permissions: Permissions) -> String {
        let mut inner = self.lock();
        let token = data::token_for(inner.config.seed, inner.tokens.len() as u64);
        inner.tokens.insert(token.clone(), permissions);
        token
    }

    /// Revokes a token (expiry or an admin deleting it): its next request gets 401.
    pub fn revoke_token(&self, token: &str) {
        self.lock().tokens.remove(token);
    }

    /// Changes knobs while the server runs.
    pub fn update_config(&self, f: impl FnOnce(&mut SyncroConfig)) {
        f(&mut self.lock().config);
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> SyncroConfig {
        self.lock().config.clone()
    }

    /// Requests served per endpoint, keyed `"GET /customer_assets"` (route templates).
    /// Every request counts, including those answered 401/429/5xx.
    pub fn counters(&self) -> BTreeMap<String, u64> {
        self.lock().counters.clone()
    }

    /// Requests for one endpoint key (see [`SyncroHandle::counters`]).
    pub fn count(&self, key: &str) -> u64 {
        self.lock().counters.get(key).copied().unwrap_or(0)
    }

    /// Sum of every counter.
    pub fn total_requests(&self) -> u64 {
        self.lock().counters.values().sum()
    }

    /// Requests that authenticated with `?api_key=` (a client should send none).
    pub fn api_key_requests(&self) -> u64 {
        self.lock().api_key_requests
    }

    /// Requests answered 429 (by the limiter or a forced fault).
    pub fn too_many_requests(&self) -> u64 {
        self.lock().too_many
    }

    /// Every distinct `User-Agent` seen.
    pub fn user_agents(&self) -> Vec<String> {
        self.lock().user_agents.iter().cloned().collect()
    }

    /// Clears the counters (and the rate-limit log).
    pub fn reset_counters(&self) {
        let mut inner = self.lock();
        inner.counters.clear();
        inner.api_key_requests = 0;
        inner.too_many = 0;
        inner.rate_log.clear();
    }

    /// Recorded exchanges (see [`SyncroConfig::record_exchanges`]), drained.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(&mut self.lock().exchanges)
    }

    /// The asset as `GET /customer_assets/{id}` would return it (unwrapped), or `None`.
    pub fn asset_json(&self, id: i64) -> Option<Value> {
        let inner = self.lock();
        inner.account.asset_json(id, inner.config.timestamp_style)
    }

    /// Renders every asset's list JSON ahead of time, so a benchmark of a full pull
    /// measures the client rather than the emulator (the cache follows every change).
    pub fn prerender(&self) {
        let mut inner = self.lock();
        let style = inner.config.timestamp_style;
        let ids: Vec<i64> = inner.account.assets.keys().copied().collect();
        for id in ids {
            let _ = inner.account.rendered_asset(id, style);
        }
    }

    /// Number of assets the account holds.
    pub fn asset_count(&self) -> usize {
        self.lock().account.assets.len()
    }

    /// Ids of all assets, ascending.
    pub fn asset_ids(&self) -> Vec<i64> {
        self.lock().account.assets.keys().copied().collect()
    }

    /// A remote edit made in the Syncro UI: sets (or with `Value::Null` removes) one
    /// top-level field (`name`, `asset_serial`, `customer_id`, `contact_id`) or, with a
    /// `properties.` prefix, one property. Bumps `updated_at`. Returns false if absent.
    pub fn remote_edit(&self, id: i64, field: &str, value: Value) -> bool {
        self.lock().account.edit(id, field, value)
    }

    /// An asset deleted in the Syncro UI (the API cannot, §3.1, but people can).
    pub fn remote_delete(&self, id: i64) -> bool {
        self.lock().account.take_asset(id).is_some()
    }

    /// An asset created by someone else (page drift while a client walks pages).
    /// Returns its id.
    pub fn remote_create(&self, name: &str, customer_id: i64, serial: Option<&str>) -> i64 {
        self.lock().account.create_plain(name, customer_id, serial)
    }

    /// The account's mutable data (assets, tickets, id counters, the emulated clock) as
    /// JSON, so the demo workspace can keep it across app restarts. Customers, types and
    /// tokens are re-seeded from the config, so no token is ever part of it.
    pub fn saved_state(&self) -> Value {
        self.lock().account.saved_state()
    }

    /// Replaces the account's assets, tickets, counters and clock with a
    /// [`SyncroHandle::saved_state`]; a state that does not parse is refused whole.
    pub fn restore_saved(&self, saved: &Value) -> Result<(), String> {
        self.lock().account.restore_saved(saved)
    }

    /// Customer ids, ascending.
    pub fn customer_ids(&self) -> Vec<i64> {
        self.lock().account.customers.keys().copied().collect()
    }

    /// Tickets linked to an asset (ids).
    pub fn tickets_of_asset(&self, asset_id: i64) -> Vec<i64> {
        let inner = self.lock();
        inner
            .account
            .tickets
            .values()
            .filter(|t| t.asset_ids.contains(&asset_id))
            .map(|t| t.id)
            .collect()
    }
}

/// A running emulator on `127.0.0.1`. Stops when dropped or on [`SyncroServer::shutdown`].
#[derive(Debug)]
pub struct SyncroServer {
    addr: SocketAddr,
    api_base: String,
    handle: SyncroHandle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SyncroServer {
    /// `http://127.0.0.1:PORT/api/v1` — what a client takes as its base URL.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token with every permission.
    pub fn token(&self) -> &str {
        self.handle.token()
    }

    /// Mints a token with a restricted permission map.
    pub fn mint_token(&self, permissions: Permissions) -> String {
        self.handle.mint_token(permissions)
    }

    /// The state handle (knobs, counters, remote edits).
    pub fn handle(&self) -> &SyncroHandle {
        &self.handle
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SyncroServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Seeds an account and serves it on `127.0.0.1:0` (loopback only).
pub async fn start(config: SyncroConfig) -> std::io::Result<SyncroServer> {
    let handle = SyncroHandle::new(config);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    // Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK add ~40 ms to
    // every response whose body is written after its headers.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("syncro sandbox: TCP_NODELAY not set: {e}");
        }
    });
    let app = router(handle.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::warn!("syncro sandbox stopped: {e}");
        }
    });
    Ok(SyncroServer {
        addr,
        api_base: format!("http://{addr}/api/v1"),
        handle,
        stop: Some(stop),
        task: Some(task),
    })
}

#[cfg(test)]
mod tests;
