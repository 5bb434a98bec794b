//! # xtask
//!
//! The project's developer commands, in Rust so they run the same everywhere
//! (`cargo xtask …`, aliased in .cargo/config.toml):
//!
//! - `run`      install what is missing, build the UI, start the desktop app
//! - `dev`      the same with Vite's dev server and hot reload (`tauri dev`)
//! - `test`     every gate: rustfmt, Biome, tsc, Vitest, dependency rules, clippy, Rust tests
//!   (bindings freshness included) and the end-to-end suite. CI runs exactly this.
//! - `e2e`      only the end-to-end suite
//! - `bench N`  a benchmark → target/bench/N.json
//! - `bindings` regenerate ui/src/bindings.ts from the Rust command declarations
//! - `setup`    only install prerequisites (system packages, npm packages)

mod bench;
mod setup;
mod util;

use anyhow::{Result, bail};

use util::{Step, cargo, npm, root};

const USAGE: &str = "usage: cargo xtask <run|dev|test|e2e|bench NAME|bindings|setup>";

fn main() {
    if let Err(err) = real_main() {
        eprintln!("xtask: {err:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("dev") => dev(),
        Some("test") => test(),
        Some("e2e") => e2e_only(),
        Some("bench") => match args.get(1) {
            Some(name) => bench::run(name),
            None => bail!("{USAGE}\nbenchmarks: {}", bench::names()),
        },
        Some("bindings") => bindings(),
        Some("setup") => setup::ensure(setup::Need::Test),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// Cargo flags shared by every build that is run or tested, so that clippy, tests and the
/// end-to-end binary reuse one feature resolution (tauri-feasibility.md, pitfall 1).
const APP_FEATURES: &[&str] = &["--workspace", "--features", "assetdesk/custom-protocol"];

fn build_ui() -> Result<()> {
    Step::new("UI build (ui/dist)").run(npm(&["run", "build"]))
}

fn run() -> Result<()> {
    setup::ensure(setup::Need::Run)?;
    build_ui()?;
    let mut cmd = cargo(&[
        "run",
        "--package",
        "assetdesk",
        "--features",
        "assetdesk/custom-protocol",
    ]);
    cmd.args(["--bin", "assetdesk-app"]);
    Step::new("AssetDesk").run(cmd)
}

fn dev() -> Result<()> {
    setup::ensure(setup::Need::Run)?;
    let mut cmd = std::process::Command::new(root().join("ui/node_modules/.bin/tauri"));
    cmd.arg("dev").current_dir(root());
    Step::new("tauri dev").run(cmd)
}

/// Below this much free space where the build goes, `test` keeps its disk footprint small.
const LEAN_BELOW_BYTES: u64 = 12_000_000_000;

/// clippy `-D warnings` over every target. Its output (metadata only, no code) is of no use to
/// the test build that follows, so it goes to its own folder; on CI (`CI` set) or when the disk
/// is short, that folder is deleted afterwards, which halves the peak footprint of a clean run
/// (2.8 GB instead of 4.3 GB, measured; one CI run died with "No space left on device").
fn clippy_gate() -> Result<()> {
    let dir = util::target_dir().join("clippy");
    let free = util::free_disk_bytes();
    let lean = std::env::var_os("CI").is_some() || free.is_some_and(|b| b < LEAN_BELOW_BYTES);
    let mut args = vec!["clippy"];
    args.extend_from_slice(APP_FEATURES);
    args.extend_from_slice(&["--all-targets", "--", "-D", "warnings"]);
    let mut cmd = cargo(&args);
    cmd.env("CARGO_TARGET_DIR", &dir);
    let result = Step::new("clippy -D warnings").run(cmd);
    if lean {
        // Failed or not: the metadata is rebuilt next time either way.
        let _ = std::fs::remove_dir_all(&dir);
        println!("xtask: removed clippy's output to keep the disk footprint small");
    }
    result
}

fn bindings() -> Result<()> {
    let mut cmd = cargo(&["test", "--package", "assetdesk", "--test", "bindings"]);
    cmd.env("ASSETDESK_UPDATE_BINDINGS", "1");
    Step::new("regenerate ui/src/bindings.ts").run(cmd)?;
    Step::new("typecheck the UI against the new bindings").run(npm(&["run", "typecheck"]))
}

fn e2e_only() -> Result<()> {
    setup::ensure(setup::Need::Test)?;
    build_ui()?;
    e2e()
}

fn e2e() -> Result<()> {
    if !cfg!(target_os = "linux") {
        println!("xtask: end-to-end tests need WebKitGTK's WebDriver (Linux); skipped on this OS");
        return Ok(());
    }
    // The Settings tests connect the app to the sandbox binary, found next to the app's.
    // Same features as every other step, so nothing is rebuilt for a different feature set.
    let mut sandbox = vec!["build"];
    sandbox.extend_from_slice(APP_FEATURES);
    sandbox.extend_from_slice(&["--bin", "assetdesk-sandbox"]);
    Step::new("build the sandbox for the end-to-end tests").run(cargo(&sandbox))?;
    let mut inner = vec!["cargo", "test"];
    inner.extend_from_slice(APP_FEATURES);
    inner.extend_from_slice(&[
        "--test",
        "e2e",
        "--",
        "--include-ignored",
        "--test-threads=1",
    ]);
    // Real connections keep their secrets in the OS keychain, so the app needs one too.
    with_private_keyring("end-to-end (WebDriver, Xvfb, private keyring)", &inner)
}

/// The keychain tests need a real Secret Service.
fn os_keychain() -> Result<()> {
    if !cfg!(target_os = "linux") {
        println!("xtask: OS keychain tests run on Linux CI; skipped on this OS");
        return Ok(());
    }
    let mut inner = vec!["cargo", "test"];
    inner.extend_from_slice(APP_FEATURES);
    inner.extend_from_slice(&["os_keychain", "--", "--ignored"]);
    with_private_keyring(
        "OS keychain (Secret Service in a private D-Bus session)",
        &inner,
    )
}

/// Runs `inner` inside a private D-Bus session with a GNOME Keyring unlocked by a throwaway
/// password, its files in a temporary folder, so nothing touches the user's keyring
/// (tauri-feasibility.md §5).
fn with_private_keyring(step: &'static str, inner: &[&str]) -> Result<()> {
    let scratch = std::env::temp_dir().join(format!("assetdesk-keyring-{}", std::process::id()));
    let (data, runtime) = (scratch.join("data"), scratch.join("run"));
    std::fs::create_dir_all(&data)?;
    std::fs::create_dir_all(&runtime)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))?;
    }
    let mut cmd = std::process::Command::new("dbus-run-session");
    cmd.args(["--", "sh", "-c"])
        .arg("printf throwaway | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec \"$@\"")
        .arg("sh")
        .args(inner)
        .current_dir(util::root())
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &runtime);
    let result = Step::new(step).run(cmd);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn test() -> Result<()> {
    let started = std::time::Instant::now();
    if let Some(free) = util::free_disk_bytes() {
        println!(
            "xtask: {:.1} GB free where the build goes ({}); a clean run needs about 3 GB",
            free as f64 / 1e9,
            util::target_dir().display()
        );
    }
    setup::ensure(setup::Need::Test)?;
    Step::new("rustfmt").run(cargo(&["fmt", "--all", "--", "--check"]))?;
    Step::new("Biome (lint + format)").run(npm(&["run", "lint"]))?;
    Step::new("tsc").run(npm(&["run", "typecheck"]))?;
    Step::new("Vitest").run(npm(&["test"]))?;
    build_ui()?;
    Step::new("only the app crate depends on tauri").run_fn(util::check_tauri_confined)?;
    clippy_gate()?;
    let mut tests = vec!["test"];
    tests.extend_from_slice(APP_FEATURES);
    Step::new("Rust tests (incl. bindings freshness)").run(cargo(&tests))?;
    os_keychain()?;
    e2e()?;
    println!("xtask: all gates passed in {:.0?}", started.elapsed());
    Ok(())
}
