//! Property: any interleaving of local edits, pushes (ack), retryable and rejected failures,
//! retries, discards, conflicts with their resolutions, remote updates arriving by pull and
//! rebases keeps the outbox, the base snapshot and the row consistent:
//!
//! * an asset with open ops: row == base ⊕ open ops (in order); at most one op in flight,
//!   and only the first open op; sync state not `synced`;
//! * an asset without open ops: no base, state `synced`, row == the last remote state the
//!   store was given (by a pull it applied, an ack, a conflict or a rebase).

mod common;

use std::collections::BTreeMap;

use assetdesk_domain::{
    AssetField, AssetFields, AssetId, ConnectionId, Patch, ProviderKind, RemoteAsset,
};
use assetdesk_store::*;
use proptest::prelude::*;
use serde_json::json;

const ASSETS: i64 = 3;
const FIELDS: [AssetField; 3] = [AssetField::Notes, AssetField::Model, AssetField::Serial];

#[derive(Debug, Clone)]
enum Step {
    Edit { asset: i64, field: usize, value: u8 },
    Ack { with_remote: bool },
    FailRetryable,
    FailRejected,
    Retry,
    Discard { asset: i64 },
    RemoteUpdate { asset: i64, field: usize, value: u8 },
    Conflict { resolution: u8 },
    Rebase { asset: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..ASSETS, 0..3usize, 0..4u8).prop_map(|(asset, field, value)| Step::Edit { asset, field, value }),
        3 => any::<bool>().prop_map(|with_remote| Step::Ack { with_remote }),
        1 => Just(Step::FailRetryable),
        1 => Just(Step::FailRejected),
        1 => Just(Step::Retry),
        1 => (0..ASSETS).prop_map(|asset| Step::Discard { asset }),
        2 => (0..ASSETS, 0..3usize, 0..4u8).prop_map(|(asset, field, value)| Step::RemoteUpdate { asset, field, value }),
        1 => (0..3u8).prop_map(|resolution| Step::Conflict { resolution }),
        1 => (0..ASSETS).prop_map(|asset| Step::Rebase { asset }),
    ]
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    conn: ConnectionId,
    /// The provider's state, by remote id.
    server: BTreeMap<i64, AssetFields>,
    /// The last remote state the store was given, by local id.
    known: BTreeMap<i64, AssetFields>,
    ids: Vec<AssetId>,
}

fn world() -> World {
    // tmpfs when available: the property is about logic, not fsync.
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm").expect("tmp")
    } else {
        tempfile::tempdir().expect("tmp")
    };
    let store = Store::open(&dir.path().join("p.db")).expect("open");
    let c = common::connection(ProviderKind::Halo);
    store.upsert_connection(&c).expect("conn");
    store
        .replace_lookups(&c.id, &common::lookups(&c.id))
        .expect("lookups");
    let remotes: Vec<RemoteAsset> = (1..=ASSETS)
        .map(|i| common::remote(i, &format!("A{i}")))
        .collect();
    common::pull_all(&store, &c.id, remotes.clone());
    let mut w = World {
        _dir: dir,
        store,
        conn: c.id,
        server: BTreeMap::new(),
        known: BTreeMap::new(),
        ids: Vec::new(),
    };
    for r in remotes {
        let id = w
            .store
            .asset_by_remote(&w.conn, r.remote_id)
            .expect("q")
            .expect("cached")
            .asset
            .id;
        w.ids.push(id);
        w.server.insert(r.remote_id, r.fields.clone());
        w.known.insert(id.0, r.fields);
    }
    w
}

fn remote_of(remote_id: i64, fields: &AssetFields) -> RemoteAsset {
    RemoteAsset {
        fields: fields.clone(),
        ..common::remote(remote_id, &fields.name)
    }
}

fn value(v: u8) -> serde_json::Value {
    json!(format!("v{v}"))
}

impl World {
    fn remote_id(&self, id: AssetId) -> i64 {
        self.store
            .asset(id)
            .expect("asset")
            .asset
            .remote_id
            .expect("remote-backed")
    }

    fn apply(&mut self, s: &Step) {
        match s {
            Step::Edit {
                asset,
                field,
                value: v,
            } => {
                let patch: Patch = [(FIELDS[*field].clone(), value(*v))].into_iter().collect();
                self.store
                    .update_asset(self.ids[*asset as usize], &patch, "prop")
                    .expect("edit");
            }
            Step::Ack { with_remote } => {
                let Some(op) = self
                    .store
                    .next_runnable(i64::MAX, 1)
                    .expect("runnable")
                    .pop()
                else {
                    return;
                };
                self.store
                    .mark_in_flight(&op.client_op_id)
                    .expect("in flight");
                let remote_id = op.remote_id.expect("remote id");
                let OpPayload::Update { patch } = &op.payload else {
                    panic!("only updates here")
                };
                let server = self.server.get_mut(&remote_id).expect("server row");
                server.apply(patch).expect("apply");
                let server = server.clone();
                if *with_remote {
                    self.store
                        .ack(
                            &op.client_op_id,
                            &Ack {
                                remote: Some(remote_of(remote_id, &server)),
                            },
                        )
                        .expect("ack");
                    self.known.insert(op.asset_id.0, server);
                } else {
                    let mut base = self
                        .store
                        .base(op.asset_id)
                        .expect("base")
                        .expect("base present")
                        .fields;
                    base.apply(patch).expect("apply");
                    self.store
                        .ack(&op.client_op_id, &Ack { remote: None })
                        .expect("ack");
                    self.known.insert(op.asset_id.0, base);
                }
            }
            Step::FailRetryable | Step::FailRejected => {
                let Some(op) = self
                    .store
                    .next_runnable(i64::MAX, 1)
                    .expect("runnable")
                    .pop()
                else {
                    return;
                };
                self.store
                    .mark_in_flight(&op.client_op_id)
                    .expect("in flight");
                let f = if matches!(s, Step::FailRetryable) {
                    Failure::Retryable {
                        error: "503".into(),
                        retry_at: Some(0),
                    }
                } else {
                    Failure::Rejected {
                        error: "400".into(),
                    }
                };
                self.store.fail(&op.client_op_id, &f).expect("fail");
            }
            Step::Retry => {
                let failed = self
                    .store
                    .ops(None, false)
                    .expect("ops")
                    .into_iter()
                    .find(|o| o.state == OpState::Failed);
                if let Some(op) = failed {
                    self.store.retry(&op.client_op_id).expect("retry");
                }
            }
            Step::Discard { asset } => {
                let ops = self
                    .store
                    .ops(Some(self.ids[*asset as usize]), false)
                    .expect("ops");
                if let Some(op) = ops.last() {
                    self.store
                        .discard(&op.client_op_id, "prop")
                        .expect("discard");
                }
            }
            Step::RemoteUpdate {
                asset,
                field,
                value: v,
            } => {
                let id = self.ids[*asset as usize];
                let remote_id = self.remote_id(id);
                let server = self.server.get_mut(&remote_id).expect("server row");
                server.set(&FIELDS[*field], value(*v)).expect("set");
                let server = server.clone();
                let cp = self
                    .store
                    .begin_pull(&self.conn, PullMode::Incremental, 100, None)
                    .expect("begin");
                let out = self
                    .store
                    .apply_pulled_page(&PulledPage {
                        run_id: cp.run_id,
                        page_no: 1,
                        assets: vec![remote_of(remote_id, &server)],
                        remote_total: None,
                        high_watermark: None,
                    })
                    .expect("page");
                self.store.complete_pull(cp.run_id, true).expect("complete");
                if out.deferred.is_empty() {
                    self.known.insert(id.0, server);
                }
            }
            Step::Conflict { resolution } => {
                let Some(op) = self
                    .store
                    .next_runnable(i64::MAX, 1)
                    .expect("runnable")
                    .pop()
                else {
                    return;
                };
                let OpPayload::Update { patch } = &op.payload else {
                    return;
                };
                let remote_id = op.remote_id.expect("remote id");
                let server = self.server[&remote_id].clone();
                let base = self
                    .store
                    .base(op.asset_id)
                    .expect("base")
                    .expect("base present");
                let fields: Vec<ConflictField> = patch
                    .iter()
                    .map(|(f, v)| ConflictField {
                        field: f.clone(),
                        base: base.fields.get(f),
                        local: v.clone(),
                        remote: server.get(f),
                    })
                    .collect();
                self.store
                    .mark_in_flight(&op.client_op_id)
                    .expect("in flight");
                let ids = self
                    .store
                    .record_conflict(&op.client_op_id, &remote_of(remote_id, &server), &fields)
                    .expect("conflict");
                self.known.insert(op.asset_id.0, server);
                for id in ids {
                    let r = match resolution {
                        0 => Resolution::KeepMine,
                        1 => Resolution::TakeTheirs,
                        _ => Resolution::Edit(json!("edited")),
                    };
                    self.store
                        .resolve_conflict(id, &r, "prop")
                        .expect("resolve");
                }
            }
            Step::Rebase { asset } => {
                let id = self.ids[*asset as usize];
                if let Some(remote) = self.store.remote_pending(id).expect("pending") {
                    self.store.rebase(id, &remote).expect("rebase");
                    self.known.insert(id.0, remote.fields);
                }
            }
        }
    }

    fn check(&self, history: &[Step]) {
        for id in &self.ids {
            let rec = self.store.asset(*id).expect("asset");
            let ops = self.store.ops(Some(*id), false).expect("ops");
            let base = self.store.base(*id).expect("base");
            if ops.is_empty() {
                assert_eq!(base, None, "no open ops but a base; after {history:?}");
                assert_eq!(rec.sync_state, SyncState::Synced, "after {history:?}");
                assert_eq!(
                    &rec.asset.fields, &self.known[&id.0],
                    "row is not the last remote state; after {history:?}"
                );
            } else {
                let mut expected = base.clone().expect("open ops need a base").fields;
                for op in &ops {
                    if let OpPayload::Update { patch } = &op.payload {
                        expected.apply(patch).expect("apply");
                    }
                }
                assert_eq!(
                    rec.asset.fields, expected,
                    "row != base ⊕ ops; after {history:?}"
                );
                assert_ne!(rec.sync_state, SyncState::Synced);
                let in_flight: Vec<usize> = ops
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.state == OpState::InFlight)
                    .map(|(i, _)| i)
                    .collect();
                assert!(
                    in_flight.is_empty() || in_flight == [0],
                    "in-flight op not first; after {history:?}"
                );
                assert!(ops.windows(2).all(|w| w[0].seq < w[1].seq));
            }
        }
        self.store.integrity_check().expect("integrity");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn outbox_base_and_row_stay_consistent(steps in proptest::collection::vec(step(), 1..40)) {
        let mut w = world();
        let mut history = Vec::new();
        for s in &steps {
            history.push(s.clone());
            w.apply(s);
            w.check(&history);
        }
    }
}
