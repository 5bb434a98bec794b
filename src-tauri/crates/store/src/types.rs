//! Public value types of the store API: what callers pass in and get back.

use assetdesk_domain::{AssetFields, AssetId, ConnectionId, FieldError, Patch, RemoteId};
use serde::{Deserialize, Serialize};

/// Who caused a write; stamped on every change-feed entry and journal line so the UI can tell
/// "you changed this" from "sync brought this in".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOrigin {
    User,
    Sync,
    Import,
}

impl ChangeOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOrigin::User => "user",
            ChangeOrigin::Sync => "sync",
            ChangeOrigin::Import => "import",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "sync" => ChangeOrigin::Sync,
            "import" => ChangeOrigin::Import,
            _ => ChangeOrigin::User,
        }
    }
}

/// Where an asset stands with its provider, derived from its open outbox operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Nothing pending: the row is the provider's last known state.
    Synced,
    /// Local edits wait to be pushed (or are being pushed).
    Pending,
    /// The provider rejected an edit (4xx): needs the user's attention.
    Failed,
    /// A field changed on both sides: the user chooses.
    Conflict,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::Pending => "pending",
            SyncState::Failed => "failed",
            SyncState::Conflict => "conflict",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "pending" => SyncState::Pending,
            "failed" => SyncState::Failed,
            "conflict" => SyncState::Conflict,
            _ => SyncState::Synced,
        }
    }
}

/// The last remote state a local edit was based on (the "base" of three-way merge,
/// sync-perf-anchors.md §1.2). Links are part of it because they are edited like fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub fields: AssetFields,
    pub parent_id: Option<AssetId>,
}

/// The kind of an outbox operation and what it carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpPayload {
    /// Create the asset; `patch` holds every field that differs from the empty asset.
    Create { patch: Patch },
    /// Change these fields.
    Update { patch: Patch },
    /// Delete the asset at the provider.
    Delete,
    /// Set (or clear) the parent link. Runs only once the parent has a remote id.
    Link { parent_id: Option<AssetId> },
}

impl OpPayload {
    pub fn kind(&self) -> &'static str {
        match self {
            OpPayload::Create { .. } => "create",
            OpPayload::Update { .. } => "update",
            OpPayload::Delete => "delete",
            OpPayload::Link { .. } => "link",
        }
    }
}

/// Lifecycle of an outbox operation (sync-perf-anchors.md §1.1, §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpState {
    /// Waiting to be pushed (possibly until `next_attempt_at`).
    Pending,
    /// Marked before the request was sent; found at startup it means "outcome unknown":
    /// reconcile with the provider before any retry (DESIGN.md invariant 4).
    InFlight,
    /// Rejected by the provider (4xx): needs attention; blocks later ops of its record.
    Failed,
    /// Waiting for the user to resolve field conflicts.
    Conflict,
    /// Acknowledged by the provider.
    Done,
}

impl OpState {
    pub fn as_str(self) -> &'static str {
        match self {
            OpState::Pending => "pending",
            OpState::InFlight => "in_flight",
            OpState::Failed => "failed",
            OpState::Conflict => "conflict",
            OpState::Done => "done",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "in_flight" => OpState::InFlight,
            "failed" => OpState::Failed,
            "conflict" => OpState::Conflict,
            "done" => OpState::Done,
            _ => OpState::Pending,
        }
    }
}

/// One outbox entry, with what the pusher needs to send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxOp {
    /// Global order; ops of one record run in this order.
    pub seq: i64,
    /// UUIDv7 minted with the edit; the marker a create carries so an ambiguous failure can
    /// be reconciled by searching the provider (sync-perf-anchors.md §1.3).
    pub client_op_id: String,
    pub asset_id: AssetId,
    pub connection_id: ConnectionId,
    pub payload: OpPayload,
    /// The asset's remote id now (`None` before its create was acknowledged).
    pub remote_id: Option<RemoteId>,
    /// For a link op: the parent's remote id (`None` when clearing the link).
    pub parent_remote_id: Option<RemoteId>,
    /// The base snapshot the edit was made against (`None` for a create).
    pub base: Option<Snapshot>,
    pub state: OpState,
    pub attempts: u32,
    /// Unix ms before which the op is not retried.
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub actor: String,
    pub created_at: i64,
}

/// What a local edit returns: the asset, the outbox entry it landed in (edits to a not yet
/// pushed op are coalesced into it), the warnings the user saw, and its change-feed position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditOutcome {
    pub asset_id: AssetId,
    /// `None` when the edit changed nothing (nothing was written).
    pub client_op_id: Option<String>,
    pub warnings: Vec<FieldError>,
    pub change_seq: i64,
}

/// How a pushed operation ended well.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    /// The provider's state after the write (re-read per sync-perf-anchors.md §1.2 step 5);
    /// it becomes the new base. Required for a create (it carries the new remote id);
    /// `None` for a delete, or for an update whose result was not re-read (then the base
    /// becomes the old base with this op applied).
    pub remote: Option<assetdesk_domain::RemoteAsset>,
}

/// How a pushed operation ended badly.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Network error, timeout, 5xx, 429: retried later. `retry_at` (unix ms, e.g. from
    /// `Retry-After`) overrides the exponential backoff.
    Retryable {
        error: String,
        retry_at: Option<i64>,
    },
    /// The provider rejected the request (4xx): the op becomes `failed` ("needs attention")
    /// and blocks later ops of the same record until retried or discarded.
    Rejected { error: String },
}

/// One field changed on both sides, as the engine found it at push time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictField {
    pub field: assetdesk_domain::AssetField,
    pub base: serde_json::Value,
    pub local: serde_json::Value,
    pub remote: serde_json::Value,
}

/// A stored conflict row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub id: i64,
    pub asset_id: AssetId,
    pub op_seq: Option<i64>,
    pub field: String,
    pub base: serde_json::Value,
    pub local: serde_json::Value,
    pub remote: serde_json::Value,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
}

/// The user's answer to one conflicting field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Resolution {
    /// Push my value.
    KeepMine,
    /// Drop my change to this field; the provider's value stays.
    TakeTheirs,
    /// Push this value instead of either.
    Edit(serde_json::Value),
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub seq: i64,
    pub at: i64,
    pub origin: ChangeOrigin,
    /// `asset`, `lookup`, `connection`, `outbox`, `conflict`.
    pub entity: String,
    /// The asset concerned; `None` for connection/lookup changes and for `bulk` entries.
    pub asset_id: Option<AssetId>,
    /// `insert`, `update`, `delete`, `ack`, `fail`, …; `bulk` when one pull commit changed
    /// many assets (refetch what is shown rather than row by row).
    pub kind: String,
}

/// One journal line: who changed what on an asset, when, and whether it reached the provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub id: i64,
    pub asset_id: AssetId,
    pub at: i64,
    pub actor: String,
    pub origin: ChangeOrigin,
    pub action: String,
    /// `{field: {"from": …, "to": …}}`.
    pub detail: serde_json::Value,
    pub client_op_id: Option<String>,
    pub synced: bool,
}
