//! The push side of the outbox: what to send next, and recording how each send ended.
//!
//! Invariant kept by every function here (and checked by the proptest in tests/): for an
//! asset with open ops, its row equals its base snapshot with the open ops applied in order
//! (no base only when the first open op is its create); an asset with no open ops has no
//! base. Nothing leaves the outbox except by [`Store::ack`] or an explicit discard.

use assetdesk_domain::{AssetFields, AssetId, Patch, RemoteAsset};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::json;

use crate::Store;
use crate::edit::{parse_payload, payload_json};
use crate::error::{Result, StoreError};
use crate::rows::{
    Stored, feed, journal, load, now_ms, parse_json_opt, refresh_sync_state, unindex,
    write_local_state,
};
use crate::types::{
    Ack, ChangeOrigin, Conflict, ConflictField, Failure, OpPayload, OpState, OutboxOp, Resolution,
    Snapshot,
};

/// First retry delay after a retryable failure; doubles per attempt up to [`MAX_BACKOFF_MS`]
/// (sync-perf-anchors.md §1.1: PowerSync retries after 5 s).
pub const BASE_BACKOFF_MS: i64 = 5_000;
/// Longest wait between retries.
pub const MAX_BACKOFF_MS: i64 = 15 * 60 * 1000;

const OP_COLS: &str = "o.seq, o.client_op_id, o.asset_id, o.connection_id, o.op, o.patch, \
    o.base, o.state, o.attempts, o.next_attempt_at, o.last_error, o.actor, o.created_at, \
    a.remote_id, (SELECT p.remote_id FROM assets p WHERE o.op = 'link' \
                  AND p.id = json_extract(o.patch, '$.parent_id'))";

struct RawOp {
    seq: i64,
    client_op_id: String,
    asset_id: i64,
    connection_id: String,
    op: String,
    patch: String,
    base: Option<String>,
    state: String,
    attempts: i64,
    next_attempt_at: Option<i64>,
    last_error: Option<String>,
    actor: String,
    created_at: i64,
    remote_id: Option<i64>,
    parent_remote_id: Option<i64>,
}

fn read_raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawOp> {
    Ok(RawOp {
        seq: r.get(0)?,
        client_op_id: r.get(1)?,
        asset_id: r.get(2)?,
        connection_id: r.get(3)?,
        op: r.get(4)?,
        patch: r.get(5)?,
        base: r.get(6)?,
        state: r.get(7)?,
        attempts: r.get(8)?,
        next_attempt_at: r.get(9)?,
        last_error: r.get(10)?,
        actor: r.get(11)?,
        created_at: r.get(12)?,
        remote_id: r.get(13)?,
        parent_remote_id: r.get(14)?,
    })
}

impl RawOp {
    fn into_op(self) -> Result<OutboxOp> {
        Ok(OutboxOp {
            payload: parse_payload(&self.op, &self.patch)?,
            base: parse_json_opt(self.base, "base snapshot")?,
            seq: self.seq,
            client_op_id: self.client_op_id,
            asset_id: AssetId(self.asset_id),
            connection_id: assetdesk_domain::ConnectionId(self.connection_id),
            remote_id: self.remote_id,
            parent_remote_id: self.parent_remote_id,
            state: OpState::parse(&self.state),
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            actor: self.actor,
            created_at: self.created_at,
        })
    }
}

fn query_ops(
    db: &Connection,
    where_sql: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<OutboxOp>> {
    // `where_sql` may bring its own ORDER BY/LIMIT; otherwise ops come in outbox order.
    let order = if where_sql.contains("ORDER BY") {
        ""
    } else {
        " ORDER BY o.seq"
    };
    let sql = format!(
        "SELECT {OP_COLS} FROM outbox o JOIN assets a ON a.id = o.asset_id WHERE {where_sql}{order}"
    );
    let raws: Vec<RawOp> = db
        .prepare_cached(&sql)?
        .query_map(p, read_raw)?
        .collect::<Result<_, _>>()?;
    raws.into_iter().map(RawOp::into_op).collect()
}

fn op_by_id(db: &Connection, client_op_id: &str) -> Result<OutboxOp> {
    query_ops(db, "o.client_op_id = ?1", &[&client_op_id])?
        .pop()
        .ok_or_else(|| StoreError::UnknownOp(client_op_id.to_owned()))
}

/// The open ops of one asset, in order.
fn open_ops(db: &Connection, asset_id: i64) -> Result<Vec<OutboxOp>> {
    query_ops(db, "o.asset_id = ?1 AND o.state <> 'done'", &[&asset_id])
}

fn load_base(db: &Connection, asset_id: i64) -> Result<Option<Snapshot>> {
    let text: Option<String> = db
        .prepare_cached("SELECT snapshot FROM bases WHERE asset_id = ?1")?
        .query_row([asset_id], |r| r.get(0))
        .optional()?;
    parse_json_opt(text, "base snapshot")
}

fn save_base(db: &Connection, asset_id: i64, snap: &Snapshot) -> Result<()> {
    let text = serde_json::to_string(snap).map_err(StoreError::json("base snapshot"))?;
    db.prepare_cached("INSERT OR REPLACE INTO bases(asset_id, snapshot) VALUES (?1, ?2)")?
        .execute(params![asset_id, text])?;
    Ok(())
}

/// The base snapshot a remote state stands for (its parent resolved to a local id).
pub(crate) fn snapshot_of_remote(
    db: &Connection,
    connection: &str,
    remote: &RemoteAsset,
) -> Result<Snapshot> {
    let parent_id = match remote.parent_remote_id {
        Some(p) => db
            .prepare_cached("SELECT id FROM assets WHERE connection_id = ?1 AND remote_id = ?2")?
            .query_row(params![connection, p], |r| r.get::<_, i64>(0))
            .optional()?
            .map(AssetId),
        None => None,
    };
    Ok(Snapshot {
        fields: remote.fields.clone(),
        parent_id,
    })
}

/// Stores the provider-maintained parts of a remote state (facts, raw JSON, stamp, hash).
fn save_remote_meta(db: &Connection, asset_id: i64, remote: &RemoteAsset) -> Result<()> {
    let facts = serde_json::to_string(&remote.facts).map_err(StoreError::json("asset facts"))?;
    let raw = serde_json::to_string(&remote.raw).map_err(StoreError::json("raw asset"))?;
    let hash = crate::pull::content_hash(remote, &facts, &raw)?;
    db.prepare_cached(
        "UPDATE assets SET facts = ?2, raw = ?3, remote_updated_at = ?4, content_hash = ?5, \
         parent_remote_id = ?6, remote_pending = NULL WHERE id = ?1",
    )?
    .execute(params![
        asset_id,
        facts,
        raw,
        remote.updated_at,
        hash.as_slice(),
        remote.parent_remote_id
    ])?;
    Ok(())
}

/// After an acknowledgement without the provider's echo the row holds a state that no pulled
/// content hash describes. The stored hash still names the state *before* the push, so a
/// colleague who put that state back (a revert) would look "unchanged" to the next pull and the
/// cache would keep our value while the provider has theirs. Forgetting the hash makes the next
/// pull of this asset write whatever the provider sends.
fn forget_content_hash(db: &Connection, asset_id: i64) -> Result<()> {
    db.prepare_cached("UPDATE assets SET content_hash = NULL WHERE id = ?1")?
        .execute([asset_id])?;
    Ok(())
}

/// Rewrites an asset's row as its base with its open ops applied; drops the base when no op
/// is open. Used after every change to the outbox or the base.
pub(crate) fn recompute(db: &Connection, asset_id: i64) -> Result<()> {
    let stored = load(db, AssetId(asset_id))?;
    let base = load_base(db, asset_id)?;
    let ops = open_ops(db, asset_id)?;
    let mut state = base;
    let mut deleted = false;
    for op in &ops {
        match &op.payload {
            OpPayload::Create { patch } => {
                let mut fields = AssetFields::default();
                fields.apply(patch)?;
                state = Some(Snapshot {
                    fields,
                    parent_id: None,
                });
            }
            OpPayload::Update { patch } => {
                if let Some(s) = state.as_mut() {
                    s.fields.apply(patch)?;
                }
            }
            OpPayload::Link { parent_id } => {
                if let Some(s) = state.as_mut() {
                    s.parent_id = *parent_id;
                }
            }
            OpPayload::Delete => deleted = true,
        }
    }
    if ops.is_empty() {
        db.prepare_cached("DELETE FROM bases WHERE asset_id = ?1")?
            .execute([asset_id])?;
    }
    if let Some(snap) = state {
        write_local_state(db, &stored, &snap, deleted)?;
    }
    refresh_sync_state(db, asset_id)?;
    Ok(())
}

/// Removes an asset that never reached the provider, with all its open ops and the link ops
/// of children waiting for it (they can never run). Returns the change-feed seq.
pub(crate) fn drop_unpushed(db: &Connection, stored: &Stored, actor: &str) -> Result<i64> {
    let id = stored.asset.id.0;
    let waiting: Vec<(i64, i64)> = db
        .prepare_cached(
            "SELECT seq, asset_id FROM outbox WHERE op = 'link' AND state <> 'done' \
             AND json_extract(patch, '$.parent_id') = ?1",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    db.prepare_cached("DELETE FROM outbox WHERE asset_id = ?1 AND state <> 'done'")?
        .execute([id])?;
    for (seq, child) in &waiting {
        db.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
            .execute([seq])?;
        db.prepare_cached("UPDATE assets SET parent_id = NULL WHERE id = ?1")?
            .execute([child])?;
        recompute(db, *child)?;
    }
    unindex(db, id)?;
    db.prepare_cached("DELETE FROM conflicts WHERE asset_id = ?1")?
        .execute([id])?;
    db.prepare_cached("UPDATE assets SET parent_id = NULL WHERE parent_id = ?1")?
        .execute([id])?;
    db.prepare_cached("DELETE FROM assets WHERE id = ?1")?
        .execute([id])?;
    journal(
        db,
        id,
        actor,
        ChangeOrigin::User,
        "discard_create",
        &json!({}),
        None,
        false,
    )?;
    feed(db, ChangeOrigin::User, "asset", Some(id), "delete")
}

fn backoff_ms(attempts: u32) -> i64 {
    let exp = attempts.saturating_sub(1).min(20);
    BASE_BACKOFF_MS
        .saturating_mul(1_i64 << exp)
        .min(MAX_BACKOFF_MS)
}

impl Store {
    /// Ops ready to push now: pending, due (`next_attempt_at <= now_ms`), first open op of
    /// their record (a failed, conflicted or in-flight op blocks the ops after it), and for
    /// link ops, a parent that already has a remote id. At most `limit`, oldest first.
    pub fn next_runnable(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxOp>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|db| {
            query_ops(
                db,
                "o.state = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?1) \
                 AND NOT EXISTS (SELECT 1 FROM outbox q WHERE q.asset_id = o.asset_id \
                                 AND q.seq < o.seq AND q.state <> 'done') \
                 AND (o.op <> 'link' OR json_extract(o.patch, '$.parent_id') IS NULL \
                      OR EXISTS (SELECT 1 FROM assets p WHERE p.id = json_extract(o.patch, '$.parent_id') \
                                 AND p.remote_id IS NOT NULL)) \
                 ORDER BY o.seq LIMIT ?2",
                &[&now_ms, &limit],
            )
        })
    }

    /// Marks an op in flight and commits, *before* the request is sent (sync-perf-anchors.md
    /// §1.3 step 2). An op found in flight at startup has an unknown outcome: reconcile.
    pub fn mark_in_flight(&self, client_op_id: &str) -> Result<OutboxOp> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, updated_at = ?2 \
                     WHERE client_op_id = ?1 AND state = 'pending'",
                )?
                .execute(params![client_op_id, now_ms()])?;
            if n == 0 {
                let op = op_by_id(&tx, client_op_id)?;
                return Err(StoreError::InvalidState(format!(
                    "op {client_op_id} is {}, not pending; only pending ops can be sent",
                    op.state.as_str()
                )));
            }
            let op = op_by_id(&tx, client_op_id)?;
            tx.commit()?;
            Ok(op)
        })
    }

    /// Ops left in flight (after a crash): their outcome is unknown.
    pub fn in_flight_ops(&self) -> Result<Vec<OutboxOp>> {
        self.read(|db| query_ops(db, "o.state = 'in_flight'", &[]))
    }

    /// Every op of one asset (or of all assets), oldest first; `include_done` adds history.
    pub fn ops(&self, asset: Option<AssetId>, include_done: bool) -> Result<Vec<OutboxOp>> {
        self.read(|db| {
            let done = if include_done {
                "1"
            } else {
                "o.state <> 'done'"
            };
            match asset {
                Some(a) => query_ops(db, &format!("o.asset_id = ?1 AND {done}"), &[&a.0]),
                None => query_ops(db, done, &[]),
            }
        })
    }

    /// The base snapshot of an asset (the remote state its queued edits were made against;
    /// the engine's three-way merge compares it with the local row and the remote state).
    /// `None` when nothing is queued, or before a create was acknowledged.
    pub fn base(&self, asset: AssetId) -> Result<Option<Snapshot>> {
        self.read(|db| load_base(db, asset.0))
    }

    /// One op by its client op id.
    pub fn op(&self, client_op_id: &str) -> Result<OutboxOp> {
        self.read(|db| op_by_id(db, client_op_id))
    }

    /// Records success: the provider's state becomes the new base, the op is done, the row
    /// is rebuilt from the base and the still-open ops. A create's remote id is adopted; if a
    /// pull already brought that remote asset in as another row, that duplicate is merged
    /// away (so a create never shows twice).
    pub fn ack(&self, client_op_id: &str, ack: &Ack) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let op = op_by_id(&tx, client_op_id)?;
            if !matches!(op.state, OpState::InFlight | OpState::Pending) {
                return Err(StoreError::InvalidState(format!(
                    "op {client_op_id} is {}; only a sent op can be acknowledged",
                    op.state.as_str()
                )));
            }
            let first = open_ops(&tx, op.asset_id.0)?.into_iter().next().map(|o| o.seq);
            if first != Some(op.seq) {
                return Err(StoreError::InvalidState(format!(
                    "op {client_op_id} is not the first open op of asset {}; ops of a record \
                     are pushed in order",
                    op.asset_id
                )));
            }
            let id = op.asset_id.0;
            let stored = load(&tx, op.asset_id)?;
            let conn = stored.asset.connection_id.0.clone();
            match (&op.payload, &ack.remote) {
                (OpPayload::Delete, _) => {
                    finish_op(&tx, &op, ChangeOrigin::Sync)?;
                    tx.prepare_cached("DELETE FROM bases WHERE asset_id = ?1")?.execute([id])?;
                    tx.prepare_cached(
                        "UPDATE assets SET delete_reason = 'deleted', sync_state = 'synced' WHERE id = ?1",
                    )?
                    .execute([id])?;
                    if let Some(remote_id) = stored.asset.remote_id {
                        tx.prepare_cached(
                            "INSERT OR REPLACE INTO tombstones(connection_id, remote_id, asset_id, deleted_at, reason) \
                             VALUES (?1, ?2, ?3, ?4, 'deleted')",
                        )?
                        .execute(params![conn, remote_id, id, now_ms()])?;
                    }
                    refresh_sync_state(&tx, id)?;
                    feed(&tx, ChangeOrigin::Sync, "outbox", Some(id), "ack")?;
                    tx.commit()?;
                    return Ok(());
                }
                (OpPayload::Create { .. }, None) => {
                    return Err(StoreError::InvalidState(format!(
                        "acknowledging create {client_op_id} needs the created remote asset"
                    )));
                }
                (OpPayload::Create { .. }, Some(remote)) => {
                    adopt_remote_id(&tx, &conn, id, remote.remote_id)?;
                    let snap = snapshot_of_remote(&tx, &conn, remote)?;
                    save_base(&tx, id, &snap)?;
                    save_remote_meta(&tx, id, remote)?;
                }
                (_, Some(remote)) => {
                    let snap = snapshot_of_remote(&tx, &conn, remote)?;
                    save_base(&tx, id, &snap)?;
                    save_remote_meta(&tx, id, remote)?;
                }
                (OpPayload::Update { patch }, None) => {
                    let mut base = load_base(&tx, id)?.unwrap_or_default();
                    base.fields.apply(patch)?;
                    save_base(&tx, id, &base)?;
                    forget_content_hash(&tx, id)?;
                }
                (OpPayload::Link { parent_id }, None) => {
                    let mut base = load_base(&tx, id)?.unwrap_or_default();
                    base.parent_id = *parent_id;
                    save_base(&tx, id, &base)?;
                    forget_content_hash(&tx, id)?;
                }
            }
            finish_op(&tx, &op, ChangeOrigin::Sync)?;
            recompute(&tx, id)?;
            feed(&tx, ChangeOrigin::Sync, "outbox", Some(id), "ack")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Records a failed send. Retryable failures go back to pending with exponential backoff;
    /// rejections become `failed` ("needs attention", sync-perf-anchors.md §1.1) and block
    /// later ops of the same record until retried or discarded.
    pub fn fail(&self, client_op_id: &str, failure: &Failure) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let op = op_by_id(&tx, client_op_id)?;
            if !matches!(op.state, OpState::InFlight | OpState::Pending) {
                return Err(StoreError::InvalidState(format!(
                    "op {client_op_id} is {}; only a sent op can fail",
                    op.state.as_str()
                )));
            }
            let now = now_ms();
            match failure {
                Failure::Retryable { error, retry_at } => {
                    let at = retry_at.unwrap_or(now + backoff_ms(op.attempts.max(1)));
                    tx.prepare_cached(
                        "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, last_error = ?3, \
                         updated_at = ?4 WHERE seq = ?1",
                    )?
                    .execute(params![op.seq, at, error, now])?;
                }
                Failure::Rejected { error } => {
                    tx.prepare_cached(
                        "UPDATE outbox SET state = 'failed', last_error = ?2, updated_at = ?3 WHERE seq = ?1",
                    )?
                    .execute(params![op.seq, error, now])?;
                }
            }
            refresh_sync_state(&tx, op.asset_id.0)?;
            feed(&tx, ChangeOrigin::Sync, "outbox", Some(op.asset_id.0), "fail")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Puts a failed (or waiting) op back to pending, due now.
    pub fn retry(&self, client_op_id: &str) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let op = op_by_id(&tx, client_op_id)?;
            if !matches!(op.state, OpState::Failed | OpState::Pending) {
                return Err(StoreError::InvalidState(format!(
                    "op {client_op_id} is {}; only failed or waiting ops can be retried",
                    op.state.as_str()
                )));
            }
            tx.prepare_cached(
                "UPDATE outbox SET state = 'pending', next_attempt_at = NULL, updated_at = ?2 WHERE seq = ?1",
            )?
            .execute(params![op.seq, now_ms()])?;
            refresh_sync_state(&tx, op.asset_id.0)?;
            feed(&tx, ChangeOrigin::User, "outbox", Some(op.asset_id.0), "retry")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Records fields changed on both sides (found by the engine's three-way merge at push
    /// time). `remote` becomes the new base — its non-conflicting changes show at once — the
    /// op waits in `conflict` until every field is resolved.
    pub fn record_conflict(
        &self,
        client_op_id: &str,
        remote: &RemoteAsset,
        fields: &[ConflictField],
    ) -> Result<Vec<i64>> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let op = op_by_id(&tx, client_op_id)?;
            if !matches!(op.state, OpState::InFlight | OpState::Pending) {
                return Err(StoreError::InvalidState(format!(
                    "op {client_op_id} is {}; conflicts are recorded for ops being pushed",
                    op.state.as_str()
                )));
            }
            if fields.is_empty() {
                return Err(StoreError::InvalidState("a conflict needs at least one field".into()));
            }
            let id = op.asset_id.0;
            let conn = op.connection_id.0.clone();
            let snap = snapshot_of_remote(&tx, &conn, remote)?;
            save_base(&tx, id, &snap)?;
            save_remote_meta(&tx, id, remote)?;
            let now = now_ms();
            tx.prepare_cached("UPDATE outbox SET state = 'conflict', updated_at = ?2 WHERE seq = ?1")?
                .execute(params![op.seq, now])?;
            let mut ids = Vec::new();
            for f in fields {
                tx.prepare_cached(
                    "INSERT INTO conflicts(asset_id, op_seq, field, base, local, remote, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    id,
                    op.seq,
                    f.field.name(),
                    f.base.to_string(),
                    f.local.to_string(),
                    f.remote.to_string(),
                    now
                ])?;
                ids.push(tx.last_insert_rowid());
            }
            recompute(&tx, id)?;
            feed(&tx, ChangeOrigin::Sync, "conflict", Some(id), "insert")?;
            tx.commit()?;
            Ok(ids)
        })
    }

    /// Takes a remote state as the new base after a clean three-way merge (no field changed
    /// on both sides): remote-only changes show locally, local changes stay queued. With no
    /// open ops this simply makes the row the remote state.
    pub fn rebase(&self, asset_id: AssetId, remote: &RemoteAsset) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = load(&tx, asset_id)?;
            if stored.asset.remote_id != Some(remote.remote_id) {
                return Err(StoreError::InvalidState(format!(
                    "asset {asset_id} is not remote asset {}",
                    remote.remote_id
                )));
            }
            let snap = snapshot_of_remote(&tx, &stored.asset.connection_id.0, remote)?;
            save_base(&tx, asset_id.0, &snap)?;
            save_remote_meta(&tx, asset_id.0, remote)?;
            recompute(&tx, asset_id.0)?;
            feed(&tx, ChangeOrigin::Sync, "asset", Some(asset_id.0), "update")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Conflicts of one asset (or all), oldest first; `open_only` hides resolved ones.
    pub fn conflicts(&self, asset: Option<AssetId>, open_only: bool) -> Result<Vec<Conflict>> {
        self.read(|db| {
            let mut sql = "SELECT id, asset_id, op_seq, field, base, local, remote, created_at, \
                           resolved_at, resolution FROM conflicts WHERE 1"
                .to_owned();
            if open_only {
                sql.push_str(" AND resolved_at IS NULL");
            }
            if asset.is_some() {
                sql.push_str(" AND asset_id = ?1");
            }
            sql.push_str(" ORDER BY id");
            let mut stmt = db.prepare_cached(&sql)?;
            let map = |r: &rusqlite::Row<'_>| {
                Ok(Conflict {
                    id: r.get(0)?,
                    asset_id: AssetId(r.get(1)?),
                    op_seq: r.get(2)?,
                    field: r.get(3)?,
                    base: crate::rows::json_col(r, 4)?,
                    local: crate::rows::json_col(r, 5)?,
                    remote: crate::rows::json_col(r, 6)?,
                    created_at: r.get(7)?,
                    resolved_at: r.get(8)?,
                    resolution: r.get(9)?,
                })
            };
            let rows = match asset {
                Some(a) => stmt.query_map([a.0], map)?.collect::<Result<Vec<_>, _>>()?,
                None => stmt.query_map([], map)?.collect::<Result<Vec<_>, _>>()?,
            };
            Ok(rows)
        })
    }

    /// Resolves one conflicting field. When the last conflict of its op is resolved the op
    /// goes back to pending (an op left with nothing to send is retired as done).
    pub fn resolve_conflict(
        &self,
        conflict_id: i64,
        resolution: &Resolution,
        actor: &str,
    ) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row: Option<(i64, Option<i64>, String, Option<i64>)> = tx
                .prepare_cached("SELECT asset_id, op_seq, field, resolved_at FROM conflicts WHERE id = ?1")?
                .query_row([conflict_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let Some((asset_id, op_seq, field_name, resolved)) = row else {
                return Err(StoreError::UnknownConflict(conflict_id));
            };
            if resolved.is_some() {
                return Err(StoreError::InvalidState(format!("conflict {conflict_id} is already resolved")));
            }
            let field: assetdesk_domain::AssetField = field_name
                .parse()
                .map_err(|e: assetdesk_domain::UnknownField| StoreError::InvalidState(e.to_string()))?;
            let ops = open_ops(&tx, asset_id)?;
            let now = now_ms();
            for op in &ops {
                let (OpPayload::Update { patch } | OpPayload::Create { patch }) = &op.payload else {
                    continue;
                };
                let mut patch: Patch = patch.clone();
                let this = Some(op.seq) == op_seq;
                match resolution {
                    Resolution::KeepMine => continue,
                    Resolution::TakeTheirs => {
                        patch.remove(&field);
                    }
                    Resolution::Edit(v) => {
                        if this {
                            // Check the shape before storing it.
                            AssetFields::default().set(&field, v.clone())?;
                            patch.insert(field.clone(), v.clone());
                        } else if op_seq.is_some_and(|s| op.seq > s) {
                            patch.remove(&field);
                        }
                    }
                }
                let payload = match &op.payload {
                    OpPayload::Create { .. } => OpPayload::Create { patch },
                    _ => OpPayload::Update { patch },
                };
                tx.prepare_cached("UPDATE outbox SET patch = ?2, updated_at = ?3 WHERE seq = ?1")?
                    .execute(params![op.seq, payload_json(&payload)?, now])?;
            }
            let label = match resolution {
                Resolution::KeepMine => "keep_mine",
                Resolution::TakeTheirs => "take_theirs",
                Resolution::Edit(_) => "edit",
            };
            tx.prepare_cached("UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1")?
                .execute(params![conflict_id, now, label])?;
            if let Some(seq) = op_seq {
                let open: i64 = tx
                    .prepare_cached("SELECT count(*) FROM conflicts WHERE op_seq = ?1 AND resolved_at IS NULL")?
                    .query_row([seq], |r| r.get(0))?;
                if open == 0 {
                    tx.prepare_cached(
                        "UPDATE outbox SET state = CASE WHEN op = 'update' AND patch = '{}' THEN 'done' \
                         ELSE 'pending' END, next_attempt_at = NULL, updated_at = ?2 \
                         WHERE seq = ?1 AND state = 'conflict'",
                    )?
                    .execute(params![seq, now])?;
                }
            }
            // Updates emptied by "take theirs" have nothing left to send.
            tx.prepare_cached(
                "UPDATE outbox SET state = 'done', updated_at = ?2 \
                 WHERE asset_id = ?1 AND op = 'update' AND patch = '{}' AND state = 'pending'",
            )?
            .execute(params![asset_id, now])?;
            journal(
                &tx,
                asset_id,
                actor,
                ChangeOrigin::User,
                "resolve_conflict",
                &json!({field_name: {"resolution": label}}),
                None,
                false,
            )?;
            recompute(&tx, asset_id)?;
            feed(&tx, ChangeOrigin::User, "conflict", Some(asset_id), "resolve")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The user gives up a queued edit. Refused while the op is in flight (its request may
    /// land; wait for the push to end). Discarding a create drops the never-pushed asset.
    pub fn discard(&self, client_op_id: &str, actor: &str) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let op = op_by_id(&tx, client_op_id)?;
            match op.state {
                OpState::InFlight => {
                    return Err(StoreError::InvalidState(format!(
                        "op {client_op_id} is being sent; wait for the push to finish, then discard"
                    )));
                }
                OpState::Done => {
                    return Err(StoreError::InvalidState(format!(
                        "op {client_op_id} already reached the provider"
                    )));
                }
                _ => {}
            }
            let id = op.asset_id.0;
            if matches!(op.payload, OpPayload::Create { .. }) {
                let stored = load(&tx, op.asset_id)?;
                drop_unpushed(&tx, &stored, actor)?;
                tx.commit()?;
                return Ok(());
            }
            tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?.execute([op.seq])?;
            tx.prepare_cached("UPDATE conflicts SET resolved_at = ?2, resolution = 'discarded' WHERE op_seq = ?1 AND resolved_at IS NULL")?
                .execute(params![op.seq, now_ms()])?;
            journal(
                &tx,
                id,
                actor,
                ChangeOrigin::User,
                "discard",
                &json!({"op": op.payload.kind(), "client_op_id": client_op_id}),
                None,
                false,
            )?;
            recompute(&tx, id)?;
            feed(&tx, ChangeOrigin::User, "outbox", Some(id), "discard")?;
            tx.commit()?;
            Ok(())
        })
    }
}

fn finish_op(db: &Connection, op: &OutboxOp, _origin: ChangeOrigin) -> Result<()> {
    db.prepare_cached(
        "UPDATE outbox SET state = 'done', updated_at = ?2, last_error = NULL WHERE seq = ?1",
    )?
    .execute(params![op.seq, now_ms()])?;
    db.prepare_cached("UPDATE journal SET synced = 1 WHERE client_op_id = ?1")?
        .execute([&op.client_op_id])?;
    Ok(())
}

/// Gives a created asset its remote id. A row a pull already made for that remote id (the
/// create landed, the pull saw it before the ack) is folded into ours.
fn adopt_remote_id(db: &Connection, connection: &str, id: i64, remote_id: i64) -> Result<()> {
    let other: Option<i64> = db
        .prepare_cached(
            "SELECT id FROM assets WHERE connection_id = ?1 AND remote_id = ?2 AND id <> ?3",
        )?
        .query_row(params![connection, remote_id, id], |r| r.get(0))
        .optional()?;
    if let Some(other) = other {
        let open: i64 = db
            .prepare_cached("SELECT count(*) FROM outbox WHERE asset_id = ?1 AND state <> 'done'")?
            .query_row([other], |r| r.get(0))?;
        if open > 0 {
            return Err(StoreError::InvalidState(format!(
                "remote asset {remote_id} is already cached as asset {other} with queued edits; \
                 resolve those first"
            )));
        }
        db.prepare_cached("UPDATE assets SET parent_id = ?2 WHERE parent_id = ?1")?
            .execute(params![other, id])?;
        unindex(db, other)?;
        db.prepare_cached("DELETE FROM assets WHERE id = ?1")?
            .execute([other])?;
        feed(db, ChangeOrigin::Sync, "asset", Some(other), "delete")?;
    }
    db.prepare_cached("UPDATE assets SET remote_id = ?2 WHERE id = ?1")?
        .execute(params![id, remote_id])?;
    Ok(())
}
