//! One request, done right: the shared limiter, the token header, bounded retries with
//! jittered backoff where retrying is safe, and status → [`Error`] mapping.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use url::Url;

use crate::error::{Applied, Error, body_message};
use crate::limiter::{SharedLimiter, budget_key};
use crate::settings::{ApiToken, SyncroSettings};

/// A decoded 2xx answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub body: Value,
}

/// What went wrong, before it is decided whether to retry.
enum Attempt {
    Done(Answer),
    /// 429: the server did nothing.
    TooMany(Option<Duration>),
    /// No connection could be made: nothing was sent.
    Unreachable(Error),
    Fail(Error),
}

#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    token: ApiToken,
    limiter: Option<Arc<SharedLimiter>>,
    timeout: Duration,
    max_retries: u32,
}

impl Transport {
    pub(crate) fn new(settings: &SyncroSettings, token: ApiToken) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(15))
            // Redirects could carry the Authorization header elsewhere; Syncro does not
            // redirect API calls.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Connection {
                detail: e.to_string(),
                applied: Applied::No,
            })?;
        let limiter = settings.rate.map(|budget| {
            let key = budget_key(
                settings.base_url.host_str().unwrap_or_default(),
                settings.base_url.port_or_known_default(),
            );
            SharedLimiter::shared(&key, budget)
        });
        Ok(Transport {
            http,
            base: settings.base_url.clone(),
            token,
            limiter,
            timeout: settings.timeout,
            max_retries: settings.max_retries,
        })
    }

    fn window(&self) -> Duration {
        self.limiter
            .as_ref()
            .map(|l| l.window())
            .unwrap_or(Duration::from_secs(60))
    }

    /// Sends one request. `path` is relative to the API base (`customer_assets/7`).
    /// GET and PUT (whose bodies are complete) are retried after 5xx, timeouts and dropped
    /// connections; POST only after failures that prove nothing was applied (429, refused
    /// connection). A 504 is returned at once when `fail_fast_504` is set, so a list can
    /// shrink its page instead (syncro-api.md §6.1).
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        fail_fast_504: bool,
    ) -> Result<Answer, Error> {
        let url = self.base.join(path).map_err(|e| Error::Http {
            status: 0,
            message: format!("bad path {path}: {e}"),
        })?;
        let idempotent = method != Method::POST;
        let mut attempt = 0u32;
        loop {
            if let Some(l) = &self.limiter {
                l.acquire().await;
            }
            let outcome = self.once(method.clone(), url.clone(), query, body).await;
            let retry_delay = match outcome {
                Attempt::Done(a) => return Ok(a),
                Attempt::TooMany(retry_after) => {
                    // syncro-api.md §6.2: 429 with or without Retry-After; pause the whole
                    // shared budget so other connections do not make it worse.
                    let window = self.window();
                    let delay = retry_after
                        .map(|d| d.min(window))
                        .unwrap_or_else(|| backoff(window / 12, attempt, window));
                    if let Some(l) = &self.limiter {
                        l.pause(delay);
                    }
                    if attempt >= self.max_retries {
                        return Err(Error::RateLimited { retry_after });
                    }
                    if self.limiter.is_some() {
                        Duration::ZERO
                    } else {
                        delay
                    }
                }
                Attempt::Unreachable(e) => {
                    // Refused or unroutable: the network is down (a technician offline at a
                    // client site). One quick retry covers a blip; then the sync says
                    // "offline" at once instead of after ~15 s of backoff, and the scheduler
                    // tries again on its next run.
                    if attempt >= self.max_retries.min(CONNECT_RETRIES) {
                        return Err(e);
                    }
                    let window = self.window();
                    backoff(window / 120, attempt, window / 2)
                }
                Attempt::Fail(e) => {
                    let safe = match &e {
                        Error::Connection {
                            applied: Applied::No,
                            ..
                        } => true,
                        Error::Server { status: 504, .. } if fail_fast_504 => false,
                        Error::Server { .. } | Error::Timeout { .. } | Error::Connection { .. } => {
                            idempotent
                        }
                        _ => false,
                    };
                    if !safe || attempt >= self.max_retries {
                        return Err(e);
                    }
                    tracing::debug!(error = %e, attempt, "syncro: retrying");
                    let window = self.window();
                    backoff(window / 120, attempt, window / 2)
                }
            };
            attempt += 1;
            if !retry_delay.is_zero() {
                tokio::time::sleep(retry_delay).await;
            }
        }
    }

    async fn once(
        &self,
        method: Method,
        url: Url,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Attempt {
        let write = method != Method::GET;
        let maybe = if write { Applied::Maybe } else { Applied::No };
        // syncro-api.md §1: the token goes in the Authorization header (Bearer), never in
        // `?api_key=` where it would end up in proxy and server logs.
        let mut req = self
            .http
            .request(method, url)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.token.expose()),
            )
            .header(header::ACCEPT, "application/json");
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_connect() => {
                return Attempt::Unreachable(transport_error(&e, self.timeout, maybe));
            }
            Err(e) => return Attempt::Fail(transport_error(&e, self.timeout, maybe)),
        };
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            // The answer was lost after the server started it: a write may have landed.
            Err(e) => return Attempt::Fail(transport_error(&e, self.timeout, maybe)),
        };
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match status {
            s if s.is_success() => match serde_json::from_slice::<Value>(&bytes) {
                Ok(body) => Attempt::Done(Answer { body }),
                // §6.3: proxies and some endpoints answer non-JSON even with 200.
                Err(e) => Attempt::Fail(Error::Decode {
                    status: s.as_u16(),
                    detail: format!("{e}; body starts {:?}", body_message(&text())),
                }),
            },
            StatusCode::TOO_MANY_REQUESTS => Attempt::TooMany(retry_after),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Attempt::Fail(Error::Auth {
                message: body_message(&text()),
            }),
            StatusCode::NOT_FOUND => Attempt::Fail(Error::NotFound {
                what: body_message(&text()),
            }),
            StatusCode::UNPROCESSABLE_ENTITY => Attempt::Fail(Error::Http {
                status: 422,
                message: text(),
            }),
            s if s.is_server_error() => Attempt::Fail(Error::Server {
                status: s.as_u16(),
                message: body_message(&text()),
                applied: maybe,
            }),
            s => Attempt::Fail(Error::Http {
                status: s.as_u16(),
                message: body_message(&text()),
            }),
        }
    }
}

/// Retries after a connection that could not be made at all.
const CONNECT_RETRIES: u32 = 1;

fn transport_error(e: &reqwest::Error, timeout: Duration, maybe: Applied) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            timeout,
            applied: maybe,
        }
    } else if e.is_connect() {
        // Nothing reached the server.
        Error::Connection {
            detail: describe(e),
            applied: Applied::No,
        }
    } else {
        Error::Connection {
            detail: describe(e),
            applied: maybe,
        }
    }
}

/// The error chain as one line, without the URL (which is harmless, but long).
fn describe(e: &reqwest::Error) -> String {
    let mut parts = vec![e.without_url_ref().to_string()];
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    parts.join(": ")
}

/// "Full jitter" exponential backoff (sync-perf-anchors.md §3.7): uniform in
/// [0, min(cap, base·2^attempt)], at least 1 ms.
fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << attempt.min(16))
        .min(cap)
        .max(Duration::from_millis(1));
    let nanos = rand::rng().random_range(0..=ceiling.as_nanos() as u64);
    Duration::from_nanos(nanos).max(Duration::from_millis(1))
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let s = self.to_string();
        match self.url() {
            Some(u) => s.replace(&format!(" for url ({u})"), ""),
            None => s,
        }
    }
}
