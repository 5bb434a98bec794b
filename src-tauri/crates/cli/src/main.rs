//! # assetdesk (CLI)
//!
//! The headless command line over the same `Workspace` façade as the desktop app, for
//! scheduled syncs and scripting. It opens the desktop app's data folder by default, so both
//! share one cache (SQLite WAL: one writer at a time, readers never blocked).
//!
//! **Must not know:** Tauri, SQL, or provider wire formats.
//!
//! Exit codes: 0 ok, 1 failure (message on stderr naming the fix), 2 usage error.
//! The `--json` shapes are documented in `after_long_help` below and in the crate README.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;

use assetdesk_domain::{AssetField, AssetId, Connection, Patch, ProviderKind};
use assetdesk_store::{AssetFilter, LookupRef, PageRequest, StoreError};
use assetdesk_sync::connections::{ConnectionError, ConnectionSettings, TestStatus};
use assetdesk_sync::secrets::{SECRET_ENV, Secret, SecretError, SecretStore};
use assetdesk_sync::{SyncOptions, SyncProgress, SyncReport, Workspace};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use serde_json::{Value, json};

const JSON_HELP: &str = "\
JSON OUTPUT (stable; fields are only ever added):
  connection list --json   [{id, kind: \"halo\"|\"syncro\", name, base_url, auth_url, tenant,
                             client_id, demo, cached_assets, queued_ops}]
  connection test --json   [{connection, status, message}]  status: ok | bad_url |
                             unreachable | bad_credentials | missing_permission |
                             rate_limited | provider_error | no_secret
  connection permissions --json  {connection_id, kind, all_ok,
                             checks: [{capability, ok, missing, detail}]}
  assets list --json       [{id, connection_id, remote_id, name, client, site, type, status,
                             serial, asset_tag, manufacturer, model, ip, mac, warranty_end,
                             inactive, parent_id, sync_state}]
  assets show ID --json    {asset: {id, connection_id, remote_id, parent_id, fields: {...},
                             facts: {...}, remote_updated_at, raw}, sync_state, deleted}
  outbox list --json       [{seq, client_op_id, asset_id, connection_id, op, fields, state,
                             attempts, last_error, actor, created_at}]
  conflicts list --json    [{id, asset_id, field, base, local, remote, created_at}]
  sync --json              [{connection, report: {pull: {...}, push: {...}, queued_ops,
                             error: null | {code, message}}}]

SECRETS: read from the OS keychain; ASSETDESK_SECRET, when set, supplies the secret instead
(scheduled jobs, CI). `connection add` reads the secret from ASSETDESK_SECRET, else prompts
without echo on a terminal, else reads one line from standard input.

EXIT CODES: 0 ok, 1 failure (stderr says what to fix), 2 usage error.";

/// AssetDesk on the command line: connections, sync, assets, outbox and conflicts over the
/// desktop app's local cache.
#[derive(Parser, Debug)]
#[command(name = "assetdesk", version, after_long_help = JSON_HELP)]
struct Cli {
    /// Data folder (default: the desktop app's, so both share one cache).
    #[arg(long, global = true, value_name = "DIR", env = "ASSETDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Add, list, test, check or remove HaloPSA and Syncro connections.
    #[command(subcommand)]
    Connection(ConnectionCmd),
    /// Sync one connection (by name or id), or all of them: push queued edits, then pull.
    Sync {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List, show and edit cached assets.
    #[command(subcommand)]
    Assets(AssetsCmd),
    /// Local edits waiting to be pushed.
    #[command(subcommand)]
    Outbox(ListOnly),
    /// Fields changed both here and at the provider, waiting for a decision in the app.
    #[command(subcommand)]
    Conflicts(ListOnly),
}

#[derive(Subcommand, Debug)]
enum ConnectionCmd {
    /// Add a connection; the secret comes from ASSETDESK_SECRET, a prompt, or stdin.
    #[command(subcommand)]
    Add(AddCmd),
    /// List connections with their cached asset and queued edit counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Sign in and read one page of assets (all connections when NAME is omitted).
    Test {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show what the connection's credentials may do, naming missing permissions.
    Permissions {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a connection, its stored secret and its cached assets (they stay at the
    /// provider). Refused while edits are queued, unless --force discards them.
    Remove {
        name: String,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
enum AddCmd {
    /// A HaloPSA tenant (OAuth client credentials; the client secret is the secret).
    Halo {
        #[arg(long)]
        name: String,
        /// Resource server or web-app URL, e.g. https://contoso.halopsa.com
        #[arg(long)]
        url: String,
        /// Authorisation server, when it is not <host>/auth.
        #[arg(long)]
        auth_url: Option<String>,
        /// Hosted tenant name.
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        client_id: String,
    },
    /// A Syncro account (the API token is the secret).
    Syncro {
        #[arg(long)]
        name: String,
        /// The account's web URL (https://acme.syncromsp.com), its API base, or the subdomain.
        #[arg(long)]
        url: String,
    },
}

#[derive(Subcommand, Debug)]
enum AssetsCmd {
    /// List cached assets by name.
    List(ListArgs),
    /// Show one asset with every field.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Edit fields: queued exactly like an edit in the app and pushed by the next sync.
    /// FIELD is a neutral field name (name, serial, asset_tag, warranty_end, custom:KEY, …);
    /// VALUE is read as JSON when it parses (null, 42, true, "123"), else as text.
    Set {
        id: i64,
        #[arg(value_name = "FIELD=VALUE", required = true)]
        assignments: Vec<String>,
    },
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Words that must each prefix-match name, serial, tag, model, users or notes.
    #[arg(long)]
    search: Option<String>,
    /// Client name (case-insensitive) or provider id.
    #[arg(long)]
    client: Option<String>,
    /// Stop after this many rows.
    #[arg(long)]
    limit: Option<usize>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum ListOnly {
    /// List entries (open ones only unless --all).
    List {
        #[arg(long)]
        json: bool,
        /// Outbox: include acknowledged ops; conflicts: include resolved ones.
        #[arg(long)]
        all: bool,
    },
}

/// A failure: the message (naming the fix) and the exit code.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 2,
        }
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure {
            message: e.to_string(),
            code: 1,
        }
    }
}

type Res<T = ()> = Result<T, Failure>;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 2 on usage errors and 0 for --help/--version.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("assetdesk: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("assetdesk: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn default_data_dir() -> Res<PathBuf> {
    // The desktop app's Tauri identifier (tauri.conf.json) names its data folder.
    dirs::data_dir()
        .map(|d| d.join("com.assetdesk.desktop"))
        .ok_or_else(|| {
            Failure::usage("no per-user data folder is known on this system; pass --data-dir DIR")
        })
}

async fn run(cli: Cli) -> Res<u8> {
    let dir = match cli.data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    let ws = Workspace::open(&dir)?;
    match cli.command {
        Command::Connection(c) => connection(&ws, c).await,
        Command::Sync { name, json } => sync(&ws, name.as_deref(), json).await,
        Command::Assets(a) => assets(&ws, a),
        Command::Outbox(ListOnly::List { json, all }) => outbox(&ws, json, all),
        Command::Conflicts(ListOnly::List { json, all }) => conflicts(&ws, json, all),
    }
}

/// Secrets for reading: the keychain, with ASSETDESK_SECRET taking precedence when set.
fn read_secrets() -> SecretStore {
    SecretStore::keychain().with_env_override()
}

/// Secrets for adding or removing. Where no keychain is usable but ASSETDESK_SECRET is set
/// (CI, containers), nothing is stored and every later run must set it again.
fn write_secrets() -> Res<SecretStore> {
    let store = read_secrets();
    match store.probe() {
        Ok(()) => Ok(store),
        Err(SecretError::NoKeychain(why)) if SecretStore::env_secret_present() => {
            eprintln!(
                "assetdesk: note: no OS keychain ({why}); the secret is not stored, so set {SECRET_ENV} on every run"
            );
            Ok(SecretStore::env_only())
        }
        Err(e) => Err(e.into()),
    }
}

/// The secret for `connection add`: ASSETDESK_SECRET, else a prompt without echo on a
/// terminal, else one line of standard input.
fn read_new_secret(prompt: &str) -> Res<Secret> {
    let value = if let Some(v) = std::env::var_os(SECRET_ENV).filter(|v| !v.is_empty()) {
        v.to_string_lossy().into_owned()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)
            .map_err(|e| format!("could not read the secret from the terminal: {e}"))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("could not read the secret from standard input: {e}"))?;
        line
    };
    let value = value.trim_end_matches(['\r', '\n']).to_owned();
    if value.trim().is_empty() {
        return Err(Failure::usage(format!(
            "no secret given: set {SECRET_ENV}, type it at the prompt, or pipe it on standard input"
        )));
    }
    Ok(Secret::new(value))
}

fn print_json(v: &impl Serialize) -> Res {
    let text = serde_json::to_string_pretty(v)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

fn find(ws: &Workspace, name: &str) -> Res<Connection> {
    Ok(ws.find_connection(name)?)
}

fn connection_failure(e: ConnectionError) -> Failure {
    match e {
        ConnectionError::Invalid { field, message } => {
            Failure::usage(format!("--{}: {message}", field.replace('_', "-")))
        }
        other => other.into(),
    }
}

async fn connection(ws: &Workspace, cmd: ConnectionCmd) -> Res<u8> {
    match cmd {
        ConnectionCmd::Add(add) => {
            let (settings, prompt) = match add {
                AddCmd::Halo {
                    name,
                    url,
                    auth_url,
                    tenant,
                    client_id,
                } => (
                    ConnectionSettings {
                        kind: ProviderKind::Halo,
                        name,
                        url,
                        auth_url,
                        tenant,
                        client_id: Some(client_id),
                    },
                    "HaloPSA client secret: ",
                ),
                AddCmd::Syncro { name, url } => (
                    ConnectionSettings {
                        kind: ProviderKind::Syncro,
                        name,
                        url,
                        auth_url: None,
                        tenant: None,
                        client_id: None,
                    },
                    "Syncro API token: ",
                ),
            };
            let secret = read_new_secret(prompt)?;
            let secrets = write_secrets()?;
            let c = ws
                .add_connection(&secrets, &settings, &secret)
                .map_err(connection_failure)?;
            println!(
                "added {} connection '{}' ({}) id {}",
                c.kind, c.name, c.base_url, c.id
            );
            println!(
                "next: `assetdesk connection test \"{}\"`, then `assetdesk sync \"{}\"`",
                c.name, c.name
            );
            Ok(0)
        }
        ConnectionCmd::List { json } => {
            let list = ws.connection_summaries()?;
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("no connections; add one with `assetdesk connection add halo|syncro …`");
            } else {
                for c in &list {
                    println!(
                        "{:<24} {:<6} {:<44} {:>7} assets {:>4} queued  id {}",
                        c.name,
                        c.kind.as_str(),
                        c.base_url,
                        c.cached_assets,
                        c.queued_ops,
                        c.id
                    );
                }
            }
            Ok(0)
        }
        ConnectionCmd::Test { name, json } => {
            let targets = match name {
                Some(n) => vec![find(ws, &n)?],
                None => ws.store().connections()?,
            };
            if targets.is_empty() {
                return Err(
                    "no connections to test; add one with `assetdesk connection add`".into(),
                );
            }
            let secrets = read_secrets();
            let mut rows = Vec::new();
            let mut failed = false;
            for c in &targets {
                let out = ws.test_connection(&secrets, &c.id).await;
                failed |= out.status != TestStatus::Ok;
                if !json {
                    let line = format!("{}: {}", c.name, out.message);
                    if out.is_ok() {
                        println!("{line}")
                    } else {
                        eprintln!("{line}")
                    }
                }
                rows.push(
                    json!({"connection": c.name, "status": out.status, "message": out.message}),
                );
            }
            if json {
                print_json(&rows)?;
            }
            Ok(u8::from(failed))
        }
        ConnectionCmd::Permissions { name, json } => {
            let c = find(ws, &name)?;
            let report = ws.check_permissions(&read_secrets(), &c.id).await?;
            if json {
                print_json(&report)?;
            } else {
                for check in &report.checks {
                    let mark = if check.ok { "ok     " } else { "MISSING" };
                    println!("{mark} {:<15} {}", check.capability, check.detail);
                    if let Some(m) = &check.missing {
                        println!("        grant: {m}");
                    }
                }
            }
            Ok(u8::from(!report.all_ok))
        }
        ConnectionCmd::Remove { name, force } => {
            let c = find(ws, &name)?;
            let secrets = write_secrets()?;
            let r = ws.remove_connection(&secrets, &c.id, force)?;
            println!(
                "removed '{}': {} cached assets dropped (they stay at the provider), {} queued edits discarded",
                r.name, r.cached_assets, r.discarded_ops
            );
            Ok(0)
        }
    }
}

async fn sync(ws: &Workspace, name: Option<&str>, json: bool) -> Res<u8> {
    let targets = match name {
        Some(n) => vec![find(ws, n)?],
        None => ws.store().connections()?,
    };
    if targets.is_empty() {
        return Err("no connections to sync; add one with `assetdesk connection add`".into());
    }
    let secrets = read_secrets();
    let progress: Option<assetdesk_sync::ProgressSink> =
        std::io::stderr().is_terminal().then(|| {
            let sink: assetdesk_sync::ProgressSink = Arc::new(|p: &SyncProgress| {
                let page = match (p.page, p.pages) {
                    (Some(n), Some(m)) => format!(" page {n}/{m}"),
                    (Some(n), None) => format!(" page {n}"),
                    _ => String::new(),
                };
                eprint!(
                    "\r\x1b[2K{} {:?} {}{page} rows {} queued {}",
                    p.connection_id,
                    p.phase,
                    p.entity.as_deref().unwrap_or(""),
                    p.rows,
                    p.queued_ops
                );
                if p.phase.is_terminal() {
                    eprintln!();
                }
            });
            sink
        });
    let mut rows = Vec::new();
    let mut failed = false;
    for c in &targets {
        let remote = match ws.provider(&secrets, &c.id) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("assetdesk: {}: {e}", c.name);
                failed = true;
                continue;
            }
        };
        let report: SyncReport = match ws
            .sync_now(&c.id, &remote, &SyncOptions::default(), progress.clone())
            .await
        {
            Ok(r) => r,
            Err(busy) => {
                eprintln!("assetdesk: {}: {busy}", c.name);
                failed = true;
                continue;
            }
        };
        if let Some(err) = &report.error {
            failed = true;
            eprintln!("assetdesk: {}: sync stopped: {}", c.name, err.message);
        }
        if !json {
            println!(
                "{}: pulled {} new, {} changed, {} unchanged, {} removed; pushed {} ({} conflicts, {} rejected, {} to retry); {} still queued",
                c.name,
                report.pull.inserted,
                report.pull.updated,
                report.pull.unchanged,
                report.pull.tombstoned,
                report.push.acked,
                report.push.conflicts,
                report.push.rejected,
                report.push.retry_later,
                report.queued_ops
            );
        }
        rows.push(json!({"connection": c.name, "report": report}));
    }
    if json {
        print_json(&rows)?;
    }
    Ok(u8::from(failed))
}

/// One row of `assets list --json` (a stable shape owned by the CLI).
#[derive(Serialize)]
struct AssetRow {
    id: AssetId,
    connection_id: String,
    remote_id: Option<i64>,
    name: String,
    client: Option<String>,
    site: Option<String>,
    r#type: Option<String>,
    status: Option<String>,
    serial: Option<String>,
    asset_tag: Option<String>,
    manufacturer: Option<String>,
    model: Option<String>,
    ip: Option<String>,
    mac: Option<String>,
    warranty_end: Option<chrono::NaiveDate>,
    inactive: bool,
    parent_id: Option<AssetId>,
    sync_state: Value,
}

fn client_refs(ws: &Workspace, wanted: &str) -> Res<Vec<LookupRef>> {
    let wanted = wanted.trim();
    let mut refs = Vec::new();
    for c in ws.store().connections()? {
        for client in ws.store().lookups(&c.id)?.clients {
            if client.name.eq_ignore_ascii_case(wanted) || client.remote_id.to_string() == wanted {
                refs.push(LookupRef {
                    connection_id: c.id.clone(),
                    remote_id: client.remote_id,
                });
            }
        }
    }
    if refs.is_empty() {
        return Err(format!(
            "no client named or with id '{wanted}' in the cache; check the spelling, or sync first"
        )
        .into());
    }
    Ok(refs)
}

fn assets(ws: &Workspace, cmd: AssetsCmd) -> Res<u8> {
    match cmd {
        AssetsCmd::List(args) => {
            let filter = AssetFilter {
                search: args.search.clone().filter(|s| !s.trim().is_empty()),
                clients: match &args.client {
                    Some(c) => client_refs(ws, c)?,
                    None => vec![],
                },
                ..AssetFilter::default()
            };
            let cap = args.limit.unwrap_or(usize::MAX);
            let mut rows = Vec::new();
            let mut page = PageRequest {
                limit: 500,
                ..PageRequest::default()
            };
            loop {
                let got = ws.store().list_assets(&filter, &page)?;
                for r in got.rows {
                    if rows.len() >= cap {
                        break;
                    }
                    rows.push(AssetRow {
                        id: r.id,
                        connection_id: r.connection_id.0,
                        remote_id: r.remote_id,
                        name: r.name,
                        client: r.client_name,
                        site: r.site_name,
                        r#type: r.type_name,
                        status: r.status_name,
                        serial: r.serial,
                        asset_tag: r.asset_tag,
                        manufacturer: r.manufacturer,
                        model: r.model,
                        ip: r.ip,
                        mac: r.mac,
                        warranty_end: r.warranty_end,
                        inactive: r.inactive,
                        parent_id: r.parent_id,
                        sync_state: serde_json::to_value(r.sync_state)?,
                    });
                }
                match got.next {
                    Some(next) if rows.len() < cap => page.after = Some(next),
                    _ => break,
                }
            }
            if args.json {
                print_json(&rows)?;
            } else {
                let mut out = std::io::stdout().lock();
                for r in &rows {
                    writeln!(
                        out,
                        "{:>8}  {:<32} {:<24} {:<20} {}",
                        r.id.0,
                        r.name,
                        r.client.as_deref().unwrap_or("-"),
                        r.serial.as_deref().unwrap_or("-"),
                        r.sync_state.as_str().unwrap_or("")
                    )?;
                }
                eprintln!("{} assets", rows.len());
            }
            Ok(0)
        }
        AssetsCmd::Show { id, json } => {
            let rec = ws.store().asset(AssetId(id)).map_err(|e| match e {
                StoreError::UnknownAsset(_) => Failure::from(format!(
                    "no asset with id {id}; find ids with `assetdesk assets list`"
                )),
                other => other.into(),
            })?;
            if json {
                print_json(&rec)?;
            } else {
                let a = &rec.asset;
                println!(
                    "asset {}  connection {}  remote id {}",
                    a.id,
                    a.connection_id,
                    a.remote_id
                        .map_or_else(|| "(not yet created)".to_owned(), |r| r.to_string())
                );
                println!(
                    "sync state: {}{}",
                    serde_json::to_value(rec.sync_state)?.as_str().unwrap_or(""),
                    if rec.deleted {
                        " (deleted locally)"
                    } else {
                        ""
                    }
                );
                if let Value::Object(fields) = serde_json::to_value(&a.fields)? {
                    for (k, v) in fields.iter().filter(|(_, v)| !v.is_null()) {
                        println!("  {k:<16} {v}");
                    }
                }
            }
            Ok(0)
        }
        AssetsCmd::Set { id, assignments } => {
            let mut patch = Patch::new();
            for a in &assignments {
                let (field, value) = a.split_once('=').ok_or_else(|| {
                    Failure::usage(format!(
                        "'{a}' is not FIELD=VALUE (e.g. serial=ABC123 or warranty_end=2027-01-31)"
                    ))
                })?;
                let field = AssetField::from_str(field.trim())
                    .map_err(|e| Failure::usage(e.to_string()))?;
                let value = serde_json::from_str::<Value>(value)
                    .unwrap_or_else(|_| Value::String(value.to_owned()));
                patch.insert(field, value);
            }
            match ws.store().update_asset(AssetId(id), &patch, &actor()) {
                Ok(out) => {
                    for w in &out.warnings {
                        eprintln!("warning: {}: {}", w.field, w.message);
                    }
                    match out.client_op_id {
                        Some(op) => {
                            println!("queued edit {op} for asset {id}; `assetdesk sync` sends it")
                        }
                        None => println!("asset {id} already has these values; nothing queued"),
                    }
                    Ok(0)
                }
                Err(StoreError::Invalid(report)) => {
                    for f in &report.findings {
                        eprintln!("{}: {}", f.field, f.message);
                    }
                    Err(format!("asset {id} was not changed: fix the field(s) above").into())
                }
                Err(StoreError::UnknownAsset(_)) => Err(format!(
                    "no asset with id {id}; find ids with `assetdesk assets list`"
                )
                .into()),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// Who made an edit, as the app records it ("cli:<user>").
fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

fn outbox(ws: &Workspace, json: bool, all: bool) -> Res<u8> {
    let ops = ws.store().ops(None, all)?;
    let rows: Vec<Value> = ops
        .iter()
        .map(|op| {
            let fields = match &op.payload {
                assetdesk_store::OpPayload::Create { patch }
                | assetdesk_store::OpPayload::Update { patch } => {
                    serde_json::to_value(patch).unwrap_or(Value::Null)
                }
                assetdesk_store::OpPayload::Link { parent_id } => json!({"parent_id": parent_id}),
                assetdesk_store::OpPayload::Delete => Value::Null,
            };
            json!({
                "seq": op.seq,
                "client_op_id": op.client_op_id,
                "asset_id": op.asset_id,
                "connection_id": op.connection_id,
                "op": op.payload.kind(),
                "fields": fields,
                "state": op.state,
                "attempts": op.attempts,
                "last_error": op.last_error,
                "actor": op.actor,
                "created_at": op.created_at,
            })
        })
        .collect();
    if json {
        print_json(&rows)?;
    } else if rows.is_empty() {
        println!("outbox empty: nothing waiting to be pushed");
    } else {
        for (op, row) in ops.iter().zip(&rows) {
            println!(
                "{:>6} {:<7} asset {:<8} {:<10} {}{}",
                op.seq,
                op.payload.kind(),
                op.asset_id.0,
                op.state.as_str(),
                row["fields"],
                op.last_error
                    .as_deref()
                    .map(|e| format!("  error: {e}"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(0)
}

fn conflicts(ws: &Workspace, json: bool, all: bool) -> Res<u8> {
    let list = ws.store().conflicts(None, !all)?;
    if json {
        print_json(&list)?;
    } else if list.is_empty() {
        println!("no conflicts");
    } else {
        for c in &list {
            println!(
                "conflict {} asset {} field {}: here {} / there {} (base {}) — resolve it in the app",
                c.id, c.asset_id.0, c.field, c.local, c.remote, c.base
            );
        }
    }
    Ok(0)
}
