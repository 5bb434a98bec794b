//! Reading the change feed (what the app turns into batched UI events) and the journal.

use assetdesk_domain::AssetId;
use rusqlite::params;

use crate::Store;
use crate::error::Result;
use crate::rows::json_col;
use crate::types::{Change, ChangeOrigin, JournalEntry};

impl Store {
    /// Changes after `seq` (exclusive), oldest first, at most `limit`. Consumers remember the
    /// last seq they handled and call again; the feed is append-only so nothing is missed.
    pub fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>> {
        self.read(|db| {
            let rows = db
                .prepare_cached(
                    "SELECT seq, at, origin, entity, asset_id, kind FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )?
                .query_map(params![seq, limit], |r| {
                    let origin: String = r.get(2)?;
                    Ok(Change {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        origin: ChangeOrigin::parse(&origin),
                        entity: r.get(3)?,
                        asset_id: r.get::<_, Option<i64>>(4)?.map(AssetId),
                        kind: r.get(5)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// The newest change seq (0 when empty): where a new consumer starts.
    pub fn latest_change_seq(&self) -> Result<i64> {
        self.read(|db| {
            Ok(
                db.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    /// Drops feed entries up to and including `seq` (all consumers are past it).
    pub fn prune_changes(&self, seq: i64) -> Result<u64> {
        self.write(|db| Ok(db.execute("DELETE FROM changes WHERE seq <= ?1", [seq])? as u64))
    }

    /// The journal of an asset, newest first: who changed what, when, synced or not.
    pub fn journal(&self, asset: AssetId) -> Result<Vec<JournalEntry>> {
        self.read(|db| {
            let rows = db
                .prepare_cached(
                    "SELECT id, asset_id, at, actor, origin, action, detail, client_op_id, synced \
                     FROM journal WHERE asset_id = ?1 ORDER BY id DESC",
                )?
                .query_map([asset.0], |r| {
                    let origin: String = r.get(4)?;
                    Ok(JournalEntry {
                        id: r.get(0)?,
                        asset_id: AssetId(r.get(1)?),
                        at: r.get(2)?,
                        actor: r.get(3)?,
                        origin: ChangeOrigin::parse(&origin),
                        action: r.get(5)?,
                        detail: json_col(r, 6)?,
                        client_op_id: r.get(7)?,
                        synced: r.get(8)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }
}
