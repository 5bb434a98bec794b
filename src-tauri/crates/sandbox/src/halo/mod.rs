//! HaloPSA emulator (issue 5): a stateful, seeded HaloPSA tenant on loopback.
//!
//! Emulates what halopsa-api.md documents: OAuth2 client credentials with `invalid_client`
//! and scope-less tokens (§1), list envelopes vs bare arrays, silent page caps and
//! past-the-end behaviour (§3), `POST` array create/update with wholesale array replacement
//! (§2), asset types with info fields (§4.3, §5), tickets linked to assets (§5.1), the
//! rolling-window rate limit with Halo's 429 text (§6), and the error and date quirks (§7).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use assetdesk_sandbox::halo::{HaloConfig, start};
//! let server = start(HaloConfig::demo()).await?;
//! println!("resource server {} · auth server {}", server.resource_url(), server.auth_url());
//! server.state().configure(|c| c.faults.server_error_rate = 0.05);
//! # Ok(()) }
//! ```

mod config;
mod model;
mod routes;
mod seed;
mod state;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;

pub use config::{Faults, HaloConfig, PastEnd, RateLimit};
pub use routes::router;
pub use state::{HaloState, RequestRecord};

/// Ids of the seeded tenant's info fields and asset types, for tests that edit assets in
/// Halo wire terms (`fields: [{"id": F_SERIAL, "value": …}]`).
pub mod ids {
    pub use super::seed::{
        F_DEVICE_NAME, F_FIRMWARE, F_IP, F_MAC, F_MANUFACTURER, F_MODEL, F_OS, F_PRINTER_NAME,
        F_PURCHASE_DATE, F_RACK, F_SERIAL, STATUSES, T_FIREWALL, T_LAPTOP, T_PRINTER, T_SERVER,
        T_VM, T_WORKSTATION,
    };
}

/// A running emulator. Stops when dropped or on [`HaloServer::shutdown`].
#[derive(Debug)]
pub struct HaloServer {
    addr: SocketAddr,
    state: HaloState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Seeds a tenant from `config` and serves it on `127.0.0.1:0` (an ephemeral port).
pub async fn start(config: HaloConfig) -> std::io::Result<HaloServer> {
    let state = HaloState::new(config);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::warn!(error = %e, "halo sandbox stopped with an error");
        }
    });
    Ok(HaloServer {
        addr,
        state,
        stop: Some(tx),
        task: Some(task),
    })
}

impl HaloServer {
    /// The resource server URL (`http://127.0.0.1:PORT/api`), what Halo shows as "Resource
    /// Server" (§1.1).
    pub fn resource_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// The authorisation server URL (`http://127.0.0.1:PORT/auth`); the token endpoint is
    /// `{auth_url}/token` (§1.1).
    pub fn auth_url(&self) -> String {
        format!("http://{}/auth", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The tenant name expected on the token URL.
    pub fn tenant(&self) -> String {
        self.state.config().tenant
    }

    pub fn client_id(&self) -> String {
        self.state.config().client_id
    }

    pub fn client_secret(&self) -> String {
        self.state.config().client_secret
    }

    /// The state handle: knobs, counters, remote edits, inspection.
    pub fn state(&self) -> &HaloState {
        &self.state
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for HaloServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
