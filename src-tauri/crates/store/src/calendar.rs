//! Date-range reads for the warranty calendar and refresh planning (issue 10).
//!
//! The calendar asks only for the range it shows (a month, a week, an agenda page), so every
//! query here is bounded by a date range and driven by an index: warranty ends by the
//! `assets_warranty (warranty_end, id)` index of migration 0001. A month of a 1M-asset cache
//! holds thousands of warranty ends; the calendar cannot show them all in a day cell anyway,
//! so [`Store::warranty_days`] returns at most `per_day` assets per day plus every day's true
//! count (the cell says "+N more" and the agenda pages through the rest).
//!
//! Refresh planning reads purchase dates, which have no index: the queries scan the filtered
//! set once (they run when the user opens the refresh layer, not per keystroke).

use assetdesk_domain::{AssetId, ConnectionId, RemoteId};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::Store;
use crate::error::Result;
use crate::query::LookupRef;
use crate::types::SyncState;

/// Which assets a calendar query covers. Empty lists mean "any". Deleted assets never show;
/// inactive (retired) ones only when `include_inactive` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalendarScope {
    pub connections: Vec<ConnectionId>,
    pub clients: Vec<LookupRef>,
    pub sites: Vec<LookupRef>,
    pub types: Vec<LookupRef>,
    pub statuses: Vec<LookupRef>,
    pub include_inactive: bool,
}

/// Which date column a range query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateColumn {
    /// `warranty_end` (indexed).
    WarrantyEnd,
    /// `purchase_date` (refresh planning; scanned).
    PurchaseDate,
}

impl DateColumn {
    fn sql(self) -> &'static str {
        match self {
            DateColumn::WarrantyEnd => "a.warranty_end",
            DateColumn::PurchaseDate => "a.purchase_date",
        }
    }
}

/// One asset as the calendar, its exports and the expiring panel need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarAsset {
    pub id: AssetId,
    pub connection_id: ConnectionId,
    pub remote_id: Option<RemoteId>,
    pub name: String,
    pub client_id: Option<RemoteId>,
    pub client_name: Option<String>,
    pub site_name: Option<String>,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    pub serial: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_price_cents: Option<i64>,
    pub warranty_end: Option<NaiveDate>,
    pub inactive: bool,
    pub sync_state: SyncState,
}

/// How many assets fall on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub date: NaiveDate,
    pub count: u64,
}

/// A date range of the calendar: the first `per_day` assets of each day (by name) and every
/// day's full count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDays {
    pub assets: Vec<CalendarAsset>,
    pub days: Vec<DayCount>,
}

/// Assets and their purchase value per client (the "expiring in the next N days" panel and
/// the refresh-planning totals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientTotal {
    pub connection_id: ConnectionId,
    pub client_id: Option<RemoteId>,
    pub client_name: Option<String>,
    pub count: u64,
    /// Sum of the known purchase prices, in minor units.
    pub purchase_cents: i64,
    /// How many of `count` have no purchase price (the total undercounts by these).
    pub unpriced: u64,
}

const JOINS: &str = "LEFT JOIN clients c ON c.connection_id = a.connection_id AND c.remote_id = a.client_id \
    LEFT JOIN sites s ON s.connection_id = a.connection_id AND s.remote_id = a.site_id \
    LEFT JOIN asset_types t ON t.connection_id = a.connection_id AND t.remote_id = a.type_id \
    LEFT JOIN asset_statuses st ON st.connection_id = a.connection_id AND st.remote_id = a.status_id";

const COLS: &str = "a.id, a.connection_id, a.remote_id, a.name, a.client_id, c.name, s.name, \
    t.name, st.name, a.serial, a.manufacturer, a.model, a.purchase_date, a.purchase_price_cents, \
    a.warranty_end, a.inactive, a.sync_state";

fn read_asset(r: &rusqlite::Row<'_>) -> rusqlite::Result<CalendarAsset> {
    read_asset_at(r, 0)
}

/// A [`CalendarAsset`] from [`COLS`] starting at column `at`.
fn read_asset_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<CalendarAsset> {
    let state: String = r.get(at + 16)?;
    Ok(CalendarAsset {
        id: AssetId(r.get(at)?),
        connection_id: ConnectionId(r.get(at + 1)?),
        remote_id: r.get(at + 2)?,
        name: r.get(at + 3)?,
        client_id: r.get(at + 4)?,
        client_name: r.get(at + 5)?,
        site_name: r.get(at + 6)?,
        type_name: r.get(at + 7)?,
        status_name: r.get(at + 8)?,
        serial: r.get(at + 9)?,
        manufacturer: r.get(at + 10)?,
        model: r.get(at + 11)?,
        purchase_date: r.get(at + 12)?,
        purchase_price_cents: r.get(at + 13)?,
        warranty_end: r.get(at + 14)?,
        inactive: r.get(at + 15)?,
        sync_state: SyncState::parse(&state),
    })
}

fn date(d: NaiveDate) -> Value {
    Value::Text(d.format("%Y-%m-%d").to_string())
}

/// `WHERE` text and parameters for a scope and an inclusive date range on `column`.
fn scope_where(
    scope: &CalendarScope,
    column: DateColumn,
    from: NaiveDate,
    to: NaiveDate,
) -> (String, Vec<Value>) {
    let col = column.sql();
    let mut clauses = vec![
        "a.deleted_at IS NULL".to_owned(),
        format!("{col} BETWEEN ? AND ?"),
    ];
    let mut params = vec![date(from), date(to)];
    if !scope.include_inactive {
        clauses.push("a.inactive = 0".into());
    }
    if !scope.connections.is_empty() {
        clauses.push(format!(
            "a.connection_id IN ({})",
            vec!["?"; scope.connections.len()].join(", ")
        ));
        params.extend(scope.connections.iter().map(|c| Value::Text(c.0.clone())));
    }
    for (column, refs) in [
        ("client_id", &scope.clients),
        ("site_id", &scope.sites),
        ("type_id", &scope.types),
        ("status_id", &scope.statuses),
    ] {
        if refs.is_empty() {
            continue;
        }
        clauses.push(format!(
            "(a.connection_id, a.{column}) IN (VALUES {})",
            vec!["(?, ?)"; refs.len()].join(", ")
        ));
        params.extend(refs.iter().flat_map(|r| {
            [
                Value::Text(r.connection_id.0.clone()),
                Value::Integer(r.remote_id),
            ]
        }));
    }
    (clauses.join(" AND "), params)
}

fn u64_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn days_in(
    db: &Connection,
    scope: &CalendarScope,
    column: DateColumn,
    from: NaiveDate,
    to: NaiveDate,
    per_day: u32,
) -> Result<CalendarDays> {
    let col = column.sql();
    let (w, p) = scope_where(scope, column, from, to);
    // One pass over the (index-ordered) range gives each day's count and its first
    // `per_day` by name: at 1M assets a month grid holds ~11,000 rows, and every pass over
    // them costs a table lookup per row. The first row of a day carries the day's count
    // (so a day is reported even when `per_day` is 0); the lookups are joined only for the
    // rows kept.
    let sql = format!(
        "WITH ranked AS (SELECT a.id AS id, {col} AS day, \
           row_number() OVER (PARTITION BY {col} ORDER BY a.name, a.id) AS n, \
           count(*) OVER (PARTITION BY {col}) AS total \
           FROM assets a WHERE {w}) \
         SELECT ranked.day, ranked.total, ranked.n, {COLS} \
         FROM ranked JOIN assets a ON a.id = ranked.id {JOINS} \
         WHERE ranked.n <= max(?, 1) ORDER BY ranked.day, ranked.n"
    );
    let mut params = p;
    params.push(Value::Integer(i64::from(per_day)));
    let mut days = Vec::new();
    let mut assets = Vec::new();
    let mut stmt = db.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(params.iter()))?;
    while let Some(r) = rows.next()? {
        let n: i64 = r.get(2)?;
        if n == 1 {
            days.push(DayCount {
                date: r.get(0)?,
                count: u64_of(r.get(1)?),
            });
        }
        if n <= i64::from(per_day) {
            assets.push(read_asset_at(r, 3)?);
        }
    }
    Ok(CalendarDays { assets, days })
}

fn totals_in(
    db: &Connection,
    scope: &CalendarScope,
    column: DateColumn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ClientTotal>> {
    let (w, p) = scope_where(scope, column, from, to);
    let sql = format!(
        "SELECT a.connection_id, a.client_id, c.name, count(*), \
                ifnull(sum(a.purchase_price_cents), 0), count(*) - count(a.purchase_price_cents) \
         FROM assets a LEFT JOIN clients c ON c.connection_id = a.connection_id AND c.remote_id = a.client_id \
         WHERE {w} GROUP BY a.connection_id, a.client_id \
         ORDER BY count(*) DESC, c.name, a.client_id"
    );
    let rows = db
        .prepare_cached(&sql)?
        .query_map(params_from_iter(p.iter()), |r| {
            Ok(ClientTotal {
                connection_id: ConnectionId(r.get(0)?),
                client_id: r.get(1)?,
                client_name: r.get(2)?,
                count: u64_of(r.get(3)?),
                purchase_cents: r.get(4)?,
                unpriced: u64_of(r.get(5)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

impl Store {
    /// The assets whose `column` date falls in `from..=to` under `scope`: at most `per_day`
    /// per day (first by name), plus each day's full count. Only the range is read.
    pub fn calendar_days(
        &self,
        scope: &CalendarScope,
        column: DateColumn,
        from: NaiveDate,
        to: NaiveDate,
        per_day: u32,
    ) -> Result<CalendarDays> {
        self.read(|db| days_in(db, scope, column, from, to, per_day))
    }

    /// Count and purchase value per client of the assets whose `column` date falls in
    /// `from..=to` under `scope`, largest count first.
    pub fn calendar_totals(
        &self,
        scope: &CalendarScope,
        column: DateColumn,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ClientTotal>> {
        self.read(|db| totals_in(db, scope, column, from, to))
    }

    /// One page (at most `limit`, clamped to 1..=500) of the assets whose `column` date falls
    /// in `from..=to`, ordered by that date then id, after the `(date, id)` of the previous
    /// page's last row. Exports stream through it page by page; the refresh list pages with it.
    pub fn calendar_page(
        &self,
        scope: &CalendarScope,
        column: DateColumn,
        from: NaiveDate,
        to: NaiveDate,
        after: Option<(NaiveDate, AssetId)>,
        limit: u32,
    ) -> Result<Vec<CalendarAsset>> {
        self.read(|db| {
            let col = column.sql();
            let (mut w, mut p) = scope_where(scope, column, from, to);
            if let Some((d, id)) = after {
                w.push_str(&format!(" AND ({col}, a.id) > (?, ?)"));
                p.push(date(d));
                p.push(Value::Integer(id.0));
            }
            let sql = format!(
                "SELECT {COLS} FROM assets a {JOINS} WHERE {w} ORDER BY {col}, a.id LIMIT {}",
                limit.clamp(1, 500)
            );
            let rows = db
                .prepare_cached(&sql)?
                .query_map(params_from_iter(p.iter()), read_asset)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}

impl Store {
    /// How many (not deleted) children each of `ids` has, by the `assets_parent` index. Ids
    /// without children are absent from the answer. For the link tree's ancestor counts.
    pub fn child_counts(&self, ids: &[AssetId]) -> Result<std::collections::HashMap<AssetId, u64>> {
        if ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        self.read(|db| {
            let marks = vec!["?"; ids.len()].join(", ");
            let sql = format!(
                "SELECT parent_id, count(*) FROM assets WHERE parent_id IN ({marks}) \
                 AND deleted_at IS NULL GROUP BY parent_id"
            );
            let rows = db
                .prepare(&sql)?
                .query_map(params_from_iter(ids.iter().map(|i| i.0)), |r| {
                    Ok((AssetId(r.get(0)?), u64_of(r.get(1)?)))
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use assetdesk_domain::{AssetFields, Connection, ProviderKind, RemoteAsset};

    use super::*;
    use crate::{PullMode, PulledPage};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// One pulled asset: remote id, name, client, warranty end, inactive, parent remote id.
    type Row<'a> = (i64, &'a str, i64, &'a str, bool, Option<i64>);

    /// A cache with one connection and these assets.
    fn store_with(rows: &[Row<'_>]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.sqlite3")).unwrap();
        let conn = ConnectionId("c1".into());
        store
            .upsert_connection(&Connection {
                id: conn.clone(),
                kind: ProviderKind::Halo,
                name: "C1".into(),
                base_url: "http://127.0.0.1".into(),
                auth_url: None,
                tenant: None,
                client_id: None,
                secret_ref: "c1".into(),
                demo: false,
            })
            .unwrap();
        let run = store.begin_pull(&conn, PullMode::Full, 100, None).unwrap();
        let assets = rows
            .iter()
            .map(|&(id, name, client, end, inactive, parent)| RemoteAsset {
                remote_id: id,
                fields: AssetFields {
                    name: name.into(),
                    client_id: Some(client),
                    warranty_end: Some(day(end)),
                    purchase_price_cents: Some(id * 100),
                    inactive,
                    ..AssetFields::default()
                },
                facts: Default::default(),
                parent_remote_id: parent,
                updated_at: None,
                raw: serde_json::Value::Null,
            })
            .collect();
        store
            .apply_pulled_page(&PulledPage {
                run_id: run.run_id,
                page_no: 1,
                assets,
                remote_total: None,
                high_watermark: None,
            })
            .unwrap();
        (dir, store)
    }

    #[test]
    fn days_cap_per_day_count_all_and_honour_the_scope() {
        let (_d, store) = store_with(&[
            (1, "c", 1, "2027-05-02", false, None),
            (2, "a", 1, "2027-05-02", false, None),
            (3, "b", 2, "2027-05-02", false, None),
            (4, "retired", 1, "2027-05-02", true, None),
            (5, "next", 1, "2027-05-03", false, None),
            (6, "outside", 1, "2027-06-01", false, None),
        ]);
        let all = CalendarScope::default();
        let may = |per_day| {
            store
                .calendar_days(
                    &all,
                    DateColumn::WarrantyEnd,
                    day("2027-05-01"),
                    day("2027-05-31"),
                    per_day,
                )
                .unwrap()
        };
        let d = may(2);
        let names: Vec<&str> = d.assets.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "next"]);
        assert_eq!(
            d.days,
            [
                DayCount {
                    date: day("2027-05-02"),
                    count: 3
                },
                DayCount {
                    date: day("2027-05-03"),
                    count: 1
                }
            ]
        );
        // Counts only: every day is still reported.
        let counts_only = may(0);
        assert!(counts_only.assets.is_empty());
        assert_eq!(counts_only.days, d.days);
        let client_two = CalendarScope {
            clients: vec![LookupRef {
                connection_id: ConnectionId("c1".into()),
                remote_id: 2,
            }],
            include_inactive: true,
            ..CalendarScope::default()
        };
        let totals = store
            .calendar_totals(
                &client_two,
                DateColumn::WarrantyEnd,
                day("2027-05-01"),
                day("2027-05-31"),
            )
            .unwrap();
        assert_eq!(totals.len(), 1);
        assert_eq!(
            (
                totals[0].count,
                totals[0].purchase_cents,
                totals[0].unpriced
            ),
            (1, 300, 0)
        );
        let with_retired = CalendarScope {
            include_inactive: true,
            ..CalendarScope::default()
        };
        let t = store
            .calendar_totals(
                &with_retired,
                DateColumn::WarrantyEnd,
                day("2027-05-02"),
                day("2027-05-02"),
            )
            .unwrap();
        assert_eq!(t.iter().map(|c| c.count).sum::<u64>(), 4);
    }

    #[test]
    fn pages_walk_the_range_by_date_and_id_and_children_are_counted() {
        let (_d, store) = store_with(&[
            (1, "host", 1, "2027-05-01", false, None),
            (2, "vm-1", 1, "2027-05-02", false, Some(1)),
            (3, "vm-2", 1, "2027-05-02", false, Some(1)),
            (4, "vm-3", 1, "2027-05-03", false, Some(1)),
        ]);
        let scope = CalendarScope::default();
        let (from, to) = (day("2027-05-01"), day("2027-05-31"));
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .calendar_page(&scope, DateColumn::WarrantyEnd, from, to, after, 3)
                .unwrap();
            seen.extend(page.iter().map(|a| a.name.clone()));
            match page.last() {
                Some(last) if page.len() == 3 => {
                    after = Some((last.warranty_end.unwrap(), last.id))
                }
                _ => break,
            }
        }
        assert_eq!(seen, ["host", "vm-1", "vm-2", "vm-3"]);
        let host = store
            .asset_by_remote(&ConnectionId("c1".into()), 1)
            .unwrap()
            .unwrap()
            .asset
            .id;
        let counts = store.child_counts(&[host, AssetId(999)]).unwrap();
        assert_eq!(counts.get(&host), Some(&3));
        assert!(!counts.contains_key(&AssetId(999)));
        assert!(store.child_counts(&[]).unwrap().is_empty());
    }
}
