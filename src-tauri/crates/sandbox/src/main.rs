//! `assetdesk-sandbox`: serves the HaloPSA and Syncro emulators on loopback with realistic
//! demo data, and prints the URLs and credentials to paste into AssetDesk (or the CLI).
//! The credentials are the sandbox's own fixed demo values, not secrets of any real system.

use std::net::{Ipv4Addr, SocketAddr};

use assetdesk_sandbox::{halo, syncro};
use clap::Parser;

/// Serve the HaloPSA and Syncro emulators on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "assetdesk-sandbox", version, about)]
struct Args {
    /// Port of the HaloPSA emulator (0 picks a free one).
    #[arg(long, default_value_t = 8061)]
    halo_port: u16,
    /// Port of the Syncro emulator (0 picks a free one).
    #[arg(long, default_value_t = 8062)]
    syncro_port: u16,
    /// Assets seeded in each emulator (default: the demo preset's).
    #[arg(long)]
    assets: Option<usize>,
    /// Seed of the deterministic data set.
    #[arg(long)]
    seed: Option<u64>,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ASSETDESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if let Err(err) = serve(args).await {
        eprintln!("assetdesk-sandbox: {err}");
        std::process::exit(1);
    }
}

async fn serve(args: Args) -> std::io::Result<()> {
    let mut halo_config = halo::HaloConfig::demo();
    let mut syncro_config = syncro::SyncroConfig::demo();
    if let Some(n) = args.assets {
        halo_config.assets = n;
        syncro_config.assets = n;
    }
    if let Some(seed) = args.seed {
        halo_config.seed = seed;
        syncro_config.seed = seed;
    }

    let halo_listener = bind(args.halo_port, "HaloPSA").await?;
    let syncro_listener = bind(args.syncro_port, "Syncro").await?;
    let halo_addr = halo_listener.local_addr()?;
    let syncro_addr = syncro_listener.local_addr()?;

    let halo_state = halo::HaloState::new(halo_config.clone());
    let syncro_handle = syncro::SyncroHandle::new(syncro_config);

    println!("AssetDesk sandbox — emulated PSAs with demo data, on this computer only\n");
    println!("HaloPSA");
    println!("  resource server  http://{halo_addr}/api");
    println!("  auth server      http://{halo_addr}/auth");
    println!("  tenant           {}", halo_config.tenant);
    println!("  client id        {}", halo_config.client_id);
    println!("  client secret    {}", halo_config.client_secret);
    println!("\nSyncro");
    println!("  API base         http://{syncro_addr}/api/v1");
    println!("  API token        {}", syncro_handle.token());
    println!("\nPress Ctrl+C to stop.");

    let halo_app = halo::router(halo_state);
    let syncro_app =
        syncro::router(syncro_handle).into_make_service_with_connect_info::<SocketAddr>();
    let halo = axum::serve(halo_listener, halo_app).with_graceful_shutdown(ctrl_c());
    let syncro = axum::serve(syncro_listener, syncro_app).with_graceful_shutdown(ctrl_c());
    let (a, b) = tokio::join!(halo, syncro);
    a.and(b)
}

async fn bind(port: u16, what: &str) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot listen on 127.0.0.1:{port} for {what} ({e}); pass --{}-port 0 for a free port",
                what.to_lowercase().trim_end_matches("psa")),
        )
    })
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}
