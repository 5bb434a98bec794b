//! The demo workspace's servers: one HaloPSA tenant and one Syncro account with the demo
//! presets' realistic data, served on loopback on free ports, whose state survives restarts
//! and which can be taken offline and back.
//!
//! * **Persistence.** Each emulator's mutable data (assets, tickets, id counters; see
//!   [`crate::halo::HaloState::saved_state`]) is written to `<dir>/halo.json` and
//!   `<dir>/syncro.json` at start and after every write request, *before* the response
//!   leaves, so an app killed at any moment never has a cache that knows of a remote change
//!   the saved remote state lacks (which would look like a remote delete on the next start).
//!   The files hold no credential: those are re-derived from the presets' fixed seeds.
//! * **Offline.** [`DemoServers::go_offline`] stops both listeners, so connections are
//!   refused exactly as when a laptop loses its network; [`DemoServers::go_online`] listens
//!   again on the same ports (or new ones if they were taken meanwhile).
//! * **Someone else's edit.** [`DemoServers::remote_change`] changes a field the way a
//!   colleague in the PSA's web UI would.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

use crate::halo::{HaloConfig, HaloState};
use crate::syncro::{SyncroConfig, SyncroHandle};

/// How long stopping a server waits for open requests before cutting them off.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A field the demo can change "at the provider", in the sandbox's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoField {
    /// The asset's name (Halo: its type's key field; Syncro: `name`).
    Name,
    /// Halo: the "Serial Number" info field; Syncro: `asset_serial`.
    Serial,
    /// Halo only: `inventory_number`.
    AssetTag,
    /// Halo only: `notes`.
    Notes,
}

/// Which emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSide {
    Halo,
    Syncro,
}

/// Writes one emulator's state to its file, atomically (temp file + rename).
#[derive(Clone)]
struct Saver {
    path: PathBuf,
    snapshot: Arc<dyn Fn() -> Value + Send + Sync>,
    /// Serialises writers: two writes finishing together must not share the temp file.
    lock: Arc<Mutex<()>>,
}

impl Saver {
    fn save(&self) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = serde_json::to_vec(&(self.snapshot)()).map_err(std::io::Error::other)?;
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// Saves the emulator's state after every request that may have changed it.
async fn save_after_writes(State(saver): State<Saver>, req: Request, next: Next) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let response = next.run(req).await;
    if write {
        let s = saver.clone();
        match tokio::task::spawn_blocking(move || s.save()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(path = %saver.path.display(), error = %e, "demo state not saved")
            }
            Err(e) => tracing::warn!(error = %e, "demo state save task failed"),
        }
    }
    response
}

/// A HaloPSA web-UI edit of one field. Info fields are edited in place: an API write would
/// have to resend the whole `fields` array (halopsa-api.md §2 "Partial update").
fn halo_edit(state: &HaloState, id: i64, field: DemoField, value: &str) -> bool {
    let mut g = state.lock();
    let key_field = g
        .assets
        .get(&id)
        .and_then(|d| g.types.get(&d.assettype_id))
        .map(|t| t.keyfield_id);
    let Some(device) = g.assets.get_mut(&id) else {
        return false;
    };
    match field {
        DemoField::Name => {
            let Some(kf) = key_field else { return false };
            device.fields.insert(kf, json!(value));
        }
        DemoField::Serial => {
            device
                .fields
                .insert(crate::halo::ids::F_SERIAL, json!(value));
        }
        DemoField::AssetTag => device.inventory_number = Some(value.to_owned()),
        DemoField::Notes => device.notes = Some(value.to_owned()),
    }
    device.last_modified = chrono::Utc::now();
    device.fresh = true;
    true
}

struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        let mut task = self.task;
        if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
            task.abort();
        }
    }
}

/// Both demo emulators, their saved state and their listeners.
pub struct DemoServers {
    halo: HaloState,
    syncro: SyncroHandle,
    halo_saver: Saver,
    syncro_saver: Saver,
    halo_port: u16,
    syncro_port: u16,
    running: Option<(Running, Running)>,
}

impl std::fmt::Debug for DemoServers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServers")
            .field("halo_port", &self.halo_port)
            .field("syncro_port", &self.syncro_port)
            .field("online", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

fn load_into(path: &Path, what: &str, restore: impl FnOnce(&Value) -> Result<(), String>) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let outcome = serde_json::from_slice::<Value>(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|v| restore(&v));
    if let Err(e) = outcome {
        // Keep the damaged file for support and start from the seed rather than refuse to
        // open the demo.
        let aside = path.with_extension("json.unreadable");
        let _ = std::fs::rename(path, &aside);
        tracing::warn!(%what, error = %e, moved_to = %aside.display(), "demo state reset to the seed");
    }
}

async fn bind(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => Ok(l),
        // The old port was taken while the demo was offline or closed: take any free one
        // (the caller moves the connections to the new URL).
        Err(_) if port != 0 => tokio::net::TcpListener::bind(("127.0.0.1", 0)).await,
        Err(e) => Err(e),
    }
}

impl DemoServers {
    /// Seeds both emulators from the demo presets, restores their saved state from `dir`
    /// (created if needed) and serves them on free loopback ports.
    pub async fn start(dir: &Path) -> std::io::Result<DemoServers> {
        std::fs::create_dir_all(dir)?;
        let halo = HaloState::new(HaloConfig::demo());
        let syncro = SyncroHandle::new(SyncroConfig::demo());
        let halo_path = dir.join("halo.json");
        let syncro_path = dir.join("syncro.json");
        load_into(&halo_path, "HaloPSA", |v| halo.restore_saved(v));
        load_into(&syncro_path, "Syncro", |v| syncro.restore_saved(v));
        let halo_saver = Saver {
            path: halo_path,
            snapshot: Arc::new({
                let h = halo.clone();
                move || h.saved_state()
            }),
            lock: Arc::default(),
        };
        let syncro_saver = Saver {
            path: syncro_path,
            snapshot: Arc::new({
                let s = syncro.clone();
                move || s.saved_state()
            }),
            lock: Arc::default(),
        };
        halo_saver.save()?;
        syncro_saver.save()?;
        let mut servers = DemoServers {
            halo,
            syncro,
            halo_saver,
            syncro_saver,
            halo_port: 0,
            syncro_port: 0,
            running: None,
        };
        servers.go_online().await?;
        Ok(servers)
    }

    /// Whether the servers accept connections.
    pub fn is_online(&self) -> bool {
        self.running.is_some()
    }

    /// HaloPSA's resource server URL (`http://127.0.0.1:PORT/api`).
    pub fn halo_url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.halo_port)
    }

    /// HaloPSA's authorisation server URL (`http://127.0.0.1:PORT/auth`).
    pub fn halo_auth_url(&self) -> String {
        format!("http://127.0.0.1:{}/auth", self.halo_port)
    }

    /// Syncro's API base (`http://127.0.0.1:PORT/api/v1`).
    pub fn syncro_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1", self.syncro_port)
    }

    /// The emulated tenant's `(tenant, client id, client secret)`: the preset's fixed demo
    /// values, not a secret of any real system — but handled like one all the same.
    pub fn halo_credentials(&self) -> (String, String, String) {
        let c = self.halo.config();
        (c.tenant, c.client_id, c.client_secret)
    }

    /// The emulated account's full-permission API token (the preset's fixed demo value).
    pub fn syncro_token(&self) -> String {
        self.syncro.token().to_owned()
    }

    /// The HaloPSA state (inspection, knobs).
    pub fn halo(&self) -> &HaloState {
        &self.halo
    }

    /// The Syncro state (inspection, knobs).
    pub fn syncro(&self) -> &SyncroHandle {
        &self.syncro
    }

    /// Stops listening: every connection attempt is refused until [`DemoServers::go_online`].
    pub async fn go_offline(&mut self) {
        if let Some((h, s)) = self.running.take() {
            h.stop().await;
            s.stop().await;
        }
    }

    /// Listens again, on the previous ports when free. Returns whether a port changed (the
    /// caller then updates the connections' URLs).
    pub async fn go_online(&mut self) -> std::io::Result<bool> {
        if self.running.is_some() {
            return Ok(false);
        }
        let halo_listener = bind(self.halo_port).await?;
        let syncro_listener = bind(self.syncro_port).await?;
        let (halo_port, syncro_port) = (
            halo_listener.local_addr()?.port(),
            syncro_listener.local_addr()?.port(),
        );
        let moved = (halo_port, syncro_port) != (self.halo_port, self.syncro_port);
        self.halo_port = halo_port;
        self.syncro_port = syncro_port;

        let halo_app = crate::halo::router(self.halo.clone()).layer(
            axum::middleware::from_fn_with_state(self.halo_saver.clone(), save_after_writes),
        );
        let syncro_app = crate::syncro::router(self.syncro.clone())
            .layer(axum::middleware::from_fn_with_state(
                self.syncro_saver.clone(),
                save_after_writes,
            ))
            .into_make_service_with_connect_info::<SocketAddr>();
        let (htx, hrx) = tokio::sync::oneshot::channel::<()>();
        let (stx, srx) = tokio::sync::oneshot::channel::<()>();
        let halo_task = tokio::spawn(async move {
            let serve = axum::serve(halo_listener, halo_app).with_graceful_shutdown(async {
                let _ = hrx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "demo HaloPSA server stopped");
            }
        });
        let syncro_task = tokio::spawn(async move {
            let serve = axum::serve(syncro_listener, syncro_app).with_graceful_shutdown(async {
                let _ = srx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "demo Syncro server stopped");
            }
        });
        self.running = Some((
            Running {
                stop: htx,
                task: halo_task,
            },
            Running {
                stop: stx,
                task: syncro_task,
            },
        ));
        Ok(moved)
    }

    /// Changes one field of one asset the way someone in the PSA's web UI would (the change
    /// is saved at once, and it happens even while offline: the PSA itself is not). Returns
    /// false when the asset is gone or the provider has no such field.
    pub fn remote_change(
        &self,
        side: DemoSide,
        remote_id: i64,
        field: DemoField,
        value: &str,
    ) -> bool {
        let changed = match side {
            DemoSide::Halo => halo_edit(&self.halo, remote_id, field, value),
            DemoSide::Syncro => {
                let key = match field {
                    DemoField::Name => "name",
                    DemoField::Serial => "asset_serial",
                    // Syncro assets have no tag or notes field of their own (syncro-api.md
                    // §3.3): those live in type-specific properties.
                    DemoField::AssetTag | DemoField::Notes => return false,
                };
                self.syncro.remote_edit(remote_id, key, json!(value))
            }
        };
        if changed {
            let saver = match side {
                DemoSide::Halo => &self.halo_saver,
                DemoSide::Syncro => &self.syncro_saver,
            };
            if let Err(e) = saver.save() {
                tracing::warn!(error = %e, "demo state not saved after a remote change");
            }
        }
        changed
    }

    /// The asset as the emulator holds it now (rendered like a GET of the asset).
    pub fn remote_asset(&self, side: DemoSide, remote_id: i64) -> Option<Value> {
        match side {
            DemoSide::Halo => self.halo.asset(remote_id),
            DemoSide::Syncro => self.syncro.asset_json(remote_id),
        }
    }

    /// Stops both servers (their state is already saved).
    pub async fn stop(mut self) {
        self.go_offline().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> Result<reqwest::StatusCode, reqwest::Error> {
        reqwest::Client::new()
            .get(url)
            .send()
            .await
            .map(|r| r.status())
    }

    #[tokio::test]
    async fn state_survives_a_restart_and_offline_refuses_connections() {
        let dir = tempfile::tempdir().unwrap();
        let mut demo = DemoServers::start(dir.path()).await.unwrap();
        let halo_id = demo.halo().asset_ids()[3];
        let syncro_id = demo.syncro().asset_ids()[5];
        assert!(demo.remote_change(DemoSide::Halo, halo_id, DemoField::Serial, "SER-DEMO-1"));
        assert!(demo.remote_change(DemoSide::Syncro, syncro_id, DemoField::Name, "Renamed PC"));
        assert!(!demo.remote_change(DemoSide::Syncro, syncro_id, DemoField::Notes, "x"));

        // Offline: connections are refused (not answered with an HTTP error).
        let url = format!("{}/Asset", demo.halo_url());
        assert!(get(&url).await.is_ok());
        demo.go_offline().await;
        let err = get(&url).await.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        assert!(
            !demo.go_online().await.unwrap(),
            "the same port is free again"
        );
        assert!(get(&url).await.is_ok());
        let (_, _, secret) = demo.halo_credentials();
        let token = demo.syncro_token();
        demo.stop().await;

        // A restart sees the changes, and the saved files hold no credential.
        let again = DemoServers::start(dir.path()).await.unwrap();
        let h = again.remote_asset(DemoSide::Halo, halo_id).unwrap();
        assert!(h.to_string().contains("SER-DEMO-1"), "{h}");
        let s = again.remote_asset(DemoSide::Syncro, syncro_id).unwrap();
        assert_eq!(s["name"], "Renamed PC");
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&secret) && !text.contains(&token));
        }
        again.stop().await;
    }

    #[tokio::test]
    async fn an_unreadable_state_file_is_set_aside_and_the_seed_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("halo.json"), b"{not json").unwrap();
        let demo = DemoServers::start(dir.path()).await.unwrap();
        assert_eq!(demo.halo().asset_count(), HaloConfig::demo().assets);
        assert!(dir.path().join("halo.json.unreadable").exists());
        demo.stop().await;
    }
}
