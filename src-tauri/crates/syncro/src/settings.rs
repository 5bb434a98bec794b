//! Connection settings: where the account is, the token, and the knobs where the real API is
//! uncertain (each defaults to the safe choice and cites syncro-api.md).

use std::fmt;
use std::time::Duration;

use assetdesk_domain::ConnectionId;
use url::Url;

use crate::error::SettingsError;
use crate::mapping::FieldMapping;

/// A Syncro API token. Handed in by the caller (who keeps it in the OS keychain), held only in
/// memory, sent only in the `Authorization` header, and redacted from every `Debug`/`Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token; surrounding whitespace (from copy-paste) is trimmed.
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into().trim().to_owned())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// True when no token was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Parses what a user types into "Syncro account": a bare subdomain (`acme`), the account's
/// web URL (`https://acme.syncromsp.com/customers`), or an API base URL
/// (`https://acme.syncromsp.com/api/v1`, or a sandbox's `http://127.0.0.1:PORT/api/v1`).
/// Returns the API base URL ending in `/api/v1/` (syncro-api.md §1 "Base URL").
///
/// Plain HTTP is accepted only for loopback hosts (DESIGN.md invariant 8).
pub fn api_base_url(input: &str) -> Result<Url, SettingsError> {
    let input = input.trim().trim_end_matches('/');
    if input.is_empty() {
        return Err(SettingsError::Empty);
    }
    let is_subdomain = input.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let mut url = if is_subdomain {
        Url::parse(&format!(
            "https://{}.syncromsp.com/api/v1/",
            input.to_ascii_lowercase()
        ))
        .map_err(|e| SettingsError::Invalid {
            input: input.to_owned(),
            reason: e.to_string(),
        })?
    } else {
        let with_scheme = if input.contains("://") {
            input.to_owned()
        } else {
            format!("https://{input}")
        };
        Url::parse(&with_scheme).map_err(|e| SettingsError::Invalid {
            input: input.to_owned(),
            reason: e.to_string(),
        })?
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if host.is_empty() {
        return Err(SettingsError::Invalid {
            input: input.to_owned(),
            reason: "no host".into(),
        });
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        other => {
            return Err(SettingsError::InsecureScheme {
                scheme: other.to_owned(),
                host,
            });
        }
    }
    // A web URL of the account (any path other than the API) → the API root of that host.
    let path = url.path().trim_end_matches('/').to_owned();
    let api_path = match path.find("/api/v1") {
        Some(i) => format!("{}/api/v1/", &path[..i]),
        None => "/api/v1/".to_owned(),
    };
    url.set_path(&api_path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

pub(crate) fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Request budget of the process-wide limiter: at most `requests` per sliding `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBudget {
    pub requests: u32,
    pub window: Duration,
}

impl RateBudget {
    /// 170 per minute: Syncro allows 180 per minute per source IP (syncro-api.md §6.2); the
    /// margin of 10 absorbs clock skew between our sends and the server's arrivals while
    /// keeping a full pull within 1.06× of the floor.
    pub const DEFAULT: RateBudget = RateBudget {
        requests: 170,
        window: Duration::from_secs(60),
    };

    /// The same budget over a window `factor` times shorter (tests and benchmarks against a
    /// sandbox whose limiter is scaled the same way).
    pub fn scaled(self, factor: f64) -> RateBudget {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        RateBudget {
            requests: self.requests,
            window: self.window.div_f64(factor),
        }
    }
}

/// What to do with `properties` when creating an asset (syncro-api.md §3.4: LIVE 2026 saw
/// them ignored on POST; older clients send them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertiesOnCreate {
    /// Send them on POST; if the answer lacks them, PUT the full merged properties (default).
    #[default]
    Detect,
    /// POST without properties, then always PUT them (one extra request per create).
    AlwaysPut,
}

/// Everything a [`crate::SyncroClient`] needs, except the token.
#[derive(Debug, Clone)]
pub struct SyncroSettings {
    /// The connection this client serves (domain types carry it).
    pub connection_id: ConnectionId,
    /// API base URL from [`api_base_url`].
    pub base_url: Url,
    /// The process-wide request budget for this host; `None` disables client-side limiting
    /// (only for benchmarks against an unlimited sandbox).
    pub rate: Option<RateBudget>,
    /// Per-request timeout. A big asset page can take seconds on the real API (§6.1).
    pub timeout: Duration,
    /// Retries of one request after 429, 5xx or timeouts (when retrying is safe).
    pub max_retries: u32,
    /// Asset page size asked with `per_page`; pages shrink on 504 (§6.1). 100 is the claimed
    /// cap (§3.2); the server's answer is what counts.
    pub asset_page_size: u32,
    /// Whether the account supports `DELETE /customer_assets/{id}`. The real API has none
    /// (§3.1), so default false and `delete_asset` answers [`crate::Error::NotSupported`].
    pub asset_delete_supported: bool,
    /// Properties on create (§3.4).
    pub properties_on_create: PropertiesOnCreate,
    /// Where warranty, purchase date, make, model and the parent link live.
    pub mapping: FieldMapping,
    /// Sent as `User-Agent`: Syncro asked integrators to identify themselves (§1).
    pub user_agent: String,
}

impl SyncroSettings {
    /// Settings with safe defaults for `account` (subdomain, web URL or API URL).
    pub fn new(connection_id: ConnectionId, account: &str) -> Result<Self, SettingsError> {
        Ok(SyncroSettings {
            connection_id,
            base_url: api_base_url(account)?,
            rate: Some(RateBudget::DEFAULT),
            timeout: Duration::from_secs(60),
            max_retries: 5,
            asset_page_size: 100,
            asset_delete_supported: false,
            properties_on_create: PropertiesOnCreate::Detect,
            mapping: FieldMapping::default(),
            user_agent: format!(
                "AssetDesk/{} (+https://assetdesk.app)",
                env!("CARGO_PKG_VERSION")
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_subdomain_web_url_and_api_url() {
        let want = "https://acme.syncromsp.com/api/v1/";
        assert_eq!(api_base_url("acme").unwrap().as_str(), want);
        assert_eq!(api_base_url(" Acme ").unwrap().as_str(), want);
        assert_eq!(
            api_base_url("https://acme.syncromsp.com/customers?x=1")
                .unwrap()
                .as_str(),
            want
        );
        assert_eq!(api_base_url("acme.syncromsp.com").unwrap().as_str(), want);
        assert_eq!(
            api_base_url("https://acme.syncromsp.com/api/v1")
                .unwrap()
                .as_str(),
            want
        );
        assert_eq!(
            api_base_url("http://127.0.0.1:8080/api/v1/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/api/v1/"
        );
    }

    #[test]
    fn refuses_plain_http_off_loopback_and_garbage() {
        assert!(matches!(
            api_base_url("http://acme.syncromsp.com"),
            Err(SettingsError::InsecureScheme { .. })
        ));
        assert!(matches!(api_base_url(""), Err(SettingsError::Empty)));
        assert!(api_base_url("ftp://x").is_err());
    }

    #[test]
    fn token_is_redacted() {
        let t = ApiToken::new("T1234-secret");
        assert_eq!(format!("{t:?} {t}"), "ApiToken(***) ***");
        assert_eq!(t.expose(), "T1234-secret");
    }
}
