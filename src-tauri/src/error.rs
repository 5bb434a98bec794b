//! The error every command returns: `{code, message}`, with `code` a string union in
//! TypeScript. Messages are written for users and never carry secrets.

use serde::{Deserialize, Serialize};

pub use assetdesk_sync::ErrorCode;

/// An error as it crosses into the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
        }
    }
}

impl From<assetdesk_sync::WorkspaceError> for AppError {
    fn from(err: assetdesk_sync::WorkspaceError) -> Self {
        AppError::new(err.code(), err.to_string())
    }
}

impl From<assetdesk_sync::catalog::CatalogError> for AppError {
    fn from(err: assetdesk_sync::catalog::CatalogError) -> Self {
        AppError::new(err.code(), err.to_string())
    }
}

impl From<assetdesk_sync::SessionError> for AppError {
    fn from(err: assetdesk_sync::SessionError) -> Self {
        AppError::new(err.code(), err.to_string())
    }
}
