//! Scheduling: "sync now", periodic background sync, offline detection, cancel; at most one
//! sync per connection at a time, connections in parallel (each client has its own rate
//! limiter, so parallel connections never share a budget they should not).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use assetdesk_domain::ConnectionId;
use assetdesk_store::Store;
use serde::{Deserialize, Serialize};

use crate::engine::{CancelToken, SyncOptions, sync_connection};
use crate::error::ErrorCode;
use crate::progress::{ProgressSink, SyncReport};
use crate::provider::Provider;

/// How often a connection syncs in the background unless configured otherwise.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// What the sync centre shows per connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ConnectionSyncState {
    pub running: bool,
    /// The last sync could not reach the provider; edits stay queued.
    pub offline: bool,
    /// Unix ms of the last finished sync.
    pub last_finished_at: Option<i64>,
    pub last_report: Option<SyncReport>,
}

#[derive(Default)]
struct Slot {
    state: ConnectionSyncState,
    cancel: Option<CancelToken>,
}

/// Shared per-workspace sync bookkeeping. Cheap to clone (an `Arc` inside).
#[derive(Clone, Default)]
pub struct Scheduler {
    slots: Arc<Mutex<HashMap<ConnectionId, Slot>>>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").finish_non_exhaustive()
    }
}

/// A sync could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("a sync of connection {0} is already running; wait for it or cancel it")]
pub struct Busy(pub ConnectionId);

impl Busy {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::Busy
    }
}

impl Scheduler {
    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one sync of `connection` now. Refused with [`Busy`] while another sync of the
    /// same connection runs; syncs of different connections run in parallel.
    pub async fn sync_now<P: Provider>(
        &self,
        store: &Store,
        provider: &P,
        connection: &ConnectionId,
        options: &SyncOptions,
        progress: Option<ProgressSink>,
    ) -> Result<SyncReport, Busy> {
        let cancel = {
            let mut slots = self.slots();
            let slot = slots.entry(connection.clone()).or_default();
            if slot.state.running {
                return Err(Busy(connection.clone()));
            }
            let cancel = CancelToken::new();
            slot.state.running = true;
            slot.cancel = Some(cancel.clone());
            cancel
        };
        // The slot is released even if the future is dropped mid-way (app shutdown).
        let guard = Release {
            scheduler: self,
            connection,
        };
        let report = sync_connection(store, provider, connection, options, &cancel, progress).await;
        guard.finish(&report);
        Ok(report)
    }

    /// Asks a running sync of `connection` to stop at its next page or op boundary. Returns
    /// whether one was running.
    pub fn cancel(&self, connection: &ConnectionId) -> bool {
        let slots = self.slots();
        match slots.get(connection).and_then(|s| s.cancel.as_ref()) {
            Some(c) => {
                c.cancel();
                true
            }
            None => false,
        }
    }

    /// The sync centre's view of one connection.
    pub fn state(&self, connection: &ConnectionId) -> ConnectionSyncState {
        self.slots()
            .get(connection)
            .map(|s| s.state.clone())
            .unwrap_or_default()
    }

    /// Syncs `connection` every `interval` until the returned handle is stopped or dropped.
    /// A sync that finds the provider offline retries sooner (backoff from 5 s up to the
    /// interval), so queued edits go out soon after the network returns.
    pub fn start_periodic<P: Provider + 'static>(
        &self,
        store: Arc<Store>,
        provider: Arc<P>,
        connection: ConnectionId,
        interval: Duration,
        progress: Option<ProgressSink>,
    ) -> PeriodicHandle {
        let me = self.clone();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut offline_streak = 0u32;
            loop {
                let wait = match me
                    .sync_now(
                        &store,
                        provider.as_ref(),
                        &connection,
                        &SyncOptions::default(),
                        progress.clone(),
                    )
                    .await
                {
                    Ok(report)
                        if report
                            .error
                            .as_ref()
                            .is_some_and(|e| e.code == ErrorCode::Offline) =>
                    {
                        offline_streak += 1;
                        crate::engine::backoff(offline_streak).min(interval)
                    }
                    _ => {
                        offline_streak = 0;
                        interval
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = &mut stop_rx => return,
                }
            }
        });
        PeriodicHandle {
            stop: Some(stop_tx),
            task: Some(task),
        }
    }
}

struct Release<'a> {
    scheduler: &'a Scheduler,
    connection: &'a ConnectionId,
}

impl Release<'_> {
    fn finish(self, report: &SyncReport) {
        let mut slots = self.scheduler.slots();
        if let Some(slot) = slots.get_mut(self.connection) {
            slot.state.offline = report
                .error
                .as_ref()
                .is_some_and(|e| e.code == ErrorCode::Offline);
            slot.state.last_finished_at = Some(chrono::Utc::now().timestamp_millis());
            slot.state.last_report = Some(report.clone());
        }
    }
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        let mut slots = self.scheduler.slots();
        if let Some(slot) = slots.get_mut(self.connection) {
            slot.state.running = false;
            slot.cancel = None;
        }
    }
}

/// A running periodic sync. Dropping it stops the schedule (a sync in progress finishes
/// its current request; cancel it with [`Scheduler::cancel`] to stop sooner).
#[derive(Debug)]
pub struct PeriodicHandle {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl PeriodicHandle {
    /// Stops the schedule and waits for the task to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for PeriodicHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
