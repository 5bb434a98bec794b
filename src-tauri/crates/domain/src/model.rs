//! The neutral entities. Ids of lookups (clients, sites, users, types, statuses) are the
//! provider's own integer ids, scoped by connection; assets also have a local id so that an
//! asset created offline can be edited and linked before the provider has ever seen it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::capability::ProviderKind;

/// A provider-side id (HaloPSA and Syncro both use integers; Halo sends them as floats at
/// times — clients normalise before they reach this type).
pub type RemoteId = i64;

/// The local, stable identity of a configured connection (a UUID string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct ConnectionId(pub String);

impl std::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The local id of an asset (a row id of the cache; never sent to a provider).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(transparent)]
pub struct AssetId(pub i64);

impl std::fmt::Display for AssetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A configured HaloPSA tenant or Syncro account. Holds no secret: the secret lives in the
/// OS keychain under [`Connection::secret_ref`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Connection {
    pub id: ConnectionId,
    pub kind: ProviderKind,
    /// What the user calls it ("Contoso Halo").
    pub name: String,
    /// Resource server / API base URL.
    pub base_url: String,
    /// HaloPSA: the authorisation server, when not derived from `base_url`.
    pub auth_url: Option<String>,
    /// HaloPSA hosted tenant name.
    pub tenant: Option<String>,
    /// HaloPSA OAuth client id (not a secret).
    pub client_id: Option<String>,
    /// Keychain account name under which the secret is stored.
    pub secret_ref: String,
    /// Marks the demo workspace's connections (removable as one).
    pub demo: bool,
}

/// A customer of the MSP (Halo "Client", Syncro "Customer").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Client {
    pub connection_id: ConnectionId,
    pub remote_id: RemoteId,
    pub name: String,
    pub inactive: bool,
}

/// A location of a client (HaloPSA only; Syncro has addresses, not sites).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Site {
    pub connection_id: ConnectionId,
    pub remote_id: RemoteId,
    pub client_id: RemoteId,
    pub name: String,
}

/// An end user (Halo "User", Syncro "Contact") that assets are assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Person {
    pub connection_id: ConnectionId,
    pub remote_id: RemoteId,
    pub client_id: Option<RemoteId>,
    pub site_id: Option<RemoteId>,
    pub name: String,
    pub email: Option<String>,
}

/// The value type of a custom field definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CustomFieldKind {
    Text,
    /// Multi-line text.
    Memo,
    Number,
    Date,
    Boolean,
    /// One of a fixed list of options.
    Select {
        options: Vec<String>,
    },
}

/// A custom field an asset type defines (Halo "field"/"customfield", Syncro asset type field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CustomFieldDef {
    /// Provider key: Halo's field id as text, Syncro's field name (its `properties` key).
    pub key: String,
    pub label: String,
    pub kind: CustomFieldKind,
    pub required: bool,
}

/// An asset type (Halo `Xtype`, Syncro asset type from `/settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AssetType {
    pub connection_id: ConnectionId,
    pub remote_id: RemoteId,
    pub name: String,
    pub fields: Vec<CustomFieldDef>,
    /// The statuses an asset of this type may have (HaloPSA `allowed_status`); `None` when
    /// any status goes (HaloPSA `allowall_status`, Syncro, which has no statuses).
    #[serde(default)]
    pub allowed_statuses: Option<Vec<RemoteId>>,
}

/// An asset status (HaloPSA only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AssetStatus {
    pub connection_id: ConnectionId,
    pub remote_id: RemoteId,
    pub name: String,
    /// Statuses meaning "no longer in service" (used by Retire).
    pub retired: bool,
}

/// The editable, provider-neutral fields of an asset. This is what forms edit, patches
/// address (see [`crate::AssetField`]), validation checks and three-way merge compares.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct AssetFields {
    pub name: String,
    pub client_id: Option<RemoteId>,
    pub site_id: Option<RemoteId>,
    pub user_ids: Vec<RemoteId>,
    pub type_id: Option<RemoteId>,
    pub status_id: Option<RemoteId>,
    pub serial: Option<String>,
    /// Asset tag / inventory number.
    pub asset_tag: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    /// Purchase price in minor units (cents) of the connection's currency.
    pub purchase_price_cents: Option<i64>,
    pub warranty_start: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    pub notes: Option<String>,
    pub inactive: bool,
    /// Custom field values keyed by [`CustomFieldDef::key`].
    pub custom: BTreeMap<String, serde_json::Value>,
}

/// Read-only facts about an asset that the provider maintains (agent data, RMM ids).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct AssetFacts {
    /// RMM / integration ids by integration name ("ninjarmm" → "1234").
    pub rmm_ids: BTreeMap<String, String>,
    /// Agent inventory shown in the detail panel (OS, CPU, RAM, disk, last seen, online).
    pub agent: BTreeMap<String, String>,
    /// Display names the provider sends alongside ids (client, site, type, status, users).
    pub display: BTreeMap<String, String>,
}

/// An asset as the cache holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Asset {
    pub id: AssetId,
    pub connection_id: ConnectionId,
    /// `None` until the provider acknowledged the create.
    pub remote_id: Option<RemoteId>,
    pub fields: AssetFields,
    pub facts: AssetFacts,
    /// The parent asset (a host for a VM), by local id.
    pub parent_id: Option<AssetId>,
    /// The provider's last-modified stamp, when it sends one.
    pub remote_updated_at: Option<DateTime<Utc>>,
    /// The provider's JSON as last received, so unmodelled fields round-trip unchanged.
    pub raw: serde_json::Value,
}

/// An asset as a provider client returns it, before the cache assigns local ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteAsset {
    pub remote_id: RemoteId,
    pub fields: AssetFields,
    pub facts: AssetFacts,
    /// The parent by provider id (Halo `parent_assets`, Syncro link custom field).
    pub parent_remote_id: Option<RemoteId>,
    pub updated_at: Option<DateTime<Utc>>,
    pub raw: serde_json::Value,
}

/// A ticket linked to an asset (read for the detail panel, created from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Ticket {
    pub connection_id: ConnectionId,
    pub remote_id: RemoteId,
    pub summary: String,
    pub status: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
}

/// What a user asks for when creating a ticket about an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct NewTicket {
    pub client_id: RemoteId,
    pub summary: String,
    pub details: String,
}
