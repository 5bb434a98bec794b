//! kill -9 loop (sync-perf-anchors.md §2: sled/RocksDB-style crash loops). The parent test
//! re-runs this test binary as a child that loops local edits, creates and push
//! acknowledgements, printing `committed …` after each call returned; the parent SIGKILLs it at
//! random moments, 200+ times. Afterwards the file passes `integrity_check` and every
//! acknowledged write is there with its outbox entry.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assetdesk_domain::{AssetField, AssetId, Patch, ProviderKind};
use assetdesk_store::{Ack, AssetFilter, NewAsset, OpPayload, PageRequest, Store};
use rand::{Rng, SeedableRng};
use serde_json::json;

const CHILD_DB: &str = "ASSETDESK_KILL9_DB";
const CHILD_SEED: &str = "ASSETDESK_KILL9_SEED";
const KILLS: u64 = 200;

/// Child mode: only does something when the parent set the env vars.
#[test]
#[ignore = "child process of kill_minus_9_loses_no_acknowledged_edit"]
fn kill9_child() {
    let (Ok(path), Ok(seed)) = (std::env::var(CHILD_DB), std::env::var(CHILD_SEED)) else {
        return;
    };
    let seed: u64 = seed.parse().expect("seed");
    let store = Store::open(std::path::Path::new(&path)).expect("open");
    let conn = common::conn_id(ProviderKind::Halo);
    let ids: Vec<AssetId> = store
        .list_assets(
            &AssetFilter::default(),
            &PageRequest {
                limit: 500,
                ..Default::default()
            },
        )
        .expect("list")
        .rows
        .iter()
        .map(|r| r.id)
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = std::io::stdout().lock();
    // Counters grow across children so later values are always larger.
    let mut n = seed * 1_000_000;
    loop {
        n += 1;
        match rng.random_range(0..10) {
            0 => {
                let new = NewAsset {
                    connection_id: conn.clone(),
                    fields: common::fields(&format!("kill-{n}")),
                    parent_id: None,
                };
                let r = store.create_asset(&new, "kill9").expect("create");
                writeln!(
                    out,
                    "committed create {} {} {n}",
                    r.asset_id.0,
                    r.client_op_id.expect("op")
                )
                .expect("stdout");
            }
            1 => {
                let Some(op) = store.next_runnable(i64::MAX, 1).expect("runnable").pop() else {
                    continue;
                };
                store.mark_in_flight(&op.client_op_id).expect("in flight");
                let remote = match op.payload {
                    OpPayload::Create { .. } => {
                        let rec = store.asset(op.asset_id).expect("asset");
                        let mut r =
                            common::remote(1_000_000 + op.asset_id.0, &rec.asset.fields.name);
                        r.fields = rec.asset.fields;
                        Some(r)
                    }
                    _ => None,
                };
                store.ack(&op.client_op_id, &Ack { remote }).expect("ack");
                writeln!(out, "committed ack {} {} 0", op.asset_id.0, op.client_op_id)
                    .expect("stdout");
            }
            _ => {
                let id = ids[rng.random_range(0..ids.len())];
                let patch: Patch = [(AssetField::Notes, json!(n.to_string()))]
                    .into_iter()
                    .collect();
                let r = store.update_asset(id, &patch, "kill9").expect("update");
                writeln!(
                    out,
                    "committed update {} {} {n}",
                    id.0,
                    r.client_op_id.expect("op")
                )
                .expect("stdout");
            }
        }
        out.flush().expect("flush");
    }
}

#[test]
fn kill_minus_9_loses_no_acknowledged_edit() {
    let f = common::fixture(ProviderKind::Halo);
    common::pull_all(
        &f.store,
        &f.conn,
        (1..=20)
            .map(|i| common::remote(i, &format!("A{i}")))
            .collect(),
    );
    let path = f.dir.path().join("cache.db");
    drop(f.store);
    let exe = std::env::current_exe().expect("test binary");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x9);
    let mut updates: BTreeMap<i64, u64> = BTreeMap::new();
    let mut ops: BTreeSet<String> = BTreeSet::new();
    let mut acked: BTreeSet<String> = BTreeSet::new();
    let mut creates: BTreeSet<i64> = BTreeSet::new();
    let mut committed = 0usize;
    let started = Instant::now();
    for kill in 1..=KILLS {
        let mut child = Command::new(&exe)
            .args([
                "kill9_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ])
            .env(CHILD_DB, &path)
            .env(CHILD_SEED, kill.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        std::thread::sleep(Duration::from_millis(rng.random_range(10..100)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let mut text = String::new();
        child
            .stdout
            .take()
            .expect("pipe")
            .read_to_string(&mut text)
            .expect("read");
        for line in text.lines().filter_map(|l| l.strip_prefix("committed ")) {
            let parts: Vec<&str> = line.split(' ').collect();
            let [kind, id, op, n] = parts[..] else {
                continue;
            };
            let id: i64 = id.parse().expect("id");
            committed += 1;
            match kind {
                "update" => {
                    let n: u64 = n.parse().expect("n");
                    let e = updates.entry(id).or_default();
                    *e = (*e).max(n);
                    ops.insert(op.to_owned());
                }
                "create" => {
                    creates.insert(id);
                    ops.insert(op.to_owned());
                }
                _ => {
                    acked.insert(op.to_owned());
                }
            }
        }
    }
    assert!(
        committed > KILLS as usize,
        "children must get work done between kills ({committed})"
    );
    let store = Store::open(&path).expect("reopen after kills");
    store.integrity_check().expect("integrity after kill -9");
    for (id, n) in &updates {
        let notes = store
            .asset(AssetId(*id))
            .expect("asset")
            .asset
            .fields
            .notes
            .unwrap_or_default();
        let have: u64 = notes.parse().expect("notes hold a counter");
        assert!(
            have >= *n,
            "asset {id}: acknowledged edit {n} lost (row has {have})"
        );
    }
    for id in &creates {
        store
            .asset(AssetId(*id))
            .expect("acknowledged create present");
    }
    for op in &ops {
        store
            .op(op)
            .unwrap_or_else(|e| panic!("acknowledged op {op} lost: {e}"));
    }
    for op in &acked {
        let o = store.op(op).expect("acked op present");
        assert_eq!(o.state, assetdesk_store::OpState::Done, "ack of {op} lost");
    }
    eprintln!(
        "kill -9 x{KILLS}: {committed} acknowledged writes checked in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
