//! The asset workspace on the real app with the demo workspace (the in-process sandbox's
//! HaloPSA and Syncro, started because the fresh data folder has no connections): search
//! finds an asset; go offline and create an asset; edit it; bulk-change the status of three
//! assets. Every step is asserted on visible text and saved as a screenshot.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::elements::Element;

use crate::harness::{App, ClickRetry, WAIT};

/// Demo syncs of both connections can take a while on a loaded 2-core machine.
const DEMO_WAIT: Duration = Duration::from_secs(90);

/// Waits for the first element matching `locator` that is displayed.
async fn visible(app: &App, locator: Locator<'_>, what: &str) -> Element {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(found) = app.client.find_all(locator).await {
            for el in found {
                if el.is_displayed().await.unwrap_or(false) {
                    return el;
                }
            }
        }
        assert!(Instant::now() < deadline, "e2e: {what} never appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn css(app: &App, selector: &str) -> Element {
    visible(app, Locator::Css(selector), selector).await
}

/// The control whose displayed label reads `label` (Mantine adds a `*` span to required ones).
async fn field(app: &App, label: &str) -> Element {
    let xpath = format!("//label[normalize-space(text())='{label}']");
    let label_el = visible(app, Locator::XPath(&xpath), &format!("the {label} label")).await;
    let id = label_el
        .attr("for")
        .await
        .expect("e2e: label attribute")
        .unwrap_or_else(|| panic!("e2e: the {label} label names no control"));
    css(app, &format!("[id=\"{id}\"]")).await
}

/// Opens a select and picks the displayed option whose text satisfies `want`; returns it.
async fn choose(app: &App, select: &Element, want: impl Fn(&str) -> bool) -> String {
    select.click_retry("e2e: open the select").await;
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(options) = app.client.find_all(Locator::Css("[role=\"option\"]")).await {
            for o in options {
                if !o.is_displayed().await.unwrap_or(false) {
                    continue;
                }
                let text = o.text().await.unwrap_or_default();
                if want(&text) {
                    o.click_retry("e2e: click the option").await;
                    return text;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "e2e: no matching option appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the element's visible text satisfies `want`; returns it.
async fn wait_for(app: &App, selector: &str, want: impl Fn(&str) -> bool, within: Duration) {
    let deadline = Instant::now() + within;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = app.client.find(Locator::Css(selector)).await {
            last = el.text().await.unwrap_or_default();
            if want(&last) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("e2e: `{selector}` never showed the expected text; last seen: {last:?}");
}

/// The number at the start of "1,234 assets".
fn count_of(text: &str) -> Option<u64> {
    text.split_whitespace()
        .next()
        .and_then(|n| n.replace([',', '.', '\u{a0}'], "").parse().ok())
}

/// The names of the rows in view, read from their checkboxes' labels ("Select <name>") in
/// one script call, so a re-render of the virtualized list cannot leave a stale element.
async fn row_names(app: &App) -> Vec<String> {
    let value = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=\"asset-row\"] input[type=\"checkbox\"]')]\
             .map((e) => e.getAttribute('aria-label') || '')",
            vec![],
        )
        .await
        .expect("e2e: read the row names");
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .map(|l| l.trim_start_matches("Select ").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The titles of the toasts on screen, once one contains `want` (read from the DOM: a toast
/// sliding in is not "visible text" to WebDriver yet).
async fn toast_titles(app: &App, want: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let titles: Vec<String> = app
            .client
            .execute(
                "return [...document.querySelectorAll('.mantine-Notification-title')]\
                 .map((e) => e.textContent || '')",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        if titles.iter().any(|t| t.contains(want)) || Instant::now() > deadline {
            return titles;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Closes the toasts on screen with their close buttons.
async fn dismiss_toasts(app: &App) {
    if let Ok(buttons) = app
        .client
        .find_all(Locator::Css(".mantine-Notification-root button"))
        .await
    {
        for b in buttons {
            if b.is_displayed().await.unwrap_or(false) {
                let _ = b.click().await;
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
}

/// An element's whole text (`textContent`), including what is scrolled out of view.
async fn dom_text(app: &App, selector: &str) -> String {
    app.client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : ''",
            vec![serde_json::Value::from(selector)],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn search(app: &App, text: &str) {
    let input = css(app, "input[aria-label=\"Search assets\"]").await;
    input.clear().await.expect("e2e: clear search");
    if !text.is_empty() {
        input.send_keys(text).await.expect("e2e: type search");
    }
}

#[tokio::test]
#[ignore = "needs Xvfb and WebKitWebDriver; run by `cargo xtask test`"]
async fn search_create_offline_edit_and_bulk_edit_assets() {
    let app = App::launch().await;

    // The demo syncs both connections on first start: wait for rows.
    app.click_testid("nav-assets").await;
    wait_for(
        &app,
        "[data-testid=\"row-count\"]",
        |t| count_of(t).is_some_and(|n| n >= 20),
        DEMO_WAIT,
    )
    .await;
    let total = count_of(&app.wait_text("[data-testid=\"row-count\"]", |_| true).await);
    css(&app, "[data-testid=\"asset-row\"]").await;
    app.screenshot("assets-1-list").await;

    // 1. Search finds an asset: the name of a row further down, typed into the search box.
    let names = row_names(&app).await;
    let wanted = names
        .get(5)
        .cloned()
        .expect("e2e: the demo lists at least six assets");
    let query = wanted.clone();
    search(&app, &query).await;
    wait_for(
        &app,
        "[data-testid=\"row-count\"]",
        |t| count_of(t).is_some_and(|n| Some(n) < total && n >= 1),
        WAIT,
    )
    .await;
    let found = row_names(&app).await;
    assert!(
        found.iter().any(|n| n.contains(&query)),
        "searching {query:?} shows {found:?}"
    );
    app.screenshot("assets-2-search").await;

    // 2. Go offline (the demo's switch in Settings), then create an asset: it is saved here
    // and queued, and the toast says it will sync when online.
    app.click_testid("nav-settings").await;
    app.click_testid("demo-go-offline").await;
    app.wait_text("[data-testid=\"demo-network\"]", |t| {
        t.starts_with("Offline")
    })
    .await;
    app.click_testid("nav-assets").await;
    search(&app, "").await;
    app.click_testid("new-asset").await;
    let name = "E2E Field Laptop 4711";
    field(&app, "Name")
        .await
        .send_keys(name)
        .await
        .expect("e2e: type the name");
    let client = choose(&app, &field(&app, "Client").await, |t| !t.is_empty()).await;
    let asset_type = choose(&app, &field(&app, "Type").await, |t| !t.is_empty()).await;
    field(&app, "Serial number")
        .await
        .send_keys("E2E-SN-4711")
        .await
        .expect("e2e: type the serial");
    app.screenshot("assets-3-create-form").await;
    app.click_testid("save-asset").await;
    let toasts = toast_titles(&app, "Saved — will sync when online").await;
    assert!(
        toasts.iter().any(|t| t == "Saved — will sync when online"),
        "toasts: {toasts:?}"
    );
    app.screenshot("assets-4-saved-toast").await;
    app.wait_text("[data-testid=\"detail-name\"]", |t| t == name)
        .await;
    app.wait_text("[data-testid=\"asset-detail\"]", |t| t.contains("Pending"))
        .await;
    // The whole panel, scrolled parts included.
    let detail = dom_text(&app, "[data-testid=\"asset-detail\"]").await;
    assert!(detail.contains(&client), "detail: {detail}");
    assert!(detail.contains(&asset_type), "detail: {detail}");
    assert!(detail.contains("not yet sent"), "detail: {detail}");
    app.screenshot("assets-5-created-offline").await;

    // 3. Edit it: Enter opens the form on the selected asset; change the serial; the detail
    // and the journal show the change, not synced yet.
    // The toast sits over the drawer's footer: dismiss it as a user would.
    dismiss_toasts(&app).await;
    app.click_testid("edit-asset").await;
    let serial = field(&app, "Serial number").await;
    serial.clear().await.expect("e2e: clear serial");
    serial
        .send_keys("E2E-SN-4712")
        .await
        .expect("e2e: type serial");
    app.click_testid("save-asset").await;
    let detail = app
        .wait_text("[data-testid=\"asset-detail\"]", |t| {
            t.contains("E2E-SN-4712")
        })
        .await;
    let journal = app
        .wait_text("[data-testid=\"journal\"]", |t| t.contains("E2E-SN-4712"))
        .await;
    assert!(journal.contains("Not synced yet"), "journal: {journal}");
    assert!(journal.contains("E2E-SN-4711"), "journal: {journal}");
    assert!(detail.contains("Pending"), "detail: {detail}");
    // Bring the journal into view for the screenshot.
    app.client
        .execute(
            "const v = document.querySelector('[data-testid=\"asset-detail\"] [data-scrollarea-viewport]');\
             const j = document.querySelector('[data-testid=\"journal\"]');\
             if (v && j) v.scrollTop = j.offsetTop - 16;",
            vec![],
        )
        .await
        .expect("e2e: scroll to the journal");
    app.screenshot("assets-6-edited").await;

    // 4. Bulk-change the status of three Halo assets (Syncro has no status): narrow the list
    // to the Halo connection, tick three rows, pick a status, confirm once.
    let connection = css(&app, "input[aria-label=\"Connection\"]").await;
    choose(&app, &connection, |t| t.to_lowercase().contains("halo")).await;
    wait_for(
        &app,
        "[data-testid=\"row-count\"]",
        |t| count_of(t).is_some_and(|n| Some(n) < total && n >= 3),
        WAIT,
    )
    .await;
    let picked: Vec<String> = row_names(&app).await.into_iter().take(3).collect();
    for name in &picked {
        css(&app, &format!("input[aria-label=\"Select {name}\"]"))
            .await
            .click_retry("e2e: tick row")
            .await;
    }
    app.wait_text("[data-testid=\"selection-bar\"]", |t| {
        t.contains("3 selected")
    })
    .await;
    app.screenshot("assets-7-selected").await;
    visible(
        &app,
        Locator::XPath("//button[normalize-space(.)='Bulk edit…']"),
        "the Bulk edit button",
    )
    .await
    .click_retry("e2e: open bulk edit")
    .await;
    let value_select = field(&app, "Change status").await;
    // A status none of the three has yet, so each one really changes.
    let current: Vec<String> = app
        .client
        .execute(
            "const col = [...document.querySelectorAll('th')].findIndex((th) => th.dataset.column === 'status');\
             return [...document.querySelectorAll('[data-testid=\"asset-row\"]')].slice(0, 3)\
             .map((r) => (r.children[col] || {}).textContent || '')",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let status = choose(&app, &value_select, |t| {
        !t.is_empty() && !current.iter().any(|c| c == t)
    })
    .await;
    visible(
        &app,
        Locator::XPath("//button[normalize-space(.)='Review']"),
        "Review",
    )
    .await
    .click_retry("e2e: review")
    .await;
    let confirm = app
        .wait_text("[data-testid=\"bulk-confirm\"]", |t| t.contains("3 assets"))
        .await;
    assert!(confirm.contains(&status), "confirmation: {confirm}");
    app.screenshot("assets-8-bulk-confirm").await;
    app.click_testid("bulk-apply").await;
    let summary = app
        .wait_text("[data-testid=\"bulk-summary\"]", |t| t.contains("updated"))
        .await;
    let results = app
        .wait_text("[data-testid=\"bulk-results\"]", |_| true)
        .await;
    assert_eq!(
        summary, "3 updated · 0 unchanged · 0 failed",
        "results:\n{results}"
    );
    for p in &picked {
        assert!(
            results.contains(p.as_str()),
            "{p} missing from the results:\n{results}"
        );
    }
    app.screenshot("assets-9-bulk-result").await;
    visible(
        &app,
        Locator::XPath("//button[normalize-space(.)='Done']"),
        "Done",
    )
    .await
    .click_retry("e2e: close bulk edit")
    .await;
    // The list shows the new status and a pending badge on the three rows.
    let deadline = Instant::now() + WAIT;
    loop {
        let texts: Vec<String> = app
            .client
            .execute(
                "return [...document.querySelectorAll('[data-testid=\"asset-row\"]')]\
                 .map((r) => r.textContent || '')",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let done = texts
            .iter()
            .filter(|t| {
                picked.iter().any(|p| t.contains(p.as_str()))
                    && t.contains(&status)
                    && t.contains("Pending")
            })
            .count();
        if done == 3 {
            break;
        }
        if Instant::now() > deadline {
            app.screenshot("assets-10-bulk-list-failed").await;
            panic!("the three rows never showed {status:?} and Pending: {texts:#?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("assets-10-bulk-list").await;
    app.close().await;
}
