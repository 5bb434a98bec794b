//! # assetdesk-halo
//!
//! The HaloPSA REST client: OAuth2 client credentials, paged lists, assets and lookups,
//! tickets, rate limiting and retries, and the mapping between Halo's `Device` JSON and the
//! neutral [`assetdesk_domain`] types. Facts: shared/reference/halopsa-api.md.
//!
//! **Owns:** Halo's wire names and quirks (DTOs stay private to this crate).
//!
//! **Must not know:** SQLite, the sync engine's decisions, Tauri, or where secrets are kept
//! (the secret is handed in and never stored or logged).
//!
//! ## For the sync engine
//!
//! * Pull: [`HaloClient::assets_page`] with a [`PageCursor`] (checkpoint `next`), or the
//!   [`HaloClient::asset_pages`] stream. Rows come with their info fields, so a full pull
//!   costs one request per page and nothing per asset. List rows lack `notes` and `users`
//!   (spec `Device_List`): see [`absent_fields`] — treat those as unchanged, not cleared.
//! * Push: [`HaloClient::create_asset`], [`HaloClient::update_asset`] (only the patched
//!   fields), [`HaloClient::set_parent`], [`HaloClient::delete_asset`].
//! * After an error with [`HaloError::may_have_applied`] on a create, call
//!   [`HaloClient::find_candidates`] before retrying.
//! * Every call shares one [`RateLimiter`] per tenant and honours 429.

mod client;
mod error;
mod http;
mod limiter;
mod mapping;
mod settings;
mod wire;

pub use client::{
    AssetGroup, AssetPage, AssetQuery, CandidateQuery, CapabilityCheck, CapabilityReport, Contract,
    HaloClient, PageCursor, Supplier,
};
pub use error::HaloError;
pub use limiter::RateLimiter;
pub use mapping::{FieldMap, FieldMapping, FieldRef, InfoSlot, absent_fields};
pub use settings::{AuthServer, HaloSettings, RateLimitSettings, Secret};
