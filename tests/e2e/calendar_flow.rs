//! Links and the warranty calendar on the real app (issue 10): link a VM under a host and see
//! the tree; try a loop and see why it is refused; open the month view; click an event;
//! renew a warranty; export ICS. Every step is asserted on visible text (and, for renew and
//! export, on the cache and the written file) and saved as a screenshot.
//!
//! The data folder is filled through the store API while the app runs (SQLite WAL lets the
//! test write beside the app's reader pool), then the page is reloaded: a HaloPSA connection
//! with a host, two VMs and a few other assets whose warranties end in the current month.

use std::time::{Duration, Instant};

use assetdesk_domain::{
    AssetFields, AssetType, Client, Connection, ConnectionId, ProviderKind, RemoteAsset,
};
use assetdesk_store::{Lookups, PullMode, PulledPage, Store};
use chrono::{Datelike, Months, NaiveDate};
use fantoccini::Locator;
use fantoccini::elements::Element;

use crate::harness::{App, ClickRetry, WAIT};

const CONN: &str = "e2e-halo";

/// Waits for the first displayed element matching `css`.
async fn shown(app: &App, css: &str) -> Element {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(found) = app.client.find_all(Locator::Css(css)).await {
            for el in found {
                if el.is_displayed().await.unwrap_or(false) {
                    return el;
                }
            }
        }
        assert!(Instant::now() < deadline, "e2e: {css} never appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the displayed element with `data-testid`, retrying while an overlay that is still
/// fading out intercepts the click.
async fn click_ready(app: &App, testid: &str) {
    let css = format!("[data-testid=\"{testid}\"]");
    let deadline = Instant::now() + WAIT;
    loop {
        let el = shown(app, &css).await;
        match el.click().await {
            Ok(()) => return,
            Err(e) => assert!(Instant::now() < deadline, "e2e: click {css}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens the link picker with the button `testid` and returns its search box. A click can
/// land while the drawer is still settling and do nothing: click again while no picker shows,
/// as a user would.
async fn open_picker(app: &App, testid: &str) -> Element {
    let css = "[data-testid=\"link-picker-search\"]";
    let deadline = Instant::now() + WAIT;
    loop {
        click_ready(app, testid).await;
        let settle = Instant::now() + Duration::from_secs(3);
        while Instant::now() < settle {
            if let Ok(found) = app.client.find_all(Locator::Css(css)).await {
                for el in found {
                    if el.is_displayed().await.unwrap_or(false) {
                        return el;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            Instant::now() < deadline,
            "e2e: the link picker did not open from {testid}"
        );
    }
}

/// Closes the link picker with its Cancel button. A click can land while the candidate list
/// is still re-rendering and do nothing: click again while the picker stays, as a user would.
async fn cancel_picker(app: &App) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(cancel) = app
            .client
            .find(Locator::XPath(
                "//section[@role='dialog']//button[normalize-space(.)='Cancel']",
            ))
            .await
        {
            let _ = cancel.click().await;
        }
        let settle = Instant::now() + Duration::from_secs(3);
        while Instant::now() < settle {
            let open = match app
                .client
                .find_all(Locator::Css("[data-testid=\"link-picker-search\"]"))
                .await
            {
                Ok(found) => {
                    let mut shown = false;
                    for el in found {
                        shown |= el.is_displayed().await.unwrap_or(false);
                    }
                    shown
                }
                Err(_) => false,
            };
            if !open {
                // Mantine's closing transition ends a moment after the element hides.
                tokio::time::sleep(Duration::from_millis(300)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            Instant::now() < deadline,
            "e2e: the link picker did not close on Cancel"
        );
    }
}

/// Waits until nothing matching `css` is displayed (a modal finished closing).
async fn gone(app: &App, css: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let mut visible = false;
        if let Ok(found) = app.client.find_all(Locator::Css(css)).await {
            for el in found {
                visible |= el.is_displayed().await.unwrap_or(false);
            }
        }
        if !visible {
            // Mantine's closing transition ends a moment after the element hides.
            tokio::time::sleep(Duration::from_millis(300)).await;
            return;
        }
        assert!(Instant::now() < deadline, "e2e: {css} never went away");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the text content of `css` satisfies `want`; returns it.
async fn text_of(app: &App, css: &str, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = app.client.find(Locator::Css(css)).await {
            // textContent, not the rendered text: clipped (ellipsised) text still counts.
            last = el
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if want(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("e2e: {css} never showed the expected text; last: {last:?}");
}

/// A day of the visible month that stays in it: `today`, or `today + days` when that is
/// still this month.
fn this_month(today: NaiveDate, days: u64) -> NaiveDate {
    today
        .checked_add_days(chrono::Days::new(days))
        .filter(|d| d.month() == today.month())
        .unwrap_or(today)
}

/// The test's cache: a Halo connection, two clients, server and VM types, and assets.
fn fill(store: &Store, today: NaiveDate) {
    let conn = ConnectionId(CONN.into());
    store
        .upsert_connection(&Connection {
            id: conn.clone(),
            kind: ProviderKind::Halo,
            name: "E2E Halo".into(),
            base_url: "https://e2e.invalid".into(),
            auth_url: None,
            tenant: None,
            client_id: None,
            secret_ref: "e2e".into(),
            demo: false,
        })
        .expect("e2e: connection");
    let client = |id, name: &str| Client {
        connection_id: conn.clone(),
        remote_id: id,
        name: name.into(),
        inactive: false,
    };
    let ty = |id, name: &str| AssetType {
        connection_id: conn.clone(),
        remote_id: id,
        name: name.into(),
        fields: vec![],
        allowed_statuses: None,
    };
    store
        .replace_lookups(
            &conn,
            &Lookups {
                clients: vec![client(1, "Alpha Dental"), client(2, "Beta Law")],
                types: vec![ty(1, "Server"), ty(2, "Virtual Machine"), ty(3, "Laptop")],
                ..Lookups::default()
            },
        )
        .expect("e2e: lookups");
    let asset = |id: i64, name: &str, ty: i64, client: i64, end: NaiveDate, parent: Option<i64>| {
        RemoteAsset {
            remote_id: id,
            fields: AssetFields {
                name: name.into(),
                client_id: Some(client),
                type_id: Some(ty),
                warranty_end: Some(end),
                purchase_date: end.checked_sub_months(Months::new(36)),
                purchase_price_cents: Some(250_000),
                ..AssetFields::default()
            },
            facts: Default::default(),
            parent_remote_id: parent,
            updated_at: None,
            raw: serde_json::Value::Null,
        }
    };
    let assets = vec![
        asset(100, "HOST-01", 1, 1, this_month(today, 2), None),
        asset(101, "VM-01", 2, 1, this_month(today, 4), None),
        asset(102, "VM-02", 2, 1, this_month(today, 6), Some(100)),
        asset(103, "LAPTOP-07", 3, 2, this_month(today, 1), None),
        asset(104, "LAPTOP-08", 3, 2, this_month(today, 1), None),
    ];
    let run = store
        .begin_pull(&conn, PullMode::Full, 100, None)
        .expect("e2e: begin pull");
    store
        .apply_pulled_page(&PulledPage {
            run_id: run.run_id,
            page_no: 1,
            assets,
            remote_total: Some(5),
            high_watermark: None,
        })
        .expect("e2e: pull page");
}

fn local_id(store: &Store, remote: i64) -> i64 {
    store
        .asset_by_remote(&ConnectionId(CONN.into()), remote)
        .expect("e2e: lookup")
        .expect("e2e: asset exists")
        .asset
        .id
        .0
}

#[tokio::test]
#[ignore = "needs Xvfb and WebKitWebDriver; run by `cargo xtask test`"]
async fn link_a_vm_open_the_month_renew_and_export() {
    let app = App::launch_with(&[("ASSETDESK_NO_DEMO", "1")]).await;
    let today = chrono::Local::now().date_naive();

    // The app creates its cache while it opens; fill it beside the app, then reload the UI.
    let cache = app.data_dir.path().join("data/cache.sqlite3");
    let deadline = Instant::now() + WAIT;
    while !cache.is_file() {
        assert!(
            Instant::now() < deadline,
            "e2e: the app never created {}",
            cache.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.wait_text("[data-testid=\"page-title\"]", |t| !t.is_empty())
        .await;
    let store = Store::open(&cache).expect("e2e: open the app's cache");
    fill(&store, today);
    let vm = local_id(&store, 101);
    let host = local_id(&store, 100);
    app.client.refresh().await.expect("e2e: reload");

    // The month view: events of this month, urgency in words.
    app.click_testid("nav-calendar").await;
    app.wait_text("[data-testid=\"page-title\"]", |t| t == "Calendar")
        .await;
    let vm_event = shown(
        &app,
        &format!("[data-testid=\"calendar-event\"][data-asset-id=\"{vm}\"]"),
    )
    .await;
    // The chip's visible text may be clipped to the urgency word in a narrow cell: read it all.
    let chip = vm_event
        .prop("textContent")
        .await
        .expect("e2e: event text")
        .unwrap_or_default();
    assert!(
        chip.contains("VM-01") && chip.contains("≤30d"),
        "event chip: {chip:?}"
    );
    text_of(&app, "[data-testid=\"calendar-legend\"]", |t| {
        t.contains("Expired") && t.contains("≤ 90 days")
    })
    .await;
    text_of(&app, "[data-testid=\"expiring-total\"]", |t| {
        t.contains("5 assets")
    })
    .await;
    app.screenshot("calendar-month").await;

    // Click the VM's event: the drawer shows its detail, renew and its (flat) tree.
    vm_event.click_retry("e2e: click the VM's event").await;
    shown(&app, "[data-testid=\"link-tree\"]").await;
    shown(&app, "[data-testid=\"renew-form\"]").await;

    // Link the VM under the host through the search picker.
    let search = open_picker(&app, "link-set-parent").await;
    search
        .send_keys("HOST")
        .await
        .expect("e2e: type in the picker");
    shown(
        &app,
        "[data-testid=\"link-candidate\"][data-name=\"HOST-01\"]",
    )
    .await
    .click_retry("e2e: choose HOST-01")
    .await;
    let tree = text_of(&app, "[data-testid=\"link-tree\"]", |t| {
        t.contains("HOST-01") && t.contains("VM-01")
    })
    .await;
    let nodes = app
        .client
        .find_all(Locator::Css(
            "[data-testid=\"link-tree\"] [data-testid=\"link-node\"]",
        ))
        .await
        .expect("e2e: tree nodes");
    let mut seen = Vec::new();
    for n in nodes {
        seen.push((
            n.attr("data-name").await.ok().flatten().unwrap_or_default(),
            n.attr("data-depth")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        ));
    }
    assert_eq!(
        seen,
        [
            ("HOST-01".to_owned(), "0".to_owned()),
            ("VM-01".to_owned(), "1".to_owned())
        ],
        "the VM sits under the host: {tree}"
    );
    let record = store
        .asset(assetdesk_domain::AssetId(vm))
        .expect("e2e: read the VM");
    assert_eq!(
        record.asset.parent_id,
        Some(assetdesk_domain::AssetId(host))
    );
    assert_eq!(
        record.sync_state,
        assetdesk_store::SyncState::Pending,
        "the link waits in the outbox"
    );
    gone(&app, "[data-testid=\"link-picker-search\"]").await;
    app.screenshot("calendar-link-tree").await;

    // A loop: the host cannot go under its own VM. The picker says why and refuses it.
    let search = open_picker(&app, "link-add-child").await;
    search
        .send_keys("HOST")
        .await
        .expect("e2e: type in the picker");
    let looped = shown(
        &app,
        "[data-testid=\"link-candidate\"][data-name=\"HOST-01\"]",
    )
    .await;
    let why = looped.text().await.expect("e2e: candidate text");
    assert!(
        why.contains("would make a loop"),
        "the refused candidate says why: {why:?}"
    );
    assert!(
        looped.attr("disabled").await.ok().flatten().is_some(),
        "a loop cannot be chosen"
    );
    app.screenshot("calendar-link-cycle-refused").await;
    cancel_picker(&app).await;

    // Renew: one year on from the current end, saved as a queued edit.
    let before = record
        .asset
        .fields
        .warranty_end
        .expect("e2e: the VM has a warranty end");
    let renew = shown(&app, "[data-testid=\"renew-form\"]").await;
    renew
        .find(Locator::XPath(".//button[normalize-space(.)='+1 year']"))
        .await
        .expect("e2e: the +1 year button")
        .click_retry("e2e: click +1 year")
        .await;
    app.click_testid("renew-save").await;
    text_of(&app, "body", |t| {
        t.contains("Saved — will sync when online")
    })
    .await;
    let want = before
        .checked_add_months(Months::new(12))
        .expect("e2e: a year on");
    let deadline = Instant::now() + WAIT;
    loop {
        let end = store
            .asset(assetdesk_domain::AssetId(vm))
            .expect("e2e: read the VM")
            .asset
            .fields
            .warranty_end;
        if end == Some(want) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "e2e: warranty end is {end:?}, expected {want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.screenshot("calendar-renewed").await;

    // Export the visible month as ICS: the file parses as a calendar with stable UIDs.
    shown(&app, ".mantine-Drawer-close")
        .await
        .click_retry("e2e: close the drawer")
        .await;
    gone(&app, "[data-testid=\"renew-form\"]").await;
    click_ready(&app, "export-ics").await;
    let result = text_of(&app, "[data-testid=\"export-result\"]", |t| {
        t.starts_with("Exported")
    })
    .await;
    let path = result
        .split(" to ")
        .nth(1)
        .map(str::trim)
        .unwrap_or_else(|| panic!("e2e: no path in {result:?}"));
    let ics = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("e2e: read {path}: {e}"));
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    assert!(
        ics.contains(&format!("UID:warranty-{CONN}-r100@assetdesk")),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Warranty ends: HOST-01"), "{ics}");
    // The VM's renewed warranty left this month (unless the month ends within a year… never).
    assert!(
        !ics.contains(&format!("UID:warranty-{CONN}-r101@assetdesk")),
        "{ics}"
    );
    app.screenshot("calendar-exported").await;

    // The agenda view and the refresh-planning layer (assets bought 3 years before their
    // warranty ends here, so all five are due for a 3-year refresh this month or earlier).
    app.client
        .find(Locator::XPath("//button[normalize-space(.)='Agenda']"))
        .await
        .expect("e2e: the Agenda button")
        .click_retry("e2e: open the agenda")
        .await;
    text_of(&app, "[data-testid=\"warranty-calendar\"]", |t| {
        t.contains("HOST-01")
    })
    .await;
    app.screenshot("calendar-agenda").await;
    app.client
        .find(Locator::XPath(
            "//label[normalize-space(.)='Refresh layer']",
        ))
        .await
        .expect("e2e: the refresh layer switch")
        .click_retry("e2e: turn on the refresh layer")
        .await;
    text_of(&app, "[data-testid=\"refresh-total\"]", |t| {
        t.contains("bought on or before")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("calendar-refresh-layer").await;
    app.close().await;
}
