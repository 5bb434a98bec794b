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
//! token is ever written to SQLite; a connection stores only its keychain reference name).
//!
//! ## Connections
//! One writer connection (behind a mutex; SQLite serialises writers anyway) and a pool of
//! read-only connections, in WAL mode: lists and searches never wait for a sync page or an
//! edit (sync-perf-anchors.md §3.3). Every method takes `&self`; `Store` is `Send + Sync`.
//! Edits commit with `synchronous=FULL` (survive power loss); pulled pages with `NORMAL`
//! (survive an app crash; a power cut only loses data the next pull fetches again).
//!
//! ## How the sync engine uses it
//! **Setup:** [`Store::upsert_connection`], [`Store::replace_lookups`] (clients, sites, people,
//! asset types with field definitions, statuses — replaced per connection in one transaction).
//!
//! **Pull** ([`pull`] module docs): [`Store::begin_pull`] (resumes an unfinished run) →
//! [`Store::apply_pulled_page`] per page (rows + checkpoint in one transaction; unchanged rows
//! skipped by content hash; rows with queued edits are *not* overwritten but reported in
//! [`PageOutcome::deferred`] with their pulled state in [`Store::remote_pending`]) →
//! [`Store::complete_pull`] (`count_ok` = the end-of-pass count check; full passes sweep with
//! the two-miss rule). A 404 tombstones at once: [`Store::tombstone_remote`]. Pulled rows are
//! searchable as soon as their page commits; when idle, the engine calls
//! [`Store::merge_search_index`] until it returns `false` so queries see few index segments.
//!
//! **Local edits** (UI, CLI): [`Store::create_asset`], [`Store::update_asset`],
//! [`Store::delete_asset`], [`Store::set_parent`]; [`Store::validate`] for live form feedback.
//! Validation errors come back as [`StoreError::Invalid`] with one finding per field.
//!
//! **Push:** [`Store::next_runnable`] (due, first open op of its record, link ops only once
//! the parent has a remote id) → [`Store::mark_in_flight`] (committed *before* the request) →
//! [`Store::ack`] (the provider's state becomes the new base; a create's remote id is adopted)
//! or [`Store::fail`] (retryable: backoff; rejected: `failed`, needs attention). For
//! three-way merge: [`Store::base`] and the row give base and local; then either
//! [`Store::rebase`] (clean merge) or [`Store::record_conflict`] (fields changed on both sides)
//! → [`Store::conflicts`] / [`Store::resolve_conflict`] (keep mine / take theirs / edit).
//! [`Store::in_flight_ops`] at startup lists ops with an unknown outcome (reconcile first).
//! The user can [`Store::retry`] or [`Store::discard`]; nothing else removes an op.
//!
//! **UI:** [`Store::list_assets`] (filters, sort, keyset [`Cursor`]), [`Store::count_assets`],
//! [`Store::facets`], [`Store::asset`], [`Store::ancestors`], [`Store::descendants`],
//! [`Store::journal`], and [`Store::changes_since`] for change events (each stamped with its
//! [`ChangeOrigin`]).

mod calendar;
mod edit;
mod error;
mod feed;
mod lookups;
mod migrate;
mod outbox;
pub mod pull;
mod query;
mod rows;
mod tickets;
mod types;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use calendar::{CalendarAsset, CalendarDays, CalendarScope, ClientTotal, DateColumn, DayCount};
pub use edit::NewAsset;
pub use error::{Result, StoreError};
pub use lookups::Lookups;
pub use migrate::SCHEMA_VERSION;
pub use outbox::{BASE_BACKOFF_MS, MAX_BACKOFF_MS};
pub use pull::{
    ASSETS_ENTITY, Checkpoint, PageOutcome, PassOutcome, PullMode, PulledPage, TombstoneOutcome,
};
pub use query::{
    AssetFilter, AssetPage, AssetRecord, AssetSummary, Cursor, FacetCount, Facets, LookupRef,
    PageRequest, Sort, SortKey, TreeNode, WarrantyFilter,
};
pub use tickets::{AssetTickets, CachedTicket, MAX_TICKET_SUMMARY, QueuedTicket, TicketQueueState};
pub use types::*;

/// How long a connection waits for the write lock before giving up with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Page cache of the writer, in KiB: pulls update several indexes per row, and a warm cache
/// keeps their interior pages in memory across a page of rows.
const WRITER_CACHE_KIB: i64 = 32 * 1024;

/// Page cache of each read connection, in KiB. With [`MAX_IDLE_READERS`] readers the cache
/// tops out at 64 MiB whatever the cache's size (DESIGN.md G9: memory must not grow with the
/// data). The OS file cache holds the rest; a list page or a search touches a few dozen pages.
const READER_CACHE_KIB: i64 = 8 * 1024;

/// Read connections kept open for reuse; more are opened on demand and dropped after use.
const MAX_IDLE_READERS: usize = 4;

/// The cache: one writer connection (all writes are serialised through it, as SQLite
/// serialises them anyway) and a small pool of read-only connections, so lists and searches
/// never wait for a sync page or an edit to commit (WAL: readers do not block the writer and
/// the writer does not block readers; sync-perf-anchors.md §3.3).
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl Store {
    /// Opens (creating if needed) the cache at `path`, switches it to WAL, sets the busy
    /// timeout and brings the schema up to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store> {
        let mut writer = Connection::open(path)?;
        configure(&writer, WRITER_CACHE_KIB)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        // Local edits must survive power loss (DESIGN.md invariant 2; sync-perf-anchors.md
        // §1.1); pulls relax this per transaction (see `apply_pulled_pages`).
        writer.pragma_update(None, "synchronous", "FULL")?;
        migrate::migrate(&mut writer)?;
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database (equals [`SCHEMA_VERSION`] after `open`).
    pub fn schema_version(&self) -> Result<u32> {
        self.read(migrate::current_version)
    }

    /// Runs `PRAGMA integrity_check`; `Err(StoreError::Corrupt)` lists what SQLite found.
    ///
    /// Runs on a fresh connection: FTS5's part of the check trusts the index structure a
    /// connection cached when it last used the table, so on a long-lived pooled reader it
    /// reports phantom corruption after another connection wrote (observed with SQLite
    /// 3.54; ordinary queries revalidate the cache and are not affected).
    pub fn integrity_check(&self) -> Result<()> {
        let c = self.open_reader()?;
        let mut stmt = c.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if rows.len() == 1 && rows[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(rows.join("; ")))
        }
    }

    fn open_reader(&self) -> Result<Connection> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        configure(&c, READER_CACHE_KIB)?;
        Ok(c)
    }

    /// Runs `f` on a read-only connection from the pool.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = lock(&self.readers).pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.open_reader()?,
        };
        let out = f(&conn);
        let mut pool = lock(&self.readers);
        if pool.len() < MAX_IDLE_READERS {
            pool.push(conn);
        }
        out
    }

    /// Runs `f` with exclusive use of the writer connection.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        f(&mut conn)
    }
}

/// Settings every connection gets, with a page cache of `cache_kib`.
///
/// No memory map (`mmap_size` stays 0): every page a mapped connection had touched stayed
/// resident in the app, so a count or a facet scan over a 200k-asset cache left ~65 MB in the
/// app's memory, and 1M assets would have left the whole file (~440 MB). Reads copy pages
/// from the OS file cache instead, within the capped page caches above (measured: the store
/// benchmark's list, search and edit figures stay within their targets).
fn configure(conn: &Connection, cache_kib: i64) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "mmap_size", 0)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// A poisoned lock only means another thread panicked while holding it; the connection
/// itself is still consistent (an open transaction was rolled back when it was dropped).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
