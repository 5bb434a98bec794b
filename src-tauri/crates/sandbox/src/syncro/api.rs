//! The HTTP surface: routes under `/api/v1`, and one middleware that does what Syncro's
//! front door does before a controller runs (counting, rate limiting, auth, faults).

use std::net::SocketAddr;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rand::Rng;
use serde_json::{Map, Value, json};

use super::data::{Asset, Ticket};
use super::{Exchange, PropertiesOnPut, SyncroHandle};

type Q = Query<Vec<(String, String)>>;

/// The emulator's routes, mounted under `/api/v1` (syncro-api.md §1 "Base URL"). The lead's
/// binary serves this with `into_make_service_with_connect_info::<SocketAddr>()` so the rate
/// limiter can key by source IP; without connect info every caller shares one budget.
pub fn router(state: SyncroHandle) -> Router {
    let api = Router::new()
        .route("/me", get(me))
        .route("/settings", get(settings))
        .route("/customers", get(list_customers))
        .route("/customers/{id}", get(get_customer))
        .route("/contacts", get(list_contacts))
        .route("/contacts/{id}", get(get_contact))
        .route("/customer_assets", get(list_assets).post(create_asset))
        .route(
            "/customer_assets/{id}",
            get(get_asset).put(update_asset).delete(delete_asset),
        )
        .route("/customer_assets/{id}/patches", get(asset_patches))
        .route("/tickets", get(list_tickets).post(create_ticket))
        .route("/tickets/{id}", get(get_ticket))
        .route_layer(middleware::from_fn_with_state(state.clone(), front_door))
        .with_state(state);
    Router::new().nest("/api/v1", api)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// 401 with SW's permission message (syncro-api.md §1 "Missing permission": 401, not 403).
fn forbidden() -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        json!({"error": "Not authorized. Please ask account admin to update your group permissions."}),
    )
}

/// 404 in the `{"message":"Not found"}` shape (§6.3).
fn not_found() -> Response {
    json_response(StatusCode::NOT_FOUND, json!({"message": "Not found"}))
}

#[derive(Clone, Copy)]
enum Perm {
    None,
    AssetRead,
    AssetWrite,
    AssetDelete,
    CustomerRead,
    TicketRead,
    TicketWrite,
}

/// Permission per route, from the SW endpoint descriptions (syncro-api.md §1 table).
fn required(method: &Method, route: &str) -> Perm {
    let read = method == Method::GET;
    match route {
        "/me" | "/settings" => Perm::None,
        r if r.starts_with("/customer_assets") => {
            if read {
                Perm::AssetRead
            } else if method == Method::DELETE {
                Perm::AssetDelete
            } else {
                Perm::AssetWrite
            }
        }
        r if r.starts_with("/customers") || r.starts_with("/contacts") => Perm::CustomerRead,
        r if r.starts_with("/tickets") => {
            if read {
                Perm::TicketRead
            } else {
                Perm::TicketWrite
            }
        }
        _ => Perm::None,
    }
}

fn token_from(headers: &HeaderMap, query: &[(String, String)]) -> (Option<String>, bool) {
    // syncro-api.md §1: `Authorization: Bearer t`, bare `Authorization: t`, or `?api_key=t`.
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let v = v.trim();
        let t = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
            .unwrap_or(v)
            .trim();
        return (Some(t.to_owned()), false);
    }
    let q = query
        .iter()
        .find(|(k, _)| k == "api_key")
        .map(|(_, v)| v.clone());
    let used = q.is_some();
    (q, used)
}

/// A body that fails after the headers went out: the client sees the connection drop
/// after the server applied the write.
fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox: connection dropped after the write was applied",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn front_door(State(state): State<SyncroHandle>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let full = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    let route = full.strip_prefix("/api/v1").unwrap_or(&full).to_owned();
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .and_then(serde_urlencoded_pairs)
        .unwrap_or_default();
    let (token, via_api_key) = token_from(req.headers(), &query);
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    enum Early {
        Status(u16),
        Html502,
        TooMany {
            retry_after: Option<u64>,
            plain: bool,
        },
        Unauthorized,
        Forbidden,
    }
    let (early, latency, record, drop_write) = {
        let mut inner = state.lock();
        *inner
            .counters
            .entry(format!("{method} {route}"))
            .or_default() += 1;
        if via_api_key {
            inner.api_key_requests += 1;
        }
        if let Some(ua) = user_agent {
            inner.user_agents.insert(ua);
        }
        let now = tokio::time::Instant::now();
        let mut early = None;
        // Rate limit first, as Rack::Attack sits before the app (syncro-api.md §6.2):
        // sliding window per source IP; rejected requests do not use up budget (unknown, §9 Q2).
        if inner.config.faults.force_429 > 0 {
            inner.config.faults.force_429 -= 1;
            let ra = inner.config.retry_after.then_some(1);
            early = Some(Early::TooMany {
                retry_after: ra,
                plain: inner.config.plain_text_429,
            });
        } else if let Some(limit) = inner.config.rate_limit {
            let plain = inner.config.plain_text_429;
            let send_ra = inner.config.retry_after;
            let log = inner.rate_log.entry(ip).or_default();
            while log
                .front()
                .is_some_and(|t| now.duration_since(*t) >= limit.window)
            {
                log.pop_front();
            }
            if log.len() >= limit.requests as usize {
                let wait = log
                    .front()
                    .map(|t| limit.window.saturating_sub(now.duration_since(*t)))
                    .unwrap_or(limit.window);
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                early = Some(Early::TooMany {
                    retry_after: send_ra.then_some(secs.max(1)),
                    plain,
                });
            } else {
                log.push_back(now);
            }
        }
        if early.is_none() {
            let perm = required(&method, &route);
            match token.as_deref().and_then(|t| inner.tokens.get(t)).copied() {
                None => early = Some(Early::Unauthorized),
                Some(p) => {
                    let ok = match perm {
                        Perm::None => true,
                        Perm::AssetRead => p.asset.read,
                        Perm::AssetWrite => p.asset.write,
                        Perm::AssetDelete => p.asset.delete,
                        Perm::CustomerRead => p.customer.read,
                        Perm::TicketRead => p.ticket.read,
                        Perm::TicketWrite => p.ticket.write,
                    };
                    if !ok {
                        early = Some(Early::Forbidden);
                    }
                }
            }
        }
        if early.is_none() {
            if let Some(s) = inner.config.faults.fail_next.pop_front() {
                early = Some(Early::Status(s));
            } else if inner.config.faults.html_502 > 0 {
                inner.config.faults.html_502 -= 1;
                early = Some(Early::Html502);
            } else {
                let p = inner.config.faults.random_5xx.clamp(0.0, 1.0);
                if p > 0.0 && inner.rng.random_bool(p) {
                    early = Some(Early::Status(503));
                }
            }
        }
        if matches!(early, Some(Early::TooMany { .. })) {
            inner.too_many += 1;
        }
        let is_write = method == Method::POST || method == Method::PUT;
        let drop_write = is_write && early.is_none() && inner.config.faults.drop_after_write > 0;
        (
            early,
            inner.config.faults.latency,
            inner.config.record_exchanges,
            drop_write,
        )
    };

    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let recorded_query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if k == "api_key" {
                    "***".to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let (req, request_body) = if record {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, 8 << 20)
            .await
            .unwrap_or_default();
        let parsed = serde_json::from_slice::<Value>(&bytes).ok();
        (Request::from_parts(parts, Body::from(bytes)), parsed)
    } else {
        (req, None)
    };

    let response = match early {
        Some(Early::Status(s)) => {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            json_response(status, json!({"error": "Internal Server Error"}))
        }
        Some(Early::Html502) => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        Some(Early::TooMany { retry_after, plain }) => {
            let mut r = if plain {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::CONTENT_TYPE, "text/plain")],
                    "Retry later\n",
                )
                    .into_response()
            } else {
                json_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({"error": "Too many requests"}),
                )
            };
            if let Some(s) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, s);
            }
            r
        }
        Some(Early::Unauthorized) => {
            // Invalid/expired token: 401, body undocumented (syncro-api.md §1, §9 Q8).
            json_response(StatusCode::UNAUTHORIZED, json!({"error": "Not authorized"}))
        }
        Some(Early::Forbidden) => forbidden(),
        None => next.run(req).await,
    };

    if drop_write && response.status().is_success() {
        state.lock().config.faults.drop_after_write -= 1;
        return dropped_connection();
    }
    if !record {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    state.lock().exchanges.push(Exchange {
        method: method.to_string(),
        route,
        query: recorded_query,
        request_body,
        status: parts.status.as_u16(),
        response_body: serde_json::from_slice(&bytes).ok(),
    });
    Response::from_parts(parts, Body::from(bytes))
}

fn serde_urlencoded_pairs(q: &str) -> Option<Vec<(String, String)>> {
    Query::<Vec<(String, String)>>::try_from_uri(&format!("/?{q}").parse().ok()?)
        .ok()
        .map(|Query(v)| v)
}

fn param<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn param_i64(q: &[(String, String)], key: &str) -> Option<i64> {
    param(q, key).and_then(|v| v.trim().parse().ok())
}

/// One page of a list plus Syncro's `meta` (§2 "List envelope"; §6.1 "pages past the end
/// return an empty array").
fn paginate<T: Clone>(
    items: &[T],
    page: i64,
    per_page: usize,
    empty_total_pages: u32,
) -> (Vec<T>, Value) {
    let page = page.max(1) as usize;
    let total = items.len();
    let total_pages = if total == 0 {
        empty_total_pages as usize
    } else {
        total.div_ceil(per_page)
    };
    let start = (page - 1).saturating_mul(per_page).min(total);
    let end = (start + per_page).min(total);
    (
        items[start..end].to_vec(),
        json!({"total_pages": total_pages, "total_entries": total, "per_page": per_page, "page": page}),
    )
}

async fn me(State(s): State<SyncroHandle>, headers: HeaderMap, Query(q): Q) -> Response {
    let (token, _) = token_from(&headers, &q);
    let inner = s.lock();
    let perms = token
        .and_then(|t| inner.tokens.get(&t).copied())
        .unwrap_or_else(super::Permissions::full);
    let admin = perms == super::Permissions::full();
    json_response(
        StatusCode::OK,
        json!({
            "user_token": "redacted-by-sandbox",
            "user_email": "tech@sandbox.example", "user_name": "Sandbox Technician", "user_id": 1,
            "admin": admin, "can_use_app": true, "two_factor_required": false,
            "subdomain": "sandbox", "default_location": null, "enable_multi_locations": false,
            "locations_allowed": [],
            "permissions": {
                "asset": perms.asset, "customer": perms.customer, "ticket": perms.ticket,
                "invoice": {"read": admin, "write": admin, "delete": admin},
                "payment": {"read": admin, "write": admin, "delete": admin},
                "worksheet": {"add": admin, "manage": admin, "delete": admin},
                "script": {"execute": admin}
            }
        }),
    )
}

async fn settings(State(s): State<SyncroHandle>) -> Response {
    json_response(StatusCode::OK, s.lock().account.settings_json())
}

async fn list_customers(State(s): State<SyncroHandle>, Query(q): Q) -> Response {
    let inner = s.lock();
    let style = inner.config.timestamp_style;
    let needle = param(&q, "query").map(str::to_lowercase);
    let include_disabled = param(&q, "include_disabled").is_some_and(|v| v == "true");
    let rows: Vec<Value> = inner
        .account
        .customers
        .values()
        .filter(|c| include_disabled || !c.disabled)
        .filter(|c| {
            needle.as_ref().is_none_or(|n| {
                let hay = format!(
                    "{} {} {} {}",
                    c.business_name.clone().unwrap_or_default(),
                    c.firstname,
                    c.lastname,
                    c.email
                )
                .to_lowercase();
                hay.contains(n.as_str())
            })
        })
        .map(|c| inner.account.customer_json(c, style))
        .collect();
    // §6.1: customers come 100 per page in practice.
    let (page, meta) = paginate(
        &rows,
        param_i64(&q, "page").unwrap_or(1),
        100,
        inner.config.empty_total_pages,
    );
    json_response(StatusCode::OK, json!({"customers": page, "meta": meta}))
}

async fn get_customer(State(s): State<SyncroHandle>, Path(id): Path<String>) -> Response {
    let inner = s.lock();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| inner.account.customers.get(&id))
    {
        Some(c) => json_response(
            StatusCode::OK,
            json!({"customer": inner.account.customer_json(c, inner.config.timestamp_style)}),
        ),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn list_contacts(State(s): State<SyncroHandle>, Query(q): Q) -> Response {
    let inner = s.lock();
    let style = inner.config.timestamp_style;
    let customer = param_i64(&q, "customer_id");
    let rows: Vec<Value> = inner
        .account
        .contacts
        .values()
        .filter(|c| customer.is_none_or(|id| c.customer_id == id))
        .map(|c| inner.account.contact_json(c, style))
        .collect();
    // §4.2: 50 per page observed.
    let (page, meta) = paginate(
        &rows,
        param_i64(&q, "page").unwrap_or(1),
        50,
        inner.config.empty_total_pages,
    );
    json_response(StatusCode::OK, json!({"contacts": page, "meta": meta}))
}

async fn get_contact(State(s): State<SyncroHandle>, Path(id): Path<String>) -> Response {
    let inner = s.lock();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| inner.account.contacts.get(&id))
    {
        // §2 "Exceptions": a single contact comes flat, unwrapped.
        Some(c) => json_response(
            StatusCode::OK,
            inner.account.contact_json(c, inner.config.timestamp_style),
        ),
        None => not_found(),
    }
}

async fn list_assets(State(s): State<SyncroHandle>, Query(q): Q) -> Response {
    let mut inner = s.lock();
    let cfg = inner.config.clone();
    let per_page = match param_i64(&q, "per_page") {
        Some(n) if cfg.honor_per_page && n > 0 => n.min(100) as usize,
        _ => cfg.asset_page_size.max(1) as usize,
    };
    if cfg
        .faults
        .gateway_timeout_above
        .is_some_and(|n| per_page > n as usize)
    {
        return (
            StatusCode::GATEWAY_TIMEOUT,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>504 Gateway Time-out</h1></body></html>",
        )
            .into_response();
    }
    let customer = param_i64(&q, "customer_id");
    let asset_type = param_i64(&q, "asset_type_id");
    let needle = param(&q, "query")
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let snmp = param(&q, "snmp_enabled").map(|v| v == "true");
    let page_no = param_i64(&q, "page").unwrap_or(1);
    let style = cfg.timestamp_style;
    if customer.is_none() && asset_type.is_none() && needle.is_none() && snmp != Some(true) {
        // The full-pull path: page by position and splice cached JSON strings.
        let empty_total_pages = cfg.empty_total_pages as usize;
        let account = &mut inner.account;
        let ids = account.ordered_ids();
        let total = ids.len();
        let start = (page_no.max(1) as usize - 1)
            .saturating_mul(per_page)
            .min(total);
        let page_ids: Vec<i64> = ids[start..(start + per_page).min(total)].to_vec();
        let mut body = String::with_capacity(page_ids.len() * 4096 + 128);
        body.push_str("{\"assets\":[");
        for (i, id) in page_ids.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(account.rendered_asset(*id, style).unwrap_or("null"));
        }
        let total_pages = if total == 0 {
            empty_total_pages
        } else {
            total.div_ceil(per_page)
        };
        let meta = json!({"total_pages": total_pages, "total_entries": total, "per_page": per_page,
                          "page": page_no.max(1)});
        body.push_str("],\"meta\":");
        body.push_str(&meta.to_string());
        body.push('}');
        return ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    // §3.2: `query` matches at least name and serial, case-insensitively.
    let matching: Vec<&Asset> = inner
        .account
        .assets
        .values()
        .filter(|a| customer.is_none_or(|c| a.customer_id == Some(c)))
        .filter(|a| asset_type.is_none_or(|t| a.asset_type_id == t))
        // No emulated asset has SNMP enabled.
        .filter(|_| snmp != Some(true))
        .filter(|a| {
            needle.as_ref().is_none_or(|n| {
                a.name.to_lowercase().contains(n.as_str())
                    || a.asset_serial
                        .as_deref()
                        .is_some_and(|s| s.to_lowercase().contains(n.as_str()))
            })
        })
        .collect();
    let (page, meta) = paginate(&matching, page_no, per_page, cfg.empty_total_pages);
    let rows: Vec<Value> = page
        .iter()
        .map(|a| inner.account.render_asset(a, style))
        .collect();
    // §2: the list key is `assets`, not `customer_assets`.
    json_response(StatusCode::OK, json!({"assets": rows, "meta": meta}))
}

async fn get_asset(State(s): State<SyncroHandle>, Path(id): Path<String>) -> Response {
    let inner = s.lock();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| inner.account.asset_json(id, inner.config.timestamp_style))
    {
        Some(a) => json_response(StatusCode::OK, json!({"asset": a})),
        None => not_found(),
    }
}

fn int_of(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn parse_body(body: &Bytes) -> Result<Map<String, Value>, Box<Response>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Box::new(json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "Body must be a JSON object (Content-Type: application/json)"}),
        ))),
    }
}

fn asset_422(messages: Vec<String>, params: Option<&Map<String, Value>>) -> Response {
    // §6.3 "422 assets": {"success":false,"message":[…],"params":{…}}; PUT omits params.
    let mut body = json!({"success": false, "message": messages});
    if let (Some(p), Some(obj)) = (params, body.as_object_mut()) {
        obj.insert("params".into(), Value::Object(p.clone()));
    }
    json_response(StatusCode::UNPROCESSABLE_ENTITY, body)
}

async fn create_asset(State(s): State<SyncroHandle>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut inner = s.lock();
    let style = inner.config.timestamp_style;
    let mut errors = Vec::new();
    let name = b
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if name.is_empty() {
        errors.push("Name can't be blank".to_owned());
    }
    // §3.4: asset_type_id or asset_type_name; none → "Asset type can't be blank".
    let type_id = match (
        int_of(b.get("asset_type_id")),
        b.get("asset_type_name").and_then(Value::as_str),
    ) {
        (Some(id), _) if inner.account.asset_types.contains_key(&id) => Some(id),
        (None, Some(n)) => inner.account.type_id_by_name(n),
        _ => None,
    };
    if type_id.is_none() {
        errors.push("Asset type can't be blank".to_owned());
    }
    let customer_id = int_of(b.get("customer_id"));
    if customer_id.is_some_and(|c| !inner.account.customers.contains_key(&c)) {
        errors.push("Customer must exist".to_owned());
    }
    let serial = b
        .get("asset_serial")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    // §3.4: duplicate serial → 422, scope account-wide.
    if let Some(sn) = serial
        && inner
            .account
            .assets
            .values()
            .any(|a| a.asset_serial.as_deref() == Some(sn))
    {
        errors.push("Asset serial has already been taken".to_owned());
    }
    if !errors.is_empty() {
        return asset_422(errors, Some(&b));
    }
    let id = inner.account.next_asset_id;
    inner.account.next_asset_id += 1;
    let now = inner.account.tick();
    // §3.4: LIVE (2026) saw properties ignored on create.
    let properties = if inner.config.ignore_properties_on_create {
        Map::new()
    } else {
        b.get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let asset = Asset {
        id,
        name,
        customer_id,
        contact_id: int_of(b.get("contact_id")),
        asset_type_id: type_id.unwrap_or_default(),
        asset_serial: serial.map(str::to_owned),
        properties,
        created_at: now,
        updated_at: now,
    };
    inner.account.put_asset(asset);
    let rendered = inner.account.asset_json(id, style).unwrap_or(Value::Null);
    // §2 "Create status": 200, not 201; wrapped.
    json_response(StatusCode::OK, json!({"asset": rendered}))
}

async fn update_asset(
    State(s): State<SyncroHandle>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut inner = s.lock();
    let style = inner.config.timestamp_style;
    let merge = inner.config.properties_on_put == PropertiesOnPut::Merge;
    let Some(current) = inner.account.assets.get(&id).cloned() else {
        return not_found();
    };
    let mut errors = Vec::new();
    let mut next = current.clone();
    if let Some(v) = b.get("name") {
        let n = v.as_str().unwrap_or("").trim();
        if n.is_empty() {
            errors.push("Name can't be blank".to_owned());
        }
        next.name = n.to_owned();
    }
    if b.contains_key("asset_type_id") || b.contains_key("asset_type_name") {
        let t = match (
            int_of(b.get("asset_type_id")),
            b.get("asset_type_name").and_then(Value::as_str),
        ) {
            (Some(t), _) if inner.account.asset_types.contains_key(&t) => Some(t),
            (None, Some(n)) => inner.account.type_id_by_name(n),
            _ => None,
        };
        match t {
            Some(t) => next.asset_type_id = t,
            None => errors.push("Asset type can't be blank".to_owned()),
        }
    }
    if let Some(v) = b.get("customer_id") {
        let c = int_of(Some(v));
        if c.is_some_and(|c| !inner.account.customers.contains_key(&c)) {
            errors.push("Customer must exist".to_owned());
        }
        next.customer_id = c;
    }
    if let Some(v) = b.get("contact_id") {
        next.contact_id = int_of(Some(v));
    }
    if let Some(v) = b.get("asset_serial") {
        let sn = v
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if let Some(sn) = &sn
            && inner
                .account
                .assets
                .values()
                .any(|a| a.id != id && a.asset_serial.as_ref() == Some(sn))
        {
            errors.push("Asset serial has already been taken".to_owned());
        }
        next.asset_serial = sn;
    }
    if let Some(p) = b.get("properties") {
        let Some(p) = p.as_object() else {
            return asset_422(vec!["Properties must be an object".to_owned()], None);
        };
        // §3.4: merge or replace is unknown; both are emulated.
        if merge {
            for (k, v) in p {
                next.properties.insert(k.clone(), v.clone());
            }
        } else {
            next.properties = p.clone();
        }
    }
    if !errors.is_empty() {
        return asset_422(errors, None);
    }
    next.updated_at = inner.account.tick();
    inner.account.put_asset(next);
    let rendered = inner.account.asset_json(id, style).unwrap_or(Value::Null);
    json_response(StatusCode::OK, json!({"asset": rendered}))
}

async fn delete_asset(State(s): State<SyncroHandle>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    // §3.1: no asset DELETE on the real API; a 404 as for any unknown route.
    if !inner.config.asset_delete {
        return StatusCode::NOT_FOUND.into_response();
    }
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| inner.account.take_asset(id))
    {
        Some(_) => json_response(StatusCode::OK, json!({"message": "Asset was deleted."})),
        None => not_found(),
    }
}

async fn asset_patches(State(s): State<SyncroHandle>, Path(id): Path<String>) -> Response {
    let inner = s.lock();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| inner.account.assets.get(&id))
    {
        Some(a) => json_response(StatusCode::OK, inner.account.patches_json(a)),
        // §3.1: 404 {"error":"Asset not found"} on patches.
        None => json_response(StatusCode::NOT_FOUND, json!({"error": "Asset not found"})),
    }
}

async fn list_tickets(State(s): State<SyncroHandle>, Query(q): Q) -> Response {
    let inner = s.lock();
    let style = inner.config.timestamp_style;
    let customer = param_i64(&q, "customer_id");
    let contact = param_i64(&q, "contact_id");
    let status = param(&q, "status");
    let needle = param(&q, "query").map(str::to_lowercase);
    let mut rows: Vec<&Ticket> = inner
        .account
        .tickets
        .values()
        .filter(|t| customer.is_none_or(|c| t.customer_id == c))
        .filter(|t| contact.is_none_or(|c| t.contact_id == Some(c)))
        .filter(|t| match status {
            Some("Not Closed") => t.status != "Resolved",
            Some(s) => t.status == s,
            None => true,
        })
        .filter(|t| {
            needle
                .as_ref()
                .is_none_or(|n| t.subject.to_lowercase().contains(n.as_str()))
        })
        .collect();
    rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let rendered: Vec<Value> = rows
        .iter()
        .map(|t| inner.account.ticket_json(t, style, false))
        .collect();
    // §6.1: tickets 25 per page per the spec text.
    let (page, meta) = paginate(
        &rendered,
        param_i64(&q, "page").unwrap_or(1),
        25,
        inner.config.empty_total_pages,
    );
    // SW's ticket list example shows only total_pages and page.
    let meta = json!({"total_pages": meta["total_pages"], "page": meta["page"]});
    json_response(StatusCode::OK, json!({"tickets": page, "meta": meta}))
}

async fn get_ticket(State(s): State<SyncroHandle>, Path(id): Path<String>) -> Response {
    let inner = s.lock();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| inner.account.tickets.get(&id))
    {
        Some(t) => json_response(
            StatusCode::OK,
            json!({"ticket": inner.account.ticket_json(t, inner.config.timestamp_style, true)}),
        ),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn create_ticket(State(s): State<SyncroHandle>, body: Bytes) -> Response {
    let b = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut inner = s.lock();
    let style = inner.config.timestamp_style;
    // §4.3: missing customer → 422 {"error":"Customer required field"}.
    let Some(customer_id) =
        int_of(b.get("customer_id")).filter(|c| inner.account.customers.contains_key(c))
    else {
        return json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "Customer required field"}),
        );
    };
    let subject = b
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if subject.is_empty() {
        return json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"success": false, "message": ["Subject can't be blank"]}),
        );
    }
    let asset_ids: Vec<i64> = b
        .get("asset_ids")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| int_of(Some(v))).collect())
        .unwrap_or_default();
    let body_text = b
        .get("comments_attributes")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(|c| c.get("body"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let id = inner.account.next_ticket_id;
    inner.account.next_ticket_id += 1;
    let now = inner.account.tick();
    let number = 1000 + inner.account.tickets.len() as i64;
    let ticket = Ticket {
        id,
        number,
        subject,
        customer_id,
        contact_id: int_of(b.get("contact_id")),
        status: b
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("New")
            .to_owned(),
        problem_type: b
            .get("problem_type")
            .and_then(Value::as_str)
            .unwrap_or("Other")
            .to_owned(),
        asset_ids,
        body: body_text,
        created_at: now,
        updated_at: now,
    };
    let rendered = inner.account.ticket_json(&ticket, style, true);
    inner.account.tickets.insert(id, ticket);
    json_response(StatusCode::OK, json!({"ticket": rendered}))
}
