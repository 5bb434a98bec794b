//! The warranty calendar side of the [`Workspace`] façade (issue 10): warranty end dates of
//! a visible date range, coloured on the one urgency scale (UX.md "Signals"), the "expiring
//! in the next N days" panel, inline renew, and refresh planning (assets older than N years
//! by purchase date, as a list with replacement cost and as a calendar layer).
//!
//! Only the range the calendar shows is read (never the whole cache), and a day holds at most
//! [`PER_DAY`] events plus its true count, so one IPC payload stays small at 1M assets
//! (DESIGN.md invariant 6): a month is ≤ 31 × [`PER_DAY`] events whatever the cache size.
//!
//! "Today" always comes from the UI: the user's local calendar day, not the backend's UTC one.

use std::collections::HashMap;

use assetdesk_domain::{AssetField, AssetId, ConnectionId, ProviderKind};
use assetdesk_store::{
    CalendarAsset, CalendarScope, ClientTotal, DateColumn, LookupRef, StoreError,
};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::catalog::{LookupKey, RowSyncState};
use crate::error::ErrorCode;
use crate::workspace::Workspace;

/// Events per day a range carries at most; the day's `count` tells how many there are.
pub const PER_DAY: u32 = 4;

/// The widest range one request may ask for (a year and a bit: the agenda of a year).
pub const MAX_RANGE_DAYS: i64 = 400;

/// Rows of a refresh-plan page at most.
pub const MAX_REFRESH_PAGE: u32 = 500;

/// Why a calendar read or edit failed.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The caller sent something unusable; the message names the field and the fix.
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    /// A file could not be written (exports).
    #[error("could not write {path}: {source}; choose a folder you can write to")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CalendarError {
    /// The code callers branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            CalendarError::InvalidInput { .. } => ErrorCode::InvalidInput,
            CalendarError::Io { .. } => ErrorCode::Io,
            CalendarError::Store(StoreError::UnknownAsset(_))
            | CalendarError::Store(StoreError::UnknownConnection(_)) => ErrorCode::NotFound,
            CalendarError::Store(StoreError::Invalid(_))
            | CalendarError::Store(StoreError::FieldShape(_))
            | CalendarError::Store(StoreError::InvalidState(_)) => ErrorCode::InvalidInput,
            CalendarError::Store(_) => ErrorCode::Database,
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        CalendarError::InvalidInput {
            field,
            message: message.into(),
        }
    }
}

/// Warranty urgency on the one scale used everywhere (UX.md "Signals"): expired, ≤ 30,
/// ≤ 60, ≤ 90 days, later.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Expired,
    Within30,
    Within60,
    Within90,
    Later,
}

impl Urgency {
    /// Where `date` falls relative to the user's `today`.
    pub fn of(date: NaiveDate, today: NaiveDate) -> Urgency {
        match (date - today).num_days() {
            d if d < 0 => Urgency::Expired,
            0..=30 => Urgency::Within30,
            31..=60 => Urgency::Within60,
            61..=90 => Urgency::Within90,
            _ => Urgency::Later,
        }
    }

    /// The label shown beside the colour (colour is never the only signal).
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Expired => "Expired",
            Urgency::Within30 => "≤ 30 days",
            Urgency::Within60 => "≤ 60 days",
            Urgency::Within90 => "≤ 90 days",
            Urgency::Later => "Later",
        }
    }
}

/// Which assets the calendar covers. Empty lists mean "any"; inactive (retired) assets show
/// only when `include_inactive` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct CalendarFilter {
    pub connections: Vec<String>,
    pub clients: Vec<LookupKey>,
    pub sites: Vec<LookupKey>,
    pub types: Vec<LookupKey>,
    pub statuses: Vec<LookupKey>,
    pub include_inactive: bool,
}

impl CalendarFilter {
    pub(crate) fn scope(&self) -> CalendarScope {
        CalendarScope {
            connections: self
                .connections
                .iter()
                .map(|c| ConnectionId(c.clone()))
                .collect(),
            clients: self.clients.iter().map(LookupRef::from).collect(),
            sites: self.sites.iter().map(LookupRef::from).collect(),
            types: self.types.iter().map(LookupRef::from).collect(),
            statuses: self.statuses.iter().map(LookupRef::from).collect(),
            include_inactive: self.include_inactive,
        }
    }
}

/// What a calendar event stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CalendarLayer {
    /// The asset's warranty ends that day.
    Warranty,
    /// The asset reaches the refresh age that day (purchase date + N years).
    Refresh,
}

/// A visible date range of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CalendarRequest {
    pub filter: CalendarFilter,
    /// First day shown, inclusive.
    pub from: NaiveDate,
    /// Last day shown, inclusive.
    pub to: NaiveDate,
    /// The user's calendar day, which urgency counts from.
    pub today: NaiveDate,
    /// When set, the refresh layer: assets reaching this age (years since purchase) in range.
    pub refresh_years: Option<u32>,
}

/// One asset on one day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEvent {
    pub asset_id: i64,
    pub connection_id: String,
    pub provider: ProviderKind,
    pub layer: CalendarLayer,
    /// The day the event sits on (warranty end, or purchase date + N years).
    pub date: NaiveDate,
    pub urgency: Urgency,
    pub name: String,
    pub client_name: Option<String>,
    pub site_name: Option<String>,
    pub type_name: Option<String>,
    pub serial: Option<String>,
    pub model: Option<String>,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_price_cents: Option<i64>,
    pub warranty_end: Option<NaiveDate>,
    pub inactive: bool,
    pub sync_state: RowSyncState,
}

/// How many events a day of one layer holds, and how many of them the range carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DayTotal {
    pub date: NaiveDate,
    pub layer: CalendarLayer,
    pub count: u64,
    /// Events of this day in [`CalendarRange::events`] (≤ [`PER_DAY`]).
    pub shown: u32,
}

/// The events of a visible range, at most [`PER_DAY`] per day and layer, with the true
/// count of every day that has any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CalendarRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub events: Vec<CalendarEvent>,
    pub days: Vec<DayTotal>,
}

/// Every event of one day, a page at a time (the day cell's "+N more").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DayRequest {
    pub filter: CalendarFilter,
    pub date: NaiveDate,
    pub layer: CalendarLayer,
    pub today: NaiveDate,
    /// Years since purchase for the refresh layer (ignored for warranties).
    pub refresh_years: Option<u32>,
    /// The previous page's `next`; `null` for the first page.
    pub after: Option<String>,
    /// 1..=500 events.
    pub limit: u32,
}

/// One page of a day's events, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DayPage {
    pub events: Vec<CalendarEvent>,
    pub next: Option<String>,
}

/// "Expiring in the next N days".
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringRequest {
    pub filter: CalendarFilter,
    pub today: NaiveDate,
    /// 1..=3650.
    pub days: u32,
}

/// Count and purchase value of one client's assets in a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientValue {
    pub connection_id: String,
    pub provider: ProviderKind,
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    pub count: u64,
    /// Sum of the known purchase prices (minor units of the connection's currency).
    pub purchase_cents: i64,
    /// Assets counted without a purchase price (the total undercounts by these).
    pub unpriced: u64,
}

/// The "expiring in the next N days" panel: totals and one line per client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub count: u64,
    pub purchase_cents: i64,
    pub unpriced: u64,
    pub clients: Vec<ClientValue>,
}

/// The result of renewing a warranty: an ordinary queued edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RenewOutcome {
    pub asset_id: i64,
    pub warranty_end: NaiveDate,
    /// True when the change waits in the outbox for the next sync (false: nothing changed).
    pub queued: bool,
    /// Validation warnings the user should see (the edit was saved anyway).
    pub warnings: Vec<String>,
}

/// One page of the refresh plan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    pub filter: CalendarFilter,
    pub today: NaiveDate,
    /// Assets purchased at least this many years before `today` (1..=50).
    pub years: u32,
    /// The previous page's `next`; `null` for the first page (which also carries totals).
    pub after: Option<String>,
    /// 1..=500 rows.
    pub limit: u32,
}

/// An asset due for replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRow {
    pub asset_id: i64,
    pub connection_id: String,
    pub provider: ProviderKind,
    pub name: String,
    pub client_name: Option<String>,
    pub type_name: Option<String>,
    pub model: Option<String>,
    pub purchase_date: NaiveDate,
    /// Whole years since purchase, as of `today`.
    pub age_years: u32,
    pub purchase_price_cents: Option<i64>,
    pub warranty_end: Option<NaiveDate>,
}

/// Totals of the refresh plan (first page only: they scan the filtered set once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTotals {
    pub count: u64,
    /// Replacement cost estimated as the sum of known purchase prices.
    pub replacement_cents: i64,
    pub unpriced: u64,
    pub clients: Vec<ClientValue>,
}

/// One page of assets older than N years, oldest purchase first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefreshPlan {
    /// Purchased on or before this day.
    pub cutoff: NaiveDate,
    pub rows: Vec<RefreshRow>,
    pub next: Option<String>,
    pub totals: Option<RefreshTotals>,
}

/// The earliest date SQLite text dates compare with (the store keeps `YYYY-MM-DD`).
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

pub(crate) fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), CalendarError> {
    if to < from {
        return Err(CalendarError::invalid(
            "to",
            format!("the range ends ({to}) before it starts ({from}); swap the dates"),
        ));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(CalendarError::invalid(
            "to",
            format!(
                "ask for at most {MAX_RANGE_DAYS} days at a time, not {} (the calendar reads only what it shows)",
                (to - from).num_days() + 1
            ),
        ));
    }
    Ok(())
}

fn years_back(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or_else(epoch)
}

fn years_on(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

fn check_years(years: u32) -> Result<(), CalendarError> {
    if (1..=50).contains(&years) {
        Ok(())
    } else {
        Err(CalendarError::invalid(
            "years",
            format!("choose an age between 1 and 50 years, not {years}"),
        ))
    }
}

/// The cursor of the refresh list: the last row's purchase date and id.
#[derive(Serialize, Deserialize)]
struct RefreshCursor {
    date: NaiveDate,
    id: i64,
}

impl Workspace {
    pub(crate) fn provider_kinds_map(&self) -> Result<HashMap<String, ProviderKind>, StoreError> {
        Ok(self
            .store()
            .connections()?
            .into_iter()
            .map(|c| (c.id.0, c.kind))
            .collect())
    }

    /// The warranty events (and, with `refresh_years`, the refresh events) of one visible
    /// range, at most [`PER_DAY`] per day and layer, with every day's true count.
    pub fn calendar_range(&self, req: &CalendarRequest) -> Result<CalendarRange, CalendarError> {
        check_range(req.from, req.to)?;
        let scope = req.filter.scope();
        let kinds = self.provider_kinds_map()?;
        let mut events = Vec::new();
        let mut days = Vec::new();
        let mut layers = vec![(CalendarLayer::Warranty, DateColumn::WarrantyEnd, 0)];
        if let Some(years) = req.refresh_years {
            check_years(years)?;
            layers.push((CalendarLayer::Refresh, DateColumn::PurchaseDate, years));
        }
        for (layer, column, years) in layers {
            // The refresh layer reads purchase dates `years` before the visible range. The end
            // is taken from the day after, so a 29 February purchase (due on 28 February of a
            // common year) is not lost; events that land outside the range are dropped below.
            let from = years_back(req.from, years);
            let to = years_back(req.to.succ_opt().unwrap_or(req.to), years)
                .pred_opt()
                .unwrap_or(req.to);
            let found = self
                .store()
                .calendar_days(&scope, column, from, to, PER_DAY)?;
            let mut shown: HashMap<NaiveDate, u32> = HashMap::new();
            for a in found.assets {
                let Some(base) = (match column {
                    DateColumn::WarrantyEnd => a.warranty_end,
                    DateColumn::PurchaseDate => a.purchase_date,
                }) else {
                    continue;
                };
                let date = years_on(base, years);
                if date < req.from || date > req.to {
                    continue;
                }
                *shown.entry(date).or_default() += 1;
                events.push(event_of(a, layer, date, req.today, &kinds));
            }
            let mut totals: Vec<DayTotal> = Vec::with_capacity(found.days.len());
            for d in found.days {
                let date = years_on(d.date, years);
                if date < req.from || date > req.to {
                    continue;
                }
                // Two purchase days can land on one due day (29 Feb and 28 Feb): merge them.
                match totals.last_mut() {
                    Some(last) if last.date == date => last.count += d.count,
                    _ => totals.push(DayTotal {
                        date,
                        layer,
                        count: d.count,
                        shown: shown.get(&date).copied().unwrap_or(0),
                    }),
                }
            }
            days.extend(totals);
        }
        Ok(CalendarRange {
            from: req.from,
            to: req.to,
            events,
            days,
        })
    }

    /// One page of every event on one day (what the "+N more" of a busy day opens).
    pub fn calendar_day(&self, req: &DayRequest) -> Result<DayPage, CalendarError> {
        if req.limit == 0 || req.limit > MAX_REFRESH_PAGE {
            return Err(CalendarError::invalid(
                "limit",
                format!("ask for 1 to {MAX_REFRESH_PAGE} events, not {}", req.limit),
            ));
        }
        let (column, years) = match req.layer {
            CalendarLayer::Warranty => (DateColumn::WarrantyEnd, 0),
            CalendarLayer::Refresh => {
                let years = req.refresh_years.ok_or_else(|| {
                    CalendarError::invalid(
                        "refreshYears",
                        "the refresh layer needs an age in years",
                    )
                })?;
                check_years(years)?;
                (DateColumn::PurchaseDate, years)
            }
        };
        // The purchase days that come due on `date` (two for 28 February after a leap year).
        let from = years_back(req.date, years);
        let to = years_back(req.date.succ_opt().unwrap_or(req.date), years)
            .pred_opt()
            .unwrap_or(req.date);
        let after = match req.after.as_deref() {
            None => None,
            Some(text) => {
                let c: RefreshCursor = serde_json::from_str(text).map_err(|_| {
                    CalendarError::invalid(
                        "after",
                        "not a cursor of this day; start again from the first page",
                    )
                })?;
                Some((c.date, AssetId(c.id)))
            }
        };
        let kinds = self.provider_kinds_map()?;
        let mut rows = self.store().calendar_page(
            &req.filter.scope(),
            column,
            from,
            to.max(from),
            after,
            req.limit + 1,
        )?;
        let more = rows.len() > req.limit as usize;
        rows.truncate(req.limit as usize);
        let base_of = |a: &CalendarAsset| match column {
            DateColumn::WarrantyEnd => a.warranty_end,
            DateColumn::PurchaseDate => a.purchase_date,
        };
        let next = if more {
            rows.last().and_then(|r| {
                let date = base_of(r)?;
                serde_json::to_string(&RefreshCursor { date, id: r.id.0 }).ok()
            })
        } else {
            None
        };
        let events = rows
            .into_iter()
            .filter(|a| base_of(a).is_some())
            .map(|a| event_of(a, req.layer, req.date, req.today, &kinds))
            .collect();
        Ok(DayPage { events, next })
    }

    /// The "expiring in the next N days" panel: warranties ending from `today` through
    /// `today + days`, with count and total purchase value per client.
    pub fn expiring_summary(
        &self,
        req: &ExpiringRequest,
    ) -> Result<ExpiringSummary, CalendarError> {
        if !(1..=3650).contains(&req.days) {
            return Err(CalendarError::invalid(
                "days",
                format!("choose 1 to 3650 days, not {}", req.days),
            ));
        }
        let to = req
            .today
            .checked_add_days(chrono::Days::new(u64::from(req.days)))
            .unwrap_or(NaiveDate::MAX);
        let totals = self.store().calendar_totals(
            &req.filter.scope(),
            DateColumn::WarrantyEnd,
            req.today,
            to,
        )?;
        let kinds = self.provider_kinds_map()?;
        let clients = client_values(totals, &kinds);
        Ok(ExpiringSummary {
            from: req.today,
            to,
            count: clients.iter().map(|c| c.count).sum(),
            purchase_cents: clients.iter().map(|c| c.purchase_cents).sum(),
            unpriced: clients.iter().map(|c| c.unpriced).sum(),
            clients,
        })
    }

    /// Renews a warranty: sets a new warranty end as an ordinary local edit (one transaction
    /// with its outbox entry), so it works offline and syncs later.
    pub fn renew_warranty(
        &self,
        asset_id: i64,
        warranty_end: NaiveDate,
        actor: &str,
    ) -> Result<RenewOutcome, CalendarError> {
        let mut patch = assetdesk_domain::Patch::new();
        patch.insert(
            AssetField::WarrantyEnd,
            serde_json::Value::String(warranty_end.format("%Y-%m-%d").to_string()),
        );
        let out = self
            .store()
            .update_asset(AssetId(asset_id), &patch, actor)?;
        Ok(RenewOutcome {
            asset_id,
            warranty_end,
            queued: out.client_op_id.is_some(),
            warnings: out.warnings.into_iter().map(|w| w.message).collect(),
        })
    }

    /// One page of the refresh plan: assets purchased `years` or more before `today`, oldest
    /// first; the first page also carries the totals (count, replacement cost, per client).
    pub fn refresh_plan(&self, req: &RefreshRequest) -> Result<RefreshPlan, CalendarError> {
        check_years(req.years)?;
        if req.limit == 0 || req.limit > MAX_REFRESH_PAGE {
            return Err(CalendarError::invalid(
                "limit",
                format!("ask for 1 to {MAX_REFRESH_PAGE} rows, not {}", req.limit),
            ));
        }
        let after = match req.after.as_deref() {
            None => None,
            Some(text) => {
                let c: RefreshCursor = serde_json::from_str(text).map_err(|_| {
                    CalendarError::invalid(
                        "after",
                        "not a cursor of this list; start again from the first page",
                    )
                })?;
                Some((c.date, AssetId(c.id)))
            }
        };
        let cutoff = years_back(req.today, req.years);
        let scope = req.filter.scope();
        let kinds = self.provider_kinds_map()?;
        let mut rows = self.store().calendar_page(
            &scope,
            DateColumn::PurchaseDate,
            epoch(),
            cutoff,
            after,
            req.limit + 1,
        )?;
        let more = rows.len() > req.limit as usize;
        rows.truncate(req.limit as usize);
        let next = if more {
            rows.last().and_then(|r| {
                let date = r.purchase_date?;
                serde_json::to_string(&RefreshCursor { date, id: r.id.0 }).ok()
            })
        } else {
            None
        };
        let totals = if req.after.is_none() {
            let clients = client_values(
                self.store()
                    .calendar_totals(&scope, DateColumn::PurchaseDate, epoch(), cutoff)?,
                &kinds,
            );
            Some(RefreshTotals {
                count: clients.iter().map(|c| c.count).sum(),
                replacement_cents: clients.iter().map(|c| c.purchase_cents).sum(),
                unpriced: clients.iter().map(|c| c.unpriced).sum(),
                clients,
            })
        } else {
            None
        };
        let rows = rows
            .into_iter()
            .filter_map(|a| {
                let purchase_date = a.purchase_date?;
                Some(RefreshRow {
                    asset_id: a.id.0,
                    provider: kind_of(&kinds, &a.connection_id.0),
                    connection_id: a.connection_id.0,
                    name: a.name,
                    client_name: a.client_name,
                    type_name: a.type_name,
                    model: a.model,
                    purchase_date,
                    age_years: whole_years(purchase_date, req.today),
                    purchase_price_cents: a.purchase_price_cents,
                    warranty_end: a.warranty_end,
                })
            })
            .collect();
        Ok(RefreshPlan {
            cutoff,
            rows,
            next,
            totals,
        })
    }
}

fn kind_of(kinds: &HashMap<String, ProviderKind>, connection: &str) -> ProviderKind {
    kinds.get(connection).copied().unwrap_or(ProviderKind::Halo)
}

fn whole_years(from: NaiveDate, today: NaiveDate) -> u32 {
    today.years_since(from).unwrap_or(0)
}

fn client_values(
    totals: Vec<ClientTotal>,
    kinds: &HashMap<String, ProviderKind>,
) -> Vec<ClientValue> {
    totals
        .into_iter()
        .map(|t| ClientValue {
            provider: kind_of(kinds, &t.connection_id.0),
            connection_id: t.connection_id.0,
            client_id: t.client_id,
            client_name: t.client_name,
            count: t.count,
            purchase_cents: t.purchase_cents,
            unpriced: t.unpriced,
        })
        .collect()
}

fn event_of(
    a: CalendarAsset,
    layer: CalendarLayer,
    date: NaiveDate,
    today: NaiveDate,
    kinds: &HashMap<String, ProviderKind>,
) -> CalendarEvent {
    CalendarEvent {
        asset_id: a.id.0,
        provider: kind_of(kinds, &a.connection_id.0),
        connection_id: a.connection_id.0,
        layer,
        date,
        urgency: Urgency::of(date, today),
        name: a.name,
        client_name: a.client_name,
        site_name: a.site_name,
        type_name: a.type_name,
        serial: a.serial,
        model: a.model,
        purchase_date: a.purchase_date,
        purchase_price_cents: a.purchase_price_cents,
        warranty_end: a.warranty_end,
        inactive: a.inactive,
        sync_state: a.sync_state.into(),
    }
}

/// A small cache for the tests of the calendar, links and export façades: one HaloPSA and
/// one Syncro connection with two clients each, filled through the store's pull path.
#[cfg(test)]
pub(crate) mod fixtures {
    use assetdesk_domain::{
        AssetFields, AssetType, Client, Connection, ConnectionId, CustomFieldDef, CustomFieldKind,
        ProviderKind, RemoteAsset,
    };
    use assetdesk_store::{Lookups, PullMode, PulledPage};
    use chrono::NaiveDate;

    use crate::workspace::Workspace;

    pub const HALO: &str = "halo-1";
    pub const SYNCRO: &str = "syncro-1";
    /// Syncro type with the parent link field; 21 without it.
    pub const SYNCRO_LINKED_TYPE: i64 = 20;
    pub const SYNCRO_PLAIN_TYPE: i64 = 21;

    pub fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// One asset to pull: remote id, name, client, warranty end, purchase date, price.
    pub struct Row {
        pub remote_id: i64,
        pub name: &'static str,
        pub client: i64,
        pub warranty_end: Option<&'static str>,
        pub purchase: Option<&'static str>,
        pub price_cents: Option<i64>,
        pub inactive: bool,
        pub type_id: Option<i64>,
        pub parent: Option<i64>,
    }

    impl Row {
        pub fn new(remote_id: i64, name: &'static str, client: i64) -> Self {
            Row {
                remote_id,
                name,
                client,
                warranty_end: None,
                purchase: None,
                price_cents: None,
                inactive: false,
                type_id: None,
                parent: None,
            }
        }
        pub fn warranty(mut self, end: &'static str) -> Self {
            self.warranty_end = Some(end);
            self
        }
        pub fn bought(mut self, on: &'static str, cents: i64) -> Self {
            self.purchase = Some(on);
            self.price_cents = Some(cents);
            self
        }
        pub fn retired(mut self) -> Self {
            self.inactive = true;
            self
        }
        pub fn typed(mut self, t: i64) -> Self {
            self.type_id = Some(t);
            self
        }
        pub fn under(mut self, parent_remote: i64) -> Self {
            self.parent = Some(parent_remote);
            self
        }
    }

    pub fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().expect("temp dir");
        let ws = Workspace::open(dir.path()).expect("workspace");
        for (id, kind, name) in [
            (HALO, ProviderKind::Halo, "Contoso Halo"),
            (SYNCRO, ProviderKind::Syncro, "Acme Syncro"),
        ] {
            let conn = ConnectionId(id.into());
            ws.store()
                .upsert_connection(&Connection {
                    id: conn.clone(),
                    kind,
                    name: name.into(),
                    base_url: "http://127.0.0.1".into(),
                    auth_url: None,
                    tenant: None,
                    client_id: None,
                    secret_ref: id.into(),
                    demo: false,
                })
                .expect("connection");
            let client = |remote_id, name: &str| Client {
                connection_id: conn.clone(),
                remote_id,
                name: name.into(),
                inactive: false,
            };
            let field = |key: &str| CustomFieldDef {
                key: key.into(),
                label: key.into(),
                kind: CustomFieldKind::Text,
                required: false,
            };
            ws.store()
                .replace_lookups(
                    &conn,
                    &Lookups {
                        clients: vec![client(1, "Alpha Dental"), client(2, "Beta Law")],
                        types: vec![
                            AssetType {
                                connection_id: conn.clone(),
                                remote_id: SYNCRO_LINKED_TYPE,
                                name: "Server".into(),
                                fields: vec![field("Parent Asset ID")],
                                allowed_statuses: None,
                            },
                            AssetType {
                                connection_id: conn.clone(),
                                remote_id: SYNCRO_PLAIN_TYPE,
                                name: "Laptop".into(),
                                fields: vec![field("Warranty Expiration")],
                                allowed_statuses: None,
                            },
                        ],
                        ..Lookups::default()
                    },
                )
                .expect("lookups");
        }
        (dir, ws)
    }

    /// Pulls `rows` into `connection` as one page of a full pass.
    pub fn pull(ws: &Workspace, connection: &str, rows: Vec<Row>) {
        let conn = ConnectionId(connection.into());
        let cp = ws
            .store()
            .begin_pull(&conn, PullMode::Full, 100, None)
            .expect("begin pull");
        let assets = rows
            .into_iter()
            .map(|r| RemoteAsset {
                remote_id: r.remote_id,
                fields: AssetFields {
                    name: r.name.into(),
                    client_id: Some(r.client),
                    type_id: r.type_id,
                    warranty_end: r.warranty_end.map(day),
                    purchase_date: r.purchase.map(day),
                    purchase_price_cents: r.price_cents,
                    inactive: r.inactive,
                    ..AssetFields::default()
                },
                facts: Default::default(),
                parent_remote_id: r.parent,
                updated_at: None,
                raw: serde_json::Value::Null,
            })
            .collect();
        ws.store()
            .apply_pulled_page(&PulledPage {
                run_id: cp.run_id,
                page_no: 1,
                assets,
                remote_total: None,
                high_watermark: None,
            })
            .expect("apply page");
    }

    /// The local id of a pulled asset.
    pub fn local(ws: &Workspace, connection: &str, remote_id: i64) -> i64 {
        ws.store()
            .asset_by_remote(&ConnectionId(connection.into()), remote_id)
            .expect("lookup")
            .expect("asset exists")
            .asset
            .id
            .0
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn month(today: &str) -> CalendarRequest {
        CalendarRequest {
            filter: CalendarFilter::default(),
            from: day("2027-03-01"),
            to: day("2027-03-31"),
            today: day(today),
            refresh_years: None,
        }
    }

    #[test]
    fn urgency_uses_the_one_scale() {
        let today = day("2027-01-01");
        let at = |d: &str| Urgency::of(day(d), today);
        assert_eq!(at("2026-12-31"), Urgency::Expired);
        assert_eq!(at("2027-01-01"), Urgency::Within30);
        assert_eq!(at("2027-01-31"), Urgency::Within30);
        assert_eq!(at("2027-02-01"), Urgency::Within60);
        assert_eq!(at("2027-03-02"), Urgency::Within60);
        assert_eq!(at("2027-03-03"), Urgency::Within90);
        assert_eq!(at("2027-04-01"), Urgency::Within90);
        assert_eq!(at("2027-04-02"), Urgency::Later);
    }

    #[test]
    fn a_range_caps_events_per_day_and_counts_them_all() {
        let (_d, ws) = workspace();
        let names = ["A1", "A2", "A3", "A4", "A5", "A6"];
        let mut rows: Vec<Row> = names
            .iter()
            .zip(1..)
            .map(|(n, i)| Row::new(i, n, 1).warranty("2027-03-10"))
            .collect();
        rows.push(Row::new(10, "Outside", 1).warranty("2027-04-01"));
        rows.push(Row::new(11, "Other day", 2).warranty("2027-03-20"));
        rows.push(Row::new(12, "Retired", 2).warranty("2027-03-20").retired());
        pull(&ws, HALO, rows);

        let r = ws.calendar_range(&month("2027-03-01")).unwrap();
        let on_10: Vec<&str> = r
            .events
            .iter()
            .filter(|e| e.date == day("2027-03-10"))
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(on_10, ["A1", "A2", "A3", "A4"], "first PER_DAY by name");
        let d10 = r.days.iter().find(|d| d.date == day("2027-03-10")).unwrap();
        assert_eq!((d10.count, d10.shown), (6, PER_DAY));
        assert!(
            r.events
                .iter()
                .all(|e| e.name != "Outside" && e.name != "Retired")
        );
        let other = r.events.iter().find(|e| e.name == "Other day").unwrap();
        assert_eq!(other.urgency, Urgency::Within30);
        assert_eq!(other.client_name.as_deref(), Some("Beta Law"));
        assert_eq!(other.provider, ProviderKind::Halo);

        let mut with_inactive = month("2027-03-01");
        with_inactive.filter.include_inactive = true;
        let r = ws.calendar_range(&with_inactive).unwrap();
        assert!(r.events.iter().any(|e| e.name == "Retired" && e.inactive));

        let mut beta = month("2027-03-01");
        beta.filter.clients = vec![LookupKey {
            connection_id: HALO.into(),
            remote_id: 2,
        }];
        let r = ws.calendar_range(&beta).unwrap();
        let names: Vec<&str> = r.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Other day"]);
    }

    #[test]
    fn a_busy_day_pages_through_all_its_events() {
        let (_d, ws) = workspace();
        let names = ["d1", "d2", "d3", "d4", "d5", "d6", "d7"];
        pull(
            &ws,
            HALO,
            names
                .iter()
                .zip(1..)
                .map(|(n, i)| Row::new(i, n, 1).warranty("2027-03-10"))
                .collect(),
        );
        let req = |after: Option<String>| DayRequest {
            filter: CalendarFilter::default(),
            date: day("2027-03-10"),
            layer: CalendarLayer::Warranty,
            today: day("2027-03-01"),
            refresh_years: None,
            after,
            limit: 5,
        };
        let p1 = ws.calendar_day(&req(None)).unwrap();
        assert_eq!(p1.events.len(), 5);
        let p2 = ws.calendar_day(&req(p1.next.clone())).unwrap();
        assert_eq!(p2.events.len(), 2);
        assert!(p2.next.is_none());
        let mut all: Vec<String> = p1
            .events
            .iter()
            .chain(&p2.events)
            .map(|e| e.name.clone())
            .collect();
        all.sort();
        assert_eq!(all, names);
    }

    #[test]
    fn ranges_are_checked() {
        let (_d, ws) = workspace();
        let mut bad = month("2027-03-01");
        bad.to = day("2027-02-01");
        let e = ws.calendar_range(&bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("swap"), "{e}");
        bad.to = day("2029-01-01");
        let e = ws.calendar_range(&bad).unwrap_err();
        assert!(e.to_string().contains("at most"), "{e}");
    }

    #[test]
    fn expiring_panel_sums_per_client() {
        let (_d, ws) = workspace();
        pull(
            &ws,
            HALO,
            vec![
                Row::new(1, "a", 1)
                    .warranty("2027-01-10")
                    .bought("2024-01-10", 10_000),
                Row::new(2, "b", 1)
                    .warranty("2027-01-20")
                    .bought("2024-01-10", 25_050),
                Row::new(3, "c", 2).warranty("2027-01-25"),
                Row::new(4, "late", 2)
                    .warranty("2027-06-01")
                    .bought("2024-01-01", 99_900),
                Row::new(5, "past", 2)
                    .warranty("2026-12-01")
                    .bought("2024-01-01", 99_900),
            ],
        );
        let s = ws
            .expiring_summary(&ExpiringRequest {
                filter: CalendarFilter::default(),
                today: day("2027-01-01"),
                days: 30,
            })
            .unwrap();
        assert_eq!((s.count, s.purchase_cents, s.unpriced), (3, 35_050, 1));
        assert_eq!(s.to, day("2027-01-31"));
        let alpha = &s.clients[0];
        assert_eq!(alpha.client_name.as_deref(), Some("Alpha Dental"));
        assert_eq!((alpha.count, alpha.purchase_cents), (2, 35_050));
        let e = ws
            .expiring_summary(&ExpiringRequest {
                filter: CalendarFilter::default(),
                today: day("2027-01-01"),
                days: 0,
            })
            .unwrap_err();
        assert!(e.to_string().starts_with("days:"), "{e}");
    }

    #[test]
    fn renew_is_a_queued_edit_that_moves_the_event() {
        let (_d, ws) = workspace();
        pull(
            &ws,
            HALO,
            vec![Row::new(1, "Host", 1).warranty("2027-03-05")],
        );
        let id = local(&ws, HALO, 1);
        let out = ws.renew_warranty(id, day("2030-03-05"), "tester").unwrap();
        assert!(out.queued);
        let record = ws.store().asset(AssetId(id)).unwrap();
        assert_eq!(record.asset.fields.warranty_end, Some(day("2030-03-05")));
        assert_eq!(record.sync_state, assetdesk_store::SyncState::Pending);
        let r = ws.calendar_range(&month("2027-03-01")).unwrap();
        assert!(r.events.is_empty(), "the old date no longer shows");
        let again = ws.renew_warranty(id, day("2030-03-05"), "tester").unwrap();
        assert!(!again.queued, "the same date again changes nothing");
        assert!(ws.renew_warranty(999, day("2030-03-05"), "t").is_err());
    }

    #[test]
    fn refresh_plan_lists_old_assets_with_cost_and_pages() {
        let (_d, ws) = workspace();
        pull(
            &ws,
            HALO,
            vec![
                Row::new(1, "old-1", 1).bought("2019-05-01", 100_000),
                Row::new(2, "old-2", 2).bought("2020-01-01", 50_000),
                Row::new(3, "edge", 1).bought("2022-01-01", 1),
                Row::new(4, "young", 1).bought("2022-01-02", 70_000),
                Row::new(5, "unknown", 1),
            ],
        );
        let req = |after: Option<String>| RefreshRequest {
            filter: CalendarFilter::default(),
            today: day("2027-01-01"),
            years: 5,
            after,
            limit: 2,
        };
        let p1 = ws.refresh_plan(&req(None)).unwrap();
        assert_eq!(p1.cutoff, day("2022-01-01"));
        let names: Vec<&str> = p1.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["old-1", "old-2"]);
        assert_eq!(p1.rows[0].age_years, 7);
        let totals = p1.totals.as_ref().unwrap();
        assert_eq!((totals.count, totals.replacement_cents), (3, 150_001));
        let p2 = ws.refresh_plan(&req(p1.next.clone())).unwrap();
        let names: Vec<&str> = p2.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["edge"]);
        assert!(p2.next.is_none() && p2.totals.is_none());
        assert!(ws.refresh_plan(&req(Some("junk".into()))).is_err());

        // The calendar layer: "old-2" reaches 5 years on 2025-01-01.
        let r = ws
            .calendar_range(&CalendarRequest {
                filter: CalendarFilter::default(),
                from: day("2025-01-01"),
                to: day("2025-01-31"),
                today: day("2027-01-01"),
                refresh_years: Some(5),
            })
            .unwrap();
        let refresh: Vec<(&str, NaiveDate)> = r
            .events
            .iter()
            .filter(|e| e.layer == CalendarLayer::Refresh)
            .map(|e| (e.name.as_str(), e.date))
            .collect();
        assert_eq!(refresh, [("old-2", day("2025-01-01"))]);
        assert_eq!(r.days.len(), 1);
        assert_eq!(r.events[0].urgency, Urgency::Expired);
    }

    #[test]
    fn a_leap_day_purchase_is_due_on_the_last_of_february() {
        let (_d, ws) = workspace();
        pull(
            &ws,
            HALO,
            vec![Row::new(1, "leap", 1).bought("2020-02-29", 1)],
        );
        let r = ws
            .calendar_range(&CalendarRequest {
                filter: CalendarFilter::default(),
                from: day("2025-02-01"),
                to: day("2025-02-28"),
                today: day("2025-01-01"),
                refresh_years: Some(5),
            })
            .unwrap();
        assert_eq!(r.events.len(), 1);
        assert_eq!(r.events[0].date, day("2025-02-28"));
    }
}
