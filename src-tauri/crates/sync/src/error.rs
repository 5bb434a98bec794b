//! The façade's error: a machine-readable [`ErrorCode`] the UI and the CLI branch on, and a
//! human message that names the fix. Messages never contain secrets.

use serde::{Deserialize, Serialize};

/// What kind of failure this is. Only variants a caller actually branches on belong here;
/// everything else is `Internal` with a clear message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A bug or an unexpected state; the message says what happened.
    Internal,
    /// The local cache could not be opened, migrated or written.
    Database,
    /// The caller's input was rejected; the message names the field and the fix.
    InvalidInput,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// A file or folder could not be read or written.
    Io,
    /// The provider could not be reached; local edits stay queued until it can.
    Offline,
    /// The provider refused the credentials or a permission is missing: fix the connection.
    Auth,
    /// The provider's rate limit held the request back; the sync resumes later.
    RateLimited,
    /// A field changed both here and at the provider: the user chooses per field.
    Conflict,
    /// The provider rejected a change (4xx); the message names the field.
    Validation,
    /// The provider failed (5xx, timeout, unreadable answer); retried later.
    Provider,
    /// A sync of this connection is already running.
    Busy,
    /// The user cancelled.
    Cancelled,
}

/// An error from the [`crate::Workspace`] façade.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("the data folder {path} cannot be used: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the local cache could not be opened: {0}")]
    Store(#[from] assetdesk_store::StoreError),
}

impl WorkspaceError {
    /// The code callers branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            WorkspaceError::DataDir { .. } => ErrorCode::Io,
            WorkspaceError::Store(_) => ErrorCode::Database,
        }
    }
}
