//! Validation of an asset before it is saved or pushed. One function, [`validate_asset`], used
//! by the form, the CLI and the sync engine before every push, so a user never sees a rule in
//! one place that another place ignores. Findings are per field and say how to fix them.
//!
//! Rules (issue 4 item 1): name required and at most [`NAME_MAX_CHARS`] characters; client
//! required; type required and one of the connection's types; MAC and IP (v4/v6) formats;
//! warranty end on or after its start; price not negative; custom field values of the type's
//! field kinds (and required ones present); a serial already used by another asset of the
//! connection (a warning); a parent link that would make a cycle; and what the provider's
//! capability table rules out (several users or a status on Syncro, a site without sites).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::capability::Capabilities;
use crate::field::AssetField;
use crate::model::{
    AssetFields, AssetId, AssetStatus, AssetType, CustomFieldDef, CustomFieldKind, RemoteId,
};

/// Longest accepted asset name, in characters (both providers store names in 255-wide columns).
pub const NAME_MAX_CHARS: usize = 255;

/// How serious a finding is: errors block saving, warnings are shown but allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about one field, with a message that names the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FieldError {
    /// The field's [`crate::AssetField`] name (`serial`, `custom:Rack U`, …), or `parent_id`
    /// for link findings.
    pub field: String,
    pub severity: Severity,
    pub message: String,
}

/// The result of validating one asset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ValidationReport {
    pub findings: Vec<FieldError>,
}

impl ValidationReport {
    /// True when nothing blocks saving.
    pub fn is_ok(&self) -> bool {
        self.findings.iter().all(|f| f.severity != Severity::Error)
    }

    /// The findings about one field (the form shows them under that input).
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a FieldError> + 'a {
        self.findings.iter().filter(move |f| f.field == field)
    }

    fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.findings.push(FieldError {
            field: field.into(),
            severity: Severity::Error,
            message: message.into(),
        });
    }

    fn warning(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.findings.push(FieldError {
            field: field.into(),
            severity: Severity::Warning,
            message: message.into(),
        });
    }
}

/// What validation needs to know beyond the asset itself. The caller (the store, which can
/// query) looks these up; this crate does no IO. Construct with `..Default::default()` so
/// new facts can be added without breaking callers.
#[derive(Debug, Clone, Default)]
pub struct ValidationContext<'a> {
    /// The asset types of the asset's connection. When empty (types not pulled yet) the
    /// "type valid for the connection" and custom-field checks are skipped, not failed.
    pub types: &'a [AssetType],
    /// The connection's statuses, to name them in findings (a type may allow only some).
    pub statuses: &'a [AssetStatus],
    /// The connection's capability table; `None` skips the capability checks.
    pub capabilities: Option<Capabilities>,
    /// Names of *other* assets of the same connection that already carry this serial.
    pub duplicate_serial_of: &'a [String],
    /// The asset being validated (`None` for a create) and its intended parent.
    pub asset_id: Option<AssetId>,
    pub parent_id: Option<AssetId>,
    /// The ancestors of `parent_id`, nearest first (its parent, grandparent, …). A cycle
    /// exists when `asset_id` is the parent itself or one of these.
    pub parent_ancestors: &'a [AssetId],
}

/// Validates an asset's fields; see the module docs for the rule set.
pub fn validate_asset(fields: &AssetFields, ctx: &ValidationContext<'_>) -> ValidationReport {
    let mut report = ValidationReport::default();
    check_name(fields, &mut report);
    if fields.client_id.is_none() {
        report.error(
            "client_id",
            "Client is required: choose the client this asset belongs to",
        );
    }
    check_type_and_custom(fields, ctx, &mut report);
    if let Some(mac) = non_blank(&fields.mac)
        && !is_mac(mac)
    {
        report.error(
            "mac",
            format!(
                "'{mac}' is not a MAC address: use six hex pairs like 00:1A:2B:3C:4D:5E \
                 (':' or '-' separators, or none)"
            ),
        );
    }
    if let Some(ip) = non_blank(&fields.ip)
        && ip.parse::<IpAddr>().is_err()
    {
        report.error(
            "ip",
            format!("'{ip}' is not an IP address: use IPv4 (10.0.0.5) or IPv6 (fe80::1) form"),
        );
    }
    if let (Some(start), Some(end)) = (fields.warranty_start, fields.warranty_end)
        && end < start
    {
        report.error(
            "warranty_end",
            format!("Warranty end {end} is before its start {start}: fix either date"),
        );
    }
    if let Some(price) = fields.purchase_price_cents
        && price < 0
    {
        report.error("purchase_price_cents", "Purchase price cannot be negative");
    }
    if let Some(serial) = non_blank(&fields.serial)
        && !ctx.duplicate_serial_of.is_empty()
    {
        report.warning(
            "serial",
            format!(
                "Serial '{serial}' is already used by {}; check it is not a duplicate",
                ctx.duplicate_serial_of.join(", ")
            ),
        );
    }
    check_parent(ctx, &mut report);
    if let Some(caps) = ctx.capabilities {
        check_capabilities(fields, caps, &mut report);
    }
    report
}

fn non_blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn check_name(fields: &AssetFields, report: &mut ValidationReport) {
    let name = fields.name.trim();
    if name.is_empty() {
        report.error("name", "Name is required");
    } else if name.chars().count() > NAME_MAX_CHARS {
        report.error(
            "name",
            format!(
                "Name is {} characters long; shorten it to at most {NAME_MAX_CHARS}",
                name.chars().count()
            ),
        );
    }
}

/// Six hex octets with ':' or '-' between them, Cisco dotted form (`001a.2b3c.4d5e`), or 12
/// bare hex digits.
fn is_mac(s: &str) -> bool {
    let hex =
        |part: &str, len: usize| part.len() == len && part.chars().all(|c| c.is_ascii_hexdigit());
    for sep in [':', '-'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() == 6 {
            return parts.iter().all(|p| hex(p, 2));
        }
    }
    let dotted: Vec<&str> = s.split('.').collect();
    if dotted.len() == 3 {
        return dotted.iter().all(|p| hex(p, 4));
    }
    hex(s, 12)
}

fn check_type_and_custom(
    fields: &AssetFields,
    ctx: &ValidationContext<'_>,
    report: &mut ValidationReport,
) {
    let Some(type_id) = fields.type_id else {
        // syncro-api.md §3.2: no type → 422 "Asset type can't be blank"; HaloPSA assets
        // always carry `assettype_id` (halopsa-api.md §4.3).
        report.error(
            "type_id",
            "Asset type is required: choose one of the connection's types",
        );
        return;
    };
    if ctx.types.is_empty() {
        return;
    }
    let Some(asset_type) = ctx.types.iter().find(|t| t.remote_id == type_id) else {
        report.error(
            "type_id",
            format!("Type {type_id} does not exist in this connection: choose one of its types"),
        );
        return;
    };
    check_status_allowed(fields, asset_type, ctx.statuses, report);
    for def in &asset_type.fields {
        let field = AssetField::Custom(def.key.clone()).name().into_owned();
        match fields.custom.get(&def.key).filter(|v| !is_blank_json(v)) {
            None if def.required => report.error(
                field,
                format!("{} is required for {}", def.label, asset_type.name),
            ),
            None => {}
            Some(value) => {
                if let Err(msg) = check_custom_value(def, value) {
                    report.error(field, msg);
                }
            }
        }
    }
    for key in fields.custom.keys() {
        if !asset_type.fields.iter().any(|d| &d.key == key) {
            report.warning(
                AssetField::Custom(key.clone()).name().into_owned(),
                format!(
                    "Type {} has no field '{key}'; the value is kept but may not be saved",
                    asset_type.name
                ),
            );
        }
    }
}

/// HaloPSA refuses a status the asset's type does not allow (halopsa-api.md §5 "Asset
/// status"): say so here, offline, with the statuses the type does allow.
fn check_status_allowed(
    fields: &AssetFields,
    asset_type: &AssetType,
    statuses: &[AssetStatus],
    report: &mut ValidationReport,
) {
    let (Some(status_id), Some(allowed)) = (fields.status_id, &asset_type.allowed_statuses) else {
        return;
    };
    if allowed.contains(&status_id) {
        return;
    }
    let name_of = |id: RemoteId| {
        statuses
            .iter()
            .find(|s| s.remote_id == id)
            .map_or_else(|| format!("Status {id}"), |s| s.name.clone())
    };
    let choices = if allowed.is_empty() {
        "clear the status".to_owned()
    } else {
        let names: Vec<String> = allowed.iter().map(|id| name_of(*id)).collect();
        format!("choose one of {}", names.join(", "))
    };
    report.error(
        "status_id",
        format!(
            "{} is not a status {} assets can have: {choices}",
            name_of(status_id),
            asset_type.name
        ),
    );
}

fn is_blank_json(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn check_custom_value(def: &CustomFieldDef, value: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value;
    let label = &def.label;
    match (&def.kind, value) {
        (CustomFieldKind::Text | CustomFieldKind::Memo, Value::String(_)) => Ok(()),
        (CustomFieldKind::Text | CustomFieldKind::Memo, _) => Err(format!("{label} must be text")),
        (CustomFieldKind::Number, Value::Number(_)) => Ok(()),
        (CustomFieldKind::Number, Value::String(s)) if s.trim().parse::<f64>().is_ok() => Ok(()),
        (CustomFieldKind::Number, _) => Err(format!("{label} must be a number, e.g. 42 or 3.5")),
        (CustomFieldKind::Date, Value::String(s))
            if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() =>
        {
            Ok(())
        }
        (CustomFieldKind::Date, _) => Err(format!("{label} must be a date in YYYY-MM-DD form")),
        (CustomFieldKind::Boolean, Value::Bool(_)) => Ok(()),
        (CustomFieldKind::Boolean, _) => Err(format!("{label} must be true or false")),
        (CustomFieldKind::Select { options }, Value::String(s))
            if options.iter().any(|o| o == s) =>
        {
            Ok(())
        }
        (CustomFieldKind::Select { options }, _) => {
            Err(format!("{label} must be one of: {}", options.join(", ")))
        }
    }
}

fn check_parent(ctx: &ValidationContext<'_>, report: &mut ValidationReport) {
    let (Some(me), Some(parent)) = (ctx.asset_id, ctx.parent_id) else {
        return;
    };
    if crate::links::closes_cycle(me, parent, ctx.parent_ancestors) {
        report.error(
            "parent_id",
            "This parent would make the asset its own ancestor: choose a parent that is not \
             one of its children",
        );
    }
}

fn check_capabilities(fields: &AssetFields, caps: Capabilities, report: &mut ValidationReport) {
    // syncro-api.md §3.3: one contact per asset, no status field; no sites (§capability).
    if !caps.multiple_users && fields.user_ids.len() > 1 {
        report.error(
            "user_ids",
            "This provider assigns an asset to one user only: keep one",
        );
    }
    if !caps.asset_status && fields.status_id.is_some() {
        report.error(
            "status_id",
            "This provider has no asset status: clear the status",
        );
    }
    if !caps.sites && fields.site_id.is_some() {
        report.error("site_id", "This provider has no sites: clear the site");
    }
}

#[cfg(test)]
mod tests;
