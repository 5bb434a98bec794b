//! The real `assetdesk` binary end to end against the HaloPSA and Syncro sandboxes on
//! loopback: add both connections, test them (right and wrong secret), sync, list, edit,
//! see the edit in the outbox, push it, usage errors, and no secret in the data folder.
//!
//! The OS keychain is made unreachable (`DBUS_SESSION_BUS_ADDRESS` points nowhere), so the
//! test never touches a developer's keychain and exercises the headless path: secrets come
//! from ASSETDESK_SECRET only.

use std::path::Path;
use std::process::{Command, Output};

use assetdesk_sandbox::{halo, syncro};
use serde_json::Value;

struct Env<'a> {
    dir: &'a Path,
}

impl Env<'_> {
    fn run(&self, secret: Option<&str>, args: &[&str]) -> Output {
        self.run_with_stdin(secret, args, None)
    }

    fn run_with_stdin(&self, secret: Option<&str>, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_assetdesk"));
        cmd.arg("--data-dir")
            .arg(self.dir)
            .args(args)
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/assetdesk-test-bus",
            )
            .env_remove("ASSETDESK_DATA_DIR")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        match secret {
            Some(s) => cmd.env("ASSETDESK_SECRET", s),
            None => cmd.env_remove("ASSETDESK_SECRET"),
        };
        let mut child = cmd.spawn().expect("run assetdesk");
        let mut pipe = child.stdin.take().expect("stdin pipe");
        if let Some(text) = stdin {
            std::io::Write::write_all(&mut pipe, text.as_bytes()).expect("write stdin");
        }
        drop(pipe);
        child.wait_with_output().expect("wait for assetdesk")
    }

    /// Runs, asserts the exit code, and returns stdout.
    fn ok(&self, secret: Option<&str>, args: &[&str], code: i32) -> String {
        let out = self.run(secret, args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "assetdesk {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        stdout
    }

    fn json(&self, secret: Option<&str>, args: &[&str]) -> Value {
        let stdout = self.ok(secret, args, 0);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{stdout}"))
    }
}

fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn cli_end_to_end_against_the_sandboxes() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let halo = rt
        .block_on(halo::start(halo::HaloConfig::default()))
        .unwrap();
    let syncro = rt
        .block_on(syncro::start(syncro::SyncroConfig::default()))
        .unwrap();
    let halo_secret = halo.client_secret();
    let syncro_token = syncro.token().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let env = Env { dir: dir.path() };

    // Without ASSETDESK_SECRET the secret is read from stdin; with no keychain that is a
    // clear failure naming the fix, and no secret at all is a usage error.
    let add_syncro = [
        "connection",
        "add",
        "syncro",
        "--name",
        "Syncro Test",
        "--url",
        syncro.api_base(),
    ];
    let no_keychain = env.run_with_stdin(None, &add_syncro, Some("piped-token\n"));
    assert_eq!(no_keychain.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&no_keychain.stderr);
    assert!(
        stderr.contains("keychain is not available") && stderr.contains("ASSETDESK_SECRET"),
        "{stderr}"
    );
    assert_eq!(
        env.run_with_stdin(None, &add_syncro, Some("\n"))
            .status
            .code(),
        Some(2)
    );

    // Add both connections.
    env.ok(
        Some(&halo_secret),
        &[
            "connection",
            "add",
            "halo",
            "--name",
            "Halo Test",
            "--url",
            &halo.resource_url(),
            "--auth-url",
            &halo.auth_url(),
            "--tenant",
            &halo.tenant(),
            "--client-id",
            &halo.client_id(),
        ],
        0,
    );
    env.ok(
        Some(&syncro_token),
        &[
            "connection",
            "add",
            "syncro",
            "--name",
            "Syncro Test",
            "--url",
            syncro.api_base(),
        ],
        0,
    );
    // A duplicate name and a plain-http remote URL are usage errors naming the flag.
    let dup = env.run(
        Some("x"),
        &[
            "connection",
            "add",
            "syncro",
            "--name",
            "syncro test",
            "--url",
            syncro.api_base(),
        ],
    );
    assert_eq!(dup.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("--name"));
    let http = env.run(
        Some("x"),
        &[
            "connection",
            "add",
            "syncro",
            "--name",
            "Remote",
            "--url",
            "http://acme.example.com",
        ],
    );
    assert_eq!(http.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&http.stderr).contains("HTTPS"),
        "{}",
        String::from_utf8_lossy(&http.stderr)
    );

    let list = env.json(None, &["connection", "list", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Halo Test", "Syncro Test"]);

    // Test: success, then a wrong secret → bad credentials and exit 1.
    let t = env.json(
        Some(&halo_secret),
        &["connection", "test", "Halo Test", "--json"],
    );
    assert_eq!(t[0]["status"], "ok", "{t}");
    let t = env.json(
        Some(&syncro_token),
        &["connection", "test", "Syncro Test", "--json"],
    );
    assert_eq!(t[0]["status"], "ok", "{t}");
    for name in ["Halo Test", "Syncro Test"] {
        let out = env.run(
            Some("wrong-secret"),
            &["connection", "test", name, "--json"],
        );
        assert_eq!(out.status.code(), Some(1), "{name}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v[0]["status"], "bad_credentials", "{name}: {v}");
        assert!(v[0]["message"].as_str().unwrap().contains("refused"), "{v}");
        let human = env.run(Some("wrong-secret"), &["connection", "test", name]);
        assert_eq!(human.status.code(), Some(1));
        assert!(!String::from_utf8_lossy(&human.stderr).is_empty());
    }
    // No secret anywhere: a message naming the fix.
    let out = env.run(None, &["connection", "test", "Syncro Test", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["status"], "no_secret", "{v}");
    assert!(
        v[0]["message"]
            .as_str()
            .unwrap()
            .contains("ASSETDESK_SECRET"),
        "{v}"
    );

    // Permissions.
    let p = env.json(
        Some(&syncro_token),
        &["connection", "permissions", "Syncro Test", "--json"],
    );
    assert_eq!(p["all_ok"], true, "{p}");

    // Sync both, then list.
    env.ok(Some(&halo_secret), &["sync", "Halo Test"], 0);
    let reports = env.json(Some(&syncro_token), &["sync", "Syncro Test", "--json"]);
    assert_eq!(reports[0]["report"]["error"], Value::Null, "{reports}");
    assert!(
        reports[0]["report"]["pull"]["inserted"].as_u64().unwrap() > 0,
        "{reports}"
    );
    let assets = env.json(None, &["assets", "list", "--json"]);
    let rows = assets.as_array().unwrap();
    assert_eq!(rows.len(), 120 + 40, "every sandbox asset is cached");
    let syncro_conn = list[1]["id"].as_str().unwrap();
    let target = rows
        .iter()
        .find(|r| r["connection_id"] == syncro_conn)
        .unwrap();
    let id = target["id"].as_i64().unwrap().to_string();
    let first_word = target["name"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let found = env.json(None, &["assets", "list", "--search", &first_word, "--json"]);
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == target["id"])
    );
    if let Some(client) = target["client"].as_str() {
        let by_client = env.json(None, &["assets", "list", "--client", client, "--json"]);
        assert!(
            by_client
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["client"] == client)
        );
        assert!(
            by_client
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == target["id"])
        );
    }
    let shown = env.json(None, &["assets", "show", &id, "--json"]);
    assert_eq!(shown["asset"]["id"].to_string(), id);

    // Edit: queued like a UI edit, visible in the outbox, pushed by the next sync.
    env.ok(
        None,
        &[
            "assets",
            "set",
            &id,
            "serial=CLI-SERIAL-1",
            "name=\"Renamed by CLI\"",
        ],
        0,
    );
    let outbox = env.json(None, &["outbox", "list", "--json"]);
    let ops = outbox.as_array().unwrap();
    assert_eq!(ops.len(), 1, "{outbox}");
    assert_eq!(ops[0]["op"], "update");
    assert_eq!(ops[0]["fields"]["serial"], "CLI-SERIAL-1");
    assert_eq!(ops[0]["fields"]["name"], "Renamed by CLI");
    assert_eq!(ops[0]["asset_id"].to_string(), id);
    // Removal is refused while the edit is queued, naming the count.
    let refused = env.run(
        Some(&syncro_token),
        &["connection", "remove", "Syncro Test"],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("1 queued edit"));

    // Field errors: an unknown field is a usage error; a bad value is a failure per field.
    assert_eq!(
        env.run(None, &["assets", "set", &id, "no_such_field=1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        env.run(None, &["assets", "set", &id, "serial"])
            .status
            .code(),
        Some(2)
    );
    let bad = env.run(None, &["assets", "set", &id, "warranty_end=not-a-date"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("warranty_end"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert_eq!(
        env.run(None, &["assets", "show", "999999999"])
            .status
            .code(),
        Some(1)
    );

    let pushed = env.json(Some(&syncro_token), &["sync", "Syncro Test", "--json"]);
    assert_eq!(pushed[0]["report"]["push"]["acked"], 1, "{pushed}");
    assert_eq!(
        env.json(None, &["outbox", "list", "--json"]),
        Value::Array(vec![])
    );
    assert_eq!(
        env.json(None, &["conflicts", "list", "--json"]),
        Value::Array(vec![])
    );

    // The same field changed here and in Syncro's UI: the next sync records a conflict.
    env.ok(None, &["assets", "set", &id, "serial=CLI-SERIAL-2"], 0);
    let remote_id = target["remote_id"].as_i64().unwrap();
    assert!(
        syncro
            .handle()
            .remote_edit(remote_id, "asset_serial", Value::from("REMOTE-SERIAL"))
    );
    let after = env.json(Some(&syncro_token), &["sync", "Syncro Test", "--json"]);
    assert_eq!(after[0]["report"]["push"]["conflicts"], 1, "{after}");
    let conflicts = env.json(None, &["conflicts", "list", "--json"]);
    let c = &conflicts.as_array().unwrap()[0];
    assert_eq!(
        (
            c["field"].as_str(),
            c["local"].as_str(),
            c["remote"].as_str()
        ),
        (Some("serial"), Some("CLI-SERIAL-2"), Some("REMOTE-SERIAL")),
        "{conflicts}"
    );
    assert_eq!(c["asset_id"], target["id"]);
    let human = env.ok(None, &["conflicts", "list"], 0);
    assert!(human.contains("REMOTE-SERIAL"), "{human}");

    // Usage errors exit 2.
    assert_eq!(env.run(None, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        env.run(None, &["connection", "add", "halo", "--name", "x"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        env.run(None, &["assets", "show", "not-a-number"])
            .status
            .code(),
        Some(2)
    );
    let help = env.run(None, &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("JSON OUTPUT"));

    // No secret in the data folder (database, WAL, any log).
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            for secret in [&halo_secret, &syncro_token] {
                assert!(
                    !contains_bytes(&bytes, secret.as_bytes()),
                    "a secret is in {}",
                    path.display()
                );
            }
        }
    }

    // Remove: the connection, its cached assets, and (here) nothing queued.
    env.ok(
        Some(&halo_secret),
        &["connection", "remove", "Halo Test"],
        0,
    );
    let left = env.json(None, &["assets", "list", "--json"]);
    assert_eq!(left.as_array().unwrap().len(), 40);
    assert_eq!(
        env.run(None, &["connection", "test", "Halo Test"])
            .status
            .code(),
        Some(1)
    );
}
