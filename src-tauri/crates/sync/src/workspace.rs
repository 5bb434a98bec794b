//! The `Workspace` façade: one data folder (cache database, settings) and everything a user
//! can do with it. The desktop app's commands and the CLI call only this.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use assetdesk_domain::ConnectionId;
use assetdesk_store::Store;

use crate::engine::SyncOptions;
use crate::error::WorkspaceError;
use crate::progress::{ProgressSink, SyncReport};
use crate::provider::Provider;
use crate::scheduler::{Busy, ConnectionSyncState, PeriodicHandle, Scheduler};

/// The name of the cache database inside a data folder.
pub const CACHE_FILE: &str = "cache.sqlite3";

/// An open data folder. Sync methods take the connection's provider as a parameter: the
/// app builds it from the connection settings and the keychain secret, the engine never
/// reads secrets itself.
#[derive(Debug)]
pub struct Workspace {
    data_dir: PathBuf,
    store: Arc<Store>,
    scheduler: Scheduler,
}

/// Facts about an open workspace, for "About" screens and support requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceInfo {
    pub data_dir: PathBuf,
    pub cache_path: PathBuf,
    pub schema_version: u32,
}

impl Workspace {
    /// Opens (creating if needed) the data folder and its cache, applying migrations.
    pub fn open(data_dir: &Path) -> Result<Self, WorkspaceError> {
        std::fs::create_dir_all(data_dir).map_err(|source| WorkspaceError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let store = Store::open(&data_dir.join(CACHE_FILE))?;
        Ok(Workspace {
            data_dir: data_dir.to_path_buf(),
            store: Arc::new(store),
            scheduler: Scheduler::default(),
        })
    }

    /// Where this workspace keeps its files.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The cache, for queries and local edits (lists, search, edits, conflicts, outbox).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Syncs one connection now (lookups, reconcile, push, pull) and reports what it did.
    /// Refused while a sync of the same connection runs; different connections may sync in
    /// parallel. Progress events (≤ 10/s) go to `progress`.
    pub async fn sync_now<P: Provider>(
        &self,
        connection: &ConnectionId,
        provider: &P,
        options: &SyncOptions,
        progress: Option<ProgressSink>,
    ) -> Result<SyncReport, Busy> {
        self.scheduler
            .sync_now(&self.store, provider, connection, options, progress)
            .await
    }

    /// Starts background sync of one connection every `interval` (default
    /// [`crate::DEFAULT_SYNC_INTERVAL`], 15 min). Stop it by dropping or stopping the handle.
    pub fn start_periodic<P: Provider + 'static>(
        &self,
        connection: ConnectionId,
        provider: Arc<P>,
        interval: Duration,
        progress: Option<ProgressSink>,
    ) -> PeriodicHandle {
        self.scheduler
            .start_periodic(self.store.clone(), provider, connection, interval, progress)
    }

    /// Cancels a running sync of `connection` at its next page or op boundary.
    pub fn cancel_sync(&self, connection: &ConnectionId) -> bool {
        self.scheduler.cancel(connection)
    }

    /// Running / offline / last report of one connection, for the sync centre.
    pub fn sync_state(&self, connection: &ConnectionId) -> ConnectionSyncState {
        self.scheduler.state(connection)
    }

    /// Facts about this workspace.
    pub fn info(&self) -> Result<WorkspaceInfo, WorkspaceError> {
        Ok(WorkspaceInfo {
            data_dir: self.data_dir.clone(),
            cache_path: self.data_dir.join(CACHE_FILE),
            schema_version: self.store.schema_version()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_a_fresh_folder_and_reports_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("nested/data")).unwrap();
        let info = ws.info().unwrap();
        assert_eq!(info.schema_version, assetdesk_store::SCHEMA_VERSION);
        assert!(info.cache_path.exists());
    }

    #[test]
    fn a_file_where_the_folder_should_be_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("occupied");
        std::fs::write(&file, b"x").unwrap();
        let err = Workspace::open(&file).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::Io);
        assert!(err.to_string().contains("occupied"), "{err}");
    }
}
