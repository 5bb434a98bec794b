//! Syncro JSON ⇄ neutral domain types, and the per-connection field mapping.
//!
//! Syncro assets have no warranty, purchase date, manufacturer or model fields
//! (syncro-api.md §3.3, §5): they live in admin-defined custom fields (`properties`, keyed by
//! the field's display name, §3.5) or, for agent-managed devices, in the agent inventory
//! `properties.kabuto_information`. [`FieldMapping`] says where, per connection.

use std::collections::BTreeMap;

use assetdesk_domain::{
    AssetFacts, AssetField, AssetFields, AssetType, ConnectionId, CustomFieldDef, CustomFieldKind,
    RemoteAsset, RemoteId,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ValidationErrors, ValidationIssue};

/// Where one neutral field lives in a Syncro account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldBinding {
    /// The custom asset field (its `properties` key = display name, case-sensitive). Read
    /// first, and the only place writes go.
    pub custom_field: Option<String>,
    /// Dotted path inside `properties.kabuto_information` (`general.manufacturer`,
    /// `network_adapters.0.ipv4`), read when the custom field is empty. Agent data is
    /// read-only: Syncro's agent overwrites it.
    pub agent_path: Option<String>,
}

impl FieldBinding {
    fn custom(name: &str) -> Self {
        FieldBinding {
            custom_field: Some(name.to_owned()),
            agent_path: None,
        }
    }
    fn agent(path: &str) -> Self {
        FieldBinding {
            custom_field: None,
            agent_path: Some(path.to_owned()),
        }
    }
    fn both(name: &str, path: &str) -> Self {
        FieldBinding {
            custom_field: Some(name.to_owned()),
            agent_path: Some(path.to_owned()),
        }
    }
}

/// The per-connection mapping of neutral fields onto a Syncro account. Serialisable, so the
/// app stores it with the connection and the user can edit it; [`FieldMapping::detect`]
/// proposes one from the account's custom fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldMapping {
    pub manufacturer: FieldBinding,
    pub model: FieldBinding,
    pub purchase_date: FieldBinding,
    pub warranty_start: FieldBinding,
    pub warranty_end: FieldBinding,
    pub asset_tag: FieldBinding,
    pub notes: FieldBinding,
    pub os: FieldBinding,
    pub os_version: FieldBinding,
    pub ip: FieldBinding,
    pub mac: FieldBinding,
    /// Custom field holding the parent asset's Syncro id (Syncro has no asset relations,
    /// §3.6). `None`, or a field the account lacks, keeps links local.
    pub parent_link: Option<String>,
    /// Custom field where a create writes the engine's operation id, so that after an
    /// ambiguous failure [`crate::SyncroClient::find_candidates`] can tell our asset from a
    /// namesake (sync-perf-anchors.md §1.3). `None` by default: serial, then name, are used.
    pub marker: Option<String>,
}

impl Default for FieldMapping {
    /// The common names (syncro-api.md §3.5, §5: `Make`, `Model`; agent `general.*`).
    fn default() -> Self {
        FieldMapping {
            manufacturer: FieldBinding::both("Make", "general.manufacturer"),
            model: FieldBinding::both("Model", "general.model"),
            purchase_date: FieldBinding::custom("Purchase Date"),
            warranty_start: FieldBinding::custom("Warranty Start"),
            warranty_end: FieldBinding::custom("Warranty Expiration"),
            asset_tag: FieldBinding::custom("Asset Tag"),
            notes: FieldBinding::custom("Notes"),
            os: FieldBinding::agent("os.name"),
            os_version: FieldBinding::agent("os.windows_release_version"),
            ip: FieldBinding::agent("network_adapters.0.ipv4"),
            mac: FieldBinding::agent("network_adapters.0.physical_address"),
            parent_link: Some("Parent Asset ID".to_owned()),
            marker: None,
        }
    }
}

/// Names an MSP commonly gives each field, best first (matched case-insensitively).
const CANDIDATES: &[(AssetField, &[&str])] = &[
    (
        AssetField::Manufacturer,
        &["Make", "Manufacturer", "Vendor", "Brand"],
    ),
    (AssetField::Model, &["Model", "Model Number", "Model No"]),
    (
        AssetField::PurchaseDate,
        &[
            "Purchase Date",
            "Purchased",
            "Date Purchased",
            "Purchased On",
        ],
    ),
    (
        AssetField::WarrantyStart,
        &["Warranty Start", "Warranty Start Date", "Warranty Begin"],
    ),
    (
        AssetField::WarrantyEnd,
        &[
            "Warranty Expiration",
            "Warranty Expires",
            "Warranty Expiry",
            "Warranty End",
            "Warranty End Date",
            "Warranty",
        ],
    ),
    (
        AssetField::AssetTag,
        &["Asset Tag", "Tag", "Inventory Number", "Asset Number"],
    ),
    (AssetField::Notes, &["Notes", "Note", "Comments"]),
    (AssetField::Os, &["OS", "Operating System"]),
    (AssetField::Ip, &["IP", "IP Address", "LAN IP", "LAN IP(s)"]),
    (AssetField::Mac, &["MAC", "MAC Address"]),
];
const PARENT_CANDIDATES: &[&str] = &[
    "Parent Asset ID",
    "Parent Asset",
    "Parent ID",
    "Host Asset ID",
    "Host",
];
const MARKER_CANDIDATES: &[&str] = &["AssetDesk ID", "AssetDesk Ref", "AssetDesk Reference"];

impl FieldMapping {
    /// The binding of a mapped neutral field, if it is one.
    pub fn binding(&self, field: &AssetField) -> Option<&FieldBinding> {
        Some(match field {
            AssetField::Manufacturer => &self.manufacturer,
            AssetField::Model => &self.model,
            AssetField::PurchaseDate => &self.purchase_date,
            AssetField::WarrantyStart => &self.warranty_start,
            AssetField::WarrantyEnd => &self.warranty_end,
            AssetField::AssetTag => &self.asset_tag,
            AssetField::Notes => &self.notes,
            AssetField::Os => &self.os,
            AssetField::OsVersion => &self.os_version,
            AssetField::Ip => &self.ip,
            AssetField::Mac => &self.mac,
            _ => return None,
        })
    }

    fn binding_mut(&mut self, field: &AssetField) -> Option<&mut FieldBinding> {
        Some(match field {
            AssetField::Manufacturer => &mut self.manufacturer,
            AssetField::Model => &mut self.model,
            AssetField::PurchaseDate => &mut self.purchase_date,
            AssetField::WarrantyStart => &mut self.warranty_start,
            AssetField::WarrantyEnd => &mut self.warranty_end,
            AssetField::AssetTag => &mut self.asset_tag,
            AssetField::Notes => &mut self.notes,
            AssetField::Os => &mut self.os,
            AssetField::OsVersion => &mut self.os_version,
            AssetField::Ip => &mut self.ip,
            AssetField::Mac => &mut self.mac,
            _ => return None,
        })
    }

    /// Proposes a mapping for an account: for each field, the first common name that is a
    /// custom field of any asset type (case-insensitively; the stored name takes the
    /// account's spelling). Agent paths keep their defaults. Fields with no match lose
    /// their custom binding (they become read-only or absent).
    pub fn detect(types: &[AssetType]) -> FieldMapping {
        let names: Vec<&str> = types
            .iter()
            .flat_map(|t| t.fields.iter().map(|f| f.key.as_str()))
            .collect();
        let find = |cands: &[&str]| -> Option<String> {
            cands.iter().find_map(|c| {
                names
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(c))
                    .map(|n| (*n).to_owned())
            })
        };
        let mut m = FieldMapping::default();
        for (field, cands) in CANDIDATES {
            if let Some(b) = m.binding_mut(field) {
                b.custom_field = find(cands);
            }
        }
        m.parent_link = find(PARENT_CANDIDATES);
        m.marker = find(MARKER_CANDIDATES);
        m
    }

    /// True when the client can write `field` to Syncro with this mapping.
    pub fn writable(&self, field: &AssetField) -> bool {
        match field {
            AssetField::Name
            | AssetField::Client
            | AssetField::Users
            | AssetField::Type
            | AssetField::Serial => true,
            AssetField::Custom(_) => true,
            f => self.binding(f).is_some_and(|b| b.custom_field.is_some()),
        }
    }

    /// The `properties` keys that are neutral fields or bookkeeping, not free custom fields.
    fn reserved_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = AssetField::NEUTRAL
            .iter()
            .filter_map(|f| self.binding(f).and_then(|b| b.custom_field.as_deref()))
            .collect();
        keys.extend(self.parent_link.as_deref());
        keys.extend(self.marker.as_deref());
        keys.push(AGENT_KEY);
        keys
    }
}

/// The agent inventory key inside `properties` (syncro-api.md §3.5).
pub(crate) const AGENT_KEY: &str = "kabuto_information";

/// What `GET /settings` tells about an account's assets (syncro-api.md §3.5).
#[derive(Debug, Clone, Default)]
pub struct AccountSchema {
    pub types: Vec<AssetType>,
}

impl AccountSchema {
    /// Parses `GET /settings`. Field answers (dropdown options) have an undocumented shape
    /// (§9 Q7): `value`, `answer` or `name` are accepted.
    pub(crate) fn from_settings(conn: &ConnectionId, v: &Value) -> AccountSchema {
        let assets = v.get("assets");
        let list = |k: &str| {
            assets
                .and_then(|a| a.get(k))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let fields = list("asset_type_fields");
        let answers = list("asset_type_field_answers");
        let mut types = Vec::new();
        for t in list("asset_types") {
            let Some(id) = int(t.get("id")) else { continue };
            let name = t
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut defs: Vec<(i64, CustomFieldDef)> = fields
                .iter()
                .filter(|f| int(f.get("asset_type_id")) == Some(id))
                .filter_map(|f| {
                    let fname = f.get("name").and_then(Value::as_str)?.to_owned();
                    let fid = int(f.get("id"));
                    let kind = field_kind(
                        f.get("field_type").and_then(Value::as_str).unwrap_or(""),
                        || {
                            answers
                                .iter()
                                .filter(|a| {
                                    fid.is_some() && int(a.get("asset_type_field_id")) == fid
                                })
                                .filter_map(|a| {
                                    ["value", "answer", "name"]
                                        .iter()
                                        .find_map(|k| a.get(*k).and_then(Value::as_str))
                                })
                                .map(str::to_owned)
                                .collect()
                        },
                    );
                    let pos = int(f.get("position")).unwrap_or(i64::MAX);
                    let required = f.get("required").and_then(Value::as_bool).unwrap_or(false);
                    Some((
                        pos,
                        CustomFieldDef {
                            key: fname.clone(),
                            label: fname,
                            kind,
                            required,
                        },
                    ))
                })
                .collect();
            defs.sort_by_key(|(p, _)| *p);
            types.push(AssetType {
                connection_id: conn.clone(),
                remote_id: id,
                name,
                fields: defs.into_iter().map(|(_, d)| d).collect(),
                // Syncro assets have no status.
                allowed_statuses: None,
            });
        }
        AccountSchema { types }
    }

    pub(crate) fn type_id(&self, name: &str) -> Option<RemoteId> {
        self.types
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.remote_id)
    }

    /// Types lacking a custom field named `field`.
    pub fn types_without_field(&self, field: &str) -> Vec<String> {
        self.types
            .iter()
            .filter(|t| !t.fields.iter().any(|f| f.key == field))
            .map(|t| t.name.clone())
            .collect()
    }
}

/// Syncro's field types are free text in the sample data we have; match on words.
fn field_kind(ty: &str, options: impl FnOnce() -> Vec<String>) -> CustomFieldKind {
    let t = ty.to_ascii_lowercase();
    if t.contains("date") {
        CustomFieldKind::Date
    } else if t.contains("check") || t.contains("bool") {
        CustomFieldKind::Boolean
    } else if t.contains("drop") || t.contains("select") || t.contains("list") {
        CustomFieldKind::Select { options: options() }
    } else if t.contains("area") || t.contains("memo") || t.contains("multi") {
        CustomFieldKind::Memo
    } else if t.contains("number") || t.contains("integer") || t.contains("decimal") {
        CustomFieldKind::Number
    } else {
        CustomFieldKind::Text
    }
}

/// An integer that may arrive as a number, a float or a string.
pub(crate) fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().trim_start_matches('#').parse().ok(),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a timestamp leniently (syncro-api.md §2 "Dates", §7.12): RFC 3339 with any
/// fractional precision and offset, a space instead of `T`, no zone (taken as UTC), or a
/// bare date (midnight UTC).
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let t = s.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&t) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f %z",
        "%Y-%m-%dT%H:%M:%S%.f %Z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(&t, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    parse_date(s)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Parses a date custom field: `2027-03-01`, a timestamp, `03/01/2027` (US, the default
/// account locale `mm-dd-yy`), or `01.03.2027`. The stored shape is unknown (§9 Q7).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for fmt in ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    if s.len() > 10 {
        return DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.date_naive())
            .or_else(|| parse_date(&s[..10]));
    }
    None
}

fn agent_value<'a>(agent: Option<&'a Value>, path: &str) -> Option<&'a Value> {
    let mut cur = agent?;
    for part in path.split('.') {
        cur = match part.parse::<usize>() {
            Ok(i) => cur.get(i)?,
            Err(_) => cur.get(part)?,
        };
    }
    Some(cur)
}

fn is_date_field(f: &AssetField) -> bool {
    matches!(
        f,
        AssetField::PurchaseDate | AssetField::WarrantyStart | AssetField::WarrantyEnd
    )
}

/// Converts one asset object (list item or unwrapped single record) to a [`RemoteAsset`].
/// `None` when it has no usable id.
pub(crate) fn to_remote_asset(
    v: Value,
    schema: &AccountSchema,
    mapping: &FieldMapping,
) -> Option<RemoteAsset> {
    let remote_id = int(v.get("id"))?;
    let (fields, facts, parent_remote_id, updated_at) = read_asset(&v, remote_id, schema, mapping);
    // The nested customer is a lookup refreshed on its own; keeping it per asset would
    // multiply the cache size for nothing. Everything else round-trips.
    let mut raw = v;
    if let Some(o) = raw.as_object_mut() {
        o.remove("customer");
    }
    Some(RemoteAsset {
        remote_id,
        fields,
        facts,
        parent_remote_id,
        updated_at,
        raw,
    })
}

fn read_asset(
    v: &Value,
    remote_id: RemoteId,
    schema: &AccountSchema,
    mapping: &FieldMapping,
) -> (
    AssetFields,
    AssetFacts,
    Option<RemoteId>,
    Option<DateTime<Utc>>,
) {
    let empty = Map::new();
    let props = v
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let agent = props.get(AGENT_KEY);
    let mut fields = AssetFields {
        name: text(v.get("name")).unwrap_or_default(),
        client_id: int(v.get("customer_id")),
        user_ids: int(v.get("contact_id")).into_iter().collect(),
        serial: text(v.get("asset_serial")),
        ..Default::default()
    };
    let type_name = v
        .get("asset_type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    fields.type_id = int(v.get("asset_type_id")).or_else(|| schema.type_id(type_name));

    let mut unparsed: Vec<String> = Vec::new();
    for field in AssetField::NEUTRAL {
        let Some(b) = mapping.binding(field) else {
            continue;
        };
        let custom = b
            .custom_field
            .as_deref()
            .and_then(|k| props.get(k))
            .filter(|v| text(Some(v)).is_some());
        let from_agent = || b.agent_path.as_deref().and_then(|p| agent_value(agent, p));
        let Some(raw) = custom.or_else(from_agent) else {
            continue;
        };
        let value = if is_date_field(field) {
            match text(Some(raw)).as_deref().and_then(parse_date) {
                Some(d) => Value::String(d.format("%Y-%m-%d").to_string()),
                None => {
                    // Keep what we cannot parse visible (and editable) as a custom field.
                    unparsed.extend(b.custom_field.clone());
                    continue;
                }
            }
        } else {
            match text(Some(raw)) {
                Some(t) => Value::String(t),
                None => continue,
            }
        };
        let _ = fields.set(field, value);
    }

    let reserved = mapping.reserved_keys();
    for (k, val) in props {
        if (!reserved.contains(&k.as_str()) || unparsed.contains(k)) && !val.is_null() {
            fields.custom.insert(k.clone(), val.clone());
        }
    }

    let mut facts = AssetFacts::default();
    if !type_name.is_empty() {
        facts.display.insert("type".into(), type_name.to_owned());
    }
    if let Some(c) = v.get("customer")
        && let Some(n) = text(c.get("business_then_name")).or_else(|| text(c.get("fullname")))
    {
        facts.display.insert("client".into(), n);
    }
    if let Some(link) = text(v.get("external_rmm_link")) {
        facts.rmm_ids.insert("external_rmm_link".into(), link);
    }
    for (label, path) in [
        ("last_user", "last_user"),
        ("last_seen", "last_synced_at"),
        ("os", "os.name"),
        ("os_build", "os.build"),
        ("last_boot", "os.last_boot_time"),
        ("manufacturer", "general.manufacturer"),
        ("model", "general.model"),
        ("serial", "general.serial_number"),
        ("form_factor", "general.form_factor"),
        ("domain", "general.domain"),
        ("wan_ip", "general.ip"),
        ("lan_ip", "network_adapters.0.ipv4"),
        ("mac", "network_adapters.0.physical_address"),
        ("cpu", "cpu.0.name"),
        ("disk_free_percent", "system_partition.free_percent"),
    ] {
        if let Some(t) = text(agent_value(agent, path)) {
            facts.agent.insert(label.into(), t);
        }
    }

    let parent_remote_id = mapping
        .parent_link
        .as_deref()
        .and_then(|k| int(props.get(k)))
        .filter(|id| *id != remote_id);
    let updated_at = v
        .get("updated_at")
        .and_then(Value::as_str)
        .and_then(parse_timestamp);
    (fields, facts, parent_remote_id, updated_at)
}

/// A write to Syncro: top-level body fields plus `properties` changes.
#[derive(Debug, Default)]
pub(crate) struct WireChange {
    pub top: Map<String, Value>,
    /// Property key → new value (`Null` clears; keys are never removed, so clearing works
    /// whether PUT merges or replaces `properties`, §3.4).
    pub props: BTreeMap<String, Value>,
}

/// Turns neutral field changes into a Syncro write, refusing what Syncro cannot hold.
pub(crate) fn to_wire<'a>(
    changes: impl IntoIterator<Item = (&'a AssetField, &'a Value)>,
    mapping: &FieldMapping,
) -> Result<WireChange, ValidationErrors> {
    let mut w = WireChange::default();
    let mut issues = Vec::new();
    let mut refuse = |f: &AssetField, msg: String| {
        issues.push(ValidationIssue {
            field: Some(f.clone()),
            message: msg,
        });
    };
    for (field, value) in changes {
        let empty = value.is_null()
            || value == &Value::Bool(false)
            || value.as_array().is_some_and(|a| a.is_empty());
        match field {
            AssetField::Name => {
                w.top.insert("name".into(), value.clone());
            }
            AssetField::Client => {
                w.top.insert("customer_id".into(), value.clone());
            }
            AssetField::Type => {
                w.top.insert("asset_type_id".into(), value.clone());
            }
            AssetField::Serial => {
                // An empty string clears; null is not documented for asset_serial (§3.4).
                let s = value.as_str().map(str::trim).unwrap_or("");
                w.top
                    .insert("asset_serial".into(), Value::String(s.to_owned()));
            }
            AssetField::Users => {
                // §3.3: one contact per asset.
                let ids: Vec<i64> = value
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| int(Some(v))).collect())
                    .unwrap_or_default();
                if ids.len() > 1 {
                    refuse(
                        field,
                        "Syncro assets have one contact; keep a single user".into(),
                    );
                } else {
                    w.top.insert(
                        "contact_id".into(),
                        ids.first().map_or(Value::Null, |id| Value::from(*id)),
                    );
                }
            }
            AssetField::Custom(key) => {
                w.props.insert(key.clone(), value.clone());
            }
            f => match mapping.binding(f) {
                Some(FieldBinding {
                    custom_field: Some(key),
                    ..
                }) => {
                    w.props.insert(key.clone(), value.clone());
                }
                Some(_) if !empty => refuse(
                    f,
                    format!(
                        "{f} is read-only agent data in Syncro; map it to a custom asset field to edit it"
                    ),
                ),
                Some(_) => {}
                None if empty => {}
                None => refuse(f, format!("Syncro assets have no {f} field")),
            },
        }
    }
    if issues.is_empty() {
        Ok(w)
    } else {
        Err(ValidationErrors {
            status: None,
            issues,
        })
    }
}

/// Maps a 422 field label or wire name to a neutral field (`asset_serial`, "Asset serial"
/// → `serial`), using the mapping for custom field names.
pub(crate) fn neutral_field(label: &str, mapping: &FieldMapping) -> Option<AssetField> {
    let norm = label.trim().replace('_', " ").to_ascii_lowercase();
    let fixed: [(&str, AssetField); 9] = [
        ("asset serial", AssetField::Serial),
        ("asset type name", AssetField::Type),
        ("asset type id", AssetField::Type),
        ("asset type", AssetField::Type),
        ("customer id", AssetField::Client),
        ("customer", AssetField::Client),
        ("contact id", AssetField::Users),
        ("contact", AssetField::Users),
        ("name", AssetField::Name),
    ];
    if let Some((_, f)) = fixed.iter().find(|(k, _)| norm == *k) {
        return Some(f.clone());
    }
    for f in AssetField::NEUTRAL {
        if let Some(k) = mapping.binding(f).and_then(|b| b.custom_field.as_deref())
            && k.to_ascii_lowercase() == norm
        {
            return Some(f.clone());
        }
    }
    None
}

/// Finds the field a full Rails message starts with ("Asset serial has already been
/// taken" → `serial`), longest label first.
pub(crate) fn field_of_message(msg: &str, mapping: &FieldMapping) -> Option<AssetField> {
    let lower = msg.to_ascii_lowercase();
    let mut labels: Vec<(String, AssetField)> = vec![
        ("asset serial".into(), AssetField::Serial),
        ("asset type".into(), AssetField::Type),
        ("customer".into(), AssetField::Client),
        ("contact".into(), AssetField::Users),
        ("name".into(), AssetField::Name),
    ];
    for f in AssetField::NEUTRAL {
        if let Some(k) = mapping.binding(f).and_then(|b| b.custom_field.as_deref()) {
            labels.push((k.to_ascii_lowercase(), f.clone()));
        }
    }
    labels.sort_by_key(|(l, _)| std::cmp::Reverse(l.len()));
    labels
        .into_iter()
        .find(|(l, _)| lower.starts_with(l.as_str()) && lower[l.len()..].starts_with(' '))
        .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_parse_leniently() {
        let want = parse_timestamp("2026-01-02T03:04:05.678Z").unwrap();
        assert_eq!(parse_timestamp("2026-01-01T19:04:05.678-08:00"), Some(want));
        assert!(parse_timestamp("2026-01-02T03:04:05.678123456789Z").is_some());
        assert!(
            parse_timestamp("2026-01-02 03:04:05 UTC").is_some()
                || parse_timestamp("2026-01-02 03:04:05").is_some()
        );
        assert!(parse_timestamp("2026-01-02T03:04:05").is_some());
        assert_eq!(
            parse_timestamp("2026-01-02").map(|t| t.date_naive()),
            NaiveDate::from_ymd_opt(2026, 1, 2)
        );
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn dates_in_custom_fields() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 1);
        for s in [
            "2027-03-01",
            "03/01/2027",
            "2027-03-01T00:00:00.000Z",
            "01.03.2027",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("soon"), None);
    }

    fn schema() -> AccountSchema {
        AccountSchema::from_settings(
            &ConnectionId("c".into()),
            &json!({"assets": {
                "asset_types": [{"id": 7, "name": "Laptop"}],
                "asset_type_fields": [
                    {"id": 1, "name": "Manufacturer", "field_type": "Text Field", "asset_type_id": 7, "position": 2},
                    {"id": 2, "name": "Warranty Expires", "field_type": "Date", "asset_type_id": 7, "position": 1},
                    {"id": 3, "name": "Site", "field_type": "Drop Down", "asset_type_id": 7, "position": 3}],
                "asset_type_field_answers": [{"id": 9, "asset_type_field_id": 3, "value": "HQ"}]
            }}),
        )
    }

    #[test]
    fn settings_become_types_and_detection_uses_account_names() {
        let s = schema();
        assert_eq!(s.types[0].fields[0].key, "Warranty Expires");
        assert_eq!(s.types[0].fields[0].kind, CustomFieldKind::Date);
        assert_eq!(
            s.types[0].fields[2].kind,
            CustomFieldKind::Select {
                options: vec!["HQ".into()]
            }
        );
        let m = FieldMapping::detect(&s.types);
        assert_eq!(m.manufacturer.custom_field.as_deref(), Some("Manufacturer"));
        assert_eq!(
            m.manufacturer.agent_path.as_deref(),
            Some("general.manufacturer")
        );
        assert_eq!(
            m.warranty_end.custom_field.as_deref(),
            Some("Warranty Expires")
        );
        assert_eq!(m.parent_link, None);
        assert!(!m.writable(&AssetField::PurchaseDate));
        let round: FieldMapping =
            serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(round, m);
    }

    #[test]
    fn asset_maps_custom_agent_and_parent() {
        let m = FieldMapping::default();
        let v = json!({"id": 5, "name": "VM-1", "customer_id": 3, "contact_id": null, "asset_type": "Laptop",
            "asset_serial": 12345, "updated_at": "2026-01-02T03:04:05.678Z",
            "customer": {"business_then_name": "Acme"},
            "properties": {"Warranty Expiration": "03/01/2027", "Parent Asset ID": "4", "Rack": "R2",
                           "Purchase Date": "someday",
                           "kabuto_information": {"general": {"manufacturer": "Dell Inc.", "model": "X1"},
                                                  "network_adapters": [{"ipv4": "10.0.0.5"}]}}});
        let a = to_remote_asset(v, &schema(), &m).unwrap();
        assert_eq!(a.fields.type_id, Some(7));
        assert_eq!(a.fields.serial.as_deref(), Some("12345"));
        assert_eq!(a.fields.warranty_end, NaiveDate::from_ymd_opt(2027, 3, 1));
        assert_eq!(a.fields.manufacturer.as_deref(), Some("Dell Inc."));
        assert_eq!(a.fields.ip.as_deref(), Some("10.0.0.5"));
        assert_eq!(a.parent_remote_id, Some(4));
        assert_eq!(a.fields.custom.get("Rack"), Some(&json!("R2")));
        assert_eq!(
            a.fields.custom.get("Purchase Date"),
            Some(&json!("someday"))
        );
        assert!(!a.fields.custom.contains_key("kabuto_information"));
        assert_eq!(
            a.facts.display.get("client").map(String::as_str),
            Some("Acme")
        );
        assert!(a.raw.get("customer").is_none());
        assert!(to_remote_asset(json!({"name": "no id"}), &schema(), &m).is_none());
    }

    #[test]
    fn writes_refuse_what_syncro_cannot_hold() {
        let m = FieldMapping::default();
        let os = json!("Windows");
        let two = json!([1, 2]);
        let err = to_wire([(&AssetField::Os, &os), (&AssetField::Users, &two)], &m).unwrap_err();
        assert_eq!(err.issues.len(), 2);
        assert!(err.issues[0].message.contains("agent data"));
        let site = json!(4);
        assert!(to_wire([(&AssetField::Site, &site)], &m).is_err());
        let null = Value::Null;
        let ok = to_wire(
            [
                (&AssetField::Site, &null),
                (&AssetField::WarrantyEnd, &json!("2027-01-01")),
            ],
            &m,
        )
        .unwrap();
        assert_eq!(
            ok.props.get("Warranty Expiration"),
            Some(&json!("2027-01-01"))
        );
    }

    #[test]
    fn messages_map_to_neutral_fields() {
        let m = FieldMapping::default();
        assert_eq!(
            field_of_message("Asset serial has already been taken", &m),
            Some(AssetField::Serial)
        );
        assert_eq!(
            field_of_message("Asset type can't be blank", &m),
            Some(AssetField::Type)
        );
        assert_eq!(
            field_of_message("Name can't be blank", &m),
            Some(AssetField::Name)
        );
        assert_eq!(
            field_of_message("Warranty Expiration is not a date", &m),
            Some(AssetField::WarrantyEnd)
        );
        assert_eq!(field_of_message("Something else broke", &m), None);
        assert_eq!(neutral_field("asset_serial", &m), Some(AssetField::Serial));
        assert_eq!(neutral_field("customer_id", &m), Some(AssetField::Client));
    }
}
