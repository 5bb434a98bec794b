//! End-to-end tests of the real desktop app: a debug build (with the UI embedded) started by
//! WebKitWebDriver under a private Xvfb, with an isolated data folder, driven through
//! WebDriver. Screenshots go to `target/e2e/`.
//!
//! Linux only (WebKitGTK ships a WebDriver; macOS's WKWebView has none). Ignored by a plain
//! `cargo test`; `cargo xtask test` and `cargo xtask e2e` run them with `--include-ignored`
//! after installing the prerequisites.

#![cfg(target_os = "linux")]

mod assets_flow;
mod calendar_flow;
mod demo;
mod harness;
mod settings;
mod shell;
