//! The write side of the [`Workspace`] façade for the asset form, bulk edit and the detail
//! panel's journal: validate a draft as the user types, create, update, bulk-update, describe
//! the form of a connection, and read an asset's journal.
//!
//! Every write goes through the store's local edit (one `BEGIN IMMEDIATE` transaction: row,
//! search index, base snapshot, outbox entry, journal line; DESIGN.md invariant 2), so saving
//! works the same offline: the outbox carries the change to the provider on the next sync.
//! Validation is [`assetdesk_domain::validate_asset`] run by the store with the cache's
//! context (types, capabilities, duplicate serials), the same function the CLI and the push
//! use, so the form never shows a rule another path ignores.
//!
//! A draft that fails validation is an expected answer, not an error: [`SaveOutcome::Invalid`]
//! carries the findings per field so the form can show them under each input.
//!
//! Not here: tickets. The store has no ticket cache and no ticket outbox op, and the
//! [`crate::Provider`] interface has no ticket calls, so "the asset's tickets" and "create a
//! ticket for this asset (queued when offline)" need both before a façade can offer them.

use std::collections::{BTreeMap, HashMap};

use assetdesk_domain::{
    AssetField, AssetFields, AssetId, Capabilities, ConnectionId, CustomFieldDef, FieldError,
    Patch, ProviderKind, RemoteId, Severity,
};
use assetdesk_store::{JournalEntry, Lookups, NewAsset, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::catalog::{LookupOption, MAX_PAGE};
use crate::error::ErrorCode;
use crate::workspace::Workspace;

/// How many journal lines the detail panel receives at most (newest first).
pub const MAX_JOURNAL: usize = 200;

/// Why an edit request failed (validation findings are not failures: see [`SaveOutcome`]).
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The caller sent something unusable; the message names the field and the fix.
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EditError {
    /// The code the UI branches on: a vanished asset or connection is `NotFound`, a refused
    /// edit `InvalidInput`, anything from SQLite `Database`.
    pub fn code(&self) -> ErrorCode {
        match self {
            EditError::InvalidInput { .. } => ErrorCode::InvalidInput,
            EditError::Store(e) => store_code(e),
        }
    }
}

fn store_code(e: &StoreError) -> ErrorCode {
    match e {
        StoreError::UnknownAsset(_) | StoreError::UnknownConnection(_) => ErrorCode::NotFound,
        StoreError::Invalid(_)
        | StoreError::FieldShape(_)
        | StoreError::InvalidState(_)
        | StoreError::Unsupported(_) => ErrorCode::InvalidInput,
        _ => ErrorCode::Database,
    }
}

/// What the form has typed so far, for validation as you type.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetDraft {
    pub connection_id: String,
    /// The whole form, neutral names (`serial`, `warranty_end`, `custom`…).
    pub fields: AssetFields,
    /// The asset being edited; `null` for a new one (then no serial counts as its own).
    pub asset_id: Option<i64>,
    pub parent_id: Option<i64>,
}

/// The findings about a draft, per field, and whether it can be saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftValidation {
    /// True when no finding is an error (warnings allow saving).
    pub ok: bool,
    pub findings: Vec<FieldError>,
}

/// A new asset as the form submits it.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateAssetRequest {
    pub connection_id: String,
    pub fields: AssetFields,
    pub parent_id: Option<i64>,
}

/// Changed fields of an existing asset: only what the user changed, so a field the provider
/// changed meanwhile (pulled while the form was open) is not reverted by the save.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAssetRequest {
    pub id: i64,
    /// Field name (`serial`, `status_id`, `custom:Rack U`, …) → new value (`null` clears).
    pub changes: BTreeMap<String, serde_json::Value>,
}

/// How a save ended.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SaveOutcome {
    /// Saved in the cache; `queued` when an outbox operation now carries it to the provider
    /// (false only for an update that changed nothing).
    Saved {
        #[serde(rename = "assetId")]
        asset_id: i64,
        queued: bool,
        /// Findings that did not block saving (e.g. a duplicate serial).
        warnings: Vec<FieldError>,
    },
    /// Not saved: fix these fields.
    Invalid { findings: Vec<FieldError> },
}

/// What one bulk edit applies to every selected asset.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BulkChange {
    /// Set the status (`null` clears it). Statuses are per connection.
    Status {
        #[serde(rename = "connectionId")]
        connection_id: String,
        #[serde(rename = "statusId")]
        status_id: Option<i64>,
    },
    /// Set the site (`null` clears it).
    Site {
        #[serde(rename = "connectionId")]
        connection_id: String,
        #[serde(rename = "siteId")]
        site_id: Option<i64>,
    },
    /// Assign to one user (`null`: nobody).
    User {
        #[serde(rename = "connectionId")]
        connection_id: String,
        #[serde(rename = "userId")]
        user_id: Option<i64>,
    },
    /// Change the asset type.
    Type {
        #[serde(rename = "connectionId")]
        connection_id: String,
        #[serde(rename = "typeId")]
        type_id: i64,
    },
    /// Set one custom field by key (`null` clears it).
    Custom {
        key: String,
        value: serde_json::Value,
    },
    /// Take out of service: the connection's retired status (where it has statuses) and
    /// inactive.
    Retire,
}

/// One bulk request: a change for at most [`MAX_PAGE`] assets (the UI sends larger
/// selections in chunks, so one IPC payload stays one page; DESIGN.md invariant 6).
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkEditRequest {
    pub ids: Vec<i64>,
    pub change: BulkChange,
}

/// How the bulk edit ended for one asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum BulkRowStatus {
    /// Changed and queued for the provider.
    Updated,
    /// Already had the value: nothing written.
    Unchanged,
    /// Not changed; `message` says why.
    Failed,
}

/// The result of a bulk edit for one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkRowResult {
    pub id: i64,
    /// The asset's name, when it exists.
    pub name: Option<String>,
    pub status: BulkRowStatus,
    /// Why it failed, or a note on an update (e.g. "no retired status: marked inactive only").
    pub message: Option<String>,
}

/// The per-row results of one bulk request, in request order, and their totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkEditResult {
    pub rows: Vec<BulkRowResult>,
    pub updated: u32,
    pub unchanged: u32,
    pub failed: u32,
}

/// One neutral field of the form and whether this provider lets the user edit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    /// The [`AssetField`] name (`serial`, `warranty_end`, …).
    pub name: String,
    pub label: String,
    pub required: bool,
    pub editable: bool,
    /// Why it is read-only, when it is.
    pub read_only_reason: Option<String>,
}

/// An asset type with the custom fields it defines (rendered by kind in the form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FormType {
    pub id: i64,
    pub name: String,
    pub fields: Vec<CustomFieldDef>,
    /// The statuses an asset of this type may have; `None` when any status goes.
    pub allowed_status_ids: Option<Vec<i64>>,
}

/// A site or user with the client it belongs to, so the form can narrow the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScopedOption {
    pub id: i64,
    pub name: String,
    pub client_id: Option<i64>,
    /// A second line (a user's email).
    pub detail: Option<String>,
}

/// A status with whether it means "out of service".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StatusOption {
    pub id: i64,
    pub name: String,
    pub retired: bool,
}

/// Everything the create/edit form of one connection needs: which neutral fields it shows
/// and allows, the types with their custom field definitions, and the lookups.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FormSchema {
    pub connection_id: String,
    pub connection_name: String,
    pub provider: ProviderKind,
    pub capabilities: Capabilities,
    /// In form order: required fields first, then identity, network, dates and money.
    pub fields: Vec<FormField>,
    pub types: Vec<FormType>,
    pub clients: Vec<LookupOption>,
    /// Only those of `client_id` when the request named one.
    pub sites: Vec<ScopedOption>,
    /// Only those of `client_id` when the request named one.
    pub users: Vec<ScopedOption>,
    pub statuses: Vec<StatusOption>,
}

/// One field change of a journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
    /// For lookup fields (client, site, type, status, users): the names of `from` and `to`
    /// from the cached lookups, so the journal reads "Client: Acme → Globex", not ids.
    pub from_name: Option<String>,
    pub to_name: Option<String>,
}

/// Who changed what on an asset, when, and whether it reached the provider.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct JournalLine {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `user`, `sync` or `import`.
    pub origin: String,
    /// `create`, `update`, `delete`, `link`, …
    pub action: String,
    pub changes: Vec<FieldChange>,
    /// False while the change waits in the outbox.
    pub synced: bool,
}

/// The journal of one asset, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssetJournal {
    pub lines: Vec<JournalLine>,
    /// More lines exist than the [`MAX_JOURNAL`] returned.
    pub truncated: bool,
}

/// The neutral fields in form order (UX.md "Forms": required first, then the rest, dates and
/// money last), with their labels.
const FORM_ORDER: &[(AssetField, &str, bool)] = &[
    (AssetField::Name, "Name", true),
    (AssetField::Client, "Client", true),
    (AssetField::Type, "Type", true),
    (AssetField::Status, "Status", false),
    (AssetField::Site, "Site", false),
    (AssetField::Users, "Users", false),
    (AssetField::Serial, "Serial number", false),
    (AssetField::AssetTag, "Asset tag", false),
    (AssetField::Manufacturer, "Manufacturer", false),
    (AssetField::Model, "Model", false),
    (AssetField::Os, "Operating system", false),
    (AssetField::OsVersion, "OS version", false),
    (AssetField::Ip, "IP address", false),
    (AssetField::Mac, "MAC address", false),
    (AssetField::Notes, "Notes", false),
    (AssetField::Inactive, "Inactive", false),
    (AssetField::PurchaseDate, "Purchase date", false),
    (AssetField::PurchasePrice, "Purchase price", false),
    (AssetField::WarrantyStart, "Warranty start", false),
    (AssetField::WarrantyEnd, "Warranty end", false),
];

/// Why this provider does not let the user edit `field`, or `None` when it does.
fn read_only_reason(kind: ProviderKind, field: &AssetField) -> Option<&'static str> {
    let caps = kind.capabilities();
    match (kind, field) {
        // syncro-api.md §3.3: assets carry no status; Syncro customers have no sites.
        (_, AssetField::Status) if !caps.asset_status => {
            Some("Syncro assets have no status; use Inactive instead")
        }
        (_, AssetField::Site) if !caps.sites => Some("Syncro has no sites"),
        // syncro-api.md §3.5: OS and network facts live in the agent inventory
        // (`properties.kabuto_information`), which the Syncro agent maintains.
        (ProviderKind::Syncro, AssetField::Os | AssetField::OsVersion) => {
            Some("Reported by the Syncro agent")
        }
        (ProviderKind::Syncro, AssetField::Ip | AssetField::Mac) => {
            Some("Reported by the Syncro agent")
        }
        // syncro-api.md §5: no purchase price on a Syncro asset (only free custom fields).
        (ProviderKind::Syncro, AssetField::PurchasePrice) => {
            Some("Syncro assets have no purchase price field")
        }
        _ => None,
    }
}

fn parse_changes(changes: &BTreeMap<String, serde_json::Value>) -> Result<Patch, EditError> {
    changes
        .iter()
        .map(|(name, value)| {
            name.parse::<AssetField>()
                .map(|f| (f, value.clone()))
                .map_err(|e| EditError::InvalidInput {
                    field: "changes",
                    message: e.to_string(),
                })
        })
        .collect()
}

/// Turns a refused edit into the form's answer; everything else stays an error.
fn saved_or_invalid(
    result: Result<assetdesk_store::EditOutcome, StoreError>,
) -> Result<SaveOutcome, EditError> {
    match result {
        Ok(o) => Ok(SaveOutcome::Saved {
            asset_id: o.asset_id.0,
            queued: o.client_op_id.is_some(),
            warnings: o.warnings,
        }),
        Err(StoreError::Invalid(report)) => Ok(SaveOutcome::Invalid {
            findings: report.findings,
        }),
        Err(StoreError::FieldShape(e)) => Ok(SaveOutcome::Invalid {
            findings: vec![FieldError {
                field: e.field.clone(),
                severity: Severity::Error,
                message: e.to_string(),
            }],
        }),
        Err(e) => Err(e.into()),
    }
}

fn failed(id: i64, name: Option<String>, message: String) -> BulkRowResult {
    BulkRowResult {
        id,
        name,
        status: BulkRowStatus::Failed,
        message: Some(message),
    }
}

/// The message of a refused row edit: the error findings, one per field.
fn refusal(e: &StoreError) -> String {
    match e {
        StoreError::Invalid(report) => report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

impl Workspace {
    /// Validates what the form holds (for feedback as the user types): per-field errors and
    /// warnings, including a serial another asset of the connection already carries.
    pub fn validate_draft(&self, draft: &AssetDraft) -> Result<DraftValidation, EditError> {
        let report = self.store().validate(
            &ConnectionId(draft.connection_id.clone()),
            &draft.fields,
            draft.asset_id.map(AssetId),
            draft.parent_id.map(AssetId),
        )?;
        Ok(DraftValidation {
            ok: report.is_ok(),
            findings: report.findings,
        })
    }

    /// Creates an asset in the cache and queues its create for the provider.
    pub fn create_asset(
        &self,
        req: &CreateAssetRequest,
        actor: &str,
    ) -> Result<SaveOutcome, EditError> {
        let new = NewAsset {
            connection_id: ConnectionId(req.connection_id.clone()),
            fields: req.fields.clone(),
            parent_id: req.parent_id.map(AssetId),
        };
        saved_or_invalid(self.store().create_asset(&new, actor))
    }

    /// Applies the user's changes to an asset and queues them for the provider. Only
    /// findings about the changed fields block the save (the store's rule).
    pub fn update_asset(
        &self,
        req: &UpdateAssetRequest,
        actor: &str,
    ) -> Result<SaveOutcome, EditError> {
        let patch = parse_changes(&req.changes)?;
        saved_or_invalid(self.store().update_asset(AssetId(req.id), &patch, actor))
    }

    /// Applies one change to up to [`MAX_PAGE`] assets, each in its own local edit (so one
    /// refused row never undoes the others), and reports per row.
    pub fn bulk_update(
        &self,
        req: &BulkEditRequest,
        actor: &str,
    ) -> Result<BulkEditResult, EditError> {
        if req.ids.is_empty() || req.ids.len() > MAX_PAGE as usize {
            return Err(EditError::InvalidInput {
                field: "ids",
                message: format!(
                    "select 1 to {MAX_PAGE} assets per request, not {}; send larger selections in parts",
                    req.ids.len()
                ),
            });
        }
        if let BulkChange::Custom { key, .. } = &req.change
            && key.trim().is_empty()
        {
            return Err(EditError::InvalidInput {
                field: "change.key",
                message: "name the custom field to set".into(),
            });
        }
        let store = self.store();
        let mut retired_status: HashMap<String, Option<RemoteId>> = HashMap::new();
        let mut rows = Vec::with_capacity(req.ids.len());
        for &id in &req.ids {
            let record = match store.asset(AssetId(id)) {
                Ok(r) => r,
                Err(StoreError::UnknownAsset(_)) => {
                    rows.push(failed(id, None, "This asset no longer exists".into()));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let asset = record.asset;
            let name = Some(asset.fields.name.clone());
            let conn = asset.connection_id.0.clone();
            let mut note = None;
            let mut patch = Patch::new();
            let in_connection = |wanted: &str| {
                if wanted == conn {
                    Ok(())
                } else {
                    Err(
                        "The chosen value belongs to another connection: select assets of \
                         one connection for this change"
                            .to_owned(),
                    )
                }
            };
            let prepared: Result<(), String> = match &req.change {
                BulkChange::Status {
                    connection_id,
                    status_id,
                } => in_connection(connection_id).map(|()| {
                    patch.insert(AssetField::Status, serde_json::json!(status_id));
                }),
                BulkChange::Site {
                    connection_id,
                    site_id,
                } => in_connection(connection_id).map(|()| {
                    patch.insert(AssetField::Site, serde_json::json!(site_id));
                }),
                BulkChange::User {
                    connection_id,
                    user_id,
                } => in_connection(connection_id).map(|()| {
                    let users: Vec<RemoteId> = user_id.iter().copied().collect();
                    patch.insert(AssetField::Users, serde_json::json!(users));
                }),
                BulkChange::Type {
                    connection_id,
                    type_id,
                } => in_connection(connection_id).map(|()| {
                    patch.insert(AssetField::Type, serde_json::json!(type_id));
                }),
                BulkChange::Custom { key, value } => {
                    patch.insert(AssetField::Custom(key.clone()), value.clone());
                    Ok(())
                }
                BulkChange::Retire => {
                    let retired = match retired_status.get(&conn) {
                        Some(r) => *r,
                        None => {
                            let r = retired_status_of(
                                store.connection(&asset.connection_id)?.kind,
                                &store.lookups(&asset.connection_id)?,
                            );
                            retired_status.insert(conn.clone(), r);
                            r
                        }
                    };
                    patch.insert(AssetField::Inactive, serde_json::json!(true));
                    match retired {
                        Some(s) => {
                            patch.insert(AssetField::Status, serde_json::json!(s));
                        }
                        None if store
                            .connection(&asset.connection_id)?
                            .kind
                            .capabilities()
                            .asset_status =>
                        {
                            note = Some(
                                "This connection has no retired status: marked inactive only"
                                    .to_owned(),
                            );
                        }
                        None => {}
                    }
                    Ok(())
                }
            };
            if let Err(message) = prepared {
                rows.push(failed(id, name, message));
                continue;
            }
            match store.update_asset(AssetId(id), &patch, actor) {
                Ok(outcome) if outcome.client_op_id.is_some() => rows.push(BulkRowResult {
                    id,
                    name,
                    status: BulkRowStatus::Updated,
                    message: note,
                }),
                Ok(_) => rows.push(BulkRowResult {
                    id,
                    name,
                    status: BulkRowStatus::Unchanged,
                    message: None,
                }),
                Err(e @ (StoreError::Sqlite(_) | StoreError::Json { .. })) => {
                    return Err(e.into());
                }
                Err(e) => rows.push(failed(id, name, refusal(&e))),
            }
        }
        let count = |s: BulkRowStatus| rows.iter().filter(|r| r.status == s).count() as u32;
        Ok(BulkEditResult {
            updated: count(BulkRowStatus::Updated),
            unchanged: count(BulkRowStatus::Unchanged),
            failed: count(BulkRowStatus::Failed),
            rows,
        })
    }

    /// The form of one connection: which fields show and which the provider lets the user
    /// edit, the types with their custom field definitions, and the lookups (sites and users
    /// narrowed to `client_id` when given, so a large tenant's lists stay small).
    pub fn form_schema(
        &self,
        connection_id: &str,
        client_id: Option<i64>,
    ) -> Result<FormSchema, EditError> {
        let store = self.store();
        let id = ConnectionId(connection_id.to_owned());
        let connection = store.connection(&id)?;
        let lookups = store.lookups(&id)?;
        let kind = connection.kind;
        let fields = FORM_ORDER
            .iter()
            .map(|(field, label, required)| {
                let reason = read_only_reason(kind, field);
                FormField {
                    name: field.name().into_owned(),
                    label: (*label).to_owned(),
                    required: *required,
                    editable: reason.is_none(),
                    read_only_reason: reason.map(str::to_owned),
                }
            })
            .collect();
        let by_name = |a: &String, b: &String| a.to_lowercase().cmp(&b.to_lowercase());
        let mut types: Vec<FormType> = lookups
            .types
            .iter()
            .map(|t| FormType {
                id: t.remote_id,
                name: t.name.clone(),
                fields: t.fields.clone(),
                allowed_status_ids: t.allowed_statuses.clone(),
            })
            .collect();
        types.sort_by(|a, b| by_name(&a.name, &b.name));
        let mut clients: Vec<LookupOption> = lookups
            .clients
            .iter()
            .filter(|c| !c.inactive || Some(c.remote_id) == client_id)
            .map(|c| LookupOption {
                connection_id: connection_id.to_owned(),
                remote_id: c.remote_id,
                name: c.name.clone(),
            })
            .collect();
        clients.sort_by(|a, b| by_name(&a.name, &b.name));
        let in_client = |c: Option<RemoteId>| client_id.is_none() || c == client_id;
        let mut sites: Vec<ScopedOption> = lookups
            .sites
            .iter()
            .filter(|s| in_client(Some(s.client_id)))
            .map(|s| ScopedOption {
                id: s.remote_id,
                name: s.name.clone(),
                client_id: Some(s.client_id),
                detail: None,
            })
            .collect();
        sites.sort_by(|a, b| by_name(&a.name, &b.name));
        let mut users: Vec<ScopedOption> = lookups
            .people
            .iter()
            .filter(|p| in_client(p.client_id))
            .map(|p| ScopedOption {
                id: p.remote_id,
                name: p.name.clone(),
                client_id: p.client_id,
                detail: p.email.clone(),
            })
            .collect();
        users.sort_by(|a, b| by_name(&a.name, &b.name));
        let mut statuses: Vec<StatusOption> = lookups
            .statuses
            .iter()
            .map(|s| StatusOption {
                id: s.remote_id,
                name: s.name.clone(),
                retired: s.retired,
            })
            .collect();
        statuses.sort_by(|a, b| by_name(&a.name, &b.name));
        Ok(FormSchema {
            connection_id: connection.id.0,
            connection_name: connection.name,
            provider: kind,
            capabilities: kind.capabilities(),
            fields,
            types,
            clients,
            sites,
            users,
            statuses,
        })
    }

    /// The journal of one asset, newest first (at most [`MAX_JOURNAL`] lines): what changed,
    /// who changed it, and whether it has reached the provider.
    pub fn asset_journal(&self, id: i64) -> Result<AssetJournal, EditError> {
        // Refuse an unknown id clearly instead of answering with an empty journal.
        let record = self.store().asset(AssetId(id))?;
        let lookups = self.store().lookups(&record.asset.connection_id)?;
        let mut entries = self.store().journal(AssetId(id))?;
        let truncated = entries.len() > MAX_JOURNAL;
        entries.truncate(MAX_JOURNAL);
        Ok(AssetJournal {
            lines: entries
                .into_iter()
                .map(|e| journal_line(e, &lookups))
                .collect(),
            truncated,
        })
    }
}

/// The connection's status meaning "out of service" (HaloPSA statuses are tenant data,
/// halopsa-api.md §4.3); `None` for Syncro, which has no asset status (syncro-api.md §3.3).
fn retired_status_of(kind: ProviderKind, lookups: &Lookups) -> Option<RemoteId> {
    if !kind.capabilities().asset_status {
        return None;
    }
    lookups
        .statuses
        .iter()
        .find(|s| s.retired)
        .map(|s| s.remote_id)
}

/// The display name of a lookup field's value (`None` for other fields or unknown ids).
fn lookup_name(lookups: &Lookups, field: &str, value: &serde_json::Value) -> Option<String> {
    let name_of = |id: i64| -> Option<String> {
        match field {
            "client_id" => lookups
                .clients
                .iter()
                .find(|c| c.remote_id == id)
                .map(|c| c.name.clone()),
            "site_id" => lookups
                .sites
                .iter()
                .find(|s| s.remote_id == id)
                .map(|s| s.name.clone()),
            "type_id" => lookups
                .types
                .iter()
                .find(|t| t.remote_id == id)
                .map(|t| t.name.clone()),
            "status_id" => lookups
                .statuses
                .iter()
                .find(|s| s.remote_id == id)
                .map(|s| s.name.clone()),
            "user_ids" => lookups
                .people
                .iter()
                .find(|p| p.remote_id == id)
                .map(|p| p.name.clone()),
            _ => None,
        }
    };
    match value {
        serde_json::Value::Number(n) => n.as_i64().and_then(name_of),
        serde_json::Value::Array(ids) if field == "user_ids" => {
            let names: Vec<String> = ids
                .iter()
                .filter_map(|v| v.as_i64())
                .map(|id| name_of(id).unwrap_or_else(|| format!("#{id}")))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

fn journal_line(e: JournalEntry, lookups: &Lookups) -> JournalLine {
    let changes = match e.detail {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(field, change)| {
                let from = change
                    .get("from")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null);
                let to = change.get("to").cloned().unwrap_or(serde_json::Value::Null);
                FieldChange {
                    from_name: lookup_name(lookups, &field, &from),
                    to_name: lookup_name(lookups, &field, &to),
                    field,
                    from,
                    to,
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    JournalLine {
        id: e.id,
        at: DateTime::<Utc>::from_timestamp_millis(e.at).unwrap_or_default(),
        actor: e.actor,
        origin: e.origin.as_str().to_owned(),
        action: e.action,
        changes,
        synced: e.synced,
    }
}

#[cfg(test)]
mod tests;
