//! Embedded, forward-only migrations. Each one runs in its own transaction together with the
//! `PRAGMA user_version` bump, so a crash mid-migration leaves the previous schema intact and
//! the next open simply retries. A database of any earlier version opens (tests/migrations.rs
//! opens a fixture of every earlier schema).

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Result, StoreError};

/// The migrations, in order; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_search_tuning.sql"),
    include_str!("../migrations/0003_tickets.sql"),
    include_str!("../migrations/0004_allowed_statuses.sql"),
    include_str!("../migrations/0005_covering_indexes.sql"),
];

/// The schema version this build writes. Equals the number of embedded migrations.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Reads `PRAGMA user_version`.
pub(crate) fn current_version(conn: &Connection) -> Result<u32> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

/// Brings the schema up to [`SCHEMA_VERSION`]; refuses a database from a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = current_version(&tx)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(sql) = MIGRATIONS.get(version as usize) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        tracing::info!(
            from = version,
            to = version + 1,
            "migrated the local database"
        );
    }
}
