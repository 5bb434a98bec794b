//! Commands of the sync centre: sync now / cancel / schedule, sync states, the outbox and the
//! conflict resolver — one call into the sync session each. Progress, data changes and
//! online/offline changes arrive as events (`events.rs`), not by polling.

use assetdesk_domain::ConnectionId;
use assetdesk_sync::queue::{ConflictChoice, FieldConflict, QueueCounts, QueuedEdit};
use assetdesk_sync::{ConnectionStatus, SyncOutcome};
use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

/// Syncs one connection (or all when `connection_id` is null) now; resolves when done.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(
    state: State<'_, AppState>,
    connection_id: Option<String>,
) -> Result<Vec<SyncOutcome>, AppError> {
    Ok(state
        .session()
        .await?
        .sync_now(connection_id.map(ConnectionId).as_ref())
        .await?)
}

/// Cancels the running sync of one connection (or all) at its next page or op boundary;
/// returns how many were running.
#[tauri::command]
#[specta::specta]
pub async fn cancel_sync(
    state: State<'_, AppState>,
    connection_id: Option<String>,
) -> Result<u32, AppError> {
    Ok(state
        .session()
        .await?
        .cancel_sync(connection_id.map(ConnectionId).as_ref())?)
}

/// Sets a connection's background sync interval in minutes (null: off); saved in the data
/// folder and applied at once.
#[tauri::command]
#[specta::specta]
pub async fn set_sync_schedule(
    state: State<'_, AppState>,
    id: String,
    minutes: Option<u32>,
) -> Result<ConnectionStatus, AppError> {
    Ok(state
        .session()
        .await?
        .set_schedule(&ConnectionId(id), minutes)?)
}

/// Every connection's sync status (running, online/offline, last sync, schedule).
#[tauri::command]
#[specta::specta]
pub async fn sync_statuses(state: State<'_, AppState>) -> Result<Vec<ConnectionStatus>, AppError> {
    Ok(state.session().await?.sync_statuses()?)
}

/// The outbox, oldest first (acknowledged edits too when `include_done`).
#[tauri::command]
#[specta::specta]
pub async fn outbox_list(
    state: State<'_, AppState>,
    include_done: Option<bool>,
) -> Result<Vec<QueuedEdit>, AppError> {
    Ok(state
        .session()
        .await?
        .queued_edits(include_done.unwrap_or(false))?)
}

/// "Retry" a failed edit (or one waiting out a backoff).
#[tauri::command]
#[specta::specta]
pub async fn outbox_retry(
    state: State<'_, AppState>,
    client_op_id: String,
) -> Result<(), AppError> {
    Ok(state.session().await?.retry_edit(&client_op_id)?)
}

/// "Discard" a queued edit (a never-sent create drops its asset).
#[tauri::command]
#[specta::specta]
pub async fn outbox_discard(
    state: State<'_, AppState>,
    client_op_id: String,
) -> Result<(), AppError> {
    Ok(state.session().await?.discard_edit(&client_op_id)?)
}

/// Open conflicts with asset name, field, and base / mine / theirs.
#[tauri::command]
#[specta::specta]
pub async fn conflicts_list(state: State<'_, AppState>) -> Result<Vec<FieldConflict>, AppError> {
    Ok(state.session().await?.conflicts()?)
}

/// Resolves one conflicting field: keep mine, take theirs, or edit with a value.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    id: i64,
    resolution: ConflictChoice,
) -> Result<(), AppError> {
    Ok(state.session().await?.resolve_conflict(id, &resolution)?)
}

/// Queued, failed and conflict counts for the Sync rail badge.
#[tauri::command]
#[specta::specta]
pub async fn queue_counts(state: State<'_, AppState>) -> Result<QueueCounts, AppError> {
    Ok(state.session().await?.queue_counts()?)
}
