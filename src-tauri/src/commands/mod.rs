//! Tauri commands, one file per area. Each command is one call into the façade plus a
//! conversion. Adding one: write the function in its area's file, list it in
//! `specta_builder()` (src-tauri/src/lib.rs), run `cargo xtask bindings`.

pub mod app;
pub mod assets;
