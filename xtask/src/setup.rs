//! Installs what the project needs on a fresh machine: Debian/Ubuntu system packages (with
//! apt-get, as root or through sudo) and the UI's npm packages (`npm ci`). On Windows and
//! macOS nothing is installed: the README lists the prerequisites there.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::util::{Step, npm, root};

/// What the caller is about to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Build and start the app.
    Run,
    /// Everything `Run` needs plus the end-to-end and keychain test tools.
    Test,
}

/// Build prerequisites (tauri-feasibility.md §1).
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "librsvg2-dev",
];

/// Test prerequisites: a virtual display, WebKitGTK's WebDriver, a session bus and a keychain
/// (Secret Service) for keyring tests.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    "dbus-x11",
    "gnome-keyring",
    "libsecret-tools",
];

pub fn ensure(need: Need) -> Result<()> {
    if cfg!(target_os = "linux") {
        let mut wanted: Vec<&str> = BUILD_PACKAGES.to_vec();
        if need == Need::Test {
            wanted.extend_from_slice(TEST_PACKAGES);
        }
        let missing: Vec<&str> = wanted.into_iter().filter(|p| !deb_installed(p)).collect();
        if !missing.is_empty() {
            install_debs(&missing)?;
        }
    }
    ensure_node()?;
    ensure_npm_packages()
}

fn deb_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn install_debs(missing: &[&str]) -> Result<()> {
    if Command::new("apt-get").arg("--version").output().is_err() {
        bail!(
            "missing system packages: {}. This machine has no apt-get: install the equivalents \
             with your package manager (see README, 'Other Linux distributions').",
            missing.join(" ")
        );
    }
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let run = |args: &[&str]| -> Result<()> {
        let mut full: Vec<&str> = sudo.to_vec();
        full.extend_from_slice(args);
        let status = Command::new(full[0])
            .args(&full[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .with_context(|| format!("could not run {}", full.join(" ")))?;
        if !status.success() {
            bail!(
                "`{}` failed ({status}); run it by hand to see why",
                full.join(" ")
            );
        }
        Ok(())
    };
    Step::new("system packages (apt-get)").run_fn(|| {
        println!("    installing: {}", missing.join(" "));
        run(&["apt-get", "update", "-qq"])?;
        let mut args = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
        args.extend_from_slice(missing);
        run(&args)
    })
}

fn ensure_node() -> Result<()> {
    let version = Command::new(if cfg!(windows) { "node.exe" } else { "node" })
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let Some(version) = version else {
        bail!(
            "Node.js is not installed; install Node.js 20.19 or newer (it ships npm), then retry"
        );
    };
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        bail!("Node.js {version} is too old for the UI toolchain (Vite 8); install 20.19 or newer");
    }
    Ok(())
}

/// `npm ci` when ui/node_modules is missing or older than package-lock.json.
fn ensure_npm_packages() -> Result<()> {
    let ui = root().join("ui");
    let lock = ui.join("package-lock.json");
    let stamp = ui.join("node_modules/.package-lock.json");
    if is_newer_or_missing(&lock, &stamp) {
        Step::new("npm ci (ui/)").run(npm(&["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

fn is_newer_or_missing(source: &Path, stamp: &Path) -> bool {
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    match (modified(source), modified(stamp)) {
        (Some(src), Some(st)) => src > st,
        _ => true,
    }
}
