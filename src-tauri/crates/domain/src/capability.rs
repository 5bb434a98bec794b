//! Which provider can do what. The UI hides or explains what a provider cannot do; the sync
//! engine never sends an operation a provider lacks.

use serde::{Deserialize, Serialize};
use specta::Type;

/// The PSA a connection talks to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// HaloPSA (OAuth2 client credentials, `/api/Asset`).
    Halo,
    /// Syncro (API token, `/api/v1/customer_assets`).
    Syncro,
}

impl ProviderKind {
    /// Short label shown wherever two PSAs mix ("Halo" / "Syncro").
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::Halo => "Halo",
            ProviderKind::Syncro => "Syncro",
        }
    }

    /// Stable lowercase identifier used in storage and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Halo => "halo",
            ProviderKind::Syncro => "syncro",
        }
    }

    /// Parses [`ProviderKind::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "halo" => Some(ProviderKind::Halo),
            "syncro" => Some(ProviderKind::Syncro),
            _ => None,
        }
    }

    /// What this provider supports, per the reference fact sheets.
    pub fn capabilities(self) -> Capabilities {
        match self {
            // shared/reference/halopsa-api.md §4.1: POST array creates/updates, DELETE exists;
            // §4.3: parent_assets/child_assets arrays; §4.3: statuses are tenant data.
            ProviderKind::Halo => Capabilities {
                delete_asset: true,
                native_links: true,
                asset_status: true,
                multiple_users: true,
                sites: true,
                updated_since_filter: false,
            },
            // shared/reference/syncro-api.md §3.1: no asset DELETE; §3.6: no relation
            // (links live in a custom field); §3.3: no status field; one contact per asset.
            ProviderKind::Syncro => Capabilities {
                delete_asset: false,
                native_links: false,
                asset_status: false,
                multiple_users: false,
                sites: false,
                updated_since_filter: false,
            },
        }
    }
}

impl std::fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The capability table of one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Capabilities {
    /// The API can delete an asset.
    pub delete_asset: bool,
    /// Parent/child links are a native API concept (else kept in a custom field).
    pub native_links: bool,
    /// Assets carry a status from a status list.
    pub asset_status: bool,
    /// An asset can be assigned to several users.
    pub multiple_users: bool,
    /// Clients have sites and assets belong to one.
    pub sites: bool,
    /// The asset list can be filtered by "changed since" (else pulls are full passes).
    pub updated_since_filter: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syncro_cannot_delete_or_link_natively() {
        let c = ProviderKind::Syncro.capabilities();
        assert!(!c.delete_asset);
        assert!(!c.native_links);
        assert!(ProviderKind::Halo.capabilities().delete_asset);
    }

    #[test]
    fn kind_round_trips_through_str() {
        for k in [ProviderKind::Halo, ProviderKind::Syncro] {
            assert_eq!(ProviderKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ProviderKind::parse("connectwise"), None);
    }
}
