//! Connections and the per-connection lookups (clients, sites, people, asset types with their
//! custom field definitions, statuses). Lookups are replaced as a whole per connection in one
//! transaction, so a list never shows half of an old and half of a new set.

use assetdesk_domain::{
    AssetStatus, AssetType, Client, Connection, ConnectionId, Person, ProviderKind, Site,
};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::rows::{feed, json_col};
use crate::types::ChangeOrigin;

/// Every lookup list of one connection, as a pull fetched them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lookups {
    pub clients: Vec<Client>,
    pub sites: Vec<Site>,
    pub people: Vec<Person>,
    pub types: Vec<AssetType>,
    pub statuses: Vec<AssetStatus>,
}

fn read_connection(r: &rusqlite::Row<'_>) -> rusqlite::Result<Connection> {
    let kind: String = r.get(1)?;
    Ok(Connection {
        id: ConnectionId(r.get(0)?),
        // The CHECK constraint admits only the two kinds; Halo is a safe reading otherwise.
        kind: ProviderKind::parse(&kind).unwrap_or(ProviderKind::Halo),
        name: r.get(2)?,
        base_url: r.get(3)?,
        auth_url: r.get(4)?,
        tenant: r.get(5)?,
        client_id: r.get(6)?,
        secret_ref: r.get(7)?,
        demo: r.get(8)?,
    })
}

const CONNECTION_COLS: &str =
    "id, kind, name, base_url, auth_url, tenant, client_id, secret_ref, demo";

impl Store {
    /// Adds or updates a connection. Only the keychain reference is stored, never a secret
    /// (DESIGN.md invariant 5).
    pub fn upsert_connection(&self, c: &Connection) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO connections(id, kind, name, base_url, auth_url, tenant, client_id, \
                 secret_ref, demo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
                 base_url = excluded.base_url, auth_url = excluded.auth_url, \
                 tenant = excluded.tenant, client_id = excluded.client_id, \
                 secret_ref = excluded.secret_ref, demo = excluded.demo",
                params![
                    c.id.0,
                    c.kind.as_str(),
                    c.name,
                    c.base_url,
                    c.auth_url,
                    c.tenant,
                    c.client_id,
                    c.secret_ref,
                    c.demo
                ],
            )?;
            feed(&tx, ChangeOrigin::User, "connection", None, "upsert")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Removes a connection and everything cached for it (assets, lookups, its outbox). The
    /// caller asks the user first: unpushed edits of that connection are discarded with it.
    pub fn remove_connection(&self, id: &ConnectionId) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM assets_fts WHERE rowid IN (SELECT id FROM assets WHERE connection_id = ?1)",
                [&id.0],
            )?;
            tx.execute(
                "DELETE FROM assets_trigram WHERE rowid IN (SELECT id FROM assets WHERE connection_id = ?1)",
                [&id.0],
            )?;
            tx.execute(
                "DELETE FROM conflicts WHERE asset_id IN (SELECT id FROM assets WHERE connection_id = ?1)",
                [&id.0],
            )?;
            tx.execute("DELETE FROM outbox WHERE connection_id = ?1", [&id.0])?;
            tx.execute("DELETE FROM tombstones WHERE connection_id = ?1", [&id.0])?;
            tx.execute("UPDATE assets SET parent_id = NULL WHERE connection_id = ?1", [&id.0])?;
            let n = tx.execute("DELETE FROM connections WHERE id = ?1", [&id.0])?;
            if n == 0 {
                return Err(StoreError::UnknownConnection(id.clone()));
            }
            feed(&tx, ChangeOrigin::User, "connection", None, "delete")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// All configured connections, by name.
    pub fn connections(&self) -> Result<Vec<Connection>> {
        self.read(|db| {
            let sql = format!("SELECT {CONNECTION_COLS} FROM connections ORDER BY name, id");
            let mut stmt = db.prepare_cached(&sql)?;
            let rows = stmt
                .query_map([], read_connection)?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// One connection.
    pub fn connection(&self, id: &ConnectionId) -> Result<Connection> {
        self.read(|db| {
            let sql = format!("SELECT {CONNECTION_COLS} FROM connections WHERE id = ?1");
            db.prepare_cached(&sql)?
                .query_row([&id.0], read_connection)
                .optional()?
                .ok_or_else(|| StoreError::UnknownConnection(id.clone()))
        })
    }

    /// Replaces every lookup list of `connection` with `lookups` in one transaction
    /// (rows absent from `lookups` are removed; assets keep their ids and show them bare).
    pub fn replace_lookups(&self, connection: &ConnectionId, lookups: &Lookups) -> Result<()> {
        self.write(|db| {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists: Option<i64> = tx
                .query_row("SELECT 1 FROM connections WHERE id = ?1", [&connection.0], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::UnknownConnection(connection.clone()));
            }
            let c = &connection.0;
            for table in ["clients", "sites", "people", "asset_types", "asset_statuses"] {
                tx.execute(&format!("DELETE FROM {table} WHERE connection_id = ?1"), [c])?;
            }
            {
                let mut s = tx.prepare(
                    "INSERT OR REPLACE INTO clients(connection_id, remote_id, name, inactive) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for x in &lookups.clients {
                    s.execute(params![c, x.remote_id, x.name, x.inactive])?;
                }
                let mut s = tx.prepare(
                    "INSERT OR REPLACE INTO sites(connection_id, remote_id, client_id, name) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for x in &lookups.sites {
                    s.execute(params![c, x.remote_id, x.client_id, x.name])?;
                }
                let mut s = tx.prepare(
                    "INSERT OR REPLACE INTO people(connection_id, remote_id, client_id, site_id, name, email) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for x in &lookups.people {
                    s.execute(params![c, x.remote_id, x.client_id, x.site_id, x.name, x.email])?;
                }
                let mut s = tx.prepare(
                    "INSERT OR REPLACE INTO asset_types(connection_id, remote_id, name, fields, allowed_statuses) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for x in &lookups.types {
                    let fields = serde_json::to_string(&x.fields)
                        .map_err(StoreError::json("custom field definitions"))?;
                    let allowed = x
                        .allowed_statuses
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(StoreError::json("allowed statuses"))?;
                    s.execute(params![c, x.remote_id, x.name, fields, allowed])?;
                }
                let mut s = tx.prepare(
                    "INSERT OR REPLACE INTO asset_statuses(connection_id, remote_id, name, retired) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for x in &lookups.statuses {
                    s.execute(params![c, x.remote_id, x.name, x.retired])?;
                }
            }
            feed(&tx, ChangeOrigin::Sync, "lookup", None, "replace")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The cached lookups of one connection, each list sorted by name.
    pub fn lookups(&self, connection: &ConnectionId) -> Result<Lookups> {
        self.read(|db| {
            let c = &connection.0;
            let clients = db
                .prepare_cached(
                    "SELECT remote_id, name, inactive FROM clients WHERE connection_id = ?1 ORDER BY name",
                )?
                .query_map([c], |r| {
                    Ok(Client {
                        connection_id: connection.clone(),
                        remote_id: r.get(0)?,
                        name: r.get(1)?,
                        inactive: r.get(2)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let sites = db
                .prepare_cached(
                    "SELECT remote_id, client_id, name FROM sites WHERE connection_id = ?1 ORDER BY name",
                )?
                .query_map([c], |r| {
                    Ok(Site {
                        connection_id: connection.clone(),
                        remote_id: r.get(0)?,
                        client_id: r.get(1)?,
                        name: r.get(2)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let people = db
                .prepare_cached(
                    "SELECT remote_id, client_id, site_id, name, email FROM people WHERE connection_id = ?1 ORDER BY name",
                )?
                .query_map([c], |r| {
                    Ok(Person {
                        connection_id: connection.clone(),
                        remote_id: r.get(0)?,
                        client_id: r.get(1)?,
                        site_id: r.get(2)?,
                        name: r.get(3)?,
                        email: r.get(4)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let types = asset_types_of(db, connection)?;
            let statuses = asset_statuses_of(db, connection)?;
            Ok(Lookups { clients, sites, people, types, statuses })
        })
    }
}

/// The asset types of a connection with their field definitions (validation needs them).
pub(crate) fn asset_types_of(
    db: &rusqlite::Connection,
    connection: &ConnectionId,
) -> Result<Vec<AssetType>> {
    let rows = db
        .prepare_cached(
            "SELECT remote_id, name, fields, allowed_statuses FROM asset_types \
             WHERE connection_id = ?1 ORDER BY name",
        )?
        .query_map([&connection.0], |r| {
            let allowed: Option<String> = r.get(3)?;
            Ok(AssetType {
                connection_id: connection.clone(),
                remote_id: r.get(0)?,
                name: r.get(1)?,
                fields: json_col(r, 2)?,
                allowed_statuses: match allowed {
                    Some(_) => Some(json_col(r, 3)?),
                    None => None,
                },
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The asset statuses of a connection, by name.
pub(crate) fn asset_statuses_of(
    db: &rusqlite::Connection,
    connection: &ConnectionId,
) -> Result<Vec<AssetStatus>> {
    let rows = db
        .prepare_cached(
            "SELECT remote_id, name, retired FROM asset_statuses WHERE connection_id = ?1 ORDER BY name",
        )?
        .query_map([&connection.0], |r| {
            Ok(AssetStatus {
                connection_id: connection.clone(),
                remote_id: r.get(0)?,
                name: r.get(1)?,
                retired: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The provider kind of a connection.
pub(crate) fn kind_of(
    db: &rusqlite::Connection,
    connection: &ConnectionId,
) -> Result<ProviderKind> {
    let kind: Option<String> = db
        .prepare_cached("SELECT kind FROM connections WHERE id = ?1")?
        .query_row([&connection.0], |r| r.get(0))
        .optional()?;
    kind.as_deref()
        .and_then(ProviderKind::parse)
        .ok_or_else(|| StoreError::UnknownConnection(connection.clone()))
}
