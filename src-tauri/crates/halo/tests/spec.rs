//! Checks the requests the client sends and the sandbox's responses against the HaloPSA
//! OpenAPI file (the subset in tests/fixtures, extracted by extract_spec_subset.py) for
//! Asset, AssetType, Client, Site, Users and Tickets, and prints property coverage.
//!
//! What "valid" means here: every query parameter the client sends is declared for that
//! path and method, with a value of the declared type; every key of a request body or a
//! response object is a property of the schema, with a JSON type the schema allows
//! (integers as integer literals where the spec says `integer`, §7.1).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use assetdesk_domain::{AssetField, AssetFields, ConnectionId, NewTicket};
use assetdesk_halo::{AssetQuery, HaloClient, HaloSettings, Secret};
use assetdesk_sandbox::halo::{HaloConfig, HaloServer, ids, start};
use futures::TryStreamExt;
use serde_json::{Value, json};

const SUBSET: &str = include_str!("fixtures/halopsa-openapi-subset.json");

struct Spec {
    v: Value,
}

#[derive(Default)]
struct Report {
    violations: Vec<String>,
    /// schema → properties seen
    seen: BTreeMap<String, BTreeSet<String>>,
    requests_checked: usize,
    objects_checked: usize,
}

impl Spec {
    fn load() -> Self {
        Self {
            v: serde_json::from_str(SUBSET).expect("fixture is JSON"),
        }
    }

    fn schema(&self, name: &str) -> &serde_json::Map<String, Value> {
        self.v["schemas"][name]
            .as_object()
            .unwrap_or_else(|| panic!("schema {name} in fixture"))
    }

    fn params(&self, path: &str, method: &str) -> Option<&serde_json::Map<String, Value>> {
        self.v["paths"][path][method]["params"].as_object()
    }

    fn ref_name(prop: &Value) -> Option<String> {
        let r = prop
            .get("$ref")
            .or_else(|| prop.get("items").and_then(|i| i.get("$ref")))?;
        r.as_str()?.rsplit('/').next().map(str::to_owned)
    }

    /// Validates one object against a schema, recursing one level into referenced items.
    fn check(&self, schema: &str, obj: &Value, ctx: &str, r: &mut Report, depth: u8) {
        let Some(o) = obj.as_object() else {
            r.violations
                .push(format!("{ctx}: expected an object for {schema}, got {obj}"));
            return;
        };
        r.objects_checked += 1;
        let props = self.schema(schema);
        for (k, v) in o {
            let Some(p) = props.get(k) else {
                r.violations
                    .push(format!("{ctx}: '{k}' is not a property of {schema}"));
                continue;
            };
            r.seen
                .entry(schema.to_owned())
                .or_default()
                .insert(k.clone());
            if v.is_null() {
                continue;
            }
            let ty = p.get("type").and_then(Value::as_str).unwrap_or("");
            let ok = match ty {
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                "string" => {
                    v.is_string()
                        && (p.get("format").and_then(Value::as_str) != Some("date-time")
                            || v.as_str()
                                .is_some_and(|s| s.len() >= 10 && s.as_bytes()[4] == b'-'))
                }
                "array" => v.is_array(),
                // `$ref` objects and untyped values (custom field `value`).
                _ => true,
            };
            if !ok {
                r.violations
                    .push(format!("{ctx}: {schema}.{k} should be {ty}, got {v}"));
            }
            if depth > 0
                && let Some(inner) = Self::ref_name(p)
                && self.v["schemas"].get(&inner).is_some()
            {
                match v {
                    Value::Array(items) => {
                        for (i, it) in items.iter().enumerate() {
                            self.check(&inner, it, &format!("{ctx}.{k}[{i}]"), r, depth - 1);
                        }
                    }
                    Value::Object(_) => self.check(&inner, v, &format!("{ctx}.{k}"), r, depth - 1),
                    _ => {}
                }
            }
        }
    }

    fn check_query(&self, method: &str, route: &str, query: &[(String, String)], r: &mut Report) {
        let path = route.trim_start_matches("/api");
        let path = if path.eq_ignore_ascii_case("/authinfo") {
            "/AuthInfo"
        } else {
            path
        };
        let Some(params) = self.params(path, &method.to_ascii_lowercase()) else {
            r.violations
                .push(format!("{method} {route}: not in the spec"));
            return;
        };
        r.requests_checked += 1;
        for (k, v) in query {
            match params.get(k).and_then(Value::as_str) {
                None => r
                    .violations
                    .push(format!("{method} {route}: query '{k}' is not declared")),
                Some("bool") if v != "true" && v != "false" => {
                    r.violations
                        .push(format!("{method} {route}: {k}={v} is not a bool"));
                }
                Some("int") if v.parse::<i64>().is_err() => {
                    r.violations
                        .push(format!("{method} {route}: {k}={v} is not an int"));
                }
                _ => {}
            }
        }
    }
}

async fn raw_get(server: &HaloServer, token: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}/{path}", server.resource_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("sandbox answers")
        .json()
        .await
        .expect("JSON body")
}

async fn token(server: &HaloServer) -> String {
    let v: Value = reqwest::Client::new()
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
        .expect("token")
        .json()
        .await
        .expect("token JSON");
    v["access_token"].as_str().expect("access_token").to_owned()
}

#[tokio::test]
async fn requests_and_responses_match_the_openapi_spec() {
    let spec = Spec::load();
    let mut r = Report::default();
    let server = start(HaloConfig {
        assets: 80,
        ..HaloConfig::default()
    })
    .await
    .expect("sandbox");
    let st = server.state();
    st.log_requests(true);
    let mut s = HaloSettings::new(
        ConnectionId("spec".into()),
        &server.resource_url(),
        server.client_id(),
    )
    .expect("settings");
    s.tenant = Some(server.tenant());
    s.request_timeout = Duration::from_secs(5);
    let c = HaloClient::new(s, Secret::new(server.client_secret())).expect("client");

    // A session touching every entity under test.
    let all: Vec<_> = c
        .asset_pages(AssetQuery::default())
        .try_collect::<Vec<_>>()
        .await
        .expect("pull")
        .concat();
    let _ = c
        .asset_pages(AssetQuery {
            client_id: Some(12),
            site_id: Some(30),
            type_ids: vec![1, 2],
            status_ids: vec![1],
            search: Some("WS".into()),
            active_only: true,
        })
        .try_collect::<Vec<_>>()
        .await
        .expect("filtered");
    let host = all
        .iter()
        .find(|a| a.fields.type_id == Some(ids::T_SERVER))
        .map(|a| a.remote_id);
    let created = c
        .create_asset(
            &AssetFields {
                name: "SPEC-1".into(),
                site_id: Some(30),
                client_id: Some(12),
                type_id: Some(ids::T_VM),
                status_id: Some(1),
                user_ids: vec![800],
                os: Some("Windows Server 2022".into()),
                ip: Some("10.0.0.9".into()),
                asset_tag: Some("AT-SPEC-1".into()),
                warranty_end: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
                notes: Some("spec".into()),
                inactive: false,
                ..AssetFields::default()
            },
            host,
        )
        .await
        .expect("create");
    let p = [
        (AssetField::Os, json!("Windows Server 2025")),
        (AssetField::Status, json!(2)),
        (AssetField::Custom("cf202".into()), json!("CC-1")),
    ]
    .into_iter()
    .collect();
    c.update_asset(created.remote_id, &p).await.expect("update");
    c.set_parent(created.remote_id, None).await.expect("unlink");
    c.get_asset(created.remote_id).await.expect("get");
    c.asset_types().await.expect("types");
    c.clients().await.expect("clients");
    c.sites(Some(12)).await.expect("sites");
    c.users(Some(12)).await.expect("users");
    c.create_ticket(
        created.remote_id,
        Some(30),
        &NewTicket {
            client_id: 12,
            summary: "Spec".into(),
            details: "d".into(),
        },
    )
    .await
    .expect("ticket");
    c.asset_tickets(created.remote_id).await.expect("tickets");
    c.delete_asset(created.remote_id).await.expect("delete");

    // Requests: query parameters.
    for rec in st.request_log() {
        if rec.route.starts_with("/api/") {
            spec.check_query(&rec.method, &rec.route, &rec.query, &mut r);
        }
    }
    // Requests: bodies.
    for (route, body) in st.recorded_writes() {
        let schema = if route.ends_with("/Asset") {
            "Device"
        } else {
            "Faults"
        };
        for (i, item) in body.as_array().expect("array body").iter().enumerate() {
            spec.check(schema, item, &format!("request {route}[{i}]"), &mut r, 1);
        }
    }
    let request_cov = r.seen.clone();

    // Responses.
    let tok = token(&server).await;
    let list = raw_get(
        &server,
        &tok,
        "Asset?pageinate=true&page_size=20&page_no=1&includeassetfields=true&includeinactive=true",
    )
    .await;
    for (i, a) in list["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .enumerate()
    {
        spec.check("Device_List", a, &format!("GET /Asset row {i}"), &mut r, 1);
    }
    for id in all.iter().take(15).map(|a| a.remote_id) {
        let a = raw_get(&server, &tok, &format!("Asset/{id}?includedetails=true")).await;
        spec.check("Device", &a, &format!("GET /Asset/{id}"), &mut r, 1);
    }
    for t in raw_get(&server, &tok, "AssetType")
        .await
        .as_array()
        .expect("bare array")
    {
        spec.check("Xtype", t, "GET /AssetType", &mut r, 1);
        let id = t["id"].as_i64().expect("id");
        spec.check(
            "Xtype",
            &raw_get(
                &server,
                &tok,
                &format!("AssetType/{id}?includedetails=true"),
            )
            .await,
            "GET /AssetType/{id}",
            &mut r,
            1,
        );
    }
    for (path, key, schema) in [
        (
            "Client?pageinate=true&page_size=50&page_no=1",
            "clients",
            "Area",
        ),
        (
            "Site?pageinate=true&page_size=50&page_no=1",
            "sites",
            "Site",
        ),
        (
            "Users?pageinate=true&page_size=50&page_no=1",
            "users",
            "Users",
        ),
        (
            "Tickets?pageinate=true&page_size=50&page_no=1",
            "tickets",
            "Faults",
        ),
    ] {
        let v = raw_get(&server, &tok, path).await;
        assert!(v["record_count"].is_u64(), "{path}: record_count envelope");
        for (i, row) in v[key]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: '{key}' array"))
            .iter()
            .enumerate()
        {
            spec.check(schema, row, &format!("GET /{path} row {i}"), &mut r, 1);
        }
    }

    println!(
        "OpenAPI check: {} requests, {} objects, {} violations",
        r.requests_checked,
        r.objects_checked,
        r.violations.len()
    );
    for (schema, seen) in &r.seen {
        let total = spec.schema(schema).len();
        let sent = request_cov.get(schema).map_or(0, BTreeSet::len);
        println!(
            "  {schema:<12} {:>3}/{total:<3} properties exercised ({sent} in requests)",
            seen.len()
        );
    }
    assert!(
        r.requests_checked >= 20,
        "the session made requests to check"
    );
    assert!(
        r.violations.is_empty(),
        "spec violations:\n{}",
        r.violations.join("\n")
    );
    for schema in [
        "Device",
        "Device_List",
        "Xtype",
        "Area",
        "Site",
        "Users",
        "Faults",
    ] {
        assert!(r.seen.contains_key(schema), "{schema} was exercised");
    }
}
