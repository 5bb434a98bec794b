//! Typed events from Rust to the UI (generated `events.*.listen` helpers in TypeScript).

use serde::{Deserialize, Serialize};

/// Where the app is in opening its workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AppPhase {
    Starting,
    Ready,
    Failed,
}

/// Sent when the workspace finishes opening (or fails to), so the UI can leave its
/// "starting" state without polling.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct AppStatusEvent {
    pub phase: AppPhase,
    /// Why it failed, in words a user can act on.
    pub message: Option<String>,
}

/// Progress of one connection's sync: throttled to ≤ 10 events a second per connection by the
/// engine; the terminal event of each sync (`done`, `offline`, `failed`, `cancelled`) always
/// arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "sync-progress")]
pub struct SyncProgressEvent(pub assetdesk_sync::SyncProgress);

/// The local cache changed (a sync, an edit, an outbox or conflict action, or the CLI on the
/// same data folder): the UI invalidates the queries it shows. At most 4 a second.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
#[tauri_specta(event_name = "data-changed")]
pub struct DataChangedEvent(pub assetdesk_sync::DataChanged);

/// A connection started or stopped syncing, or went online or offline (the top bar's
/// indicator and the sync centre's line).
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
#[tauri_specta(event_name = "connection-status")]
pub struct ConnectionStatusEvent(pub assetdesk_sync::ConnectionStatus);
