//! The demo workspace: what a newcomer sees when nothing is configured. The sandbox's HaloPSA
//! tenant and Syncro account run in-process on loopback ([`DemoServers`]), two connections
//! flagged `demo` point at them, and the [`crate::Session`] syncs them like any other.
//!
//! Rules kept here:
//! * The demo's credentials live only in the session's in-memory secret store: never the OS
//!   keychain, the data folder or a log. The sandbox's saved state (`<data>/demo/`) holds
//!   assets and tickets only.
//! * Restarts are seamless: the sandbox's remote state is restored from `<data>/demo/`, and
//!   the demo connections keep their ids and cache and only move to the new ports — so no
//!   spurious deletes, duplicates or conflicts.
//! * "Make a remote change" prefers a field the user has a queued edit of, so the next sync
//!   shows a real conflict.

use assetdesk_domain::{AssetField, Connection, ConnectionId, ProviderKind};
use assetdesk_sandbox::demo::{DemoField, DemoServers, DemoSide};
use assetdesk_store::{OpPayload, OpState};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::connections::{ConnectionError, ConnectionSettings};
use crate::error::ErrorCode;
use crate::queue::field_label;
use crate::secrets::Secret;
use crate::workspace::Workspace;

/// The folder inside the data folder that keeps the demo's remote state.
pub const DEMO_DIR: &str = "demo";

/// Names the demo connections get (the user may rename them).
pub const DEMO_HALO_NAME: &str = "Demo HaloPSA";
pub const DEMO_SYNCRO_NAME: &str = "Demo Syncro";

/// Why a demo action failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo workspace is not open; open it from Settings")]
    NotRunning,
    #[error("the demo workspace is already open")]
    AlreadyRunning,
    #[error("the demo's servers could not start on this computer: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "the demo has no assets to change yet: wait for its first sync to finish, then try again"
    )]
    NothingToChange,
    #[error(transparent)]
    Connection(#[from] ConnectionError),
}

impl DemoError {
    /// The code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            DemoError::NotRunning | DemoError::NothingToChange => ErrorCode::NotFound,
            DemoError::AlreadyRunning => ErrorCode::InvalidInput,
            DemoError::Io(_) => ErrorCode::Io,
            DemoError::Connection(e) => e.code(),
        }
    }
}

/// The demo as Settings and the demo banner show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DemoStatus {
    /// The demo's servers run in this app.
    pub active: bool,
    /// They accept connections ("go offline" turns this off).
    pub online: bool,
    /// The demo connections' ids.
    pub connection_ids: Vec<String>,
    pub halo_url: Option<String>,
    pub syncro_url: Option<String>,
}

impl DemoStatus {
    pub(crate) fn of(servers: Option<&DemoServers>, connections: &[Connection]) -> Self {
        DemoStatus {
            active: servers.is_some(),
            online: servers.is_some_and(DemoServers::is_online),
            connection_ids: connections
                .iter()
                .filter(|c| c.demo)
                .map(|c| c.id.0.clone())
                .collect(),
            halo_url: servers.map(DemoServers::halo_url),
            syncro_url: servers.map(DemoServers::syncro_url),
        }
    }
}

/// The running demo: its servers.
#[derive(Debug)]
pub struct Demo {
    pub(crate) servers: DemoServers,
}

impl Demo {
    /// Stops the servers (their state is saved after every change already).
    pub async fn stop(self) {
        self.servers.stop().await;
    }
}

/// The settings and secret of the demo connection of `kind`, at the servers' current URLs.
pub(crate) fn connection_for(
    servers: &DemoServers,
    kind: ProviderKind,
    name: Option<&str>,
) -> (ConnectionSettings, Secret) {
    match kind {
        ProviderKind::Halo => {
            let (tenant, client_id, client_secret) = servers.halo_credentials();
            (
                ConnectionSettings {
                    kind,
                    name: name.unwrap_or(DEMO_HALO_NAME).to_owned(),
                    url: servers.halo_url(),
                    auth_url: Some(servers.halo_auth_url()),
                    tenant: Some(tenant),
                    client_id: Some(client_id),
                },
                Secret::new(client_secret),
            )
        }
        ProviderKind::Syncro => (
            ConnectionSettings {
                kind,
                name: name.unwrap_or(DEMO_SYNCRO_NAME).to_owned(),
                url: servers.syncro_url(),
                auth_url: None,
                tenant: None,
                client_id: None,
            },
            Secret::new(servers.syncro_token()),
        ),
    }
}

fn side_of(kind: ProviderKind) -> DemoSide {
    match kind {
        ProviderKind::Halo => DemoSide::Halo,
        ProviderKind::Syncro => DemoSide::Syncro,
    }
}

/// The neutral fields the demo can change remotely, per provider, most visible first.
fn changeable(kind: ProviderKind) -> &'static [(AssetField, DemoField)] {
    match kind {
        ProviderKind::Halo => &[
            (AssetField::Serial, DemoField::Serial),
            (AssetField::Name, DemoField::Name),
            (AssetField::AssetTag, DemoField::AssetTag),
            (AssetField::Notes, DemoField::Notes),
        ],
        ProviderKind::Syncro => &[
            (AssetField::Serial, DemoField::Serial),
            (AssetField::Name, DemoField::Name),
        ],
    }
}

fn text_of(v: &serde_json::Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_default()
}

/// A value "a colleague" would type, different from both `mine` and `base`.
fn colleague_value(field: DemoField, base: &str, mine: &str, remote_id: i64) -> String {
    let stamp = chrono::Utc::now().format("%H%M%S");
    let candidate = match field {
        DemoField::Name if !base.is_empty() => format!("{base} (renamed at the PSA)"),
        DemoField::Name => format!("Asset {remote_id} (renamed at the PSA)"),
        DemoField::Serial => format!("SN{remote_id}R{stamp}"),
        DemoField::AssetTag => format!("AT-R{remote_id}-{stamp}"),
        DemoField::Notes => format!("Checked on site by a colleague ({stamp} UTC)"),
    };
    if candidate == mine || candidate == base {
        format!("{candidate} 2")
    } else {
        candidate
    }
}

/// "Make a remote change": changes a field of a demo asset at its (emulated) provider and
/// says what changed. Prefers a field with a queued local edit, so the next sync yields a
/// conflict; otherwise renames an asset so the next sync brings the change in.
pub(crate) fn make_remote_change(
    ws: &Workspace,
    servers: &DemoServers,
) -> Result<String, DemoError> {
    let demo: Vec<Connection> = ws
        .store()
        .connections()
        .map_err(ConnectionError::from)?
        .into_iter()
        .filter(|c| c.demo)
        .collect();
    let kind_of = |id: &ConnectionId| demo.iter().find(|c| &c.id == id);

    // 1. A queued edit of a field the demo can change: newest first.
    let mut ops = ws.store().ops(None, false).map_err(ConnectionError::from)?;
    ops.reverse();
    for op in ops {
        let Some(conn) = kind_of(&op.connection_id) else {
            continue;
        };
        let (OpPayload::Update { patch }, OpState::Pending | OpState::Failed) =
            (&op.payload, op.state)
        else {
            continue;
        };
        let Some(remote_id) = op.remote_id else {
            continue;
        };
        let Some((field, demo_field)) = changeable(conn.kind)
            .iter()
            .find(|(f, _)| patch.contains_key(f))
        else {
            continue;
        };
        let mine = text_of(&patch[field]);
        let base = op
            .base
            .as_ref()
            .map(|b| text_of(&b.fields.get(field)))
            .unwrap_or_default();
        let value = colleague_value(*demo_field, &base, &mine, remote_id);
        if servers.remote_change(side_of(conn.kind), remote_id, *demo_field, &value) {
            let asset = ws
                .store()
                .asset(op.asset_id)
                .map(|r| r.asset.fields.name)
                .unwrap_or_else(|_| format!("asset {remote_id}"));
            return Ok(format!(
                "{}: a colleague changed the {} of “{asset}” to “{value}”. You changed it here too, so the next sync will ask you which value to keep.",
                conn.name,
                field_label(field).to_lowercase(),
            ));
        }
    }

    // 2. No queued edit to collide with: rename an asset that has none.
    let minute = chrono::Utc::now().timestamp() / 60;
    for conn in &demo {
        let side = side_of(conn.kind);
        let ids = match side {
            DemoSide::Halo => servers.halo().asset_ids(),
            DemoSide::Syncro => servers.syncro().asset_ids(),
        };
        if ids.is_empty() {
            continue;
        }
        let start = usize::try_from(minute).unwrap_or(0) % ids.len();
        for remote_id in ids.iter().cycle().skip(start).take(ids.len().min(50)) {
            let Ok(Some(rec)) = ws.store().asset_by_remote(&conn.id, *remote_id) else {
                continue;
            };
            if rec.deleted || rec.sync_state != assetdesk_store::SyncState::Synced {
                continue;
            }
            let name = rec.asset.fields.name.clone();
            let value = colleague_value(DemoField::Name, &name, &name, *remote_id);
            if servers.remote_change(side, *remote_id, DemoField::Name, &value) {
                return Ok(format!(
                    "{}: a colleague renamed “{name}” to “{value}”. Sync to see it arrive. To try a conflict: go offline, edit an asset's name or serial here, make a remote change, then go online.",
                    conn.name
                ));
            }
        }
    }
    Err(DemoError::NothingToChange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colleague_value_differs_from_mine_and_the_base() {
        for f in [
            DemoField::Name,
            DemoField::Serial,
            DemoField::AssetTag,
            DemoField::Notes,
        ] {
            let v = colleague_value(f, "LT-00001", "LT-00001 (renamed at the PSA)", 7);
            assert_ne!(v, "LT-00001");
            assert_ne!(v, "LT-00001 (renamed at the PSA)");
        }
    }
}
