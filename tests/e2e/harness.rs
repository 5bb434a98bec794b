//! The E2E harness: owns every process it starts and stops them on drop, even when a test
//! fails; turns missing prerequisites into clear errors instead of hangs.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// How long any single wait (a port, an element, a text) may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// A child process (and its process group) killed on drop.
struct Guard {
    name: &'static str,
    child: Child,
}

impl Drop for Guard {
    fn drop(&mut self) {
        // The group id equals the child's pid (spawned with process_group(0)); killing the
        // group also ends what it started (the app under WebKitWebDriver).
        if let Ok(pid) = i32::try_from(self.child.id())
            && pid > 1
        {
            use nix::sys::signal::{SIGKILL, killpg};
            let _ = killpg(nix::unistd::Pid::from_raw(pid), SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("e2e: stopped {}", self.name);
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

fn require(program: &str, package: &str) -> PathBuf {
    which(program).unwrap_or_else(|| {
        panic!(
            "e2e: `{program}` is not installed. Run `cargo xtask test` (it installs the test \
             prerequisites) or `apt-get install {package}`."
        )
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("e2e: no free loopback port")
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("e2e: {what} did not listen on 127.0.0.1:{port} within {WAIT:?}");
}

/// Where screenshots go: `target/e2e/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|t| t.join("e2e"))
        .unwrap_or_else(|| PathBuf::from("target/e2e"));
    std::fs::create_dir_all(&dir).expect("e2e: create target/e2e");
    dir
}

/// Keeps the page painting (see [`App::screenshot`]) until `__e2eRepaintUntil` passes.
const REPAINT_PUMP: &str = r#"
window.__e2eRepaintUntil = performance.now() + 5000;
if (!window.__e2eRepaintPump) {
  const dot = document.createElement('div');
  dot.setAttribute('aria-hidden', 'true');
  dot.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647';
  document.body.appendChild(dot);
  let flip = false;
  const tick = () => {
    if (performance.now() > window.__e2eRepaintUntil) {
      dot.remove();
      window.__e2eRepaintPump = false;
      return;
    }
    flip = !flip;
    dot.style.background = flip ? 'rgba(128,128,128,0.02)' : 'rgba(128,128,128,0.03)';
    requestAnimationFrame(tick);
  };
  window.__e2eRepaintPump = true;
  requestAnimationFrame(tick);
}
"#;

/// A running app under test. Dropping it stops the driver, the app and Xvfb.
pub struct App {
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    // Drop order: driver (and the app in its group) before the display.
    _driver: Guard,
    _xvfb: Guard,
}

impl App {
    /// Starts Xvfb, WebKitWebDriver and the app with a fresh data folder. With nothing
    /// configured the app opens its demo workspace (the sandbox in-process); tests that need
    /// an empty app use [`App::launch_with`]`(&[("ASSETDESK_NO_DEMO", "1")])`.
    pub async fn launch() -> App {
        App::launch_with(&[]).await
    }

    /// [`App::launch`] with extra environment variables for the app (e.g.
    /// `ASSETDESK_NO_DEMO=1`, `ASSETDESK_LOG=debug`).
    pub async fn launch_with(env: &[(&str, &str)]) -> App {
        let xvfb_bin = require("Xvfb", "xvfb");
        let driver_bin = require("WebKitWebDriver", "webkit2gtk-driver");
        let app_bin = PathBuf::from(env!("CARGO_BIN_EXE_assetdesk-app"));
        assert!(
            app_bin.is_file(),
            "e2e: the app binary {} is missing",
            app_bin.display()
        );

        // Xvfb picks a free display and prints its number on fd 1.
        let mut xvfb = Command::new(xvfb_bin)
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("e2e: start Xvfb");
        let stdout = xvfb.stdout.take().expect("e2e: Xvfb stdout");
        let xvfb = Guard {
            name: "Xvfb",
            child: xvfb,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let display = rx
            .recv_timeout(WAIT)
            .ok()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| panic!("e2e: Xvfb did not report a display within {WAIT:?}"));

        let data_dir = tempfile::tempdir().expect("e2e: temp data dir");
        let home = data_dir.path().join("home");
        std::fs::create_dir_all(&home).expect("e2e: temp home");
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .env("DISPLAY", format!(":{display}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env(assetdesk_app::DATA_DIR_ENV, data_dir.path().join("data"))
            // Keep WebKit's caches and any desktop state out of the real home folder.
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("NO_AT_BRIDGE", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("e2e: start WebKitWebDriver");
        let driver = Guard {
            name: "WebKitWebDriver and the app",
            child: driver,
        };
        wait_for_port(port, "WebKitWebDriver");

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "webkitgtk:browserOptions".into(),
            serde_json::json!({ "binary": app_bin, "args": [] }),
        );
        let client = tokio::time::timeout(
            WAIT,
            ClientBuilder::native()
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .unwrap_or_else(|_| panic!("e2e: no WebDriver session within {WAIT:?}"))
        .expect("e2e: WebDriver session");
        App {
            client,
            data_dir,
            _driver: driver,
            _xvfb: xvfb,
        }
    }

    /// Waits until `css` exists and its visible text satisfies `want`; returns the text.
    pub async fn wait_text(&self, css: &str, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = String::from("<element not found>");
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if want(&text) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("e2e: `{css}` never showed the expected text; last seen: {last:?}");
    }

    /// Clicks the element with `data-testid`.
    pub async fn click_testid(&self, id: &str) {
        let css = format!("[data-testid=\"{id}\"]");
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find(Locator::Css(&css)).await {
                // A click can be intercepted for a moment (a toast over a drawer's footer, a
                // closing overlay): retry until the deadline, as a user would click again.
                Ok(el) => match el.click().await {
                    Ok(_) => return,
                    Err(e) if Instant::now() > deadline => panic!("e2e: click {css}: {e}"),
                    Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
                },
                Err(e) if Instant::now() > deadline => panic!("e2e: {css} not found: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// The whole page's visible text.
    pub async fn body_text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .expect("e2e: body")
            .text()
            .await
            .expect("e2e: body text")
    }

    /// Saves a PNG of the window as `target/e2e/<name>.png`.
    ///
    /// WebKitWebDriver answers a screenshot after the page's next paint. The app paints in
    /// software (`WEBKIT_DISABLE_COMPOSITING_MODE`, src-tauri/src/main.rs), where an idle
    /// page does not paint at all, so the request would wait forever: a one-pixel element
    /// in a corner flips between two near-invisible shades every frame until the picture is
    /// taken (5 s at most), which guarantees that paint.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        self.client
            .execute(REPAINT_PUMP, vec![])
            .await
            .expect("e2e: start the repaint pump");
        let png = tokio::time::timeout(WAIT, self.client.screenshot())
            .await
            .unwrap_or_else(|_| panic!("e2e: screenshot {name} not taken within {WAIT:?}"))
            .expect("e2e: screenshot");
        let _ = self
            .client
            .execute("window.__e2eRepaintUntil = 0;", vec![])
            .await;
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("e2e: write screenshot");
        path
    }

    /// Ends the WebDriver session; the guards then stop the processes.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Clicking that survives a moment of obstruction.
pub trait ClickRetry {
    /// Clicks, retrying while something (a toast, an overlay still fading out) is over the
    /// element — as a user would click again — and panics with `what` after [`WAIT`].
    async fn click_retry(&self, what: &str);
}

impl ClickRetry for fantoccini::elements::Element {
    async fn click_retry(&self, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.click().await {
                Ok(_) => return,
                Err(e) if Instant::now() > deadline => panic!("{what}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }
}
