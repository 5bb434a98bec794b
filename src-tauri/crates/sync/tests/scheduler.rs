//! Scheduling through the `Workspace` façade: progress events, one sync per connection,
//! cancel, offline detection with edits kept queued, periodic sync.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use assetdesk_domain::{AssetField, Patch};
use assetdesk_sync::{ErrorCode, Remote, SyncOptions, SyncPhase, SyncProgress, Workspace};
use common::*;
use serde_json::json;

fn workspace(dir: &std::path::Path) -> Workspace {
    drop(open_store(dir)); // creates the cache with the connection row
    Workspace::open(dir).expect("workspace")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_busy_cancel_offline_and_periodic() {
    let server = start_sandbox(3, 12).await;
    let remote = Arc::new(Remote::Syncro(Arc::new(client(
        server.api_base(),
        server.token(),
        2,
    ))));
    let dir = temp_dir();
    let ws = Arc::new(workspace(dir.path()));

    // Progress: typed events, a terminal Done last, rows counted.
    let events: Arc<Mutex<Vec<SyncProgress>>> = Arc::default();
    let sink_events = events.clone();
    let sink: assetdesk_sync::ProgressSink =
        Arc::new(move |e: &SyncProgress| sink_events.lock().expect("lock").push(e.clone()));
    let report = ws
        .sync_now(
            &conn(),
            remote.as_ref(),
            &SyncOptions::default(),
            Some(sink),
        )
        .await
        .expect("not busy");
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(report.pull.inserted, 12);
    let got = events.lock().expect("lock").clone();
    let last = got.last().expect("events");
    assert_eq!(last.phase, SyncPhase::Done);
    assert_eq!(last.rows, 12);
    assert!(
        got.len() <= 3,
        "a fast sync is throttled to few events: {}",
        got.len()
    );

    // One sync per connection at a time; cancel stops the running one.
    server
        .handle()
        .update_config(|c| c.faults.latency = Duration::from_millis(150));
    let (ws2, remote2) = (ws.clone(), remote.clone());
    let running = tokio::spawn(async move {
        ws2.sync_now(&conn(), remote2.as_ref(), &SyncOptions::default(), None)
            .await
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(ws.sync_state(&conn()).running);
    let busy = ws
        .sync_now(&conn(), remote.as_ref(), &SyncOptions::default(), None)
        .await;
    assert_eq!(
        busy.expect_err("second sync refused").code(),
        ErrorCode::Busy
    );
    assert!(ws.cancel_sync(&conn()));
    let cancelled = running.await.expect("task").expect("ran");
    assert_eq!(cancelled.error.expect("stopped").code, ErrorCode::Cancelled);
    assert!(!ws.sync_state(&conn()).running);
    server
        .handle()
        .update_config(|c| c.faults.latency = Duration::ZERO);

    // Offline: nothing listens; the edit stays queued and the state says offline.
    let id = ws
        .store()
        .asset_by_remote(&conn(), server.handle().asset_ids()[0])
        .expect("read")
        .expect("cached")
        .asset
        .id;
    let p: Patch = [(AssetField::AssetTag, json!("OFFLINE-1"))]
        .into_iter()
        .collect();
    ws.store().update_asset(id, &p, "t").expect("edit");
    let dead = Remote::Syncro(Arc::new(client(
        "http://127.0.0.1:9/api/v1",
        server.token(),
        2,
    )));
    let r = ws
        .sync_now(&conn(), &dead, &SyncOptions::default(), None)
        .await
        .expect("not busy");
    assert_eq!(r.error.expect("offline").code, ErrorCode::Offline);
    assert!(ws.sync_state(&conn()).offline);
    assert_eq!(
        open_ops(ws.store()).len(),
        1,
        "the edit stays queued while offline"
    );

    // Periodic: the schedule pushes the queued edit once the provider is back.
    let handle = ws.start_periodic(conn(), remote.clone(), Duration::from_millis(100), None);
    let started = std::time::Instant::now();
    while !open_ops(ws.store()).is_empty() || ws.sync_state(&conn()).offline {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "periodic sync never drained the outbox"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    handle.stop().await;
    let remote_now = server
        .handle()
        .asset_json(server.handle().asset_ids()[0])
        .expect("asset");
    assert_eq!(remote_now["properties"]["Asset Tag"], json!("OFFLINE-1"));
    server.shutdown().await;
}
