//! # assetdesk-syncro
//!
//! The Syncro REST client: token auth, paged lists, customer assets and lookups from
//! `/settings`, tickets, rate limiting and retries, the per-connection field mapping, and the
//! mapping between Syncro's JSON and the neutral [`assetdesk_domain`] types.
//! Facts: shared/reference/syncro-api.md.
//!
//! **Owns:** Syncro's wire names and quirks (DTOs stay private to this crate).
//!
//! **Must not know:** SQLite, the sync engine's decisions, Tauri, or where secrets are kept.
