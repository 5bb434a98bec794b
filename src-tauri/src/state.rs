//! The app's managed state: resolved folders, the logging guard, and the sync session (the
//! workspace plus schedules, events and the demo), which is opened on a background thread so
//! the window appears at once even when a large cache is being migrated.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use assetdesk_sync::secrets::SecretStore;
use assetdesk_sync::{EventSink, Session, SessionEvent, SessionOptions, Workspace};
use serde::{Deserialize, Serialize};
use tauri::Manager;
use tauri_specta::Event;
use tokio::sync::watch;
use tracing_appender::non_blocking::WorkerGuard;

use crate::error::{AppError, ErrorCode};
use crate::events::{
    AppPhase, AppStatusEvent, ConnectionStatusEvent, DataChangedEvent, SyncProgressEvent,
};

/// Environment variable that keeps the demo workspace from starting when the data folder has
/// no connection (tests that need an empty app; admins who never want it).
pub const NO_DEMO_ENV: &str = "ASSETDESK_NO_DEMO";

/// Where this installation keeps its data and logs.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    /// The OS's app data and log folders, or `$ASSETDESK_DATA_DIR` (and its `logs/`) when set.
    pub fn resolve(app: &tauri::AppHandle) -> Result<Paths, tauri::Error> {
        if let Some(dir) = std::env::var_os(crate::DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            let data_dir = PathBuf::from(dir);
            let log_dir = data_dir.join("logs");
            return Ok(Paths { data_dir, log_dir });
        }
        Ok(Paths {
            data_dir: app.path().app_data_dir()?,
            log_dir: app.path().app_log_dir()?,
        })
    }
}

/// Version, folders and cache schema of this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_dir: String,
    pub schema_version: u32,
}

type Opened = Option<Result<Arc<Session>, AppError>>;

/// Shared between commands; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    paths: Paths,
    workspace: watch::Receiver<Opened>,
    /// Taken by the opening thread, so that if it died the channel closes and waiters get an
    /// error instead of waiting forever.
    opener: Arc<Mutex<Option<watch::Sender<Opened>>>>,
    _log_guard: Arc<Mutex<WorkerGuard>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(paths: Paths, log_guard: WorkerGuard) -> Self {
        let (tx, rx) = watch::channel(None);
        AppState {
            paths,
            workspace: rx,
            opener: Arc::new(Mutex::new(Some(tx))),
            _log_guard: Arc::new(Mutex::new(log_guard)),
        }
    }

    /// Opens the workspace off the main thread and announces the outcome as an event.
    pub fn open_in_background(&self, app: tauri::AppHandle) {
        let data_dir = self.paths.data_dir.clone();
        let taken = self
            .opener
            .lock()
            .map(|mut o| o.take())
            .unwrap_or_else(|p| p.into_inner().take());
        let Some(opener) = taken else {
            tracing::warn!("the workspace is already being opened");
            return;
        };
        std::thread::spawn(move || {
            let opened = open_session(&data_dir, &app);
            let event = match &opened {
                Ok(_) => {
                    tracing::info!("workspace ready");
                    AppStatusEvent {
                        phase: AppPhase::Ready,
                        message: None,
                    }
                }
                Err(err) => {
                    tracing::error!(error = %err.message, "workspace failed to open");
                    AppStatusEvent {
                        phase: AppPhase::Failed,
                        message: Some(err.message.clone()),
                    }
                }
            };
            opener.send_replace(Some(opened));
            if let Err(err) = event.emit(&app) {
                tracing::warn!(%err, "could not emit the app status event");
            }
        });
    }

    /// The workspace once it is open (waits while it is still opening).
    pub async fn workspace(&self) -> Result<Arc<Workspace>, AppError> {
        Ok(self.session().await?.workspace().clone())
    }

    /// The sync session once it is open (waits while it is still opening).
    pub async fn session(&self) -> Result<Arc<Session>, AppError> {
        let mut rx = self.workspace.clone();
        let opened = rx.wait_for(Option::is_some).await.map_err(|_| {
            AppError::new(
                ErrorCode::Internal,
                "the workspace opener stopped before finishing",
            )
        })?;
        match opened.as_ref() {
            Some(result) => result.clone(),
            None => Err(AppError::new(
                ErrorCode::Internal,
                "the workspace is not open",
            )),
        }
    }

    /// Stops background syncs and the demo sandbox before the process exits, so no sync is
    /// cut off mid-page and the demo's loopback ports are released. Bounded: a stuck provider
    /// call must not keep a closing window alive (the outbox makes an unfinished push safe to
    /// resume anyway). Does nothing if the workspace never opened.
    pub fn shutdown_blocking(&self, within: std::time::Duration) {
        let opened = self.workspace.borrow().clone();
        let Some(Ok(session)) = opened else { return };
        tauri::async_runtime::block_on(async move {
            if tokio::time::timeout(within, session.shutdown())
                .await
                .is_err()
            {
                tracing::warn!(
                    ?within,
                    "background syncs did not stop in time; exiting anyway"
                );
            }
        });
    }

    pub async fn app_info(&self, version: &str) -> Result<AppInfo, AppError> {
        let info = self.workspace().await?.info()?;
        Ok(AppInfo {
            version: version.to_owned(),
            data_dir: info.data_dir.display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
            schema_version: info.schema_version,
        })
    }
}

/// Opens the workspace and starts the session on it (schedules, the demo when nothing is
/// configured), forwarding the session's events to the window as typed Tauri events.
fn open_session(
    data_dir: &std::path::Path,
    app: &tauri::AppHandle,
) -> Result<Arc<Session>, AppError> {
    let ws = Arc::new(Workspace::open(data_dir)?);
    let handle = app.clone();
    let sink: EventSink = Arc::new(move |event: SessionEvent| {
        let sent = match event {
            SessionEvent::Progress(p) => SyncProgressEvent(p).emit(&handle),
            SessionEvent::DataChanged(d) => DataChangedEvent(d).emit(&handle),
            SessionEvent::Status(s) => ConnectionStatusEvent(s).emit(&handle),
        };
        if let Err(err) = sent {
            tracing::debug!(%err, "event not delivered");
        }
    });
    let options = SessionOptions {
        // DESIGN.md invariant 5: real connections' secrets live in the OS keychain only.
        secrets: SecretStore::keychain(),
        auto_demo: std::env::var_os(NO_DEMO_ENV).is_none_or(|v| v.is_empty()),
    };
    Ok(tauri::async_runtime::block_on(Session::start(
        ws, options, sink,
    ))?)
}
