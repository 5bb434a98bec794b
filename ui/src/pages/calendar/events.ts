import type { CalendarEvent, CalendarLayer, CalendarRange, Urgency } from "../../host";

/** The one urgency scale (UX.md "Signals"): a word for every colour. */
export const URGENCY: Record<Urgency, { label: string; short: string; color: string }> = {
  expired: { label: "Expired", short: "Expired", color: "red" },
  within30: { label: "≤ 30 days", short: "≤30d", color: "orange" },
  within60: { label: "≤ 60 days", short: "≤60d", color: "yellow" },
  within90: { label: "≤ 90 days", short: "≤90d", color: "blue" },
  later: { label: "Later", short: "Later", color: "gray" },
};

export const URGENCY_ORDER: Urgency[] = ["expired", "within30", "within60", "within90", "later"];

/** What FullCalendar renders: one asset, or a "+N more" marker for a busy day. */
export type CalendarItem =
  | { kind: "asset"; event: CalendarEvent }
  | { kind: "more"; date: string; layer: CalendarLayer; hidden: number };

/** FullCalendar's event input (all-day events on the asset's date). */
export interface FcEvent {
  id: string;
  title: string;
  start: string;
  allDay: true;
  extendedProps: CalendarItem;
}

/**
 * The range's events plus, for each day that holds more than it carries, one "+N more"
 * marker that opens the whole day (the backend sends a few events per day and the true count).
 */
export function toFcEvents(range: CalendarRange): FcEvent[] {
  const out: FcEvent[] = range.events.map((e) => ({
    id: `${e.layer}-${e.assetId}`,
    title: e.layer === "refresh" ? `Refresh: ${e.name}` : e.name,
    start: e.date,
    allDay: true,
    extendedProps: { kind: "asset", event: e },
  }));
  for (const d of range.days) {
    const hidden = d.count - d.shown;
    if (hidden > 0) {
      out.push({
        id: `more-${d.layer}-${d.date}`,
        title: `+${hidden} more`,
        start: d.date,
        allDay: true,
        extendedProps: { kind: "more", date: d.date, layer: d.layer, hidden },
      });
    }
  }
  return out;
}

/** `YYYY-MM-DD` of a local `Date` (FullCalendar hands out local midnights). */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The day before `d` (FullCalendar's range end is exclusive; the backend's is inclusive). */
export function dayBefore(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1);
}

/** `YYYY-MM-DD` a number of days after `iso`. */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  return isoDay(new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days));
}

/** `YYYY-MM-DD` a number of years after `iso` (29 Feb → 28 Feb in common years). */
export function addYears(iso: string, years: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  const target = new Date((y ?? 1970) + years, (m ?? 1) - 1, 1);
  const last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
  target.setDate(Math.min(d ?? 1, last));
  return isoDay(target);
}

/** Money in minor units, in the user's locale (the connection's currency is not known here). */
export function formatMoney(cents: number): string {
  return (cents / 100).toLocaleString(undefined, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}
