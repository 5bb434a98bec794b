/** Warranty urgency on the one scale used everywhere (UX.md "Signals"). */
export type WarrantyUrgency = "expired" | "30" | "60" | "90" | "later";

const DAY_MS = 86_400_000;

function dayNumber(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

/** Days from `today` to `end` (negative when past); `null` for an unreadable date. */
export function daysUntil(end: string, today: string): number | null {
  const a = dayNumber(end);
  const b = dayNumber(today);
  return a === null || b === null ? null : a - b;
}

/** Where a warranty end falls on the scale, counted from the user's `today`. */
export function warrantyUrgency(end: string, today: string): WarrantyUrgency | null {
  const days = daysUntil(end, today);
  if (days === null) return null;
  if (days < 0) return "expired";
  if (days <= 30) return "30";
  if (days <= 60) return "60";
  if (days <= 90) return "90";
  return "later";
}

/** A date (`YYYY-MM-DD`) in the user's locale; the ISO form goes in a tooltip. */
export function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toLocaleDateString();
}
