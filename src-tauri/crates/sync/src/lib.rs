//! # assetdesk-sync
//!
//! The sync engine — pull, ordered outbox push, three-way merge, exactly-once creates,
//! reconcile, scheduling and progress — and the `Workspace` façade that the desktop app and
//! the CLI call.
//!
//! **Owns:** the decisions (what to send, what is a conflict, when to retry).
//!
//! **Must not know:** Tauri, UI concerns, or provider wire formats (it talks to providers
//! through their client crates in neutral types).

mod error;
pub mod merge;
mod workspace;

pub use error::{ErrorCode, WorkspaceError};
pub use workspace::{Workspace, WorkspaceInfo};
