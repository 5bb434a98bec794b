//! The pull side: applying pulled pages, checkpoints, passes and tombstones.
//!
//! * A page is applied in ONE transaction together with its checkpoint
//!   (sync-perf-anchors.md §1.4), so a crash replays at most one page; upserts are idempotent.
//! * Unchanged rows are recognised by a blake3 content hash and not written at all: no row
//!   write, no index churn, no change-feed entry (§1.5: "compare content hashes to skip no-op
//!   writes and keep FTS churn low").
//! * A row with open outbox ops is never overwritten: the pulled state is kept in
//!   `remote_pending` and the asset is reported in [`PageOutcome::deferred`] so the engine
//!   merges (three-way, §1.2) and calls [`Store::rebase`] or [`Store::record_conflict`].
//! * Parents arrive by remote id and may come later in the pass; they are resolved to local
//!   ids after each page.
//! * Deletes: mark-and-sweep over complete full passes with the two-miss rule (§1.6), or at
//!   once on a 404 ([`Store::tombstone_remote`]). A row with local edits is never tombstoned.
//!
//! * Search visibility: a pulled row's word and substring index entries are written in the
//!   same transaction as the row, so once `apply_pulled_page(s)` returns, every row of those
//!   pages is found by `search` and `contains` (and none is before it returns). Within that
//!   transaction the index writes run last, after every row write (`rows::IndexQueue`
//!   explains why that makes one index segment per commit instead of one per row). Indexing
//!   is not deferred; only segment *merging* is (automerge off; crisis merges at 64 segments per
//!   level since schema v2; the rest in [`Store::merge_search_index`]), which changes query
//!   speed, never results.
//!
//! Pages are committed with `synchronous=NORMAL`: still atomic and durable across an app
//! crash (WAL), and a power cut can only lose pulled data that the next pull fetches again
//! (§1.1 table, SQLite `synchronous`). Local edits keep `FULL`.

use assetdesk_domain::{AssetId, ConnectionId, RemoteAsset};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::rows::{FieldJson, IndexQueue, feed, field_params, now_ms, unindex, users_text};
use crate::types::ChangeOrigin;

/// The entity name of the asset stream in `pull_checkpoints`.
pub const ASSETS_ENTITY: &str = "assets";

/// A full pass sees every remote row (and can detect deletes); an incremental one does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullMode {
    Full,
    Incremental,
}

impl PullMode {
    fn as_str(self) -> &'static str {
        match self {
            PullMode::Full => "full",
            PullMode::Incremental => "incremental",
        }
    }
}

/// Where a pull stream stands (sync-perf-anchors.md §1.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub connection_id: ConnectionId,
    pub entity: String,
    pub run_id: i64,
    pub mode: String,
    /// The last page applied (0 before the first). Resume by re-fetching this page (pages
    /// overlap by one: §1.4) and continuing after it.
    pub page_no: u32,
    pub page_size: u32,
    pub order_by: Option<String>,
    pub high_watermark: Option<String>,
    /// What the provider reported as the total (Halo `record_count`, Syncro
    /// `meta.total_entries`), for the end-of-pass count check.
    pub remote_total: Option<u64>,
    /// Distinct remote ids seen so far in this run (full passes).
    pub seen: u64,
    pub started_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
}

/// One page as a provider client returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledPage {
    pub run_id: i64,
    pub page_no: u32,
    pub assets: Vec<RemoteAsset>,
    pub remote_total: Option<u64>,
    pub high_watermark: Option<String>,
}

/// What applying a page did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageOutcome {
    pub inserted: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Assets with local edits queued: not overwritten; their pulled state waits in
    /// `remote_pending` (see [`Store::remote_pending`]) for the engine's three-way merge.
    pub deferred: Vec<AssetId>,
    /// Rows skipped because we deleted them after this run started (a stale page).
    pub stale_skipped: u32,
    /// Parent links resolved after this page.
    pub parents_resolved: u32,
}

/// What completing a pass did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PassOutcome {
    /// True when the sweep ran (full pass whose count check passed).
    pub swept: bool,
    pub seen: u64,
    /// Rows missing from this pass (first or later miss).
    pub missed: u64,
    /// Rows tombstoned now (second consecutive miss).
    pub tombstoned: Vec<AssetId>,
    /// Rows missing twice that have local edits: not tombstoned; the engine checks them with
    /// a GET and, on 404, makes an "edited here, deleted there" conflict (§1.6).
    pub missing_with_local_edits: Vec<AssetId>,
}

/// What [`Store::tombstone_remote`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "asset_id")]
pub enum TombstoneOutcome {
    Tombstoned(AssetId),
    /// The asset has queued local edits; nothing was deleted.
    HasLocalEdits(AssetId),
    /// Not cached (or already deleted).
    NotCached,
}

/// blake3 over everything a pull writes, so identical content is detected without reading
/// the row back.
pub(crate) fn content_hash(remote: &RemoteAsset, facts: &str, raw: &str) -> Result<[u8; 32]> {
    let fields = serde_json::to_vec(&remote.fields).map_err(StoreError::json("asset fields"))?;
    let mut h = blake3::Hasher::new();
    h.update(&(fields.len() as u64).to_le_bytes());
    h.update(&fields);
    h.update(&(facts.len() as u64).to_le_bytes());
    h.update(facts.as_bytes());
    h.update(&(raw.len() as u64).to_le_bytes());
    h.update(raw.as_bytes());
    h.update(&remote.parent_remote_id.unwrap_or(i64::MIN).to_le_bytes());
    if let Some(t) = remote.updated_at {
        h.update(t.to_rfc3339().as_bytes());
    }
    Ok(*h.finalize().as_bytes())
}

fn read_checkpoint(r: &rusqlite::Row<'_>) -> rusqlite::Result<Checkpoint> {
    Ok(Checkpoint {
        connection_id: ConnectionId(r.get(0)?),
        entity: r.get(1)?,
        run_id: r.get(2)?,
        mode: r.get(3)?,
        page_no: r.get(4)?,
        page_size: r.get(5)?,
        order_by: r.get(6)?,
        high_watermark: r.get(7)?,
        remote_total: r
            .get::<_, Option<i64>>(8)?
            .and_then(|v| u64::try_from(v).ok()),
        seen: r.get::<_, i64>(9).map(|v| u64::try_from(v).unwrap_or(0))?,
        started_at: r.get(10)?,
        updated_at: r.get(11)?,
        completed_at: r.get(12)?,
    })
}

const CHECKPOINT_COLS: &str = "connection_id, entity, run_id, mode, page_no, page_size, order_by, \
    high_watermark, remote_total, seen, started_at, updated_at, completed_at";

fn checkpoint_of_run(db: &Connection, run_id: i64) -> Result<Checkpoint> {
    let sql = format!("SELECT {CHECKPOINT_COLS} FROM pull_checkpoints WHERE run_id = ?1");
    db.prepare_cached(&sql)?
        .query_row([run_id], read_checkpoint)
        .optional()?
        .ok_or_else(|| {
            StoreError::InvalidState(format!(
                "pull run {run_id} is unknown or was superseded; begin a new pull"
            ))
        })
}

impl Store {
    /// Starts (or resumes) the asset pull of a connection. An unfinished run of the same mode
    /// is returned as is, so a restarted app continues where it stopped.
    pub fn begin_pull(
        &self,
        connection: &ConnectionId,
        mode: PullMode,
        page_size: u32,
        order_by: Option<&str>,
    ) -> Result<Checkpoint> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            crate::lookups::kind_of(&tx, connection)?;
            let sql = format!(
                "SELECT {CHECKPOINT_COLS} FROM pull_checkpoints WHERE connection_id = ?1 AND entity = ?2"
            );
            let existing = tx
                .prepare_cached(&sql)?
                .query_row(params![connection.0, ASSETS_ENTITY], read_checkpoint)
                .optional()?;
            if let Some(cp) = existing
                && cp.completed_at.is_none()
                && cp.mode == mode.as_str()
            {
                return Ok(cp);
            }
            let now = now_ms();
            tx.execute(
                "DELETE FROM pull_seen WHERE run_id IN (SELECT run_id FROM pull_runs WHERE connection_id = ?1)",
                [&connection.0],
            )?;
            tx.execute(
                "INSERT INTO pull_runs(connection_id, started_at) VALUES (?1, ?2)",
                params![connection.0, now],
            )?;
            let run_id = tx.last_insert_rowid();
            tx.execute(
                "INSERT OR REPLACE INTO pull_checkpoints(connection_id, entity, run_id, mode, page_no, \
                 page_size, order_by, high_watermark, remote_total, seen, started_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, NULL, NULL, 0, ?7, ?7)",
                params![connection.0, ASSETS_ENTITY, run_id, mode.as_str(), page_size, order_by, now],
            )?;
            let cp = checkpoint_of_run(&tx, run_id)?;
            tx.commit()?;
            Ok(cp)
        })
    }

    /// The asset checkpoint of a connection, if a pull ever started.
    pub fn checkpoint(&self, connection: &ConnectionId) -> Result<Option<Checkpoint>> {
        self.read(|db| {
            let sql = format!(
                "SELECT {CHECKPOINT_COLS} FROM pull_checkpoints WHERE connection_id = ?1 AND entity = ?2"
            );
            Ok(db.prepare_cached(&sql)?.query_row(params![connection.0, ASSETS_ENTITY], read_checkpoint).optional()?)
        })
    }

    /// Applies one pulled page and advances the checkpoint, in one transaction. See the
    /// module docs for what happens to unchanged, locally edited and tombstoned rows.
    pub fn apply_pulled_page(&self, page: &PulledPage) -> Result<PageOutcome> {
        self.apply_pulled_pages(std::slice::from_ref(page))
    }

    /// Applies several pages of one run, in order, in ONE transaction; the checkpoint ends
    /// at the last page. The engine's writer hands over every page that arrived while the
    /// previous commit ran: one page per commit when the API is the bottleneck (the usual
    /// case, sync-perf-anchors.md §3.7), bigger batches when pages arrive faster than they
    /// commit (sandbox, imports) — fewer commits and fewer small FTS segments (§3.1).
    pub fn apply_pulled_pages(&self, pages: &[PulledPage]) -> Result<PageOutcome> {
        self.write(|db| {
            db.pragma_update(None, "synchronous", "NORMAL")?;
            let out = apply_pages(db, pages);
            db.pragma_update(None, "synchronous", "FULL")?;
            out
        })
    }

    /// Ends a pass. For a full pass whose count check passed (`count_ok`: distinct ids seen
    /// match the provider's total, §1.4), rows not seen get a miss; a second consecutive miss
    /// tombstones them (§1.6). An incomplete pass sweeps nothing.
    pub fn complete_pull(&self, run_id: i64, count_ok: bool) -> Result<PassOutcome> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let cp = checkpoint_of_run(&tx, run_id)?;
            let conn = cp.connection_id.0.clone();
            let now = now_ms();
            let mut out = PassOutcome { seen: cp.seen, ..Default::default() };
            if cp.mode == PullMode::Full.as_str() && count_ok {
                out.swept = true;
                tx.execute(
                    "UPDATE assets SET missed_passes = 0 WHERE connection_id = ?1 AND missed_passes > 0 \
                     AND remote_id IN (SELECT remote_id FROM pull_seen WHERE run_id = ?2)",
                    params![conn, run_id],
                )?;
                out.missed = tx.execute(
                    "UPDATE assets SET missed_passes = missed_passes + 1 WHERE connection_id = ?1 \
                     AND remote_id IS NOT NULL AND deleted_at IS NULL AND NOT EXISTS \
                     (SELECT 1 FROM pull_seen s WHERE s.run_id = ?2 AND s.remote_id = assets.remote_id)",
                    params![conn, run_id],
                )? as u64;
                let gone: Vec<(i64, i64, String)> = tx
                    .prepare(
                        "SELECT id, remote_id, sync_state FROM assets WHERE connection_id = ?1 \
                         AND missed_passes >= 2 AND deleted_at IS NULL AND remote_id IS NOT NULL",
                    )?
                    .query_map([&conn], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<_, _>>()?;
                for (id, remote_id, state) in gone {
                    if state == "synced" {
                        tombstone(&tx, &conn, id, remote_id, "missing_from_full_pass", now)?;
                        out.tombstoned.push(AssetId(id));
                    } else {
                        out.missing_with_local_edits.push(AssetId(id));
                    }
                }
            }
            tx.execute("DELETE FROM pull_seen WHERE run_id = ?1", [run_id])?;
            merge_step(&tx, COMPLETE_PULL_MERGE_PAGES)?;
            tx.execute("UPDATE pull_checkpoints SET completed_at = ?2, updated_at = ?2 WHERE run_id = ?1", params![run_id, now])?;
            tx.execute("UPDATE pull_runs SET completed_at = ?2 WHERE run_id = ?1", params![run_id, now])?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Tombstones a remote asset at once (a 404 on GET or PUT is proof of a delete, §1.6).
    /// An asset with queued local edits is left alone and reported.
    pub fn tombstone_remote(
        &self,
        connection: &ConnectionId,
        remote_id: i64,
        reason: &str,
    ) -> Result<TombstoneOutcome> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row: Option<(i64, String, bool)> = tx
                .prepare_cached(
                    "SELECT id, sync_state, deleted_at IS NOT NULL FROM assets WHERE connection_id = ?1 AND remote_id = ?2",
                )?
                .query_row(params![connection.0, remote_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let out = match row {
                None | Some((_, _, true)) => TombstoneOutcome::NotCached,
                Some((id, state, false)) if state != "synced" => TombstoneOutcome::HasLocalEdits(AssetId(id)),
                Some((id, _, false)) => {
                    tombstone(&tx, &connection.0, id, remote_id, reason, now_ms())?;
                    TombstoneOutcome::Tombstoned(AssetId(id))
                }
            };
            tx.commit()?;
            Ok(out)
        })
    }

    /// Merges search-index segments, at most `budget_pages` pages per index; returns true
    /// while work remains. Pulls write small segments cheaply (automerge off, and since
    /// schema v2 forced "crisis" merges only at 64 segments per level: migrations/0002);
    /// this is the "merge later" half (sync-perf-anchors.md §3.1/§3.2): `complete_pull` runs
    /// one step, and the engine calls it in a loop when idle so queries see few segments.
    /// Each call is one short write transaction, so edits never wait long behind it.
    pub fn merge_search_index(&self, budget_pages: u32) -> Result<bool> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let more = merge_step(&tx, budget_pages)?;
            tx.commit()?;
            Ok(more)
        })
    }

    /// Physically removes rows tombstoned before `older_than_ms` (and their tombstones).
    pub fn purge_tombstones(&self, older_than_ms: i64) -> Result<u64> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE assets SET parent_id = NULL WHERE parent_id IN (SELECT id FROM assets \
                 WHERE deleted_at < ?1 AND delete_reason <> 'local' AND sync_state = 'synced')",
                [older_than_ms],
            )?;
            let n = tx.execute(
                "DELETE FROM assets WHERE deleted_at < ?1 AND delete_reason <> 'local' AND sync_state = 'synced'",
                [older_than_ms],
            )?;
            tx.execute("DELETE FROM tombstones WHERE deleted_at < ?1", [older_than_ms])?;
            tx.commit()?;
            Ok(n as u64)
        })
    }

    /// The remote state a pull brought in while local edits were queued (for the merge).
    pub fn remote_pending(&self, asset: AssetId) -> Result<Option<RemoteAsset>> {
        self.read(|db| {
            let text: Option<String> = db
                .prepare_cached("SELECT remote_pending FROM assets WHERE id = ?1")?
                .query_row([asset.0], |r| r.get(0))
                .optional()?
                .flatten();
            text.map(|t| serde_json::from_str(&t).map_err(StoreError::json("pending remote state")))
                .transpose()
        })
    }
}

/// One bounded FTS5 'merge' per index; FTS5 documents that a total-changes delta under 2
/// means there was nothing left to merge.
fn merge_step(db: &Connection, budget_pages: u32) -> Result<bool> {
    let mut more = false;
    for table in ["assets_fts", "assets_trigram"] {
        let before: i64 = db.query_row("SELECT total_changes()", [], |r| r.get(0))?;
        db.execute(
            &format!("INSERT INTO {table}({table}, rank) VALUES ('merge', ?1)"),
            [budget_pages],
        )?;
        let after: i64 = db.query_row("SELECT total_changes()", [], |r| r.get(0))?;
        more |= after - before >= 2;
    }
    Ok(more)
}

/// Merge budget (pages per index) of the step `complete_pull` runs.
const COMPLETE_PULL_MERGE_PAGES: u32 = 200;

fn tombstone(
    db: &Connection,
    conn: &str,
    id: i64,
    remote_id: i64,
    reason: &str,
    now: i64,
) -> Result<()> {
    db.prepare_cached("UPDATE assets SET deleted_at = ?2, delete_reason = ?3 WHERE id = ?1")?
        .execute(params![id, now, reason])?;
    unindex(db, id)?;
    db.prepare_cached(
        "INSERT OR REPLACE INTO tombstones(connection_id, remote_id, asset_id, deleted_at, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![conn, remote_id, id, now, reason])?;
    feed(db, ChangeOrigin::Sync, "asset", Some(id), "delete")?;
    Ok(())
}

struct Existing {
    id: i64,
    hash: Option<Vec<u8>>,
    sync_state: String,
    deleted_at: Option<i64>,
}

/// Above this many changed rows in one commit, the feed gets one "many assets changed" entry
/// instead of one per row (the UI refetches visible pages either way).
const FEED_ROWS_PER_COMMIT: usize = 64;

fn apply_pages(db: &mut Connection, pages: &[PulledPage]) -> Result<PageOutcome> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut out = PageOutcome::default();
    let mut changed: Vec<(i64, &'static str)> = Vec::new();
    let mut search = IndexQueue::default();
    for page in pages {
        apply_page(&tx, page, &mut out, &mut changed, &mut search)?;
    }
    if changed.len() <= FEED_ROWS_PER_COMMIT {
        for (id, kind) in changed {
            feed(&tx, ChangeOrigin::Sync, "asset", Some(id), kind)?;
        }
    } else {
        feed(&tx, ChangeOrigin::Sync, "asset", None, "bulk")?;
    }
    // Last: after this, nothing in the transaction makes FTS5 flush early (IndexQueue docs).
    search.apply(&tx)?;
    tx.commit()?;
    Ok(out)
}

fn apply_page<'a>(
    tx: &Connection,
    page: &'a PulledPage,
    out: &mut PageOutcome,
    changed: &mut Vec<(i64, &'static str)>,
    search: &mut IndexQueue<'a>,
) -> Result<()> {
    let cp = checkpoint_of_run(tx, page.run_id)?;
    if cp.completed_at.is_some() {
        return Err(StoreError::InvalidState(format!(
            "pull run {} is already complete",
            page.run_id
        )));
    }
    let conn = cp.connection_id.0.as_str();
    let full = cp.mode == PullMode::Full.as_str();
    let mut seen_new: u64 = 0;
    // Remote ids inserted on this page, whose waiting children are linked after the loop.
    let mut inserted: Vec<i64> = Vec::new();
    let insert_sql = format!(
        "INSERT INTO assets(connection_id, remote_id, parent_remote_id, parent_id, facts, raw, \
         remote_updated_at, content_hash, {}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {})",
        crate::rows::FIELD_COLUMNS.join(", "),
        (9..30)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let update_sql = format!(
        "UPDATE assets SET parent_remote_id = ?2, parent_id = ?3, facts = ?4, raw = ?5, \
         remote_updated_at = ?6, content_hash = ?7, missed_passes = 0, deleted_at = NULL, \
         delete_reason = NULL, remote_pending = NULL, {} WHERE id = ?1",
        crate::rows::field_assignments(8)
    );
    {
        let mut find = tx.prepare_cached(
            "SELECT id, content_hash, sync_state, deleted_at FROM assets WHERE connection_id = ?1 AND remote_id = ?2",
        )?;
        let mut find_id =
            tx.prepare_cached("SELECT id FROM assets WHERE connection_id = ?1 AND remote_id = ?2")?;
        let mut seen = tx
            .prepare_cached("INSERT OR IGNORE INTO pull_seen(run_id, remote_id) VALUES (?1, ?2)")?;
        let mut tomb = tx.prepare_cached(
            "SELECT deleted_at FROM tombstones WHERE connection_id = ?1 AND remote_id = ?2",
        )?;
        for remote in &page.assets {
            if full {
                seen_new += seen.execute(params![page.run_id, remote.remote_id])? as u64;
            }
            let existing = find
                .query_row(params![conn, remote.remote_id], |r| {
                    Ok(Existing {
                        id: r.get(0)?,
                        hash: r.get(1)?,
                        sync_state: r.get(2)?,
                        deleted_at: r.get(3)?,
                    })
                })
                .optional()?;
            let facts =
                serde_json::to_string(&remote.facts).map_err(StoreError::json("asset facts"))?;
            let raw = serde_json::to_string(&remote.raw).map_err(StoreError::json("raw asset"))?;
            let hash = content_hash(remote, &facts, &raw)?;
            if let Some(e) = &existing {
                if e.sync_state != "synced" {
                    if e.hash.as_deref() != Some(hash.as_slice()) {
                        let json = serde_json::to_string(remote)
                            .map_err(StoreError::json("pending remote state"))?;
                        tx.prepare_cached("UPDATE assets SET remote_pending = ?2 WHERE id = ?1")?
                            .execute(params![e.id, json])?;
                    }
                    out.deferred.push(AssetId(e.id));
                    continue;
                }
                if e.deleted_at.is_some() {
                    let deleted_at: Option<i64> = tomb
                        .query_row(params![conn, remote.remote_id], |r| r.get(0))
                        .optional()?;
                    // A delete newer than this run's start: the page predates it (stale).
                    if deleted_at.unwrap_or(i64::MIN) >= cp.started_at {
                        out.stale_skipped += 1;
                        continue;
                    }
                    tx.prepare_cached(
                        "DELETE FROM tombstones WHERE connection_id = ?1 AND remote_id = ?2",
                    )?
                    .execute(params![conn, remote.remote_id])?;
                } else if e.hash.as_deref() == Some(hash.as_slice()) {
                    out.unchanged += 1;
                    continue;
                }
            }
            let parent_id: Option<i64> = match remote.parent_remote_id {
                Some(p) => find_id
                    .query_row(params![conn, p], |r| r.get(0))
                    .optional()?,
                None => None,
            };
            let j = FieldJson::of(&remote.fields)?;
            let users = users_text(tx, conn, &remote.fields, &remote.facts)?;
            let hash_ref: &[u8] = &hash;
            match existing {
                None => {
                    let mut p: Vec<&dyn ToSql> = vec![
                        &conn,
                        &remote.remote_id,
                        &remote.parent_remote_id,
                        &parent_id,
                        &facts,
                        &raw,
                        &remote.updated_at,
                        &hash_ref,
                    ];
                    p.extend(field_params(&remote.fields, &j));
                    tx.prepare_cached(&insert_sql)?.execute(p.as_slice())?;
                    let id = tx.last_insert_rowid();
                    search.push(id, &remote.fields, users, true);
                    changed.push((id, "insert"));
                    inserted.push(remote.remote_id);
                    out.inserted += 1;
                }
                Some(e) => {
                    let mut p: Vec<&dyn ToSql> = vec![
                        &e.id,
                        &remote.parent_remote_id,
                        &parent_id,
                        &facts,
                        &raw,
                        &remote.updated_at,
                        &hash_ref,
                    ];
                    p.extend(field_params(&remote.fields, &j));
                    tx.prepare_cached(&update_sql)?.execute(p.as_slice())?;
                    search.push(e.id, &remote.fields, users, e.deleted_at.is_some());
                    changed.push((e.id, "update"));
                    out.updated += 1;
                }
            }
        }
    }
    if !inserted.is_empty() {
        out.parents_resolved += adopt_waiting_children(tx, conn, &inserted, changed)?;
    }
    tx.prepare_cached(
        "UPDATE pull_checkpoints SET page_no = ?2, seen = seen + ?3, \
         remote_total = coalesce(?4, remote_total), high_watermark = coalesce(?5, high_watermark), \
         updated_at = ?6 WHERE run_id = ?1",
    )?
    .execute(params![
        page.run_id,
        page.page_no,
        if full {
            seen_new
        } else {
            page.assets.len() as u64
        } as i64,
        page.remote_total
            .map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
        page.high_watermark,
        now_ms()
    ])?;
    Ok(())
}

/// `?1` connection, `?2` JSON array of parent remote ids. Written so the planner probes
/// `assets_unresolved_parent` once per id (`parent_remote_id IN (…)`; an extra
/// `IS NOT NULL` term would turn that into a range scan; `adopt_probes_the_partial_index`).
const ADOPT_SQL: &str = "UPDATE assets SET parent_id = \
     (SELECT p.id FROM assets p WHERE p.connection_id = ?1 AND p.remote_id = assets.parent_remote_id) \
     WHERE connection_id = ?1 AND parent_remote_id IN (SELECT value FROM json_each(?2)) \
     AND parent_id IS NULL AND sync_state = 'synced' RETURNING id";

/// Links the children waiting for the parents inserted on a page (parents can come later in
/// the pass than their children). One statement per page rather than one per inserted row:
/// a multi-row UPDATE opens a statement journal, which is not free (and, before the search
/// writes were queued, flushed FTS5's pending index: see `IndexQueue`). Probes the partial
/// index of unresolved links once per inserted remote id.
fn adopt_waiting_children(
    db: &Connection,
    conn: &str,
    parents: &[i64],
    changed: &mut Vec<(i64, &'static str)>,
) -> Result<u32> {
    let parents = serde_json::to_string(parents).map_err(StoreError::json("parent ids"))?;
    let ids: Vec<i64> = db
        .prepare_cached(ADOPT_SQL)?
        .query_map(params![conn, parents], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    changed.extend(ids.iter().map(|id| (*id, "update")));
    Ok(ids.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::ADOPT_SQL;

    /// A plan that scanned every unresolved child (or every asset) per page would make
    /// pulls with many parent links quadratic.
    #[test]
    fn adopt_probes_the_partial_index() {
        let mut db = rusqlite::Connection::open_in_memory().expect("memory db");
        crate::migrate::migrate(&mut db).expect("schema");
        let plan: Vec<String> = db
            .prepare(&format!("EXPLAIN QUERY PLAN {ADOPT_SQL}"))
            .expect("plan")
            .query_map(rusqlite::params!["c", "[1, 2]"], |r| r.get(3))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("plan rows");
        let plan = plan.join("\n");
        assert!(
            plan.contains("assets_unresolved_parent (connection_id=? AND parent_remote_id=?)"),
            "{plan}"
        );
        assert!(
            plan.contains("assets_remote (connection_id=? AND remote_id=?)"),
            "{plan}"
        );
    }
}
