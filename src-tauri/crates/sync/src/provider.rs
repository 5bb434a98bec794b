//! The one provider interface the engine drives, and its two implementations over the
//! HaloPSA and Syncro clients.
//!
//! The engine is generic over [`Provider`] (static dispatch, no trait objects): production
//! code uses [`Remote`], an enum over the two clients; tests wrap a provider to inject page
//! drift or count calls. Every error is reduced to a neutral [`RemoteError`] that says what
//! the engine should do next — retry later, treat the record as deleted, show a "needs
//! attention" item, report "offline" — and whether a failed write *may have been applied*
//! (DESIGN.md invariant 4).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use assetdesk_domain::{
    AssetField, AssetFields, NewTicket, Patch, ProviderKind, RemoteAsset, RemoteId, Ticket,
};
use assetdesk_halo::{AssetQuery as HaloQuery, CandidateQuery, HaloClient, HaloError, PageCursor};
use assetdesk_store::Lookups;
use assetdesk_syncro::{
    AssetChange, AssetCursor, AssetQuery as SyncroQuery, MatchKind, NewAsset, ReconcileProbe,
    SyncroClient,
};

/// What kind of failure a provider call ended with: decides the engine's next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RemoteErrorKind {
    /// The request never left (no network, DNS, connection refused): ops stay queued and the
    /// connection is reported offline.
    Offline,
    /// Timeout, dropped connection, 5xx, unreadable answer: retry later.
    Transient,
    /// 429 through the client's retry budget: retry after the wait.
    RateLimited,
    /// The record does not exist (deleted remotely): proof of a delete (sync-perf-anchors.md §1.6).
    NotFound,
    /// The provider refused the write (4xx validation): a "needs attention" item.
    Rejected,
    /// Credentials or permissions: nothing will work until the user fixes the connection.
    Auth,
    /// The provider cannot do this at all (Syncro has no asset delete, syncro-api.md §3.1).
    Unsupported,
}

/// A provider failure in neutral terms. The message never contains a secret: both client
/// crates redact tokens from their errors.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct RemoteError {
    pub kind: RemoteErrorKind,
    pub message: String,
    /// True when a write that failed this way may nevertheless have landed (timeout after
    /// send, dropped connection, 5xx after send). A create must then be reconciled by
    /// searching the remote before any retry.
    pub may_have_applied: bool,
    pub retry_after: Option<Duration>,
}

impl RemoteError {
    /// Whether trying again later, unchanged, can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            RemoteErrorKind::Offline | RemoteErrorKind::Transient | RemoteErrorKind::RateLimited
        )
    }
}

impl From<HaloError> for RemoteError {
    fn from(e: HaloError) -> Self {
        let may_have_applied = e.may_have_applied();
        let (kind, retry_after) = match &e {
            HaloError::Connection { sent: false, .. } => (RemoteErrorKind::Offline, None),
            HaloError::RateLimited { retry_after } => (RemoteErrorKind::RateLimited, *retry_after),
            HaloError::NotFound { .. } => (RemoteErrorKind::NotFound, None),
            HaloError::Validation { .. } => (RemoteErrorKind::Rejected, None),
            HaloError::Auth(_) | HaloError::PermissionMissing { .. } | HaloError::Settings(_) => {
                (RemoteErrorKind::Auth, None)
            }
            HaloError::Server { .. }
            | HaloError::Timeout(_)
            | HaloError::Connection { .. }
            | HaloError::Protocol(_) => (RemoteErrorKind::Transient, None),
        };
        RemoteError {
            kind,
            message: e.to_string(),
            may_have_applied,
            retry_after,
        }
    }
}

impl From<assetdesk_syncro::Error> for RemoteError {
    fn from(e: assetdesk_syncro::Error) -> Self {
        use assetdesk_syncro::{Applied, Error};
        let may_have_applied = e.may_have_been_applied();
        let (kind, retry_after) = match &e {
            Error::Connection {
                applied: Applied::No,
                ..
            } => (RemoteErrorKind::Offline, None),
            Error::RateLimited { retry_after } => (RemoteErrorKind::RateLimited, *retry_after),
            Error::NotFound { .. } => (RemoteErrorKind::NotFound, None),
            Error::Validation(_) | Error::Http { .. } => (RemoteErrorKind::Rejected, None),
            Error::Auth { .. } | Error::Settings(_) => (RemoteErrorKind::Auth, None),
            Error::NotSupported { .. } => (RemoteErrorKind::Unsupported, None),
            Error::Server { .. }
            | Error::Timeout { .. }
            | Error::Connection { .. }
            | Error::Decode { .. }
            | Error::CreatedWithoutProperties { .. } => (RemoteErrorKind::Transient, None),
        };
        RemoteError {
            kind,
            message: e.to_string(),
            may_have_applied,
            retry_after,
        }
    }
}

/// One page of a full asset listing. Cursors are opaque strings (each provider serialises
/// its own), so the engine can checkpoint them with the page (sync-perf-anchors.md §1.4).
#[derive(Debug, Clone)]
pub struct RemotePage {
    pub items: Vec<RemoteAsset>,
    /// Where to continue; `None` after the last page.
    pub next: Option<String>,
    /// Total rows the provider reports (Halo `record_count`, Syncro `meta.total_entries`),
    /// for the end-of-pass count check.
    pub total: Option<u64>,
    /// Total pages, when the provider says (for "page n of m" progress).
    pub total_pages: Option<u32>,
}

/// How sure a reconcile candidate is to be the result of our create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchStrength {
    /// The create's marker (its `client_op_id`) is on the record: certainly ours.
    Marker,
    /// Same client, name and serial.
    NaturalKey,
    /// Same client and name, no serial to compare.
    NameOnly,
}

/// A remote record that may be the result of an earlier create whose outcome is unknown.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub strength: MatchStrength,
    pub asset: RemoteAsset,
}

/// What the engine needs from a PSA. Futures are `Send` so connections sync on any runtime
/// thread, in parallel.
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;
    /// Clients, sites, people, asset types and statuses, in full.
    fn lookups(&self) -> impl Future<Output = Result<Lookups, RemoteError>> + Send;
    /// The cursor of the first page of a full, id-ordered asset listing.
    fn first_cursor(&self) -> String;
    fn assets_page(
        &self,
        cursor: &str,
    ) -> impl Future<Output = Result<RemotePage, RemoteError>> + Send;
    /// `Ok(None)` when the record does not exist.
    fn get_asset(
        &self,
        id: RemoteId,
    ) -> impl Future<Output = Result<Option<RemoteAsset>, RemoteError>> + Send;
    /// Creates an asset carrying `marker` where the provider can hold it (see
    /// [`Provider::find_created`]). Never retried by the client after it may have been sent.
    fn create_asset(
        &self,
        fields: &AssetFields,
        marker: &str,
    ) -> impl Future<Output = Result<RemoteAsset, RemoteError>> + Send;
    /// Sends exactly the fields in `patch`; returns the record as the provider now has it.
    fn update_asset(
        &self,
        id: RemoteId,
        patch: &Patch,
    ) -> impl Future<Output = Result<RemoteAsset, RemoteError>> + Send;
    fn set_parent(
        &self,
        id: RemoteId,
        parent: Option<RemoteId>,
    ) -> impl Future<Output = Result<RemoteAsset, RemoteError>> + Send;
    /// Already gone counts as done.
    fn delete_asset(&self, id: RemoteId) -> impl Future<Output = Result<(), RemoteError>> + Send;
    /// Records that may be the result of creating `fields` with `marker`, strongest first.
    fn find_created(
        &self,
        fields: &AssetFields,
        marker: &str,
    ) -> impl Future<Output = Result<Vec<Candidate>, RemoteError>> + Send;
    /// Fields a listed record does not carry (their values are defaults, not the provider's):
    /// the pull keeps the cached values for them instead of clearing them.
    fn absent_fields(&self, listed: &RemoteAsset) -> Vec<AssetField>;
    /// Tickets linked to the asset `asset`, newest first. `client` is the asset's client
    /// (Syncro can only list tickets per customer, syncro-api.md §4.3).
    fn asset_tickets(
        &self,
        asset: RemoteId,
        client: Option<RemoteId>,
    ) -> impl Future<Output = Result<Vec<Ticket>, RemoteError>> + Send;
    /// Opens a ticket linked to the asset `asset` (at `site`, where the provider has sites).
    /// Never retried by the client after it may have been sent: neither provider takes an
    /// idempotency key (sync-perf-anchors.md §1.3), so the caller settles an unknown outcome
    /// with [`Provider::asset_tickets`] first.
    fn create_ticket(
        &self,
        asset: RemoteId,
        site: Option<RemoteId>,
        ticket: &NewTicket,
    ) -> impl Future<Output = Result<Ticket, RemoteError>> + Send;
}

/// How many of a customer's newest tickets a Syncro lookup reads in detail to find those
/// linked to an asset (list items carry no `asset_ids`, syncro-api.md §4.3): bounds the cost
/// to 2 list pages + this many GETs.
const SYNCRO_TICKET_DETAILS: usize = 10;

/// A configured provider: the production implementation of [`Provider`].
#[derive(Debug, Clone)]
pub enum Remote {
    Halo(Arc<HaloClient>),
    Syncro(Arc<SyncroClient>),
}

fn bad_cursor(what: &str, e: &serde_json::Error) -> RemoteError {
    RemoteError {
        kind: RemoteErrorKind::Transient,
        message: format!(
            "the saved {what} page cursor is unreadable ({e}); the pull restarts from page 1"
        ),
        may_have_applied: false,
        retry_after: None,
    }
}

impl Provider for Remote {
    fn kind(&self) -> ProviderKind {
        match self {
            Remote::Halo(_) => ProviderKind::Halo,
            Remote::Syncro(_) => ProviderKind::Syncro,
        }
    }

    async fn lookups(&self) -> Result<Lookups, RemoteError> {
        match self {
            Remote::Halo(c) => Ok(Lookups {
                clients: c.clients().await?,
                sites: c.sites(None).await?,
                people: c.users(None).await?,
                types: c.asset_types().await?,
                statuses: c.asset_statuses().await?,
            }),
            // syncro-api.md §3.5: types come from /settings; Syncro has no sites or statuses.
            Remote::Syncro(c) => Ok(Lookups {
                clients: c.customers().await?,
                sites: vec![],
                people: c.contacts(None).await?,
                types: c.asset_types().await?,
                statuses: vec![],
            }),
        }
    }

    fn first_cursor(&self) -> String {
        let json = match self {
            Remote::Halo(_) => serde_json::to_string(&PageCursor::default()),
            Remote::Syncro(c) => serde_json::to_string(&c.first_cursor()),
        };
        json.unwrap_or_default()
    }

    async fn assets_page(&self, cursor: &str) -> Result<RemotePage, RemoteError> {
        match self {
            Remote::Halo(c) => {
                let at: PageCursor =
                    serde_json::from_str(cursor).map_err(|e| bad_cursor("HaloPSA", &e))?;
                // halopsa-api.md §4.2: inactive assets too, or a full pass would "miss" them.
                let q = HaloQuery {
                    active_only: false,
                    ..HaloQuery::default()
                };
                let page = c.assets_page(&q, at).await?;
                // The server may cap the page size below what was asked: a full page's item
                // count is the real size ("page 12 of 7" otherwise).
                let asked = u64::from(c.settings().page_size.max(1));
                let size = match page.items.len() {
                    0 => asked,
                    n if page.next.is_some() => n as u64,
                    n => asked.max(n as u64),
                };
                Ok(RemotePage {
                    items: page.items,
                    next: page.next.and_then(|n| serde_json::to_string(&n).ok()),
                    total: Some(page.record_count),
                    total_pages: u32::try_from(page.record_count.div_ceil(size)).ok(),
                })
            }
            Remote::Syncro(c) => {
                let at: AssetCursor =
                    serde_json::from_str(cursor).map_err(|e| bad_cursor("Syncro", &e))?;
                let page = c.assets_page(&SyncroQuery::default(), at).await?;
                Ok(RemotePage {
                    items: page.items,
                    next: page.next.and_then(|n| serde_json::to_string(&n).ok()),
                    total: page.total_entries,
                    total_pages: page.total_pages,
                })
            }
        }
    }

    async fn get_asset(&self, id: RemoteId) -> Result<Option<RemoteAsset>, RemoteError> {
        match self {
            Remote::Halo(c) => Ok(c.get_asset(id).await?),
            Remote::Syncro(c) => Ok(c.get_asset(id).await?),
        }
    }

    async fn create_asset(
        &self,
        fields: &AssetFields,
        marker: &str,
    ) -> Result<RemoteAsset, RemoteError> {
        match self {
            // HaloPSA: no field is reserved for a marker without touching user-visible data
            // (the notes), so Halo creates are reconciled by client + name + serial.
            Remote::Halo(c) => Ok(c.create_asset(fields, None).await?),
            // Syncro: the marker goes into the mapped "AssetDesk ID" custom field when the
            // account has one (syncro README "Create marker"); else serial, then name.
            Remote::Syncro(c) => {
                let new = NewAsset {
                    fields: fields.clone(),
                    parent: None,
                    marker: Some(marker.to_owned()),
                };
                Ok(c.create_asset(&new).await?)
            }
        }
    }

    async fn update_asset(&self, id: RemoteId, patch: &Patch) -> Result<RemoteAsset, RemoteError> {
        match self {
            Remote::Halo(c) => Ok(c.update_asset(id, patch).await?),
            Remote::Syncro(c) => {
                let change = AssetChange {
                    patch: patch.clone(),
                    parent: None,
                };
                Ok(c.update_asset(id, &change).await?)
            }
        }
    }

    async fn set_parent(
        &self,
        id: RemoteId,
        parent: Option<RemoteId>,
    ) -> Result<RemoteAsset, RemoteError> {
        match self {
            Remote::Halo(c) => Ok(c.set_parent(id, parent).await?),
            Remote::Syncro(c) => {
                let change = AssetChange {
                    patch: Patch::new(),
                    parent: Some(parent),
                };
                Ok(c.update_asset(id, &change).await?)
            }
        }
    }

    async fn delete_asset(&self, id: RemoteId) -> Result<(), RemoteError> {
        match self {
            Remote::Halo(c) => Ok(c.delete_asset(id).await?),
            Remote::Syncro(c) => Ok(c.delete_asset(id).await?),
        }
    }

    async fn find_created(
        &self,
        fields: &AssetFields,
        marker: &str,
    ) -> Result<Vec<Candidate>, RemoteError> {
        let natural = |a: &RemoteAsset| match (&fields.serial, &a.fields.serial) {
            (Some(_), Some(_)) => MatchStrength::NaturalKey,
            _ => MatchStrength::NameOnly,
        };
        match self {
            Remote::Halo(c) => {
                let q = CandidateQuery {
                    marker: None,
                    client_id: fields.client_id,
                    name: Some(fields.name.clone()),
                    serial: fields.serial.clone().filter(|s| !s.trim().is_empty()),
                };
                let found = c.find_candidates(&q).await?;
                Ok(found
                    .into_iter()
                    .map(|a| Candidate {
                        strength: natural(&a),
                        asset: a,
                    })
                    .collect())
            }
            Remote::Syncro(c) => {
                let probe = ReconcileProbe {
                    customer_id: fields.client_id,
                    name: fields.name.clone(),
                    serial: fields.serial.clone().filter(|s| !s.trim().is_empty()),
                    marker: Some(marker.to_owned()),
                };
                let found = c.find_candidates(&probe).await?;
                Ok(found
                    .into_iter()
                    .filter_map(|cand| {
                        let strength = match cand.matched_by {
                            MatchKind::Marker => MatchStrength::Marker,
                            // syncro-api.md §3.4: serials are unique per account, but the name
                            // must agree too before we call it ours.
                            MatchKind::Serial
                                if cand
                                    .asset
                                    .fields
                                    .name
                                    .trim()
                                    .eq_ignore_ascii_case(fields.name.trim()) =>
                            {
                                MatchStrength::NaturalKey
                            }
                            MatchKind::Serial => return None,
                            MatchKind::Name => match (&fields.serial, &cand.asset.fields.serial) {
                                (Some(a), Some(b)) if a.trim().eq_ignore_ascii_case(b.trim()) => {
                                    MatchStrength::NaturalKey
                                }
                                (Some(_), Some(_)) => return None,
                                _ => MatchStrength::NameOnly,
                            },
                        };
                        Some(Candidate {
                            strength,
                            asset: cand.asset,
                        })
                    })
                    .collect())
            }
        }
    }

    fn absent_fields(&self, listed: &RemoteAsset) -> Vec<AssetField> {
        match self {
            // halopsa-api.md §4.2 / spec `Device_List`: list rows lack notes and users.
            Remote::Halo(_) => assetdesk_halo::absent_fields(&listed.raw),
            Remote::Syncro(_) => vec![],
        }
    }

    async fn asset_tickets(
        &self,
        asset: RemoteId,
        client: Option<RemoteId>,
    ) -> Result<Vec<Ticket>, RemoteError> {
        match self {
            // halopsa-api.md §5: `GET /Tickets?asset_id=` filters by linked asset.
            Remote::Halo(c) => {
                let mut tickets = c.asset_tickets(asset).await?;
                tickets.sort_by_key(|t| std::cmp::Reverse((t.opened_at, t.remote_id)));
                Ok(tickets)
            }
            Remote::Syncro(c) => match client {
                Some(customer) => Ok(c
                    .asset_tickets(asset, customer, SYNCRO_TICKET_DETAILS)
                    .await?),
                None => Err(no_client("list its tickets")),
            },
        }
    }

    async fn create_ticket(
        &self,
        asset: RemoteId,
        site: Option<RemoteId>,
        ticket: &NewTicket,
    ) -> Result<Ticket, RemoteError> {
        match self {
            // halopsa-api.md §5.1: `assets: [{id}]`, with the asset's site.
            Remote::Halo(c) => Ok(c.create_ticket(asset, site, ticket).await?),
            // syncro-api.md §4.3: `asset_ids: [id]`; Syncro has no sites.
            Remote::Syncro(c) => Ok(c.create_ticket(asset, ticket).await?),
        }
    }
}

/// A ticket request for an asset without a client: both providers require one
/// (halopsa-api.md §5.1 `client_id`; syncro-api.md §4.3 `customer_id` is required).
fn no_client(what: &str) -> RemoteError {
    RemoteError {
        kind: RemoteErrorKind::Rejected,
        message: format!(
            "client: the asset has no client, so AssetDesk cannot {what}; set the asset's client and sync"
        ),
        may_have_applied: false,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halo_errors_say_what_to_do_next() {
        let e: RemoteError = HaloError::Connection {
            message: "refused".into(),
            sent: false,
        }
        .into();
        assert_eq!(
            (e.kind, e.may_have_applied),
            (RemoteErrorKind::Offline, false)
        );
        let e: RemoteError = HaloError::Connection {
            message: "reset".into(),
            sent: true,
        }
        .into();
        assert_eq!(
            (e.kind, e.may_have_applied),
            (RemoteErrorKind::Transient, true)
        );
        let e: RemoteError = HaloError::Timeout(Duration::from_secs(30)).into();
        assert!(e.may_have_applied && e.is_retryable());
        let e: RemoteError = HaloError::Validation { errors: vec![] }.into();
        assert_eq!(
            (e.kind, e.is_retryable()),
            (RemoteErrorKind::Rejected, false)
        );
        let e: RemoteError = HaloError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        }
        .into();
        assert_eq!(
            (e.kind, e.retry_after),
            (RemoteErrorKind::RateLimited, Some(Duration::from_secs(3)))
        );
        let e: RemoteError = HaloError::NotFound {
            entity: "asset",
            id: 4,
        }
        .into();
        assert_eq!(e.kind, RemoteErrorKind::NotFound);
    }

    #[test]
    fn syncro_errors_say_what_to_do_next() {
        use assetdesk_syncro::{Applied, Error};
        let e: RemoteError = Error::Connection {
            detail: "refused".into(),
            applied: Applied::No,
        }
        .into();
        assert_eq!(e.kind, RemoteErrorKind::Offline);
        let e: RemoteError = Error::Server {
            status: 502,
            message: "bad gateway".into(),
            applied: Applied::Maybe,
        }
        .into();
        assert_eq!(
            (e.kind, e.may_have_applied),
            (RemoteErrorKind::Transient, true)
        );
        let e: RemoteError = Error::NotSupported {
            operation: "delete asset",
            reason: "no API".into(),
        }
        .into();
        assert_eq!(
            (e.kind, e.is_retryable()),
            (RemoteErrorKind::Unsupported, false)
        );
        let e: RemoteError = Error::Auth {
            message: "Not authorized".into(),
        }
        .into();
        assert_eq!(e.kind, RemoteErrorKind::Auth);
    }
}
