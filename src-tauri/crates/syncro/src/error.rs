//! Errors the sync engine can act on: each variant says what happened and
//! [`Error::may_have_been_applied`] says whether a write might have landed anyway.

use std::fmt;
use std::time::Duration;

use assetdesk_domain::{AssetField, RemoteId};
use serde_json::Value;

/// A bad account address in the connection settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "Syncro account is empty: enter the subdomain (acme) or the account URL (https://acme.syncromsp.com)"
    )]
    Empty,
    #[error(
        "Syncro account '{input}' is not a valid address ({reason}): enter the subdomain or https://SUB.syncromsp.com"
    )]
    Invalid { input: String, reason: String },
    #[error(
        "refusing {scheme}:// to {host}: only HTTPS may leave this machine (plain HTTP is for loopback only)"
    )]
    InsecureScheme { scheme: String, host: String },
}

/// Whether a failed request may have changed remote state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The server certainly did nothing (connect refused, 401, 404, 422, 429).
    No,
    /// The request was a write and the answer was lost or failed mid-way: it may have landed.
    Maybe,
}

/// One finding of a 422, in neutral field names when the field is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    /// The neutral field (`serial` for "Asset serial has already been taken"), or `None`
    /// for a message about the record as a whole.
    pub field: Option<AssetField>,
    /// Syncro's message, verbatim (it names the field in the account's own words).
    pub message: String,
}

impl ValidationIssue {
    /// True for Syncro's duplicate-serial message (syncro-api.md §3.4): the engine re-finds
    /// the existing asset by serial instead of retrying the create.
    pub fn is_duplicate(&self) -> bool {
        self.message
            .to_ascii_lowercase()
            .contains("already been taken")
    }
}

/// All findings of one rejected write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidationErrors {
    /// HTTP status (422), or `None` when the client refused the write before sending it.
    pub status: Option<u16>,
    pub issues: Vec<ValidationIssue>,
}

impl ValidationErrors {
    /// The issue about `field`, if any.
    pub fn for_field(&self, field: &AssetField) -> Option<&ValidationIssue> {
        self.issues.iter().find(|i| i.field.as_ref() == Some(field))
    }

    /// True when the serial is already used by another asset of the account.
    pub fn is_duplicate_serial(&self) -> bool {
        self.issues
            .iter()
            .any(|i| i.field == Some(AssetField::Serial) && i.is_duplicate())
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .issues
            .iter()
            .map(|i| match &i.field {
                Some(field) => format!("{field}: {}", i.message),
                None => i.message.clone(),
            })
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// Everything a Syncro call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401: bad or expired token, or a permission missing. Syncro answers 401 (not 403) with
    /// "Not authorized. Please ask account admin to update your group permissions."
    /// (syncro-api.md §1), carried verbatim in `message`.
    #[error(
        "Syncro refused the request ({message}): check the API token and its permissions under Admin > API Tokens"
    )]
    Auth { message: String },
    /// 404 (or 403 from a proxy mapped here) for a record or route.
    #[error("not found in Syncro: {what}")]
    NotFound { what: String },
    /// 429 after the configured retries.
    #[error(
        "Syncro rate limit (180 requests/minute per IP) still exceeded after retries; try again in a minute"
    )]
    RateLimited { retry_after: Option<Duration> },
    /// 422, or a write the client refused because Syncro cannot hold a field.
    #[error("Syncro rejected the change: {0}")]
    Validation(ValidationErrors),
    /// 5xx (504 on big pages is retried by listing with a smaller page first).
    #[error("Syncro server error {status}: {message}")]
    Server {
        status: u16,
        message: String,
        applied: Applied,
    },
    /// No answer within the timeout.
    #[error("Syncro did not answer within {timeout:?}")]
    Timeout { timeout: Duration, applied: Applied },
    /// Connection refused, reset or dropped mid-answer.
    #[error("connection to Syncro failed: {detail}")]
    Connection { detail: String, applied: Applied },
    /// A 2xx answer we cannot read (HTML from a proxy, a JSON shape we do not know).
    #[error("unreadable answer from Syncro (HTTP {status}): {detail}")]
    Decode { status: u16, detail: String },
    /// Another 4xx.
    #[error("Syncro answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    /// The operation does not exist in Syncro's API (e.g. asset delete, syncro-api.md §3.1).
    #[error("not supported by Syncro: {operation} ({reason})")]
    NotSupported {
        operation: &'static str,
        reason: String,
    },
    /// The asset was created (its id is known) but the follow-up PUT of its properties
    /// failed: record `remote_id`, then retry the properties as an update.
    #[error(
        "asset {remote_id} was created in Syncro but its custom fields were not saved: {cause}"
    )]
    CreatedWithoutProperties {
        remote_id: RemoteId,
        cause: Box<Error>,
    },
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

impl Error {
    /// True when the request was a write that may have been applied remotely although it
    /// failed (timeout, dropped connection, 5xx on POST/PUT). The engine must then search
    /// the remote (see `SyncroClient::find_candidates`) before retrying a create
    /// (DESIGN.md invariant 4).
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Server { applied, .. }
            | Error::Timeout { applied, .. }
            | Error::Connection { applied, .. } => *applied == Applied::Maybe,
            // The create itself landed; only the properties are in doubt.
            Error::CreatedWithoutProperties { .. } => true,
            _ => false,
        }
    }

    /// True when trying again later may succeed without changing anything (rate limit,
    /// server errors, timeouts, connection failures).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Server { .. }
                | Error::Timeout { .. }
                | Error::Connection { .. }
        )
    }

    /// The validation findings, if this is a 422.
    pub fn validation(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Validation(v) => Some(v),
            _ => None,
        }
    }
}

/// The human message in an error body of any of Syncro's shapes (syncro-api.md §6.3).
pub(crate) fn body_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        ["error", "message", "errors"]
            .iter()
            .find_map(|k| match v.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Array(a)) => Some(
                    a.iter()
                        .filter_map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => None,
            })
    });
    let text = from_json.unwrap_or_else(|| body.trim().to_owned());
    // Proxies send HTML: keep the message short and printable.
    let mut short: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    if short.is_empty() {
        short = "no details".to_owned();
    }
    short
}

/// Splits a 422 body of any of Syncro's shapes into (wire field or label, message) pairs
/// (syncro-api.md §6.3): `{"success":false,"message":[…]}`, `{"error":"…"}`,
/// `{"errors":"a, b"}`, `{"errors":{"field":["…"]}}`, `{"errors":[…]}`,
/// `{"record":…, "errors":"…"}` and `{"customer_id":["can't be blank"]}`.
pub(crate) fn split_422(body: &str) -> Vec<(Option<String>, String)> {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return vec![(None, body_message(body))];
    };
    let mut out = Vec::new();
    let mut push_messages = |val: &Value, field: Option<String>| match val {
        Value::String(s) => {
            for part in split_sentences(s) {
                out.push((field.clone(), part));
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => out.push((field.clone(), s.clone())),
                    Value::Object(o) => {
                        let f = o
                            .get("field")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .or(field.clone());
                        let m = o
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("is invalid")
                            .to_owned();
                        out.push((f, m));
                    }
                    other => out.push((field.clone(), other.to_string())),
                }
            }
        }
        other => out.push((field.clone(), other.to_string())),
    };
    let Some(obj) = v.as_object() else {
        return vec![(None, body_message(body))];
    };
    let mut handled = false;
    for key in ["message", "error", "errors"] {
        match obj.get(key) {
            Some(Value::Object(fields)) => {
                handled = true;
                for (f, msgs) in fields {
                    push_messages(msgs, Some(f.clone()));
                }
            }
            Some(v @ (Value::String(_) | Value::Array(_))) => {
                handled = true;
                push_messages(v, None);
            }
            _ => {}
        }
    }
    if !handled {
        // Rails' default `{"field": ["can't be blank"]}`.
        for (f, msgs) in obj {
            if matches!(msgs, Value::Array(_) | Value::String(_))
                && !["success", "params", "record"].contains(&f.as_str())
            {
                push_messages(msgs, Some(f.clone()));
            }
        }
    }
    if out.is_empty() {
        out.push((None, body_message(body)));
    }
    out
}

/// "Name can't be blank, Email is not an email" → two messages. Splits on ", " followed
/// by an upper-case letter, which is how Rails joins full messages.
fn split_sentences(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ','
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(|c| c.is_uppercase())
        {
            out.push(current.trim().to_owned());
            current.clear();
            i += 2;
            continue;
        }
        current.push(chars[i]);
        i += 1;
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_422_shape_splits_into_messages() {
        let sw = r#"{"success":false,"message":["Asset type can't be blank","Asset serial has already been taken"],"params":{"name":"x"}}"#;
        assert_eq!(
            split_422(sw),
            vec![
                (None, "Asset type can't be blank".to_owned()),
                (None, "Asset serial has already been taken".to_owned())
            ]
        );
        assert_eq!(
            split_422(r#"{"error":"Customer required field"}"#),
            vec![(None, "Customer required field".into())]
        );
        assert_eq!(
            split_422(
                r#"{"record":{"id":null},"errors":"Name can't be blank, Email is not an email"}"#
            ),
            vec![
                (None, "Name can't be blank".into()),
                (None, "Email is not an email".into())
            ]
        );
        assert_eq!(
            split_422(r#"{"errors":{"asset_serial":["has already been taken"]}}"#),
            vec![(Some("asset_serial".into()), "has already been taken".into())]
        );
        assert_eq!(
            split_422(r#"{"customer_id":["can't be blank"]}"#),
            vec![(Some("customer_id".into()), "can't be blank".into())]
        );
        assert_eq!(
            split_422(r#"{"success":false,"errors":[{"field":"name","message":"is too long"}]}"#),
            vec![(Some("name".into()), "is too long".into())]
        );
        assert_eq!(
            split_422("<html>oops</html>"),
            vec![(None, "<html>oops</html>".into())]
        );
    }

    #[test]
    fn ambiguity_is_only_for_lost_writes() {
        let maybe = Error::Timeout {
            timeout: Duration::from_secs(1),
            applied: Applied::Maybe,
        };
        let no = Error::Connection {
            detail: "refused".into(),
            applied: Applied::No,
        };
        assert!(maybe.may_have_been_applied());
        assert!(!no.may_have_been_applied());
        assert!(
            !Error::Auth {
                message: "x".into()
            }
            .may_have_been_applied()
        );
        assert!(no.is_transient());
    }
}
