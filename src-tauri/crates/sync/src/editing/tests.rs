//! Façade tests of the asset form, bulk edit and journal over a real cache in a temp folder.

use super::*;
use crate::catalog::tests::{id_of, pull};
use assetdesk_domain::{
    AssetFacts, AssetStatus, AssetType, Client, Connection, CustomFieldKind, Person, RemoteAsset,
    Site,
};
use serde_json::json;

const HALO: &str = "conn-halo";
const SYNCRO: &str = "conn-syncro";
const ACTOR: &str = "tester";

fn connection(id: &str, kind: ProviderKind) -> Connection {
    Connection {
        id: ConnectionId(id.into()),
        kind,
        name: format!("Test {}", kind.label()),
        base_url: "https://example.invalid".into(),
        auth_url: None,
        tenant: None,
        client_id: None,
        secret_ref: format!("assetdesk:{id}"),
        demo: false,
    }
}

fn lookups(conn: &str, with_retired: bool) -> Lookups {
    let c = ConnectionId(conn.into());
    let mut statuses = vec![AssetStatus {
        connection_id: c.clone(),
        remote_id: 1,
        name: "In use".into(),
        retired: false,
    }];
    if with_retired {
        statuses.push(AssetStatus {
            connection_id: c.clone(),
            remote_id: 9,
            name: "Retired".into(),
            retired: true,
        });
    }
    Lookups {
        clients: vec![
            Client {
                connection_id: c.clone(),
                remote_id: 1,
                name: "Acme".into(),
                inactive: false,
            },
            Client {
                connection_id: c.clone(),
                remote_id: 2,
                name: "Globex".into(),
                inactive: false,
            },
        ],
        sites: vec![
            Site {
                connection_id: c.clone(),
                remote_id: 5,
                client_id: 1,
                name: "HQ".into(),
            },
            Site {
                connection_id: c.clone(),
                remote_id: 6,
                client_id: 2,
                name: "Depot".into(),
            },
        ],
        people: vec![Person {
            connection_id: c.clone(),
            remote_id: 7,
            client_id: Some(1),
            site_id: None,
            name: "Grace Hopper".into(),
            email: Some("grace@acme.test".into()),
        }],
        types: vec![AssetType {
            connection_id: c.clone(),
            remote_id: 10,
            name: "Laptop".into(),
            fields: vec![CustomFieldDef {
                key: "ram".into(),
                label: "RAM (GB)".into(),
                kind: CustomFieldKind::Number,
                required: false,
            }],
            allowed_statuses: None,
        }],
        statuses,
    }
}

fn remote(id: i64, name: &str) -> RemoteAsset {
    RemoteAsset {
        remote_id: id,
        fields: AssetFields {
            name: name.into(),
            client_id: Some(1),
            type_id: Some(10),
            serial: Some(format!("SN{id:04}")),
            ..Default::default()
        },
        facts: AssetFacts::default(),
        parent_remote_id: None,
        updated_at: None,
        raw: json!({ "id": id }),
    }
}

fn seeded(halo_retired: bool) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    for (id, kind) in [(HALO, ProviderKind::Halo), (SYNCRO, ProviderKind::Syncro)] {
        ws.store().upsert_connection(&connection(id, kind)).unwrap();
        ws.store()
            .replace_lookups(&ConnectionId(id.into()), &lookups(id, halo_retired))
            .unwrap();
    }
    pull(
        &ws,
        HALO,
        (1..=3).map(|i| remote(i, &format!("Laptop {i}"))).collect(),
    );
    pull(
        &ws,
        SYNCRO,
        vec![remote(11, "Syncro PC 1"), remote(12, "Syncro PC 2")],
    );
    (dir, ws)
}

fn valid_fields() -> AssetFields {
    AssetFields {
        name: "New laptop".into(),
        client_id: Some(1),
        type_id: Some(10),
        ..Default::default()
    }
}

fn draft(fields: AssetFields) -> AssetDraft {
    AssetDraft {
        connection_id: HALO.into(),
        fields,
        asset_id: None,
        parent_id: None,
    }
}

fn fields_of(findings: &[FieldError]) -> Vec<(&str, Severity)> {
    findings
        .iter()
        .map(|f| (f.field.as_str(), f.severity))
        .collect()
}

#[test]
fn a_draft_reports_errors_per_field_and_a_duplicate_serial_as_a_warning() {
    let (_dir, ws) = seeded(true);
    let mut fields = valid_fields();
    fields.name = String::new();
    fields.mac = Some("00:1A".into());
    fields.serial = Some("SN0002".into());
    let v = ws.validate_draft(&draft(fields)).unwrap();
    assert!(!v.ok);
    let mut found = fields_of(&v.findings);
    found.sort_by_key(|f| f.0);
    assert_eq!(
        found,
        [
            ("mac", Severity::Error),
            ("name", Severity::Error),
            ("serial", Severity::Warning)
        ]
    );
    let serial = v.findings.iter().find(|f| f.field == "serial").unwrap();
    assert!(serial.message.contains("Laptop 2"), "{}", serial.message);

    // The asset's own serial is not a duplicate of itself.
    let own = id_of(&ws, HALO, 2);
    let mut mine = valid_fields();
    mine.serial = Some("SN0002".into());
    let v = ws
        .validate_draft(&AssetDraft {
            asset_id: Some(own),
            ..draft(mine)
        })
        .unwrap();
    assert!(v.ok && v.findings.is_empty(), "{v:?}");
}

#[test]
fn create_saves_offline_into_the_outbox_and_invalid_drafts_come_back_per_field() {
    let (_dir, ws) = seeded(true);
    let mut fields = valid_fields();
    fields.serial = Some("SN0001".into());
    let out = ws
        .create_asset(
            &CreateAssetRequest {
                connection_id: HALO.into(),
                fields,
                parent_id: None,
            },
            ACTOR,
        )
        .unwrap();
    let SaveOutcome::Saved {
        asset_id,
        queued,
        warnings,
    } = out
    else {
        panic!("expected saved, got {out:?}");
    };
    assert!(queued);
    assert_eq!(fields_of(&warnings), [("serial", Severity::Warning)]);
    let ops = ws.store().ops(Some(AssetId(asset_id)), false).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].payload.kind(), "create");
    assert_eq!(ws.asset_detail(asset_id).unwrap().name, "New laptop");

    let bad = ws
        .create_asset(
            &CreateAssetRequest {
                connection_id: HALO.into(),
                fields: AssetFields {
                    ip: Some("300.1.1.1".into()),
                    ..valid_fields()
                },
                parent_id: None,
            },
            ACTOR,
        )
        .unwrap();
    match bad {
        SaveOutcome::Invalid { findings } => {
            assert_eq!(fields_of(&findings), [("ip", Severity::Error)]);
        }
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn update_applies_only_the_changes_and_names_unknown_fields() {
    let (_dir, ws) = seeded(true);
    let id = id_of(&ws, HALO, 1);
    let changes: BTreeMap<String, serde_json::Value> = [
        ("warranty_end".to_owned(), json!("2028-01-31")),
        ("custom:ram".to_owned(), json!(32)),
    ]
    .into_iter()
    .collect();
    let out = ws
        .update_asset(&UpdateAssetRequest { id, changes }, ACTOR)
        .unwrap();
    assert!(
        matches!(out, SaveOutcome::Saved { queued: true, .. }),
        "{out:?}"
    );
    let d = ws.asset_detail(id).unwrap();
    assert_eq!(d.warranty_end, "2028-01-31".parse().ok());
    assert_eq!(d.serial.as_deref(), Some("SN0001"), "untouched fields stay");
    assert_eq!(d.custom_fields[0].value, json!(32));

    let same: BTreeMap<String, serde_json::Value> =
        [("warranty_end".to_owned(), json!("2028-01-31"))]
            .into_iter()
            .collect();
    let out = ws
        .update_asset(&UpdateAssetRequest { id, changes: same }, ACTOR)
        .unwrap();
    assert!(
        matches!(out, SaveOutcome::Saved { queued: false, .. }),
        "{out:?}"
    );

    let misshapen: BTreeMap<String, serde_json::Value> =
        [("purchase_date".to_owned(), json!("31/12/2020"))]
            .into_iter()
            .collect();
    match ws
        .update_asset(
            &UpdateAssetRequest {
                id,
                changes: misshapen,
            },
            ACTOR,
        )
        .unwrap()
    {
        SaveOutcome::Invalid { findings } => assert_eq!(findings[0].field, "purchase_date"),
        other => panic!("expected invalid, got {other:?}"),
    }

    let unknown: BTreeMap<String, serde_json::Value> = [("devicename".to_owned(), json!("x"))]
        .into_iter()
        .collect();
    let err = ws
        .update_asset(
            &UpdateAssetRequest {
                id,
                changes: unknown,
            },
            ACTOR,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("devicename"), "{err}");

    let err = ws
        .update_asset(
            &UpdateAssetRequest {
                id: 999_999,
                changes: BTreeMap::new(),
            },
            ACTOR,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

#[test]
fn bulk_status_change_reports_per_row_and_skips_other_connections() {
    let (_dir, ws) = seeded(true);
    let halo: Vec<i64> = (1..=3).map(|r| id_of(&ws, HALO, r)).collect();
    let syncro = id_of(&ws, SYNCRO, 11);
    let mut ids = halo.clone();
    ids.push(syncro);
    ids.push(424_242);
    let res = ws
        .bulk_update(
            &BulkEditRequest {
                ids,
                change: BulkChange::Status {
                    connection_id: HALO.into(),
                    status_id: Some(1),
                },
            },
            ACTOR,
        )
        .unwrap();
    assert_eq!((res.updated, res.unchanged, res.failed), (3, 0, 2));
    let statuses: Vec<_> = res.rows.iter().map(|r| (r.id, r.status)).collect();
    assert_eq!(
        statuses[..3],
        halo.iter()
            .map(|&i| (i, BulkRowStatus::Updated))
            .collect::<Vec<_>>()[..]
    );
    assert!(
        res.rows[3]
            .message
            .as_deref()
            .unwrap()
            .contains("another connection")
    );
    assert!(
        res.rows[4]
            .message
            .as_deref()
            .unwrap()
            .contains("no longer exists")
    );
    for id in &halo {
        let d = ws.asset_detail(*id).unwrap();
        assert_eq!(d.status.unwrap().name.as_deref(), Some("In use"));
        assert_eq!(d.sync_state, crate::catalog::RowSyncState::Pending);
    }

    // The same change again writes nothing.
    let again = ws
        .bulk_update(
            &BulkEditRequest {
                ids: halo,
                change: BulkChange::Status {
                    connection_id: HALO.into(),
                    status_id: Some(1),
                },
            },
            ACTOR,
        )
        .unwrap();
    assert_eq!((again.updated, again.unchanged), (0, 3));
}

#[test]
fn retire_sets_the_retired_status_and_inactive_and_explains_a_connection_without_one() {
    let (_dir, ws) = seeded(true);
    let halo = id_of(&ws, HALO, 1);
    let syncro = id_of(&ws, SYNCRO, 12);
    let res = ws
        .bulk_update(
            &BulkEditRequest {
                ids: vec![halo, syncro],
                change: BulkChange::Retire,
            },
            ACTOR,
        )
        .unwrap();
    assert_eq!(res.updated, 2, "{res:?}");
    let d = ws.asset_detail(halo).unwrap();
    assert!(d.inactive);
    assert_eq!(d.status.unwrap().name.as_deref(), Some("Retired"));
    let s = ws.asset_detail(syncro).unwrap();
    assert!(s.inactive);
    assert!(s.status.is_none(), "Syncro has no status");
    assert_eq!(res.rows[1].message, None);

    let (_dir2, ws2) = seeded(false);
    let halo2 = id_of(&ws2, HALO, 2);
    let res = ws2
        .bulk_update(
            &BulkEditRequest {
                ids: vec![halo2],
                change: BulkChange::Retire,
            },
            ACTOR,
        )
        .unwrap();
    assert_eq!(res.updated, 1);
    assert!(
        res.rows[0]
            .message
            .as_deref()
            .unwrap()
            .contains("no retired status")
    );
    assert!(ws2.asset_detail(halo2).unwrap().inactive);
}

#[test]
fn bulk_refusals_carry_the_validation_message_and_bad_requests_are_refused() {
    let (_dir, ws) = seeded(true);
    let syncro = id_of(&ws, SYNCRO, 11);
    let res = ws
        .bulk_update(
            &BulkEditRequest {
                ids: vec![syncro],
                change: BulkChange::Status {
                    connection_id: SYNCRO.into(),
                    status_id: Some(1),
                },
            },
            ACTOR,
        )
        .unwrap();
    assert_eq!(res.failed, 1);
    assert!(
        res.rows[0]
            .message
            .as_deref()
            .unwrap()
            .contains("no asset status"),
        "{res:?}"
    );

    let custom = ws
        .bulk_update(
            &BulkEditRequest {
                ids: vec![id_of(&ws, HALO, 3)],
                change: BulkChange::Custom {
                    key: "ram".into(),
                    value: json!("lots"),
                },
            },
            ACTOR,
        )
        .unwrap();
    assert_eq!(custom.failed, 1);
    assert!(
        custom.rows[0]
            .message
            .as_deref()
            .unwrap()
            .contains("number")
    );

    for ids in [vec![], vec![1; MAX_PAGE as usize + 1]] {
        let err = ws
            .bulk_update(
                &BulkEditRequest {
                    ids,
                    change: BulkChange::Retire,
                },
                ACTOR,
            )
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().starts_with("ids:"), "{err}");
    }
}

#[test]
fn form_schema_follows_the_provider_and_narrows_lookups_to_the_client() {
    let (_dir, ws) = seeded(true);
    let halo = ws.form_schema(HALO, None).unwrap();
    assert_eq!(halo.provider, ProviderKind::Halo);
    assert!(halo.fields.iter().all(|f| f.editable));
    assert_eq!(halo.fields[0].name, "name");
    assert!(halo.fields[0].required);
    assert_eq!(halo.types[0].fields[0].label, "RAM (GB)");
    assert_eq!(halo.sites.len(), 2);
    assert_eq!(halo.statuses.iter().filter(|s| s.retired).count(), 1);

    let acme = ws.form_schema(HALO, Some(1)).unwrap();
    let sites: Vec<_> = acme.sites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(sites, ["HQ"]);
    assert_eq!(acme.users[0].detail.as_deref(), Some("grace@acme.test"));

    let syncro = ws.form_schema(SYNCRO, None).unwrap();
    let read_only: Vec<_> = syncro
        .fields
        .iter()
        .filter(|f| !f.editable)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        read_only,
        [
            "status_id",
            "site_id",
            "os",
            "os_version",
            "ip",
            "mac",
            "purchase_price_cents"
        ]
    );
    assert!(
        syncro
            .fields
            .iter()
            .all(|f| f.editable || f.read_only_reason.is_some())
    );

    let err = ws.form_schema("nope", None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

#[test]
fn the_journal_lists_changes_newest_first_with_their_sync_state() {
    let (_dir, ws) = seeded(true);
    let id = id_of(&ws, HALO, 1);
    let changes: BTreeMap<String, serde_json::Value> = [("serial".to_owned(), json!("SN-NEW"))]
        .into_iter()
        .collect();
    ws.update_asset(&UpdateAssetRequest { id, changes }, ACTOR)
        .unwrap();
    let j = ws.asset_journal(id).unwrap();
    assert!(!j.truncated);
    let first = &j.lines[0];
    assert_eq!(first.action, "update");
    assert_eq!(first.actor, ACTOR);
    assert_eq!(first.origin, "user");
    assert!(!first.synced);
    assert_eq!(
        first.changes,
        [FieldChange {
            field: "serial".into(),
            from: json!("SN0001"),
            to: json!("SN-NEW"),
            from_name: None,
            to_name: None,
        }]
    );
    // Lookup fields carry the names from the cache.
    let moved: BTreeMap<String, serde_json::Value> = [
        ("client_id".to_owned(), json!(2)),
        ("user_ids".to_owned(), json!([7, 99])),
    ]
    .into_iter()
    .collect();
    ws.update_asset(&UpdateAssetRequest { id, changes: moved }, ACTOR)
        .unwrap();
    let j = ws.asset_journal(id).unwrap();
    let names: Vec<_> = j.lines[0]
        .changes
        .iter()
        .map(|c| {
            (
                c.field.as_str(),
                c.from_name.as_deref(),
                c.to_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("client_id", Some("Acme"), Some("Globex")),
            ("user_ids", None, Some("Grace Hopper, #99"))
        ]
    );
    assert!(first.at.timestamp() > 1_700_000_000);
    assert_eq!(
        ws.asset_journal(77_777).unwrap_err().code(),
        ErrorCode::NotFound
    );
}
