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
