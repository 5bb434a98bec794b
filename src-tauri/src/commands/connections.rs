//! Commands of Settings > Connections: one call into the sync session each
//! (`assetdesk_sync::Session`). Real connections' secrets go to the OS keychain; a secret
//! crosses the IPC boundary only inwards (add, edit) and is never returned or logged.

use assetdesk_domain::ConnectionId;
use assetdesk_sync::ConnectionView;
use assetdesk_sync::connections::{ConnectionSettings, PermissionReport, Removal, TestOutcome};
use assetdesk_sync::secrets::Secret;
use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

/// Every connection with its counts and sync status, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_connections(state: State<'_, AppState>) -> Result<Vec<ConnectionView>, AppError> {
    Ok(state.session().await?.connections()?)
}

/// Adds a HaloPSA or Syncro connection; `secret` (client secret or API token) is stored in
/// the OS keychain. Its background sync starts at once.
#[tauri::command]
#[specta::specta]
pub async fn add_connection(
    state: State<'_, AppState>,
    settings: ConnectionSettings,
    secret: String,
) -> Result<ConnectionView, AppError> {
    Ok(state
        .session()
        .await?
        .add_connection(&settings, &Secret::new(secret))?)
}

/// Changes a connection; `secret` replaces the stored one when given.
#[tauri::command]
#[specta::specta]
pub async fn edit_connection(
    state: State<'_, AppState>,
    id: String,
    settings: ConnectionSettings,
    secret: Option<String>,
) -> Result<ConnectionView, AppError> {
    Ok(state.session().await?.edit_connection(
        &ConnectionId(id),
        &settings,
        secret.map(Secret::new).as_ref(),
    )?)
}

/// Removes a connection, its secret and its cached assets (refused while edits are queued
/// unless `force`, which discards them).
#[tauri::command]
#[specta::specta]
pub async fn remove_connection(
    state: State<'_, AppState>,
    id: String,
    force: bool,
) -> Result<Removal, AppError> {
    Ok(state
        .session()
        .await?
        .remove_connection(&ConnectionId(id), force)?)
}

/// "Test connection": sign in and read one page; each failure has its own status.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    id: String,
) -> Result<TestOutcome, AppError> {
    Ok(state
        .session()
        .await?
        .test_connection(&ConnectionId(id))
        .await?)
}

/// "Check permissions": what the credentials may do, naming what is missing.
#[tauri::command]
#[specta::specta]
pub async fn check_permissions(
    state: State<'_, AppState>,
    id: String,
) -> Result<PermissionReport, AppError> {
    Ok(state
        .session()
        .await?
        .check_permissions(&ConnectionId(id))
        .await?)
}
