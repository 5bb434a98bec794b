//! The `Workspace` façade: one data folder (cache database, settings) and everything a user
//! can do with it. The desktop app's commands and the CLI call only this.

use std::path::{Path, PathBuf};

use assetdesk_store::Store;

use crate::error::WorkspaceError;

/// The name of the cache database inside a data folder.
pub const CACHE_FILE: &str = "cache.sqlite3";

/// An open data folder.
#[derive(Debug)]
pub struct Workspace {
    data_dir: PathBuf,
    store: Store,
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
            store,
        })
    }

    /// Where this workspace keeps its files.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
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
