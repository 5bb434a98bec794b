// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    tune_webkitgtk();
    assetdesk_app::run();
}

/// WebKitGTK settings that exist only as environment variables, read by the web process
/// WebKit starts (it inherits ours). A value the user set wins.
///
/// * `WEBKIT_DISABLE_COMPOSITING_MODE=1`: paint in software instead of GPU compositing. A
///   dense table gains nothing from compositing, and where there is no GPU (VMs, remote
///   desktops, CI) Mesa's llvmpipe emulates GL on the CPU: measured with 200,000 assets, the
///   web process then spent ~95 % of a core for 5 s after every list change and held 100 MB
///   more.
/// * `JSC_forceRAMSize=1 GiB`: JavaScriptCore sizes its heap from the machine's RAM and grows
///   it 2× per collection up to a quarter of it, so on a 24 GB machine the page's heap reached
///   430 MB after thirty searches; planned for 1 GB it stays near 200 MB with no measurable
///   effect on search latency (the `ui` benchmark; ARCHITECTURE.md, "Decisions").
#[cfg(target_os = "linux")]
fn tune_webkitgtk() {
    const SETTINGS: [(&str, &str); 2] = [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("JSC_forceRAMSize", "1073741824"),
    ];
    for (key, value) in SETTINGS {
        if std::env::var_os(key).is_none() {
            // SAFETY: called first thing in main(), before Tauri, GTK, WebKit, tokio or any
            // other code could start a thread that reads the environment.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(key, value);
            }
        }
    }
}
