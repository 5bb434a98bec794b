//! The app's façade (`Session`) against a Syncro sandbox: connections with status, sync now
//! with events, schedules persisted in the data folder, the outbox (retry, discard) and the
//! conflict resolver.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use assetdesk_domain::{AssetField, ConnectionId, Patch, ProviderKind};
use assetdesk_sandbox::syncro::{SyncroConfig, start};
use assetdesk_store::{AssetFilter, PageRequest};
use assetdesk_sync::connections::ConnectionSettings;
use assetdesk_sync::queue::{ConflictChoice, QueuedState};
use assetdesk_sync::secrets::{Secret, SecretStore};
use assetdesk_sync::{
    EventSink, Reachability, Session, SessionEvent, SessionOptions, SyncPhase, Workspace,
};
use serde_json::json;

type Events = Arc<Mutex<Vec<SessionEvent>>>;

fn collector() -> (Events, EventSink) {
    let events: Events = Arc::default();
    let sink_events = events.clone();
    let sink: EventSink = Arc::new(move |e| sink_events.lock().unwrap().push(e));
    (events, sink)
}

async fn open(dir: &std::path::Path, secrets: &SecretStore) -> (Arc<Session>, Events) {
    let ws = Arc::new(Workspace::open(dir).unwrap());
    let (events, sink) = collector();
    let options = SessionOptions {
        secrets: secrets.clone(),
        auto_demo: false,
    };
    (Session::start(ws, options, sink).await.unwrap(), events)
}

fn syncro(name: &str, url: &str) -> ConnectionSettings {
    ConnectionSettings {
        kind: ProviderKind::Syncro,
        name: name.into(),
        url: url.into(),
        auth_url: None,
        tenant: None,
        client_id: None,
    }
}

async fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_sync_schedule_outbox_and_conflicts() {
    let server = start(SyncroConfig {
        rate_limit: None,
        ..SyncroConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore::memory();
    let (session, events) = open(dir.path(), &secrets).await;
    assert!(session.connections().unwrap().is_empty());
    assert!(
        !session.demo_status().await.unwrap().active,
        "no demo unless asked"
    );

    // Add: the background schedule starts and syncs at once; turn it off to drive syncs
    // by hand (the first sync may already be running: wait for it).
    let view = session
        .add_connection(
            &syncro("Acme", server.api_base()),
            &Secret::new(server.token()),
        )
        .unwrap();
    assert_eq!(view.status.schedule_minutes, Some(15));
    let id = ConnectionId(view.id.clone());
    session.set_schedule(&id, None).unwrap();
    wait_until("the first sync", || {
        let s = &session.sync_statuses().unwrap()[0];
        !s.running && s.last_sync_at.is_some()
    })
    .await;
    let out = session.sync_now(Some(&id)).await.unwrap();
    let report = out[0].report.as_ref().expect("a report");
    assert!(report.error.is_none(), "{report:?}");
    let listed = session.connections().unwrap();
    assert_eq!(listed[0].cached_assets, 40);
    assert_eq!(listed[0].status.reachability, Reachability::Online);

    // Events: progress with a terminal phase, status changes, and data changes up to the
    // feed's last entry (the UI's last refetch must see the whole sync).
    let latest = session.workspace().store().latest_change_seq().unwrap();
    wait_until("a data-changed event covering the sync", || {
        events.lock().unwrap().iter().any(|e| {
            matches!(e, SessionEvent::DataChanged(d)
                if d.seq >= latest && !d.entities.is_empty())
        })
    })
    .await;
    {
        let seen = events.lock().unwrap();
        assert!(
            seen.iter()
                .any(|e| matches!(e, SessionEvent::Progress(p) if p.phase == SyncPhase::Done))
        );
        assert!(
            seen.iter()
                .any(|e| matches!(e, SessionEvent::Status(s) if s.running))
        );
        assert!(seen.iter().any(|e| matches!(e, SessionEvent::Status(s)
            if !s.running && s.reachability == Reachability::Online)));
    }

    // Schedules: validated, saved in the data folder, read again by the next session.
    let err = session.set_schedule(&id, Some(0)).unwrap_err();
    assert!(err.to_string().contains("minutes"), "{err}");
    assert_eq!(
        session
            .set_schedule(&id, Some(60))
            .unwrap()
            .schedule_minutes,
        Some(60)
    );
    session.set_schedule(&id, None).unwrap();
    // A new schedule syncs at once; let that sync finish before driving syncs by hand.
    wait_until("the rescheduled sync", || {
        !session.sync_statuses().unwrap()[0].running
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    wait_until("the rescheduled sync", || {
        !session.sync_statuses().unwrap()[0].running
    })
    .await;
    let saved =
        std::fs::read_to_string(dir.path().join(assetdesk_sync::session::SETTINGS_FILE)).unwrap();
    assert!(saved.contains(&view.id), "{saved}");

    // A local edit and a remote edit of the same field: the sync records a conflict.
    let ws = session.workspace();
    let filter = AssetFilter {
        connections: vec![id.clone()],
        ..AssetFilter::default()
    };
    let rows = ws
        .store()
        .list_assets(&filter, &PageRequest::default())
        .unwrap()
        .rows;
    let (a, b) = (&rows[0], &rows[1]);
    let patch = |v: &str| -> Patch { [(AssetField::Serial, json!(v))].into_iter().collect() };
    ws.store()
        .update_asset(a.id, &patch("MINE-1"), "test")
        .unwrap();
    ws.store()
        .update_asset(b.id, &patch("MINE-2"), "test")
        .unwrap();
    assert!(
        server
            .handle()
            .remote_edit(a.remote_id.unwrap(), "asset_serial", json!("THEIRS-1"))
    );
    let queued = session.queued_edits(false).unwrap();
    assert_eq!(queued.len(), 2);
    assert!(queued.iter().all(|q| q.state == QueuedState::Pending
        && q.fields == ["serial"]
        && q.connection_name == "Acme"
        && q.can_discard));

    // Discard one edit before it is sent.
    let b_op = queued.iter().find(|q| q.asset_id == b.id.0).unwrap();
    session.discard_edit(&b_op.client_op_id).unwrap();
    assert!(session.retry_edit(&b_op.client_op_id).is_err(), "gone");

    let out = session.sync_now(None).await.unwrap();
    assert_eq!(out[0].report.as_ref().unwrap().push.conflicts, 1, "{out:?}");
    let conflicts = session.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(
        (
            c.field.as_str(),
            c.label.as_str(),
            c.local_text.as_str(),
            c.remote_text.as_str()
        ),
        ("serial", "Serial number", "MINE-1", "THEIRS-1")
    );
    assert_eq!(c.asset_name, a.name);
    assert_eq!(session.queue_counts().unwrap().conflicts, 1);

    // A value of the wrong shape is refused, naming the field; then edit with a value.
    let wrong = session
        .resolve_conflict(c.id, &ConflictChoice::Edit { value: json!(42) })
        .unwrap_err();
    assert!(wrong.to_string().contains("serial"), "{wrong}");
    session
        .resolve_conflict(
            c.id,
            &ConflictChoice::Edit {
                value: json!("AGREED"),
            },
        )
        .unwrap();
    assert!(session.conflicts().unwrap().is_empty());
    let out = session.sync_now(Some(&id)).await.unwrap();
    assert_eq!(out[0].report.as_ref().unwrap().push.acked, 1);
    assert_eq!(
        server.handle().asset_json(a.remote_id.unwrap()).unwrap()["asset_serial"],
        "AGREED"
    );
    assert_eq!(session.queue_counts().unwrap().queued, 0);

    // Offline: the status says so and edits stay queued.
    let url = server.api_base().to_owned();
    server.shutdown().await;
    ws.store()
        .update_asset(a.id, &patch("LATER"), "test")
        .unwrap();
    let out = session.sync_now(Some(&id)).await.unwrap();
    assert!(out[0].report.as_ref().unwrap().error.is_some());
    let status = &session.sync_statuses().unwrap()[0];
    assert_eq!(status.reachability, Reachability::Offline, "{status:?}");
    assert_eq!(session.queue_counts().unwrap().queued, 1);

    // A new session on the same folder keeps the schedule and the connection; removing
    // it refuses while an edit is queued, unless forced.
    drop(session);
    let (again, _) = open(dir.path(), &secrets).await;
    let listed = again.connections().unwrap();
    assert_eq!((listed.len(), listed[0].status.schedule_minutes), (1, None));
    assert_eq!(listed[0].base_url, format!("{url}/"));
    assert!(again.remove_connection(&id, false).is_err());
    let removed = again.remove_connection(&id, true).unwrap();
    assert_eq!(removed.discarded_ops, 1);
    assert!(again.connections().unwrap().is_empty());
}

#[tokio::test]
async fn a_missing_secret_is_a_status_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore::memory();
    let (session, _) = open(dir.path(), &secrets).await;
    // A loopback port nothing listens on: the schedule's first sync fails fast, offline.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let view = session
        .add_connection(
            &syncro("Acme", &format!("http://127.0.0.1:{port}")),
            &Secret::new("t"),
        )
        .unwrap();
    let id = ConnectionId(view.id);
    secrets.delete(&format!("connection-{}", id.0)).unwrap();
    let out = session.sync_now(Some(&id)).await.unwrap();
    let err = out[0].error.as_deref().expect("no sync without a secret");
    assert!(err.contains("Settings"), "{err}");
    let status = &session.sync_statuses().unwrap()[0];
    assert_eq!(status.reachability, Reachability::Error);
    assert!(session.cancel_sync(None).unwrap() == 0);
    let unknown = session
        .sync_now(Some(&ConnectionId("nope".into())))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), assetdesk_sync::ErrorCode::NotFound);
}
