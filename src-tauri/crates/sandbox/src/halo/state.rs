//! The emulated tenant's mutable state, and the handle tests use to steer and inspect it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use super::config::HaloConfig;
use super::model::{
    AssetTypeRec, ClientRec, Device, FieldDef, Names, SiteRec, TicketRec, UserRec, opt_string,
    parse_date, parse_id,
};
use super::seed::{Seeded, seed};

/// A minted access token.
#[derive(Debug, Clone)]
pub(crate) struct TokenRec {
    pub expires: Instant,
    pub scopes: Vec<String>,
}

/// Why a write was refused, in the shapes Halo uses (halopsa-api.md §7.1).
#[derive(Debug, Clone)]
pub(crate) enum WriteError {
    /// 400 model-state JSON keyed by field path (`[0].assettype_id`).
    ModelState(BTreeMap<String, Vec<String>>),
    /// 400 plain-text message ("Asset tag must be unique").
    Plain(String),
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub config: HaloConfig,
    pub fields: BTreeMap<i64, FieldDef>,
    pub types: BTreeMap<i64, AssetTypeRec>,
    pub groups: BTreeMap<i64, String>,
    pub statuses: BTreeMap<i64, String>,
    pub clients: BTreeMap<i64, ClientRec>,
    pub sites: BTreeMap<i64, SiteRec>,
    pub users: BTreeMap<i64, UserRec>,
    pub suppliers: BTreeMap<i64, String>,
    pub contracts: BTreeMap<i64, (i64, String)>,
    pub assets: BTreeMap<i64, Device>,
    pub tickets: BTreeMap<i64, TicketRec>,
    pub next_asset_id: i64,
    pub next_ticket_id: i64,
    pub tokens: HashMap<String, TokenRec>,
    pub window: VecDeque<Instant>,
    pub counters: BTreeMap<String, u64>,
    pub rng: ChaCha8Rng,
    /// Writes still to be dropped after being applied (deterministic test knob).
    pub drop_next_writes: u32,
    /// Requests still to be failed with this status (deterministic test knob).
    pub fail_next: Vec<u16>,
    /// Request bodies of writes, kept for spec validation in tests (bounded).
    pub recorded: Vec<(String, Value)>,
    /// Asset ids in order, for O(page) paging of unfiltered lists (rebuilt after a create or
    /// delete; a 100k-asset pull would otherwise scan the whole tenant per page).
    pub id_index: Option<Vec<i64>>,
    /// When on, every request's method, route and query string is logged (bounded).
    pub log_requests: bool,
    pub request_log: Vec<RequestRecord>,
}

/// One request as the emulator received it (for tests that check what a client sends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// The route template, e.g. `/api/Asset/{id}`.
    pub route: String,
    /// Decoded query pairs in the order sent.
    pub query: Vec<(String, String)>,
}

impl Inner {
    fn new(config: HaloConfig) -> Self {
        let Seeded {
            fields,
            types,
            groups,
            statuses,
            clients,
            sites,
            users,
            suppliers,
            contracts,
            assets,
            tickets,
        } = seed(&config);
        let next_asset_id = assets.keys().next_back().map_or(1000, |k| k + 1);
        let next_ticket_id = tickets.keys().next_back().map_or(7000, |k| k + 1);
        let rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed_fa17);
        Self {
            config,
            fields,
            types,
            groups,
            statuses,
            clients,
            sites,
            users,
            suppliers,
            contracts,
            assets,
            tickets,
            next_asset_id,
            next_ticket_id,
            tokens: HashMap::new(),
            window: VecDeque::new(),
            counters: BTreeMap::new(),
            rng,
            drop_next_writes: 0,
            fail_next: Vec::new(),
            recorded: Vec::new(),
            id_index: None,
            log_requests: false,
            request_log: Vec::new(),
        }
    }

    pub fn names(&self) -> Names<'_> {
        Names {
            clients: Some(&self.clients),
            sites: Some(&self.sites),
            users: Some(&self.users),
            types: Some(&self.types),
            statuses: Some(&self.statuses),
            fields: Some(&self.fields),
        }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.random::<f64>() < p
    }

    /// Rolling-window admission (§6). Returns the wait until a slot frees when refused.
    pub fn admit(&mut self, now: Instant) -> Result<(), Duration> {
        let Some(rl) = self.config.rate_limit else {
            return Ok(());
        };
        while let Some(front) = self.window.front() {
            if now.duration_since(*front) >= rl.window {
                self.window.pop_front();
            } else {
                break;
            }
        }
        if self.window.len() >= rl.max_requests as usize {
            let wait = self
                .window
                .front()
                .map(|f| rl.window.saturating_sub(now.duration_since(*f)))
                .unwrap_or(rl.window);
            return Err(wait);
        }
        self.window.push_back(now);
        Ok(())
    }

    /// Applies one element of a `POST /Asset` body: with `id` a partial update, without a
    /// create (§2). Arrays (`fields`, `customfields`, `users`, `parent_assets`) replace the
    /// stored ones wholesale (§2 "Partial update", HaloAPI #13). `commit = false` validates
    /// only (`_validateonly`, §4.1).
    pub fn write_asset(
        &mut self,
        idx: usize,
        obj: &Map<String, Value>,
        commit: bool,
    ) -> Result<Device, WriteError> {
        let mut errs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let key = |k: &str| format!("[{idx}].{k}");
        let id = obj.get("id").and_then(parse_id).filter(|i| *i > 0);
        let mut dev = match id {
            Some(id) => match self.assets.get(&id) {
                Some(d) => d.clone(),
                None => {
                    // §7.1: model-state keyed `[0].id` (n8n reads exactly this key).
                    errs.insert(key("id"), vec![format!("Asset {id} does not exist.")]);
                    return Err(WriteError::ModelState(errs));
                }
            },
            None => Device {
                id: 0,
                inventory_number: None,
                client_id: 0,
                site_id: 0,
                assettype_id: 0,
                // The default status of new assets is a tenant setting (§5); here Active.
                status_id: 1,
                inactive: false,
                users: vec![],
                fields: BTreeMap::new(),
                customfields: BTreeMap::new(),
                warranty_start: None,
                warranty_end: None,
                warranty_note: None,
                notes: None,
                supplier_id: None,
                contract_id: None,
                parents: vec![],
                last_modified: Utc::now(),
                fresh: true,
                extra: Map::new(),
            },
        };
        let creating = dev.id == 0;
        for (k, v) in obj {
            match k.as_str() {
                "id" => {}
                "assettype_id" => match parse_id(v).filter(|t| self.types.contains_key(t)) {
                    Some(t) => dev.assettype_id = t,
                    None => {
                        errs.entry(key(k))
                            .or_default()
                            .push(format!("Asset type {v} does not exist."));
                    }
                },
                "client_id" => match parse_id(v).filter(|c| self.clients.contains_key(c)) {
                    Some(c) => dev.client_id = c,
                    None => {
                        errs.entry(key(k))
                            .or_default()
                            .push(format!("Client {v} does not exist."));
                    }
                },
                "site_id" => match parse_id(v).and_then(|s| self.sites.get(&s)) {
                    Some(s) => {
                        dev.site_id = s.id;
                        dev.client_id = s.client_id;
                    }
                    None => {
                        errs.entry(key(k))
                            .or_default()
                            .push(format!("Site {v} does not exist."));
                    }
                },
                "status_id" => match parse_id(v).filter(|s| self.statuses.contains_key(s)) {
                    Some(s) => dev.status_id = s,
                    None => {
                        errs.entry(key(k))
                            .or_default()
                            .push(format!("Status {v} does not exist."));
                    }
                },
                "inactive" => match v {
                    Value::Bool(b) => dev.inactive = *b,
                    Value::Null => dev.inactive = false,
                    _ => errs
                        .entry(key(k))
                        .or_default()
                        .push("The value is not a boolean.".into()),
                },
                "inventory_number" => dev.inventory_number = opt_string(v),
                "notes" => dev.notes = opt_string(v),
                "warranty_note" => dev.warranty_note = opt_string(v),
                "warranty_start" | "warranty_end" => match parse_date(v) {
                    Ok(d) if k == "warranty_start" => dev.warranty_start = d,
                    Ok(d) => dev.warranty_end = d,
                    Err(m) => errs.entry(key(k)).or_default().push(m),
                },
                "supplier_id" => match parse_id(v) {
                    Some(0) | None if v.is_null() || parse_id(v) == Some(0) => {
                        dev.supplier_id = None
                    }
                    Some(s) if self.suppliers.contains_key(&s) => dev.supplier_id = Some(s),
                    _ => errs
                        .entry(key(k))
                        .or_default()
                        .push(format!("Supplier {v} does not exist.")),
                },
                "contract_id" => match parse_id(v) {
                    Some(0) | None if v.is_null() || parse_id(v) == Some(0) => {
                        dev.contract_id = None
                    }
                    Some(s) if self.contracts.contains_key(&s) => dev.contract_id = Some(s),
                    _ => errs
                        .entry(key(k))
                        .or_default()
                        .push(format!("Contract {v} does not exist.")),
                },
                "users" => match id_array(v) {
                    Some(ids) if ids.iter().all(|u| self.users.contains_key(u)) => dev.users = ids,
                    _ => errs.entry(key(k)).or_default().push(
                        "users must be an array of {\"id\": <user id>} of existing users.".into(),
                    ),
                },
                "parent_assets" => match id_array(v) {
                    Some(ids)
                        if ids
                            .iter()
                            .all(|p| self.assets.contains_key(p) && Some(*p) != id) =>
                    {
                        dev.parents = ids;
                    }
                    _ => errs
                        .entry(key(k))
                        .or_default()
                        .push("parent_assets must list existing assets other than itself.".into()),
                },
                "fields" | "customfields" => match value_array(v) {
                    Some(vals) => {
                        let known = |fid: &i64| {
                            if k == "fields" {
                                self.fields.contains_key(fid)
                            } else {
                                super::model::CUSTOM_FIELDS.iter().any(|(c, _, _)| c == fid)
                            }
                        };
                        if let Some(bad) = vals.keys().find(|f| !known(f)) {
                            errs.entry(key(k))
                                .or_default()
                                .push(format!("Field {bad} does not exist."));
                        } else if k == "fields" {
                            dev.fields = vals;
                        } else {
                            dev.customfields = vals;
                        }
                    }
                    None => errs
                        .entry(key(k))
                        .or_default()
                        .push(format!("{k} must be an array of {{\"id\", \"value\"}}.")),
                },
                // Display-only companions of ids are computed, never stored (§4.3 key_field
                // is read-mostly: set the underlying field through `fields`).
                "key_field" | "key_field2" | "key_field3" | "client_name" | "site_name"
                | "assettype_name" | "status_name" | "username" | "child_assets" | "parent_id"
                | "last_modified" | "dlastupdate" => {}
                flag if flag.starts_with('_') => {}
                other => {
                    dev.extra.insert(other.to_owned(), v.clone());
                }
            }
        }
        if creating {
            if dev.assettype_id == 0 && !errs.contains_key(&key("assettype_id")) {
                errs.entry(key("assettype_id"))
                    .or_default()
                    .push("The Asset Type field is required.".into());
            }
            if dev.site_id == 0 && dev.client_id != 0 {
                dev.site_id = self
                    .sites
                    .values()
                    .find(|s| s.client_id == dev.client_id)
                    .map_or(0, |s| s.id);
            }
            if dev.site_id == 0
                && !errs.contains_key(&key("site_id"))
                && !errs.contains_key(&key("client_id"))
            {
                errs.entry(key("site_id"))
                    .or_default()
                    .push("The Site field is required.".into());
            }
        }
        if let Some(t) = self.types.get(&dev.assettype_id)
            && !t.allowall_status
            && !t.allowed_status.contains(&dev.status_id)
            && obj.contains_key("status_id")
        {
            errs.entry(key("status_id")).or_default().push(format!(
                "Status {} is not allowed for asset type {}.",
                dev.status_id, t.name
            ));
        }
        if !errs.is_empty() {
            return Err(WriteError::ModelState(errs));
        }
        if self.config.unique_inventory_number
            && let Some(tag) = &dev.inventory_number
            && self
                .assets
                .values()
                .any(|a| a.id != dev.id && a.inventory_number.as_deref() == Some(tag))
        {
            // halopsa-api.md §7.1: plain validation message, kbid 1340 setting.
            return Err(WriteError::Plain("Asset tag must be unique".into()));
        }
        if !commit {
            return Ok(dev);
        }
        if creating {
            dev.id = self.next_asset_id;
            self.next_asset_id += 1;
            self.id_index = None;
        }
        dev.last_modified = Utc::now();
        dev.fresh = true;
        self.assets.insert(dev.id, dev.clone());
        Ok(dev)
    }
}

/// `[{"id": 1}, {"id": 2.0}]` → ids.
fn id_array(v: &Value) -> Option<Vec<i64>> {
    match v {
        Value::Null => Some(vec![]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.get("id").and_then(parse_id))
            .collect(),
        _ => None,
    }
}

/// `[{"id": 117, "value": "X"}]` → values by id.
fn value_array(v: &Value) -> Option<BTreeMap<i64, Value>> {
    match v {
        Value::Null => Some(BTreeMap::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                Some((
                    i.get("id").and_then(parse_id)?,
                    i.get("value").cloned().unwrap_or(Value::Null),
                ))
            })
            .collect(),
        _ => None,
    }
}

/// The shared state of one emulated tenant. Cloning shares it: tests keep one clone to turn
/// knobs, read counters and act as "another user" editing the tenant between calls.
#[derive(Debug, Clone)]
pub struct HaloState {
    pub(crate) inner: Arc<Mutex<Inner>>,
}

impl HaloState {
    /// Seeds a tenant from `config`.
    pub fn new(config: HaloConfig) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner::new(config))),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the data half-written in a way that
        // matters to a test double; keep serving rather than poisoning every later request.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current configuration.
    pub fn config(&self) -> HaloConfig {
        self.lock().config.clone()
    }

    /// Changes knobs at run time (latency, faults, limits, page cap, …). Seed and data sizes
    /// only matter at construction.
    pub fn configure(&self, f: impl FnOnce(&mut HaloConfig)) {
        let mut g = self.lock();
        f(&mut g.config);
        if g.config.rate_limit.is_none() {
            g.window.clear();
        }
    }

    /// Requests received per endpoint, keyed `"GET /api/Asset"`, `"POST /auth/token"`,
    /// `"GET /api/Asset/{id}"` …, plus `"429"` for throttled answers. Every request is
    /// counted, including refused ones.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.lock().counters.clone()
    }

    /// Requests received for one endpoint key (see [`HaloState::request_counts`]).
    pub fn request_count(&self, key: &str) -> u64 {
        self.lock().counters.get(key).copied().unwrap_or(0)
    }

    /// Sum of all requests received, excluding the `"429"` tally.
    pub fn total_requests(&self) -> u64 {
        self.lock()
            .counters
            .iter()
            .filter(|(k, _)| k.as_str() != "429")
            .map(|(_, v)| v)
            .sum()
    }

    pub fn reset_counters(&self) {
        self.lock().counters.clear();
    }

    /// Makes every token minted so far expire now (next call answers 401).
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for t in self.lock().tokens.values_mut() {
            t.expires = now;
        }
    }

    /// The next `n` writes are applied, then the connection drops before the response.
    pub fn drop_next_writes(&self, n: u32) {
        self.lock().drop_next_writes = n;
    }

    /// The next requests to `/api` answer these statuses (e.g. `[500, 503]`) without effect.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.lock().fail_next = statuses.to_vec();
    }

    /// Another user edits an asset between calls, as a `POST /Asset` element would (keys in
    /// Halo wire names). Returns false if the asset is gone or the edit is invalid.
    pub fn remote_edit(&self, id: i64, patch: Value) -> bool {
        let Value::Object(mut obj) = patch else {
            return false;
        };
        obj.insert("id".into(), Value::from(id));
        self.lock().write_asset(0, &obj, true).is_ok()
    }

    /// Another user deletes an asset. Returns false if it did not exist.
    pub fn remote_delete(&self, id: i64) -> bool {
        let mut g = self.lock();
        g.id_index = None;
        g.assets.remove(&id).is_some()
    }

    /// The asset as the server holds it, rendered like `GET /Asset/{id}?includedetails=true`.
    pub fn asset(&self, id: i64) -> Option<Value> {
        let g = self.lock();
        g.assets.get(&id).map(|d| d.render(&g.names(), false, true))
    }

    /// Ids of all assets held, ascending.
    pub fn asset_ids(&self) -> Vec<i64> {
        self.lock().assets.keys().copied().collect()
    }

    pub fn asset_count(&self) -> usize {
        self.lock().assets.len()
    }

    /// Ids of tickets linked to an asset.
    pub fn tickets_of(&self, asset_id: i64) -> Vec<i64> {
        self.lock()
            .tickets
            .values()
            .filter(|t| t.asset_ids.contains(&asset_id))
            .map(|t| t.id)
            .collect()
    }

    /// Starts or stops logging every request (route and query); see
    /// [`HaloState::request_log`]. Off by default to keep long runs lean.
    pub fn log_requests(&self, on: bool) {
        let mut g = self.lock();
        g.log_requests = on;
        if !on {
            g.request_log.clear();
        }
    }

    /// Requests logged since [`HaloState::log_requests`] was turned on (at most 10 000).
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.lock().request_log.clone()
    }

    /// Write bodies received (`"POST /api/Asset"`, body), oldest first (at most 1000 kept).
    pub fn recorded_writes(&self) -> Vec<(String, Value)> {
        self.lock().recorded.clone()
    }

    /// The tenant's mutable data (assets, tickets, id counters) as JSON, so the demo
    /// workspace can keep it across app restarts. The rest (clients, types, credentials) is
    /// re-seeded from the config, so no credential is ever part of it.
    pub fn saved_state(&self) -> Value {
        let g = self.lock();
        serde_json::json!({
            "version": 1,
            "assets": g.assets.values().collect::<Vec<_>>(),
            "tickets": g.tickets.values().collect::<Vec<_>>(),
            "next_asset_id": g.next_asset_id,
            "next_ticket_id": g.next_ticket_id,
        })
    }

    /// Replaces the tenant's assets, tickets and id counters with a [`HaloState::saved_state`].
    /// A state that does not parse is refused whole (nothing changes).
    pub fn restore_saved(&self, saved: &Value) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        struct Saved {
            version: u32,
            assets: Vec<Device>,
            tickets: Vec<TicketRec>,
            next_asset_id: i64,
            next_ticket_id: i64,
        }
        let s: Saved = serde_json::from_value(saved.clone())
            .map_err(|e| format!("saved HaloPSA demo state is unreadable: {e}"))?;
        if s.version != 1 {
            return Err(format!(
                "saved HaloPSA demo state has version {}; this build reads version 1",
                s.version
            ));
        }
        let mut g = self.lock();
        g.assets = s.assets.into_iter().map(|d| (d.id, d)).collect();
        g.tickets = s.tickets.into_iter().map(|t| (t.id, t)).collect();
        g.next_asset_id = s.next_asset_id;
        g.next_ticket_id = s.next_ticket_id;
        g.id_index = None;
        Ok(())
    }
}
