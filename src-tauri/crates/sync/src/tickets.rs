//! Tickets about an asset: the detail panel's list and "Create ticket for this asset".
//!
//! A create is always queued in the cache first ([`Workspace::create_ticket_for_asset`]), so
//! it works offline and a crash cannot lose it; the engine sends the queue after the asset
//! pushes of each sync ([`push_ticket_queue`]), so a ticket about an asset created offline
//! waits until the asset has its remote id.
//!
//! **Exactly once.** Neither HaloPSA nor Syncro accepts an idempotency key on `POST` tickets
//! (halopsa-api.md §5.1, syncro-api.md §4.3; sync-perf-anchors.md §1.3: "a stable identifier
//! that can be looked up before creating again"). The entry is committed `in_flight` before the
//! POST and its `client_op_id` is written into the ticket's details as a reference line. An
//! entry found in flight (a crash, or a send whose outcome is unknown) is never sent blindly:
//! the asset's tickets are listed first and one with the same summary, opened no earlier than
//! the request (less clock skew) and not already adopted by another request is adopted.
//! The neutral [`Ticket`] carries no details (Syncro keeps them as a comment that ticket
//! lists do not return), so the match is on summary and time, not on the reference line.

use assetdesk_domain::{AssetId, NewTicket, RemoteId, Ticket};
use assetdesk_store::{
    AssetTickets, CachedTicket, QueuedTicket, Store, StoreError, TicketQueueState,
};
use serde::Serialize;
use specta::Type;

use crate::editing::EditError;
use crate::provider::{Provider, RemoteError, RemoteErrorKind};
use crate::workspace::Workspace;

/// How far a provider's clock may lag ours when matching an interrupted create by time.
const CLOCK_SKEW_MS: i64 = 10 * 60 * 1000;

/// Where a queued ticket stands, for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TicketRequestState {
    /// Waiting for the next sync (offline, or the asset is not created remotely yet).
    Queued,
    /// Being sent, or sent with an unknown outcome (settled by the next sync).
    Sending,
    /// The provider refused it; `lastError` says why.
    Failed,
    /// Created at the provider.
    Created,
}

impl From<TicketQueueState> for TicketRequestState {
    fn from(s: TicketQueueState) -> Self {
        match s {
            TicketQueueState::Pending => TicketRequestState::Queued,
            TicketQueueState::InFlight => TicketRequestState::Sending,
            TicketQueueState::Failed => TicketRequestState::Failed,
            TicketQueueState::Done => TicketRequestState::Created,
        }
    }
}

/// A ticket create request as the detail panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TicketRequest {
    pub client_op_id: String,
    pub asset_id: i64,
    pub summary: String,
    pub details: String,
    pub state: TicketRequestState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub remote_ticket_id: Option<i64>,
    /// Unix ms when it was asked for.
    pub created_at: i64,
}

impl From<QueuedTicket> for TicketRequest {
    fn from(q: QueuedTicket) -> Self {
        TicketRequest {
            client_op_id: q.client_op_id,
            asset_id: q.asset_id.0,
            summary: q.summary,
            details: q.details,
            state: q.state.into(),
            attempts: q.attempts,
            last_error: q.last_error,
            remote_ticket_id: q.remote_ticket_id,
            created_at: q.created_at,
        }
    }
}

/// A provider ticket linked to the asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetTicket {
    pub remote_id: i64,
    pub summary: String,
    pub status: Option<String>,
    /// RFC 3339, UTC.
    pub opened_at: Option<String>,
}

impl From<CachedTicket> for AssetTicket {
    fn from(t: CachedTicket) -> Self {
        AssetTicket {
            remote_id: t.remote_id,
            summary: t.summary,
            status: t.status,
            opened_at: t.opened_at.map(|d| d.to_rfc3339()),
        }
    }
}

/// The detail panel's ticket section: the cached tickets (newest first), the requests not
/// created yet, and how fresh the list is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetTicketList {
    pub tickets: Vec<AssetTicket>,
    pub queued: Vec<TicketRequest>,
    /// Unix ms of the refresh the cached tickets come from; `None`: never fetched.
    pub fetched_at: Option<i64>,
    /// Why the online refresh did not happen (offline, no permission), if it was tried.
    pub refresh_error: Option<String>,
}

impl AssetTicketList {
    fn from_store(t: AssetTickets, refresh_error: Option<String>) -> Self {
        AssetTicketList {
            fetched_at: t.tickets.iter().map(|t| t.fetched_at).max(),
            tickets: t.tickets.into_iter().map(Into::into).collect(),
            queued: t.queued.into_iter().map(Into::into).collect(),
            refresh_error,
        }
    }
}

/// What one pass over the ticket queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketPushReport {
    /// Tickets created now.
    pub created: u32,
    /// Interrupted creates found at the provider and adopted instead of being sent again.
    pub adopted: u32,
    /// Waiting for their asset's create to reach the provider.
    pub waiting: u32,
    /// Refused by the provider (need the user).
    pub failed: u32,
    /// Left for the next sync (offline, rate limited, outcome still unknown).
    pub deferred: u32,
}

impl Workspace {
    /// The asset's tickets as cached, and its ticket requests not created yet. Never touches
    /// the network: the panel renders this at once, offline too.
    pub fn asset_tickets(&self, asset_id: i64) -> Result<AssetTicketList, EditError> {
        let t = self.store().asset_tickets(AssetId(asset_id))?;
        Ok(AssetTicketList::from_store(t, None))
    }

    /// Fetches the asset's tickets from the provider and replaces the cached ones, then
    /// returns the list. A provider failure is not an error: the cached list comes back with
    /// `refresh_error` saying why it may be stale.
    pub async fn refresh_asset_tickets<P: Provider>(
        &self,
        asset_id: i64,
        provider: &P,
    ) -> Result<AssetTicketList, EditError> {
        let record = self.store().asset(AssetId(asset_id))?;
        let refresh_error = match record.asset.remote_id {
            None => None,
            Some(remote) => match provider
                .asset_tickets(remote, record.asset.fields.client_id)
                .await
            {
                Ok(tickets) => {
                    self.store()
                        .replace_asset_tickets(AssetId(asset_id), &tickets)?;
                    None
                }
                Err(e) => Some(e.message),
            },
        };
        let t = self.store().asset_tickets(AssetId(asset_id))?;
        Ok(AssetTicketList::from_store(t, refresh_error))
    }

    /// "Create ticket for this asset": queued in the cache (with a journal line naming
    /// `actor`) and sent by the next sync, so it works offline. Returns the queued request.
    pub fn create_ticket_for_asset(
        &self,
        asset_id: i64,
        summary: &str,
        details: &str,
        actor: &str,
    ) -> Result<TicketRequest, EditError> {
        Ok(self
            .store()
            .queue_ticket(AssetId(asset_id), summary, details, actor)?
            .into())
    }

    /// Puts a refused ticket request back in the queue for the next sync.
    pub fn retry_ticket(&self, client_op_id: &str) -> Result<TicketRequest, EditError> {
        Ok(self.store().retry_ticket(client_op_id)?.into())
    }
}

/// The details sent to the provider: the user's text and a reference line naming the
/// request, so a person (or support) can tie the ticket to its request in the journal.
pub fn details_with_reference(details: &str, client_op_id: &str) -> String {
    let reference = format!("Sent by AssetDesk (request {client_op_id})");
    if details.trim().is_empty() {
        reference
    } else {
        format!("{}\n\n{reference}", details.trim_end())
    }
}

/// Sends the ticket queue of `connection`, oldest first. Called by the engine after the
/// asset pushes of a sync, so tickets about assets created in the same sync have their
/// remote asset id. Stops early (leaving the rest queued) when the provider is unreachable;
/// only a cache failure is an error.
pub async fn push_ticket_queue<P: Provider>(
    store: &Store,
    provider: &P,
    connection: &assetdesk_domain::ConnectionId,
) -> Result<TicketPushReport, StoreError> {
    let mut report = TicketPushReport::default();
    for q in store.open_ticket_creates(connection)? {
        let record = match store.asset(q.asset_id) {
            Ok(r) if !r.deleted => r,
            Ok(_) | Err(StoreError::UnknownAsset(_)) => {
                store.mark_ticket_failed(
                    &q.client_op_id,
                    "asset: the asset was deleted before its ticket could be created",
                    false,
                )?;
                report.failed += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        let Some(remote_asset) = record.asset.remote_id else {
            // Its create is still in the outbox: the ticket waits for it.
            report.waiting += 1;
            continue;
        };
        let client = record.asset.fields.client_id;
        if q.state == TicketQueueState::InFlight {
            match find_created(store, provider, &q, remote_asset, client).await {
                Ok(Some(ticket)) => {
                    store.mark_ticket_done(&q.client_op_id, &ticket)?;
                    report.adopted += 1;
                    continue;
                }
                // Not there: the earlier send never landed, so sending now is safe.
                Ok(None) => {}
                Err(e) => {
                    if settle_failure(store, &q, &e, true, &mut report)? {
                        return Ok(report);
                    }
                    continue;
                }
            }
        }
        let Some(client_id) = client else {
            store.mark_ticket_failed(
                &q.client_op_id,
                "client: the asset has no client, and tickets need one; set the asset's client, then retry",
                false,
            )?;
            report.failed += 1;
            continue;
        };
        let q = store.mark_ticket_in_flight(&q.client_op_id)?;
        let new = NewTicket {
            client_id,
            summary: q.summary.clone(),
            details: details_with_reference(&q.details, &q.client_op_id),
        };
        match provider
            .create_ticket(remote_asset, record.asset.fields.site_id, &new)
            .await
        {
            Ok(ticket) => {
                store.mark_ticket_done(&q.client_op_id, &ticket)?;
                report.created += 1;
            }
            Err(e) if e.may_have_applied => {
                // Settle at once if the provider answers a search; else the entry stays in
                // flight and the next sync searches before any resend.
                match find_created(store, provider, &q, remote_asset, client).await {
                    Ok(Some(ticket)) => {
                        store.mark_ticket_done(&q.client_op_id, &ticket)?;
                        report.adopted += 1;
                    }
                    Ok(None) => {
                        store.mark_ticket_failed(&q.client_op_id, &e.message, true)?;
                        report.deferred += 1;
                    }
                    Err(_) => {
                        report.deferred += 1;
                        if e.kind == RemoteErrorKind::Offline {
                            return Ok(report);
                        }
                    }
                }
            }
            Err(e) => {
                if settle_failure(store, &q, &e, false, &mut report)? {
                    return Ok(report);
                }
            }
        }
    }
    Ok(report)
}

/// Records a provider failure for one request. `keep_in_flight`: the request's outcome is
/// still unknown, so a retryable failure must leave it in flight (searched before a resend).
/// Returns whether the pass should stop (the provider is unreachable or refuses us).
fn settle_failure(
    store: &Store,
    q: &QueuedTicket,
    e: &RemoteError,
    keep_in_flight: bool,
    report: &mut TicketPushReport,
) -> Result<bool, StoreError> {
    if e.is_retryable() {
        if !keep_in_flight {
            store.mark_ticket_failed(&q.client_op_id, &e.message, true)?;
        }
        report.deferred += 1;
    } else {
        store.mark_ticket_failed(&q.client_op_id, &e.message, false)?;
        report.failed += 1;
    }
    Ok(matches!(
        e.kind,
        RemoteErrorKind::Offline | RemoteErrorKind::RateLimited | RemoteErrorKind::Auth
    ))
}

/// The ticket an interrupted request created, if the provider has it: same summary, opened
/// no earlier than the request (less [`CLOCK_SKEW_MS`]), not adopted by another request of
/// the asset; the oldest such ticket wins (sync-perf-anchors.md §1.3).
async fn find_created<P: Provider>(
    store: &Store,
    provider: &P,
    q: &QueuedTicket,
    remote_asset: RemoteId,
    client: Option<RemoteId>,
) -> Result<Option<Ticket>, RemoteError> {
    let tickets = provider.asset_tickets(remote_asset, client).await?;
    let adopted = store
        .adopted_ticket_ids(q.asset_id)
        .map_err(|e| RemoteError {
            kind: RemoteErrorKind::Transient,
            message: e.to_string(),
            may_have_applied: false,
            retry_after: None,
        })?;
    let earliest = q.created_at - CLOCK_SKEW_MS;
    Ok(tickets
        .into_iter()
        .filter(|t| t.summary.trim() == q.summary.trim())
        .filter(|t| t.opened_at.is_none_or(|o| o.timestamp_millis() >= earliest))
        .filter(|t| !adopted.contains(&t.remote_id))
        .min_by_key(|t| (t.opened_at, t.remote_id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_line_follows_the_details() {
        assert_eq!(
            details_with_reference("Fan is loud\n", "op-1"),
            "Fan is loud\n\nSent by AssetDesk (request op-1)"
        );
        assert_eq!(
            details_with_reference("  ", "op-2"),
            "Sent by AssetDesk (request op-2)"
        );
    }

    #[test]
    fn queue_states_map_to_what_the_panel_says() {
        assert_eq!(
            TicketRequestState::from(TicketQueueState::Pending),
            TicketRequestState::Queued
        );
        assert_eq!(
            TicketRequestState::from(TicketQueueState::InFlight),
            TicketRequestState::Sending
        );
        assert_eq!(
            TicketRequestState::from(TicketQueueState::Done),
            TicketRequestState::Created
        );
    }
}
