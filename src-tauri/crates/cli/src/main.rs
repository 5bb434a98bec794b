//! # assetdesk (CLI)
//!
//! The headless command line over the same `Workspace` façade as the desktop app, for
//! scheduled syncs and scripting.
//!
//! **Must not know:** Tauri, SQL, or provider wire formats.

fn main() {
    eprintln!("assetdesk: the command line arrives with issue 8; use the desktop app for now");
    std::process::exit(1);
}
