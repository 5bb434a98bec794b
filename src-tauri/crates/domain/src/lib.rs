//! # assetdesk-domain
//!
//! The provider-neutral vocabulary of AssetDesk: connections, clients, sites, people, asset
//! types with their custom field definitions, statuses, assets and their parent/child links,
//! the per-provider capability table, and the validation rules every write passes through
//! (the form, the CLI and the sync engine before each push call the same function).
//!
//! **Owns:** the neutral names (`serial`, `warranty_end`, …), the [`AssetField`] addressing
//! used by patches and three-way merge, and validation.
//!
//! **Must not know:** SQLite, HTTP, HaloPSA's or Syncro's wire names (`key_field`,
//! `asset_serial`, …), Tauri, or the clock (callers pass "today" in). This crate does no IO.

pub mod capability;
pub mod field;
pub mod links;
pub mod model;
pub mod validate;

pub use capability::{Capabilities, ProviderKind};
pub use field::{AssetField, FieldShapeError, Patch, UnknownField};
pub use links::closes_cycle;
pub use model::*;
pub use validate::{
    FieldError, NAME_MAX_CHARS, Severity, ValidationContext, ValidationReport, validate_asset,
};
