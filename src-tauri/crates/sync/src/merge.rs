//! Three-way, per-field merge (DESIGN.md invariant 3; sync-perf-anchors.md §1.2).
//!
//! Given the base (what the provider had when the user started editing), the local version
//! (base + the user's edits) and the remote version (what the provider has now), every field
//! falls in exactly one case:
//!
//! | local vs base | remote vs base | outcome                                   |
//! |---------------|----------------|-------------------------------------------|
//! | same          | same           | unchanged                                 |
//! | changed       | same           | **send** the local value                  |
//! | same          | changed        | **take** the remote value                 |
//! | changed       | changed, equal | converged: nothing to send or take        |
//! | changed       | changed, differ| **conflict**: the user decides; nothing is overwritten |

use assetdesk_domain::{AssetField, AssetFields, Patch};
use serde::{Deserialize, Serialize};

/// One field both sides changed to different values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub field: AssetField,
    pub base: serde_json::Value,
    pub local: serde_json::Value,
    pub remote: serde_json::Value,
}

/// The result of merging one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// Remote with the local-only changes applied; conflicting fields keep the LOCAL value
    /// here (what the user sees until they resolve), and are never sent.
    pub merged: AssetFields,
    /// Local-only changes: exactly what must be sent to the provider.
    pub to_send: Patch,
    /// Fields taken from the remote.
    pub taken: Vec<AssetField>,
    /// Fields the user must resolve.
    pub conflicts: Vec<FieldConflict>,
}

impl Merge {
    /// True when the merge can be pushed without asking the user.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// Merges `local` and `remote` against their common `base`, field by field.
pub fn three_way(base: &AssetFields, local: &AssetFields, remote: &AssetFields) -> Merge {
    let mut fields: Vec<AssetField> = base.changed_fields(local);
    for f in base.changed_fields(remote) {
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    let mut merged = remote.clone();
    let mut to_send = Patch::new();
    let mut taken = Vec::new();
    let mut conflicts = Vec::new();
    for field in fields {
        let (b, l, r) = (base.get(&field), local.get(&field), remote.get(&field));
        let local_changed = l != b;
        let remote_changed = r != b;
        match (local_changed, remote_changed) {
            (true, false) => {
                set_known_good(&mut merged, &field, l.clone());
                to_send.insert(field, l);
            }
            (false, true) => taken.push(field),
            (true, true) if l == r => {}
            (true, true) => {
                set_known_good(&mut merged, &field, l.clone());
                conflicts.push(FieldConflict {
                    field,
                    base: b,
                    local: l,
                    remote: r,
                });
            }
            (false, false) => {}
        }
    }
    Merge {
        merged,
        to_send,
        taken,
        conflicts,
    }
}

/// Writes a value read from another `AssetFields` with `get`, so its shape is valid by
/// construction; a failure here would be a bug in `AssetFields::get`/`set`, so it is logged
/// rather than silently ignored.
fn set_known_good(target: &mut AssetFields, field: &AssetField, value: serde_json::Value) {
    if let Err(err) = target.set(field, value) {
        tracing::error!(%err, "merge: a value read from an asset did not fit the same field");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn asset(name: &str, serial: Option<&str>) -> AssetFields {
        AssetFields {
            name: name.into(),
            serial: serial.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn local_only_change_is_sent() {
        let base = asset("PC-1", Some("S1"));
        let local = asset("PC-1", Some("S2"));
        let m = three_way(&base, &local, &base);
        assert!(m.is_clean());
        assert_eq!(m.to_send.get(&AssetField::Serial), Some(&json!("S2")));
        assert_eq!(m.merged, local);
    }

    #[test]
    fn remote_only_change_is_taken() {
        let base = asset("PC-1", Some("S1"));
        let remote = asset("PC-1-renamed", Some("S1"));
        let m = three_way(&base, &base, &remote);
        assert!(m.is_clean() && m.to_send.is_empty());
        assert_eq!(m.taken, vec![AssetField::Name]);
        assert_eq!(m.merged, remote);
    }

    #[test]
    fn disjoint_changes_combine() {
        let base = asset("PC-1", Some("S1"));
        let local = asset("PC-1", Some("S2"));
        let remote = asset("PC-9", Some("S1"));
        let m = three_way(&base, &local, &remote);
        assert!(m.is_clean());
        assert_eq!(m.merged, asset("PC-9", Some("S2")));
        assert_eq!(m.to_send.len(), 1);
    }

    #[test]
    fn same_field_changed_differently_is_a_conflict_and_nothing_is_sent() {
        let base = asset("PC-1", Some("S1"));
        let local = asset("PC-1", Some("MINE"));
        let remote = asset("PC-1", Some("THEIRS"));
        let m = three_way(&base, &local, &remote);
        assert_eq!(m.conflicts.len(), 1);
        let c = &m.conflicts[0];
        assert_eq!(
            (c.base.clone(), c.local.clone(), c.remote.clone()),
            (json!("S1"), json!("MINE"), json!("THEIRS"))
        );
        assert!(m.to_send.is_empty());
        assert_eq!(m.merged.serial.as_deref(), Some("MINE"));
    }

    #[test]
    fn both_sides_making_the_same_change_converge() {
        let base = asset("PC-1", None);
        let both = asset("PC-1", Some("S"));
        let m = three_way(&base, &both, &both);
        assert!(m.is_clean() && m.to_send.is_empty() && m.taken.is_empty());
    }

    #[test]
    fn custom_fields_merge_per_key() {
        let mut base = asset("PC", None);
        base.custom.insert("Rack".into(), json!("R1"));
        base.custom.insert("Owner".into(), json!("Ann"));
        let mut local = base.clone();
        local.custom.insert("Rack".into(), json!("R2"));
        let mut remote = base.clone();
        remote.custom.insert("Owner".into(), json!("Bob"));
        let m = three_way(&base, &local, &remote);
        assert!(m.is_clean());
        assert_eq!(m.merged.custom.get("Rack"), Some(&json!("R2")));
        assert_eq!(m.merged.custom.get("Owner"), Some(&json!("Bob")));
    }

    fn small_fields() -> impl Strategy<Value = AssetFields> {
        (
            prop::sample::select(vec!["a", "b", "c"]),
            prop::option::of(prop::sample::select(vec!["s1", "s2", "s3"])),
            any::<bool>(),
            prop::option::of(prop::sample::select(vec!["x", "y"])),
        )
            .prop_map(|(name, serial, inactive, rack)| {
                let mut f = AssetFields {
                    name: name.into(),
                    serial: serial.map(Into::into),
                    inactive,
                    ..Default::default()
                };
                if let Some(r) = rack {
                    f.custom.insert("Rack".into(), json!(r));
                }
                f
            })
    }

    proptest! {
        /// Nothing either side changed is lost, and no field both sides changed differently
        /// is silently resolved.
        #[test]
        fn merge_never_loses_or_silently_overwrites(
            base in small_fields(), local in small_fields(), remote in small_fields()
        ) {
            let m = three_way(&base, &local, &remote);
            let conflicted: Vec<&AssetField> = m.conflicts.iter().map(|c| &c.field).collect();
            for f in base.changed_fields(&local) {
                if conflicted.contains(&&f) { continue; }
                // every local change survives in the result and is sent unless remote agrees
                prop_assert_eq!(m.merged.get(&f), local.get(&f));
                if remote.get(&f) != local.get(&f) {
                    prop_assert_eq!(m.to_send.get(&f), Some(&local.get(&f)));
                }
            }
            for f in base.changed_fields(&remote) {
                if conflicted.contains(&&f) { continue; }
                prop_assert_eq!(m.merged.get(&f), remote.get(&f));
            }
            for c in &m.conflicts {
                prop_assert!(c.local != c.base && c.remote != c.base && c.local != c.remote);
                prop_assert!(!m.to_send.contains_key(&c.field));
            }
            // applying what we send to the remote yields the merged record when clean
            if m.is_clean() {
                let mut pushed = remote.clone();
                pushed.apply(&m.to_send).unwrap();
                prop_assert_eq!(pushed, m.merged.clone());
            }
        }
    }
}
