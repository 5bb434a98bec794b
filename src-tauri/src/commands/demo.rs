//! Commands of the demo workspace (the sandbox's HaloPSA and Syncro running in this app):
//! status, go offline / online, make a remote change, remove, open again.

use assetdesk_sync::connections::Removal;
use assetdesk_sync::demo::DemoStatus;
use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

/// Whether the demo runs and is online, and which connections are its.
#[tauri::command]
#[specta::specta]
pub async fn demo_status(state: State<'_, AppState>) -> Result<DemoStatus, AppError> {
    Ok(state.session().await?.demo_status().await?)
}

/// "Go offline" (`true`: the demo's servers refuse connections, edits queue) or "go online"
/// (`false`: they accept again and the demo connections sync at once).
#[tauri::command]
#[specta::specta]
pub async fn demo_set_offline(
    state: State<'_, AppState>,
    offline: bool,
) -> Result<DemoStatus, AppError> {
    Ok(state.session().await?.set_demo_online(!offline).await?)
}

/// "Make a remote change": a colleague edits a demo asset at the provider (preferably a
/// field you have a queued edit of, so the next sync yields a conflict). Returns a sentence
/// saying what changed.
#[tauri::command]
#[specta::specta]
pub async fn demo_remote_change(state: State<'_, AppState>) -> Result<String, AppError> {
    Ok(state.session().await?.demo_remote_change().await?)
}

/// "Remove demo": stops it and removes its connections and cached assets.
#[tauri::command]
#[specta::specta]
pub async fn remove_demo(state: State<'_, AppState>) -> Result<Vec<Removal>, AppError> {
    Ok(state.session().await?.remove_demo().await?)
}

/// Opens the demo workspace again after it was removed.
#[tauri::command]
#[specta::specta]
pub async fn open_demo(state: State<'_, AppState>) -> Result<DemoStatus, AppError> {
    Ok(state.session().await?.open_demo().await?)
}
