//! Commands of parent/child links (issue 10): one call into the links façade each
//! (`assetdesk_sync::links`). Every change is a queued local edit, so it works offline.

use assetdesk_sync::links::{LinkCandidate, LinkError, LinkOutcome, LinkSearch, LinkTree};
use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

fn app_error(err: LinkError) -> AppError {
    AppError::new(err.code(), err.to_string())
}

/// The tree around an asset: ancestors, itself and its subtree, with counts.
#[tauri::command]
#[specta::specta]
pub async fn link_tree(state: State<'_, AppState>, id: i64) -> Result<LinkTree, AppError> {
    state.workspace().await?.link_tree(id).map_err(app_error)
}

/// Sets, moves (`parent_id` another asset) or clears (`null`) the parent of `child_id`.
/// "Add child" calls it from the parent's side.
#[tauri::command]
#[specta::specta]
pub async fn set_asset_parent(
    state: State<'_, AppState>,
    child_id: i64,
    parent_id: Option<i64>,
) -> Result<LinkOutcome, AppError> {
    state
        .workspace()
        .await?
        .set_parent(child_id, parent_id, &super::actor())
        .map_err(app_error)
}

/// The search picker's candidates, each marked when it cannot be chosen and why.
#[tauri::command]
#[specta::specta]
pub async fn link_candidates(
    state: State<'_, AppState>,
    request: LinkSearch,
) -> Result<Vec<LinkCandidate>, AppError> {
    state
        .workspace()
        .await?
        .link_candidates(&request)
        .map_err(app_error)
}
