//! The running desktop app's side of the façade: a [`Workspace`] plus what only a long-lived
//! process has — where secrets come from, the per-connection sync schedules (persisted in the
//! data folder and started at open), each connection's online/offline state, the events the
//! UI listens to, and the demo workspace.
//!
//! The app's commands are one call each into a [`Session`] method; the session never knows
//! about Tauri. It reports through an [`EventSink`]: sync progress (already throttled to
//! ≤ 10/s per connection by the engine), [`DataChanged`] whenever the cache's change feed
//! moved (a sync page, an edit, an outbox or conflict action, or the CLI writing the same
//! data folder), and [`ConnectionStatus`] whenever a connection starts or stops syncing or
//! goes online or offline.
//!
//! Secrets: real connections' secrets come from the store given at start (the OS keychain in
//! the app); the demo's connections use a process-local in-memory store, so the sandbox's
//! credentials never reach the keychain, the data folder or a log.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use assetdesk_domain::{Connection, ConnectionId, ProviderKind};
use assetdesk_store::StoreError;
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::sync::Notify;

use crate::connections::{
    ConnectionError, ConnectionSettings, PermissionReport, Removal, TestOutcome, TestStatus,
};
use crate::demo::{self, Demo, DemoError, DemoStatus};
use crate::engine::SyncOptions;
use crate::error::ErrorCode;
use crate::progress::{ProgressSink, SyncPhase, SyncProgress, SyncReport};
use crate::queue::{ConflictChoice, FieldConflict, QueueCounts, QueueError, QueuedEdit};
use crate::scheduler::{DEFAULT_SYNC_INTERVAL, PeriodicHandle};
use crate::secrets::{Secret, SecretStore};
use crate::workspace::Workspace;
use assetdesk_sandbox::demo::DemoServers;

/// The file in the data folder that keeps the schedules and whether the demo was dismissed.
pub const SETTINGS_FILE: &str = "sync-settings.json";

/// The longest schedule interval accepted: once a day.
pub const MAX_SCHEDULE_MINUTES: u32 = 24 * 60;

/// How often the change feed is polled for writes made outside this process (the CLI on the
/// same data folder). Writes made through the session are announced at once.
const FEED_POLL: Duration = Duration::from_millis(250);

/// The most feed entries summarised into one event; more means "refetch everything shown".
const FEED_BATCH: u32 = 500;

/// What the session tells the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// Progress of one connection's sync (≤ 10/s per connection; the last one always comes).
    Progress(SyncProgress),
    /// The cache changed: the UI invalidates what it shows.
    DataChanged(DataChanged),
    /// A connection started or stopped syncing, or went online or offline.
    Status(ConnectionStatus),
}

/// Where session events go (the app emits them as Tauri events; tests collect them).
pub type EventSink = Arc<dyn Fn(SessionEvent) + Send + Sync>;

/// The cache changed. Batched: one event per poll of the change feed, at most 4 a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DataChanged {
    /// The change feed's position after these changes.
    pub seq: i64,
    /// What changed: `asset`, `lookup`, `connection`, `outbox`, `conflict`.
    pub entities: Vec<String>,
    /// Who changed it: `user`, `sync`, `import`.
    pub origins: Vec<String>,
    /// Assets changed (at most 100; empty when `bulk`).
    pub asset_ids: Vec<i64>,
    /// Many rows changed at once (a sync page): refetch what is shown rather than row by row.
    pub bulk: bool,
}

/// Whether a connection's provider answered lately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Reachability {
    /// Not tried since the app opened.
    Unknown,
    /// The last sync or test reached the provider.
    Online,
    /// The last sync or test could not reach it: edits stay queued.
    Offline,
    /// It answered, but the sync or test failed (credentials, permissions, server error).
    Error,
}

/// The sync centre's line for one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStatus {
    pub connection_id: String,
    pub running: bool,
    pub reachability: Reachability,
    /// Unix ms of the last finished sync (this run of the app, else the last complete pull).
    pub last_sync_at: Option<i64>,
    /// Why the last sync or test failed, naming the fix.
    pub last_error: Option<String>,
    /// Background sync interval in minutes; `None` when off.
    pub schedule_minutes: Option<u32>,
}

/// One connection as Settings and the sync centre list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: String,
    pub kind: ProviderKind,
    pub name: String,
    pub base_url: String,
    pub auth_url: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    /// One of the demo workspace's connections (sandbox on this computer).
    pub demo: bool,
    pub cached_assets: u64,
    pub queued_ops: u32,
    pub status: ConnectionStatus,
}

/// How "sync now" went for one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncOutcome {
    pub connection_id: String,
    pub connection_name: String,
    /// What the sync did (it may still have stopped early: see `report.error`).
    pub report: Option<SyncReport>,
    /// Why it did not run at all (already running, no secret, …).
    pub error: Option<String>,
}

/// Why a session call failed. Messages name the fix and never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error(transparent)]
    Edit(#[from] crate::editing::EditError),
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error("the sync settings file {path} cannot be written: {source}")]
    Settings {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl SessionError {
    /// The code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            SessionError::Connection(e) => e.code(),
            SessionError::Queue(e) => e.code(),
            SessionError::Demo(e) => e.code(),
            SessionError::Edit(e) => e.code(),
            SessionError::InvalidInput { .. } => ErrorCode::InvalidInput,
            SessionError::Settings { .. } => ErrorCode::Io,
        }
    }
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        SessionError::Connection(ConnectionError::Store(e))
    }
}

/// How the session starts.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Where real connections' secrets live (the OS keychain in the app).
    pub secrets: SecretStore,
    /// Start the demo workspace when the data folder has no connection (and the user has not
    /// removed the demo before). Off when `ASSETDESK_NO_DEMO` is set, and in tests.
    pub auto_demo: bool,
}

/// What [`SETTINGS_FILE`] holds. Unknown keys are ignored, missing ones take defaults, so an
/// older or newer app can read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
struct Settings {
    /// Minutes between background syncs per connection id; 0 = off; absent = the default.
    schedules: BTreeMap<String, u32>,
    /// The user removed the demo: do not bring it back on the next start.
    demo_dismissed: bool,
}

#[derive(Debug, Clone, Default)]
struct Track {
    running: bool,
    reachability: Option<Reachability>,
    last_sync_at: Option<i64>,
    last_error: Option<String>,
}

#[derive(Default)]
struct State {
    settings: Settings,
    periodic: HashMap<ConnectionId, PeriodicHandle>,
    track: HashMap<ConnectionId, Track>,
}

struct Shared {
    ws: Arc<Workspace>,
    secrets: SecretStore,
    demo_secrets: SecretStore,
    sink: EventSink,
    settings_path: PathBuf,
    state: Mutex<State>,
    demo: tokio::sync::Mutex<Option<Demo>>,
    feed: Arc<Notify>,
}

/// The app's long-lived façade (see the module docs). Cheap to share behind an `Arc`.
pub struct Session {
    shared: Arc<Shared>,
    feed_task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("data_dir", &self.shared.ws.data_dir())
            .field("secrets", &self.shared.secrets)
            .finish_non_exhaustive()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.feed_task.abort();
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn load_settings(path: &std::path::Path) -> Settings {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            // A damaged settings file must not keep the app from opening: fall back to the
            // defaults (every connection every 15 minutes) and say so in the log.
            tracing::warn!(path = %path.display(), error = %e, "sync settings unreadable; using defaults");
            Settings::default()
        }),
        Err(_) => Settings::default(),
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn emit(&self, event: SessionEvent) {
        (self.sink)(event);
    }

    fn secrets_for(&self, conn: &Connection) -> &SecretStore {
        if conn.demo {
            &self.demo_secrets
        } else {
            &self.secrets
        }
    }

    fn connection(&self, id: &ConnectionId) -> Result<Connection, SessionError> {
        self.ws.store().connection(id).map_err(|e| match e {
            StoreError::UnknownConnection(_) => {
                SessionError::Connection(ConnectionError::NotFound(id.0.clone()))
            }
            other => other.into(),
        })
    }

    fn save_settings(&self) -> Result<(), SessionError> {
        let settings = self.state().settings.clone();
        let text = serde_json::to_vec_pretty(&settings).unwrap_or_default();
        let tmp = self.settings_path.with_extension("json.tmp");
        let io = |source| SessionError::Settings {
            path: self.settings_path.display().to_string(),
            source,
        };
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &self.settings_path).map_err(io)?;
        Ok(())
    }

    fn schedule_of(&self, id: &ConnectionId) -> Option<u32> {
        let minutes = self
            .state()
            .settings
            .schedules
            .get(&id.0)
            .copied()
            .unwrap_or((DEFAULT_SYNC_INTERVAL.as_secs() / 60) as u32);
        (minutes > 0).then_some(minutes)
    }

    fn status_of(&self, id: &ConnectionId) -> ConnectionStatus {
        let track = self.state().track.get(id).cloned().unwrap_or_default();
        let last_sync_at = track.last_sync_at.or_else(|| {
            self.ws
                .store()
                .checkpoint(id)
                .ok()
                .flatten()
                .and_then(|c| c.completed_at)
        });
        ConnectionStatus {
            connection_id: id.0.clone(),
            // From the progress events, not the scheduler: its flag drops only after the
            // terminal event, which would announce a finished sync as still running.
            running: track.running,
            reachability: track.reachability.unwrap_or(Reachability::Unknown),
            last_sync_at,
            last_error: track.last_error,
            schedule_minutes: self.schedule_of(id),
        }
    }

    fn update_track(&self, id: &ConnectionId, f: impl FnOnce(&mut Track)) {
        let changed = {
            let mut state = self.state();
            let track = state.track.entry(id.clone()).or_default();
            let before = (
                track.running,
                track.reachability,
                track.last_sync_at,
                track.last_error.clone(),
            );
            f(track);
            before
                != (
                    track.running,
                    track.reachability,
                    track.last_sync_at,
                    track.last_error.clone(),
                )
        };
        if changed {
            self.emit(SessionEvent::Status(self.status_of(id)));
        }
    }

    /// The sink handed to the engine for one connection: forwards progress and turns the
    /// first and the terminal event of each sync into status changes.
    fn progress_sink(self: &Arc<Self>, id: &ConnectionId) -> ProgressSink {
        let weak: Weak<Shared> = Arc::downgrade(self);
        let id = id.clone();
        Arc::new(move |p: &SyncProgress| {
            let Some(me) = weak.upgrade() else { return };
            me.emit(SessionEvent::Progress(p.clone()));
            if p.phase.is_terminal() {
                let at = now_ms();
                me.update_track(&id, |t| {
                    t.running = false;
                    match p.phase {
                        SyncPhase::Done => {
                            t.reachability = Some(Reachability::Online);
                            t.last_sync_at = Some(at);
                            t.last_error = None;
                        }
                        SyncPhase::Offline => {
                            t.reachability = Some(Reachability::Offline);
                            t.last_error = p.message.clone();
                        }
                        SyncPhase::Failed => {
                            t.reachability = Some(Reachability::Error);
                            t.last_error = p.message.clone();
                        }
                        _ => {}
                    }
                });
                me.feed.notify_one();
            } else {
                me.update_track(&id, |t| t.running = true);
            }
        })
    }

    /// (Re)starts or stops the background sync of one connection per its schedule. A
    /// connection whose secret cannot be read is not scheduled; its status says why.
    fn reschedule(self: &Arc<Self>, conn: &Connection) {
        let old = self.state().periodic.remove(&conn.id);
        drop(old);
        let Some(minutes) = self.schedule_of(&conn.id) else {
            return;
        };
        match self.ws.provider(self.secrets_for(conn), &conn.id) {
            Ok(remote) => {
                let handle = self.ws.start_periodic(
                    conn.id.clone(),
                    Arc::new(remote),
                    Duration::from_secs(u64::from(minutes) * 60),
                    Some(self.progress_sink(&conn.id)),
                );
                self.state().periodic.insert(conn.id.clone(), handle);
            }
            Err(e) => {
                tracing::warn!(connection = %conn.name, error = %e, "not scheduled");
                self.update_track(&conn.id, |t| {
                    t.reachability = Some(Reachability::Error);
                    t.last_error = Some(e.to_string());
                });
            }
        }
    }

    fn unschedule(&self, id: &ConnectionId) {
        let old = self.state().periodic.remove(id);
        drop(old);
    }

    async fn sync_one(self: &Arc<Self>, conn: Connection) -> SyncOutcome {
        let mut outcome = SyncOutcome {
            connection_id: conn.id.0.clone(),
            connection_name: conn.name.clone(),
            report: None,
            error: None,
        };
        let remote = match self.ws.provider(self.secrets_for(&conn), &conn.id) {
            Ok(r) => r,
            Err(e) => {
                let message = e.to_string();
                self.update_track(&conn.id, |t| {
                    t.reachability = Some(Reachability::Error);
                    t.last_error = Some(message.clone());
                });
                outcome.error = Some(message);
                return outcome;
            }
        };
        match self
            .ws
            .sync_now(
                &conn.id,
                &remote,
                &SyncOptions::default(),
                Some(self.progress_sink(&conn.id)),
            )
            .await
        {
            Ok(report) => outcome.report = Some(report),
            Err(busy) => outcome.error = Some(busy.to_string()),
        }
        outcome
    }

    /// Polls the change feed and announces what moved since the last look.
    async fn watch_feed(weak: Weak<Shared>, feed: Arc<Notify>) {
        let mut last = match weak.upgrade() {
            Some(me) => me.ws.store().latest_change_seq().unwrap_or(0),
            None => return,
        };
        loop {
            tokio::select! {
                _ = feed.notified() => {}
                _ = tokio::time::sleep(FEED_POLL) => {}
            }
            let Some(me) = weak.upgrade() else { return };
            let seq = match me.ws.store().latest_change_seq() {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "change feed unreadable");
                    continue;
                }
            };
            if seq <= last {
                continue;
            }
            let changes = me
                .ws
                .store()
                .changes_since(last, FEED_BATCH)
                .unwrap_or_default();
            let bulk =
                changes.len() >= FEED_BATCH as usize || changes.iter().any(|c| c.kind == "bulk");
            let entities: BTreeSet<String> = changes.iter().map(|c| c.entity.clone()).collect();
            let origins: BTreeSet<String> = changes
                .iter()
                .map(|c| c.origin.as_str().to_owned())
                .collect();
            let assets: BTreeSet<i64> = changes
                .iter()
                .filter_map(|c| c.asset_id.map(|a| a.0))
                .collect();
            let bulk = bulk || assets.len() > 100;
            tracing::trace!(seq, changes = changes.len(), bulk, "data changed");
            me.emit(SessionEvent::DataChanged(DataChanged {
                seq,
                entities: if entities.is_empty() {
                    vec!["asset".to_owned()]
                } else {
                    entities.into_iter().collect()
                },
                origins: origins.into_iter().collect(),
                asset_ids: if bulk {
                    vec![]
                } else {
                    assets.into_iter().collect()
                },
                bulk,
            }));
            last = seq;
        }
    }
}

impl Session {
    /// Opens the session over an open workspace: loads the schedules, starts (or resumes) the
    /// demo workspace when asked to, and starts every connection's background sync (each
    /// syncs once right away). Must run inside a Tokio runtime.
    pub async fn start(
        ws: Arc<Workspace>,
        options: SessionOptions,
        sink: EventSink,
    ) -> Result<Arc<Session>, SessionError> {
        let settings_path = ws.data_dir().join(SETTINGS_FILE);
        let settings = load_settings(&settings_path);
        let shared = Arc::new(Shared {
            ws,
            secrets: options.secrets,
            demo_secrets: SecretStore::memory(),
            sink,
            settings_path,
            state: Mutex::new(State {
                settings,
                ..State::default()
            }),
            demo: tokio::sync::Mutex::new(None),
            feed: Arc::new(Notify::new()),
        });
        let feed_task = tokio::spawn(Shared::watch_feed(
            Arc::downgrade(&shared),
            shared.feed.clone(),
        ));
        let session = Arc::new(Session { shared, feed_task });

        let connections = session.shared.ws.store().connections()?;
        let has_demo = connections.iter().any(|c| c.demo);
        let dismissed = session.shared.state().settings.demo_dismissed;
        if has_demo || (options.auto_demo && connections.is_empty() && !dismissed) {
            // The demo never keeps the app from opening: a failure is logged and shown in
            // the demo's status, and the user can still add real connections.
            if let Err(e) = session.start_demo_inner().await {
                tracing::error!(error = %e, "the demo workspace could not start");
            }
        }
        for conn in session.shared.ws.store().connections()? {
            if !conn.demo {
                session.shared.reschedule(&conn);
            }
        }
        Ok(session)
    }

    /// The workspace (for the catalog and edit commands).
    pub fn workspace(&self) -> &Arc<Workspace> {
        &self.shared.ws
    }

    /// An asset's tickets, fetched from its provider when that can be reached (tickets opened
    /// in the PSA show up too); otherwise the cached ones, with the reason in `refreshError`.
    /// The provider is built here because only the session holds the secrets.
    pub async fn refresh_asset_tickets(
        &self,
        asset_id: i64,
    ) -> Result<crate::tickets::AssetTicketList, SessionError> {
        let record = self
            .shared
            .ws
            .store()
            .asset(assetdesk_domain::AssetId(asset_id))?;
        let conn = self.shared.connection(&record.asset.connection_id)?;
        let remote = self
            .shared
            .ws
            .provider(self.shared.secrets_for(&conn), &conn.id)?;
        Ok(self
            .shared
            .ws
            .refresh_asset_tickets(asset_id, &remote)
            .await?)
    }

    fn view(&self, c: crate::connections::ConnectionSummary) -> ConnectionView {
        let id = c.id.clone();
        ConnectionView {
            status: self.shared.status_of(&id),
            id: c.id.0,
            kind: c.kind,
            name: c.name,
            base_url: c.base_url,
            auth_url: c.auth_url,
            tenant: c.tenant,
            client_id: c.client_id,
            demo: c.demo,
            cached_assets: c.cached_assets,
            queued_ops: c.queued_ops,
        }
    }

    fn view_of(&self, id: &ConnectionId) -> Result<ConnectionView, SessionError> {
        self.shared
            .ws
            .connection_summaries()?
            .into_iter()
            .find(|c| &c.id == id)
            .map(|c| self.view(c))
            .ok_or_else(|| ConnectionError::NotFound(id.0.clone()).into())
    }

    /// Every connection with its counts and status, by name.
    pub fn connections(&self) -> Result<Vec<ConnectionView>, SessionError> {
        Ok(self
            .shared
            .ws
            .connection_summaries()?
            .into_iter()
            .map(|c| self.view(c))
            .collect())
    }

    /// Adds a real connection (its secret goes to the OS keychain) and starts its schedule.
    pub fn add_connection(
        &self,
        settings: &ConnectionSettings,
        secret: &Secret,
    ) -> Result<ConnectionView, SessionError> {
        let conn = self
            .shared
            .ws
            .add_connection(&self.shared.secrets, settings, secret)?;
        self.shared.reschedule(&conn);
        self.shared.feed.notify_one();
        self.view_of(&conn.id)
    }

    /// Changes a connection's settings (and its secret when given), then restarts its
    /// schedule with the new settings.
    pub fn edit_connection(
        &self,
        id: &ConnectionId,
        settings: &ConnectionSettings,
        secret: Option<&Secret>,
    ) -> Result<ConnectionView, SessionError> {
        let old = self.shared.connection(id)?;
        let conn =
            self.shared
                .ws
                .edit_connection(self.shared.secrets_for(&old), id, settings, secret)?;
        self.shared.reschedule(&conn);
        self.shared.feed.notify_one();
        self.view_of(&conn.id)
    }

    /// Removes a connection, its secret, its schedule and its cached assets (refused while
    /// edits are queued unless `force`).
    pub fn remove_connection(
        &self,
        id: &ConnectionId,
        force: bool,
    ) -> Result<Removal, SessionError> {
        let conn = self.shared.connection(id)?;
        self.shared.ws.cancel_sync(id);
        let removal =
            self.shared
                .ws
                .remove_connection(self.shared.secrets_for(&conn), id, force)?;
        self.shared.unschedule(id);
        {
            let mut state = self.shared.state();
            state.track.remove(id);
            state.settings.schedules.remove(&id.0);
        }
        self.shared.save_settings()?;
        self.shared.feed.notify_one();
        Ok(removal)
    }

    /// "Test connection": signs in and reads one page; the outcome also updates the
    /// connection's online/offline state.
    pub async fn test_connection(&self, id: &ConnectionId) -> Result<TestOutcome, SessionError> {
        let conn = self.shared.connection(id)?;
        let out = self
            .shared
            .ws
            .test_connection(self.shared.secrets_for(&conn), id)
            .await;
        let reach = match out.status {
            TestStatus::Ok => Reachability::Online,
            TestStatus::Unreachable => Reachability::Offline,
            _ => Reachability::Error,
        };
        self.shared.update_track(id, |t| {
            t.reachability = Some(reach);
            t.last_error = (!out.is_ok()).then(|| out.message.clone());
        });
        Ok(out)
    }

    /// "Check permissions": what the credentials may do, naming what is missing.
    pub async fn check_permissions(
        &self,
        id: &ConnectionId,
    ) -> Result<PermissionReport, SessionError> {
        let conn = self.shared.connection(id)?;
        Ok(self
            .shared
            .ws
            .check_permissions(self.shared.secrets_for(&conn), id)
            .await?)
    }

    /// Syncs one connection, or all of them in parallel, now. Each outcome says what the sync
    /// did or why it could not run (already running, no secret).
    pub async fn sync_now(
        &self,
        id: Option<&ConnectionId>,
    ) -> Result<Vec<SyncOutcome>, SessionError> {
        let targets = match id {
            Some(id) => vec![self.shared.connection(id)?],
            None => self.shared.ws.store().connections()?,
        };
        let runs = targets
            .into_iter()
            .map(|c| self.shared.sync_one(c))
            .collect::<Vec<_>>();
        Ok(futures::future::join_all(runs).await)
    }

    /// Cancels the running sync of one connection (or all) at the next page or op boundary.
    /// Returns how many were running.
    pub fn cancel_sync(&self, id: Option<&ConnectionId>) -> Result<u32, SessionError> {
        let targets = match id {
            Some(id) => vec![self.shared.connection(id)?.id],
            None => self
                .shared
                .ws
                .store()
                .connections()?
                .into_iter()
                .map(|c| c.id)
                .collect(),
        };
        Ok(targets
            .iter()
            .filter(|id| self.shared.ws.cancel_sync(id))
            .count() as u32)
    }

    /// Sets a connection's background sync interval (`None` turns it off), saves it in the
    /// data folder and applies it now.
    pub fn set_schedule(
        &self,
        id: &ConnectionId,
        minutes: Option<u32>,
    ) -> Result<ConnectionStatus, SessionError> {
        if let Some(m) = minutes
            && !(1..=MAX_SCHEDULE_MINUTES).contains(&m)
        {
            return Err(SessionError::InvalidInput {
                field: "minutes",
                message: format!(
                    "{m} is out of range; choose 1 to {MAX_SCHEDULE_MINUTES} minutes, or turn background sync off"
                ),
            });
        }
        let conn = self.shared.connection(id)?;
        self.shared
            .state()
            .settings
            .schedules
            .insert(id.0.clone(), minutes.unwrap_or(0));
        self.shared.save_settings()?;
        self.shared.reschedule(&conn);
        let status = self.shared.status_of(id);
        self.shared.emit(SessionEvent::Status(status.clone()));
        Ok(status)
    }

    /// Every connection's sync status.
    pub fn sync_statuses(&self) -> Result<Vec<ConnectionStatus>, SessionError> {
        Ok(self
            .shared
            .ws
            .store()
            .connections()?
            .iter()
            .map(|c| self.shared.status_of(&c.id))
            .collect())
    }

    /// The outbox (see [`Workspace::queued_edits`]).
    pub fn queued_edits(&self, include_done: bool) -> Result<Vec<QueuedEdit>, SessionError> {
        Ok(self.shared.ws.queued_edits(include_done)?)
    }

    /// Counts for the Sync rail badge.
    pub fn queue_counts(&self) -> Result<QueueCounts, SessionError> {
        Ok(self.shared.ws.queue_counts()?)
    }

    /// Open conflicts for the resolver.
    pub fn conflicts(&self) -> Result<Vec<FieldConflict>, SessionError> {
        Ok(self.shared.ws.field_conflicts()?)
    }

    /// "Retry" a failed or waiting edit.
    pub fn retry_edit(&self, client_op_id: &str) -> Result<(), SessionError> {
        self.shared.ws.retry_edit(client_op_id)?;
        self.shared.feed.notify_one();
        Ok(())
    }

    /// "Discard" a queued edit.
    pub fn discard_edit(&self, client_op_id: &str) -> Result<(), SessionError> {
        self.shared.ws.discard_edit(client_op_id)?;
        self.shared.feed.notify_one();
        Ok(())
    }

    /// Resolves one conflicting field (keep mine / take theirs / edit).
    pub fn resolve_conflict(
        &self,
        conflict_id: i64,
        choice: &ConflictChoice,
    ) -> Result<(), SessionError> {
        self.shared.ws.resolve_field_conflict(conflict_id, choice)?;
        self.shared.feed.notify_one();
        Ok(())
    }

    fn demo_connections(&self) -> Result<Vec<Connection>, SessionError> {
        Ok(self
            .shared
            .ws
            .store()
            .connections()?
            .into_iter()
            .filter(|c| c.demo)
            .collect())
    }

    /// Points the demo connections at the servers (adding both on first start, moving the
    /// ones the user kept to the current ports after a restart) with their secrets in the
    /// in-memory store.
    fn attach_demo(&self, servers: &DemoServers) -> Result<Vec<Connection>, SessionError> {
        let existing = self.demo_connections()?;
        let mut attached = Vec::new();
        for kind in [ProviderKind::Halo, ProviderKind::Syncro] {
            let old = existing.iter().find(|c| c.kind == kind);
            if old.is_none() && !existing.is_empty() {
                // The user removed this one on its own: do not bring it back.
                continue;
            }
            let (settings, secret) =
                demo::connection_for(servers, kind, old.map(|c| c.name.as_str()));
            let conn = match old {
                Some(c) => self.shared.ws.edit_connection(
                    &self.shared.demo_secrets,
                    &c.id,
                    &settings,
                    Some(&secret),
                )?,
                None => self.shared.ws.add_connection_with(
                    &self.shared.demo_secrets,
                    &settings,
                    &secret,
                    true,
                )?,
            };
            attached.push(conn);
        }
        Ok(attached)
    }

    async fn start_demo_inner(&self) -> Result<(), SessionError> {
        let mut slot = self.shared.demo.lock().await;
        if slot.is_some() {
            return Err(DemoError::AlreadyRunning.into());
        }
        let dir = self.shared.ws.data_dir().join(demo::DEMO_DIR);
        let servers = DemoServers::start(&dir).await.map_err(DemoError::Io)?;
        let attached = match self.attach_demo(&servers) {
            Ok(a) => a,
            Err(e) => {
                servers.stop().await;
                return Err(e);
            }
        };
        tracing::info!(halo = %servers.halo_url(), syncro = %servers.syncro_url(), "demo workspace started");
        *slot = Some(Demo { servers });
        drop(slot);
        for conn in &attached {
            self.shared.reschedule(conn);
        }
        self.shared.feed.notify_one();
        Ok(())
    }

    /// Opens the demo workspace on request (e.g. after it was removed): starts the servers,
    /// adds the two demo connections and syncs them.
    pub async fn open_demo(&self) -> Result<DemoStatus, SessionError> {
        self.shared.state().settings.demo_dismissed = false;
        self.shared.save_settings()?;
        self.start_demo_inner().await?;
        self.demo_status().await
    }

    /// Whether the demo runs, is online, and which connections are its.
    pub async fn demo_status(&self) -> Result<DemoStatus, SessionError> {
        let slot = self.shared.demo.lock().await;
        let connections = self.shared.ws.store().connections()?;
        Ok(DemoStatus::of(
            slot.as_ref().map(|d| &d.servers),
            &connections,
        ))
    }

    /// "Go offline" / "go online": the demo's servers refuse connections (syncs then report
    /// offline and edits queue) or accept them again (the demo connections sync at once, so
    /// queued edits go out).
    pub async fn set_demo_online(&self, online: bool) -> Result<DemoStatus, SessionError> {
        let mut slot = self.shared.demo.lock().await;
        let demo = slot.as_mut().ok_or(DemoError::NotRunning)?;
        let conns = self.demo_connections()?;
        if online {
            let moved = demo.servers.go_online().await.map_err(DemoError::Io)?;
            let conns = if moved {
                let attached = self.attach_demo(&demo.servers)?;
                for c in &attached {
                    self.shared.reschedule(c);
                }
                attached
            } else {
                conns
            };
            let shared = self.shared.clone();
            tokio::spawn(async move {
                let runs = conns.into_iter().map(|c| shared.sync_one(c));
                futures::future::join_all(runs).await;
            });
        } else {
            demo.servers.go_offline().await;
            for c in &conns {
                self.shared.update_track(&c.id, |t| {
                    t.reachability = Some(Reachability::Offline);
                    t.last_error = Some(
                        "The demo is offline (its servers refuse connections): edits stay queued until you go online".to_owned(),
                    );
                });
            }
        }
        let connections = self.shared.ws.store().connections()?;
        Ok(DemoStatus::of(Some(&demo.servers), &connections))
    }

    /// "Make a remote change": a colleague edits a demo asset at the provider; returns a
    /// sentence saying what changed.
    pub async fn demo_remote_change(&self) -> Result<String, SessionError> {
        let slot = self.shared.demo.lock().await;
        let demo = slot.as_ref().ok_or(DemoError::NotRunning)?;
        Ok(demo::make_remote_change(&self.shared.ws, &demo.servers)?)
    }

    /// "Remove demo": stops its servers, removes the demo connections with their cached
    /// assets and queued edits, deletes its saved state, and remembers not to bring it back.
    pub async fn remove_demo(&self) -> Result<Vec<Removal>, SessionError> {
        let mut slot = self.shared.demo.lock().await;
        let mut removed = Vec::new();
        for c in self.demo_connections()? {
            removed.push(self.remove_connection(&c.id, true)?);
        }
        if let Some(demo) = slot.take() {
            demo.stop().await;
        }
        let dir = self.shared.ws.data_dir().join(demo::DEMO_DIR);
        if dir.exists()
            && let Err(e) = std::fs::remove_dir_all(&dir)
        {
            tracing::warn!(path = %dir.display(), error = %e, "demo state folder not removed");
        }
        self.shared.state().settings.demo_dismissed = true;
        self.shared.save_settings()?;
        Ok(removed)
    }

    /// Stops every background sync (the app is closing). Syncs in progress are cancelled at
    /// their next page or op boundary; the demo's servers stop and save their state.
    pub async fn shutdown(&self) {
        let handles: Vec<(ConnectionId, PeriodicHandle)> =
            self.shared.state().periodic.drain().collect();
        for (id, h) in handles {
            self.shared.ws.cancel_sync(&id);
            h.stop().await;
        }
        if let Some(demo) = self.shared.demo.lock().await.take() {
            demo.stop().await;
        }
    }
}
