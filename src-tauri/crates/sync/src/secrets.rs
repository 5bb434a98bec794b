//! Connection secrets (HaloPSA client secrets, Syncro API tokens): kept only in the OS
//! keychain — Windows Credential Manager, macOS Keychain, the Secret Service on Linux — via
//! the `keyring` crate, or in memory for tests and the demo workspace (DESIGN.md invariant 5).
//! Nothing here writes a secret to SQLite, a log, an error message or Debug output.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The keychain "service" under which AssetDesk's secrets are filed.
pub const KEYCHAIN_SERVICE: &str = "com.assetdesk.desktop";

/// Environment variable that supplies the secret for headless runs (scheduled CLI jobs, CI)
/// instead of the keychain.
pub const SECRET_ENV: &str = "ASSETDESK_SECRET";

/// A secret value. Its Debug and Display never show the value; read it with [`Secret::expose`]
/// only at the point where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why a secret could not be read or written. Messages name the fix; none contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no secret is stored for connection '{0}': enter it again in Settings (or set {SECRET_ENV} for headless runs)"
    )]
    Missing(String),
    #[error(
        "the OS keychain is not available ({0}). On Linux, install and unlock a Secret Service keyring (GNOME Keyring or KWallet); for scheduled jobs set {SECRET_ENV} instead"
    )]
    NoKeychain(String),
    #[error("the OS keychain refused the secret: {0}")]
    Rejected(String),
}

/// Where secrets live.
#[derive(Clone)]
pub struct SecretStore {
    backend: Backend,
    env_override: bool,
}

#[derive(Clone)]
enum Backend {
    /// The OS keychain (the default for the app and the CLI).
    Keychain,
    /// A process-local map: tests and the demo workspace (whose sandbox credentials are not
    /// secret and must not litter the user's keychain).
    Memory(Arc<Mutex<HashMap<String, Secret>>>),
    /// Nothing is stored: every secret comes from [`SECRET_ENV`]. For headless machines
    /// without a keychain (CI, containers); see [`SecretStore::env_only`].
    EnvOnly,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match &self.backend {
            Backend::Keychain => "keychain".to_owned(),
            Backend::Memory(m) => format!("memory ({} entries)", lock(m).len()),
            Backend::EnvOnly => "environment only".to_owned(),
        };
        f.debug_struct("SecretStore")
            .field("backend", &backend)
            .field("env_override", &self.env_override)
            .finish()
    }
}

impl SecretStore {
    /// The OS keychain.
    pub fn keychain() -> Self {
        SecretStore {
            backend: Backend::Keychain,
            env_override: false,
        }
    }

    /// A fresh, empty in-memory store.
    pub fn memory() -> Self {
        SecretStore {
            backend: Backend::Memory(Arc::default()),
            env_override: false,
        }
    }

    /// A store that keeps nothing and reads every secret from [`SECRET_ENV`]: for scheduled
    /// jobs on machines without a keychain. Writes and deletes succeed without storing
    /// anything (the secret must be supplied again on every run); a read without the variable
    /// is [`SecretError::Missing`].
    pub fn env_only() -> Self {
        SecretStore {
            backend: Backend::EnvOnly,
            env_override: true,
        }
    }

    /// True when [`SECRET_ENV`] is set and not empty.
    pub fn env_secret_present() -> bool {
        std::env::var_os(SECRET_ENV).is_some_and(|v| !v.is_empty())
    }

    /// Whether the backend can be used at all (the OS keychain is reachable and unlocked),
    /// without reading or writing a real secret: looks up an entry that does not exist.
    pub fn probe(&self) -> Result<(), SecretError> {
        match &self.backend {
            Backend::Keychain => match entry("assetdesk-keychain-probe")?.get_password() {
                Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(classify("assetdesk-keychain-probe", e)),
            },
            Backend::Memory(_) | Backend::EnvOnly => Ok(()),
        }
    }

    /// Lets [`SECRET_ENV`], when set and not empty, supply every secret read. Only the CLI
    /// turns this on (scheduled jobs without a keychain); the desktop app never does.
    pub fn with_env_override(mut self) -> Self {
        self.env_override = true;
        self
    }

    /// Stores (or replaces) the secret filed under `account`.
    pub fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
        match &self.backend {
            Backend::Keychain => entry(account)?
                .set_password(secret.expose())
                .map_err(|e| classify(account, e)),
            Backend::Memory(m) => {
                lock(m).insert(account.to_owned(), secret.clone());
                Ok(())
            }
            Backend::EnvOnly => Ok(()),
        }
    }

    /// The secret filed under `account`.
    pub fn get(&self, account: &str) -> Result<Secret, SecretError> {
        if self.env_override
            && let Some(v) = std::env::var_os(SECRET_ENV).filter(|v| !v.is_empty())
        {
            return Ok(Secret::new(v.to_string_lossy().into_owned()));
        }
        match &self.backend {
            Backend::Keychain => entry(account)?
                .get_password()
                .map(Secret::new)
                .map_err(|e| classify(account, e)),
            Backend::Memory(m) => lock(m)
                .get(account)
                .cloned()
                .ok_or_else(|| SecretError::Missing(account.to_owned())),
            Backend::EnvOnly => Err(SecretError::Missing(account.to_owned())),
        }
    }

    /// Removes the secret; removing one that is not there is not an error.
    pub fn delete(&self, account: &str) -> Result<(), SecretError> {
        match &self.backend {
            Backend::Keychain => match entry(account)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(classify(account, e)),
            },
            Backend::Memory(m) => {
                lock(m).remove(account);
                Ok(())
            }
            Backend::EnvOnly => Ok(()),
        }
    }
}

fn lock(m: &Mutex<HashMap<String, Secret>>) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
    // A panic while holding this lock cannot leave the map half-written; keep using it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn entry(account: &str) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(|e| classify(account, e))
}

fn classify(account: &str, err: keyring::Error) -> SecretError {
    match err {
        keyring::Error::NoEntry => SecretError::Missing(account.to_owned()),
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            SecretError::NoKeychain(e.to_string())
        }
        other => SecretError::Rejected(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        let store = SecretStore::memory();
        store.set("acct", &s).unwrap();
        assert!(!format!("{store:?}").contains("hunter2"));
    }

    #[test]
    fn memory_store_round_trip_and_missing_names_the_fix() {
        let store = SecretStore::memory();
        let err = store.get("conn-1").unwrap_err();
        assert!(err.to_string().contains("Settings"), "{err}");
        store.set("conn-1", &Secret::new("abc")).unwrap();
        assert_eq!(store.get("conn-1").unwrap().expose(), "abc");
        store.delete("conn-1").unwrap();
        store.delete("conn-1").unwrap();
        assert!(matches!(store.get("conn-1"), Err(SecretError::Missing(_))));
    }

    /// The real OS keychain. Needs a Secret Service; `cargo xtask test` runs it inside a
    /// private D-Bus session with an unlocked GNOME Keyring (tauri-feasibility.md §5).
    #[test]
    #[ignore = "needs an unlocked OS keychain; run by `cargo xtask test`"]
    fn os_keychain_round_trip() {
        let store = SecretStore::keychain();
        let account = format!("assetdesk-test-{}", std::process::id());
        store
            .set(&account, &Secret::new("s3cret"))
            .expect("set in the OS keychain");
        // A fresh Entry must see it: this is what the mock store cannot do.
        assert_eq!(store.get(&account).expect("get").expose(), "s3cret");
        store.delete(&account).expect("delete");
        assert!(matches!(store.get(&account), Err(SecretError::Missing(_))));
    }
}
