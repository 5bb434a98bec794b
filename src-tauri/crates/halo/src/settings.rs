//! Connection settings and the secret. Nothing here is persisted by this crate: the app keeps
//! settings in its store and the secret in the OS keychain, and hands both in.

use std::time::Duration;

use assetdesk_domain::ConnectionId;
use url::Url;

use crate::error::HaloError;
use crate::mapping::FieldMapping;

/// The OAuth client secret (or any credential). Its `Debug` and `Display` never show the
/// value, so it cannot leak through logs or error messages (DESIGN.md invariant 5).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it (the token request).
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How the authorisation server is found (halopsa-api.md §1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthServer {
    /// `https://<host>/auth`, derived from the resource URL — the default for Halo-hosted
    /// and most on-prem instances.
    Derived,
    /// Ask `GET /api/authinfo` for `auth_url` (and `tenant_id` when no tenant was given);
    /// falls back to [`AuthServer::Derived`] if discovery fails, as HaloAPI does.
    Discover,
    /// An explicit authorisation server URL (shown under Halo API > API Details).
    Url(Url),
}

/// The client-side rate limit: one budget per tenant (halopsa-api.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    pub max_requests: u32,
    pub window: Duration,
}

impl Default for RateLimitSettings {
    /// 300 requests per rolling 5 minutes: the limit Halo-hosted tenants report (§6).
    fn default() -> Self {
        Self {
            max_requests: 300,
            window: Duration::from_secs(300),
        }
    }
}

/// Everything needed to talk to one HaloPSA tenant, except the secret.
#[derive(Debug, Clone)]
pub struct HaloSettings {
    /// Which connection the returned domain records belong to.
    pub connection_id: ConnectionId,
    /// The resource server, e.g. `https://contoso.halopsa.com/api` (§1.1).
    pub resource_url: Url,
    pub auth_server: AuthServer,
    /// Hosted tenant name, sent as `?tenant=` on the token URL (§1.2).
    pub tenant: Option<String>,
    pub client_id: String,
    /// Always sent: a token minted without scope fails every call with 401 (§1.2, §1.3).
    pub scope: String,
    /// Rows asked per page. Halo caps silently (50 or 100, §3.3); the client never relies on
    /// getting what it asked.
    pub page_size: u32,
    /// `None` disables the client limiter (only for loopback benchmarks).
    pub rate_limit: Option<RateLimitSettings>,
    /// Wait after a 429 without `Retry-After` (§6: ≥ 30 s; short sleeps cannot outlast the
    /// window). Jitter of up to +50 % is added.
    pub throttle_backoff: Duration,
    /// 429s in a row before giving up with [`HaloError::RateLimited`].
    pub max_throttle_retries: u32,
    /// Per-request timeout (every request has one).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after 5xx, timeouts and dropped connections for requests that are safe to
    /// repeat (never for creates: the engine reconciles those).
    pub max_retries: u32,
    /// First backoff of the exponential retry schedule (full jitter).
    pub retry_base: Duration,
    /// Renew the token this long before it expires (§1.2: 1–5 min).
    pub token_renew_margin: Duration,
    /// Which Halo info fields hold serial, model, … (defaults by field name).
    pub field_mapping: FieldMapping,
}

impl HaloSettings {
    /// Settings with the documented defaults. Fails unless the URL is HTTPS, or HTTP to a
    /// loopback address (DESIGN.md invariant 8).
    pub fn new(
        connection_id: ConnectionId,
        resource_url: &str,
        client_id: impl Into<String>,
    ) -> Result<Self, HaloError> {
        let mut url = Url::parse(resource_url.trim()).map_err(|e| {
            HaloError::Settings(format!(
                "resource URL '{resource_url}' is not a URL ({e}); use e.g. https://yourcompany.halopsa.com/api"
            ))
        })?;
        // Accept the web-app URL too: the API lives under /api (§1.1).
        if !url
            .path()
            .trim_end_matches('/')
            .to_ascii_lowercase()
            .ends_with("/api")
        {
            let p = format!("{}/api", url.path().trim_end_matches('/'));
            url.set_path(&p);
        }
        check_transport(&url)?;
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(HaloError::Settings(
                "client id is empty; copy it from Configuration > Integrations > Halo API > your application".into(),
            ));
        }
        Ok(Self {
            connection_id,
            resource_url: url,
            auth_server: AuthServer::Derived,
            tenant: None,
            client_id,
            scope: "all".into(),
            page_size: 100,
            rate_limit: Some(RateLimitSettings::default()),
            throttle_backoff: Duration::from_secs(30),
            max_throttle_retries: 6,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            retry_base: Duration::from_millis(500),
            token_renew_margin: Duration::from_secs(120),
            field_mapping: FieldMapping::default(),
        })
    }

    /// The resource URL with a path appended (`Asset` → `…/api/Asset`).
    pub(crate) fn api(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.resource_url.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }

    /// `https://<host>/auth`: the default authorisation server (§1.1).
    pub(crate) fn derived_auth_url(&self) -> Url {
        let mut u = self.resource_url.clone();
        let p = u.path().trim_end_matches('/');
        let base = p
            .strip_suffix("/api")
            .or_else(|| p.strip_suffix("/API"))
            .unwrap_or(p)
            .to_owned();
        u.set_path(&format!("{base}/auth"));
        u.set_query(None);
        u
    }
}

/// HTTPS everywhere; plain HTTP only to loopback (the sandbox).
pub(crate) fn check_transport(url: &Url) -> Result<(), HaloError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        other => Err(HaloError::Settings(format!(
            "'{url}' uses {other}; HaloPSA must be reached over https:// (plain http is allowed only for 127.0.0.1/localhost)"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> ConnectionId {
        ConnectionId("c1".into())
    }

    #[test]
    fn https_required_except_loopback() {
        assert!(HaloSettings::new(conn(), "https://contoso.halopsa.com/api", "id").is_ok());
        assert!(HaloSettings::new(conn(), "http://127.0.0.1:8080/api", "id").is_ok());
        assert!(HaloSettings::new(conn(), "http://localhost/api", "id").is_ok());
        let err = HaloSettings::new(conn(), "http://contoso.halopsa.com/api", "id").unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
        assert!(HaloSettings::new(conn(), "not a url", "id").is_err());
        assert!(HaloSettings::new(conn(), "https://x.halopsa.com/api", " ").is_err());
    }

    #[test]
    fn web_app_url_gains_api_and_auth_is_derived() {
        let s = HaloSettings::new(conn(), "https://contoso.halopsa.com", "id").unwrap();
        assert_eq!(s.resource_url.as_str(), "https://contoso.halopsa.com/api");
        assert_eq!(s.api("Asset"), "https://contoso.halopsa.com/api/Asset");
        assert_eq!(
            s.derived_auth_url().as_str(),
            "https://contoso.halopsa.com/auth"
        );
    }

    #[test]
    fn secret_is_redacted() {
        let s = Secret::new("super-secret-value");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert!(!format!("{:?}", Some(s)).contains("super"));
    }
}
