//! # assetdesk-sandbox
//!
//! Faithful, stateful emulators of the HaloPSA and Syncro REST APIs, served by axum on
//! loopback, for contract tests, benchmarks and the demo workspace. Each behaviour cites the
//! reference fact it emulates (shared/reference/halopsa-api.md, syncro-api.md).
//!
//! **Owns:** the emulated state, seeded deterministic data, and the fault knobs.
//!
//! **Must not know:** the AssetDesk client crates (it is the other side of the wire and must
//! not share their types), SQLite, or Tauri.

#[cfg(all(feature = "halo", feature = "syncro"))]
pub mod demo;
#[cfg(feature = "halo")]
pub mod halo;
#[cfg(feature = "syncro")]
pub mod syncro;
