//! One error type whose variants tell the sync engine what to do next: re-authenticate, ask
//! the admin for a permission, treat the record as deleted, wait, show field errors, retry,
//! or — after an ambiguous failure of a create — search the remote before trying again
//! (DESIGN.md invariant 4, sync-perf-anchors.md §1.3).

use std::time::Duration;

use assetdesk_domain::{FieldError, Severity};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum HaloError {
    /// The settings are unusable (bad URL, plain HTTP to a remote host, empty client id).
    #[error("HaloPSA settings: {0}")]
    Settings(String),
    /// The token endpoint refused the credentials, or the API still answered 401 after one
    /// fresh token (§1.3).
    #[error("HaloPSA authentication failed: {0}")]
    Auth(String),
    /// 403: the token is fine but the application or its agent lacks a permission (§1.3).
    #[error("HaloPSA permission missing: {permission} (while calling {endpoint})")]
    PermissionMissing {
        permission: String,
        endpoint: String,
    },
    /// The record does not exist (deleted remotely, or never visible to the API agent).
    #[error("HaloPSA {entity} {id} not found")]
    NotFound { entity: &'static str, id: i64 },
    /// 429 persisted through the retry budget (§6). Nothing was applied.
    #[error("HaloPSA rate limit reached; retry after {retry_after:?}")]
    RateLimited { retry_after: Option<Duration> },
    /// 400: the write was refused. Field names are neutral (`serial`, `type_id`, …); errors
    /// not tied to one field use `record`.
    #[error("HaloPSA refused the change: {}", summarize(.errors))]
    Validation { errors: Vec<FieldError> },
    /// 5xx after the retry budget (or at once for a create).
    #[error("HaloPSA server error {status}: {message}")]
    Server { status: u16, message: String },
    /// No response within the request timeout.
    #[error("HaloPSA did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection failed. `sent` is false when it failed before the request left
    /// (connect refused, DNS), true when it dropped after sending.
    #[error("connection to HaloPSA failed: {message}")]
    Connection { message: String, sent: bool },
    /// A 2xx answer we could not understand.
    #[error("unexpected answer from HaloPSA: {0}")]
    Protocol(String),
}

fn summarize(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl HaloError {
    /// True when a write that failed with this error may nevertheless have been applied by
    /// HaloPSA. The engine must then search for the record (marker / natural key) before
    /// retrying a create, or it risks a duplicate.
    pub fn may_have_applied(&self) -> bool {
        match self {
            HaloError::Server { .. } | HaloError::Timeout(_) | HaloError::Protocol(_) => true,
            HaloError::Connection { sent, .. } => *sent,
            HaloError::Settings(_)
            | HaloError::Auth(_)
            | HaloError::PermissionMissing { .. }
            | HaloError::NotFound { .. }
            | HaloError::RateLimited { .. }
            | HaloError::Validation { .. } => false,
        }
    }

    /// True when trying the same call again later can succeed without a user acting
    /// (network, server or throttling trouble). False for auth, permission, validation and
    /// not-found, which need a person or a different request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            HaloError::Server { .. }
                | HaloError::Timeout(_)
                | HaloError::Connection { .. }
                | HaloError::RateLimited { .. }
                | HaloError::Protocol(_)
        )
    }
}

/// Halo wire key → neutral field name (for validation errors).
fn neutral_name(wire: &str) -> String {
    // `[0].assettype_id`, `assettype_id`, `Device.assettype_id`, `$[0].fields[2].value`.
    let last = wire
        .rsplit(']')
        .next()
        .unwrap_or(wire)
        .trim_start_matches('.');
    let key = last
        .split('.')
        .next()
        .unwrap_or(last)
        .split('[')
        .next()
        .unwrap_or(last);
    let key = if key.is_empty() {
        wire.split('.').next_back().unwrap_or(wire)
    } else {
        key
    };
    match key.to_ascii_lowercase().as_str() {
        "assettype_id" | "assettype" => "type_id",
        "status_id" => "status_id",
        "client_id" => "client_id",
        "site_id" => "site_id",
        "users" | "user_id" => "user_ids",
        "inventory_number" => "asset_tag",
        "key_field" => "name",
        "warranty_start" => "warranty_start",
        "warranty_end" => "warranty_end",
        "notes" => "notes",
        "inactive" => "inactive",
        "parent_assets" | "parent_id" => "parent",
        "id" => "id",
        "summary" => "summary",
        "details" => "details",
        "assets" => "assets",
        "fields" | "customfields" => "custom",
        "" => "record",
        _ => return format!("halo:{key}"),
    }
    .to_owned()
}

fn err(field: String, message: String) -> FieldError {
    FieldError {
        field,
        severity: Severity::Error,
        message,
    }
}

/// Turns a 400 body into per-field errors (§7.1): ASP.NET model state keyed by field path
/// (bare, or under `errors`), the .NET exception shapes HaloAPI anticipates (`Message`,
/// `error`, `errorMessage`), or plain text ("Asset tag must be unique").
pub(crate) fn parse_validation(body: &[u8]) -> Vec<FieldError> {
    let text = String::from_utf8_lossy(body).trim().to_owned();
    let mut out = Vec::new();
    if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&text) {
        let source = match o.get("errors") {
            Some(Value::Object(e)) => e.clone(),
            _ => o.clone(),
        };
        let mut messages = Vec::new();
        for (k, v) in &source {
            let lower = k.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "message" | "error" | "errormessage" | "error_description" | "title"
            ) {
                if let Some(s) = v.as_str() {
                    messages.push(s.to_owned());
                }
                continue;
            }
            if matches!(
                lower.as_str(),
                "classname" | "status" | "type" | "traceid" | "resultcode"
            ) {
                continue;
            }
            let texts: Vec<String> = match v {
                Value::Array(a) => a
                    .iter()
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                    .collect(),
                Value::String(s) => vec![s.clone()],
                other => vec![other.to_string()],
            };
            for t in texts {
                out.push(err(neutral_name(k), t));
            }
        }
        if out.is_empty() {
            for m in messages {
                out.push(err(field_from_text(&m), m));
            }
        }
    }
    if out.is_empty() {
        let message = if text.is_empty() {
            "HaloPSA refused the request (400) without a reason".to_owned()
        } else {
            text
        };
        out.push(err(field_from_text(&message), message));
    }
    out
}

/// Plain-text messages that name a field we know (§7.1 examples).
fn field_from_text(m: &str) -> String {
    let l = m.to_ascii_lowercase();
    if l.contains("asset tag") || l.contains("inventory number") {
        "asset_tag".into()
    } else if l.contains("site") {
        "site_id".into()
    } else {
        "record".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_state_keys_become_neutral_fields() {
        let e = parse_validation(
            br#"{"[0].assettype_id":["The Asset Type field is required."],"[0].users":["bad"]}"#,
        );
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["type_id", "user_ids"]);
        let e = parse_validation(br#"{"title":"One or more validation errors occurred.","errors":{"$[0].warranty_end":["The value is not valid."]}}"#);
        assert_eq!(e[0].field, "warranty_end");
        let e = parse_validation(br#"{"[0].id":["Asset 9 does not exist."]}"#);
        assert_eq!(e[0].field, "id");
    }

    #[test]
    fn plain_text_and_message_shapes() {
        let e = parse_validation(b"Asset tag must be unique");
        assert_eq!(
            (e[0].field.as_str(), e[0].message.as_str()),
            ("asset_tag", "Asset tag must be unique")
        );
        let e = parse_validation(br#"{"ClassName":"System.Exception","Message":"An Outcome must be entered for this Action"}"#);
        assert_eq!(e[0].field, "record");
        assert_eq!(e[0].message, "An Outcome must be entered for this Action");
        let e = parse_validation(b"");
        assert_eq!(e[0].field, "record");
        let e = parse_validation(br#"{"[0].frobnicate":"nope"}"#);
        assert_eq!(e[0].field, "halo:frobnicate");
    }

    #[test]
    fn ambiguity_is_reported_for_failures_after_sending() {
        assert!(HaloError::Timeout(Duration::from_secs(1)).may_have_applied());
        assert!(
            HaloError::Server {
                status: 502,
                message: String::new()
            }
            .may_have_applied()
        );
        assert!(
            HaloError::Connection {
                message: String::new(),
                sent: true
            }
            .may_have_applied()
        );
        assert!(
            !HaloError::Connection {
                message: String::new(),
                sent: false
            }
            .may_have_applied()
        );
        assert!(!HaloError::RateLimited { retry_after: None }.may_have_applied());
        assert!(!HaloError::Validation { errors: vec![] }.may_have_applied());
    }
}
