//! Shared fixtures of the store's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use assetdesk_domain::{
    AssetFacts, AssetFields, AssetStatus, AssetType, Client, Connection, ConnectionId, Person,
    ProviderKind, RemoteAsset, Site,
};
use assetdesk_store::{Lookups, PullMode, PulledPage, Store};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub conn: ConnectionId,
}

pub fn conn_id(kind: ProviderKind) -> ConnectionId {
    ConnectionId(format!("conn-{}", kind.as_str()))
}

pub fn connection(kind: ProviderKind) -> Connection {
    Connection {
        id: conn_id(kind),
        kind,
        name: format!("Test {}", kind.label()),
        base_url: "https://example.invalid".into(),
        auth_url: None,
        tenant: None,
        client_id: None,
        secret_ref: format!("assetdesk:{}", kind.as_str()),
        demo: false,
    }
}

pub fn lookups(conn: &ConnectionId) -> Lookups {
    Lookups {
        clients: (1..=3)
            .map(|i| Client {
                connection_id: conn.clone(),
                remote_id: i,
                name: format!("Client {i}"),
                inactive: false,
            })
            .collect(),
        sites: vec![Site {
            connection_id: conn.clone(),
            remote_id: 1,
            client_id: 1,
            name: "HQ".into(),
        }],
        people: vec![Person {
            connection_id: conn.clone(),
            remote_id: 7,
            client_id: Some(1),
            site_id: None,
            name: "Grace Hopper".into(),
            email: None,
        }],
        types: vec![
            AssetType {
                connection_id: conn.clone(),
                remote_id: 10,
                name: "Laptop".into(),
                fields: vec![],
                allowed_statuses: None,
            },
            AssetType {
                connection_id: conn.clone(),
                remote_id: 11,
                name: "Server".into(),
                fields: vec![],
                allowed_statuses: None,
            },
        ],
        statuses: vec![AssetStatus {
            connection_id: conn.clone(),
            remote_id: 1,
            name: "Active".into(),
            retired: false,
        }],
    }
}

/// A store with one connection of `kind` and its lookups.
pub fn fixture(kind: ProviderKind) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("cache.db")).expect("open store");
    let c = connection(kind);
    store.upsert_connection(&c).expect("connection");
    store
        .replace_lookups(&c.id, &lookups(&c.id))
        .expect("lookups");
    Fixture {
        dir,
        store,
        conn: c.id,
    }
}

pub fn fields(name: &str) -> AssetFields {
    AssetFields {
        name: name.into(),
        client_id: Some(1),
        type_id: Some(10),
        ..Default::default()
    }
}

pub fn remote(id: i64, name: &str) -> RemoteAsset {
    RemoteAsset {
        remote_id: id,
        fields: fields(name),
        facts: AssetFacts::default(),
        parent_remote_id: None,
        updated_at: None,
        raw: serde_json::json!({"id": id, "unmodelled": {"keep": true}}),
    }
}

/// Pulls `assets` as one full pass of one page; returns the run id.
pub fn pull_all(store: &Store, conn: &ConnectionId, assets: Vec<RemoteAsset>) -> i64 {
    let cp = store
        .begin_pull(conn, PullMode::Full, 100, Some("id"))
        .expect("begin");
    let total = assets.len() as u64;
    store
        .apply_pulled_page(&PulledPage {
            run_id: cp.run_id,
            page_no: 1,
            assets,
            remote_total: Some(total),
            high_watermark: None,
        })
        .expect("page");
    store.complete_pull(cp.run_id, true).expect("complete");
    cp.run_id
}

pub fn custom(pairs: &[(&str, serde_json::Value)]) -> BTreeMap<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}
