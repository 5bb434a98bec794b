//! Validation of an asset before it is saved or pushed. Filled in by the store work (issue 4).

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::model::{AssetFields, AssetType};

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
    /// The field's [`crate::AssetField`] name (`serial`, `custom:Rack U`, …).
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
}

/// What validation needs to know beyond the asset itself (looked up by the caller).
#[derive(Debug, Clone, Default)]
pub struct ValidationContext<'a> {
    /// The asset types of the asset's connection.
    pub types: &'a [AssetType],
}

/// Validates an asset's fields.
pub fn validate_asset(fields: &AssetFields, _ctx: &ValidationContext<'_>) -> ValidationReport {
    let mut report = ValidationReport::default();
    if fields.name.trim().is_empty() {
        report.findings.push(FieldError {
            field: "name".into(),
            severity: Severity::Error,
            message: "Name is required".into(),
        });
    }
    report
}
