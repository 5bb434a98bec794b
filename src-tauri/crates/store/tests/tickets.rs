//! Tickets about an asset: the queue (offline creates, states, journal) and the per-asset
//! ticket cache.

mod common;

use assetdesk_domain::{AssetId, ConnectionId, ProviderKind, Ticket};
use assetdesk_store::{
    AssetTickets, MAX_TICKET_SUMMARY, NewAsset, Store, StoreError, TicketQueueState,
};
use chrono::{TimeZone, Utc};
use common::{fields, fixture, pull_all, remote};

fn ticket(conn: &ConnectionId, id: i64, summary: &str, day: u32) -> Ticket {
    Ticket {
        connection_id: conn.clone(),
        remote_id: id,
        summary: summary.into(),
        status: Some("New".into()),
        opened_at: Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).single(),
    }
}

fn pulled_asset(store: &Store, conn: &ConnectionId) -> AssetId {
    pull_all(store, conn, vec![remote(501, "LAPTOP-1")]);
    store
        .asset_by_remote(conn, 501)
        .unwrap()
        .expect("pulled asset is cached")
        .asset
        .id
}

#[test]
fn a_queued_ticket_is_listed_journaled_and_survives_reopen() {
    let f = fixture(ProviderKind::Halo);
    let asset = pulled_asset(&f.store, &f.conn);
    let q = f
        .store
        .queue_ticket(asset, "  Screen flickers  ", "Since the update", "ann")
        .unwrap();
    assert_eq!(q.state, TicketQueueState::Pending);
    assert_eq!(q.summary, "Screen flickers", "summary is trimmed");
    assert_eq!((q.attempts, q.remote_ticket_id), (0, None));
    assert_eq!(q.connection_id, f.conn);

    let journal = f.store.journal(asset).unwrap();
    let line = journal
        .iter()
        .find(|j| j.action == "ticket_queued")
        .expect("journal line");
    assert_eq!(line.client_op_id.as_deref(), Some(q.client_op_id.as_str()));
    assert!(!line.synced);

    let path = f.store.path().to_path_buf();
    drop(f.store);
    let store = Store::open(&path).unwrap();
    let listed = store.asset_tickets(asset).unwrap();
    assert_eq!(listed.queued, vec![q.clone()]);
    assert!(listed.tickets.is_empty());
    assert_eq!(store.open_ticket_creates(&f.conn).unwrap(), vec![q]);
}

#[test]
fn a_blank_or_huge_summary_or_unknown_asset_is_refused() {
    let f = fixture(ProviderKind::Syncro);
    let asset = pulled_asset(&f.store, &f.conn);
    let err = f.store.queue_ticket(asset, "   ", "x", "ann").unwrap_err();
    assert!(err.to_string().starts_with("summary:"), "{err}");
    let long = "x".repeat(MAX_TICKET_SUMMARY + 1);
    let err = f.store.queue_ticket(asset, &long, "", "ann").unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
    let err = f
        .store
        .queue_ticket(AssetId(9_999), "Broken", "", "ann")
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownAsset(AssetId(9_999))),
        "{err}"
    );
    assert_eq!(
        f.store.asset_tickets(asset).unwrap(),
        AssetTickets::default()
    );
}

#[test]
fn states_move_in_flight_then_done_or_failed_and_back() {
    let f = fixture(ProviderKind::Halo);
    let asset = pulled_asset(&f.store, &f.conn);
    let a = f.store.queue_ticket(asset, "First", "", "ann").unwrap();
    let b = f.store.queue_ticket(asset, "Second", "", "ann").unwrap();
    let open = f.store.open_ticket_creates(&f.conn).unwrap();
    assert_eq!(
        open.iter().map(|q| q.summary.as_str()).collect::<Vec<_>>(),
        ["First", "Second"],
        "oldest first"
    );

    let a1 = f.store.mark_ticket_in_flight(&a.client_op_id).unwrap();
    assert_eq!((a1.state, a1.attempts), (TicketQueueState::InFlight, 1));
    let done = f
        .store
        .mark_ticket_done(&a.client_op_id, &ticket(&f.conn, 7100, "First", 3))
        .unwrap();
    assert_eq!(done.state, TicketQueueState::Done);
    assert_eq!(done.remote_ticket_id, Some(7100));
    // Done is final.
    assert!(matches!(
        f.store.mark_ticket_in_flight(&a.client_op_id),
        Err(StoreError::InvalidState(_))
    ));
    assert_eq!(f.store.adopted_ticket_ids(asset).unwrap(), vec![7100]);

    f.store.mark_ticket_in_flight(&b.client_op_id).unwrap();
    let retry = f
        .store
        .mark_ticket_failed(&b.client_op_id, "offline", true)
        .unwrap();
    assert_eq!(retry.state, TicketQueueState::Pending);
    assert_eq!(retry.last_error.as_deref(), Some("offline"));
    let failed = f
        .store
        .mark_ticket_failed(&b.client_op_id, "summary: too long", false)
        .unwrap();
    assert_eq!(failed.state, TicketQueueState::Failed);
    assert!(f.store.open_ticket_creates(&f.conn).unwrap().is_empty());
    assert!(matches!(
        f.store.retry_ticket(&a.client_op_id),
        Err(StoreError::InvalidState(_))
    ));
    assert_eq!(
        f.store.retry_ticket(&b.client_op_id).unwrap().state,
        TicketQueueState::Pending
    );

    // The done create is in the cache and no longer among the queued ones.
    let listed = f.store.asset_tickets(asset).unwrap();
    assert_eq!(
        listed
            .tickets
            .iter()
            .map(|t| t.remote_id)
            .collect::<Vec<_>>(),
        [7100]
    );
    assert_eq!(
        listed
            .queued
            .iter()
            .map(|q| q.summary.as_str())
            .collect::<Vec<_>>(),
        ["Second"]
    );
    let journal = f.store.journal(asset).unwrap();
    let created = journal
        .iter()
        .find(|j| j.action == "ticket_created")
        .expect("journal line for the created ticket");
    assert!(created.synced);
    assert!(matches!(
        f.store.mark_ticket_in_flight("no-such-op"),
        Err(StoreError::UnknownOp(_))
    ));
}

#[test]
fn replace_swaps_an_assets_cached_tickets_only() {
    let f = fixture(ProviderKind::Halo);
    pull_all(
        &f.store,
        &f.conn,
        vec![remote(501, "LAPTOP-1"), remote(502, "LAPTOP-2")],
    );
    let one = f
        .store
        .asset_by_remote(&f.conn, 501)
        .unwrap()
        .unwrap()
        .asset
        .id;
    let two = f
        .store
        .asset_by_remote(&f.conn, 502)
        .unwrap()
        .unwrap()
        .asset
        .id;
    f.store
        .replace_asset_tickets(
            one,
            &[ticket(&f.conn, 1, "old", 1), ticket(&f.conn, 2, "newer", 5)],
        )
        .unwrap();
    f.store
        .replace_asset_tickets(two, &[ticket(&f.conn, 3, "other", 2)])
        .unwrap();
    let listed = f.store.asset_tickets(one).unwrap();
    assert_eq!(
        listed
            .tickets
            .iter()
            .map(|t| t.remote_id)
            .collect::<Vec<_>>(),
        [2, 1],
        "newest first"
    );
    assert_eq!(
        listed.tickets[0].opened_at,
        Utc.with_ymd_and_hms(2026, 11, 5, 9, 0, 0).single()
    );

    f.store
        .replace_asset_tickets(one, &[ticket(&f.conn, 4, "fresh", 6)])
        .unwrap();
    let listed = f.store.asset_tickets(one).unwrap();
    assert_eq!(
        listed
            .tickets
            .iter()
            .map(|t| t.summary.as_str())
            .collect::<Vec<_>>(),
        ["fresh"]
    );
    assert_eq!(f.store.asset_tickets(two).unwrap().tickets.len(), 1);
}

#[test]
fn a_local_asset_not_yet_created_remotely_can_have_a_queued_ticket() {
    let f = fixture(ProviderKind::Syncro);
    let out = f
        .store
        .create_asset(
            &NewAsset {
                connection_id: f.conn.clone(),
                fields: fields("NEW-PC"),
                parent_id: None,
            },
            "ann",
        )
        .unwrap();
    let q = f
        .store
        .queue_ticket(out.asset_id, "Set up", "", "ann")
        .unwrap();
    assert_eq!(q.asset_id, out.asset_id);
    assert_eq!(f.store.open_ticket_creates(&f.conn).unwrap().len(), 1);
}

#[test]
fn a_v3_cache_keeps_its_tickets_and_queue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(include_str!("fixtures/schema_v3.sql"))
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let host = store.asset_tickets(AssetId(1)).unwrap();
    assert_eq!(host.tickets.len(), 1);
    assert_eq!(host.tickets[0].summary, "Fan noise");
    let vm = store.asset_tickets(AssetId(2)).unwrap();
    assert_eq!(vm.queued.len(), 1);
    assert_eq!(vm.queued[0].state, TicketQueueState::Pending);
    let conn = ConnectionId("c-halo".into());
    let op = &store.open_ticket_creates(&conn).unwrap()[0];
    let sent = store.mark_ticket_in_flight(&op.client_op_id).unwrap();
    assert_eq!(sent.attempts, 1);
}
