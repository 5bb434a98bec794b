//! Small helpers: locating the repository, running steps with timing, the dependency rule.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// The repository root (the workspace root).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `cargo ARGS` at the root, with the cargo that runs xtask.
pub fn cargo(args: &[&str]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(args).current_dir(root());
    cmd
}

/// `npm ARGS` in ui/.
pub fn npm(args: &[&str]) -> Command {
    let mut cmd = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
    cmd.args(args).current_dir(root().join("ui"));
    cmd
}

/// One named step: prints what runs and how long it took, and fails with the step's name.
pub struct Step {
    name: &'static str,
}

impl Step {
    pub fn new(name: &'static str) -> Self {
        Step { name }
    }

    pub fn run(self, mut cmd: Command) -> Result<()> {
        self.run_fn(|| {
            let status = cmd
                .status()
                .with_context(|| format!("could not start {:?}", cmd.get_program()))?;
            if !status.success() {
                bail!("{:?} exited with {status}", cmd.get_program());
            }
            Ok(())
        })
    }

    pub fn run_fn(self, f: impl FnOnce() -> Result<()>) -> Result<()> {
        println!("\n==> {}", self.name);
        let started = Instant::now();
        let result = f().with_context(|| format!("step failed: {}", self.name));
        println!(
            "<== {} ({:.1}s{}{})",
            self.name,
            started.elapsed().as_secs_f64(),
            free_disk_note(),
            if result.is_ok() { "" } else { ", FAILED" }
        );
        result
    }
}

/// Where cargo writes: `CARGO_TARGET_DIR` or `<root>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Free space (bytes) on the disk that holds the build output, where `df` can tell.
pub fn free_disk_bytes() -> Option<u64> {
    if cfg!(windows) {
        return None;
    }
    let dir = target_dir();
    // The target folder may not exist yet on a clean clone: ask about its parent then.
    let probe = if dir.exists() { dir } else { root() };
    let out = Command::new("df").arg("-Pk").arg(&probe).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // POSIX format: a header, then "fs blocks used available capacity mount".
    let kb: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// ", 12.3 GB free" for a step's end line: a run that fills the disk says so in its log.
fn free_disk_note() -> String {
    free_disk_bytes()
        .map(|b| format!(", {:.1} GB free", b as f64 / 1e9))
        .unwrap_or_default()
}

/// Invariant 1 of DESIGN.md: only the app package depends on tauri. Every library crate's
/// normal and build dependency tree must be free of it.
pub fn check_tauri_confined() -> Result<()> {
    let crates = [
        "assetdesk-domain",
        "assetdesk-store",
        "assetdesk-halo",
        "assetdesk-syncro",
        "assetdesk-sync",
        "assetdesk-sandbox",
        "assetdesk-cli",
    ];
    for krate in crates {
        let out = cargo(&[
            "tree",
            "--package",
            krate,
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .with_context(|| format!("cargo tree -p {krate}"))?;
        if !out.status.success() {
            bail!(
                "cargo tree -p {krate} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let tree = String::from_utf8_lossy(&out.stdout);
        if let Some(line) = tree
            .lines()
            .find(|l| l.starts_with("tauri ") || l.starts_with("tauri-"))
        {
            bail!("{krate} depends on Tauri ({line}); keep Tauri in the app package only");
        }
        println!("    {krate}: no tauri");
    }
    Ok(())
}
