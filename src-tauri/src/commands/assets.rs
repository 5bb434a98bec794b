//! Commands of the asset list and detail panel: one call into the catalog façade each
//! (`assetdesk_sync::catalog`). Pages are keyset pages of at most 500 rows, so one IPC payload
//! never exceeds a page (DESIGN.md invariant 6).

use assetdesk_sync::catalog::{
    AssetDetail, AssetFacets, AssetPage, AssetPageRequest, CatalogFilter, FilterOptions,
};
use assetdesk_sync::editing::{
    AssetDraft, AssetJournal, BulkEditRequest, BulkEditResult, CreateAssetRequest, DraftValidation,
    EditError, FormSchema, SaveOutcome, UpdateAssetRequest,
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

// ----- the form, bulk edit and journal (`assetdesk_sync::editing`) ---------------------------

impl From<EditError> for AppError {
    fn from(err: EditError) -> Self {
        AppError::new(err.code(), err.to_string())
    }
}

/// Per-field errors and warnings for what the form holds (validation as the user types).
#[tauri::command]
#[specta::specta]
pub async fn validate_asset_draft(
    state: State<'_, AppState>,
    draft: AssetDraft,
) -> Result<DraftValidation, AppError> {
    Ok(state.workspace().await?.validate_draft(&draft)?)
}

/// Creates an asset locally and queues it for the provider (works offline).
#[tauri::command]
#[specta::specta]
pub async fn create_asset(
    state: State<'_, AppState>,
    request: CreateAssetRequest,
) -> Result<SaveOutcome, AppError> {
    Ok(state
        .workspace()
        .await?
        .create_asset(&request, &super::actor())?)
}

/// Applies the fields the user changed and queues them for the provider (works offline).
#[tauri::command]
#[specta::specta]
pub async fn update_asset(
    state: State<'_, AppState>,
    request: UpdateAssetRequest,
) -> Result<SaveOutcome, AppError> {
    Ok(state
        .workspace()
        .await?
        .update_asset(&request, &super::actor())?)
}

/// One change for up to 500 selected assets, with a result per asset.
#[tauri::command]
#[specta::specta]
pub async fn bulk_update_assets(
    state: State<'_, AppState>,
    request: BulkEditRequest,
) -> Result<BulkEditResult, AppError> {
    Ok(state
        .workspace()
        .await?
        .bulk_update(&request, &super::actor())?)
}

/// The create/edit form of a connection: fields, types with custom fields, lookups.
#[tauri::command]
#[specta::specta]
pub async fn asset_form_schema(
    state: State<'_, AppState>,
    connection_id: String,
    client_id: Option<i64>,
) -> Result<FormSchema, AppError> {
    Ok(state
        .workspace()
        .await?
        .form_schema(&connection_id, client_id)?)
}

/// What changed on an asset, when, by whom, and whether it has synced.
#[tauri::command]
#[specta::specta]
pub async fn asset_journal(state: State<'_, AppState>, id: i64) -> Result<AssetJournal, AppError> {
    Ok(state.workspace().await?.asset_journal(id)?)
}
