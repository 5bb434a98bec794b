//! Table tests: one table per rule, each row an input and the findings it must produce.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::capability::ProviderKind;
use crate::model::ConnectionId;

fn valid() -> AssetFields {
    AssetFields {
        name: "PC-001".into(),
        client_id: Some(1),
        type_id: Some(10),
        ..Default::default()
    }
}

fn types() -> Vec<AssetType> {
    vec![AssetType {
        connection_id: ConnectionId("c".into()),
        remote_id: 10,
        name: "Laptop".into(),
        fields: vec![
            def("rack", CustomFieldKind::Text, false),
            def("notes2", CustomFieldKind::Memo, false),
            def("ram", CustomFieldKind::Number, false),
            def("bought", CustomFieldKind::Date, false),
            def("byod", CustomFieldKind::Boolean, false),
            def(
                "tier",
                CustomFieldKind::Select {
                    options: vec!["Gold".into(), "Silver".into()],
                },
                false,
            ),
            def("owner", CustomFieldKind::Text, true),
        ],
        allowed_statuses: None,
    }]
}

fn def(key: &str, kind: CustomFieldKind, required: bool) -> CustomFieldDef {
    CustomFieldDef {
        key: key.into(),
        label: key.to_uppercase(),
        kind,
        required,
    }
}

/// The (field, severity) pairs of a report, sorted, for compact table assertions.
fn findings(r: &ValidationReport) -> Vec<(String, Severity)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.field.clone(), f.severity))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn check(
    case: &str,
    fields: AssetFields,
    ctx: &ValidationContext<'_>,
    expected: &[(&str, Severity)],
) {
    let report = validate_asset(&fields, ctx);
    let expected: Vec<(String, Severity)> = expected
        .iter()
        .map(|(f, s)| ((*f).to_owned(), *s))
        .collect();
    assert_eq!(
        findings(&report),
        expected,
        "case: {case}; report: {report:?}"
    );
    for f in &report.findings {
        assert!(!f.message.is_empty(), "case {case}: empty message");
    }
}

/// Expected findings of one table row: (field, severity) pairs.
type Expected = &'static [(&'static str, Severity)];

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

#[test]
fn valid_asset_has_no_findings() {
    check("valid", valid(), &ValidationContext::default(), &[]);
}

#[test]
fn name_rules() {
    let cases: &[(&str, String, Expected)] = &[
        ("empty", String::new(), &[("name", E)]),
        ("blank", "   ".into(), &[("name", E)]),
        ("255 chars", "x".repeat(255), &[]),
        ("256 chars", "x".repeat(256), &[("name", E)]),
        ("255 multibyte chars", "é".repeat(255), &[]),
        ("256 multibyte chars", "é".repeat(256), &[("name", E)]),
    ];
    for (case, name, expected) in cases {
        check(
            case,
            AssetFields {
                name: name.clone(),
                ..valid()
            },
            &ValidationContext::default(),
            expected,
        );
    }
}

#[test]
fn client_required() {
    check(
        "no client",
        AssetFields {
            client_id: None,
            ..valid()
        },
        &ValidationContext::default(),
        &[("client_id", E)],
    );
}

#[test]
fn mac_formats() {
    let cases: &[(&str, bool)] = &[
        ("00:1A:2B:3C:4D:5E", true),
        ("00-1a-2b-3c-4d-5e", true),
        ("001a.2b3c.4d5e", true),
        ("001A2B3C4D5E", true),
        ("", true),
        ("00:1A:2B:3C:4D", false),
        ("00:1A:2B:3C:4D:5G", false),
        ("00:1A-2B:3C:4D:5E", false),
        ("001A2B3C4D5", false),
        ("not a mac", false),
    ];
    for (mac, ok) in cases {
        let expected: &[(&str, Severity)] = if *ok { &[] } else { &[("mac", E)] };
        check(
            mac,
            AssetFields {
                mac: Some((*mac).into()),
                ..valid()
            },
            &ValidationContext::default(),
            expected,
        );
    }
}

#[test]
fn ip_formats() {
    let cases: &[(&str, bool)] = &[
        ("10.0.0.5", true),
        ("255.255.255.255", true),
        ("fe80::1", true),
        ("2001:db8::8a2e:370:7334", true),
        ("  ", true),
        ("256.1.1.1", false),
        ("10.0.0", false),
        ("fe80:::1", false),
        ("host.example.com", false),
    ];
    for (ip, ok) in cases {
        let expected: &[(&str, Severity)] = if *ok { &[] } else { &[("ip", E)] };
        check(
            ip,
            AssetFields {
                ip: Some((*ip).into()),
                ..valid()
            },
            &ValidationContext::default(),
            expected,
        );
    }
}

#[test]
fn warranty_end_not_before_start() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let cases: &[(Option<&str>, Option<&str>, bool)] = &[
        (Some("2024-01-01"), Some("2027-01-01"), true),
        (Some("2024-01-01"), Some("2024-01-01"), true),
        (Some("2024-01-02"), Some("2024-01-01"), false),
        (None, Some("2024-01-01"), true),
        (Some("2024-01-01"), None, true),
    ];
    for (start, end, ok) in cases {
        let fields = AssetFields {
            warranty_start: start.and_then(d),
            warranty_end: end.and_then(d),
            ..valid()
        };
        let expected: &[(&str, Severity)] = if *ok { &[] } else { &[("warranty_end", E)] };
        check(
            &format!("{start:?}..{end:?}"),
            fields,
            &ValidationContext::default(),
            expected,
        );
    }
}

#[test]
fn price_not_negative() {
    for (price, ok) in [
        (Some(0), true),
        (Some(129_900), true),
        (None, true),
        (Some(-1), false),
    ] {
        let expected: &[(&str, Severity)] = if ok {
            &[]
        } else {
            &[("purchase_price_cents", E)]
        };
        check(
            &format!("{price:?}"),
            AssetFields {
                purchase_price_cents: price,
                ..valid()
            },
            &ValidationContext::default(),
            expected,
        );
    }
}

#[test]
fn type_rules() {
    let types = types();
    let ctx = ValidationContext {
        types: &types,
        ..Default::default()
    };
    let owner = || BTreeMap::from([("owner".to_owned(), json!("Ann"))]);
    check(
        "no type",
        AssetFields {
            type_id: None,
            ..valid()
        },
        &ctx,
        &[("type_id", E)],
    );
    check(
        "unknown type",
        AssetFields {
            type_id: Some(99),
            ..valid()
        },
        &ctx,
        &[("type_id", E)],
    );
    check(
        "known type",
        AssetFields {
            custom: owner(),
            ..valid()
        },
        &ctx,
        &[],
    );
    // Types not pulled yet: the type cannot be judged, so it is not failed.
    check(
        "types unknown",
        AssetFields {
            type_id: Some(99),
            ..valid()
        },
        &ValidationContext::default(),
        &[],
    );
}

#[test]
fn custom_field_kinds() {
    let types = types();
    let ctx = ValidationContext {
        types: &types,
        ..Default::default()
    };
    let cases: &[(&str, Value, bool)] = &[
        ("rack", json!("R4"), true),
        ("rack", json!(4), false),
        ("notes2", json!("multi\nline"), true),
        ("notes2", json!(true), false),
        ("ram", json!(16), true),
        ("ram", json!("16.5"), true),
        ("ram", json!("sixteen"), false),
        ("bought", json!("2024-02-29"), true),
        ("bought", json!("2023-02-29"), false),
        ("bought", json!("29/02/2024"), false),
        ("byod", json!(false), true),
        ("byod", json!("yes"), false),
        ("tier", json!("Gold"), true),
        ("tier", json!("Bronze"), false),
        ("tier", json!(1), false),
    ];
    for (key, value, ok) in cases {
        let mut custom = BTreeMap::from([("owner".to_owned(), json!("Ann"))]);
        custom.insert((*key).to_owned(), value.clone());
        let field = format!("custom:{key}");
        let expected: Vec<(&str, Severity)> = if *ok {
            vec![]
        } else {
            vec![(field.as_str(), E)]
        };
        check(
            &format!("{key}={value}"),
            AssetFields { custom, ..valid() },
            &ctx,
            &expected,
        );
    }
}

#[test]
fn custom_required_and_unknown() {
    let types = types();
    let ctx = ValidationContext {
        types: &types,
        ..Default::default()
    };
    check("required missing", valid(), &ctx, &[("custom:owner", E)]);
    let blank = BTreeMap::from([("owner".to_owned(), json!(" "))]);
    check(
        "required blank",
        AssetFields {
            custom: blank,
            ..valid()
        },
        &ctx,
        &[("custom:owner", E)],
    );
    let extra = BTreeMap::from([
        ("owner".to_owned(), json!("Ann")),
        ("legacy".to_owned(), json!(1)),
    ]);
    check(
        "unknown key",
        AssetFields {
            custom: extra,
            ..valid()
        },
        &ctx,
        &[("custom:legacy", W)],
    );
}

#[test]
fn duplicate_serial_is_a_warning() {
    let others = vec!["PC-002".to_owned()];
    let ctx = ValidationContext {
        duplicate_serial_of: &others,
        ..Default::default()
    };
    let report = validate_asset(
        &AssetFields {
            serial: Some("ABC".into()),
            ..valid()
        },
        &ctx,
    );
    assert_eq!(findings(&report), vec![("serial".to_owned(), W)]);
    assert!(report.is_ok(), "a warning must not block saving");
    assert!(report.findings[0].message.contains("PC-002"));
    // No serial: nothing to compare, even if the caller passed owners.
    check("no serial", valid(), &ctx, &[]);
}

#[test]
fn parent_cycles() {
    // (asset, parent, the parent's ancestors, valid?)
    type Row = (Option<i64>, Option<i64>, &'static [i64], bool);
    let cases: &[Row] = &[
        (Some(1), Some(1), &[], false),
        (Some(1), Some(3), &[2, 1], false),
        (Some(1), Some(3), &[2], true),
        (None, Some(3), &[2, 1], true),
        (Some(1), None, &[], true),
    ];
    for (me, parent, ancestors, ok) in cases {
        let ancestors: Vec<AssetId> = ancestors.iter().map(|i| AssetId(*i)).collect();
        let ctx = ValidationContext {
            asset_id: me.map(AssetId),
            parent_id: parent.map(AssetId),
            parent_ancestors: &ancestors,
            ..Default::default()
        };
        let expected: &[(&str, Severity)] = if *ok { &[] } else { &[("parent_id", E)] };
        check(&format!("{me:?}<-{parent:?}"), valid(), &ctx, expected);
    }
}

#[test]
fn capability_rules() {
    let syncro = ValidationContext {
        capabilities: Some(ProviderKind::Syncro.capabilities()),
        ..Default::default()
    };
    let halo = ValidationContext {
        capabilities: Some(ProviderKind::Halo.capabilities()),
        ..Default::default()
    };
    let busy = AssetFields {
        user_ids: vec![1, 2],
        status_id: Some(3),
        site_id: Some(4),
        ..valid()
    };
    check(
        "syncro",
        busy.clone(),
        &syncro,
        &[("site_id", E), ("status_id", E), ("user_ids", E)],
    );
    check("halo", busy, &halo, &[]);
    check(
        "syncro one user",
        AssetFields {
            user_ids: vec![1],
            ..valid()
        },
        &syncro,
        &[],
    );
}

#[test]
fn report_is_ok_only_without_errors() {
    let mut r = ValidationReport::default();
    assert!(r.is_ok());
    r.warning("serial", "dup");
    assert!(r.is_ok());
    r.error("name", "required");
    assert!(!r.is_ok());
    assert_eq!(r.for_field("name").count(), 1);
}

#[test]
fn a_status_the_type_does_not_allow_is_an_error_naming_the_allowed_ones() {
    let status = |id, name: &str| AssetStatus {
        connection_id: ConnectionId("c".into()),
        remote_id: id,
        name: name.into(),
        retired: false,
    };
    let statuses = [
        status(1, "In use"),
        status(2, "In stock"),
        status(9, "Retired"),
    ];
    let printer = |allowed: Option<Vec<RemoteId>>| AssetType {
        connection_id: ConnectionId("c".into()),
        remote_id: 10,
        name: "Printer".into(),
        fields: vec![],
        allowed_statuses: allowed,
    };
    let restricted = [printer(Some(vec![1, 9]))];
    let any = [printer(None)];
    let with_status = |id| AssetFields {
        status_id: id,
        ..valid()
    };
    let ctx = ValidationContext {
        types: &restricted,
        statuses: &statuses,
        ..Default::default()
    };
    check("allowed", with_status(Some(9)), &ctx, &[]);
    check("no status", with_status(None), &ctx, &[]);
    check(
        "refused",
        with_status(Some(2)),
        &ctx,
        &[("status_id", Severity::Error)],
    );
    let report = validate_asset(&with_status(Some(2)), &ctx);
    assert_eq!(
        report.findings[0].message,
        "In stock is not a status Printer assets can have: choose one of In use, Retired"
    );
    let any_ctx = ValidationContext {
        types: &any,
        statuses: &statuses,
        ..Default::default()
    };
    check("any status goes", with_status(Some(2)), &any_ctx, &[]);
    // A status the cache does not know is named by its id.
    let report = validate_asset(&with_status(Some(4)), &ctx);
    assert!(
        report.findings[0]
            .message
            .starts_with("Status 4 is not a status Printer")
    );
}
