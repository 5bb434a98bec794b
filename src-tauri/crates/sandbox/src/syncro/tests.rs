//! The emulator's own contract, for behaviour the client deliberately never triggers
//! (query-string tokens, bare tokens, raw 429 bodies, missing routes).

use std::time::Duration;

use serde_json::{Value, json};

use super::{Permissions, RateLimit, Rwd, SyncroConfig, start};

async fn get(url: &str, auth: Option<&str>) -> (u16, Option<String>, String) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry_after, resp.text().await.unwrap_or_default())
}

#[tokio::test]
async fn accepts_the_three_auth_styles_and_counts_query_tokens() {
    let server = start(SyncroConfig::default()).await.expect("start");
    let base = server.api_base().to_owned();
    let t = server.token().to_owned();
    assert_eq!(
        get(&format!("{base}/me"), Some(&format!("Bearer {t}")))
            .await
            .0,
        200
    );
    assert_eq!(get(&format!("{base}/me"), Some(&t)).await.0, 200);
    assert_eq!(get(&format!("{base}/me?api_key={t}"), None).await.0, 200);
    assert_eq!(server.handle().api_key_requests(), 1);
    let (status, _, body) = get(&format!("{base}/me"), Some("Bearer nope")).await;
    assert_eq!(status, 401);
    assert!(body.contains("Not authorized"));
    assert_eq!(server.handle().count("GET /me"), 4);
}

#[tokio::test]
async fn restricted_tokens_get_401_with_the_permission_message() {
    let server = start(SyncroConfig::default()).await.expect("start");
    let limited = server.mint_token(Permissions {
        asset: Rwd::NONE,
        ..Permissions::full()
    });
    let (status, _, body) = get(
        &format!("{}/customer_assets", server.api_base()),
        Some(&limited),
    )
    .await;
    assert_eq!(status, 401);
    assert!(body.contains("update your group permissions"), "{body}");
    let (_, _, me) = get(&format!("{}/me", server.api_base()), Some(&limited)).await;
    let me: Value = serde_json::from_str(&me).expect("json");
    assert_eq!(
        me["permissions"]["asset"],
        json!({"read": false, "write": false, "delete": false})
    );
    assert_eq!(me["admin"], false);
}

#[tokio::test]
async fn limiter_answers_429_plain_or_json_with_optional_retry_after() {
    let cfg = SyncroConfig {
        rate_limit: Some(RateLimit {
            requests: 3,
            // Long enough that four debug-build requests fit in one window on a busy CI
            // machine (other tests seed big accounts in parallel).
            window: Duration::from_millis(1500),
        }),
        ..Default::default()
    };
    let server = start(cfg).await.expect("start");
    let url = format!("{}/me", server.api_base());
    let auth = format!("Bearer {}", server.token());
    for _ in 0..3 {
        assert_eq!(get(&url, Some(&auth)).await.0, 200);
    }
    let (status, retry_after, body) = get(&url, Some(&auth)).await;
    assert_eq!(
        (status, retry_after, body.as_str()),
        (429, None, "Retry later\n")
    );
    server.handle().update_config(|c| {
        c.retry_after = true;
        c.plain_text_429 = false;
    });
    let (status, retry_after, body) = get(&url, Some(&auth)).await;
    assert_eq!(status, 429);
    // The wait until the oldest request leaves the window, rounded up to whole seconds.
    let secs: Option<u64> = retry_after.as_deref().and_then(|s| s.parse().ok());
    assert!(matches!(secs, Some(1 | 2)), "{retry_after:?}");
    assert!(body.contains("Too many requests"));
    tokio::time::sleep(Duration::from_millis(1520)).await;
    assert_eq!(get(&url, Some(&auth)).await.0, 200, "the window slides");
    assert_eq!(server.handle().too_many_requests(), 2);
}

#[tokio::test]
async fn assets_have_no_delete_route_and_lists_use_the_assets_key() {
    let server = start(SyncroConfig::default()).await.expect("start");
    let h = server.handle();
    let id = h.asset_ids()[0];
    let client = reqwest::Client::new();
    let resp = client
        .delete(format!("{}/customer_assets/{id}", server.api_base()))
        .bearer_auth(server.token())
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status().as_u16(), 404);
    assert!(h.asset_json(id).is_some());
    let (_, _, body) = get(
        &format!("{}/customer_assets?page=99", server.api_base()),
        Some(server.token()),
    )
    .await;
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["assets"], json!([]), "pages past the end are empty");
    assert_eq!(v["meta"]["total_entries"], 40);
    assert_eq!(v["meta"]["total_pages"], 1);
}

#[tokio::test]
async fn seeding_is_deterministic_and_the_demo_is_realistic() {
    let a = super::SyncroHandle::new(SyncroConfig::demo());
    let b = super::SyncroHandle::new(SyncroConfig::demo());
    let id = a.asset_ids()[17];
    assert_eq!(a.asset_json(id), b.asset_json(id));
    assert_eq!(a.token(), b.token());
    assert_eq!(a.asset_count(), 640);
    let with_agent = a
        .asset_ids()
        .into_iter()
        .filter(|id| {
            a.asset_json(*id)
                .is_some_and(|v| v["properties"].get("kabuto_information").is_some())
        })
        .count();
    assert!(with_agent > 300, "{with_agent}");
    let linked = a
        .asset_ids()
        .into_iter()
        .filter(|id| {
            a.asset_json(*id)
                .is_some_and(|v| v["properties"].get("Parent Asset ID").is_some())
        })
        .count();
    assert!(linked >= 50, "{linked}");
}
