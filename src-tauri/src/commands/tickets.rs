//! Commands of the detail panel's ticket section: one call into the ticket façade each
//! (`assetdesk_sync::tickets`). Creating a ticket only queues it (works offline); the next
//! sync sends it.

use assetdesk_sync::tickets::{AssetTicketList, TicketRequest};
use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

/// The asset's cached tickets and its ticket requests not created yet (no network).
#[tauri::command]
#[specta::specta]
pub async fn asset_tickets(
    state: State<'_, AppState>,
    asset_id: i64,
) -> Result<AssetTicketList, AppError> {
    Ok(state.workspace().await?.asset_tickets(asset_id)?)
}

/// The asset's tickets fetched from its provider (tickets opened in the PSA too), falling back
/// to the cached list with the reason when the provider cannot be reached.
#[tauri::command]
#[specta::specta]
pub async fn refresh_asset_tickets(
    state: State<'_, AppState>,
    asset_id: i64,
) -> Result<AssetTicketList, AppError> {
    Ok(state
        .session()
        .await?
        .refresh_asset_tickets(asset_id)
        .await?)
}

/// "Create ticket for this asset": queues the request; the next sync creates the ticket.
#[tauri::command]
#[specta::specta]
pub async fn create_ticket_for_asset(
    state: State<'_, AppState>,
    asset_id: i64,
    summary: String,
    details: String,
) -> Result<TicketRequest, AppError> {
    Ok(state.workspace().await?.create_ticket_for_asset(
        asset_id,
        &summary,
        &details,
        &super::actor(),
    )?)
}

/// Puts a ticket request the provider refused back in the queue.
#[tauri::command]
#[specta::specta]
pub async fn retry_ticket(
    state: State<'_, AppState>,
    client_op_id: String,
) -> Result<TicketRequest, AppError> {
    Ok(state.workspace().await?.retry_ticket(&client_op_id)?)
}
