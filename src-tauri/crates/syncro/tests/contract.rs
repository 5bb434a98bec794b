//! Contract tests: the client against the Syncro sandbox, with the sandbox's request
//! counters proving how many calls each operation costs.

use std::collections::BTreeSet;
use std::time::Duration;

use assetdesk_domain::{AssetField, AssetFields, ConnectionId, CustomFieldKind, NewTicket, Patch};
use assetdesk_sandbox::syncro::{
    Permissions, PropertiesOnPut, RateLimit, Rwd, SyncroConfig, SyncroServer, TimestampStyle, start,
};
use assetdesk_syncro::{
    ApiToken, AssetChange, AssetQuery, Error, FieldMapping, LinkSupport, MatchKind, NewAsset,
    PropertiesOnCreate, RateBudget, ReconcileProbe, SyncroClient, SyncroSettings,
};
use chrono::NaiveDate;
use futures::TryStreamExt;
use serde_json::{Value, json};

/// Sandbox limiter scaled 100× (180 per 0.6 s) so tests exercise it without waiting.
fn fast(mut c: SyncroConfig) -> SyncroConfig {
    c.rate_limit = Some(RateLimit::SYNCRO.scaled(100.0));
    c
}

fn settings(server: &SyncroServer) -> SyncroSettings {
    let mut s = SyncroSettings::new(ConnectionId("conn-1".into()), server.api_base()).unwrap();
    s.rate = Some(RateBudget::DEFAULT.scaled(100.0));
    s.timeout = Duration::from_secs(5);
    s
}

fn client(server: &SyncroServer, f: impl FnOnce(&mut SyncroSettings)) -> SyncroClient {
    let mut s = settings(server);
    f(&mut s);
    SyncroClient::new(s, ApiToken::new(server.token())).unwrap()
}

async fn setup(config: SyncroConfig) -> (SyncroServer, SyncroClient) {
    let server = start(fast(config)).await.unwrap();
    let c = client(&server, |_| {});
    (server, c)
}

fn new_laptop(name: &str, customer: i64, serial: Option<&str>) -> AssetFields {
    AssetFields {
        name: name.into(),
        client_id: Some(customer),
        type_id: Some(1001), // "Laptop" in the sandbox seed
        serial: serial.map(str::to_owned),
        manufacturer: Some("Lenovo".into()),
        model: Some("ThinkPad T14".into()),
        warranty_end: NaiveDate::from_ymd_opt(2028, 6, 30),
        purchase_date: NaiveDate::from_ymd_opt(2025, 6, 30),
        custom: [("Location".to_owned(), json!("Branch"))].into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn token_travels_in_a_header_with_an_identifying_user_agent() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let me = c.me().await.unwrap();
    assert_eq!(me.subdomain.as_deref(), Some("sandbox"));
    assert!(me.admin);
    c.customers().await.unwrap();
    assert_eq!(server.handle().api_key_requests(), 0);
    let agents = server.handle().user_agents();
    assert!(
        agents.iter().all(|ua| ua.starts_with("AssetDesk/")),
        "{agents:?}"
    );
    // The token never shows in Debug output of the client or its errors.
    let dbg = format!("{c:?}");
    assert!(!dbg.contains(server.token()), "token leaked in Debug");
}

#[tokio::test]
async fn capability_report_names_missing_permissions_and_401_carries_syncro_message() {
    let (server, _) = setup(SyncroConfig::default()).await;
    let token = server.mint_token(Permissions {
        asset: Rwd::READ,
        customer: Rwd::ALL,
        ticket: Rwd::NONE,
    });
    let mut s = settings(&server);
    s.mapping = FieldMapping::default();
    let c = SyncroClient::new(s, ApiToken::new(token)).unwrap();
    let caps = c.capabilities().await.unwrap();
    assert!(caps.list_assets && !caps.edit_assets && !caps.read_tickets && !caps.delete_assets);
    assert!(
        caps.missing.iter().any(|m| m.contains("Assets - Edit")),
        "{:?}",
        caps.missing
    );
    assert!(caps.missing.iter().any(|m| m.contains("Tickets - Create")));
    let id = server.handle().asset_ids()[0];
    let change = AssetChange {
        patch: Patch::from([(AssetField::Name, json!("renamed"))]),
        parent: None,
    };
    match c.update_asset(id, &change).await {
        Err(Error::Auth { message }) => assert!(
            message.contains("update your group permissions"),
            "{message}"
        ),
        other => panic!("expected Auth, got {other:?}"),
    }
    server.handle().revoke_token(server.token());
    let full = client(&server, |_| {});
    assert!(matches!(full.me().await, Err(Error::Auth { .. })));
}

#[tokio::test]
async fn listing_walks_every_page_whatever_the_page_size() {
    for (size, honor) in [(25, false), (50, false), (100, true)] {
        let cfg = SyncroConfig {
            assets: 237,
            asset_page_size: size,
            honor_per_page: honor,
            ..Default::default()
        };
        let (server, c) = setup(cfg).await;
        let all: Vec<_> = c
            .stream_assets(AssetQuery::default())
            .try_collect()
            .await
            .unwrap();
        let ids: BTreeSet<i64> = all.iter().map(|a| a.remote_id).collect();
        assert_eq!(ids.len(), 237, "page size {size}");
        assert_eq!(ids, server.handle().asset_ids().into_iter().collect());
        let pages = 237u64.div_ceil(if honor { 100 } else { u64::from(size) });
        let h = server.handle();
        assert_eq!(
            h.count("GET /customer_assets"),
            pages,
            "page size {size}: one request per page"
        );
        assert_eq!(
            h.count("GET /customer_assets/{id}"),
            0,
            "no per-asset GETs (N+1)"
        );
        assert_eq!(h.count("GET /settings"), 1);
    }
}

#[tokio::test]
async fn paging_is_resumable_from_a_stored_cursor() {
    let (server, c) = setup(SyncroConfig {
        assets: 120,
        ..Default::default()
    })
    .await;
    let first = c
        .assets_page(&AssetQuery::default(), c.first_cursor())
        .await
        .unwrap();
    assert_eq!(first.total_entries, Some(120));
    assert_eq!(first.total_pages, Some(2));
    let stored = serde_json::to_string(&first.next.unwrap()).unwrap();
    // A new client (after a restart) continues from the checkpoint.
    let c2 = client(&server, |_| {});
    let second = c2
        .assets_page(
            &AssetQuery::default(),
            serde_json::from_str(&stored).unwrap(),
        )
        .await
        .unwrap();
    assert!(second.next.is_none());
    let ids: BTreeSet<i64> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|a| a.remote_id)
        .collect();
    assert_eq!(ids.len(), 120);
}

#[tokio::test]
async fn gateway_timeout_on_big_pages_shrinks_the_page_without_skipping_rows() {
    let (server, c) = setup(SyncroConfig {
        assets: 230,
        ..Default::default()
    })
    .await;
    server
        .handle()
        .update_config(|c| c.faults.gateway_timeout_above = Some(40));
    let all: Vec<_> = c
        .stream_assets(AssetQuery::default())
        .try_collect()
        .await
        .unwrap();
    let ids: BTreeSet<i64> = all.iter().map(|a| a.remote_id).collect();
    assert_eq!(ids.len(), 230);
    // 100 → 504, 50 → 504, 25 → ok: two failed tries, then 10 pages of 25.
    assert_eq!(server.handle().count("GET /customer_assets"), 2 + 10);
}

#[tokio::test]
async fn filters_reach_the_server() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let customer = server.handle().customer_ids()[1];
    let q = AssetQuery {
        customer_id: Some(customer),
        asset_type_id: Some(1001),
        query: None,
    };
    let page = c.assets_page(&q, c.first_cursor()).await.unwrap();
    assert!(!page.items.is_empty());
    assert!(
        page.items
            .iter()
            .all(|a| a.fields.client_id == Some(customer) && a.fields.type_id == Some(1001))
    );
}

#[tokio::test]
async fn get_returns_none_on_404_and_maps_fields() {
    let (server, c) = setup(SyncroConfig::demo()).await;
    assert!(c.get_asset(1).await.unwrap().is_none());
    let h = server.handle();
    // A laptop carries Make/Model/dates as custom fields and agent data in kabuto_information.
    let id = h
        .asset_ids()
        .into_iter()
        .find(|id| {
            h.asset_json(*id)
                .is_some_and(|a| a["asset_type"] == "Laptop")
        })
        .unwrap();
    let a = c.get_asset(id).await.unwrap().unwrap();
    let raw = h.asset_json(id).unwrap();
    assert_eq!(a.fields.name, raw["name"].as_str().unwrap());
    assert_eq!(
        a.fields.manufacturer.as_deref(),
        raw["properties"]["Make"].as_str()
    );
    let want = NaiveDate::parse_from_str(
        raw["properties"]["Warranty Expiration"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .ok();
    assert_eq!(a.fields.warranty_end, want);
    assert!(a.facts.agent.contains_key("last_user"));
    assert_eq!(a.fields.type_id, Some(1001));
    assert!(a.updated_at.is_some());
}

#[tokio::test]
async fn create_puts_properties_when_the_account_ignores_them() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let h = server.handle().clone();
    let customer = h.customer_ids()[0];
    let created = c
        .create_asset(&NewAsset {
            fields: new_laptop("LT-NEW-1", customer, Some("SN-NEW-1")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(h.count("POST /customer_assets"), 1);
    assert_eq!(
        h.count("PUT /customer_assets/{id}"),
        1,
        "ignored properties are PUT right after"
    );
    let stored = h.asset_json(created.remote_id).unwrap();
    assert_eq!(stored["properties"]["Warranty Expiration"], "2028-06-30");
    assert_eq!(stored["properties"]["Make"], "Lenovo");
    assert_eq!(stored["properties"]["Location"], "Branch");
    assert_eq!(stored["asset_serial"], "SN-NEW-1");
    assert_eq!(
        created.fields.warranty_end,
        NaiveDate::from_ymd_opt(2028, 6, 30)
    );

    // An account that keeps properties on create costs one request.
    h.update_config(|c| c.ignore_properties_on_create = false);
    h.reset_counters();
    c.create_asset(&NewAsset {
        fields: new_laptop("LT-NEW-2", customer, None),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(h.count("PUT /customer_assets/{id}"), 0);

    // AlwaysPut posts without properties and always follows up.
    let always = client(&server, |s| {
        s.properties_on_create = PropertiesOnCreate::AlwaysPut
    });
    h.reset_counters();
    let a = always
        .create_asset(&NewAsset {
            fields: new_laptop("LT-NEW-3", customer, None),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(h.count("PUT /customer_assets/{id}"), 1);
    assert_eq!(a.fields.model.as_deref(), Some("ThinkPad T14"));
}

#[tokio::test]
async fn update_is_read_modify_write_and_never_drops_agent_data() {
    let (server, c) = setup(SyncroConfig::demo()).await;
    let h = server.handle().clone();
    assert_eq!(h.config().properties_on_put, PropertiesOnPut::Replace);
    let id = h
        .asset_ids()
        .into_iter()
        .find(|id| {
            h.asset_json(*id)
                .is_some_and(|a| a["asset_type"] == "Desktop")
        })
        .unwrap();
    let before = h.asset_json(id).unwrap();
    // Someone edits another property in the Syncro UI meanwhile.
    assert!(h.remote_edit(id, "properties.Asset Tag", json!("AT-REMOTE")));
    let change = AssetChange {
        patch: Patch::from([
            (AssetField::WarrantyEnd, json!("2030-01-31")),
            (AssetField::Custom("Rack".into()), json!("R7")),
            (AssetField::Model, Value::Null),
        ]),
        parent: None,
    };
    h.reset_counters();
    let after = c.update_asset(id, &change).await.unwrap();
    assert_eq!(h.count("GET /customer_assets/{id}"), 1);
    assert_eq!(h.count("PUT /customer_assets/{id}"), 1);
    let stored = h.asset_json(id).unwrap();
    assert_eq!(
        stored["properties"]["kabuto_information"],
        before["properties"]["kabuto_information"]
    );
    assert_eq!(stored["properties"]["Asset Tag"], "AT-REMOTE");
    assert_eq!(stored["properties"]["Warranty Expiration"], "2030-01-31");
    assert_eq!(stored["properties"]["Model"], Value::Null);
    assert_eq!(
        stored["name"], before["name"],
        "name is resent unchanged (required on PUT)"
    );
    assert_eq!(after.fields.custom.get("Rack"), Some(&json!("R7")));
    // Lists show the new state too (the sandbox caches rendered rows).
    let listed: Vec<_> = c
        .stream_assets(AssetQuery::default())
        .try_collect()
        .await
        .unwrap();
    let row = listed.iter().find(|a| a.remote_id == id).unwrap();
    assert_eq!(
        row.fields.warranty_end,
        NaiveDate::from_ymd_opt(2030, 1, 31)
    );
    // Model falls back to agent data once the custom field is cleared.
    assert_eq!(
        after.fields.model.as_deref(),
        before["properties"]["kabuto_information"]["general"]["model"].as_str()
    );

    // Same outcome on an account whose PUT merges.
    h.update_config(|c| c.properties_on_put = PropertiesOnPut::Merge);
    let clear = AssetChange {
        patch: Patch::from([(AssetField::Custom("Rack".into()), Value::Null)]),
        parent: None,
    };
    let a = c.update_asset(id, &clear).await.unwrap();
    assert!(!a.fields.custom.contains_key("Rack"));

    // Deleted in the UI → NotFound.
    h.remote_delete(id);
    assert!(matches!(
        c.update_asset(id, &clear).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn writes_syncro_cannot_hold_are_refused_before_any_request() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let id = server.handle().asset_ids()[0];
    server.handle().reset_counters();
    let change = AssetChange {
        patch: Patch::from([(AssetField::Os, json!("Linux"))]),
        parent: None,
    };
    match c.update_asset(id, &change).await {
        Err(Error::Validation(v)) => {
            assert_eq!(v.status, None);
            assert!(v.for_field(&AssetField::Os).is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.handle().total_requests(), 0);
}

#[tokio::test]
async fn delete_is_not_supported_unless_configured() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let id = server.handle().asset_ids()[0];
    match c.delete_asset(id).await {
        Err(e @ Error::NotSupported { .. }) => {
            assert!(e.to_string().contains("not supported by Syncro"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.handle().total_requests(), 0);
    server.handle().update_config(|c| c.asset_delete = true);
    let c2 = client(&server, |s| s.asset_delete_supported = true);
    c2.delete_asset(id).await.unwrap();
    assert!(server.handle().asset_json(id).is_none());
}

#[tokio::test]
async fn validation_errors_come_back_per_neutral_field() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let h = server.handle();
    let existing = h.asset_json(h.asset_ids()[0]).unwrap();
    let serial = existing["asset_serial"].as_str().unwrap().to_owned();
    let customer = h.customer_ids()[0];
    let err = c
        .create_asset(&NewAsset {
            fields: new_laptop("LT-DUP", customer, Some(&serial)),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let v = err.validation().expect("422");
    assert_eq!(v.status, Some(422));
    assert!(v.is_duplicate_serial(), "{v}");
    assert_eq!(
        v.for_field(&AssetField::Serial).unwrap().message,
        "Asset serial has already been taken"
    );
    assert!(!err.may_have_been_applied());
    // The engine then re-finds the owner of the serial.
    let found = c
        .find_candidates(&ReconcileProbe {
            serial: Some(serial.clone()),
            name: "LT-DUP".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found[0].matched_by, MatchKind::Serial);
    assert_eq!(found[0].asset.remote_id, existing["id"].as_i64().unwrap());

    let blank = AssetChange {
        patch: Patch::from([(AssetField::Name, json!(""))]),
        parent: None,
    };
    let err = c.update_asset(h.asset_ids()[1], &blank).await.unwrap_err();
    assert!(
        err.validation()
            .unwrap()
            .for_field(&AssetField::Name)
            .is_some()
    );

    let no_type = AssetFields {
        name: "x".into(),
        ..Default::default()
    };
    let err = c
        .create_asset(&NewAsset {
            fields: no_type,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        err.validation()
            .unwrap()
            .for_field(&AssetField::Type)
            .is_some()
    );
}

#[tokio::test]
async fn dropped_connection_after_create_is_ambiguous_and_reconcilable() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let h = server.handle().clone();
    let customer = h.customer_ids()[0];
    let before = h.asset_count();
    h.update_config(|c| c.faults.drop_after_write = 1);
    let err = c
        .create_asset(&NewAsset {
            fields: new_laptop("LT-AMBIG", customer, Some("SN-AMBIG")),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.may_have_been_applied(), "{err:?}");
    assert_eq!(
        h.count("POST /customer_assets"),
        1,
        "an ambiguous POST is never retried"
    );
    assert_eq!(h.asset_count(), before + 1, "the create landed");
    let found = c
        .find_candidates(&ReconcileProbe {
            customer_id: Some(customer),
            name: "LT-AMBIG".into(),
            serial: Some("SN-AMBIG".into()),
            marker: None,
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].matched_by, MatchKind::Serial);

    // By name alone, within the customer.
    let by_name = c
        .find_candidates(&ReconcileProbe {
            customer_id: Some(customer),
            name: "lt-ambig".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].matched_by, MatchKind::Name);

    // A 5xx on POST is ambiguous too and not retried.
    h.update_config(|c| c.faults.fail_next.push_back(500));
    h.reset_counters();
    let err = c
        .create_asset(&NewAsset {
            fields: new_laptop("LT-5XX", customer, None),
            ..Default::default()
        })
        .await;
    assert!(err.unwrap_err().may_have_been_applied());
    assert_eq!(h.count("POST /customer_assets"), 1);
}

#[tokio::test]
async fn marker_field_confirms_our_asset_among_namesakes() {
    let (server, _) = setup(SyncroConfig::default()).await;
    let h = server.handle().clone();
    let customer = h.customer_ids()[0];
    let c = client(&server, |s| {
        s.mapping.marker = Some("AssetDesk ID".into());
        s.properties_on_create = PropertiesOnCreate::AlwaysPut;
    });
    h.remote_create("PC-SAME", customer, None);
    let mine = c
        .create_asset(&NewAsset {
            fields: new_laptop("PC-SAME", customer, None),
            marker: Some("op-0192".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let found = c
        .find_candidates(&ReconcileProbe {
            customer_id: Some(customer),
            name: "PC-SAME".into(),
            marker: Some("op-0192".into()),
            serial: None,
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].matched_by, MatchKind::Marker);
    assert_eq!(found[0].asset.remote_id, mine.remote_id);
    assert_eq!(found[1].matched_by, MatchKind::Name);
}

#[tokio::test]
async fn rate_limit_429_with_and_without_retry_after_is_retried() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let h = server.handle().clone();
    h.update_config(|c| c.faults.force_429 = 2);
    c.me().await.unwrap();
    assert_eq!(h.count("GET /me"), 3);
    h.update_config(|c| {
        c.retry_after = true;
        c.faults.force_429 = 1;
    });
    let t = std::time::Instant::now();
    c.me().await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(550),
        "Retry-After: 1 capped at the (scaled) window"
    );
    let impatient = client(&server, |s| s.max_retries = 1);
    h.update_config(|c| {
        c.retry_after = false;
        c.faults.force_429 = 5;
    });
    assert!(matches!(
        impatient.me().await,
        Err(Error::RateLimited { .. })
    ));
}

#[tokio::test]
async fn client_limiter_keeps_below_the_server_limit() {
    // Server: 30 per 300 ms. Client: 27 per 300 ms (the default 170/180 margin, scaled).
    let cfg = SyncroConfig {
        rate_limit: Some(RateLimit {
            requests: 30,
            window: Duration::from_millis(300),
        }),
        ..Default::default()
    };
    let server = start(cfg).await.unwrap();
    let c = client(&server, |s| {
        s.rate = Some(RateBudget {
            requests: 27,
            window: Duration::from_millis(300),
        })
    });
    let t = std::time::Instant::now();
    for _ in 0..90 {
        c.me().await.unwrap();
    }
    assert_eq!(server.handle().too_many_requests(), 0);
    assert!(
        t.elapsed() >= Duration::from_millis(550),
        "90 requests at 27/300ms need ≥ 2 windows"
    );
    // Two connections to the same host share the budget.
    let c2 = client(&server, |s| {
        s.rate = Some(RateBudget {
            requests: 27,
            window: Duration::from_millis(300),
        })
    });
    let (a, b) = tokio::join!(
        async {
            for _ in 0..40 {
                c.me().await.unwrap();
            }
        },
        async {
            for _ in 0..40 {
                c2.me().await.unwrap();
            }
        }
    );
    let _ = (a, b);
    assert_eq!(server.handle().too_many_requests(), 0);
}

#[tokio::test]
async fn server_errors_are_retried_on_reads_with_bounded_attempts() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let h = server.handle().clone();
    h.update_config(|c| {
        c.faults.fail_next.extend([500, 503]);
        c.faults.html_502 = 1;
    });
    assert!(!c.customers().await.unwrap().is_empty());
    assert_eq!(h.count("GET /customers"), 4);
    let few = client(&server, |s| s.max_retries = 2);
    h.update_config(|c| c.faults.fail_next.extend([500, 500, 500]));
    match few.customers().await {
        Err(e @ Error::Server { status: 500, .. }) => assert!(!e.may_have_been_applied()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn timeouts_are_reported_and_ambiguous_for_writes() {
    let (server, _) = setup(SyncroConfig::default()).await;
    let h = server.handle().clone();
    let c = client(&server, |s| {
        s.timeout = Duration::from_millis(150);
        s.max_retries = 1;
    });
    let id = h.asset_ids()[0];
    c.get_asset(id).await.unwrap();
    h.update_config(|c| c.faults.latency = Duration::from_millis(400));
    let change = AssetChange {
        patch: Patch::from([(AssetField::Custom("Rack".into()), json!("R1"))]),
        parent: None,
    };
    let err = c.update_asset(id, &change).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // The GET that timed out is a read: nothing applied.
    assert!(!err.may_have_been_applied());
}

#[tokio::test]
async fn lookups_customers_contacts_types_and_mapping_detection() {
    let (server, c) = setup(SyncroConfig::demo()).await;
    let customers = c.customers().await.unwrap();
    assert_eq!(customers.len(), 12);
    assert!(customers.iter().any(|x| x.name == "Northwind Dental"));
    let contacts = c.contacts(Some(customers[0].remote_id)).await.unwrap();
    assert!(
        !contacts.is_empty()
            && contacts
                .iter()
                .all(|p| p.client_id == Some(customers[0].remote_id))
    );
    assert!(contacts.iter().all(|p| p.email.is_some()));
    let one = c.contact(contacts[0].remote_id).await.unwrap().unwrap();
    assert_eq!(
        one, contacts[0],
        "flat single contact reads like a list item"
    );
    assert!(c.contact(1).await.unwrap().is_none());
    let types = c.asset_types().await.unwrap();
    let laptop = types.iter().find(|t| t.name == "Laptop").unwrap();
    let warranty = laptop
        .fields
        .iter()
        .find(|f| f.key == "Warranty Expiration")
        .unwrap();
    assert_eq!(warranty.kind, CustomFieldKind::Date);
    assert!(
        matches!(&laptop.fields.iter().find(|f| f.key == "Location").unwrap().kind,
        CustomFieldKind::Select { options } if options.len() == 3)
    );
    let m = FieldMapping::detect(&types);
    assert_eq!(
        m.warranty_end.custom_field.as_deref(),
        Some("Warranty Expiration")
    );
    assert_eq!(
        m.purchase_date.custom_field.as_deref(),
        Some("Purchase Date")
    );
    assert_eq!(m.manufacturer.custom_field.as_deref(), Some("Make"));
    assert_eq!(m.parent_link.as_deref(), Some("Parent Asset ID"));
    assert_eq!(m.warranty_start.custom_field, None);
    drop(server);
}

#[tokio::test]
async fn parent_links_live_in_the_mapped_custom_field() {
    let (server, c) = setup(SyncroConfig::demo()).await;
    let h = server.handle().clone();
    assert!(
        matches!(c.link_support().await.unwrap(), LinkSupport::CustomField { ref field, ref types_without_field }
        if field == "Parent Asset ID" && types_without_field.contains(&"Printer".to_owned()))
    );
    // The demo has VMs linked to hosts.
    let all: Vec<_> = c
        .stream_assets(AssetQuery::default())
        .try_collect()
        .await
        .unwrap();
    let ids: BTreeSet<i64> = all.iter().map(|a| a.remote_id).collect();
    let children: Vec<_> = all
        .iter()
        .filter(|a| a.parent_remote_id.is_some())
        .collect();
    assert!(children.len() >= 20, "{}", children.len());
    assert!(
        children
            .iter()
            .all(|a| ids.contains(&a.parent_remote_id.unwrap()))
    );
    // Set and clear a link.
    let host = all
        .iter()
        .find(|a| a.facts.display.get("type").is_some_and(|t| t == "Server"))
        .unwrap()
        .remote_id;
    let child = all
        .iter()
        .find(|a| {
            a.parent_remote_id.is_none()
                && a.facts.display.get("type").is_some_and(|t| t == "Desktop")
        })
        .unwrap();
    let linked = c
        .update_asset(
            child.remote_id,
            &AssetChange {
                patch: Patch::new(),
                parent: Some(Some(host)),
            },
        )
        .await
        .unwrap();
    assert_eq!(linked.parent_remote_id, Some(host));
    assert_eq!(
        h.asset_json(child.remote_id).unwrap()["properties"]["Parent Asset ID"],
        host.to_string()
    );
    let unlinked = c
        .update_asset(
            child.remote_id,
            &AssetChange {
                patch: Patch::new(),
                parent: Some(None),
            },
        )
        .await
        .unwrap();
    assert_eq!(unlinked.parent_remote_id, None);
    // Created with a parent.
    let vm = c
        .create_asset(&NewAsset {
            fields: new_laptop("VM-NEW", linked.fields.client_id.unwrap(), None),
            parent: Some(host),
            marker: None,
        })
        .await
        .unwrap();
    assert_eq!(vm.parent_remote_id, Some(host));

    // An account without the field: the engine keeps links local.
    let (_s2, c2) = setup(SyncroConfig {
        parent_link_field: false,
        ..Default::default()
    })
    .await;
    assert!(
        matches!(c2.link_support().await.unwrap(), LinkSupport::Missing { ref reason } if reason.contains("Parent Asset ID"))
    );
    let none = client(&server, |s| s.mapping.parent_link = None);
    assert!(matches!(
        none.update_asset(
            host,
            &AssetChange {
                patch: Patch::new(),
                parent: Some(Some(1))
            }
        )
        .await,
        Err(Error::NotSupported { .. })
    ));
}

#[tokio::test]
async fn tickets_are_created_for_an_asset_and_listed_by_asset() {
    let (server, c) = setup(SyncroConfig::demo()).await;
    let h = server.handle().clone();
    let id = h.asset_ids()[3];
    let asset = c.get_asset(id).await.unwrap().unwrap();
    let customer = asset.fields.client_id.unwrap();
    let t = c
        .create_ticket(
            id,
            &NewTicket {
                client_id: customer,
                summary: "Fan is loud".into(),
                details: "Since Monday".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(t.summary, "Fan is loud");
    assert!(h.tickets_of_asset(id).contains(&t.remote_id));
    let listed = c.asset_tickets(id, customer, 50).await.unwrap();
    let want: BTreeSet<i64> = h.tickets_of_asset(id).into_iter().collect();
    let got: BTreeSet<i64> = listed.iter().map(|t| t.remote_id).collect();
    assert_eq!(got, want);
    assert_eq!(listed[0].remote_id, t.remote_id, "newest first");
    let err = c
        .create_ticket(
            id,
            &NewTicket {
                client_id: 999_999,
                summary: "x".into(),
                details: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.validation().unwrap().issues[0].message,
        "Customer required field"
    );
}

#[tokio::test]
async fn patches_endpoint_is_read() {
    let (server, c) = setup(SyncroConfig::default()).await;
    let id = server.handle().asset_ids()[3];
    let p = c.asset_patches(id).await.unwrap().unwrap();
    assert_eq!(p.installed.len(), 1);
    assert_eq!(p.available.len() as u64, p.available_total.unwrap());
    assert!(p.installed[0].at.is_some());
    assert!(c.asset_patches(5).await.unwrap().is_none());
}

#[tokio::test]
async fn timestamps_in_every_style_are_read() {
    for style in [
        TimestampStyle::UtcMillis,
        TimestampStyle::Offset,
        TimestampStyle::Nanos,
    ] {
        let (server, c) = setup(SyncroConfig {
            timestamp_style: style,
            ..Default::default()
        })
        .await;
        let id = server.handle().asset_ids()[0];
        let raw = server.handle().asset_json(id).unwrap();
        let a = c.get_asset(id).await.unwrap().unwrap();
        let want =
            chrono::DateTime::parse_from_rfc3339(raw["updated_at"].as_str().unwrap()).unwrap();
        assert_eq!(
            a.updated_at,
            Some(want.with_timezone(&chrono::Utc)),
            "{style:?}"
        );
    }
}

#[tokio::test]
async fn accepts_the_account_web_url_and_refuses_http_off_loopback() {
    let (server, _) = setup(SyncroConfig::default()).await;
    let web = format!("http://{}/customers/123", server.addr());
    let s = SyncroSettings::new(ConnectionId("x".into()), &web).unwrap();
    assert_eq!(s.base_url.as_str(), format!("{}/", server.api_base()));
    assert!(SyncroSettings::new(ConnectionId("x".into()), "http://acme.syncromsp.com").is_err());
    let mut forced = SyncroSettings::new(ConnectionId("x".into()), "acme").unwrap();
    forced.base_url = "http://acme.syncromsp.com/api/v1/".parse().unwrap();
    assert!(matches!(
        SyncroClient::new(forced, ApiToken::new("t")),
        Err(Error::Settings(_))
    ));
}

#[tokio::test]
async fn page_drift_is_visible_through_total_entries() {
    // Offset paging shifts when someone deletes a row mid-walk (sync-perf-anchors.md §1.4):
    // the engine compares the ids it saw with meta.total_entries and runs a second pass.
    let (server, c) = setup(SyncroConfig {
        assets: 120,
        ..Default::default()
    })
    .await;
    let h = server.handle().clone();
    let first = c
        .assets_page(&AssetQuery::default(), c.first_cursor())
        .await
        .unwrap();
    let mut seen: BTreeSet<i64> = first.items.iter().map(|a| a.remote_id).collect();
    h.remote_delete(first.items[0].remote_id);
    let second = c
        .assets_page(&AssetQuery::default(), first.next.unwrap())
        .await
        .unwrap();
    seen.extend(second.items.iter().map(|a| a.remote_id));
    assert!(second.next.is_none());
    assert_eq!(second.total_entries, Some(119));
    let missed = h
        .asset_ids()
        .into_iter()
        .filter(|id| !seen.contains(id))
        .count();
    assert_eq!(missed, 1, "the row that slid onto page 1 was skipped");
    assert_ne!(
        seen.len() as u64 - 1,
        second.total_entries.unwrap(),
        "the mismatch that triggers a second pass"
    );
}

/// Offline at a client site: nothing listens where Syncro should be. The client gives up
/// after one quick retry (the scheduler tries again later) instead of backing off through
/// five retries, which with the real one-minute rate window took ~8 s on average before the
/// sync could say "offline". Generous bound: one retry waits at most 0.5 s.
#[tokio::test]
async fn an_unreachable_server_fails_fast_as_a_connection_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    // The listener is gone: connections to the port are refused.
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let mut s = SyncroSettings::new(ConnectionId("conn-offline".into()), &base).unwrap();
    s.rate = Some(RateBudget::DEFAULT);
    let c = SyncroClient::new(s, ApiToken::new("t0k3n")).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(4), c.me())
        .await
        .expect("an unreachable server must not keep the sync waiting");
    let err = outcome.expect_err("nothing listens");
    assert!(
        matches!(err, assetdesk_syncro::Error::Connection { .. }),
        "{err:?}"
    );
}
