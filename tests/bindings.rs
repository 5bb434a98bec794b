//! The committed TypeScript bindings (`ui/src/bindings.ts`) must equal what the Rust
//! declarations generate. `cargo xtask bindings` (ASSETDESK_UPDATE_BINDINGS=1) rewrites them;
//! every other run fails when they are stale, so the UI can never drift from the commands.

use std::path::PathBuf;

#[test]
fn bindings_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let generated = assetdesk_app::render_bindings().expect("bindings render");
    if std::env::var_os("ASSETDESK_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is stale: run `cargo xtask bindings` and commit the result"
    );
}
