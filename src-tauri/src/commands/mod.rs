//! Tauri commands, one file per area. Each command is one call into the façade plus a
//! conversion. Adding one: write the function in its area's file, list it in
//! `specta_builder()` (src-tauri/src/lib.rs), run `cargo xtask bindings`.

pub mod app;
pub mod assets;
pub mod calendar;
pub mod connections;
pub mod demo;
pub mod links;
pub mod sync;
pub mod tickets;

/// Who the journal names for changes made in this window: the OS account, the person at the
/// keyboard of a desktop app ("local user" when the OS does not say).
pub(crate) fn actor() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "local user".to_owned())
}
