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
