//! A full run of the demo workspace as a newcomer would do it — open, first sync, edit, go
//! offline, a remote change of the same field, go online, conflict, resolve, restart, remove —
//! and then the demo's credentials must appear in neither the data folder's files nor the
//! log (DESIGN.md invariant 5), and a restart must change nothing (no spurious deletes,
//! duplicates or conflicts).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assetdesk_domain::{AssetField, ConnectionId, Patch, ProviderKind};
use assetdesk_sandbox::halo::HaloConfig;
use assetdesk_sandbox::syncro::{SyncroConfig, SyncroHandle};
use assetdesk_store::{AssetFilter, PageRequest};
use assetdesk_sync::queue::ConflictChoice;
use assetdesk_sync::secrets::SecretStore;
use assetdesk_sync::{EventSink, Reachability, Session, SessionEvent, SessionOptions, Workspace};
use serde_json::json;

/// A log writer shared by the global subscriber and the test that reads the file back.
#[derive(Clone)]
struct LogFile(Arc<Mutex<std::fs::File>>);

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

fn log_to(path: &Path) {
    let file = LogFile(Arc::new(Mutex::new(std::fs::File::create(path).unwrap())));
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .with_writer(move || file.clone())
        .with_ansi(false)
        .init();
}

/// Counts finished syncs (terminal progress events), to wait for the ones the session starts
/// by itself.
type Finished = Arc<AtomicUsize>;

async fn open(dir: &Path, keychain: &SecretStore) -> (Arc<Session>, Finished) {
    let ws = Arc::new(Workspace::open(dir).unwrap());
    let finished: Finished = Arc::default();
    let counter = finished.clone();
    let sink: EventSink = Arc::new(move |e| {
        if matches!(e, SessionEvent::Progress(p) if p.phase.is_terminal()) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let options = SessionOptions {
        secrets: keychain.clone(),
        auto_demo: true,
    };
    (Session::start(ws, options, sink).await.unwrap(), finished)
}

/// Waits until `syncs` syncs have finished in all and none runs, and `extra` holds.
async fn wait_idle(
    session: &Session,
    finished: &Finished,
    syncs: usize,
    what: &str,
    extra: impl Fn(&Session) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let statuses = session.sync_statuses().unwrap();
        if finished.load(Ordering::SeqCst) >= syncs
            && statuses.iter().all(|s| !s.running)
            && extra(session)
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn assert_no_secret_in(files: &[PathBuf], secrets: &[&str]) {
    assert!(!files.is_empty());
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        for s in secrets {
            let found = bytes.windows(s.len()).any(|w| w == s.as_bytes());
            assert!(!found, "a demo credential is in {}", f.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_demo_run_leaks_no_secret_and_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let log = tmp.path().join("assetdesk.log");
    log_to(&log);
    let halo_secret = HaloConfig::demo().client_secret;
    let syncro_token = SyncroHandle::new(SyncroConfig::demo()).token().to_owned();
    let secrets = [halo_secret.as_str(), syncro_token.as_str()];
    // Stands in for the OS keychain: the demo must never write to it.
    let keychain = SecretStore::memory();

    // Open: the demo starts, adds its two connections and syncs both.
    let (session, finished) = open(&data, &keychain).await;
    wait_idle(&session, &finished, 2, "the first demo syncs", |_| true).await;
    let conns = session.connections().unwrap();
    assert_eq!(conns.len(), 2);
    assert!(
        conns.iter().all(|c| c.demo && c.cached_assets == 640),
        "{conns:?}"
    );
    assert!(
        conns
            .iter()
            .all(|c| c.status.reachability == Reachability::Online)
    );
    let status = session.demo_status().await.unwrap();
    assert!(status.active && status.online && status.connection_ids.len() == 2);
    assert!(
        format!("{keychain:?}").contains("(0 entries)"),
        "{keychain:?}"
    );

    // Edit the serial of a HaloPSA demo asset, then go offline.
    let halo = conns.iter().find(|c| c.kind == ProviderKind::Halo).unwrap();
    let halo_id = ConnectionId(halo.id.clone());
    let ws = session.workspace().clone();
    let filter = AssetFilter {
        connections: vec![halo_id.clone()],
        ..AssetFilter::default()
    };
    let asset = ws
        .store()
        .list_assets(&filter, &PageRequest::default())
        .unwrap()
        .rows
        .into_iter()
        .next()
        .unwrap();
    let offline = session.set_demo_online(false).await.unwrap();
    assert!(!offline.online);
    let patch: Patch = [(AssetField::Serial, json!("MINE-DEMO"))]
        .into_iter()
        .collect();
    ws.store().update_asset(asset.id, &patch, "test").unwrap();
    let done = finished.load(Ordering::SeqCst);
    let out = session.sync_now(None).await.unwrap();
    for o in &out {
        let err = o.report.as_ref().and_then(|r| r.error.as_ref());
        assert_eq!(
            err.map(|e| e.code),
            Some(assetdesk_sync::ErrorCode::Offline),
            "{o:?}"
        );
    }
    assert_eq!(session.queue_counts().unwrap().queued, 1);

    // A colleague changes the same field at the provider; back online, the sync that starts
    // by itself finds the conflict.
    let said = session.demo_remote_change().await.unwrap();
    assert!(
        said.contains(&asset.name) && said.contains("serial"),
        "{said}"
    );
    let online = session.set_demo_online(true).await.unwrap();
    assert!(online.online);
    wait_idle(&session, &finished, done + 4, "the conflict", |s| {
        !s.conflicts().unwrap().is_empty()
    })
    .await;
    let conflicts = session.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].local_text, "MINE-DEMO");
    session
        .resolve_conflict(conflicts[0].id, &ConflictChoice::KeepMine)
        .unwrap();
    let out = session.sync_now(Some(&halo_id)).await.unwrap();
    assert_eq!(out[0].report.as_ref().unwrap().push.acked, 1, "{out:?}");
    assert_eq!(session.queue_counts().unwrap().queued, 0);

    // Restart: same connections (ids, cache) on new ports, and a sync changes nothing.
    let before = session.connections().unwrap();
    session.shutdown().await;
    drop(session);
    let (session, finished) = open(&data, &keychain).await;
    wait_idle(
        &session,
        &finished,
        2,
        "the syncs after the restart",
        |_| true,
    )
    .await;
    let after = session.connections().unwrap();
    assert_eq!(
        before
            .iter()
            .map(|c| (&c.id, c.cached_assets))
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|c| (&c.id, c.cached_assets))
            .collect::<Vec<_>>()
    );
    for o in session.sync_now(None).await.unwrap() {
        let r = o.report.expect("a report");
        assert!(r.error.is_none(), "{r:?}");
        assert_eq!(
            (
                r.pull.inserted,
                r.pull.updated,
                r.pull.tombstoned,
                r.push.conflicts
            ),
            (0, 0, 0, 0),
            "{r:?}"
        );
    }
    assert!(session.conflicts().unwrap().is_empty());
    let serial = ws_serial(&session, asset.id);
    assert_eq!(serial.as_deref(), Some("MINE-DEMO"));
    assert_no_secret_in(&files_under(&data), &secrets);

    // Remove: connections, cache and saved state go; the next start does not bring it back.
    let removed = session.remove_demo().await.unwrap();
    assert_eq!(removed.len(), 2);
    assert!(session.connections().unwrap().is_empty());
    assert!(!data.join(assetdesk_sync::demo::DEMO_DIR).exists());
    session.shutdown().await;
    drop(session);
    let (session, _) = open(&data, &keychain).await;
    assert!(session.connections().unwrap().is_empty());
    assert!(!session.demo_status().await.unwrap().active);
    session.shutdown().await;

    assert!(
        format!("{keychain:?}").contains("(0 entries)"),
        "{keychain:?}"
    );
    let mut files = files_under(&data);
    files.push(log.clone());
    assert_no_secret_in(&files, &secrets);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("demo workspace started"),
        "the log was written"
    );
}

fn ws_serial(session: &Session, id: assetdesk_domain::AssetId) -> Option<String> {
    session
        .workspace()
        .store()
        .asset(id)
        .unwrap()
        .asset
        .fields
        .serial
}
