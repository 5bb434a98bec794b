//! The sync centre's queue: local edits waiting in the outbox (with their state, attempts and
//! last error) and the fields that changed on both sides (conflicts), with what the user can
//! do about each — retry, discard, keep mine, take theirs, or edit a value.
//!
//! The types here are the UI's wire format (camelCase, specta-exported), deliberately separate
//! from the store's types: the store's rows carry the engine's bookkeeping (base snapshots,
//! parent remote ids) that the UI must not depend on, and values that are lookup ids (client,
//! site, type, status, users) are also given as the names a person recognises.

use std::collections::HashMap;

use assetdesk_domain::{AssetField, AssetId, ConnectionId, ProviderKind};
use assetdesk_store::{Lookups, OpPayload, OpState, OutboxOp, Resolution, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::error::ErrorCode;
use crate::workspace::Workspace;

/// Who the outbox and journal record as having made a change from the desktop app.
pub const APP_ACTOR: &str = "desktop";

/// Why a queue action failed. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl QueueError {
    /// The code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            QueueError::InvalidInput { .. } => ErrorCode::InvalidInput,
            QueueError::Store(StoreError::UnknownOp(_) | StoreError::UnknownConflict(_)) => {
                ErrorCode::NotFound
            }
            QueueError::Store(StoreError::UnknownAsset(_)) => ErrorCode::NotFound,
            QueueError::Store(StoreError::InvalidState(_)) => ErrorCode::InvalidInput,
            QueueError::Store(StoreError::Invalid(_) | StoreError::FieldShape(_)) => {
                ErrorCode::InvalidInput
            }
            QueueError::Store(_) => ErrorCode::Database,
        }
    }
}

/// Where a queued edit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum QueuedState {
    /// Waiting for the next sync (possibly until `nextAttemptAt` after a transient failure).
    Pending,
    /// Being sent right now (or its outcome is being reconciled after a crash).
    InFlight,
    /// The provider rejected it: the error says why; retry after fixing, or discard.
    Failed,
    /// Waiting for the user to resolve conflicting fields.
    Conflict,
    /// Reached the provider (only listed when asked for history).
    Done,
}

impl From<OpState> for QueuedState {
    fn from(s: OpState) -> Self {
        match s {
            OpState::Pending => QueuedState::Pending,
            OpState::InFlight => QueuedState::InFlight,
            OpState::Failed => QueuedState::Failed,
            OpState::Conflict => QueuedState::Conflict,
            OpState::Done => QueuedState::Done,
        }
    }
}

/// One local edit in the outbox, as the sync centre lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueuedEdit {
    /// The op's id: what retry and discard take.
    pub client_op_id: String,
    /// Global order (ops of one asset are sent in this order).
    pub seq: i64,
    pub asset_id: i64,
    /// The asset's name now (or the id in words if it is gone from the cache).
    pub asset_name: String,
    pub connection_id: String,
    pub connection_name: String,
    pub provider: ProviderKind,
    /// `create`, `update`, `delete` or `link`.
    pub op: String,
    /// Neutral names of the fields the edit changes (`name`, `serial`, `custom:…`).
    pub fields: Vec<String>,
    pub state: QueuedState,
    /// Sending attempts so far.
    pub attempts: u32,
    /// The provider's or the network's last answer, in words.
    pub last_error: Option<String>,
    /// Unix ms before which a transient failure is not retried.
    pub next_attempt_at: Option<i64>,
    /// Unix ms when the edit was made.
    pub created_at: i64,
    /// Whether "Retry" applies (failed, or waiting out a backoff).
    pub can_retry: bool,
    /// Whether "Discard" applies (anything not being sent and not done).
    pub can_discard: bool,
}

/// One field changed both here and at the provider since the last sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldConflict {
    /// What resolve takes.
    pub id: i64,
    pub asset_id: i64,
    pub asset_name: String,
    pub connection_id: String,
    pub connection_name: String,
    pub provider: ProviderKind,
    /// Neutral name (`serial`, `status_id`, `custom:…`).
    pub field: String,
    /// What a person calls the field ("Serial number", "Status", a custom field's label).
    pub label: String,
    /// The value both sides started from, mine, and theirs (JSON as stored).
    pub base: Value,
    pub local: Value,
    pub remote: Value,
    /// The same three as text a person reads: lookup ids become names, empty is "(empty)".
    pub base_text: String,
    pub local_text: String,
    pub remote_text: String,
    /// Unix ms when the sync found it.
    pub created_at: i64,
}

/// The user's answer to one conflicting field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConflictChoice {
    /// Send my value to the provider.
    KeepMine,
    /// Drop my change to this field; the provider's value stays.
    TakeTheirs,
    /// Send this value instead of either (JSON of the field's shape, e.g. a string).
    Edit { value: Value },
}

impl From<&ConflictChoice> for Resolution {
    fn from(c: &ConflictChoice) -> Self {
        match c {
            ConflictChoice::KeepMine => Resolution::KeepMine,
            ConflictChoice::TakeTheirs => Resolution::TakeTheirs,
            ConflictChoice::Edit { value } => Resolution::Edit(value.clone()),
        }
    }
}

/// Counts for the Sync rail badge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueCounts {
    /// Edits not yet acknowledged (pending, in flight, failed, in conflict).
    pub queued: u32,
    pub failed: u32,
    /// Open conflicting fields.
    pub conflicts: u32,
}

/// What a person calls a neutral field.
pub fn field_label(field: &AssetField) -> String {
    let label = match field {
        AssetField::Name => "Name",
        AssetField::Client => "Client",
        AssetField::Site => "Site",
        AssetField::Users => "Users",
        AssetField::Type => "Type",
        AssetField::Status => "Status",
        AssetField::Serial => "Serial number",
        AssetField::AssetTag => "Asset tag",
        AssetField::Manufacturer => "Manufacturer",
        AssetField::Model => "Model",
        AssetField::Os => "Operating system",
        AssetField::OsVersion => "OS version",
        AssetField::Ip => "IP address",
        AssetField::Mac => "MAC address",
        AssetField::PurchaseDate => "Purchase date",
        AssetField::PurchasePrice => "Purchase price",
        AssetField::WarrantyStart => "Warranty start",
        AssetField::WarrantyEnd => "Warranty end",
        AssetField::Notes => "Notes",
        AssetField::Inactive => "Inactive",
        AssetField::Custom(key) => return key.clone(),
    };
    label.to_owned()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Names and lookups per connection, loaded once per listing.
#[derive(Default)]
struct Names {
    connections: HashMap<ConnectionId, (String, ProviderKind)>,
    lookups: HashMap<ConnectionId, Lookups>,
    assets: HashMap<AssetId, String>,
}

impl Names {
    fn load(ws: &Workspace) -> Result<Self, StoreError> {
        let mut names = Names::default();
        for c in ws.store().connections()? {
            names.connections.insert(c.id.clone(), (c.name, c.kind));
        }
        Ok(names)
    }

    fn connection(&self, id: &ConnectionId) -> (String, ProviderKind) {
        self.connections
            .get(id)
            .cloned()
            .unwrap_or_else(|| (id.0.clone(), ProviderKind::Halo))
    }

    fn asset(&mut self, ws: &Workspace, id: AssetId) -> String {
        if let Some(n) = self.assets.get(&id) {
            return n.clone();
        }
        let name = match ws.store().asset(id) {
            Ok(rec) if !rec.asset.fields.name.trim().is_empty() => rec.asset.fields.name,
            Ok(_) => format!("Unnamed asset {}", id.0),
            Err(_) => format!("Asset {} (no longer cached)", id.0),
        };
        self.assets.insert(id, name.clone());
        name
    }

    fn lookups(&mut self, ws: &Workspace, id: &ConnectionId) -> &Lookups {
        self.lookups
            .entry(id.clone())
            .or_insert_with(|| ws.store().lookups(id).unwrap_or_default())
    }

    /// A value as a person reads it: ids of lookups become names.
    fn text(
        &mut self,
        ws: &Workspace,
        conn: &ConnectionId,
        field: &AssetField,
        v: &Value,
    ) -> String {
        if v.is_null() || v.as_str().is_some_and(str::is_empty) {
            return "(empty)".to_owned();
        }
        let l = self.lookups(ws, conn);
        let by_id = |id: i64| -> Option<String> {
            match field {
                AssetField::Client => l
                    .clients
                    .iter()
                    .find(|c| c.remote_id == id)
                    .map(|c| c.name.clone()),
                AssetField::Site => l
                    .sites
                    .iter()
                    .find(|s| s.remote_id == id)
                    .map(|s| s.name.clone()),
                AssetField::Type => l
                    .types
                    .iter()
                    .find(|t| t.remote_id == id)
                    .map(|t| t.name.clone()),
                AssetField::Status => l
                    .statuses
                    .iter()
                    .find(|s| s.remote_id == id)
                    .map(|s| s.name.clone()),
                AssetField::Users => l
                    .people
                    .iter()
                    .find(|p| p.remote_id == id)
                    .map(|p| p.name.clone()),
                _ => None,
            }
        };
        match v {
            Value::Number(n) => n.as_i64().and_then(by_id).unwrap_or_else(|| n.to_string()),
            Value::Array(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|i| match i.as_i64().and_then(by_id) {
                        Some(name) => name,
                        None => plain(i),
                    })
                    .collect();
                if parts.is_empty() {
                    "(empty)".to_owned()
                } else {
                    parts.join(", ")
                }
            }
            Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
            other => plain(other),
        }
    }

    /// A custom field's label from its asset types' definitions.
    fn label(&mut self, ws: &Workspace, conn: &ConnectionId, field: &AssetField) -> String {
        if let AssetField::Custom(key) = field {
            let l = self.lookups(ws, conn);
            if let Some(def) = l
                .types
                .iter()
                .flat_map(|t| t.fields.iter())
                .find(|d| &d.key == key)
            {
                return def.label.clone();
            }
        }
        field_label(field)
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn fields_of(op: &OutboxOp) -> Vec<String> {
    match &op.payload {
        OpPayload::Create { patch } | OpPayload::Update { patch } => {
            patch.keys().map(|f| f.name().into_owned()).collect()
        }
        OpPayload::Delete => vec![],
        OpPayload::Link { .. } => vec!["parent".to_owned()],
    }
}

impl Workspace {
    /// The outbox for the sync centre, oldest first: every edit not yet acknowledged, plus
    /// acknowledged ones when `include_done`.
    pub fn queued_edits(&self, include_done: bool) -> Result<Vec<QueuedEdit>, QueueError> {
        let ops = self.store().ops(None, include_done)?;
        let mut names = Names::load(self)?;
        let now = chrono::Utc::now().timestamp_millis();
        Ok(ops
            .into_iter()
            .map(|op| {
                let (connection_name, provider) = names.connection(&op.connection_id);
                let state = QueuedState::from(op.state);
                let waiting = op.next_attempt_at.is_some_and(|t| t > now);
                QueuedEdit {
                    asset_name: names.asset(self, op.asset_id),
                    fields: fields_of(&op),
                    op: op.payload.kind().to_owned(),
                    can_retry: state == QueuedState::Failed
                        || (state == QueuedState::Pending && waiting),
                    can_discard: !matches!(state, QueuedState::InFlight | QueuedState::Done),
                    client_op_id: op.client_op_id,
                    seq: op.seq,
                    asset_id: op.asset_id.0,
                    connection_id: op.connection_id.0,
                    connection_name,
                    provider,
                    state,
                    attempts: op.attempts,
                    last_error: op.last_error,
                    next_attempt_at: op.next_attempt_at,
                    created_at: op.created_at,
                }
            })
            .collect())
    }

    /// Open conflicts for the resolver, oldest first, with names and readable values.
    pub fn field_conflicts(&self) -> Result<Vec<FieldConflict>, QueueError> {
        let conflicts = self.store().conflicts(None, true)?;
        let mut names = Names::load(self)?;
        let mut out = Vec::with_capacity(conflicts.len());
        for c in conflicts {
            // The asset tells the connection (conflicts are stored per asset).
            let conn = match self.store().asset(c.asset_id) {
                Ok(rec) => rec.asset.connection_id,
                Err(StoreError::UnknownAsset(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            let (connection_name, provider) = names.connection(&conn);
            let field: Option<AssetField> = c.field.parse().ok();
            let (label, base_text, local_text, remote_text) = match &field {
                Some(f) => (
                    names.label(self, &conn, f),
                    names.text(self, &conn, f, &c.base),
                    names.text(self, &conn, f, &c.local),
                    names.text(self, &conn, f, &c.remote),
                ),
                None => (
                    c.field.clone(),
                    plain(&c.base),
                    plain(&c.local),
                    plain(&c.remote),
                ),
            };
            out.push(FieldConflict {
                id: c.id,
                asset_id: c.asset_id.0,
                asset_name: names.asset(self, c.asset_id),
                connection_id: conn.0.clone(),
                connection_name,
                provider,
                field: c.field,
                label,
                base: c.base,
                local: c.local,
                remote: c.remote,
                base_text,
                local_text,
                remote_text,
                created_at: c.created_at,
            });
        }
        Ok(out)
    }

    /// Counts for the Sync rail badge.
    pub fn queue_counts(&self) -> Result<QueueCounts, QueueError> {
        let ops = self.store().ops(None, false)?;
        let conflicts = self.store().conflicts(None, true)?;
        Ok(QueueCounts {
            queued: count(ops.len()),
            failed: count(ops.iter().filter(|o| o.state == OpState::Failed).count()),
            conflicts: count(conflicts.len()),
        })
    }

    /// "Retry": a failed edit (or one waiting out a backoff) goes back to pending, due now.
    /// The next sync sends it.
    pub fn retry_edit(&self, client_op_id: &str) -> Result<(), QueueError> {
        Ok(self.store().retry(client_op_id)?)
    }

    /// "Discard": the user gives up a queued edit (a never-sent create drops its asset).
    /// Refused while it is being sent.
    pub fn discard_edit(&self, client_op_id: &str) -> Result<(), QueueError> {
        Ok(self.store().discard(client_op_id, APP_ACTOR)?)
    }

    /// Resolves one conflicting field. When the edit's last conflict is resolved it goes back
    /// to the queue and the next sync sends it.
    pub fn resolve_field_conflict(
        &self,
        conflict_id: i64,
        choice: &ConflictChoice,
    ) -> Result<(), QueueError> {
        if let ConflictChoice::Edit { value } = choice
            && let Some(c) = self
                .store()
                .conflicts(None, true)?
                .into_iter()
                .find(|c| c.id == conflict_id)
            && let Ok(field) = c.field.parse::<AssetField>()
        {
            // Check the value's shape here so the message names the field.
            let mut probe = assetdesk_domain::AssetFields::default();
            probe
                .set(&field, value.clone())
                .map_err(|e| QueueError::InvalidInput {
                    field: "value",
                    message: format!("{e}; enter a value of the field's kind"),
                })?;
        }
        Ok(self
            .store()
            .resolve_conflict(conflict_id, &Resolution::from(choice), APP_ACTOR)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_neutral_field_has_a_label_of_its_own() {
        let labels: std::collections::BTreeSet<String> =
            AssetField::NEUTRAL.iter().map(field_label).collect();
        assert_eq!(labels.len(), AssetField::NEUTRAL.len());
        assert_eq!(field_label(&AssetField::Custom("CF1".into())), "CF1");
    }

    #[test]
    fn unknown_ops_and_conflicts_are_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        assert!(ws.queued_edits(true).unwrap().is_empty());
        assert!(ws.field_conflicts().unwrap().is_empty());
        assert_eq!(ws.queue_counts().unwrap(), QueueCounts::default());
        let e = ws.retry_edit("nope").unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
        let e = ws.discard_edit("nope").unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
        let e = ws
            .resolve_field_conflict(42, &ConflictChoice::TakeTheirs)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    }
}
