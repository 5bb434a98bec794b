//! Commands about the installation itself.

use tauri::State;

use crate::error::AppError;
use crate::state::{AppInfo, AppState};

/// Version, folders and cache schema of this installation.
#[tauri::command]
#[specta::specta]
pub async fn app_info(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<AppInfo, AppError> {
    state
        .app_info(&app.package_info().version.to_string())
        .await
}
