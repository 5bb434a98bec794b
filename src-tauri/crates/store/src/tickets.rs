//! Tickets about an asset: a per-asset cache of the provider's tickets and a durable queue of
//! "create ticket for this asset" requests.
//!
//! A create is queued first, always, in one `BEGIN IMMEDIATE` transaction with its journal
//! line, so it works offline and survives a crash (DESIGN.md invariant 2). The sync engine then
//! marks it in flight (committed *before* the POST), and done (with the remote ticket id, which
//! also enters the cache) or failed. Neither HaloPSA nor Syncro offers an idempotency key
//! (sync-perf-anchors.md §1.3), so an entry found in flight is searched for at the provider
//! before any resend; that decision lives in the sync crate.

use assetdesk_domain::{AssetId, ConnectionId, RemoteId, Ticket};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::rows::{journal, now_ms};
use crate::types::ChangeOrigin;

/// Longest summary accepted; both providers show the summary as a one-line title.
pub const MAX_TICKET_SUMMARY: usize = 200;

/// Where a queued ticket create stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketQueueState {
    /// Waiting for the next sync (offline, or the asset has no remote id yet).
    Pending,
    /// Marked before the request was sent; found like this later, the outcome is unknown.
    InFlight,
    /// The provider refused it; needs the user (see `last_error`).
    Failed,
    /// Created; `remote_ticket_id` says which ticket.
    Done,
}

impl TicketQueueState {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketQueueState::Pending => "pending",
            TicketQueueState::InFlight => "in_flight",
            TicketQueueState::Failed => "failed",
            TicketQueueState::Done => "done",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => TicketQueueState::Pending,
            "in_flight" => TicketQueueState::InFlight,
            "failed" => TicketQueueState::Failed,
            "done" => TicketQueueState::Done,
            other => {
                return Err(StoreError::InvalidState(format!(
                    "ticket queue state {other:?} is unknown; the cache file was edited by hand"
                )));
            }
        })
    }
}

/// One ticket create request, as queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedTicket {
    pub client_op_id: String,
    pub asset_id: AssetId,
    pub connection_id: ConnectionId,
    pub summary: String,
    pub details: String,
    pub state: TicketQueueState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub remote_ticket_id: Option<RemoteId>,
    /// Unix ms when the user asked for it.
    pub created_at: i64,
}

/// A provider ticket linked to an asset, as last fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedTicket {
    pub remote_id: RemoteId,
    pub summary: String,
    pub status: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    /// Unix ms of the refresh that brought it.
    pub fetched_at: i64,
}

/// What the detail panel shows: the cached tickets (newest first) and the creates not done yet
/// (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AssetTickets {
    pub tickets: Vec<CachedTicket>,
    pub queued: Vec<QueuedTicket>,
}

const QUEUE_COLS: &str = "client_op_id, asset_id, connection_id, summary, details, state, \
    attempts, last_error, remote_ticket_id, created_at";

fn queued_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(QueuedTicket, String)> {
    Ok((
        QueuedTicket {
            client_op_id: r.get(0)?,
            asset_id: AssetId(r.get(1)?),
            connection_id: ConnectionId(r.get(2)?),
            summary: r.get(3)?,
            details: r.get(4)?,
            state: TicketQueueState::Pending,
            attempts: u32::try_from(r.get::<_, i64>(6)?).unwrap_or(u32::MAX),
            last_error: r.get(7)?,
            remote_ticket_id: r.get(8)?,
            created_at: r.get(9)?,
        },
        r.get(5)?,
    ))
}

fn finish((mut q, state): (QueuedTicket, String)) -> Result<QueuedTicket> {
    q.state = TicketQueueState::parse(&state)?;
    Ok(q)
}

fn queued_where(
    db: &Connection,
    filter: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<QueuedTicket>> {
    let sql = format!(
        "SELECT {QUEUE_COLS} FROM ticket_queue WHERE {filter} ORDER BY created_at, client_op_id"
    );
    let rows: Vec<(QueuedTicket, String)> = db
        .prepare_cached(&sql)?
        .query_map(p, queued_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(finish).collect()
}

fn queued_one(db: &Connection, client_op_id: &str) -> Result<QueuedTicket> {
    let row = db
        .prepare_cached(&format!(
            "SELECT {QUEUE_COLS} FROM ticket_queue WHERE client_op_id = ?1"
        ))?
        .query_row([client_op_id], queued_row)
        .optional()?
        .ok_or_else(|| StoreError::UnknownOp(client_op_id.to_owned()))?;
    finish(row)
}

fn insert_cached(db: &Connection, asset_id: i64, t: &Ticket, now: i64) -> Result<()> {
    db.prepare_cached(
        "INSERT INTO asset_tickets(asset_id, remote_id, summary, status, opened_at, fetched_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(asset_id, remote_id) DO UPDATE SET summary = excluded.summary, \
         status = excluded.status, opened_at = excluded.opened_at, fetched_at = excluded.fetched_at",
    )?
    .execute(params![
        asset_id,
        t.remote_id,
        t.summary,
        t.status,
        t.opened_at.map(|d| d.to_rfc3339()),
        now
    ])?;
    Ok(())
}

impl Store {
    /// Queues "create a ticket about this asset" (works offline). One `BEGIN IMMEDIATE`
    /// transaction: the queue entry and a journal line, so the asset's history shows the
    /// request before it is sent. The summary is required (both providers reject a blank
    /// one: halopsa-api.md §5.1, syncro-api.md §4.3).
    pub fn queue_ticket(
        &self,
        asset_id: AssetId,
        summary: &str,
        details: &str,
        actor: &str,
    ) -> Result<QueuedTicket> {
        let summary = summary.trim();
        if summary.is_empty() {
            return Err(StoreError::InvalidState(
                "summary: a ticket needs a summary; type what the problem is".into(),
            ));
        }
        if summary.chars().count() > MAX_TICKET_SUMMARY {
            return Err(StoreError::InvalidState(format!(
                "summary: at most {MAX_TICKET_SUMMARY} characters; move the rest into the details"
            )));
        }
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let connection: String = tx
                .prepare_cached(
                    "SELECT connection_id FROM assets WHERE id = ?1 AND deleted_at IS NULL",
                )?
                .query_row([asset_id.0], |r| r.get(0))
                .optional()?
                .ok_or(StoreError::UnknownAsset(asset_id))?;
            let op_id = uuid::Uuid::now_v7().to_string();
            let now = now_ms();
            tx.prepare_cached(
                "INSERT INTO ticket_queue(client_op_id, asset_id, connection_id, summary, details, \
                 state, attempts, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)",
            )?
            .execute(params![
                op_id, asset_id.0, connection, summary, details, now
            ])?;
            journal(
                &tx,
                asset_id.0,
                actor,
                ChangeOrigin::User,
                "ticket_queued",
                // The journal's `{field: {"from", "to"}}` shape, so the panel renders it as a change.
                &json!({ "ticket": { "from": null, "to": summary } }),
                Some(&op_id),
                false,
            )?;
            let q = queued_one(&tx, &op_id)?;
            tx.commit()?;
            Ok(q)
        })
    }

    /// The asset's cached tickets (newest first) and its ticket creates not done yet.
    pub fn asset_tickets(&self, asset_id: AssetId) -> Result<AssetTickets> {
        self.read(|db| {
            let tickets = db
                .prepare_cached(
                    "SELECT remote_id, summary, status, opened_at, fetched_at FROM asset_tickets \
                     WHERE asset_id = ?1 ORDER BY opened_at IS NULL, opened_at DESC, remote_id DESC",
                )?
                .query_map([asset_id.0], |r| {
                    let opened: Option<String> = r.get(3)?;
                    Ok(CachedTicket {
                        remote_id: r.get(0)?,
                        summary: r.get(1)?,
                        status: r.get(2)?,
                        opened_at: opened
                            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                            .map(|d| d.with_timezone(&Utc)),
                        fetched_at: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let queued = queued_where(db, "asset_id = ?1 AND state <> 'done'", &[&asset_id.0])?;
            Ok(AssetTickets { tickets, queued })
        })
    }

    /// Replaces the asset's cached tickets with a fresh listing, in one transaction.
    pub fn replace_asset_tickets(&self, asset_id: AssetId, tickets: &[Ticket]) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached("DELETE FROM asset_tickets WHERE asset_id = ?1")?
                .execute([asset_id.0])?;
            let now = now_ms();
            for t in tickets {
                insert_cached(&tx, asset_id.0, t, now)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// The creates of one connection still to send or settle (pending and in flight), oldest
    /// first, so tickets reach the provider in the order they were asked for.
    pub fn open_ticket_creates(&self, connection: &ConnectionId) -> Result<Vec<QueuedTicket>> {
        self.read(|db| {
            queued_where(
                db,
                "connection_id = ?1 AND state IN ('pending', 'in_flight')",
                &[&connection.0],
            )
        })
    }

    /// One queue entry by its client op id.
    pub fn queued_ticket(&self, client_op_id: &str) -> Result<QueuedTicket> {
        self.read(|db| queued_one(db, client_op_id))
    }

    /// Remote ticket ids already adopted by done creates of an asset: a reconcile search must
    /// not adopt one of them a second time.
    pub fn adopted_ticket_ids(&self, asset_id: AssetId) -> Result<Vec<RemoteId>> {
        self.read(|db| {
            Ok(db
                .prepare_cached(
                    "SELECT remote_ticket_id FROM ticket_queue \
                     WHERE asset_id = ?1 AND state = 'done' AND remote_ticket_id IS NOT NULL",
                )?
                .query_map([asset_id.0], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Marks a pending entry in flight, committed *before* the request is sent
    /// (sync-perf-anchors.md §1.3 step 2), and counts the attempt.
    pub fn mark_ticket_in_flight(&self, client_op_id: &str) -> Result<QueuedTicket> {
        self.set_ticket_state(client_op_id, &["pending", "in_flight"], |tx| {
            tx.prepare_cached(
                "UPDATE ticket_queue SET state = 'in_flight', attempts = attempts + 1, \
                 updated_at = ?2 WHERE client_op_id = ?1",
            )?
            .execute(params![client_op_id, now_ms()])?;
            Ok(())
        })
    }

    /// Records the created ticket: the entry is done, the ticket enters the asset's cache and
    /// the journal says it was synced — one transaction.
    pub fn mark_ticket_done(&self, client_op_id: &str, ticket: &Ticket) -> Result<QueuedTicket> {
        self.set_ticket_state(client_op_id, &["pending", "in_flight"], |tx| {
            let now = now_ms();
            let asset_id: i64 = tx
                .prepare_cached("SELECT asset_id FROM ticket_queue WHERE client_op_id = ?1")?
                .query_row([client_op_id], |r| r.get(0))?;
            tx.prepare_cached(
                "UPDATE ticket_queue SET state = 'done', remote_ticket_id = ?2, last_error = NULL, \
                 updated_at = ?3 WHERE client_op_id = ?1",
            )?
            .execute(params![client_op_id, ticket.remote_id, now])?;
            insert_cached(tx, asset_id, ticket, now)?;
            journal(
                tx,
                asset_id,
                "sync",
                ChangeOrigin::Sync,
                "ticket_created",
                &json!({ "ticket": { "from": null, "to": format!("#{} {}", ticket.remote_id, ticket.summary) } }),
                Some(client_op_id),
                true,
            )?;
            Ok(())
        })
    }

    /// Records a failed attempt. `retryable` (offline, timeout, rate limit, an unsettled
    /// outcome): back to pending for the next sync. Otherwise (the provider refused it):
    /// `failed` until the user retries it.
    pub fn mark_ticket_failed(
        &self,
        client_op_id: &str,
        error: &str,
        retryable: bool,
    ) -> Result<QueuedTicket> {
        let state = if retryable { "pending" } else { "failed" };
        self.set_ticket_state(client_op_id, &["pending", "in_flight"], |tx| {
            tx.prepare_cached(
                "UPDATE ticket_queue SET state = ?2, last_error = ?3, updated_at = ?4 \
                 WHERE client_op_id = ?1",
            )?
            .execute(params![client_op_id, state, error, now_ms()])?;
            Ok(())
        })
    }

    /// Puts a failed entry back in the queue (the user fixed what the provider refused).
    pub fn retry_ticket(&self, client_op_id: &str) -> Result<QueuedTicket> {
        self.set_ticket_state(client_op_id, &["failed"], |tx| {
            tx.prepare_cached(
                "UPDATE ticket_queue SET state = 'pending', updated_at = ?2 WHERE client_op_id = ?1",
            )?
            .execute(params![client_op_id, now_ms()])?;
            Ok(())
        })
    }

    fn set_ticket_state(
        &self,
        client_op_id: &str,
        allowed_from: &[&str],
        change: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<QueuedTicket> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let before = queued_one(&tx, client_op_id)?;
            if !allowed_from.contains(&before.state.as_str()) {
                return Err(StoreError::InvalidState(format!(
                    "ticket request {client_op_id} is {}; only {} entries can change this way",
                    before.state.as_str(),
                    allowed_from.join(" or ")
                )));
            }
            change(&tx)?;
            let after = queued_one(&tx, client_op_id)?;
            tx.commit()?;
            Ok(after)
        })
    }
}
