//! Exports of the calendar's filtered set (issue 10): ICS, one all-day event per asset whose
//! warranty ends in the range, and CSV of the same rows.
//!
//! ICS UIDs are stable so that importing a newer export into the same calendar *updates*
//! each event instead of duplicating it (RFC 5545 §3.8.4.7: UID identifies the event; a
//! higher SEQUENCE or later DTSTAMP replaces it). The UID is derived from the connection and
//! the provider's asset id, which stays the same on every machine and after a cache rebuild;
//! an asset not yet created at the provider uses its local id until its create syncs.
//!
//! The rows are read a page at a time and streamed into a temporary file beside the target,
//! which replaces the target only when complete: a failed export never leaves half a file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use assetdesk_domain::AssetId;
use assetdesk_store::{CalendarAsset, DateColumn};
use chrono::{NaiveDate, Utc};
use icalendar::{Component, EventLike};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::calendar::{CalendarError, CalendarFilter, Urgency, check_range};
use crate::workspace::Workspace;

/// Rows read per store call while exporting.
const EXPORT_PAGE: u32 = 500;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// iCalendar (`.ics`): Outlook, Google Calendar, Apple Calendar.
    Ics,
    /// Comma-separated values (`.csv`): spreadsheets.
    Csv,
}

impl ExportFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Ics => "ics",
            ExportFormat::Csv => "csv",
        }
    }
}

/// Export the warranties ending in a range, under the calendar's filters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub filter: CalendarFilter,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The user's calendar day (the urgency column counts from it).
    pub today: NaiveDate,
    pub format: ExportFormat,
    /// The file to write (replaced if it exists).
    pub path: String,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub path: String,
    pub format: ExportFormat,
    /// Assets written (one event or row each).
    pub count: u64,
}

/// The stable ICS UID of an asset's warranty event.
pub fn warranty_uid(connection_id: &str, remote_id: Option<i64>, local_id: AssetId) -> String {
    match remote_id {
        Some(r) => format!("warranty-{connection_id}-r{r}@assetdesk"),
        None => format!("warranty-{connection_id}-l{}@assetdesk", local_id.0),
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CalendarError + '_ {
    move |source| CalendarError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn fmt_err(_: std::fmt::Error) -> CalendarError {
    CalendarError::invalid("format", "the event could not be formatted")
}

fn money(cents: Option<i64>) -> String {
    cents.map_or_else(String::new, |c| {
        let sign = if c < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", (c / 100).abs(), (c % 100).abs())
    })
}

fn ics_event(
    a: &CalendarAsset,
    end: NaiveDate,
    stamp: chrono::DateTime<Utc>,
    today: NaiveDate,
) -> icalendar::Event {
    let mut description = String::new();
    for (label, value) in [
        ("Client", a.client_name.as_deref()),
        ("Site", a.site_name.as_deref()),
        ("Type", a.type_name.as_deref()),
        ("Serial", a.serial.as_deref()),
        ("Manufacturer", a.manufacturer.as_deref()),
        ("Model", a.model.as_deref()),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(description, "{label}: {v}");
        }
    }
    if let Some(p) = a.purchase_date {
        let _ = writeln!(description, "Purchased: {p}");
    }
    if a.purchase_price_cents.is_some() {
        let _ = writeln!(
            description,
            "Purchase price: {}",
            money(a.purchase_price_cents)
        );
    }
    icalendar::Event::new()
        .uid(&warranty_uid(&a.connection_id.0, a.remote_id, a.id))
        .timestamp(stamp)
        .summary(&format!("Warranty ends: {}", a.name))
        .description(description.trim_end())
        // An all-day event: DTSTART is the day, DTEND (exclusive) the next (RFC 5545 §3.6.1).
        .starts(end)
        .ends(end.succ_opt().unwrap_or(end))
        .add_property("CATEGORIES", Urgency::of(end, today).label())
        .add_property("TRANSP", "TRANSPARENT")
        .done()
}

impl Workspace {
    /// Writes the warranties ending in `from..=to` under the filter as ICS or CSV to `path`,
    /// streaming page by page; the file appears only when complete.
    pub fn export_warranties(&self, req: &ExportRequest) -> Result<ExportSummary, CalendarError> {
        check_range(req.from, req.to)?;
        let target = PathBuf::from(req.path.trim());
        if req.path.trim().is_empty() {
            return Err(CalendarError::invalid("path", "choose a file to export to"));
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(CalendarError::invalid(
                "path",
                format!(
                    "the folder {} does not exist; choose another",
                    dir.display()
                ),
            ));
        }
        let tmp = tempfile_in(&dir, &target);
        let result = self.write_export(req, &tmp);
        match result {
            Ok(count) => {
                std::fs::rename(&tmp, &target).map_err(io(&target))?;
                Ok(ExportSummary {
                    path: target.display().to_string(),
                    format: req.format,
                    count,
                })
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    fn write_export(&self, req: &ExportRequest, tmp: &Path) -> Result<u64, CalendarError> {
        let file = std::fs::File::create(tmp).map_err(io(tmp))?;
        let out = std::io::BufWriter::new(file);
        let scope = req.filter.scope();
        let stamp = Utc::now();
        let mut count = 0u64;
        let mut sink = match req.format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record([
                    "asset_id",
                    "connection_id",
                    "remote_id",
                    "name",
                    "client",
                    "site",
                    "type",
                    "status",
                    "serial",
                    "manufacturer",
                    "model",
                    "purchase_date",
                    "purchase_price",
                    "warranty_end",
                    "urgency",
                    "inactive",
                ])
                .map_err(csv_err(tmp))?;
                Sink::Csv(Box::new(w))
            }
            ExportFormat::Ics => {
                let mut out = out;
                // RFC 5545 §3.4, §3.7: the calendar object's header.
                out.write_all(
                    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//AssetDesk//Warranty calendar//EN\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:Warranty ends\r\n",
                )
                .map_err(io(tmp))?;
                Sink::Ics(out)
            }
        };
        let mut after = None;
        loop {
            let page = self.store().calendar_page(
                &scope,
                DateColumn::WarrantyEnd,
                req.from,
                req.to,
                after,
                EXPORT_PAGE,
            )?;
            for a in &page {
                let Some(end) = a.warranty_end else { continue };
                match &mut sink {
                    Sink::Csv(w) => w
                        .write_record([
                            a.id.0.to_string(),
                            a.connection_id.0.clone(),
                            a.remote_id.map(|r| r.to_string()).unwrap_or_default(),
                            a.name.clone(),
                            a.client_name.clone().unwrap_or_default(),
                            a.site_name.clone().unwrap_or_default(),
                            a.type_name.clone().unwrap_or_default(),
                            a.status_name.clone().unwrap_or_default(),
                            a.serial.clone().unwrap_or_default(),
                            a.manufacturer.clone().unwrap_or_default(),
                            a.model.clone().unwrap_or_default(),
                            a.purchase_date.map(|d| d.to_string()).unwrap_or_default(),
                            money(a.purchase_price_cents),
                            end.to_string(),
                            Urgency::of(end, req.today).label().to_owned(),
                            a.inactive.to_string(),
                        ])
                        .map_err(csv_err(tmp))?,
                    Sink::Ics(out) => {
                        let mut text = String::new();
                        ics_event(a, end, stamp, req.today)
                            .fmt_write(&mut text)
                            .map_err(fmt_err)?;
                        out.write_all(text.as_bytes()).map_err(io(tmp))?;
                    }
                }
                count += 1;
            }
            if page.len() < EXPORT_PAGE as usize {
                break;
            }
            match page.last().and_then(|l| l.warranty_end.map(|d| (d, l.id))) {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let out = match sink {
            Sink::Csv(w) => w
                .into_inner()
                .map_err(|e| io(tmp)(std::io::Error::other(e.error().to_string())))?,
            Sink::Ics(mut out) => {
                out.write_all(b"END:VCALENDAR\r\n").map_err(io(tmp))?;
                out
            }
        };
        let file = out.into_inner().map_err(|e| io(tmp)(e.into_error()))?;
        file.sync_all().map_err(io(tmp))?;
        Ok(count)
    }
}

/// Where exported rows go.
enum Sink {
    Csv(Box<csv::Writer<std::io::BufWriter<std::fs::File>>>),
    Ics(std::io::BufWriter<std::fs::File>),
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> CalendarError + '_ {
    move |e| CalendarError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// A sibling temporary file of `target` (same folder, so the final rename is atomic).
fn tempfile_in(dir: &Path, target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    dir.join(format!(".{name}.{}.part", std::process::id()))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::calendar::fixtures::*;

    fn request(dir: &Path, format: ExportFormat, file: &str) -> ExportRequest {
        ExportRequest {
            filter: CalendarFilter::default(),
            from: day("2027-03-01"),
            to: day("2027-03-31"),
            today: day("2027-03-01"),
            format,
            path: dir.join(file).display().to_string(),
        }
    }

    fn fill(ws: &Workspace) {
        pull(
            ws,
            HALO,
            vec![
                Row::new(7, "Host, \"rack 2\"", 1)
                    .warranty("2027-03-10")
                    .bought("2024-03-10", 123_456),
                Row::new(8, "VM-01", 2).warranty("2027-03-31"),
                Row::new(9, "Outside", 2).warranty("2027-04-01"),
            ],
        );
    }

    #[test]
    fn ics_parses_back_with_stable_uids_and_all_day_dates() {
        let (dir, ws) = workspace();
        fill(&ws);
        // A locally created asset (no remote id yet) in range.
        let local_id = ws
            .store()
            .create_asset(
                &assetdesk_store::NewAsset {
                    connection_id: assetdesk_domain::ConnectionId(HALO.into()),
                    fields: assetdesk_domain::AssetFields {
                        name: "New laptop".into(),
                        client_id: Some(1),
                        type_id: Some(SYNCRO_PLAIN_TYPE),
                        warranty_end: Some(day("2027-03-15")),
                        ..Default::default()
                    },
                    parent_id: None,
                },
                "t",
            )
            .unwrap()
            .asset_id;
        let out = ws
            .export_warranties(&request(dir.path(), ExportFormat::Ics, "w.ics"))
            .unwrap();
        assert_eq!(out.count, 3);
        let text = std::fs::read_to_string(&out.path).unwrap();
        let cal = icalendar::Calendar::from_str(&text).expect("the export parses as iCalendar");
        let mut events: Vec<(String, String, String, String)> = cal
            .events()
            .map(|e| {
                let start = match e.get_start() {
                    Some(icalendar::DatePerhapsTime::Date(d)) => d.to_string(),
                    other => panic!("not an all-day start: {other:?}"),
                };
                let end = match e.get_end() {
                    Some(icalendar::DatePerhapsTime::Date(d)) => d.to_string(),
                    other => panic!("not an all-day end: {other:?}"),
                };
                (
                    e.get_uid().unwrap().to_owned(),
                    start,
                    end,
                    e.get_summary().unwrap().to_owned(),
                )
            })
            .collect();
        events.sort();
        assert_eq!(
            events,
            [
                (
                    format!("warranty-{HALO}-l{}@assetdesk", local_id.0),
                    "2027-03-15".into(),
                    "2027-03-16".into(),
                    "Warranty ends: New laptop".into()
                ),
                (
                    format!("warranty-{HALO}-r7@assetdesk"),
                    "2027-03-10".into(),
                    "2027-03-11".into(),
                    "Warranty ends: Host, \"rack 2\"".into()
                ),
                (
                    format!("warranty-{HALO}-r8@assetdesk"),
                    "2027-03-31".into(),
                    "2027-04-01".into(),
                    "Warranty ends: VM-01".into()
                ),
            ]
        );
        let host = cal
            .events()
            .find(|e| e.get_uid() == Some(&format!("warranty-{HALO}-r7@assetdesk")))
            .unwrap();
        let desc = host.get_description().unwrap();
        assert!(
            desc.contains("Client: Alpha Dental") && desc.contains("1234.56"),
            "{desc}"
        );

        // A second export (after a renew) keeps the UIDs, so a re-import updates the events.
        ws.renew_warranty(local(&ws, HALO, 7), day("2027-03-20"), "t")
            .unwrap();
        let again = ws
            .export_warranties(&request(dir.path(), ExportFormat::Ics, "w.ics"))
            .unwrap();
        let cal =
            icalendar::Calendar::from_str(&std::fs::read_to_string(&again.path).unwrap()).unwrap();
        let moved = cal
            .events()
            .find(|e| e.get_uid() == Some(&format!("warranty-{HALO}-r7@assetdesk")))
            .unwrap();
        assert_eq!(
            moved.get_start(),
            Some(icalendar::DatePerhapsTime::Date(day("2027-03-20")))
        );
        assert!(
            std::fs::read_dir(dir.path()).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".part")),
            "no temporary file is left behind"
        );
    }

    #[test]
    fn csv_has_a_header_and_one_quoted_row_per_asset() {
        let (dir, ws) = workspace();
        fill(&ws);
        let out = ws
            .export_warranties(&request(dir.path(), ExportFormat::Csv, "w.csv"))
            .unwrap();
        assert_eq!(out.count, 2);
        let mut reader = csv::Reader::from_path(&out.path).unwrap();
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[3], "name");
        assert_eq!(&headers[13], "warranty_end");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][3], "Host, \"rack 2\"");
        assert_eq!(&rows[0][4], "Alpha Dental");
        assert_eq!(&rows[0][12], "1234.56");
        assert_eq!(&rows[0][13], "2027-03-10");
        assert_eq!(&rows[0][14], "≤ 30 days");
        assert_eq!(&rows[1][3], "VM-01");
    }

    #[test]
    fn a_missing_folder_is_refused_before_anything_is_written() {
        let (dir, ws) = workspace();
        let mut req = request(dir.path(), ExportFormat::Csv, "nope/w.csv");
        let e = ws.export_warranties(&req).unwrap_err();
        assert!(
            e.to_string().starts_with("path:") && e.to_string().contains("does not exist"),
            "{e}"
        );
        req.path = "  ".into();
        assert!(ws.export_warranties(&req).is_err());
    }

    #[test]
    fn money_keeps_two_decimals_and_the_sign() {
        assert_eq!(money(Some(123_456)), "1234.56");
        assert_eq!(money(Some(-5)), "-0.05");
        assert_eq!(money(None), "");
    }
}
