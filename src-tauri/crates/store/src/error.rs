//! The one error type of the store. Messages name what went wrong and what to do about it;
//! none of them ever carries a secret (the store never sees one).

use assetdesk_domain::{AssetId, ConnectionId, ValidationReport};

/// Everything a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite itself failed (I/O, corruption, a constraint).
    #[error("local database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file was written by a newer AssetDesk.
    #[error(
        "the local database has schema version {found}, newer than this app understands \
         ({supported}); update AssetDesk or remove the cache file to re-sync"
    )]
    SchemaTooNew { found: u32, supported: u32 },
    /// `PRAGMA integrity_check` reported problems.
    #[error("the local database failed its integrity check: {0}")]
    Corrupt(String),
    /// A JSON column could not be read back (a bug or a hand-edited file).
    #[error("stored {what} is not valid JSON: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The edit failed validation; the report holds one finding per field.
    #[error("the asset is not valid: {}", summarize(.0))]
    Invalid(ValidationReport),
    /// A patch value of the wrong shape for its field.
    #[error(transparent)]
    FieldShape(#[from] assetdesk_domain::FieldShapeError),
    #[error("no connection with id {0}; add the connection first")]
    UnknownConnection(ConnectionId),
    #[error("no asset with local id {0}")]
    UnknownAsset(AssetId),
    #[error("no outbox operation with id {0}")]
    UnknownOp(String),
    #[error("no conflict with id {0}")]
    UnknownConflict(i64),
    /// The operation is not allowed in the state the record or op is in.
    #[error("{0}")]
    InvalidState(String),
    /// The provider cannot do this (capability table).
    #[error("{0}")]
    Unsupported(String),
}

fn summarize(report: &ValidationReport) -> String {
    report
        .findings
        .iter()
        .filter(|f| f.severity == assetdesk_domain::Severity::Error)
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl StoreError {
    pub(crate) fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
        move |source| StoreError::Json { what, source }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
