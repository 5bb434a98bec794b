//! The emulated tenant's records, and how they render as Halo JSON and absorb Halo writes.
//! Assets are kept typed (a 100k-asset benchmark tenant must fit in memory); keys the
//! emulator does not model are kept in `extra` and round-trip, like Halo's ~290 properties.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// An info field every asset type may carry (Halo `Field`; ids are tenant data, §4.3).
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub id: i64,
    pub name: String,
}

/// An asset type (`Xtype`, §5).
#[derive(Debug, Clone)]
pub struct AssetTypeRec {
    pub id: i64,
    pub name: String,
    pub group_id: i64,
    pub keyfield_id: i64,
    pub field_ids: Vec<i64>,
    pub allowed_status: Vec<i64>,
    pub allowall_status: bool,
}

#[derive(Debug, Clone)]
pub struct ClientRec {
    pub id: i64,
    pub name: String,
    pub inactive: bool,
}

#[derive(Debug, Clone)]
pub struct SiteRec {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct UserRec {
    pub id: i64,
    pub client_id: i64,
    pub site_id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketRec {
    pub id: i64,
    pub summary: String,
    pub details: String,
    pub client_id: i64,
    pub site_id: Option<i64>,
    pub user_id: Option<i64>,
    pub status_id: i64,
    pub asset_ids: Vec<i64>,
    /// Stored naive (§7.2: stored values come without a zone suffix).
    pub dateoccurred: String,
}

/// One asset as the tenant stores it (serialisable, so the demo workspace can keep the
/// tenant's state across app restarts).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Device {
    pub id: i64,
    pub inventory_number: Option<String>,
    pub client_id: i64,
    pub site_id: i64,
    pub assettype_id: i64,
    pub status_id: i64,
    pub inactive: bool,
    pub users: Vec<i64>,
    /// Info-field values by field id (`fields`, §4.3).
    pub fields: BTreeMap<i64, Value>,
    /// Tenant custom-field values by id (`customfields`, §4.3).
    pub customfields: BTreeMap<i64, Value>,
    pub warranty_start: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    pub warranty_note: Option<String>,
    pub notes: Option<String>,
    pub supplier_id: Option<i64>,
    pub contract_id: Option<i64>,
    /// `parent_assets` ids (the Device schema's link array).
    pub parents: Vec<i64>,
    pub last_modified: DateTime<Utc>,
    /// Last written through the API: rendered with `Z` and 7 fraction digits (§7.2).
    pub fresh: bool,
    /// Keys the emulator does not model, returned as posted.
    pub extra: Map<String, Value>,
}

/// Names of custom fields (`customfields`) the tenant defines for assets.
pub const CUSTOM_FIELDS: &[(i64, &str, &str)] = &[
    (201, "CFBackupPolicy", "Backup policy"),
    (202, "CFCostCentre", "Cost centre"),
];

/// Sentinel rendered for an empty date (§7.2: `1900-01-01T00:00:00` most common).
pub const SENTINEL_DATE: &str = "1900-01-01T00:00:00";

pub fn render_date(d: Option<NaiveDate>) -> String {
    match d {
        Some(d) => format!("{}T00:00:00", d.format("%Y-%m-%d")),
        None => SENTINEL_DATE.to_owned(),
    }
}

/// Stored stamps render naive with 3 fraction digits; fresh writes with `Z` and 7 (§7.2).
pub fn render_stamp(t: DateTime<Utc>, fresh: bool) -> String {
    if fresh {
        let hundred_ns = t.timestamp_subsec_nanos() / 100;
        format!("{}.{hundred_ns:07}Z", t.format("%Y-%m-%dT%H:%M:%S"))
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
    }
}

/// Parses a date the way Halo's model binder does: date-only, naive or zoned date-time.
pub fn parse_date(v: &Value) -> Result<Option<NaiveDate>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => {
            let head = s.get(..10).unwrap_or(s);
            let d = NaiveDate::parse_from_str(head, "%Y-%m-%d")
                .map_err(|_| format!("The value '{s}' is not valid."))?;
            // §7.2: years before 1901 are "no date" sentinels.
            Ok(if d < NaiveDate::from_ymd_opt(1901, 1, 1).unwrap_or(d) {
                None
            } else {
                Some(d)
            })
        }
        other => Err(format!("The value '{other}' is not valid.")),
    }
}

/// An integer id from JSON; floats with no fraction are accepted, `95.5` is not (§7.1: real
/// Halo rejects float literals on some integer fields, we stay lenient on whole floats).
pub fn parse_id(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Lookups needed to render names next to ids.
#[derive(Debug, Default)]
pub struct Names<'a> {
    pub clients: Option<&'a BTreeMap<i64, ClientRec>>,
    pub sites: Option<&'a BTreeMap<i64, SiteRec>>,
    pub users: Option<&'a BTreeMap<i64, UserRec>>,
    pub types: Option<&'a BTreeMap<i64, AssetTypeRec>>,
    pub statuses: Option<&'a BTreeMap<i64, String>>,
    pub fields: Option<&'a BTreeMap<i64, FieldDef>>,
}

impl Names<'_> {
    fn client(&self, id: i64) -> String {
        self.clients
            .and_then(|m| m.get(&id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
    fn site(&self, id: i64) -> String {
        self.sites
            .and_then(|m| m.get(&id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
    fn user(&self, id: i64) -> String {
        self.users
            .and_then(|m| m.get(&id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
    fn field(&self, id: i64) -> String {
        self.fields
            .and_then(|m| m.get(&id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Device {
    /// The key field's value: the display of the type's designated key field (§4.3).
    pub fn key_field(&self, types: &BTreeMap<i64, AssetTypeRec>) -> String {
        types
            .get(&self.assettype_id)
            .and_then(|t| self.fields.get(&t.keyfield_id))
            .map(display)
            .unwrap_or_default()
    }

    /// Renders the asset. `list` gives the `Device_List` shape (no link arrays, no change
    /// stamps, §4.2 "Incremental sync reality"); `with_fields` adds `fields` (list rows carry
    /// them only with `includeassetfields=true`, §4.2 output shaping).
    pub fn render(&self, names: &Names<'_>, list: bool, with_fields: bool) -> Value {
        let empty = BTreeMap::new();
        let types = names.types.unwrap_or(&empty);
        let ty = types.get(&self.assettype_id);
        let mut o = Map::new();
        for (k, v) in &self.extra {
            o.insert(k.clone(), v.clone());
        }
        o.insert("id".into(), json!(self.id));
        o.insert(
            "inventory_number".into(),
            json!(self.inventory_number.clone().unwrap_or_default()),
        );
        o.insert("key_field".into(), json!(self.key_field(types)));
        o.insert("client_id".into(), json!(self.client_id));
        o.insert("client_name".into(), json!(names.client(self.client_id)));
        o.insert("site_id".into(), json!(self.site_id));
        o.insert("site_name".into(), json!(names.site(self.site_id)));
        o.insert("assettype_id".into(), json!(self.assettype_id));
        o.insert(
            "assettype_name".into(),
            json!(ty.map(|t| t.name.clone()).unwrap_or_default()),
        );
        o.insert("status_id".into(), json!(self.status_id));
        o.insert(
            "status_name".into(),
            json!(
                names
                    .statuses
                    .and_then(|s| s.get(&self.status_id))
                    .cloned()
                    .unwrap_or_default()
            ),
        );
        o.insert("inactive".into(), json!(self.inactive));
        o.insert(
            "username".into(),
            json!(
                self.users
                    .first()
                    .map(|u| names.user(*u))
                    .unwrap_or_default()
            ),
        );
        o.insert(
            "warranty_start".into(),
            json!(render_date(self.warranty_start)),
        );
        o.insert("warranty_end".into(), json!(render_date(self.warranty_end)));
        if !list {
            // The spec's Device_List has no `users`, `notes` or `warranty_note` (only the
            // full Device does), so list rows leave them out.
            o.insert(
                "users".into(),
                Value::Array(
                    self.users
                        .iter()
                        .map(|u| json!({"id": u, "name": names.user(*u)}))
                        .collect(),
                ),
            );
            o.insert(
                "warranty_note".into(),
                json!(self.warranty_note.clone().unwrap_or_default()),
            );
            o.insert(
                "notes".into(),
                json!(self.notes.clone().unwrap_or_default()),
            );
        }
        o.insert("supplier_id".into(), json!(self.supplier_id.unwrap_or(0)));
        o.insert("contract_id".into(), json!(self.contract_id.unwrap_or(0)));
        // Device_List carries `parent_id` (int, 0 = none) — spec Device_List.parent_id.
        o.insert(
            "parent_id".into(),
            json!(self.parents.first().copied().unwrap_or(0)),
        );
        if with_fields {
            let fields: Vec<Value> = self
                .fields
                .iter()
                .map(|(id, v)| {
                    json!({"id": id, "name": names.field(*id), "value": v, "display": display(v)})
                })
                .collect();
            o.insert("fields".into(), Value::Array(fields));
            let custom: Vec<Value> = CUSTOM_FIELDS
                .iter()
                .map(|(id, name, label)| {
                    let v = self
                        .customfields
                        .get(id)
                        .cloned()
                        .unwrap_or(Value::String(String::new()));
                    json!({"id": id, "name": name, "label": label, "type": 0,
                           "display": display(&v), "value": v})
                })
                .collect();
            o.insert("customfields".into(), Value::Array(custom));
        }
        if !list {
            o.insert(
                "last_modified".into(),
                json!(render_stamp(self.last_modified, self.fresh)),
            );
            o.insert(
                "dlastupdate".into(),
                json!(render_stamp(self.last_modified, false)),
            );
            o.insert(
                "parent_assets".into(),
                Value::Array(self.parents.iter().map(|p| json!({"id": p})).collect()),
            );
        }
        Value::Object(o)
    }
}

/// Reads an optional string, treating `""` as empty.
pub fn opt_string(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}
