//! `cargo xtask bench NAME`: runs a benchmark target in release mode, which writes
//! `target/bench/NAME.json` (format in DESIGN.md), then prints its metrics against targets.

use anyhow::{Context, Result, bail};

use crate::util::{Step, cargo, root};

/// Benchmark name → the crate that owns it.
const BENCHES: &[(&str, &str)] = &[
    ("store", "assetdesk-store"),
    ("halo", "assetdesk-halo"),
    ("syncro", "assetdesk-syncro"),
    ("sync", "assetdesk-sync"),
    // The app through the E2E harness (tests/e2e/bench_ui.rs): needs the built UI and the
    // embedded-assets feature, like `cargo xtask e2e`.
    ("ui", "assetdesk"),
];

/// The benchmark names, for usage messages.
pub fn names() -> String {
    BENCHES
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(name: &str) -> Result<()> {
    let Some((_, krate)) = BENCHES.iter().find(|(n, _)| *n == name) else {
        bail!("unknown benchmark {name:?}; known: {}", names());
    };
    let out_dir = root().join("target/bench");
    std::fs::create_dir_all(&out_dir).context("create target/bench")?;
    let out = out_dir.join(format!("{name}.json"));
    let _ = std::fs::remove_file(&out);
    let mut cmd = cargo(&["bench", "--package", krate, "--bench", name]);
    if name == "ui" {
        crate::setup::ensure(crate::setup::Need::Test)?;
        Step::new("UI build (ui/dist)").run(crate::util::npm(&["run", "build"]))?;
        cmd.args(["--features", "assetdesk/custom-protocol"]);
    }
    cmd.env("ASSETDESK_BENCH_OUT", &out)
        .env("ASSETDESK_BENCH_MACHINE", machine());
    Step::new("benchmark").run(cmd)?;
    let text = std::fs::read_to_string(&out)
        .with_context(|| format!("the benchmark did not write {}", out.display()))?;
    let report: serde_json::Value = serde_json::from_str(&text).context("bench JSON")?;
    print_table(&report);
    println!("\nwritten: {}", out.display());
    Ok(())
}

/// "linux x86_64, 2 cores, 23 GiB" — enough to compare runs across machines.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!(", {} GiB", kb / 1024 / 1024))
        .unwrap_or_default();
    format!(
        "{} {}, {cores} cores{mem_gib}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

fn print_table(report: &serde_json::Value) {
    let Some(metrics) = report.get("metrics").and_then(|m| m.as_object()) else {
        println!("(no metrics)");
        return;
    };
    println!(
        "\n{:<34} {:>14} {:>10} {:>12} {:>10}  verdict",
        "metric", "value", "unit", "target", "n"
    );
    for (key, m) in metrics {
        let value = m.get("value").and_then(|v| v.as_f64());
        let target = m.get("target").and_then(|v| v.as_f64());
        let lower = m
            .get("lower_is_better")
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        let verdict = match (value, target) {
            (Some(v), Some(t)) if (lower && v <= t) || (!lower && v >= t) => "meets",
            (Some(_), Some(_)) => "MISSES",
            _ => "-",
        };
        let fmt = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into());
        println!(
            "{:<34} {:>14} {:>10} {:>12} {:>10}  {verdict}",
            key,
            fmt(value),
            m.get("unit").and_then(|u| u.as_str()).unwrap_or(""),
            target
                .map(|t| format!("{}{t}", if lower { "≤ " } else { "≥ " }))
                .unwrap_or_default(),
            m.get("n").map(|n| n.to_string()).unwrap_or_default(),
        );
    }
}
