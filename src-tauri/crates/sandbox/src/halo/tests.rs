//! The emulator's own behaviour, over HTTP where the wire shape matters.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::config::{HaloConfig, PastEnd, RateLimit};
use super::routes::paginate;
use super::seed::{T_SERVER, T_VM, seed};
use super::start;
use super::state::HaloState;

#[test]
fn seed_is_deterministic_and_realistic() {
    let config = HaloConfig::demo();
    let a = seed(&config);
    let b = seed(&config);
    let names = |s: &super::seed::Seeded| {
        s.assets
            .values()
            .map(|d| d.fields.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&a), names(&b), "same seed, same tenant");
    assert_eq!(a.assets.len(), config.assets);
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
    let ends: Vec<NaiveDate> = a.assets.values().filter_map(|d| d.warranty_end).collect();
    assert!(
        ends.iter()
            .any(|e| *e < today - chrono::Duration::days(700))
    );
    assert!(
        ends.iter()
            .any(|e| *e > today + chrono::Duration::days(700))
    );
    let no_serial = a
        .assets
        .values()
        .filter(|d| d.assettype_id != T_VM && !d.fields.contains_key(&super::seed::F_SERIAL))
        .count();
    assert!(
        no_serial > 0 && no_serial < a.assets.len() / 5,
        "{no_serial} without serial"
    );
    let vms: Vec<_> = a
        .assets
        .values()
        .filter(|d| d.assettype_id == T_VM)
        .collect();
    assert!(!vms.is_empty());
    for vm in vms {
        let host = vm
            .parents
            .first()
            .and_then(|p| a.assets.get(p))
            .map(|h| h.assettype_id);
        assert_eq!(host, Some(T_SERVER), "every VM hangs under a server");
    }
    assert!(a.tickets.len() == config.tickets && a.users.len() >= config.clients * 6);
}

#[test]
fn paging_caps_and_past_the_end() {
    let items: Vec<u32> = (0..120).collect();
    let q = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let p = paginate(
        &items,
        &q(&[
            ("pageinate", "true"),
            ("page_size", "1000"),
            ("page_no", "2"),
        ]),
        50,
        PastEnd::Empty,
    );
    assert_eq!(p, (50..100).collect::<Vec<_>>(), "capped at 50");
    let p = paginate(
        &items,
        &q(&[("pageinate", "true"), ("page_size", "50"), ("page_no", "4")]),
        50,
        PastEnd::Empty,
    );
    assert!(p.is_empty());
    let p = paginate(
        &items,
        &q(&[("pageinate", "true"), ("page_size", "50"), ("page_no", "9")]),
        50,
        PastEnd::RepeatLast,
    );
    assert_eq!(p, (100..120).collect::<Vec<_>>(), "last page again");
    let p = paginate(
        &items,
        &q(&[("page_size", "10"), ("page_no", "3")]),
        50,
        PastEnd::Empty,
    );
    assert_eq!(p.len(), 50, "without pageinate page params are ignored");
    let p = paginate(&items, &q(&[("count", "7")]), 50, PastEnd::Empty);
    assert_eq!(p.len(), 7);
}

#[test]
fn rolling_window_admits_exactly_the_limit() {
    let state = HaloState::new(HaloConfig {
        assets: 1,
        rate_limit: Some(RateLimit {
            max_requests: 3,
            window: Duration::from_secs(10),
        }),
        ..HaloConfig::default()
    });
    let mut g = state.lock();
    let t0 = Instant::now();
    for _ in 0..3 {
        assert!(g.admit(t0).is_ok());
    }
    let wait = g
        .admit(t0 + Duration::from_secs(4))
        .expect_err("fourth refused");
    assert_eq!(wait, Duration::from_secs(6));
    assert!(
        g.admit(t0 + Duration::from_secs(10)).is_ok(),
        "oldest left the window"
    );
}

#[test]
fn writes_replace_arrays_and_validate() {
    let state = HaloState::new(HaloConfig {
        assets: 30,
        ..HaloConfig::default()
    });
    let id = state.asset_ids()[0];
    assert!(state.remote_edit(
        id,
        json!({"fields": [{"id": 117, "value": "ONLY"}], "custom_thing": 5})
    ));
    let a = state.asset(id).unwrap_or(Value::Null);
    assert_eq!(
        a["fields"].as_array().map(Vec::len),
        Some(1),
        "fields replaced wholesale"
    );
    assert_eq!(a["custom_thing"], json!(5), "unknown keys round-trip");
    assert!(!state.remote_edit(id, json!({"status_id": 999})));
    assert!(
        !state.remote_edit(id, json!({"parent_assets": [{"id": id}]})),
        "no self-parent"
    );
    assert!(!state.remote_edit(424_242, json!({"notes": "x"})));
    assert!(state.remote_delete(id) && !state.remote_delete(id));
}

#[tokio::test]
async fn http_surface_auth_envelopes_and_429_text() {
    let server = start(HaloConfig {
        assets: 10,
        rate_limit: Some(RateLimit {
            max_requests: 6,
            window: Duration::from_secs(60),
        }),
        retry_after: true,
        ..HaloConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start: {e}"));
    let http = reqwest::Client::new();
    let bad = http
        .post(format!("{}/token", server.auth_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "x"),
            ("client_secret", "y"),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad.status().as_u16(), 401);
    assert_eq!(
        bad.json::<Value>().await.ok(),
        Some(json!({"error": "invalid_client"}))
    );
    let tok: Value = http
        .post(format!(
            "{}/token?tenant={}",
            server.auth_url(),
            server.tenant()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", server.client_id().as_str()),
            ("client_secret", server.client_secret().as_str()),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let bearer = tok["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(tok["expires_in"], json!(3600));
    // Case-insensitive paths, bare array vs envelope.
    let types: Value = http
        .get(format!("{}/assettype", server.resource_url()))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    assert!(types.is_array());
    let assets: Value = http
        .get(format!(
            "{}/asset?pageinate=true&page_size=3&page_no=1&bogus=1",
            server.resource_url()
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(assets["assets"].as_array().map(Vec::len), Some(3));
    assert!(assets["record_count"].as_u64().is_some_and(|n| n >= 3));
    let no_auth = http
        .get(format!("{}/Asset", server.resource_url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(no_auth.status().as_u16(), 401);
    // 2 token + 3 api requests so far; the 7th is refused with Halo's text.
    let r = http
        .get(format!("{}/Client", server.resource_url()))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 200);
    let r = http
        .get(format!("{}/Client", server.resource_url()))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let text = r.text().await.unwrap_or_default();
    assert_eq!(
        text,
        "Rate Limit Reached - 6 Requests per rolling 1 minute window"
    );
    assert_eq!(server.state().request_count("429"), 1);
    assert_eq!(server.state().request_count("GET /api/AssetType"), 1);
    server.shutdown().await;
}
