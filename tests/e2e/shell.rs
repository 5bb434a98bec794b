//! The shell: every navigation entry renders its page and honest empty state; the backend's
//! `app_info` reaches the UI through the typed bridge.

use crate::harness::App;

#[tokio::test]
#[ignore = "needs Xvfb and WebKitWebDriver; run by `cargo xtask test`"]
async fn every_page_renders_its_empty_state() {
    // The empty states are what this test is about: no demo workspace.
    let app = App::launch_with(&[("ASSETDESK_NO_DEMO", "1")]).await;

    let title = app.client.title().await.expect("window title");
    assert_eq!(title, "AssetDesk");

    let pages = [
        ("nav-assets", "Assets", "No connection yet"),
        ("nav-calendar", "Calendar", "warrant"),
        ("nav-sync", "Sync", "Nothing"),
        ("nav-settings", "Settings", "No connections yet"),
    ];
    for (nav, heading, empty_text) in pages {
        app.click_testid(nav).await;
        app.wait_text("[data-testid=\"page-title\"]", |t| t == heading)
            .await;
        let body = app.body_text().await;
        assert!(
            body.to_lowercase().contains(&empty_text.to_lowercase()),
            "{heading}: expected {empty_text:?} in the page, got:\n{body}"
        );
        app.screenshot(&format!("shell-{}", heading.to_lowercase()))
            .await;
    }

    // The About section shows what the Rust side reports: the schema of the cache it opened
    // in the isolated data folder (never the user's).
    let version = app
        .wait_text("[data-testid=\"about-version\"]", |t| !t.trim().is_empty())
        .await;
    assert!(
        version.contains(env!("CARGO_PKG_VERSION")),
        "version shown: {version}"
    );
    let data_dir = app.data_dir.path().join("data");
    let shown = app
        .wait_text("[data-testid=\"about-data-dir\"]", |t| !t.is_empty())
        .await;
    assert_eq!(shown, data_dir.display().to_string());
    assert!(
        data_dir.join("cache.sqlite3").is_file(),
        "the app created its cache in the test folder"
    );
    app.screenshot("shell-settings-about").await;

    // Logging goes to a daily file in the (isolated) log folder; the writer is non-blocking,
    // so give it a moment.
    let log_dir = data_dir.join("logs");
    let read_logs = || -> String {
        std::fs::read_dir(&log_dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let deadline = std::time::Instant::now() + crate::harness::WAIT;
    let mut text = read_logs();
    while !(text.contains("AssetDesk starting") && text.contains("workspace ready"))
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        text = read_logs();
    }
    assert!(
        text.contains("AssetDesk starting"),
        "no start line in {}: {text}",
        log_dir.display()
    );
    assert!(
        text.contains("workspace ready"),
        "no workspace line in {}: {text}",
        log_dir.display()
    );
    app.close().await;
}
