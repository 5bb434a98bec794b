//! Read queries: filtered, sorted, keyset-paged lists; word-prefix and substring search;
//! facet counts; totals; ancestors and descendants. All run on the read pool, so they never
//! wait for a pull page or an edit (WAL).
//!
//! Keyset pagination (sync-perf-anchors.md §1.4, "no offset"): a page ends with a
//! [`Cursor`] of (sort value, id); the next page starts strictly after it, so rows inserted
//! or deleted meanwhile never shift the window (no skipped or repeated rows).
//!
//! Index coverage at 1M rows: `Name` sorts walk an index (globally and per client); search
//! sorted by `Id` is driven by the FTS index and stops after one page; a search sorted by
//! name walks the name index when it matches a large share of the cache (`dense_search`).
//! Other sorts are exact but sort the filtered set, so they are fast once filters narrow it.
//! Every page picks its ids first and joins lookup names only for them (`list_in`).

use assetdesk_domain::{Asset, AssetId, ConnectionId, RemoteId};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::Store;
use crate::edit::MAX_DEPTH;
use crate::error::Result;
use crate::rows::{ASSET_COLS, load, read_stored};
use crate::types::SyncState;

/// A lookup (client, site, type, status) by its connection and provider id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LookupRef {
    pub connection_id: ConnectionId,
    pub remote_id: RemoteId,
}

/// Warranty filters. "Today" comes from the caller (the UI's calendar day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WarrantyFilter {
    /// Warranty ended before `today`.
    Expired { today: NaiveDate },
    /// Warranty ends between `today` and `today + days` (inclusive).
    ExpiresWithin { today: NaiveDate, days: u32 },
    /// Warranty ends between `from` and `to` (inclusive).
    EndsBetween { from: NaiveDate, to: NaiveDate },
    /// No warranty end recorded.
    Unknown,
}

/// Which assets to show. Empty lists and `None` mean "any". Deleted assets never show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssetFilter {
    pub connections: Vec<ConnectionId>,
    pub clients: Vec<LookupRef>,
    pub sites: Vec<LookupRef>,
    pub types: Vec<LookupRef>,
    pub statuses: Vec<LookupRef>,
    /// `Some(true)`: active only; `Some(false)`: inactive only.
    pub active: Option<bool>,
    pub warranty: Option<WarrantyFilter>,
    pub has_parent: Option<bool>,
    pub has_children: Option<bool>,
    pub sync_states: Vec<SyncState>,
    /// Word-prefix search over name, serial, tag, model, manufacturer, users and notes
    /// (every word must match as a prefix: `del lat` finds "Dell Latitude").
    pub search: Option<String>,
    /// Substring search over serial, MAC (with or without separators) and IP.
    pub contains: Option<String>,
}

/// Sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Local id: creation order. With a search it is the fast, index-driven order.
    Id,
    Name,
    Serial,
    AssetTag,
    Manufacturer,
    Model,
    Os,
    Ip,
    Mac,
    Client,
    Site,
    Type,
    Status,
    PurchaseDate,
    PurchasePrice,
    WarrantyStart,
    WarrantyEnd,
    SyncState,
    /// When the asset was last changed here.
    LocalUpdated,
}

impl SortKey {
    /// Whether the sort value is a lookup's name (the query joins the lookup tables for it).
    fn needs_lookups(self) -> bool {
        matches!(
            self,
            SortKey::Client | SortKey::Site | SortKey::Type | SortKey::Status
        )
    }

    /// The SQL expression sorted on; never NULL so keyset comparisons are total.
    fn expr(self) -> &'static str {
        match self {
            SortKey::Id => "a.id",
            SortKey::Name => "a.name",
            SortKey::Serial => "ifnull(a.serial, '')",
            SortKey::AssetTag => "ifnull(a.asset_tag, '')",
            SortKey::Manufacturer => "ifnull(a.manufacturer, '')",
            SortKey::Model => "ifnull(a.model, '')",
            SortKey::Os => "ifnull(a.os, '')",
            SortKey::Ip => "ifnull(a.ip, '')",
            SortKey::Mac => "ifnull(a.mac, '')",
            SortKey::Client => "ifnull(c.name, '')",
            SortKey::Site => "ifnull(s.name, '')",
            SortKey::Type => "ifnull(t.name, '')",
            SortKey::Status => "ifnull(st.name, '')",
            SortKey::PurchaseDate => "ifnull(a.purchase_date, '')",
            SortKey::PurchasePrice => "ifnull(a.purchase_price_cents, -9223372036854775808)",
            SortKey::WarrantyStart => "ifnull(a.warranty_start, '')",
            SortKey::WarrantyEnd => "ifnull(a.warranty_end, '')",
            SortKey::SyncState => "a.sync_state",
            SortKey::LocalUpdated => "ifnull(a.local_updated_at, 0)",
        }
    }
}

/// A sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::Name,
            descending: false,
        }
    }
}

/// Where the next page starts: the last row's sort value and id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub value: serde_json::Value,
    pub id: i64,
}

/// One page request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRequest {
    pub sort: Sort,
    pub after: Option<Cursor>,
    /// Rows per page (clamped to 1..=500; DESIGN.md invariant 6: one IPC payload ≤ a page).
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            sort: Sort::default(),
            after: None,
            limit: 50,
        }
    }
}

/// What a list row shows: the asset's list columns with lookup names resolved (no raw JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetSummary {
    pub id: AssetId,
    pub connection_id: ConnectionId,
    pub remote_id: Option<RemoteId>,
    pub name: String,
    pub client_id: Option<RemoteId>,
    pub client_name: Option<String>,
    pub site_id: Option<RemoteId>,
    pub site_name: Option<String>,
    pub type_id: Option<RemoteId>,
    pub type_name: Option<String>,
    pub status_id: Option<RemoteId>,
    pub status_name: Option<String>,
    pub serial: Option<String>,
    pub asset_tag: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    pub inactive: bool,
    pub parent_id: Option<AssetId>,
    pub has_children: bool,
    pub sync_state: SyncState,
}

/// One page of assets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetPage {
    pub rows: Vec<AssetSummary>,
    /// `None` on the last page.
    pub next: Option<Cursor>,
}

/// One facet bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacetCount {
    pub connection_id: ConnectionId,
    pub remote_id: Option<RemoteId>,
    pub name: Option<String>,
    pub count: u64,
}

/// Counts per client, type and status under a filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    pub clients: Vec<FacetCount>,
    pub types: Vec<FacetCount>,
    pub statuses: Vec<FacetCount>,
}

/// An asset with its local bookkeeping, for the detail panel and the sync engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetRecord {
    pub asset: Asset,
    pub sync_state: SyncState,
    pub deleted: bool,
}

/// A node of a descendant tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeNode {
    pub asset: AssetSummary,
    /// 1 for children, 2 for grandchildren, …
    pub depth: u32,
}

const JOINS: &str = "LEFT JOIN clients c ON c.connection_id = a.connection_id AND c.remote_id = a.client_id \
    LEFT JOIN sites s ON s.connection_id = a.connection_id AND s.remote_id = a.site_id \
    LEFT JOIN asset_types t ON t.connection_id = a.connection_id AND t.remote_id = a.type_id \
    LEFT JOIN asset_statuses st ON st.connection_id = a.connection_id AND st.remote_id = a.status_id";

const SUMMARY_COLS: &str = "a.id, a.connection_id, a.remote_id, a.name, a.client_id, c.name, \
    a.site_id, s.name, a.type_id, t.name, a.status_id, st.name, a.serial, a.asset_tag, \
    a.manufacturer, a.model, a.ip, a.mac, a.warranty_end, a.inactive, a.parent_id, \
    EXISTS (SELECT 1 FROM assets ch WHERE ch.parent_id = a.id AND ch.deleted_at IS NULL), a.sync_state";

fn read_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<AssetSummary> {
    let state: String = r.get(22)?;
    Ok(AssetSummary {
        id: AssetId(r.get(0)?),
        connection_id: ConnectionId(r.get(1)?),
        remote_id: r.get(2)?,
        name: r.get(3)?,
        client_id: r.get(4)?,
        client_name: r.get(5)?,
        site_id: r.get(6)?,
        site_name: r.get(7)?,
        type_id: r.get(8)?,
        type_name: r.get(9)?,
        status_id: r.get(10)?,
        status_name: r.get(11)?,
        serial: r.get(12)?,
        asset_tag: r.get(13)?,
        manufacturer: r.get(14)?,
        model: r.get(15)?,
        ip: r.get(16)?,
        mac: r.get(17)?,
        warranty_end: r.get(18)?,
        inactive: r.get(19)?,
        parent_id: r.get::<_, Option<i64>>(20)?.map(AssetId),
        has_children: r.get(21)?,
        sync_state: SyncState::parse(&state),
    })
}

/// `"del"* AND "lat"*` from user text: words split like the unicode61 tokenizer does, so no
/// FTS5 syntax in the input can reach the engine.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// `"abc" AND "bcd" AND …`: every trigram of the needle (matches are re-checked exactly).
pub(crate) fn trigram_query(needle: &str) -> Option<String> {
    let chars: Vec<char> = needle.chars().collect();
    if chars.len() < 3 {
        return None;
    }
    let grams: Vec<String> = chars
        .windows(3)
        .map(|w| format!("\"{}\"", w.iter().collect::<String>().replace('"', "\"\"")))
        .collect();
    Some(grams.join(" AND "))
}

/// A WHERE clause under construction, with its positional parameters.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    params: Vec<Value>,
    /// An FTS expression to drive the query from the index (search sorted by id).
    fts_driver: Option<String>,
}

impl Where {
    fn push(&mut self, clause: impl Into<String>, params: impl IntoIterator<Item = Value>) {
        self.clauses.push(clause.into());
        self.params.extend(params);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1".to_owned()
        } else {
            self.clauses.join(" AND ")
        }
    }
}

fn lookup_in(w: &mut Where, column: &str, refs: &[LookupRef]) {
    if refs.is_empty() {
        return;
    }
    let tuples = vec!["(?, ?)"; refs.len()].join(", ");
    w.push(
        format!("(a.connection_id, a.{column}) IN (VALUES {tuples})"),
        refs.iter().flat_map(|r| {
            [
                Value::Text(r.connection_id.0.clone()),
                Value::Integer(r.remote_id),
            ]
        }),
    );
}

fn date(d: NaiveDate) -> Value {
    Value::Text(d.format("%Y-%m-%d").to_string())
}

fn build_where(f: &AssetFilter, drive_by_fts: bool) -> Where {
    let mut w = Where::default();
    w.push("a.deleted_at IS NULL", []);
    if !f.connections.is_empty() {
        let marks = vec!["?"; f.connections.len()].join(", ");
        w.push(
            format!("a.connection_id IN ({marks})"),
            f.connections.iter().map(|c| Value::Text(c.0.clone())),
        );
    }
    lookup_in(&mut w, "client_id", &f.clients);
    lookup_in(&mut w, "site_id", &f.sites);
    lookup_in(&mut w, "type_id", &f.types);
    lookup_in(&mut w, "status_id", &f.statuses);
    if let Some(active) = f.active {
        w.push("a.inactive = ?", [Value::Integer(i64::from(!active))]);
    }
    match &f.warranty {
        None => {}
        Some(WarrantyFilter::Expired { today }) => w.push("a.warranty_end < ?", [date(*today)]),
        Some(WarrantyFilter::ExpiresWithin { today, days }) => {
            let end = today
                .checked_add_days(chrono::Days::new(u64::from(*days)))
                .unwrap_or(NaiveDate::MAX);
            w.push("a.warranty_end BETWEEN ? AND ?", [date(*today), date(end)]);
        }
        Some(WarrantyFilter::EndsBetween { from, to }) => {
            w.push("a.warranty_end BETWEEN ? AND ?", [date(*from), date(*to)])
        }
        Some(WarrantyFilter::Unknown) => w.push("a.warranty_end IS NULL", []),
    }
    match f.has_parent {
        Some(true) => w.push("a.parent_id IS NOT NULL", []),
        Some(false) => w.push("a.parent_id IS NULL", []),
        None => {}
    }
    if let Some(has) = f.has_children {
        let not = if has { "" } else { "NOT " };
        w.push(
            format!("{not}EXISTS (SELECT 1 FROM assets ch WHERE ch.parent_id = a.id AND ch.deleted_at IS NULL)"),
            [],
        );
    }
    if !f.sync_states.is_empty() {
        let marks = vec!["?"; f.sync_states.len()].join(", ");
        w.push(
            format!("a.sync_state IN ({marks})"),
            f.sync_states.iter().map(|s| Value::Text(s.as_str().into())),
        );
    }
    if let Some(q) = f.search.as_deref().and_then(fts_query) {
        if drive_by_fts {
            w.fts_driver = Some(q);
        } else {
            w.push(
                "a.id IN (SELECT rowid FROM assets_fts WHERE assets_fts MATCH ?)",
                [Value::Text(q)],
            );
        }
    }
    if let Some(needle) = f
        .contains
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let lower = needle.to_lowercase();
        // A MAC fragment may be typed with separators; the index holds bare hex.
        let bare: String = lower.chars().filter(char::is_ascii_hexdigit).collect();
        let exact = "(instr(lower(ifnull(a.serial, '')), ?) > 0 OR instr(lower(ifnull(a.ip, '')), ?) > 0 \
             OR (? <> '' AND instr(lower(replace(replace(replace(ifnull(a.mac, ''), ':', ''), '-', ''), '.', '')), ?) > 0))";
        let p = vec![
            Value::Text(lower.clone()),
            Value::Text(lower.clone()),
            Value::Text(bare.clone()),
            Value::Text(bare.clone()),
        ];
        let index_query = match (trigram_query(&lower), trigram_query(&bare)) {
            (Some(a), Some(b)) if a != b => Some(format!("({a}) OR ({b})")),
            (Some(a), _) => Some(a),
            (None, Some(b)) => Some(b),
            (None, None) => None,
        };
        match index_query {
            Some(tq) => {
                w.push(
                    "a.id IN (SELECT rowid FROM assets_trigram WHERE assets_trigram MATCH ?)",
                    [Value::Text(tq)],
                );
                w.push(exact, p);
            }
            // Under three characters no trigram exists: an exact scan (slow at 1M, but right).
            None => w.push(exact, p),
        }
    }
    w
}

/// The word-index query when `filter` is a search and nothing else.
fn search_only(filter: &AssetFilter) -> Option<String> {
    let q = filter.search.as_deref().and_then(fts_query)?;
    let rest = AssetFilter {
        search: None,
        ..filter.clone()
    };
    (rest == AssetFilter::default()).then_some(q)
}

/// How many live assets the word-index query `q` matches (the index holds live assets only).
fn word_matches(db: &Connection, q: &str) -> Result<i64> {
    Ok(db
        .prepare_cached("SELECT count(*) FROM assets_fts WHERE assets_fts MATCH ?1")?
        .query_row([q], |r| r.get(0))?)
}

/// A search matching at least this share of the cache (1 in N) is "dense".
const DENSE_SEARCH_SHARE: i64 = 10;

/// Whether `filter` is a search (and nothing else) matching a large share of the cache.
///
/// Sorted by name, SQLite's own plan for a search looks up every matched row and sorts them:
/// ~25 ms for the 25,000 assets `srv` matches among 200,000 (one row lookup each). Walking the
/// name index and keeping the matched ids finds the first page after at most one pass over
/// that index (4–15 ms at 200k, measured on the bench cache), but for a narrow search that
/// pass is pure waste, where the lookups cost next to nothing. So the plan follows the match
/// count, which the word index gives in ~1 ms, against the highest id (an upper bound of the
/// row count that costs one index step).
fn dense_search(db: &Connection, filter: &AssetFilter) -> Result<bool> {
    let Some(q) = search_only(filter) else {
        return Ok(false);
    };
    let matches = word_matches(db, &q)?;
    let span: i64 = db
        .prepare_cached("SELECT ifnull(max(id), 0) FROM assets")?
        .query_row([], |r| r.get(0))?;
    Ok(matches > 0 && matches.saturating_mul(DENSE_SEARCH_SHARE) >= span)
}

fn cursor_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(i64::from(*b)),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .or_else(|| n.as_f64().map(Value::Real))
            .unwrap_or(Value::Null),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn json_of(v: Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => serde_json::Value::from(i),
        Value::Real(f) => serde_json::Value::from(f),
        Value::Text(s) => serde_json::Value::String(s),
        Value::Blob(b) => serde_json::Value::String(String::from_utf8_lossy(&b).into_owned()),
    }
}

pub(crate) fn list_in(
    db: &Connection,
    filter: &AssetFilter,
    page: &PageRequest,
) -> Result<AssetPage> {
    let limit = page.limit.clamp(1, 500);
    let sort = page.sort;
    let drive = sort.key == SortKey::Id;
    let mut w = build_where(filter, drive);
    let expr = sort.key.expr();
    let (cmp, dir) = if sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = &page.after {
        if sort.key == SortKey::Id {
            w.push(format!("a.id {cmp} ?"), [Value::Integer(after.id)]);
        } else {
            w.push(
                format!("({expr}, a.id) {cmp} (?, ?)"),
                [cursor_value(&after.value), Value::Integer(after.id)],
            );
        }
    }
    // The page's ids are found first, and only its rows get their lookup names and child flag:
    // a sort over many matches (a broad search, a filtered sort by warranty) no longer joins
    // every candidate row before the sort (40 → 28 ms for 25,000 matches at 200k assets).
    let joins = if sort.key.needs_lookups() { JOINS } else { "" };
    let (from, order) = match &w.fts_driver {
        Some(q) => {
            w.clauses.insert(0, "assets_fts MATCH ?".into());
            w.params.insert(0, Value::Text(q.clone()));
            (
                format!("assets_fts JOIN assets a ON a.id = assets_fts.rowid {joins}"),
                format!("assets_fts.rowid {dir}"),
            )
        }
        None if sort.key == SortKey::Id => (format!("assets a {joins}"), format!("a.id {dir}")),
        None if sort.key == SortKey::Name && dense_search(db, filter)? => (
            format!("assets a INDEXED BY assets_name {joins}"),
            format!("{expr} {dir}, a.id {dir}"),
        ),
        None => (
            format!("assets a {joins}"),
            format!("{expr} {dir}, a.id {dir}"),
        ),
    };
    // The sort value keeps its collation through the subquery (`name` sorts without case in
    // both), so the outer order is the inner one.
    let sql = format!(
        "WITH page AS MATERIALIZED (SELECT a.id AS id, {expr} AS k FROM {from} WHERE {} \
         ORDER BY {order} LIMIT {}) \
         SELECT {SUMMARY_COLS}, page.k FROM page JOIN assets a ON a.id = page.id {JOINS} \
         ORDER BY page.k {dir}, page.id {dir}",
        w.sql(),
        limit + 1
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let mut rows: Vec<(AssetSummary, Value)> = stmt
        .query_map(params_from_iter(w.params.iter()), |r| {
            Ok((read_summary(r)?, r.get::<_, Value>(23)?))
        })?
        .collect::<Result<_, _>>()?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|(s, v)| Cursor {
            value: json_of(v.clone()),
            id: s.id.0,
        })
    } else {
        None
    };
    Ok(AssetPage {
        rows: rows.into_iter().map(|(s, _)| s).collect(),
        next,
    })
}

impl Store {
    /// One page of assets matching `filter`, in `page.sort` order, after `page.after`.
    pub fn list_assets(&self, filter: &AssetFilter, page: &PageRequest) -> Result<AssetPage> {
        self.read(|db| list_in(db, filter, page))
    }

    /// How many assets match `filter`.
    pub fn count_assets(&self, filter: &AssetFilter) -> Result<u64> {
        self.read(|db| {
            // A search and nothing else: the word index holds live assets only (a delete or a
            // tombstone removes the entry, an undelete writes it again), so it counts alone:
            // ~1 ms for 25,000 matches at 200k assets, against ~20 ms joined to the rows.
            if let Some(q) = search_only(filter) {
                return Ok(u64::try_from(word_matches(db, &q)?).unwrap_or(0));
            }
            let w = build_where(filter, false);
            let sql = format!("SELECT count(*) FROM assets a WHERE {}", w.sql());
            let n: i64 = db
                .prepare_cached(&sql)?
                .query_row(params_from_iter(w.params.iter()), |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Counts per client, type and status of the assets matching `filter`, largest first.
    pub fn facets(&self, filter: &AssetFilter) -> Result<Facets> {
        self.read(|db| {
            let w = build_where(filter, false);
            let facet = |column: &str, table: &str| -> Result<Vec<FacetCount>> {
                let sql = format!(
                    "SELECT a.connection_id, a.{column}, l.name, count(*) AS n FROM assets a \
                     LEFT JOIN {table} l ON l.connection_id = a.connection_id AND l.remote_id = a.{column} \
                     WHERE {} GROUP BY a.connection_id, a.{column} ORDER BY n DESC, l.name",
                    w.sql()
                );
                let rows = db
                    .prepare_cached(&sql)?
                    .query_map(params_from_iter(w.params.iter()), |r| {
                        Ok(FacetCount {
                            connection_id: ConnectionId(r.get(0)?),
                            remote_id: r.get(1)?,
                            name: r.get(2)?,
                            count: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                        })
                    })?
                    .collect::<Result<_, _>>()?;
                Ok(rows)
            };
            Ok(Facets {
                clients: facet("client_id", "clients")?,
                types: facet("type_id", "asset_types")?,
                statuses: facet("status_id", "asset_statuses")?,
            })
        })
    }

    /// One asset with its bookkeeping (deleted ones too, flagged).
    pub fn asset(&self, id: AssetId) -> Result<AssetRecord> {
        self.read(|db| {
            let s = load(db, id)?;
            Ok(AssetRecord {
                asset: s.asset,
                sync_state: s.sync_state,
                deleted: s.deleted,
            })
        })
    }

    /// The cached asset with this remote id, if any.
    pub fn asset_by_remote(
        &self,
        connection: &ConnectionId,
        remote_id: RemoteId,
    ) -> Result<Option<AssetRecord>> {
        self.read(|db| {
            let sql = format!(
                "SELECT {ASSET_COLS} FROM assets a WHERE a.connection_id = ?1 AND a.remote_id = ?2"
            );
            let s = db
                .prepare_cached(&sql)?
                .query_row(rusqlite::params![connection.0, remote_id], read_stored)
                .optional()?;
            Ok(s.map(|s| AssetRecord {
                asset: s.asset,
                sync_state: s.sync_state,
                deleted: s.deleted,
            }))
        })
    }

    /// The ancestors of an asset, nearest first.
    pub fn ancestors(&self, id: AssetId) -> Result<Vec<AssetSummary>> {
        self.read(|db| {
            let ids = crate::edit::ancestors_of(db, id)?;
            let sql = format!("SELECT {SUMMARY_COLS} FROM assets a {JOINS} WHERE a.id = ?1");
            let mut stmt = db.prepare_cached(&sql)?;
            let mut out = Vec::with_capacity(ids.len());
            for a in ids {
                if let Some(s) = stmt.query_row([a.0], read_summary).optional()? {
                    out.push(s);
                }
            }
            Ok(out)
        })
    }

    /// Every descendant of an asset (children, grandchildren, …), depth-first by name.
    pub fn descendants(&self, id: AssetId) -> Result<Vec<TreeNode>> {
        self.read(|db| {
            let sql = format!(
                "WITH RECURSIVE down(id, depth, path) AS ( \
                   SELECT id, 1, name || char(31) || id FROM assets WHERE parent_id = ?1 AND deleted_at IS NULL \
                   UNION ALL \
                   SELECT a.id, down.depth + 1, down.path || char(30) || a.name || char(31) || a.id \
                   FROM assets a JOIN down ON a.parent_id = down.id \
                   WHERE a.deleted_at IS NULL AND down.depth < ?2) \
                 SELECT {SUMMARY_COLS}, down.depth FROM down JOIN assets a ON a.id = down.id {JOINS} \
                 ORDER BY down.path"
            );
            let rows = db
                .prepare_cached(&sql)?
                .query_map(rusqlite::params![id.0, MAX_DEPTH], |r| {
                    Ok(TreeNode { asset: read_summary(r)?, depth: r.get(23)? })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two tables `dense_search` reads, with `hits` of `rows` ids matching "srv".
    fn cache(rows: i64, hits: i64) -> Connection {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE assets (id INTEGER PRIMARY KEY);
             CREATE VIRTUAL TABLE assets_fts USING fts5(name, prefix = '2 3 4');",
        )
        .unwrap();
        for id in 1..=rows {
            let name = if id <= hits { "SRV-1" } else { "PC-1" };
            db.execute("INSERT INTO assets (id) VALUES (?1)", [id])
                .unwrap();
            db.execute(
                "INSERT INTO assets_fts (rowid, name) VALUES (?1, ?2)",
                rusqlite::params![id, name],
            )
            .unwrap();
        }
        db
    }

    fn search(text: &str) -> AssetFilter {
        AssetFilter {
            search: Some(text.into()),
            ..AssetFilter::default()
        }
    }

    #[test]
    fn the_name_index_walk_is_chosen_for_dense_searches_only() {
        let db = cache(100, 10);
        assert!(dense_search(&db, &search("srv")).unwrap(), "1 in 10");
        let db = cache(100, 9);
        assert!(!dense_search(&db, &search("srv")).unwrap(), "1 in 11");
        assert!(!dense_search(&db, &search("nomatch")).unwrap());
        // Another filter may have a better index (clients: client + name).
        let narrowed = AssetFilter {
            active: Some(true),
            ..search("srv")
        };
        assert!(!dense_search(&cache(100, 50), &narrowed).unwrap());
        assert!(
            !dense_search(&cache(0, 0), &search("srv")).unwrap(),
            "empty cache"
        );
    }
}
