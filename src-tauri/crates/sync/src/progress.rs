//! Typed progress events and sync reports, for the UI's progress bar and sync centre and for
//! the CLI. Counts are `u32` so the TypeScript export needs no `BigInt`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use assetdesk_domain::ConnectionId;
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

/// Where a sync of one connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Fetching clients, sites, people, types and statuses.
    Lookups,
    /// Settling creates whose outcome is unknown (in flight at start-up or after an
    /// ambiguous failure) by searching the provider before any retry.
    Reconcile,
    /// Sending queued local edits.
    Push,
    /// Fetching assets page by page.
    Pull,
    /// The sync ended; see the [`SyncReport`].
    Done,
    /// The provider could not be reached; queued edits stay queued.
    Offline,
    /// The sync stopped with an error (the report says which).
    Failed,
    /// The user cancelled; everything committed so far stays (pages are checkpointed).
    Cancelled,
}

impl SyncPhase {
    /// True for the phases that end a sync (always delivered, never throttled away).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            SyncPhase::Done | SyncPhase::Offline | SyncPhase::Failed | SyncPhase::Cancelled
        )
    }
}

/// One progress event of one connection's sync (camelCase on the wire: it only goes to the
/// UI, unlike [`SyncReport`], whose snake_case shape is part of the CLI's stable JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub connection_id: ConnectionId,
    pub phase: SyncPhase,
    /// `lookups`, `assets` or `outbox`.
    pub entity: Option<String>,
    /// Page being pulled (1-based) and the page count when the provider tells it.
    pub page: Option<u32>,
    pub pages: Option<u32>,
    /// Rows pulled or ops pushed so far in this sync.
    pub rows: u32,
    /// Local edits still waiting in the outbox (all states but done).
    pub queued_ops: u32,
    /// Errors met so far (rejected ops, failed requests).
    pub errors: u32,
    /// A short human line for the status bar.
    pub message: Option<String>,
}

/// What one sync of one connection did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SyncReport {
    pub connection_id: Option<ConnectionId>,
    pub pull: PullStats,
    pub push: PushStats,
    /// Ops still waiting after this sync (retry later, conflicts, needs attention).
    pub queued_ops: u32,
    /// Set when the sync ended early.
    pub error: Option<SyncFailure>,
}

/// How a sync ended early: a code the UI branches on, and a message naming the fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SyncFailure {
    pub code: ErrorCode,
    pub message: String,
}

/// Pull counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PullStats {
    pub pages: u32,
    pub inserted: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Rows with queued local edits: not overwritten (merged at push time instead).
    pub deferred: u32,
    pub tombstoned: u32,
    /// Full passes completed (a failed count check triggers a second pass).
    pub passes: u32,
    /// True when the last pass passed its count check (deletes can only be swept then).
    pub count_ok: bool,
}

/// Push counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PushStats {
    /// Ops acknowledged by the provider.
    pub acked: u32,
    /// Ops that found fields changed on both sides: waiting for the user.
    pub conflicts: u32,
    /// Ops the provider refused (4xx): "needs attention".
    pub rejected: u32,
    /// Ops that failed transiently and will be retried.
    pub retry_later: u32,
    /// Creates with an unknown outcome found on the provider and adopted (no re-POST).
    pub reconciled_adopted: u32,
    /// Creates with an unknown outcome not found on the provider: sent again, same marker.
    pub reconciled_resent: u32,
    /// Fields taken from the provider during merges (remote-only changes).
    pub fields_taken: u32,
}

/// Where events go: the app forwards them to the webview, the CLI prints them.
pub type ProgressSink = Arc<dyn Fn(&SyncProgress) + Send + Sync>;

/// Minimum spacing of non-terminal events per connection: ≤ 10 per second.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Throttles one connection's events to at most one per [`PROGRESS_INTERVAL`]; an event
/// arriving too early is dropped (the next one carries the newer state anyway), except the
/// terminal event of a sync, which is always delivered.
pub(crate) struct Throttle {
    sink: Option<ProgressSink>,
    last: Mutex<Option<Instant>>,
}

impl Throttle {
    pub(crate) fn new(sink: Option<ProgressSink>) -> Self {
        Throttle {
            sink,
            last: Mutex::new(None),
        }
    }

    /// Whether an event of `phase` would be delivered now (lets callers skip building one).
    pub(crate) fn is_due(&self, phase: SyncPhase) -> bool {
        if self.sink.is_none() {
            return false;
        }
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        phase.is_terminal() || last.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL)
    }

    pub(crate) fn emit(&self, event: SyncProgress) {
        let Some(sink) = &self.sink else { return };
        let now = Instant::now();
        {
            let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            let due = last.is_none_or(|t| now.duration_since(t) >= PROGRESS_INTERVAL);
            if !due && !event.phase.is_terminal() {
                return;
            }
            *last = Some(now);
        }
        sink(&event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn event(phase: SyncPhase) -> SyncProgress {
        SyncProgress {
            connection_id: ConnectionId("c".into()),
            phase,
            entity: None,
            page: None,
            pages: None,
            rows: 0,
            queued_ops: 0,
            errors: 0,
            message: None,
        }
    }

    #[test]
    fn bursts_are_throttled_but_the_end_always_arrives() {
        let n = Arc::new(AtomicU32::new(0));
        let seen = n.clone();
        let t = Throttle::new(Some(Arc::new(move |_: &SyncProgress| {
            seen.fetch_add(1, Ordering::SeqCst);
        })));
        for _ in 0..1000 {
            t.emit(event(SyncPhase::Pull));
        }
        assert_eq!(
            n.load(Ordering::SeqCst),
            1,
            "a burst within 100 ms yields one event"
        );
        t.emit(event(SyncPhase::Done));
        assert_eq!(
            n.load(Ordering::SeqCst),
            2,
            "the terminal event is never dropped"
        );
        std::thread::sleep(PROGRESS_INTERVAL);
        t.emit(event(SyncPhase::Pull));
        assert_eq!(n.load(Ordering::SeqCst), 3);
    }
}
