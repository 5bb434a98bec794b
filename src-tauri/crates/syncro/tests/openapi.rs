//! Checks the client's requests and the sandbox's responses against Syncro's own OpenAPI
//! document (tests/fixtures/syncro-openapi.json, a copy of shared/reference/specs/), for
//! customers, customer_assets, settings, tickets and /me, and prints the coverage.
//!
//! The spec is mostly examples, not schemas, so responses are compared *structurally* with
//! the documented example: every key the example shows must be present with the same JSON
//! type (null is accepted anywhere: syncro-api.md §7.8 lists the nullable fields; keys
//! inside free-form `properties` maps are account data and are not compared).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use assetdesk_domain::{AssetField, AssetFields, ConnectionId, NewTicket, Patch};
use assetdesk_sandbox::syncro::{Exchange, RateLimit, SyncroConfig, start};
use assetdesk_syncro::{
    ApiToken, AssetChange, AssetQuery, NewAsset, RateBudget, ReconcileProbe, SyncroClient,
    SyncroSettings,
};
use chrono::NaiveDate;
use futures::TryStreamExt;
use serde_json::{Value, json};

const IN_SCOPE: &[&str] = &[
    "/customers",
    "/customers/{id}",
    "/customer_assets",
    "/customer_assets/{id}",
    "/customer_assets/{id}/patches",
    "/settings",
    "/tickets",
    "/tickets/{id}",
    "/me",
];

/// Query parameters we send that the spec does not declare, each with its reason.
const ALLOWED_EXTRA_QUERY: &[(&str, &str, &str)] = &[(
    "/customer_assets",
    "per_page",
    "syncro-api.md §3.2: used by production clients (DJL, HG); unknown params are ignored",
)];

/// Body keys we may send that the spec does not declare, each with its reason.
const ALLOWED_EXTRA_BODY: &[(&str, &str, &str)] = &[
    (
        "/customer_assets",
        "contact_id",
        "syncro-api.md §3.3: returned on assets; CAB sends it on create (undocumented)",
    ),
    (
        "/customer_assets/{id}",
        "contact_id",
        "syncro-api.md §3.3: as on create",
    ),
];

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/syncro-openapi.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("spec fixture"))
        .expect("spec is JSON")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn schema_allows(schema: &Value, v: &Value) -> bool {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    let t = type_name(v);
    v.is_null() || types.contains(&t) || (t == "integer" && types.contains(&"number"))
}

/// Structural comparison of `actual` with a documented example; problems go to `errs`.
fn like_example(example: &Value, actual: &Value, at: &str, errs: &mut Vec<String>) {
    if example.is_null() || actual.is_null() {
        return;
    }
    let (te, ta) = (type_name(example), type_name(actual));
    let numeric = |t: &str| t == "integer" || t == "number";
    if te != ta && !(numeric(te) && numeric(ta)) {
        errs.push(format!("{at}: example has {te}, response has {ta}"));
        return;
    }
    match (example, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let here = format!("{at}.{k}");
                match a.get(k) {
                    None => errs.push(format!("{here}: documented key missing")),
                    Some(av) if k == "properties" => {
                        if !av.is_object() {
                            errs.push(format!("{here}: must be an object"));
                        }
                        let _ = ev;
                    }
                    Some(av) => like_example(ev, av, &here, errs),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let Some(first) = e.first() {
                for (i, item) in a.iter().enumerate().take(5) {
                    like_example(first, item, &format!("{at}[{i}]"), errs);
                }
            }
        }
        _ => {}
    }
}

fn response_example(op: &Value, status: u16) -> Option<&Value> {
    let content = op
        .get("responses")?
        .get(status.to_string())?
        .get("content")?;
    content.as_object()?.values().find_map(|c| {
        c.get("example").or_else(|| {
            c.get("examples")
                .and_then(|e| e.as_object()?.values().next()?.get("value"))
        })
    })
}

fn request_schema<'a>(spec: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let mut rb = op.get("requestBody")?;
    if let Some(r) = rb.get("$ref").and_then(Value::as_str) {
        rb = spec.pointer(r.trim_start_matches('#'))?;
    }
    rb.get("content")?.get("application/json")?.get("schema")
}

fn check(spec: &Value, ex: &Exchange) -> Vec<String> {
    let mut errs = Vec::new();
    let at = format!("{} {}", ex.method, ex.route);
    let Some(op) = spec.pointer(&format!(
        "/paths/{}/{}",
        ex.route.replace('~', "~0").replace('/', "~1"),
        ex.method.to_lowercase()
    )) else {
        return vec![format!("{at}: operation not in the spec")];
    };
    // Query parameters: declared, and of the declared type.
    let params: BTreeMap<&str, &Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                .filter_map(|p| {
                    Some((
                        p.get("name")?.as_str()?,
                        p.get("schema").unwrap_or(&Value::Null),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    for (k, v) in &ex.query {
        if k == "api_key" {
            errs.push(format!(
                "{at}: token sent as ?api_key= (must be the Authorization header)"
            ));
            continue;
        }
        match params.get(k.as_str()) {
            Some(schema) => {
                let ok = match schema.get("type").and_then(Value::as_str) {
                    Some("integer") => v.parse::<i64>().is_ok(),
                    Some("boolean") => v == "true" || v == "false",
                    _ => true,
                };
                if !ok {
                    errs.push(format!("{at}: query {k}={v} does not fit {schema}"));
                }
            }
            None if ALLOWED_EXTRA_QUERY
                .iter()
                .any(|(r, p, _)| *r == ex.route && p == k) => {}
            None => errs.push(format!("{at}: query parameter {k} is not in the spec")),
        }
    }
    // Request body: only documented keys, required keys present, types as declared.
    if let Some(body) = &ex.request_body {
        match request_schema(spec, op) {
            None => errs.push(format!("{at}: sends a body the spec does not describe")),
            Some(schema) => {
                let props = schema.get("properties").and_then(Value::as_object);
                if let (Some(obj), Some(props)) = (body.as_object(), props) {
                    for (k, v) in obj {
                        match props.get(k) {
                            Some(s) if !schema_allows(s, v) => {
                                errs.push(format!("{at}: body.{k} = {v} does not fit {s}"))
                            }
                            Some(_) => {}
                            None if ALLOWED_EXTRA_BODY
                                .iter()
                                .any(|(r, p, _)| *r == ex.route && p == k) => {}
                            None => errs.push(format!("{at}: body.{k} is not in the spec")),
                        }
                    }
                    for r in schema
                        .get("required")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(r) = r.as_str()
                            && !obj.contains_key(r)
                        {
                            errs.push(format!("{at}: required body.{r} missing"));
                        }
                    }
                }
            }
        }
    }
    // Response: declared status (except the generic 401/429/5xx), shape like the example.
    let declared = op
        .get("responses")
        .and_then(|r| r.get(ex.status.to_string()))
        .is_some();
    let generic = ex.status == 401 || ex.status == 429 || ex.status >= 500;
    if !declared && !generic {
        errs.push(format!("{at}: status {} is not documented", ex.status));
    }
    let documented_example = response_example(op, ex.status).is_some();
    if (200..300).contains(&ex.status) || documented_example {
        let body = ex.response_body.clone().unwrap_or(Value::Null);
        let example = response_example(op, ex.status).cloned().or_else(|| {
            // The spec's schema for GET/PUT /customer_assets/{id} is malformed; the same
            // object is documented by the POST example (`{"asset": {…}}`).
            (ex.route == "/customer_assets/{id}")
                .then(|| spec.pointer("/paths/~1customer_assets/post/responses/200/content/application~1json/example").cloned())
                .flatten()
        });
        match example {
            Some(e) => like_example(&e, &body, "body", &mut errs),
            None => errs.push(format!(
                "{at}: no example to compare a {} response with",
                ex.status
            )),
        }
    }
    errs
}

#[tokio::test]
async fn requests_and_responses_match_the_openapi_spec() {
    let spec = spec();
    let config = SyncroConfig {
        record_exchanges: true,
        rate_limit: Some(RateLimit::SYNCRO.scaled(100.0)),
        ..SyncroConfig::demo()
    };
    let server = start(config).await.unwrap();
    let h = server.handle().clone();
    let mut settings = SyncroSettings::new(ConnectionId("spec".into()), server.api_base()).unwrap();
    settings.rate = Some(RateBudget::DEFAULT.scaled(100.0));
    settings.timeout = Duration::from_secs(5);
    let c = SyncroClient::new(settings, ApiToken::new(server.token())).unwrap();

    // Drive every client operation on the in-scope endpoints.
    c.capabilities().await.unwrap();
    c.account_schema(true).await.unwrap();
    let customers = c.customers().await.unwrap();
    let all: Vec<_> = c
        .stream_assets(AssetQuery::default())
        .try_collect()
        .await
        .unwrap();
    let first = &all[0];
    c.get_asset(first.remote_id).await.unwrap().unwrap();
    assert!(c.get_asset(1).await.unwrap().is_none());
    let fields = AssetFields {
        name: "SPEC-1".into(),
        client_id: Some(customers[0].remote_id),
        type_id: Some(1002),
        serial: Some("SPEC-SERIAL-1".into()),
        warranty_end: NaiveDate::from_ymd_opt(2029, 1, 1),
        ..Default::default()
    };
    let created = c
        .create_asset(&NewAsset {
            fields: fields.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let dup = c
        .create_asset(&NewAsset {
            fields,
            ..Default::default()
        })
        .await;
    assert!(
        dup.unwrap_err()
            .validation()
            .is_some_and(|v| v.is_duplicate_serial())
    );
    let change = AssetChange {
        patch: Patch::from([(AssetField::Model, json!("X1"))]),
        parent: Some(Some(first.remote_id)),
    };
    c.update_asset(created.remote_id, &change).await.unwrap();
    c.find_candidates(&ReconcileProbe {
        customer_id: Some(customers[0].remote_id),
        name: "SPEC-1".into(),
        serial: Some("SPEC-SERIAL-1".into()),
        marker: None,
    })
    .await
    .unwrap();
    let t = NewTicket {
        client_id: customers[0].remote_id,
        summary: "Spec check".into(),
        details: "Body".into(),
    };
    c.create_ticket(created.remote_id, &t).await.unwrap();
    c.asset_tickets(created.remote_id, customers[0].remote_id, 5)
        .await
        .unwrap();
    c.asset_patches(first.remote_id).await.unwrap();
    // The one in-scope GET the client does not need: check the sandbox's answer directly.
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/customers/{}",
            server.api_base(),
            customers[0].remote_id
        ))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert!(raw.status().is_success());

    let exchanges = h.take_exchanges();
    let mut errors = Vec::new();
    let mut covered: BTreeMap<String, usize> = BTreeMap::new();
    for ex in &exchanges {
        if !IN_SCOPE.contains(&ex.route.as_str()) {
            continue;
        }
        *covered
            .entry(format!("{} {}", ex.method, ex.route))
            .or_default() += 1;
        errors.extend(check(&spec, ex));
    }

    // Coverage of the in-scope operations the spec documents.
    let mut documented = BTreeSet::new();
    for p in IN_SCOPE {
        if let Some(ops) = spec
            .pointer(&format!("/paths/{}", p.replace('/', "~1")))
            .and_then(Value::as_object)
        {
            for m in ops.keys() {
                documented.insert(format!("{} {p}", m.to_uppercase()));
            }
        }
    }
    println!("OpenAPI coverage (customers, customer_assets, settings, tickets, /me):");
    for op in &documented {
        let n = covered.get(op).copied().unwrap_or(0);
        println!(
            "  {:<6} {op}",
            if n > 0 {
                format!("{n}×")
            } else {
                "—".into()
            }
        );
    }
    let hit = documented
        .iter()
        .filter(|o| covered.contains_key(*o))
        .count();
    println!(
        "  {hit}/{} documented operations exercised, {} exchanges checked",
        documented.len(),
        covered.values().sum::<usize>()
    );
    for (route, p, why) in ALLOWED_EXTRA_QUERY {
        println!("  allowed deviation: {route} ?{p} ({why})");
    }
    for (route, p, why) in ALLOWED_EXTRA_BODY {
        println!("  allowed deviation: {route} body.{p} ({why})");
    }
    assert!(errors.is_empty(), "spec violations:\n{}", errors.join("\n"));
    assert!(
        covered.keys().all(|k| documented.contains(k)),
        "an exercised operation is not documented"
    );
    assert!(hit >= 12, "coverage fell to {hit}");
}

#[test]
fn the_checker_catches_violations() {
    // A checker that accepts anything proves nothing: feed it broken exchanges.
    let spec = spec();
    let bad = Exchange {
        method: "POST".into(),
        route: "/customer_assets".into(),
        query: vec![("api_key".into(), "***".into())],
        request_body: Some(json!({"asset_type": "Laptop", "serial_number": "x"})),
        status: 200,
        response_body: Some(json!({"asset": {"id": "seven", "name": "x"}})),
    };
    let errs = check(&spec, &bad);
    let text = errs.join("\n");
    assert!(text.contains("api_key"), "{text}");
    assert!(
        text.contains("body.serial_number is not in the spec"),
        "{text}"
    );
    assert!(text.contains("required body.name missing"), "{text}");
    assert!(
        text.contains("body.asset.id: example has integer, response has string"),
        "{text}"
    );
    assert!(
        text.contains("body.asset.asset_serial: documented key missing"),
        "{text}"
    );
    let unknown = Exchange {
        route: "/customer_assets/{id}/run_script".into(),
        ..bad
    };
    assert_eq!(check(&spec, &unknown).len(), 1);
}
