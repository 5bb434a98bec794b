//! Parent/child links on the [`Workspace`] façade (issue 10): a host with its VMs as a tree
//! the user edits — set a parent, add a child, move, unlink — with a search picker.
//!
//! Every link change is an ordinary local edit: one store transaction with its outbox entry
//! (DESIGN.md invariant 2), so it works offline; the engine sends a link only once the parent
//! has a remote id (a child link waits for its parent's create; `Store::next_runnable`).
//!
//! Rules checked here, before the store's own checks, so that the message can name both
//! assets: an asset cannot be its own parent; a parent inside the asset's own subtree would
//! make a loop ([`assetdesk_domain::closes_cycle`]); both assets must live in the same
//! connection (a PSA cannot link across tenants). A link across clients is allowed but warned.
//!
//! Where the link lives at the provider ([`LinkScope`]):
//! * HaloPSA writes it natively in the Device schema's `parent_assets` array
//!   (halopsa-api.md §4.3; `HaloClient::set_parent`).
//! * Syncro has no asset relation at all (syncro-api.md §3.6): the link goes into the custom
//!   asset field the connection maps for it ("Parent Asset ID" by default,
//!   `assetdesk_syncro::FieldMapping::parent_link`). Where no field is mapped, or the asset's
//!   type lacks it, Syncro cannot hold the link: it is kept in AssetDesk and the UI says so.

use std::collections::{HashMap, HashSet};

use assetdesk_domain::{AssetId, ConnectionId, ProviderKind, RemoteId, closes_cycle};
use assetdesk_store::{AssetFilter, LookupRef, PageRequest, Sort, SortKey, Store, StoreError};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::catalog::RowSyncState;
use crate::error::ErrorCode;
use crate::workspace::Workspace;

/// Nodes a tree carries at most (the focus asset's subtree); a larger one says so.
pub const MAX_TREE_NODES: usize = 500;

/// Candidates the search picker returns at most.
pub const MAX_CANDIDATES: u32 = 50;

/// Why a link read or change failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The link was refused; the message names both assets and the fix.
    #[error("{0}")]
    Refused(String),
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LinkError {
    /// The code callers branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            LinkError::Refused(_) | LinkError::InvalidInput { .. } => ErrorCode::InvalidInput,
            LinkError::Store(StoreError::UnknownAsset(_))
            | LinkError::Store(StoreError::UnknownConnection(_)) => ErrorCode::NotFound,
            LinkError::Store(StoreError::Invalid(_))
            | LinkError::Store(StoreError::InvalidState(_)) => ErrorCode::InvalidInput,
            LinkError::Store(_) => ErrorCode::Database,
        }
    }
}

/// Where an asset's parent link is stored at its provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkScope {
    /// Synced to the provider: natively (HaloPSA, `field` is `null`) or in the named
    /// custom asset field (Syncro).
    Provider {
        provider: ProviderKind,
        field: Option<String>,
    },
    /// The provider cannot hold this link: it stays in AssetDesk only. `reason` says why and
    /// how an admin can change that.
    LocalOnly { reason: String },
}

/// One asset in a link tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TreeAsset {
    pub id: i64,
    pub name: String,
    pub type_name: Option<String>,
    pub client_name: Option<String>,
    pub parent_id: Option<i64>,
    /// 0 for the topmost ancestor; the focus asset and its subtree continue from there.
    pub depth: u32,
    /// Direct children.
    pub child_count: u32,
    /// Children, grandchildren, … below this node; `null` for the ancestors above the focus
    /// asset (their other branches are not walked).
    pub descendant_count: Option<u32>,
    pub inactive: bool,
    pub sync_state: RowSyncState,
    /// Not yet created at the provider (its children's links wait for that create).
    pub local_only: bool,
}

/// An asset's place in its tree: the chain above it and its whole subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkTree {
    pub focus_id: i64,
    /// Root first, down to the focus asset's parent.
    pub ancestors: Vec<TreeAsset>,
    /// The focus asset first, then its subtree depth-first by name.
    pub nodes: Vec<TreeAsset>,
    /// True when the subtree has more than [`MAX_TREE_NODES`] nodes (the rest is not sent).
    pub truncated: bool,
    /// Where the focus asset's own link is stored.
    pub scope: LinkScope,
}

/// Which side of the link the picker chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LinkRole {
    /// Choose a parent for the asset ("Set parent", "Move").
    Parent,
    /// Choose an asset to put under it ("Add child").
    Child,
}

/// A search-picker request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkSearch {
    pub asset_id: i64,
    pub role: LinkRole,
    /// What the user typed (word prefixes); empty lists the first assets by name.
    pub query: String,
    /// 1..=50.
    pub limit: u32,
}

/// An asset the picker offers, with why it cannot be chosen when it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkCandidate {
    pub id: i64,
    pub name: String,
    pub type_name: Option<String>,
    pub client_name: Option<String>,
    /// Set when choosing it would be refused (self, a loop, already linked so).
    pub blocked: Option<String>,
    /// Set when choosing it is allowed but worth a second look (another client).
    pub warning: Option<String>,
}

/// What a link change did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkOutcome {
    pub child_id: i64,
    pub parent_id: Option<i64>,
    /// True when the change waits in the outbox (false: it was already so).
    pub queued: bool,
    /// Allowed but worth knowing (a link across clients).
    pub warnings: Vec<String>,
    /// How it will sync (waits for the parent's create; kept local in Syncro; …).
    pub notes: Vec<String>,
    pub scope: LinkScope,
}

fn quoted(name: &str) -> String {
    format!("\u{201c}{name}\u{201d}")
}

/// Where one connection's parent links live, per asset type: the one rule behind the UI's
/// [`LinkScope`], the engine's push (a link the provider cannot hold is acknowledged locally
/// instead of being sent and refused, which would block every later edit of the asset) and
/// its pull (such a link survives a re-pull of the asset, which carries no parent).
#[derive(Debug, Clone)]
pub(crate) struct LinkRule {
    kind: ProviderKind,
    /// Syncro: the custom asset field links are written to; `None` when none is mapped.
    field: Option<String>,
    /// Syncro asset types (remote id → name) that lack `field`.
    without_field: HashMap<RemoteId, String>,
}

impl LinkRule {
    /// The rule of a connection of `kind` as its cached lookups describe it. The lookups are
    /// read for Syncro only: HaloPSA holds every link natively.
    pub(crate) fn load(
        store: &Store,
        connection: &ConnectionId,
        kind: ProviderKind,
    ) -> Result<Self, StoreError> {
        // syncro-api.md §3.6: no relation; a mapped custom asset field holds the parent id.
        let field = match kind {
            ProviderKind::Halo => None,
            ProviderKind::Syncro => assetdesk_syncro::FieldMapping::default().parent_link,
        };
        let without_field = match (&kind, &field) {
            (ProviderKind::Syncro, Some(field)) => store
                .lookups(connection)?
                .types
                .into_iter()
                .filter(|t| !t.fields.iter().any(|f| &f.key == field))
                .map(|t| (t.remote_id, t.name))
                .collect(),
            _ => HashMap::new(),
        };
        Ok(LinkRule {
            kind,
            field,
            without_field,
        })
    }

    /// Where the link of an asset of `type_id` is stored. An unknown type (none set, or not
    /// in the cached lookups) is given the benefit of the doubt: the provider is asked.
    pub(crate) fn scope(&self, type_id: Option<RemoteId>) -> LinkScope {
        match self.kind {
            // halopsa-api.md §4.3: `parent_assets` on the Device schema.
            ProviderKind::Halo => LinkScope::Provider {
                provider: ProviderKind::Halo,
                field: None,
            },
            // syncro-api.md §3.6: no relation; only a custom field can hold the link.
            ProviderKind::Syncro => {
                let Some(field) = &self.field else {
                    return LinkScope::LocalOnly {
                        reason: "Syncro has no asset relations and this connection maps no parent link field, so the link stays in AssetDesk.".into(),
                    };
                };
                match type_id.and_then(|t| self.without_field.get(&t)) {
                    Some(type_name) => LinkScope::LocalOnly {
                        reason: format!(
                            "Syncro has no asset relations; AssetDesk stores links in the custom asset field {}, which the asset type {} does not have, so the link stays in AssetDesk. An admin can add the field to that type in Syncro (see README, \"Parent links in Syncro\").",
                            quoted(field),
                            quoted(type_name)
                        ),
                    },
                    None => LinkScope::Provider {
                        provider: ProviderKind::Syncro,
                        field: Some(field.clone()),
                    },
                }
            }
        }
    }

    /// True when the provider cannot hold the link of an asset of `type_id`: the link is
    /// kept in AssetDesk only (never sent, never cleared by a pull).
    pub(crate) fn stays_local(&self, type_id: Option<RemoteId>) -> bool {
        match self.kind {
            ProviderKind::Halo => false,
            ProviderKind::Syncro => {
                self.field.is_none() || type_id.is_some_and(|t| self.without_field.contains_key(&t))
            }
        }
    }

    /// Whether [`Self::stays_local`] holds for any asset type at all (cheap: no asset read
    /// is needed to decide a HaloPSA link, or a Syncro link when every type has the field).
    pub(crate) fn can_stay_local(&self) -> bool {
        match self.kind {
            ProviderKind::Halo => false,
            ProviderKind::Syncro => self.field.is_none() || !self.without_field.is_empty(),
        }
    }

    /// Which asset types [`Self::stays_local`] holds for, as a store filter: `None` when no
    /// asset's link can stay local, `Some(empty)` when every asset's does (no field mapped).
    pub(crate) fn local_types(&self, connection: &ConnectionId) -> Option<Vec<LookupRef>> {
        match self.kind {
            ProviderKind::Halo => None,
            ProviderKind::Syncro if self.field.is_none() => Some(Vec::new()),
            ProviderKind::Syncro if self.without_field.is_empty() => None,
            ProviderKind::Syncro => Some(
                self.without_field
                    .keys()
                    .map(|t| LookupRef {
                        connection_id: connection.clone(),
                        remote_id: *t,
                    })
                    .collect(),
            ),
        }
    }
}

impl Workspace {
    /// Where links of assets of `type_id` in `connection` are stored at the provider.
    fn link_scope(
        &self,
        connection: &ConnectionId,
        type_id: Option<i64>,
    ) -> Result<LinkScope, LinkError> {
        let kind = self.store().connection(connection)?.kind;
        Ok(LinkRule::load(self.store(), connection, kind)?.scope(type_id))
    }

    /// The tree around an asset: its ancestors (root first), itself and its subtree, with
    /// child and descendant counts, and where its link is stored.
    pub fn link_tree(&self, id: i64) -> Result<LinkTree, LinkError> {
        let store = self.store();
        let record = store.asset(AssetId(id))?;
        let asset = &record.asset;
        let lookups = store.lookups(&asset.connection_id)?;
        let type_name = asset
            .fields
            .type_id
            .and_then(|t| lookups.types.iter().find(|x| x.remote_id == t))
            .map(|t| t.name.clone());
        let client_name = asset
            .fields
            .client_id
            .and_then(|c| lookups.clients.iter().find(|x| x.remote_id == c))
            .map(|c| c.name.clone());

        let mut ancestors: Vec<TreeAsset> = store
            .ancestors(AssetId(id))?
            .into_iter()
            .rev()
            .map(|s| TreeAsset {
                id: s.id.0,
                name: s.name,
                type_name: s.type_name,
                client_name: s.client_name,
                parent_id: s.parent_id.map(|p| p.0),
                depth: 0,
                child_count: 0,
                descendant_count: None,
                inactive: s.inactive,
                sync_state: s.sync_state.into(),
                local_only: s.remote_id.is_none(),
            })
            .collect();
        for (depth, a) in (0u32..).zip(ancestors.iter_mut()) {
            a.depth = depth;
        }
        let base = u32::try_from(ancestors.len()).unwrap_or(u32::MAX);

        let mut below = store.descendants(AssetId(id))?;
        let truncated = below.len() > MAX_TREE_NODES;
        below.truncate(MAX_TREE_NODES);
        let mut nodes = Vec::with_capacity(below.len() + 1);
        nodes.push(TreeAsset {
            id,
            name: asset.fields.name.clone(),
            type_name,
            client_name,
            parent_id: asset.parent_id.map(|p| p.0),
            depth: base,
            child_count: 0,
            descendant_count: Some(0),
            inactive: asset.fields.inactive,
            sync_state: record.sync_state.into(),
            local_only: asset.remote_id.is_none(),
        });
        nodes.extend(below.into_iter().map(|n| TreeAsset {
            id: n.asset.id.0,
            name: n.asset.name,
            type_name: n.asset.type_name,
            client_name: n.asset.client_name,
            parent_id: n.asset.parent_id.map(|p| p.0),
            depth: base + n.depth,
            child_count: 0,
            descendant_count: Some(0),
            inactive: n.asset.inactive,
            sync_state: n.asset.sync_state.into(),
            local_only: n.asset.remote_id.is_none(),
        }));
        count_subtrees(&mut nodes);
        let ids: Vec<AssetId> = ancestors.iter().map(|a| AssetId(a.id)).collect();
        let counts = store.child_counts(&ids)?;
        for a in &mut ancestors {
            let n = counts.get(&AssetId(a.id)).copied().unwrap_or(0);
            a.child_count = u32::try_from(n).unwrap_or(u32::MAX);
        }
        Ok(LinkTree {
            focus_id: id,
            ancestors,
            nodes,
            truncated,
            scope: self.link_scope(&asset.connection_id, asset.fields.type_id)?,
        })
    }

    /// Sets, moves or clears (`parent: None`) the parent of `child`. "Add child" is the same
    /// call from the parent's side. Refuses a self-link, a loop and a link across connections
    /// with a message naming both assets; warns about a link across clients.
    pub fn set_parent(
        &self,
        child: i64,
        parent: Option<i64>,
        actor: &str,
    ) -> Result<LinkOutcome, LinkError> {
        let store = self.store();
        let c = store.asset(AssetId(child))?;
        if c.deleted {
            return Err(LinkError::Refused(format!(
                "{} is deleted; restore it before linking it",
                quoted(&c.asset.fields.name)
            )));
        }
        let child_name = quoted(&c.asset.fields.name);
        let mut warnings = Vec::new();
        let mut notes = Vec::new();
        if let Some(p) = parent {
            if p == child {
                return Err(LinkError::Refused(format!(
                    "{child_name} cannot be its own parent: choose another asset"
                )));
            }
            let pr = store.asset(AssetId(p))?;
            let parent_name = quoted(&pr.asset.fields.name);
            if pr.deleted {
                return Err(LinkError::Refused(format!(
                    "{parent_name} is deleted: choose another parent for {child_name}"
                )));
            }
            if pr.asset.connection_id != c.asset.connection_id {
                let name_of = |id: &ConnectionId| {
                    store
                        .connection(id)
                        .map(|x| x.name)
                        .unwrap_or_else(|_| id.0.clone())
                };
                return Err(LinkError::Refused(format!(
                    "{child_name} is in {} and {parent_name} is in {}: a parent must be in the same connection",
                    quoted(&name_of(&c.asset.connection_id)),
                    quoted(&name_of(&pr.asset.connection_id)),
                )));
            }
            let chain = store.ancestors(AssetId(p))?;
            let chain_ids: Vec<AssetId> = chain.iter().map(|s| s.id).collect();
            if closes_cycle(AssetId(child), AssetId(p), &chain_ids) {
                return Err(LinkError::Refused(format!(
                    "{parent_name} is already inside {child_name}'s tree, so {child_name} cannot go under it (that would make a loop): choose a parent outside its tree, or move {parent_name} out first"
                )));
            }
            if pr.asset.fields.client_id != c.asset.fields.client_id {
                let lookups = store.lookups(&c.asset.connection_id)?;
                let client = |id: Option<i64>| {
                    id.and_then(|i| lookups.clients.iter().find(|x| x.remote_id == i))
                        .map_or_else(|| "no client".to_owned(), |x| quoted(&x.name))
                };
                warnings.push(format!(
                    "{child_name} ({}) now sits under {parent_name} ({}): the link crosses clients",
                    client(c.asset.fields.client_id),
                    client(pr.asset.fields.client_id)
                ));
            }
            if pr.asset.remote_id.is_none() {
                notes.push(format!(
                    "{parent_name} is not created at the provider yet: the link is sent right after it is"
                ));
            }
        }
        let out = store
            .set_parent(AssetId(child), parent.map(AssetId), actor)
            .map_err(|e| match e {
                StoreError::Invalid(report) => LinkError::Refused(
                    report
                        .findings
                        .into_iter()
                        .map(|f| f.message)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                other => LinkError::Store(other),
            })?;
        let scope = self.link_scope(&c.asset.connection_id, c.asset.fields.type_id)?;
        if let LinkScope::LocalOnly { reason } = &scope {
            notes.push(reason.clone());
        }
        Ok(LinkOutcome {
            child_id: child,
            parent_id: parent,
            queued: out.client_op_id.is_some(),
            warnings,
            notes,
            scope,
        })
    }

    /// The search picker: assets of the same connection matching `query`, each marked with
    /// why it cannot be chosen (itself, a loop, already so linked) or what to double-check
    /// (another client).
    pub fn link_candidates(&self, req: &LinkSearch) -> Result<Vec<LinkCandidate>, LinkError> {
        if req.limit == 0 || req.limit > MAX_CANDIDATES {
            return Err(LinkError::InvalidInput {
                field: "limit",
                message: format!(
                    "ask for 1 to {MAX_CANDIDATES} candidates, not {}",
                    req.limit
                ),
            });
        }
        let store = self.store();
        let me = store.asset(AssetId(req.asset_id))?;
        let search = Some(req.query.trim())
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        let page = store.list_assets(
            &AssetFilter {
                connections: vec![me.asset.connection_id.clone()],
                search,
                ..AssetFilter::default()
            },
            &PageRequest {
                sort: Sort {
                    key: SortKey::Name,
                    descending: false,
                },
                after: None,
                limit: req.limit,
            },
        )?;
        // Which candidates would close a loop: for a parent, anything in my subtree; for a
        // child, any of my ancestors.
        let (loop_ids, loop_reason): (HashSet<i64>, &str) = match req.role {
            LinkRole::Parent => (
                store
                    .descendants(AssetId(req.asset_id))?
                    .into_iter()
                    .map(|n| n.asset.id.0)
                    .collect(),
                "inside this asset's tree (would make a loop)",
            ),
            LinkRole::Child => (
                store
                    .ancestors(AssetId(req.asset_id))?
                    .into_iter()
                    .map(|s| s.id.0)
                    .collect(),
                "above this asset in its tree (would make a loop)",
            ),
        };
        let my_client = me.asset.fields.client_id;
        let my_parent = me.asset.parent_id.map(|p| p.0);
        Ok(page
            .rows
            .into_iter()
            .map(|s| {
                let blocked = if s.id.0 == req.asset_id {
                    Some("this asset itself".to_owned())
                } else if loop_ids.contains(&s.id.0) {
                    Some(loop_reason.to_owned())
                } else if req.role == LinkRole::Parent && my_parent == Some(s.id.0) {
                    Some("already its parent".to_owned())
                } else if req.role == LinkRole::Child
                    && s.parent_id.map(|p| p.0) == Some(req.asset_id)
                {
                    Some("already its child".to_owned())
                } else {
                    None
                };
                let warning = (blocked.is_none() && s.client_id != my_client)
                    .then(|| "another client: the link would cross clients".to_owned());
                LinkCandidate {
                    id: s.id.0,
                    name: s.name,
                    type_name: s.type_name,
                    client_name: s.client_name,
                    blocked,
                    warning,
                }
            })
            .collect())
    }
}

/// Fills `child_count` and `descendant_count` from the parent ids of a depth-first list.
fn count_subtrees(nodes: &mut [TreeAsset]) {
    let index: HashMap<i64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let parents: Vec<Option<usize>> = nodes
        .iter()
        .map(|n| n.parent_id.and_then(|p| index.get(&p).copied()))
        .collect();
    for (i, parent) in parents.iter().enumerate() {
        if let Some(p) = *parent {
            nodes[p].child_count += 1;
        }
        // Walk up: every ancestor in the list gains one descendant.
        let mut up = *parent;
        let mut guard = 0;
        while let Some(a) = up {
            if let Some(d) = nodes[a].descendant_count.as_mut() {
                *d += 1;
            }
            up = parents[a];
            guard += 1;
            if guard > nodes.len() || a == i {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::fixtures::*;

    fn halo_tree(ws: &Workspace) {
        // host(1) ─ vm-a(2) ─ app(4);  host ─ vm-b(3);  other-host(5) of another client.
        pull(
            ws,
            HALO,
            vec![
                Row::new(1, "host", 1),
                Row::new(2, "vm-a", 1).under(1),
                Row::new(3, "vm-b", 1).under(1),
                Row::new(4, "app", 1).under(2),
                Row::new(5, "other-host", 2),
            ],
        );
    }

    #[test]
    fn self_links_and_cycles_are_refused_naming_both_assets() {
        let (_d, ws) = workspace();
        halo_tree(&ws);
        let host = local(&ws, HALO, 1);
        let app = local(&ws, HALO, 4);

        let e = ws.set_parent(host, Some(host), "t").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(
            e.to_string()
                .contains("\u{201c}host\u{201d} cannot be its own parent"),
            "{e}"
        );

        let e = ws.set_parent(host, Some(app), "t").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("\u{201c}app\u{201d}") && msg.contains("\u{201c}host\u{201d}"),
            "{msg}"
        );
        assert!(msg.contains("loop"), "{msg}");
        // Nothing was queued by the refused attempts.
        assert_eq!(
            ws.store().asset(AssetId(host)).unwrap().asset.parent_id,
            None
        );
        assert!(!crate::has_open_ops(ws.store(), AssetId(host)).unwrap());
    }

    #[test]
    fn links_across_connections_are_refused_and_across_clients_warned() {
        let (_d, ws) = workspace();
        halo_tree(&ws);
        pull(&ws, SYNCRO, vec![Row::new(1, "syncro-box", 1)]);
        let vm_b = local(&ws, HALO, 3);
        let other = local(&ws, HALO, 5);
        let syncro_box = local(&ws, SYNCRO, 1);

        let e = ws.set_parent(vm_b, Some(syncro_box), "t").unwrap_err();
        assert!(
            e.to_string().contains("Contoso Halo") && e.to_string().contains("Acme Syncro"),
            "{e}"
        );

        let out = ws.set_parent(vm_b, Some(other), "t").unwrap();
        assert!(out.queued);
        assert_eq!(out.warnings.len(), 1);
        assert!(
            out.warnings[0].contains("Alpha Dental") && out.warnings[0].contains("Beta Law"),
            "{:?}",
            out.warnings
        );
        assert_eq!(
            out.scope,
            LinkScope::Provider {
                provider: ProviderKind::Halo,
                field: None
            }
        );
        let record = ws.store().asset(AssetId(vm_b)).unwrap();
        assert_eq!(record.asset.parent_id, Some(AssetId(other)));
        assert_eq!(record.sync_state, assetdesk_store::SyncState::Pending);

        // Unlink.
        let out = ws.set_parent(vm_b, None, "t").unwrap();
        assert!(out.queued && out.parent_id.is_none());
        assert_eq!(
            ws.store().asset(AssetId(vm_b)).unwrap().asset.parent_id,
            None
        );
    }

    #[test]
    fn the_tree_has_ancestors_subtree_and_counts() {
        let (_d, ws) = workspace();
        halo_tree(&ws);
        let vm_a = local(&ws, HALO, 2);
        let t = ws.link_tree(vm_a).unwrap();
        let anc: Vec<(&str, u32, u32)> = t
            .ancestors
            .iter()
            .map(|a| (a.name.as_str(), a.depth, a.child_count))
            .collect();
        assert_eq!(anc, [("host", 0, 2)]);
        let nodes: Vec<(&str, u32, u32, Option<u32>)> = t
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.depth, n.child_count, n.descendant_count))
            .collect();
        assert_eq!(nodes, [("vm-a", 1, 1, Some(1)), ("app", 2, 0, Some(0))]);
        assert!(!t.truncated);

        let host = ws.link_tree(local(&ws, HALO, 1)).unwrap();
        assert_eq!(host.nodes[0].child_count, 2);
        assert_eq!(host.nodes[0].descendant_count, Some(3));
    }

    #[test]
    fn the_picker_marks_what_cannot_be_chosen() {
        let (_d, ws) = workspace();
        halo_tree(&ws);
        let vm_a = local(&ws, HALO, 2);
        let pick = |role, query: &str| {
            ws.link_candidates(&LinkSearch {
                asset_id: vm_a,
                role,
                query: query.into(),
                limit: 50,
            })
            .unwrap()
        };
        let parents = pick(LinkRole::Parent, "");
        let reason = |name: &str| {
            parents
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.blocked.clone())
        };
        assert_eq!(reason("vm-a").as_deref(), Some("this asset itself"));
        assert!(reason("app").unwrap().contains("loop"));
        assert_eq!(reason("host").as_deref(), Some("already its parent"));
        assert_eq!(reason("vm-b"), None);
        let other = parents.iter().find(|c| c.name == "other-host").unwrap();
        assert!(other.warning.as_deref().unwrap().contains("another client"));

        let children = pick(LinkRole::Child, "ho");
        let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
        // Word prefixes: "ho" matches "host" and the second word of "other-host".
        assert_eq!(names, ["host", "other-host"]);
        let host = children.iter().find(|c| c.name == "host").unwrap();
        assert!(host.blocked.as_deref().unwrap().contains("loop"));
        assert!(
            ws.link_candidates(&LinkSearch {
                asset_id: vm_a,
                role: LinkRole::Child,
                query: String::new(),
                limit: 0
            })
            .is_err()
        );
    }

    #[test]
    fn a_link_to_an_unsynced_parent_waits_for_its_create() {
        let (_d, ws) = workspace();
        halo_tree(&ws);
        let new_host = ws
            .store()
            .create_asset(
                &assetdesk_store::NewAsset {
                    connection_id: ConnectionId(HALO.into()),
                    fields: assetdesk_domain::AssetFields {
                        name: "new-host".into(),
                        client_id: Some(1),
                        type_id: Some(SYNCRO_LINKED_TYPE),
                        ..Default::default()
                    },
                    parent_id: None,
                },
                "t",
            )
            .unwrap()
            .asset_id;
        let vm_b = local(&ws, HALO, 3);
        let out = ws.set_parent(vm_b, Some(new_host.0), "t").unwrap();
        assert!(
            out.notes
                .iter()
                .any(|n| n.contains("not created at the provider yet")),
            "{:?}",
            out.notes
        );
        // The engine sends the create first; the link op is not runnable before it.
        let runnable = ws.store().next_runnable(i64::MAX, 10).unwrap();
        let ids: Vec<AssetId> = runnable.iter().map(|op| op.asset_id).collect();
        assert_eq!(
            ids,
            [new_host],
            "only the create runs; the link waits for it"
        );
        let tree = ws.link_tree(new_host.0).unwrap();
        assert!(tree.nodes[0].local_only);
        assert_eq!(tree.nodes[1].name, "vm-b");
    }

    #[test]
    fn syncro_links_stay_local_where_the_type_lacks_the_field() {
        let (_d, ws) = workspace();
        pull(
            &ws,
            SYNCRO,
            vec![
                Row::new(1, "server", 1).typed(SYNCRO_LINKED_TYPE),
                Row::new(2, "vm", 1).typed(SYNCRO_LINKED_TYPE),
                Row::new(3, "laptop", 1).typed(SYNCRO_PLAIN_TYPE),
            ],
        );
        let server = local(&ws, SYNCRO, 1);
        let out = ws
            .set_parent(local(&ws, SYNCRO, 2), Some(server), "t")
            .unwrap();
        assert_eq!(
            out.scope,
            LinkScope::Provider {
                provider: ProviderKind::Syncro,
                field: Some("Parent Asset ID".into())
            }
        );
        let out = ws
            .set_parent(local(&ws, SYNCRO, 3), Some(server), "t")
            .unwrap();
        match &out.scope {
            LinkScope::LocalOnly { reason } => {
                assert!(
                    reason.contains("Parent Asset ID") && reason.contains("Laptop"),
                    "{reason}"
                )
            }
            other => panic!("expected a local-only link, got {other:?}"),
        }
        assert!(out.notes.iter().any(|n| n.contains("stays in AssetDesk")));
    }

    /// A Syncro sandbox account, and workspaces syncing against it as one connection.
    struct SyncroRig {
        server: assetdesk_sandbox::syncro::SyncroServer,
        remote: crate::Remote,
        conn: ConnectionId,
    }

    impl SyncroRig {
        /// 2 customers, 30 assets of every type (computers have the "Parent Asset ID"
        /// field; network devices and printers do not), no rate limit.
        async fn start() -> Self {
            use std::sync::Arc;

            use assetdesk_sandbox::syncro::{SyncroConfig, start};
            use assetdesk_syncro::{ApiToken, SyncroClient, SyncroSettings};

            let server = start(SyncroConfig {
                seed: 11,
                customers: 2,
                assets: 30,
                tickets: 0,
                rate_limit: None,
                ..SyncroConfig::default()
            })
            .await
            .expect("sandbox starts");
            let conn = ConnectionId("syncro-rt".into());
            let mut settings =
                SyncroSettings::new(conn.clone(), server.api_base()).expect("loopback URL");
            settings.rate = None;
            let remote = crate::Remote::Syncro(Arc::new(
                SyncroClient::new(settings, ApiToken::new(server.token())).expect("client"),
            ));
            SyncroRig {
                server,
                remote,
                conn,
            }
        }

        /// A workspace in `dir` with the rig's connection configured.
        fn open(&self, dir: &std::path::Path) -> Workspace {
            let ws = Workspace::open(dir).expect("workspace");
            ws.store()
                .upsert_connection(&assetdesk_domain::Connection {
                    id: self.conn.clone(),
                    kind: ProviderKind::Syncro,
                    name: "Round trip".into(),
                    base_url: self.server.api_base().into(),
                    auth_url: None,
                    tenant: None,
                    client_id: None,
                    secret_ref: "rt".into(),
                    demo: false,
                })
                .expect("connection");
            ws
        }

        /// One full sync (push, then pull), asserted to end without error.
        async fn sync(&self, ws: &Workspace, what: &str) -> crate::SyncReport {
            let report = crate::sync_connection(
                ws.store(),
                &self.remote,
                &self.conn,
                &crate::SyncOptions::default(),
                &Default::default(),
                None,
            )
            .await;
            assert!(report.error.is_none(), "{what}: {:?}", report.error);
            report
        }

        /// Asset types of the synced account with or without the link field.
        fn types(&self, ws: &Workspace, with_field: bool) -> Vec<i64> {
            ws.store()
                .lookups(&self.conn)
                .unwrap()
                .types
                .iter()
                .filter(|t| t.fields.iter().any(|f| f.key == "Parent Asset ID") == with_field)
                .map(|t| t.remote_id)
                .collect()
        }

        /// An unlinked, childless asset of one of `child_types` and another asset of the
        /// same customer to put it under.
        fn pair(
            &self,
            ws: &Workspace,
            child_types: &[i64],
            host_types: &[i64],
        ) -> (assetdesk_store::AssetSummary, assetdesk_store::AssetSummary) {
            let page = ws
                .store()
                .list_assets(
                    &AssetFilter::default(),
                    &PageRequest {
                        limit: 500,
                        ..PageRequest::default()
                    },
                )
                .unwrap();
            let unlinked = |types: &[i64], r: &&assetdesk_store::AssetSummary| {
                r.parent_id.is_none()
                    && !r.has_children
                    && r.type_id.is_some_and(|t| types.contains(&t))
            };
            page.rows
                .iter()
                .filter(|r| unlinked(child_types, r))
                .find_map(|child| {
                    page.rows
                        .iter()
                        .filter(|r| unlinked(host_types, r))
                        .find(|host| host.id != child.id && host.client_id == child.client_id)
                        .map(|host| (child.clone(), host.clone()))
                })
                .expect("two assets of one customer of the wanted types")
        }
    }

    /// The Syncro link field round-trips: a link made here is written to the asset's
    /// "Parent Asset ID" custom field (syncro-api.md §3.6), and a fresh cache pulling the
    /// account resolves it back into the same parent.
    #[tokio::test]
    async fn syncro_parent_field_round_trips_through_the_sandbox() {
        let rig = SyncroRig::start().await;
        let server = &rig.server;
        let conn = rig.conn.clone();

        let dir_a = tempfile::tempdir().unwrap();
        let ws = rig.open(dir_a.path());
        rig.sync(&ws, "first sync").await;

        // Two unlinked assets of one customer whose type has the link field (computers).
        let linked_types = rig.types(&ws, true);
        let (vm, host) = rig.pair(&ws, &linked_types, &linked_types);
        let host_remote = host.remote_id.unwrap();
        let vm_remote = vm.remote_id.unwrap();

        let out = ws.set_parent(vm.id.0, Some(host.id.0), "t").unwrap();
        assert_eq!(
            out.scope,
            LinkScope::Provider {
                provider: ProviderKind::Syncro,
                field: Some("Parent Asset ID".into())
            }
        );
        rig.sync(&ws, "push").await;
        assert!(
            !crate::has_open_ops(ws.store(), vm.id).unwrap(),
            "the link op was acknowledged"
        );
        let json = server
            .handle()
            .asset_json(vm_remote)
            .expect("asset at the sandbox");
        assert_eq!(
            json["properties"]["Parent Asset ID"],
            serde_json::json!(host_remote.to_string()),
            "Syncro holds the link in the custom field: {json}"
        );

        // A second machine (a fresh cache) reads the link back.
        let dir_b = tempfile::tempdir().unwrap();
        let fresh = rig.open(dir_b.path());
        rig.sync(&fresh, "fresh pull").await;
        let vm_b = fresh
            .store()
            .asset_by_remote(&conn, vm_remote)
            .unwrap()
            .unwrap();
        let host_b = fresh
            .store()
            .asset_by_remote(&conn, host_remote)
            .unwrap()
            .unwrap();
        assert_eq!(vm_b.asset.parent_id, Some(host_b.asset.id));
        let tree = fresh.link_tree(host_b.asset.id.0).unwrap();
        assert!(
            tree.nodes
                .iter()
                .any(|n| n.id == vm_b.asset.id.0 && n.depth == 1)
        );
    }

    /// A link the Syncro asset's type cannot hold (no "Parent Asset ID" field) is
    /// acknowledged without a request and survives every later sync: a re-pull of the
    /// asset (Syncro sends it without a parent), a remote change to it, and a local edit of
    /// it, which syncs rather than being blocked behind a refused link.
    #[tokio::test]
    async fn syncro_links_the_type_cannot_hold_stay_local_through_syncs() {
        use assetdesk_domain::{AssetField, Patch};
        use assetdesk_store::SyncState;
        use serde_json::json;

        let rig = SyncroRig::start().await;
        let sandbox = rig.server.handle();
        let dir = tempfile::tempdir().unwrap();
        let ws = rig.open(dir.path());
        rig.sync(&ws, "first sync").await;

        // A printer or network device under a computer of the same customer.
        let (child, host) = rig.pair(&ws, &rig.types(&ws, false), &rig.types(&ws, true));
        let child_remote = child.remote_id.unwrap();
        let out = ws.set_parent(child.id.0, Some(host.id.0), "t").unwrap();
        assert!(out.queued);
        assert!(
            matches!(out.scope, LinkScope::LocalOnly { .. }),
            "{:?}",
            out.scope
        );
        let state = |ws: &Workspace| {
            let r = ws.store().asset(child.id).unwrap();
            (r.asset.parent_id, r.sync_state)
        };
        let settled = |ws: &Workspace, what: &str| {
            assert_eq!(state(ws), (Some(host.id), SyncState::Synced), "{what}");
            assert!(
                !crate::has_open_ops(ws.store(), child.id).unwrap(),
                "{what}: nothing left in the outbox (no failed op)"
            );
        };

        // Push: acknowledged here, nothing sent to Syncro; the pull that follows in the same
        // sync (the ack forgot the row's hash, so it is re-applied) keeps the link.
        sandbox.reset_counters();
        let report = rig.sync(&ws, "push the link").await;
        assert_eq!((report.push.acked, report.push.rejected), (1, 0));
        assert_eq!(report.queued_ops, 0);
        assert_eq!(
            sandbox.count("PUT /customer_assets/{id}"),
            0,
            "no provider write for a link the type cannot hold"
        );
        let json = sandbox
            .asset_json(child_remote)
            .expect("asset at the sandbox");
        assert!(
            json["properties"].get("Parent Asset ID").is_none(),
            "Syncro was not given the link: {json}"
        );
        settled(&ws, "after the push");

        // The carried link is part of the content hash: an unchanged account pulls unchanged.
        let report = rig.sync(&ws, "quiet sync").await;
        assert_eq!(report.pull.updated, 0, "{:?}", report.pull);
        settled(&ws, "after a quiet sync");

        // Someone renames the asset in Syncro: the re-pulled row takes the name, keeps the link.
        assert!(sandbox.remote_edit(child_remote, "name", json!("renamed in Syncro")));
        let report = rig.sync(&ws, "remote change").await;
        assert_eq!(report.pull.updated, 1, "{:?}", report.pull);
        assert_eq!(
            ws.store().asset(child.id).unwrap().asset.fields.name,
            "renamed in Syncro"
        );
        settled(&ws, "after a remote change");

        // A later local edit of the asset is sent (not blocked) and its ack keeps the link.
        let patch = Patch::from([(AssetField::Name, json!("edited here"))]);
        ws.store().update_asset(child.id, &patch, "t").unwrap();
        let report = rig.sync(&ws, "push an edit").await;
        assert_eq!((report.push.acked, report.push.rejected), (1, 0));
        assert_eq!(
            sandbox.asset_json(child_remote).unwrap()["name"],
            json!("edited here")
        );
        settled(&ws, "after a local edit");
        let report = rig.sync(&ws, "quiet sync after the edit").await;
        assert_eq!(report.pull.updated, 0, "{:?}", report.pull);
        settled(&ws, "after a quiet sync following the edit");
        let tree = ws.link_tree(host.id.0).unwrap();
        assert!(
            tree.nodes
                .iter()
                .any(|n| n.id == child.id.0 && n.depth == 1)
        );
    }

    #[test]
    fn the_link_rule_names_the_types_whose_links_stay_local() {
        let (_d, ws) = workspace();
        let syncro = ConnectionId(SYNCRO.into());
        let rule = LinkRule::load(ws.store(), &syncro, ProviderKind::Syncro).unwrap();
        assert!(rule.can_stay_local());
        assert!(rule.stays_local(Some(SYNCRO_PLAIN_TYPE)));
        // The type holds the field; an unknown or missing type is left to the provider.
        assert!(!rule.stays_local(Some(SYNCRO_LINKED_TYPE)));
        assert!(!rule.stays_local(Some(999)));
        assert!(!rule.stays_local(None));
        let types = rule.local_types(&syncro).unwrap();
        assert_eq!(
            types.iter().map(|t| t.remote_id).collect::<Vec<_>>(),
            [SYNCRO_PLAIN_TYPE]
        );

        // HaloPSA holds every link natively, whatever the type.
        let halo = ConnectionId(HALO.into());
        let rule = LinkRule::load(ws.store(), &halo, ProviderKind::Halo).unwrap();
        assert!(!rule.can_stay_local());
        assert!(!rule.stays_local(Some(SYNCRO_PLAIN_TYPE)));
        assert!(rule.local_types(&halo).is_none());
    }
}
