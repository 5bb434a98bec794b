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
//!
//! ## Design
//!
//! * **One provider interface.** [`Provider`] is what the engine needs from a PSA; [`Remote`]
//!   implements it by enum dispatch over the HaloPSA and Syncro clients. The engine is
//!   generic over it, so tests wrap a provider (page drift, call counting) without trait
//!   objects. Provider errors become a neutral [`RemoteError`] carrying whether a failed
//!   write *may have been applied*.
//! * **A sync** ([`sync_connection`], module `engine`): lookups → reconcile in-flight ops →
//!   push → pull. See the `engine` module docs for every rule; in short: each pulled page
//!   and its checkpoint commit in one store transaction; unchanged rows are skipped by
//!   content hash; deletes need two misses over complete, count-checked passes (or one 404);
//!   a row with queued edits is never overwritten or tombstoned by a pull. Push sends ops
//!   in order per record, GETs before an update, merges three-way ([`merge::three_way`]),
//!   sends only local-only changes, and the provider's answer becomes the new base; fields
//!   changed on both sides become conflicts for the user. 4xx → "needs attention" without
//!   blocking other records.
//! * **Exactly-once creates.** The create op is committed `in_flight` before its POST. After
//!   an ambiguous failure, or when found in flight at start-up, the provider is searched
//!   before any retry: Syncro by the op's `client_op_id` written to the mapped
//!   "AssetDesk ID" custom field when the account has one, else serial, else name within the
//!   customer (syncro-api.md §3.4); HaloPSA by client + name + serial (a marker would have to
//!   go into the user-visible notes, so it is not written). A natural-key match is adopted
//!   only if no other cached asset already stands for that remote record, and the pull is
//!   skipped while such a search cannot run, so a pull cannot cache our create twice.
//! * **Scheduling** ([`Scheduler`]): sync now, periodic (default 15 min), offline
//!   detection with quicker retries while offline, cancel at page/op boundaries, one sync
//!   per connection, connections in parallel.
//! * **Progress**: typed [`SyncProgress`] events (phase, entity, page n of m, rows, queued
//!   ops, errors) throttled to ≤ 10/s per connection, plus a final [`SyncReport`].

pub mod calendar;
pub mod catalog;
pub mod connections;
pub mod demo;
pub mod editing;
mod engine;
mod error;
pub mod export;
pub mod links;
pub mod merge;
mod progress;
mod provider;
pub mod queue;
mod scheduler;
pub mod secrets;
pub mod session;
pub mod tickets;
mod workspace;

pub use engine::{CancelToken, SyncOptions, has_open_ops, sync_connection};
pub use error::{ErrorCode, WorkspaceError};
pub use progress::{
    PROGRESS_INTERVAL, ProgressSink, PullStats, PushStats, SyncFailure, SyncPhase, SyncProgress,
    SyncReport,
};
pub use provider::{
    Candidate, MatchStrength, Provider, Remote, RemoteError, RemoteErrorKind, RemotePage,
};
pub use scheduler::{Busy, ConnectionSyncState, DEFAULT_SYNC_INTERVAL, PeriodicHandle, Scheduler};
pub use session::{
    ConnectionStatus, ConnectionView, DataChanged, EventSink, Reachability, Session, SessionError,
    SessionEvent, SessionOptions, SyncOutcome,
};
pub use workspace::{Workspace, WorkspaceInfo};
