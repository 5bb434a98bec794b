//! A cache written by any earlier schema opens with this build: every fixture in
//! tests/fixtures/schema_v*.sql (a frozen SQL dump per released schema) is loaded into a fresh
//! file, opened through `Store::open`, and checked for its data.

use std::path::Path;

use assetdesk_domain::{AssetId, ConnectionId};
use assetdesk_store::{
    AssetFilter, OpState, PageRequest, SCHEMA_VERSION, Sort, SortKey, Store, StoreError,
};

/// Every schema version with a fixture; add one per released schema.
const FIXTURES: &[(u32, &str)] = &[
    (1, include_str!("fixtures/schema_v1.sql")),
    (2, include_str!("fixtures/schema_v2.sql")),
    (3, include_str!("fixtures/schema_v3.sql")),
    (4, include_str!("fixtures/schema_v4.sql")),
    (5, include_str!("fixtures/schema_v5.sql")),
];

fn load_fixture(path: &Path, sql: &str) {
    let db = rusqlite::Connection::open(path).expect("create file");
    db.execute_batch(sql).expect("fixture loads");
}

#[test]
fn every_earlier_schema_has_a_fixture() {
    let versions: Vec<u32> = FIXTURES.iter().map(|(v, _)| *v).collect();
    assert_eq!(
        versions,
        (1..=SCHEMA_VERSION).collect::<Vec<_>>(),
        "keep a fixture of each schema"
    );
}

#[test]
fn fixtures_of_every_schema_open_and_keep_their_data() {
    for (version, sql) in FIXTURES {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("v{version}.db"));
        load_fixture(&path, sql);
        let store =
            Store::open(&path).unwrap_or_else(|e| panic!("v{version} fixture must open: {e}"));
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        store.integrity_check().unwrap();
        let conn = ConnectionId("c-halo".into());
        assert_eq!(
            store.connection(&conn).unwrap().secret_ref,
            "assetdesk:c-halo"
        );
        assert_eq!(store.count_assets(&AssetFilter::default()).unwrap(), 2);
        // The statuses a type allows: unknown before v4 (any status goes until the next
        // sync replaces the lookups), kept from v4 on.
        let laptop = store.lookups(&conn).unwrap().types.remove(0);
        let allowed = if *version >= 4 { Some(vec![1]) } else { None };
        assert_eq!(laptop.allowed_statuses, allowed, "v{version}");
        let vm = store.asset(AssetId(2)).unwrap();
        assert_eq!(vm.asset.parent_id, Some(AssetId(1)));
        let ops = store.ops(None, false).unwrap();
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].state, OpState::Pending);
        // Search and substring indexes survived.
        let by_id = PageRequest {
            sort: Sort {
                key: SortKey::Id,
                descending: false,
            },
            ..Default::default()
        };
        let hits = store
            .list_assets(
                &AssetFilter {
                    search: Some("grace".into()),
                    ..Default::default()
                },
                &by_id,
            )
            .unwrap();
        assert_eq!(hits.rows.len(), 1);
        let hits = store
            .list_assets(
                &AssetFilter {
                    contains: Some("3c4d".into()),
                    ..Default::default()
                },
                &by_id,
            )
            .unwrap();
        assert_eq!(hits.rows.len(), 1);
        // And the cache keeps working: the pending edit can be acknowledged.
        let op = store.mark_in_flight(&ops[0].client_op_id).unwrap();
        store
            .ack(&op.client_op_id, &assetdesk_store::Ack { remote: None })
            .unwrap();
        assert_eq!(
            store.asset(AssetId(2)).unwrap().asset.fields.name,
            "VM-01 edited"
        );
    }
}

/// v2 (migrations/0002_search_tuning.sql) sets the FTS5 crisis-merge threshold of both search
/// indexes; a v1 cache must end up with it too, not only a freshly created one.
/// v5 (migrations/0005_covering_indexes.sql): the unfiltered count of the list and the
/// calendar's date ranges read indexes alone, not rows, in a migrated cache as in a new one.
#[test]
fn the_count_and_the_calendar_read_indexes_after_migrating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    load_fixture(&path, FIXTURES[0].1);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.count_assets(&AssetFilter::default()).unwrap(), 2);
    drop(store);
    let db = rusqlite::Connection::open(&path).unwrap();
    let plan: Vec<String> = db
        .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM assets a WHERE a.deleted_at IS NULL")
        .unwrap()
        .query_map([], |r| r.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(plan, ["SCAN a USING INDEX assets_live"], "{plan:?}");
    for (column, index) in [
        ("warranty_end", "assets_warranty"),
        ("purchase_date", "assets_purchase"),
    ] {
        let plan: String = db
            .query_row(
                &format!(
                    "EXPLAIN QUERY PLAN SELECT a.id, a.name FROM assets a \
                     WHERE a.deleted_at IS NULL AND a.{column} BETWEEN ?1 AND ?2 AND a.inactive = 0"
                ),
                ["2026-01-01", "2026-02-01"],
                |r| r.get(3),
            )
            .unwrap();
        assert!(
            plan.starts_with(&format!(
                "SEARCH a USING COVERING INDEX {index} ({column}>? AND {column}<?)"
            )),
            "{plan}"
        );
    }
}

#[test]
fn a_v1_cache_gets_the_v2_merge_policy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    load_fixture(&path, FIXTURES[0].1);
    drop(Store::open(&path).unwrap());
    let db = rusqlite::Connection::open(&path).unwrap();
    for table in ["assets_fts", "assets_trigram"] {
        let v: i64 = db
            .query_row(
                &format!("SELECT v FROM {table}_config WHERE k = 'crisismerge'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, 64, "{table}");
    }
}

#[test]
fn a_cache_from_a_newer_build_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
    let db = rusqlite::Connection::open(&path).unwrap();
    let v: u32 = db
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1);
}
