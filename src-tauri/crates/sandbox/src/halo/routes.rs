//! HTTP surface of the emulator: auth, the rate limiter, fault injection and every endpoint
//! the AssetDesk client uses, with Halo's envelopes and quirks.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Form, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use super::config::PastEnd;
use super::model::{CUSTOM_FIELDS, parse_id};
use super::state::{HaloState, Inner, RequestRecord, TokenRec, WriteError};

type Q = Query<HashMap<String, String>>;

/// The emulator's router. Paths are matched case-insensitively, like Halo's (§1.1: clients
/// use `/api/asset`, `/api/Asset` and `/api/tickets` alike).
pub fn router(state: HaloState) -> Router {
    let inner = Router::new()
        .route("/api/authinfo", get(authinfo))
        .route("/auth/token", axum::routing::post(token))
        .route("/api/Agent/me", get(agent_me))
        .route("/api/Asset", get(list_assets).post(post_assets))
        .route("/api/Asset/{id}", get(get_asset).delete(delete_asset))
        .route("/api/AssetType", get(list_types))
        .route("/api/AssetType/{id}", get(get_type))
        .route("/api/AssetGroup", get(list_groups))
        .route("/api/Field", get(list_fields))
        .route("/api/Client", get(list_clients))
        .route("/api/Client/{id}", get(get_client))
        .route("/api/Site", get(list_sites))
        .route("/api/Users", get(list_users))
        .route("/api/Supplier", get(list_suppliers))
        .route("/api/ClientContract", get(list_contracts))
        .route("/api/Status", get(list_ticket_statuses))
        .route("/api/Tickets", get(list_tickets).post(post_tickets))
        .route("/api/Tickets/{id}", get(get_ticket))
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state);
    Router::new()
        .fallback_service(inner)
        .layer(middleware::map_request(canonical_path))
}

const CANONICAL: &[&str] = &[
    "api",
    "auth",
    "token",
    "authinfo",
    "Agent",
    "me",
    "Asset",
    "AssetType",
    "AssetGroup",
    "Field",
    "Client",
    "Site",
    "Users",
    "Supplier",
    "ClientContract",
    "Status",
    "Tickets",
];

async fn canonical_path(mut req: Request) -> Request {
    let path = req.uri().path();
    let fixed: Vec<String> = path
        .split('/')
        .map(|seg| {
            CANONICAL
                .iter()
                .find(|c| c.eq_ignore_ascii_case(seg))
                .map_or_else(|| seg.to_owned(), |c| (*c).to_owned())
        })
        .collect();
    let fixed = fixed.join("/");
    if fixed != path {
        let pq = match req.uri().query() {
            Some(q) => format!("{fixed}?{q}"),
            None => fixed,
        };
        if let Ok(uri) = pq.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// The Halo area (scope suffix) an API path belongs to (§1.2 scope values).
fn area(path: &str) -> Option<&'static str> {
    let seg = path
        .trim_start_matches("/api/")
        .split('/')
        .next()
        .unwrap_or("");
    match seg {
        "Asset" | "AssetType" | "AssetGroup" | "Field" => Some("assets"),
        "Client" | "Site" | "Users" => Some("customers"),
        "Tickets" | "Status" => Some("tickets"),
        "Supplier" => Some("suppliers"),
        "ClientContract" => Some("contracts"),
        _ => None,
    }
}

fn scope_allows(scopes: &[String], area: &str, write: bool) -> bool {
    scopes.iter().any(|s| {
        s == "all"
            || s == "all:standard"
            || *s == format!("edit:{area}")
            || (!write && *s == format!("read:{area}"))
    })
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

/// Counting, the rolling-window limiter, latency, injected 5xx, bearer and scope checks —
/// everything that happens before a handler runs.
async fn gate(State(state): State<HaloState>, req: Request, next: Next) -> Response {
    let key = format!(
        "{} {}",
        req.method(),
        req.extensions()
            .get::<MatchedPath>()
            .map_or(req.uri().path(), |m| m.as_str())
    );
    let path = req.uri().path().to_owned();
    let write = req.method() != Method::GET;
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned);
    let (latency, outcome) = {
        let mut g = state.lock();
        if g.log_requests && g.request_log.len() < 10_000 {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or(req.uri().path(), |m| m.as_str())
                .to_owned();
            let query = url_pairs(req.uri().query().unwrap_or(""));
            g.request_log.push(RequestRecord {
                method: req.method().to_string(),
                route,
                query,
            });
        }
        *g.counters.entry(key).or_default() += 1;
        let latency = g.config.faults.latency;
        let outcome = admit(&mut g, &path, write, bearer.as_deref());
        if matches!(&outcome, Some(r) if r.status() == StatusCode::TOO_MANY_REQUESTS) {
            *g.counters.entry("429".into()).or_default() += 1;
        }
        (latency, outcome)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match outcome {
        None => next.run(req).await,
        Some(resp) => resp,
    }
}

/// Decodes `a=1&b=x%20y` with axum's own query decoder.
fn url_pairs(q: &str) -> Vec<(String, String)> {
    let uri: Option<Uri> = format!("/?{q}").parse().ok();
    uri.and_then(|u| Query::<Vec<(String, String)>>::try_from_uri(&u).ok())
        .map(|Query(v)| v)
        .unwrap_or_default()
}

/// `None` admits the request; `Some` is the refusal to send instead.
fn admit(g: &mut Inner, path: &str, write: bool, bearer: Option<&str>) -> Option<Response> {
    // §6: token and authinfo calls count against the same budget.
    if let Err(wait) = g.admit(Instant::now()) {
        let rl = g.config.rate_limit.unwrap_or_default();
        let secs = rl.window.as_secs();
        let span = if secs >= 60 && secs.is_multiple_of(60) {
            format!("{} minute", secs / 60)
        } else {
            format!("{:.3} second", rl.window.as_secs_f64())
        };
        // §6: Halo's text, verbatim for the default 300 / 5 minutes.
        let mut resp = text(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Rate Limit Reached - {} Requests per rolling {span} window",
                rl.max_requests
            ),
        );
        if g.config.retry_after {
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        return Some(resp);
    }
    if !path.starts_with("/api/") || path == "/api/authinfo" {
        return None;
    }
    if !g.fail_next.is_empty() {
        let status = g.fail_next.remove(0);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Some(text(status, "An error occurred processing your request."));
    }
    let rate = g.config.faults.server_error_rate;
    if g.chance(rate) {
        return Some(text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error occurred processing your request.",
        ));
    }
    // §1.3: expired/invalid bearer → 401 with an empty body.
    let now = Instant::now();
    let Some(tok) = bearer
        .and_then(|b| g.tokens.get(b))
        .filter(|t| t.expires > now)
    else {
        return Some(StatusCode::UNAUTHORIZED.into_response());
    };
    // §1.3: a token minted without `scope` is issued, then every call answers 401.
    if tok.scopes.is_empty() {
        return Some(StatusCode::UNAUTHORIZED.into_response());
    }
    if let Some(area) = area(path)
        && !scope_allows(&tok.scopes, area, write)
    {
        // §1.3: right token, missing permission → 403.
        return Some(text(
            StatusCode::FORBIDDEN,
            format!("{path} : 403:Forbidden"),
        ));
    }
    None
}

async fn authinfo(State(state): State<HaloState>, headers: HeaderMap) -> Response {
    // §1.1: unauthenticated discovery of the auth server and tenant.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let tenant = state.lock().config.tenant.clone();
    Json(json!({"auth_url": format!("http://{host}/auth"), "tenant_id": tenant})).into_response()
}

async fn token(
    State(state): State<HaloState>,
    q: Q,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut g = state.lock();
    let invalid = || {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    // §1.2: tenant rides on the token URL's query string for hosted tenants.
    if q.get("tenant").is_some_and(|t| *t != g.config.tenant) {
        return invalid();
    }
    // §1.3: wrong id/secret → 401 {"error":"invalid_client"}.
    if form.get("client_id") != Some(&g.config.client_id)
        || form.get("client_secret") != Some(&g.config.client_secret)
    {
        return invalid();
    }
    let requested: Vec<String> = form
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let granted = &g.config.granted_scopes;
    let scopes: Vec<String> = requested
        .into_iter()
        .filter(|r| granted.iter().any(|gr| gr == "all" || gr == r))
        .collect();
    let access = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let lifetime = g.config.token_lifetime;
    let scope_text = scopes.join(" ");
    g.tokens.insert(
        access.clone(),
        TokenRec {
            expires: Instant::now() + lifetime,
            scopes,
        },
    );
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "scope": scope_text,
        "refresh_token": uuid::Uuid::new_v4().simple().to_string(),
        "id_token": "",
    }))
    .into_response()
}

async fn agent_me() -> Response {
    Json(json!({"id": 38, "name": "AssetDesk API", "is_api_agent": true})).into_response()
}

fn flag(q: &HashMap<String, String>, k: &str) -> bool {
    q.get(k).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn num(q: &HashMap<String, String>, k: &str) -> Option<i64> {
    q.get(k)
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|f| f as i64)
}

fn csv(q: &HashMap<String, String>, k: &str) -> Option<Vec<i64>> {
    q.get(k)
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
}

/// Paging per §3.1/§3.3: `page_no`/`page_size` only with `pageinate=true`; rows per page
/// silently capped; past the end an empty or repeated page; `count` without paging; neither
/// → a default first page of 50.
pub(crate) fn paginate<T: Clone>(
    items: &[T],
    q: &HashMap<String, String>,
    cap: usize,
    past_end: PastEnd,
) -> Vec<T> {
    if flag(q, "pageinate") {
        let size = num(q, "page_size")
            .unwrap_or(50)
            .clamp(1, cap.max(1) as i64) as usize;
        let page = num(q, "page_no").unwrap_or(1).max(1) as usize;
        let start = (page - 1).saturating_mul(size);
        if start < items.len() {
            return items[start..(start + size).min(items.len())].to_vec();
        }
        return match past_end {
            PastEnd::Empty => vec![],
            PastEnd::RepeatLast if items.is_empty() => vec![],
            PastEnd::RepeatLast => {
                let last_start = ((items.len() - 1) / size) * size;
                items[last_start..].to_vec()
            }
        };
    }
    let n = num(q, "count").map_or(50, |c| c.max(0) as usize);
    items[..n.min(items.len())].to_vec()
}

fn envelope(key: &str, total: usize, rows: Vec<Value>) -> Response {
    let mut o = Map::new();
    o.insert("record_count".into(), json!(total));
    o.insert(key.into(), Value::Array(rows));
    Json(Value::Object(o)).into_response()
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(needle)
}

async fn list_assets(State(state): State<HaloState>, Query(q): Q) -> Response {
    let mut g = state.lock();
    if g.config.agent_restricted {
        return envelope("assets", 0, vec![]);
    }
    let search = q
        .get("search")
        .map(|s| s.to_lowercase())
        .filter(|s| !s.is_empty());
    let client = num(&q, "client_id");
    let site = num(&q, "site_id");
    let ty = num(&q, "assettype_id");
    let types = csv(&q, "assettypes");
    let statuses = csv(&q, "assetstatuses");
    let linked = num(&q, "linkedto_id");
    let exclude = csv(&q, "excludethese").unwrap_or_default();
    let inv = q.get("inventory_number");
    // §4.2: active-only unless asked (default presumed active-only).
    let include_inactive = flag(&q, "includeinactive");
    let with_fields = flag(&q, "includeassetfields");
    let idonly = flag(&q, "idonly");
    let unfiltered = include_inactive
        && search.is_none()
        && client.is_none()
        && site.is_none()
        && ty.is_none()
        && types.is_none()
        && statuses.is_none()
        && linked.is_none()
        && exclude.is_empty()
        && inv.is_none();
    if unfiltered {
        // The full-pull shape: page through the id index instead of scanning every asset.
        let inner = &mut *g;
        let index = inner
            .id_index
            .get_or_insert_with(|| inner.assets.keys().copied().collect());
        let page = paginate(index, &q, inner.config.page_cap, inner.config.past_end);
        let total = index.len();
        let names = inner.names();
        let rows = page
            .iter()
            .filter_map(|id| inner.assets.get(id))
            .map(|d| {
                if idonly {
                    json!({"id": d.id})
                } else {
                    d.render(&names, true, with_fields)
                }
            })
            .collect();
        return envelope("assets", total, rows);
    }
    let matching: Vec<&super::model::Device> = g
        .assets
        .values()
        .filter(|d| include_inactive || !d.inactive)
        .filter(|d| client.is_none_or(|c| d.client_id == c))
        .filter(|d| site.is_none_or(|s| d.site_id == s))
        .filter(|d| ty.is_none_or(|t| d.assettype_id == t))
        .filter(|d| types.as_ref().is_none_or(|t| t.contains(&d.assettype_id)))
        .filter(|d| statuses.as_ref().is_none_or(|s| s.contains(&d.status_id)))
        .filter(|d| {
            linked.is_none_or(|l| {
                d.parents.contains(&l)
                    || g.assets.get(&l).is_some_and(|p| p.parents.contains(&d.id))
            })
        })
        .filter(|d| !exclude.contains(&d.id))
        .filter(|d| inv.is_none_or(|i| d.inventory_number.as_deref() == Some(i.as_str())))
        .filter(|d| {
            let Some(s) = &search else { return true };
            // §4.2: `search` matches asset fields "like" the text.
            d.inventory_number
                .as_deref()
                .is_some_and(|i| contains_ci(i, s))
                || d.notes.as_deref().is_some_and(|n| contains_ci(n, s))
                || d.fields
                    .values()
                    .any(|v| v.as_str().is_some_and(|t| contains_ci(t, s)))
        })
        .collect();
    let page = paginate(&matching, &q, g.config.page_cap, g.config.past_end);
    let names = g.names();
    let rows = page
        .iter()
        .map(|d| {
            if idonly {
                json!({"id": d.id})
            } else {
                d.render(&names, true, with_fields)
            }
        })
        .collect();
    envelope("assets", matching.len(), rows)
}

async fn get_asset(
    State(state): State<HaloState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> Response {
    let g = state.lock();
    let Some(d) = id
        .parse::<f64>()
        .ok()
        .and_then(|f| g.assets.get(&(f as i64)))
    else {
        // §7.1: 404 body undocumented; answer an empty 404.
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut v = d.render(&g.names(), false, true);
    if flag(&q, "includedetails")
        && let Value::Object(o) = &mut v
    {
        let children: Vec<Value> = g
            .assets
            .values()
            .filter(|c| c.parents.contains(&d.id))
            .map(|c| json!({"id": c.id, "key_field": c.key_field(&g.types)}))
            .collect();
        o.insert("child_assets".into(), Value::Array(children));
    }
    Json(v).into_response()
}

/// A response whose body fails after the headers: the client sees the connection drop after
/// the write was applied (DESIGN.md fault knob "dropped connection after a write").
fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox dropped the connection after applying the write",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn should_drop(g: &mut Inner) -> bool {
    if g.drop_next_writes > 0 {
        g.drop_next_writes -= 1;
        return true;
    }
    let rate = g.config.faults.drop_after_write_rate;
    g.chance(rate)
}

fn record(g: &mut Inner, key: &str, body: &Value) {
    if g.recorded.len() < 1000 {
        g.recorded.push((key.to_owned(), body.clone()));
    }
}

fn model_state(errs: std::collections::BTreeMap<String, Vec<String>>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!(errs))).into_response()
}

fn array_body(body: &[u8]) -> Result<Vec<Map<String, Value>>, Box<Response>> {
    // §2: every POST body is a JSON array of objects.
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|i| match i {
                Value::Object(o) => Ok(o),
                _ => Err(Box::new(text(
                    StatusCode::BAD_REQUEST,
                    "Each element of the body must be an object.",
                ))),
            })
            .collect(),
        Ok(_) => Err(Box::new(text(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON array.",
        ))),
        Err(e) => Err(Box::new(text(
            StatusCode::BAD_REQUEST,
            format!("The request body is not valid JSON: {e}"),
        ))),
    }
}

async fn post_assets(State(state): State<HaloState>, body: axum::body::Bytes) -> Response {
    let items = match array_body(&body) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let mut g = state.lock();
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        record(&mut g, "POST /api/Asset", &v);
    }
    let mut saved = Vec::new();
    for (i, obj) in items.iter().enumerate() {
        let commit = !obj
            .get("_validateonly")
            .is_some_and(|v| v == &Value::Bool(true));
        match g.write_asset(i, obj, commit) {
            Ok(d) => saved.push(d),
            Err(WriteError::ModelState(e)) => return model_state(e),
            Err(WriteError::Plain(m)) => return text(StatusCode::BAD_REQUEST, m),
        }
    }
    if should_drop(&mut g) {
        return dropped();
    }
    let names = g.names();
    let mut rendered: Vec<Value> = saved
        .iter()
        .map(|d| d.render(&names, false, true))
        .collect();
    // §2: one element posted → the saved record as a single object.
    if rendered.len() == 1 {
        return Json(rendered.remove(0)).into_response();
    }
    Json(Value::Array(rendered)).into_response()
}

async fn delete_asset(State(state): State<HaloState>, Path(id): Path<String>) -> Response {
    let mut g = state.lock();
    let Some(id) = id.parse::<f64>().ok().map(|f| f as i64) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    g.id_index = None;
    if g.assets.remove(&id).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    // Children lose the link to a deleted parent.
    for d in g.assets.values_mut() {
        d.parents.retain(|p| *p != id);
    }
    if should_drop(&mut g) {
        return dropped();
    }
    // §2: 200 with a JSON body carrying the deleted id (L).
    Json(json!({"id": id})).into_response()
}

fn type_json(g: &Inner, t: &super::model::AssetTypeRec, details: bool) -> Value {
    let field_name = |id: &i64| g.fields.get(id).map(|f| f.name.clone()).unwrap_or_default();
    let mut v = json!({
        "id": t.id,
        "name": t.name,
        "assetgroup_id": t.group_id,
        "assetgroup_name": g.groups.get(&t.group_id).cloned().unwrap_or_default(),
        "keyfield_id": t.keyfield_id,
        "keyfield_name": field_name(&t.keyfield_id),
        "allowall_status": t.allowall_status,
    });
    if details && let Value::Object(o) = &mut v {
        // TypeInfo ids are `number` in the spec: send them as floats (§7.2).
        let fields: Vec<Value> = t
            .field_ids
            .iter()
            .enumerate()
            .map(|(i, f)| json!({"id": (*f as f64), "field_id": (*f as f64), "field_name": field_name(f), "sequence": i + 1}))
            .collect();
        o.insert("fields".into(), Value::Array(fields));
        let allowed: Vec<Value> = t
            .allowed_status
            .iter()
            .map(|s| json!({"xtype_id": t.id, "status_id": s, "status_name": g.statuses.get(s).cloned().unwrap_or_default()}))
            .collect();
        o.insert("allowed_status".into(), Value::Array(allowed));
    }
    v
}

async fn list_types(State(state): State<HaloState>) -> Response {
    let g = state.lock();
    // §3.2: `/AssetType` answers a bare array.
    Json(Value::Array(
        g.types.values().map(|t| type_json(&g, t, false)).collect(),
    ))
    .into_response()
}

async fn get_type(State(state): State<HaloState>, Path(id): Path<String>, Query(q): Q) -> Response {
    let g = state.lock();
    match id.parse::<i64>().ok().and_then(|i| g.types.get(&i)) {
        Some(t) => Json(type_json(&g, t, flag(&q, "includedetails"))).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn list_groups(State(state): State<HaloState>) -> Response {
    let g = state.lock();
    Json(Value::Array(
        g.groups
            .iter()
            .map(|(id, n)| json!({"id": id, "name": n}))
            .collect(),
    ))
    .into_response()
}

async fn list_fields(State(state): State<HaloState>) -> Response {
    let g = state.lock();
    let mut rows: Vec<Value> = g
        .fields
        .values()
        .map(|f| json!({"id": f.id, "name": f.name, "kind": "asset"}))
        .collect();
    rows.extend(
        CUSTOM_FIELDS
            .iter()
            .map(|(id, n, l)| json!({"id": id, "name": n, "label": l, "kind": "custom"})),
    );
    Json(Value::Array(rows)).into_response()
}

fn list_of(g: &Inner, key: &str, rows: Vec<Value>, q: &HashMap<String, String>) -> Response {
    if g.config.agent_restricted {
        return envelope(key, 0, vec![]);
    }
    let page = paginate(&rows, q, g.config.page_cap, g.config.past_end);
    envelope(key, rows.len(), page)
}

async fn list_clients(State(state): State<HaloState>, Query(q): Q) -> Response {
    let g = state.lock();
    let search = q.get("search").map(|s| s.to_lowercase());
    let rows = g
        .clients
        .values()
        .filter(|c| search.as_ref().is_none_or(|s| contains_ci(&c.name, s)))
        .map(|c| json!({"id": c.id, "name": c.name, "inactive": c.inactive, "toplevel_id": 1, "toplevel_name": "Top Level"}))
        .collect();
    list_of(&g, "clients", rows, &q)
}

async fn get_client(State(state): State<HaloState>, Path(id): Path<String>) -> Response {
    let g = state.lock();
    match id.parse::<i64>().ok().and_then(|i| g.clients.get(&i)) {
        Some(c) => {
            Json(json!({"id": c.id, "name": c.name, "inactive": c.inactive})).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn list_sites(State(state): State<HaloState>, Query(q): Q) -> Response {
    let g = state.lock();
    let client = num(&q, "client_id");
    let rows = g
        .sites
        .values()
        .filter(|s| client.is_none_or(|c| s.client_id == c))
        .map(|s| {
            let cname = g.clients.get(&s.client_id).map(|c| c.name.clone()).unwrap_or_default();
            // §7.2 / spec Site.client_id is number/double: sent as `12.0`.
            json!({"id": s.id, "name": s.name, "client_id": (s.client_id as f64), "client_name": cname,
                   "clientsite_name": format!("{cname} / {}", s.name), "inactive": false})
        })
        .collect();
    list_of(&g, "sites", rows, &q)
}

async fn list_users(State(state): State<HaloState>, Query(q): Q) -> Response {
    let g = state.lock();
    let client = num(&q, "client_id");
    let site = num(&q, "site_id");
    let rows = g
        .users
        .values()
        .filter(|u| client.is_none_or(|c| u.client_id == c))
        .filter(|u| site.is_none_or(|s| u.site_id == s))
        .map(|u| {
            let (first, last) = u.name.split_once(' ').unwrap_or((&u.name, ""));
            // Spec Users.site_id is number/double (§5): sent as a float.
            json!({"id": u.id, "name": u.name, "firstname": first, "surname": last,
                   "emailaddress": u.email, "site_id": (u.site_id as f64), "client_id": u.client_id,
                   "site_name": g.sites.get(&u.site_id).map(|s| s.name.clone()).unwrap_or_default(),
                   "client_name": g.clients.get(&u.client_id).map(|c| c.name.clone()).unwrap_or_default(),
                   "inactive": false, "linked_agent_id": 0})
        })
        .collect();
    list_of(&g, "users", rows, &q)
}

async fn list_suppliers(State(state): State<HaloState>, Query(q): Q) -> Response {
    let g = state.lock();
    let rows = g
        .suppliers
        .iter()
        .map(|(id, n)| json!({"id": id, "name": n, "inactive": false}))
        .collect();
    list_of(&g, "suppliers", rows, &q)
}

async fn list_contracts(State(state): State<HaloState>, Query(q): Q) -> Response {
    let g = state.lock();
    let client = num(&q, "client_id");
    let rows = g
        .contracts
        .iter()
        .filter(|(_, (c, _))| client.is_none_or(|x| *c == x))
        .map(|(id, (c, r))| {
            json!({"id": id, "client_id": c, "ref": r, "start_date": "2024-01-01T00:00:00",
                   "end_date": "2027-12-31T00:00:00", "active": true, "expired": false,
                   "client_name": g.clients.get(c).map(|x| x.name.clone()).unwrap_or_default()})
        })
        .collect();
    list_of(&g, "contracts", rows, &q)
}

const TICKET_STATUSES: &[(i64, &str)] = &[(1, "New"), (2, "In Progress"), (9, "Closed")];

async fn list_ticket_statuses() -> Response {
    // §5: `/Status` lists *ticket* statuses, as a bare array.
    Json(Value::Array(
        TICKET_STATUSES
            .iter()
            .map(|(i, n)| json!({"id": i, "name": n, "type": 1}))
            .collect(),
    ))
    .into_response()
}

fn ticket_json(g: &Inner, t: &super::model::TicketRec) -> Value {
    let status = TICKET_STATUSES
        .iter()
        .find(|(i, _)| *i == t.status_id)
        .map_or("", |(_, n)| n);
    json!({
        "id": t.id, "summary": t.summary, "details": t.details, "client_id": t.client_id,
        "client_name": g.clients.get(&t.client_id).map(|c| c.name.clone()).unwrap_or_default(),
        "site_id": t.site_id.unwrap_or(0), "user_id": t.user_id.unwrap_or(-1),
        "status_id": t.status_id, "status_name": status, "tickettype_id": 1,
        "dateoccurred": t.dateoccurred,
        // §5.1 gotcha: `targetdate` is often the 1900 sentinel.
        "targetdate": super::model::SENTINEL_DATE,
        "assets": t.asset_ids.iter().map(|a| json!({"id": a})).collect::<Vec<_>>(),
    })
}

async fn list_tickets(State(state): State<HaloState>, Query(q): Q) -> Response {
    let g = state.lock();
    let asset = num(&q, "asset_id");
    let client = num(&q, "client_id");
    let open_only = flag(&q, "open_only");
    let rows = g
        .tickets
        .values()
        .filter(|t| asset.is_none_or(|a| t.asset_ids.contains(&a)))
        .filter(|t| client.is_none_or(|c| t.client_id == c))
        .filter(|t| !open_only || t.status_id != 9)
        .map(|t| ticket_json(&g, t))
        .collect();
    list_of(&g, "tickets", rows, &q)
}

async fn get_ticket(State(state): State<HaloState>, Path(id): Path<String>) -> Response {
    let g = state.lock();
    match id.parse::<i64>().ok().and_then(|i| g.tickets.get(&i)) {
        Some(t) => Json(ticket_json(&g, t)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn post_tickets(State(state): State<HaloState>, body: axum::body::Bytes) -> Response {
    let items = match array_body(&body) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let mut g = state.lock();
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        record(&mut g, "POST /api/Tickets", &v);
    }
    let mut out = Vec::new();
    for (i, o) in items.iter().enumerate() {
        let mut errs = std::collections::BTreeMap::new();
        let summary = o
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned();
        if summary.is_empty() {
            errs.insert(
                format!("[{i}].summary"),
                vec!["The Summary field is required.".to_owned()],
            );
        }
        let client = o
            .get("client_id")
            .and_then(parse_id)
            .filter(|c| g.clients.contains_key(c));
        if client.is_none() {
            errs.insert(
                format!("[{i}].client_id"),
                vec!["A valid client must be selected.".to_owned()],
            );
        }
        let assets: Option<Vec<i64>> = match o.get("assets") {
            None | Some(Value::Null) => Some(vec![]),
            Some(Value::Array(a)) => a.iter().map(|x| x.get("id").and_then(parse_id)).collect(),
            Some(_) => None,
        };
        let assets = assets.filter(|a| a.iter().all(|x| g.assets.contains_key(x)));
        if assets.is_none() {
            errs.insert(
                format!("[{i}].assets"),
                vec!["assets must be [{\"id\": <asset id>}] of existing assets.".to_owned()],
            );
        }
        if !errs.is_empty() {
            return model_state(errs);
        }
        let user = o.get("user_id").and_then(parse_id).filter(|u| *u > 0);
        let site = o.get("site_id").and_then(parse_id).filter(|s| *s > 0);
        if user.is_some() && site.is_none() {
            // §5.1 gotcha (CIPP): with a specific user, site_id must be set too.
            return text(
                StatusCode::BAD_REQUEST,
                "Please select a Site for this User",
            );
        }
        let id = g.next_ticket_id;
        g.next_ticket_id += 1;
        let now = chrono::Utc::now();
        let t = super::model::TicketRec {
            id,
            summary,
            details: o
                .get("details")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            client_id: client.unwrap_or(0),
            site_id: site,
            user_id: user,
            status_id: 1,
            asset_ids: assets.unwrap_or_default(),
            // §7.2: values just written come back with `Z` and 7 fraction digits.
            dateoccurred: super::model::render_stamp(now, true),
        };
        g.tickets.insert(id, t.clone());
        out.push(ticket_json(&g, &t));
    }
    if should_drop(&mut g) {
        return dropped();
    }
    if out.len() == 1 {
        return Json(out.remove(0)).into_response();
    }
    Json(Value::Array(out)).into_response()
}
