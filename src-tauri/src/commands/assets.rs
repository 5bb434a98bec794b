//! Commands of the asset list and detail panel: one call into the catalog façade each
//! (`assetdesk_sync::catalog`). Pages are keyset pages of at most 500 rows, so one IPC payload
//! never exceeds a page (DESIGN.md invariant 6).

use assetdesk_sync::catalog::{
    AssetDetail, AssetFacets, AssetPage, AssetPageRequest, CatalogFilter, FilterOptions,
};
use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

/// One page of the asset list for a filter, order and cursor.
#[tauri::command]
#[specta::specta]
pub async fn asset_page(
    state: State<'_, AppState>,
    request: AssetPageRequest,
) -> Result<AssetPage, AppError> {
    Ok(state.workspace().await?.asset_page(&request)?)
}

/// How many assets match a filter (the live row count).
#[tauri::command]
#[specta::specta]
pub async fn asset_count(
    state: State<'_, AppState>,
    filter: CatalogFilter,
) -> Result<u64, AppError> {
    Ok(state.workspace().await?.asset_count(&filter)?)
}

/// Counts per client, type and status under a filter.
#[tauri::command]
#[specta::specta]
pub async fn asset_facets(
    state: State<'_, AppState>,
    filter: CatalogFilter,
) -> Result<AssetFacets, AppError> {
    Ok(state.workspace().await?.asset_facets(&filter)?)
}

/// The connections, clients, sites, types and statuses the filter bar offers.
#[tauri::command]
#[specta::specta]
pub async fn filter_options(state: State<'_, AppState>) -> Result<FilterOptions, AppError> {
    Ok(state.workspace().await?.filter_options()?)
}

/// Everything the detail panel shows about one asset.
#[tauri::command]
#[specta::specta]
pub async fn asset_detail(state: State<'_, AppState>, id: i64) -> Result<AssetDetail, AppError> {
    Ok(state.workspace().await?.asset_detail(id)?)
}
