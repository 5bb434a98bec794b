//! Contract tests: the client against the HaloPSA sandbox, asserting on what the server saw
//! (request counters, stored records, recorded bodies).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use assetdesk_domain::{AssetField, AssetFields, ConnectionId, NewTicket, Patch};
use assetdesk_halo::{
    AssetQuery, AuthServer, CandidateQuery, FieldMapping, FieldRef, HaloClient, HaloError,
    HaloSettings, InfoSlot, PageCursor, RateLimitSettings, Secret,
};
use assetdesk_sandbox::halo::{HaloConfig, HaloServer, PastEnd, RateLimit, ids, start};
use chrono::NaiveDate;
use futures::TryStreamExt;
use serde_json::{Value, json};

fn settings(server: &HaloServer) -> HaloSettings {
    let mut s = HaloSettings::new(
        ConnectionId("halo-test".into()),
        &server.resource_url(),
        server.client_id(),
    )
    .expect("loopback settings are valid");
    s.tenant = Some(server.tenant());
    s.retry_base = Duration::from_millis(5);
    s.throttle_backoff = Duration::from_millis(40);
    s.request_timeout = Duration::from_secs(5);
    s
}

fn client(server: &HaloServer, s: HaloSettings) -> HaloClient {
    HaloClient::new(s, Secret::new(server.client_secret())).expect("client builds")
}

async fn setup(config: HaloConfig) -> (HaloServer, HaloClient) {
    let server = start(config).await.expect("sandbox starts");
    let c = client(&server, settings(&server));
    (server, c)
}

fn patch(pairs: &[(AssetField, Value)]) -> Patch {
    pairs.iter().cloned().collect()
}

fn field_value(asset: &Value, field_id: i64) -> Option<Value> {
    asset["fields"]
        .as_array()?
        .iter()
        .find(|f| f["id"] == json!(field_id))
        .map(|f| f["value"].clone())
}

#[tokio::test]
async fn auth_token_is_cached_and_renewed_once_on_401() {
    let (server, c) = setup(HaloConfig::default()).await;
    c.clients().await.expect("clients");
    c.suppliers().await.expect("suppliers");
    let st = server.state();
    assert_eq!(
        st.request_count("POST /auth/token"),
        1,
        "one token for many calls"
    );
    st.expire_tokens();
    c.clients().await.expect("renewed after 401");
    assert_eq!(st.request_count("POST /auth/token"), 2);
    assert_eq!(
        st.request_count("GET /api/Client"),
        3,
        "the 401'd call was repeated once"
    );
    // Concurrent calls that all hit 401 share one new token.
    st.expire_tokens();
    let (a, b, d) = tokio::join!(c.clients(), c.suppliers(), c.asset_groups());
    assert!(a.is_ok() && b.is_ok() && d.is_ok());
    assert_eq!(st.request_count("POST /auth/token"), 3);
}

#[tokio::test]
async fn wrong_secret_is_invalid_client_and_never_leaks() {
    let server = start(HaloConfig::default()).await.expect("sandbox");
    let c = HaloClient::new(settings(&server), Secret::new("wrong-secret-value")).expect("client");
    let err = c.authenticate().await.expect_err("must fail");
    assert!(
        matches!(err, HaloError::Auth(ref m) if m.contains("invalid_client")),
        "{err}"
    );
    assert!(!format!("{err:?} {err} {c:?}").contains("wrong-secret-value"));
    assert!(!format!("{c:?}").contains(&server.client_secret()));
}

#[tokio::test]
async fn token_without_scope_fails_with_auth_after_one_renewal() {
    let server = start(HaloConfig::default()).await.expect("sandbox");
    let mut s = settings(&server);
    s.scope = String::new();
    let c = client(&server, s);
    let err = c
        .clients()
        .await
        .expect_err("scope-less token is useless (§1.3)");
    assert!(matches!(err, HaloError::Auth(_)), "{err}");
    assert_eq!(server.state().request_count("POST /auth/token"), 2);
}

#[tokio::test]
async fn auth_server_and_tenant_are_discovered() {
    let server = start(HaloConfig::default()).await.expect("sandbox");
    let mut s = settings(&server);
    s.auth_server = AuthServer::Discover;
    s.tenant = None;
    let c = client(&server, s);
    c.authenticate()
        .await
        .expect("discovered auth server + tenant");
    assert_eq!(server.state().request_count("GET /api/authinfo"), 1);
}

#[tokio::test]
async fn full_pull_stops_on_record_count_not_page_size() {
    let config = HaloConfig {
        assets: 230,
        page_cap: 50,
        ..HaloConfig::default()
    };
    let (server, mut c) = setup(config).await;
    let mut s = c.settings().clone();
    s.page_size = 100; // asks 100, gets 50 (§3.3)
    c = client(&server, s);
    let pages: Vec<Vec<_>> = c
        .asset_pages(AssetQuery::default())
        .try_collect()
        .await
        .expect("pull");
    let all: Vec<_> = pages.into_iter().flatten().collect();
    assert_eq!(all.len(), 230, "inactive assets included");
    let st = server.state();
    assert_eq!(
        st.request_count("GET /api/Asset"),
        5,
        "ceil(230/50) pages, no extra probe"
    );
    assert_eq!(
        st.request_count("GET /api/Asset/{id}"),
        0,
        "no per-asset GET in a pull"
    );
    assert!(all.iter().all(|a| !a.fields.name.is_empty()));
    // Device_List rows have no notes/users: the engine is told, not handed false blanks.
    let absent = assetdesk_halo::absent_fields(&all[0].raw);
    assert_eq!(
        absent,
        vec![AssetField::Notes, AssetField::Users],
        "{absent:?}"
    );
    let with_serial = all.iter().filter(|a| a.fields.serial.is_some()).count();
    assert!(
        with_serial > 150 && with_serial < 230,
        "most but not all have serials: {with_serial}"
    );
}

#[tokio::test]
async fn paging_edges_empty_and_repeated_pages() {
    let (server, c) = setup(HaloConfig {
        assets: 60,
        page_cap: 25,
        ..HaloConfig::default()
    })
    .await;
    let q = AssetQuery::default();
    let p1 = c
        .assets_page(&q, PageCursor::default())
        .await
        .expect("page 1");
    assert_eq!(
        (p1.items.len(), p1.record_count, p1.is_last),
        (25, 60, false)
    );
    let p2 = c
        .assets_page(&q, p1.next.expect("next"))
        .await
        .expect("page 2");
    let p3 = c
        .assets_page(&q, p2.next.expect("next"))
        .await
        .expect("page 3");
    assert_eq!((p3.items.len(), p3.is_last, p3.next), (10, true, None));
    // Past the end, empty mode: an empty page is the end.
    let past = PageCursor {
        page_no: 4,
        received: 10,
        prev_first_id: None,
    };
    let p4 = c.assets_page(&q, past).await.expect("past end");
    assert!(p4.items.is_empty() && p4.is_last);
    // Repeat mode: Halo serves the last page again; the repeated first id ends the pull.
    server
        .state()
        .configure(|cfg| cfg.past_end = PastEnd::RepeatLast);
    let first_of_last = p3.items[0].remote_id;
    let again = c
        .assets_page(
            &q,
            PageCursor {
                page_no: 4,
                received: 10,
                prev_first_id: Some(first_of_last),
            },
        )
        .await
        .expect("repeat");
    assert!(
        again.items.is_empty() && again.is_last,
        "repeated page detected"
    );
}

#[tokio::test]
async fn pull_survives_remote_deletes_between_pages() {
    let (server, c) = setup(HaloConfig {
        assets: 100,
        page_cap: 20,
        ..HaloConfig::default()
    })
    .await;
    let q = AssetQuery::default();
    let p1 = c
        .assets_page(&q, PageCursor::default())
        .await
        .expect("page 1");
    // Another user deletes five assets already received: later pages shift left.
    for a in p1.items.iter().take(5) {
        assert!(server.state().remote_delete(a.remote_id));
    }
    let mut cursor = p1.next;
    let mut ids: Vec<i64> = p1.items.iter().map(|a| a.remote_id).collect();
    let mut guard = 0;
    while let Some(cur) = cursor {
        let p = c.assets_page(&q, cur).await.expect("page");
        ids.extend(p.items.iter().map(|a| a.remote_id));
        cursor = p.next;
        guard += 1;
        assert!(guard < 20, "pull terminates");
    }
    // Rows shifted left by five: the engine's next pass picks up what a shift skipped.
    assert!(ids.len() >= 95, "{}", ids.len());
}

fn new_workstation(serial: &str) -> AssetFields {
    AssetFields {
        name: "WS-NEW-1".into(),
        client_id: Some(12),
        site_id: Some(30),
        type_id: Some(ids::T_WORKSTATION),
        status_id: Some(1),
        serial: Some(serial.into()),
        model: Some("OptiPlex 7010".into()),
        manufacturer: Some("Dell".into()),
        asset_tag: Some("AT-NEW-1".into()),
        warranty_start: NaiveDate::from_ymd_opt(2025, 1, 1),
        warranty_end: NaiveDate::from_ymd_opt(2028, 1, 1),
        purchase_date: NaiveDate::from_ymd_opt(2024, 12, 20),
        user_ids: vec![800],
        notes: Some("created by test".into()),
        ..AssetFields::default()
    }
}

#[tokio::test]
async fn create_get_update_delete_round_trip() {
    let (server, c) = setup(HaloConfig::default()).await;
    let st = server.state();
    let created = c
        .create_asset(&new_workstation("SN-CRUD-1"), None)
        .await
        .expect("create");
    let held = st.asset(created.remote_id).expect("server holds it");
    assert_eq!(held["key_field"], json!("WS-NEW-1"));
    assert_eq!(field_value(&held, ids::F_SERIAL), Some(json!("SN-CRUD-1")));
    assert_eq!(held["warranty_end"], json!("2028-01-01T00:00:00"));
    assert_eq!(held["users"][0]["id"], json!(800));
    assert_eq!(created.fields.serial.as_deref(), Some("SN-CRUD-1"));
    assert_eq!(
        created.fields.purchase_date,
        NaiveDate::from_ymd_opt(2024, 12, 20)
    );
    assert!(
        created.updated_at.is_some(),
        "fresh Z-stamp with 7 digits parses"
    );

    let got = c
        .get_asset(created.remote_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(got.fields, created.fields);

    // Update one info field: only `id` + the full merged `fields` array go out.
    let before = st.recorded_writes().len();
    let updated = c
        .update_asset(
            created.remote_id,
            &patch(&[(AssetField::Serial, json!("SN-CRUD-2"))]),
        )
        .await
        .expect("update");
    assert_eq!(updated.fields.serial.as_deref(), Some("SN-CRUD-2"));
    assert_eq!(
        updated.fields.model.as_deref(),
        Some("OptiPlex 7010"),
        "other info fields kept"
    );
    let writes = st.recorded_writes();
    let body = &writes[before].1[0];
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, vec!["fields", "id"], "only changed fields are sent");

    // A top-level field alone needs no read-before-write.
    let reads = st.request_count("GET /api/Asset/{id}");
    c.update_asset(
        created.remote_id,
        &patch(&[(AssetField::WarrantyEnd, Value::Null)]),
    )
    .await
    .expect("clear");
    assert_eq!(st.request_count("GET /api/Asset/{id}"), reads);
    let held = st.asset(created.remote_id).expect("held");
    assert_eq!(
        held["warranty_end"],
        json!("1900-01-01T00:00:00"),
        "cleared dates come back as the sentinel"
    );
    let got = c
        .get_asset(created.remote_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(got.fields.warranty_end, None, "sentinel maps to none");

    c.delete_asset(created.remote_id).await.expect("delete");
    assert!(st.asset(created.remote_id).is_none());
    assert!(
        c.get_asset(created.remote_id).await.expect("get").is_none(),
        "404 → None"
    );
    c.delete_asset(created.remote_id)
        .await
        .expect("deleting twice is fine");
    let err = c
        .update_asset(
            created.remote_id,
            &patch(&[(AssetField::Notes, json!("x"))]),
        )
        .await
        .expect_err("gone");
    assert!(
        matches!(err, HaloError::NotFound { id, .. } if id == created.remote_id),
        "{err}"
    );
}

#[tokio::test]
async fn custom_fields_and_key_field_names_are_written_through_fields() {
    let (server, c) = setup(HaloConfig::default()).await;
    let st = server.state();
    let all: Vec<_> = c
        .asset_pages(AssetQuery::default())
        .try_collect::<Vec<_>>()
        .await
        .expect("pull")
        .concat();
    let srv = all
        .iter()
        .find(|a| a.fields.type_id == Some(ids::T_SERVER))
        .expect("a server");
    let rack_key = ids::F_RACK.to_string();
    assert!(
        srv.fields.custom.contains_key(&rack_key),
        "unmapped info field is a custom field"
    );
    assert!(
        srv.fields.custom.contains_key("cf201"),
        "tenant custom field"
    );
    let p = patch(&[
        (AssetField::Custom(rack_key.clone()), json!("R9-U1")),
        (AssetField::Custom("cf202".into()), json!("CC-42")),
        (AssetField::Name, json!("SRV-RENAMED")),
    ]);
    let up = c.update_asset(srv.remote_id, &p).await.expect("update");
    assert_eq!(up.fields.name, "SRV-RENAMED");
    assert_eq!(up.fields.custom.get(&rack_key), Some(&json!("R9-U1")));
    assert_eq!(up.fields.custom.get("cf202"), Some(&json!("CC-42")));
    assert_eq!(
        up.fields.custom.get("cf201"),
        srv.fields.custom.get("cf201"),
        "other custom fields kept"
    );
    assert_eq!(
        up.fields.serial, srv.fields.serial,
        "serial kept although `fields` was replaced"
    );
    let held = st.asset(srv.remote_id).expect("held");
    assert_eq!(held["key_field"], json!("SRV-RENAMED"));

    // A printer's name lives in a different key field (per-type keyfield_id).
    let prn = all
        .iter()
        .find(|a| a.fields.type_id == Some(ids::T_PRINTER))
        .expect("a printer");
    c.update_asset(
        prn.remote_id,
        &patch(&[(AssetField::Name, json!("PRN-LOBBY"))]),
    )
    .await
    .expect("rename");
    let held = st.asset(prn.remote_id).expect("held");
    assert_eq!(
        field_value(&held, ids::F_PRINTER_NAME),
        Some(json!("PRN-LOBBY"))
    );
    assert_eq!(field_value(&held, ids::F_DEVICE_NAME), None);
}

#[tokio::test]
async fn field_mapping_is_configurable() {
    let server = start(HaloConfig::default()).await.expect("sandbox");
    let mut s = settings(&server);
    s.field_mapping = FieldMapping {
        overrides: [(InfoSlot::Serial, FieldRef::Name("Firmware Version".into()))].into(),
    };
    let c = client(&server, s);
    let map = c.field_map().await.expect("map");
    assert_eq!(map.slots.get(&InfoSlot::Serial), Some(&ids::F_FIRMWARE));
    let types = c.asset_types().await.expect("types");
    let server_type = types
        .iter()
        .find(|t| t.remote_id == ids::T_SERVER)
        .expect("server type");
    let keys: Vec<&str> = server_type.fields.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            ids::F_SERIAL.to_string().as_str(),
            ids::F_RACK.to_string().as_str()
        ]
    );
}

#[tokio::test]
async fn parent_child_links_via_parent_assets() {
    let (server, c) = setup(HaloConfig::default()).await;
    let st = server.state();
    let all: Vec<_> = c
        .asset_pages(AssetQuery::default())
        .try_collect::<Vec<_>>()
        .await
        .expect("pull")
        .concat();
    let vm = all
        .iter()
        .find(|a| a.fields.type_id == Some(ids::T_VM))
        .expect("a seeded VM");
    let host = vm
        .parent_remote_id
        .expect("list rows carry the parent (parent_id)");
    assert!(
        c.children_of(host)
            .await
            .expect("children")
            .contains(&vm.remote_id)
    );

    let mut f = new_workstation("SN-VM-1");
    f.type_id = Some(ids::T_VM);
    f.serial = None;
    f.model = None;
    f.manufacturer = None;
    f.purchase_date = None;
    f.asset_tag = Some("AT-VM-NEW".into());
    let created = c
        .create_asset(&f, Some(host))
        .await
        .expect("create under host");
    assert_eq!(created.parent_remote_id, Some(host));
    assert_eq!(
        st.asset(created.remote_id).expect("held")["parent_assets"],
        json!([{"id": host}])
    );
    let moved = c.set_parent(created.remote_id, None).await.expect("unlink");
    assert_eq!(moved.parent_remote_id, None);
    assert!(
        !c.children_of(host)
            .await
            .expect("children")
            .contains(&created.remote_id)
    );
}

#[tokio::test]
async fn tickets_link_to_assets() {
    let (server, c) = setup(HaloConfig::default()).await;
    let id = server.state().asset_ids()[3];
    let asset = c.get_asset(id).await.expect("get").expect("exists");
    let t = c
        .create_ticket(
            id,
            asset.fields.site_id,
            &NewTicket {
                client_id: asset.fields.client_id.expect("client"),
                summary: "Fan noise".into(),
                details: "Loud".into(),
            },
        )
        .await
        .expect("ticket");
    assert!(server.state().tickets_of(id).contains(&t.remote_id));
    assert!(t.opened_at.is_some(), "Z + 7 fraction digits parsed");
    let listed = c.asset_tickets(id).await.expect("list");
    assert!(
        listed
            .iter()
            .any(|x| x.remote_id == t.remote_id && x.summary == "Fan noise")
    );
    let err = c
        .create_ticket(
            id,
            None,
            &NewTicket {
                client_id: 12,
                summary: " ".into(),
                details: String::new(),
            },
        )
        .await
        .expect_err("summary required");
    assert!(
        matches!(err, HaloError::Validation { ref errors } if errors[0].field == "summary"),
        "{err}"
    );
}

#[tokio::test]
async fn lookups_with_float_ids_and_statuses() {
    let (_server, c) = setup(HaloConfig::default()).await;
    let clients = c.clients().await.expect("clients");
    assert_eq!(clients.len(), 4);
    let sites = c.sites(Some(clients[0].remote_id)).await.expect("sites");
    assert_eq!(sites.len(), 2);
    assert!(
        sites.iter().all(|s| s.client_id == clients[0].remote_id),
        "client_id 12.0 parsed"
    );
    let users = c.users(None).await.expect("users");
    assert_eq!(users.len(), 24);
    assert!(
        users
            .iter()
            .all(|u| u.site_id.is_some() && u.email.is_some()),
        "site_id floats parsed"
    );
    assert_eq!(c.suppliers().await.expect("suppliers").len(), 3);
    assert_eq!(c.contracts(Some(12)).await.expect("contracts").len(), 1);
    assert_eq!(c.asset_groups().await.expect("groups").len(), 3);
    let statuses = c.asset_statuses().await.expect("statuses");
    let names: BTreeMap<i64, (String, bool)> = statuses
        .into_iter()
        .map(|s| (s.remote_id, (s.name, s.retired)))
        .collect();
    assert_eq!(names.len(), 5, "union of allowed_status over types");
    assert_eq!(names.get(&4), Some(&("Retired".to_owned(), true)));
    assert_eq!(names.get(&1), Some(&("Active".to_owned(), false)));
    // Each type keeps the statuses it allows; `allowall_status` means any.
    let types = c.asset_types().await.expect("types");
    let allowed = |name: &str| {
        types
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.allowed_statuses.clone())
            .expect("type")
    };
    assert_eq!(allowed("Server"), Some(vec![1, 2, 4, 5]));
    assert_eq!(allowed("Virtual Machine"), None);
}

#[tokio::test]
async fn validation_errors_use_neutral_field_names() {
    let (_server, c) = setup(HaloConfig::default()).await;
    let mut f = new_workstation("SN-V-1");
    f.type_id = Some(999);
    let err = c.create_asset(&f, None).await.expect_err("unknown type");
    assert!(
        matches!(err, HaloError::Validation { ref errors } if errors.iter().any(|e| e.field == "type_id")),
        "{err}"
    );
    assert!(!err.may_have_applied());
    let f = new_workstation("SN-V-2");
    c.create_asset(&f, None).await.expect("first");
    let err = c.create_asset(&f, None).await.expect_err("duplicate tag");
    assert!(
        matches!(err, HaloError::Validation { ref errors } if errors[0].field == "asset_tag" && errors[0].message == "Asset tag must be unique"),
        "{err}"
    );
    let mut f = new_workstation("SN-V-3");
    f.type_id = None;
    let err = c.create_asset(&f, None).await.expect_err("type required");
    assert!(matches!(err, HaloError::Validation { ref errors } if errors[0].field == "type_id"));
}

#[tokio::test]
async fn throttling_429_is_waited_out_and_limiter_prevents_it() {
    let config = HaloConfig {
        rate_limit: Some(RateLimit {
            max_requests: 6,
            window: Duration::from_millis(400),
        }),
        ..HaloConfig::default()
    };
    let server = start(config).await.expect("sandbox");
    let mut s = settings(&server);
    s.rate_limit = None; // no client limiter: the server's 429s must be handled
    s.throttle_backoff = Duration::from_millis(150);
    let c = client(&server, s);
    for _ in 0..4 {
        c.clients().await.expect("eventually served");
        c.suppliers().await.expect("eventually served");
    }
    let st = server.state();
    assert!(st.request_count("429") > 0, "server throttled");
    // 1 token + 8 calls, and each 429 cost exactly one repeat.
    assert_eq!(
        st.total_requests(),
        9 + st.request_count("429"),
        "{:?}",
        st.request_counts()
    );

    // With Retry-After on, the wait follows the header.
    st.configure(|cfg| cfg.retry_after = true);
    c.clients().await.expect("served");

    // With the client limiter matching the server's window: no 429 at all (after the
    // server's window forgot the first client's requests).
    tokio::time::sleep(Duration::from_millis(450)).await;
    st.reset_counters();
    let mut s = settings(&server);
    s.rate_limit = Some(RateLimitSettings {
        max_requests: 6,
        window: Duration::from_millis(420),
    });
    let c2 = client(&server, s);
    let t0 = Instant::now();
    for _ in 0..5 {
        c2.clients().await.expect("served");
        c2.suppliers().await.expect("served");
    }
    assert_eq!(st.request_count("429"), 0, "limiter keeps under the window");
    assert!(
        t0.elapsed() >= Duration::from_millis(420),
        "it had to wait at least one window"
    );
}

#[tokio::test]
async fn rate_limited_after_the_retry_budget() {
    let config = HaloConfig {
        rate_limit: Some(RateLimit {
            max_requests: 2,
            window: Duration::from_secs(30),
        }),
        ..HaloConfig::default()
    };
    let server = start(config).await.expect("sandbox");
    let mut s = settings(&server);
    s.rate_limit = None;
    s.max_throttle_retries = 2;
    s.throttle_backoff = Duration::from_millis(10);
    let c = client(&server, s);
    let err = loop {
        if let Err(e) = c.suppliers().await {
            break e;
        }
    };
    assert!(matches!(err, HaloError::RateLimited { .. }), "{err}");
    assert!(!err.may_have_applied());
    assert_eq!(
        server.state().request_count("429"),
        3,
        "first try + 2 retries"
    );
}

#[tokio::test]
async fn server_errors_retried_for_reads_not_for_creates() {
    let (server, c) = setup(HaloConfig::default()).await;
    c.authenticate().await.expect("token");
    let st = server.state();
    st.fail_next(&[500, 503]);
    c.suppliers().await.expect("third attempt succeeds");
    assert_eq!(st.request_count("GET /api/Supplier"), 3);
    c.field_map().await.expect("schema");
    let count = st.asset_count();
    st.fail_next(&[502]);
    let err = c
        .create_asset(&new_workstation("SN-5XX"), None)
        .await
        .expect_err("create not retried");
    assert!(
        matches!(err, HaloError::Server { status: 502, .. }) && err.may_have_applied(),
        "{err}"
    );
    assert_eq!(st.request_count("POST /api/Asset"), 1);
    assert_eq!(st.asset_count(), count);
}

#[tokio::test]
async fn dropped_connection_after_create_is_ambiguous_and_reconcilable() {
    let (server, c) = setup(HaloConfig::default()).await;
    c.field_map().await.expect("schema");
    let st = server.state();
    let marker = "ad-op-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    let mut f = new_workstation("SN-DROP-1");
    f.notes = Some(format!("[{marker}]"));
    st.drop_next_writes(1);
    let err = c
        .create_asset(&f, None)
        .await
        .expect_err("connection dropped");
    assert!(err.may_have_applied(), "{err:?}");
    assert_eq!(
        st.request_count("POST /api/Asset"),
        1,
        "a create is never blindly retried"
    );
    let found = c
        .find_candidates(&CandidateQuery {
            marker: Some(marker.into()),
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(found.len(), 1, "the create landed exactly once");
    let by_key = c
        .find_candidates(&CandidateQuery {
            client_id: Some(12),
            name: Some("ws-new-1".into()),
            serial: Some("SN-DROP-1".into()),
            marker: None,
        })
        .await
        .expect("search");
    assert_eq!(by_key.len(), 1);
    assert_eq!(by_key[0].remote_id, found[0].remote_id);
}

#[tokio::test]
async fn timeouts_are_bounded_and_ambiguous() {
    let (server, c) = setup(HaloConfig::default()).await;
    c.field_map().await.expect("schema");
    let mut s = c.settings().clone();
    s.request_timeout = Duration::from_millis(200);
    s.max_retries = 1;
    let c = client(&server, s);
    c.authenticate().await.expect("token");
    server
        .state()
        .configure(|cfg| cfg.faults.latency = Duration::from_millis(600));
    let t0 = Instant::now();
    let err = c.suppliers().await.expect_err("too slow");
    assert!(
        matches!(err, HaloError::Timeout(_)) && err.may_have_applied() && err.is_transient(),
        "{err}"
    );
    assert!(t0.elapsed() < Duration::from_secs(3));
    assert_eq!(
        server.state().request_count("GET /api/Supplier"),
        2,
        "one retry for a read"
    );
}

#[tokio::test]
async fn permission_report_names_the_missing_permission() {
    let config = HaloConfig {
        granted_scopes: vec!["read:assets".into(), "read:tickets".into()],
        ..HaloConfig::default()
    };
    let server = start(config).await.expect("sandbox");
    let mut s = settings(&server);
    s.scope = "read:assets read:tickets".into();
    let c = client(&server, s);
    let report = c.check_permissions().await;
    assert!(report.get("sign_in").is_some_and(|x| x.ok));
    assert!(report.get("read_assets").is_some_and(|x| x.ok));
    let edit = report.get("edit_assets").expect("edit line");
    assert!(
        !edit.ok
            && edit
                .missing
                .as_deref()
                .is_some_and(|m| m.contains("edit:assets")),
        "{edit:?}"
    );
    let clients = report.get("read_clients").expect("clients line");
    assert!(
        clients
            .missing
            .as_deref()
            .is_some_and(|m| m.contains("read:customers")),
        "{clients:?}"
    );
    let tickets = report.get("create_tickets").expect("tickets line");
    assert!(
        !tickets.ok
            && tickets
                .missing
                .as_deref()
                .is_some_and(|m| m.contains("edit:tickets"))
    );
    assert!(!report.all_ok());
    let err = c
        .update_asset(1000, &patch(&[(AssetField::Notes, json!("x"))]))
        .await
        .expect_err("403");
    assert!(
        matches!(err, HaloError::PermissionMissing { ref permission, .. } if permission.contains("edit:assets")),
        "{err}"
    );

    let (_s2, full) = setup(HaloConfig::default()).await;
    let report = full.check_permissions().await;
    assert!(report.all_ok(), "{report:?}");
}

#[tokio::test]
async fn restricted_agent_sees_empty_lists_and_the_report_says_why() {
    let (_server, c) = setup(HaloConfig {
        agent_restricted: true,
        ..HaloConfig::default()
    })
    .await;
    let pages: Vec<Vec<_>> = c
        .asset_pages(AssetQuery::default())
        .try_collect()
        .await
        .expect("pull");
    assert_eq!(pages.concat().len(), 0);
    let report = c.check_permissions().await;
    let line = report.get("read_assets").expect("line");
    assert!(line.detail.contains("all customers"), "{line:?}");
}

#[tokio::test]
async fn remote_edits_between_calls_are_seen() {
    let (server, c) = setup(HaloConfig::default()).await;
    let id = server
        .state()
        .asset_ids()
        .into_iter()
        .find(|i| {
            server
                .state()
                .asset(*i)
                .is_some_and(|a| a["assettype_id"] == json!(ids::T_WORKSTATION))
        })
        .expect("a workstation");
    assert!(server.state().remote_edit(id, json!({"notes": "edited in Halo", "fields": [{"id": ids::F_DEVICE_NAME, "value": "WS-REMOTE"}]})));
    let a = c.get_asset(id).await.expect("get").expect("exists");
    assert_eq!(a.fields.notes.as_deref(), Some("edited in Halo"));
    assert_eq!(a.fields.name, "WS-REMOTE");
    assert_eq!(
        a.fields.serial, None,
        "remote edit replaced `fields` wholesale"
    );
}

#[tokio::test]
async fn client_and_its_futures_can_move_across_tasks() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let (_server, c) = setup(HaloConfig {
        assets: 5,
        ..HaloConfig::default()
    })
    .await;
    send_sync(&c);
    {
        let stream = c.asset_pages(AssetQuery::default());
        send(&stream);
        let empty = Patch::new();
        let fut = c.update_asset(1000, &empty);
        send(&fut);
    }
    let c = std::sync::Arc::new(c);
    let c2 = c.clone();
    let n = tokio::spawn(async move { c2.clients().await.map(|v| v.len()) })
        .await
        .expect("task");
    assert_eq!(n.expect("clients"), 4);
}

/// Offline at a client site: nothing listens where HaloPSA should be. Sign-in gives up
/// after one quick retry (the scheduler tries again later); with the default 500 ms retry
/// base, backing off through all four retries took 7.5–15 s before the sync could say
/// "offline". Generous bound: one retry waits at most 1 s.
#[tokio::test]
async fn an_unreachable_server_fails_fast_as_a_connection_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    // The listener is gone: connections to the port are refused.
    let s = HaloSettings::new(
        ConnectionId("halo-offline".into()),
        &format!("http://127.0.0.1:{port}"),
        "client-id",
    )
    .expect("loopback settings are valid");
    let c = HaloClient::new(s, Secret::new("s3cret")).expect("client builds");
    let outcome = tokio::time::timeout(Duration::from_secs(4), c.authenticate())
        .await
        .expect("an unreachable server must not keep the sync waiting");
    let err = outcome.expect_err("nothing listens");
    assert!(matches!(err, HaloError::Connection { .. }), "{err:?}");
}
