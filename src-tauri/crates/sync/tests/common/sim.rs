//! One seed of the deterministic simulation (tests/simulation.rs says what it checks).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use assetdesk_domain::{AssetField, AssetFields, Patch, RemoteId};
use assetdesk_store::{NewAsset, OpState, Resolution};
use assetdesk_sync::Remote;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::*;

/// What one seed did, summed into the test's statistics.
#[derive(Default)]
pub struct Tally {
    pub conflicts: u64,
    pub adopted: u64,
    pub resent: u64,
}

pub async fn run_seed(seed: u64) -> (Tally, Violations) {
    let ctx = format!("seed {seed}");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let server = start_sandbox(seed, 5).await;
    let handle = server.handle().clone();
    let remote = Remote::Syncro(Arc::new(client(server.api_base(), server.token(), 2)));
    let dir = temp_dir();
    let store = open_store(dir.path());
    let mut tally = Tally::default();
    let mut v = Violations::default();

    let t0 = std::time::Instant::now();
    let first = sync(&store, &remote).await;
    if std::env::var("ASSETDESK_SIM_DEBUG").is_ok() {
        eprintln!("{ctx}: first sync {:?}", t0.elapsed());
    }
    assert!(
        first.error.is_none(),
        "{ctx}: clean first sync failed: {:?}",
        first.error
    );
    let mut ever: BTreeSet<RemoteId> = handle.asset_ids().into_iter().collect();
    let ids: Vec<RemoteId> = handle.asset_ids();

    // The user creates assets offline (first in the outbox, so the first write of a faulty
    // sync — the one `drop_after_write` hits — is often a create).
    let customers = handle.customer_ids();
    let type_id = store
        .lookups(&conn())
        .expect("lookups")
        .types
        .first()
        .map(|t| t.remote_id);
    let mut created: Vec<String> = Vec::new();
    for i in 0..rng.random_range(0..=2u32) {
        let serial = format!("NS{seed}-{i}");
        let fields = AssetFields {
            name: format!("New {seed}-{i}"),
            client_id: customers.first().copied(),
            type_id,
            serial: Some(serial.clone()),
            ..Default::default()
        };
        store
            .create_asset(
                &NewAsset {
                    connection_id: conn(),
                    fields,
                    parent_id: None,
                },
                "sim",
            )
            .unwrap_or_else(|e| panic!("{ctx}: local create refused: {e}"));
        created.push(serial);
    }

    // The user edits offline.
    let mut local: BTreeMap<(RemoteId, AssetField), Value> = BTreeMap::new();
    let mut n = 0u32;
    for &id in &ids {
        if !rng.random_bool(0.5) {
            continue;
        }
        for _ in 0..rng.random_range(1..=2) {
            let (field, _) = &EDITED[rng.random_range(0..EDITED.len())];
            let (v, _) = value_for(field, "L", seed, n);
            n += 1;
            let rec = store
                .asset_by_remote(&conn(), id)
                .expect("read")
                .expect("pulled");
            let patch: Patch = [(field.clone(), v.clone())].into_iter().collect();
            if store.update_asset(rec.asset.id, &patch, "sim").is_ok() {
                local.insert((id, field.clone()), v);
            }
        }
    }
    // Someone else edits, deletes and creates remotely.
    let mut remote_edits: BTreeMap<(RemoteId, AssetField), Value> = BTreeMap::new();
    for &id in &ids {
        if !rng.random_bool(0.4) {
            continue;
        }
        let (field, wire) = &EDITED[rng.random_range(0..EDITED.len())];
        let (v, w) = value_for(field, "R", seed, n);
        n += 1;
        assert!(
            handle.remote_edit(id, wire, w),
            "{ctx}: remote edit of {id}"
        );
        remote_edits.insert((id, field.clone()), v);
    }
    let mut deleted: BTreeSet<RemoteId> = BTreeSet::new();
    if rng.random_bool(0.3) {
        let id = ids[rng.random_range(0..ids.len())];
        handle.remote_delete(id);
        deleted.insert(id);
    }

    // Syncs under faults.
    let faulty_syncs = rng.random_range(1..=2);
    for _ in 0..faulty_syncs {
        let rate = rng.random_range(0.0..0.2);
        let drops = rng.random_range(0..=2);
        let force = rng.random_range(0..=2);
        let fail: Vec<u16> = (0..rng.random_range(0..=2))
            .map(|_| [500, 502, 503][rng.random_range(0..3)])
            .collect();
        handle.update_config(|c| {
            c.faults.random_5xx = rate;
            c.faults.drop_after_write = drops;
            c.faults.force_429 = force;
            c.faults.fail_next = fail.into_iter().collect();
        });
        if rng.random_bool(0.3) {
            // Page drift: a remote create shifts the listing between (or during) passes.
            let id = handle.remote_create(
                &format!("Drift {seed}-{n}"),
                customers[0],
                Some(&format!("DS{seed}-{n}")),
            );
            n += 1;
            ever.insert(id);
        }
        let t0 = std::time::Instant::now();
        let report = sync(&store, &remote).await;
        if std::env::var("ASSETDESK_SIM_DEBUG").is_ok() {
            eprintln!(
                "{ctx}: {:?} faulty sync: drops={drops} force={force} rate={rate:.2} created={} {:?}",
                t0.elapsed(),
                created.len(),
                report.error
            );
        }
        tally.adopted += u64::from(report.push.reconciled_adopted);
        tally.resent += u64::from(report.push.reconciled_resent);
    }
    handle.update_config(|c| c.faults = Default::default());

    // The user settles what needs attention; syncs converge.
    let mut resolutions: BTreeMap<(RemoteId, String), bool> = BTreeMap::new();
    let mut settled = false;
    for _ in 0..8 {
        for op in open_ops(&store) {
            match op.state {
                OpState::Pending => store.retry(&op.client_op_id).expect("retry"),
                OpState::Failed => {
                    let gone = op.remote_id.is_some_and(|r| deleted.contains(&r));
                    if !gone {
                        v.other.push(format!(
                            "{ctx}: op {:?} was rejected: {:?}",
                            op.payload, op.last_error
                        ));
                    }
                    store.discard(&op.client_op_id, "sim").expect("discard");
                }
                OpState::Conflict => {
                    let remote_id = op.remote_id.expect("an update has a remote id");
                    for c in store.conflicts(Some(op.asset_id), true).expect("conflicts") {
                        let keep = rng.random_bool(0.5);
                        let r = if keep {
                            Resolution::KeepMine
                        } else {
                            Resolution::TakeTheirs
                        };
                        store.resolve_conflict(c.id, &r, "sim").expect("resolve");
                        resolutions.insert((remote_id, c.field.clone()), keep);
                        tally.conflicts += 1;
                    }
                }
                OpState::InFlight | OpState::Done => {}
            }
        }
        let report = sync(&store, &remote).await;
        tally.adopted += u64::from(report.push.reconciled_adopted);
        tally.resent += u64::from(report.push.reconciled_resent);
        if report.error.is_none() && open_ops(&store).is_empty() {
            settled = true;
            break;
        }
    }
    if !settled {
        v.other.push(format!(
            "{ctx}: the outbox did not drain: {:?}",
            open_ops(&store)
        ));
    }
    // A remote delete needs two complete passes (two-miss rule, §1.6): one more sync when
    // this seed deleted something (the others are already converged; the cache-equals-
    // remote check below would catch it if not).
    let last = if deleted.is_empty() {
        None
    } else {
        Some(sync(&store, &remote).await)
    };
    if last.as_ref().is_some_and(|l| l.error.is_some()) || !open_ops(&store).is_empty() {
        v.other.push(format!(
            "{ctx}: final clean sync failed or left ops: {:?}",
            last.and_then(|l| l.error)
        ));
    }
    ever.extend(handle.asset_ids());
    let state = remote_state(&remote, &handle).await;
    check_cache_equals_remote(&store, &state, &ever, &ctx, &mut v);

    for ((id, field), lv) in &local {
        if deleted.contains(id) {
            continue;
        }
        let fin = state.get(id).map(|f| f.get(field)).unwrap_or(Value::Null);
        match remote_edits.get(&(*id, field.clone())) {
            Some(rv) if rv != lv => {
                match resolutions.get(&(*id, field.name().into_owned())) {
                    None => v.other.push(format!(
                        "{ctx}: {field} of asset {id} changed on both sides ({lv} vs {rv}) without a conflict (silent overwrite)"
                    )),
                    Some(keep) => {
                        let want = if *keep { lv } else { rv };
                        if &fin != want {
                            v.lost_edits.push(format!("{ctx}: {field} of asset {id} is {fin}, resolved to {want}"));
                        }
                    }
                }
            }
            _ if &fin != lv => {
                v.lost_edits.push(format!("{ctx}: local edit {field}={lv} on asset {id} lost (remote has {fin})"))
            }
            _ => {}
        }
    }
    for ((id, field), rv) in &remote_edits {
        if deleted.contains(id) || local.contains_key(&(*id, field.clone())) {
            continue;
        }
        let fin = state.get(id).map(|f| f.get(field)).unwrap_or(Value::Null);
        if &fin != rv {
            v.other.push(format!(
                "{ctx}: remote edit {field}={rv} on asset {id} overwritten (now {fin})"
            ));
        }
    }
    for serial in &created {
        let n = remote_with_serial(&handle, serial);
        match n {
            1 => {}
            0 => v
                .lost_edits
                .push(format!("{ctx}: create {serial} never reached the remote")),
            _ => v
                .duplicate_creates
                .push(format!("{ctx}: create {serial} exists {n} times remotely")),
        }
    }
    server.shutdown().await;
    (tally, v)
}
