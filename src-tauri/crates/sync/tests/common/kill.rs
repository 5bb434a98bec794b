//! The kill -9 loop (tests/kill9.rs says what it checks), shared with the `sync` bench.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use assetdesk_domain::{AssetField, AssetFields, Patch, RemoteId};
use assetdesk_store::{AssetFilter, NewAsset, PageRequest};
use assetdesk_sync::Remote;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::*;

/// Set in the child process: run [`child`] instead of the parent.
pub const CHILD: &str = "ASSETDESK_KILL9_CHILD";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("child mode needs {name}"))
}

/// The child: edits, creates and syncs until killed.
pub fn child() {
    let base = env("KILL9_BASE");
    let token = env("KILL9_TOKEN");
    let dir = PathBuf::from(env("KILL9_DIR"));
    let run: u64 = env("KILL9_RUN").parse().expect("run number");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let remote = Remote::Syncro(Arc::new(client(&base, &token, 25)));
        let store = open_store(&dir);
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("log.txt"))
            .expect("log");
        std::fs::write(dir.join(format!("ready-{run}")), b"").expect("ready file");
        let mut rng = ChaCha8Rng::seed_from_u64(run);
        let mut n = 0u32;
        loop {
            let page = store
                .list_assets(
                    &AssetFilter::default(),
                    &PageRequest {
                        limit: 200,
                        ..PageRequest::default()
                    },
                )
                .expect("list");
            let live: Vec<_> = page.rows.iter().filter(|r| r.remote_id.is_some()).collect();
            if !live.is_empty() {
                let row = live[rng.random_range(0..live.len())];
                let (field, _) = &EDITED[rng.random_range(0..EDITED.len())];
                // Our creates keep their serial, so the parent can count them.
                if *field == AssetField::Serial
                    && row.serial.as_deref().is_some_and(|s| s.starts_with('K'))
                {
                    continue;
                }
                let (v, _) = value_for(field, "K", run, n);
                n += 1;
                let rid = row.remote_id.unwrap_or_default();
                writeln!(log, "edit {rid} {field} {v}").expect("log");
                let patch: Patch = [(field.clone(), v)].into_iter().collect();
                if store.update_asset(row.id, &patch, "kill9").is_ok() {
                    writeln!(log, "ok").expect("log");
                }
            }
            if rng.random_bool(0.3) {
                let serial = format!("K{run}-{n}");
                n += 1;
                let lookups = store.lookups(&conn()).expect("lookups");
                let fields = AssetFields {
                    name: format!("Kill {serial}"),
                    client_id: lookups.clients.first().map(|c| c.remote_id),
                    type_id: lookups.types.first().map(|t| t.remote_id),
                    serial: Some(serial.clone()),
                    ..Default::default()
                };
                writeln!(log, "create {serial}").expect("log");
                if store
                    .create_asset(
                        &NewAsset {
                            connection_id: conn(),
                            fields,
                            parent_id: None,
                        },
                        "kill9",
                    )
                    .is_ok()
                {
                    writeln!(log, "ok").expect("log");
                }
            }
            let _ = sync(&store, &remote).await;
        }
    });
}

/// What the log says the child committed.
#[derive(Default)]
struct Expect {
    /// (remote id, field) → values in order, each with whether its commit certainly returned.
    edits: BTreeMap<(RemoteId, String), Vec<(Value, bool)>>,
    creates: Vec<(String, bool)>,
}

fn read_log(path: &Path) -> Expect {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Expect::default();
    let mut last: Option<(bool, (RemoteId, String), String)> = None;
    for line in text.lines() {
        if line == "ok" {
            if let Some((is_edit, key, serial)) = last.take() {
                if is_edit {
                    if let Some(v) = out.edits.get_mut(&key).and_then(|v| v.last_mut()) {
                        v.1 = true;
                    }
                } else if let Some(c) = out.creates.iter_mut().rev().find(|c| c.0 == serial) {
                    c.1 = true;
                }
            }
            continue;
        }
        let mut parts = line.splitn(4, ' ');
        match parts.next() {
            Some("edit") => {
                let id: RemoteId = parts
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("id in log");
                let field = parts.next().expect("field in log").to_owned();
                let value: Value =
                    serde_json::from_str(parts.next().expect("value in log")).expect("json value");
                out.edits
                    .entry((id, field.clone()))
                    .or_default()
                    .push((value, false));
                last = Some((true, (id, field), String::new()));
            }
            Some("create") => {
                let serial = parts.next().expect("serial in log").to_owned();
                out.creates.push((serial.clone(), false));
                last = Some((false, (0, String::new()), serial));
            }
            // A line cut short by the kill.
            _ => last = None,
        }
    }
    out
}

/// Runs `runs` kill -9 cycles. `child_args` are the arguments that make `exe` run [`child`]
/// (with [`CHILD`] set). Returns the broken invariants, by kind; panics only when the
/// harness itself cannot run.
pub async fn parent(runs: u64, exe: &Path, child_args: &[&str]) -> Violations {
    let mut v = Violations::default();
    let server = start_sandbox(9, 4).await;
    let handle = server.handle().clone();
    let remote = Remote::Syncro(Arc::new(client(server.api_base(), server.token(), 25)));
    let dir = temp_dir();
    {
        let store = open_store(dir.path());
        let first = sync(&store, &remote).await;
        assert!(first.error.is_none(), "first sync: {:?}", first.error);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0x6b69_6c6c);
    let mut ever: BTreeSet<RemoteId> = BTreeSet::new();
    for run in 0..runs {
        let ctx = format!("kill run {run}");
        let mut child = Command::new(exe)
            .args(child_args)
            .env(CHILD, "1")
            .env("KILL9_BASE", server.api_base())
            .env("KILL9_TOKEN", server.token())
            .env("KILL9_DIR", dir.path())
            .env("KILL9_RUN", run.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let ready = dir.path().join(format!("ready-{run}"));
        let started = Instant::now();
        while !ready.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{ctx}: child never got ready"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // A random moment: before, during or between edits, commits, requests and pages.
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..120))).await;
        child.kill().expect("SIGKILL");
        let _ = child.wait();

        let store = open_store(dir.path());
        if let Err(e) = store.integrity_check() {
            v.other
                .push(format!("{ctx}: cache corrupt after kill: {e}"));
        }
        let report = sync(&store, &remote).await;
        if let Some(e) = &report.error {
            v.other
                .push(format!("{ctx}: converging sync failed: {e:?}"));
        }
        let open = open_ops(&store);
        if !open.is_empty() {
            v.other.push(format!(
                "{ctx}: one sync did not drain the outbox: {open:?}"
            ));
        }
        let state = remote_state(&remote, &handle).await;
        ever.extend(state.keys().copied());
        // A full cache-vs-remote comparison every few runs and at the end keeps the loop
        // fast; edits and creates are checked after every run.
        if run % 10 == 9 || run + 1 == runs {
            check_cache_equals_remote(&store, &state, &ever, &ctx, &mut v);
        }
        let log = read_log(&dir.path().join("log.txt"));
        for ((id, field), values) in &log.edits {
            let Some(fields) = state.get(id) else {
                continue;
            };
            let Some(last_ok) = values.iter().rposition(|(_, ok)| *ok) else {
                continue;
            };
            let f: AssetField = field.parse().expect("field name");
            let now = fields.get(&f);
            // The last certainly committed value, or one written after it (its commit may
            // have happened just before the kill).
            let allowed: Vec<&Value> = values[last_ok..].iter().map(|(val, _)| val).collect();
            if !allowed.contains(&&now) {
                v.lost_edits.push(format!("{ctx}: edit of {field} on {id} lost: remote has {now}, expected one of {allowed:?}"));
            }
        }
        let mut serials: BTreeMap<String, usize> = BTreeMap::new();
        for fields in state.values() {
            if let Some(s) = &fields.serial {
                *serials.entry(s.clone()).or_default() += 1;
            }
        }
        for (serial, ok) in &log.creates {
            match serials.get(serial).copied().unwrap_or(0) {
                0 if *ok => v.lost_edits.push(format!(
                    "{ctx}: committed create {serial} never reached the remote"
                )),
                n if n > 1 => v
                    .duplicate_creates
                    .push(format!("{ctx}: create {serial} exists {n} times remotely")),
                _ => {}
            }
        }
    }
    server.shutdown().await;
    // The log is cumulative: report each broken invariant once, not after every later run.
    for list in [&mut v.lost_edits, &mut v.duplicate_creates] {
        let suffix = |m: &String| {
            m.split_once(": ")
                .map(|x| x.1.to_owned())
                .unwrap_or_default()
        };
        list.sort_by_key(suffix);
        list.dedup_by(|a, b| suffix(a) == suffix(b));
    }
    v
}
