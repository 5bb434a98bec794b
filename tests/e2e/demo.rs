//! The demo workspace a newcomer sees: launched with nothing configured (and without
//! `ASSETDESK_NO_DEMO`), the app starts the sandbox's HaloPSA and Syncro in-process, adds the
//! two demo connections, syncs both, and the asset list fills with their assets.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::harness::App;

/// The first sync of both demo connections in a debug build, on a busy 2-core machine.
const FIRST_SYNC: Duration = Duration::from_secs(120);

/// Both demo presets seed 640 assets each (sandbox `HaloConfig::demo`, `SyncroConfig::demo`).
const DEMO_ASSETS: u64 = 1280;

fn count_of(text: &str) -> Option<u64> {
    text.split_whitespace()
        .next()
        .and_then(|n| n.replace([',', '.', '\u{a0}', '\u{202f}'], "").parse().ok())
}

async fn row_names(app: &App) -> Vec<String> {
    let mut names = Vec::new();
    let boxes = app
        .client
        .find_all(Locator::Css(
            "[data-testid=\"asset-row\"] input[type=\"checkbox\"]",
        ))
        .await
        .expect("e2e: rows");
    for b in boxes {
        if let Ok(Some(label)) = b.attr("aria-label").await {
            names.push(label.trim_start_matches("Select ").to_owned());
        }
    }
    names
}

async fn wait_names(app: &App, want: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + crate::harness::WAIT;
    loop {
        let names = row_names(app).await;
        if want(&names) {
            return names;
        }
        assert!(
            Instant::now() < deadline,
            "e2e: rows never matched; last {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn search(app: &App, text: &str) {
    let input = app
        .client
        .find(Locator::Css("input[aria-label=\"Search assets\"]"))
        .await
        .expect("e2e: search box");
    input.send_keys(text).await.expect("e2e: type the search");
}

#[tokio::test]
#[ignore = "needs Xvfb and WebKitWebDriver; run by `cargo xtask test`"]
async fn the_demo_workspace_fills_the_asset_list() {
    let app = App::launch().await;
    app.click_testid("nav-assets").await;

    // The list fills while the first syncs run (data-changed events refresh it).
    let deadline = Instant::now() + FIRST_SYNC;
    let mut shown = String::new();
    loop {
        if let Ok(el) = app
            .client
            .find(Locator::Css("[data-testid=\"row-count\"]"))
            .await
        {
            shown = el.text().await.unwrap_or_default();
            if count_of(&shown).is_some_and(|n| n >= DEMO_ASSETS / 2) {
                break;
            }
        }
        if Instant::now() >= deadline {
            app.screenshot("demo-timeout").await;
        }
        assert!(
            Instant::now() < deadline,
            "e2e: the demo's assets did not arrive within {FIRST_SYNC:?}; the list says {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    app.screenshot("demo-assets").await;
    // Rows are named from the demo presets (the names are read from the rows' checkbox
    // labels, "Select <name>", which do not depend on column widths).
    let names = row_names(&app).await;
    assert!(names.len() >= 10, "rows in view: {names:?}");
    assert!(
        names.iter().all(|n| !n.trim().is_empty()),
        "every row has a name: {names:?}"
    );
    // Search finds a HaloPSA demo workstation by name.
    search(&app, "WS-00001").await;
    let found = wait_names(&app, |n| n.iter().any(|x| x == "WS-00001")).await;
    assert!(found.len() < 50, "the search narrowed the list: {found:?}");
    app.screenshot("demo-search").await;

    // Settings shows the two demo connections (labelled as the demo: see the screenshot).
    app.click_testid("nav-settings").await;
    // Both demo connections with their whole caches (640 each: sandbox `HaloConfig::demo`,
    // `SyncroConfig::demo`), and the demo's own section.
    // The list shows half the demo once the first sync is under way; the rest may still be
    // arriving (the first sync's own deadline, not the usual wait).
    let deadline = Instant::now() + FIRST_SYNC;
    let text = loop {
        let text = match app.client.find(Locator::Css("main")).await {
            Ok(main) => main.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.matches("640 assets cached").count() == 2 && text.contains("Demo workspace") {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "e2e: Settings never showed both demo caches complete; it says {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(text.contains("Online"), "the demo is online:\n{text}");
    app.screenshot("demo-settings").await;
    app.close().await;
}
