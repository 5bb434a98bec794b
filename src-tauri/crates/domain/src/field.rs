//! Field-level addressing of an asset: what a patch names, what the outbox stores, what
//! three-way merge compares. Every field's value travels as JSON so one code path handles
//! neutral and custom fields alike.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::AssetFields;

/// Defines the neutral fields once: their wire names and how to read and write each one.
macro_rules! neutral_fields {
    ($( $variant:ident => $name:literal, $member:ident; )*) => {
        /// One addressable field of an asset: a neutral field, or a custom field by key.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AssetField {
            $( $variant, )*
            /// A custom field by [`crate::CustomFieldDef::key`]; written as `custom:<key>`.
            Custom(String),
        }

        impl AssetField {
            /// Every neutral field, in form order.
            pub const NEUTRAL: &'static [AssetField] = &[$( AssetField::$variant, )*];

            /// The stable name used in patches, the CLI (`assets set ID serial=…`) and errors.
            pub fn name(&self) -> std::borrow::Cow<'static, str> {
                match self {
                    $( AssetField::$variant => std::borrow::Cow::Borrowed($name), )*
                    AssetField::Custom(key) => std::borrow::Cow::Owned(format!("custom:{key}")),
                }
            }

            fn parse_neutral(s: &str) -> Option<Self> {
                match s {
                    $( $name => Some(AssetField::$variant), )*
                    _ => None,
                }
            }
        }

        impl AssetFields {
            /// The value of one field as JSON (`null` when unset).
            pub fn get(&self, field: &AssetField) -> serde_json::Value {
                match field {
                    $( AssetField::$variant => to_json(&self.$member), )*
                    AssetField::Custom(key) => {
                        self.custom.get(key).cloned().unwrap_or(serde_json::Value::Null)
                    }
                }
            }

            /// Sets one field from JSON. A value of the wrong shape is an error naming the
            /// field, and leaves the asset unchanged.
            pub fn set(&mut self, field: &AssetField, value: serde_json::Value) -> Result<(), FieldShapeError> {
                match field {
                    $( AssetField::$variant => {
                        self.$member = from_json(field, value)?;
                    } )*
                    AssetField::Custom(key) => {
                        if value.is_null() {
                            self.custom.remove(key);
                        } else {
                            self.custom.insert(key.clone(), value);
                        }
                    }
                }
                Ok(())
            }
        }
    };
}

neutral_fields! {
    Name => "name", name;
    Client => "client_id", client_id;
    Site => "site_id", site_id;
    Users => "user_ids", user_ids;
    Type => "type_id", type_id;
    Status => "status_id", status_id;
    Serial => "serial", serial;
    AssetTag => "asset_tag", asset_tag;
    Manufacturer => "manufacturer", manufacturer;
    Model => "model", model;
    Os => "os", os;
    OsVersion => "os_version", os_version;
    Ip => "ip", ip;
    Mac => "mac", mac;
    PurchaseDate => "purchase_date", purchase_date;
    PurchasePrice => "purchase_price_cents", purchase_price_cents;
    WarrantyStart => "warranty_start", warranty_start;
    WarrantyEnd => "warranty_end", warranty_end;
    Notes => "notes", notes;
    Inactive => "inactive", inactive;
}

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    // Serialising these plain field types cannot fail; fall back to null rather than panic.
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn from_json<T: serde::de::DeserializeOwned>(
    field: &AssetField,
    value: serde_json::Value,
) -> Result<T, FieldShapeError> {
    serde_json::from_value(value.clone()).map_err(|e| FieldShapeError {
        field: field.name().into_owned(),
        value,
        reason: e.to_string(),
    })
}

/// A value whose JSON shape does not fit the field (e.g. a string for `inactive`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {value} is not a valid value ({reason})")]
pub struct FieldShapeError {
    pub field: String,
    pub value: serde_json::Value,
    pub reason: String,
}

impl fmt::Display for AssetField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// An unknown field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown field '{0}'; use one of the neutral names (name, serial, warranty_end, …) or custom:<key>"
)]
pub struct UnknownField(pub String);

impl FromStr for AssetField {
    type Err = UnknownField;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(key) = s.strip_prefix("custom:") {
            if key.is_empty() {
                return Err(UnknownField(s.to_owned()));
            }
            return Ok(AssetField::Custom(key.to_owned()));
        }
        AssetField::parse_neutral(s).ok_or_else(|| UnknownField(s.to_owned()))
    }
}

impl Serialize for AssetField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for AssetField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl specta::Type for AssetField {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

/// A set of field changes: field → new value. Ordered, so patches serialise deterministically.
pub type Patch = BTreeMap<AssetField, serde_json::Value>;

impl AssetFields {
    /// Every field (neutral and custom) whose value differs between `self` and `other`.
    pub fn changed_fields(&self, other: &AssetFields) -> Vec<AssetField> {
        let mut out: Vec<AssetField> = AssetField::NEUTRAL
            .iter()
            .filter(|f| self.get(f) != other.get(f))
            .cloned()
            .collect();
        let keys: std::collections::BTreeSet<&String> =
            self.custom.keys().chain(other.custom.keys()).collect();
        for key in keys {
            let f = AssetField::Custom(key.clone());
            if self.get(&f) != other.get(&f) {
                out.push(f);
            }
        }
        out
    }

    /// The patch that turns `self` into `target`.
    pub fn diff(&self, target: &AssetFields) -> Patch {
        self.changed_fields(target)
            .into_iter()
            .map(|f| {
                let v = target.get(&f);
                (f, v)
            })
            .collect()
    }

    /// Applies a patch; on the first misshapen value returns its error, leaving the fields
    /// before it applied (callers work on a copy).
    pub fn apply(&mut self, patch: &Patch) -> Result<(), FieldShapeError> {
        for (f, v) in patch {
            self.set(f, v.clone())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::json;

    #[test]
    fn names_round_trip() {
        for f in AssetField::NEUTRAL {
            assert_eq!(f.name().parse::<AssetField>().as_ref(), Ok(f));
        }
        assert_eq!(
            "custom:Rack U".parse(),
            Ok(AssetField::Custom("Rack U".into()))
        );
        assert!("custom:".parse::<AssetField>().is_err());
        assert!("devicename".parse::<AssetField>().is_err());
    }

    #[test]
    fn get_set_and_diff() {
        let mut a = AssetFields {
            name: "PC-1".into(),
            ..Default::default()
        };
        let b = {
            let mut b = a.clone();
            b.set(&AssetField::WarrantyEnd, json!("2027-03-01"))
                .unwrap();
            b.set(&AssetField::Custom("Rack".into()), json!("R4"))
                .unwrap();
            b
        };
        assert_eq!(b.warranty_end, NaiveDate::from_ymd_opt(2027, 3, 1));
        let patch = a.diff(&b);
        assert_eq!(patch.len(), 2);
        a.apply(&patch).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn wrong_shape_names_the_field() {
        let mut a = AssetFields::default();
        let err = a.set(&AssetField::Inactive, json!("yes")).unwrap_err();
        assert_eq!(err.field, "inactive");
        let err = a
            .set(&AssetField::PurchaseDate, json!("31/12/2020"))
            .unwrap_err();
        assert_eq!(err.field, "purchase_date");
        assert_eq!(a, AssetFields::default());
    }

    #[test]
    fn setting_custom_null_removes_it() {
        let mut a = AssetFields::default();
        a.set(&AssetField::Custom("k".into()), json!(1)).unwrap();
        a.set(&AssetField::Custom("k".into()), serde_json::Value::Null)
            .unwrap();
        assert!(a.custom.is_empty());
    }
}
