//! Commands of the warranty calendar (issue 10): one call into the calendar and export
//! façades each (`assetdesk_sync::calendar`, `assetdesk_sync::export`). Only the visible
//! date range is read; a range carries at most a few events per day (DESIGN.md invariant 6).

use assetdesk_sync::calendar::{
    CalendarError, CalendarRange, CalendarRequest, DayPage, DayRequest, ExpiringRequest,
    ExpiringSummary, RefreshPlan, RefreshRequest, RenewOutcome,
};
use assetdesk_sync::export::{ExportFormat, ExportRequest, ExportSummary};
use chrono::NaiveDate;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

fn app_error(err: CalendarError) -> AppError {
    AppError::new(err.code(), err.to_string())
}

/// The warranty (and optionally refresh) events of one visible date range.
#[tauri::command]
#[specta::specta]
pub async fn calendar_range(
    state: State<'_, AppState>,
    request: CalendarRequest,
) -> Result<CalendarRange, AppError> {
    state
        .workspace()
        .await?
        .calendar_range(&request)
        .map_err(app_error)
}

/// Every event of one day, a page at a time (a busy day's "+N more").
#[tauri::command]
#[specta::specta]
pub async fn calendar_day(
    state: State<'_, AppState>,
    request: DayRequest,
) -> Result<DayPage, AppError> {
    state
        .workspace()
        .await?
        .calendar_day(&request)
        .map_err(app_error)
}

/// "Expiring in the next N days": count and purchase value per client.
#[tauri::command]
#[specta::specta]
pub async fn expiring_summary(
    state: State<'_, AppState>,
    request: ExpiringRequest,
) -> Result<ExpiringSummary, AppError> {
    state
        .workspace()
        .await?
        .expiring_summary(&request)
        .map_err(app_error)
}

/// Sets a new warranty end (an ordinary queued edit: works offline).
#[tauri::command]
#[specta::specta]
pub async fn renew_warranty(
    state: State<'_, AppState>,
    asset_id: i64,
    warranty_end: NaiveDate,
) -> Result<RenewOutcome, AppError> {
    state
        .workspace()
        .await?
        .renew_warranty(asset_id, warranty_end, &super::actor())
        .map_err(app_error)
}

/// One page of the refresh plan (assets older than N years by purchase date).
#[tauri::command]
#[specta::specta]
pub async fn refresh_plan(
    state: State<'_, AppState>,
    request: RefreshRequest,
) -> Result<RefreshPlan, AppError> {
    state
        .workspace()
        .await?
        .refresh_plan(&request)
        .map_err(app_error)
}

/// Writes the filtered warranties of a range as ICS or CSV to `request.path`.
#[tauri::command]
#[specta::specta]
pub async fn export_warranties(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> Result<ExportSummary, AppError> {
    let ws = state.workspace().await?;
    // Streaming a large range to disk takes a moment: keep it off the async runtime.
    tokio::task::spawn_blocking(move || ws.export_warranties(&request).map_err(app_error))
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("the export stopped: {e}")))?
}

/// Where a one-click export goes: `file_name` in the user's Downloads folder (created if
/// missing), as browsers do. The UI shows the path after saving.
#[tauri::command]
#[specta::specta]
pub async fn default_export_path(app: AppHandle, file_name: String) -> Result<String, AppError> {
    let name = std::path::Path::new(file_name.trim())
        .file_name()
        .map(|n| n.to_owned())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidInput,
                "file_name: give a file name such as warranties.ics",
            )
        })?;
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| {
            AppError::new(
                ErrorCode::Io,
                format!("no Downloads folder: {e}; use Save as… instead"),
            )
        })?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        AppError::new(
            ErrorCode::Io,
            format!(
                "could not create {}: {e}; use Save as… instead",
                dir.display()
            ),
        )
    })?;
    Ok(dir.join(name).display().to_string())
}

/// Opens the system "Save as" dialog for an export; `null` when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn choose_export_path(
    app: AppHandle,
    file_name: String,
    format: ExportFormat,
) -> Result<Option<String>, AppError> {
    let (label, ext) = match format {
        ExportFormat::Ics => ("iCalendar", "ics"),
        ExportFormat::Csv => ("CSV", "csv"),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(file_name)
        .add_filter(label, &[ext])
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let chosen = rx.await.map_err(|_| {
        AppError::new(
            ErrorCode::Internal,
            "the save dialog closed without an answer",
        )
    })?;
    chosen
        .map(|p| {
            p.into_path()
                .map(|p| p.display().to_string())
                .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("path: {e}")))
        })
        .transpose()
}
