//! [`SyncroClient`]: the operations the sync engine and the app call.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use assetdesk_domain::{
    AssetField, AssetFields, AssetType, Client, NewTicket, Patch, Person, RemoteAsset, RemoteId,
    Ticket,
};
use chrono::{DateTime, Utc};
use futures::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{Error, ValidationErrors, ValidationIssue, split_422};
use crate::mapping::{
    AccountSchema, FieldMapping, field_of_message, int, neutral_field, parse_timestamp,
    to_remote_asset, to_wire,
};
use crate::settings::{ApiToken, PropertiesOnCreate, SyncroSettings};
use crate::transport::{Answer, Transport};

/// Where a paged asset listing stands: the page to fetch and its size. Serialisable so the
/// engine checkpoints it with each page's upserts (sync-perf-anchors.md §1.4) and resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetCursor {
    /// 1-based page number (syncro-api.md §3.2).
    pub page: u32,
    /// Rows per page the page number refers to.
    pub per_page: u32,
}

/// Filters of `GET /customer_assets` (syncro-api.md §3.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetQuery {
    pub customer_id: Option<RemoteId>,
    pub asset_type_id: Option<RemoteId>,
    /// Free text; Syncro matches at least name and serial.
    pub query: Option<String>,
}

/// One page of assets.
#[derive(Debug, Clone)]
pub struct AssetPage {
    pub items: Vec<RemoteAsset>,
    /// The cursor this page was served at (it may differ from the one asked for when the
    /// page shrank after a 504, or the server ignored `per_page`).
    pub cursor: AssetCursor,
    /// Where to continue, `None` after the last page.
    pub next: Option<AssetCursor>,
    /// `meta.total_pages` in units of `cursor.per_page`, when sent.
    pub total_pages: Option<u32>,
    /// `meta.total_entries`, when sent: the engine compares it with the ids it saw.
    pub total_entries: Option<u64>,
}

/// `GET /me`: who the token belongs to and its permission map (syncro-api.md §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub subdomain: Option<String>,
    pub admin: bool,
    /// Group → flag → allowed (`asset` → `write` → true).
    pub permissions: BTreeMap<String, BTreeMap<String, bool>>,
}

impl Me {
    fn allowed(&self, group: &str, flag: &str) -> bool {
        self.permissions
            .get(group)
            .and_then(|g| g.get(flag))
            .copied()
            .unwrap_or(false)
    }
}

/// What one connection can do, from `/me`, with the missing permissions named as Syncro's
/// UI names them (Admin > API Tokens, syncro-api.md §1 permission table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityReport {
    pub user: String,
    pub list_assets: bool,
    pub edit_assets: bool,
    pub read_customers: bool,
    pub read_tickets: bool,
    pub create_tickets: bool,
    /// Always false: Syncro has no asset DELETE (§3.1), whatever the token may do.
    pub delete_assets: bool,
    /// One line per missing permission: what it is called and what the user loses.
    pub missing: Vec<String>,
}

/// Whether parent/child links can live in Syncro for this connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkSupport {
    /// Links are written to this custom field. `types_without_field` lists asset types
    /// that lack it (links of those assets stay local).
    CustomField {
        field: String,
        types_without_field: Vec<String>,
    },
    /// No link field: keep links local and say why.
    Missing { reason: String },
}

/// A new asset for [`SyncroClient::create_asset`].
#[derive(Debug, Clone, Default)]
pub struct NewAsset {
    pub fields: AssetFields,
    pub parent: Option<RemoteId>,
    /// The engine's operation id, written to [`FieldMapping::marker`] when mapped.
    pub marker: Option<String>,
}

/// A change for [`SyncroClient::update_asset`].
#[derive(Debug, Clone, Default)]
pub struct AssetChange {
    pub patch: Patch,
    /// `Some(None)` clears the parent link, `Some(Some(id))` sets it.
    pub parent: Option<Option<RemoteId>>,
}

/// What a reconcile search looks for after an ambiguous create.
#[derive(Debug, Clone, Default)]
pub struct ReconcileProbe {
    pub customer_id: Option<RemoteId>,
    pub name: String,
    pub serial: Option<String>,
    pub marker: Option<String>,
}

/// How a candidate matched, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The marker custom field holds the operation id: certainly ours.
    Marker,
    /// Same serial (serials are unique per account, §3.4).
    Serial,
    /// Same name within the customer: check `updated_at`/fields before adopting.
    Name,
}

/// A remote asset that may be the result of an earlier create.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub matched_by: MatchKind,
    pub asset: RemoteAsset,
    /// `created_at` as Syncro reports it (an adopting engine checks it is after the op).
    pub created_at: Option<DateTime<Utc>>,
}

/// Patch status of a Windows device (`GET /customer_assets/{id}/patches`, §3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchInfo {
    pub kb: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub status: String,
    /// When installed / evaluated / attempted / rejected, whichever the status carries.
    pub at: Option<DateTime<Utc>>,
    pub failure_reason: Option<String>,
}

/// Installed and available patches of one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetPatches {
    pub installed: Vec<PatchInfo>,
    pub available: Vec<PatchInfo>,
    /// `available_patches_meta.total_entries` (the endpoint documents no page parameter, so
    /// only the first page of available patches is known).
    pub available_total: Option<u64>,
}

/// The Syncro client of one connection. Cheap to share behind an `Arc`; every request goes
/// through the process-wide limiter of its host.
#[derive(Debug)]
pub struct SyncroClient {
    settings: SyncroSettings,
    http: Transport,
    schema: RwLock<Option<Arc<AccountSchema>>>,
}

const MIN_PAGE: u32 = 10;

impl SyncroClient {
    /// A client for `settings`, authenticating with `token`.
    pub fn new(settings: SyncroSettings, token: ApiToken) -> Result<Self, Error> {
        if token.is_empty() {
            return Err(Error::Auth {
                message: "no API token given: create one under Admin > API Tokens".into(),
            });
        }
        // `base_url` is a public field: re-check what `api_base_url` guarantees
        // (DESIGN.md invariant 8: only HTTPS leaves the machine).
        let host = settings.base_url.host_str().unwrap_or_default().to_owned();
        let scheme = settings.base_url.scheme();
        if scheme != "https" && !(scheme == "http" && crate::settings::is_loopback(&host)) {
            return Err(Error::Settings(
                crate::error::SettingsError::InsecureScheme {
                    scheme: scheme.to_owned(),
                    host,
                },
            ));
        }
        let http = Transport::new(&settings, token)?;
        Ok(SyncroClient {
            settings,
            http,
            schema: RwLock::new(None),
        })
    }

    /// The settings this client was built with.
    pub fn settings(&self) -> &SyncroSettings {
        &self.settings
    }

    fn mapping(&self) -> &FieldMapping {
        &self.settings.mapping
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Answer, Error> {
        self.http.send(Method::GET, path, query, None, false).await
    }

    /// Maps a 422 into per-field issues in neutral names.
    fn validation(&self, e: Error) -> Error {
        match e {
            Error::Http {
                status: 422,
                message,
            } => {
                let issues = split_422(&message)
                    .into_iter()
                    .map(|(label, msg)| {
                        let field = label
                            .as_deref()
                            .and_then(|l| neutral_field(l, self.mapping()))
                            .or_else(|| field_of_message(&msg, self.mapping()));
                        // A bare "has already been taken" under a field key reads better whole.
                        let message = match (&label, &field) {
                            (Some(l), _)
                                if !msg.to_ascii_lowercase().starts_with(&l.replace('_', " ")) =>
                            {
                                format!("{} {msg}", l.replace('_', " "))
                            }
                            _ => msg,
                        };
                        ValidationIssue { field, message }
                    })
                    .collect();
                Error::Validation(ValidationErrors {
                    status: Some(422),
                    issues,
                })
            }
            e => e,
        }
    }

    /// `GET /me`: checks the token and returns its identity and permission map.
    pub async fn me(&self) -> Result<Me, Error> {
        let b = self.get("me", &[]).await?.body;
        let permissions = b
            .get("permissions")
            .and_then(Value::as_object)
            .map(|groups| {
                groups
                    .iter()
                    .map(|(g, flags)| {
                        let flags = flags
                            .as_object()
                            .map(|f| {
                                f.iter()
                                    .map(|(k, v)| (k.clone(), v.as_bool().unwrap_or(false)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        (g.clone(), flags)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let s = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_owned);
        Ok(Me {
            user_id: int(b.get("user_id")),
            user_name: s("user_name"),
            user_email: s("user_email"),
            subdomain: s("subdomain"),
            admin: b.get("admin").and_then(Value::as_bool).unwrap_or(false),
            permissions,
        })
    }

    /// What this connection can do, naming every missing permission.
    pub async fn capabilities(&self) -> Result<CapabilityReport, Error> {
        let me = self.me().await?;
        let list_assets = me.allowed("asset", "read");
        let edit_assets = me.allowed("asset", "write");
        let read_customers = me.allowed("customer", "read");
        let read_tickets = me.allowed("ticket", "read");
        let create_tickets = me.allowed("ticket", "write");
        let mut missing = Vec::new();
        let mut need = |ok: bool, what: &str| {
            if !ok {
                missing.push(what.to_owned());
            }
        };
        need(
            list_assets,
            "Assets - List/Search and Assets - View Details: assets cannot be pulled",
        );
        need(
            edit_assets,
            "Assets - Create and Assets - Edit: local creates and edits cannot be pushed",
        );
        need(
            read_customers,
            "Customers - List/Search and Customers - View Detail: no customer or contact names",
        );
        need(
            read_tickets,
            "Tickets - List/Search and Tickets - View Details: an asset's tickets are hidden",
        );
        need(
            create_tickets,
            "Tickets - Create: tickets cannot be opened from an asset",
        );
        Ok(CapabilityReport {
            user: me
                .user_name
                .or(me.user_email)
                .unwrap_or_else(|| "unknown user".into()),
            list_assets,
            edit_assets,
            read_customers,
            read_tickets,
            create_tickets,
            delete_assets: false,
            missing,
        })
    }

    /// `GET /settings` → asset types and their custom fields, cached for this client;
    /// `refresh` reloads (types renamed in the UI, §7.6).
    pub async fn account_schema(&self, refresh: bool) -> Result<Arc<AccountSchema>, Error> {
        if !refresh
            && let Some(s) = self
                .schema
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
        {
            return Ok(s);
        }
        let b = self.get("settings", &[]).await?.body;
        let schema = Arc::new(AccountSchema::from_settings(
            &self.settings.connection_id,
            &b,
        ));
        *self.schema.write().unwrap_or_else(|p| p.into_inner()) = Some(schema.clone());
        Ok(schema)
    }

    /// Asset types with their custom field definitions.
    pub async fn asset_types(&self) -> Result<Vec<AssetType>, Error> {
        Ok(self.account_schema(false).await?.types.clone())
    }

    /// Whether links can be stored in Syncro with this connection's mapping.
    pub async fn link_support(&self) -> Result<LinkSupport, Error> {
        let schema = self.account_schema(false).await?;
        Ok(match &self.mapping().parent_link {
            None => LinkSupport::Missing {
                reason: "no parent link field is mapped for this connection".into(),
            },
            Some(field) => {
                let without = schema.types_without_field(field);
                if without.len() == schema.types.len() {
                    LinkSupport::Missing {
                        reason: format!(
                            "the account has no custom asset field \"{field}\"; an admin can add it (Admin > Asset Types) to share links"
                        ),
                    }
                } else {
                    LinkSupport::CustomField {
                        field: field.clone(),
                        types_without_field: without,
                    }
                }
            }
        })
    }

    async fn collect_pages(
        &self,
        path: &str,
        key: &str,
        query: Vec<(&str, String)>,
        max_pages: u32,
    ) -> Result<Vec<Value>, Error> {
        let mut out = Vec::new();
        let mut page = 1u32;
        loop {
            let mut q = query.clone();
            q.push(("page", page.to_string()));
            let b = self.get(path, &q).await?.body;
            let items = b
                .get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = b.get("meta").and_then(|m| int(m.get("total_pages")));
            let n = items.len();
            out.extend(items);
            // §6.1: loop page = 1..total_pages; stop on an empty page when meta is missing.
            let more = match total {
                Some(t) => i64::from(page) < t,
                None => n > 0,
            };
            if !more || n == 0 || page >= max_pages {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// All customers (`GET /customers`, paged) as neutral clients. Disabled ones included.
    pub async fn customers(&self) -> Result<Vec<Client>, Error> {
        let rows = self
            .collect_pages(
                "customers",
                "customers",
                vec![("include_disabled", "true".into())],
                u32::MAX,
            )
            .await?;
        Ok(rows
            .iter()
            .filter_map(|c| {
                let name = ["business_then_name", "business_name", "fullname"]
                    .iter()
                    .find_map(|k| {
                        c.get(*k)
                            .and_then(Value::as_str)
                            .filter(|s| !s.trim().is_empty())
                    })
                    .unwrap_or("(unnamed customer)");
                Some(Client {
                    connection_id: self.settings.connection_id.clone(),
                    remote_id: int(c.get("id"))?,
                    name: name.to_owned(),
                    inactive: c.get("disabled").and_then(Value::as_bool).unwrap_or(false),
                })
            })
            .collect())
    }

    /// Contacts (`GET /contacts`, of one customer or all) as neutral people.
    pub async fn contacts(&self, customer_id: Option<RemoteId>) -> Result<Vec<Person>, Error> {
        let q = customer_id
            .map(|c| vec![("customer_id", c.to_string())])
            .unwrap_or_default();
        let rows = self
            .collect_pages("contacts", "contacts", q, u32::MAX)
            .await?;
        Ok(rows.iter().filter_map(|c| self.person_from(c)).collect())
    }

    /// One contact (`GET /contacts/{id}`), which Syncro returns flat rather than wrapped
    /// (syncro-api.md §2 "Exceptions"); `None` on 404.
    pub async fn contact(&self, id: RemoteId) -> Result<Option<Person>, Error> {
        let c = match self.get(&format!("contacts/{id}"), &[]).await {
            Ok(a) => unwrap_record(a.body, "contact"),
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(self.person_from(&c))
    }

    fn person_from(&self, c: &Value) -> Option<Person> {
        Some(Person {
            connection_id: self.settings.connection_id.clone(),
            remote_id: int(c.get("id"))?,
            client_id: int(c.get("customer_id")),
            site_id: None,
            name: c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed contact)")
                .to_owned(),
            email: c
                .get("email")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        })
    }

    /// The cursor a full listing starts at.
    pub fn first_cursor(&self) -> AssetCursor {
        AssetCursor {
            page: 1,
            per_page: self.settings.asset_page_size.clamp(1, 100),
        }
    }

    /// Fetches one page of assets at `cursor`. On a 504 the page is halved (down to 10 rows)
    /// and the cursor re-based so no row is skipped (syncro-api.md §6.1: "504 on big pages,
    /// halve and retry"). Resumable: persist `page.next`.
    pub async fn assets_page(
        &self,
        query: &AssetQuery,
        cursor: AssetCursor,
    ) -> Result<AssetPage, Error> {
        let schema = self.account_schema(false).await?;
        let mut cursor = AssetCursor {
            page: cursor.page.max(1),
            per_page: cursor.per_page.clamp(1, 100),
        };
        let body = loop {
            let mut q: Vec<(&str, String)> = vec![
                ("page", cursor.page.to_string()),
                ("per_page", cursor.per_page.to_string()),
            ];
            if let Some(c) = query.customer_id {
                q.push(("customer_id", c.to_string()));
            }
            if let Some(t) = query.asset_type_id {
                q.push(("asset_type_id", t.to_string()));
            }
            if let Some(s) = query.query.as_ref().filter(|s| !s.trim().is_empty()) {
                q.push(("query", s.trim().to_owned()));
            }
            match self
                .http
                .send(Method::GET, "customer_assets", &q, None, true)
                .await
            {
                Ok(a) => break a.body,
                Err(Error::Server { status: 504, .. }) if cursor.per_page > MIN_PAGE => {
                    let smaller = (cursor.per_page / 2).max(MIN_PAGE);
                    let offset = u64::from(cursor.page - 1) * u64::from(cursor.per_page);
                    tracing::info!(
                        from = cursor.per_page,
                        to = smaller,
                        "syncro: 504 on an asset page, shrinking it"
                    );
                    cursor = AssetCursor {
                        page: (offset / u64::from(smaller)) as u32 + 1,
                        per_page: smaller,
                    };
                }
                Err(e) => return Err(e),
            }
        };
        let mut body = body;
        let raw_items = match body.get_mut("assets").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let meta = body.get("meta");
        let total_pages = meta
            .and_then(|m| int(m.get("total_pages")))
            .map(|t| t.max(0) as u32);
        let total_entries = meta
            .and_then(|m| int(m.get("total_entries")))
            .map(|t| t.max(0) as u64);
        // The server's page size wins: meta.per_page if sent, else a short non-last page.
        let served = match meta.and_then(|m| int(m.get("per_page"))) {
            Some(p) if p > 0 => p as u32,
            _ if !raw_items.is_empty()
                && (raw_items.len() as u32) < cursor.per_page
                && total_pages.is_some_and(|t| cursor.page < t) =>
            {
                raw_items.len() as u32
            }
            _ => cursor.per_page,
        };
        if served != cursor.per_page {
            // Re-express the cursor in the server's unit (only exact when the server
            // ignored per_page from the first page, which is the case that happens).
            cursor.per_page = served;
        }
        let mut items = Vec::with_capacity(raw_items.len());
        let mut refreshed = false;
        let mut schema = schema;
        for v in raw_items {
            let mut a =
                to_remote_asset(v, &schema, self.mapping()).ok_or_else(|| Error::Decode {
                    status: 200,
                    detail: "an asset in the list has no numeric id".into(),
                })?;
            let type_name = a
                .raw
                .get("asset_type")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty());
            if a.fields.type_id.is_none()
                && let Some(name) = type_name
            {
                if !refreshed {
                    // A type created or renamed since /settings was read: reload once.
                    refreshed = true;
                    schema = self.account_schema(true).await?;
                }
                a.fields.type_id = schema.type_id(name);
            }
            items.push(a);
        }
        let next = match total_pages {
            _ if items.is_empty() => None,
            Some(t) => (cursor.page < t).then_some(AssetCursor {
                page: cursor.page + 1,
                per_page: cursor.per_page,
            }),
            None => (items.len() as u32 >= cursor.per_page).then_some(AssetCursor {
                page: cursor.page + 1,
                per_page: cursor.per_page,
            }),
        };
        Ok(AssetPage {
            items,
            cursor,
            next,
            total_pages,
            total_entries,
        })
    }

    /// Every asset matching `query`, page after page, as a stream (a convenience over
    /// [`SyncroClient::assets_page`] for callers that do not checkpoint).
    pub fn stream_assets(
        &self,
        query: AssetQuery,
    ) -> impl Stream<Item = Result<RemoteAsset, Error>> + '_ {
        let start = Some(self.first_cursor());
        let pages = futures::stream::try_unfold(start, move |cursor| {
            let query = query.clone();
            async move {
                let Some(c) = cursor else {
                    return Ok::<_, Error>(None);
                };
                let page = self.assets_page(&query, c).await?;
                let next = page.next;
                Ok(Some((
                    futures::stream::iter(page.items.into_iter().map(Ok)),
                    next,
                )))
            }
        });
        futures::TryStreamExt::try_flatten(pages)
    }

    /// `GET /customer_assets/{id}`; `None` when Syncro answers 404.
    pub async fn get_asset(&self, id: RemoteId) -> Result<Option<RemoteAsset>, Error> {
        Ok(self.get_asset_json(id).await?.and_then(|v| {
            let schema = self
                .schema
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_default();
            to_remote_asset(v, &schema, self.mapping())
        }))
    }

    async fn get_asset_json(&self, id: RemoteId) -> Result<Option<Value>, Error> {
        self.account_schema(false).await?;
        match self.get(&format!("customer_assets/{id}"), &[]).await {
            Ok(a) => Ok(Some(unwrap_record(a.body, "asset"))),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn asset_from(&self, v: &Value) -> Result<RemoteAsset, Error> {
        let schema = self
            .schema
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_default();
        to_remote_asset(v.clone(), &schema, self.mapping()).ok_or_else(|| Error::Decode {
            status: 200,
            detail: "the asset in Syncro's answer has no id".into(),
        })
    }

    fn parent_prop(&self, parent: Option<RemoteId>) -> Result<(String, Value), Error> {
        match &self.mapping().parent_link {
            Some(f) => Ok((
                f.clone(),
                parent.map_or(Value::Null, |p| Value::String(p.to_string())),
            )),
            None => Err(Error::NotSupported {
                operation: "store a parent link",
                reason:
                    "no parent link custom field is mapped for this connection; keep the link local"
                        .into(),
            }),
        }
    }

    /// Creates an asset: POST the top-level fields (and `properties`), read the new id,
    /// then — if the account ignored the properties, as LIVE saw in 2026 (§3.4) — PUT the
    /// full merged properties. Syncro answers 200, not 201 (§2).
    ///
    /// Never retried after an ambiguous failure: on `may_have_been_applied()`, search with
    /// [`SyncroClient::find_candidates`] first (DESIGN.md invariant 4).
    pub async fn create_asset(&self, new: &NewAsset) -> Result<RemoteAsset, Error> {
        self.account_schema(false).await?;
        let f = &new.fields;
        if f.type_id.is_none() {
            return Err(Error::Validation(ValidationErrors {
                status: None,
                issues: vec![ValidationIssue {
                    field: Some(AssetField::Type),
                    message: "Syncro needs an asset type: pick one".into(),
                }],
            }));
        }
        let changes: Vec<(AssetField, Value)> = AssetField::NEUTRAL
            .iter()
            .map(|fld| (fld.clone(), f.get(fld)))
            .chain(
                f.custom
                    .iter()
                    .map(|(k, v)| (AssetField::Custom(k.clone()), v.clone())),
            )
            .filter(|(_, v)| !v.is_null())
            .collect();
        let wire = to_wire(changes.iter().map(|(a, b)| (a, b)), self.mapping())
            .map_err(Error::Validation)?;
        let mut props: Map<String, Value> = wire
            .props
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .collect();
        if let Some(p) = new.parent {
            let (k, v) = self.parent_prop(Some(p))?;
            props.insert(k, v);
        }
        if let (Some(k), Some(m)) = (&self.mapping().marker, &new.marker) {
            props.insert(k.clone(), Value::String(m.clone()));
        }
        let mut body = wire.top;
        if body.get("contact_id").is_some_and(Value::is_null) {
            // Nothing to say; contact_id on asset writes is undocumented (§3.3).
            body.remove("contact_id");
        }
        if f.serial.as_deref().is_none_or(|s| s.trim().is_empty()) {
            // An empty serial would collide with other blanks on accounts that check (§3.4).
            body.remove("asset_serial");
        }
        if self.settings.properties_on_create == PropertiesOnCreate::Detect && !props.is_empty() {
            body.insert("properties".into(), Value::Object(props.clone()));
        }
        let answer = self
            .http
            .send(
                Method::POST,
                "customer_assets",
                &[],
                Some(&Value::Object(body)),
                false,
            )
            .await
            .map_err(|e| self.validation(e))?;
        let created = unwrap_record(answer.body, "asset");
        let id = int(created.get("id")).ok_or_else(|| Error::Decode {
            status: 200,
            detail: "create answered without an asset id".into(),
        })?;
        let stored = created
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let missing = props.iter().any(|(k, v)| stored.get(k) != Some(v));
        if !missing {
            return self.asset_from(&created);
        }
        let mut merged = stored;
        merged.extend(props);
        let put = json!({"name": created.get("name").cloned().unwrap_or(Value::String(f.name.clone())), "properties": merged});
        match self
            .http
            .send(
                Method::PUT,
                &format!("customer_assets/{id}"),
                &[],
                Some(&put),
                false,
            )
            .await
        {
            Ok(a) => self.asset_from(&unwrap_record(a.body, "asset")),
            Err(e) => Err(Error::CreatedWithoutProperties {
                remote_id: id,
                cause: Box::new(self.validation(e)),
            }),
        }
    }

    /// Updates an asset by read-modify-write: GET it, apply the change to its current
    /// `properties` (keeping `kabuto_information` and every key we do not touch), and PUT
    /// the full merged object — correct whether PUT merges or replaces (§3.4). 404 →
    /// [`Error::NotFound`] (deleted in Syncro).
    pub async fn update_asset(
        &self,
        id: RemoteId,
        change: &AssetChange,
    ) -> Result<RemoteAsset, Error> {
        let wire = to_wire(change.patch.iter(), self.mapping()).map_err(Error::Validation)?;
        let mut props_changes = wire.props;
        if let Some(parent) = change.parent {
            let (k, v) = self.parent_prop(parent)?;
            props_changes.insert(k, v);
        }
        let current = self
            .get_asset_json(id)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: format!("asset {id} (deleted in Syncro?)"),
            })?;
        let mut body = wire.top;
        if !body.contains_key("name") {
            // SW marks name required on PUT.
            body.insert(
                "name".into(),
                current.get("name").cloned().unwrap_or(Value::Null),
            );
        }
        if !props_changes.is_empty() {
            let mut props = current
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            props.extend(props_changes);
            body.insert("properties".into(), Value::Object(props));
        }
        let answer = self
            .http
            .send(
                Method::PUT,
                &format!("customer_assets/{id}"),
                &[],
                Some(&Value::Object(body)),
                false,
            )
            .await
            .map_err(|e| self.validation(e))?;
        self.asset_from(&unwrap_record(answer.body, "asset"))
    }

    /// Deletes an asset — which Syncro's API cannot do (§3.1): answers
    /// [`Error::NotSupported`] unless the connection is configured for an API that can.
    pub async fn delete_asset(&self, id: RemoteId) -> Result<(), Error> {
        if !self.settings.asset_delete_supported {
            return Err(Error::NotSupported {
                operation: "delete asset",
                reason: "Syncro's API has no asset delete; retire it in AssetDesk or delete it in the Syncro web UI".into(),
            });
        }
        match self
            .http
            .send(
                Method::DELETE,
                &format!("customer_assets/{id}"),
                &[],
                None,
                false,
            )
            .await
        {
            Ok(_) | Err(Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Remote assets that may be the result of an earlier, ambiguous create, strongest
    /// match first. Searches `query=<serial>` account-wide (serials are unique per account,
    /// §3.4; the vendor's importer re-finds clashes this way) and `query=<name>` within the
    /// customer, and confirms with the marker field when one is mapped. Costs 1–2 requests.
    pub async fn find_candidates(&self, probe: &ReconcileProbe) -> Result<Vec<Candidate>, Error> {
        let mut found: BTreeMap<RemoteId, Candidate> = BTreeMap::new();
        let marker_field = self.mapping().marker.clone();
        let classify = |a: &RemoteAsset, by: MatchKind| -> MatchKind {
            let marked = match (&marker_field, &probe.marker) {
                (Some(k), Some(m)) => {
                    a.raw
                        .get("properties")
                        .and_then(|p| p.get(k))
                        .and_then(Value::as_str)
                        == Some(m)
                }
                _ => false,
            };
            if marked { MatchKind::Marker } else { by }
        };
        let mut searches: Vec<(AssetQuery, MatchKind)> = Vec::new();
        if let Some(serial) = probe
            .serial
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            searches.push((
                AssetQuery {
                    query: Some(serial.to_owned()),
                    ..Default::default()
                },
                MatchKind::Serial,
            ));
        }
        if !probe.name.trim().is_empty() {
            searches.push((
                AssetQuery {
                    customer_id: probe.customer_id,
                    query: Some(probe.name.trim().to_owned()),
                    ..Default::default()
                },
                MatchKind::Name,
            ));
        }
        for (query, kind) in searches {
            let page = self.assets_page(&query, self.first_cursor()).await?;
            for a in page.items {
                let hit = match kind {
                    MatchKind::Serial => a
                        .fields
                        .serial
                        .as_deref()
                        .zip(probe.serial.as_deref())
                        .is_some_and(|(x, y)| x.trim().eq_ignore_ascii_case(y.trim())),
                    _ => {
                        a.fields.name.trim().eq_ignore_ascii_case(probe.name.trim())
                            && (probe.customer_id.is_none()
                                || a.fields.client_id == probe.customer_id)
                    }
                };
                if !hit {
                    continue;
                }
                let matched_by = classify(&a, kind);
                let created_at = a
                    .raw
                    .get("created_at")
                    .and_then(Value::as_str)
                    .and_then(parse_timestamp);
                let entry = found.entry(a.remote_id).or_insert(Candidate {
                    matched_by,
                    asset: a.clone(),
                    created_at,
                });
                entry.matched_by = entry.matched_by.min(matched_by);
            }
        }
        let mut out: Vec<Candidate> = found.into_values().collect();
        out.sort_by_key(|c| (c.matched_by, std::cmp::Reverse(c.created_at)));
        Ok(out)
    }

    /// Opens a ticket about an asset: `POST /tickets` with `asset_ids: [id]` (§4.3; not
    /// the singular `asset_id` some clients send) and the details as the first comment.
    pub async fn create_ticket(
        &self,
        asset_id: RemoteId,
        ticket: &NewTicket,
    ) -> Result<Ticket, Error> {
        let mut body = json!({
            "customer_id": ticket.client_id,
            "subject": ticket.summary,
            "asset_ids": [asset_id],
        });
        if !ticket.details.trim().is_empty()
            && let Some(o) = body.as_object_mut()
        {
            o.insert(
                "comments_attributes".into(),
                json!([{"subject": "Initial Issue", "body": ticket.details, "hidden": false, "do_not_email": true}]),
            );
        }
        let answer = self
            .http
            .send(Method::POST, "tickets", &[], Some(&body), false)
            .await
            .map_err(|e| match self.validation(e) {
                // Ticket 422s name no asset field: keep the message, drop the guess.
                Error::Validation(mut v) => {
                    for i in &mut v.issues {
                        i.field = None;
                    }
                    Error::Validation(v)
                }
                e => e,
            })?;
        self.ticket_from(&unwrap_record(answer.body, "ticket"))
            .ok_or_else(|| Error::Decode {
                status: 200,
                detail: "ticket answer has no id".into(),
            })
    }

    fn ticket_from(&self, t: &Value) -> Option<Ticket> {
        Some(Ticket {
            connection_id: self.settings.connection_id.clone(),
            remote_id: int(t.get("id"))?,
            summary: t
                .get("subject")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            status: t.get("status").and_then(Value::as_str).map(str::to_owned),
            opened_at: t
                .get("created_at")
                .and_then(Value::as_str)
                .and_then(parse_timestamp),
        })
    }

    /// Tickets about one asset, newest first. Ticket list items carry no `asset_ids` in
    /// the documented API (§4.3), so this lists the customer's tickets (newest first, up to
    /// two pages) and reads the details of at most `max_details` of them to match
    /// `asset_ids`; list items that do carry `asset_ids` (newer API) are matched directly.
    /// Cost: ≤ 2 + `max_details` requests.
    pub async fn asset_tickets(
        &self,
        asset_id: RemoteId,
        customer_id: RemoteId,
        max_details: usize,
    ) -> Result<Vec<Ticket>, Error> {
        let rows = self
            .collect_pages(
                "tickets",
                "tickets",
                vec![("customer_id", customer_id.to_string())],
                2,
            )
            .await?;
        let mut out = Vec::new();
        let mut details = 0;
        for t in rows {
            let ids = match t.get("asset_ids").and_then(Value::as_array) {
                Some(ids) => Some(ids.clone()),
                None if details < max_details => {
                    details += 1;
                    let Some(id) = int(t.get("id")) else { continue };
                    match self.get(&format!("tickets/{id}"), &[]).await {
                        Ok(a) => unwrap_record(a.body, "ticket")
                            .get("asset_ids")
                            .and_then(Value::as_array)
                            .cloned(),
                        Err(Error::NotFound { .. }) => None,
                        Err(e) => return Err(e),
                    }
                }
                None => None,
            };
            if ids.is_some_and(|ids| ids.iter().any(|v| int(Some(v)) == Some(asset_id)))
                && let Some(ticket) = self.ticket_from(&t)
            {
                out.push(ticket);
            }
        }
        out.sort_by_key(|t| std::cmp::Reverse(t.opened_at));
        Ok(out)
    }

    /// `GET /customer_assets/{id}/patches` (in the spec, §3.1); `None` on 404.
    pub async fn asset_patches(&self, id: RemoteId) -> Result<Option<AssetPatches>, Error> {
        let b = match self
            .get(&format!("customer_assets/{id}/patches"), &[])
            .await
        {
            Ok(a) => a.body,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let list = |k: &str| -> Vec<PatchInfo> {
            b.get(k)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|p| {
                            let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
                            Some(PatchInfo {
                                kb: s("kb"),
                                title: s("title")?,
                                category: s("category"),
                                status: s("status").unwrap_or_default(),
                                at: [
                                    "installed_at",
                                    "evaluated_at",
                                    "attempted_installation",
                                    "rejected_at",
                                ]
                                .iter()
                                .find_map(|k| {
                                    p.get(*k).and_then(Value::as_str).and_then(parse_timestamp)
                                }),
                                failure_reason: s("failure_reason"),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Ok(Some(AssetPatches {
            installed: list("installed_patches"),
            available: list("available_patches"),
            available_total: b
                .get("available_patches_meta")
                .and_then(|m| int(m.get("total_entries")))
                .map(|n| n.max(0) as u64),
        }))
    }
}

/// Single records come wrapped by their singular name (`{"asset": …}`), but some (contacts)
/// come flat (syncro-api.md §2): unwrap when the wrapper is there.
fn unwrap_record(v: Value, key: &str) -> Value {
    match v {
        Value::Object(mut o) if o.len() == 1 && o.get(key).is_some_and(Value::is_object) => {
            o.remove(key).unwrap_or_default()
        }
        Value::Object(mut o)
            if o.get(key).is_some_and(Value::is_object) && o.get("id").is_none() =>
        {
            o.remove(key).unwrap_or_default()
        }
        v => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_wrapped_and_keeps_flat() {
        assert_eq!(
            unwrap_record(json!({"asset": {"id": 1}}), "asset"),
            json!({"id": 1})
        );
        assert_eq!(
            unwrap_record(json!({"id": 2, "name": "flat"}), "contact"),
            json!({"id": 2, "name": "flat"})
        );
    }
}
