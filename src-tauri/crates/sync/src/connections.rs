//! Connections: add, edit, remove, list, "Test connection", "Check permissions", and building
//! the engine's [`Remote`] for a connection — the one place where a connection's settings
//! (in SQLite) meet its secret (in the [`SecretStore`]).
//!
//! The desktop app's Settings page and the `assetdesk connection …` commands both call these
//! [`Workspace`] methods, so validation, messages and the secret handling are the same in both.
//!
//! Invariants kept here:
//! * A secret goes to the [`SecretStore`] only, filed under [`Connection::secret_ref`]; the
//!   SQLite row holds the reference name (DESIGN.md invariant 5). Nothing in this module that
//!   derives `Serialize` or `specta::Type` holds a secret.
//! * URLs are validated by the provider clients' own settings constructors, so the Settings
//!   page, the CLI and the engine agree on what is acceptable (HTTPS, or HTTP to loopback
//!   only: DESIGN.md invariant 8).
//! * Removing a connection drops its cached assets, lookups, conflicts and outbox with it
//!   (there is nothing to sync them to any more); queued edits would be lost, so removal is
//!   refused while any are queued unless the caller forces it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use assetdesk_domain::{Connection, ConnectionId, ProviderKind};
use assetdesk_halo::{
    AssetQuery as HaloQuery, AuthServer, HaloClient, HaloError, HaloSettings, PageCursor,
    Secret as HaloSecret,
};
use assetdesk_store::{AssetFilter, StoreError};
use assetdesk_syncro::{
    ApiToken, AssetQuery as SyncroQuery, Error as SyncroError, SyncroClient, SyncroSettings,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::ErrorCode;
use crate::provider::Remote;
use crate::secrets::{Secret, SecretError, SecretStore};
use crate::workspace::Workspace;

/// What a user enters for a connection, minus the secret (which travels separately as a
/// [`Secret`] so this type can be serialised to and from the UI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSettings {
    pub kind: ProviderKind,
    /// What the user calls it ("Contoso Halo"); unique among connections.
    pub name: String,
    /// HaloPSA: the resource server or web-app URL (`https://contoso.halopsa.com`). Syncro:
    /// the account's web URL, its API base, or just the subdomain.
    pub url: String,
    /// HaloPSA only: the authorisation server, when it is not `<host>/auth`.
    pub auth_url: Option<String>,
    /// HaloPSA only: the hosted tenant name.
    pub tenant: Option<String>,
    /// HaloPSA only: the OAuth client id (not a secret).
    pub client_id: Option<String>,
}

/// One connection as lists show it, with what is cached and queued for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ConnectionSummary {
    pub id: ConnectionId,
    pub kind: ProviderKind,
    pub name: String,
    pub base_url: String,
    pub auth_url: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub demo: bool,
    /// Assets in the local cache (deleted ones excluded).
    pub cached_assets: u64,
    /// Outbox operations not yet acknowledged by the provider (pending, in flight, failed,
    /// in conflict).
    pub queued_ops: u32,
}

/// What [`Workspace::remove_connection`] dropped with the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Removal {
    pub id: ConnectionId,
    pub name: String,
    /// Cached assets removed from the local cache (they stay at the provider).
    pub cached_assets: u64,
    /// Queued edits discarded without being sent (non-zero only when forced).
    pub discarded_ops: u32,
}

/// How "Test connection" went. Each failure has its own status, so the UI and scripts can
/// branch on it and the message says what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    /// Signed in and read one page of assets.
    Ok,
    /// The URL is malformed, not HTTPS, or does not point at the provider's API.
    BadUrl,
    /// Nothing answered (DNS, refused, timeout, TLS).
    Unreachable,
    /// The provider refused the client id / secret or the API token.
    BadCredentials,
    /// Signed in, but the account lacks a permission that reading assets needs.
    MissingPermission,
    /// The provider's rate limit held the test back.
    RateLimited,
    /// The provider answered with a server error.
    ProviderError,
    /// No secret is stored for the connection, or the keychain cannot be used.
    NoSecret,
}

/// The result of "Test connection".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TestOutcome {
    pub status: TestStatus,
    /// One sentence for people: what happened and what to do.
    pub message: String,
}

impl TestOutcome {
    pub fn is_ok(&self) -> bool {
        self.status == TestStatus::Ok
    }

    fn new(status: TestStatus, message: impl Into<String>) -> Self {
        TestOutcome {
            status,
            message: message.into(),
        }
    }
}

/// One line of "Check permissions", the same shape for both providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PermissionCheck {
    /// `sign_in`, `read_assets`, `edit_assets`, `read_clients`, `read_tickets`,
    /// `create_tickets`.
    pub capability: String,
    pub ok: bool,
    /// When not ok: the permission to grant, in the provider's own words.
    pub missing: Option<String>,
    /// What was observed.
    pub detail: String,
}

/// "Check permissions" for one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PermissionReport {
    pub connection_id: ConnectionId,
    pub kind: ProviderKind,
    pub all_ok: bool,
    pub checks: Vec<PermissionCheck>,
}

impl PermissionReport {
    /// The permissions to grant, one line each.
    pub fn missing(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| {
                c.missing
                    .clone()
                    .unwrap_or_else(|| format!("{}: {}", c.capability, c.detail))
            })
            .collect()
    }
}

/// Why a connection operation failed. Messages name the field or the fix and never contain
/// a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("no connection named or with id '{0}': see `assetdesk connection list`")]
    NotFound(String),
    #[error(
        "connection '{name}' has {count} queued edit(s) that have not reached the provider; sync first, or remove it anyway (--force) to discard them"
    )]
    HasQueuedOps { name: String, count: u32 },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ConnectionError {
    /// The code the UI and the CLI branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ConnectionError::Invalid { .. } => ErrorCode::InvalidInput,
            ConnectionError::NotFound(_) => ErrorCode::NotFound,
            ConnectionError::HasQueuedOps { .. } => ErrorCode::InvalidInput,
            ConnectionError::Secret(_) => ErrorCode::Auth,
            ConnectionError::Store(_) => ErrorCode::Database,
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ConnectionError {
    ConnectionError::Invalid {
        field,
        message: message.into(),
    }
}

/// A fresh random connection id in UUID v4 form. `RandomState` draws its keys from the OS
/// random source once per process and then varies them per instance, which is plenty for
/// ids that only need to be unique within one data folder.
fn new_connection_id() -> ConnectionId {
    let draw = || {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        h.finish()
    };
    let (a, b) = (draw(), draw());
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000; // version 4
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000; // RFC 4122 variant
    ConnectionId(format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    ))
}

/// The keychain account name of a connection's secret.
fn secret_ref_for(id: &ConnectionId) -> String {
    format!("connection-{id}")
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Validates `settings` with the provider client's own constructor and returns the
/// connection row to store (no secret in it).
fn to_connection(
    id: ConnectionId,
    settings: &ConnectionSettings,
    demo: bool,
) -> Result<Connection, ConnectionError> {
    let name = settings.name.trim();
    if name.is_empty() {
        return Err(invalid(
            "name",
            "the name is empty; give the connection a name such as \"Contoso Halo\"",
        ));
    }
    let secret_ref = secret_ref_for(&id);
    let conn = match settings.kind {
        ProviderKind::Halo => {
            let client_id = trimmed(&settings.client_id).ok_or_else(|| {
                invalid(
                    "client_id",
                    "the client id is empty; copy it from Configuration > Integrations > Halo API > your application",
                )
            })?;
            let halo =
                halo_settings_for(&id, &settings.url, settings.auth_url.as_deref(), &client_id)?;
            Connection {
                id,
                kind: ProviderKind::Halo,
                name: name.to_owned(),
                base_url: halo.resource_url.to_string(),
                auth_url: match &halo.auth_server {
                    AuthServer::Url(u) => Some(u.to_string()),
                    AuthServer::Derived | AuthServer::Discover => None,
                },
                tenant: trimmed(&settings.tenant),
                client_id: Some(client_id),
                secret_ref,
                demo,
            }
        }
        ProviderKind::Syncro => {
            let syncro = SyncroSettings::new(id.clone(), &settings.url)
                .map_err(|e| invalid("url", e.to_string()))?;
            Connection {
                id,
                kind: ProviderKind::Syncro,
                name: name.to_owned(),
                base_url: syncro.base_url.to_string(),
                auth_url: None,
                tenant: None,
                client_id: None,
                secret_ref,
                demo,
            }
        }
    };
    Ok(conn)
}

fn halo_settings_for(
    id: &ConnectionId,
    url: &str,
    auth_url: Option<&str>,
    client_id: &str,
) -> Result<HaloSettings, ConnectionError> {
    let mut s = HaloSettings::new(id.clone(), url, client_id).map_err(|e| match e {
        HaloError::Settings(m) if m.contains("client id") => invalid("client_id", m),
        other => invalid(
            "url",
            other.to_string().replacen("HaloPSA settings: ", "", 1),
        ),
    })?;
    if let Some(raw) = auth_url.map(str::trim).filter(|s| !s.is_empty()) {
        // `join` with an absolute URL parses it on its own (the resource URL is ignored), so
        // the auth URL is checked by the same parser the client uses.
        let parsed = s.resource_url.join(raw).ok().filter(|_| raw.contains("://")).ok_or_else(|| {
            invalid(
                "auth_url",
                format!("'{raw}' is not a URL; copy the Authorisation Server from Configuration > Integrations > Halo API"),
            )
        })?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        // DESIGN.md invariant 8 (halopsa-api.md §1.1): the token endpoint gets the secret, so
        // it is held to the same HTTPS rule as the resource server.
        if !(parsed.scheme() == "https" || (parsed.scheme() == "http" && is_loopback_host(&host))) {
            return Err(invalid(
                "auth_url",
                format!(
                    "'{raw}' must use https:// (plain http is allowed only for 127.0.0.1/localhost)"
                ),
            ));
        }
        s.auth_server = AuthServer::Url(parsed);
    }
    Ok(s)
}

/// Builds the engine's provider for a stored connection with its secret. The app and the CLI
/// hand the result to [`Workspace::sync_now`] / [`Workspace::start_periodic`].
pub fn build_remote(conn: &Connection, secret: &Secret) -> Result<Remote, ConnectionError> {
    match conn.kind {
        ProviderKind::Halo => {
            let client_id = conn.client_id.clone().unwrap_or_default();
            let mut settings = halo_settings_for(
                &conn.id,
                &conn.base_url,
                conn.auth_url.as_deref(),
                &client_id,
            )?;
            settings.tenant = conn.tenant.clone();
            let client = HaloClient::new(settings, HaloSecret::new(secret.expose()))
                .map_err(|e| invalid("url", e.to_string()))?;
            Ok(Remote::Halo(Arc::new(client)))
        }
        ProviderKind::Syncro => {
            let settings = SyncroSettings::new(conn.id.clone(), &conn.base_url)
                .map_err(|e| invalid("url", e.to_string()))?;
            let client = SyncroClient::new(settings, ApiToken::new(secret.expose())).map_err(
                |e| match e {
                    SyncroError::Auth { message } => invalid("token", message),
                    other => invalid("url", other.to_string()),
                },
            )?;
            Ok(Remote::Syncro(Arc::new(client)))
        }
    }
}

/// Maps a HaloPSA error met while testing to a distinct outcome (halopsa-api.md §1.3 for
/// 401 vs 403, §6 for 429).
pub fn halo_test_outcome(e: &HaloError) -> TestOutcome {
    use TestStatus as S;
    match e {
        HaloError::Settings(m) => TestOutcome::new(S::BadUrl, format!("Bad URL: {m}")),
        HaloError::Connection { message, .. } => TestOutcome::new(
            S::Unreachable,
            format!(
                "HaloPSA could not be reached ({message}): check the URL, the network and any proxy or firewall"
            ),
        ),
        HaloError::Timeout(d) => TestOutcome::new(
            S::Unreachable,
            format!(
                "HaloPSA did not answer within {}s: check the URL and the network",
                d.as_secs()
            ),
        ),
        // The client's message names the cause and its fix (halo/src/http.rs).
        HaloError::Auth(m) => TestOutcome::new(
            S::BadCredentials,
            format!("HaloPSA refused the sign-in: {m}"),
        ),
        HaloError::PermissionMissing {
            permission,
            endpoint,
        } => TestOutcome::new(
            S::MissingPermission,
            format!(
                "Signed in, but the API application lacks a permission ({permission}, on {endpoint}): grant it under Configuration > Integrations > Halo API"
            ),
        ),
        HaloError::RateLimited { retry_after } => TestOutcome::new(
            S::RateLimited,
            match retry_after {
                Some(d) => format!(
                    "HaloPSA's rate limit is exhausted: try again in {}s",
                    d.as_secs().max(1)
                ),
                None => "HaloPSA's rate limit is exhausted: try again in a few minutes".to_owned(),
            },
        ),
        HaloError::NotFound { .. } | HaloError::Protocol(_) => TestOutcome::new(
            S::BadUrl,
            format!(
                "The server answered, but not like the HaloPSA API ({e}): check the URL (e.g. https://yourcompany.halopsa.com)"
            ),
        ),
        HaloError::Server { .. } | HaloError::Validation { .. } => TestOutcome::new(
            S::ProviderError,
            format!("HaloPSA failed to answer the test ({e}); try again later"),
        ),
    }
}

/// Maps a Syncro error met while testing to a distinct outcome. Syncro answers 401 both for a
/// bad token and for a missing permission; the permission case carries "update your group
/// permissions" (syncro-api.md §1).
pub fn syncro_test_outcome(e: &SyncroError) -> TestOutcome {
    use TestStatus as S;
    match e {
        SyncroError::Settings(s) => TestOutcome::new(S::BadUrl, format!("Bad URL: {s}")),
        SyncroError::Connection { detail, .. } => TestOutcome::new(
            S::Unreachable,
            format!(
                "Syncro could not be reached ({detail}): check the account URL, the network and any proxy or firewall"
            ),
        ),
        SyncroError::Timeout { timeout, .. } => TestOutcome::new(
            S::Unreachable,
            format!(
                "Syncro did not answer within {}s: check the account URL and the network",
                timeout.as_secs()
            ),
        ),
        SyncroError::Auth { message } if message.to_ascii_lowercase().contains("permission") => {
            TestOutcome::new(
                S::MissingPermission,
                format!(
                    "Signed in, but the API token lacks a permission ({message}): grant Assets - List/Search and View Details under Admin > API Tokens"
                ),
            )
        }
        SyncroError::Auth { message } => TestOutcome::new(
            S::BadCredentials,
            format!(
                "Syncro refused the API token ({message}): create or copy a token under Admin > API Tokens"
            ),
        ),
        SyncroError::RateLimited { .. } => TestOutcome::new(
            S::RateLimited,
            "Syncro's rate limit (180 requests a minute) is exhausted: try again in a minute",
        ),
        SyncroError::NotFound { .. }
        | SyncroError::Decode { .. }
        | SyncroError::Http { status: 404, .. } => TestOutcome::new(
            S::BadUrl,
            format!(
                "The server answered, but not like the Syncro API ({e}): check the account URL (e.g. https://acme.syncromsp.com)"
            ),
        ),
        SyncroError::Server { .. }
        | SyncroError::Http { .. }
        | SyncroError::Validation(_)
        | SyncroError::NotSupported { .. }
        | SyncroError::CreatedWithoutProperties { .. } => TestOutcome::new(
            S::ProviderError,
            format!("Syncro failed to answer the test ({e}); try again later"),
        ),
    }
}

/// "Test connection" for a provider: sign in, then read one page of assets.
pub async fn test_remote(remote: &Remote) -> TestOutcome {
    match remote {
        Remote::Halo(c) => {
            if let Err(e) = c.authenticate().await {
                return halo_test_outcome(&e);
            }
            let query = HaloQuery {
                active_only: false,
                ..HaloQuery::default()
            };
            match c.assets_page(&query, PageCursor::default()).await {
                Ok(page) => TestOutcome::new(
                    TestStatus::Ok,
                    format!(
                        "Connected to HaloPSA: signed in and read assets ({} visible)",
                        page.record_count
                    ),
                ),
                Err(e) => halo_test_outcome(&e),
            }
        }
        Remote::Syncro(c) => {
            let caps = match c.capabilities().await {
                Ok(caps) => caps,
                Err(e) => return syncro_test_outcome(&e),
            };
            if !caps.list_assets {
                return TestOutcome::new(
                    TestStatus::MissingPermission,
                    format!(
                        "Signed in as {}, but the API token may not list assets: grant Assets - List/Search and Assets - View Details under Admin > API Tokens",
                        caps.user
                    ),
                );
            }
            match c
                .assets_page(&SyncroQuery::default(), c.first_cursor())
                .await
            {
                Ok(page) => TestOutcome::new(
                    TestStatus::Ok,
                    match page.total_entries {
                        Some(n) => format!(
                            "Connected to Syncro as {}: read assets ({n} in the account)",
                            caps.user
                        ),
                        None => format!("Connected to Syncro as {}: read assets", caps.user),
                    },
                ),
                Err(e) => syncro_test_outcome(&e),
            }
        }
    }
}

fn secret_outcome(e: &SecretError) -> TestOutcome {
    TestOutcome::new(TestStatus::NoSecret, e.to_string())
}

/// "Check permissions" for a provider, in the neutral shape.
pub async fn check_remote_permissions(id: &ConnectionId, remote: &Remote) -> PermissionReport {
    let checks = match remote {
        Remote::Halo(c) => c
            .check_permissions()
            .await
            .checks
            .into_iter()
            .map(|c| PermissionCheck {
                capability: c.capability,
                ok: c.ok,
                missing: c.missing,
                detail: c.detail,
            })
            .collect(),
        Remote::Syncro(c) => match c.capabilities().await {
            Err(e) => vec![PermissionCheck {
                capability: "sign_in".into(),
                ok: false,
                missing: Some(syncro_test_outcome(&e).message),
                detail: e.to_string(),
            }],
            Ok(caps) => {
                // The client names each missing permission as Syncro's Admin > API Tokens
                // page does (syncro-api.md §1); pick the line that starts with its name.
                let named =
                    |prefix: &str| caps.missing.iter().find(|m| m.starts_with(prefix)).cloned();
                let line = |capability: &str, ok: bool, prefix: &str| PermissionCheck {
                    capability: capability.into(),
                    ok,
                    missing: (!ok).then(|| named(prefix).unwrap_or_else(|| prefix.to_owned())),
                    detail: if ok {
                        "granted".into()
                    } else {
                        "not granted to the API token".into()
                    },
                };
                vec![
                    PermissionCheck {
                        capability: "sign_in".into(),
                        ok: true,
                        missing: None,
                        detail: format!("token of {}", caps.user),
                    },
                    line("read_assets", caps.list_assets, "Assets - List/Search"),
                    line("edit_assets", caps.edit_assets, "Assets - Create"),
                    line(
                        "read_clients",
                        caps.read_customers,
                        "Customers - List/Search",
                    ),
                    line("read_tickets", caps.read_tickets, "Tickets - List/Search"),
                    line("create_tickets", caps.create_tickets, "Tickets - Create"),
                ]
            }
        },
    };
    let all_ok = checks.iter().all(|c: &PermissionCheck| c.ok);
    PermissionReport {
        connection_id: id.clone(),
        kind: remote_kind(remote),
        all_ok,
        checks,
    }
}

fn remote_kind(remote: &Remote) -> ProviderKind {
    match remote {
        Remote::Halo(_) => ProviderKind::Halo,
        Remote::Syncro(_) => ProviderKind::Syncro,
    }
}

impl Workspace {
    /// Adds a connection: validates the settings, files the secret in `secrets`, then stores
    /// the connection row (without the secret). Names are unique (case-insensitive).
    pub fn add_connection(
        &self,
        secrets: &SecretStore,
        settings: &ConnectionSettings,
        secret: &Secret,
    ) -> Result<Connection, ConnectionError> {
        self.add_connection_with(secrets, settings, secret, false)
    }

    /// [`Workspace::add_connection`] with the demo flag (the demo workspace's connections are
    /// removable as one).
    pub fn add_connection_with(
        &self,
        secrets: &SecretStore,
        settings: &ConnectionSettings,
        secret: &Secret,
        demo: bool,
    ) -> Result<Connection, ConnectionError> {
        check_secret(settings.kind, secret)?;
        let conn = to_connection(new_connection_id(), settings, demo)?;
        self.check_unique_name(&conn.name, None)?;
        secrets.set(&conn.secret_ref, secret)?;
        if let Err(e) = self.store().upsert_connection(&conn) {
            // Do not leave an orphaned secret behind.
            let _ = secrets.delete(&conn.secret_ref);
            return Err(e.into());
        }
        Ok(conn)
    }

    /// Changes a connection's settings; `secret` replaces the stored one when given (else the
    /// old one is kept). The kind cannot change: remove and add instead.
    pub fn edit_connection(
        &self,
        secrets: &SecretStore,
        id: &ConnectionId,
        settings: &ConnectionSettings,
        secret: Option<&Secret>,
    ) -> Result<Connection, ConnectionError> {
        let old = self
            .store()
            .connection(id)
            .map_err(|e| not_found(e, &id.0))?;
        if old.kind != settings.kind {
            return Err(invalid(
                "kind",
                format!(
                    "a {} connection cannot become a {} one; add a new connection instead",
                    old.kind, settings.kind
                ),
            ));
        }
        let mut conn = to_connection(old.id.clone(), settings, old.demo)?;
        conn.secret_ref = old.secret_ref.clone();
        self.check_unique_name(&conn.name, Some(id))?;
        if let Some(secret) = secret {
            check_secret(settings.kind, secret)?;
            secrets.set(&conn.secret_ref, secret)?;
        }
        self.store().upsert_connection(&conn)?;
        Ok(conn)
    }

    /// Removes a connection, its secret, and everything cached for it (assets, lookups,
    /// conflicts, outbox). The assets stay at the provider. Refused while edits are queued
    /// for it unless `force`, which discards them.
    pub fn remove_connection(
        &self,
        secrets: &SecretStore,
        id: &ConnectionId,
        force: bool,
    ) -> Result<Removal, ConnectionError> {
        let conn = self
            .store()
            .connection(id)
            .map_err(|e| not_found(e, &id.0))?;
        let queued = self.queued_ops(id)?;
        if queued > 0 && !force {
            return Err(ConnectionError::HasQueuedOps {
                name: conn.name,
                count: queued,
            });
        }
        let cached_assets = self.cached_assets(id)?;
        self.store().remove_connection(id)?;
        secrets.delete(&conn.secret_ref)?;
        Ok(Removal {
            id: conn.id,
            name: conn.name,
            cached_assets,
            discarded_ops: queued,
        })
    }

    /// Every connection with its cache and queue counts, by name.
    pub fn connection_summaries(&self) -> Result<Vec<ConnectionSummary>, ConnectionError> {
        let open = self.store().ops(None, false)?;
        self.store()
            .connections()?
            .into_iter()
            .map(|c| {
                let queued_ops = open.iter().filter(|op| op.connection_id == c.id).count();
                Ok(ConnectionSummary {
                    cached_assets: self.cached_assets(&c.id)?,
                    queued_ops: u32::try_from(queued_ops).unwrap_or(u32::MAX),
                    id: c.id,
                    kind: c.kind,
                    name: c.name,
                    base_url: c.base_url,
                    auth_url: c.auth_url,
                    tenant: c.tenant,
                    client_id: c.client_id,
                    demo: c.demo,
                })
            })
            .collect()
    }

    /// The connection called `name_or_id` (its name, case-insensitive, or its id): what the
    /// CLI's `NAME` arguments accept.
    pub fn find_connection(&self, name_or_id: &str) -> Result<Connection, ConnectionError> {
        let wanted = name_or_id.trim();
        let all = self.store().connections()?;
        all.iter()
            .find(|c| c.id.0 == wanted)
            .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| ConnectionError::NotFound(wanted.to_owned()))
    }

    /// The engine's provider for a stored connection, with its secret from `secrets`.
    pub fn provider(
        &self,
        secrets: &SecretStore,
        id: &ConnectionId,
    ) -> Result<Remote, ConnectionError> {
        let conn = self
            .store()
            .connection(id)
            .map_err(|e| not_found(e, &id.0))?;
        let secret = secrets.get(&conn.secret_ref)?;
        build_remote(&conn, &secret)
    }

    /// "Test connection": signs in and reads one page of assets. Never fails as a call: every
    /// problem, including a missing secret, is a [`TestOutcome`] with a message.
    pub async fn test_connection(&self, secrets: &SecretStore, id: &ConnectionId) -> TestOutcome {
        match self.provider(secrets, id) {
            Ok(remote) => test_remote(&remote).await,
            Err(ConnectionError::Secret(e)) => secret_outcome(&e),
            Err(ConnectionError::Invalid { message, .. }) => {
                TestOutcome::new(TestStatus::BadUrl, format!("Bad URL: {message}"))
            }
            Err(e) => TestOutcome::new(TestStatus::ProviderError, e.to_string()),
        }
    }

    /// "Check permissions": the provider's capability report in one neutral shape, naming
    /// each missing permission.
    pub async fn check_permissions(
        &self,
        secrets: &SecretStore,
        id: &ConnectionId,
    ) -> Result<PermissionReport, ConnectionError> {
        let remote = self.provider(secrets, id)?;
        Ok(check_remote_permissions(id, &remote).await)
    }

    fn check_unique_name(
        &self,
        name: &str,
        except: Option<&ConnectionId>,
    ) -> Result<(), ConnectionError> {
        let clash = self
            .store()
            .connections()?
            .into_iter()
            .any(|c| c.name.eq_ignore_ascii_case(name) && Some(&c.id) != except);
        if clash {
            return Err(invalid(
                "name",
                format!("a connection named '{name}' already exists; choose another name"),
            ));
        }
        Ok(())
    }

    fn queued_ops(&self, id: &ConnectionId) -> Result<u32, ConnectionError> {
        let n = self
            .store()
            .ops(None, false)?
            .iter()
            .filter(|op| &op.connection_id == id)
            .count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn cached_assets(&self, id: &ConnectionId) -> Result<u64, ConnectionError> {
        let filter = AssetFilter {
            connections: vec![id.clone()],
            ..AssetFilter::default()
        };
        Ok(self.store().count_assets(&filter)?)
    }
}

fn check_secret(kind: ProviderKind, secret: &Secret) -> Result<(), ConnectionError> {
    if secret.expose().trim().is_empty() {
        return Err(match kind {
            ProviderKind::Halo => invalid(
                "secret",
                "the client secret is empty; copy it from Configuration > Integrations > Halo API > your application",
            ),
            ProviderKind::Syncro => invalid(
                "token",
                "the API token is empty; create one under Admin > API Tokens",
            ),
        });
    }
    Ok(())
}

fn not_found(e: StoreError, id: &str) -> ConnectionError {
    match e {
        StoreError::UnknownConnection(_) => ConnectionError::NotFound(id.to_owned()),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn halo_settings(url: &str) -> ConnectionSettings {
        ConnectionSettings {
            kind: ProviderKind::Halo,
            name: "Contoso Halo".into(),
            url: url.into(),
            auth_url: None,
            tenant: Some("contoso".into()),
            client_id: Some("abc".into()),
        }
    }

    fn syncro_settings(url: &str) -> ConnectionSettings {
        ConnectionSettings {
            kind: ProviderKind::Syncro,
            name: "Acme Syncro".into(),
            url: url.into(),
            auth_url: None,
            tenant: None,
            client_id: None,
        }
    }

    fn open() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        (dir, ws)
    }

    #[test]
    fn halo_errors_map_to_distinct_statuses() {
        let cases = [
            (HaloError::Settings("x".into()), TestStatus::BadUrl),
            (
                HaloError::Connection {
                    message: "refused".into(),
                    sent: false,
                },
                TestStatus::Unreachable,
            ),
            (
                HaloError::Timeout(Duration::from_secs(3)),
                TestStatus::Unreachable,
            ),
            (
                HaloError::Auth("invalid_client".into()),
                TestStatus::BadCredentials,
            ),
            (
                HaloError::PermissionMissing {
                    permission: "read:assets".into(),
                    endpoint: "/Asset".into(),
                },
                TestStatus::MissingPermission,
            ),
            (
                HaloError::RateLimited { retry_after: None },
                TestStatus::RateLimited,
            ),
            (HaloError::Protocol("html".into()), TestStatus::BadUrl),
            (
                HaloError::Server {
                    status: 502,
                    message: "bad gateway".into(),
                },
                TestStatus::ProviderError,
            ),
        ];
        let mut messages = std::collections::BTreeSet::new();
        for (e, want) in cases {
            let out = halo_test_outcome(&e);
            assert_eq!(out.status, want, "{e}");
            messages.insert(out.message);
        }
        assert_eq!(messages.len(), 8, "every error has its own message");
        let m = halo_test_outcome(&HaloError::PermissionMissing {
            permission: "read:assets".into(),
            endpoint: "/Asset".into(),
        })
        .message;
        assert!(m.contains("read:assets"), "{m}");
    }

    #[test]
    fn syncro_errors_map_to_distinct_statuses() {
        use assetdesk_syncro::{Applied, SettingsError};
        let perm = SyncroError::Auth {
            message: "Not authorized. Please ask account admin to update your group permissions."
                .into(),
        };
        let cases = [
            (
                SyncroError::Settings(SettingsError::Empty),
                TestStatus::BadUrl,
            ),
            (
                SyncroError::Connection {
                    detail: "refused".into(),
                    applied: Applied::No,
                },
                TestStatus::Unreachable,
            ),
            (
                SyncroError::Auth {
                    message: "Not authorized".into(),
                },
                TestStatus::BadCredentials,
            ),
            (perm, TestStatus::MissingPermission),
            (
                SyncroError::RateLimited { retry_after: None },
                TestStatus::RateLimited,
            ),
            (
                SyncroError::Decode {
                    status: 200,
                    detail: "html".into(),
                },
                TestStatus::BadUrl,
            ),
            (
                SyncroError::Server {
                    status: 500,
                    message: "boom".into(),
                    applied: Applied::No,
                },
                TestStatus::ProviderError,
            ),
        ];
        for (e, want) in cases {
            assert_eq!(syncro_test_outcome(&e).status, want, "{e}");
        }
    }

    #[test]
    fn add_stores_no_secret_and_validates_urls() {
        let (_dir, ws) = open();
        let secrets = SecretStore::memory();
        let plain = ws.add_connection(
            &secrets,
            &halo_settings("http://contoso.example.com"),
            &Secret::new("s"),
        );
        let Err(ConnectionError::Invalid { field, message }) = plain else {
            panic!("plain http accepted")
        };
        assert_eq!(field, "url");
        assert!(message.contains("https"), "{message}");
        let bad_auth = ConnectionSettings {
            auth_url: Some("http://auth.example.com".into()),
            ..halo_settings("https://c.halopsa.com")
        };
        assert!(matches!(
            ws.add_connection(&secrets, &bad_auth, &Secret::new("s")),
            Err(ConnectionError::Invalid {
                field: "auth_url",
                ..
            })
        ));
        let no_client = ConnectionSettings {
            client_id: None,
            ..halo_settings("https://c.halopsa.com")
        };
        assert!(matches!(
            ws.add_connection(&secrets, &no_client, &Secret::new("s")),
            Err(ConnectionError::Invalid {
                field: "client_id",
                ..
            })
        ));
        assert!(matches!(
            ws.add_connection(&secrets, &syncro_settings("acme"), &Secret::new(" ")),
            Err(ConnectionError::Invalid { field: "token", .. })
        ));

        let c = ws
            .add_connection(
                &secrets,
                &halo_settings("https://contoso.halopsa.com"),
                &Secret::new("top-secret"),
            )
            .unwrap();
        assert_eq!(c.base_url, "https://contoso.halopsa.com/api");
        assert_eq!(secrets.get(&c.secret_ref).unwrap().expose(), "top-secret");
        let s = ws
            .add_connection(
                &secrets,
                &syncro_settings("https://acme.syncromsp.com"),
                &Secret::new("tok"),
            )
            .unwrap();
        assert_eq!(s.base_url, "https://acme.syncromsp.com/api/v1/");
        let dup = ws.add_connection(&secrets, &syncro_settings("acme"), &Secret::new("tok"));
        assert!(matches!(
            dup,
            Err(ConnectionError::Invalid { field: "name", .. })
        ));

        let list = ws.connection_summaries().unwrap();
        assert_eq!(
            list.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["Acme Syncro", "Contoso Halo"]
        );
        assert!(!serde_json::to_string(&list).unwrap().contains("top-secret"));
        assert_eq!(ws.find_connection("contoso halo").unwrap().id, c.id);
        assert_eq!(ws.find_connection(&c.id.0).unwrap().id, c.id);
        assert!(matches!(
            ws.find_connection("nope"),
            Err(ConnectionError::NotFound(_))
        ));
    }

    #[test]
    fn edit_keeps_or_replaces_the_secret_and_remove_deletes_it() {
        let (_dir, ws) = open();
        let secrets = SecretStore::memory();
        let c = ws
            .add_connection(&secrets, &syncro_settings("acme"), &Secret::new("one"))
            .unwrap();
        let renamed = ConnectionSettings {
            name: "Acme".into(),
            ..syncro_settings("acme2")
        };
        let e = ws.edit_connection(&secrets, &c.id, &renamed, None).unwrap();
        assert_eq!(
            (e.name.as_str(), e.secret_ref == c.secret_ref),
            ("Acme", true)
        );
        assert_eq!(secrets.get(&c.secret_ref).unwrap().expose(), "one");
        ws.edit_connection(&secrets, &c.id, &renamed, Some(&Secret::new("two")))
            .unwrap();
        assert_eq!(secrets.get(&c.secret_ref).unwrap().expose(), "two");
        assert!(matches!(
            ws.edit_connection(
                &secrets,
                &c.id,
                &halo_settings("https://x.halopsa.com"),
                None
            ),
            Err(ConnectionError::Invalid { field: "kind", .. })
        ));
        let removed = ws.remove_connection(&secrets, &c.id, false).unwrap();
        assert_eq!((removed.cached_assets, removed.discarded_ops), (0, 0));
        assert!(matches!(
            secrets.get(&c.secret_ref),
            Err(SecretError::Missing(_))
        ));
        assert!(ws.connection_summaries().unwrap().is_empty());
    }

    #[tokio::test]
    async fn syncro_sandbox_ok_wrong_token_and_missing_permissions() {
        use assetdesk_sandbox::syncro::{Permissions, Rwd, SyncroConfig, start};
        let server = start(SyncroConfig::default()).await.unwrap();
        let (_dir, ws) = open();
        let secrets = SecretStore::memory();
        let c = ws
            .add_connection(
                &secrets,
                &syncro_settings(server.api_base()),
                &Secret::new(server.token()),
            )
            .unwrap();
        let out = ws.test_connection(&secrets, &c.id).await;
        assert_eq!(out.status, TestStatus::Ok, "{}", out.message);
        let report = ws.check_permissions(&secrets, &c.id).await.unwrap();
        assert!(report.all_ok, "{report:?}");

        // Reads allowed, writes not: the test passes, the report names what to grant.
        let read_only = server.handle().mint_token(Permissions {
            asset: Rwd::READ,
            ..Permissions::full()
        });
        ws.edit_connection(
            &secrets,
            &c.id,
            &syncro_settings(server.api_base()),
            Some(&Secret::new(read_only)),
        )
        .unwrap();
        assert!(ws.test_connection(&secrets, &c.id).await.is_ok());
        let report = ws.check_permissions(&secrets, &c.id).await.unwrap();
        assert!(!report.all_ok);
        let missing = report.missing();
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].starts_with("Assets - Create"), "{missing:?}");

        // No asset access at all: missing permission, not bad credentials.
        let none = server.handle().mint_token(Permissions {
            asset: Rwd::NONE,
            ..Permissions::full()
        });
        secrets.set(&c.secret_ref, &Secret::new(none)).unwrap();
        let out = ws.test_connection(&secrets, &c.id).await;
        assert_eq!(out.status, TestStatus::MissingPermission, "{}", out.message);

        secrets
            .set(&c.secret_ref, &Secret::new("not-a-token"))
            .unwrap();
        let out = ws.test_connection(&secrets, &c.id).await;
        assert_eq!(out.status, TestStatus::BadCredentials, "{}", out.message);
        let report = ws.check_permissions(&secrets, &c.id).await.unwrap();
        assert_eq!(
            (report.all_ok, report.checks[0].capability.as_str()),
            (false, "sign_in")
        );
    }

    #[tokio::test]
    async fn test_connection_reports_a_missing_secret_and_an_unreachable_host() {
        let (_dir, ws) = open();
        let secrets = SecretStore::memory();
        // A loopback port nothing listens on: bind one, then drop it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = ws
            .add_connection(
                &secrets,
                &syncro_settings(&format!("http://127.0.0.1:{port}")),
                &Secret::new("tok"),
            )
            .unwrap();
        let out = ws.test_connection(&secrets, &c.id).await;
        assert_eq!(out.status, TestStatus::Unreachable, "{}", out.message);
        secrets.delete(&c.secret_ref).unwrap();
        let out = ws.test_connection(&secrets, &c.id).await;
        assert_eq!(out.status, TestStatus::NoSecret, "{}", out.message);
    }
}
