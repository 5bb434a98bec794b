//! One sync of one connection: lookups → reconcile → push → pull.
//!
//! * **Reconcile first.** An op found `in_flight` (a crash or an ambiguous failure left it)
//!   has an unknown outcome. A create is settled by searching the provider for it
//!   ([`Provider::find_created`]) *before* any retry (DESIGN.md invariant 4,
//!   sync-perf-anchors.md §1.3 step 4); other ops are idempotent and simply go back to the
//!   queue. If the search itself fails, the sync stops before pushing or pulling anything,
//!   so a pull cannot cache the created record under a second local id first.
//! * **Push** (§1.1, §1.2): ops in order per record; the op is marked in flight (committed)
//!   before its request; an update GETs the remote, merges three-way against the base
//!   ([`crate::merge::three_way`]), sends only the local-only changes, and the provider's
//!   answer becomes the new base. Fields changed on both sides become a conflict and nothing
//!   is sent. 4xx → "needs attention" (the op blocks only its own record); 5xx, 429, timeouts
//!   → back to the queue with backoff. A link op waits for its parent's create (the store's
//!   `next_runnable` holds it back).
//! * **Pull** (§1.4–§1.6): lookups, then assets page by page, each page and its checkpoint
//!   in one store transaction (resume re-fetches the checkpointed page: pages overlap by
//!   one); unchanged rows skipped by hash; rows with queued ops never overwritten; deletes by
//!   the two-miss rule over complete, count-checked passes. Neither HaloPSA nor Syncro offers
//!   an "updated since" filter on assets (capability table, halopsa-api.md §4.2,
//!   syncro-api.md §3.2), so every pull is a full pass made cheap by hashing.
//! * **Links the provider cannot hold** ([`crate::links::LinkRule`]; Syncro assets whose type
//!   lacks the parent link field, syncro-api.md §3.6): the link op is acknowledged locally
//!   without a request (sending it could only be refused, and a refused op blocks the
//!   asset's later edits); a pull or an update's answer, which carries no parent for such
//!   an asset, keeps the cached parent instead of clearing it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use assetdesk_domain::{AssetFields, AssetId, ConnectionId, RemoteAsset, RemoteId};
use assetdesk_store::{
    Ack, AssetFilter, ConflictField, Failure, OpPayload, OpState, OutboxOp, PageRequest, PullMode,
    PulledPage, Store, StoreError,
};

use crate::error::ErrorCode;
use crate::links::LinkRule;
use crate::merge::three_way;
use crate::progress::{PullStats, SyncFailure, SyncPhase, SyncProgress, SyncReport, Throttle};
use crate::provider::{Candidate, MatchStrength, Provider, RemoteError, RemoteErrorKind};

/// Tuning of one sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Full passes per sync when the end-of-pass count check fails (page drift): the second
    /// pass usually sees a stable listing (sync-perf-anchors.md §1.4).
    pub max_passes: u32,
    /// Ops pushed per sync at most (the rest wait for the next sync; keeps a sync bounded).
    pub max_ops: usize,
    /// Also pull assets (off: push only, e.g. right after an edit).
    pub pull: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            max_passes: 2,
            max_ops: 100_000,
            pull: true,
        }
    }
}

/// Cooperative cancellation: checked between pages and between ops, never in the middle of
/// a request whose outcome would then be unknown.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why a sync stopped early (internal; surfaces as [`SyncFailure`]).
#[derive(Debug)]
enum Stop {
    Remote(RemoteError),
    Store(StoreError),
    Cancelled,
}

impl From<RemoteError> for Stop {
    fn from(e: RemoteError) -> Self {
        Stop::Remote(e)
    }
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

impl Stop {
    fn failure(&self) -> SyncFailure {
        match self {
            Stop::Remote(e) => SyncFailure {
                code: code_of(e.kind),
                message: e.message.clone(),
            },
            Stop::Store(e) => SyncFailure {
                code: ErrorCode::Database,
                message: e.to_string(),
            },
            Stop::Cancelled => SyncFailure {
                code: ErrorCode::Cancelled,
                message: "the sync was cancelled".into(),
            },
        }
    }

    fn phase(&self) -> SyncPhase {
        match self {
            Stop::Remote(e) if e.kind == RemoteErrorKind::Offline => SyncPhase::Offline,
            Stop::Cancelled => SyncPhase::Cancelled,
            _ => SyncPhase::Failed,
        }
    }
}

pub(crate) fn code_of(kind: RemoteErrorKind) -> ErrorCode {
    match kind {
        RemoteErrorKind::Offline => ErrorCode::Offline,
        RemoteErrorKind::Transient => ErrorCode::Provider,
        RemoteErrorKind::RateLimited => ErrorCode::RateLimited,
        RemoteErrorKind::NotFound => ErrorCode::NotFound,
        RemoteErrorKind::Rejected | RemoteErrorKind::Unsupported => ErrorCode::Validation,
        RemoteErrorKind::Auth => ErrorCode::Auth,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Runs one sync of `connection` against `provider`. Never panics on provider input; every
/// failure ends up in [`SyncReport::error`] with everything committed so far kept.
pub async fn sync_connection<P: Provider>(
    store: &Store,
    provider: &P,
    connection: &ConnectionId,
    options: &SyncOptions,
    cancel: &CancelToken,
    progress: Option<crate::progress::ProgressSink>,
) -> SyncReport {
    let mut run = Run {
        store,
        provider,
        conn: connection,
        options,
        cancel,
        throttle: Throttle::new(progress),
        report: SyncReport {
            connection_id: Some(connection.clone()),
            ..SyncReport::default()
        },
        errors: 0,
        links: None,
    };
    let outcome = run.all().await;
    run.report.queued_ops = run.queued();
    let phase = match &outcome {
        Ok(()) => SyncPhase::Done,
        Err(stop) => {
            run.report.error = Some(stop.failure());
            stop.phase()
        }
    };
    let message = run.report.error.as_ref().map(|e| e.message.clone());
    run.event(phase, None, None, None, message);
    run.report
}

struct Run<'a, P: Provider> {
    store: &'a Store,
    provider: &'a P,
    conn: &'a ConnectionId,
    options: &'a SyncOptions,
    cancel: &'a CancelToken,
    throttle: Throttle,
    report: SyncReport,
    errors: u32,
    /// Where this connection's links live; read once the lookups are refreshed.
    links: Option<LinkRule>,
}

impl<P: Provider> Run<'_, P> {
    fn queued(&self) -> u32 {
        self.store
            .ops(None, false)
            .map(|ops| count(ops.iter().filter(|o| &o.connection_id == self.conn).count()))
            .unwrap_or(0)
    }

    fn event(
        &self,
        phase: SyncPhase,
        entity: Option<&str>,
        page: Option<u32>,
        pages: Option<u32>,
        message: Option<String>,
    ) {
        if !self.throttle.is_due(phase) {
            return;
        }
        let rows = self.report.pull.inserted
            + self.report.pull.updated
            + self.report.pull.unchanged
            + self.report.pull.deferred
            + self.report.push.acked;
        self.throttle.emit(SyncProgress {
            connection_id: self.conn.clone(),
            phase,
            entity: entity.map(str::to_owned),
            page,
            pages,
            rows,
            queued_ops: if phase.is_terminal() {
                self.report.queued_ops
            } else {
                self.queued()
            },
            errors: self.errors,
            message,
        });
    }

    fn check_cancel(&self) -> Result<(), Stop> {
        if self.cancel.is_cancelled() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    async fn all(&mut self) -> Result<(), Stop> {
        self.event(SyncPhase::Lookups, Some("lookups"), None, None, None);
        match self.provider.lookups().await {
            Ok(lookups) => self.store.replace_lookups(self.conn, &lookups)?,
            // Lookups only name things; a transient failure must not hold queued edits back,
            // so the sync goes on with the cached lists (refreshed next time).
            Err(e)
                if matches!(
                    e.kind,
                    RemoteErrorKind::Transient | RemoteErrorKind::RateLimited
                ) =>
            {
                tracing::warn!(error = %e, "sync: lookups not refreshed; using the cached ones");
                self.errors += 1;
            }
            Err(e) => return Err(e.into()),
        }
        self.links = Some(LinkRule::load(self.store, self.conn, self.provider.kind())?);
        self.check_cancel()?;
        self.event(SyncPhase::Reconcile, Some("outbox"), None, None, None);
        self.reconcile_in_flight().await?;
        self.check_cancel()?;
        self.event(SyncPhase::Push, Some("outbox"), None, None, None);
        self.push().await?;
        crate::tickets::push_ticket_queue(self.store, self.provider, self.conn).await?;
        if self.options.pull {
            self.check_cancel()?;
            self.pull().await?;
        }
        Ok(())
    }

    // ----- reconcile ------------------------------------------------------------------

    /// Settles every op of this connection left in flight.
    async fn reconcile_in_flight(&mut self) -> Result<(), Stop> {
        let ops: Vec<OutboxOp> = self
            .store
            .in_flight_ops()?
            .into_iter()
            .filter(|o| &o.connection_id == self.conn)
            .collect();
        for op in ops {
            self.check_cancel()?;
            match &op.payload {
                OpPayload::Create { patch } => {
                    let mut fields = AssetFields::default();
                    fields.apply(patch).map_err(StoreError::from)?;
                    self.reconcile_create(&op, &fields).await?;
                }
                // Updates re-merge against a fresh GET (an applied update then merges as
                // "both sides made the same change"); deletes and links are idempotent.
                _ => self.store.fail(
                    &op.client_op_id,
                    &Failure::Retryable {
                        error: "outcome unknown after an interruption; sent again".into(),
                        retry_at: Some(0),
                    },
                )?,
            }
        }
        Ok(())
    }

    /// Searches the provider for the result of a create whose outcome is unknown: adopts it
    /// if found, else puts the op back to be sent again with the same marker. A failed
    /// search stops the sync (the op stays in flight; the next sync searches again).
    async fn reconcile_create(&mut self, op: &OutboxOp, fields: &AssetFields) -> Result<(), Stop> {
        let candidates = self.provider.find_created(fields, &op.client_op_id).await?;
        match self.pick_candidate(candidates)? {
            Some(remote) => {
                tracing::info!(op = %op.client_op_id, remote_id = remote.remote_id, "reconcile: create had landed; adopting it");
                // A create can land partly (Syncro ignores properties on POST and the client
                // PUTs them after, syncro-api.md §3.4): send what is missing before the ack,
                // so the ack's base holds every field of the create. If that fails the op
                // stays in flight and the next sync reconciles again (finding the same record).
                let missing: assetdesk_domain::Patch = AssetFields::default()
                    .diff(fields)
                    .into_iter()
                    .filter(|(f, v)| &remote.fields.get(f) != v)
                    .collect();
                let remote = if missing.is_empty() {
                    remote
                } else {
                    self.provider
                        .update_asset(remote.remote_id, &missing)
                        .await?
                };
                self.store.ack(
                    &op.client_op_id,
                    &Ack {
                        remote: Some(remote),
                    },
                )?;
                self.report.push.reconciled_adopted += 1;
                self.report.push.acked += 1;
            }
            None => {
                tracing::info!(op = %op.client_op_id, "reconcile: create did not land; sending it again");
                self.store.fail(
                    &op.client_op_id,
                    &Failure::Retryable {
                        error: "the create did not reach the provider; sent again".into(),
                        retry_at: Some(0),
                    },
                )?;
                self.report.push.reconciled_resent += 1;
            }
        }
        Ok(())
    }

    /// The candidate to adopt: a marker match always (even if a pull cached it already — the
    /// store folds that row into ours); a natural-key or name match only if no other local
    /// asset already stands for it (then it is someone else's namesake, not our create).
    fn pick_candidate(&self, mut candidates: Vec<Candidate>) -> Result<Option<RemoteAsset>, Stop> {
        candidates.sort_by_key(|c| c.strength);
        for c in candidates {
            if c.strength == MatchStrength::Marker {
                return Ok(Some(c.asset));
            }
            if self
                .store
                .asset_by_remote(self.conn, c.asset.remote_id)?
                .is_none()
            {
                return Ok(Some(c.asset));
            }
        }
        Ok(None)
    }

    // ----- push -----------------------------------------------------------------------

    async fn push(&mut self) -> Result<(), Stop> {
        let mut pushed = 0usize;
        loop {
            self.check_cancel()?;
            let batch: Vec<OutboxOp> = self
                .store
                .next_runnable(now_ms(), 10_000)?
                .into_iter()
                .filter(|o| &o.connection_id == self.conn)
                .collect();
            if batch.is_empty() || pushed >= self.options.max_ops {
                return Ok(());
            }
            for op in batch {
                self.check_cancel()?;
                pushed += 1;
                self.push_op(op).await?;
                self.event(SyncPhase::Push, Some("outbox"), None, None, None);
            }
        }
    }

    /// Pushes one op. Returns `Err` only when the whole sync must stop (offline, auth, a
    /// create whose outcome could not be settled, a store failure).
    async fn push_op(&mut self, op: OutboxOp) -> Result<(), Stop> {
        if matches!(op.payload, OpPayload::Link { .. }) && self.link_stays_local(op.asset_id)? {
            // syncro-api.md §3.6: the asset's type has no field to hold the link. Sending it
            // could at best be refused (a failed op blocks the asset's later edits) and at
            // worst land where the type does not show it. The link lives in AssetDesk only
            // (the UI says so, `LinkScope`): the ack makes it part of the base, and the pull
            // keeps it (`local_links`).
            tracing::debug!(op = %op.client_op_id, asset = %op.asset_id, "push: the provider cannot hold this link; kept local");
            self.store.ack(&op.client_op_id, &Ack { remote: None })?;
            self.report.push.acked += 1;
            return Ok(());
        }
        let op = self.store.mark_in_flight(&op.client_op_id)?;
        let result = match &op.payload {
            OpPayload::Create { patch } => {
                let mut fields = AssetFields::default();
                fields.apply(patch).map_err(StoreError::from)?;
                match self.provider.create_asset(&fields, &op.client_op_id).await {
                    Ok(remote) => {
                        self.store.ack(
                            &op.client_op_id,
                            &Ack {
                                remote: Some(remote),
                            },
                        )?;
                        self.report.push.acked += 1;
                        return Ok(());
                    }
                    Err(e) if e.may_have_applied => {
                        // sync-perf-anchors.md §1.3 step 4: search before any retry.
                        tracing::info!(op = %op.client_op_id, error = %e, "create outcome unknown; reconciling");
                        return self.reconcile_create(&op, &fields).await;
                    }
                    Err(e) => Err(e),
                }
            }
            OpPayload::Update { patch } => self.push_update(&op, patch).await,
            OpPayload::Delete => match op.remote_id {
                Some(id) => self
                    .provider
                    .delete_asset(id)
                    .await
                    .map(|()| PushOutcome::Acked(None)),
                None => Ok(PushOutcome::Acked(None)),
            },
            OpPayload::Link { .. } => match op.remote_id {
                Some(id) => self
                    .provider
                    .set_parent(id, op.parent_remote_id)
                    .await
                    .map(|r| PushOutcome::Acked(Some(Box::new(r)))),
                None => Err(no_remote_id()),
            },
        };
        match result {
            Ok(PushOutcome::Conflict) => Ok(()),
            Ok(PushOutcome::Acked(remote)) => {
                self.store.ack(
                    &op.client_op_id,
                    &Ack {
                        remote: remote.map(|r| *r),
                    },
                )?;
                self.report.push.acked += 1;
                Ok(())
            }
            Err(e) => self.failed(&op, e),
        }
    }

    /// Records a failed op; stops the sync when nothing else can succeed either.
    fn failed(&mut self, op: &OutboxOp, e: RemoteError) -> Result<(), Stop> {
        self.errors += 1;
        let stop = matches!(e.kind, RemoteErrorKind::Offline | RemoteErrorKind::Auth);
        if e.is_retryable() || e.kind == RemoteErrorKind::Auth {
            let retry_at = e
                .retry_after
                .map(|d| now_ms() + i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2));
            self.store.fail(
                &op.client_op_id,
                &Failure::Retryable {
                    error: e.message.clone(),
                    retry_at,
                },
            )?;
            self.report.push.retry_later += 1;
        } else {
            let error = match e.kind {
                RemoteErrorKind::NotFound => format!(
                    "the asset was deleted in {} while you edited it; discard your change or re-create the asset",
                    self.provider.kind().label()
                ),
                _ => e.message.clone(),
            };
            self.store
                .fail(&op.client_op_id, &Failure::Rejected { error })?;
            self.report.push.rejected += 1;
        }
        if stop { Err(Stop::Remote(e)) } else { Ok(()) }
    }

    /// GET → three-way merge → send only local-only changes (sync-perf-anchors.md §1.2).
    async fn push_update(
        &mut self,
        op: &OutboxOp,
        patch: &assetdesk_domain::Patch,
    ) -> Result<PushOutcome, RemoteError> {
        let Some(id) = op.remote_id else {
            return Err(no_remote_id());
        };
        let Some(mut remote) = self.provider.get_asset(id).await? else {
            return Err(RemoteError {
                kind: RemoteErrorKind::NotFound,
                message: format!("asset {id} not found"),
                may_have_applied: false,
                retry_after: None,
            });
        };
        let base = self
            .store
            .base(op.asset_id)
            .map_err(|e| store_as_remote(&e))?;
        let base_parent = base.as_ref().and_then(|b| b.parent_id);
        self.keep_local_parent(&mut remote, base_parent)
            .map_err(|e| store_as_remote(&e))?;
        let base = base
            .map(|s| s.fields)
            .unwrap_or_else(|| remote.fields.clone());
        let mut local = base.clone();
        if let Err(e) = local.apply(patch) {
            return Err(RemoteError {
                kind: RemoteErrorKind::Rejected,
                message: e.to_string(),
                may_have_applied: false,
                retry_after: None,
            });
        }
        let merge = three_way(&base, &local, &remote.fields);
        self.report.push.fields_taken += count(merge.taken.len());
        if !merge.is_clean() {
            let fields: Vec<ConflictField> = merge
                .conflicts
                .into_iter()
                .map(|c| ConflictField {
                    field: c.field,
                    base: c.base,
                    local: c.local,
                    remote: c.remote,
                })
                .collect();
            tracing::info!(asset = %op.asset_id, n = fields.len(), "push: fields changed on both sides; conflict");
            if let Err(e) = self
                .store
                .record_conflict(&op.client_op_id, &remote, &fields)
            {
                return Err(store_as_remote(&e));
            }
            self.report.push.conflicts += 1;
            return Ok(PushOutcome::Conflict);
        }
        if merge.to_send.is_empty() {
            // Both sides already agree: the remote state is the new base.
            return Ok(PushOutcome::Acked(Some(Box::new(remote))));
        }
        let mut written = self.provider.update_asset(id, &merge.to_send).await?;
        self.keep_local_parent(&mut written, base_parent)
            .map_err(|e| store_as_remote(&e))?;
        Ok(PushOutcome::Acked(Some(Box::new(written))))
    }

    // ----- links the provider cannot hold (syncro-api.md §3.6) ----------------------------

    /// Whether a link of an asset of `type_id` is kept in AssetDesk only.
    fn stays_local(&self, type_id: Option<RemoteId>) -> bool {
        self.links.as_ref().is_some_and(|r| r.stays_local(type_id))
    }

    /// Whether `asset`'s link is kept in AssetDesk only, judged by its cached type (the
    /// same rule the UI shows as `LinkScope::LocalOnly`). Reads the asset only when the
    /// connection has such types at all.
    fn link_stays_local(&self, asset: AssetId) -> Result<bool, StoreError> {
        if !self.links.as_ref().is_some_and(LinkRule::can_stay_local) {
            return Ok(false);
        }
        let type_id = self.store.asset(asset)?.asset.fields.type_id;
        Ok(self.stays_local(type_id))
    }

    /// The provider's answer for an asset whose link stays local carries no parent (it
    /// cannot hold one): give it `parent`'s remote id, so that acknowledging the answer keeps
    /// the link and its content hash matches what the next pull computes (`local_links`).
    fn keep_local_parent(
        &self,
        remote: &mut RemoteAsset,
        parent: Option<AssetId>,
    ) -> Result<(), StoreError> {
        let Some(parent) = parent else {
            return Ok(());
        };
        if remote.parent_remote_id.is_some() || !self.stays_local(remote.fields.type_id) {
            return Ok(());
        }
        let parent = self.store.asset(parent)?;
        if !parent.deleted {
            remote.parent_remote_id = parent.asset.remote_id.filter(|p| *p != remote.remote_id);
        }
        Ok(())
    }

    /// The cached links the provider cannot hold, child remote id → parent remote id, for
    /// the pull to carry into pulled assets (which arrive without a parent and would
    /// otherwise clear it). Read once per pull with one filtered listing — linked assets of
    /// the types concerned only — so a page costs no extra query.
    ///
    /// Limit: a parent not yet created at the provider has no remote id to carry and is
    /// left out. That is harmless while its child's link op waits for the create
    /// (`Store::next_runnable`), because the pull never overwrites a row with queued ops.
    fn local_links(&self) -> Result<HashMap<RemoteId, RemoteId>, StoreError> {
        let mut out = HashMap::new();
        let Some(types) = self.links.as_ref().and_then(|r| r.local_types(self.conn)) else {
            return Ok(out);
        };
        let filter = AssetFilter {
            connections: vec![self.conn.clone()],
            types,
            has_parent: Some(true),
            ..AssetFilter::default()
        };
        let mut request = PageRequest {
            sort: assetdesk_store::Sort {
                key: assetdesk_store::SortKey::Id,
                descending: false,
            },
            after: None,
            limit: 500,
        };
        let mut parents: HashMap<AssetId, Option<RemoteId>> = HashMap::new();
        loop {
            let page = self.store.list_assets(&filter, &request)?;
            for row in page.rows {
                let (Some(child), Some(parent)) = (row.remote_id, row.parent_id) else {
                    continue;
                };
                if !self.stays_local(row.type_id) {
                    continue;
                }
                let parent_remote = match parents.get(&parent) {
                    Some(known) => *known,
                    None => {
                        let p = self.store.asset(parent)?;
                        let r = p.asset.remote_id.filter(|_| !p.deleted);
                        parents.insert(parent, r);
                        r
                    }
                };
                if let Some(p) = parent_remote.filter(|p| *p != child) {
                    out.insert(child, p);
                }
            }
            match page.next {
                Some(next) => request.after = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Gives pulled assets whose link stays local, and which the provider sent without a
    /// parent, their cached parent (see [`Self::local_links`]).
    fn keep_local_links(&self, assets: &mut [RemoteAsset], links: &HashMap<RemoteId, RemoteId>) {
        if links.is_empty() {
            return;
        }
        for a in assets {
            if a.parent_remote_id.is_none()
                && self.stays_local(a.fields.type_id)
                && let Some(p) = links.get(&a.remote_id)
            {
                a.parent_remote_id = Some(*p);
            }
        }
    }

    // ----- pull -----------------------------------------------------------------------

    async fn pull(&mut self) -> Result<(), Stop> {
        let mut stats = PullStats::default();
        let local_links = self.local_links()?;
        for _ in 0..self.options.max_passes.max(1) {
            let count_ok = self.pass(&mut stats, &local_links).await?;
            stats.passes += 1;
            stats.count_ok = count_ok;
            if count_ok {
                break;
            }
        }
        self.report.pull = stats;
        Ok(())
    }

    /// One full pass (resuming an unfinished one). Returns whether its count check passed.
    async fn pass(
        &mut self,
        stats: &mut PullStats,
        local_links: &HashMap<RemoteId, RemoteId>,
    ) -> Result<bool, Stop> {
        let first = self.provider.first_cursor();
        let cp = self
            .store
            .begin_pull(self.conn, PullMode::Full, 0, Some("id"))?;
        let run_id = cp.run_id;
        // Resume: re-fetch the last applied page (pages overlap by one, §1.4).
        let (mut cursor, mut page_no) = match (&cp.high_watermark, cp.page_no) {
            (Some(at), n) if n > 0 => (at.clone(), n),
            _ => (first, 1),
        };
        loop {
            self.check_cancel()?;
            let page = self.provider.assets_page(&cursor).await?;
            let mut assets = page.items;
            self.keep_absent_fields(&mut assets)?;
            self.keep_local_links(&mut assets, local_links);
            let out = self.store.apply_pulled_page(&PulledPage {
                run_id,
                page_no,
                assets,
                remote_total: page.total,
                high_watermark: Some(cursor.clone()),
            })?;
            stats.pages += 1;
            stats.inserted += out.inserted;
            stats.updated += out.updated;
            stats.unchanged += out.unchanged;
            stats.deferred += count(out.deferred.len());
            self.report.pull = stats.clone();
            self.event(
                SyncPhase::Pull,
                Some("assets"),
                Some(page_no),
                // An estimate from the provider's counts: never "page 12 of 7".
                page.total_pages.map(|t| t.max(page_no)),
                None,
            );
            match page.next {
                Some(next) => {
                    cursor = next;
                    page_no += 1;
                }
                None => break,
            }
        }
        let cp = self.store.checkpoint(self.conn)?;
        // §1.4 end-of-pass count check: distinct ids seen vs the provider's total. Without a
        // total nothing is swept (no false tombstone).
        let count_ok = cp.as_ref().is_some_and(|c| c.remote_total == Some(c.seen));
        let out = self.store.complete_pull(run_id, count_ok)?;
        stats.tombstoned += count(out.tombstoned.len());
        Ok(count_ok)
    }

    /// Listed rows that lack fields (Halo list rows have no notes/users) keep the cached
    /// values of those fields rather than clearing them.
    fn keep_absent_fields(&self, assets: &mut [RemoteAsset]) -> Result<(), Stop> {
        for a in assets {
            let absent = self.provider.absent_fields(a);
            if absent.is_empty() {
                continue;
            }
            if let Some(cached) = self.store.asset_by_remote(self.conn, a.remote_id)? {
                for f in absent {
                    let v = cached.asset.fields.get(&f);
                    if let Err(e) = a.fields.set(&f, v) {
                        tracing::warn!(%e, "pull: a cached value did not fit its own field");
                    }
                }
            }
        }
        Ok(())
    }
}

enum PushOutcome {
    /// The provider's state after the write (boxed: it is large and conflicts carry none).
    Acked(Option<Box<RemoteAsset>>),
    Conflict,
}

fn no_remote_id() -> RemoteError {
    RemoteError {
        kind: RemoteErrorKind::Rejected,
        message: "the asset has no provider id yet; its create must be sent first".into(),
        may_have_applied: false,
        retry_after: None,
    }
}

fn store_as_remote(e: &StoreError) -> RemoteError {
    RemoteError {
        kind: RemoteErrorKind::Transient,
        message: format!("local cache: {e}"),
        may_have_applied: false,
        retry_after: None,
    }
}

/// Whether an asset still has work in the outbox (for tests and the sync centre).
pub fn has_open_ops(store: &Store, asset: AssetId) -> Result<bool, StoreError> {
    Ok(store
        .ops(Some(asset), false)?
        .iter()
        .any(|o| o.state != OpState::Done))
}

/// Gentle exponential wait used by the scheduler between automatic retries.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(5)
        .saturating_mul(1 << attempt.min(6))
        .min(Duration::from_secs(15 * 60))
}
