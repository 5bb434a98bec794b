//! "Create ticket for this asset" end to end against the HaloPSA sandbox: queued offline,
//! created by the next sync and linked to the asset; a create whose answer was lost, or that
//! was interrupted after being marked in flight, is never sent twice; a ticket about an asset
//! created offline waits for the asset.

mod common;

use std::sync::Arc;
use std::time::Duration;

use assetdesk_domain::{AssetFields, Connection, ConnectionId, NewTicket, ProviderKind};
use assetdesk_halo::{HaloClient, HaloSettings, Secret};
use assetdesk_sandbox::halo::{HaloConfig, start};
use assetdesk_store::NewAsset;
use assetdesk_sync::tickets::{TicketRequestState, push_ticket_queue};
use assetdesk_sync::{Provider, Remote, SyncOptions, Workspace};

fn conn() -> ConnectionId {
    ConnectionId("sim-halo".into())
}

fn halo(resource_url: &str, tenant: String, client_id: String, secret: String) -> Remote {
    let mut s = HaloSettings::new(conn(), resource_url, client_id).expect("settings");
    s.tenant = Some(tenant);
    s.rate_limit = None;
    s.retry_base = Duration::from_millis(5);
    s.request_timeout = Duration::from_secs(5);
    Remote::Halo(Arc::new(
        HaloClient::new(s, Secret::new(secret)).expect("client"),
    ))
}

async fn sync(ws: &Workspace, remote: &Remote) {
    let r = ws
        .sync_now(&conn(), remote, &SyncOptions::default(), None)
        .await
        .expect("not busy");
    assert!(r.error.is_none(), "sync failed: {:?}", r.error);
}

async fn sync_syncro(ws: &Workspace, remote: &Remote) {
    let r = ws
        .sync_now(&common::conn(), remote, &SyncOptions::default(), None)
        .await
        .expect("not busy");
    assert!(r.error.is_none(), "sync failed: {:?}", r.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_queue_offline_sync_once_and_wait_for_their_asset() {
    let server = start(HaloConfig {
        assets: 6,
        tickets: 0,
        rate_limit: None,
        ..HaloConfig::default()
    })
    .await
    .expect("sandbox");
    let remote = halo(
        &server.resource_url(),
        server.tenant(),
        server.client_id(),
        server.client_secret(),
    );
    let dir = common::temp_dir();
    let ws = Workspace::open(dir.path()).expect("workspace");
    ws.store()
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
    sync(&ws, &remote).await;
    let remote_asset = state.asset_ids()[0];
    let local = ws
        .store()
        .asset_by_remote(&conn(), remote_asset)
        .expect("read")
        .expect("cached")
        .asset;

    // Offline: the request is queued and stays queued through a failed sync.
    let req = ws
        .create_ticket_for_asset(local.id.0, "Battery swells", "Lid does not close", "t")
        .expect("queued");
    assert_eq!(req.state, TicketRequestState::Queued);
    let dead = halo(
        "http://127.0.0.1:9",
        server.tenant(),
        server.client_id(),
        server.client_secret(),
    );
    let r = ws
        .sync_now(&conn(), &dead, &SyncOptions::default(), None)
        .await
        .expect("not busy");
    assert!(r.error.is_some(), "nothing listens on port 9");
    let list = ws.asset_tickets(local.id.0).expect("list");
    assert_eq!(list.queued.len(), 1);
    assert_eq!(list.queued[0].state, TicketRequestState::Queued);
    assert!(state.tickets_of(remote_asset).is_empty());

    // Online: the next sync creates it, linked to the asset, with the reference line.
    sync(&ws, &remote).await;
    let created = state.tickets_of(remote_asset);
    assert_eq!(created.len(), 1, "exactly one ticket");
    let posted = state
        .recorded_writes()
        .into_iter()
        .filter(|(route, _)| route == "POST /api/Tickets")
        .map(|(_, body)| body.to_string())
        .collect::<Vec<_>>();
    assert_eq!(posted.len(), 1);
    assert!(posted[0].contains(&req.client_op_id), "{}", posted[0]);
    let list = ws.asset_tickets(local.id.0).expect("list");
    assert!(list.queued.is_empty(), "{:?}", list.queued);
    assert_eq!(list.tickets.len(), 1);
    assert_eq!(list.tickets[0].remote_id, created[0]);
    assert_eq!(list.tickets[0].summary, "Battery swells");
    // A second sync sends nothing more.
    sync(&ws, &remote).await;
    assert_eq!(state.tickets_of(remote_asset).len(), 1);

    // The answer is lost after the sandbox created the ticket: the sync finds it instead
    // of sending again.
    ws.create_ticket_for_asset(local.id.0, "Keyboard sticky", "", "t")
        .expect("queued");
    state.drop_next_writes(1);
    let r = push_ticket_queue(ws.store(), &remote, &conn())
        .await
        .expect("push");
    assert_eq!((r.created, r.adopted), (0, 1), "{r:?}");
    sync(&ws, &remote).await;
    assert_eq!(state.tickets_of(remote_asset).len(), 2, "no duplicate");
    let list = ws.asset_tickets(local.id.0).expect("list");
    assert!(list.queued.is_empty(), "{:?}", list.queued);

    // Crash after the POST landed but before the answer was recorded: the entry is found in
    // flight at the next sync and adopted.
    let crashed = ws
        .create_ticket_for_asset(local.id.0, "Fan noise", "", "t")
        .expect("queued");
    ws.store()
        .mark_ticket_in_flight(&crashed.client_op_id)
        .expect("in flight");
    let landed = remote
        .create_ticket(
            remote_asset,
            local.fields.site_id,
            &NewTicket {
                client_id: local.fields.client_id.expect("seeded assets have a client"),
                summary: "Fan noise".into(),
                details: String::new(),
            },
        )
        .await
        .expect("create");
    sync(&ws, &remote).await;
    assert_eq!(state.tickets_of(remote_asset).len(), 3, "no duplicate");
    let done = ws
        .store()
        .queued_ticket(&crashed.client_op_id)
        .expect("entry");
    assert_eq!(done.remote_ticket_id, Some(landed.remote_id));

    // Crash before the POST left: in flight, nothing at the provider; sent once.
    let lost = ws
        .create_ticket_for_asset(local.id.0, "Fan noise", "again", "t")
        .expect("queued");
    ws.store()
        .mark_ticket_in_flight(&lost.client_op_id)
        .expect("in flight");
    sync(&ws, &remote).await;
    assert_eq!(state.tickets_of(remote_asset).len(), 4);
    let sent = ws.store().queued_ticket(&lost.client_op_id).expect("entry");
    assert_ne!(
        sent.remote_ticket_id,
        Some(landed.remote_id),
        "the earlier same-summary ticket is not adopted twice"
    );

    // An asset created offline: its ticket waits until the asset exists remotely.
    let mut fields = AssetFields {
        name: "NEW-LAPTOP".into(),
        ..local.fields.clone()
    };
    fields.serial = Some("NEW-SN-1".into());
    fields.asset_tag = None;
    let made = ws
        .store()
        .create_asset(
            &NewAsset {
                connection_id: conn(),
                fields,
                parent_id: None,
            },
            "t",
        )
        .expect("local create");
    ws.create_ticket_for_asset(made.asset_id.0, "Set up for Ann", "", "t")
        .expect("queued");
    let early = push_ticket_queue(ws.store(), &remote, &conn())
        .await
        .expect("push");
    assert_eq!((early.waiting, early.created), (1, 0));
    sync(&ws, &remote).await;
    let new_remote = ws
        .store()
        .asset(made.asset_id)
        .expect("asset")
        .asset
        .remote_id
        .expect("created remotely");
    assert_eq!(state.tickets_of(new_remote).len(), 1);

    // The panel's online refresh replaces the cache with the provider's list.
    let list = ws
        .refresh_asset_tickets(local.id.0, &remote)
        .await
        .expect("refresh");
    assert_eq!(list.refresh_error, None);
    assert_eq!(list.tickets.len(), 4);
    let offline = ws
        .refresh_asset_tickets(local.id.0, &dead)
        .await
        .expect("cached list");
    assert!(offline.refresh_error.is_some());
    assert_eq!(offline.tickets.len(), 4, "the cache is kept when offline");
}

/// Syncro: the ticket is created with `asset_ids` (syncro-api.md §4.3) and found again by the
/// per-customer listing, whose items carry no asset ids (detail reads match them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncro_tickets_are_created_linked_and_listed() {
    let server = common::start_sandbox(11, 4).await;
    let remote = Remote::Syncro(Arc::new(common::client(
        server.api_base(),
        server.token(),
        50,
    )));
    let dir = common::temp_dir();
    drop(common::open_store(dir.path()));
    let ws = Workspace::open(dir.path()).expect("workspace");
    sync_syncro(&ws, &remote).await;
    let remote_asset = server.handle().asset_ids()[0];
    let local = ws
        .store()
        .asset_by_remote(&common::conn(), remote_asset)
        .expect("read")
        .expect("cached")
        .asset;
    ws.create_ticket_for_asset(local.id.0, "No network", "Cable checked", "t")
        .expect("queued");
    sync_syncro(&ws, &remote).await;
    let created = server.handle().tickets_of_asset(remote_asset);
    assert_eq!(created.len(), 1);
    sync_syncro(&ws, &remote).await;
    assert_eq!(
        server.handle().tickets_of_asset(remote_asset).len(),
        1,
        "sent once"
    );
    let list = ws
        .refresh_asset_tickets(local.id.0, &remote)
        .await
        .expect("refresh");
    assert_eq!(list.refresh_error, None);
    assert_eq!(
        list.tickets.iter().map(|t| t.remote_id).collect::<Vec<_>>(),
        created
    );
    assert_eq!(list.tickets[0].summary, "No network");
    assert!(list.queued.is_empty());
}
