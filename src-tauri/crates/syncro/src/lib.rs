//! # assetdesk-syncro
//!
//! The Syncro REST client: token auth, paged lists, customer assets and lookups from
//! `/settings`, tickets, rate limiting and retries, the per-connection field mapping, and the
//! mapping between Syncro's JSON and the neutral [`assetdesk_domain`] types.
//! Facts: shared/reference/syncro-api.md (cited as §n in comments).
//!
//! **Owns:** Syncro's wire names and quirks (DTOs stay private to this crate).
//!
//! **Must not know:** SQLite, the sync engine's decisions, Tauri, or where secrets are kept.
//!
//! ## How the engine uses it
//!
//! ```no_run
//! # async fn pull() -> Result<(), assetdesk_syncro::Error> {
//! use assetdesk_domain::ConnectionId;
//! use assetdesk_syncro::{ApiToken, AssetQuery, SyncroClient, SyncroSettings};
//! let settings = SyncroSettings::new(ConnectionId("c1".into()), "acme")?; // or the web URL
//! let client = SyncroClient::new(settings, ApiToken::new("token from the keychain"))?;
//! let caps = client.capabilities().await?; // names missing permissions
//! let mut cursor = Some(client.first_cursor()); // or the checkpointed one
//! while let Some(c) = cursor {
//!     let page = client.assets_page(&AssetQuery::default(), c).await?;
//!     // upsert page.items and store page.next in one transaction
//!     cursor = page.next;
//! }
//! # let _ = caps; Ok(()) }
//! ```
//!
//! Writes: [`SyncroClient::create_asset`] (then, after an ambiguous failure,
//! [`SyncroClient::find_candidates`] before any retry), [`SyncroClient::update_asset`]
//! (read-modify-write of `properties`), [`SyncroClient::delete_asset`] (not supported by
//! Syncro). Every error says whether it [may have been applied](Error::may_have_been_applied).

mod client;
mod error;
mod limiter;
mod mapping;
mod settings;
mod transport;

pub use client::{
    AssetChange, AssetCursor, AssetPage, AssetPatches, AssetQuery, Candidate, CapabilityReport,
    LinkSupport, MatchKind, Me, NewAsset, PatchInfo, ReconcileProbe, SyncroClient,
};
pub use error::{Applied, Error, SettingsError, ValidationErrors, ValidationIssue};
pub use mapping::{AccountSchema, FieldBinding, FieldMapping, parse_date, parse_timestamp};
pub use settings::{ApiToken, PropertiesOnCreate, RateBudget, SyncroSettings, api_base_url};
