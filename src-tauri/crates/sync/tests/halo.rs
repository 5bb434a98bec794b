//! The engine against the HaloPSA sandbox: the paths the Syncro simulation cannot reach
//! (asset delete, list rows without notes, OAuth) and the pull's bookkeeping (hash skip,
//! two-miss tombstones, 404 with local edits), one scenario end to end.

mod common;

use std::sync::Arc;
use std::time::Duration;

use assetdesk_domain::{AssetField, AssetFields, Connection, ConnectionId, Patch, ProviderKind};
use assetdesk_halo::{HaloClient, HaloSettings, Secret};
use assetdesk_sandbox::halo::{HaloConfig, ids, start};
use assetdesk_store::{NewAsset, OpState, Resolution, Store};
use assetdesk_sync::{Provider, Remote, SyncOptions, SyncReport, sync_connection};
use serde_json::json;

fn conn() -> ConnectionId {
    ConnectionId("sim-halo".into())
}

async fn sync(store: &Store, remote: &Remote) -> SyncReport {
    let r = sync_connection(
        store,
        remote,
        &conn(),
        &SyncOptions::default(),
        &Default::default(),
        None,
    )
    .await;
    assert!(r.error.is_none(), "sync failed: {:?}", r.error);
    r
}

fn patch(field: AssetField, v: serde_json::Value) -> Patch {
    [(field, v)].into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn halo_pull_push_merge_reconcile_and_deletes() {
    let server = start(HaloConfig {
        assets: 12,
        tickets: 0,
        page_cap: 5,
        rate_limit: None,
        ..HaloConfig::default()
    })
    .await
    .expect("sandbox");
    let mut s =
        HaloSettings::new(conn(), &server.resource_url(), server.client_id()).expect("settings");
    s.tenant = Some(server.tenant());
    s.page_size = 5;
    s.rate_limit = None;
    s.retry_base = Duration::from_millis(5);
    s.request_timeout = Duration::from_secs(5);
    let remote = Remote::Halo(Arc::new(
        HaloClient::new(s, Secret::new(server.client_secret())).expect("client"),
    ));
    let dir = common::temp_dir();
    let store = Store::open(&dir.path().join("cache.sqlite3")).expect("store");
    store
        .upsert_connection(&Connection {
            id: conn(),
            kind: ProviderKind::Halo,
            name: "Halo".into(),
            base_url: server.resource_url(),
            auth_url: None,
            tenant: Some(server.tenant()),
            client_id: Some(server.client_id()),
            secret_ref: "halo".into(),
            demo: false,
        })
        .expect("connection");
    let state = server.state().clone();

    // Full pass: every asset, count check passed; the next pass writes nothing.
    let r = sync(&store, &remote).await;
    assert_eq!(r.pull.inserted as usize, state.asset_count());
    assert!(r.pull.count_ok && r.pull.pages >= 3, "{:?}", r.pull);
    let r = sync(&store, &remote).await;
    assert_eq!(
        (r.pull.inserted, r.pull.updated),
        (0, 0),
        "unchanged rows are skipped by hash"
    );
    assert_eq!(r.pull.unchanged as usize, state.asset_count());

    let ids_now = state.asset_ids();
    let (a, b, c, d, e) = (ids_now[0], ids_now[1], ids_now[2], ids_now[3], ids_now[4]);
    let local_id = |rid| {
        store
            .asset_by_remote(&conn(), rid)
            .expect("read")
            .expect("cached")
            .asset
            .id
    };

    // a: local serial + remote notes → both survive (disjoint fields merge).
    store
        .update_asset(
            local_id(a),
            &patch(AssetField::Serial, json!("SN-LOCAL-A")),
            "t",
        )
        .expect("edit");
    assert!(state.remote_edit(a, json!({"notes": "remote note"})));
    // b: same field both sides → conflict, remote untouched until resolved.
    store
        .update_asset(
            local_id(b),
            &patch(AssetField::AssetTag, json!("TAG-MINE")),
            "t",
        )
        .expect("edit");
    assert!(state.remote_edit(b, json!({"inventory_number": "TAG-THEIRS"})));
    // c: local notes (a field Halo list rows lack) must survive later pulls.
    store
        .update_asset(
            local_id(c),
            &patch(AssetField::Notes, json!("local note")),
            "t",
        )
        .expect("edit");
    // d: deleted locally → deleted in Halo.
    store.delete_asset(local_id(d), "t").expect("delete");
    // e: edited here, deleted there → needs attention, not a silent loss.
    store
        .update_asset(local_id(e), &patch(AssetField::Serial, json!("SN-E")), "t")
        .expect("edit");
    assert!(state.remote_delete(e));
    // A create whose response is lost after Halo applied it: reconciled, never duplicated.
    let lookups = store.lookups(&conn()).expect("lookups");
    let fields = AssetFields {
        name: "NEW-HALO-1".into(),
        client_id: lookups.clients.first().map(|c| c.remote_id),
        type_id: Some(ids::T_WORKSTATION),
        serial: Some("SN-NEW-1".into()),
        ..Default::default()
    };
    store
        .create_asset(
            &NewAsset {
                connection_id: conn(),
                fields,
                parent_id: None,
            },
            "t",
        )
        .expect("create");
    state.drop_next_writes(1);

    let r = sync(&store, &remote).await;
    assert_eq!(r.push.conflicts, 1, "{:?}", r.push);
    assert_eq!(r.push.rejected, 1, "{:?}", r.push);
    let a_remote = remote.get_asset(a).await.expect("get").expect("exists");
    assert_eq!(a_remote.fields.serial.as_deref(), Some("SN-LOCAL-A"));
    assert_eq!(a_remote.fields.notes.as_deref(), Some("remote note"));
    let b_remote = remote.get_asset(b).await.expect("get").expect("exists");
    assert_eq!(
        b_remote.fields.asset_tag.as_deref(),
        Some("TAG-THEIRS"),
        "no silent overwrite"
    );
    assert!(state.asset(d).is_none(), "local delete reached Halo");
    let created: Vec<_> = state
        .asset_ids()
        .into_iter()
        .filter_map(|id| state.asset(id))
        .filter(|v| v.to_string().contains("SN-NEW-1"))
        .collect();
    assert_eq!(created.len(), 1, "exactly one remote asset for the create");
    let c_cached = store
        .asset_by_remote(&conn(), c)
        .expect("read")
        .expect("cached");
    assert_eq!(
        c_cached.asset.fields.notes.as_deref(),
        Some("local note"),
        "list rows lack notes; kept"
    );

    // The user keeps their tag, and gives up the edit of the deleted asset.
    for conflict in store.conflicts(None, true).expect("conflicts") {
        assert_eq!(conflict.field, "asset_tag");
        store
            .resolve_conflict(conflict.id, &Resolution::KeepMine, "t")
            .expect("resolve");
    }
    for op in store.ops(None, false).expect("ops") {
        if op.state == OpState::Failed {
            assert!(
                op.last_error
                    .as_deref()
                    .unwrap_or_default()
                    .contains("deleted"),
                "{op:?}"
            );
            store.discard(&op.client_op_id, "t").expect("discard");
        }
    }
    sync(&store, &remote).await;
    sync(&store, &remote).await; // second miss of e → tombstone (§1.6)
    assert!(
        store.ops(None, false).expect("ops").is_empty(),
        "outbox drained"
    );
    let b_remote = remote.get_asset(b).await.expect("get").expect("exists");
    assert_eq!(b_remote.fields.asset_tag.as_deref(), Some("TAG-MINE"));
    let e_cached = store
        .asset_by_remote(&conn(), e)
        .expect("read")
        .expect("row kept as tombstone");
    assert!(
        e_cached.deleted,
        "remote delete detected after two complete passes"
    );
    let c_cached = store
        .asset_by_remote(&conn(), c)
        .expect("read")
        .expect("cached");
    assert_eq!(c_cached.asset.fields.notes.as_deref(), Some("local note"));
    for id in state.asset_ids() {
        let cached = store
            .asset_by_remote(&conn(), id)
            .expect("read")
            .expect("every remote asset is cached");
        assert!(!cached.deleted);
    }

    // A host and a VM created offline, the VM linked under the host: the link waits for
    // the host's create, then lands in Halo's `parent_assets`.
    let client_id = lookups.clients.first().map(|c| c.remote_id);
    let new = |name: &str, serial: &str, type_id| NewAsset {
        connection_id: conn(),
        fields: AssetFields {
            name: name.into(),
            client_id,
            type_id: Some(type_id),
            serial: Some(serial.into()),
            ..Default::default()
        },
        parent_id: None,
    };
    let host = store
        .create_asset(&new("HOST-1", "SN-HOST-1", ids::T_SERVER), "t")
        .expect("host")
        .asset_id;
    let vm = NewAsset {
        parent_id: Some(host),
        ..new("VM-1", "SN-VM-1", ids::T_VM)
    };
    let vm = store.create_asset(&vm, "t").expect("vm").asset_id;
    sync(&store, &remote).await;
    assert!(
        store.ops(None, false).expect("ops").is_empty(),
        "create, create and link all acked"
    );
    let host_rid = store
        .asset(host)
        .expect("host")
        .asset
        .remote_id
        .expect("host pushed");
    let vm_rid = store
        .asset(vm)
        .expect("vm")
        .asset
        .remote_id
        .expect("vm pushed");
    let vm_remote = state.asset(vm_rid).expect("vm in Halo");
    assert_eq!(
        vm_remote["parent_assets"],
        json!([{"id": host_rid}]),
        "{vm_remote}"
    );
    assert_eq!(store.asset(vm).expect("vm").asset.parent_id, Some(host));
    server.shutdown().await;
}
