//! kill -9 during edits and syncs (sync-perf-anchors.md §2 item 3).
//!
//! The parent owns a Syncro sandbox and a cache folder. Each run re-executes this test
//! binary as a child (`ASSETDESK_KILL9_CHILD` set) that edits assets, creates assets and
//! syncs in a loop; the parent SIGKILLs it at a random moment, then opens the cache, checks
//! its integrity, runs ONE sync and checks every invariant: the outbox drained, no lost edit
//! (each edit the child committed is on the remote — or a newer one it committed after),
//! no duplicate create, and the cache equals the remote.
//!
//! The child writes an intent line before each commit and `ok` after it, so the parent
//! knows which edits certainly committed and which may have.
//! `ASSETDESK_KILL9_RUNS` overrides the run count (default 100).

mod common;

const TEST_NAME: &str = "kill9_during_edits_and_syncs_loses_and_duplicates_nothing";

#[test]
fn kill9_during_edits_and_syncs_loses_and_duplicates_nothing() {
    if std::env::var(common::kill::CHILD).is_ok() {
        common::kill::child();
        return;
    }
    let runs: u64 = std::env::var("ASSETDESK_KILL9_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let exe = std::env::current_exe().expect("test binary path");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let v = rt.block_on(common::kill::parent(
        runs,
        &exe,
        &["--exact", TEST_NAME, "--nocapture", "--test-threads=1"],
    ));
    assert!(v.is_empty(), "invariants broken after kill -9: {v:#?}");
}
