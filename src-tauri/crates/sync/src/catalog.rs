//! The read side of the [`Workspace`] façade: what the asset list, its filter bar and the
//! detail panel show. Everything here is a read on the store's read pool, so it never waits
//! for a sync page or an edit.
//!
//! The types here are the UI's wire format (camelCase, specta-exported); they are deliberately
//! separate from the store's types so the cache can change its shape without breaking the
//! bindings, and so that nothing the UI does not need (raw provider JSON, outbox details)
//! crosses the IPC boundary.
//!
//! Paging follows DESIGN.md invariant 6 ("one IPC payload ≤ one page"): a page holds at most
//! [`MAX_PAGE`] rows and carries an opaque cursor for the next one (keyset, so rows inserted
//! by a sync meanwhile never shift the window).

use std::collections::{BTreeMap, HashMap};

use assetdesk_domain::{AssetId, ConnectionId, CustomFieldKind, Person, ProviderKind, RemoteId};
use assetdesk_store::{
    AssetFilter, AssetSummary, Cursor, FacetCount, LookupRef, PageRequest, Sort, SortKey,
    StoreError, SyncState, WarrantyFilter,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::ErrorCode;
use crate::workspace::Workspace;

/// The largest page a caller may ask for (the store clamps to the same bound).
pub const MAX_PAGE: u32 = 500;

/// How many children the detail panel receives at most; a host with more says so
/// ([`AssetDetail::children_truncated`]) instead of growing the payload without bound.
pub const MAX_CHILDREN: usize = 200;

/// Why a catalog read failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The caller sent something unusable; the message names the field and the fix.
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CatalogError {
    /// The code callers branch on: a missing asset or connection is `NotFound` (the row was
    /// deleted by a sync while the user looked at it), anything else from SQLite `Database`.
    pub fn code(&self) -> ErrorCode {
        match self {
            CatalogError::InvalidInput { .. } => ErrorCode::InvalidInput,
            CatalogError::Store(StoreError::UnknownAsset(_))
            | CatalogError::Store(StoreError::UnknownConnection(_)) => ErrorCode::NotFound,
            CatalogError::Store(StoreError::Invalid(_))
            | CatalogError::Store(StoreError::FieldShape(_)) => ErrorCode::InvalidInput,
            CatalogError::Store(_) => ErrorCode::Database,
        }
    }
}

/// A client, site, type or status by its connection and provider id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LookupKey {
    pub connection_id: String,
    pub remote_id: i64,
}

impl From<&LookupKey> for LookupRef {
    fn from(k: &LookupKey) -> Self {
        LookupRef {
            connection_id: ConnectionId(k.connection_id.clone()),
            remote_id: k.remote_id,
        }
    }
}

/// Where an asset stands with its provider (the per-row sync badge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RowSyncState {
    Synced,
    Pending,
    Failed,
    Conflict,
}

impl From<SyncState> for RowSyncState {
    fn from(s: SyncState) -> Self {
        match s {
            SyncState::Synced => RowSyncState::Synced,
            SyncState::Pending => RowSyncState::Pending,
            SyncState::Failed => RowSyncState::Failed,
            SyncState::Conflict => RowSyncState::Conflict,
        }
    }
}

impl From<RowSyncState> for SyncState {
    fn from(s: RowSyncState) -> Self {
        match s {
            RowSyncState::Synced => SyncState::Synced,
            RowSyncState::Pending => SyncState::Pending,
            RowSyncState::Failed => SyncState::Failed,
            RowSyncState::Conflict => SyncState::Conflict,
        }
    }
}

/// The warranty filter of the filter bar: one urgency scale everywhere (UX.md "Signals").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarrantyWindow {
    /// Ended before `today`.
    Expired,
    /// Ends between `today` and `today + days`, inclusive (the bar offers 30, 60, 90).
    Within { days: u32 },
    /// No warranty end recorded.
    Unknown,
}

/// Which assets the list shows. Empty lists and `null` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct CatalogFilter {
    pub connections: Vec<String>,
    pub clients: Vec<LookupKey>,
    pub sites: Vec<LookupKey>,
    pub types: Vec<LookupKey>,
    pub statuses: Vec<LookupKey>,
    /// `true`: active only; `false`: inactive only.
    pub active: Option<bool>,
    pub warranty: Option<WarrantyWindow>,
    /// The user's calendar day, which warranty windows count from. The UI sends it because
    /// "today" is the user's local day, not the backend's UTC one.
    pub today: Option<NaiveDate>,
    pub sync_states: Vec<RowSyncState>,
    /// What the user typed: word-prefix full-text search (`del lat` finds "Dell Latitude").
    pub search: Option<String>,
}

impl CatalogFilter {
    fn to_store(&self) -> Result<AssetFilter, CatalogError> {
        let warranty = match self.warranty {
            None => None,
            Some(WarrantyWindow::Unknown) => Some(WarrantyFilter::Unknown),
            Some(w) => {
                let today = self.today.ok_or_else(|| CatalogError::InvalidInput {
                    field: "filter.today",
                    message: "a warranty filter needs today's date (YYYY-MM-DD) to count from"
                        .into(),
                })?;
                Some(match w {
                    WarrantyWindow::Expired => WarrantyFilter::Expired { today },
                    WarrantyWindow::Within { days } => {
                        WarrantyFilter::ExpiresWithin { today, days }
                    }
                    WarrantyWindow::Unknown => WarrantyFilter::Unknown,
                })
            }
        };
        let search = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Ok(AssetFilter {
            connections: self
                .connections
                .iter()
                .map(|c| ConnectionId(c.clone()))
                .collect(),
            clients: self.clients.iter().map(LookupRef::from).collect(),
            sites: self.sites.iter().map(LookupRef::from).collect(),
            types: self.types.iter().map(LookupRef::from).collect(),
            statuses: self.statuses.iter().map(LookupRef::from).collect(),
            active: self.active,
            warranty,
            sync_states: self.sync_states.iter().map(|&s| s.into()).collect(),
            search,
            ..AssetFilter::default()
        })
    }
}

/// The list's sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SortColumn {
    #[default]
    Name,
    Serial,
    AssetTag,
    Manufacturer,
    Model,
    Client,
    Site,
    Type,
    Status,
    WarrantyEnd,
    SyncState,
    /// Creation order; with a search it is the fastest order (driven by the index).
    Created,
}

impl From<SortColumn> for SortKey {
    fn from(c: SortColumn) -> Self {
        match c {
            SortColumn::Name => SortKey::Name,
            SortColumn::Serial => SortKey::Serial,
            SortColumn::AssetTag => SortKey::AssetTag,
            SortColumn::Manufacturer => SortKey::Manufacturer,
            SortColumn::Model => SortKey::Model,
            SortColumn::Client => SortKey::Client,
            SortColumn::Site => SortKey::Site,
            SortColumn::Type => SortKey::Type,
            SortColumn::Status => SortKey::Status,
            SortColumn::WarrantyEnd => SortKey::WarrantyEnd,
            SortColumn::SyncState => SortKey::SyncState,
            SortColumn::Created => SortKey::Id,
        }
    }
}

/// A list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogSort {
    pub column: SortColumn,
    pub descending: bool,
}

/// One page request of the list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetPageRequest {
    pub filter: CatalogFilter,
    pub sort: CatalogSort,
    /// The previous page's `next`; `null` for the first page.
    pub after: Option<String>,
    /// Rows wanted, 1..=500.
    pub limit: u32,
}

/// A list row: the asset's list columns with names resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetRow {
    pub id: i64,
    pub connection_id: String,
    /// Which PSA it lives in (the Halo / Syncro label where two PSAs mix).
    pub provider: ProviderKind,
    pub remote_id: Option<i64>,
    pub name: String,
    pub client_name: Option<String>,
    pub site_name: Option<String>,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    pub serial: Option<String>,
    pub asset_tag: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub ip: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    pub inactive: bool,
    pub parent_id: Option<i64>,
    pub has_children: bool,
    pub sync_state: RowSyncState,
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetPage {
    pub rows: Vec<AssetRow>,
    /// Pass back as `after` for the next page; `null` on the last page. Opaque.
    pub next: Option<String>,
}

/// A filter-bar option: a client, site, type or status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LookupOption {
    pub connection_id: String,
    pub remote_id: i64,
    pub name: String,
}

/// A connection as the filter bar lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionOption {
    pub id: String,
    pub name: String,
    pub provider: ProviderKind,
    pub demo: bool,
}

/// Everything the filter bar offers, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FilterOptions {
    pub connections: Vec<ConnectionOption>,
    pub clients: Vec<LookupOption>,
    pub sites: Vec<LookupOption>,
    pub types: Vec<LookupOption>,
    pub statuses: Vec<LookupOption>,
}

/// A facet bucket: how many matching assets have this client / type / status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FacetBucket {
    pub connection_id: String,
    /// `null`: assets without one.
    pub remote_id: Option<i64>,
    pub name: Option<String>,
    pub count: u64,
}

/// Counts per client, type and status under a filter, largest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetFacets {
    pub clients: Vec<FacetBucket>,
    pub types: Vec<FacetBucket>,
    pub statuses: Vec<FacetBucket>,
}

/// An id with the name to show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NamedRef {
    pub id: i64,
    /// `null` when neither the cached lookups nor the provider named it.
    pub name: Option<String>,
}

/// A custom field value with its definition (label and kind), if the type defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldValue {
    pub key: String,
    pub label: String,
    /// `null` for values the asset's type does not (or no longer) define.
    pub kind: Option<CustomFieldKind>,
    pub value: serde_json::Value,
}

/// A read-only fact: agent inventory (OS, CPU, RAM, last seen…) or an RMM id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Fact {
    pub key: String,
    pub value: String,
}

/// A related asset (parent or child) as the detail panel links it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RelatedAsset {
    pub id: i64,
    pub name: String,
    pub type_name: Option<String>,
    pub sync_state: RowSyncState,
    /// 1 for a child, 2 for a grandchild, …; 1 for the parent.
    pub depth: u32,
}

impl RelatedAsset {
    fn of(s: AssetSummary, depth: u32) -> Self {
        RelatedAsset {
            id: s.id.0,
            name: s.name,
            type_name: s.type_name,
            sync_state: s.sync_state.into(),
            depth,
        }
    }
}

/// Everything the detail panel shows about one asset.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetDetail {
    pub id: i64,
    pub connection_id: String,
    pub connection_name: String,
    pub provider: ProviderKind,
    pub remote_id: Option<i64>,
    pub sync_state: RowSyncState,
    /// Deleted here (waiting for the delete to sync) or at the provider.
    pub deleted: bool,
    pub name: String,
    pub client: Option<NamedRef>,
    pub site: Option<NamedRef>,
    pub users: Vec<NamedRef>,
    #[serde(rename = "type")]
    pub asset_type: Option<NamedRef>,
    pub status: Option<NamedRef>,
    pub serial: Option<String>,
    pub asset_tag: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    /// Minor units (cents) of the connection's currency.
    pub purchase_price_cents: Option<i64>,
    pub warranty_start: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    pub notes: Option<String>,
    pub inactive: bool,
    /// The type's custom fields first (in definition order), then any other stored values.
    pub custom_fields: Vec<CustomFieldValue>,
    /// Agent inventory the provider maintains (Syncro `properties` agent data and the like).
    pub agent: Vec<Fact>,
    /// RMM / integration ids by integration name.
    pub rmm_ids: Vec<Fact>,
    pub remote_updated_at: Option<DateTime<Utc>>,
    /// Nearest first: parent, grandparent, …
    pub ancestors: Vec<RelatedAsset>,
    /// Depth-first by name, at most [`MAX_CHILDREN`].
    pub children: Vec<RelatedAsset>,
    pub children_truncated: bool,
}

/// The cursor's wire form: the store's keyset cursor plus the order it belongs to, so a
/// cursor reused with another sort is refused instead of returning a wrong window.
#[derive(Serialize, Deserialize)]
struct WireCursor {
    sort: SortColumn,
    desc: bool,
    #[serde(flatten)]
    at: Cursor,
}

fn encode_cursor(sort: CatalogSort, at: Cursor) -> String {
    // Serialising plain data into a String cannot fail; fall back to "no next page" rather
    // than panicking if it ever did.
    serde_json::to_string(&WireCursor {
        sort: sort.column,
        desc: sort.descending,
        at,
    })
    .unwrap_or_default()
}

fn decode_cursor(sort: CatalogSort, text: &str) -> Result<Cursor, CatalogError> {
    let bad = |message: &str| CatalogError::InvalidInput {
        field: "after",
        message: message.to_owned(),
    };
    let wire: WireCursor = serde_json::from_str(text)
        .map_err(|_| bad("not a cursor from this list; start again from the first page"))?;
    if wire.sort != sort.column || wire.desc != sort.descending {
        return Err(bad(
            "the cursor belongs to another sort order; start again from the first page",
        ));
    }
    Ok(wire.at)
}

fn lookup_option(connection_id: &ConnectionId, remote_id: RemoteId, name: &str) -> LookupOption {
    LookupOption {
        connection_id: connection_id.0.clone(),
        remote_id,
        name: name.to_owned(),
    }
}

fn bucket(f: FacetCount) -> FacetBucket {
    FacetBucket {
        connection_id: f.connection_id.0,
        remote_id: f.remote_id,
        name: f.name,
        count: f.count,
    }
}

impl Workspace {
    fn provider_kinds(&self) -> Result<HashMap<String, ProviderKind>, CatalogError> {
        Ok(self
            .store()
            .connections()?
            .into_iter()
            .map(|c| (c.id.0, c.kind))
            .collect())
    }

    /// One keyset page of the asset list: at most `limit` rows (≤ [`MAX_PAGE`]) matching the
    /// filter, in the chosen order, after the `after` cursor.
    pub fn asset_page(&self, req: &AssetPageRequest) -> Result<AssetPage, CatalogError> {
        if req.limit == 0 || req.limit > MAX_PAGE {
            return Err(CatalogError::InvalidInput {
                field: "limit",
                message: format!("ask for 1 to {MAX_PAGE} rows per page, not {}", req.limit),
            });
        }
        let after = req
            .after
            .as_deref()
            .map(|c| decode_cursor(req.sort, c))
            .transpose()?;
        let filter = req.filter.to_store()?;
        let page = self.store().list_assets(
            &filter,
            &PageRequest {
                sort: Sort {
                    key: req.sort.column.into(),
                    descending: req.sort.descending,
                },
                after,
                limit: req.limit,
            },
        )?;
        let kinds = self.provider_kinds()?;
        let rows = page
            .rows
            .into_iter()
            .map(|s| AssetRow {
                provider: kinds
                    .get(&s.connection_id.0)
                    .copied()
                    .unwrap_or(ProviderKind::Halo),
                id: s.id.0,
                connection_id: s.connection_id.0,
                remote_id: s.remote_id,
                name: s.name,
                client_name: s.client_name,
                site_name: s.site_name,
                type_name: s.type_name,
                status_name: s.status_name,
                serial: s.serial,
                asset_tag: s.asset_tag,
                manufacturer: s.manufacturer,
                model: s.model,
                ip: s.ip,
                warranty_end: s.warranty_end,
                inactive: s.inactive,
                parent_id: s.parent_id.map(|p| p.0),
                has_children: s.has_children,
                sync_state: s.sync_state.into(),
            })
            .collect();
        Ok(AssetPage {
            rows,
            next: page.next.map(|c| encode_cursor(req.sort, c)),
        })
    }

    /// How many assets match the filter (the list's live row count).
    pub fn asset_count(&self, filter: &CatalogFilter) -> Result<u64, CatalogError> {
        Ok(self.store().count_assets(&filter.to_store()?)?)
    }

    /// Counts per client, type and status of the assets matching the filter.
    pub fn asset_facets(&self, filter: &CatalogFilter) -> Result<AssetFacets, CatalogError> {
        let f = self.store().facets(&filter.to_store()?)?;
        Ok(AssetFacets {
            clients: f.clients.into_iter().map(bucket).collect(),
            types: f.types.into_iter().map(bucket).collect(),
            statuses: f.statuses.into_iter().map(bucket).collect(),
        })
    }

    /// The connections and lookups the filter bar offers, each list sorted by name.
    pub fn filter_options(&self) -> Result<FilterOptions, CatalogError> {
        let store = self.store();
        let mut out = FilterOptions::default();
        for c in store.connections()? {
            let l = store.lookups(&c.id)?;
            out.clients.extend(
                l.clients
                    .iter()
                    .map(|x| lookup_option(&c.id, x.remote_id, &x.name)),
            );
            out.sites.extend(
                l.sites
                    .iter()
                    .map(|x| lookup_option(&c.id, x.remote_id, &x.name)),
            );
            out.types.extend(
                l.types
                    .iter()
                    .map(|x| lookup_option(&c.id, x.remote_id, &x.name)),
            );
            out.statuses.extend(
                l.statuses
                    .iter()
                    .map(|x| lookup_option(&c.id, x.remote_id, &x.name)),
            );
            out.connections.push(ConnectionOption {
                id: c.id.0,
                name: c.name,
                provider: c.kind,
                demo: c.demo,
            });
        }
        let by_name = |a: &LookupOption, b: &LookupOption| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.connection_id.cmp(&b.connection_id))
                .then(a.remote_id.cmp(&b.remote_id))
        };
        out.connections.sort_by_key(|c| c.name.to_lowercase());
        out.clients.sort_by(by_name);
        out.sites.sort_by(by_name);
        out.types.sort_by(by_name);
        out.statuses.sort_by(by_name);
        Ok(out)
    }

    /// Everything the detail panel shows about one asset: neutral fields with display names,
    /// custom fields with their definitions, agent data, parent chain and children.
    pub fn asset_detail(&self, id: i64) -> Result<AssetDetail, CatalogError> {
        let store = self.store();
        let record = store.asset(AssetId(id))?;
        let asset = record.asset;
        let connection = store.connection(&asset.connection_id)?;
        let lookups = store.lookups(&asset.connection_id)?;
        let f = asset.fields;
        let display = &asset.facts.display;

        // The cached lookups name things first; the provider's display names (sent beside the
        // ids) cover lookups the cache has not fetched yet.
        let named = |id: Option<RemoteId>, cached: Option<&str>, key: &str| {
            id.map(|id| NamedRef {
                id,
                name: cached
                    .map(str::to_owned)
                    .or_else(|| display.get(key).cloned()),
            })
        };
        let client = named(
            f.client_id,
            f.client_id.and_then(|i| {
                lookups
                    .clients
                    .iter()
                    .find(|c| c.remote_id == i)
                    .map(|c| c.name.as_str())
            }),
            "client",
        );
        let site = named(
            f.site_id,
            f.site_id.and_then(|i| {
                lookups
                    .sites
                    .iter()
                    .find(|s| s.remote_id == i)
                    .map(|s| s.name.as_str())
            }),
            "site",
        );
        let asset_type_def = f
            .type_id
            .and_then(|i| lookups.types.iter().find(|t| t.remote_id == i));
        let asset_type = named(f.type_id, asset_type_def.map(|t| t.name.as_str()), "type");
        let status = named(
            f.status_id,
            f.status_id.and_then(|i| {
                lookups
                    .statuses
                    .iter()
                    .find(|s| s.remote_id == i)
                    .map(|s| s.name.as_str())
            }),
            "status",
        );
        let people: HashMap<RemoteId, &Person> =
            lookups.people.iter().map(|p| (p.remote_id, p)).collect();
        let users = f
            .user_ids
            .iter()
            .map(|&u| NamedRef {
                id: u,
                name: people.get(&u).map(|p| p.name.clone()),
            })
            .collect();

        let mut custom = f.custom;
        let mut custom_fields = Vec::with_capacity(custom.len());
        if let Some(t) = asset_type_def {
            for def in &t.fields {
                custom_fields.push(CustomFieldValue {
                    key: def.key.clone(),
                    label: def.label.clone(),
                    kind: Some(def.kind.clone()),
                    value: custom.remove(&def.key).unwrap_or(serde_json::Value::Null),
                });
            }
        }
        custom_fields.extend(custom.into_iter().map(|(key, value)| CustomFieldValue {
            label: key.clone(),
            key,
            kind: None,
            value,
        }));

        let facts = |m: BTreeMap<String, String>| {
            m.into_iter()
                .map(|(key, value)| Fact { key, value })
                .collect::<Vec<_>>()
        };

        let ancestors = store
            .ancestors(AssetId(id))?
            .into_iter()
            .zip(1u32..)
            .map(|(s, depth)| RelatedAsset::of(s, depth))
            .collect();
        let mut descendants = store.descendants(AssetId(id))?;
        let children_truncated = descendants.len() > MAX_CHILDREN;
        descendants.truncate(MAX_CHILDREN);
        let children = descendants
            .into_iter()
            .map(|n| RelatedAsset::of(n.asset, n.depth))
            .collect();

        Ok(AssetDetail {
            id,
            connection_id: connection.id.0,
            connection_name: connection.name,
            provider: connection.kind,
            remote_id: asset.remote_id,
            sync_state: record.sync_state.into(),
            deleted: record.deleted,
            name: f.name,
            client,
            site,
            users,
            asset_type,
            status,
            serial: f.serial,
            asset_tag: f.asset_tag,
            manufacturer: f.manufacturer,
            model: f.model,
            os: f.os,
            os_version: f.os_version,
            ip: f.ip,
            mac: f.mac,
            purchase_date: f.purchase_date,
            purchase_price_cents: f.purchase_price_cents,
            warranty_start: f.warranty_start,
            warranty_end: f.warranty_end,
            notes: f.notes,
            inactive: f.inactive,
            custom_fields,
            agent: facts(asset.facts.agent),
            rmm_ids: facts(asset.facts.rmm_ids),
            remote_updated_at: asset.remote_updated_at,
            ancestors,
            children,
            children_truncated,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use assetdesk_domain::{
        AssetFacts, AssetFields, AssetStatus, AssetType, Client, Connection, CustomFieldDef,
        RemoteAsset, Site,
    };
    use assetdesk_store::{Lookups, NewAsset, PullMode, PulledPage};

    const HALO: &str = "conn-halo";
    const SYNCRO: &str = "conn-syncro";

    fn connection(id: &str, kind: ProviderKind) -> Connection {
        Connection {
            id: ConnectionId(id.into()),
            kind,
            name: format!("Test {}", kind.label()),
            base_url: "https://example.invalid".into(),
            auth_url: None,
            tenant: None,
            client_id: None,
            secret_ref: format!("assetdesk:{id}"),
            demo: false,
        }
    }

    fn lookups(conn: &str) -> Lookups {
        let c = ConnectionId(conn.into());
        Lookups {
            clients: vec![
                Client {
                    connection_id: c.clone(),
                    remote_id: 1,
                    name: "Acme".into(),
                    inactive: false,
                },
                Client {
                    connection_id: c.clone(),
                    remote_id: 2,
                    name: "Globex".into(),
                    inactive: false,
                },
            ],
            sites: vec![Site {
                connection_id: c.clone(),
                remote_id: 5,
                client_id: 1,
                name: "HQ".into(),
            }],
            people: vec![Person {
                connection_id: c.clone(),
                remote_id: 7,
                client_id: Some(1),
                site_id: None,
                name: "Grace Hopper".into(),
                email: None,
            }],
            types: vec![AssetType {
                connection_id: c.clone(),
                remote_id: 10,
                name: "Laptop".into(),
                fields: vec![CustomFieldDef {
                    key: "ram".into(),
                    label: "RAM (GB)".into(),
                    kind: CustomFieldKind::Number,
                    required: false,
                }],
                allowed_statuses: None,
            }],
            statuses: vec![AssetStatus {
                connection_id: c,
                remote_id: 1,
                name: "In use".into(),
                retired: false,
            }],
        }
    }

    fn remote(id: i64, name: &str, client: i64, warranty_end: Option<&str>) -> RemoteAsset {
        RemoteAsset {
            remote_id: id,
            fields: AssetFields {
                name: name.into(),
                client_id: Some(client),
                type_id: Some(10),
                status_id: Some(1),
                serial: Some(format!("SN{id:04}")),
                warranty_end: warranty_end.and_then(|d| d.parse().ok()),
                ..Default::default()
            },
            facts: AssetFacts::default(),
            parent_remote_id: None,
            updated_at: None,
            raw: serde_json::json!({ "id": id }),
        }
    }

    /// Pulls `assets` as one full page (shared with the editing tests).
    pub(crate) fn pull(ws: &Workspace, conn: &str, assets: Vec<RemoteAsset>) {
        let store = ws.store();
        let c = ConnectionId(conn.into());
        let cp = store
            .begin_pull(&c, PullMode::Full, 100, Some("id"))
            .unwrap();
        let total = assets.len() as u64;
        store
            .apply_pulled_page(&PulledPage {
                run_id: cp.run_id,
                page_no: 1,
                assets,
                remote_total: Some(total),
                high_watermark: None,
            })
            .unwrap();
        store.complete_pull(cp.run_id, true).unwrap();
    }

    /// The cache id of a pulled asset (shared with the editing tests).
    pub(crate) fn id_of(ws: &Workspace, conn: &str, remote_id: i64) -> i64 {
        ws.store()
            .asset_by_remote(&ConnectionId(conn.into()), remote_id)
            .unwrap()
            .unwrap()
            .asset
            .id
            .0
    }

    /// Halo: 30 synced laptops "Laptop 00".."Laptop 29" (clients alternate); Syncro: two
    /// synced assets; plus one local, unsynced create in Halo.
    fn seeded() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        for (id, kind) in [(HALO, ProviderKind::Halo), (SYNCRO, ProviderKind::Syncro)] {
            ws.store().upsert_connection(&connection(id, kind)).unwrap();
            ws.store()
                .replace_lookups(&ConnectionId(id.into()), &lookups(id))
                .unwrap();
        }
        pull(
            &ws,
            HALO,
            (0..30)
                .map(|i| {
                    let end = match i {
                        0 => Some("2020-01-01"),
                        1 => Some("2026-06-20"),
                        2 => Some("2026-08-01"),
                        _ => None,
                    };
                    remote(100 + i, &format!("Laptop {i:02}"), 1 + i % 2, end)
                })
                .collect(),
        );
        pull(
            &ws,
            SYNCRO,
            vec![
                remote(1, "Dell Latitude 7440", 1, None),
                remote(2, "HP EliteBook", 2, None),
            ],
        );
        ws.store()
            .create_asset(
                &NewAsset {
                    connection_id: ConnectionId(HALO.into()),
                    fields: AssetFields {
                        name: "New desk PC".into(),
                        client_id: Some(1),
                        type_id: Some(10),
                        ..Default::default()
                    },
                    parent_id: None,
                },
                "tester",
            )
            .unwrap();
        (dir, ws)
    }

    fn request(filter: CatalogFilter, limit: u32) -> AssetPageRequest {
        AssetPageRequest {
            filter,
            limit,
            ..Default::default()
        }
    }

    #[test]
    fn pages_walk_the_whole_list_once_in_name_order() {
        let (_dir, ws) = seeded();
        let mut req = request(CatalogFilter::default(), 7);
        let mut names = Vec::new();
        loop {
            let page = ws.asset_page(&req).unwrap();
            assert!(page.rows.len() <= 7);
            names.extend(page.rows.into_iter().map(|r| r.name));
            match page.next {
                Some(next) => req.after = Some(next),
                None => break,
            }
        }
        assert_eq!(names.len(), 33);
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(ws.asset_count(&CatalogFilter::default()).unwrap(), 33);
    }

    #[test]
    fn rows_carry_provider_names_and_sync_state() {
        let (_dir, ws) = seeded();
        let page = ws
            .asset_page(&request(
                CatalogFilter {
                    search: Some("del lat".into()),
                    ..Default::default()
                },
                50,
            ))
            .unwrap();
        assert_eq!(page.rows.len(), 1);
        let row = &page.rows[0];
        assert_eq!(row.name, "Dell Latitude 7440");
        assert_eq!(row.provider, ProviderKind::Syncro);
        assert_eq!(row.client_name.as_deref(), Some("Acme"));
        assert_eq!(row.type_name.as_deref(), Some("Laptop"));
        assert_eq!(row.sync_state, RowSyncState::Synced);

        let pending = ws
            .asset_page(&request(
                CatalogFilter {
                    sync_states: vec![RowSyncState::Pending],
                    ..Default::default()
                },
                50,
            ))
            .unwrap();
        let names: Vec<_> = pending.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["New desk PC"]);
        assert_eq!(pending.rows[0].provider, ProviderKind::Halo);
        assert_eq!(pending.rows[0].remote_id, None);
    }

    #[test]
    fn filters_narrow_by_connection_client_and_warranty() {
        let (_dir, ws) = seeded();
        let syncro = CatalogFilter {
            connections: vec![SYNCRO.into()],
            ..Default::default()
        };
        assert_eq!(ws.asset_count(&syncro).unwrap(), 2);

        let globex_in_halo = CatalogFilter {
            clients: vec![LookupKey {
                connection_id: HALO.into(),
                remote_id: 2,
            }],
            ..Default::default()
        };
        assert_eq!(ws.asset_count(&globex_in_halo).unwrap(), 15);

        let today = "2026-06-01".parse().ok();
        let expired = CatalogFilter {
            warranty: Some(WarrantyWindow::Expired),
            today,
            ..Default::default()
        };
        let rows = ws.asset_page(&request(expired, 50)).unwrap().rows;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "Laptop 00");
        let within = |days| CatalogFilter {
            warranty: Some(WarrantyWindow::Within { days }),
            today,
            ..Default::default()
        };
        assert_eq!(ws.asset_count(&within(30)).unwrap(), 1);
        assert_eq!(ws.asset_count(&within(90)).unwrap(), 2);
    }

    #[test]
    fn a_warranty_window_without_today_names_the_field() {
        let (_dir, ws) = seeded();
        let err = ws
            .asset_count(&CatalogFilter {
                warranty: Some(WarrantyWindow::Expired),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains("filter.today"), "{err}");
    }

    #[test]
    fn bad_limits_and_foreign_cursors_are_refused() {
        let (_dir, ws) = seeded();
        for limit in [0, MAX_PAGE + 1] {
            let err = ws
                .asset_page(&request(CatalogFilter::default(), limit))
                .unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
        }
        let first = ws
            .asset_page(&request(CatalogFilter::default(), 5))
            .unwrap();
        let mut other_order = request(CatalogFilter::default(), 5);
        other_order.sort.descending = true;
        other_order.after = first.next;
        let err = ws.asset_page(&other_order).unwrap_err();
        assert!(err.to_string().contains("another sort order"), "{err}");
        let mut garbage = request(CatalogFilter::default(), 5);
        garbage.after = Some("{nope".into());
        assert_eq!(
            ws.asset_page(&garbage).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn descending_sort_reverses_the_order() {
        let (_dir, ws) = seeded();
        let mut req = request(CatalogFilter::default(), 3);
        req.sort = CatalogSort {
            column: SortColumn::Name,
            descending: true,
        };
        let names: Vec<_> = ws
            .asset_page(&req)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["New desk PC", "Laptop 29", "Laptop 28"]);
    }

    #[test]
    fn facets_and_filter_options_name_every_lookup() {
        let (_dir, ws) = seeded();
        let facets = ws
            .asset_facets(&CatalogFilter {
                connections: vec![HALO.into()],
                ..Default::default()
            })
            .unwrap();
        let acme = facets
            .clients
            .iter()
            .find(|b| b.remote_id == Some(1))
            .unwrap();
        assert_eq!(acme.name.as_deref(), Some("Acme"));
        assert_eq!(acme.count, 16); // 15 pulled + the local create
        let options = ws.filter_options().unwrap();
        let conns: Vec<_> = options
            .connections
            .iter()
            .map(|c| (c.name.as_str(), c.provider))
            .collect();
        assert_eq!(
            conns,
            [
                ("Test Halo", ProviderKind::Halo),
                ("Test Syncro", ProviderKind::Syncro)
            ]
        );
        assert_eq!(options.clients.len(), 4);
        assert_eq!(options.clients[0].name, "Acme");
        assert_eq!(options.statuses.len(), 2);
    }

    #[test]
    fn detail_has_names_custom_fields_agent_data_and_relatives() {
        let (_dir, ws) = seeded();
        let mut host = remote(500, "Hypervisor", 1, Some("2027-01-31"));
        host.fields.site_id = Some(5);
        host.fields.user_ids = vec![7, 99];
        host.fields.custom = [
            ("ram".to_owned(), serde_json::json!(64)),
            ("legacy".to_owned(), serde_json::json!("x")),
        ]
        .into_iter()
        .collect();
        host.facts.agent = [("cpu".to_owned(), "Xeon".to_owned())]
            .into_iter()
            .collect();
        let mut vm = remote(501, "VM 1", 1, None);
        vm.parent_remote_id = Some(500);
        pull(&ws, SYNCRO, vec![host, vm]);
        let host_id = id_of(&ws, SYNCRO, 500);
        let vm_id = id_of(&ws, SYNCRO, 501);

        let d = ws.asset_detail(host_id).unwrap();
        assert_eq!(d.name, "Hypervisor");
        assert_eq!(d.provider, ProviderKind::Syncro);
        assert_eq!(d.connection_name, "Test Syncro");
        assert_eq!(d.client.unwrap().name.as_deref(), Some("Acme"));
        assert_eq!(d.site.unwrap().name.as_deref(), Some("HQ"));
        assert_eq!(d.asset_type.unwrap().name.as_deref(), Some("Laptop"));
        assert_eq!(d.status.unwrap().name.as_deref(), Some("In use"));
        let users: Vec<_> = d.users.iter().map(|u| (u.id, u.name.as_deref())).collect();
        assert_eq!(users, [(7, Some("Grace Hopper")), (99, None)]);
        assert_eq!(d.custom_fields.len(), 2);
        assert_eq!(d.custom_fields[0].label, "RAM (GB)");
        assert_eq!(d.custom_fields[0].value, serde_json::json!(64));
        assert_eq!(d.custom_fields[1].key, "legacy");
        assert_eq!(d.custom_fields[1].kind, None);
        assert_eq!(
            d.agent,
            [Fact {
                key: "cpu".into(),
                value: "Xeon".into()
            }]
        );
        assert_eq!(d.warranty_end, "2027-01-31".parse().ok());
        let children: Vec<_> = d.children.iter().map(|c| (c.id, c.depth)).collect();
        assert_eq!(children, [(vm_id, 1)]);
        assert!(!d.children_truncated);
        assert!(d.ancestors.is_empty());

        let v = ws.asset_detail(vm_id).unwrap();
        assert_eq!(v.ancestors.len(), 1);
        assert_eq!(v.ancestors[0].name, "Hypervisor");

        let row = ws
            .asset_page(&request(
                CatalogFilter {
                    search: Some("hyperv".into()),
                    ..Default::default()
                },
                10,
            ))
            .unwrap()
            .rows;
        assert!(row[0].has_children);
    }

    #[test]
    fn a_missing_asset_is_not_found() {
        let (_dir, ws) = seeded();
        let err = ws.asset_detail(987_654).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
    }
}
