//! Deterministic simulation of sync over many seeds (sync-perf-anchors.md §2 item 2).
//!
//! Per seed, against a fresh Syncro sandbox with a handful of assets on 2-row pages: a clean
//! first sync; then the user edits offline and creates assets while "someone else" edits,
//! deletes and creates remotely; then syncs run under the sandbox's fault knobs (5xx, 429,
//! writes applied and the connection dropped, failures of the next requests, page drift by
//! remote creates between syncs); then faults stop, the user resolves conflicts and
//! discards edits of remotely deleted assets, and syncs settle. Asserted:
//!
//! * no lost edit — every local edit not in conflict reaches the remote;
//! * no silent overwrite — a field changed on both sides is a recorded conflict, and ends
//!   as the user resolved it;
//! * no duplicate (or lost) create — exactly one remote asset per local create;
//! * no false tombstone and cache equals remote;
//! * the outbox drains.
//!
//! `ASSETDESK_SIM_SEEDS` overrides the seed count (default 500); `ASSETDESK_SIM_FIRST` the
//! first seed (to replay one); `ASSETDESK_SIM_DEBUG=1` prints how each faulty sync ended.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::sim::run_seed;
use futures::StreamExt;

#[test]
fn simulation_over_many_seeds_keeps_every_invariant() {
    let seeds: u64 = std::env::var("ASSETDESK_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let first: u64 = std::env::var("ASSETDESK_SIM_FIRST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(12)
        .enable_all()
        .build()
        .expect("runtime");
    let conflicts = AtomicU64::new(0);
    let adopted = AtomicU64::new(0);
    let resent = AtomicU64::new(0);
    rt.block_on(async {
        futures::stream::iter(first..first + seeds)
            .map(|s| tokio::spawn(run_seed(s)))
            .buffer_unordered(24)
            .for_each(|r| {
                match r {
                    Ok((t, v)) => {
                        assert!(v.is_empty(), "invariants broken: {v:?}");
                        conflicts.fetch_add(t.conflicts, Ordering::Relaxed);
                        adopted.fetch_add(t.adopted, Ordering::Relaxed);
                        resent.fetch_add(t.resent, Ordering::Relaxed);
                    }
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
                async {}
            })
            .await;
    });
    let (c, a, r) = (
        conflicts.into_inner(),
        adopted.into_inner(),
        resent.into_inner(),
    );
    eprintln!(
        "simulation: {seeds} seeds, {c} conflicts resolved, {a} creates adopted, {r} creates re-sent"
    );
    if seeds >= 100 {
        // The faults must actually exercise the hard paths, or the test proves nothing.
        assert!(c > 0, "no seed produced a conflict");
        assert!(a + r > 0, "no seed produced an ambiguous create");
    }
}
