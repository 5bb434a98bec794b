//! Halo `Device` JSON ↔ neutral [`AssetFields`].
//!
//! Halo keeps most asset facts in per-tenant *info fields* (`fields`, ids are tenant data,
//! halopsa-api.md §4.3–4.4): the serial, model, manufacturer, OS, IP, MAC, purchase date.
//! The name is the asset type's designated key field (`keyfield_id`), shown read-only as
//! `key_field`. This module makes that mapping explicit: [`FieldMapping`] says which info
//! field (by name, or by id) holds each neutral field — defaulting to the names Halo tenants
//! commonly use — and [`FieldMap`] is the mapping resolved against one tenant's field list.
//!
//! Info fields that map to no neutral field become custom fields keyed by their id
//! (`"117"`); tenant custom fields (`customfields`) are keyed `"cf<id>"` (`"cf201"`).

use std::collections::{BTreeMap, BTreeSet};

use assetdesk_domain::{
    AssetFacts, AssetField, AssetFields, CustomFieldDef, CustomFieldKind, RemoteAsset,
};
use serde_json::{Map, Value, json};

use crate::wire;

/// Neutral fields that live in Halo info fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InfoSlot {
    Serial,
    Manufacturer,
    Model,
    Os,
    OsVersion,
    Ip,
    Mac,
    PurchaseDate,
    PurchasePrice,
}

impl InfoSlot {
    pub const ALL: [InfoSlot; 9] = [
        InfoSlot::Serial,
        InfoSlot::Manufacturer,
        InfoSlot::Model,
        InfoSlot::Os,
        InfoSlot::OsVersion,
        InfoSlot::Ip,
        InfoSlot::Mac,
        InfoSlot::PurchaseDate,
        InfoSlot::PurchasePrice,
    ];

    /// The neutral field name ([`assetdesk_domain::AssetField`] naming).
    pub fn neutral(self) -> &'static str {
        match self {
            InfoSlot::Serial => "serial",
            InfoSlot::Manufacturer => "manufacturer",
            InfoSlot::Model => "model",
            InfoSlot::Os => "os",
            InfoSlot::OsVersion => "os_version",
            InfoSlot::Ip => "ip",
            InfoSlot::Mac => "mac",
            InfoSlot::PurchaseDate => "purchase_date",
            InfoSlot::PurchasePrice => "purchase_price_cents",
        }
    }

    /// Field names tried, case-insensitively, when no override is configured. "Serial
    /// Number" is the name in the captured create payload (ProvisionData CreateAsset.json)
    /// and what PSWarranty looks for (§4.3).
    pub fn default_names(self) -> &'static [&'static str] {
        match self {
            InfoSlot::Serial => &[
                "serial number",
                "serial",
                "serial no",
                "serialnumber",
                "service tag",
            ],
            InfoSlot::Manufacturer => &["manufacturer", "make", "vendor"],
            InfoSlot::Model => &["model", "model number"],
            InfoSlot::Os => &["operating system", "os"],
            InfoSlot::OsVersion => &["os version", "operating system version"],
            InfoSlot::Ip => &["ip address", "ip"],
            InfoSlot::Mac => &["mac address", "mac"],
            InfoSlot::PurchaseDate => &["purchase date", "date purchased"],
            InfoSlot::PurchasePrice => &["purchase price", "purchase cost", "cost"],
        }
    }
}

/// Names an info field in a [`FieldMapping`] override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    Id(i64),
    Name(String),
}

/// Which info field holds each neutral field. Empty = the defaults by name; set an override
/// when a tenant calls its serial field "S/N" (or map by id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMapping {
    pub overrides: BTreeMap<InfoSlot, FieldRef>,
}

/// The mapping resolved against a tenant's info fields and asset types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMap {
    /// Info field id per neutral slot (absent when the tenant has no such field).
    pub slots: BTreeMap<InfoSlot, i64>,
    /// The key (name) field id per asset type id.
    pub key_fields: BTreeMap<i64, i64>,
    /// Info field names by id.
    pub field_names: BTreeMap<i64, String>,
    /// Info field ids per asset type id.
    pub type_fields: BTreeMap<i64, Vec<i64>>,
}

impl FieldMap {
    /// Resolves `mapping` against the tenant's info fields (`id → name`).
    pub fn resolve(mapping: &FieldMapping, field_names: BTreeMap<i64, String>) -> Self {
        let mut slots = BTreeMap::new();
        for slot in InfoSlot::ALL {
            let found = match mapping.overrides.get(&slot) {
                Some(FieldRef::Id(id)) => Some(*id),
                Some(FieldRef::Name(n)) => field_names
                    .iter()
                    .find(|(_, fname)| fname.trim().eq_ignore_ascii_case(n.trim()))
                    .map(|(id, _)| *id),
                None => slot.default_names().iter().find_map(|want| {
                    field_names
                        .iter()
                        .find(|(_, fname)| fname.trim().eq_ignore_ascii_case(want))
                        .map(|(id, _)| *id)
                }),
            };
            if let Some(id) = found {
                slots.insert(slot, id);
            }
        }
        Self {
            slots,
            key_fields: BTreeMap::new(),
            field_names,
            type_fields: BTreeMap::new(),
        }
    }

    fn slot_of(&self, field_id: i64) -> Option<InfoSlot> {
        self.slots
            .iter()
            .find(|(_, id)| **id == field_id)
            .map(|(s, _)| *s)
    }

    fn is_key_field(&self, field_id: i64) -> bool {
        self.key_fields.values().any(|k| *k == field_id)
    }

    /// The custom field definitions of one type: its info fields that map to no neutral field.
    pub fn custom_defs(&self, type_id: i64) -> Vec<CustomFieldDef> {
        self.type_fields
            .get(&type_id)
            .into_iter()
            .flatten()
            .filter(|f| self.slot_of(**f).is_none() && self.key_fields.get(&type_id) != Some(f))
            .map(|f| CustomFieldDef {
                key: f.to_string(),
                label: self
                    .field_names
                    .get(f)
                    .cloned()
                    .unwrap_or_else(|| format!("Field {f}")),
                kind: CustomFieldKind::Text,
                required: false,
            })
            .collect()
    }
}

/// Integration ids shown as facts (§4.3 "RMM / 3rd-party ids").
const RMM_KEYS: &[&str] = &[
    "ninjarmm_id",
    "datto_id",
    "automate_id",
    "syncro_id",
    "syncroid",
    "atera_id",
    "ateraid",
    "intune_id",
    "lansweeper_id",
    "kaseya_id",
    "connectwisermm_id",
    "auvik_id",
    "itglue_id",
    "third_party_id",
];

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// `fields`/`customfields` entries as id → value (empty values dropped).
fn entries(raw: &Value, key: &str) -> BTreeMap<i64, Value> {
    raw.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let id = wire::id(f.get("id")?)?;
            let v = f.get("value").cloned().unwrap_or(Value::Null);
            let v = if value_text(&v).is_none() {
                f.get("display").cloned().unwrap_or(Value::Null)
            } else {
                v
            };
            value_text(&v).map(|_| (id, v))
        })
        .collect()
}

/// Decimal text → cents (`"1234.5"` → 123450).
fn cents(v: &Value) -> Option<i64> {
    let s = value_text(v)?;
    let t = s.trim().replace([',', ' '], "");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    let neg = whole.starts_with('-');
    let w: i64 = whole.trim_start_matches('-').parse().ok()?;
    let f2: String = frac.chars().chain("00".chars()).take(2).collect();
    let f: i64 = f2.parse().ok()?;
    let c = w.checked_mul(100)?.checked_add(f)?;
    Some(if neg { -c } else { c })
}

fn cents_text(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (c / 100).abs(), (c % 100).abs())
}

/// The neutral fields a record does not carry, so their values in the mapped
/// [`RemoteAsset`] are not Halo's but defaults. List rows are `Device_List` objects, which
/// per the spec have no `notes` and no `users` (only the full `Device` from
/// `GET /Asset/{id}` has them). The sync engine must treat these fields as *unchanged
/// remotely* during a list-based pull — never as cleared — and may read them with
/// [`crate::HaloClient::get_asset`] when it needs them (e.g. before merging a local edit).
pub fn absent_fields(raw: &Value) -> Vec<AssetField> {
    let mut out = Vec::new();
    let has = |k: &str| raw.get(k).is_some();
    if !has("key_field") && !has("fields") {
        out.push(AssetField::Name);
    }
    for (key, field) in [
        ("notes", AssetField::Notes),
        ("users", AssetField::Users),
        ("inventory_number", AssetField::AssetTag),
        ("warranty_start", AssetField::WarrantyStart),
        ("warranty_end", AssetField::WarrantyEnd),
        ("status_id", AssetField::Status),
        ("site_id", AssetField::Site),
        ("client_id", AssetField::Client),
        ("assettype_id", AssetField::Type),
        ("inactive", AssetField::Inactive),
    ] {
        if !has(key) {
            out.push(field);
        }
    }
    if !has("fields") {
        for f in [
            AssetField::Serial,
            AssetField::Manufacturer,
            AssetField::Model,
            AssetField::Os,
            AssetField::OsVersion,
            AssetField::Ip,
            AssetField::Mac,
            AssetField::PurchaseDate,
            AssetField::PurchasePrice,
        ] {
            out.push(f);
        }
    }
    out
}

/// Maps one `Device`/`Device_List` object to a [`RemoteAsset`], keeping it whole in `raw`.
pub fn to_remote(raw: Value, map: &FieldMap) -> Option<RemoteAsset> {
    let remote_id = wire::positive_id(raw.get("id"))?;
    let info = entries(&raw, "fields");
    let custom = entries(&raw, "customfields");
    let type_id = wire::positive_id(raw.get("assettype_id"));
    let slot = |s: InfoSlot| map.slots.get(&s).and_then(|id| info.get(id));
    let name = wire::text(raw.get("key_field"))
        .or_else(|| {
            type_id
                .and_then(|t| map.key_fields.get(&t))
                .and_then(|k| info.get(k))
                .and_then(value_text)
        })
        .unwrap_or_default();
    let mut fields = AssetFields {
        name,
        client_id: wire::positive_id(raw.get("client_id")),
        site_id: wire::positive_id(raw.get("site_id")),
        user_ids: raw
            .get("users")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|u| wire::positive_id(u.get("id")))
            .collect(),
        type_id,
        status_id: wire::positive_id(raw.get("status_id")),
        serial: slot(InfoSlot::Serial).and_then(value_text),
        asset_tag: wire::text(raw.get("inventory_number")),
        manufacturer: slot(InfoSlot::Manufacturer).and_then(value_text),
        model: slot(InfoSlot::Model).and_then(value_text),
        os: slot(InfoSlot::Os).and_then(value_text),
        os_version: slot(InfoSlot::OsVersion).and_then(value_text),
        ip: slot(InfoSlot::Ip).and_then(value_text),
        mac: slot(InfoSlot::Mac).and_then(value_text),
        purchase_date: slot(InfoSlot::PurchaseDate).and_then(|v| wire::date(Some(v))),
        purchase_price_cents: slot(InfoSlot::PurchasePrice).and_then(cents),
        warranty_start: wire::date(raw.get("warranty_start")),
        warranty_end: wire::date(raw.get("warranty_end")),
        notes: wire::text(raw.get("notes")),
        inactive: raw
            .get("inactive")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        custom: BTreeMap::new(),
    };
    for (id, v) in &info {
        if map.slot_of(*id).is_none() && !map.is_key_field(*id) {
            fields.custom.insert(id.to_string(), v.clone());
        }
    }
    for (id, v) in &custom {
        fields.custom.insert(format!("cf{id}"), v.clone());
    }
    let mut facts = AssetFacts::default();
    for k in RMM_KEYS {
        if let Some(v) = raw.get(*k).and_then(value_text).filter(|v| v != "0") {
            facts.rmm_ids.insert((*k).to_owned(), v);
        }
    }
    for (k, name) in [
        ("client_name", "client"),
        ("site_name", "site"),
        ("assettype_name", "type"),
        ("status_name", "status"),
        ("username", "users"),
    ] {
        if let Some(v) = wire::text(raw.get(k)) {
            facts.display.insert(name.to_owned(), v);
        }
    }
    // Parent: the Device schema's `parent_assets` array when present (GET with details),
    // else `parent_id` which list rows (Device_List) carry; 0 = none (spec; §4.3).
    let parent_remote_id = raw
        .get("parent_assets")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find_map(|p| wire::positive_id(p.get("id"))))
        .or_else(|| wire::positive_id(raw.get("parent_id")));
    let updated_at = wire::timestamp(raw.get("last_modified"))
        .or_else(|| wire::timestamp(raw.get("dlastupdate")));
    Some(RemoteAsset {
        remote_id,
        fields,
        facts,
        parent_remote_id,
        updated_at,
        raw,
    })
}

/// What a write needs to know that the patch alone does not say.
#[derive(Debug)]
pub(crate) struct WriteBase<'a> {
    /// The asset type after the write (decides the key field id).
    pub type_id: Option<i64>,
    /// The current remote `fields` / `customfields` arrays (empty for a create).
    pub current: Option<&'a Value>,
}

/// A neutral field the tenant cannot hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmappable {
    pub field: String,
    pub message: String,
}

fn set_entry(list: &mut BTreeMap<i64, Value>, id: i64, v: Value) {
    if value_text(&v).is_none() {
        list.insert(id, Value::String(String::new()));
    } else {
        list.insert(id, v);
    }
}

/// Builds the `Device` JSON for the neutral fields named in `changed`, taking values from
/// `target`. `fields`/`customfields` are sent as full arrays: the current remote entries
/// merged with the changes (arrays are replaced wholesale, §2, HaloAPI #13).
pub(crate) fn to_device(
    target: &AssetFields,
    changed: &BTreeSet<String>,
    base: &WriteBase<'_>,
    map: &FieldMap,
) -> Result<Map<String, Value>, Vec<Unmappable>> {
    let mut out = Map::new();
    let mut problems = Vec::new();
    let mut info = base
        .current
        .map(|c| entries(c, "fields"))
        .unwrap_or_default();
    let mut custom = base
        .current
        .map(|c| entries(c, "customfields"))
        .unwrap_or_default();
    let mut info_touched = false;
    let mut custom_touched = false;
    let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    for f in changed {
        match f.as_str() {
            "name" => match base.type_id.and_then(|t| map.key_fields.get(&t)) {
                Some(k) => {
                    set_entry(&mut info, *k, json!(target.name));
                    info_touched = true;
                }
                None => problems.push(Unmappable {
                    field: "name".into(),
                    message: "the asset type has no key field in HaloPSA; set type_id to a type with a key field".into(),
                }),
            },
            "client_id" => {
                out.insert("client_id".into(), target.client_id.map_or(Value::Null, Value::from));
            }
            "site_id" => {
                out.insert("site_id".into(), target.site_id.map_or(Value::Null, Value::from));
            }
            "user_ids" => {
                // §4.3: users are set as an array of {id} objects, never bare ids.
                out.insert("users".into(), Value::Array(target.user_ids.iter().map(|u| json!({"id": u})).collect()));
            }
            "type_id" => {
                out.insert("assettype_id".into(), target.type_id.map_or(Value::Null, Value::from));
            }
            "status_id" => {
                out.insert("status_id".into(), target.status_id.map_or(Value::Null, Value::from));
            }
            "asset_tag" => {
                out.insert("inventory_number".into(), opt(&target.asset_tag));
            }
            "warranty_start" => {
                out.insert("warranty_start".into(), wire::write_date(target.warranty_start));
            }
            "warranty_end" => {
                out.insert("warranty_end".into(), wire::write_date(target.warranty_end));
            }
            "notes" => {
                out.insert("notes".into(), opt(&target.notes));
            }
            "inactive" => {
                out.insert("inactive".into(), Value::Bool(target.inactive));
            }
            other => {
                if let Some(slot) = InfoSlot::ALL.iter().find(|s| s.neutral() == other) {
                    let Some(fid) = map.slots.get(slot) else {
                        problems.push(Unmappable {
                            field: other.to_owned(),
                            message: format!(
                                "this HaloPSA tenant has no info field named like {:?}; add one to the asset type or map the field in the connection settings",
                                slot.default_names().first().copied().unwrap_or_default()
                            ),
                        });
                        continue;
                    };
                    let v = match slot {
                        InfoSlot::Serial => opt(&target.serial),
                        InfoSlot::Manufacturer => opt(&target.manufacturer),
                        InfoSlot::Model => opt(&target.model),
                        InfoSlot::Os => opt(&target.os),
                        InfoSlot::OsVersion => opt(&target.os_version),
                        InfoSlot::Ip => opt(&target.ip),
                        InfoSlot::Mac => opt(&target.mac),
                        InfoSlot::PurchaseDate => wire::write_date(target.purchase_date),
                        InfoSlot::PurchasePrice => target.purchase_price_cents.map_or(Value::Null, |c| json!(cents_text(c))),
                    };
                    set_entry(&mut info, *fid, v);
                    info_touched = true;
                } else if let Some(key) = other.strip_prefix("custom:") {
                    let v = target.custom.get(key).cloned().unwrap_or(Value::Null);
                    if let Some(id) = key.strip_prefix("cf").and_then(|k| k.parse::<i64>().ok()) {
                        set_entry(&mut custom, id, v);
                        custom_touched = true;
                    } else if let Ok(id) = key.parse::<i64>() {
                        set_entry(&mut info, id, v);
                        info_touched = true;
                    } else {
                        problems.push(Unmappable {
                            field: other.to_owned(),
                            message: "HaloPSA custom field keys are a field id (\"117\") or \"cf<id>\"".into(),
                        });
                    }
                } else {
                    problems.push(Unmappable { field: other.to_owned(), message: "not a field HaloPSA assets have".into() });
                }
            }
        }
    }
    let arr = |m: &BTreeMap<i64, Value>| {
        Value::Array(
            m.iter()
                .map(|(id, v)| json!({"id": id, "value": v}))
                .collect(),
        )
    };
    if info_touched {
        out.insert("fields".into(), arr(&info));
    }
    if custom_touched {
        out.insert("customfields".into(), arr(&custom));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Every neutral field that is set on `f` (the fields a create sends).
pub(crate) fn set_fields(f: &AssetFields) -> BTreeSet<String> {
    let empty = AssetFields::default();
    let mut out: BTreeSet<String> = empty
        .changed_fields(f)
        .into_iter()
        .map(|x| x.name().into_owned())
        .collect();
    // Always name the owner and type on create.
    out.insert("type_id".into());
    out.insert("name".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant_map() -> FieldMap {
        let names: BTreeMap<i64, String> = [
            (101, "Device Name"),
            (117, "Serial Number"),
            (51, "Model"),
            (130, "Rack Position"),
            (24, "Purchase Date"),
            (77, "Cost"),
        ]
        .into_iter()
        .map(|(i, n)| (i, n.to_owned()))
        .collect();
        let mut m = FieldMap::resolve(&FieldMapping::default(), names);
        m.key_fields.insert(1, 101);
        m.type_fields.insert(1, vec![101, 117, 51, 130]);
        m
    }

    #[test]
    fn defaults_resolve_by_name_and_overrides_win() {
        let m = tenant_map();
        assert_eq!(m.slots.get(&InfoSlot::Serial), Some(&117));
        assert_eq!(m.slots.get(&InfoSlot::PurchasePrice), Some(&77));
        assert_eq!(m.slots.get(&InfoSlot::Mac), None);
        let mut o = FieldMapping::default();
        o.overrides
            .insert(InfoSlot::Serial, FieldRef::Name("rack position".into()));
        let m2 = FieldMap::resolve(&o, m.field_names.clone());
        assert_eq!(m2.slots.get(&InfoSlot::Serial), Some(&130));
        assert_eq!(
            m.custom_defs(1)
                .iter()
                .map(|d| d.key.as_str())
                .collect::<Vec<_>>(),
            vec!["130"]
        );
    }

    #[test]
    fn device_maps_with_quirks_and_keeps_raw() {
        let raw = json!({
            "id": 1001.0, "key_field": "WS-1", "client_id": 12, "site_id": 30.0, "assettype_id": 1,
            "status_id": 1, "inactive": false, "inventory_number": "AT-1", "users": [{"id": 530}],
            "warranty_start": "1900-01-01T00:00:00", "warranty_end": "2027-03-01T00:00:00Z",
            "fields": [{"id": 117, "value": "SN1"}, {"id": 130, "value": "R1-U4"}, {"id": 24, "value": "2024-02-03T00:00:00"},
                       {"id": 77, "value": "1299.5"}, {"id": 51, "value": ""}],
            "customfields": [{"id": 201, "value": "Nightly"}],
            "parent_id": 0, "ninjarmm_id": 41001, "last_modified": "2026-05-01T08:00:00.123",
            "something_unmodelled": {"x": 1}
        });
        let a = to_remote(raw.clone(), &tenant_map()).unwrap();
        assert_eq!(a.remote_id, 1001);
        assert_eq!(a.fields.name, "WS-1");
        assert_eq!(a.fields.site_id, Some(30));
        assert_eq!(a.fields.serial.as_deref(), Some("SN1"));
        assert_eq!(a.fields.model, None);
        assert_eq!(a.fields.warranty_start, None);
        assert_eq!(
            a.fields.warranty_end,
            chrono::NaiveDate::from_ymd_opt(2027, 3, 1)
        );
        assert_eq!(a.fields.purchase_price_cents, Some(129_950));
        assert_eq!(a.fields.custom.get("130"), Some(&json!("R1-U4")));
        assert_eq!(a.fields.custom.get("cf201"), Some(&json!("Nightly")));
        assert_eq!(a.parent_remote_id, None);
        assert_eq!(
            a.facts.rmm_ids.get("ninjarmm_id").map(String::as_str),
            Some("41001")
        );
        assert!(a.updated_at.is_some());
        assert_eq!(a.raw, raw);
        assert_eq!(absent_fields(&raw), vec![AssetField::Notes]);
        let list_row = json!({"id": 1, "key_field": "x", "fields": []});
        assert!(absent_fields(&list_row).contains(&AssetField::Users));
        assert!(!absent_fields(&list_row).contains(&AssetField::Serial));
    }

    #[test]
    fn writes_merge_full_info_arrays() {
        let m = tenant_map();
        let current = json!({"fields": [{"id": 117, "value": "OLD"}, {"id": 130, "value": "R1"}]});
        let target = AssetFields {
            serial: Some("NEW".into()),
            purchase_price_cents: Some(-5),
            ..Default::default()
        };
        let changed: BTreeSet<String> =
            ["serial".to_owned(), "purchase_price_cents".to_owned()].into();
        let out = to_device(
            &target,
            &changed,
            &WriteBase {
                type_id: Some(1),
                current: Some(&current),
            },
            &m,
        )
        .unwrap();
        assert_eq!(
            out.get("fields"),
            Some(
                &json!([{"id": 77, "value": "-0.05"}, {"id": 117, "value": "NEW"}, {"id": 130, "value": "R1"}])
            )
        );
        assert!(!out.contains_key("customfields"));
        let changed: BTreeSet<String> = ["mac".to_owned()].into();
        let err = to_device(
            &target,
            &changed,
            &WriteBase {
                type_id: Some(1),
                current: None,
            },
            &m,
        )
        .unwrap_err();
        assert_eq!(err[0].field, "mac");
    }
}
