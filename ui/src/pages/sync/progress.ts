import type { SyncProgress } from "../../host";

const PHASE: Record<SyncProgress["phase"], string> = {
  lookups: "Fetching clients, sites, types and statuses",
  reconcile: "Checking creates whose outcome was unknown",
  push: "Sending your changes",
  pull: "Fetching assets",
  done: "Done",
  offline: "Offline",
  failed: "Failed",
  cancelled: "Cancelled",
};

/**
 * How far a sync is, 0–100, when that can be said honestly: only while pulling with a known
 * page count. Other phases have no total, so callers show an indeterminate bar instead.
 */
export function progressPercent(p: SyncProgress | undefined): number | null {
  if (p?.phase === "pull" && p.page && p.pages) return Math.min(100, (p.page / p.pages) * 100);
  return null;
}

/** The phase with its counts: "Fetching assets · page 3 of 8 · 150 rows". */
export function progressLine(p: SyncProgress | undefined): string {
  if (!p) return "Starting…";
  const parts = [PHASE[p.phase]];
  if (p.page && p.pages) parts.push(`page ${p.page} of ${p.pages}`);
  else if (p.page) parts.push(`page ${p.page}`);
  if (p.rows > 0) parts.push(`${p.rows.toLocaleString()} ${p.phase === "push" ? "sent" : "rows"}`);
  if (p.errors > 0) parts.push(`${p.errors} error${p.errors === 1 ? "" : "s"}`);
  return parts.join(" · ");
}
