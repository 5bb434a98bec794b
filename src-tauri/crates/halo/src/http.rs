//! The transport: token minting and caching, the shared limiter, timeouts, bounded retries
//! with full jitter, 429 handling, and status → [`HaloError`] mapping. Every request of a
//! client goes through [`Transport::call`].

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use crate::error::{HaloError, parse_validation};
use crate::limiter::RateLimiter;
use crate::settings::{AuthServer, HaloSettings, Secret, check_transport};

/// Retries after a connection that could not be made at all (`Transport::retry_budget`).
const CONNECT_RETRIES: u32 = 1;
/// A bearer token; redacted in `Debug`.
#[derive(Clone)]
pub(crate) struct Token {
    value: String,
    expires: Instant,
    pub scope: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("scope", &self.scope)
            .finish()
    }
}

/// When [`Transport::token`] mints a new token.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Renew<'a> {
    /// Reuse the cached token unless it is about to expire.
    IfExpiring,
    /// The API answered 401 to this token value.
    Rejected(&'a str),
    /// Always mint (the "Test connection" button, the permission report).
    Always,
}

/// Whether a failed request may be sent again automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Reads, deletes and full-value updates: repeating them is harmless.
    Safe,
    /// Creates: after an ambiguous failure only the engine may decide (reconcile first).
    NotAfterSend,
}

#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Path under the resource URL (`Asset`, `Asset/12`).
    pub path: &'a str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub retry: Retry,
    /// Entity and id for a 404 → [`HaloError::NotFound`].
    pub entity: (&'static str, i64),
}

#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    pub settings: HaloSettings,
    secret: Secret,
    token: Mutex<Option<Token>>,
    auth_url: Mutex<Option<(Url, Option<String>)>>,
    pub limiter: Option<Arc<RateLimiter>>,
}

fn jitter(base: Duration, factor: f64) -> Duration {
    base.mul_f64(1.0 + rand::rng().random::<f64>() * factor)
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s >= 0.0 && s.is_finite())
        .map(Duration::from_secs_f64)
}

/// The permission a 403 on this call lacks (§1.2 scope names; §1.3 app AND agent rights).
fn required_permission(method: &Method, path: &str) -> String {
    let seg = path.split('/').next().unwrap_or(path).to_ascii_lowercase();
    let area = match seg.as_str() {
        "asset" | "assettype" | "assetgroup" | "field" => "assets",
        "client" | "site" | "users" => "customers",
        "tickets" | "status" => "tickets",
        "supplier" => "suppliers",
        "clientcontract" => "contracts",
        _ => "all",
    };
    let verb = if *method == Method::GET {
        "read"
    } else {
        "edit"
    };
    format!(
        "scope {verb}:{area} on the API application (Configuration > Integrations > Halo API), and the matching {verb} permission on its login agent"
    )
}

impl Transport {
    pub fn new(
        settings: HaloSettings,
        secret: Secret,
        limiter: Option<Arc<RateLimiter>>,
    ) -> Result<Self, HaloError> {
        check_transport(&settings.resource_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .user_agent(concat!("AssetDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HaloError::Settings(format!("HTTP client: {e}")))?;
        let limiter =
            limiter.or_else(|| settings.rate_limit.map(|r| Arc::new(RateLimiter::new(r))));
        Ok(Self {
            http,
            settings,
            secret,
            token: Mutex::new(None),
            auth_url: Mutex::new(None),
            limiter,
        })
    }

    async fn pace(&self) {
        if let Some(l) = &self.limiter {
            l.acquire().await;
        }
    }

    fn throttled(&self, resp: &reqwest::Response) -> Duration {
        // §6: honour Retry-After if sent, else ≥ the configured floor (30 s) with jitter.
        let wait = retry_after(resp).unwrap_or_else(|| jitter(self.settings.throttle_backoff, 0.5));
        if let Some(l) = &self.limiter {
            l.pause(wait);
        }
        wait
    }

    fn map_send_error(&self, e: &reqwest::Error) -> HaloError {
        if e.is_timeout() {
            HaloError::Timeout(self.settings.request_timeout)
        } else {
            // `is_connect`: the request never left. Anything else may have reached Halo.
            HaloError::Connection {
                message: e.to_string(),
                sent: !e.is_connect(),
            }
        }
    }

    /// The authorisation server and tenant, discovered once (§1.1).
    async fn auth_target(&self) -> (Url, Option<String>) {
        let mut cached = self.auth_url.lock().await;
        if let Some(c) = cached.as_ref() {
            return c.clone();
        }
        let derived = (
            self.settings.derived_auth_url(),
            self.settings.tenant.clone(),
        );
        let found = match &self.settings.auth_server {
            AuthServer::Derived => derived,
            AuthServer::Url(u) => (u.clone(), self.settings.tenant.clone()),
            AuthServer::Discover => self.discover().await.unwrap_or(derived),
        };
        *cached = Some(found.clone());
        found
    }

    async fn discover(&self) -> Option<(Url, Option<String>)> {
        self.pace().await;
        let resp = self
            .http
            .get(self.settings.api("authinfo"))
            .timeout(self.settings.request_timeout)
            .send()
            .await
            .ok()?;
        if !resp.status().is_success() {
            tracing::warn!(status = %resp.status(), "HaloPSA authinfo discovery failed; using the derived auth URL");
            return None;
        }
        let v: Value = resp.json().await.ok()?;
        let url = Url::parse(v.get("auth_url")?.as_str()?).ok()?;
        check_transport(&url).ok()?;
        let tenant = self.settings.tenant.clone().or_else(|| {
            v.get("tenant_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        Some((url, tenant.filter(|t| !t.is_empty())))
    }

    /// A valid token: cached, renewed `token_renew_margin` before expiry (§1.2). Minting is
    /// serialised by the lock so concurrent callers share one token. `Renew::Rejected(v)`
    /// re-mints only if `v` is still the cached token, so many calls that hit 401 at once
    /// cause one new token, not one each.
    pub async fn token(&self, renew: Renew<'_>) -> Result<Token, HaloError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref() {
            let fresh = t.expires > Instant::now() + self.settings.token_renew_margin;
            let reuse = match renew {
                Renew::IfExpiring => fresh,
                Renew::Rejected(used) => fresh && t.value != used,
                Renew::Always => false,
            };
            if reuse {
                return Ok(t.clone());
            }
        }
        let (auth, tenant) = self.auth_target().await;
        let mut url = Url::parse(&format!("{}/token", auth.as_str().trim_end_matches('/')))
            .map_err(|e| HaloError::Settings(format!("auth server URL: {e}")))?;
        if let Some(t) = &tenant {
            // §1.2: tenant on the token URL's query string.
            url.query_pairs_mut().append_pair("tenant", t);
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.secret.expose()),
            ("scope", self.settings.scope.as_str()),
        ];
        let mut throttles = 0;
        let mut attempt = 0;
        let resp = loop {
            self.pace().await;
            let sent = self
                .http
                .post(url.clone())
                .form(&form)
                .timeout(self.settings.request_timeout)
                .send()
                .await;
            match sent {
                Ok(r)
                    if r.status() == StatusCode::TOO_MANY_REQUESTS
                        && throttles < self.settings.max_throttle_retries =>
                {
                    // §6: /auth/token can be throttled too.
                    throttles += 1;
                    tokio::time::sleep(self.throttled(&r)).await;
                }
                Ok(r) if r.status().is_server_error() && attempt < self.settings.max_retries => {
                    attempt += 1;
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Ok(r) => break r,
                Err(e) if attempt < self.retry_budget(&e) => {
                    tracing::debug!(error = %e, "token request failed; retrying");
                    attempt += 1;
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(e) => return Err(self.map_send_error(&e)),
            }
        };
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.map_send_error(&e))?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(HaloError::RateLimited { retry_after: None });
        }
        if !status.is_success() {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let code = v.get("error").and_then(Value::as_str).unwrap_or("");
            return Err(HaloError::Auth(match code {
                "invalid_client" => "the client id or secret is wrong (invalid_client); check them under Configuration > Integrations > Halo API".into(),
                "" => format!("the token endpoint answered {status}; check the authorisation server URL and tenant"),
                other => format!("the token endpoint answered {status} ({other}); check the client id, secret and tenant under Configuration > Integrations > Halo API"),
            }));
        }
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| HaloError::Protocol(format!("token response: {e}")))?;
        let value = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| HaloError::Protocol("token response has no access_token".into()))?
            .to_owned();
        let lifetime = v
            .get("expires_in")
            .and_then(crate::wire::id)
            .unwrap_or(3600)
            .max(1) as u64;
        let scope = v
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let t = Token {
            value,
            expires: Instant::now() + Duration::from_secs(lifetime),
            scope,
        };
        *slot = Some(t.clone());
        Ok(t)
    }

    /// Retries allowed after a transport error. A connection that could not be made at all
    /// (refused, no route: a technician offline at a client site) gets one quick retry for a
    /// blip; backing off through every retry kept the sync saying "Syncing…" for 8–15 s
    /// before it could say "offline". The scheduler tries again on its next run.
    fn retry_budget(&self, e: &reqwest::Error) -> u32 {
        if e.is_connect() {
            self.settings.max_retries.min(CONNECT_RETRIES)
        } else {
            self.settings.max_retries
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        // Exponential with full jitter (sync-perf-anchors.md §3.7).
        let cap = self
            .settings
            .retry_base
            .saturating_mul(1 << attempt.min(10));
        cap.mul_f64(0.5 + rand::rng().random::<f64>() * 0.5)
    }

    /// Sends one API call and returns the parsed JSON body (`Null` for an empty body).
    pub async fn call(&self, call: Call<'_>) -> Result<Value, HaloError> {
        let url = self.settings.api(call.path);
        let mut renewed = false;
        let mut attempt = 0_u32;
        let mut throttles = 0_u32;
        loop {
            let token = self.token(Renew::IfExpiring).await?;
            self.pace().await;
            let mut req = self
                .http
                .request(call.method.clone(), &url)
                .bearer_auth(&token.value)
                .timeout(self.settings.request_timeout);
            if !call.query.is_empty() {
                req = req.query(&call.query);
            }
            if let Some(b) = &call.body {
                req = req.json(b);
            }
            let may_retry = |attempt: u32| attempt < self.settings.max_retries;
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    let err = self.map_send_error(&e);
                    let safe = call.retry == Retry::Safe || !err.may_have_applied();
                    if safe && attempt < self.retry_budget(&e) {
                        attempt += 1;
                        tracing::debug!(path = call.path, attempt, error = %err, "retrying after transport error");
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            let status = resp.status();
            match status {
                s if s.is_success() => {
                    return match resp.bytes().await {
                        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => Ok(Value::Null),
                        Ok(b) => serde_json::from_slice(&b)
                            .map_err(|e| HaloError::Protocol(format!("{}: {e}", call.path))),
                        Err(e) => {
                            // The answer was cut off: the write landed, the reply did not.
                            let err = HaloError::Connection {
                                message: e.to_string(),
                                sent: true,
                            };
                            if call.retry == Retry::Safe && may_retry(attempt) {
                                attempt += 1;
                                tokio::time::sleep(self.backoff(attempt)).await;
                                continue;
                            }
                            Err(err)
                        }
                    };
                }
                StatusCode::UNAUTHORIZED if !renewed => {
                    // §1.2: renew once on any 401, then fail.
                    renewed = true;
                    self.token(Renew::Rejected(&token.value)).await?;
                }
                StatusCode::UNAUTHORIZED => {
                    return Err(HaloError::Auth(
                        "HaloPSA answered 401 with a fresh token; check that the application's scope includes what AssetDesk asks for (\"all\" by default)".into(),
                    ));
                }
                StatusCode::FORBIDDEN => {
                    return Err(HaloError::PermissionMissing {
                        permission: required_permission(&call.method, call.path),
                        endpoint: format!("{} /api/{}", call.method, call.path),
                    });
                }
                StatusCode::NOT_FOUND => {
                    return Err(HaloError::NotFound {
                        entity: call.entity.0,
                        id: call.entity.1,
                    });
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    let wait = self.throttled(&resp);
                    if throttles >= self.settings.max_throttle_retries {
                        return Err(HaloError::RateLimited {
                            retry_after: Some(wait),
                        });
                    }
                    throttles += 1;
                    tracing::info!(
                        path = call.path,
                        wait_ms = wait.as_millis() as u64,
                        "HaloPSA rate limit reached; waiting"
                    );
                    tokio::time::sleep(wait).await;
                }
                StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                    let body = resp.bytes().await.unwrap_or_default();
                    return Err(HaloError::Validation {
                        errors: parse_validation(&body),
                    });
                }
                s if s.is_server_error() => {
                    let body = resp.text().await.unwrap_or_default();
                    let err = HaloError::Server {
                        status: s.as_u16(),
                        message: body.chars().take(300).collect(),
                    };
                    if call.retry == Retry::Safe && may_retry(attempt) {
                        attempt += 1;
                        tracing::debug!(
                            path = call.path,
                            attempt,
                            status = s.as_u16(),
                            "retrying after server error"
                        );
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(err);
                }
                s => {
                    let body = resp.text().await.unwrap_or_default();
                    return Err(HaloError::Protocol(format!(
                        "{} answered {s}: {}",
                        call.path,
                        body.chars().take(300).collect::<String>()
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_names_scope_and_agent() {
        let p = required_permission(&Method::POST, "Asset");
        assert!(p.contains("edit:assets"), "{p}");
        assert!(required_permission(&Method::GET, "Client").contains("read:customers"));
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = Token {
            value: "abc123secret".into(),
            expires: Instant::now(),
            scope: "all".into(),
        };
        assert!(!format!("{t:?}").contains("abc123secret"));
    }
}
