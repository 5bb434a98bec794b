//! Local edits. Each is one `BEGIN IMMEDIATE` transaction (DESIGN.md invariant 2;
//! sync-perf-anchors.md §1.1: IMMEDIATE so the busy timeout applies instead of an instant
//! `SQLITE_BUSY` on lock upgrade): validation, the row, its search-index entries, the base
//! snapshot (if absent), the outbox entry, the journal line and the change-feed entry.

use std::collections::BTreeSet;

use assetdesk_domain::{
    AssetField, AssetFields, AssetId, ConnectionId, FieldError, Patch, Severity, ValidationContext,
    ValidationReport, validate_asset,
};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::lookups::{asset_statuses_of, asset_types_of, kind_of};
use crate::rows::{
    FieldJson, Stored, feed, field_params, index, journal, load, now_ms, refresh_sync_state,
    write_local_state,
};
use crate::types::{ChangeOrigin, EditOutcome, OpPayload, Snapshot};

/// What the form or CLI submits to create an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAsset {
    pub connection_id: ConnectionId,
    pub fields: AssetFields,
    pub parent_id: Option<AssetId>,
}

/// How deep parent chains are followed (guards against a cycle a provider might send).
pub(crate) const MAX_DEPTH: i64 = 64;

impl Store {
    /// Validates fields as an edit would (for live form feedback): the connection's types and
    /// capabilities, duplicate serials and parent cycles are looked up here.
    pub fn validate(
        &self,
        connection: &ConnectionId,
        fields: &AssetFields,
        asset_id: Option<AssetId>,
        parent_id: Option<AssetId>,
    ) -> Result<ValidationReport> {
        self.read(|db| validate_in(db, connection, fields, asset_id, parent_id))
    }

    /// Creates an asset locally; it reaches the provider through the outbox. With a parent,
    /// a link op follows the create (it runs once both have remote ids).
    pub fn create_asset(&self, new: &NewAsset, actor: &str) -> Result<EditOutcome> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let report = validate_in(&tx, &new.connection_id, &new.fields, None, None)?;
            if !report.is_ok() {
                return Err(StoreError::Invalid(report));
            }
            if let Some(parent) = new.parent_id {
                check_parent_target(&tx, &new.connection_id, parent)?;
            }
            let j = FieldJson::of(&new.fields)?;
            let now = now_ms();
            let sql = format!(
                "INSERT INTO assets(connection_id, parent_id, sync_state, local_updated_at, {}) \
                 VALUES (?1, ?2, 'pending', ?3, {})",
                crate::rows::FIELD_COLUMNS.join(", "),
                (4..25)
                    .map(|i| format!("?{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let parent = new.parent_id.map(|p| p.0);
            let mut p: Vec<&dyn ToSql> = vec![&new.connection_id.0, &parent, &now];
            p.extend(field_params(&new.fields, &j));
            tx.prepare_cached(&sql)?.execute(p.as_slice())?;
            let id = tx.last_insert_rowid();
            let users = crate::rows::users_text(
                &tx,
                &new.connection_id.0,
                &new.fields,
                &Default::default(),
            )?;
            index(&tx, id, &new.fields, &users, true)?;
            let stored = load(&tx, AssetId(id))?;
            let patch = AssetFields::default().diff(&new.fields);
            let detail = detail_of(&AssetFields::default(), &new.fields);
            let op = push_op(&tx, &stored, OpPayload::Create { patch }, actor)?;
            journal(
                &tx,
                id,
                actor,
                ChangeOrigin::User,
                "create",
                &detail,
                Some(&op),
                false,
            )?;
            if let Some(parent) = new.parent_id {
                let link = push_op(
                    &tx,
                    &stored,
                    OpPayload::Link {
                        parent_id: Some(parent),
                    },
                    actor,
                )?;
                let detail = json!({"parent_id": {"from": null, "to": parent.0}});
                journal(
                    &tx,
                    id,
                    actor,
                    ChangeOrigin::User,
                    "link",
                    &detail,
                    Some(&link),
                    false,
                )?;
            }
            refresh_sync_state(&tx, id)?;
            let seq = feed(&tx, ChangeOrigin::User, "asset", Some(id), "insert")?;
            tx.commit()?;
            Ok(EditOutcome {
                asset_id: AssetId(id),
                client_op_id: Some(op),
                warnings: warnings(report),
                change_seq: seq,
            })
        })
    }

    /// Changes fields of an asset. Only findings about the fields the patch touches block
    /// it: a value the provider already holds (say, a MAC in an odd format) must not stop an
    /// unrelated edit. A patch that changes nothing writes nothing (`client_op_id: None`).
    pub fn update_asset(&self, id: AssetId, patch: &Patch, actor: &str) -> Result<EditOutcome> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = load(&tx, id)?;
            if stored.deleted {
                return Err(StoreError::InvalidState(format!(
                    "asset {id} is deleted; restore it (discard the delete) before editing"
                )));
            }
            let before = stored.asset.fields.clone();
            let mut after = before.clone();
            after.apply(patch)?;
            let effective = before.diff(&after);
            if effective.is_empty() {
                return Ok(EditOutcome {
                    asset_id: id,
                    client_op_id: None,
                    warnings: Vec::new(),
                    change_seq: last_seq(&tx)?,
                });
            }
            let report = validate_in(&tx, &stored.asset.connection_id, &after, Some(id), None)?;
            let touched: BTreeSet<AssetField> = effective.keys().cloned().collect();
            let report = relevant(report, &touched);
            if !report.is_ok() {
                return Err(StoreError::Invalid(report));
            }
            ensure_base(&tx, &stored)?;
            let snap = Snapshot {
                fields: after.clone(),
                parent_id: stored.asset.parent_id,
            };
            write_local_state(&tx, &stored, &snap, false)?;
            let op = push_op(&tx, &stored, OpPayload::Update { patch: effective }, actor)?;
            let detail = detail_of(&before, &after);
            journal(
                &tx,
                id.0,
                actor,
                ChangeOrigin::User,
                "update",
                &detail,
                Some(&op),
                false,
            )?;
            refresh_sync_state(&tx, id.0)?;
            let seq = feed(&tx, ChangeOrigin::User, "asset", Some(id.0), "update")?;
            tx.commit()?;
            Ok(EditOutcome {
                asset_id: id,
                client_op_id: Some(op),
                warnings: warnings(report),
                change_seq: seq,
            })
        })
    }

    /// Deletes an asset. One never pushed is simply dropped with its queued ops (nothing
    /// exists remotely); otherwise it is hidden and a delete op is queued. Refused for
    /// providers without an asset delete (syncro-api.md §3.1): mark it inactive instead.
    pub fn delete_asset(&self, id: AssetId, actor: &str) -> Result<EditOutcome> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = load(&tx, id)?;
            if stored.deleted {
                return Err(StoreError::InvalidState(format!(
                    "asset {id} is already deleted"
                )));
            }
            let kind = kind_of(&tx, &stored.asset.connection_id)?;
            if stored.asset.remote_id.is_none() {
                let seq = crate::outbox::drop_unpushed(&tx, &stored, actor)?;
                tx.commit()?;
                return Ok(EditOutcome {
                    asset_id: id,
                    client_op_id: None,
                    warnings: Vec::new(),
                    change_seq: seq,
                });
            }
            if !kind.capabilities().delete_asset {
                return Err(StoreError::Unsupported(format!(
                    "{} has no asset delete; set the asset inactive instead",
                    kind.label()
                )));
            }
            ensure_base(&tx, &stored)?;
            let snap = Snapshot {
                fields: stored.asset.fields.clone(),
                parent_id: stored.asset.parent_id,
            };
            write_local_state(&tx, &stored, &snap, true)?;
            let op = push_op(&tx, &stored, OpPayload::Delete, actor)?;
            journal(
                &tx,
                id.0,
                actor,
                ChangeOrigin::User,
                "delete",
                &json!({}),
                Some(&op),
                false,
            )?;
            refresh_sync_state(&tx, id.0)?;
            let seq = feed(&tx, ChangeOrigin::User, "asset", Some(id.0), "delete")?;
            tx.commit()?;
            Ok(EditOutcome {
                asset_id: id,
                client_op_id: Some(op),
                warnings: Vec::new(),
                change_seq: seq,
            })
        })
    }

    /// Sets or clears the parent of an asset. A parent in another connection, a deleted one,
    /// or one that would make a cycle is refused with a `parent_id` finding.
    pub fn set_parent(
        &self,
        id: AssetId,
        parent: Option<AssetId>,
        actor: &str,
    ) -> Result<EditOutcome> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = load(&tx, id)?;
            if stored.deleted {
                return Err(StoreError::InvalidState(format!("asset {id} is deleted")));
            }
            if stored.asset.parent_id == parent {
                return Ok(EditOutcome {
                    asset_id: id,
                    client_op_id: None,
                    warnings: Vec::new(),
                    change_seq: last_seq(&tx)?,
                });
            }
            if let Some(p) = parent {
                check_parent_target(&tx, &stored.asset.connection_id, p)?;
                let report = validate_in(
                    &tx,
                    &stored.asset.connection_id,
                    &stored.asset.fields,
                    Some(id),
                    Some(p),
                )?;
                let findings: Vec<FieldError> =
                    report.findings.into_iter().filter(|f| f.field == "parent_id").collect();
                let report = ValidationReport { findings };
                if !report.is_ok() {
                    return Err(StoreError::Invalid(report));
                }
            }
            ensure_base(&tx, &stored)?;
            let snap = Snapshot { fields: stored.asset.fields.clone(), parent_id: parent };
            write_local_state(&tx, &stored, &snap, false)?;
            let op = push_op(&tx, &stored, OpPayload::Link { parent_id: parent }, actor)?;
            let detail = json!({"parent_id": {"from": stored.asset.parent_id.map(|p| p.0), "to": parent.map(|p| p.0)}});
            journal(&tx, id.0, actor, ChangeOrigin::User, "link", &detail, Some(&op), false)?;
            refresh_sync_state(&tx, id.0)?;
            let seq = feed(&tx, ChangeOrigin::User, "asset", Some(id.0), "update")?;
            tx.commit()?;
            Ok(EditOutcome { asset_id: id, client_op_id: Some(op), warnings: Vec::new(), change_seq: seq })
        })
    }
}

fn last_seq(db: &Connection) -> Result<i64> {
    Ok(
        db.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })?,
    )
}

fn warnings(report: ValidationReport) -> Vec<FieldError> {
    report
        .findings
        .into_iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect()
}

/// Keeps the findings an update is answerable for: those about fields it changes, plus the
/// cross-field rules those changes take part in.
fn relevant(report: ValidationReport, touched: &BTreeSet<AssetField>) -> ValidationReport {
    let names: BTreeSet<String> = touched.iter().map(|f| f.name().into_owned()).collect();
    let type_changed = touched.contains(&AssetField::Type);
    let findings = report
        .findings
        .into_iter()
        .filter(|f| {
            names.contains(&f.field)
                || (f.field == "warranty_end" && touched.contains(&AssetField::WarrantyStart))
                || (type_changed && f.field.starts_with("custom:"))
                // The new type may not allow the status the asset keeps.
                || (type_changed && f.field == "status_id")
        })
        .collect();
    ValidationReport { findings }
}

/// `{field: {"from": …, "to": …}}` for every changed field.
pub(crate) fn detail_of(before: &AssetFields, after: &AssetFields) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for f in before.changed_fields(after) {
        map.insert(
            f.name().into_owned(),
            json!({"from": before.get(&f), "to": after.get(&f)}),
        );
    }
    serde_json::Value::Object(map)
}

/// Runs [`validate_asset`] with everything the store knows about the asset's surroundings.
pub(crate) fn validate_in(
    db: &Connection,
    connection: &ConnectionId,
    fields: &AssetFields,
    asset_id: Option<AssetId>,
    parent_id: Option<AssetId>,
) -> Result<ValidationReport> {
    let kind = kind_of(db, connection)?;
    let types = asset_types_of(db, connection)?;
    let statuses = asset_statuses_of(db, connection)?;
    let duplicates: Vec<String> = match fields.serial.as_deref().map(str::trim) {
        // Candidates come from the trigram index (no extra B-tree to maintain on every
        // pulled row); the equality check makes it exact. Serials under 3 characters scan.
        Some(serial) if !serial.is_empty() => {
            const BASE: &str = "SELECT name FROM assets WHERE connection_id = ?1 AND serial = ?2 \
                AND id <> ?3 AND deleted_at IS NULL";
            let me = asset_id.map_or(0, |a| a.0);
            match crate::query::trigram_query(&serial.to_lowercase()) {
                Some(q) => db
                    .prepare_cached(&format!(
                        "{BASE} AND id IN (SELECT rowid FROM assets_trigram WHERE assets_trigram MATCH ?4) \
                         ORDER BY id LIMIT 3"
                    ))?
                    .query_map(params![connection.0, serial, me, q], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
                None => db
                    .prepare_cached(&format!("{BASE} ORDER BY id LIMIT 3"))?
                    .query_map(params![connection.0, serial, me], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
            }
        }
        _ => Vec::new(),
    };
    let ancestors = match parent_id {
        Some(p) => ancestors_of(db, p)?,
        None => Vec::new(),
    };
    let ctx = ValidationContext {
        types: &types,
        statuses: &statuses,
        capabilities: Some(kind.capabilities()),
        duplicate_serial_of: &duplicates,
        asset_id,
        parent_id,
        parent_ancestors: &ancestors,
    };
    Ok(validate_asset(fields, &ctx))
}

/// The ancestors of `id`, nearest first (at most [`MAX_DEPTH`]).
pub(crate) fn ancestors_of(db: &Connection, id: AssetId) -> Result<Vec<AssetId>> {
    let rows = db
        .prepare_cached(
            "WITH RECURSIVE up(id, depth) AS ( \
               SELECT parent_id, 1 FROM assets WHERE id = ?1 AND parent_id IS NOT NULL \
               UNION ALL \
               SELECT a.parent_id, up.depth + 1 FROM assets a JOIN up ON a.id = up.id \
               WHERE a.parent_id IS NOT NULL AND up.depth < ?2) \
             SELECT id FROM up ORDER BY depth",
        )?
        .query_map(params![id.0, MAX_DEPTH], |r| {
            r.get::<_, i64>(0).map(AssetId)
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn check_parent_target(db: &Connection, connection: &ConnectionId, parent: AssetId) -> Result<()> {
    let row: Option<(String, bool)> = db
        .prepare_cached("SELECT connection_id, deleted_at IS NOT NULL FROM assets WHERE id = ?1")?
        .query_row([parent.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let finding = match row {
        None => Some(format!(
            "Asset {parent} does not exist: choose another parent"
        )),
        Some((_, true)) => Some(format!("Asset {parent} is deleted: choose another parent")),
        Some((c, false)) if c != connection.0 => {
            Some("The parent must belong to the same connection as the asset".to_owned())
        }
        Some(_) => None,
    };
    match finding {
        Some(message) => Err(StoreError::Invalid(ValidationReport {
            findings: vec![FieldError {
                field: "parent_id".into(),
                severity: Severity::Error,
                message,
            }],
        })),
        None => Ok(()),
    }
}

/// Stores the current row as the base snapshot unless one exists. By the outbox invariant a
/// remote-backed asset without a base has no open ops, so its row *is* the remote state.
pub(crate) fn ensure_base(db: &Connection, stored: &Stored) -> Result<()> {
    if stored.asset.remote_id.is_none() {
        return Ok(());
    }
    let snap = Snapshot {
        fields: stored.asset.fields.clone(),
        parent_id: stored.asset.parent_id,
    };
    let text = serde_json::to_string(&snap).map_err(StoreError::json("base snapshot"))?;
    db.prepare_cached("INSERT OR IGNORE INTO bases(asset_id, snapshot) VALUES (?1, ?2)")?
        .execute(params![stored.asset.id.0, text])?;
    Ok(())
}

/// Queues an op, coalescing an update (or a link) into the record's last op when that op has
/// not been tried yet (sync-perf-anchors.md §1.1: PATCH merge per entity, order kept).
/// Returns the client op id the edit landed in.
pub(crate) fn push_op(
    db: &Connection,
    stored: &Stored,
    payload: OpPayload,
    actor: &str,
) -> Result<String> {
    let asset_id = stored.asset.id.0;
    let now = now_ms();
    let last: Option<(i64, String, String, String, String, i64)> = db
        .prepare_cached(
            "SELECT seq, client_op_id, op, patch, state, attempts FROM outbox \
             WHERE asset_id = ?1 AND state <> 'done' ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([asset_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    if let Some((seq, op_id, kind, patch_text, state, attempts)) = last
        && state == "pending"
        && attempts == 0
    {
        let merged = match (&payload, kind.as_str()) {
            (OpPayload::Update { patch }, "update" | "create") => {
                let mut old: Patch =
                    serde_json::from_str(&patch_text).map_err(StoreError::json("outbox patch"))?;
                old.extend(patch.iter().map(|(k, v)| (k.clone(), v.clone())));
                Some(serde_json::to_string(&old).map_err(StoreError::json("outbox patch"))?)
            }
            (OpPayload::Link { .. }, "link") => Some(payload_json(&payload)?),
            _ => None,
        };
        if let Some(text) = merged {
            db.prepare_cached("UPDATE outbox SET patch = ?2, updated_at = ?3 WHERE seq = ?1")?
                .execute(params![seq, text, now])?;
            return Ok(op_id);
        }
    }
    let op_id = uuid::Uuid::now_v7().to_string();
    let base: Option<String> = db
        .prepare_cached("SELECT snapshot FROM bases WHERE asset_id = ?1")?
        .query_row([asset_id], |r| r.get(0))
        .optional()?;
    db.prepare_cached(
        "INSERT INTO outbox(client_op_id, asset_id, connection_id, op, patch, base, state, \
         actor, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?8)",
    )?
    .execute(params![
        op_id,
        asset_id,
        stored.asset.connection_id.0,
        payload.kind(),
        payload_json(&payload)?,
        base,
        actor,
        now
    ])?;
    Ok(op_id)
}

/// The `patch` column text of a payload.
pub(crate) fn payload_json(p: &OpPayload) -> Result<String> {
    let v = match p {
        OpPayload::Create { patch } | OpPayload::Update { patch } => {
            serde_json::to_value(patch).map_err(StoreError::json("outbox patch"))?
        }
        OpPayload::Delete => json!({}),
        OpPayload::Link { parent_id } => json!({"parent_id": parent_id.map(|p| p.0)}),
    };
    Ok(v.to_string())
}

/// Parses the `op` and `patch` columns back.
pub(crate) fn parse_payload(kind: &str, text: &str) -> Result<OpPayload> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(StoreError::json("outbox patch"))?;
    Ok(match kind {
        "create" => OpPayload::Create {
            patch: serde_json::from_value(v).map_err(StoreError::json("outbox patch"))?,
        },
        "update" => OpPayload::Update {
            patch: serde_json::from_value(v).map_err(StoreError::json("outbox patch"))?,
        },
        "link" => OpPayload::Link {
            parent_id: v.get("parent_id").and_then(|p| p.as_i64()).map(AssetId),
        },
        _ => OpPayload::Delete,
    })
}
