import type { CatalogFilter, CatalogSort, RowSyncState, SortColumn } from "../../host";

/** The warranty choices of the filter bar: the one urgency scale of UX.md ("Signals"). */
export type WarrantyChoice = "expired" | "30" | "60" | "90" | "unknown";

/** What the user chose in the filter bar; `null` means "any". Ids are `connection:remoteId`. */
export interface ListFilters {
  search: string;
  connection: string | null;
  client: string | null;
  type: string | null;
  status: string | null;
  active: "active" | "inactive" | null;
  warranty: WarrantyChoice | null;
  sync: RowSyncState | null;
}

export const NO_FILTERS: ListFilters = {
  search: "",
  connection: null,
  client: null,
  type: null,
  status: null,
  active: null,
  warranty: null,
  sync: null,
};

export const DEFAULT_SORT: CatalogSort = { column: "name", descending: false };

/** True when anything narrows the list (search included), i.e. "clear filters" would help. */
export function hasFilters(f: ListFilters): boolean {
  return (
    f.search.trim() !== "" ||
    f.connection !== null ||
    f.client !== null ||
    f.type !== null ||
    f.status !== null ||
    f.active !== null ||
    f.warranty !== null ||
    f.sync !== null
  );
}

/** `connection:remoteId`, the value a lookup option has in a select. */
export function lookupValue(connectionId: string, remoteId: number): string {
  return `${connectionId}:${remoteId}`;
}

function lookupKeys(value: string | null) {
  if (value === null) return [];
  const at = value.lastIndexOf(":");
  const remoteId = Number(value.slice(at + 1));
  if (at < 0 || !Number.isSafeInteger(remoteId)) return [];
  return [{ connectionId: value.slice(0, at), remoteId }];
}

/** The user's calendar day as `YYYY-MM-DD` (warranty windows count from the local day). */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The backend filter for the filter bar's state, with `search` the text the list searches now. */
export function toCatalogFilter(f: ListFilters, search: string, today: string): CatalogFilter {
  const trimmed = search.trim();
  return {
    connections: f.connection === null ? [] : [f.connection],
    clients: lookupKeys(f.client),
    sites: [],
    types: lookupKeys(f.type),
    statuses: lookupKeys(f.status),
    active: f.active === null ? null : f.active === "active",
    warranty:
      f.warranty === null
        ? null
        : f.warranty === "expired"
          ? { kind: "expired" }
          : f.warranty === "unknown"
            ? { kind: "unknown" }
            : { kind: "within", days: Number(f.warranty) },
    today,
    syncStates: f.sync === null ? [] : [f.sync],
    search: trimmed === "" ? null : trimmed,
  };
}

/** Clicking a header: a new column sorts ascending, the same column flips direction. */
export function nextSort(current: CatalogSort, column: SortColumn): CatalogSort {
  return current.column === column
    ? { column, descending: !current.descending }
    : { column, descending: false };
}
