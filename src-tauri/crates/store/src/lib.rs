//! # assetdesk-store
//!
//! The local SQLite cache that technicians work from offline and that makes every list and
//! search instant: schema and embedded migrations, asset and lookup tables, full-text and
//! substring search, keyset-paged queries, the durable outbox, conflicts, pull checkpoints,
//! tombstones, the change feed and the journal.
//!
//! **Owns:** every SQL statement and the transaction boundaries (a local edit is one
//! `BEGIN IMMEDIATE` transaction: row, search index, outbox entry, base snapshot).
//!
//! **Must not know:** HTTP, HaloPSA or Syncro wire formats, Tauri, or secrets (no secret or
//! token is ever written to SQLite).
