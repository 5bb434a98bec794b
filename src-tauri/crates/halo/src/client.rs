//! The public client: what the sync engine and the app call.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use assetdesk_domain::{
    AssetFields, AssetStatus, AssetType, Client, FieldError, NewTicket, Patch, Person, RemoteAsset,
    RemoteId, Severity, Site, Ticket,
};
use chrono::NaiveDate;
use futures::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::RwLock;

use crate::error::HaloError;
use crate::http::{Call, Renew, Retry, Transport};
use crate::limiter::RateLimiter;
use crate::mapping::{self, FieldMap, WriteBase};
use crate::settings::{HaloSettings, Secret};
use crate::wire;

/// Where a paged pull stands. Serialisable so the engine can checkpoint it and resume after
/// a crash re-fetching at most one page (sync-perf-anchors.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    /// The 1-based page number to fetch next (§3.1).
    pub page_no: u32,
    /// Rows received so far (compared with `record_count`, never with the requested size).
    pub received: u64,
    /// First id of the previous page: a repeat means Halo served the last page again (§3.3).
    pub prev_first_id: Option<RemoteId>,
}

impl Default for PageCursor {
    fn default() -> Self {
        Self {
            page_no: 1,
            received: 0,
            prev_first_id: None,
        }
    }
}

/// One page of assets.
#[derive(Debug, Clone)]
pub struct AssetPage {
    pub items: Vec<RemoteAsset>,
    /// Total matching rows as Halo reports it (can change during a pull).
    pub record_count: u64,
    /// True when this was the last page: `received ≥ record_count`, an empty page or a
    /// repeated page (§3.3 client rule).
    pub is_last: bool,
    /// The cursor for the next page (`None` when `is_last`).
    pub next: Option<PageCursor>,
}

/// Filters of an asset listing (§4.2). The default lists everything, inactive included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetQuery {
    pub client_id: Option<RemoteId>,
    pub site_id: Option<RemoteId>,
    pub type_ids: Vec<RemoteId>,
    pub status_ids: Vec<RemoteId>,
    /// Halo's "like" search over asset fields.
    pub search: Option<String>,
    /// Active-only when false (Halo's default; the engine's full pull wants both).
    pub active_only: bool,
}

/// What to look for when reconciling a create whose outcome is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidateQuery {
    /// The engine's create marker (a UUID) written into the asset's `notes`; searched with
    /// `search=` (sync-perf-anchors.md §1.3 step 4). Takes precedence when set.
    pub marker: Option<String>,
    pub client_id: Option<RemoteId>,
    pub name: Option<String>,
    pub serial: Option<String>,
}

/// A supplier (`/Supplier`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    pub id: RemoteId,
    pub name: String,
}

/// A client contract (`/ClientContract`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub id: RemoteId,
    pub client_id: Option<RemoteId>,
    pub reference: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

/// An asset group (`/AssetGroup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetGroup {
    pub id: RemoteId,
    pub name: String,
}

/// One line of the "Check permissions" report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityCheck {
    /// `sign_in`, `read_assets`, `edit_assets`, `read_clients`, `create_tickets`.
    pub capability: String,
    pub ok: bool,
    /// The exact permission to grant when not ok.
    pub missing: Option<String>,
    /// What was observed (shown under the line).
    pub detail: String,
}

/// The capability report of one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityReport {
    pub checks: Vec<CapabilityCheck>,
}

impl CapabilityReport {
    pub fn all_ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    pub fn get(&self, capability: &str) -> Option<&CapabilityCheck> {
        self.checks.iter().find(|c| c.capability == capability)
    }
}

/// A HaloPSA client for one connection. Cheap to share behind an `Arc`; all methods take
/// `&self` and may run concurrently (they share one token and one rate limiter).
#[derive(Debug)]
pub struct HaloClient {
    t: Transport,
    schema: RwLock<Option<Arc<Schema>>>,
}

/// What the client learned about the tenant's asset types and fields.
#[derive(Debug)]
struct Schema {
    map: FieldMap,
    types: Vec<Value>,
}

const NO_ID: (&str, i64) = ("record", 0);

/// One page of a list, before mapping.
#[derive(Debug)]
struct RawPage {
    rows: Vec<Value>,
    record_count: u64,
    is_last: bool,
    next: Option<PageCursor>,
}

impl HaloClient {
    /// A client for `settings`, authenticating with `secret`. No request is made yet. The
    /// client gets its own limiter; use [`HaloClient::with_limiter`] to share one per tenant.
    pub fn new(settings: HaloSettings, secret: Secret) -> Result<Self, HaloError> {
        Ok(Self {
            t: Transport::new(settings, secret, None)?,
            schema: RwLock::new(None),
        })
    }

    /// A client that shares `limiter` with other clients of the same tenant (§6: the budget
    /// is per tenant).
    pub fn with_limiter(
        settings: HaloSettings,
        secret: Secret,
        limiter: Arc<RateLimiter>,
    ) -> Result<Self, HaloError> {
        Ok(Self {
            t: Transport::new(settings, secret, Some(limiter))?,
            schema: RwLock::new(None),
        })
    }

    pub fn settings(&self) -> &HaloSettings {
        &self.t.settings
    }

    pub fn limiter(&self) -> Option<Arc<RateLimiter>> {
        self.t.limiter.clone()
    }

    /// Mints a token now (the "Test connection" button). Errors say what to fix.
    pub async fn authenticate(&self) -> Result<(), HaloError> {
        self.t.token(Renew::Always).await.map(|_| ())
    }

    async fn get(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
        entity: (&'static str, i64),
    ) -> Result<Value, HaloError> {
        self.t
            .call(Call {
                method: Method::GET,
                path,
                query,
                body: None,
                retry: Retry::Safe,
                entity,
            })
            .await
    }

    /// Every row of a wrapped list, paged per the §3.3 client rule, de-duplicated by id.
    async fn list_all(
        &self,
        path: &str,
        key: &str,
        query: Vec<(&'static str, String)>,
    ) -> Result<Vec<Value>, HaloError> {
        let mut cursor = PageCursor::default();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        loop {
            let RawPage { rows, next, .. } = self.raw_page(path, key, &query, cursor).await?;
            for r in rows {
                if let Some(id) = r.get("id").and_then(wire::id)
                    && !seen.insert(id)
                {
                    continue;
                }
                out.push(r);
            }
            match next {
                Some(n) => cursor = n,
                None => return Ok(out),
            }
        }
    }

    /// Fetches the page at `cursor` and applies the stop rule: the last page is the one
    /// that brings `received` to `record_count`, comes back empty, or repeats the previous
    /// page's first id (§3.3). A repeated page's rows are dropped.
    async fn raw_page(
        &self,
        path: &str,
        key: &str,
        query: &[(&'static str, String)],
        cursor: PageCursor,
    ) -> Result<RawPage, HaloError> {
        let mut q = query.to_vec();
        q.push(("pageinate", "true".into()));
        q.push(("page_size", self.t.settings.page_size.max(1).to_string()));
        q.push(("page_no", cursor.page_no.max(1).to_string()));
        let body = self.get(path, q, NO_ID).await?;
        let (rows, count) = wire::rows(body, key)
            .ok_or_else(|| HaloError::Protocol(format!("/{path} answer has no '{key}' array")))?;
        let first = rows.first().and_then(|r| r.get("id")).and_then(wire::id);
        let repeated = first.is_some() && first == cursor.prev_first_id;
        let rows = if repeated { Vec::new() } else { rows };
        let received = cursor.received + rows.len() as u64;
        let record_count = count.unwrap_or(received);
        let is_last = rows.is_empty() || count.is_none() || received >= record_count;
        let next = (!is_last).then_some(PageCursor {
            page_no: cursor.page_no + 1,
            received,
            prev_first_id: first,
        });
        Ok(RawPage {
            rows,
            record_count,
            is_last,
            next,
        })
    }

    // ----- schema: asset types and field mapping -------------------------------------

    /// The tenant's asset types with their fields and the resolved field mapping, loaded once
    /// (`GET /AssetType`, then `GET /AssetType/{id}?includedetails=true` per type, §5) and
    /// cached. Call [`HaloClient::refresh_schema`] after the admin changed types.
    async fn schema(&self) -> Result<Arc<Schema>, HaloError> {
        if let Some(s) = self.schema.read().await.as_ref() {
            return Ok(s.clone());
        }
        self.refresh_schema().await
    }

    async fn refresh_schema(&self) -> Result<Arc<Schema>, HaloError> {
        let list = self.get("AssetType", vec![], NO_ID).await?;
        let (types, _) = wire::rows(list, "assettypes")
            .ok_or_else(|| HaloError::Protocol("/AssetType is not a list".into()))?;
        let mut detailed = Vec::new();
        let mut names = BTreeMap::new();
        let mut key_fields = BTreeMap::new();
        let mut type_fields = BTreeMap::new();
        for t in types {
            let Some(id) = wire::positive_id(t.get("id")) else {
                continue;
            };
            let path = format!("AssetType/{id}");
            let d = self
                .get(
                    &path,
                    vec![("includedetails", "true".into())],
                    ("asset type", id),
                )
                .await?;
            let mut ids = Vec::new();
            for f in d
                .get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                // TypeInfo ids are `number` in the spec; `field_id` is the field, `id` may be
                // the TypeInfo row (§5).
                let Some(fid) = f
                    .get("field_id")
                    .and_then(wire::id)
                    .or_else(|| f.get("id").and_then(wire::id))
                else {
                    continue;
                };
                if let Some(n) = wire::text(f.get("field_name")) {
                    names.insert(fid, n);
                }
                ids.push(fid);
            }
            if let Some(k) = wire::positive_id(d.get("keyfield_id")) {
                key_fields.insert(id, k);
                if let Some(n) = wire::text(d.get("keyfield_name")) {
                    names.entry(k).or_insert(n);
                }
            }
            type_fields.insert(id, ids);
            detailed.push(d);
        }
        let mut map = FieldMap::resolve(&self.t.settings.field_mapping, names);
        map.key_fields = key_fields;
        map.type_fields = type_fields;
        let s = Arc::new(Schema {
            map,
            types: detailed,
        });
        *self.schema.write().await = Some(s.clone());
        Ok(s)
    }

    /// The resolved field mapping (which info field holds the serial, …).
    pub async fn field_map(&self) -> Result<FieldMap, HaloError> {
        Ok(self.schema().await?.map.clone())
    }

    /// Asset types with their custom fields (info fields not mapped to a neutral field).
    pub async fn asset_types(&self) -> Result<Vec<AssetType>, HaloError> {
        let s = self.refresh_schema().await?;
        Ok(s.types
            .iter()
            .filter_map(|t| {
                let id = wire::positive_id(t.get("id"))?;
                Some(AssetType {
                    connection_id: self.t.settings.connection_id.clone(),
                    remote_id: id,
                    name: wire::text(t.get("name")).unwrap_or_else(|| format!("Type {id}")),
                    fields: s.map.custom_defs(id),
                    allowed_statuses: allowed_statuses(t),
                })
            })
            .collect())
    }

    /// Asset statuses. The 2024 spec has no `/AssetStatus`; `/Status` lists *ticket*
    /// statuses. The documented source is each asset type's `allowed_status` list
    /// (`GET /AssetType/{id}?includedetails=true`, §5 "Asset status"), so this is their
    /// union. Types with `allowall_status` contribute nothing of their own. A status is
    /// `retired` when its name says so (retired, disposed, scrapped, decommissioned, …).
    pub async fn asset_statuses(&self) -> Result<Vec<AssetStatus>, HaloError> {
        let s = self.schema().await?;
        let mut by_id = BTreeMap::new();
        for t in &s.types {
            for st in t
                .get("allowed_status")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = st.get("status_id").and_then(wire::id).filter(|i| *i > 0) {
                    by_id.entry(id).or_insert_with(|| {
                        wire::text(st.get("status_name")).unwrap_or_else(|| format!("Status {id}"))
                    });
                }
            }
        }
        Ok(by_id
            .into_iter()
            .map(|(id, name)| {
                let l = name.to_lowercase();
                let retired = [
                    "retired",
                    "disposed",
                    "scrapped",
                    "decommission",
                    "written off",
                    "lost",
                    "stolen",
                ]
                .iter()
                .any(|w| l.contains(w));
                AssetStatus {
                    connection_id: self.t.settings.connection_id.clone(),
                    remote_id: id,
                    name,
                    retired,
                }
            })
            .collect())
    }

    /// Asset groups (`GET /AssetGroup`, a bare array, §3.2).
    pub async fn asset_groups(&self) -> Result<Vec<AssetGroup>, HaloError> {
        let v = self.get("AssetGroup", vec![], NO_ID).await?;
        let (rows, _) = wire::rows(v, "assetgroups")
            .ok_or_else(|| HaloError::Protocol("/AssetGroup is not a list".into()))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(AssetGroup {
                    id: wire::positive_id(r.get("id"))?,
                    name: wire::text(r.get("name")).unwrap_or_default(),
                })
            })
            .collect())
    }

    // ----- lookups --------------------------------------------------------------------

    /// Clients, inactive included (`/Client`, key `clients`).
    pub async fn clients(&self) -> Result<Vec<Client>, HaloError> {
        let rows = self
            .list_all(
                "Client",
                "clients",
                vec![("includeinactive", "true".into())],
            )
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Client {
                    connection_id: self.t.settings.connection_id.clone(),
                    remote_id: wire::positive_id(r.get("id"))?,
                    name: wire::text(r.get("name")).unwrap_or_default(),
                    inactive: r.get("inactive").and_then(Value::as_bool).unwrap_or(false),
                })
            })
            .collect())
    }

    /// Sites (`/Site`, key `sites`; `client_id` may arrive as a float, §5).
    pub async fn sites(&self, client_id: Option<RemoteId>) -> Result<Vec<Site>, HaloError> {
        let mut q = vec![("includeinactive", "true".to_owned())];
        if let Some(c) = client_id {
            q.push(("client_id", c.to_string()));
        }
        let rows = self.list_all("Site", "sites", q).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Site {
                    connection_id: self.t.settings.connection_id.clone(),
                    remote_id: wire::positive_id(r.get("id"))?,
                    client_id: wire::positive_id(r.get("client_id"))?,
                    name: wire::text(r.get("name")).unwrap_or_default(),
                })
            })
            .collect())
    }

    /// End users (`/Users`, key `users`; `site_id` may arrive as a float, §5).
    pub async fn users(&self, client_id: Option<RemoteId>) -> Result<Vec<Person>, HaloError> {
        let mut q = vec![];
        if let Some(c) = client_id {
            q.push(("client_id", c.to_string()));
        }
        let rows = self.list_all("Users", "users", q).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Person {
                    connection_id: self.t.settings.connection_id.clone(),
                    remote_id: wire::positive_id(r.get("id"))?,
                    client_id: wire::positive_id(r.get("client_id")),
                    site_id: wire::positive_id(r.get("site_id")),
                    name: wire::text(r.get("name")).unwrap_or_default(),
                    email: wire::text(r.get("emailaddress")),
                })
            })
            .collect())
    }

    /// Suppliers (`/Supplier`, key `suppliers`).
    pub async fn suppliers(&self) -> Result<Vec<Supplier>, HaloError> {
        let rows = self.list_all("Supplier", "suppliers", vec![]).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Supplier {
                    id: wire::positive_id(r.get("id"))?,
                    name: wire::text(r.get("name")).unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Client contracts (`/ClientContract`, key `contracts`).
    pub async fn contracts(&self, client_id: Option<RemoteId>) -> Result<Vec<Contract>, HaloError> {
        let mut q = vec![];
        if let Some(c) = client_id {
            q.push(("client_id", c.to_string()));
        }
        let rows = self.list_all("ClientContract", "contracts", q).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Contract {
                    id: wire::positive_id(r.get("id"))?,
                    client_id: wire::positive_id(r.get("client_id")),
                    reference: wire::text(r.get("ref")).unwrap_or_default(),
                    start: wire::date(r.get("start_date")),
                    end: wire::date(r.get("end_date")),
                })
            })
            .collect())
    }

    // ----- assets -----------------------------------------------------------------------

    fn asset_query(q: &AssetQuery) -> Vec<(&'static str, String)> {
        // `includeassetfields` makes list rows carry `fields` (serial, model…), so a pull
        // needs no per-asset GET (§4.2; sync-perf-anchors.md §5.1 G2).
        let mut out = vec![
            ("includeassetfields", "true".to_owned()),
            ("order", "id".to_owned()),
        ];
        if !q.active_only {
            out.push(("includeinactive", "true".into()));
            out.push(("includeactive", "true".into()));
        }
        if let Some(c) = q.client_id {
            out.push(("client_id", c.to_string()));
        }
        if let Some(s) = q.site_id {
            out.push(("site_id", s.to_string()));
        }
        let csv = |v: &[RemoteId]| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        if !q.type_ids.is_empty() {
            out.push(("assettypes", csv(&q.type_ids)));
        }
        if !q.status_ids.is_empty() {
            out.push(("assetstatuses", csv(&q.status_ids)));
        }
        if let Some(s) = q.search.as_ref().filter(|s| !s.is_empty()) {
            out.push(("search", s.clone()));
        }
        out
    }

    /// One page of assets at `cursor`. Resumable: persist `next` and call again later.
    pub async fn assets_page(
        &self,
        query: &AssetQuery,
        cursor: PageCursor,
    ) -> Result<AssetPage, HaloError> {
        let schema = self.schema().await?;
        let RawPage {
            rows,
            record_count,
            is_last,
            next,
        } = self
            .raw_page("Asset", "assets", &Self::asset_query(query), cursor)
            .await?;
        let items = rows
            .into_iter()
            .filter_map(|r| mapping::to_remote(r, &schema.map))
            .collect();
        Ok(AssetPage {
            items,
            record_count,
            is_last,
            next,
        })
    }

    /// Every asset matching `query`, streamed page by page (each item is one page's assets,
    /// de-duplicated by id across pages in case rows shift during the pull).
    ///
    /// Pipelined one page deep, without ever requesting a page the stop rule would not
    /// have asked for: once page N says page N+1 is needed, its request goes out while
    /// page N's rows are mapped, so Halo (or the sandbox) works while the client does.
    pub fn asset_pages<'a>(
        &'a self,
        query: AssetQuery,
    ) -> impl Stream<Item = Result<Vec<RemoteAsset>, HaloError>> + 'a {
        struct Pull {
            first: bool,
            ready: Option<Result<RawPage, HaloError>>,
            seen: HashSet<RemoteId>,
            params: Vec<(&'static str, String)>,
        }
        let state = Pull {
            first: true,
            ready: None,
            seen: HashSet::new(),
            params: Self::asset_query(&query),
        };
        futures::stream::try_unfold(state, move |mut st| async move {
            let schema = self.schema().await?;
            let current = match st.ready.take() {
                Some(r) => r?,
                None if st.first => {
                    self.raw_page("Asset", "assets", &st.params, PageCursor::default())
                        .await?
                }
                None => return Ok(None),
            };
            st.first = false;
            let map = async {
                current
                    .rows
                    .into_iter()
                    .filter_map(|r| mapping::to_remote(r, &schema.map))
                    .collect::<Vec<_>>()
            };
            let items = match current.next {
                Some(n) => {
                    let (next, items) =
                        futures::join!(self.raw_page("Asset", "assets", &st.params, n), map);
                    st.ready = Some(next);
                    items
                }
                None => map.await,
            };
            let items: Vec<RemoteAsset> = items
                .into_iter()
                .filter(|a| st.seen.insert(a.remote_id))
                .collect();
            Ok(Some((items, st)))
        })
    }

    /// One asset with details (`GET /Asset/{id}?includedetails=true`); `None` when Halo
    /// answers 404.
    pub async fn get_asset(&self, id: RemoteId) -> Result<Option<RemoteAsset>, HaloError> {
        let schema = self.schema().await?;
        let path = format!("Asset/{id}");
        match self
            .get(
                &path,
                vec![("includedetails", "true".into())],
                ("asset", id),
            )
            .await
        {
            Ok(v) => Ok(mapping::to_remote(v, &schema.map)),
            Err(HaloError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The schema, refreshed once if `type_id` is not in it (types added since it loaded);
    /// a type still unknown is a validation error on `type_id`.
    async fn schema_with_type(&self, type_id: RemoteId) -> Result<Arc<Schema>, HaloError> {
        let known = |s: &Schema| s.map.type_fields.contains_key(&type_id);
        let s = self.schema().await?;
        if known(&s) {
            return Ok(s);
        }
        let s = self.refresh_schema().await?;
        if known(&s) {
            return Ok(s);
        }
        Err(Self::unmappable(vec![mapping::Unmappable {
            field: "type_id".into(),
            message: format!(
                "asset type {type_id} does not exist in HaloPSA; choose one of the connection's asset types"
            ),
        }]))
    }

    fn unmappable(problems: Vec<mapping::Unmappable>) -> HaloError {
        HaloError::Validation {
            errors: problems
                .into_iter()
                .map(|p| FieldError {
                    field: p.field,
                    severity: Severity::Error,
                    message: p.message,
                })
                .collect(),
        }
    }

    async fn post_asset(
        &self,
        body: serde_json::Map<String, Value>,
        retry: Retry,
        id: i64,
    ) -> Result<Value, HaloError> {
        // §2: POST a JSON array; one element → the saved record as one object.
        let v = self
            .t
            .call(Call {
                method: Method::POST,
                path: "Asset",
                query: vec![],
                body: Some(Value::Array(vec![Value::Object(body)])),
                retry,
                entity: ("asset", id),
            })
            .await?;
        Ok(match v {
            Value::Array(mut a) if !a.is_empty() => a.remove(0),
            other => other,
        })
    }

    /// Creates an asset (POST without `id`). Sends every set field; `parent` links it under
    /// a host via `parent_assets`. Never retried after it may have been sent: on an error
    /// with [`HaloError::may_have_applied`], reconcile with [`HaloClient::find_candidates`].
    pub async fn create_asset(
        &self,
        fields: &AssetFields,
        parent: Option<RemoteId>,
    ) -> Result<RemoteAsset, HaloError> {
        let Some(type_id) = fields.type_id else {
            return Err(Self::unmappable(vec![mapping::Unmappable {
                field: "type_id".into(),
                message: "HaloPSA needs an asset type for every asset; choose one".into(),
            }]));
        };
        let schema = self.schema_with_type(type_id).await?;
        let changed = mapping::set_fields(fields);
        let mut body = mapping::to_device(
            fields,
            &changed,
            &WriteBase {
                type_id: Some(type_id),
                current: None,
            },
            &schema.map,
        )
        .map_err(Self::unmappable)?;
        if let Some(p) = parent {
            body.insert("parent_assets".into(), json!([{"id": p}]));
        }
        let v = self.post_asset(body, Retry::NotAfterSend, 0).await?;
        mapping::to_remote(v, &schema.map)
            .ok_or_else(|| HaloError::Protocol("the created asset came back without an id".into()))
    }

    /// Updates the fields named in `patch` (neutral names), sending only those. When an
    /// info field or custom field changes, the asset is read first so the full `fields` /
    /// `customfields` array can be sent with everything else on it unchanged (arrays are
    /// replaced wholesale, §2, HaloAPI #13). A missing asset is [`HaloError::NotFound`].
    pub async fn update_asset(
        &self,
        id: RemoteId,
        patch: &Patch,
    ) -> Result<RemoteAsset, HaloError> {
        let mut schema = self.schema().await?;
        let mut target = AssetFields::default();
        target.apply(patch).map_err(|e| HaloError::Validation {
            errors: vec![FieldError {
                field: e.field.clone(),
                severity: Severity::Error,
                message: e.to_string(),
            }],
        })?;
        let changed: BTreeSet<String> = patch.keys().map(|f| f.name().into_owned()).collect();
        let needs_current = changed.iter().any(|f| {
            f == "name"
                || f.starts_with("custom:")
                || mapping::InfoSlot::ALL.iter().any(|s| s.neutral() == f)
        });
        let current = if needs_current {
            let path = format!("Asset/{id}");
            Some(
                self.get(
                    &path,
                    vec![("includedetails", "true".into())],
                    ("asset", id),
                )
                .await?,
            )
        } else {
            None
        };
        let new_type = target.type_id.filter(|_| changed.contains("type_id"));
        if let Some(t) = new_type {
            schema = self.schema_with_type(t).await?;
        }
        let type_id = new_type.or_else(|| {
            current
                .as_ref()
                .and_then(|c| wire::positive_id(c.get("assettype_id")))
        });
        let mut body = mapping::to_device(
            &target,
            &changed,
            &WriteBase {
                type_id,
                current: current.as_ref(),
            },
            &schema.map,
        )
        .map_err(Self::unmappable)?;
        body.insert("id".into(), json!(id));
        match self.post_asset(body, Retry::Safe, id).await {
            Ok(v) => mapping::to_remote(v, &schema.map).ok_or_else(|| {
                HaloError::Protocol("the updated asset came back without an id".into())
            }),
            // §7.1: an unknown id comes back as model state on `[0].id`.
            Err(HaloError::Validation { errors }) if errors.iter().any(|e| e.field == "id") => {
                Err(HaloError::NotFound {
                    entity: "asset",
                    id,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Links `id` under `parent` (or unlinks it with `None`) by writing the Device schema's
    /// `parent_assets` array (replaced wholesale like every array, §2 / §4.3). Halo's
    /// `parent_id` integer is read (list rows carry it) but not written: no client was seen
    /// using it to link, while `parent_assets` is the array the spec and the 2026 DTOs expose.
    pub async fn set_parent(
        &self,
        id: RemoteId,
        parent: Option<RemoteId>,
    ) -> Result<RemoteAsset, HaloError> {
        let schema = self.schema().await?;
        let mut body = serde_json::Map::new();
        body.insert("id".into(), json!(id));
        body.insert(
            "parent_assets".into(),
            Value::Array(parent.into_iter().map(|p| json!({"id": p})).collect()),
        );
        match self.post_asset(body, Retry::Safe, id).await {
            Ok(v) => mapping::to_remote(v, &schema.map)
                .ok_or_else(|| HaloError::Protocol("the asset came back without an id".into())),
            Err(HaloError::Validation { errors }) if errors.iter().any(|e| e.field == "id") => {
                Err(HaloError::NotFound {
                    entity: "asset",
                    id,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The children of an asset (`linkedto_id` filter, §4.2, plus `child_assets` of the
    /// detailed record): ids of assets whose parent is `id`.
    pub async fn children_of(&self, id: RemoteId) -> Result<Vec<RemoteId>, HaloError> {
        let path = format!("Asset/{id}");
        let v = self
            .get(
                &path,
                vec![("includedetails", "true".into())],
                ("asset", id),
            )
            .await?;
        Ok(v.get("child_assets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| wire::positive_id(c.get("id")))
            .collect())
    }

    /// Deletes an asset. Already gone counts as done (the goal state holds).
    pub async fn delete_asset(&self, id: RemoteId) -> Result<(), HaloError> {
        let path = format!("Asset/{id}");
        match self
            .t
            .call(Call {
                method: Method::DELETE,
                path: &path,
                query: vec![],
                body: None,
                retry: Retry::Safe,
                entity: ("asset", id),
            })
            .await
        {
            Ok(_) | Err(HaloError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Remote assets that may be the result of a create whose outcome is unknown.
    ///
    /// With a `marker`: `search=<marker>` and keep assets whose notes or fields contain it —
    /// the reliable way (write the marker into `notes` on create). Without: the client's
    /// assets matching the serial (or else the name) via `search=`, then exact
    /// case-insensitive match on name and serial. Returns every candidate; the engine decides.
    pub async fn find_candidates(&self, q: &CandidateQuery) -> Result<Vec<RemoteAsset>, HaloError> {
        let schema = self.schema().await?;
        let term = q
            .marker
            .clone()
            .or_else(|| q.serial.clone())
            .or_else(|| q.name.clone());
        let Some(term) = term.filter(|t| !t.trim().is_empty()) else {
            return Ok(vec![]);
        };
        let query = AssetQuery {
            client_id: q.client_id,
            search: Some(term.clone()),
            ..AssetQuery::default()
        };
        let rows = self
            .list_all("Asset", "assets", Self::asset_query(&query))
            .await?;
        let eq = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (_, None) => true,
            (Some(x), Some(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
            (None, Some(_)) => false,
        };
        let mut out = Vec::new();
        for a in rows
            .into_iter()
            .filter_map(|r| mapping::to_remote(r, &schema.map))
        {
            match &q.marker {
                // List rows carry no `notes` (Device_List): confirm on the full record.
                Some(m) => {
                    let full = if a.raw.to_string().contains(m.as_str()) {
                        Some(a)
                    } else {
                        self.get_asset(a.remote_id).await?
                    };
                    if let Some(f) = full.filter(|f| f.raw.to_string().contains(m.as_str())) {
                        out.push(f);
                    }
                }
                None => {
                    if eq(&Some(a.fields.name.clone()), &q.name) && eq(&a.fields.serial, &q.serial)
                    {
                        out.push(a);
                    }
                }
            }
        }
        Ok(out)
    }

    // ----- tickets ----------------------------------------------------------------------

    fn ticket(&self, v: &Value) -> Option<Ticket> {
        Some(Ticket {
            connection_id: self.t.settings.connection_id.clone(),
            remote_id: wire::positive_id(v.get("id"))?,
            summary: wire::text(v.get("summary")).unwrap_or_default(),
            status: wire::text(v.get("status_name")),
            // §5.1: `dateoccurred`, not `datecreated` (never populated in lists).
            opened_at: wire::timestamp(v.get("dateoccurred")),
        })
    }

    /// Creates a ticket about an asset, linked with `assets: [{id}]` (§5.1). `site_id`
    /// should be the asset's site. Like asset creates, not retried after it may have been
    /// sent.
    pub async fn create_ticket(
        &self,
        asset_id: RemoteId,
        site_id: Option<RemoteId>,
        t: &NewTicket,
    ) -> Result<Ticket, HaloError> {
        let mut o = serde_json::Map::new();
        o.insert("summary".into(), json!(t.summary));
        o.insert("details".into(), json!(t.details));
        o.insert("client_id".into(), json!(t.client_id));
        if let Some(s) = site_id {
            o.insert("site_id".into(), json!(s));
        }
        o.insert("assets".into(), json!([{"id": asset_id}]));
        let v = self
            .t
            .call(Call {
                method: Method::POST,
                path: "Tickets",
                query: vec![],
                body: Some(Value::Array(vec![Value::Object(o)])),
                retry: Retry::NotAfterSend,
                entity: NO_ID,
            })
            .await?;
        let v = match v {
            Value::Array(mut a) if !a.is_empty() => a.remove(0),
            other => other,
        };
        self.ticket(&v)
            .ok_or_else(|| HaloError::Protocol("the created ticket came back without an id".into()))
    }

    /// Tickets linked to an asset (`/Tickets?asset_id=`).
    pub async fn asset_tickets(&self, asset_id: RemoteId) -> Result<Vec<Ticket>, HaloError> {
        let rows = self
            .list_all(
                "Tickets",
                "tickets",
                vec![("asset_id", asset_id.to_string())],
            )
            .await?;
        Ok(rows.iter().filter_map(|r| self.ticket(r)).collect())
    }

    // ----- capability report ------------------------------------------------------------

    /// Probes what this connection may do, for the "Check permissions" button. Costs about
    /// five requests; writes nothing (the edit probe uses `_validateonly`, §4.1).
    pub async fn check_permissions(&self) -> CapabilityReport {
        let mut checks = Vec::new();
        let token = match self.t.token(Renew::Always).await {
            Ok(t) => t,
            Err(e) => {
                checks.push(CapabilityCheck {
                    capability: "sign_in".into(),
                    ok: false,
                    missing: Some(e.to_string()),
                    detail: "token request failed".into(),
                });
                return CapabilityReport { checks };
            }
        };
        checks.push(CapabilityCheck {
            capability: "sign_in".into(),
            ok: true,
            missing: None,
            detail: format!("granted scope: '{}'", token.scope),
        });
        let outcome = |name: &str, r: Result<String, HaloError>| match r {
            Ok(detail) => CapabilityCheck {
                capability: name.into(),
                ok: true,
                missing: None,
                detail,
            },
            Err(HaloError::PermissionMissing {
                permission,
                endpoint,
            }) => CapabilityCheck {
                capability: name.into(),
                ok: false,
                missing: Some(permission),
                detail: format!("{endpoint} answered 403"),
            },
            Err(e) => CapabilityCheck {
                capability: name.into(),
                ok: false,
                missing: None,
                detail: e.to_string(),
            },
        };
        let probe_page = vec![
            ("pageinate", "true".to_owned()),
            ("page_size", "1".to_owned()),
            ("page_no", "1".to_owned()),
        ];
        let assets = self.get("Asset", probe_page.clone(), NO_ID).await;
        let first_asset = assets.as_ref().ok().and_then(|v| {
            v.get("assets")?
                .as_array()?
                .first()?
                .get("id")
                .and_then(wire::id)
        });
        checks.push(outcome(
            "read_assets",
            assets.map(|v| {
                let n = v.get("record_count").and_then(wire::id).unwrap_or(0);
                if n == 0 {
                    // §1.3: an agent without visibility sees empty lists, not 403.
                    "no assets visible: if the tenant has assets, allow the API agent access to all customers".into()
                } else {
                    format!("{n} assets visible")
                }
            }),
        ));
        let mut probe = serde_json::Map::new();
        probe.insert("_validateonly".into(), Value::Bool(true));
        if let Some(id) = first_asset {
            probe.insert("id".into(), json!(id));
        }
        let edit = self
            .t
            .call(Call {
                method: Method::POST,
                path: "Asset",
                query: vec![],
                body: Some(Value::Array(vec![Value::Object(probe)])),
                retry: Retry::Safe,
                entity: NO_ID,
            })
            .await;
        checks.push(outcome(
            "edit_assets",
            match edit {
                Ok(_) => Ok("validate-only save accepted".into()),
                // A validation answer means the save was allowed to reach validation.
                Err(HaloError::Validation { .. }) => {
                    Ok("validate-only save reached validation".into())
                }
                Err(e) => Err(e),
            },
        ));
        checks.push(outcome(
            "read_clients",
            self.get("Client", probe_page.clone(), NO_ID)
                .await
                .map(|v| {
                    format!(
                        "{} clients visible",
                        v.get("record_count").and_then(wire::id).unwrap_or(0)
                    )
                }),
        ));
        let scopes: Vec<&str> = token.scope.split_whitespace().collect();
        let ticket_scope = token.scope.is_empty()
            || scopes
                .iter()
                .any(|s| matches!(*s, "all" | "all:standard" | "edit:tickets"));
        let tickets = self.get("Tickets", probe_page, NO_ID).await;
        checks.push(match (ticket_scope, tickets) {
            (true, Ok(_)) => CapabilityCheck {
                capability: "create_tickets".into(),
                ok: true,
                missing: None,
                detail: "tickets readable and edit scope granted (the agent's ticket type rules are checked on the first create)".into(),
            },
            (false, _) => CapabilityCheck {
                capability: "create_tickets".into(),
                ok: false,
                missing: Some("scope edit:tickets on the API application (Configuration > Integrations > Halo API)".into()),
                detail: format!("granted scope: '{}'", token.scope),
            },
            (true, Err(e)) => outcome("create_tickets", Err(e)),
        });
        CapabilityReport { checks }
    }
}

/// The statuses an asset type allows (`allowed_status`, halopsa-api.md §5 "Asset status"):
/// `None` (any status) when the type sets `allowall_status`, or lists no status it could
/// be checked against.
fn allowed_statuses(asset_type: &Value) -> Option<Vec<i64>> {
    if asset_type.get("allowall_status").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let ids: Vec<i64> = asset_type
        .get("allowed_status")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|st| st.get("status_id").and_then(wire::id).filter(|i| *i > 0))
        .collect();
    (!ids.is_empty()).then_some(ids)
}
