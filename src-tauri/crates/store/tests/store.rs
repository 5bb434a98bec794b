//! Behaviour of the store API: pulls, local edits, the outbox life cycle, queries, the feed.

mod common;

use assetdesk_domain::{
    AssetField, AssetFields, AssetId, AssetStatus, Patch, ProviderKind, RemoteAsset,
};
use assetdesk_store::*;
use common::*;
use serde_json::json;

fn patch(pairs: &[(&str, serde_json::Value)]) -> Patch {
    pairs
        .iter()
        .map(|(k, v)| (k.parse::<AssetField>().expect("field"), v.clone()))
        .collect()
}

fn local_id(store: &Store, conn: &assetdesk_domain::ConnectionId, remote_id: i64) -> AssetId {
    store
        .asset_by_remote(conn, remote_id)
        .expect("query")
        .expect("cached")
        .asset
        .id
}

#[test]
fn store_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store>();
    // Readers work while another thread writes.
    let f = fixture(ProviderKind::Halo);
    let store = std::sync::Arc::new(f.store);
    let writer = {
        let (store, conn) = (store.clone(), f.conn.clone());
        std::thread::spawn(move || {
            pull_all(
                &store,
                &conn,
                (1..=500).map(|i| remote(i, &format!("W{i}"))).collect(),
            )
        })
    };
    for _ in 0..20 {
        store
            .list_assets(&AssetFilter::default(), &PageRequest::default())
            .unwrap();
    }
    writer.join().unwrap();
    assert_eq!(store.count_assets(&AssetFilter::default()).unwrap(), 500);
}

#[test]
fn open_creates_schema_and_passes_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.integrity_check().unwrap();
    drop(store);
    // Reopening an up-to-date file runs no migration and keeps the version.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn connections_hold_no_secret_and_lookups_replace_whole() {
    let f = fixture(ProviderKind::Halo);
    let c = f.store.connection(&f.conn).unwrap();
    assert_eq!(c.secret_ref, "assetdesk:halo");
    let mut l = f.store.lookups(&f.conn).unwrap();
    assert_eq!(l.clients.len(), 3);
    l.clients.truncate(1);
    f.store.replace_lookups(&f.conn, &l).unwrap();
    assert_eq!(f.store.lookups(&f.conn).unwrap().clients.len(), 1);
    let err = f
        .store
        .replace_lookups(&assetdesk_domain::ConnectionId("nope".into()), &l)
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownConnection(_)), "{err}");
}

#[test]
fn pull_inserts_updates_and_skips_unchanged() {
    let f = fixture(ProviderKind::Halo);
    let cp = f
        .store
        .begin_pull(&f.conn, PullMode::Full, 2, Some("id"))
        .unwrap();
    let page = |n, assets| PulledPage {
        run_id: cp.run_id,
        page_no: n,
        assets,
        remote_total: Some(3),
        high_watermark: None,
    };
    let out = f
        .store
        .apply_pulled_page(&page(1, vec![remote(1, "A"), remote(2, "B")]))
        .unwrap();
    assert_eq!((out.inserted, out.updated, out.unchanged), (2, 0, 0));
    let seq = f.store.latest_change_seq().unwrap();
    // The overlapping re-fetch of page 1 (§1.4) changes nothing and writes no feed entry.
    let out = f
        .store
        .apply_pulled_page(&page(1, vec![remote(1, "A"), remote(2, "B")]))
        .unwrap();
    assert_eq!((out.inserted, out.updated, out.unchanged), (0, 0, 2));
    assert_eq!(f.store.latest_change_seq().unwrap(), seq);
    let out = f
        .store
        .apply_pulled_page(&page(2, vec![remote(2, "B2"), remote(3, "C")]))
        .unwrap();
    assert_eq!((out.inserted, out.updated, out.unchanged), (1, 1, 0));
    let cp2 = f.store.checkpoint(&f.conn).unwrap().unwrap();
    assert_eq!((cp2.page_no, cp2.seen, cp2.remote_total), (2, 3, Some(3)));
    // Resuming an unfinished run returns the same checkpoint.
    assert_eq!(
        f.store
            .begin_pull(&f.conn, PullMode::Full, 2, Some("id"))
            .unwrap()
            .run_id,
        cp.run_id
    );
    f.store.complete_pull(cp.run_id, true).unwrap();
    let b = f.store.asset(local_id(&f.store, &f.conn, 2)).unwrap();
    assert_eq!(b.asset.fields.name, "B2");
    assert_eq!(
        b.asset.raw["unmodelled"]["keep"],
        json!(true),
        "raw JSON round-trips"
    );
    let changes = f.store.changes_since(0, 100).unwrap();
    assert!(
        changes
            .iter()
            .filter(|c| c.entity == "asset")
            .all(|c| c.origin == ChangeOrigin::Sync)
    );
}

#[test]
fn parents_resolve_when_they_arrive_later_in_the_pass() {
    let f = fixture(ProviderKind::Halo);
    let cp = f
        .store
        .begin_pull(&f.conn, PullMode::Full, 1, None)
        .unwrap();
    let mut vm = remote(2, "vm");
    vm.parent_remote_id = Some(1);
    let out = f
        .store
        .apply_pulled_page(&PulledPage {
            run_id: cp.run_id,
            page_no: 1,
            assets: vec![vm],
            remote_total: None,
            high_watermark: None,
        })
        .unwrap();
    assert_eq!(out.parents_resolved, 0);
    let child = local_id(&f.store, &f.conn, 2);
    assert_eq!(f.store.asset(child).unwrap().asset.parent_id, None);
    let out = f
        .store
        .apply_pulled_page(&PulledPage {
            run_id: cp.run_id,
            page_no: 2,
            assets: vec![remote(1, "host")],
            remote_total: None,
            high_watermark: None,
        })
        .unwrap();
    assert_eq!(out.parents_resolved, 1);
    let host = local_id(&f.store, &f.conn, 1);
    assert_eq!(f.store.asset(child).unwrap().asset.parent_id, Some(host));
    let tree = f.store.descendants(host).unwrap();
    assert_eq!(tree.len(), 1);
    assert_eq!(tree[0].asset.id, child);
    assert_eq!(f.store.ancestors(child).unwrap()[0].id, host);
}

#[test]
fn two_misses_over_complete_passes_tombstone() {
    let f = fixture(ProviderKind::Halo);
    pull_all(&f.store, &f.conn, vec![remote(1, "A"), remote(2, "B")]);
    let b = local_id(&f.store, &f.conn, 2);
    // An incomplete pass (count check failed) does not count as a miss.
    let cp = f
        .store
        .begin_pull(&f.conn, PullMode::Full, 100, None)
        .unwrap();
    f.store
        .apply_pulled_page(&PulledPage {
            run_id: cp.run_id,
            page_no: 1,
            assets: vec![remote(1, "A")],
            remote_total: Some(2),
            high_watermark: None,
        })
        .unwrap();
    let out = f.store.complete_pull(cp.run_id, false).unwrap();
    assert!(!out.swept);
    pull_all(&f.store, &f.conn, vec![remote(1, "A")]);
    assert!(!f.store.asset(b).unwrap().deleted, "one miss is not enough");
    let run = f
        .store
        .begin_pull(&f.conn, PullMode::Full, 100, None)
        .unwrap();
    f.store
        .apply_pulled_page(&PulledPage {
            run_id: run.run_id,
            page_no: 1,
            assets: vec![remote(1, "A")],
            remote_total: Some(1),
            high_watermark: None,
        })
        .unwrap();
    let out = f.store.complete_pull(run.run_id, true).unwrap();
    assert_eq!(out.tombstoned, vec![b]);
    assert!(f.store.asset(b).unwrap().deleted);
    assert_eq!(f.store.count_assets(&AssetFilter::default()).unwrap(), 1);
    // Seen again in a later pass: it exists after all and comes back.
    pull_all(&f.store, &f.conn, vec![remote(1, "A"), remote(2, "B")]);
    assert!(!f.store.asset(b).unwrap().deleted);
}

#[test]
fn a_404_tombstones_at_once_but_never_over_local_edits() {
    let f = fixture(ProviderKind::Halo);
    pull_all(&f.store, &f.conn, vec![remote(1, "A"), remote(2, "B")]);
    let a = local_id(&f.store, &f.conn, 1);
    let b = local_id(&f.store, &f.conn, 2);
    f.store
        .update_asset(b, &patch(&[("notes", json!("mine"))]), "tech")
        .unwrap();
    assert_eq!(
        f.store.tombstone_remote(&f.conn, 1, "404").unwrap(),
        TombstoneOutcome::Tombstoned(a)
    );
    assert_eq!(
        f.store.tombstone_remote(&f.conn, 2, "404").unwrap(),
        TombstoneOutcome::HasLocalEdits(b)
    );
    assert_eq!(
        f.store.tombstone_remote(&f.conn, 99, "404").unwrap(),
        TombstoneOutcome::NotCached
    );
}

#[test]
fn a_page_fetched_before_a_delete_does_not_resurrect_it() {
    let f = fixture(ProviderKind::Halo);
    pull_all(&f.store, &f.conn, vec![remote(1, "A")]);
    let a = local_id(&f.store, &f.conn, 1);
    let run = f
        .store
        .begin_pull(&f.conn, PullMode::Incremental, 100, None)
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2));
    f.store.tombstone_remote(&f.conn, 1, "404").unwrap();
    let page = |run_id| PulledPage {
        run_id,
        page_no: 1,
        assets: vec![remote(1, "A")],
        remote_total: None,
        high_watermark: None,
    };
    let out = f.store.apply_pulled_page(&page(run.run_id)).unwrap();
    assert_eq!((out.stale_skipped, out.updated), (1, 0));
    assert!(f.store.asset(a).unwrap().deleted);
    f.store.complete_pull(run.run_id, true).unwrap();
    // A run that started after the delete and still sees the asset: it exists.
    std::thread::sleep(std::time::Duration::from_millis(2));
    let run = f
        .store
        .begin_pull(&f.conn, PullMode::Incremental, 100, None)
        .unwrap();
    let out = f.store.apply_pulled_page(&page(run.run_id)).unwrap();
    assert_eq!((out.stale_skipped, out.updated), (0, 1));
    assert!(!f.store.asset(a).unwrap().deleted);
}

#[test]
fn local_edit_writes_row_index_outbox_base_journal_and_feed() {
    let f = fixture(ProviderKind::Halo);
    pull_all(&f.store, &f.conn, vec![remote(1, "Laptop 1")]);
    let id = local_id(&f.store, &f.conn, 1);
    let out = f
        .store
        .update_asset(
            id,
            &patch(&[
                ("serial", json!("SN-XYZ-1")),
                ("notes", json!("dented lid")),
            ]),
            "ann",
        )
        .unwrap();
    let op_id = out.client_op_id.clone().unwrap();
    let rec = f.store.asset(id).unwrap();
    assert_eq!(rec.sync_state, SyncState::Pending);
    assert_eq!(rec.asset.fields.serial.as_deref(), Some("SN-XYZ-1"));
    let ops = f.store.ops(Some(id), false).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].client_op_id, op_id);
    assert_eq!(
        ops[0].base.as_ref().unwrap().fields.serial,
        None,
        "base is the pre-edit remote state"
    );
    assert_eq!(ops[0].state, OpState::Pending);
    let hits = f
        .store
        .list_assets(
            &AssetFilter {
                search: Some("dent".into()),
                ..Default::default()
            },
            &PageRequest::default(),
        )
        .unwrap();
    assert_eq!(
        hits.rows.len(),
        1,
        "search index updated in the same transaction"
    );
    let hits = f
        .store
        .list_assets(
            &AssetFilter {
                contains: Some("xyz".into()),
                ..Default::default()
            },
            &PageRequest::default(),
        )
        .unwrap();
    assert_eq!(hits.rows.len(), 1);
    let journal = f.store.journal(id).unwrap();
    assert_eq!(journal[0].actor, "ann");
    assert!(!journal[0].synced);
    assert_eq!(journal[0].detail["serial"]["to"], json!("SN-XYZ-1"));
    let last = f.store.changes_since(out.change_seq - 1, 10).unwrap();
    assert_eq!(last[0].origin, ChangeOrigin::User);
    // A second edit before any push coalesces into the same op, base unchanged.
    let again = f
        .store
        .update_asset(id, &patch(&[("notes", json!("new lid"))]), "ann")
        .unwrap();
    assert_eq!(again.client_op_id.as_deref(), Some(op_id.as_str()));
    assert_eq!(f.store.ops(Some(id), false).unwrap().len(), 1);
    // A no-op patch writes nothing.
    let none = f
        .store
        .update_asset(id, &patch(&[("notes", json!("new lid"))]), "ann")
        .unwrap();
    assert_eq!(none.client_op_id, None);
}

#[test]
fn validation_errors_come_back_per_field() {
    let f = fixture(ProviderKind::Halo);
    let bad = NewAsset {
        connection_id: f.conn.clone(),
        fields: assetdesk_domain::AssetFields {
            name: String::new(),
            mac: Some("zz".into()),
            type_id: Some(99),
            ..fields("x")
        },
        parent_id: None,
    };
    let StoreError::Invalid(report) = f.store.create_asset(&bad, "ann").unwrap_err() else {
        panic!("expected Invalid")
    };
    let mut names: Vec<&str> = report.findings.iter().map(|f| f.field.as_str()).collect();
    names.sort();
    assert_eq!(names, ["mac", "name", "type_id"]);
    assert_eq!(
        f.store.ops(None, false).unwrap().len(),
        0,
        "nothing written"
    );
    // Duplicate serial is a warning that does not block.
    pull_all(
        &f.store,
        &f.conn,
        vec![RemoteAsset {
            fields: assetdesk_domain::AssetFields {
                serial: Some("S1".into()),
                ..fields("Old")
            },
            ..remote(1, "Old")
        }],
    );
    let dup = NewAsset {
        connection_id: f.conn.clone(),
        fields: assetdesk_domain::AssetFields {
            serial: Some("s1".into()),
            ..fields("New")
        },
        parent_id: None,
    };
    let out = f.store.create_asset(&dup, "ann").unwrap();
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(out.warnings[0].field, "serial");
    // An update is judged only on what it touches: a bad MAC the provider holds does not
    // block a rename, but setting a bad MAC does.
    pull_all(
        &f.store,
        &f.conn,
        vec![RemoteAsset {
            fields: assetdesk_domain::AssetFields {
                mac: Some("odd".into()),
                ..fields("M")
            },
            ..remote(2, "M")
        }],
    );
    let m = local_id(&f.store, &f.conn, 2);
    f.store
        .update_asset(m, &patch(&[("name", json!("M2"))]), "ann")
        .unwrap();
    let err = f
        .store
        .update_asset(m, &patch(&[("ip", json!("300.1.1.1"))]), "ann")
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref r) if r.findings[0].field == "ip"),
        "{err}"
    );
}

#[test]
fn syncro_refuses_delete() {
    let f = fixture(ProviderKind::Syncro);
    pull_all(&f.store, &f.conn, vec![remote(1, "A")]);
    let err = f
        .store
        .delete_asset(local_id(&f.store, &f.conn, 1), "ann")
        .unwrap_err();
    assert!(matches!(err, StoreError::Unsupported(_)), "{err}");
}

#[test]
fn parent_cycles_are_refused() {
    let f = fixture(ProviderKind::Halo);
    pull_all(&f.store, &f.conn, vec![remote(1, "A"), remote(2, "B")]);
    let (a, b) = (
        local_id(&f.store, &f.conn, 1),
        local_id(&f.store, &f.conn, 2),
    );
    f.store.set_parent(b, Some(a), "ann").unwrap();
    let err = f.store.set_parent(a, Some(b), "ann").unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref r) if r.findings[0].field == "parent_id"),
        "{err}"
    );
    let err = f.store.set_parent(a, Some(a), "ann").unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
}

#[test]
fn create_push_ack_adopts_remote_id_and_runs_link_after_parent() {
    let f = fixture(ProviderKind::Halo);
    let host = f
        .store
        .create_asset(
            &NewAsset {
                connection_id: f.conn.clone(),
                fields: fields("host"),
                parent_id: None,
            },
            "ann",
        )
        .unwrap();
    let vm = f
        .store
        .create_asset(
            &NewAsset {
                connection_id: f.conn.clone(),
                fields: fields("vm"),
                parent_id: Some(host.asset_id),
            },
            "ann",
        )
        .unwrap();
    let runnable = f.store.next_runnable(i64::MAX, 10).unwrap();
    let kinds: Vec<(AssetId, &str)> = runnable
        .iter()
        .map(|o| (o.asset_id, o.payload.kind()))
        .collect();
    assert_eq!(
        kinds,
        [(host.asset_id, "create"), (vm.asset_id, "create")],
        "the link waits"
    );
    // Create of the host: in flight, then acknowledged with its remote state.
    let op = f.store.mark_in_flight(&runnable[0].client_op_id).unwrap();
    assert_eq!(op.state, OpState::InFlight);
    assert!(
        f.store.mark_in_flight(&runnable[0].client_op_id).is_err(),
        "not twice"
    );
    assert_eq!(f.store.in_flight_ops().unwrap().len(), 1);
    f.store
        .ack(
            &op.client_op_id,
            &Ack {
                remote: Some(remote(500, "host")),
            },
        )
        .unwrap();
    f.store.mark_in_flight(&runnable[1].client_op_id).unwrap();
    f.store
        .ack(
            &runnable[1].client_op_id,
            &Ack {
                remote: Some(remote(501, "vm")),
            },
        )
        .unwrap();
    let next = f.store.next_runnable(i64::MAX, 10).unwrap();
    assert_eq!(next.len(), 1);
    assert!(
        matches!(next[0].payload, OpPayload::Link { parent_id: Some(p) } if p == host.asset_id)
    );
    assert_eq!(
        (next[0].remote_id, next[0].parent_remote_id),
        (Some(501), Some(500))
    );
    let mut linked = remote(501, "vm");
    linked.parent_remote_id = Some(500);
    f.store.mark_in_flight(&next[0].client_op_id).unwrap();
    f.store
        .ack(
            &next[0].client_op_id,
            &Ack {
                remote: Some(linked),
            },
        )
        .unwrap();
    let rec = f.store.asset(vm.asset_id).unwrap();
    assert_eq!(rec.sync_state, SyncState::Synced);
    assert_eq!(rec.asset.remote_id, Some(501));
    assert_eq!(rec.asset.parent_id, Some(host.asset_id));
    assert!(
        f.store
            .journal(vm.asset_id)
            .unwrap()
            .iter()
            .all(|j| j.synced)
    );
    assert!(f.store.ops(None, false).unwrap().is_empty());
}

#[test]
fn ack_of_a_create_the_pull_already_saw_merges_the_duplicate() {
    let f = fixture(ProviderKind::Halo);
    let created = f
        .store
        .create_asset(
            &NewAsset {
                connection_id: f.conn.clone(),
                fields: fields("new"),
                parent_id: None,
            },
            "ann",
        )
        .unwrap();
    let op = created.client_op_id.unwrap();
    f.store.mark_in_flight(&op).unwrap();
    // The POST landed, the answer was lost, and a pull brought the asset in.
    pull_all(&f.store, &f.conn, vec![remote(900, "new")]);
    assert_eq!(f.store.count_assets(&AssetFilter::default()).unwrap(), 2);
    f.store
        .ack(
            &op,
            &Ack {
                remote: Some(remote(900, "new")),
            },
        )
        .unwrap();
    assert_eq!(
        f.store.count_assets(&AssetFilter::default()).unwrap(),
        1,
        "no duplicate"
    );
    assert_eq!(local_id(&f.store, &f.conn, 900), created.asset_id);
}

#[test]
fn failures_back_off_or_need_attention_and_block_later_ops() {
    let f = fixture(ProviderKind::Halo);
    pull_all(&f.store, &f.conn, vec![remote(1, "A")]);
    let id = local_id(&f.store, &f.conn, 1);
    let op = f
        .store
        .update_asset(id, &patch(&[("notes", json!("x"))]), "ann")
        .unwrap()
        .client_op_id
        .unwrap();
    f.store.mark_in_flight(&op).unwrap();
    f.store
        .fail(
            &op,
            &Failure::Retryable {
                error: "HTTP 503".into(),
                retry_at: None,
            },
        )
        .unwrap();
    let o = f.store.op(&op).unwrap();
    assert_eq!(
        (o.state, o.attempts, o.last_error.as_deref()),
        (OpState::Pending, 1, Some("HTTP 503"))
    );
    let due = o.next_attempt_at.unwrap();
    assert!(
        f.store.next_runnable(due - 1, 10).unwrap().is_empty(),
        "waits for backoff"
    );
    assert_eq!(f.store.next_runnable(due, 10).unwrap().len(), 1);
    // A later edit is a new op (the first was tried already) and waits behind it.
    let op2 = f
        .store
        .update_asset(id, &patch(&[("model", json!("T14"))]), "ann")
        .unwrap()
        .client_op_id
        .unwrap();
    assert_ne!(op, op2);
    f.store.mark_in_flight(&op).unwrap();
    f.store
        .fail(
            &op,
            &Failure::Rejected {
                error: "400 name too long".into(),
            },
        )
        .unwrap();
    assert_eq!(f.store.asset(id).unwrap().sync_state, SyncState::Failed);
    assert!(
        f.store.next_runnable(i64::MAX, 10).unwrap().is_empty(),
        "failed op blocks its record"
    );
    f.store.retry(&op).unwrap();
    assert_eq!(
        f.store.next_runnable(i64::MAX, 10).unwrap()[0].client_op_id,
        op
    );
    // Discard the first; the row keeps only the second edit on top of the base.
    f.store.discard(&op, "ann").unwrap();
    let rec = f.store.asset(id).unwrap();
    assert_eq!(rec.asset.fields.notes, None);
    assert_eq!(rec.asset.fields.model.as_deref(), Some("T14"));
    assert_eq!(f.store.ops(Some(id), false).unwrap().len(), 1);
}

#[test]
fn conflicts_resolve_per_field() {
    let f = fixture(ProviderKind::Halo);
    pull_all(&f.store, &f.conn, vec![remote(1, "A")]);
    let id = local_id(&f.store, &f.conn, 1);
    let op = f
        .store
        .update_asset(
            id,
            &patch(&[("notes", json!("mine")), ("model", json!("M-mine"))]),
            "ann",
        )
        .unwrap()
        .client_op_id
        .unwrap();
    // A pull while the edit is queued: not overwritten, kept for the merge.
    let mut theirs = remote(1, "A-renamed");
    theirs.fields.notes = Some("theirs".into());
    theirs.fields.model = Some("M-theirs".into());
    let cp = f
        .store
        .begin_pull(&f.conn, PullMode::Incremental, 100, None)
        .unwrap();
    let out = f
        .store
        .apply_pulled_page(&PulledPage {
            run_id: cp.run_id,
            page_no: 1,
            assets: vec![theirs.clone()],
            remote_total: None,
            high_watermark: None,
        })
        .unwrap();
    assert_eq!(out.deferred, vec![id]);
    assert_eq!(
        f.store.asset(id).unwrap().asset.fields.notes.as_deref(),
        Some("mine")
    );
    assert_eq!(
        f.store.remote_pending(id).unwrap().unwrap().fields.name,
        "A-renamed"
    );
    f.store.mark_in_flight(&op).unwrap();
    let ids = f
        .store
        .record_conflict(
            &op,
            &theirs,
            &[
                ConflictField {
                    field: AssetField::Notes,
                    base: json!(null),
                    local: json!("mine"),
                    remote: json!("theirs"),
                },
                ConflictField {
                    field: AssetField::Model,
                    base: json!(null),
                    local: json!("M-mine"),
                    remote: json!("M-theirs"),
                },
            ],
        )
        .unwrap();
    let rec = f.store.asset(id).unwrap();
    assert_eq!(rec.sync_state, SyncState::Conflict);
    assert_eq!(
        rec.asset.fields.name, "A-renamed",
        "remote-only change taken in"
    );
    assert!(f.store.next_runnable(i64::MAX, 10).unwrap().is_empty());
    f.store
        .resolve_conflict(ids[0], &Resolution::TakeTheirs, "ann")
        .unwrap();
    assert!(
        f.store
            .resolve_conflict(ids[0], &Resolution::KeepMine, "ann")
            .is_err(),
        "once only"
    );
    f.store
        .resolve_conflict(ids[1], &Resolution::Edit(json!("M-both")), "ann")
        .unwrap();
    let rec = f.store.asset(id).unwrap();
    assert_eq!(rec.asset.fields.notes.as_deref(), Some("theirs"));
    assert_eq!(rec.asset.fields.model.as_deref(), Some("M-both"));
    let next = f.store.next_runnable(i64::MAX, 10).unwrap();
    assert_eq!(next.len(), 1);
    let OpPayload::Update { patch: p } = &next[0].payload else {
        panic!("update expected")
    };
    assert_eq!(p.len(), 1);
    assert_eq!(p[&AssetField::Model], json!("M-both"));
    assert!(f.store.conflicts(Some(id), true).unwrap().is_empty());
    assert_eq!(f.store.conflicts(Some(id), false).unwrap().len(), 2);
}

#[test]
fn queries_filter_sort_page_and_count() {
    let f = fixture(ProviderKind::Halo);
    let assets: Vec<RemoteAsset> = (1..=30)
        .map(|i| {
            let mut r = remote(i, &format!("Asset {i:02}"));
            r.fields.client_id = Some(1 + i % 3);
            r.fields.type_id = Some(if i % 2 == 0 { 10 } else { 11 });
            r.fields.inactive = i % 5 == 0;
            r.fields.warranty_end = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .and_then(|d| d.checked_add_days(chrono::Days::new(i as u64 * 10)));
            r.fields.mac = Some(format!("00:1A:2B:3C:4D:{i:02X}"));
            r
        })
        .collect();
    pull_all(&f.store, &f.conn, assets);
    let all = AssetFilter::default();
    assert_eq!(f.store.count_assets(&all).unwrap(), 30);
    // Keyset paging by name, 7 per page, visits every row once.
    let mut seen = Vec::new();
    let mut req = PageRequest {
        limit: 7,
        ..Default::default()
    };
    loop {
        let page = f.store.list_assets(&all, &req).unwrap();
        seen.extend(page.rows.iter().map(|r| r.name.clone()));
        match page.next {
            Some(c) => req.after = Some(c),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 30);
    let client1 = AssetFilter {
        clients: vec![LookupRef {
            connection_id: f.conn.clone(),
            remote_id: 1,
        }],
        active: Some(true),
        ..Default::default()
    };
    let n = f.store.count_assets(&client1).unwrap();
    assert_eq!(
        n,
        (1..=30).filter(|i| 1 + i % 3 == 1 && i % 5 != 0).count() as u64
    );
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let expired = AssetFilter {
        warranty: Some(WarrantyFilter::Expired { today }),
        ..Default::default()
    };
    assert_eq!(f.store.count_assets(&expired).unwrap(), 5);
    let soon = AssetFilter {
        warranty: Some(WarrantyFilter::ExpiresWithin { today, days: 30 }),
        ..Default::default()
    };
    assert_eq!(f.store.count_assets(&soon).unwrap(), 3);
    let desc = f
        .store
        .list_assets(
            &all,
            &PageRequest {
                sort: Sort {
                    key: SortKey::WarrantyEnd,
                    descending: true,
                },
                limit: 2,
                after: None,
            },
        )
        .unwrap();
    assert_eq!(desc.rows[0].name, "Asset 30");
    let facets = f.store.facets(&all).unwrap();
    assert_eq!(facets.clients.iter().map(|c| c.count).sum::<u64>(), 30);
    assert_eq!(facets.types.len(), 2);
    assert!(facets.clients.iter().all(|c| c.name.is_some()));
    // Substring on MAC without separators, and word prefix search.
    let mac = AssetFilter {
        contains: Some("4d1e".into()),
        ..Default::default()
    };
    let hits = f.store.list_assets(&mac, &PageRequest::default()).unwrap();
    assert_eq!(
        hits.rows
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Asset 30"]
    );
    let words = AssetFilter {
        search: Some("ass 2".into()),
        ..Default::default()
    };
    let by_id = PageRequest {
        sort: Sort {
            key: SortKey::Id,
            descending: false,
        },
        limit: 50,
        after: None,
    };
    // "2" prefixes the words 20–29, not "02": word-prefix semantics, not substring.
    assert_eq!(f.store.list_assets(&words, &by_id).unwrap().rows.len(), 10);
    let words = AssetFilter {
        search: Some("ass 0".into()),
        ..Default::default()
    };
    assert_eq!(f.store.list_assets(&words, &by_id).unwrap().rows.len(), 9);
    assert_eq!(
        f.store
            .list_assets(&words, &PageRequest::default())
            .unwrap()
            .rows
            .len(),
        9,
        "same hits in name order"
    );
    // FTS syntax in user text is inert.
    let weird = AssetFilter {
        search: Some("\"NEAR( *".into()),
        ..Default::default()
    };
    assert_eq!(f.store.list_assets(&weird, &by_id).unwrap().rows.len(), 0);
}

#[test]
fn keyset_paging_is_stable_under_concurrent_writes() {
    let f = fixture(ProviderKind::Halo);
    pull_all(
        &f.store,
        &f.conn,
        (1..=20).map(|i| remote(i, &format!("N{i:02}"))).collect(),
    );
    let all = AssetFilter::default();
    let first = f
        .store
        .list_assets(
            &all,
            &PageRequest {
                limit: 5,
                ..Default::default()
            },
        )
        .unwrap();
    // Meanwhile rows are inserted before and after the cursor, and one before it removed.
    f.store
        .create_asset(
            &NewAsset {
                connection_id: f.conn.clone(),
                fields: fields("N00"),
                parent_id: None,
            },
            "ann",
        )
        .unwrap();
    f.store
        .create_asset(
            &NewAsset {
                connection_id: f.conn.clone(),
                fields: fields("N10b"),
                parent_id: None,
            },
            "ann",
        )
        .unwrap();
    f.store.tombstone_remote(&f.conn, 2, "404").unwrap();
    let second = f
        .store
        .list_assets(
            &all,
            &PageRequest {
                limit: 5,
                after: first.next.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    let names: Vec<&str> = second.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["N06", "N07", "N08", "N09", "N10"]);
}

/// Segments of an FTS5 table, from its `%_idx` shadow table (one or more rows per segment).
fn fts_segments(path: &std::path::Path, table: &str) -> i64 {
    let db = rusqlite::Connection::open(path).expect("open");
    db.query_row(
        &format!("SELECT count(DISTINCT segid) FROM {table}_idx"),
        [],
        |r| r.get(0),
    )
    .expect("segments")
}

/// The search-index writes of a pulled batch are queued until its other statements ran
/// (rows.rs `IndexQueue`): a statement journal (here: children linked to parents that
/// arrive later, and foreign-key-checked row writes) used to make FTS5 flush one segment
/// per row. The rows are still searchable when the call returns, a row that appears twice
/// in the batch (pages overlap) is indexed with its last text only, and parents are linked.
#[test]
fn a_pulled_batch_writes_one_search_segment_per_index() {
    let f = fixture(ProviderKind::Halo);
    let path = f.dir.path().join("cache.db");
    let cp = f
        .store
        .begin_pull(&f.conn, PullMode::Incremental, 50, Some("id"))
        .unwrap();
    let asset = |id: i64| {
        let mut a = remote(id, &format!("Batch{id} quokka"));
        a.fields.serial = Some(format!("SN{id:05}ZZ"));
        // Every child comes before its parent (the next id): one link resolved per row.
        a.parent_remote_id = (id % 2 == 1).then_some(id + 1);
        a
    };
    let mut pages: Vec<PulledPage> = (0..4)
        .map(|p| PulledPage {
            run_id: cp.run_id,
            page_no: p + 1,
            assets: (1..=50).map(|i| asset(i64::from(p) * 50 + i)).collect(),
            remote_total: None,
            high_watermark: None,
        })
        .collect();
    // The overlap: asset 1 again on the last page, renamed at the remote meanwhile.
    let mut again = asset(1);
    again.fields.name = "Batch1 wombat".into();
    pages[3].assets.push(again);
    let out = f.store.apply_pulled_pages(&pages).unwrap();
    assert_eq!((out.inserted, out.updated), (200, 1));
    assert_eq!(out.parents_resolved, 100);
    assert_eq!(fts_segments(&path, "assets_fts"), 1);
    assert_eq!(fts_segments(&path, "assets_trigram"), 1);

    let search = |q: &str, contains: bool| {
        let filter = AssetFilter {
            search: (!contains).then(|| q.to_owned()),
            contains: contains.then(|| q.to_owned()),
            ..Default::default()
        };
        f.store.count_assets(&filter).unwrap()
    };
    assert_eq!(search("quokka", false), 199);
    assert_eq!(search("wombat", false), 1);
    assert_eq!(search("batch1", false), 1 + 10 + 100);
    assert_eq!(search("0123ZZ", true), 1);
    let host = local_id(&f.store, &f.conn, 2);
    assert_eq!(
        f.store
            .asset(local_id(&f.store, &f.conn, 1))
            .unwrap()
            .asset
            .parent_id,
        Some(host)
    );
    f.store.integrity_check().unwrap();
}

/// One incremental pull of a single page holding `assets`; the page's outcome.
fn pull_incremental(
    store: &Store,
    conn: &assetdesk_domain::ConnectionId,
    assets: Vec<RemoteAsset>,
) -> PageOutcome {
    let cp = store
        .begin_pull(conn, PullMode::Incremental, 100, None)
        .unwrap();
    let out = store
        .apply_pulled_page(&PulledPage {
            run_id: cp.run_id,
            page_no: 1,
            assets,
            remote_total: None,
            high_watermark: None,
        })
        .unwrap();
    store.complete_pull(cp.run_id, true).unwrap();
    out
}

/// Found by the outbox property test: a colleague who restores the exact state the provider had
/// before our push must not look "unchanged" to the next pull. Our push was acknowledged
/// without the provider's echo, so the stored content hash still named the pre-push state and
/// the pull skipped the revert: the cache kept our value while the provider had theirs.
#[test]
fn a_remote_revert_after_an_ack_without_echo_reaches_the_row() {
    let f = fixture(ProviderKind::Halo);
    let before = remote(1, "Host");
    pull_all(&f.store, &f.conn, vec![before.clone()]);
    let id = local_id(&f.store, &f.conn, 1);

    f.store
        .update_asset(id, &patch(&[("notes", json!("ours"))]), "tech")
        .unwrap();
    let op = f.store.next_runnable(i64::MAX, 1).unwrap().remove(0);
    f.store.mark_in_flight(&op.client_op_id).unwrap();
    f.store
        .ack(&op.client_op_id, &Ack { remote: None })
        .unwrap();
    let acked = f.store.asset(id).unwrap();
    assert_eq!(acked.sync_state, SyncState::Synced);
    assert_eq!(acked.asset.fields.notes.as_deref(), Some("ours"));

    // The colleague puts the old notes back: byte for byte the state first pulled.
    pull_incremental(&f.store, &f.conn, vec![before.clone()]);
    let row = f.store.asset(id).unwrap();
    assert_eq!(
        row.asset.fields, before.fields,
        "the provider's state must reach the cache"
    );
    assert_eq!(row.sync_state, SyncState::Synced);

    // And once written, the same state again is recognised as unchanged (no churn).
    let out = pull_incremental(&f.store, &f.conn, vec![before]);
    assert_eq!(out.unchanged, 1);
}

/// A search-only count comes from the word index alone, so that index must hold live assets
/// only: a local delete, a tombstone after missed full pulls, and a comeback all show in it,
/// and the fast count always equals the count the rows give.
#[test]
fn a_search_count_follows_deletes_and_comebacks() {
    let f = fixture(ProviderKind::Halo);
    let all: Vec<RemoteAsset> = (1..=4)
        .map(|i| remote(i, &format!("Gateway {i}")))
        .collect();
    pull_all(&f.store, &f.conn, all.clone());
    let search = AssetFilter {
        search: Some("gate".into()),
        ..AssetFilter::default()
    };
    // The same search with a filter that keeps everything takes the joined path.
    let joined = AssetFilter {
        connections: vec![f.conn.clone()],
        ..search.clone()
    };
    let counts = |store: &Store| {
        (
            store.count_assets(&search).unwrap(),
            store.count_assets(&joined).unwrap(),
        )
    };
    assert_eq!(counts(&f.store), (4, 4));

    f.store
        .delete_asset(local_id(&f.store, &f.conn, 1), "tech")
        .unwrap();
    assert_eq!(counts(&f.store), (3, 3), "a local delete");

    // Asset 2 is missing from two full pulls: tombstoned.
    let without_2: Vec<RemoteAsset> = all.iter().filter(|r| r.remote_id != 2).cloned().collect();
    pull_all(&f.store, &f.conn, without_2.clone());
    pull_all(&f.store, &f.conn, without_2);
    assert_eq!(counts(&f.store), (2, 2), "a tombstone");

    // It comes back.
    pull_all(&f.store, &f.conn, all);
    assert_eq!(counts(&f.store), (3, 3), "a comeback");
}

/// A search that matches a large share of the cache, sorted by name, walks the name index
/// instead of sorting every match (query.rs `dense_search`). Its pages must be those of any
/// other plan: every live match once, in name order both ways, deleted assets left out.
#[test]
fn a_dense_search_pages_by_name_in_order_both_ways() {
    let f = fixture(ProviderKind::Halo);
    // Half the assets are servers, interleaved in name order with the others.
    let all: Vec<RemoteAsset> = (1..=40)
        .map(|i| {
            let kind = if i % 2 == 0 { "SRV" } else { "PC" };
            remote(i, &format!("{:02} {kind}", 41 - i))
        })
        .collect();
    pull_all(&f.store, &f.conn, all);
    f.store
        .delete_asset(local_id(&f.store, &f.conn, 4), "tech")
        .unwrap();
    f.store.tombstone_remote(&f.conn, 6, "404").unwrap();
    let search = AssetFilter {
        search: Some("srv".into()),
        ..AssetFilter::default()
    };
    let mut expected: Vec<String> = (1..=40)
        .filter(|i| i % 2 == 0 && *i != 4 && *i != 6)
        .map(|i| format!("{:02} SRV", 41 - i))
        .collect();
    expected.sort();
    assert_eq!(f.store.count_assets(&search).unwrap(), 18);
    for descending in [false, true] {
        let seen = page_all(&f.store, &search, SortKey::Name, descending);
        let mut want = expected.clone();
        if descending {
            want.reverse();
        }
        assert_eq!(seen, want, "descending: {descending}");
    }
}

/// A page's ids are picked first and its rows joined after (query.rs `list_in`): the order
/// must survive that step, names without regard to case and lookups by their names.
fn page_all(store: &Store, filter: &AssetFilter, key: SortKey, descending: bool) -> Vec<String> {
    let mut req = PageRequest {
        sort: Sort { key, descending },
        limit: 2,
        after: None,
    };
    let mut seen = Vec::new();
    loop {
        let page = store.list_assets(filter, &req).unwrap();
        seen.extend(page.rows.iter().map(|r| r.name.clone()));
        match page.next {
            Some(c) => req.after = Some(c),
            None => return seen,
        }
    }
}

#[test]
fn pages_keep_their_order_across_cases_and_lookup_names() {
    let f = fixture(ProviderKind::Halo);
    let names = ["banana", "Apple", "cherry", "Date", "apricot", "Blueberry"];
    let assets: Vec<RemoteAsset> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut r = remote(i as i64 + 1, name);
            // Clients 3, 2, 1, 3, 2, 1: "Client 1" holds cherry and Blueberry.
            r.fields.client_id = Some(3 - (i as i64 % 3));
            r
        })
        .collect();
    pull_all(&f.store, &f.conn, assets);
    let all = AssetFilter::default();
    assert_eq!(
        page_all(&f.store, &all, SortKey::Name, false),
        ["Apple", "apricot", "banana", "Blueberry", "cherry", "Date"]
    );
    assert_eq!(
        page_all(&f.store, &all, SortKey::Name, true),
        ["Date", "cherry", "Blueberry", "banana", "apricot", "Apple"]
    );
    // By client name, then by id (creation order) within a client.
    assert_eq!(
        page_all(&f.store, &all, SortKey::Client, false),
        ["cherry", "Blueberry", "Apple", "apricot", "banana", "Date"]
    );
    let a_words = AssetFilter {
        search: Some("a".into()),
        ..AssetFilter::default()
    };
    assert_eq!(
        page_all(&f.store, &a_words, SortKey::Name, false),
        ["Apple", "apricot"]
    );
}

/// HaloPSA types may allow only some statuses (`allowed_status`): the cache keeps the list
/// through a lookups round trip, and an edit that sets a refused status, or moves the asset to
/// a type that refuses its status, fails offline with the status named. An asset pulled with
/// such a status can still be edited in other fields.
#[test]
fn a_status_the_type_refuses_is_caught_offline() {
    let f = fixture(ProviderKind::Halo);
    let mut l = f.store.lookups(&f.conn).unwrap();
    l.statuses.push(AssetStatus {
        connection_id: f.conn.clone(),
        remote_id: 2,
        name: "In stock".into(),
        retired: false,
    });
    // Servers are never "In stock"; laptops take any status.
    let server = l.types.iter_mut().find(|t| t.name == "Server").unwrap();
    server.allowed_statuses = Some(vec![1]);
    f.store.replace_lookups(&f.conn, &l).unwrap();
    let types = f.store.lookups(&f.conn).unwrap().types;
    assert_eq!(
        types
            .iter()
            .map(|t| t.allowed_statuses.clone())
            .collect::<Vec<_>>(),
        [None, Some(vec![1])],
        "Laptop, Server"
    );

    let in_stock_server = AssetFields {
        type_id: Some(11),
        status_id: Some(2),
        ..fields("SRV-1")
    };
    let err = f
        .store
        .create_asset(
            &NewAsset {
                connection_id: f.conn.clone(),
                fields: in_stock_server.clone(),
                parent_id: None,
            },
            "tech",
        )
        .unwrap_err();
    let StoreError::Invalid(report) = err else {
        panic!("a validation error expected, got {err}")
    };
    assert_eq!(report.findings.len(), 1, "{report:?}");
    assert_eq!(report.findings[0].field, "status_id");
    assert!(
        report.findings[0]
            .message
            .contains("In stock is not a status Server assets can have: choose one of Active"),
        "{}",
        report.findings[0].message
    );

    // Pulled that way (the provider's own data), its other fields still edit.
    let mut pulled = remote(1, "SRV-1");
    pulled.fields = in_stock_server;
    pull_all(&f.store, &f.conn, vec![pulled]);
    let id = local_id(&f.store, &f.conn, 1);
    f.store
        .update_asset(id, &patch(&[("notes", json!("rack 4"))]), "tech")
        .unwrap();

    // An in-stock laptop may not become a server.
    let mut laptop = remote(2, "LAP-1");
    laptop.fields.type_id = Some(10);
    laptop.fields.status_id = Some(2);
    pull_all(
        &f.store,
        &f.conn,
        vec![
            {
                let mut r = remote(1, "SRV-1");
                r.fields.type_id = Some(11);
                r.fields.status_id = Some(2);
                r
            },
            laptop,
        ],
    );
    let lap = local_id(&f.store, &f.conn, 2);
    let err = f
        .store
        .update_asset(lap, &patch(&[("type_id", json!(11))]), "tech")
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(r) if r.findings.iter().any(|x| x.field == "status_id")),
        "{err}"
    );
    // With an allowed status in the same edit, it may.
    f.store
        .update_asset(
            lap,
            &patch(&[("type_id", json!(11)), ("status_id", json!(1))]),
            "tech",
        )
        .unwrap();
}
