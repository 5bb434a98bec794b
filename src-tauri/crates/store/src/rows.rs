//! Reading and writing asset rows together with their search-index entries. Every path that
//! changes an asset's searchable text goes through [`write_local_state`] or the pull upsert,
//! so the row and its index entry never disagree.

use assetdesk_domain::{Asset, AssetFacts, AssetFields, AssetId, ConnectionId};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::de::DeserializeOwned;

use crate::error::{Result, StoreError};
use crate::types::{ChangeOrigin, Snapshot, SyncState};

/// Wall-clock unix milliseconds (the store stamps journal and feed rows itself).
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The columns [`read_stored`] expects, in order.
pub(crate) const ASSET_COLS: &str = "a.id, a.connection_id, a.remote_id, a.parent_id, a.name, \
    a.client_id, a.site_id, a.type_id, a.status_id, a.serial, a.asset_tag, a.manufacturer, \
    a.model, a.os, a.os_version, a.ip, a.mac, a.purchase_date, a.purchase_price_cents, \
    a.warranty_start, a.warranty_end, a.notes, a.inactive, a.user_ids, a.custom, a.facts, a.raw, \
    a.remote_updated_at, a.sync_state, a.deleted_at";

/// An asset row with the bookkeeping columns the store needs.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub asset: Asset,
    pub sync_state: SyncState,
    pub deleted: bool,
}

pub(crate) fn json_col<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Maps a row selected with [`ASSET_COLS`].
pub(crate) fn read_stored(row: &Row<'_>) -> rusqlite::Result<Stored> {
    let fields = AssetFields {
        name: row.get(4)?,
        client_id: row.get(5)?,
        site_id: row.get(6)?,
        type_id: row.get(7)?,
        status_id: row.get(8)?,
        serial: row.get(9)?,
        asset_tag: row.get(10)?,
        manufacturer: row.get(11)?,
        model: row.get(12)?,
        os: row.get(13)?,
        os_version: row.get(14)?,
        ip: row.get(15)?,
        mac: row.get(16)?,
        purchase_date: row.get(17)?,
        purchase_price_cents: row.get(18)?,
        warranty_start: row.get(19)?,
        warranty_end: row.get(20)?,
        notes: row.get(21)?,
        inactive: row.get(22)?,
        user_ids: json_col(row, 23)?,
        custom: json_col(row, 24)?,
    };
    let facts: AssetFacts = json_col(row, 25)?;
    let raw: serde_json::Value = json_col(row, 26)?;
    let state: String = row.get(28)?;
    let deleted: Option<i64> = row.get(29)?;
    Ok(Stored {
        asset: Asset {
            id: AssetId(row.get(0)?),
            connection_id: ConnectionId(row.get(1)?),
            remote_id: row.get(2)?,
            fields,
            facts,
            parent_id: row.get::<_, Option<i64>>(3)?.map(AssetId),
            remote_updated_at: row.get(27)?,
            raw,
        },
        sync_state: SyncState::parse(&state),
        deleted: deleted.is_some(),
    })
}

/// Loads one asset row (deleted ones included).
pub(crate) fn load(conn: &Connection, id: AssetId) -> Result<Stored> {
    let sql = format!("SELECT {ASSET_COLS} FROM assets a WHERE a.id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id.0], read_stored)
        .optional()?
        .ok_or(StoreError::UnknownAsset(id))
}

/// The JSON texts of the two list-valued field columns.
pub(crate) struct FieldJson {
    pub user_ids: String,
    pub custom: String,
}

impl FieldJson {
    pub fn of(f: &AssetFields) -> Result<Self> {
        Ok(FieldJson {
            user_ids: serde_json::to_string(&f.user_ids).map_err(StoreError::json("user ids"))?,
            custom: serde_json::to_string(&f.custom).map_err(StoreError::json("custom fields"))?,
        })
    }
}

/// The 21 field values in column order `name … custom`, for binding after leading params.
pub(crate) fn field_params<'a>(f: &'a AssetFields, j: &'a FieldJson) -> [&'a dyn ToSql; 21] {
    [
        &f.name,
        &f.client_id,
        &f.site_id,
        &f.type_id,
        &f.status_id,
        &f.serial,
        &f.asset_tag,
        &f.manufacturer,
        &f.model,
        &f.os,
        &f.os_version,
        &f.ip,
        &f.mac,
        &f.purchase_date,
        &f.purchase_price_cents,
        &f.warranty_start,
        &f.warranty_end,
        &f.notes,
        &f.inactive,
        &j.user_ids,
        &j.custom,
    ]
}

/// `name = ?N, …` for the 21 field columns starting at parameter `first`.
pub(crate) fn field_assignments(first: usize) -> String {
    FIELD_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) const FIELD_COLUMNS: [&str; 21] = [
    "name",
    "client_id",
    "site_id",
    "type_id",
    "status_id",
    "serial",
    "asset_tag",
    "manufacturer",
    "model",
    "os",
    "os_version",
    "ip",
    "mac",
    "purchase_date",
    "purchase_price_cents",
    "warranty_start",
    "warranty_end",
    "notes",
    "inactive",
    "user_ids",
    "custom",
];

/// The names shown for an asset's users, for the `users` search column: the provider's
/// display text when it sent one, else the cached people.
pub(crate) fn users_text(
    conn: &Connection,
    connection_id: &str,
    fields: &AssetFields,
    facts: &AssetFacts,
) -> Result<String> {
    if let Some(names) = facts.display.get("users") {
        return Ok(names.clone());
    }
    if fields.user_ids.is_empty() {
        return Ok(String::new());
    }
    let mut stmt =
        conn.prepare_cached("SELECT name FROM people WHERE connection_id = ?1 AND remote_id = ?2")?;
    let mut out = String::new();
    for id in &fields.user_ids {
        if let Some(name) = stmt
            .query_row(params![connection_id, id], |r| r.get::<_, String>(0))
            .optional()?
        {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&name);
        }
    }
    Ok(out)
}

/// The text of the trigram (substring) index: serial, MAC as bare hex digits (so `3c4d` and
/// `3C:4D` both find `00:1A:2B:3C:4D:5E`; queries are matched as typed and stripped) and IP.
pub(crate) fn ident_text(f: &AssetFields) -> String {
    let mut out = String::new();
    let mac = f.mac.as_deref().map(|m| {
        m.chars()
            .filter(char::is_ascii_hexdigit)
            .collect::<String>()
    });
    for part in [f.serial.as_deref(), mac.as_deref(), f.ip.as_deref()]
        .into_iter()
        .flatten()
    {
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// (Re)indexes one asset for search; `fresh` skips the delete for a row never indexed.
pub(crate) fn index(
    conn: &Connection,
    id: i64,
    f: &AssetFields,
    users: &str,
    fresh: bool,
) -> Result<()> {
    if !fresh {
        unindex(conn, id)?;
    }
    conn.prepare_cached(
        "INSERT INTO assets_fts(rowid, name, serial, asset_tag, model, manufacturer, users, notes) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        f.name,
        f.serial,
        f.asset_tag,
        f.model,
        f.manufacturer,
        users,
        f.notes
    ])?;
    let ident = ident_text(f);
    if !ident.is_empty() {
        conn.prepare_cached("INSERT INTO assets_trigram(rowid, ident) VALUES (?1, ?2)")?
            .execute(params![id, ident])?;
    }
    Ok(())
}

/// Search-index writes of one bulk (pull) transaction, queued and applied together after
/// every other statement of that transaction.
///
/// Why: whenever a statement opens a statement journal (one that could abort halfway: a
/// multi-row or `RETURNING` UPDATE, any write checked by a foreign key), SQLite calls
/// `xSavepoint` on every virtual table written in the transaction, and FTS5 answers by
/// flushing its pending in-memory index to disk as a new segment (SQLite 3.54
/// `fts5SavepointMethod` → `sqlite3Fts5FlushToDisk`). Interleaving row writes with index
/// writes therefore wrote one tiny segment per row, and the crisis merges that followed cost
/// more than the rows themselves (profile of the store bench: 41% of the pull in savepoint
/// flushes, 19% in merges). Queued, a commit writes one segment per index.
///
/// Rows become searchable in the same transaction as before, so search results are unchanged.
#[derive(Default)]
pub(crate) struct IndexQueue<'a> {
    entries: Vec<Queued<'a>>,
    /// Position in `entries` of each queued asset id (a row can appear twice in one batch:
    /// pages overlap by one, sync-perf-anchors.md §1.4).
    at: std::collections::HashMap<i64, usize>,
}

struct Queued<'a> {
    id: i64,
    /// The row had index entries before this transaction: delete them first.
    reindex: bool,
    fields: &'a AssetFields,
    users: String,
}

impl<'a> IndexQueue<'a> {
    /// Queues (re)indexing `id` with `fields`; `fresh` = the row has no index entry yet.
    pub fn push(&mut self, id: i64, fields: &'a AssetFields, users: String, fresh: bool) {
        match self.at.get(&id) {
            // The earlier entry decides whether old entries exist; the later text wins.
            Some(&i) => {
                let e = &mut self.entries[i];
                e.fields = fields;
                e.users = users;
            }
            None => {
                self.at.insert(id, self.entries.len());
                self.entries.push(Queued {
                    id,
                    reindex: !fresh,
                    fields,
                    users,
                });
            }
        }
    }

    /// Writes the queued entries: deletes, then word-index inserts, then substring-index
    /// inserts, so no statement between two inserts makes FTS5 flush a partial segment.
    pub fn apply(self, conn: &Connection) -> Result<()> {
        for e in self.entries.iter().filter(|e| e.reindex) {
            unindex(conn, e.id)?;
        }
        let mut words = conn.prepare_cached(
            "INSERT INTO assets_fts(rowid, name, serial, asset_tag, model, manufacturer, users, notes) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for e in &self.entries {
            let f = e.fields;
            words.execute(params![
                e.id,
                f.name,
                f.serial,
                f.asset_tag,
                f.model,
                f.manufacturer,
                e.users,
                f.notes
            ])?;
        }
        let mut idents =
            conn.prepare_cached("INSERT INTO assets_trigram(rowid, ident) VALUES (?1, ?2)")?;
        for e in &self.entries {
            let ident = ident_text(e.fields);
            if !ident.is_empty() {
                idents.execute(params![e.id, ident])?;
            }
        }
        Ok(())
    }
}

/// Removes an asset from both search indexes (contentless-delete tables: no old text needed).
pub(crate) fn unindex(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM assets_fts WHERE rowid = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM assets_trigram WHERE rowid = ?1")?
        .execute([id])?;
    Ok(())
}

/// Writes the local view of an asset (fields, parent, deleted flag) and its index entries.
pub(crate) fn write_local_state(
    conn: &Connection,
    stored: &Stored,
    snap: &Snapshot,
    deleted: bool,
) -> Result<()> {
    let id = stored.asset.id.0;
    let j = FieldJson::of(&snap.fields)?;
    let sql = format!(
        "UPDATE assets SET {}, parent_id = ?23, local_updated_at = ?24, \
         deleted_at = CASE WHEN ?25 THEN coalesce(deleted_at, ?24) END, \
         delete_reason = CASE WHEN ?25 THEN 'local' END WHERE id = ?1",
        field_assignments(2)
    );
    let mut p: Vec<&dyn ToSql> = vec![&id];
    p.extend(field_params(&snap.fields, &j));
    let parent = snap.parent_id.map(|p| p.0);
    let now = now_ms();
    p.push(&parent);
    p.push(&now);
    p.push(&deleted);
    conn.prepare_cached(&sql)?.execute(p.as_slice())?;
    if deleted {
        unindex(conn, id)?;
    } else {
        let users = users_text(
            conn,
            &stored.asset.connection_id.0,
            &snap.fields,
            &stored.asset.facts,
        )?;
        index(conn, id, &snap.fields, &users, stored.deleted)?;
    }
    Ok(())
}

/// Appends a change-feed entry and returns its sequence number.
pub(crate) fn feed(
    conn: &Connection,
    origin: ChangeOrigin,
    entity: &str,
    asset_id: Option<i64>,
    kind: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO changes(at, origin, entity, asset_id, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![now_ms(), origin.as_str(), entity, asset_id, kind])?;
    Ok(conn.last_insert_rowid())
}

/// Appends a journal line.
#[allow(clippy::too_many_arguments)]
pub(crate) fn journal(
    conn: &Connection,
    asset_id: i64,
    actor: &str,
    origin: ChangeOrigin,
    action: &str,
    detail: &serde_json::Value,
    client_op_id: Option<&str>,
    synced: bool,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO journal(asset_id, at, actor, origin, action, detail, client_op_id, synced) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        asset_id,
        now_ms(),
        actor,
        origin.as_str(),
        action,
        detail.to_string(),
        client_op_id,
        synced
    ])?;
    Ok(())
}

/// Recomputes `sync_state` of an asset from its open outbox ops.
pub(crate) fn refresh_sync_state(conn: &Connection, asset_id: i64) -> Result<SyncState> {
    let state: String = conn
        .prepare_cached(
            "SELECT CASE WHEN count(*) = 0 THEN 'synced' \
                    WHEN sum(state = 'conflict') > 0 THEN 'conflict' \
                    WHEN sum(state = 'failed') > 0 THEN 'failed' ELSE 'pending' END \
             FROM outbox WHERE asset_id = ?1 AND state <> 'done'",
        )?
        .query_row([asset_id], |r| r.get(0))?;
    conn.prepare_cached("UPDATE assets SET sync_state = ?2 WHERE id = ?1 AND sync_state <> ?2")?
        .execute(params![asset_id, state])?;
    Ok(SyncState::parse(&state))
}

/// Reads a JSON text column value that may be NULL.
pub(crate) fn parse_json_opt<T: DeserializeOwned>(
    text: Option<String>,
    what: &'static str,
) -> Result<Option<T>> {
    text.map(|t| serde_json::from_str(&t).map_err(StoreError::json(what)))
        .transpose()
}
